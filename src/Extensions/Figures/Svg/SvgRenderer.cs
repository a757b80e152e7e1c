using System.Globalization;
using System.Text;

namespace ArchNotebooks.Extensions.Figures.Svg;

/// <summary>
/// Draws a figure as a standalone SVG document without JavaScript: line and scatter charts, bar
/// charts and heatmaps, on linear, log or category axes, in one panel or a grid placed by axis
/// domains. This is the picture GitHub's notebook viewer and the report show without plotly.js.
/// </summary>
public static class SvgRenderer
{
    /// <summary>The SVG text, or null when the figure has a trace type with no static form.</summary>
    public static string? Render(Figure figure)
    {
        if (figure.Data.Any(t => t is not (Scatter or Bar or Heatmap))) return null;
        var layout = figure.Layout;
        int width = layout.Width ?? 760, height = layout.Height;
        var (ml, mr, mt, mb) = layout.Margin;
        mt = Math.Max(mt, layout.Title is null ? 20 : 44);
        if (figure.Data.OfType<Heatmap>().Any(h => h.ShowScale)) mr = Math.Max(mr, 70);
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"{Esc(Style.FontFamily)}\" font-size=\"11\">"));
        svg.Append(Inv($"<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"));
        if (layout.Title is { } title) svg.Append(Inv($"<text x=\"{ml}\" y=\"24\" font-size=\"15\" font-weight=\"600\" fill=\"{Style.Ink}\">{Esc(title)}</text>"));

        var panels = figure.Data.Select((t, i) => (t, i)).GroupBy(p => (p.t.XAxis, p.t.YAxis)).ToList();
        foreach (var group in panels)
        {
            var xAxis = layout.Resolve(group.Key.XAxis) ?? new Axis();
            var yAxis = layout.Resolve(group.Key.YAxis) ?? new Axis();
            var (xf, xt) = xAxis.Domain ?? (0, 1);
            var (yf, yt) = yAxis.Domain ?? (0, 1);
            double plotW = width - ml - mr, plotH = height - mt - mb;
            var area = new Rect(ml + xf * plotW, mt + (1 - yt) * plotH, (xt - xf) * plotW, (yt - yf) * plotH);
            var traces = group.Select(p => p.t).ToList();
            var x = Scale.For(traces, xAxis, horizontal: true, area.X, area.X + area.W);
            var y = Scale.For(traces, yAxis, horizontal: false, area.Y + area.H, area.Y);
            DrawAxes(svg, area, x, y, xAxis, yAxis);
            foreach (var (trace, index) in group) SvgTraces.Draw(svg, trace, index, x, y, area);
        }
        foreach (var note in layout.Annotations.Where(a => a.XRef == "paper" && a.YRef == "paper"))
        {
            double ax = ml + note.X * (width - ml - mr), ay = mt + (1 - note.Y) * (height - mt - mb) - 4;
            var anchor = note.XAnchor switch { "left" => "start", "right" => "end", _ => "middle" };
            svg.Append(Inv($"<text x=\"{ax:0.#}\" y=\"{ay:0.#}\" text-anchor=\"{anchor}\" font-size=\"{note.FontSize:0.#}\" fill=\"{Esc(note.Color ?? Style.Ink)}\">{Esc(note.Text)}</text>"));
        }
        SvgTraces.DrawLegend(svg, figure, width - mr, mt);
        SvgTraces.DrawColorbar(svg, figure, width - mr + 14, mt, height - mt - mb);
        return svg.Append("</svg>").ToString();
    }

    static void DrawAxes(StringBuilder svg, Rect area, Scale x, Scale y, Axis xAxis, Axis yAxis)
    {
        bool heatmap = x.IsIndex && y.IsIndex;
        if (!heatmap) svg.Append(Inv($"<rect x=\"{area.X:0.#}\" y=\"{area.Y:0.#}\" width=\"{area.W:0.#}\" height=\"{area.H:0.#}\" fill=\"none\" stroke=\"{Style.Grid}\"/>"));
        foreach (var (value, label) in x.Ticks(xAxis))
        {
            double px = x.Map(value);
            if (!heatmap) svg.Append(Inv($"<line x1=\"{px:0.#}\" y1=\"{area.Y:0.#}\" x2=\"{px:0.#}\" y2=\"{area.Y + area.H:0.#}\" stroke=\"{Style.Grid}\"/>"));
            if (!xAxis.ShowTickLabels) continue;
            double ly = area.Y + area.H + 14;
            svg.Append(xAxis.TickAngle is { } angle && angle != 0
                ? Inv($"<text transform=\"translate({px:0.#},{ly - 4:0.#}) rotate({angle:0.#})\" text-anchor=\"end\" fill=\"{Style.Muted}\">{Esc(label)}</text>")
                : Inv($"<text x=\"{px:0.#}\" y=\"{ly:0.#}\" text-anchor=\"middle\" fill=\"{Style.Muted}\">{Esc(label)}</text>"));
        }
        foreach (var (value, label) in y.Ticks(yAxis))
        {
            double py = y.Map(value);
            if (!heatmap) svg.Append(Inv($"<line x1=\"{area.X:0.#}\" y1=\"{py:0.#}\" x2=\"{area.X + area.W:0.#}\" y2=\"{py:0.#}\" stroke=\"{Style.Grid}\"/>"));
            if (yAxis.ShowTickLabels)
                svg.Append(Inv($"<text x=\"{area.X - 5:0.#}\" y=\"{py + 4:0.#}\" text-anchor=\"end\" fill=\"{Style.Muted}\">{Esc(label)}</text>"));
        }
        if (xAxis.Title is { } xt)
            svg.Append(Inv($"<text x=\"{area.X + area.W / 2:0.#}\" y=\"{area.Y + area.H + 34:0.#}\" text-anchor=\"middle\" fill=\"{Style.Ink}\">{Esc(xt)}</text>"));
        if (yAxis.Title is { } yt)
            svg.Append(Inv($"<text transform=\"translate({area.X - 44:0.#},{area.Y + area.H / 2:0.#}) rotate(-90)\" text-anchor=\"middle\" fill=\"{Style.Ink}\">{Esc(yt)}</text>"));
    }

    internal static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>XML-escapes text and attribute values.</summary>
    internal static string Esc(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;");
}

internal readonly record struct Rect(double X, double Y, double W, double H);
