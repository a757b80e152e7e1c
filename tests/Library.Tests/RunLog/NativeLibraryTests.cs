using ArchNotebooks.Library.Runs;

namespace ArchNotebooks.Library.Tests.Runs;

/// <summary>How the binding finds libduckdb.so; each case runs in a fresh process because a library loads once.</summary>
public sealed class NativeLibraryTests
{
    [Fact]
    public void The_library_is_found_without_configuration_and_reports_its_version()
    {
        using var child = new ChildProcess(new Dictionary<string, string> { ["ARCHNB_DUCKDB"] = "" }, "version");
        Assert.Equal(0, child.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.StartsWith("v1.", child.WaitForLine("v", TimeSpan.FromSeconds(5)));
        Assert.Equal(RunLog.DuckDbVersion, child.WaitForLine("v", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void An_environment_variable_pointing_nowhere_is_reported_by_name()
    {
        using var child = new ChildProcess(new Dictionary<string, string> { ["ARCHNB_DUCKDB"] = "/no/such/libduckdb.so" }, "version");
        Assert.NotEqual(0, child.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("ARCHNB_DUCKDB is set to '/no/such/libduckdb.so'", child.Errors);
    }
}
