using System.Text.Json.Nodes;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Kernel.Notebooks;
using ArchNotebooks.Kernel.Reports;

namespace ArchNotebooks.Extensions.Tests.Browser;

/// <summary>A hostile notebook rendered as an archnb report runs no script when opened in Chromium.</summary>
public class ReportSafetyTests
{
    // Every payload sets the same marker, so one check on the page tells whether any of them ran.
    const string Run = "window.__pwned=(window.__pwned||0)+1";

    // Markdown as a notebook might hold it, or build it from data such as variant names: generic attributes
    // carrying event handlers, and links whose targets run script when followed.
    static readonly string HostileMarkdown = string.Join("\n\n",
        $"![missing](does-not-exist.png){{onerror=\"{Run}\"}}",
        $"## Heading {{onmouseover=\"{Run}\" id=x}}",
        $"[plain](javascript:{Run}) [mixed case](JaVaScRiPt:{Run}) [tab](java&#9;script:{Run}) [vb](vbscript:msgbox(1))",
        $"[page](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <javascript:{Run}>",
        "[reference][r]\n\n[r]: javascript:alert(1)",
        "[fine](https://example.org/a:b) [relative](notes/page.html#x:y) [mail](mailto:someone@example.org)");

    [ChromiumFact]
    public void A_hostile_notebook_runs_no_script_in_its_report_and_keeps_its_own_html_output()
    {
        var notebook = new NotebookDocument(new JsonObject());
        notebook.CellsJson.Add(NotebookDocument.NewCell("markdown", HostileMarkdown).Json);
        var code = NotebookDocument.NewCell("code", "display(results)");
        code.ExecutionCount = 1;
        code.Outputs.Add(Output("text/markdown", HostileMarkdown));
        // A figure whose annotation colour tries to close its attribute and open a script inside the static SVG.
        var figure = new Figure([new Scatter([0, 1, 2], [1, 3, 2])], new Layout
        {
            Title = "hostile colour",
            Annotations = [new Annotation("note", 0.5, 0.5) { Color = $"#000\"/><script>{Run}</script><text fill=\"#000" }],
        });
        code.Outputs.Add(Output("text/html", FigureHtml.Render(figure)));
        // The notebook's own rich output: rendered as HTML, as nbconvert does.
        code.Outputs.Add(Output("text/html", "<b id=\"own-output\">the notebook's own markup</b>"));
        notebook.CellsJson.Add(code.Json);
        var html = HtmlReport.Render(notebook, new ReportInfo("hostile", DateTimeOffset.UnixEpoch, null, []));

        var dir = Directory.CreateTempSubdirectory("archnb-report-safety-");
        try
        {
            var page = Path.Combine(dir.FullName, "report.html");
            File.WriteAllText(page, html);
            var result = BrowserTests.RunNode(Path.Combine(AppContext.BaseDirectory, "Browser", "check-report-safety.mjs"),
                page, ChromiumFactAttribute.Chromium, Path.Combine(dir.FullName, "profile"));

            Assert.True(result["pwned"] is null, $"injected script ran {result["pwned"]} time(s)");
            Assert.Empty(result["dialogs"]!.AsArray());
            Assert.Equal(0, (int)result["svgScripts"]!);
            Assert.Empty(result["handlers"]!.AsArray());
            var links = result["links"]!.AsArray().Select(l => (string)l!).ToList();
            Assert.DoesNotContain(links, l => l.Contains("script", StringComparison.OrdinalIgnoreCase) || l.StartsWith("data:", StringComparison.OrdinalIgnoreCase));
            // Safe targets are kept as written, in the markdown cell and in the markdown output alike.
            Assert.Equal(2, links.Count(l => l == "https://example.org/a:b"));
            Assert.Equal(2, links.Count(l => l == "notes/page.html#x:y"));
            Assert.Equal(2, links.Count(l => l == "mailto:someone@example.org"));
            Assert.Equal("B", (string?)result["ownHtml"]);
        }
        finally { dir.Delete(recursive: true); }
    }

    static JsonObject Output(string mime, string text) => new()
    {
        ["output_type"] = "display_data",
        ["metadata"] = new JsonObject(),
        ["data"] = new JsonObject { [mime] = text, ["text/plain"] = "output" },
    };
}
