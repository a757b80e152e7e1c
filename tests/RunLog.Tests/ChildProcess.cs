using System.Diagnostics;

namespace ArchNotebooks.Runs.Tests;

/// <summary>Starts this test assembly as a separate process running <see cref="ChildWriter"/>.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly System.Text.StringBuilder errors = new();

    public ChildProcess(IDictionary<string, string>? environment, params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(ChildWriter).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (lines) lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (errors) errors.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public ChildProcess(params string[] args) : this(null, args) { }

    public int Pid => process.Id;
    public bool HasExited => process.HasExited;
    public string Errors { get { lock (errors) return errors.ToString(); } }

    /// <summary>Waits for a line of output starting with <paramref name="prefix"/> and returns it.</summary>
    public string WaitForLine(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (lines)
            {
                var line = lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
                if (line != null) return line;
            }
            if (process.HasExited) break;
            Thread.Sleep(20);
        }
        throw new TimeoutException($"Child process never printed '{prefix}'. stderr: {Errors}");
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) throw new TimeoutException("Child process did not exit. stderr: " + Errors);
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>SIGKILL: the process gets no chance to flush or clean up.</summary>
    public void Kill()
    {
        using var kill = Process.Start("kill", ["-9", process.Id.ToString()]);
        kill.WaitForExit();
        process.WaitForExit();
    }

    /// <summary>Sends a catchable signal (e.g. TERM, HUP), as kill, Slurm or a closing terminal would.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, process.Id.ToString()]);
        kill.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{name} {process.Id} failed with exit code {kill.ExitCode}");
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
