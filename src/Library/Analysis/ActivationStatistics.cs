using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Interop;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Analysis;

/// <summary>
/// What one layer's output looked like on a batch. <see cref="Dead"/> is the fraction of units (every position of one
/// example) that are zero for every example of the batch, the way a ReLU unit dies; <see cref="Saturated"/> the
/// fraction of elements within 1% of a squashing activation's bounds (tanh: |x| &gt; 0.99, sigmoid: x &lt; 0.01 or
/// &gt; 0.99), null for layers that do not squash. <see cref="Norm"/> is the mean L2 norm of one example's output.
/// </summary>
public sealed record LayerActivations(string Path, string Type, long[] Shape, double Mean, double Std, double Dead, double Zero,
    double? Saturated, double Norm, double Min, double Max, double[] HistogramCounts)
{
    /// <summary>Bin edges of <see cref="HistogramCounts"/>: equal widths from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public double[] HistogramEdges => Enumerable.Range(0, HistogramCounts.Length + 1)
        .Select(i => Min + (Max - Min) * i / HistogramCounts.Length).ToArray();

    /// <summary>The statistics that are logged over training, by the names the run log uses.</summary>
    public IEnumerable<(string Stat, double Value)> Logged()
    {
        yield return ("mean", Mean);
        yield return ("std", Std);
        yield return ("dead", Dead);
        yield return ("norm", Norm);
        if (Saturated is { } s) yield return ("saturated", s);
    }
}

/// <summary>Per-layer activation statistics from one forward pass: every submodule's tensor output, summarised as it is produced.</summary>
public static class ActivationStatistics
{
    /// <summary>The statistics a run log holds per layer and step, under "activations/{layer}/{stat}".</summary>
    public static readonly string[] Stats = ["mean", "std", "dead", "saturated", "norm"];

    /// <summary>The run-log metric name of one layer's statistic.</summary>
    public static string MetricName(string layer, string stat) => LoggedMetricName.Of("activations", layer, stat);

    /// <summary>Splits a run-log metric name back into (layer, stat); false for other metrics.</summary>
    public static bool TryParseMetric(string name, out string layer, out string stat) => LoggedMetricName.TryParse("activations", name, out layer, out stat);

    /// <summary>
    /// Runs <paramref name="model"/> once on <paramref name="input"/> in eval mode without gradients (its mode is
    /// restored) and summarises the output of every submodule, in the order the modules first ran.
    /// </summary>
    public static IReadOnlyList<LayerActivations> Of(Module<Tensor, Tensor> model, Tensor input, int bins = 30)
    {
        var layers = new List<LayerActivations>();
        LayerOutputs.Watch(model, input, (path, m, y) => layers.Add(Summarize(path, m.GetType().Name, y, Squash(m), bins)));
        return layers;
    }

    /// <summary>
    /// Summarises every submodule output of the forward calls made while the result is open (the first call of each
    /// module counts); the training loop opens one around the forward of the steps it logs.
    /// </summary>
    public static ActivationRecording Record(Module model, int bins = 30) => new(model, bins);

    /// <summary>The statistics of one tensor; <paramref name="squash"/> names the activation whose bounds count as saturated.</summary>
    public static LayerActivations Summarize(string path, string type, Tensor output, string? squash, int bins = 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var x = output.detach().to(ScalarType.Float64);
        long n = x.numel();
        if (n == 0) return new LayerActivations(path, type, output.shape, double.NaN, double.NaN, double.NaN, double.NaN, null, double.NaN, double.NaN, double.NaN, new double[bins]);
        double mean = x.mean().ToDouble();
        double std = n > 1 ? x.std(unbiased: false).ToDouble() : 0;
        double min = x.min().ToDouble(), max = x.max().ToDouble();
        // A unit is one position of an example; it is dead when no example of the batch moves it off zero.
        var perUnit = x.dim() >= 2 ? x.abs().amax(0) : x.abs();
        double dead = perUnit.eq(0).to(ScalarType.Float64).mean().ToDouble();
        double zero = x.eq(0).to(ScalarType.Float64).mean().ToDouble();
        double norm = x.dim() >= 2 ? x.flatten(1).norm(2, 1).mean().ToDouble() : x.norm().ToDouble();
        double? saturated = squash switch
        {
            "tanh" => x.abs().gt(0.99).to(ScalarType.Float64).mean().ToDouble(),
            "sigmoid" => (x.lt(0.01) | x.gt(0.99)).to(ScalarType.Float64).mean().ToDouble(),
            _ => null,
        };
        // histc with min == max would pick the data's own range; a constant output gets one full bin instead.
        var counts = min < max ? histc.Call(x, bins, min, max).data<double>() : Enumerable.Range(0, bins).Select(i => i == 0 ? (double)n : 0).ToArray();
        return new LayerActivations(path, type, output.shape, mean, std, dead, zero, saturated, norm, min, max, counts);
    }

    static readonly Op histc = new("histc");

    /// <summary>"tanh" or "sigmoid" when the module squashes its output into a bounded range, else null.</summary>
    internal static string? Squash(Module module) => module switch
    {
        Activation a when a.Name is "tanh" or "sigmoid" => a.Name,
        _ when module.GetType().Name is "Tanh" or "Sigmoid" => module.GetType().Name.ToLowerInvariant(),
        _ => null,
    };
}

/// <summary>Summaries of every submodule output of the forward calls made while it is open (nothing is kept but the numbers).</summary>
public sealed class ActivationRecording : IDisposable
{
    readonly List<LayerActivations> order = new();
    readonly LayerOutputs watch;

    internal ActivationRecording(Module model, int bins) =>
        watch = new LayerOutputs(model, (path, m, y) => order.Add(ActivationStatistics.Summarize(path, m.GetType().Name, y, ActivationStatistics.Squash(m), bins)));

    /// <summary>The layers summarised so far, in the order they ran.</summary>
    public IReadOnlyList<LayerActivations> Layers => order.ToList();

    public void Dispose() => watch.Dispose();
}
