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
    public async Task<NotebookRunResult> RunAsync(NotebookDocument notebook)
    {
        var clock = Stopwatch.StartNew();
        var displays = new Dictionary<string, List<JsonObject>>();
        int count = 0, codeCells = 0;
        notebook.Metadata["kernelspec"] ??= new JsonObject { ["name"] = "archnb", ["display_name"] = "C# (ArchNotebooks)", ["language"] = "csharp" };
        notebook.Metadata["language_info"] = CSharpInterpreter.LanguageInfo();
        foreach (var cell in notebook.Cells)
        {
            if (!cell.IsCode) continue;
            codeCells++;
            if (cell.Tags.Contains("skip-execution")) continue;
            cell.Outputs.Clear();
            cell.ExecutionCount = ++count;
            var started = DateTime.UtcNow;
            var error = await session.ExecuteAsync(cell.Source, new NotebookCellOutput(cell, displays), $"cell[{count}]", cellTimeout);
            if (error is { Name: "KernelInterrupted" } && cellTimeout is { } t)
                error = error with { Name = "CellTimeoutError", Value = $"the cell ran longer than {t.TotalSeconds:0.#} s and was interrupted" };
            var metadata = (cell.Json["metadata"] ??= new JsonObject()).AsObject();
            metadata["execution"] = new JsonObject
            {
                ["iopub.execute_input"] = started.ToString("o"),
                ["shell.execute_reply"] = DateTime.UtcNow.ToString("o"),
            };
            if (error is not null && !cell.Tags.Contains("raises-exception"))
                return new NotebookRunResult(count, codeCells, error, count, clock.Elapsed);
        }
        return new NotebookRunResult(count, codeCells, null, null, clock.Elapsed);
    }
}
