using ArchNotebooks.Interactive;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>Members every cell sees without qualification: display(), UpdateDisplay(), HTML(), Args.</summary>
public class ScriptGlobals(NotebookSession session)
{
    /// <summary>Command-line arguments after the script path (archnb script FILE.csx args...).</summary>
    public string[] Args { get; init; } = [];

    /// <summary>Cancelled when the cell is interrupted; pass it to long library calls.</summary>
    public CancellationToken CancellationToken => session.Cancellation.Token;

    /// <summary>The session's cell cancellation, for the interrupt checks the kernel writes into top-level code (see CancellationRewriter).</summary>
    /// <remarks>A field, not a property: cells are compiled without optimization, so a getter would be one more call per loop iteration.</remarks>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly CellCancellation __CellCancellation = session.Cancellation;

    /// <summary>The thread running the cell, for interrupts of blocking waits (see CellThread); the rewritten cell's first statement enters it.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public CellThread __CellThread { get; init; } = new(session.Cancellation);

    /// <summary>Shows a value now (display_data) and returns a handle to update it in place.</summary>
    public DisplayHandle display(object? value) => session.Display(value);

    public void UpdateDisplay(DisplayHandle handle, object? value) => handle.Update(value);

    public void UpdateDisplay(string displayId, object? value) => session.UpdateDisplay(displayId, value);

    /// <summary>Clears this cell's outputs so far (clear_output); <paramref name="wait"/> clears only when the next output arrives, for flicker-free redraws.</summary>
    public void ClearOutput(bool wait = false) => session.ClearOutput(wait);

    public Html HTML(string html) => new(html);

    public Markdown Markdown(string markdown) => new(markdown);

    public Svg SVG(string svg) => new(svg);
}
