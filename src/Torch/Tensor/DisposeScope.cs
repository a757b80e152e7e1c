namespace ArchNotebooks.Torch;

/// <summary>
/// Frees every tensor created on this thread while it is the innermost scope, except those
/// moved to the outer scope or detached. Created by torch.NewDisposeScope().
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] static DisposeScope? current;

    readonly DisposeScope? outer;
    readonly List<torch.Tensor> owned = new();
    bool disposed;

    internal DisposeScope()
    {
        outer = current;
        current = this;
    }

    /// <summary>Entries in the scope's list, live or not yet swept (for tests of its bookkeeping).</summary>
    internal int Tracked => owned.Count;

    /// <summary>Number of tensors this scope will free.</summary>
    public int Count => owned.Count(t => t.Scope == this && !t.IsDisposed);

    // The list is swept of tensors already disposed (or moved away) whenever it reaches this size, so a
    // long loop that disposes its own results inside one scope holds no dead Tensor objects: they die
    // young instead of being promoted by the garbage collector and freed only with the scope.
    int sweepAt = 256;
    bool freeing;

    /// <summary>Puts a new tensor in the innermost scope; false when there is none.</summary>
    internal static bool Register(torch.Tensor t)
    {
        var s = current;
        if (s is null) return false;
        t.Scope = s;
        if (s.owned.Count >= s.sweepAt) s.Sweep();
        s.owned.Add(t);
        return true;
    }

    void Sweep()
    {
        owned.RemoveAll(t => t.Scope != this || t.IsDisposed);
        sweepAt = Math.Max(256, 2 * owned.Count);
    }

    /// <summary>
    /// Called when a tensor this scope owns is disposed directly. The commonest pattern (make a
    /// result, use it, dispose it) disposes the newest entry, which is dropped at once; others wait
    /// for the next sweep. Only the scope's own thread touches its list.
    /// </summary>
    internal void Forget(torch.Tensor t)
    {
        if (current != this || freeing) return;
        int last = owned.Count - 1;
        if (last >= 0 && ReferenceEquals(owned[last], t)) owned.RemoveAt(last);
    }

    internal static void MoveToOuter(torch.Tensor t)
    {
        var s = t.Scope;
        if (s is null) return;
        t.Scope = s.outer;
        s.outer?.owned.Add(t);
    }

    /// <summary>Hands these tensors to the enclosing scope (or to the caller when there is none).</summary>
    public void MoveToOuter(params torch.Tensor[] tensors)
    {
        foreach (var t in tensors) if (t.Scope == this) MoveToOuter(t);
    }

    /// <summary>Adds tensors created elsewhere to this scope.</summary>
    public torch.Tensor Include(torch.Tensor t)
    {
        t.Scope = this;
        owned.Add(t);
        return t;
    }

    /// <summary>Frees everything owned so far but keeps the scope open (useful once per training step).</summary>
    public void DisposeEverything() => DisposeEverythingBut();

    /// <summary>Frees everything owned so far except the given tensors.</summary>
    public void DisposeEverythingBut(params torch.Tensor[] keep)
    {
        var kept = new List<torch.Tensor>();
        freeing = true;
        try
        {
            foreach (var t in owned)
            {
                if (t.Scope != this) continue;
                if (Array.IndexOf(keep, t) >= 0) kept.Add(t);
                else t.Dispose();
            }
        }
        finally
        {
            freeing = false;
        }
        owned.Clear();
        owned.AddRange(kept);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        DisposeEverythingBut();
        // Scopes are strictly nested per thread; restore the outer one even if an inner one leaked.
        current = outer;
    }
}

public static partial class torch
{
    /// <summary>Opens a scope that frees every tensor created inside it when disposed.</summary>
    public static DisposeScope NewDisposeScope() => new();
}
