using Microsoft.CodeAnalysis.Scripting;

namespace ArchNotebooks.Kernel.Scripting;

public sealed partial class ScriptSession
{
    /// <summary>How long an interrupted cell may take to stop before the session says why it has not.</summary>
    internal static readonly TimeSpan UnresponsiveAfter = TimeSpan.FromSeconds(2);

    /// <summary>How long a cell interrupted while awaiting may take to finish by itself before its await is abandoned.</summary>
    private static readonly TimeSpan AwaitGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The cell's task, unless the cell is interrupted while it awaits: an await of something that never looks at the
    /// cell's token (<c>await Task.Delay(60_000)</c>, a stuck network call) would otherwise hold the session forever. The
    /// cell then gets <see cref="AwaitGrace"/> to stop by itself; after that its task is left to finish in the background
    /// (nothing can abort it) and the cell ends as interrupted, with the state of the cells before it.
    /// </summary>
    private async Task<ScriptState<object>> UntilInterrupted(Task<ScriptState<object>> running, string cellName)
    {
        if (running.IsCompleted) return await running;
        var interrupted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_notebook.Cancellation.Token.Register(() => interrupted.TrySetResult()))
            if (await Task.WhenAny(running, interrupted.Task) == running) return await running;
        if (await Task.WhenAny(running, Task.Delay(AwaitGrace)) == running) return await running;
        _ = running.ContinueWith(t => KernelLog.Write($"{cellName}: the abandoned await ended ({t.Status})"), TaskScheduler.Default);
        KernelLog.Write($"{cellName}: interrupted while awaiting; the await was abandoned");
        throw new OperationCanceledException("The cell was interrupted while awaiting; what it awaited was left to finish in the background.");
    }

    /// <summary>
    /// Says so in the cell's output when an interrupted cell is still running after <see cref="UnresponsiveAfter"/>: it is
    /// inside a call that neither checks for interrupts nor can be woken (native code such as a long libtorch operator,
    /// a blocking system call), and stops at its next managed step once that call returns.
    /// </summary>
    private void WarnIfStillRunning(long ticket)
    {
        var output = _output;
        Timer? timer = null;
        timer = new Timer(_ =>
        {
            timer?.Dispose();
            lock (_interruptLock)
                if (_runningTicket != ticket) return;
            output.Stream("stderr",
                $"Interrupt requested {UnresponsiveAfter.TotalSeconds:0} s ago, but the cell is inside a call that cannot be interrupted " +
                "(native code, or a wait the kernel cannot reach); it will stop at its next managed step once that call returns.\n");
        }, null, UnresponsiveAfter, Timeout.InfiniteTimeSpan);
    }
}
