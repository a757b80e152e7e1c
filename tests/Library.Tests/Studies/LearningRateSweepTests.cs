using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;

namespace Library.Tests.Studies;

/// <summary>The learning-rate sweep: a log-spaced grid, scored on validation only, and tuned rates carried into an ablation.</summary>
public class LearningRateSweepTests
{
    [Fact]
    public void The_grid_is_log_spaced_with_both_bounds_and_bad_ranges_are_refused()
    {
        Assert.Equal(new[] { 1e-4, 1e-3, 1e-2 }, LearningRateGrid.Parse("1e-4..1e-2", points: 3).Rates);
        Assert.Equal(new[] { 1e-3, 3.16e-3, 1e-2, 3.16e-2, 0.1 }, LearningRateGrid.Parse("1e-3 .. 0.1").Rates);
        Assert.Equal(new[] { 3e-3 }, new LearningRateGrid(3e-3, 3e-3).Rates);
        Assert.Contains("such as 1e-4..1e-2", Assert.Throws<FormatException>(() => LearningRateGrid.Parse("1e-4-1e-2")).Message);
        Assert.Contains("0 < low <= high", Assert.Throws<ArgumentException>(() => LearningRateGrid.Parse("1e-2..1e-4")).Message);
        Assert.Contains("0 < low <= high", Assert.Throws<ArgumentException>(() => LearningRateGrid.Parse("0..1e-2")).Message);
    }

    [Fact]
    public void Tuning_reads_only_validation_picks_the_lowest_mean_loss_and_the_ablation_trains_at_each_variants_rate()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        var baseline = new DeepSetsConfig(Hidden: 16).For(task);
        var training = new TrainConfig { Steps = 15, EvalEvery = 0, BatchSize = 16, EvalBatches = 1, EvalBatchSize = 64, LogEvery = 5 };
        var study = Ablation.Of("tuned", baseline, task, training)
            .AddRecipe("sgd", t => t with { Optimizer = OptimizerKind.SGD });
        study.Seeds = new long[] { 0, 1 };
        var log = new InMemoryExperimentLog();
        var grid = new LearningRateGrid(1e-4, 1e-1, Points: 4);
        var tuning = study.TuneLearningRates(grid, seeds: [0], log: log);

        Assert.False(tuning.Interrupted);
        Assert.Equal(new[] { "baseline", "sgd" }, tuning.Variants.Select(v => v.Variant));
        // 2 variants x 4 rates x 1 seed, each run scored on validation alone: the test split is never read while tuning.
        Assert.Equal(8, log.Runs.Count);
        Assert.All(log.Runs, r => Assert.Contains("validation_loss", r.FinalMetrics.Keys));
        Assert.All(log.Runs, r => Assert.DoesNotContain(r.FinalMetrics.Keys, k => k.StartsWith("test")));
        Assert.All(log.Runs, r => Assert.Equal("tuned-tune", r.Info.Group));
        foreach (var sweep in tuning.Variants)
        {
            Assert.Equal(grid.Rates, sweep.Points.Select(p => p.LearningRate));
            var best = sweep.Points.Where(p => !double.IsNaN(p.Mean)).MinBy(p => p.Mean)!;
            Assert.Equal(best.LearningRate, sweep.BestLearningRate);
            // The sweep's numbers are the logged runs' validation losses.
            var logged = log.Runs.Single(r => r.Info.Variant == $"{sweep.Variant} lr={best.LearningRate:G3}");
            Assert.Equal(best.Values.Single(), logged.FinalMetrics["validation_loss"]);
        }
        Assert.Equal(tuning.Best["baseline"], study.TrainingOf("baseline").LearningRate);
        Assert.Equal(tuning.Best["sgd"], study.TrainingOf("sgd").LearningRate);
        Assert.Equal(OptimizerKind.SGD, study.TrainingOf("sgd").Optimizer);   // tuning changes the rate, nothing else

        var ablationLog = new InMemoryExperimentLog();
        var result = study.Run(ablationLog);
        Assert.Same(tuning, result.Tuning);
        Assert.Equal(tuning.Best["sgd"], result.LearningRates["sgd"]);
        Assert.All(ablationLog.Runs, r => Assert.Equal(tuning.Best[r.Info.Variant], r.Info.Training!.LearningRate));
        Assert.Contains("learning rates tuned on the validation split: baseline", result.ToString());
        Assert.Matches(@"baseline\s+[\d.e-]+\s", tuning.ToString());
    }

    [Fact]
    public void A_rate_that_diverges_never_wins()
    {
        var diverged = new LearningRatePoint(10, [double.NaN, 0.1]);
        var fine = new LearningRatePoint(1e-3, [0.9, 1.1]);
        var sweep = new LearningRateSweepResult("baseline", LearningRateSweep.Metric, [diverged, fine], false);
        Assert.True(double.IsNaN(diverged.Mean));
        Assert.Equal(1e-3, sweep.BestLearningRate);
        Assert.Null(new LearningRateSweepResult("baseline", LearningRateSweep.Metric, [diverged], false).BestLearningRate);
    }
}
