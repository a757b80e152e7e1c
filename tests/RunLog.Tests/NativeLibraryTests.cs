namespace ArchNotebooks.Runs.Tests;

/// <summary>DuckDB's native library comes with the NuGet package; each case runs in a fresh process because a library loads once.</summary>
public sealed class NativeLibraryTests
{
    [Fact]
    public void The_library_is_found_without_configuration_and_reports_its_version()
    {
        using var child = new ChildProcess("version");
        Assert.Equal(0, child.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.StartsWith("v1.", child.WaitForLine("v", TimeSpan.FromSeconds(5)));
        Assert.Equal(RunLog.DuckDbVersion, child.WaitForLine("v", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void The_library_loaded_is_the_copy_beside_the_build_output()
    {
        // The package's native asset is copied under the output directory (runtimes/<rid>/native), and
        // nothing searches further afield, e.g. an npm package in node_modules.
        using var child = new ChildProcess("version");
        Assert.Equal(0, child.WaitForExit(TimeSpan.FromSeconds(60)));
        var loaded = child.WaitForLine("loaded ", TimeSpan.FromSeconds(5))["loaded ".Length..];
        Assert.StartsWith(AppContext.BaseDirectory, loaded);
        Assert.DoesNotContain("node_modules", loaded);
        Assert.True(File.Exists(loaded), $"{loaded} is not a file");
    }
}
