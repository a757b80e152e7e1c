using System.Globalization;
using System.Text;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Training;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// What a training run ended with: why it stopped, final metrics, speed, where it was logged, and
/// (unless a live display above already shows them) its curves.
/// </summary>
public sealed record TrainingSummary(string Model, string Task, TrainingResult Result, string? RunId, string? RunLog, bool IncludeCurves = true) : IMimeRenderable
{
    public string Headline => $"{Model} on {Task}: {Result.Reason} after {Result.StepsCompleted:N0}/{Result.StepsPlanned:N0} steps" +
        (Result.Interrupted ? " (interrupted: partial results; the model keeps the last step's weights)" : "");

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var html = new StringBuilder("<h4>" + HtmlText.Escape(Headline) + "</h4>");
        html.Append(HtmlText.Table(["metric", "final"], Result.FinalMetrics.Select(m => (IEnumerable<string>)["<code>" + HtmlText.Escape(m.Key) + "</code>", HtmlText.Number(m.Value)])));
        html.Append("<div class=\"archnb-meta\">").Append(HtmlText.Escape(Details)).Append("</div>");
        if (IncludeCurves) html.Append(new TrainingCurves(Result, "").ToFigure().ToHtml());
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    string Details => string.Create(CultureInfo.InvariantCulture, $"{Result.WallTime.TotalSeconds:0.0} s, {Result.StepsPerSecond:0} steps/s") +
        (Result.PeakMemoryBytes is { } peak ? $", peak host memory {LayerSummary.Bytes(peak)}" : "") +
        (RunId is null ? "; not logged" : $"; logged as run {RunId} in {RunLog}");

    public override string ToString()
    {
        var lines = new List<string> { Headline };
        lines.AddRange(Result.FinalMetrics.Select(m => $"  {m.Key,-22}{HtmlText.Number(m.Value)}"));
        lines.Add("  " + Details);
        return string.Join("\n", lines);
    }
}
