namespace ArchNotebooks.Library.Tasks;

/// <summary>
/// Sequence-to-sequence tasks in an aligned layout that suits causal and bidirectional models alike:
/// the input is <c>x₁..xₙ SEP BLANK..BLANK</c> (length 2n+1) and the answer is read at the n BLANK
/// positions (every other position is unscored). Blanks carry no information, so no model can read
/// the answer off its input. Tokens 0..symbols-1 are data, <see cref="Sep"/> and <see cref="Blank"/> follow.
/// </summary>
public abstract class SequenceTransductionTask : SyntheticTask<long>
{
    protected SequenceTransductionTask(string name, int symbols, int length, int generalizationLength, double testFraction)
        : base(name, LossKind.PerToken, symbols + 2, testFraction)
    {
        if (symbols < 2) throw new ArgumentException($"{name} needs at least 2 symbols, got {symbols}");
        if (length < 1 || generalizationLength < length)
            throw new ArgumentException($"{name} needs 1 <= length <= generalizationLength, got {length} and {generalizationLength}");
        Symbols = symbols;
        Length = length;
        GeneralizationLength = generalizationLength;
    }

    public int Symbols { get; }
    /// <summary>Number of data tokens per training example.</summary>
    public int Length { get; }
    /// <summary>Number of data tokens in the Generalization split (longer than seen in training).</summary>
    public int GeneralizationLength { get; }
    public long Sep => Symbols;
    public long Blank => Symbols + 1;
    public override long? VocabSize => Symbols + 2;
    public override bool HasGeneralizationSplit => GeneralizationLength > Length;

    int LengthOf(Split split) => split == Split.Generalization ? GeneralizationLength : Length;
    public override long[] InputShape(Split split = Split.Train) => new long[] { 2 * LengthOf(split) + 1 };
    protected override int TargetLength(Split split) => 2 * LengthOf(split) + 1;

    /// <summary>The answer for a data sequence (written into <paramref name="answer"/>, same length).</summary>
    protected abstract void Transform(ReadOnlySpan<long> data, Span<long> answer);

    protected override void Generate(Rng rng, Split split, Span<long> input, Span<long> target)
    {
        int n = LengthOf(split);
        for (int i = 0; i < n; i++) input[i] = rng.Next(Symbols);
        input[n] = Sep;
        input[(n + 1)..].Fill(Blank);
        target.Fill(Ignore);
        Transform(input[..n], target[(n + 1)..]);
    }

    public override string Description =>
        $"{Name} {Length} symbols from {Symbols}; answer at the {Length} blanks after SEP; generalization: length {GeneralizationLength}";
}

/// <summary>Copy: reproduce the sequence.</summary>
public sealed class CopyTask(int symbols = 8, int length = 8, int generalizationLength = 16, double testFraction = 0.2)
    : SequenceTransductionTask("copy", symbols, length, generalizationLength, testFraction)
{
    protected override void Transform(ReadOnlySpan<long> data, Span<long> answer) => data.CopyTo(answer);
}

/// <summary>Reverse: the sequence backwards.</summary>
public sealed class ReverseTask(int symbols = 8, int length = 8, int generalizationLength = 16, double testFraction = 0.2)
    : SequenceTransductionTask("reverse", symbols, length, generalizationLength, testFraction)
{
    protected override void Transform(ReadOnlySpan<long> data, Span<long> answer)
    {
        data.CopyTo(answer);
        answer.Reverse();
    }
}

/// <summary>Sort: the sequence in ascending order.</summary>
public sealed class SortTask(int symbols = 8, int length = 8, int generalizationLength = 16, double testFraction = 0.2)
    : SequenceTransductionTask("sort", symbols, length, generalizationLength, testFraction)
{
    protected override void Transform(ReadOnlySpan<long> data, Span<long> answer)
    {
        data.CopyTo(answer);
        answer.Sort();
    }
}
