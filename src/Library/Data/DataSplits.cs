using ArchNotebooks.Library.Tasks;

namespace ArchNotebooks.Library.Data;

/// <summary>How a dataset's examples are divided: the held-out fractions and the seed of the shuffle that assigns them.</summary>
public sealed record SplitOptions
{
    /// <summary>Share of the examples held out for Test (read once, at the end of training).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Share of the examples held out for Validation (what early stopping and the best checkpoint read).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Seed of the shuffle: the same seed gives the same three splits on every run.</summary>
    public long Seed { get; init; }

    internal void Validate()
    {
        if (TestFraction is <= 0 or >= 1) throw new ArgumentException($"TestFraction must be in (0, 1), got {TestFraction}");
        if (ValidationFraction is <= 0 or >= 1) throw new ArgumentException($"ValidationFraction must be in (0, 1), got {ValidationFraction}");
        if (TestFraction + ValidationFraction >= 1)
            throw new ArgumentException($"TestFraction {TestFraction} + ValidationFraction {ValidationFraction} leave no training examples");
    }
}

/// <summary>
/// The example indices of each split: a seeded shuffle of 0..n-1 cut into Test, Validation and Train,
/// so the splits are disjoint, cover every example, and depend only on (n, fractions, seed).
/// </summary>
public sealed class DataSplits
{
    readonly Dictionary<Split, long[]> indices;

    public DataSplits(long count, SplitOptions options)
    {
        options.Validate();
        long test = (long)Math.Round(options.TestFraction * count);
        long validation = (long)Math.Round(options.ValidationFraction * count);
        long train = count - test - validation;
        foreach (var (split, size, fraction) in new[] { (Split.Test, test, options.TestFraction), (Split.Validation, validation, options.ValidationFraction) })
            if (size == 0)
                throw new ArgumentException($"the {split} split is empty: {count} examples with a {split} fraction of {fraction} give none; add examples or raise the fraction");
        if (train <= 0) throw new ArgumentException($"the Train split is empty: {count} examples, {test} for Test and {validation} for Validation");
        var order = new long[count];
        for (long i = 0; i < count; i++) order[i] = i;
        new Rng(Rng.Mix(options.Seed, 0x5B117)).Shuffle(order.AsSpan());
        indices = new()
        {
            [Split.Test] = order[..(int)test],
            [Split.Validation] = order[(int)test..(int)(test + validation)],
            [Split.Train] = order[(int)(test + validation)..],
        };
        Options = options;
    }

    public SplitOptions Options { get; }

    /// <summary>The examples of a split, in the shuffled order (a copy).</summary>
    public long[] Of(Split split) => indices.TryGetValue(split, out var i)
        ? (long[])i.Clone()
        : throw new ArgumentException($"a dataset has Train, Validation and Test splits, not {split}");

    public long Count(Split split) => indices.TryGetValue(split, out var i) ? i.Length : 0;

    internal ReadOnlySpan<long> View(Split split) => indices.TryGetValue(split, out var i)
        ? i
        : throw new ArgumentException($"a dataset has Train, Validation and Test splits, not {split}");
}
