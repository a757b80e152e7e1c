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
        NotebookDocument document;
        try
        {
            document = NotebookDocument.Load(file.FullName);
            Parameters.Inject(document, parameters);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or ArgumentException)
        {
            Console.Error.WriteLine($"archnb run: {e.Message}");
            return 2;
        }
        var workingDirectory = file.DirectoryName!;
        var previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(workingDirectory);
        NotebookRunResult result;
        try
        {
            using var session = new ScriptSession(workingDirectory);
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; session.Interrupt(); };
            var runner = new NotebookRunner(session, timeout is { } s ? TimeSpan.FromSeconds(s) : null);
            result = runner.RunAsync(document).GetAwaiter().GetResult();
        }
        finally { Directory.SetCurrentDirectory(previous); }

        if (output is not null) { document.Save(output.FullName); stdout.WriteLine($"executed notebook: {output.FullName}"); }
        if (html is not null)
        {
            var plotly = HtmlReport.FindPlotlyJs();
            var info = new ReportInfo(Path.GetFileNameWithoutExtension(file.Name), DateTimeOffset.Now, result, parameters);
            var uses = document.Cells.Where(c => c.IsCode).SelectMany(c => c.Outputs.OfType<System.Text.Json.Nodes.JsonObject>())
                .Any(o => o["data"] is System.Text.Json.Nodes.JsonObject data && (data.ContainsKey(Interactive.MimeBundle.Plotly)
                    // HTML outputs (tables with charts, #!arch progress) carry figures that plotly.js draws over their static SVG.
                    || (data[Interactive.MimeBundle.Html]?.ToJsonString() ?? "").Contains("archnb-figure", StringComparison.Ordinal)));
            File.WriteAllText(html.FullName, HtmlReport.Render(document, info, uses && plotly is not null ? File.ReadAllText(plotly) : null));
            stdout.WriteLine($"HTML report: {html.FullName}");
        }
        stdout.WriteLine($"{file.Name}: {result.Summary} ({result.Elapsed.TotalSeconds:F1} s)"
                         + (result.Error is null ? "" : $"\n  cell [{result.ErrorCell}] failed: {result.Error.Name}: {result.Error.Value}"));
        if (result.Error is not null) Console.Error.WriteLine(HtmlReport.StripAnsi(result.Error.ToString()));
        return result.Error is null ? 0 : 1;
    }
}
