using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Analysis;

/// <summary>
/// One trained parameter tensor at one optimizer step: the L2 norm of its gradient (as backpropagated, before any
/// clipping; 0 when the loss never reached it) and its update-to-weight ratio ‖w_after − w_before‖ / ‖w_before‖
/// (null when the weight was all zeros before the step, where the ratio is undefined).
/// </summary>
public sealed record ParameterStep(string Name, long[] Shape, double GradNorm, double UpdateNorm, double WeightNorm)
{
    public double? UpdateRatio => WeightNorm > 0 ? UpdateNorm / WeightNorm : null;

    /// <summary>The statistics that are logged over training, by the names the run log uses.</summary>
    public IEnumerable<(string Stat, double Value)> Logged()
    {
        yield return ("grad_norm", GradNorm);
        if (UpdateRatio is { } r) yield return ("update_ratio", r);
    }
}

/// <summary>Per-parameter gradient norms and update-to-weight ratios of optimizer steps: the gradient-flow picture of a run.</summary>
public static class ParameterStatistics
{
    /// <summary>The statistics a run log holds per parameter and step, under "params/{parameter}/{stat}".</summary>
    public static readonly string[] Stats = ["grad_norm", "update_ratio"];

    /// <summary>The run-log metric name of one parameter's statistic, e.g. params/hidden.weight/grad_norm.</summary>
    public static string MetricName(string parameter, string stat) => LoggedMetricName.Of("params", parameter, stat);

    /// <summary>Splits a run-log metric name back into (parameter, stat); false for other metrics.</summary>
    public static bool TryParseMetric(string name, out string parameter, out string stat) => LoggedMetricName.TryParse("params", name, out parameter, out stat);

    /// <summary>
    /// Starts recording one optimizer step of <paramref name="parameters"/>: call it after backward (the gradients are
    /// read now, before clipping changes them) and <see cref="ParameterStepRecording.Finish"/> after the optimizer's step.
    /// It keeps a copy of the weights until then. Tensors it makes belong to the caller's dispose scope.
    /// </summary>
    public static ParameterStepRecording Begin(IReadOnlyList<(string Name, Tensor Parameter)> parameters) => new(parameters);
}

/// <summary>The weights and gradient norms of a step in progress; <see cref="Finish"/> measures what the optimizer did.</summary>
public sealed class ParameterStepRecording
{
    readonly IReadOnlyList<(string Name, Tensor Parameter)> parameters;
    readonly Tensor[] before;
    readonly Tensor gradNorms;

    internal ParameterStepRecording(IReadOnlyList<(string Name, Tensor Parameter)> parameters)
    {
        this.parameters = parameters;
        using var _ = no_grad();
        // Norms stay on the device until Finish, so a recorded step waits for the device once, not per parameter.
        gradNorms = Norms(parameters.Select(p => p.Parameter.grad is { } g ? g.detach().norm() : zeros([], ScalarType.Float64, p.Parameter.device)));
        before = parameters.Select(p => p.Parameter.detach().clone()).ToArray();
    }

    /// <summary>Each parameter's gradient norm, update norm and weight norm, read back in one transfer.</summary>
    public IReadOnlyList<ParameterStep> Finish()
    {
        if (parameters.Count == 0) return [];
        using var _ = no_grad();
        var updates = Norms(parameters.Select((p, i) => p.Parameter.detach().sub(before[i]).norm()));
        var weights = Norms(before.Select(w => w.norm()));
        var all = cat([gradNorms, updates, weights]).cpu().data<double>();
        int n = parameters.Count;
        return parameters.Select((p, i) => new ParameterStep(p.Name, p.Parameter.shape, all[i], all[n + i], all[2 * n + i])).ToList();
    }

    // Parameters may differ in dtype (a float16 embedding beside float32 layers): every norm is widened before stacking.
    static Tensor Norms(IEnumerable<Tensor> norms)
    {
        var list = norms.Select(t => t.to(ScalarType.Float64)).ToArray();
        return list.Length == 0 ? zeros([0], ScalarType.Float64) : stack(list);
    }
}
