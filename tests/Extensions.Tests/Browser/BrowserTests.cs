using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ArchNotebooks.Extensions.Attention;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Checks;
using static ArchNotebooks.Extensions.Tests.Support.Samples;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Tests.Browser;

public class BrowserTests
{
    static string Page(IEnumerable<string> outputs, string plotlyJs)
    {
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>formatter outputs</title></head><body>");
        foreach (var o in outputs) html.Append("<section>").Append(o).Append("</section>\n");
        // plotly.js last, as the archnb report inlines it: the outputs' scripts wait for the load event.
        html.Append("<script>").Append(plotlyJs.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)).Append("</script></body></html>");
        return html.ToString();
    }

    [ChromiumFact]
    public void Chromium_draws_every_chart_and_heatmap_without_console_errors()
    {
        manual_seed(0);
        using var matrix = randn(24, 32);
        var maps = new AttentionMaps([Payload, "cat", "sat", "down"],
            [.. Enumerable.Range(0, 2).Select(l => Enumerable.Range(0, 3).Select(h => Causal(4, l + h)).ToArray())]);
        var flow = new GradientFlowCheck
        {
            Passed = true, Summary = "all healthy",
            Parameters = [new ParameterGradient("fc.weight", [4, 4], 0.3, 2, GradientFlag.Healthy), new ParameterGradient("fc.bias", [4], 0.02, 0.5, GradientFlag.Healthy)],
        };
        var registry = new FormatterRegistry();
        ArchFormatters.Register(registry);
        var outputs = new object[] { matrix, maps, Ablation().Table(), new TrainingCurves(Training()) { LogY = true }, new SanityReport("parity", [flow]) }
            .Select(v => (string)registry.Format(v)[MimeBundle.Html]).ToList();

        var dir = Directory.CreateTempSubdirectory("archnb-browser-");
        try
        {
            var page = Path.Combine(dir.FullName, "page.html");
            File.WriteAllText(page, Page(outputs, File.ReadAllText(Path.Combine(RepositoryRoot.NodeModule("plotly.js-dist-min")!, "plotly.min.js"))));
            var result = RunNode(Path.Combine(AppContext.BaseDirectory, "Browser", "check-page.mjs"), page, ChromiumFactAttribute.Chromium, Path.Combine(dir.FullName, "profile"));
            Assert.Empty(result["errors"]!.AsArray());
            var figures = result["figures"]!.AsArray();
            // tensor: heatmap + histogram; attention: selector + grid; ablation dots; curves; gradient flow.
            Assert.Equal(7, figures.Count);
            Assert.All(figures, f =>
            {
                Assert.True((bool)f!["drawn"]!, $"{f["id"]} was not drawn");
                Assert.True((int)f["mainSvgs"]! > 0);
                Assert.True((double)f["width"]! > 100 && (double)f["height"]! > 100, $"{f["id"]} is {f["width"]}x{f["height"]}");
                Assert.True((int)f["marks"]! > 0, $"{f["id"]} has no marks");
            });
            // The tensor heatmap, the attention map on show, and all 2 x 3 grid thumbnails.
            Assert.Equal(1 + 1 + 6, figures.Sum(f => (int)f!["heatmapImages"]!));
            // Token labels reached the axes as text, not markup (shortened to 11 characters and an ellipsis).
            Assert.Contains(figures, f => f!["tickLabels"]!.AsArray().Any(t => (string?)t == Payload[..11] + "…"));
        }
        finally { if (Environment.GetEnvironmentVariable("ARCHNB_KEEP_PAGE") is null) dir.Delete(recursive: true); }
    }

    static double[][] Causal(int n, int sharpness) => Enumerable.Range(0, n).Select(q =>
    {
        var row = Enumerable.Range(0, n).Select(k => k <= q ? Math.Exp(sharpness * (k - q) * 0.5) : 0).ToArray();
        double sum = row.Sum();
        return row.Select(v => v / sum).ToArray();
    }).ToArray();

    internal static JsonObject RunNode(string script, params string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(script)! };
        start.ArgumentList.Add(script);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(150))) { process.Kill(entireProcessTree: true); throw new TimeoutException("headless Chromium did not finish in 150 s"); }
        Assert.True(process.ExitCode == 0, $"node exited with {process.ExitCode}: {stderr.Result}");
        var last = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return JsonNode.Parse(last)!.AsObject();
    }
}
