using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Tasks;

/// <summary>How a task scores a model's logits.</summary>
public enum LossKind
{
    /// <summary>One label per example: logits (N, C), target (N).</summary>
    Classification,
    /// <summary>A label per position: logits (N, T, C), target (N, T), positions marked <see cref="SyntheticTask.Ignore"/> unscored.</summary>
    PerToken,
}

/// <summary>Which examples a batch is drawn from.</summary>
public enum Split
{
    /// <summary>Training examples.</summary>
    Train,
    /// <summary>Held-out examples from the training distribution, disjoint from Train and Validation.</summary>
    Test,
    /// <summary>A shifted distribution that probes generalisation (longer sequences, unseen rotations, larger sets); see the task's description.</summary>
    Generalization,
    /// <summary>
    /// Held-out examples from the training distribution, disjoint from Train and from Test: what model
    /// selection (early stopping, the best checkpoint) looks at, so the test split is read once, at the end.
    /// </summary>
    Validation,
}

/// <summary>One batch of inputs and targets (tensors on the requested device).</summary>
public sealed record TaskBatch(Tensor Input, Tensor Target) : IDisposable
{
    public long Size => Input.shape[0];
    public void Dispose() { Input.Dispose(); Target.Dispose(); }
}

/// <summary>
/// A controlled setting where the right answer is known: it samples batches deterministically from
/// a seed, says how logits are scored, and what loss an untrained model should have.
/// </summary>
public interface ISyntheticTask
{
    /// <summary>Short name, e.g. "copy" or "modular-addition".</summary>
    string Name { get; }

    /// <summary>One line on what is learned and what the generalisation split changes.</summary>
    string Description { get; }

    LossKind Loss { get; }

    /// <summary>Number of output classes: the last dimension of the logits.</summary>
    long NumClasses { get; }

    /// <summary>Number of distinct input tokens for token tasks (inputs are int64 ids); null for real-valued inputs.</summary>
    long? VocabSize { get; }

    /// <summary>dtype of the input tensor (Int64 for tokens, Float32 for sets, images and videos).</summary>
    ScalarType InputDType { get; }

    /// <summary>Shape of one example's input (without the batch dimension) in a split.</summary>
    long[] InputShape(Split split = Split.Train);

    /// <summary>Whether <see cref="Split.Generalization"/> differs from the training distribution.</summary>
    bool HasGeneralizationSplit { get; }

    /// <summary>Draws a batch; the same (batchSize, seed, split) gives the same batch on every run and device.</summary>
    TaskBatch Sample(int batchSize, long seed, Split split = Split.Train, Device? device = null);

    /// <summary>Expected shape of the model's logits for a batch of this size.</summary>
    long[] LogitsShape(long batchSize, Split split = Split.Train);

    /// <summary>Mean cross entropy over scored labels (a scalar tensor that carries gradients).</summary>
    Tensor ComputeLoss(Tensor logits, Tensor target, double labelSmoothing = 0);

    /// <summary>Fraction of scored labels predicted by the arg-max of the logits.</summary>
    double Accuracy(Tensor logits, Tensor target);

    /// <summary>Loss of a model that predicts the uniform distribution: ln(NumClasses).</summary>
    double ExpectedInitialLoss { get; }
}
