using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Data;

/// <summary>A task whose examples are a fixed list, so a split can be read whole rather than sampled.</summary>
public interface IFiniteDataset
{
    /// <summary>Number of examples in a split (0 for a split the dataset does not have).</summary>
    long Count(Split split);

    /// <summary>Examples <paramref name="start"/>..start+count of a split, in a fixed order.</summary>
    TaskBatch Slice(Split split, long start, long count, Device? device = null);
}

/// <summary>
/// A dataset held in memory: inputs (N, ...) and targets, cut into seeded Train / Validation / Test
/// splits. It is an <see cref="ISyntheticTask"/>, so the Trainer, evaluation, checks and studies take it
/// as they take a synthetic task. Inputs are float32 features or int64 token ids; targets are int64
/// class ids (one per example, or one per position for <see cref="LossKind.PerToken"/>, with
/// <see cref="SyntheticTask.Ignore"/> marking unscored positions) or float32 values for regression.
/// </summary>
public sealed class TensorDataset : ISyntheticTask, IFiniteDataset, IDisposable
{
    readonly Tensor inputs, targets;
    readonly Tensor? shiftedInputs, shiftedTargets;   // the optional Generalization split, kept whole
    readonly DataSplits splits;

    /// <param name="inputs">One row per example: (N, features...) floats, or (N, T) integer token ids.</param>
    /// <param name="targets">Class ids (N) or (N, T), or real values (N) or (N, K) for regression.</param>
    /// <param name="loss">How outputs are scored.</param>
    /// <param name="numClasses">Classes (defaults to the largest label + 1); ignored for regression.</param>
    /// <param name="vocabSize">Token vocabulary for integer inputs (defaults to the largest id + 1).</param>
    /// <param name="generalization">
    /// Optional examples from a shifted distribution (longer sequences, another range), read whole as
    /// <see cref="Split.Generalization"/> at the end of training; same input dtype, classes and vocabulary.
    /// </param>
    public TensorDataset(Tensor inputs, Tensor targets, LossKind loss, SplitOptions? splits = null,
        string name = "dataset", long? numClasses = null, long? vocabSize = null, string? description = null,
        (Tensor Inputs, Tensor Targets)? generalization = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.dim() < 2) throw new ArgumentException($"inputs need a batch dimension and at least one more (N, features...), got shape [{Shape(inputs)}]");
        long n = inputs.shape[0];
        if (targets.dim() == 0 || targets.shape[0] != n)
            throw new ArgumentException($"inputs have {n} examples but targets have {(targets.dim() == 0 ? "none (a scalar)" : targets.shape[0].ToString())}: they must have one row per example");
        Name = name;
        Loss = loss;
        (this.inputs, VocabSize) = PrepareInputs(inputs, vocabSize);
        (this.targets, NumClasses) = PrepareTargets(targets, loss, numClasses);
        this.splits = new DataSplits(n, splits ?? new SplitOptions());
        if (generalization is var (gx, gy))
        {
            if (gx.dim() != inputs.dim() || gx.shape[0] != gy.shape[0] || gy.dim() != targets.dim())
                throw new ArgumentException($"the generalization split needs inputs and targets shaped like the training ones, one row per example; got [{Shape(gx)}] and [{Shape(gy)}] against [{Shape(inputs)}] and [{Shape(targets)}]");
            if (IsFloat(gx.dtype) != IsFloat(inputs.dtype)) throw new ArgumentException($"the generalization inputs are {gx.dtype} but the training inputs are {inputs.dtype}");
            // Sized by the training data's vocabulary and classes, so an id the model cannot read is refused here.
            (shiftedInputs, _) = PrepareInputs(gx, VocabSize);
            (shiftedTargets, _) = PrepareTargets(gy, loss, loss == LossKind.Regression ? null : NumClasses);
            if (loss == LossKind.Regression && shiftedTargets.dim() == 2 && shiftedTargets.shape[1] != NumClasses)
                throw new ArgumentException($"the generalization targets have {shiftedTargets.shape[1]} outputs, the training ones {NumClasses}");
        }
        Description = description ?? $"{n} examples ({Count(Split.Train)} train, {Count(Split.Validation)} validation, {Count(Split.Test)} test), {loss}";
    }

    public string Name { get; }
    public string Description { get; }
    public LossKind Loss { get; }
    public long NumClasses { get; }
    public long? VocabSize { get; }
    public ScalarType InputDType => inputs.dtype;
    public bool HasGeneralizationSplit => shiftedInputs is not null;
    public string MetricName => Loss == LossKind.Regression ? "rmse" : "accuracy";

    /// <summary>What each class id stands for, when the data named them (a CSV's text labels); else null.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The input columns, in order, when the data named them (a CSV's header); else null.</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>The file the examples were read from (a CSV or Parquet path), when they came from one; else null.</summary>
    public string? Source { get; init; }

    /// <summary>Number of examples in all splits together.</summary>
    public long Examples => inputs.shape[0];

    /// <summary>The example indices (rows of the original inputs) of each split.</summary>
    public DataSplits Splits => splits;

    public long Count(Split split) => split == Split.Generalization ? shiftedInputs?.shape[0] ?? 0 : splits.Count(split);

    public long[] InputShape(Split split = Split.Train) => (split == Split.Generalization && shiftedInputs is { } g ? g : inputs).shape[1..];

    /// <summary>
    /// For classification, ln(classes), the loss of a uniform prediction. For regression, the mean
    /// squared training target: the loss of predicting zero, where an untrained model's outputs start.
    /// (<see cref="BestConstantLoss"/> is the bar a trained model must beat.)
    /// </summary>
    public double ExpectedInitialLoss => Loss == LossKind.Regression ? TrainTargets(t => t.square().mean()) : Math.Log(NumClasses);

    /// <summary>For regression, the variance of the training targets: the error of the best constant prediction (their mean).</summary>
    public double BestConstantLoss => Loss == LossKind.Regression
        ? TrainTargets(t => t.var(unbiased: false))
        : throw new InvalidOperationException($"dataset '{Name}' is a {Loss}; the best constant loss is defined for regression");

    public long[] LogitsShape(long batchSize, Split split = Split.Train) => Loss == LossKind.PerToken
        ? new[] { batchSize, (split == Split.Generalization && shiftedTargets is { } g ? g : targets).shape[1], NumClasses }
        : new[] { batchSize, NumClasses };

    /// <summary>
    /// A batch of a split drawn from the seed: without replacement when the split has enough examples,
    /// with replacement when the batch is larger than the split.
    /// </summary>
    public TaskBatch Sample(int batchSize, long seed, Split split = Split.Train, Device? device = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be positive");
        var pool = Pool(split);
        var rng = new Rng(Rng.Mix(seed, (long)split, Rng.HashName(Name)));
        var chosen = new long[batchSize];
        if (batchSize <= pool.Length)
        {
            var copy = pool.ToArray();
            for (int i = 0; i < batchSize; i++)   // a partial Fisher–Yates shuffle: the first batchSize of a random order
            {
                int j = i + rng.Next(copy.Length - i);
                (copy[i], copy[j]) = (copy[j], copy[i]);
                chosen[i] = copy[i];
            }
        }
        else
            for (int i = 0; i < batchSize; i++) chosen[i] = pool[rng.Next(pool.Length)];
        return Rows(chosen, device, split);
    }

    public TaskBatch Slice(Split split, long start, long count, Device? device = null)
    {
        var pool = Pool(split);
        if (start < 0 || count <= 0 || start + count > pool.Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows {start}..{start + count} are outside the {split} split's {pool.Length} examples");
        return Rows(pool.Slice((int)start, (int)count).ToArray(), device, split);
    }

    /// <summary>The rows a split draws from: its share of the shuffle, or every row of the generalization examples.</summary>
    ReadOnlySpan<long> Pool(Split split)
    {
        if (split != Split.Generalization) return splits.View(split);
        if (shiftedInputs is null) throw new ArgumentException($"dataset '{Name}' has no Generalization split (pass generalization: when building it)");
        var all = new long[shiftedInputs.shape[0]];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        return all;
    }

    TaskBatch Rows(long[] rows, Device? device, Split split)
    {
        using var index = tensor(rows);
        bool shifted = split == Split.Generalization;
        var x = (shifted ? shiftedInputs! : inputs).index_select(0, index);
        var y = (shifted ? shiftedTargets! : targets).index_select(0, index);
        if (device is { } d && d.type != DeviceType.CPU) (x, y) = (Move(x, d), Move(y, d));
        return new TaskBatch(x, y);
    }

    static Tensor Move(Tensor t, Device device)
    {
        using (t) return t.to(device);
    }

    public Tensor ComputeLoss(Tensor logits, Tensor target, double labelSmoothing = 0)
    {
        CheckLogits(logits, target);
        switch (Loss)
        {
            case LossKind.Classification:
                return F.cross_entropy(logits, target, label_smoothing: labelSmoothing);
            case LossKind.PerToken:
            {
                using var scope = NewDisposeScope();
                var loss = F.cross_entropy(logits.reshape(-1, NumClasses), target.reshape(-1), ignore_index: SyntheticTask.Ignore, label_smoothing: labelSmoothing);
                return loss.MoveToOuterDisposeScope();
            }
            default:
            {
                if (labelSmoothing != 0) throw new ArgumentException($"label smoothing ({labelSmoothing}) applies to classification; dataset '{Name}' is a regression");
                using var scope = NewDisposeScope();
                return F.mse_loss(logits, target.reshape(logits.shape)).MoveToOuterDisposeScope();
            }
        }
    }

    /// <summary>Classification: the fraction of scored labels the arg-max gets right. Regression: the root mean squared error.</summary>
    public double Accuracy(Tensor logits, Tensor target)
    {
        CheckLogits(logits, target);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (Loss == LossKind.Regression) return Math.Sqrt(F.mse_loss(logits, target.reshape(logits.shape)).ToDouble());
        var scored = target.ne(SyntheticTask.Ignore);
        double total = scored.sum().ToDouble();
        return total == 0 ? double.NaN : logits.argmax(-1).eq(target).logical_and(scored).sum().ToDouble() / total;
    }

    void CheckLogits(Tensor logits, Tensor target)
    {
        var expected = Loss == LossKind.PerToken ? new[] { target.shape[0], target.shape[1], NumClasses } : LogitsShape(target.shape[0]);
        if (!logits.shape.SequenceEqual(expected))
            throw new ArgumentException($"dataset '{Name}' expects outputs of shape [{string.Join(", ", expected)}] but got [{Shape(logits)}]");
    }

    double TrainTargets(Func<Tensor, Tensor> statistic)
    {
        using var scope = NewDisposeScope();
        return statistic(targets.index_select(0, tensor(splits.Of(Split.Train)))).ToDouble();
    }

    static (Tensor, long?) PrepareInputs(Tensor inputs, long? vocabSize)
    {
        using var scope = NewDisposeScope();   // the dataset owns detached copies, outliving any scope it was built in
        var cpu = inputs.detach().to(CPU);
        var dtype = inputs.dtype;
        if (dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16)
        {
            if (vocabSize is not null) throw new ArgumentException($"a vocabulary size ({vocabSize}) applies to integer token inputs; these inputs are {dtype}");
            return (Own(cpu.to(ScalarType.Float32)), null);
        }
        if (dtype is not (ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte))
            throw new ArgumentException($"inputs must be floating-point features or integer token ids, not {dtype}");
        var tokens = cpu.to(ScalarType.Int64);
        long low = tokens.min().ToInt64(), high = tokens.max().ToInt64();
        if (low < 0) throw new ArgumentException($"token inputs must be ids >= 0; found {low}");
        long vocab = vocabSize ?? high + 1;
        if (high >= vocab) throw new ArgumentException($"token id {high} does not fit the vocabulary of {vocab}");
        return (Own(tokens), vocab);
    }

    static (Tensor, long) PrepareTargets(Tensor targets, LossKind loss, long? numClasses)
    {
        using var scope = NewDisposeScope();
        var cpu = targets.detach().to(CPU);
        var dtype = targets.dtype;
        bool floating = dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;
        if (loss == LossKind.Regression)
        {
            if (!floating)
                throw new ArgumentException($"regression targets must be floating-point values, not {dtype}; convert them with .to(ScalarType.Float32), or use LossKind.Classification for class ids");
            if (targets.dim() > 2) throw new ArgumentException($"regression targets are (N) or (N, outputs), got shape [{Shape(targets)}]");
            if (numClasses is not null) throw new ArgumentException("numClasses applies to classification; a regression's outputs are the targets' second dimension");
            return (Own(cpu.to(ScalarType.Float32)), targets.dim() == 2 ? targets.shape[1] : 1);
        }
        if (floating || dtype == ScalarType.Bool)
            throw new ArgumentException($"{loss} targets must be integer class ids, not {dtype}; for real-valued targets use LossKind.Regression");
        int dims = loss == LossKind.PerToken ? 2 : 1;
        if (targets.dim() != dims)
            throw new ArgumentException($"{loss} targets must have shape {(dims == 1 ? "(N): one class per example" : "(N, T): one class per position")}, got [{Shape(targets)}]");
        var labels = cpu.to(ScalarType.Int64);
        var kept = labels.masked_select(labels.ne(SyntheticTask.Ignore));
        if (kept.numel() == 0) throw new ArgumentException("every target is unscored (Ignore): there is nothing to learn");
        long low = kept.min().ToInt64(), high = kept.max().ToInt64();
        if (low < 0) throw new ArgumentException($"class ids must be >= 0 (or {SyntheticTask.Ignore} for an unscored position); found {low}");
        long classes = numClasses ?? high + 1;
        if (high >= classes) throw new ArgumentException($"class id {high} does not fit {classes} classes");
        if (classes < 2) throw new ArgumentException($"a classification needs at least two classes, got {classes}");
        return (Own(labels), classes);
    }

    /// <summary>A contiguous copy that no dispose scope frees: the dataset disposes it.</summary>
    static Tensor Own(Tensor t) => t.contiguous().clone().DetachFromDisposeScope();

    static string Shape(Tensor t) => string.Join(", ", t.shape);

    static bool IsFloat(ScalarType t) => t is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

    public void Dispose()
    {
        inputs.Dispose();
        targets.Dispose();
        shiftedInputs?.Dispose();
        shiftedTargets?.Dispose();
    }

    public override string ToString() => $"{Name}: {Description}";
}
