using System.Diagnostics;

namespace ArchNotebooks.Torch.Tests.Support;

/// <summary>Locates the repository (the folder holding ./archnb) and runs Debian's python3 from it.</summary>
internal static class Repository
{
    /// <summary>Debian's interpreter, where python3-torch lives; the python3 first on PATH may lack torch.</summary>
    internal const string Python = "/usr/bin/python3";

    internal static string Root { get; } = FindRoot();

    internal static string ReferenceScript => Path.Combine(Root, "tests", "Torch.Tests", "reference", "parity.py");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "archnb"))) return dir.FullName;
        throw new InvalidOperationException($"no ./archnb above {AppContext.BaseDirectory}: cannot find the repository root");
    }

    /// <summary>Runs the reference script with the given arguments; throws with its stderr when it fails.</summary>
    internal static string RunReference(params string[] args) => Run(new[] { ReferenceScript }.Concat(args));

    /// <summary>Runs a one-line Python program and returns what it printed.</summary>
    internal static string RunPython(string code) => Run(new[] { "-c", code });

    static string Run(IEnumerable<string> args)
    {
        if (!File.Exists(Python)) throw new InvalidOperationException($"{Python} is missing: install Debian's python3-torch (./archnb setup)");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";  // no __pycache__ in the source tree
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("python ran over 120 s"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"python failed (exit {p.ExitCode}):\n{stderr.Result}");
        return stdout;
    }
}
