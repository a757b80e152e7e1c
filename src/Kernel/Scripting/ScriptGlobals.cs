using ArchNotebooks.Interactive;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>Members every cell sees without qualification: display(), UpdateDisplay(), HTML(), Args.</summary>
public class ScriptGlobals
{
    /// <summary>Command-line arguments after the script path (archnb script FILE.csx args...).</summary>
    public string[] Args { get; init; } = [];

    /// <summary>Cancelled when the cell is interrupted; pass it to long library calls.</summary>
    public CancellationToken CancellationToken => CellCancellation.Token;

    /// <summary>Shows a value now (display_data) and returns a handle to update it in place.</summary>
    public DisplayHandle display(object? value) => Notebook.Display(value);

    public void UpdateDisplay(DisplayHandle handle, object? value) => handle.Update(value);

    public void UpdateDisplay(string displayId, object? value) => Notebook.UpdateDisplay(displayId, value);

    public Html HTML(string html) => new(html);

    public Markdown Markdown(string markdown) => new(markdown);

    public Svg SVG(string svg) => new(svg);
}
