namespace ArchNotebooks.Interactive;

/// <summary>
/// The running cell's cancellation. .NET cannot abort a thread, so the kernel rewrites submitted
/// loops and method bodies to call <see cref="ThrowIfRequested"/>; long library calls should check
/// <see cref="Token"/> too, so that an interrupt stops them and leaves the session usable.
/// </summary>
public static class CellCancellation
{
    private static volatile bool s_requested;
    private static CancellationTokenSource s_source = new();

    public static CancellationToken Token => s_source.Token;

    public static bool IsRequested => s_requested;

    /// <summary>Called at the top of every loop body and method body of submitted code.</summary>
    public static void ThrowIfRequested()
    {
        if (s_requested) throw new OperationCanceledException("The cell was interrupted.", s_source.Token);
    }

    /// <summary>Host side: a fresh token for the next cell.</summary>
    public static CancellationToken Begin()
    {
        var old = s_source;
        s_source = new CancellationTokenSource();
        s_requested = false;
        old.Dispose();
        return s_source.Token;
    }

    /// <summary>Host side: the user pressed interrupt (or the cell timed out).</summary>
    public static void Request()
    {
        s_requested = true;
        try { s_source.Cancel(); } catch (ObjectDisposedException) { }
    }
}
