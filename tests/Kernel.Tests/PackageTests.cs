using ArchNotebooks.Kernel.Scripting.Packages;
using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>NuGet packages in cells: the directives' syntax in-process; restores of real packages through jupyter_client (python/test_packages.py).</summary>
[Collection("python clients")]
public sealed class PackageTests(KernelSpecFixture spec)
{
    [Fact]
    public void Package_lines_are_taken_out_of_the_code_keeping_line_numbers()
    {
        var (packages, code) = PackageDirectives.Extract("#r \"nuget: Humanizer.Core, 3.0.10\"\n#r \"nuget:Newtonsoft.Json\"\n#:package Foo.Bar@1.2.3\n#:package Baz\n#r \"lib.dll\"\nvar x = 1;");
        Assert.Equal([new("Humanizer.Core", "3.0.10"), new("Newtonsoft.Json", null), new("Foo.Bar", "1.2.3"), new PackageRequest("Baz", null)], packages);
        Assert.Equal("\n\n\n\n#r \"lib.dll\"\nvar x = 1;", code);
    }

    [Theory]
    [InlineData("test_nuget_reference_with_version")]
    [InlineData("test_package_directive_with_transitive_and_native_dependencies")]
    [InlineData("test_unknown_package_and_unknown_version_say_so")]
    public void Jupyter_client_restores_packages_in_cells(string test)
    {
        var (exit, output) = spec.Python(["-m", "unittest", "-v", $"test_packages.PackageTests.{test}"], timeoutSeconds: 900);
        Assert.True(exit == 0, output);
        Assert.Contains("OK", output);
    }

    [Fact]
    public void A_starting_kernel_removes_the_restore_folders_of_SIGKILLed_kernels()
    {
        var (exit, output) = spec.Python(["-m", "unittest", "-v", "test_packages.RestoreFolderTests"], timeoutSeconds: 900);
        Assert.True(exit == 0, output);
        Assert.Contains("OK", output);
    }
}
