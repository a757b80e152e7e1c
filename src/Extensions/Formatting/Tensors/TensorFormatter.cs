using System.Text;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Interactive;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Formatting.Tensors;

/// <summary>
/// Tensors as a notebook shows them: shape, dtype, device and grad state; statistics computed on
/// the device (<see cref="TensorSummary"/>); PyTorch's elided preview; a heatmap for matrices and
/// a histogram of values for anything larger than a handful of elements.
/// </summary>
public static class TensorFormatter
{
    public static void Write(Tensor tensor, MimeBundle bundle)
    {
        if (tensor.IsDisposed) { bundle[MimeBundle.PlainText] = "tensor(<disposed>)"; return; }
        var s = TensorSummary.Of(tensor);
        bundle[MimeBundle.PlainText] = PlainText(s);
        bundle[MimeBundle.Html] = ToHtml(s);
    }

    public static string Header(TensorSummary s) =>
        $"tensor [{string.Join(", ", s.Shape)}] {s.DType} on {s.Device}" +
        (s.RequiresGrad ? s.GradFn is { } fn ? $", grad_fn={fn}" : ", requires_grad" : "");

    public static string StatsLine(TensorSummary s) =>
        $"min {HtmlText.Number(s.Min)}  max {HtmlText.Number(s.Max)}  mean {HtmlText.Number(s.Mean)}  std {HtmlText.Number(s.Std)}  " +
        $"nan {HtmlText.Count(s.NaNs)}  inf {HtmlText.Count(s.Infs)}  ({HtmlText.Count(s.Count)} elements)";

    public static string PlainText(TensorSummary s) => Header(s) + "\n" + StatsLine(s) + "\n" + s.Preview;

    public static string ToHtml(TensorSummary s)
    {
        var html = new StringBuilder();
        html.Append("<h4>").Append(HtmlText.Escape(Header(s))).Append("</h4>");
        string Bad(long count) => count > 0 ? $"<td class=\"worse\">{HtmlText.Count(count)}</td>" : HtmlText.Count(count);
        html.Append(HtmlText.Table(["elements", "min", "max", "mean", "std", "NaN", "Inf"],
            [[HtmlText.Count(s.Count), HtmlText.Number(s.Min), HtmlText.Number(s.Max), HtmlText.Number(s.Mean), HtmlText.Number(s.Std), Bad(s.NaNs), Bad(s.Infs)]],
            caption: "Computed on " + s.Device + " over the finite elements (std with Bessel's correction)."));
        html.Append("<pre>").Append(HtmlText.Escape(s.Preview)).Append("</pre>");
        var figures = new List<Figure>();
        if (HeatmapFigure(s) is { } heat) figures.Add(heat);
        if (HistogramFigure(s) is { } hist) figures.Add(hist);
        if (figures.Count > 0)
        {
            html.Append("<div class=\"archnb-row\">");
            foreach (var f in figures) html.Append("<div>").Append(f.ToHtml()).Append("</div>");
            html.Append("</div>");
        }
        return HtmlText.Block(html.ToString());
    }

    /// <summary>The matrix as a heatmap (block means of a large one), rows top-down as printed.</summary>
    public static Figure? HeatmapFigure(TensorSummary s)
    {
        if (s.Heatmap is not { } h || h.Values.Count == 0) return null;
        var values = h.Values;
        bool signed = values.SelectMany(r => r).Where(double.IsFinite).Any(v => v < 0) && values.SelectMany(r => r).Where(double.IsFinite).Any(v => v > 0);
        double bound = values.SelectMany(r => r).Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(1).Max();
        var title = h.IsBlockMeans ? $"values ({h.Rows}x{h.Columns}, block means on {values.Count}x{values[0].Count})" : $"values ({h.Rows}x{h.Columns})";
        long rowStep = (h.Rows + values.Count - 1) / values.Count, colStep = (h.Columns + values[0].Count - 1) / values[0].Count;
        var hover = values.Select((row, r) => (IReadOnlyList<string>)row.Select((v, c) => h.IsBlockMeans
            ? $"rows ≈{r * rowStep}, cols ≈{c * colStep}: {HtmlText.Number(v)}" : $"[{r}, {c}] = {HtmlText.Number(v)}").ToList()).ToList();
        var heatmap = new Heatmap(values)
        {
            HoverText = hover,
            Colorscale = signed ? Colorscale.RedBlue : Colorscale.Viridis,
            ZMin = signed ? -bound : null,
            ZMax = signed ? bound : null,
        };
        return new Figure([heatmap], new Layout
        {
            Title = title, Height = 340, ShowLegend = false, Margin = (50, 20, 44, 40),
            XAxes = [new Axis { ShowGrid = false }], YAxes = [new Axis { Reversed = true, ShowGrid = false }],
        });
    }

    /// <summary>The distribution of finite values, binned on the device.</summary>
    public static Figure? HistogramFigure(TensorSummary s)
    {
        if (s.Histogram is not { } h) return null;
        var centres = Enumerable.Range(0, h.Counts.Count).Select(i => h.Low + (i + 0.5) * h.BinWidth).ToList();
        var bar = new Bar(h.Counts)
        {
            X = centres, Width = h.BinWidth, Marker = new MarkerStyle(Style.Color(0)),
            Text = centres.Select((c, i) => $"[{HtmlText.Number(c - h.BinWidth / 2)}, {HtmlText.Number(c + h.BinWidth / 2)}): {h.Counts[i]:0}").ToList(),
            HoverTemplate = "%{text}<extra></extra>",
        };
        return new Figure([bar], new Layout
        {
            Title = $"histogram of {HtmlText.Count(s.Count - s.NaNs - s.Infs)} finite values", Height = 340, ShowLegend = false, Margin = (60, 20, 44, 44),
            XAxes = [new Axis { Title = "value" }], YAxes = [new Axis { Title = "count" }],
        });
    }
}
