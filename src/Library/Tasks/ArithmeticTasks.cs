namespace ArchNotebooks.Library.Tasks;

/// <summary>
/// Parity: the class is the XOR of n bits (tokens 0/1). A classic hard case for gradient descent on
/// long strings (every bit matters, no partial credit). Generalization: longer strings.
/// </summary>
public sealed class ParityTask : SyntheticTask<long>
{
    public ParityTask(int bits = 8, int generalizationBits = 16, double testFraction = 0.2)
        : base("parity", LossKind.Classification, 2, testFraction)
    {
        if (bits < 1 || generalizationBits < bits) throw new ArgumentException($"parity needs 1 <= bits <= generalizationBits, got {bits} and {generalizationBits}");
        Bits = bits;
        GeneralizationBits = generalizationBits;
    }

    public int Bits { get; }
    public int GeneralizationBits { get; }
    public override long? VocabSize => 2;
    public override bool HasGeneralizationSplit => GeneralizationBits > Bits;
    public override string Description => $"XOR of {Bits} bits; generalization: {GeneralizationBits} bits";
    public override long[] InputShape(Split split = Split.Train) => new long[] { split == Split.Generalization ? GeneralizationBits : Bits };
    protected override int TargetLength(Split split) => 1;

    protected override void Generate(Rng rng, Split split, Span<long> input, Span<long> target)
    {
        long parity = 0;
        for (int i = 0; i < input.Length; i++) parity ^= input[i] = rng.NextBool() ? 1 : 0;
        target[0] = parity;
    }
}

/// <summary>
/// Modular addition: (a, b) → (a + b) mod p, inputs as two tokens. The training pairs are a fixed
/// fraction of all p² pairs (the grokking setting of Power et al., 2022); Test holds the rest.
/// </summary>
public sealed class ModularAdditionTask : SyntheticTask<long>
{
    public ModularAdditionTask(int modulus = 97, double trainFraction = 0.5)
        : base("modular-addition", LossKind.Classification, modulus, 1 - trainFraction)
    {
        if (modulus < 2) throw new ArgumentException($"the modulus must be at least 2, got {modulus}");
        Modulus = modulus;
    }

    public int Modulus { get; }
    public override long? VocabSize => Modulus;
    public override bool HasGeneralizationSplit => false;
    public override string Description => $"(a + b) mod {Modulus}, {(1 - TestFraction) * (1 - ValidationShare):P0} of the {Modulus * Modulus} pairs for training, {(1 - TestFraction) * ValidationShare:P0} for validation";
    public override long[] InputShape(Split split = Split.Train) => new long[] { 2 };
    protected override int TargetLength(Split split) => 1;

    protected override void Generate(Rng rng, Split split, Span<long> input, Span<long> target)
    {
        input[0] = rng.Next(Modulus);
        input[1] = rng.Next(Modulus);
        target[0] = (input[0] + input[1]) % Modulus;
    }
}
