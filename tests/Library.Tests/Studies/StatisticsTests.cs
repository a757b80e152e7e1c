using System.Text.Json.Nodes;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Studies;

namespace Library.Tests.Studies;

/// <summary>The same samples go to the C# statistics and to scipy (one python call for the whole class).</summary>
public sealed class ScipyCases
{
    public readonly double[][][] Welch;
    public readonly double[][] TCdf, Betainc, Bootstrap;
    public readonly double[] PowerN, PowerLoss, OffsetN, OffsetLoss;
    public readonly JsonNode Answers;

    public ScipyCases()
    {
        var rng = new Rng(2024);
        double[] Normal(int n, double mean, double sd) => Enumerable.Range(0, n).Select(_ => mean + sd * rng.NextGaussian()).ToArray();
        Welch = new[]
        {
            new[] { Normal(3, 0.90, 0.01), Normal(3, 0.85, 0.02) },     // the 3-seed case of an ablation table
            new[] { Normal(5, 1.00, 0.30), Normal(7, 1.10, 0.05) },     // unequal sizes and variances
            new[] { Normal(10, 0.0, 1.0), Normal(10, 0.05, 1.0) },      // p near 1
            new[] { Normal(8, 0.0, 0.1), Normal(6, 3.0, 0.2) },         // p of order 1e-8 and below
            new[] { Normal(4, 2.0, 1.0), Normal(30, 2.5, 3.0) },
        };
        TCdf = new[] { -40.0, -6, -2.5, -1, -0.1, 0, 0.3, 1.5, 3, 12 }
            .SelectMany(t => new[] { 1.0, 2.0, 2.7, 5.0, 13.4, 60.0, 1e4 }.Select(df => new[] { t, df })).ToArray();
        Betainc = new[]
        {
            new[] { 0.5, 0.5, 0.3 }, new[] { 2.0, 3.0, 0.9 }, new[] { 10.0, 0.5, 0.999 }, new[] { 0.5, 25.0, 1e-4 },
            new[] { 50.0, 60.0, 0.45 }, new[] { 1.0, 1.0, 0.123 }, new[] { 300.0, 0.5, 0.99 }, new[] { 3.3, 7.7, 0.5 },
        };
        Bootstrap = new[] { Normal(12, 0.8, 0.05), Normal(30, 2.0, 0.5), Normal(20, 0, 1).Select(Math.Exp).ToArray() };
        PowerN = new[] { 1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6 };
        PowerLoss = PowerN.Select(n => 5 * Math.Pow(n, -0.3) * Math.Exp(0.02 * rng.NextGaussian())).ToArray();
        OffsetN = new[] { 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 3e5, 1e6 };
        OffsetLoss = OffsetN.Select(n => 30 * Math.Pow(n, -0.35) + 0.5 + 0.003 * rng.NextGaussian()).ToArray();
        var offsetStart = PowerLaw.FitWithOffset(OffsetN, OffsetLoss);
        Answers = ScipyReference.Ask(new
        {
            welch = Welch, t_cdf = TCdf, betainc = Betainc, bootstrap = Bootstrap,
            power = new { n = PowerN, loss = PowerLoss },
            // curve_fit starts from a rounded version of our answer, so both search the same basin.
            offset = new { n = OffsetN, loss = OffsetLoss, p0 = new[] { Math.Round(offsetStart.A), Math.Round(offsetStart.B, 1), Math.Round(offsetStart.C, 1) } },
        });
    }
}

public class StatisticsTests(ScipyCases cases) : IClassFixture<ScipyCases>
{
    static double D(JsonNode? n) => n!.GetValue<double>();

    static void Close(double expected, double actual, double relative, double absolute, string what) =>
        Assert.True(Math.Abs(expected - actual) <= absolute + relative * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):E2})");

    [Fact]
    public void Welch_t_statistics_degrees_of_freedom_and_p_values_match_scipy()
    {
        for (int i = 0; i < cases.Welch.Length; i++)
        {
            var expected = cases.Answers["welch"]![i]!;
            var test = Statistics.Welch(cases.Welch[i][0], cases.Welch[i][1]);
            Close(D(expected["t"]), test.T, 1e-12, 1e-12, $"case {i} t");
            Close(D(expected["df"]), test.DegreesOfFreedom, 1e-12, 0, $"case {i} df");
            Close(D(expected["p"]), test.PValue, 1e-8, 1e-12, $"case {i} p");
        }
        Assert.True(D(cases.Answers["welch"]![3]!["p"]) < 1e-6, "one case has a small p-value");
        Assert.True(D(cases.Answers["welch"]![2]!["p"]) > 0.5, "one case has a p-value near 1");
    }

    [Fact]
    public void Student_t_cdf_and_incomplete_beta_match_scipy_to_1e_10()
    {
        for (int i = 0; i < cases.TCdf.Length; i++)
        {
            var (t, df) = (cases.TCdf[i][0], cases.TCdf[i][1]);
            Close(D(cases.Answers["t_cdf"]![i]), SpecialFunctions.StudentTCdf(t, df), 1e-10, 1e-14, $"t cdf({t}, {df})");
        }
        for (int i = 0; i < cases.Betainc.Length; i++)
        {
            var c = cases.Betainc[i];
            Close(D(cases.Answers["betainc"]![i]), SpecialFunctions.RegularizedIncompleteBeta(c[0], c[1], c[2]), 1e-10, 1e-15, $"I({c[0]}, {c[1]}, {c[2]})");
        }
        Assert.Equal(Math.Log(24), SpecialFunctions.LogGamma(5), 13);
        Assert.Equal(0.5 * Math.Log(Math.PI), SpecialFunctions.LogGamma(0.5), 13);
    }

    [Fact]
    public void Bootstrap_intervals_agree_with_scipy_within_resampling_noise()
    {
        for (int i = 0; i < cases.Bootstrap.Length; i++)
        {
            var x = cases.Bootstrap[i];
            Assert.Equal(D(cases.Answers["std"]![i]), Statistics.SampleStd(x), 12);
            var ci = Statistics.BootstrapCI(x, 0.95, 10_000, seed: 0);
            var reference = cases.Answers["bootstrap"]![i]!;
            // Two 10,000-resample Monte Carlo estimates of the same quantiles differ by about 3% of the
            // standard error; allow 15% of it.
            double tolerance = 0.15 * Statistics.StandardError(x);
            Close(D(reference[0]), ci.Low, 0, tolerance, $"sample {i} low");
            Close(D(reference[1]), ci.High, 0, tolerance, $"sample {i} high");
            Assert.True(ci.Contains(Statistics.Mean(x)));
            Assert.Equal(ci, Statistics.BootstrapCI(x, 0.95, 10_000, seed: 0));    // seeded: the same interval again
        }
    }

    [Fact]
    public void Power_law_fits_match_numpy_polyfit_and_scipy_curve_fit()
    {
        var fit = PowerLaw.Fit(cases.PowerN, cases.PowerLoss);
        var expected = cases.Answers["power"]!;
        Close(D(expected["a"]), fit.A, 1e-9, 0, "a");
        Close(D(expected["b"]), fit.B, 1e-9, 0, "b");
        Close(D(expected["r2"]), fit.RSquared, 1e-9, 0, "R²");
        Assert.InRange(fit.B, 0.27, 0.33);

        var offset = PowerLaw.FitWithOffset(cases.OffsetN, cases.OffsetLoss);
        var reference = cases.Answers["offset"]!;
        Close(D(reference["a"]), offset.A, 1e-5, 0, "a with offset");
        Close(D(reference["b"]), offset.B, 1e-5, 0, "b with offset");
        Close(D(reference["c"]), offset.C, 1e-5, 0, "c");
        Close(D(reference["r2"]), offset.RSquared, 1e-9, 0, "R² with offset");
        Assert.InRange(offset.C, 0.45, 0.55);
    }

    [Fact]
    public void Relative_change_is_signed_so_that_positive_is_better()
    {
        Assert.Equal(0.1, Statistics.RelativeImprovement(1.1, 1.0, higherIsBetter: true), 12);
        Assert.Equal(0.1, Statistics.RelativeImprovement(0.9, 1.0, higherIsBetter: false), 12);   // lower loss is better
        Assert.Equal(-0.5, Statistics.RelativeImprovement(1.5, 1.0, higherIsBetter: false), 12);
        Assert.Equal(1.0, Statistics.Welch(new[] { 1.0, 1.0 }, new[] { 1.0, 1.0 }).PValue);
        Assert.True(double.IsNaN(Statistics.Welch(new[] { 1.0 }, new[] { 1.0, 2.0 }).PValue));
    }
}

/// <summary>Holm–Bonferroni adjusted p-values: a textbook case, scipy's Welch p-values through an independent Python implementation, and its defining property.</summary>
public class MultipleComparisonTests(ScipyCases cases) : IClassFixture<ScipyCases>
{
    [Fact]
    public void Holm_adjusts_a_textbook_case_in_the_inputs_order()
    {
        // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04; the running maximum lifts the last to 0.06.
        var adjusted = MultipleComparisons.HolmBonferroni([0.01, 0.04, 0.03, 0.005]);
        Assert.Equal(new[] { 0.03, 0.06, 0.06, 0.02 }, adjusted.Select(p => Math.Round(p, 12)));
        // Capped at 1; an undefined test stays undefined and does not count among the comparisons.
        var capped = MultipleComparisons.HolmBonferroni([0.5, double.NaN, 0.3]);
        Assert.Equal(0.6, capped[2], 12);
        Assert.Equal(0.6, capped[0], 12);
        Assert.True(double.IsNaN(capped[1]));
        Assert.Equal(1.0, MultipleComparisons.HolmBonferroni([0.7, 0.6])[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => MultipleComparisons.HolmBonferroni([1.5]));
    }

    [Fact]
    public void Holm_matches_an_independent_implementation_on_scipys_welch_p_values()
    {
        var raw = cases.Answers["welch"]!.AsArray().Select(w => w!["p"]!.GetValue<double>()).ToArray();
        var expected = cases.Answers["holm"]!.AsArray().Select(p => p!.GetValue<double>()).ToArray();
        var adjusted = MultipleComparisons.HolmBonferroni(raw);
        for (int i = 0; i < raw.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - adjusted[i]) <= 1e-15 + 1e-12 * expected[i], $"case {i}: expected {expected[i]:R}, got {adjusted[i]:R}");
            Assert.True(adjusted[i] >= raw[i]);   // a correction never makes a result more significant
        }
    }

    [Fact]
    public void Rejecting_below_alpha_on_adjusted_p_is_holms_step_down_test()
    {
        var rng = new Rng(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var p = Enumerable.Range(0, 1 + rng.Next(8)).Select(_ => Math.Pow(rng.NextDouble(), 3)).ToArray();
            var adjusted = MultipleComparisons.HolmBonferroni(p);
            foreach (var alpha in new[] { 0.01, 0.05, 0.1 })
            {
                // The step-down test itself: smallest p first, the k-th against alpha / (m - k), stop at the first failure.
                var rejected = new bool[p.Length];
                var order = Enumerable.Range(0, p.Length).OrderBy(i => p[i]).ToList();
                for (int k = 0; k < order.Count && p[order[k]] <= alpha / (p.Length - k); k++) rejected[order[k]] = true;
                for (int i = 0; i < p.Length; i++)
                    Assert.Equal(rejected[i], adjusted[i] <= alpha);
            }
        }
    }
}
