using System.Globalization;
using System.Text;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Analysis;
using ArchNotebooks.Library.Reporting;

namespace ArchNotebooks.Extensions.Analysis;

/// <summary>A <see cref="SpectrumReport"/>: layers × frequency power, each layer's dominant frequency and high-frequency share, and the weights' singular values.</summary>
public sealed record SpectrumView(SpectrumReport Report) : IMimeRenderable
{
    string Title => $"Spectra of {Report.Model} on {Report.InputShape}";

    static string F(double v) => HtmlText.Number(v, "0.###");

    const string LayerCaption = "share of each layer's fluctuation energy per frequency (cycles per sample along the axis, mean removed, averaged over the batch and other axes); " +
        "high share: energy above 0.25 cycles per sample";
    const string WeightCaption = "σ: singular values of each weight (flattened to [out, in]); stable rank Σσ²/σ₁²; effective rank exp(entropy of σ/Σσ)";

    IReadOnlyList<IReadOnlyList<string>> LayerRows() => Report.Layers.Select(l => (IReadOnlyList<string>)
        [l.Path, l.Type, l.Axis.ToString(CultureInfo.InvariantCulture), l.Length.ToString(CultureInfo.InvariantCulture), F(l.Dominant), (l.HighFrequencyShare).ToString("0.0%", CultureInfo.InvariantCulture)]).ToList();

    IReadOnlyList<IReadOnlyList<string>> WeightRows() => Report.Weights.Select(w => (IReadOnlyList<string>)
        [w.Name, "[" + string.Join(", ", w.Shape) + "]", HtmlText.Number(w.SingularValues.FirstOrDefault(double.NaN)), HtmlText.Number(w.SingularValues.LastOrDefault(double.NaN)),
         HtmlText.Number(w.StableRank, "0.00"), HtmlText.Number(w.EffectiveRank, "0.00")]).ToList();

    static readonly string[] LayerHeader = ["layer", "type", "axis", "length", "dominant frequency", "high share"];
    static readonly string[] WeightHeader = ["weight", "shape", "σ max", "σ min", "stable rank", "effective rank"];

    /// <summary>Layers × frequency, one row per layer; layers of different lengths share the axis of cycles per sample.</summary>
    public Figure PowerHeatmap()
    {
        var freqs = Report.Layers.SelectMany(l => l.Frequencies).Distinct().Order().ToList();
        var z = Report.Layers.Select(l => (IReadOnlyList<double>)freqs.Select(f =>
        {
            int i = Array.IndexOf(l.Frequencies, f);
            return i < 0 ? double.NaN : l.Power[i];
        }).ToList()).ToList();
        return new Figure([new Heatmap(z) { XLabels = freqs.Select(f => f.ToString("0.###", CultureInfo.InvariantCulture)).ToList(), YLabels = Report.Layers.Select(l => l.Path).ToList(), ColorbarTitle = "share" }],
            new Layout
            {
                Title = "Power spectrum of each layer's output (share of energy per frequency)", Height = Math.Max(260, 60 + 22 * Report.Layers.Count), ShowLegend = false,
                Margin = (160, 20, 50, 50), XAxes = [new Axis { Title = "cycles per sample", Type = "category" }], YAxes = [new Axis { Reversed = true, Type = "category" }],
            });
    }

    /// <summary>Each weight's singular values divided by its largest, by rank (log scale): a flat line is a well-spread matrix, a cliff a low-rank one.</summary>
    public Figure SingularValues() => new(Report.Weights.Where(w => w.SingularValues.Length > 0 && w.SingularValues[0] > 0).Select(w => (Trace)new Scatter(
            Enumerable.Range(1, w.SingularValues.Length).Select(i => (double)i).ToList(), w.SingularValues.Select(s => s / w.SingularValues[0]).ToList()) { Name = w.Name, Mode = "lines+markers" }).ToList(),
        new Layout
        {
            Title = "Singular values of each weight, relative to the largest", Height = 360,
            XAxes = [new Axis { Title = "rank" }], YAxes = [new Axis { Title = "σ / σ max", Type = "log" }],
        });

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var html = new StringBuilder($"<h4>{HtmlText.Escape(Title)}</h4>");
        if (Report.Layers.Count > 0)
        {
            html.Append(HtmlText.Table(LayerHeader, LayerRows().Select(r => (IEnumerable<string>)[$"<code>{HtmlText.Escape(r[0])}</code>", .. r.Skip(1).Select(HtmlText.Escape)]), LayerCaption));
            html.Append(PowerHeatmap().ToHtml());
        }
        else html.Append("<div class=\"archnb-note\">no layer output has an axis of 4 or more samples to transform</div>");
        if (Report.Weights.Count > 0)
        {
            html.Append(HtmlText.Table(WeightHeader, WeightRows().Select(r => (IEnumerable<string>)[$"<code>{HtmlText.Escape(r[0])}</code>", .. r.Skip(1).Select(HtmlText.Escape)]), WeightCaption));
            html.Append(SingularValues().ToHtml());
        }
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    public override string ToString() =>
        Title + "\n" + TextTable.Render(LayerHeader, LayerRows(), ColumnAlignment.NumbersRight) + "\n" + LayerCaption + "\n\n"
        + TextTable.Render(WeightHeader, WeightRows(), ColumnAlignment.NumbersRight) + "\n" + WeightCaption;
}
