using System.Globalization;
using System.Text;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Studies;

/// <summary>One model size: its parameter count and the metric over seeds.</summary>
public sealed record ScalingPoint(string Name, long Parameters, IReadOnlyList<double> Values)
{
    public double Mean => Statistics.Mean(Values);
    public double Std => Statistics.SampleStd(Values);
}

/// <summary>The sizes, their losses and the fitted power laws.</summary>
public sealed record ScalingResult(string Name, string Task, string Metric, IReadOnlyList<ScalingPoint> Points, PowerLawFit? Fit, PowerLawFit? OffsetFit, bool Interrupted)
{
    public override string ToString()
    {
        var sb = new StringBuilder($"{Name} on {Task}: {Metric} vs parameters (mean ± sample std over seeds)\n");
        foreach (var p in Points)
            sb.Append(CultureInfo.InvariantCulture, $"  {p.Name,-16} N = {p.Parameters,10:N0}  {p.Mean:G4} ± {p.Std:G3}\n");
        if (Fit is not null) sb.Append("  fit: ").Append(Fit).Append('\n');
        if (OffsetFit is not null) sb.Append("  fit: ").Append(OffsetFit).Append('\n');
        if (Interrupted) sb.Append("  INTERRUPTED: some sizes are missing\n");
        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>The result with the power laws fitted to the points' means (the offset law from four sizes on).</summary>
    public static ScalingResult Fitted(string name, string task, string metric, IReadOnlyList<ScalingPoint> points, bool interrupted)
    {
        var n = points.Select(p => (double)p.Parameters).ToList();
        var loss = points.Select(p => p.Mean).ToList();
        bool distinct = n.Distinct().Count() >= 2;
        var fit = distinct && points.Count >= 2 && loss.All(l => l > 0) ? PowerLaw.Fit(n, loss) : null;
        var offset = distinct && points.Count >= 4 ? PowerLaw.FitWithOffset(n, loss) : null;
        return new ScalingResult(name, task, metric, points, fit, offset, interrupted);
    }
}

/// <summary>
/// Trains one config per model size over several seeds and fits the metric (by default test loss)
/// against parameter count to L = a·N^(−b), by log-log least squares, and with an irreducible
/// term L = a·N^(−b) + c when there are at least four sizes.
/// </summary>
public sealed class ScalingStudy<TConfig>(string name, IEnumerable<(string name, TConfig config)> sizes,
    Func<TConfig, Module<Tensor, Tensor>> model, ISyntheticTask task, TrainConfig? training = null) where TConfig : notnull
{
    public string Name { get; } = name;
    public ISyntheticTask Task => task;
    public TrainConfig Training => training ?? new TrainConfig();
    /// <summary>True when each model is <c>config.For(task).Build()</c> (<see cref="Scaling.Of"/>), which a shard process can redo.</summary>
    public bool BuildsFromConfig { get; init; }
    public IReadOnlyList<(string name, TConfig config)> Sizes { get; } = sizes.ToList();
    public IReadOnlyList<long> Seeds { get; set; } = new long[] { 0, 1, 2 };
    public string Metric { get; set; } = "test_loss";
    public string? Family { get; set; }
    public Device? Device { get; set; }

    public ScalingResult Run(IExperimentLog? log = null, CancellationToken cancellation = default)
    {
        var points = new List<ScalingPoint>();
        bool interrupted = false;
        foreach (var (size, config) in Sizes)
        {
            var (runs, stopped) = SeedRunner.Run(Name, size, config, model, task, Training, Seeds, log, Family, Device, cancellation);
            if (runs.Count > 0) points.Add(new ScalingPoint(size, runs[0].ParameterCount, runs.Select(r => r.Metrics[Metric]).ToList()));
            if (stopped) { interrupted = true; break; }
        }
        return ScalingResult.Fitted(Name, task.Name, Metric, points, interrupted);
    }
}

/// <summary>Shortcuts for scaling studies over the families' configs.</summary>
public static class Scaling
{
    /// <summary>A scaling study whose models come from each size's config (<see cref="IModelConfig.For"/> the task, then Build).</summary>
    public static ScalingStudy<TConfig> Of<TConfig>(string name, IEnumerable<(string name, TConfig config)> sizes, ISyntheticTask task, TrainConfig? training = null)
        where TConfig : IModelConfig => new(name, sizes, c => c.For(task).Build(), task, training) { BuildsFromConfig = true };
}
