using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Data;

/// <summary>
/// A task whose training batches pass through augmentations (in order); validation, test and
/// generalization batches are the task's own. It scores the soft targets mixup makes (class
/// probabilities) with cross entropy against them, and hard targets as the task does.
/// </summary>
public sealed class AugmentedTask : ISyntheticTask
{
    public AugmentedTask(ISyntheticTask task, params Augmentation[] augmentations)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (augmentations.Length == 0) throw new ArgumentException("give at least one augmentation");
        foreach (var a in augmentations) a.Check(task);
        (Task, Augmentations) = (task, augmentations);
    }

    /// <summary>The task being augmented.</summary>
    public ISyntheticTask Task { get; }
    public IReadOnlyList<Augmentation> Augmentations { get; }

    public string Name => Task.Name;
    public string Description => $"{Task.Description}; training batches: {string.Join(", ", Augmentations.Select(a => a.Name))}";
    public LossKind Loss => Task.Loss;
    public long NumClasses => Task.NumClasses;
    public long? VocabSize => Task.VocabSize;
    public ScalarType InputDType => Task.InputDType;
    public bool HasGeneralizationSplit => Task.HasGeneralizationSplit;
    public double ExpectedInitialLoss => Task.ExpectedInitialLoss;
    public string MetricName => Task.MetricName;
    public long[] InputShape(Split split = Split.Train) => Task.InputShape(split);
    public long[] LogitsShape(long batchSize, Split split = Split.Train) => Task.LogitsShape(batchSize, split);

    public TaskBatch Sample(int batchSize, long seed, Split split = Split.Train, Device? device = null)
    {
        var batch = Task.Sample(batchSize, seed, split, device);
        if (split != Split.Train) return batch;
        foreach (var augmentation in Augmentations)
        {
            using var before = batch;
            batch = augmentation.Apply(before, Task, seed);
        }
        return batch;
    }

    public Tensor ComputeLoss(Tensor logits, Tensor target, double labelSmoothing = 0) =>
        IsSoft(target) ? SoftCrossEntropy(logits, target, labelSmoothing) : Task.ComputeLoss(logits, target, labelSmoothing);

    public double Accuracy(Tensor logits, Tensor target)
    {
        if (!IsSoft(target)) return Task.Accuracy(logits, target);
        using var scope = NewDisposeScope();
        return Task.Accuracy(logits, target.argmax(-1));
    }

    /// <summary>Soft targets: class probabilities (N, C) rather than class ids.</summary>
    public static bool IsSoft(Tensor target) => target.dtype is ScalarType.Float32 or ScalarType.Float64;

    /// <summary>Cross entropy against class probabilities, smoothed toward uniform like the hard-label loss.</summary>
    public static Tensor SoftCrossEntropy(Tensor logits, Tensor probabilities, double labelSmoothing = 0)
    {
        if (!logits.shape.SequenceEqual(probabilities.shape))
            throw new ArgumentException($"soft targets must be shaped like the logits [{string.Join(", ", logits.shape)}], got [{string.Join(", ", probabilities.shape)}]");
        return F.cross_entropy(logits.reshape(-1, logits.shape[^1]), probabilities.reshape(-1, logits.shape[^1]), label_smoothing: labelSmoothing);
    }
}

/// <summary>The augmentation pipeline option on any task.</summary>
public static class AugmentationExtensions
{
    /// <summary>The task with its training batches augmented: <c>task.Augmented(new Mixup(0.2))</c>.</summary>
    public static AugmentedTask Augmented(this ISyntheticTask task, params Augmentation[] augmentations) => new(task, augmentations);
}
