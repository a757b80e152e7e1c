using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>Errors as a notebook user wants to read them: cell line numbers, no Roslyn plumbing.</summary>
internal static partial class Tracebacks
{
    private const string Red = "\u001b[0;31m", Reset = "\u001b[0m";

    /// <summary>Compile errors: one line per error, "(line L, col C): error CSxxxx: message".</summary>
    public static CellError FromDiagnostics(IReadOnlyList<Diagnostic> errors, string cellName)
    {
        var lines = new List<string> { $"{Red}{cellName}: {errors.Count} compilation error{(errors.Count == 1 ? "" : "s")}{Reset}" };
        foreach (var d in errors)
        {
            var span = d.Location.GetMappedLineSpan();  // mapped: the interrupt rewrite keeps the cell's lines with #line
            var where = d.Location.IsInSource ? $"{OtherFile(span, cellName)}(line {span.StartLinePosition.Line + 1}, col {span.StartLinePosition.Character + 1})" : "";
            lines.Add($"{where}: error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
        }
        return new CellError("CompilationError", Describe(errors[0], cellName), lines);
    }

    private static string Describe(Diagnostic d, string cellName)
    {
        var span = d.Location.GetMappedLineSpan();  // mapped: the interrupt rewrite keeps the cell's lines with #line
        return d.Location.IsInSource
            ? $"{OtherFile(span, cellName)}(line {span.StartLinePosition.Line + 1}) {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}"
            : $"{d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    /// <summary>"helper.csx " when the error is in a file the cell loaded (#load), so its line is not read as the cell's; empty for the cell itself.</summary>
    private static string OtherFile(FileLinePositionSpan span, string cellName) =>
        string.IsNullOrEmpty(span.Path) || span.Path == cellName ? "" : $"{Path.GetFileName(span.Path)} ";

    /// <summary>Runtime exceptions: type and message, then the frames in cell code (and what they called), cell names for file paths.
    /// A cancellation while the session's cell was <paramref name="interrupted"/> reads as KernelInterrupted.</summary>
    public static CellError FromException(Exception exception, bool interrupted)
    {
        while (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) exception = aggregate.InnerExceptions[0];
        while (exception is System.Reflection.TargetInvocationException { InnerException: { } inner }) exception = inner;
        if (exception is OperationCanceledException or ThreadInterruptedException && interrupted)
            return new CellError("KernelInterrupted", "The cell was interrupted.", [$"{Red}KernelInterrupted{Reset}: the cell was interrupted; variables defined by earlier cells are still there."]);
        var lines = new List<string> { $"{Red}{exception.GetType().FullName}{Reset}: {exception.Message}" };
        lines.AddRange(Frames(exception.StackTrace));
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            lines.Add($" ---> {inner.GetType().FullName}: {inner.Message}");
            lines.AddRange(Frames(inner.StackTrace));
        }
        return new CellError(exception.GetType().Name, exception.Message, lines);
    }

    private static IEnumerable<string> Frames(string? stackTrace)
    {
        if (string.IsNullOrEmpty(stackTrace)) yield break;
        var frames = stackTrace.Split('\n').Select(f => f.TrimEnd('\r')).ToList();
        // Drop the script runner's frames below the last cell frame.
        int last = frames.FindLastIndex(f => f.Contains("Submission#", StringComparison.Ordinal));
        if (last >= 0) frames = frames.GetRange(0, last + 1);
        foreach (var frame in frames)
        {
            if (frame.Contains("--- End of stack trace from previous location ---", StringComparison.Ordinal)) continue;
            if (frame.Contains("System.Runtime.CompilerServices.", StringComparison.Ordinal)) continue;
            var line = CellFrame().Replace(SubmissionName().Replace(frame, "\u0001"), m => $"{m.Groups["cell"].Value}, line {m.Groups["line"].Value}");
            // "at <submission> in cell[2], line 3" → "at cell[2], line 3"; "at <submission>.F(x) in" → "at F(x) in"
            yield return line.Replace("\u0001 in ", "").Replace("\u0001.", "").Replace("\u0001", "cell");
        }
    }

    // "in /dir/cell[3]:line 2" → "in cell[3], line 2"
    [GeneratedRegex(@"(?:/[^\s:]*/)?(?<cell>cell\[\d+\]|[^\s:/]+\.csx):line (?<line>\d+)")]
    private static partial Regex CellFrame();

    [GeneratedRegex(@"Submission#\d+\.<<Initialize>>d__\d+\.MoveNext\(\)|Submission#\d+")]
    private static partial Regex SubmissionName();
}
