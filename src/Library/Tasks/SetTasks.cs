namespace ArchNotebooks.Library.Tasks;

/// <summary>
/// A permutation-invariant function of a set of digits. Each example is a set of <c>size</c>
/// elements, each a one-hot vector over <c>digits</c> values (input (size, digits), float), so a
/// DeepSets or Set Transformer model can read it directly. Generalization: larger sets.
/// </summary>
public abstract class SetAggregationTask : SyntheticTask<float>
{
    protected SetAggregationTask(string name, int digits, int size, int generalizationSize, long numClasses, double testFraction)
        : base(name, LossKind.Classification, numClasses, testFraction)
    {
        if (digits < 2) throw new ArgumentException($"{name} needs at least 2 digit values, got {digits}");
        if (size < 1 || generalizationSize < size) throw new ArgumentException($"{name} needs 1 <= size <= generalizationSize, got {size} and {generalizationSize}");
        Digits = digits;
        Size = size;
        GeneralizationSize = generalizationSize;
    }

    public int Digits { get; }
    public int Size { get; }
    public int GeneralizationSize { get; }
    public override bool HasGeneralizationSplit => GeneralizationSize > Size;
    int SizeOf(Split split) => split == Split.Generalization ? GeneralizationSize : Size;
    public override long[] InputShape(Split split = Split.Train) => new long[] { SizeOf(split), Digits };
    protected override int TargetLength(Split split) => 1;

    /// <summary>A set and its permutations share a split: the hash is over the digit counts, not the order.</summary>
    protected override ulong SplitHash(ReadOnlySpan<float> input)
    {
        Span<float> counts = stackalloc float[Digits];
        for (int i = 0; i < input.Length; i++) counts[i % Digits] += input[i];
        return Rng.Hash<float>(counts);
    }

    /// <summary>The label of a set of digit values.</summary>
    protected abstract long Aggregate(ReadOnlySpan<int> values);

    protected override void Generate(Rng rng, Split split, Span<float> input, Span<long> target)
    {
        int n = SizeOf(split);
        Span<int> values = stackalloc int[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = rng.Next(Digits);
            input[i * Digits + values[i]] = 1;
        }
        target[0] = Aggregate(values);
    }
}

/// <summary>Sum of a set of digits; classes 0..(digits-1)·generalizationSize so larger sets stay in range.</summary>
public sealed class SetSumTask(int digits = 5, int size = 4, int generalizationSize = 8, double testFraction = 0.2)
    : SetAggregationTask("set-sum", digits, size, generalizationSize, (long)(digits - 1) * generalizationSize + 1, testFraction)
{
    public override string Description => $"sum of {Size} digits 0..{Digits - 1} (one-hot); generalization: sets of {GeneralizationSize}";
    protected override long Aggregate(ReadOnlySpan<int> values)
    {
        long sum = 0;
        foreach (var v in values) sum += v;
        return sum;
    }
}

/// <summary>Maximum of a set of digits.</summary>
public sealed class SetMaxTask(int digits = 10, int size = 4, int generalizationSize = 8, double testFraction = 0.2)
    : SetAggregationTask("set-max", digits, size, generalizationSize, digits, testFraction)
{
    public override string Description => $"maximum of {Size} digits 0..{Digits - 1} (one-hot); generalization: sets of {GeneralizationSize}";
    protected override long Aggregate(ReadOnlySpan<int> values)
    {
        int max = 0;
        foreach (var v in values) max = Math.Max(max, v);
        return max;
    }
}
