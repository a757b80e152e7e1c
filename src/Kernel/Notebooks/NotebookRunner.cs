using System.Diagnostics;
using System.Text.Json.Nodes;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Notebooks;

/// <summary>The outcome of a headless run: how many cells ran out of how many the notebook has, the first error, the wall time.</summary>
/// <param name="CodeCells">Every code cell of the notebook, run or not.</param>
/// <param name="ErrorCell">The execution count of the cell that failed.</param>
public sealed record NotebookRunResult(int CellsRun, int CodeCells, CellError? Error, int? ErrorCell, TimeSpan Elapsed)
{
    /// <summary>Code cells tagged skip-execution.</summary>
    public int Skipped { get; init; }

    /// <summary>Where the run stopped: the failing cell's position among the code cells (1-based), or null when it ran to the end.</summary>
    public int? StoppedAt { get; init; }

    /// <summary>One line for a terminal and a report header: how many cells exist, how many ran, where it stopped and why.</summary>
    public string Summary
    {
        get
        {
            var text = $"ran {CellsRun} of {CodeCells} code cells" + (Skipped > 0 ? $" ({Skipped} skipped by tag)" : "");
            if (Error is null || StoppedAt is not { } at) return text;
            var why = Error.Name == "CellTimeoutError" ? "it ran past the timeout" : Error.Name == "KernelInterrupted" ? "it was interrupted" : $"it failed with {Error.Name}";
            int notRun = CodeCells - at;
            return text + $"; stopped at code cell {at} of {CodeCells} ([{ErrorCell}]) because {why}" + (notRun > 0 ? $"; the {notRun} after it did not run" : "");
        }
    }
}

/// <summary>
/// Runs a notebook's code cells in order through one <see cref="ScriptSession"/> (in this process,
/// no ZeroMQ), storing outputs in nbformat. Stops at the first error unless the cell is tagged
/// <c>raises-exception</c>; cells tagged <c>skip-execution</c> are skipped. A cell over the timeout is interrupted.
/// </summary>
public sealed class NotebookRunner(ScriptSession session, TimeSpan? cellTimeout = null)
{
    private readonly Stopwatch _clock = new();
    private NotebookCellOutput? _current;
    private int _count, _codeCells, _position, _skipped;

    public async Task<NotebookRunResult> RunAsync(NotebookDocument notebook)
    {
        _clock.Restart();
        var displays = new Dictionary<string, List<JsonObject>>();
        _count = 0;
        _position = 0;
        _skipped = 0;
        // Counted up front, so a run that stops early still says how many cells the notebook has.
        _codeCells = notebook.Cells.Count(c => c.IsCode);
        notebook.Metadata["kernelspec"] ??= new JsonObject { ["name"] = "archnb", ["display_name"] = "C# (ArchNotebooks)", ["language"] = "csharp" };
        notebook.Metadata["language_info"] = CSharpInterpreter.LanguageInfo();
        foreach (var cell in notebook.Cells)
        {
            if (!cell.IsCode) continue;
            _position++;
            if (cell.Tags.Contains("skip-execution")) { _skipped++; continue; }
            cell.Outputs.Clear();
            cell.ExecutionCount = ++_count;
            var started = DateTime.UtcNow;
            var output = _current = new NotebookCellOutput(cell, displays);
            var error = await session.ExecuteAsync(cell.Source, output, $"cell[{_count}]", cellTimeout);
            output.Seal();
            if (error is { Name: "KernelInterrupted" } && cellTimeout is { } t)
                error = error with { Name = "CellTimeoutError", Value = $"the cell ran longer than {t.TotalSeconds:0.#} s and was interrupted" };
            var metadata = (cell.Json["metadata"] ??= new JsonObject()).AsObject();
            metadata["execution"] = new JsonObject
            {
                ["iopub.execute_input"] = started.ToString("o"),
                ["shell.execute_reply"] = DateTime.UtcNow.ToString("o"),
            };
            if (error is not null && !cell.Tags.Contains("raises-exception"))
                return new NotebookRunResult(_count, _codeCells, error, _count, _clock.Elapsed) { Skipped = _skipped, StoppedAt = _position };
        }
        return new NotebookRunResult(_count, _codeCells, null, null, _clock.Elapsed) { Skipped = _skipped };
    }

    /// <summary>
    /// The run so far, for saving when it cannot finish (a failure of the runner, or the process ending):
    /// the last cell's stream text written into its JSON, and <paramref name="error"/>, when given, recorded
    /// as that cell's error output and as the reason the run stopped.
    /// </summary>
    public NotebookRunResult Stop(CellError? error)
    {
        if (_current is { } output)
        {
            if (error is not null) output.Error(error);
            output.Seal();
        }
        return new NotebookRunResult(_count, _codeCells, error, error is null ? null : _count, _clock.Elapsed) { Skipped = _skipped, StoppedAt = error is null ? null : _position };
    }
}
