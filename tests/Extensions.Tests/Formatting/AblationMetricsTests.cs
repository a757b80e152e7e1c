using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Studies;
using static ArchNotebooks.Extensions.Tests.Support.Samples;

namespace ArchNotebooks.Extensions.Tests.Formatting;

/// <summary>An ablation result shows every metric the study recorded, in text and HTML, with Holm-adjusted p-values and conclusions.</summary>
public class AblationMetricsTests
{
    static AblationResult TwoMetrics()
    {
        VariantResult Variant(string name, bool baseline, params double[] values) =>
            new(name, new { name }, baseline, values.Select((v, i) => new SeedRun(i, new Dictionary<string, double> { ["test_accuracy"] = v, ["test_loss"] = 2 - 2 * v }, 1000, Training(10))).ToList());
        return new AblationResult("two metrics", "parity",
        [
            Variant("baseline", true, 0.800, 0.810, 0.790, 0.805, 0.795),
            Variant("wider", false, 0.900, 0.910, 0.895, 0.905, 0.915),
            Variant("dropout", false, 0.805, 0.790, 0.815, 0.800, 0.792),
        ], [MetricSpec.TestAccuracy, MetricSpec.TestLoss], Interrupted: false, BootstrapResamples: 500, BootstrapSeed: 0);
    }

    [Fact]
    public void Text_and_html_show_every_metric_with_raw_and_adjusted_p_and_the_conclusions()
    {
        var result = TwoMetrics();
        var bundle = new MimeBundle();
        AblationFormatter.Write(result, bundle);
        var text = (string)bundle[MimeBundle.PlainText];
        var html = (string)bundle[MimeBundle.Html];
        foreach (var table in result.Tables())
        {
            Assert.Contains(table.ToText(), text);
            Assert.Contains(HtmlText.Escape($"{table.Study}: {table.Metric.Name}"), html);
            Assert.Contains(HtmlText.Escape(table.Caption), html);
            foreach (var line in table.Conclusions()) Assert.Contains("<li>" + HtmlText.Escape(line) + "</li>", html);
            var wider = table["wider"];
            Assert.Contains(wider.AdjustedPValue!.Value.ToString(wider.AdjustedPValue < 0.001 ? "0.0e+0" : "0.000", System.Globalization.CultureInfo.InvariantCulture) + " *", html);
        }
        Assert.Equal(2, html.Split("<th>p (Holm)</th>").Length - 1);
        // One seed figure, for the headline metric; the further metrics are tables.
        Assert.Contains("test_accuracy per seed (mean and 95% CI at right)", html);
        Assert.DoesNotContain("test_loss per seed", html);
    }
}
