using System.Globalization;
using System.Text;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Checks;

namespace ArchNotebooks.Extensions.Formatting;

/// <summary>Sanity-check results: a pass/fail table with each check's numbers, and the gradient norm of every parameter as a bar chart.</summary>
public static class SanityFormatter
{
    public static void Write(SanityReport report, MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = report.Checks.Count == 1 && report.Task.Length == 0 ? report.Checks[0].ToString() : report.ToString();
        var html = new StringBuilder();
        if (report.Task.Length > 0)
            html.Append("<h4>").Append(HtmlText.Escape($"Sanity checks on {report.Task}: {report.Checks.Count(c => c.Passed)}/{report.Checks.Count} passed")).Append("</h4>");
        html.Append(HtmlText.Table(["check", "result", "numbers"], report.Checks.Select(c => (IEnumerable<string>)
        [
            "<code>" + HtmlText.Escape(c.Name) + "</code>",
            c.Passed ? "<td class=\"pass\">PASS</td>" : "<td class=\"fail\">FAIL</td>",
            $"<td style=\"text-align:left\">{HtmlText.Escape(c.Summary)}</td>",
        ])));
        foreach (var flow in report.Checks.OfType<GradientFlowCheck>())
            html.Append(GradientFlowFigure(flow).ToHtml());
        foreach (var ratio in report.Checks.OfType<UpdateRatioCheck>())
            html.Append(UpdateRatioFigure(ratio).ToHtml());
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    static string FlagColor(GradientFlag flag) => flag == GradientFlag.Healthy ? Style.Color(0) : Style.Worse;

    /// <summary>‖grad‖ per parameter tensor on a log axis; flagged parameters (dead, vanishing, exploding, NaN) in red.</summary>
    public static Figure GradientFlowFigure(GradientFlowCheck check)
    {
        var ps = check.Parameters;
        var bar = new Bar(ps.Select(p => p.GradNorm > 0 && double.IsFinite(p.GradNorm) ? p.GradNorm : double.NaN).ToList())
        {
            Categories = ps.Select(p => p.Name).ToList(),
            Marker = new MarkerStyle(Colors: ps.Select(p => FlagColor(p.Flag)).ToList()),
            Text = ps.Select(p => string.Create(CultureInfo.InvariantCulture,
                $"{p.Name} [{string.Join("x", p.Shape)}]\n‖grad‖ {p.GradNorm:E2}, ‖param‖ {p.ParamNorm:E2}\n{p.Flag}")).ToList(),
            HoverTemplate = "%{text}<extra></extra>",
        };
        return new Figure([bar], new Layout
        {
            Title = $"Gradient flow: {ps.Count(p => p.Flag == GradientFlag.Healthy)}/{ps.Count} parameters healthy",
            Height = 380, ShowLegend = false, Margin = (70, 20, 50, 120),
            XAxes = [new Axis { TickAngle = -45, ShowGrid = false }],
            YAxes = [new Axis { Title = "‖grad‖ (log)", Type = "log" }],
        });
    }

    /// <summary>log10(update/data) per parameter with the healthy band's edges as dashed lines.</summary>
    public static Figure UpdateRatioFigure(UpdateRatioCheck check)
    {
        var ps = check.Parameters;
        var names = ps.Select(p => p.Name).ToList();
        var bar = new Bar(ps.Select(p => p.Log10Ratio).ToList())
        {
            Categories = names,
            // Flagged weights in the "worse" colour; biases and norm gains (not judged) in grey.
            Marker = new MarkerStyle(Colors: ps.Select(p => p.Flag is UpdateFlag.TooHigh or UpdateFlag.TooLow ? Style.Worse
                : p.Flag == UpdateFlag.NotJudged ? "#9aa0a6" : Style.Color(2)).ToList()),
            Text = ps.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name}: log10 ratio {p.Log10Ratio:F2} ({p.Flag})")).ToList(),
            HoverTemplate = "%{text}<extra></extra>",
        };
        var xs = Enumerable.Range(0, names.Count).Select(i => (double)i).ToList();
        Trace Edge(double v) => new Scatter([-0.5, names.Count - 0.5], [v, v]) { Mode = "lines", ShowLegend = false, Line = new LineStyle(Style.Muted, 1, "dash") };
        return new Figure([bar, Edge(check.Low), Edge(check.High)], new Layout
        {
            Title = "Update-to-data ratio (log10), healthy band dashed", Height = 360, ShowLegend = false, Margin = (60, 20, 50, 120),
            XAxes = [new Axis { TickAngle = -45, ShowGrid = false, TickValues = xs, TickText = names }], YAxes = [new Axis { Title = "log10(update / data)" }],
        });
    }
}
