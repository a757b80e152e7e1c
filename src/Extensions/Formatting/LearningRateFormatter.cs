using System.Globalization;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Studies;

namespace ArchNotebooks.Extensions.Formatting;

/// <summary>A learning-rate tuning: one row per variant, its best rate, and the validation metric at every rate tried.</summary>
public static class LearningRateFormatter
{
    public static void Write(LearningRateTuning tuning, MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = tuning.ToString();
        var rates = tuning.Variants.SelectMany(v => v.Points.Select(p => p.LearningRate)).Distinct().Order().ToList();
        var metric = tuning.Variants.FirstOrDefault()?.Metric.Name ?? LearningRateSweep.Metric.Name;
        var rows = tuning.Variants.Select(v => (IEnumerable<string>)new[] { HtmlText.Escape(v.Variant), v.BestLearningRate is { } b ? Rate(b) : "—" }
            .Concat(rates.Select(r => v.Points.FirstOrDefault(p => p.LearningRate == r) is { } p
                ? (r == v.BestLearningRate ? $"<b>{HtmlText.Number(p.Mean)}</b>" : HtmlText.Number(p.Mean)) : "—")));
        var html = HtmlText.Table(new[] { "variant", "best lr" }.Concat(rates.Select(r => "lr " + Rate(r))), rows,
            caption: $"{HtmlText.Escape(tuning.Name)} on {HtmlText.Escape(tuning.Task)}: mean {metric} over seeds (validation split; lower is better; best in bold)");
        if (tuning.Interrupted) html += "<div class=\"worse\">Interrupted: some rates were not tried, and no variant's rate was changed.</div>";
        bundle[MimeBundle.Html] = HtmlText.Block(html);
    }

    static string Rate(double lr) => lr.ToString("G3", CultureInfo.InvariantCulture);
}
