using System.Globalization;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Data;

/// <summary>
/// A change applied to every training batch (never to held-out ones): mixup or random masking. Its
/// randomness comes from the batch's seed, so a run — and a resumed run — draws the same changes on any device.
/// Give it to a task as a pipeline option (<c>task.Augmented(new Mixup(0.2))</c>) or to the Trainer as
/// <c>TrainConfig.Augmentations</c>, which also logs it with the recipe.
/// </summary>
public abstract record Augmentation
{
    /// <summary>The batch changed; <paramref name="batch"/> is left as it was (the caller disposes it).</summary>
    public abstract TaskBatch Apply(TaskBatch batch, ISyntheticTask task, long seed);

    /// <summary>How the recipe log names it, e.g. "mixup(alpha=0.2)".</summary>
    public abstract string Name { get; }

    /// <summary>Says why this augmentation cannot apply to <paramref name="task"/> (before any training), or nothing.</summary>
    public virtual void Check(ISyntheticTask task) { }

    /// <summary>Keeps the augmentation's draws apart from the batch's own, which use the same seed.</summary>
    protected static Rng RngFor(long seed, string name) => new(Rng.Mix(seed, Rng.HashName(name)));

    protected static string Number(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}

/// <summary>
/// Mixup (Zhang et al., 2018) for classification: each batch is blended with a shuffled copy of itself,
/// x = λ·x + (1−λ)·x[perm], and its targets become the same blend of one-hot labels, with one
/// λ ~ Beta(α, α) per batch. The targets are then class probabilities (N, C), which the tasks' cross
/// entropy reads as soft labels; accuracy on them counts the arg-max.
/// </summary>
public sealed record Mixup(double Alpha = 0.2) : Augmentation
{
    public override string Name => $"mixup(alpha={Number(Alpha)})";

    public override void Check(ISyntheticTask task)
    {
        if (!(Alpha > 0) || !double.IsFinite(Alpha)) throw new ArgumentException($"mixup's alpha must be positive, got {Alpha}");
        if (task.InputDType is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"mixup blends inputs, but {task.Name}'s are {task.InputDType} token ids; mask them instead (RandomMasking)");
        if (task.Loss != LossKind.Classification)
            throw new ArgumentException($"mixup blends one label per example; {task.Name} is a {task.Loss} task (masking suits token sequences)");
    }

    public override TaskBatch Apply(TaskBatch batch, ISyntheticTask task, long seed)
    {
        Check(task);
        var rng = RngFor(seed, "mixup");
        double lambda = Lambda(rng);
        var order = Enumerable.Range(0, (int)batch.Size).Select(i => (long)i).ToArray();
        rng.Shuffle(order.AsSpan());
        using var scope = NewDisposeScope();
        var perm = tensor(order, device: batch.Input.device);
        var x = batch.Input.mul(lambda).add(batch.Input.index_select(0, perm), 1 - lambda);
        var onehot = one_hot(batch.Target, task.NumClasses).to(ScalarType.Float32);
        var y = onehot.mul(lambda).add(onehot.index_select(0, perm), 1 - lambda);
        return new TaskBatch(x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }

    /// <summary>λ ~ Beta(α, α), as the ratio of two Gamma(α) draws.</summary>
    public double Lambda(Rng rng)
    {
        double a = Gamma(rng, Alpha), b = Gamma(rng, Alpha);
        return a + b > 0 ? a / (a + b) : 0.5;
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang's squeeze method; shapes below 1 through Gamma(shape + 1)·U^(1/shape).</summary>
    static double Gamma(Rng rng, double shape)
    {
        if (shape < 1) return Gamma(rng, shape + 1) * Math.Pow(1 - rng.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do { z = rng.NextGaussian(); v = 1 + c * z; } while (v <= 0);
            v = v * v * v;
            double u = 1 - rng.NextDouble();
            if (Math.Log(u) < 0.5 * z * z + d - d * v + d * Math.Log(v)) return d * v;
        }
    }
}

/// <summary>
/// Random masking: each token of an integer input becomes <see cref="MaskToken"/> with probability
/// <see cref="Fraction"/>; for real-valued inputs each <see cref="PatchSize"/>² patch of the last two
/// dimensions (an image's or a frame's pixels, across its channels) is zeroed with that probability —
/// with one dimension, each feature. Targets are unchanged.
/// </summary>
public sealed record RandomMasking(double Fraction = 0.15, long MaskToken = 0, int PatchSize = 1) : Augmentation
{
    public override string Name => $"masking(fraction={Number(Fraction)}, {(MaskToken != 0 ? $"token={MaskToken}, " : "")}patch={PatchSize})";

    public override void Check(ISyntheticTask task)
    {
        if (!(Fraction >= 0 && Fraction < 1)) throw new ArgumentException($"the masked fraction must be in [0, 1), got {Fraction}");
        if (PatchSize < 1) throw new ArgumentException($"the patch size must be positive, got {PatchSize}");
        if (task.VocabSize is { } vocab && (MaskToken < 0 || MaskToken >= vocab))
            throw new ArgumentException($"the mask token {MaskToken} is not an id of {task.Name}'s vocabulary of {vocab}");
    }

    public override TaskBatch Apply(TaskBatch batch, ISyntheticTask task, long seed)
    {
        Check(task);
        using var scope = NewDisposeScope();
        var masked = Mask(batch.Input.shape, IsTokens(batch.Input), seed).to(batch.Input.device);
        var x = IsTokens(batch.Input) ? batch.Input.masked_fill(masked, MaskToken) : batch.Input.masked_fill(masked, 0);
        return new TaskBatch(x.MoveToOuterDisposeScope(), batch.Target.clone().MoveToOuterDisposeScope());
    }

    /// <summary>Which input elements the seed masks (a bool tensor shaped like the input, on the CPU).</summary>
    public Tensor Mask(long[] shape, bool tokens, long seed)
    {
        var rng = RngFor(seed, "masking");
        long n = shape[0];
        if (tokens || shape.Length == 2)
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var flags = new bool[count];
            for (long i = 0; i < count; i++) flags[i] = rng.NextDouble() < Fraction;
            return tensor(flags, shape);
        }
        // Patches of the last two dimensions, shared by the leading ones (channels, frames) of an example.
        long h = shape[^2], w = shape[^1], rows = (h + PatchSize - 1) / PatchSize, cols = (w + PatchSize - 1) / PatchSize;
        var pixels = new bool[n * h * w];
        for (long e = 0; e < n; e++)
            for (long r = 0; r < rows; r++)
                for (long c = 0; c < cols; c++)
                {
                    if (!(rng.NextDouble() < Fraction)) continue;
                    for (long y = r * PatchSize; y < Math.Min(h, (r + 1) * PatchSize); y++)
                        for (long x = c * PatchSize; x < Math.Min(w, (c + 1) * PatchSize); x++) pixels[(e * h + y) * w + x] = true;
                }
        var lead = Enumerable.Repeat(1L, shape.Length - 3);
        using var plane = tensor(pixels, new[] { n }.Concat(lead).Concat([h, w]).ToArray());
        return plane.expand(shape).contiguous();
    }

    static bool IsTokens(Tensor input) => input.dtype is ScalarType.Int64 or ScalarType.Int32;
}
