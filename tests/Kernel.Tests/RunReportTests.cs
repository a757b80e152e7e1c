using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Notebooks;
using ArchNotebooks.Kernel.Reports;
using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>archnb run's account of a run: every code cell counted, where it stopped and why; paths are the caller's; clear_output applied.</summary>
public sealed class RunReportTests
{
    /// <summary>Six code cells: the second skipped by tag, the fourth fails.</summary>
    private static NotebookDocument StoppingNotebook()
    {
        var notebook = new NotebookDocument(new JsonObject { ["nbformat"] = 4, ["nbformat_minor"] = 5, ["metadata"] = new JsonObject() });
        notebook.CellsJson.Add(NotebookDocument.NewCell("code", "var a = 1;").Json);
        notebook.CellsJson.Add(NotebookDocument.NewCell("code", "var skipped = 2;", "skip-execution").Json);
        notebook.CellsJson.Add(NotebookDocument.NewCell("markdown", "# between").Json);
        notebook.CellsJson.Add(NotebookDocument.NewCell("code", "a + 1").Json);
        notebook.CellsJson.Add(NotebookDocument.NewCell("code", "throw new InvalidOperationException(\"stop here\");").Json);
        notebook.CellsJson.Add(NotebookDocument.NewCell("code", "var never = 3;").Json);
        notebook.CellsJson.Add(NotebookDocument.NewCell("code", "never").Json);
        return notebook;
    }

    [Fact]
    public async Task A_run_that_stops_early_says_how_many_cells_exist_ran_and_where_it_stopped()
    {
        var notebook = StoppingNotebook();
        using var session = new Scripting.ScriptSession(Path.GetTempPath());
        var result = await new NotebookRunner(session).RunAsync(notebook);
        Assert.Equal((6, 3, 1, 4, 3), (result.CodeCells, result.CellsRun, result.Skipped, result.StoppedAt, result.ErrorCell));
        Assert.Equal("ran 3 of 6 code cells (1 skipped by tag); stopped at code cell 4 of 6 ([3]) because it failed with InvalidOperationException; the 2 after it did not run",
            result.Summary);
        var html = HtmlReport.Render(notebook, new ReportInfo("t", DateTimeOffset.UnixEpoch, result, []), null);
        Assert.Contains("ran 3 of 6 code cells", html);
        Assert.Contains("stopped at code cell 4 of 6: InvalidOperationException", html);
    }

    [Fact]
    public async Task Clear_output_replaces_the_cells_outputs_in_the_executed_notebook()
    {
        var notebook = new NotebookDocument(new JsonObject { ["nbformat"] = 4, ["nbformat_minor"] = 5, ["metadata"] = new JsonObject() });
        notebook.CellsJson.Add(NotebookDocument.NewCell("code",
            "for (int i = 0; i < 3; i++) { ClearOutput(wait: true); Console.WriteLine($\"step {i}\"); Console.Out.Flush(); }\ndisplay(\"kept\");\nNotebook.ClearOutput();\nConsole.WriteLine(\"last\");").Json);
        using var session = new Scripting.ScriptSession(Path.GetTempPath());
        var result = await new NotebookRunner(session).RunAsync(notebook);
        Assert.Null(result.Error);
        var outputs = notebook.Cells[0].Outputs.Select(o => o!.ToJsonString()).ToList();
        Assert.Single(outputs);
        Assert.Contains("last", outputs[0]);
    }

    [Fact]
    public void Archnb_run_takes_relative_paths_from_the_callers_directory()
    {
        var caller = Directory.CreateTempSubdirectory("archnb-caller-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(caller, "sub"));
            StoppingNotebook().Save(Path.Combine(caller, "sub", "stops.ipynb"));
            var (exit, output) = ChildProcess.Run("dotnet", [Repo.ArchnbDll, "run", "sub/stops.ipynb", "--out", "executed.ipynb", "--html", "report.html"],
                workingDirectory: caller, timeoutSeconds: 180);
            Assert.True(exit == 1, output);
            Assert.Contains("stops.ipynb: ran 3 of 6 code cells (1 skipped by tag); stopped at code cell 4 of 6", output);
            Assert.True(File.Exists(Path.Combine(caller, "executed.ipynb")), output);
            Assert.True(File.Exists(Path.Combine(caller, "report.html")), output);
        }
        finally { Directory.Delete(caller, recursive: true); }
    }
}
