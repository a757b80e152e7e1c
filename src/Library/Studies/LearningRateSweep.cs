using System.Globalization;
using System.Text;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Reporting;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Studies;

/// <summary>Learning rates spaced evenly in log between <see cref="Low"/> and <see cref="High"/>, both included.</summary>
public sealed record LearningRateGrid(double Low, double High, int Points = 5)
{
    /// <summary>The rates, lowest first; one point when the bounds are equal.</summary>
    public IReadOnlyList<double> Rates
    {
        get
        {
            Validate();
            if (Low == High || Points == 1) return [Low];
            double a = Math.Log(Low), b = Math.Log(High);
            // Rounded to 3 significant digits, so the rates read as typed (1e-3, not 0.0009999999).
            return Enumerable.Range(0, Points).Select(i => Round3(Math.Exp(a + (b - a) * i / (Points - 1)))).ToList();
        }
    }

    /// <summary>Parses "1e-4..1e-2" (the bounds) and a number of points.</summary>
    public static LearningRateGrid Parse(string text, int points = 5)
    {
        var parts = text.Split("..", StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var low)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var high))
            throw new FormatException($"expected a range of learning rates such as 1e-4..1e-2, got '{text}'");
        var grid = new LearningRateGrid(low, high, points);
        grid.Validate();
        return grid;
    }

    internal void Validate()
    {
        if (!(Low > 0) || !double.IsFinite(High) || !(High >= Low))
            throw new ArgumentException($"learning rates need 0 < low <= high, got {Low}..{High}");
        if (Points < 1) throw new ArgumentException($"a learning-rate sweep needs at least one point, got {Points}");
    }

    static double Round3(double x) => double.Parse(x.ToString("G3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}

/// <summary>One learning rate of a sweep: the validation metric of each seed.</summary>
public sealed record LearningRatePoint(double LearningRate, IReadOnlyList<double> Values)
{
    /// <summary>The mean over seeds; a seed that diverged (NaN or infinite) makes it NaN, so it never wins.</summary>
    public double Mean => Values.Count == 0 || Values.Any(v => !double.IsFinite(v)) ? double.NaN : Statistics.Mean(Values);
}

/// <summary>A learning-rate sweep of one variant: every rate's validation metric and the best rate.</summary>
public sealed record LearningRateSweepResult(string Variant, MetricSpec Metric, IReadOnlyList<LearningRatePoint> Points, bool Interrupted)
{
    /// <summary>The rate with the best mean validation metric (NaN means lost; null when no rate finished).</summary>
    public double? BestLearningRate =>
        Points.Where(p => !double.IsNaN(p.Mean)).OrderBy(p => Metric.HigherIsBetter ? -p.Mean : p.Mean).Select(p => (double?)p.LearningRate).FirstOrDefault();
}

/// <summary>The best learning rate of every variant, found on the validation split (never test).</summary>
public sealed record LearningRateTuning(string Name, string Task, IReadOnlyList<LearningRateSweepResult> Variants, bool Interrupted)
{
    public LearningRateSweepResult this[string variant] => Variants.Single(v => v.Variant == variant);

    /// <summary>Each variant's best rate (variants whose every rate diverged are left out).</summary>
    public IReadOnlyDictionary<string, double> Best =>
        Variants.Where(v => v.BestLearningRate is not null).ToDictionary(v => v.Variant, v => v.BestLearningRate!.Value);

    public override string ToString()
    {
        var metric = Variants.Count > 0 ? Variants[0].Metric : new MetricSpec("validation_loss", false);
        var rates = Variants.SelectMany(v => v.Points.Select(p => p.LearningRate)).Distinct().Order().ToList();
        var seeds = Variants.SelectMany(v => v.Points.Select(p => p.Values.Count)).Distinct().ToList();
        var sb = new StringBuilder($"{Name} on {Task}: learning rate by mean {metric.Name} over {string.Join("/", seeds)} seeds " +
                                   $"({(metric.HigherIsBetter ? "higher" : "lower")} is better; — diverged or not run; * best)\n");
        var header = new[] { "variant", "best lr" }.Concat(rates.Select(r => "lr " + Number(r))).ToList();
        var cells = Variants.Select(v => (IReadOnlyList<string>)new[] { v.Variant, v.BestLearningRate is { } b ? Number(b) : "—" }
            .Concat(rates.Select(r => v.Points.FirstOrDefault(p => p.LearningRate == r) is { } p
                ? (double.IsNaN(p.Mean) ? "—" : p.Mean.ToString("G4", CultureInfo.InvariantCulture)) + (p.LearningRate == v.BestLearningRate ? " *" : "")
                : "—")).ToList()).ToList();
        sb.Append(TextTable.Render(header, cells));
        if (Interrupted) sb.Append("\nINTERRUPTED: some rates were not tried");
        return sb.ToString();
    }

    static string Number(double x) => x.ToString("G3", CultureInfo.InvariantCulture);
}

/// <summary>
/// A small learning-rate sweep: every rate of a <see cref="LearningRateGrid"/> trains a fresh model over a
/// few seeds and is scored on the validation split alone, so choosing the rate never reads the test split.
/// Tuning the baseline and every variant the same way keeps an ablation fair: an untuned baseline makes
/// any change look better than it is.
/// </summary>
public static class LearningRateSweep
{
    /// <summary>What the sweep ranks by: the validation loss.</summary>
    public static readonly MetricSpec Metric = new("validation_loss", false);

    /// <summary>The training of one sweep run: the rate, and validation as the only evaluated split (once, at the end).</summary>
    public static TrainConfig ForRate(TrainConfig training, double lr) => training with
    {
        LearningRate = lr, EvalSplits = [Split.Validation], EvalEvery = 0, EarlyStopping = null,
    };

    /// <summary>Sweeps one config; each run is logged as variant "<paramref name="variant"/> lr=…" of <paramref name="group"/>.</summary>
    public static LearningRateSweepResult Run<TConfig>(string group, string variant, TConfig config, Func<TConfig, Module<Tensor, Tensor>> model,
        ISyntheticTask task, TrainConfig training, LearningRateGrid grid, IReadOnlyList<long> seeds, IExperimentLog? log = null,
        string? family = null, Device? device = null, CancellationToken cancellation = default)
    {
        if (seeds.Count == 0) throw new ArgumentException("a learning-rate sweep needs at least one seed");
        var points = new List<LearningRatePoint>();
        foreach (var lr in grid.Rates)
        {
            var (runs, stopped) = SeedRunner.Run(group, $"{variant} lr={lr.ToString("G3", CultureInfo.InvariantCulture)}", config, model, task,
                ForRate(training, lr), seeds, log, family, device, cancellation);
            if (runs.Count == seeds.Count) points.Add(new LearningRatePoint(lr, runs.Select(r => r.Metrics.GetValueOrDefault(Metric.Name, double.NaN)).ToList()));
            if (stopped) return new LearningRateSweepResult(variant, Metric, points, true);
        }
        return new LearningRateSweepResult(variant, Metric, points, false);
    }
}
