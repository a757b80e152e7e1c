using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Library.Tests.Studies;

/// <summary>Runs reference/stats_reference.py with Debian's python3 (scipy, numpy) on a JSON request.</summary>
static class ScipyReference
{
    const string Python = "/usr/bin/python3";

    static string ScriptPath([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "reference", "stats_reference.py");

    public static JsonNode Ask(object request)
    {
        var script = ScriptPath();
        Assert.True(File.Exists(Python), $"{Python} is missing (Debian's python3 with python3-scipy is needed for these tests)");
        Assert.True(File.Exists(script), $"reference script not found at {script}");
        var start = new ProcessStartInfo(Python, new[] { script })
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(JsonSerializer.Serialize(request));
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "the scipy reference script did not finish in 2 minutes");
        Assert.True(process.ExitCode == 0, $"the scipy reference script failed:\n{stderr.Result}");
        return JsonNode.Parse(stdout.Result)!;
    }
}
