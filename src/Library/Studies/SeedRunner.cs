using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Runtime;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Studies;

/// <summary>Which way a metric is better.</summary>
public sealed record MetricSpec(string Name, bool HigherIsBetter)
{
    public static readonly MetricSpec TestAccuracy = new("test_accuracy", true);
    public static readonly MetricSpec TestLoss = new("test_loss", false);
    public static readonly MetricSpec GeneralizationAccuracy = new("generalization_accuracy", true);
    public static readonly MetricSpec TrainLoss = new("train_loss", false);
    public override string ToString() => $"{Name} ({(HigherIsBetter ? "higher" : "lower")} is better)";
}

/// <summary>One seed's run of one config: its final metrics (plus parameter_count, wall_time_s, steps_per_second) and training record.</summary>
public sealed record SeedRun(long Seed, IReadOnlyDictionary<string, double> Metrics, long ParameterCount, TrainingResult Training);

/// <summary>Trains one config over several seeds, each on a fresh model, recording every run.</summary>
internal static class SeedRunner
{
    /// <summary>Runs the seeds in order; stops early (returning the finished ones) when cancelled.</summary>
    public static (List<SeedRun> runs, bool interrupted) Run<TConfig>(
        string group, string variant, TConfig config, Func<TConfig, Module<Tensor, Tensor>> factory, ISyntheticTask task,
        TrainConfig training, IReadOnlyList<long> seeds, IExperimentLog? log, string? family, Device? device, CancellationToken ct, Action<SeedRun>? finished = null)
    {
        ct = Interruption.With(ct);   // a study called from a cell stops on its interrupt without a token
        var runs = new List<SeedRun>();
        foreach (var seed in seeds)
        {
            if (ct.IsCancellationRequested) return (runs, true);
            manual_seed(seed);
            using var model = factory(config);
            if (device is { } d) model.to(d);
            long parameters = model.num_parameters();
            var seeded = training with { Seed = seed };
            var where = model.device.ToString();
            using var recorder = log?.StartRun(new ExperimentRunInfo
            {
                Group = group, Variant = variant, Seed = seed, Config = config, Task = task.Name, Family = family, ParameterCount = parameters,
                Training = RunConfig.Train(seeded, where), Device = where,
            });
            // The study's metrics add the model's size and speed to what training measured.
            Dictionary<string, double> Metrics(TrainingResult r) => new(r.FinalMetrics)
            {
                ["parameter_count"] = parameters,
                ["wall_time_s"] = r.WallTime.TotalSeconds,
                ["steps_per_second"] = r.StepsPerSecond,
            };
            var result = RecordedTraining.Fit(model, task, seeded, recorder, ct, finalMetrics: Metrics, divergenceFails: false);
            if (result.Interrupted) return (runs, true);   // a partly trained seed would bias the statistics, so it is left out
            var metrics = Metrics(result);
            runs.Add(new SeedRun(seed, metrics, parameters, result));
            finished?.Invoke(runs[^1]);
        }
        return (runs, false);
    }
}
