using System.Text.Json;
using System.Text.Json.Serialization;
using ArchNotebooks.Library.Families;

namespace ArchNotebooks.Library.Studies.Plans;

/// <summary>
/// One training run of a study, complete in itself: which variant (or size) and seed, the config and
/// recipe as JSON, the task to rebuild and the run's name in the run log. Any array scheduler can run
/// shard i as <c>archnb shard PLAN i</c>.
/// </summary>
public sealed record StudyShard(int Index, string Variant, long Seed, string RunName, string ConfigType, JsonElement Config, JsonElement Training, TaskReference Task);

/// <summary>
/// A study written down so that other processes can train its shards: an ablation (variants × seeds) or a
/// scaling study (sizes × seeds) over a library family, plus what gathering needs to rebuild the same
/// table (metrics, bootstrap settings, variant order). Lives at <c>RUNS/studies/NAME/plan.json</c>;
/// <see cref="Runs"/> is relative to the plan's directory so the pair can move (a volume mounted elsewhere).
/// </summary>
public sealed record StudyPlan
{
    public const string Format = "archnotebooks-study-plan/1";
    public const string AblationKind = "ablation", ScalingKind = "scaling";

    [JsonPropertyName("format")] public string FormatName { get; init; } = Format;
    public required string Study { get; init; }
    /// <summary><see cref="AblationKind"/> or <see cref="ScalingKind"/>.</summary>
    public required string Kind { get; init; }
    /// <summary>The run-log directory, relative to the plan's directory (or absolute).</summary>
    public required string Runs { get; init; }
    public string? Family { get; init; }
    /// <summary>Device spec each shard trains on ("cpu", "cuda:0"); null keeps the library's default.</summary>
    public string? Device { get; init; }
    public required string Task { get; init; }
    public required IReadOnlyList<long> Seeds { get; init; }
    /// <summary>Variant (or size) names in the study's order, the baseline first.</summary>
    public required IReadOnlyList<string> Variants { get; init; }
    /// <summary>Ablation: the metrics tabulated, the headline first. Scaling: the one metric fitted.</summary>
    public required IReadOnlyList<MetricSpec> Metrics { get; init; }
    public int BootstrapResamples { get; init; } = 10_000;
    public long BootstrapSeed { get; init; }
    public required IReadOnlyList<StudyShard> Shards { get; init; }

    /// <summary>Where the plan was read from or saved to (not part of the JSON).</summary>
    [JsonIgnore] public string? Path { get; init; }

    /// <summary>The plan's directory, where shard status files and scheduler files go.</summary>
    [JsonIgnore] public string Directory => System.IO.Path.GetDirectoryName(Path ?? throw new InvalidOperationException("the plan has not been saved yet"))!;

    /// <summary>The run-log directory as an absolute path.</summary>
    [JsonIgnore] public string RunsDirectory => System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, Runs));

    static readonly JsonSerializerOptions Json = new(PortableValues.Json) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Where a study's plan goes inside a run-log directory (the run log ignores folders without run files).</summary>
    public static string DefaultPath(string runs, string study) =>
        System.IO.Path.Combine(System.IO.Path.GetFullPath(runs), "studies", SafeName(study), "plan.json");

    /// <summary>Writes the plan (by rename, so a shard never reads half of it); returns the plan with its path.</summary>
    public StudyPlan Save(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
        return this with { Path = path };
    }

    public static StudyPlan Read(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"no study plan at {path}", path);
        StudyPlan plan;
        try { plan = JsonSerializer.Deserialize<StudyPlan>(File.ReadAllText(path), Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not a study plan: {e.Message}", e); }
        if (plan.FormatName != Format) throw new InvalidDataException($"{path} is a plan of format '{plan.FormatName}', not {Format}");
        for (int i = 0; i < plan.Shards.Count; i++)
            if (plan.Shards[i].Index != i) throw new InvalidDataException($"{path}: shard {i} says it is shard {plan.Shards[i].Index}");
        return plan with { Path = path };
    }

    /// <summary>Shard <paramref name="index"/>, or an error naming the valid range.</summary>
    public StudyShard Shard(int index) =>
        index >= 0 && index < Shards.Count ? Shards[index]
            : throw new ArgumentOutOfRangeException(nameof(index), $"study {Study} has shards 0 to {Shards.Count - 1}, not {index}");

    /// <summary>The plan of an ablation study: one shard per variant and seed, in the order the study runs them.</summary>
    public static StudyPlan Of<TConfig>(AblationStudy<TConfig> study, string runs) where TConfig : notnull
    {
        RequireBuiltFromConfig(study.BuildsFromConfig, study.Name);
        var task = PortableValues.Task(study.Task, $"study {study.Name}'s task");
        var shards = new List<StudyShard>();
        foreach (var (variant, config) in study.Variants)
        {
            var (type, json) = PortableValues.Config(config, $"variant {variant}'s config");
            var training = PortableValues.Config(study.TrainingOf(variant), $"variant {variant}'s training config").Json;
            foreach (var seed in study.Seeds)
                shards.Add(new StudyShard(shards.Count, variant, seed, Name(study.Name, variant, seed), type, json, training, task));
        }
        return new StudyPlan
        {
            Study = study.Name, Kind = AblationKind, Runs = runs, Family = study.Family, Device = study.Device?.ToString(), Task = study.Task.Name,
            Seeds = study.Seeds.ToList(), Variants = study.Variants.Select(v => v.name).ToList(), Metrics = study.Metrics.ToList(),
            BootstrapResamples = study.BootstrapResamples, BootstrapSeed = study.BootstrapSeed, Shards = shards,
        };
    }

    /// <summary>The plan of a scaling study: one shard per size and seed.</summary>
    public static StudyPlan Of<TConfig>(ScalingStudy<TConfig> study, string runs) where TConfig : notnull
    {
        RequireBuiltFromConfig(study.BuildsFromConfig, study.Name);
        var task = PortableValues.Task(study.Task, $"study {study.Name}'s task");
        var training = PortableValues.Config(study.Training, $"study {study.Name}'s training config").Json;
        var shards = new List<StudyShard>();
        foreach (var (size, config) in study.Sizes)
        {
            var (type, json) = PortableValues.Config(config, $"size {size}'s config");
            foreach (var seed in study.Seeds)
                shards.Add(new StudyShard(shards.Count, size, seed, Name(study.Name, size, seed), type, json, training, task));
        }
        return new StudyPlan
        {
            Study = study.Name, Kind = ScalingKind, Runs = runs, Family = study.Family, Device = study.Device?.ToString(), Task = study.Task.Name,
            Seeds = study.Seeds.ToList(), Variants = study.Sizes.Select(s => s.name).ToList(), Metrics = [new MetricSpec(study.Metric, false)], Shards = shards,
        };
    }

    /// <summary>Writes the plan of a study into <c>RUNS/studies/NAME/plan.json</c>, pointing back at <paramref name="runs"/>.</summary>
    public static StudyPlan Write<TConfig>(AblationStudy<TConfig> study, string runs) where TConfig : notnull =>
        Of(study, "../..").Save(DefaultPath(runs, study.Name));

    /// <inheritdoc cref="Write{TConfig}(AblationStudy{TConfig}, string)"/>
    public static StudyPlan Write<TConfig>(ScalingStudy<TConfig> study, string runs) where TConfig : notnull =>
        Of(study, "../..").Save(DefaultPath(runs, study.Name));

    static string Name(string study, string variant, long seed) => new ExperimentRunInfo { Group = study, Variant = variant, Seed = seed }.Name;

    static void RequireBuiltFromConfig(bool fromConfig, string study)
    {
        // A model function is code; only "build the config for the task" can be redone in another process.
        if (!fromConfig)
            throw new NotSupportedException($"study {study} makes its models with a function, which a shard process cannot rebuild; " +
                $"create it with {nameof(Ablation)}.{nameof(Ablation.Of)} or {nameof(Scaling)}.{nameof(Scaling.Of)} so every shard builds config.For(task).Build() from an {nameof(IModelConfig)}.");
    }

    /// <summary>A study name as a directory name: anything but letters, digits, '-', '_' and '.' becomes '_'.</summary>
    public static string SafeName(string study)
    {
        var chars = study.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        var name = new string(chars).Trim('.');
        return name.Length == 0 ? "study" : name;
    }
}
