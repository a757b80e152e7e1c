namespace ArchNotebooks.Library.Tasks;

/// <summary>
/// Associative recall: <c>k₁ v₁ k₂ v₂ … kₚ vₚ q</c> with distinct keys, and the answer, scored at the
/// last position only, is the value bound to the query key q. Keys are tokens 0..keys-1 and values
/// follow them, so one vocabulary serves input and output. Generalization: more pairs per example.
/// </summary>
public sealed class AssociativeRecallTask : SyntheticTask<long>
{
    public AssociativeRecallTask(int keys = 8, int values = 8, int pairs = 4, int generalizationPairs = 8, double testFraction = 0.2)
        : base("associative-recall", LossKind.PerToken, keys + values, testFraction)
    {
        if (pairs < 1 || generalizationPairs < pairs || generalizationPairs > keys)
            throw new ArgumentException($"associative recall needs 1 <= pairs <= generalizationPairs <= keys, got {pairs}, {generalizationPairs}, {keys}");
        if (values < 2) throw new ArgumentException($"associative recall needs at least 2 values, got {values}");
        Keys = keys;
        Values = values;
        Pairs = pairs;
        GeneralizationPairs = generalizationPairs;
    }

    public int Keys { get; }
    public int Values { get; }
    public int Pairs { get; }
    public int GeneralizationPairs { get; }
    public override long? VocabSize => Keys + Values;
    public override bool HasGeneralizationSplit => GeneralizationPairs > Pairs;
    public override string Description =>
        $"recall the value of a queried key among {Pairs} key-value pairs ({Keys} keys, {Values} values); generalization: {GeneralizationPairs} pairs";

    int PairsOf(Split split) => split == Split.Generalization ? GeneralizationPairs : Pairs;
    public override long[] InputShape(Split split = Split.Train) => new long[] { 2 * PairsOf(split) + 1 };
    protected override int TargetLength(Split split) => 2 * PairsOf(split) + 1;

    protected override void Generate(Rng rng, Split split, Span<long> input, Span<long> target)
    {
        int p = PairsOf(split);
        Span<int> keys = stackalloc int[Keys];
        for (int i = 0; i < Keys; i++) keys[i] = i;
        rng.Shuffle(keys);
        for (int i = 0; i < p; i++)
        {
            input[2 * i] = keys[i];
            input[2 * i + 1] = Keys + rng.Next(Values);
        }
        int queried = rng.Next(p);
        input[2 * p] = keys[queried];
        target.Fill(Ignore);
        target[2 * p] = input[2 * queried + 1];
    }
}

/// <summary>
/// Induction heads: a random sequence contains <c>A B</c> once, and ends with A; the answer, scored
/// at the last position, is B. A appears nowhere else, so the only rule that works is "find the
/// earlier A and copy what followed it" (Olsson et al., 2022). Generalization: longer sequences.
/// </summary>
public sealed class InductionHeadsTask : SyntheticTask<long>
{
    public InductionHeadsTask(int vocab = 16, int length = 16, int generalizationLength = 32, double testFraction = 0.2)
        : base("induction-heads", LossKind.PerToken, vocab, testFraction)
    {
        if (vocab < 3) throw new ArgumentException($"induction heads needs at least 3 tokens, got {vocab}");
        if (length < 4 || generalizationLength < length)
            throw new ArgumentException($"induction heads needs 4 <= length <= generalizationLength, got {length} and {generalizationLength}");
        Vocab = vocab;
        Length = length;
        GeneralizationLength = generalizationLength;
    }

    public int Vocab { get; }
    public int Length { get; }
    public int GeneralizationLength { get; }
    public override long? VocabSize => Vocab;
    public override bool HasGeneralizationSplit => GeneralizationLength > Length;
    public override string Description =>
        $"… A B … A → B in sequences of {Length} tokens from {Vocab}; generalization: length {GeneralizationLength}";

    int LengthOf(Split split) => split == Split.Generalization ? GeneralizationLength : Length;
    public override long[] InputShape(Split split = Split.Train) => new long[] { LengthOf(split) };
    protected override int TargetLength(Split split) => LengthOf(split);

    protected override void Generate(Rng rng, Split split, Span<long> input, Span<long> target)
    {
        int t = LengthOf(split);
        int a = rng.Next(Vocab);
        for (int i = 0; i < t - 1; i++)
        {
            int token = rng.Next(Vocab - 1);
            input[i] = token >= a ? token + 1 : token;   // anything but A
        }
        int at = rng.Next(t - 2);                        // A at 'at', B at 'at + 1', both before the final A
        input[at] = a;
        input[t - 1] = a;
        target.Fill(Ignore);
        target[t - 1] = input[at + 1];
    }
}
