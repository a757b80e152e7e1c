using System.Diagnostics;

namespace ArchNotebooks.Tests.Shared;

/// <summary>
/// Debian's python3, where python3-torch, scipy and the Jupyter clients live (the python3 first on
/// PATH is another interpreter that lacks them), run to completion for reference values.
/// </summary>
internal static class Python
{
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Runs python3 with <paramref name="args"/> (a script and its arguments, or -c code) and returns what it printed; throws with its stderr when it fails.</summary>
    public static string Run(IEnumerable<string> args, string? stdin = null, int timeoutSeconds = 120)
    {
        if (!File.Exists(Interpreter)) throw new InvalidOperationException($"{Interpreter} is missing: ./archnb test installs Debian's python3 with python3-torch and python3-scipy");
        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";  // no __pycache__ in the source tree
        using var process = Process.Start(start)!;
        if (stdin is not null) { process.StandardInput.Write(stdin); process.StandardInput.Close(); }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var name = args.FirstOrDefault() is { } first && first != "-c" ? System.IO.Path.GetFileName(first) : "python";
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} ran over {timeoutSeconds} s");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{name} failed (exit {process.ExitCode}):\n{stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Runs a one-line program and returns what it printed.</summary>
    public static string Eval(string code) => Run(["-c", code]);
}
