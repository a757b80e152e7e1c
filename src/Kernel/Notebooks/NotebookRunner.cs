using System.Diagnostics;
using System.Text.Json.Nodes;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Notebooks;

/// <summary>The outcome of a headless run: how many cells ran, the first error, the wall time.</summary>
public sealed record NotebookRunResult(int CellsRun, int CodeCells, CellError? Error, int? ErrorCell, TimeSpan Elapsed);

/// <summary>
/// Runs a notebook's code cells in order through one <see cref="ScriptSession"/> (in this process,
/// no ZeroMQ), storing outputs in nbformat. Stops at the first error unless the cell is tagged
/// <c>raises-exception</c>; cells tagged <c>skip-execution</c> are skipped. A cell over the timeout is interrupted.
/// </summary>
public sealed class NotebookRunner(ScriptSession session, TimeSpan? cellTimeout = null)
{
    private readonly Stopwatch _clock = new();
    private NotebookCellOutput? _current;
    private int _count, _codeCells;

    public async Task<NotebookRunResult> RunAsync(NotebookDocument notebook)
    {
        _clock.Restart();
        var displays = new Dictionary<string, List<JsonObject>>();
        _count = 0;
        _codeCells = notebook.Cells.Count(c => c.IsCode);
        notebook.Metadata["kernelspec"] ??= new JsonObject { ["name"] = "archnb", ["display_name"] = "C# (ArchNotebooks)", ["language"] = "csharp" };
        notebook.Metadata["language_info"] = CSharpInterpreter.LanguageInfo();
        foreach (var cell in notebook.Cells)
        {
            if (!cell.IsCode || cell.Tags.Contains("skip-execution")) continue;
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
                return new NotebookRunResult(_count, _codeCells, error, _count, _clock.Elapsed);
        }
        return new NotebookRunResult(_count, _codeCells, null, null, _clock.Elapsed);
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
        return new NotebookRunResult(_count, _codeCells, error, error is null ? null : _count, _clock.Elapsed);
    }
}
