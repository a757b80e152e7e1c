using System.Globalization;
using System.Text;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Studies;

namespace ArchNotebooks.Extensions.Formatting;

/// <summary>
/// An ablation table as in a paper: variants as rows, mean ± std over seeds, the 95% CI, the change
/// vs the baseline (+ is better) and Welch's p, every seed as a dot; green for a significant
/// improvement, red for a significant regression, grey when the difference is within noise.
/// </summary>
public static class AblationFormatter
{
    public const double Alpha = AblationResult.Alpha;

    public static void Write(AblationTable table, MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = table.ToText();
        bundle[MimeBundle.Html] = ToHtml(table);
    }

    /// <summary>"better", "worse", "insignificant" or "baseline": how a row compares with the baseline at <see cref="Alpha"/>, on the Holm-adjusted p.</summary>
    public static string Verdict(AblationRow row) =>
        row.IsBaseline ? "baseline" : !row.Significant(Alpha) ? "insignificant" : row.RelativeImprovement > 0 ? "better" : "worse";

    public static string ToHtml(AblationTable table) => ToHtml(table, figure: true);

    /// <summary>The table, its conclusion lines and (with <paramref name="figure"/>) the per-seed figure, as one block.</summary>
    static string ToHtml(AblationTable table, bool figure)
    {
        var all = table.Rows.SelectMany(r => r.Values).Where(double.IsFinite).ToList();
        double lo = all.DefaultIfEmpty(0).Min(), hi = all.DefaultIfEmpty(1).Max();
        double baseline = table.Rows.FirstOrDefault(r => r.IsBaseline)?.Mean ?? double.NaN;
        var rows = table.Rows.Select(r =>
        {
            var verdict = Verdict(r);
            string name = (r.IsSignificantlyBest ? "▲ " : "") + r.Variant + (r.IsBaseline ? " (baseline)" : "");
            string delta = r.RelativeImprovement is { } d ? d.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture) : "—";
            static string P(double v) => double.IsNaN(v) ? "—" : v.ToString(v < 0.001 ? "0.0e+0" : "0.000", CultureInfo.InvariantCulture);
            string p = r.VsBaseline is { } t ? P(t.PValue) : "—";
            string holm = r.AdjustedPValue is { } a ? P(a) + (a < Alpha ? " *" : "") : "—";
            return (IEnumerable<string>)
            [
                $"<td class=\"{(r.IsSignificantlyBest ? "best" : "")}\">{HtmlText.Escape(name)}</td>",
                r.N.ToString(CultureInfo.InvariantCulture),
                $"{HtmlText.Number(r.Mean)} ± {HtmlText.Number(r.Std)}",
                $"[{HtmlText.Number(r.CI.Low)}, {HtmlText.Number(r.CI.High)}]",
                $"<td class=\"{verdict}\">{delta}</td>",
                $"<td class=\"{verdict}\">{p}</td>",
                $"<td class=\"{verdict}\">{holm}</td>",
                $"<td>{SeedDots(r, lo, hi, baseline, verdict)}</td>",
            ];
        });
        var html = new StringBuilder();
        html.Append("<h4>").Append(HtmlText.Escape($"{table.Study}: {table.Metric.Name}")).Append("</h4>");
        var tableHtml = HtmlText.Table(["variant", "n", "mean ± std", "95% CI", "Δ vs baseline", "p", "p (Holm)", "seeds"], rows, table.Caption);
        // Shade the baseline row: the first data row whose variant is the baseline.
        int at = table.Rows.ToList().FindIndex(r => r.IsBaseline);
        if (at >= 0) tableHtml = MarkRow(tableHtml, at, "baseline");
        html.Append(tableHtml);
        html.Append("<ul>").Append(string.Concat(table.Conclusions().Select(c => "<li>" + HtmlText.Escape(c) + "</li>"))).Append("</ul>");
        if (table.Interrupted) html.Append("<div class=\"worse\">Interrupted: some runs are missing.</div>");
        if (figure) html.Append(DotFigure(table).ToHtml());
        return figure ? HtmlText.Block(html.ToString()) : html.ToString();
    }

    /// <summary>Every metric the study recorded, in text and HTML: the headline table with its seed figure, then one table per further metric.</summary>
    public static void Write(AblationResult result, MimeBundle bundle)
    {
        var tables = result.Tables();
        var note = result.LearningRateNote;
        bundle[MimeBundle.PlainText] = string.Join("\n\n", tables.Select(t => t.ToText())) + (note is null ? "" : "\n" + note);
        bundle[MimeBundle.Html] = HtmlText.Block(ToHtml(tables[0]) + string.Concat(tables.Skip(1).Select(t => ToHtml(t, figure: false)))
            + (note is null ? "" : $"<p>{HtmlText.Escape(note)}</p>"));
    }

    static string MarkRow(string tableHtml, int index, string cssClass)
    {
        int pos = tableHtml.IndexOf("<tbody>", StringComparison.Ordinal);
        for (int i = 0; i <= index && pos >= 0; i++) pos = tableHtml.IndexOf("<tr>", pos + 1, StringComparison.Ordinal);
        return pos < 0 ? tableHtml : tableHtml[..pos] + $"<tr class=\"{cssClass}\">" + tableHtml[(pos + 4)..];
    }

    /// <summary>A small inline SVG: each seed a dot on the table's common scale, the mean a bar, the baseline mean a dashed line.</summary>
    static string SeedDots(AblationRow row, double lo, double hi, double baseline, string verdict)
    {
        const double w = 140, h = 18, pad = 5;
        double X(double v) => hi > lo ? pad + (v - lo) / (hi - lo) * (w - 2 * pad) : w / 2;
        var color = verdict switch { "better" => Style.Better, "worse" => Style.Worse, "baseline" => Style.Ink, _ => Style.Neutral };
        var svg = new StringBuilder(FormattableString.Invariant($"<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\">"));
        if (double.IsFinite(baseline))
            svg.Append(FormattableString.Invariant($"<line x1=\"{X(baseline):0.#}\" y1=\"1\" x2=\"{X(baseline):0.#}\" y2=\"{h - 1}\" stroke=\"{Style.Muted}\" stroke-dasharray=\"2,2\"/>"));
        foreach (var v in row.Values.Where(double.IsFinite))
            svg.Append(FormattableString.Invariant($"<circle cx=\"{X(v):0.#}\" cy=\"{h / 2}\" r=\"3\" fill=\"{color}\" fill-opacity=\"0.7\"><title>{HtmlText.Number(v)}</title></circle>"));
        if (double.IsFinite(row.Mean))
            svg.Append(FormattableString.Invariant($"<line x1=\"{X(row.Mean):0.#}\" y1=\"2\" x2=\"{X(row.Mean):0.#}\" y2=\"{h - 2}\" stroke=\"{color}\" stroke-width=\"2\"/>"));
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Per-seed values for each variant with the mean and its 95% CI as an error bar.</summary>
    public static Figure DotFigure(AblationTable table)
    {
        var traces = new List<Trace>();
        var names = table.Rows.Select(r => r.Variant).ToList();
        for (int i = 0; i < table.Rows.Count; i++)
        {
            var r = table.Rows[i];
            var color = Verdict(r) switch { "better" => Style.Better, "worse" => Style.Worse, "baseline" => Style.Ink, _ => Style.Neutral };
            // Deterministic jitter so seeds with equal values stay visible.
            var xs = r.Values.Select((_, k) => i + (r.N > 1 ? (k / (r.N - 1.0) - 0.5) * 0.3 : 0)).ToList();
            traces.Add(new Scatter(xs, r.Values.ToList())
            {
                Mode = "markers", Name = r.Variant + " seeds", ShowLegend = false,
                Marker = new MarkerStyle(color, 8, 0.55),
                Text = r.Values.Select((v, k) => $"{r.Variant}, seed #{k}: {HtmlText.Number(v)}").ToList(), HoverTemplate = "%{text}<extra></extra>",
            });
            traces.Add(new Scatter([i + 0.28], [r.Mean])
            {
                Mode = "markers", Name = r.Variant + " mean", ShowLegend = false, Marker = new MarkerStyle(color, 10),
                ErrorY = new ErrorBars([r.CI.High - r.Mean], [r.Mean - r.CI.Low]),
                Text = [$"{r.Variant}: mean {HtmlText.Number(r.Mean)}, 95% CI [{HtmlText.Number(r.CI.Low)}, {HtmlText.Number(r.CI.High)}]"], HoverTemplate = "%{text}<extra></extra>",
            });
        }
        return new Figure(traces, new Layout
        {
            Title = $"{table.Metric.Name} per seed (mean and 95% CI at right)", Height = 340, ShowLegend = false,
            XAxes = [new Axis { TickValues = names.Select((_, i) => (double)i).ToList(), TickText = names, ShowGrid = false, ZeroLine = false }],
            YAxes = [new Axis { Title = table.Metric.Name + (table.Metric.HigherIsBetter ? " (higher is better)" : " (lower is better)") }],
        });
    }
}
