using System.Globalization;
using System.Text;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Studies;

namespace ArchNotebooks.Extensions.Formatting;

/// <summary>A scaling study: metric vs parameter count on log-log axes with the fitted power laws, and the points as a table.</summary>
public static class ScalingFormatter
{
    public static void Write(ScalingResult result, MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = result.ToString();
        var html = new StringBuilder();
        html.Append(Figure(result).ToHtml());
        html.Append(HtmlText.Table(["size", "parameters", result.Metric + " (mean ± std)", "seeds"], result.Points.Select(p => (IEnumerable<string>)
            [HtmlText.Escape(p.Name), HtmlText.Count(p.Parameters), $"{HtmlText.Number(p.Mean)} ± {HtmlText.Number(p.Std)}", p.Values.Count.ToString(CultureInfo.InvariantCulture)]),
            caption: string.Join("; ", new[] { result.Fit, result.OffsetFit }.OfType<PowerLawFit>().Select(Law))));
        if (result.Interrupted) html.Append("<div class=\"worse\">Interrupted: some sizes are missing.</div>");
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    /// <summary>The fitted law as a researcher writes it: L = a·N^−b (+ c), with R².</summary>
    public static string Law(PowerLawFit fit) => string.Create(CultureInfo.InvariantCulture,
        $"L = {fit.A:G3}·N^−{fit.B:0.000}{(fit.WithOffset ? $" + {fit.C:G3}" : "")} (R² {fit.RSquared:0.000})");

    public static Figure Figure(ScalingResult result)
    {
        var points = result.Points.Where(p => p.Parameters > 0 && double.IsFinite(p.Mean)).ToList();
        var traces = new List<Trace>
        {
            new Scatter(points.Select(p => (double)p.Parameters).ToList(), points.Select(p => p.Mean).ToList())
            {
                Name = result.Metric, Mode = "markers", Marker = new MarkerStyle(Style.Color(0), 9),
                ErrorY = new ErrorBars(points.Select(p => double.IsFinite(p.Std) ? p.Std : 0).ToList()),
                Text = points.Select(p => $"{p.Name}: N = {p.Parameters:N0}, {result.Metric} {HtmlText.Number(p.Mean)} ± {HtmlText.Number(p.Std)}").ToList(),
                HoverTemplate = "%{text}<extra></extra>",
            },
        };
        if (points.Count >= 2)
        {
            double lo = Math.Log10(points.Min(p => p.Parameters)), hi = Math.Log10(points.Max(p => p.Parameters));
            var ns = Enumerable.Range(0, 40).Select(i => Math.Pow(10, lo - 0.1 + (hi - lo + 0.2) * i / 39)).ToList();
            int k = 1;
            foreach (var fit in new[] { result.Fit, result.OffsetFit }.OfType<PowerLawFit>())
                traces.Add(new Scatter(ns, ns.Select(fit.Predict).ToList()) { Name = Law(fit), Mode = "lines", Line = new LineStyle(Style.Color(k++), 1.5, "dash") });
        }
        return new Figure(traces, new Layout
        {
            Title = $"{result.Name} on {result.Task}: {result.Metric} vs parameters", Height = 400,
            XAxes = [new Axis { Title = "parameters N", Type = "log" }],
            YAxes = [new Axis { Title = result.Metric, Type = "log" }],
        });
    }
}
