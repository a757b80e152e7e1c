using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Tasks;

/// <summary>Scoring shared by every task: cross entropy and arg-max accuracy, per example or per position.</summary>
public abstract class SyntheticTask : ISyntheticTask
{
    /// <summary>Target value of a position that is not scored (cross entropy's ignore_index).</summary>
    public const long Ignore = -100;

    protected SyntheticTask(string name, LossKind loss, long numClasses)
    {
        if (numClasses < 2) throw new ArgumentException($"a task needs at least two classes, got {numClasses}");
        Name = name;
        Loss = loss;
        NumClasses = numClasses;
    }

    public string Name { get; }
    public abstract string Description { get; }
    public LossKind Loss { get; }
    public long NumClasses { get; }
    public virtual long? VocabSize => null;
    public abstract ScalarType InputDType { get; }
    public abstract long[] InputShape(Split split = Split.Train);
    public abstract bool HasGeneralizationSplit { get; }
    public abstract TaskBatch Sample(int batchSize, long seed, Split split = Split.Train, Device? device = null);
    public double ExpectedInitialLoss => Math.Log(NumClasses);

    /// <summary>Number of labels per example: 1 for classification, the sequence length for per-token tasks.</summary>
    protected abstract int TargetLength(Split split);

    public long[] LogitsShape(long batchSize, Split split = Split.Train) =>
        Loss == LossKind.Classification ? new[] { batchSize, NumClasses } : new[] { batchSize, (long)TargetLength(split), NumClasses };

    public Tensor ComputeLoss(Tensor logits, Tensor target, double labelSmoothing = 0)
    {
        CheckLogits(logits, target);
        if (Loss == LossKind.Classification) return F.cross_entropy(logits, target, label_smoothing: labelSmoothing);
        using var scope = NewDisposeScope();
        var loss = F.cross_entropy(logits.reshape(-1, NumClasses), target.reshape(-1), ignore_index: Ignore, label_smoothing: labelSmoothing);
        return loss.MoveToOuterDisposeScope();
    }

    public double Accuracy(Tensor logits, Tensor target)
    {
        CheckLogits(logits, target);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var predicted = logits.argmax(-1);
        var scored = target.ne(Ignore);
        var correct = predicted.eq(target).logical_and(scored).sum().ToDouble();
        var total = scored.sum().ToDouble();
        return total == 0 ? double.NaN : correct / total;
    }

    void CheckLogits(Tensor logits, Tensor target)
    {
        bool ok = logits.dim() == (Loss == LossKind.Classification ? 2 : 3) && logits.shape[^1] == NumClasses && logits.shape[0] == target.shape[0]
                  && (Loss == LossKind.Classification || logits.shape[1] == target.shape[1]);
        if (!ok)
            throw new ArgumentException($"task '{Name}' expects logits of shape [{Describe(target)}] but got [{string.Join(", ", logits.shape)}]");
    }

    string Describe(Tensor target) => Loss == LossKind.Classification
        ? $"{target.shape[0]}, {NumClasses}"
        : $"{target.shape[0]}, {target.shape[1]}, {NumClasses}";

    public override string ToString() => $"{Name}: {Description}";
}

/// <summary>
/// A task that builds one example at a time on the CPU from a seeded <see cref="Rng"/>. Train,
/// Validation and Test are made disjoint by hashing each example's input: an example belongs to Test
/// when its hash falls in the test fraction, to Validation when it falls in the next
/// <see cref="ValidationShare"/> of the rest, else to Train; sampling rejects examples of the other
/// splits. That keeps the splits exact even for small spaces (modular addition, short parity strings).
/// Test is the same set of examples it was before Validation existed, so held-out numbers stay comparable.
/// </summary>
public abstract class SyntheticTask<TIn> : SyntheticTask where TIn : unmanaged
{
    protected SyntheticTask(string name, LossKind loss, long numClasses, double testFraction)
        : base(name, loss, numClasses)
    {
        if (testFraction <= 0 || testFraction >= 1) throw new ArgumentException($"the test fraction must be in (0, 1), got {testFraction}");
        TestFraction = testFraction;
    }

    /// <summary>Share of the training distribution's examples reserved for Test.</summary>
    public double TestFraction { get; }

    public override ScalarType InputDType => typeof(TIn) == typeof(long) ? ScalarType.Int64
        : typeof(TIn) == typeof(float) ? ScalarType.Float32
        : throw new NotSupportedException($"inputs of {typeof(TIn).Name} are not supported");

    /// <summary>Writes one example's input and target(s); the target span has <see cref="SyntheticTask.TargetLength"/> entries.</summary>
    protected abstract void Generate(Rng rng, Split split, Span<TIn> input, Span<long> target);

    /// <summary>Hash that decides an example's split; tasks whose inputs have symmetries hash a canonical form.</summary>
    protected virtual ulong SplitHash(ReadOnlySpan<TIn> input) => Rng.Hash(input);

    /// <summary>Whether an example of the training distribution belongs to Test.</summary>
    public bool IsTestExample(ReadOnlySpan<TIn> input) => SplitOf(input) == Split.Test;

    /// <summary>Whether an example of the training distribution belongs to Validation.</summary>
    public bool IsValidationExample(ReadOnlySpan<TIn> input) => SplitOf(input) == Split.Validation;

    /// <summary>The split an example of the training distribution belongs to: Train, Validation or Test.</summary>
    public Split SplitOf(ReadOnlySpan<TIn> input)
    {
        ulong position = SplitHash(input) % 1_000_000UL;
        ulong test = (ulong)Math.Round(TestFraction * 1_000_000);
        ulong validation = test + (ulong)Math.Round(ValidationShare * (1_000_000 - test));
        return position < test ? Split.Test : position < validation ? Split.Validation : Split.Train;
    }

    /// <summary>Share of the non-test examples reserved for Validation (the rest are Train).</summary>
    public const double ValidationShare = 0.1;

    public override TaskBatch Sample(int batchSize, long seed, Split split = Split.Train, Device? device = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be positive");
        var shape = InputShape(split);
        int inputSize = checked((int)shape.Aggregate(1L, (a, b) => a * b));
        int targetSize = TargetLength(split);
        var inputs = new TIn[batchSize * inputSize];
        var targets = new long[batchSize * targetSize];
        var rng = new Rng(Rng.Mix(seed, (long)split, Rng.HashName(Name)));
        for (int i = 0; i < batchSize; i++)
        {
            var input = inputs.AsSpan(i * inputSize, inputSize);
            var target = targets.AsSpan(i * targetSize, targetSize);
            for (int attempt = 0; ; attempt++)
            {
                input.Clear();
                target.Clear();
                Generate(rng, split, input, target);
                if (split == Split.Generalization || SplitOf(input) == split) break;
                if (attempt > 10_000)
                    throw new InvalidOperationException($"task '{Name}' found no {split} example in 10,000 draws; is the test fraction too small for this example space?");
            }
        }
        var batchShape = new long[shape.Length + 1];
        batchShape[0] = batchSize;
        shape.CopyTo(batchShape, 1);
        var targetShape = Loss == LossKind.Classification ? new long[] { batchSize } : new long[] { batchSize, targetSize };
        return new TaskBatch(tensor(inputs, batchShape, device: device), tensor(targets, targetShape, device: device));
    }
}
