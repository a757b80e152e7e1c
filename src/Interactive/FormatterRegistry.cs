using System.Collections.Concurrent;

namespace ArchNotebooks.Interactive;

/// <summary>Adds representations of <paramref name="value"/> to <paramref name="bundle"/>; false to decline (the next candidate is tried).</summary>
public delegate bool MimeFormatter<in T>(T value, MimeBundle bundle);

/// <summary>
/// Turns values into mime bundles. Formatters are registered by type; the most specific
/// registration for a value's runtime type wins (exact type, then base classes, then interfaces),
/// and among registrations for the same type the latest wins. <c>text/plain</c> is always present:
/// when no formatter supplies it, <see cref="PlainTextFormatter"/> does.
/// </summary>
public sealed class FormatterRegistry
{
    private readonly ConcurrentDictionary<Type, List<MimeFormatter<object>>> _byType = new();
    private readonly ConcurrentDictionary<Type, MimeFormatter<object>[]> _candidates = new();

    public PlainTextFormatter PlainText { get; } = new();

    public void Register<T>(MimeFormatter<T> formatter) =>
        Register(typeof(T), (value, bundle) => formatter((T)value, bundle));

    public void Register(Type type, MimeFormatter<object> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var list = _byType.GetOrAdd(type, _ => new List<MimeFormatter<object>>());
        lock (list) list.Insert(0, formatter);
        _candidates.Clear();
    }

    /// <summary>Registers a formatter that produces one mime type from a string-valued function.</summary>
    public void Register<T>(string mimeType, Func<T, string> render) =>
        Register<T>((value, bundle) => { bundle[mimeType] = render(value); return true; });

    public void Clear() { _byType.Clear(); _candidates.Clear(); }

    public IEnumerable<Type> RegisteredTypes => _byType.Keys;

    public MimeBundle Format(object? value)
    {
        var bundle = new MimeBundle();
        if (value is MimeBundle given)
        {
            foreach (var (mime, rep) in given.Data) bundle.Data[mime] = rep;
            foreach (var (mime, meta) in given.Metadata) bundle.Metadata[mime] = meta;
        }
        else if (value is not null)
        {
            bool done = false;
            foreach (var formatter in CandidatesFor(value.GetType()))
                if (formatter(value, bundle)) { done = true; break; }
            if (!done && value is IMimeRenderable renderable) renderable.Render(bundle);
        }
        if (!bundle.Contains(MimeBundle.PlainText)) bundle[MimeBundle.PlainText] = PlainText.Format(value);
        return bundle;
    }

    private MimeFormatter<object>[] CandidatesFor(Type type) => _candidates.GetOrAdd(type, t =>
    {
        var result = new List<MimeFormatter<object>>();
        void Add(Type key)
        {
            if (_byType.TryGetValue(key, out var list)) lock (list) result.AddRange(list);
        }
        for (var current = t; current is not null; current = current.BaseType)
        {
            Add(current);
            if (current.IsGenericType) Add(current.GetGenericTypeDefinition());
        }
        foreach (var iface in t.GetInterfaces())
        {
            Add(iface);
            if (iface.IsGenericType) Add(iface.GetGenericTypeDefinition());
        }
        return result.ToArray();
    });
}
