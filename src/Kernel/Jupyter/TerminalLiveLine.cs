using System.Text;
using System.Text.Json.Nodes;
using ArchNotebooks.Interactive;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// Live displays for front ends that only append: jupyter console (and qtconsole) print a display_data's
/// text/plain but drop update_display_data, so a training bar stayed at "0% starting" there. For such a client
/// every update's text/plain is also written to stdout as one line that the next update rewrites in place
/// (a carriage return, as terminal progress bars do); any other output, and the end of the cell, closes the line.
/// </summary>
internal sealed class TerminalLiveLine(Action<string> writeStdout)
{
    /// <summary>Longer lines wrap in an 80-column terminal, and a carriage return only goes back to the last wrapped row.</summary>
    public const int MaxWidth = 79;

    private readonly object _lock = new();
    private int _openWidth = -1;  // width of the line last written, -1 when no line is open

    /// <summary>
    /// Whether the client that sent <paramref name="request"/> only appends outputs. Notebook front ends name the cell
    /// (JupyterLab and VS Code send metadata.cellId) and headless runners (nbclient, papermill, Polyglot's
    /// <c>#!connect jupyter</c>) refuse stdin; a console does neither.
    /// </summary>
    public static bool AppendsOnly(JupyterMessage request) =>
        request.Content["allow_stdin"] is JsonValue allow && allow.TryGetValue(out bool stdin) && stdin
        && request.Metadata["cellId"] is null;

    /// <summary>Rewrites the open line (or opens one) with the update's text/plain.</summary>
    public void Update(MimeBundle bundle)
    {
        if (!bundle.Data.TryGetValue(MimeBundle.PlainText, out var value) || value is not string text) return;
        var line = OneLine(text);
        lock (_lock)
        {
            // Spaces over what is left of a longer previous line.
            var padding = _openWidth > line.Length ? new string(' ', _openWidth - line.Length) : "";
            writeStdout("\r" + line + padding);
            _openWidth = line.Length;
        }
    }

    /// <summary>Ends the open line, if any, so what follows starts on a line of its own.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_openWidth < 0) return;
            _openWidth = -1;
            writeStdout("\n");
        }
    }

    /// <summary>
    /// The text on one line of at most <see cref="MaxWidth"/> characters: its lines joined by two spaces, leading lines
    /// dropped first when it is too long (a progress view's last line, bar and status, says the most), then cut with an ellipsis.
    /// </summary>
    public static string OneLine(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) return "";
        var joined = new StringBuilder(lines[^1]);
        for (int i = lines.Count - 2; i >= 0 && joined.Length + 2 + lines[i].Length <= MaxWidth; i--)
            joined.Insert(0, lines[i] + "  ");
        return joined.Length <= MaxWidth ? joined.ToString() : joined.ToString(0, MaxWidth - 1) + "…";
    }
}
