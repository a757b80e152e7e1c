using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Runs;

namespace Library.Tests.Studies;

public class AblationTests
{
    /// <summary>A config record for the test MLP: the ablation points are its width and whether it sees its input.</summary>
    public sealed record MlpConfig(int Width = 64, bool BlindToInput = false);

    static readonly SetMaxTask Task = new(digits: 6, size: 3);
    static readonly TrainConfig Training = new() { Steps = 200, BatchSize = 64, LearningRate = 3e-3, EvalEvery = 100, EvalBatchSize = 128, LogEvery = 10 };

    static AblationStudy<MlpConfig> Study() =>
        new AblationStudy<MlpConfig>("mlp-ablation", new MlpConfig(), c => new TaskMlp(Task, c.Width) { BlindToInput = c.BlindToInput }, Task, Training)
            { Seeds = new long[] { 0, 1, 2 }, Family = "mlp" }
            .Add("narrow", c => c with { Width = 4 })
            .Add("blind", c => c with { BlindToInput = true });

    [Fact]
    public void An_ablation_over_three_seeds_gives_a_table_and_is_logged_to_the_run_log()
    {
        var root = Path.Combine(Path.GetTempPath(), "archnb-ablation-tests", Guid.NewGuid().ToString("N"));
        try
        {
            AblationResult result;
            using (var log = RunLog.Open(root))
            {
                result = Study().Run(new RunLogExperimentLog(log, source: "AblationTests"));
                var runs = log.Query("SELECT variant, seed, status, \"config.model.Width\", \"config.model.BlindToInput\", \"final.test_accuracy\", parameter_count, " +
                                     "\"config.train.optimizer\", \"config.train.lr\", \"config.train.steps\", \"config.train.seed\", \"config.train.device\", \"config.train.schedule\", \"config.train.clip_grad_norm\", " +
                                     "\"config.data.name\", \"config.data.Size\", device " +
                                     "FROM runs WHERE ablation_group = 'mlp-ablation' ORDER BY variant, seed");
                Assert.Equal(9, runs.RowCount);
                Assert.All(runs.Column("status"), s => Assert.Equal("finished", s));
                Assert.Equal(new object?[] { "baseline", "baseline", "baseline", "blind", "blind", "blind", "narrow", "narrow", "narrow" }, runs.Column("variant"));
                Assert.Equal(new object?[] { 0L, 1L, 2L }, runs.Column("seed").Take(3));
                Assert.Equal(4L, Convert.ToInt64(runs[6, "config.model.Width"]));
                Assert.Equal(true, runs[3, "config.model.BlindToInput"]);
                // The same column scheme as #!arch train: the recipe as the optimizer reads it, each run's seed and device, the task's settings.
                var training = Training;
                Assert.All(runs.Column("config.train.optimizer"), o => Assert.Equal("adamw", o));
                Assert.All(runs.Column("config.train.lr"), lr => Assert.Equal(training.LearningRate, Convert.ToDouble(lr)));
                Assert.All(runs.Column("config.train.steps"), n => Assert.Equal((long)training.Steps, Convert.ToInt64(n)));
                Assert.Equal(new object?[] { 0L, 1L, 2L }, runs.Column("config.train.seed").Take(3));
                Assert.All(runs.Column("config.train.device"), d => Assert.Equal("cpu", d));
                Assert.All(runs.Column("config.train.schedule"), d => Assert.Equal("cosine", d));
                Assert.All(runs.Column("config.train.clip_grad_norm"), c => Assert.Equal(training.ClipGradNorm, Convert.ToDouble(c)));
                Assert.All(runs.Column("config.data.name"), n => Assert.Equal(Task.Name, n));
                Assert.All(runs.Column("config.data.Size"), n => Assert.Equal(3L, n));
                Assert.All(runs.Column("device"), d => Assert.Equal("cpu", d));
                // Final metrics read back equal the ones in the table's per-seed values.
                var logged = runs.Rows.Where(r => (string)r[0]! == "baseline").Select(r => Convert.ToDouble(r[5])).ToArray();
                Assert.Equal(result.Baseline.Values("test_accuracy"), logged);
                var history = log.Query("SELECT count(*) FROM metrics m JOIN runs r USING (run_id) WHERE r.variant = 'baseline' AND m.name = 'train_loss'");
                Assert.Equal(3L * 20, Convert.ToInt64(history.Rows[0][0]));
                Assert.Equal(9, log.RunsOfGroup("mlp-ablation").Count);
            }

            Assert.False(result.Interrupted);
            var table = result.Table();
            Assert.Equal(new[] { "baseline", "narrow", "blind" }, table.Rows.Select(r => r.Variant));
            Assert.All(table.Rows, r => Assert.Equal(3, r.N));
            var (baseline, blind) = (table["baseline"], table["blind"]);
            Assert.True(baseline.Mean > 0.9, table.ToText());
            Assert.True(blind.Mean < 0.6, table.ToText());
            Assert.True(blind.RelativeImprovement < -0.3 && blind.Significant(), table.ToText());
            Assert.True(baseline.IsBest && baseline.RelativeImprovement is null && baseline.VsBaseline is null);
            Assert.True(baseline.CI.Low <= baseline.Mean && baseline.Mean <= baseline.CI.High);
            Assert.Equal(Statistics.SampleStd(baseline.Values), baseline.Std, 15);
            // Loss is lower-is-better: the blind model's higher loss is also a negative Δ.
            var loss = result.Table(MetricSpec.TestLoss);
            Assert.True(loss["blind"].Mean > loss["baseline"].Mean && loss["blind"].RelativeImprovement < 0);
            var text = result.ToString();
            Assert.Contains("mean ± sample std over 3 seeds", text);
            Assert.Contains("Welch", text);
            Assert.Contains("▲ baseline", text);
            Assert.Equal(2, text.Split("\nvariant").Length - 1);   // one table per metric
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Cancelling_a_study_returns_the_finished_runs_and_marks_the_result_interrupted()
    {
        using var cts = new CancellationTokenSource();
        var memory = new InMemoryExperimentLog();
        var progress = new List<AblationProgress>();
        var result = Study().Run(memory, cts.Token, new Callback(p => { progress.Add(p); if (p.Variant == "baseline" && p.Done == 2) cts.Cancel(); }));
        Assert.True(result.Interrupted);
        Assert.Equal(new[] { "baseline" }, result.Variants.Select(v => v.Name));
        Assert.Equal(2, result.Baseline.Runs.Count);
        Assert.Equal(2, memory.Runs.Count);
        Assert.All(memory.Runs, r => Assert.Equal(RunStatus.Finished, r.Status));
        Assert.Contains("INTERRUPTED", result.Table().ToText());
        Assert.Equal(20, memory.Runs[0].History("train_loss").Count());
    }

    sealed class Callback(Action<AblationProgress> action) : IProgress<AblationProgress>
    {
        public void Report(AblationProgress value) => action(value);
    }
}
