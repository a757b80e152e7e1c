using System.Globalization;
using ArchNotebooks.Library.Reporting;

namespace ArchNotebooks.Library.Validation;

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
        var best = rows.Where(r => !double.IsNaN(r.Mean)).DefaultIfEmpty().MaxBy(r => r is null ? 0 : m.HigherIsBetter ? r.Mean : -r.Mean);
        return new AblationTable(Name, Task, m, rows.Select(r => r with { IsBest = ReferenceEquals(r, best) }).ToList(), BootstrapResamples, Interrupted);
    }

    public override string ToString() => string.Join("\n\n", Metrics.Select(m => Table(m).ToText()));
}

/// <summary>
/// One row: the metric over seeds as mean ± sample std, a 95% percentile-bootstrap CI of the mean,
/// the relative change vs the baseline signed so that positive is better, and Welch's t-test against the baseline.
/// </summary>
public sealed record AblationRow(string Variant, bool IsBaseline, IReadOnlyList<double> Values, double Mean, double Std,
    ConfidenceInterval CI, double? RelativeImprovement, WelchTTest? VsBaseline, bool IsBest = false)
{
    public int N => Values.Count;
    public bool Significant(double alpha = 0.05) => VsBaseline is { } t && t.PValue < alpha;
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
                   "p: Welch's t-test vs baseline (* p < 0.05); ▲ best" + (Interrupted ? "; INTERRUPTED, some runs missing" : "");
        }
    }

    /// <summary>A fixed-width text table with the caption above it.</summary>
    public string ToText()
    {
        static string F(double v) => double.IsNaN(v) ? "—" : v.ToString("G4", CultureInfo.InvariantCulture);
        var header = new[] { "variant", "n", "mean ± std", "95% CI", "Δ", "p" };
        var cells = Rows.Select(r => (IReadOnlyList<string>)
        [
            (r.IsBest ? "▲ " : "  ") + r.Variant,
            r.N.ToString(CultureInfo.InvariantCulture),
            $"{F(r.Mean)} ± {F(r.Std)}",
            $"[{F(r.CI.Low)}, {F(r.CI.High)}]",
            r.RelativeImprovement is { } d ? d.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture) : "—",
            r.VsBaseline is { } t ? (double.IsNaN(t.PValue) ? "—" : t.PValue.ToString("0.0000", CultureInfo.InvariantCulture) + (t.PValue < 0.05 ? " *" : "")) : "—",
        ]).ToList();
        return Caption + "\n" + TextTable.Render(header, cells);
    }

    public override string ToString() => ToText();
}
