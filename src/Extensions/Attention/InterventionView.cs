using System.Globalization;
using System.Text;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Interpretability;
using ArchNotebooks.Library.Reporting;

namespace ArchNotebooks.Extensions.Attention;

/// <summary>
/// Shows an <see cref="InterventionResult"/>: the components sorted by the change their intervention
/// caused, each with its confidence interval over test batches, and a layers × heads heatmap of the head effects.
/// </summary>
[TypeFormatterSource(typeof(ArchTypeFormatterSource), PreferredMimeTypes = [MimeBundle.Html, MimeBundle.PlainText])]
public sealed class InterventionView(InterventionResult result, string model) : IMimeRenderable
{
    public InterventionResult Result { get; } = result;

    static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>What the change column means for this method.</summary>
    string ChangeName => Result.Method == "activation patching" ? "restored" : "drop";

    string Title => $"{char.ToUpperInvariant(Result.Method[0])}{Result.Method[1..]} of {model}: {Result.MetricName} {ChangeName} per component over {Result.Batches} test batches";

    string Baseline => Result.Corrupted is { } c
        ? $"{Result.MetricName}: clean {F(Result.Baseline)}, corrupted {F(c)} (each example's input swapped with another's); restored = patched − corrupted"
        : $"{Result.MetricName} without intervention: {F(Result.Baseline)}; drop = baseline − ablated" + (Result.HigherIsBetter ? "" : " with the sign turned so that positive means worse");

    IReadOnlyList<IReadOnlyList<string>> Rows() => Result.Effects.Select(e => (IReadOnlyList<string>)
        [e.Target.Name, F(e.Metric), F(e.Change), $"[{F(e.Interval.Low)}, {F(e.Interval.High)}]"]).ToList();

    string[] Header => ["component", Result.MetricName, ChangeName, "95% CI"];

    public override string ToString()
    {
        var sb = new StringBuilder(Title).Append('\n').Append(Baseline).Append('\n');
        sb.Append(TextTable.Render(Header, Rows()));
        return sb.ToString();
    }

    /// <summary>Attention modules (rows) × heads (columns), coloured by the change; null when no heads were tested.</summary>
    public Figure? HeadFigure()
    {
        var (modules, grid) = Result.HeadGrid();
        if (modules.Count == 0) return null;
        int heads = grid.Max(r => r.Length);
        var z = grid.Select(r => (IReadOnlyList<double>)Enumerable.Range(0, heads).Select(h => h < r.Length ? r[h] : 0).ToList()).ToList();
        double extent = Math.Max(1e-9, z.SelectMany(r => r).Select(Math.Abs).DefaultIfEmpty(0).Max());
        var heatmap = new Heatmap(z)
        {
            XLabels = Enumerable.Range(0, heads).Select(h => $"head {h}").ToList(),
            YLabels = modules.Select(m => m.Length == 0 ? "(model)" : m).ToList(),
            HoverText = z.Select((row, l) => (IReadOnlyList<string>)row.Select((v, h) => $"{modules[l]} head {h}\n{ChangeName} {F(v)}").ToList()).ToList(),
            Colorscale = Colorscale.RedBlue, ZMin = -extent, ZMax = extent, ColorbarTitle = ChangeName,
        };
        return new Figure([heatmap], new Layout
        {
            Title = $"{Result.Method}: {Result.MetricName} {ChangeName} per head", Height = 140 + 40 * modules.Count, Width = 420 + 60 * heads,
            XAxes = [new Axis { Title = "head", ShowGrid = false }], YAxes = [new Axis { Title = "attention", Reversed = true, ShowGrid = false }],
            Margin = (220, 40, 60, 60),
        });
    }

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var html = new StringBuilder($"<h4>{HtmlText.Escape(Title)}</h4><div class=\"archnb-meta\">{HtmlText.Escape(Baseline)}</div>");
        html.Append(HtmlText.Table(Header, Rows().Select(r => r.Select(HtmlText.Escape))));
        if (HeadFigure() is { } figure) html.Append(figure.ToHtml());
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }
}
