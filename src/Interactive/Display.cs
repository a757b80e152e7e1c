namespace ArchNotebooks.Interactive;

/// <summary>Where displays go: the Jupyter kernel, the headless runner, or nowhere (plain scripts).</summary>
public interface IDisplaySink
{
    void Publish(MimeBundle bundle, string displayId, bool update);
}

/// <summary>A shown output that can be replaced in place, e.g. a live training curve.</summary>
public sealed class DisplayHandle(string displayId, IDisplaySink? sink, FormatterRegistry formatters)
{
    public string DisplayId { get; } = displayId;

    /// <summary>Replaces every output shown under this handle's id with <paramref name="value"/>.</summary>
    public void Update(object? value) => sink?.Publish(formatters.Format(value), DisplayId, update: true);

    public override string ToString() => $"display {DisplayId}";
}

/// <summary>
/// The notebook output surface for code that is not itself a cell, such as library training loops:
/// <c>Notebook.Display(figure)</c> goes to whatever cell is running, or nowhere outside a notebook.
/// </summary>
public static class Notebook
{
    /// <summary>Set by the host for the duration of its session.</summary>
    public static IDisplaySink? Sink { get; set; }

    public static FormatterRegistry Formatters => FormatterRegistry.Default;

    public static DisplayHandle Display(object? value, string? displayId = null)
    {
        var handle = new DisplayHandle(displayId ?? Guid.NewGuid().ToString("N"), Sink, Formatters);
        Sink?.Publish(Formatters.Format(value), handle.DisplayId, update: false);
        return handle;
    }

    public static void UpdateDisplay(string displayId, object? value) =>
        Sink?.Publish(Formatters.Format(value), displayId, update: true);
}

/// <summary><c>value.Display()</c> as a shorthand for <c>display(value)</c>.</summary>
public static class DisplayExtensions
{
    public static DisplayHandle Display(this object? value) => Notebook.Display(value);
}
