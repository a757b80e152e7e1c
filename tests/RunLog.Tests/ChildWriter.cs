using System.Diagnostics;
using System.Globalization;

namespace ArchNotebooks.Runs.Tests;

/// <summary>
/// The test assembly's entry point, used only when a test starts this assembly as a separate process
/// (<c>dotnet Library.Tests.dll write ...</c>): crash and concurrency behaviour need real processes.
/// </summary>
public static class ChildWriter
{
    /// <summary>
    /// write &lt;root&gt; &lt;name&gt; &lt;rows&gt; &lt;flush-ms&gt; &lt;pause-us&gt; &lt;finish|exit|hang&gt;: logs step i with value i
    /// for rows steps (rows = -1: forever), pausing between steps, then finishes the run, returns without
    /// ending it (leaving it to process exit), or waits to be killed.
    /// version: prints DuckDB's version, then "loaded " and the path of the libduckdb this process mapped.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args is ["version"])
        {
            Console.WriteLine(RunLog.DuckDbVersion);
            // The kernel's own record of what it mapped: proves which copy of the library was used.
            var mapped = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libduckdb", StringComparison.Ordinal))
                .Select(f => f[5]).Distinct().ToList();
            foreach (var path in mapped) Console.WriteLine("loaded " + path);
            return 0;
        }
        if (args is not ["write", var root, var name, var rowsText, var flushText, var pauseText, var ending])
        {
            Console.Error.WriteLine("usage: write <root> <name> <rows> <flush-ms> <pause-us> <finish|exit|hang> | version");
            return 2;
        }
        var rows = long.Parse(rowsText, CultureInfo.InvariantCulture);
        var pause = TimeSpan.FromMicroseconds(double.Parse(pauseText, CultureInfo.InvariantCulture));
        var log = RunLog.Open(root, new RunLogOptions { FlushInterval = TimeSpan.FromMilliseconds(int.Parse(flushText, CultureInfo.InvariantCulture)) });
        var run = log.StartRun(new RunInfo { Name = name, Group = "child", Variant = name, Config = new { rows, pause_us = pause.TotalMicroseconds } });
        Console.WriteLine("started " + run.Id);
        var clock = Stopwatch.StartNew();
        for (long step = 0; rows < 0 || step < rows; step++)
        {
            run.Log(step, "value", step);
            if (pause > TimeSpan.Zero)
            {
                var until = clock.Elapsed + pause;
                while (clock.Elapsed < until) Thread.Sleep(pause.TotalMilliseconds >= 2 ? 1 : 0);
            }
        }
        if (ending == "finish")
        {
            run.Finish();
            log.Dispose();
            Console.WriteLine("finished");
            return 0;
        }
        if (ending == "exit") return 0;
        Console.WriteLine("hanging");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
