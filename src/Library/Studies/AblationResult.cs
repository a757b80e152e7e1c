using System.Globalization;
using ArchNotebooks.Library.Reporting;

namespace ArchNotebooks.Library.Studies;

/// <summary>One variant's runs over the seeds.</summary>
public sealed record VariantResult(string Name, object Config, bool IsBaseline, IReadOnlyList<SeedRun> Runs)
{
    /// <summary>The metric's value for each seed, in seed order (seeds lacking it are skipped).</summary>
    public double[] Values(string metric) =>
        Runs.Where(r => r.Metrics.ContainsKey(metric)).Select(r => r.Metrics[metric]).ToArray();
}

/// <summary>Everything an ablation study produced; <see cref="Table"/> turns one metric into the paper-style table.</summary>
public sealed record AblationResult(string Name, string Task, IReadOnlyList<VariantResult> Variants, IReadOnlyList<MetricSpec> Metrics,
    bool Interrupted, int BootstrapResamples, long BootstrapSeed)
{
    public VariantResult Baseline => Variants[0];
    /// <summary>The learning rate each variant trained with (its tuned one after <see cref="AblationStudy{T}.TuneLearningRates"/>).</summary>
    public IReadOnlyDictionary<string, double> LearningRates { get; init; } = new Dictionary<string, double>();
    /// <summary>The sweep that chose the learning rates, when the study was tuned.</summary>
    public LearningRateTuning? Tuning { get; init; }
    public VariantResult this[string variant] => Variants.Single(v => v.Name == variant);

    /// <summary>The table for a metric (by default the study's headline metric).</summary>
    public AblationTable Table(MetricSpec? metric = null)
    {
        var m = metric ?? Metrics[0];
        var baseline = Baseline.Values(m.Name);
        double baseMean = Statistics.Mean(baseline);
        var rows = Variants.Select(v =>
        {
            var values = v.Values(m.Name);
            double mean = Statistics.Mean(values);
            return new AblationRow(v.Name, v.IsBaseline, values, mean, Statistics.SampleStd(values),
                Statistics.BootstrapCI(values, 0.95, BootstrapResamples, BootstrapSeed),
                v.IsBaseline ? null : Statistics.RelativeImprovement(mean, baseMean, m.HigherIsBetter),
                v.IsBaseline ? null : Statistics.Welch(values, baseline));
        }).ToList();
        // Every variant is compared with the baseline: Holm's correction over those comparisons.
        var adjusted = MultipleComparisons.HolmBonferroni(rows.Select(r => r.VsBaseline?.PValue ?? double.NaN).ToList());
        rows = rows.Select((r, i) => r with { AdjustedPValue = r.IsBaseline ? null : adjusted[i] }).ToList();
        var best = rows.Where(r => !double.IsNaN(r.Mean)).DefaultIfEmpty().MaxBy(r => r is null ? 0 : m.HigherIsBetter ? r.Mean : -r.Mean);
        // "Best" is a claim: only when it survives the correction (a variant significantly better than the
        // baseline, or a baseline significantly better than every variant).
        bool earned = best is not null && (best.IsBaseline
            ? rows.Count > 1 && rows.Where(r => !r.IsBaseline).All(r => r.Significant(Alpha))
            : best.Significant(Alpha) && best.RelativeImprovement > 0);
        return new AblationTable(Name, Task, m, rows.Select(r => ReferenceEquals(r, best) ? r with { IsBest = true, IsSignificantlyBest = earned } : r).ToList(), BootstrapResamples, Interrupted);
    }

    /// <summary>Significance level of the table's verdicts (on Holm-adjusted p-values).</summary>
    public const double Alpha = 0.05;

    /// <summary>One table per metric the study recorded, the headline metric first.</summary>
    public IReadOnlyList<AblationTable> Tables() => Metrics.Select(m => Table(m)).ToList();

    /// <summary>Each variant's learning rate, said when they were tuned (null otherwise): the table compares variants at their own rates.</summary>
    public string? LearningRateNote => Tuning is null ? null :
        "learning rates tuned on the validation split: " + string.Join(", ", Variants.Select(v =>
            $"{v.Name} {LearningRates.GetValueOrDefault(v.Name, double.NaN).ToString("G3", CultureInfo.InvariantCulture)}"));

    public override string ToString() => string.Join("\n\n", Metrics.Select(m => Table(m).ToText())) + (LearningRateNote is { } note ? "\n" + note : "");
}

/// <summary>
/// One row: the metric over seeds as mean ± sample std, a 95% percentile-bootstrap CI of the mean,
/// the relative change vs the baseline signed so that positive is better, Welch's t-test against the
/// baseline, and its p-value after Holm's correction over all the table's comparisons.
/// </summary>
public sealed record AblationRow(string Variant, bool IsBaseline, IReadOnlyList<double> Values, double Mean, double Std,
    ConfidenceInterval CI, double? RelativeImprovement, WelchTTest? VsBaseline, bool IsBest = false)
{
    public int N => Values.Count;
    /// <summary>The best mean that is also significant after the correction: the only row marked ▲ (IsBest alone is just the highest mean).</summary>
    public bool IsSignificantlyBest { get; init; }
    /// <summary>Welch's p adjusted by Holm–Bonferroni over every variant of the table (null for the baseline; NaN when undefined).</summary>
    public double? AdjustedPValue { get; init; }
    /// <summary>Different from the baseline at <paramref name="alpha"/> after the correction for comparing several variants.</summary>
    public bool Significant(double alpha = 0.05) => AdjustedPValue is { } p && p < alpha;
    /// <summary>Different at <paramref name="alpha"/> on the raw, uncorrected p (shown beside the adjusted one, never used for verdicts).</summary>
    public bool SignificantUncorrected(double alpha = 0.05) => VsBaseline is { } t && t.PValue < alpha;
}

/// <summary>An ablation table for one metric, renderable as plain text (HTML lives in the notebook layer).</summary>
public sealed record AblationTable(string Study, string Task, MetricSpec Metric, IReadOnlyList<AblationRow> Rows, int BootstrapResamples, bool Interrupted)
{
    public AblationRow this[string variant] => Rows.Single(r => r.Variant == variant);

    public string Caption
    {
        get
        {
            var seeds = Rows.Select(r => r.N).Distinct().ToList();
            string n = seeds.Count == 1 ? seeds[0].ToString(CultureInfo.InvariantCulture) : string.Join("/", seeds);
            return $"{Study} on {Task}: {Metric.Name} ({(Metric.HigherIsBetter ? "higher" : "lower")} is better), mean ± sample std over {n} seeds; " +
                   $"95% CI: percentile bootstrap of the mean ({BootstrapResamples:N0} resamples); Δ: change vs baseline, + is better; " +
                   "p: Welch's t-test vs baseline; p (Holm): adjusted for the table's comparisons (Holm–Bonferroni; * below 0.05); " +
                   "▲ best, only when significant after adjustment" + (Interrupted ? "; INTERRUPTED, some runs missing" : "");
        }
    }

    /// <summary>A fixed-width text table with the caption above it.</summary>
    public string ToText()
    {
        static string F(double v) => double.IsNaN(v) ? "—" : v.ToString("G4", CultureInfo.InvariantCulture);
        static string P(double p) => double.IsNaN(p) ? "—" : p.ToString("0.0000", CultureInfo.InvariantCulture);
        var header = new[] { "variant", "n", "mean ± std", "95% CI", "Δ", "p", "p (Holm)" };
        var cells = Rows.Select(r => (IReadOnlyList<string>)
        [
            (r.IsSignificantlyBest ? "▲ " : "  ") + r.Variant,
            r.N.ToString(CultureInfo.InvariantCulture),
            $"{F(r.Mean)} ± {F(r.Std)}",
            $"[{F(r.CI.Low)}, {F(r.CI.High)}]",
            r.RelativeImprovement is { } d ? d.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture) : "—",
            r.VsBaseline is { } t ? P(t.PValue) : "—",
            r.AdjustedPValue is { } a ? P(a) + (a < AblationResult.Alpha ? " *" : "") : "—",
        ]).ToList();
        return Caption + "\n" + TextTable.Render(header, cells) + "\n" + string.Join("\n", Conclusions());
    }

    /// <summary>One line per variant: better, worse or indistinguishable from the baseline, judged on the Holm-adjusted p.</summary>
    public IEnumerable<string> Conclusions()
    {
        foreach (var r in Rows.Where(r => !r.IsBaseline))
        {
            string p = r.AdjustedPValue is { } a && !double.IsNaN(a) ? a.ToString("0.0000", CultureInfo.InvariantCulture) : "undefined";
            string change = r.RelativeImprovement is { } d && double.IsFinite(d) ? Math.Abs(d).ToString("0.0%", CultureInfo.InvariantCulture) : "?";
            yield return r.Significant(AblationResult.Alpha)
                ? $"{r.Variant}: {(r.RelativeImprovement > 0 ? "better" : "worse")} than the baseline by {change} of {Metric.Name} (Holm-adjusted p = {p})"
                : $"{r.Variant}: no significant difference from the baseline (Holm-adjusted p = {p}{(r.N < 2 ? "; fewer than 2 seeds" : "")})";
        }
    }

    public override string ToString() => ToText();
}
