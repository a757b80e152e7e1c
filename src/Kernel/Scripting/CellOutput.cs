using ArchNotebooks.Interactive;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>Where one cell's outputs go: Jupyter IOPub messages, notebook outputs for the headless runner, or a terminal.</summary>
public interface ICellOutput
{
    /// <summary>Text written to stdout or stderr (<paramref name="name"/> is "stdout" or "stderr").</summary>
    void Stream(string name, string text);

    /// <summary>A display_data, or with <paramref name="update"/> an update_display_data for an earlier id.</summary>
    void Display(MimeBundle bundle, string displayId, bool update);

    /// <summary>The value of the cell's last expression.</summary>
    void Result(MimeBundle bundle);

    void Error(CellError error);

    /// <summary>Clears the cell's outputs so far (clear_output); with <paramref name="wait"/>, when the next output arrives. Front ends that only append (a terminal) ignore it.</summary>
    void ClearOutput(bool wait) { }

    /// <summary>Asks the user for a line of input; null when this front end cannot (stdin not allowed).</summary>
    string? RequestInput(string prompt, bool password);
}

/// <summary>An error as Jupyter shows it: exception type name, message, and traceback lines (may hold ANSI colours).</summary>
public sealed record CellError(string Name, string Value, IReadOnlyList<string> Traceback)
{
    public override string ToString() => string.Join("\n", Traceback);
}

/// <summary>Thrown inside the session to abandon the rest of a cell once its error is known.</summary>
internal sealed class CellFailedException(CellError error) : Exception(error.Value)
{
    public CellError Error { get; } = error;
}

/// <summary>An output that drops everything (silent execution).</summary>
public sealed class NullCellOutput : ICellOutput
{
    public static NullCellOutput Instance { get; } = new();
    public void Stream(string name, string text) { }
    public void Display(MimeBundle bundle, string displayId, bool update) { }
    public void Result(MimeBundle bundle) { }
    public void Error(CellError error) { }
    public string? RequestInput(string prompt, bool password) => null;
}
