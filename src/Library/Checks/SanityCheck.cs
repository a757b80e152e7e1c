using System.Text;

namespace ArchNotebooks.Library.Checks;

/// <summary>The result of one sanity check: pass or fail, a one-line summary, and the numbers behind it (in the subtype).</summary>
public abstract record SanityCheck
{
    /// <summary>Short name: "shape", "initial-loss", "input-independent-baseline", ...</summary>
    public abstract string Name { get; }
    public required bool Passed { get; init; }
    /// <summary>One line with the measured numbers and, on failure, what it suggests.</summary>
    public required string Summary { get; init; }
    // Sealed so derived records don't get a compiler-generated member dump instead; they extend Describe.
    public sealed override string ToString() => Describe();

    /// <summary>"PASS name: summary", followed by a table where the check has one.</summary>
    protected virtual string Describe() => $"{(Passed ? "PASS" : "FAIL")} {Name}: {Summary}";
}

/// <summary>Logits have the shape the task expects and are finite.</summary>
public sealed record ShapeCheck : SanityCheck
{
    public override string Name => "shape";
    public required long[] Expected { get; init; }
    /// <summary>Shape the model produced (empty if its forward threw).</summary>
    public required long[] Actual { get; init; }
    public required bool AllFinite { get; init; }
}

/// <summary>An untrained model's loss is near that of a uniform prediction, ln(classes) (Karpathy: "verify loss @ init").</summary>
public sealed record InitialLossCheck : SanityCheck
{
    public override string Name => "initial-loss";
    public required double Expected { get; init; }
    public required double Actual { get; init; }
    /// <summary>Allowed |actual - expected| as a fraction of expected.</summary>
    public required double RelativeTolerance { get; init; }
}

/// <summary>A model trained on real inputs beats the same model trained on zeroed inputs (Karpathy's input-independent baseline).</summary>
public sealed record InputIndependenceCheck : SanityCheck
{
    public override string Name => "input-independent-baseline";
    public required double TestLossWithInputs { get; init; }
    public required double TestLossWithZeroedInputs { get; init; }
    /// <summary>Required relative improvement of real inputs over zeroed ones.</summary>
    public required double Margin { get; init; }
    public required int Steps { get; init; }
}

/// <summary>The model can drive the loss on one small batch to near zero (it has the capacity and the plumbing works).</summary>
public sealed record OverfitBatchCheck : SanityCheck
{
    public override string Name => "overfit-one-batch";
    public required int BatchSize { get; init; }
    public required double InitialLoss { get; init; }
    public required double FinalLoss { get; init; }
    public required double FinalAccuracy { get; init; }
    public required int StepsTaken { get; init; }
    public required double Threshold { get; init; }
}

/// <summary>How a parameter's gradient looks after one backward pass.</summary>
public enum GradientFlag { Healthy, NoGradient, Dead, Vanishing, Exploding, NonFinite }

/// <summary>One parameter tensor's gradient norm against its own norm.</summary>
public sealed record ParameterGradient(string Name, long[] Shape, double GradNorm, double ParamNorm, GradientFlag Flag);

/// <summary>Every parameter tensor receives a finite, non-vanishing, non-exploding gradient.</summary>
public sealed record GradientFlowCheck : SanityCheck
{
    public override string Name => "gradient-flow";
    public required IReadOnlyList<ParameterGradient> Parameters { get; init; }
    public IEnumerable<ParameterGradient> Flagged => Parameters.Where(p => p.Flag != GradientFlag.Healthy);
    protected override string Describe() => Table(base.Describe(), Parameters.Select(p =>
        $"{p.Name,-32} [{string.Join("x", p.Shape)}]  grad {p.GradNorm:E2}  param {p.ParamNorm:E2}  {p.Flag}"));

    internal static string Table(string head, IEnumerable<string> rows)
    {
        var sb = new StringBuilder(head);
        foreach (var row in rows) sb.Append("\n  ").Append(row);
        return sb.ToString();
    }
}

/// <summary>How large a parameter's updates are relative to its values.</summary>
/// <summary>NotJudged: a 1-D parameter (bias, norm gain), whose ratio is measured but not held to the weights' rule of thumb.</summary>
public enum UpdateFlag { Healthy, TooHigh, TooLow, Undefined, NotJudged }

/// <summary>
/// log10(std(update) / std(parameter)) averaged over the measured steps; about -3 is healthy
/// (Karpathy, makemore part 3). Undefined for parameters whose values have no spread (a fresh
/// LayerNorm gain) or a single element.
/// </summary>
public sealed record ParameterUpdateRatio(string Name, long[] Shape, double Log10Ratio, UpdateFlag Flag);

/// <summary>Updates are neither so large that they overwrite the weights nor so small that nothing learns.</summary>
public sealed record UpdateRatioCheck : SanityCheck
{
    public override string Name => "update-to-data-ratio";
    public required double LearningRate { get; init; }
    public required int Steps { get; init; }
    public required double Low { get; init; }
    public required double High { get; init; }
    public required IReadOnlyList<ParameterUpdateRatio> Parameters { get; init; }
    public IEnumerable<ParameterUpdateRatio> Flagged => Parameters.Where(p => p.Flag is UpdateFlag.TooHigh or UpdateFlag.TooLow);
    protected override string Describe() => GradientFlowCheck.Table(base.Describe(), Parameters.Select(p =>
        $"{p.Name,-32} [{string.Join("x", p.Shape)}]  log10 ratio {p.Log10Ratio:F2}  {p.Flag}"));
}

/// <summary>
/// Karpathy's "use backprop to chart dependencies": the gradient of example i's outputs reaches only
/// example i's input (nothing mixes the batch), and for causal models position t's outputs reach no
/// input position after t. Token inputs are charted through the outputs of the embeddings that read them.
/// </summary>
public sealed record DependencyCheck : SanityCheck
{
    public override string Name => "batch-dependencies";
    /// <summary>What the gradient was taken with respect to: "input" or the embedding layers that read the tokens.</summary>
    public required string Probe { get; init; }
    /// <summary>Influence[i][j]: largest |∂(weighted sum of example i's outputs) / ∂(example j's input)|.</summary>
    public required double[][] Influence { get; init; }
    /// <summary>Smallest influence of an example on its own outputs (must be above zero).</summary>
    public required double OwnInfluence { get; init; }
    /// <summary>Largest influence of any example on another's outputs (must be zero, up to Tolerance × OwnInfluence).</summary>
    public required double CrossInfluence { get; init; }
    /// <summary>Whether the model was held to causality (it was declared causal and has per-position outputs).</summary>
    public required bool CausalChecked { get; init; }
    /// <summary>What the chart of positions showed against the model's declaration.</summary>
    public required CausalityVerdict Causality { get; init; }
    /// <summary>Largest |∂ output at t / ∂ input at s| over s &gt; t in one example; 0 when causal, NaN when not measurable.</summary>
    public required double FutureInfluence { get; init; }
    /// <summary>Largest |∂ output at t / ∂ input at s| over s &lt; t in one example.</summary>
    public required double PastInfluence { get; init; }
    /// <summary>The first (output position, input position) pair where the future leaked, if any.</summary>
    public (long output, long input)? FirstLeak { get; init; }
    public required double Tolerance { get; init; }

    protected override string Describe() => GradientFlowCheck.Table(base.Describe(), Influence.Select((row, i) =>
        $"outputs of example {i}: " + string.Join("  ", row.Select(v => v.ToString("E1")))));
}
