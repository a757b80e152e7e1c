using ArchNotebooks.Library.Tasks;

namespace ArchNotebooks.Library.Studies;

/// <summary>A confidence interval for the mean.</summary>
public readonly record struct ConfidenceInterval(double Low, double High, double Level)
{
    public bool Contains(double value) => value >= Low && value <= High;
    public override string ToString() => $"[{Low:G4}, {High:G4}]";
}

/// <summary>Welch's two-sample t-test (unequal variances): t, Welch–Satterthwaite degrees of freedom, two-sided p.</summary>
public readonly record struct WelchTTest(double T, double DegreesOfFreedom, double PValue);

/// <summary>The statistics ablation papers report over seeds (Colas et al., 2018; Agarwal et al., 2021).</summary>
public static class Statistics
{
    public static double Mean(IReadOnlyList<double> xs) => xs.Count == 0 ? double.NaN : xs.Sum() / xs.Count;

    /// <summary>Sample variance (n − 1 in the denominator, numpy's ddof=1); NaN below two samples.</summary>
    public static double SampleVariance(IReadOnlyList<double> xs)
    {
        if (xs.Count < 2) return double.NaN;
        double mean = Mean(xs), sum = 0;
        foreach (var x in xs) sum += (x - mean) * (x - mean);
        return sum / (xs.Count - 1);
    }

    /// <summary>Sample standard deviation (n − 1): what "mean ± std over seeds" reports here.</summary>
    public static double SampleStd(IReadOnlyList<double> xs) => Math.Sqrt(SampleVariance(xs));

    /// <summary>Standard error of the mean, sample std / √n.</summary>
    public static double StandardError(IReadOnlyList<double> xs) => SampleStd(xs) / Math.Sqrt(xs.Count);

    /// <summary>
    /// Percentile bootstrap interval for the mean: <paramref name="resamples"/> resamples with
    /// replacement from a seeded generator, and the (1−level)/2 and (1+level)/2 quantiles of their
    /// means with linear interpolation (numpy's default, as scipy.stats.bootstrap(method='percentile')).
    /// </summary>
    public static ConfidenceInterval BootstrapCI(IReadOnlyList<double> xs, double level = 0.95, int resamples = 10_000, long seed = 0)
    {
        if (level <= 0 || level >= 1) throw new ArgumentOutOfRangeException(nameof(level), level, "the level must be in (0, 1)");
        if (xs.Count == 0) return new ConfidenceInterval(double.NaN, double.NaN, level);
        var rng = new Rng(seed);
        var means = new double[resamples];
        int n = xs.Count;
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += xs[rng.Next(n)];
            means[r] = sum / n;
        }
        Array.Sort(means);
        return new ConfidenceInterval(Quantile(means, (1 - level) / 2), Quantile(means, (1 + level) / 2), level);
    }

    /// <summary>The q-quantile of sorted values with linear interpolation between order statistics.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        if (below >= sorted.Length - 1) return sorted[^1];
        return sorted[below] + (position - below) * (sorted[below + 1] - sorted[below]);
    }

    /// <summary>Welch's t-test of a against b (two-sided). With zero variance in both, p is 1 for equal means and 0 otherwise.</summary>
    public static WelchTTest Welch(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count < 2 || b.Count < 2) return new WelchTTest(double.NaN, double.NaN, double.NaN);
        double va = SampleVariance(a) / a.Count, vb = SampleVariance(b) / b.Count;
        double diff = Mean(a) - Mean(b), se2 = va + vb;
        if (se2 == 0) return diff == 0 ? new WelchTTest(0, double.NaN, 1) : new WelchTTest(Math.Sign(diff) * double.PositiveInfinity, double.NaN, 0);
        double t = diff / Math.Sqrt(se2);
        double df = se2 * se2 / (va * va / (a.Count - 1) + vb * vb / (b.Count - 1));
        return new WelchTTest(t, df, SpecialFunctions.StudentTTwoSidedTail(t, df));
    }

    /// <summary>(variant − baseline) / |baseline|: the raw relative change.</summary>
    public static double RelativeChange(double variant, double baseline) => (variant - baseline) / Math.Abs(baseline);

    /// <summary>Relative change signed so that positive means better (negated for lower-is-better metrics such as loss).</summary>
    public static double RelativeImprovement(double variant, double baseline, bool higherIsBetter) =>
        higherIsBetter ? RelativeChange(variant, baseline) : -RelativeChange(variant, baseline);
}
