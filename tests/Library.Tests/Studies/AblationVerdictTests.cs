using ArchNotebooks.Library.Studies;

namespace Library.Tests.Studies;

/// <summary>What an ablation table claims: verdicts and "best" on Holm-adjusted p-values, with the raw ones beside them.</summary>
public class AblationVerdictTests
{
    static AblationResult Result(params (string name, double[] values)[] variants) => new("verdicts", "parity",
        variants.Select((v, k) => new VariantResult(v.name, new { v.name }, k == 0,
            v.values.Select((x, i) => new SeedRun(i, new Dictionary<string, double> { ["test_accuracy"] = x, ["test_loss"] = 1 - x }, 1000, null!)).ToList())).ToList(),
        [MetricSpec.TestAccuracy, MetricSpec.TestLoss], Interrupted: false, BootstrapResamples: 500, BootstrapSeed: 0);

    static readonly double[] Baseline = [0.800, 0.810, 0.790, 0.805, 0.795];

    [Fact]
    public void A_variant_significant_only_before_correction_is_neither_best_nor_better()
    {
        var table = Result(("baseline", Baseline),
            ("lucky", [0.812, 0.808, 0.822, 0.801, 0.817]),
            ("same", [0.805, 0.790, 0.815, 0.800, 0.792]),
            ("also-same", [0.795, 0.812, 0.800, 0.790, 0.810])).Table();
        var lucky = table["lucky"];
        // Preconditions, so the case means what it says: p < 0.05 alone, not after three comparisons.
        Assert.InRange(lucky.VsBaseline!.Value.PValue, 0.01, 0.05);
        Assert.True(lucky.SignificantUncorrected());
        var raw = table.Rows.Skip(1).Select(r => r.VsBaseline!.Value.PValue).ToList();
        var holm = MultipleComparisons.HolmBonferroni(raw);
        Assert.Equal(holm, table.Rows.Skip(1).Select(r => r.AdjustedPValue!.Value));
        Assert.Equal(3 * raw[0], lucky.AdjustedPValue!.Value, 12);   // the smallest of three p-values is multiplied by 3
        Assert.False(lucky.Significant());
        Assert.True(lucky.IsBest);                 // the highest mean, as data
        Assert.False(lucky.IsSignificantlyBest);   // but no claim
        var text = table.ToText();
        Assert.DoesNotMatch(@"(?m)^▲ ", text);   // no row is marked (the caption still explains the mark)
        Assert.Contains("p (Holm)", text);
        Assert.Contains($"lucky: no significant difference from the baseline (Holm-adjusted p = {lucky.AdjustedPValue:0.0000})", text);
        Assert.Null(table["baseline"].AdjustedPValue);
    }

    [Fact]
    public void A_variant_that_survives_the_correction_is_marked_best_and_its_conclusion_says_better()
    {
        var table = Result(("baseline", Baseline),
            ("wider", [0.900, 0.910, 0.895, 0.905, 0.915]),
            ("no-norm", [0.600, 0.620, 0.610, 0.590, 0.605])).Table();
        Assert.True(table["wider"].IsSignificantlyBest);
        Assert.True(table["wider"].AdjustedPValue < 0.05);
        var text = table.ToText();
        Assert.Contains("▲ wider", text);
        Assert.Matches(@"wider: better than the baseline by 13\.\d% of test_accuracy \(Holm-adjusted p = 0\.\d{4}\)", text);
        Assert.Matches(@"no-norm: worse than the baseline by 24\.\d% of test_accuracy", text);
    }

    [Fact]
    public void A_baseline_is_best_only_when_every_variant_is_significantly_worse()
    {
        var clear = Result(("baseline", Baseline), ("no-norm", [0.600, 0.620, 0.610, 0.590, 0.605])).Table();
        Assert.True(clear["baseline"].IsSignificantlyBest);
        var murky = Result(("baseline", Baseline), ("no-norm", [0.600, 0.620, 0.610, 0.590, 0.605]), ("same", [0.799, 0.790, 0.815, 0.800, 0.792])).Table();
        Assert.True(murky["baseline"].IsBest);
        Assert.False(murky["baseline"].IsSignificantlyBest);
    }

    [Fact]
    public void Every_metric_of_the_study_has_a_table()
    {
        var result = Result(("baseline", Baseline), ("wider", [0.900, 0.910, 0.895, 0.905, 0.915]));
        Assert.Equal(["test_accuracy", "test_loss"], result.Tables().Select(t => t.Metric.Name));
        // Lower loss is better: the same runs are "better" on both metrics.
        Assert.Contains("wider: better than the baseline", string.Join("\n", result.Tables()[1].Conclusions()));
    }
}
