using System.Diagnostics;

namespace ArchNotebooks.Runs;

/// <summary>Decides whether the process that wrote a "running" run is still there, so dead runs read as interrupted.</summary>
/// <remarks>
/// On the writer's own host the answer is exact: the recorded pid must exist and have the recorded start time
/// (a reused pid has another). From another host only the heartbeat file's age can tell.
/// </remarks>
internal static class WriterLiveness
{
    public static readonly string Host = Environment.MachineName;

    /// <summary>This process's start time, recorded with each run to tell a live writer from a reused pid.</summary>
    public static readonly DateTime ProcessStart = CurrentProcessStart();

    public static bool IsAlive(string? host, long? pid, DateTime? processStart, DateTime? lastHeartbeat, TimeSpan staleAfter, DateTime now)
    {
        if (host == Host && pid is { } id)
        {
            if (id == Environment.ProcessId) return processStart is null || Near(processStart.Value, ProcessStart);
            return ProcessRunning((int)id, processStart);
        }
        return lastHeartbeat is { } beat && now - beat < staleAfter;
    }

    private static bool ProcessRunning(int pid, DateTime? expectedStart)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            return expectedStart is null || Near(process.StartTime.ToUniversalTime(), expectedStart.Value);
        }
        catch (ArgumentException) { return false; } // no such process
        catch (InvalidOperationException) { return false; } // exited while we looked
        catch (System.ComponentModel.Win32Exception) { return true; } // exists, but we may not inspect it
    }

    // Start times are recorded to the microsecond but derived from clock ticks since boot, so allow slack.
    private static bool Near(DateTime a, DateTime b) => (a - b).Duration() < TimeSpan.FromSeconds(2);

    private static DateTime CurrentProcessStart()
    {
        using var self = Process.GetCurrentProcess();
        return self.StartTime.ToUniversalTime();
    }
}
