namespace ArchNotebooks.Torch;

/// <summary>
/// Frees every tensor created in this logical flow of control while it is the innermost scope, except
/// those moved to the outer scope or detached. Created by torch.NewDisposeScope().
/// </summary>
/// <remarks>
/// The innermost scope follows the async flow (an AsyncLocal), not the thread: a cell that awaits inside
/// <c>using (NewDisposeScope())</c> resumes on another thread with the same scope, and the thread it left
/// keeps no dead scope behind. Tasks started inside a scope inherit it, so a scope may be filled from
/// several threads at once; its list is guarded by a lock.
/// Scopes may be disposed out of order: a disposed scope is skipped, so tensors made afterwards go to the
/// nearest live enclosing scope, or to none (then the finalizer backstop frees them), never to a dead one.
/// </remarks>
public sealed class DisposeScope : IDisposable
{
    static readonly AsyncLocal<DisposeScope?> current = new();

    readonly DisposeScope? outer;
    readonly List<torch.Tensor> owned = new();
    readonly Lock gate = new();
    bool disposed;

    internal DisposeScope()
    {
        outer = current.Value;
        current.Value = this;
    }

    /// <summary>Entries in the scope's list, live or not yet swept (for tests of its bookkeeping).</summary>
    internal int Tracked { get { lock (gate) return owned.Count; } }

    /// <summary>Number of tensors this scope will free.</summary>
    public int Count { get { lock (gate) return owned.Count(t => t.Scope == this && !t.IsDisposed); } }

    /// <summary>The innermost scope still open in this flow, or null (for tests of its bookkeeping).</summary>
    internal static DisposeScope? Current => Live(current.Value);

    // The list is swept of tensors already disposed (or moved away) whenever it reaches this size, so a
    // long loop that disposes its own results inside one scope holds at most a few hundred dead Tensor
    // objects. Disposing a tensor does not touch the list: that would cost a second lock per operator result.
    int sweepAt = 256;

    static DisposeScope? Live(DisposeScope? scope)
    {
        while (scope is { disposed: true }) scope = scope.outer;
        return scope;
    }

    /// <summary>Puts a new tensor in the innermost live scope; false when there is none.</summary>
    internal static bool Register(torch.Tensor t)
    {
        for (var s = current.Value; s is not null; s = s.outer)
        {
            lock (s.gate)
            {
                if (s.disposed) continue;
                t.Scope = s;
                if (s.owned.Count >= s.sweepAt) s.Sweep();
                s.owned.Add(t);
                return true;
            }
        }
        return false;
    }

    void Sweep()
    {
        owned.RemoveAll(t => t.Scope != this || t.IsDisposed);
        sweepAt = Math.Max(256, 2 * owned.Count);
    }

    internal static void MoveToOuter(torch.Tensor t)
    {
        var s = t.Scope;
        if (s is null) return;
        for (var o = s.outer; o is not null; o = o.outer)
        {
            lock (o.gate)
            {
                if (o.disposed) continue;
                t.Scope = o;
                o.owned.Add(t);
                return;
            }
        }
        // No live scope outside: the caller owns it now, with the finalizer as backstop.
        t.Scope = null;
    }

    /// <summary>Hands these tensors to the enclosing scope (or to the caller when there is none).</summary>
    public void MoveToOuter(params torch.Tensor[] tensors)
    {
        foreach (var t in tensors) if (t.Scope == this) MoveToOuter(t);
    }

    /// <summary>Adds tensors created elsewhere to this scope.</summary>
    public torch.Tensor Include(torch.Tensor t)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            t.Scope = this;
            owned.Add(t);
        }
        return t;
    }

    /// <summary>Frees everything owned so far but keeps the scope open (useful once per training step).</summary>
    public void DisposeEverything() => DisposeEverythingBut();

    /// <summary>Frees everything owned so far except the given tensors.</summary>
    public void DisposeEverythingBut(params torch.Tensor[] keep)
    {
        lock (gate)
        {
            var kept = new List<torch.Tensor>();
            foreach (var t in owned)
            {
                if (t.Scope != this || t.IsDisposed) continue;
                if (Array.IndexOf(keep, t) >= 0) kept.Add(t);
                else t.Dispose();
            }
            owned.Clear();
            owned.AddRange(kept);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
        }
        DisposeEverythingBut();
        // Disposed in order, the enclosing scope becomes current again; disposed out of order (an outer
        // scope first), the current one stays and dead scopes are skipped when tensors register.
        if (current.Value == this) current.Value = Live(outer);
    }
}

public static partial class torch
{
    /// <summary>Opens a scope that frees every tensor created inside it (in this flow of control) when disposed.</summary>
    public static DisposeScope NewDisposeScope() => new();
}
