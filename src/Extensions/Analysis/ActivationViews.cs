using System.Text;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Analysis;
using ArchNotebooks.Library.Reporting;

namespace ArchNotebooks.Extensions.Analysis;

/// <summary>Per-layer activation statistics of one input as a table and the layers' value distributions overlaid.</summary>
public sealed record ActivationTable(string Model, string InputShape, IReadOnlyList<LayerActivations> Layers) : IMimeRenderable
{
    static readonly string[] Header = ["layer", "type", "shape", "mean", "std", "dead", "saturated", "norm", "min", "max"];

    string Title => $"Activations of {Model} on {InputShape}";

    const string Caption = "dead: share of units (positions of one example) that are zero for every example of the batch; " +
        "saturated: share of tanh/sigmoid outputs within 1% of their bounds; norm: mean L2 norm of one example's output";

    IEnumerable<string[]> Rows() => Layers.Select(l => new[]
    {
        l.Path, l.Type, "[" + string.Join(", ", l.Shape) + "]", HtmlText.Number(l.Mean), HtmlText.Number(l.Std), Percent(l.Dead),
        l.Saturated is { } s ? Percent(s) : "—", HtmlText.Number(l.Norm), HtmlText.Number(l.Min), HtmlText.Number(l.Max),
    });

    static string Percent(double v) => double.IsNaN(v) ? "—" : v.ToString("0.0%", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Each layer's histogram as a line of the share of its values per bin, over the layer's own range.</summary>
    public Figure Histograms()
    {
        var traces = Layers.Where(l => l.HistogramCounts.Sum() > 0).Select(l =>
        {
            var edges = l.HistogramEdges;
            double total = l.HistogramCounts.Sum();
            return (Trace)new Scatter(Enumerable.Range(0, l.HistogramCounts.Length).Select(i => (edges[i] + edges[i + 1]) / 2).ToList(),
                l.HistogramCounts.Select(c => c / total).ToList()) { Name = l.Path, Mode = "lines" };
        }).ToList();
        return new Figure(traces, new Layout
        {
            Title = "Distribution of each layer's outputs (share of values per bin; click a legend entry to hide it)", Height = 360,
            XAxes = [new Axis { Title = "activation value" }], YAxes = [new Axis { Title = "share of values" }],
        });
    }

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var html = new StringBuilder($"<h4>{HtmlText.Escape(Title)}</h4>");
        html.Append(HtmlText.Table(Header, Rows().Select(r => (IEnumerable<string>)[$"<code>{HtmlText.Escape(r[0])}</code>", .. r.Skip(1).Select(HtmlText.Escape)]), Caption));
        html.Append(Histograms().ToHtml());
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    public override string ToString() => Title + "\n" + TextTable.Render(Header, Rows().Select(r => (IReadOnlyList<string>)r).ToList(), ColumnAlignment.NumbersRight) + "\n" + Caption;
}

/// <summary>
/// One activation statistic of every layer over a run's training steps, read back from the run log: a layers × steps picture;
/// or, when <see cref="PerParameter"/>, one gradient statistic (grad_norm, update_ratio) of every trained parameter.
/// </summary>
public sealed record ActivationHistory(string RunId, string RunName, string Stat, IReadOnlyList<string> Layers, IReadOnlyList<long> Steps, double[][] Values) : IMimeRenderable
{
    /// <summary>True when the rows are parameters (weight and bias tensors) rather than layer outputs.</summary>
    public bool PerParameter { get; init; }

    string Title => PerParameter ? $"{Stat} by parameter over training: {RunName} ({RunId})" : $"Activation {Stat} by layer over training: {RunName} ({RunId})";

    // Gradient norms and update ratios of different parameters differ by orders of magnitude: drawn on a log scale,
    // where a zero (a parameter the loss never reached) is left blank.
    public Figure Heatmap() => new([new Heatmap(Values.Select(r => (IReadOnlyList<double>)(PerParameter ? r.Select(v => v > 0 ? Math.Log10(v) : double.NaN).ToArray() : r)).ToList())
    {
        XLabels = Steps.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), YLabels = Layers, ColorbarTitle = PerParameter ? $"log10 {Stat}" : Stat,
    }], new Layout
    {
        Title = Title, Height = Math.Max(260, 60 + 22 * Layers.Count), ShowLegend = false, Margin = (160, 20, 50, 50),
        XAxes = [new Axis { Title = "step", Type = "category" }], YAxes = [new Axis { Reversed = true, Type = "category" }],
    });

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        bundle[MimeBundle.Html] = HtmlText.Block($"<h4>{HtmlText.Escape(Title)}</h4>" + Heatmap().ToHtml());
    }

    public override string ToString()
    {
        // The first and last logged steps per layer: enough to read the trend in text.
        var rows = Layers.Select((l, i) => (IReadOnlyList<string>)[l, HtmlText.Number(Values[i][0]), HtmlText.Number(Values[i][^1])]).ToList();
        return Title + "\n" + TextTable.Render([PerParameter ? "parameter" : "layer", $"step {Steps[0]}", $"step {Steps[^1]}"], rows, ColumnAlignment.NumbersRight);
    }
}
