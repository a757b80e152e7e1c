using System.CommandLine;
using ArchNotebooks.Kernel.Notebooks;
using ArchNotebooks.Kernel.Reports;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Cli;

/// <summary>
/// <c>archnb run NOTEBOOK [-p NAME VALUE]... [--out executed.ipynb] [--html report.html] [--timeout S]</c>:
/// executes an .ipynb or .dib headless in the notebook's folder, writes the executed notebook and an HTML report.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var notebook = new Argument<FileInfo>("notebook") { Description = "the .ipynb or .dib notebook" };
        var parameter = new Option<string[]>("--parameter", "-p")
        {
            Description = "set a parameter (NAME VALUE), injected after the cell tagged 'parameters'; repeatable",
            Arity = new ArgumentArity(2, 2),
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<FileInfo>("--out", "-o") { Description = "write the executed notebook (nbformat 4) here" };
        var html = new Option<FileInfo>("--html") { Description = "write a self-contained HTML report here" };
        var timeout = new Option<double?>("--timeout") { Description = "interrupt a cell that runs longer than this many seconds" };
        var command = new Command("run", "execute a notebook headless and write the executed notebook and an HTML report") { notebook, parameter, output, html, timeout };
        command.SetAction(parse =>
        {
            var parameters = new List<(string, string)>();
            foreach (var token in parse.GetResult(parameter)?.Tokens.Chunk(2) ?? [])
                parameters.Add((token[0].Value, token[1].Value));
            return Run(parse.GetValue(notebook)!, parameters, parse.GetValue(output), parse.GetValue(html), parse.GetValue(timeout));
        });
        return command;
    }

    private static int Run(FileInfo file, List<(string Name, string Value)> parameters, FileInfo? output, FileInfo? html, double? timeout)
    {
        if (!file.Exists) { Console.Error.WriteLine($"archnb run: {file.FullName} does not exist"); return 2; }
        KernelLog.Quiet = true;
        var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        // Console.Error is the cells' (ConsoleRouter) once a session exists; the run's own messages go to the process's stderr.
        var stderr = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true };
        NotebookDocument document;
        try
        {
            document = NotebookDocument.Load(file.FullName);
            Parameters.Inject(document, parameters);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or ArgumentException)
        {
            stderr.WriteLine($"archnb run: {e.Message}");
            return 2;
        }
        var outputs = new RunOutputs(document, file, parameters, output, html, stdout, stderr);
        var workingDirectory = file.DirectoryName!;
        var previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(workingDirectory);
        NotebookRunResult result;
        NotebookRunner runner;
        string? runnerFailure = null;
        try
        {
            using var session = new ScriptSession(workingDirectory);
            session.Notebook.NotebookDirectory = workingDirectory;
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; session.Interrupt(); };
            runner = new NotebookRunner(session, timeout is { } s ? TimeSpan.FromSeconds(s) : null);
            var ending = runner;
            // Code on a thread, timer or async void that throws ends the process: save what the run has first.
            UnhandledExceptionReport.OnProcessEnding(text =>
            {
                var partial = ending.Stop(new CellError("UnhandledException", text.Split('\n')[0], text.TrimEnd().Split('\n')));
                if (outputs.Write(partial)) stderr.WriteLine($"archnb run: saved the run up to cell [{partial.CellsRun}] before the process ended");
            });
            try { result = runner.RunAsync(document).GetAwaiter().GetResult(); }
            catch (Exception e)
            {
                // A failure of the runner itself (not of a cell): the cells that ran keep their outputs.
                runnerFailure = $"{e.GetType().Name}: {e.Message}";
                result = runner.Stop(new CellError("RunnerError", e.Message, [$"archnb run stopped: {e}"]));
            }
        }
        finally { Directory.SetCurrentDirectory(previous); }
        runner.Stop(null);  // text the session's last flush added to the last cell

        bool written = outputs.Write(result);
        stdout.WriteLine($"{file.Name}: {result.Summary} ({result.Elapsed.TotalSeconds:F1} s)"
                         + (result.Error is null ? "" : $"\n  cell [{result.ErrorCell}] failed: {result.Error.Name}: {result.Error.Value}"));
        if (runnerFailure is not null) stderr.WriteLine($"archnb run: stopped after cell [{result.CellsRun}] because the runner failed: {runnerFailure}");
        else if (result.Error is not null) stderr.WriteLine(HtmlReport.StripAnsi(result.Error.ToString()));
        return result.Error is null && written ? 0 : 1;
    }
}
