using System.Text.RegularExpressions;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Modules;

/// <summary>
/// Intermediates recorded from a module while open: every submodule output and every named
/// Intermediate(...) whose dotted path matches one of the patterns. Values are detached from
/// the graph and owned by the capture; disposing it frees them and stops recording.
/// </summary>
public sealed class Capture : IDisposable
{
    readonly Module root;
    readonly Regex[] patterns;
    readonly Dictionary<string, List<Tensor>> values = new();
    bool disposed;

    internal Capture(Module root, string[] patterns)
    {
        this.root = root;
        this.patterns = patterns.Select(ToRegex).ToArray();
        root.captures.Add(this);
    }

    // "blocks.*.attn.weights": '*' matches within one path segment, '**' across segments.
    internal static Regex ToRegex(string glob)
    {
        var escaped = Regex.Escape(glob).Replace(@"\*\*", "\u0001").Replace(@"\*", "[^.]*").Replace("\u0001", ".*");
        return new Regex("^" + escaped + "$", RegexOptions.CultureInvariant);
    }

    internal bool Wants(string key) => !disposed && patterns.Any(p => p.IsMatch(key));

    internal void Offer(string key, Tensor value)
    {
        if (!Wants(key)) return;
        var kept = value.detach().DetachFromDisposeScope();
        if (!values.TryGetValue(key, out var list)) values[key] = list = new List<Tensor>();
        list.Add(kept);
    }

    /// <summary>Paths recorded so far, in first-seen order.</summary>
    public IReadOnlyCollection<string> Keys => values.Keys;

    /// <summary>The last value recorded under a path.</summary>
    public Tensor this[string key] => values.TryGetValue(key, out var list)
        ? list[^1]
        : throw new KeyNotFoundException($"nothing was captured at '{key}'; captured: {string.Join(", ", values.Keys)}");

    /// <summary>Every value recorded under a path, one per forward call.</summary>
    public IReadOnlyList<Tensor> All(string key) => values.TryGetValue(key, out var list) ? list : Array.Empty<Tensor>();

    public bool Contains(string key) => values.ContainsKey(key);

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        root.captures.Remove(this);
        foreach (var list in values.Values) foreach (var t in list) t.Dispose();
        values.Clear();
    }
}
