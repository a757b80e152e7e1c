using System.Runtime.InteropServices;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// Ends the kernel when the client that started it is gone, as ipykernel's parent poller does: a client that
/// dies without a shutdown_request (killed, crashed) would otherwise leave an orphan kernel holding memory and
/// perhaps still training. jupyter_client puts its own pid in JPY_PARENT_PID; once a second we check that this
/// process still has the parent it started with and that the named process still exists.
/// </summary>
internal static partial class ParentProcessWatch
{
    public const string Variable = "JPY_PARENT_PID";

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getppid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    private const int ESRCH = 3;

    /// <summary>Starts the watch when JPY_PARENT_PID names a parent (pid 1, init, never goes away, so it is not watched).</summary>
    /// <param name="parentDied">Called once, from the watch thread, when the parent is gone; it should end the process.</param>
    public static bool Start(Action<string> parentDied, TimeSpan? interval = null)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return false;
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value)) return false;
        if (!int.TryParse(value, out var named) || named <= 0)
        {
            KernelLog.Write($"{Variable}={value} is not a process id; the kernel will not exit when its client dies");
            return false;
        }
        if (named == 1) return false;
        int original = getppid();
        var period = interval ?? TimeSpan.FromSeconds(1);
        new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(period);
                if (Gone(named, original) is { } why) { parentDied(why); return; }
            }
        }) { IsBackground = true, Name = "parent watch" }.Start();
        return true;
    }

    /// <summary>Why the parent counts as gone, or null while it is there.</summary>
    private static string? Gone(int named, int original)
    {
        int now = getppid();
        if (now != original) return $"the kernel's parent process {original} exited (the kernel now belongs to {now})";
        if (kill(named, 0) != 0 && Marshal.GetLastPInvokeError() == ESRCH) return $"the client process {named} ({Variable}) no longer exists";
        return null;
    }
}
