using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Notebooks;
using ArchNotebooks.Kernel.Reports;

namespace ArchNotebooks.Kernel.Cli;

/// <summary>
/// The files <c>archnb run</c> writes: the executed notebook (--out) and the HTML report (--html). Each is
/// written on its own, so one that fails (a full disk) does not cost the other, and they are written once,
/// whichever comes first: the end of the run, or the process ending on an unhandled exception.
/// </summary>
internal sealed class RunOutputs(NotebookDocument document, FileInfo notebook, IReadOnlyList<(string Name, string Value)> parameters,
    FileInfo? output, FileInfo? html, TextWriter stdout, TextWriter stderr)
{
    private int _written;

    /// <summary>Writes both files for <paramref name="result"/>; false when one could not be written, or they were written already.</summary>
    public bool Write(NotebookRunResult result)
    {
        if (Interlocked.Exchange(ref _written, 1) != 0) return false;
        bool ok = true;
        if (output is not null)
        {
            try
            {
                document.Save(output.FullName);
                stdout.WriteLine($"executed notebook: {output.FullName}");
            }
            catch (Exception e) { ok = false; stderr.WriteLine($"archnb run: could not write {output.FullName}: {e.GetType().Name}: {e.Message}"); }
        }
        if (html is not null)
        {
            try
            {
                var plotly = HtmlReport.FindPlotlyJs();
                var info = new ReportInfo(Path.GetFileNameWithoutExtension(notebook.Name), DateTimeOffset.Now, result, parameters);
                File.WriteAllText(html.FullName, HtmlReport.Render(document, info, UsesPlotly() && plotly is not null ? File.ReadAllText(plotly) : null));
                stdout.WriteLine($"HTML report: {html.FullName}");
            }
            catch (Exception e) { ok = false; stderr.WriteLine($"archnb run: could not write {html.FullName}: {e.GetType().Name}: {e.Message}"); }
        }
        return ok;
    }

    private bool UsesPlotly() => document.Cells.Where(c => c.IsCode).SelectMany(c => c.Outputs.OfType<JsonObject>())
        .Any(o => o["data"] is JsonObject data && (data.ContainsKey(Interactive.MimeBundle.Plotly)
            // HTML outputs (tables with charts, #!arch progress) carry figures that plotly.js draws over their static SVG.
            || (data[Interactive.MimeBundle.Html]?.ToJsonString() ?? "").Contains("archnb-figure", StringComparison.Ordinal)));
}
