namespace ArchNotebooks.Kernel.Scripting;

/// <summary>
/// The thread running a cell's code, so that an interrupt reaches a cell blocked in <c>Thread.Sleep</c>, a lock, a
/// <c>WaitHandle</c>, <c>Join</c> or a blocking collection: <see cref="Thread.Interrupt"/> wakes those waits with a
/// <see cref="ThreadInterruptedException"/>, which loop checks never see. The rewritten cell calls <see cref="Enter"/>
/// as its first statement; the host calls <see cref="Leave"/> once the cell's synchronous part is over (it finished or
/// awaits), so no interrupt ever lands in the host's own waits.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class CellThread
{
    private readonly object _gate = new();
    private readonly Interactive.CellCancellation _cancellation;
    private Thread? _thread;

    internal CellThread(Interactive.CellCancellation cancellation) => _cancellation = cancellation;

    /// <summary>Called by the cell's first statement: from now its thread may be interrupted (at once, if the interrupt came during compilation).</summary>
    public void Enter()
    {
        lock (_gate) _thread = Thread.CurrentThread;
        _cancellation.ThrowIfRequested();
    }

    /// <summary>Host side, on the thread that started the cell: no more interrupts for it, and one that arrived as the cell
    /// ended (the thread was not waiting, so it is still pending) is consumed here rather than in the host's next wait.</summary>
    internal void Leave()
    {
        bool mine;
        lock (_gate)
        {
            mine = _thread == Thread.CurrentThread;
            _thread = null;
        }
        if (!mine) return;
        try { Thread.Sleep(0); } catch (ThreadInterruptedException) { }
    }

    /// <summary>Wakes the cell's thread if it is waiting (or makes its next wait throw); does nothing when no cell code runs synchronously.</summary>
    internal void Interrupt()
    {
        lock (_gate) _thread?.Interrupt();
    }
}
