using System.Globalization;
using System.Text;
using static ArchNotebooks.Extensions.Figures.Svg.SvgRenderer;

namespace ArchNotebooks.Extensions.Figures.Svg;

/// <summary>Draws each supported trace type into a panel.</summary>
internal static class SvgTraces
{
    public static void Draw(StringBuilder svg, Trace trace, int index, Scale x, Scale y, Rect area)
    {
        if (!trace.Visible) return;
        switch (trace)
        {
            case Heatmap h: DrawHeatmap(svg, h, x, y); break;
            case Bar b: DrawBars(svg, b, index, x, y); break;
            case Scatter s: DrawScatter(svg, s, index, x, y, area); break;
        }
    }

    static void DrawScatter(StringBuilder svg, Scatter s, int index, Scale x, Scale y, Rect area)
    {
        var color = s.Line?.Color ?? s.Marker?.Color ?? Style.Color(index);
        var points = Enumerable.Range(0, Math.Min(s.X.Count, s.Y.Count))
            .Select(i => (i, px: x.Map(s.X[i]), py: y.Map(s.Y[i])))
            .Select(p => (p.i, p.px, p.py, ok: double.IsFinite(p.px) && double.IsFinite(p.py) && p.py >= area.Y - 1 && p.py <= area.Y + area.H + 1))
            .ToList();
        if (s.Mode.Contains("lines"))
        {
            // A non-finite value breaks the line, as plotly.js does.
            var path = new StringBuilder();
            bool pen = false;
            foreach (var p in points)
            {
                if (!p.ok) { pen = false; continue; }
                path.Append(Inv($"{(pen ? 'L' : 'M')}{p.px:0.##},{p.py:0.##} "));
                pen = true;
            }
            var dash = s.Line?.Dash is "dash" ? " stroke-dasharray=\"6,4\"" : s.Line?.Dash is "dot" ? " stroke-dasharray=\"2,3\"" : "";
            if (path.Length > 0)
                svg.Append(Inv($"<path d=\"{path.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{Esc(color)}\" stroke-width=\"{s.Line?.Width ?? 2:0.#}\"{dash}/>"));
        }
        if (s.ErrorY is { } e)
            foreach (var p in points.Where(p => p.ok && p.i < e.Values.Count && double.IsFinite(e.Values[p.i])))
                svg.Append(Inv($"<line x1=\"{p.px:0.##}\" y1=\"{y.Map(s.Y[p.i] - e.Below(p.i)):0.##}\" x2=\"{p.px:0.##}\" y2=\"{y.Map(s.Y[p.i] + e.Values[p.i]):0.##}\" stroke=\"{Esc(color)}\"/>"));
        if (s.Mode.Contains("markers"))
        {
            double r = (s.Marker?.Size ?? 6) / 2;
            foreach (var p in points.Where(p => p.ok))
            {
                var fill = s.Marker?.Colors is { } cs && p.i < cs.Count ? cs[p.i] : color;
                svg.Append(Inv($"<circle cx=\"{p.px:0.##}\" cy=\"{p.py:0.##}\" r=\"{r:0.#}\" fill=\"{Esc(fill)}\"/>"));
            }
        }
    }

    static void DrawBars(StringBuilder svg, Bar b, int index, Scale x, Scale y)
    {
        bool horizontal = b.Orientation == "h";
        var (pos, val) = horizontal ? (y, x) : (x, y);
        var centres = b.Categories is not null ? Enumerable.Range(0, b.Values.Count).Select(i => (double)i).ToList()
            : (b.X ?? Enumerable.Range(0, b.Values.Count).Select(i => (double)i).ToList());
        double unit = b.Width ?? (b.Categories is not null ? 0.7 : centres.Count > 1 ? Math.Abs(centres[1] - centres[0]) * 0.9 : 0.8);
        for (int i = 0; i < Math.Min(b.Values.Count, centres.Count); i++)
        {
            double v = b.Values[i];
            if (!double.IsFinite(v)) continue;
            double a = pos.Map(centres[i] - unit / 2), c = pos.Map(centres[i] + unit / 2);
            double zero = val.Map(val.Baseline), tip = val.Map(v);
            if (!double.IsFinite(tip)) continue;
            var fill = b.Marker?.Colors is { } cs && i < cs.Count ? cs[i] : b.Marker?.Color ?? Style.Color(index);
            var (rx, ry, rw, rh) = horizontal
                ? (Math.Min(zero, tip), Math.Min(a, c), Math.Abs(tip - zero), Math.Abs(c - a))
                : (Math.Min(a, c), Math.Min(zero, tip), Math.Abs(c - a), Math.Abs(tip - zero));
            svg.Append(Inv($"<rect x=\"{rx:0.##}\" y=\"{ry:0.##}\" width=\"{rw:0.##}\" height=\"{rh:0.##}\" fill=\"{Esc(fill)}\"/>"));
        }
    }

    static void DrawHeatmap(StringBuilder svg, Heatmap h, Scale x, Scale y)
    {
        var finite = h.Z.SelectMany(r => r).Where(double.IsFinite).ToList();
        double lo = h.ZMin ?? (finite.Count > 0 ? finite.Min() : 0), hi = h.ZMax ?? (finite.Count > 0 ? finite.Max() : 1);
        double w = x.Step, ht = y.Step;
        bool annotate = h.Rows * h.Columns <= 100 && w >= 34 && ht >= 16;
        for (int r = 0; r < h.Rows; r++)
            for (int c = 0; c < h.Z[r].Count; c++)
            {
                double v = h.Z[r][c];
                var color = h.Colorscale.ColorAt(hi > lo ? (v - lo) / (hi - lo) : 0.5);
                double cx = x.Map(c), cy = y.Map(r);
                var tip = h.HoverText is { } ht2 && r < ht2.Count && c < ht2[r].Count ? ht2[r][c] : v.ToString("G4", CultureInfo.InvariantCulture);
                svg.Append(Inv($"<rect x=\"{cx - w / 2:0.##}\" y=\"{cy - ht / 2:0.##}\" width=\"{w + 0.3:0.##}\" height=\"{ht + 0.3:0.##}\" fill=\"{Esc(color)}\"><title>{Esc(tip)}</title></rect>"));
                if (annotate && double.IsFinite(v))
                    svg.Append(Inv($"<text x=\"{cx:0.#}\" y=\"{cy + 4:0.#}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{Esc(Colorscale.TextColorOn(color))}\">{v.ToString("0.00", CultureInfo.InvariantCulture)}</text>"));
            }
    }

    /// <summary>Swatches for named scatter/bar traces, top right, when there is more than one.</summary>
    public static void DrawLegend(StringBuilder svg, Figure figure, double right, double top)
    {
        if (!figure.Layout.ShowLegend) return;
        var named = figure.Data.Select((t, i) => (t, i)).Where(p => p.t.Name is not null && p.t.ShowLegend != false && p.t is Scatter or Bar && p.t.Visible).ToList();
        if (named.Count < 2) return;
        named = named.Take(12).ToList();
        // About 6.2 px a character at 11 px: wide enough that a fitted law's name stays inside the picture.
        double width = 30 + named.Max(p => p.t.Name!.Length) * 6.2, left = right - width - 4;
        svg.Append(Inv($"<rect x=\"{left - 4:0.#}\" y=\"{top + 1:0.#}\" width=\"{width + 4:0.#}\" height=\"{named.Count * 15 + 6}\" fill=\"#ffffff\" fill-opacity=\"0.85\"/>"));
        double rowY = top + 12;
        foreach (var (t, i) in named)
        {
            var color = t switch { Scatter s => s.Line?.Color ?? s.Marker?.Color, Bar b => b.Marker?.Color, _ => null } ?? Style.Color(i);
            svg.Append(Inv($"<rect x=\"{left:0.#}\" y=\"{rowY - 6:0.#}\" width=\"14\" height=\"3\" fill=\"{Esc(color)}\"/>"));
            svg.Append(Inv($"<text x=\"{left + 19:0.#}\" y=\"{rowY - 1:0.#}\" fill=\"{Style.Ink}\">{Esc(t.Name!)}</text>"));
            rowY += 15;
        }
    }

    /// <summary>A vertical colour bar for the first visible heatmap that asks for one, in the right margin.</summary>
    public static void DrawColorbar(StringBuilder svg, Figure figure, double x, double top, double height)
    {
        if (figure.Data.OfType<Heatmap>().FirstOrDefault(h => h.ShowScale && h.Visible) is not { } h) return;
        var finite = h.Z.SelectMany(r => r).Where(double.IsFinite).ToList();
        double lo = h.ZMin ?? (finite.Count > 0 ? finite.Min() : 0), hi = h.ZMax ?? (finite.Count > 0 ? finite.Max() : 1);
        const int steps = 24;
        double barH = Math.Min(height, 220), step = barH / steps;
        for (int i = 0; i < steps; i++)
            svg.Append(Inv($"<rect x=\"{x:0.#}\" y=\"{top + i * step:0.##}\" width=\"12\" height=\"{step + 0.3:0.##}\" fill=\"{Esc(h.Colorscale.ColorAt(1 - (i + 0.5) / steps))}\"/>"));
        svg.Append(Inv($"<rect x=\"{x:0.#}\" y=\"{top:0.#}\" width=\"12\" height=\"{barH:0.#}\" fill=\"none\" stroke=\"{Style.Muted}\" stroke-width=\"0.5\"/>"));
        svg.Append(Inv($"<text x=\"{x + 16:0.#}\" y=\"{top + 8:0.#}\" fill=\"{Style.Muted}\">{hi.ToString("G3", CultureInfo.InvariantCulture)}</text>"));
        svg.Append(Inv($"<text x=\"{x + 16:0.#}\" y=\"{top + barH:0.#}\" fill=\"{Style.Muted}\">{lo.ToString("G3", CultureInfo.InvariantCulture)}</text>"));
    }
}
