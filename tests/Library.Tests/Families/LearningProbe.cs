using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Families;

/// <summary>What one bounded training run reached: held-out accuracy overall and per class, and how training ended.</summary>
sealed record LearningOutcome(double Accuracy, double[] PerClass, string Run)
{
    public override string ToString() => $"test accuracy {Accuracy:P1}" +
        (PerClass.Length is > 0 and <= 12 ? $" (per class {string.Join(" / ", PerClass.Select(a => double.IsNaN(a) ? "-" : a.ToString("P0")))})" : "") + $"; {Run}";
}

/// <summary>Trains a family's fresh model on a task through the Trainer (seeded, CPU) and scores it on held-out examples.</summary>
static class LearningProbe
{
    public static LearningOutcome Train(IModelConfig config, ISyntheticTask task, int steps, double lr = 3e-3, int batch = 32,
        Split split = Split.Test, int evalBatch = 256)
    {
        manual_seed(0);
        using var model = config.For(task).Build();
        var trainer = new Trainer(new TrainConfig
        {
            Steps = steps, BatchSize = batch, LearningRate = lr, WarmupSteps = steps / 10, EvalEvery = steps,
            EvalBatches = 2, EvalBatchSize = 128, EvalSplits = new[] { split }, Seed = 1,
        });
        var result = trainer.Fit(model, task);
        var run = $"{result.Reason} after {result.StepsCompleted} steps in {result.WallTime.TotalSeconds:F1} s, final train loss {result.LossHistory[^1].Loss:F3}";
        var perClass = task.Loss == LossKind.Classification ? PerClassAccuracy(model, task, split, evalBatch) : Array.Empty<double>();
        return new LearningOutcome(result.Metric(Evaluation.AccuracyName(split)), perClass, run);
    }

    /// <summary>Accuracy on the examples of each true class (NaN for a class absent from the sample).</summary>
    public static double[] PerClassAccuracy(Module<Tensor, Tensor> model, ISyntheticTask task, Split split, int examples)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var batch = task.Sample(examples, Rng.Mix(Evaluation.EvalSeed, 99), split, model.device);
            var predicted = model.call(batch.Input).argmax(-1).to(ScalarType.Int64).cpu().contiguous().data<long>();
            var truth = batch.Target.reshape(-1).cpu().contiguous().data<long>();
            var right = new double[task.NumClasses];
            var seen = new double[task.NumClasses];
            for (int i = 0; i < truth.Length; i++)
            {
                seen[truth[i]]++;
                if (predicted[i] == truth[i]) right[truth[i]]++;
            }
            return right.Select((r, c) => seen[c] == 0 ? double.NaN : r / seen[c]).ToArray();
        }
        finally { model.train(wasTraining); }
    }
}
