using System.Diagnostics;
using System.Text;

namespace ArchNotebooks.Notebooks.Tests.Support;

/// <summary>Paths the tests need: the repository, its notebooks, archnb.dll beside the tests.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();
    public static string Notebooks => Path.Combine(Root, "notebooks");
    public static string ArchnbDll => Path.Combine(AppContext.BaseDirectory, "archnb.dll");
    public const string Python = "/usr/bin/python3";
    public const string Chromium = "/usr/bin/chromium";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ArchNotebooks.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (ArchNotebooks.sln) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>node_modules/<paramref name="name"/> at the repository root, or null when npm ci has not run.</summary>
    public static string? NodeModule(string name)
    {
        var path = Path.Combine(Root, "node_modules", name);
        return Directory.Exists(path) ? path : null;
    }
}

/// <summary>A child process run to completion with a hard timeout; output is captured for the failure message.</summary>
internal static class ChildProcess
{
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string>? environment = null, int timeoutSeconds = 300)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? Repo.Root };
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
