using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Runtime;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Training;

/// <summary>Held-out loss and accuracy of a model on a task's split.</summary>
public static class Evaluation
{
    /// <summary>Seed stream of evaluation batches: fixed, so every run and variant is scored on the same examples.</summary>
    public const long EvalSeed = 0x5EED_E7A1;

    /// <summary>Metric names for a split: "test_loss", "generalization_accuracy", ...</summary>
    public static string LossName(Split split) => split.ToString().ToLowerInvariant() + "_loss";
    public static string AccuracyName(Split split) => split.ToString().ToLowerInvariant() + "_accuracy";

    /// <summary>The name of a split's score for this task: "test_accuracy", or "test_rmse" for a regression dataset.</summary>
    public static string MetricName(Split split, ISyntheticTask task) => split.ToString().ToLowerInvariant() + "_" + task.MetricName;

    /// <summary>
    /// Mean loss and accuracy (RMSE for a regression) over <paramref name="batches"/> fixed batches, in
    /// eval mode and without gradients; the model's mode is restored afterwards. A finite dataset
    /// (<see cref="IFiniteDataset"/>) is read whole instead, in batches of <paramref name="batchSize"/>:
    /// its split is a fixed list, so the exact figure is cheap.
    /// </summary>
    public static (double loss, double accuracy) Evaluate(Module<Tensor, Tensor> model, ISyntheticTask task, Split split,
        int batches = 2, int batchSize = 256, CancellationToken cancellation = default)
    {
        cancellation = Interruption.With(cancellation);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            if (task is IFiniteDataset finite) return EvaluateWhole(model, task, finite, split, batchSize, cancellation);
            double loss = 0, accuracy = 0;
            int done = 0;
            for (int b = 0; b < batches && (done == 0 || !cancellation.IsCancellationRequested); b++, done++)
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var batch = task.Sample(batchSize, Rng.Mix(EvalSeed, b), split, model.device);
                var logits = model.call(batch.Input);
                loss += task.ComputeLoss(logits, batch.Target).ToDouble();
                accuracy += task.Accuracy(logits, batch.Target);
            }
            return (loss / done, accuracy / done);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    static (double loss, double score) EvaluateWhole(Module<Tensor, Tensor> model, ISyntheticTask task, IFiniteDataset data, Split split,
        int batchSize, CancellationToken cancellation)
    {
        long count = data.Count(split);
        if (count == 0) throw new ArgumentException($"'{task.Name}' has no {split} examples to evaluate");
        double loss = 0, score = 0;
        long done = 0;
        while (done < count && (done == 0 || !cancellation.IsCancellationRequested))
        {
            long size = Math.Min(batchSize, count - done);
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var batch = data.Slice(split, done, size, model.device);
            var outputs = model.call(batch.Input);
            loss += task.ComputeLoss(outputs, batch.Target).ToDouble() * size;   // weighted by examples, so a short last batch counts for its size
            if (task.Loss != LossKind.Regression) score += task.Accuracy(outputs, batch.Target) * size;
            done += size;
        }
        loss /= done;
        // A regression's RMSE over the whole split is the root of its mean squared error, the loss.
        return (loss, task.Loss == LossKind.Regression ? Math.Sqrt(loss) : score / done);
    }
}
