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

    /// <summary>
    /// Mean loss and accuracy over <paramref name="batches"/> fixed batches, in eval mode and without
    /// gradients; the model's mode is restored afterwards.
    /// </summary>
    public static (double loss, double accuracy) Evaluate(Module<Tensor, Tensor> model, ISyntheticTask task, Split split,
        int batches = 2, int batchSize = 256, CancellationToken cancellation = default)
    {
        cancellation = Interruption.With(cancellation);
        bool wasTraining = model.training;
        model.eval();
        try
        {
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
}
