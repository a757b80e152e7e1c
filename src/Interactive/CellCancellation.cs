namespace ArchNotebooks.Interactive;

/// <summary>
/// A session's running-cell cancellation. .NET cannot abort a thread, so the kernel rewrites submitted
/// loops and method bodies to call <see cref="Checkpoint"/>; long library calls should take
/// <see cref="Token"/>, so that an interrupt stops them and leaves the session usable.
/// </summary>
public sealed class CellCancellation
{
    private volatile bool _requested;
    private volatile CancellationTokenSource _source = new();

    public CancellationToken Token => _source.Token;

    public bool IsRequested => _requested;

    public void ThrowIfRequested()
    {
        if (_requested) throw new OperationCanceledException("The cell was interrupted.", _source.Token);
    }

    /// <summary>
    /// The check written at the top of every loop body and method body of submitted code. Classes declared in
    /// a cell cannot see the script's globals, so it asks the ambient session (<see cref="NotebookSession.Current"/>,
    /// which flows into whatever the cell starts); outside any cell it does nothing.
    /// </summary>
    public static void Checkpoint() => NotebookSession.Current?.Cancellation.ThrowIfRequested();

    /// <summary>Host side: a fresh token for the next cell.</summary>
    public CancellationToken Begin()
    {
        var old = _source;
        _source = new CancellationTokenSource();
        _requested = false;
        old.Dispose();
        return _source.Token;
    }

    /// <summary>Host side: the user pressed interrupt (or the cell timed out).</summary>
    public void Request()
    {
        _requested = true;
        try { _source.Cancel(); } catch (ObjectDisposedException) { }
    }
}
