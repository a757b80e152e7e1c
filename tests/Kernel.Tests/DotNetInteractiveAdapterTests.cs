using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>
/// The adapter assembly (src/Adapters/DotNetInteractive) loaded into the real dotnet-interactive 1.0.712001 tool's C# kernel
/// (python/test_dotnet_interactive_adapter.py): #!arch directives, our tensor, ablation-table and figure formatting there.
/// </summary>
[Collection("python clients")]
public sealed class DotNetInteractiveAdapterTests(KernelSpecFixture spec)
{
    [Fact]
    public void The_adapter_brings_arch_and_our_formatters_into_the_dotnet_interactive_csharp_kernel()
    {
        // Installs Microsoft.dotnet-interactive 1.0.712001 into build/dotnet-interactive on first use (a NuGet download).
        var (exit, output) = spec.Python(["-m", "unittest", "-v", "test_dotnet_interactive_adapter"], timeoutSeconds: 600);
        Assert.True(exit == 0, output);
        Assert.Contains("OK", output);
    }
}
