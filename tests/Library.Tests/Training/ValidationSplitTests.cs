using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Training;

/// <summary>Model selection reads Validation; Test is read once, at the end, on the model selection kept.</summary>
public class ValidationSplitTests
{
    static readonly SetMaxTask MaxTask = new(digits: 6, size: 3);

    static TaskMlp NewModel(long seed = 0)
    {
        manual_seed(seed);
        return new TaskMlp(MaxTask);
    }

    [Fact]
    public void Validation_is_seeded_and_disjoint_from_train_and_test()
    {
        using var scope = NewDisposeScope();
        var copy = new CopyTask(symbols: 3, length: 4);   // 81 sequences: small enough to see every one
        var a = copy.Sample(64, 3, Split.Validation);
        Assert.True(equal(a.Input, copy.Sample(64, 3, Split.Validation).Input));          // same seed, same batch
        Assert.False(equal(a.Input, copy.Sample(64, 4, Split.Validation).Input));
        var rows = new[] { Split.Train, Split.Validation, Split.Test }.ToDictionary(s => s, s => Rows(copy.Sample(3000, 1, s).Input));
        Assert.Empty(rows[Split.Train].Intersect(rows[Split.Validation]));
        Assert.Empty(rows[Split.Test].Intersect(rows[Split.Validation]));
        Assert.Empty(rows[Split.Train].Intersect(rows[Split.Test]));
        Assert.NotEmpty(rows[Split.Validation]);
        Assert.Equal(81, rows.Values.Sum(r => r.Count));
    }

    static HashSet<string> Rows(Tensor input)
    {
        long width = input.shape[1];
        var v = input.data<long>().ToArray();
        return Enumerable.Range(0, (int)input.shape[0]).Select(i => string.Join(",", v.Skip(i * (int)width).Take((int)width))).ToHashSet();
    }

    [Fact]
    public void Periodic_evaluations_read_validation_and_the_test_split_is_read_once_at_the_end()
    {
        using var model = NewModel();
        var evaluated = new List<IReadOnlyDictionary<string, double>>();
        var result = new Trainer(new TrainConfig { Steps = 60, BatchSize = 64, LearningRate = 3e-3, EvalEvery = 20, EvalBatchSize = 128, Seed = 1 })
            .Subscribe(e => { if (e is EvalEvent ev) evaluated.Add(ev.Metrics); }).Fit(model, MaxTask);
        Assert.Equal([20L, 40L, 60L], result.EvalHistory.Select(p => p.Step));
        Assert.All(result.EvalHistory.Take(2), p => Assert.Equal(["validation_accuracy", "validation_loss"], p.Metrics.Keys.Order()));
        Assert.Equal(1, evaluated.Count(m => m.ContainsKey("test_loss")));   // one look at the test split
        Assert.Contains("test_accuracy", result.FinalMetrics.Keys);
        Assert.Contains("validation_accuracy", result.FinalMetrics.Keys);
        Assert.True(result.Metric("test_accuracy") > 0.5, result.Metric("test_accuracy").ToString());
    }

    [Fact]
    public void Early_stopping_on_a_test_metric_is_refused_with_the_reason()
    {
        using var model = NewModel();
        var trainer = new Trainer(new TrainConfig { Steps = 10, EvalEvery = 5, EarlyStopping = new EarlyStopping { Metric = "test_accuracy", HigherIsBetter = true } });
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(model, MaxTask));
        Assert.Contains("the test split is read once, after training, so that it takes no part in choosing the model; watch 'validation_loss' or 'validation_accuracy'", e.Message);
        var unevaluated = new Trainer(new TrainConfig { Steps = 10, EvalEvery = 5, EvalSplits = [Split.Test], EarlyStopping = new EarlyStopping() });
        Assert.Contains("which is not evaluated during training; evaluated: nothing (add Split.Validation to EvalSplits)",
            Assert.Throws<ArgumentException>(() => unevaluated.Fit(model, MaxTask)).Message);
    }

    [Fact]
    public void With_restore_best_the_test_numbers_are_those_of_the_best_validation_checkpoint()
    {
        using var model = NewModel(seed: 3);
        // A learning rate high enough that validation loss wanders: the last step is rarely the best.
        var config = new TrainConfig
        {
            Steps = 120, BatchSize = 16, LearningRate = 0.05, CosineDecay = false, EvalEvery = 10, EvalBatchSize = 128, Seed = 2,
            EarlyStopping = new EarlyStopping { Patience = 1000, RestoreBest = true },
        };
        var result = new Trainer(config).Fit(model, MaxTask);
        Assert.Equal(StopReason.Completed, result.Reason);
        var best = result.EvalHistory.Where(p => p.Step == result.BestStep).Select(p => p.Metrics["validation_loss"]).First();
        Assert.Equal(result.EvalHistory.Min(p => p.Metrics["validation_loss"]), best);
        // The model handed back is the best checkpoint: evaluated again, it gives that validation loss exactly,
        // and the final metrics (with the test split) were measured on it.
        var (validation, _) = Evaluation.Evaluate(model, MaxTask, Split.Validation, config.EvalBatches, config.EvalBatchSize);
        Assert.Equal(best, validation, 12);
        Assert.Equal(best, result.Metric("validation_loss"), 12);
        var (test, _) = Evaluation.Evaluate(model, MaxTask, Split.Test, config.EvalBatches, config.EvalBatchSize);
        Assert.Equal(test, result.Metric("test_loss"), 12);
    }
}
