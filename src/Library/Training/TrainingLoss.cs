using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Training;

/// <summary>
/// The loss the Trainer minimises, by name (logged with the recipe) and function of (logits, targets, task).
/// Unset (<see cref="TrainConfig.Loss"/> null), the task's own loss trains: cross entropy, or mean squared
/// error for a regression. Targets are class ids, or class probabilities when mixup made them.
/// </summary>
public sealed record TrainingLoss(string Name, Func<Tensor, Tensor, ISyntheticTask, Tensor> Compute)
{
    /// <summary>The task's cross entropy (per token where the task scores positions).</summary>
    public static TrainingLoss CrossEntropy { get; } = new("cross_entropy", (logits, target, task) => task.ComputeLoss(logits, target));

    /// <summary>Cross entropy against targets smoothed toward uniform by <paramref name="epsilon"/>.</summary>
    public static TrainingLoss LabelSmoothing(double epsilon)
    {
        if (!(epsilon > 0 && epsilon <= 1)) throw new ArgumentException($"label smoothing must be in (0, 1], got {epsilon}");
        return new($"label_smoothing_cross_entropy({epsilon:G4})", (logits, target, task) => task.ComputeLoss(logits, target, epsilon));
    }

    /// <summary>
    /// Mean squared error. For classification, between the logits and the one-hot (or soft) targets over
    /// scored positions — the square loss of Hui and Belkin (2021); for regression, the task's own.
    /// </summary>
    public static TrainingLoss Mse { get; } = new("mse", SquareLoss);

    /// <summary>A loss of your own: <c>TrainingLoss.Custom("focal", (logits, target) => ...)</c>, returning a scalar that carries gradients.</summary>
    public static TrainingLoss Custom(string name, Func<Tensor, Tensor, Tensor> loss)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(loss);
        return new(name, (logits, target, _) => loss(logits, target));
    }

    /// <summary>A built-in by name: cross_entropy, mse, or label_smoothing=EPS.</summary>
    public static TrainingLoss Named(string name)
    {
        var key = name.Trim().ToLowerInvariant().Replace('-', '_');
        if (key.StartsWith("label_smoothing=", StringComparison.Ordinal)
            && double.TryParse(key["label_smoothing=".Length..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var eps))
            return LabelSmoothing(eps);
        return key switch
        {
            "cross_entropy" or "ce" => CrossEntropy,
            "mse" => Mse,
            _ => throw new ArgumentException($"no built-in loss '{name}'; the built-ins are cross_entropy, mse and label_smoothing=EPS (e.g. label_smoothing=0.1)"),
        };
    }

    /// <summary>The loss of one batch: a scalar, checked so a custom loss that returns something else fails with its name.</summary>
    internal Tensor Of(Tensor logits, Tensor target, ISyntheticTask task)
    {
        var loss = Compute(logits, target, task);
        if (loss.dim() != 0) throw new InvalidOperationException($"the loss '{Name}' returned a tensor of shape [{string.Join(", ", loss.shape)}]; it must return a scalar (reduce it with .mean())");
        return loss;
    }

    static Tensor SquareLoss(Tensor logits, Tensor target, ISyntheticTask task)
    {
        if (task.Loss == LossKind.Regression) return task.ComputeLoss(logits, target);
        using var scope = NewDisposeScope();
        if (AugmentedTask.IsSoft(target)) return logits.sub(target).square().mean().MoveToOuterDisposeScope();
        var scored = target.ne(SyntheticTask.Ignore);
        var onehot = one_hot(target.masked_fill(scored.logical_not(), 0), task.NumClasses).to(logits.dtype);
        var perPosition = logits.sub(onehot).square().mean(-1);
        return perPosition.masked_select(scored).mean().MoveToOuterDisposeScope();
    }
}
