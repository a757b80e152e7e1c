using System.Diagnostics;
using System.Text;

namespace ArchNotebooks.Tests.Shared;

/// <summary>A child process run to completion with a hard timeout; output is captured for the failure message.</summary>
internal static class ChildProcess
{
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string>? environment = null, int timeoutSeconds = 300)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? RepositoryRoot.Path };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output) output.AppendLine($"[killed after {timeoutSeconds} s]");
            return (-1, output.ToString());
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }
}
