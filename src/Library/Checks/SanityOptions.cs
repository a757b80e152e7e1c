using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Checks;

/// <summary>Knobs of the sanity checks; the defaults suit small models on the synthetic tasks.</summary>
public sealed record SanityOptions
{
    /// <summary>
    /// Where models built from a factory (SanitySuite, the input-independent baseline) are moved after
    /// being built, seeded, on the CPU (so the initial weights are the same on every device). Checks
    /// handed a model run on that model's device.
    /// </summary>
    public Device Device { get; init; } = CPU;
    /// <summary>Seeds torch before each fresh model is built, and the batches.</summary>
    public long Seed { get; init; }
    public int BatchSize { get; init; } = 32;
    /// <summary>AdamW learning rate for the checks that train (overfit, baseline, update ratio).</summary>
    public double LearningRate { get; init; } = 1e-3;

    public double InitialLossTolerance { get; init; } = 0.25;

    public int OverfitBatchSize { get; init; } = 8;
    public int OverfitMaxSteps { get; init; } = 300;
    public double OverfitThreshold { get; init; } = 0.05;
    /// <summary>Learning rate for overfitting one batch (null: 3 × LearningRate; memorising a few examples tolerates more).</summary>
    public double? OverfitLearningRate { get; init; }

    public int BaselineSteps { get; init; } = 100;
    /// <summary>Real inputs must reach a test loss at least this fraction below zeroed inputs.</summary>
    public double BaselineMargin { get; init; } = 0.05;

    /// <summary>Gradient norms at or below this are dead; relative to the largest, below VanishingRatio are vanishing.</summary>
    public double DeadGradNorm { get; init; } = 1e-12;
    public double VanishingRatio { get; init; } = 1e-7;
    public double ExplodingGradNorm { get; init; } = 1e3;

    public int UpdateRatioSteps { get; init; } = 10;
    /// <summary>Healthy band of log10(update/data); about -3 is the rule of thumb.</summary>
    public double UpdateRatioLow { get; init; } = -5;
    public double UpdateRatioHigh { get; init; } = -1;

    /// <summary>Examples whose outputs are charted by the dependency check (one backward pass each).</summary>
    public int DependencyBatchSize { get; init; } = 4;
    /// <summary>
    /// The model's declared causality (<see cref="CausalityDeclaration.Of"/>): true, the dependency check
    /// asserts that position t's outputs ignore later inputs; false, that some output reads a later
    /// input; null (undeclared), it reports what it measured and asserts nothing about positions.
    /// </summary>
    public bool? Causal { get; init; }
    /// <summary>Gradient that must not exist may be at most this fraction of the smallest one that must (exact zero is expected).</summary>
    public double DependencyTolerance { get; init; } = 1e-6;
}
