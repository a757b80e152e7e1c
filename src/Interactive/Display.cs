namespace ArchNotebooks.Interactive;

/// <summary>Where displays go: the Jupyter kernel, the headless runner, or nowhere (plain scripts).</summary>
public interface IDisplaySink
{
    void Publish(MimeBundle bundle, string displayId, bool update);

    /// <summary>Clears the running cell's outputs (Jupyter's clear_output); with <paramref name="wait"/>, only once the next output arrives, so a redraw does not flicker.</summary>
    void ClearOutput(bool wait) { }
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
/// The notebook output surface for code that is not itself a cell and holds no context, such as a library
/// training loop: <c>Notebook.Display(figure)</c> goes to the cell running on this flow
/// (<see cref="NotebookSession.Current"/>), or nowhere outside a notebook.
/// </summary>
public static class Notebook
{
    public static DisplayHandle Display(object? value, string? displayId = null) =>
        NotebookSession.Current is { } session
            ? session.Display(value, displayId)
            : new DisplayHandle(displayId ?? Guid.NewGuid().ToString("N"), null, new FormatterRegistry());

    public static void UpdateDisplay(string displayId, object? value) => NotebookSession.Current?.UpdateDisplay(displayId, value);

    /// <summary>Clears the running cell's outputs; <paramref name="wait"/> defers the clearing until the next output arrives.</summary>
    public static void ClearOutput(bool wait = false) => NotebookSession.Current?.ClearOutput(wait);
}

/// <summary><c>value.Display()</c> as a shorthand for <c>display(value)</c>.</summary>
public static class DisplayExtensions
{
    public static DisplayHandle Display(this object? value) => Notebook.Display(value);
}
