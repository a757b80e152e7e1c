using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Studies;

/// <summary>Progress of a study: which variant and seed just finished.</summary>
public sealed record AblationProgress(string Variant, long Seed, int Done, int Total, SeedRun Run);

/// <summary>
/// A baseline config and its ablation variants (<c>baseline with { ... }</c>), each trained over the
/// same seeds on one task; <see cref="Run"/> returns per-seed metrics and the statistics of each
/// variant against the baseline.
/// </summary>
public sealed class AblationStudy<TConfig> where TConfig : notnull
{
    readonly List<(string name, TConfig config)> variants = new();
    readonly Dictionary<string, TrainConfig> recipes = new();

    public AblationStudy(string name, TConfig baseline, Func<TConfig, Module<Tensor, Tensor>> model, ISyntheticTask task, TrainConfig? training = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Baseline = baseline;
        Model = model;
        Task = task;
        Training = training ?? new TrainConfig();
        Metrics = MetricSpec.DefaultsFor(task);
        variants.Add(("baseline", baseline));
    }

    public string Name { get; }
    public TConfig Baseline { get; }
    public Func<TConfig, Module<Tensor, Tensor>> Model { get; }
    public ISyntheticTask Task { get; }
    public TrainConfig Training { get; }
    /// <summary>The baseline first, then the variants in the order added.</summary>
    public IReadOnlyList<(string name, TConfig config)> Variants => variants;
    public IReadOnlyList<long> Seeds { get; set; } = new long[] { 0, 1, 2 };
    /// <summary>Metrics to tabulate; the first is the headline. Default: the task's test score (test_accuracy, or test_rmse for a regression) and test_loss.</summary>
    public IReadOnlyList<MetricSpec> Metrics { get; set; }
    public string? Family { get; set; }
    public Device? Device { get; set; }
    public int BootstrapResamples { get; set; } = 10_000;
    public long BootstrapSeed { get; set; }
    /// <summary>True when each model is <c>config.For(task).Build()</c> (<see cref="Ablation.Of"/>), which a shard process can redo.</summary>
    public bool BuildsFromConfig { get; init; }

    /// <summary>Adds a variant given as a whole config.</summary>
    public AblationStudy<TConfig> Add(string name, TConfig config)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (variants.Any(v => v.name == name)) throw new ArgumentException($"study '{Name}' already has a variant named '{name}'");
        variants.Add((name, config));
        return this;
    }

    /// <summary>Adds a variant as a change of the baseline: <c>study.Add("no-ffn", c => c with { Ffn = false })</c>.</summary>
    public AblationStudy<TConfig> Add(string name, Func<TConfig, TConfig> change) => Add(name, change(Baseline));

    /// <summary>
    /// Adds a variant that trains the baseline model under another recipe, so "is it the architecture or the
    /// recipe?" gets the same statistics: <c>study.AddRecipe("lion", t => t with { Optimizer = OptimizerKind.Lion })</c>.
    /// </summary>
    public AblationStudy<TConfig> AddRecipe(string name, Func<TrainConfig, TrainConfig> change)
    {
        var recipe = change(Training);
        recipe.Validate();
        Add(name, Baseline);
        recipes[name] = recipe;
        return this;
    }

    /// <summary>The training config a variant runs with: its own recipe, or the study's.</summary>
    public TrainConfig TrainingOf(string variant) => recipes.GetValueOrDefault(variant, Training);

    /// <summary>The learning-rate tuning applied by <see cref="TuneLearningRates"/> (null until then).</summary>
    public LearningRateTuning? Tuning { get; private set; }

    /// <summary>
    /// Gives the baseline and every variant its own best learning rate from <paramref name="grid"/>, judged on
    /// the validation split over <paramref name="seeds"/> (default: the study's first two), before <see cref="Run"/>
    /// compares them on test. The sweep's runs are logged as group "{Name}-tune".
    /// </summary>
    public LearningRateTuning TuneLearningRates(LearningRateGrid grid, IReadOnlyList<long>? seeds = null, IExperimentLog? log = null,
        CancellationToken cancellation = default)
    {
        seeds ??= Seeds.Take(2).ToList();
        var sweeps = new List<LearningRateSweepResult>();
        bool interrupted = false;
        foreach (var (name, config) in variants)
        {
            var sweep = LearningRateSweep.Run($"{Name}-tune", name, config, Model, Task, TrainingOf(name), grid, seeds, log, Family, Device, cancellation);
            sweeps.Add(sweep);
            if (sweep.Interrupted) { interrupted = true; break; }
        }
        Tuning = new LearningRateTuning($"{Name}-tune", Task.Name, sweeps, interrupted);
        if (interrupted) return Tuning;   // a partial tuning changes nothing: every variant or none gets its rate
        foreach (var sweep in sweeps)
            if (sweep.BestLearningRate is { } lr) recipes[sweep.Variant] = TrainingOf(sweep.Variant) with { LearningRate = lr };
        return Tuning;
    }

    /// <summary>Trains every variant over every seed. Cancelling stops between steps; the result then says Interrupted and holds the finished seeds.</summary>
    public AblationResult Run(IExperimentLog? log = null, CancellationToken cancellation = default, IProgress<AblationProgress>? progress = null)
    {
        if (Seeds.Count == 0) throw new InvalidOperationException("an ablation needs at least one seed (three or more for statistics)");
        var results = new List<VariantResult>();
        bool interrupted = false;
        int done = 0, total = variants.Count * Seeds.Count;
        foreach (var (name, config) in variants)
        {
            var (runs, stopped) = SeedRunner.Run(Name, name, config, Model, Task, TrainingOf(name), Seeds, log, Family, Device, cancellation,
                run => progress?.Report(new AblationProgress(name, run.Seed, ++done, total, run)));
            if (runs.Count > 0 || !stopped) results.Add(new VariantResult(name, config, results.Count == 0, runs));
            if (stopped) { interrupted = true; break; }
        }
        return new AblationResult(Name, Task.Name, results, Metrics, interrupted, BootstrapResamples, BootstrapSeed)
        {
            LearningRates = variants.ToDictionary(v => v.name, v => TrainingOf(v.name).LearningRate), Tuning = Tuning,
        };
    }
}

/// <summary>Shortcuts for studies over the families' configs.</summary>
public static class Ablation
{
    /// <summary>A study whose models come from the config itself (<see cref="IModelConfig.For"/> the task, then Build).</summary>
    public static AblationStudy<TConfig> Of<TConfig>(string name, TConfig baseline, ISyntheticTask task, TrainConfig? training = null)
        where TConfig : IModelConfig => new(name, baseline, c => c.For(task).Build(), task, training) { BuildsFromConfig = true };

    /// <summary>The study with one variant per ablation point and alternative of the baseline's [Ablation] fields.</summary>
    public static AblationStudy<TConfig> OverAllPoints<TConfig>(string name, TConfig baseline, ISyntheticTask task, TrainConfig? training = null)
        where TConfig : IModelConfig
    {
        var study = Of(name, baseline, task, training);
        foreach (var (variant, config) in AblationPoints.Variants(baseline)) study.Add(variant, config);
        return study;
    }
}
