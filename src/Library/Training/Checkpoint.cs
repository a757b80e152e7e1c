using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Optim;
using ArchNotebooks.Torch.Serialization;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Training;

/// <summary>
/// When the Trainer saves checkpoints into <see cref="Directory"/>: every <see cref="Every"/> steps
/// (0: never on an interval), after the last step (<see cref="AtEnd"/>), and, when <see cref="Best"/>,
/// each time early stopping's metric improves ("best"). With <see cref="LoadBestAtEnd"/> the model
/// ends with the best checkpoint's weights.
/// </summary>
public sealed record CheckpointPolicy(string Directory)
{
    public int Every { get; init; }
    public bool AtEnd { get; init; } = true;
    public bool Best { get; init; }
    public bool LoadBestAtEnd { get; init; }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException("a checkpoint policy needs a directory");
        if (Every < 0) throw new ArgumentException($"checkpoint interval must not be negative, got {Every}");
        if (LoadBestAtEnd && !Best) throw new ArgumentException("loading the best checkpoint at the end needs Best checkpoints");
    }
}

/// <summary>
/// A training checkpoint: "NAME.safetensors" holds the model ("model.*"), optimizer ("optimizer.*") and
/// scheduler ("scheduler.*") tensors; "NAME.json" holds the step, the recipe, the histories so far and
/// the early-stopping and divergence state. Random state needs no bytes: the Trainer reseeds libtorch's
/// generators from (seed, step) before every step, so the seed and the step are the generator state.
/// </summary>
public sealed record Checkpoint
{
    public const string Format = "archnotebooks-checkpoint/1";

    /// <summary>Steps completed when it was saved; training resumes with the next one.</summary>
    public required long Step { get; init; }
    public required long Seed { get; init; }
    /// <summary>The recipe it was trained with (<see cref="TrainingRecipe.Of"/>).</summary>
    public required IReadOnlyDictionary<string, object?> Recipe { get; init; }
    public required IReadOnlyList<LossPoint> Losses { get; init; }
    public required IReadOnlyList<EvalPoint> Evals { get; init; }
    public double? BestMetric { get; init; }
    public long? BestStep { get; init; }
    public long SinceBest { get; init; }
    public double? InitialLoss { get; init; }
    public int StepsAbove { get; init; }
    /// <summary>The tensors file, next to the JSON.</summary>
    public required string TensorsPath { get; init; }

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,   // a diverged run's NaN loss
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Writes NAME.safetensors and NAME.json into <paramref name="directory"/>; returns the JSON's path.</summary>
    internal static string Save(string directory, string name, Module model, Optimizer optimizer, LRScheduler? scheduler, CheckpointState state)
    {
        System.IO.Directory.CreateDirectory(directory);
        var tensorsPath = Path.Combine(directory, name + ".safetensors");
        var jsonPath = Path.Combine(directory, name + ".json");
        using (var scope = NewDisposeScope())
        {
            var tensors = new Dictionary<string, Tensor>();
            foreach (var (k, t) in model.state_dict()) tensors["model." + k] = t;
            foreach (var (k, t) in optimizer.state_dict()) tensors["optimizer." + k] = t;
            if (scheduler is not null) foreach (var (k, t) in scheduler.state_dict()) tensors["scheduler." + k] = t;
            Safetensors.Save(tensors, tensorsPath, new Dictionary<string, string> { ["format"] = Format, ["step"] = state.Step.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        var json = new JsonObject
        {
            ["format"] = Format,
            ["step"] = state.Step,
            ["seed"] = state.Seed,
            ["tensors"] = Path.GetFileName(tensorsPath),
            ["rng"] = "libtorch's generators are reseeded from (seed, step) before every step",
            ["recipe"] = JsonSerializer.SerializeToNode(state.Recipe, Json),
            ["losses"] = new JsonArray(state.Losses.Select(p => (JsonNode)new JsonArray(p.Step, Number(p.Loss))).ToArray()),
            ["evals"] = new JsonArray(state.Evals.Select(e => (JsonNode)new JsonObject
            {
                ["step"] = e.Step,
                ["metrics"] = new JsonObject(e.Metrics.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)Number(m.Value)))),
            }).ToArray()),
            ["best_metric"] = state.BestMetric is { } b ? Number(b) : null,
            ["best_step"] = state.BestStep,
            ["since_best"] = state.SinceBest,
            ["initial_loss"] = state.InitialLoss is { } i ? Number(i) : null,
            ["steps_above"] = state.StepsAbove,
        };
        // Written after the tensors, and by rename: a JSON that exists always names a complete tensors file.
        var temporary = jsonPath + ".tmp";
        File.WriteAllText(temporary, json.ToJsonString(Json));
        File.Move(temporary, jsonPath, overwrite: true);
        return jsonPath;
    }

    static JsonNode Number(double v) => JsonValue.Create(v)!;

    /// <summary>
    /// Reads a checkpoint from its JSON, its tensors file, or the directory of a run's checkpoints
    /// (then the latest: "final" if present, else the highest step).
    /// </summary>
    public static Checkpoint Read(string path)
    {
        var jsonPath = ResolveJson(path);
        JsonNode root;
        try { root = JsonNode.Parse(File.ReadAllText(jsonPath)) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{jsonPath} is not a checkpoint: {e.Message}"); }
        if ((string?)root["format"] != Format)
            throw new InvalidDataException($"{jsonPath} is not a checkpoint of format {Format} (format: {root["format"]?.ToJsonString() ?? "none"})");
        double D(JsonNode? n) => n!.GetValue<JsonElement>() is var e && e.ValueKind == JsonValueKind.String
            ? double.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : n.GetValue<double>();
        var losses = root["losses"]!.AsArray().Select(p => new LossPoint(p![0]!.GetValue<long>(), D(p[1]))).ToList();
        var evals = root["evals"]!.AsArray().Select(e => new EvalPoint(e!["step"]!.GetValue<long>(),
            e["metrics"]!.AsObject().ToDictionary(m => m.Key, m => D(m.Value)))).ToList();
        var recipe = root["recipe"]!.AsObject().ToDictionary(p => p.Key, p => (object?)p.Value?.ToJsonString());
        return new Checkpoint
        {
            Step = root["step"]!.GetValue<long>(), Seed = root["seed"]!.GetValue<long>(), Recipe = recipe, Losses = losses, Evals = evals,
            BestMetric = root["best_metric"] is { } b ? D(b) : null, BestStep = root["best_step"]?.GetValue<long>(),
            SinceBest = root["since_best"]!.GetValue<long>(), InitialLoss = root["initial_loss"] is { } i ? D(i) : null,
            StepsAbove = root["steps_above"]!.GetValue<int>(),
            TensorsPath = Path.Combine(Path.GetDirectoryName(jsonPath)!, (string)root["tensors"]!),
        };
    }

    static string ResolveJson(string path)
    {
        if (System.IO.Directory.Exists(path))
        {
            // The latest by step: a run that ended (final) and was then resumed and killed leaves a newer step-*.
            var candidates = System.IO.Directory.GetFiles(path, "step-*.json").Append(Path.Combine(path, "final.json")).Where(File.Exists);
            var latest = candidates.Select(f => (file: f, step: StepOf(f))).OrderBy(c => c.step).ThenBy(c => c.file.EndsWith("final.json", StringComparison.Ordinal))
                .Select(c => c.file).LastOrDefault();
            return latest ?? throw new FileNotFoundException($"no checkpoint in {path} (expected final.json or step-*.json)");
        }
        var json = path.EndsWith(".safetensors", StringComparison.Ordinal) ? Path.ChangeExtension(path, ".json") : path;
        return File.Exists(json) ? json : throw new FileNotFoundException($"no checkpoint at {path}");
    }

    static long StepOf(string jsonPath)
    {
        try { return JsonNode.Parse(File.ReadAllText(jsonPath))?["step"]?.GetValue<long>() ?? -1; }
        catch (JsonException) { return -1; }
    }

    /// <summary>Puts the saved weights, optimizer state and schedule position back.</summary>
    internal void Restore(Module model, Optimizer optimizer, LRScheduler? scheduler)
    {
        using var scope = NewDisposeScope();
        var all = Safetensors.Load(TensorsPath, model.device);
        Dictionary<string, Tensor> Part(string prefix) =>
            all.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);
        LoadModel(model, Part("model."));
        optimizer.load_state_dict(Part("optimizer."));
        var saved = Part("scheduler.");
        if (scheduler is not null && saved.Count > 0) scheduler.load_state_dict(saved);
        else if ((scheduler is null) != (saved.Count == 0))
            throw new InvalidDataException($"{TensorsPath}: the checkpoint {(scheduler is null ? "has a learning-rate schedule this recipe lacks" : "has no learning-rate schedule but this recipe has one")}");
    }

    /// <summary>Puts only the saved weights back (the best checkpoint at the end of a run).</summary>
    internal void RestoreWeights(Module model)
    {
        using var scope = NewDisposeScope();
        LoadModel(model, Safetensors.Load(TensorsPath, model.device).Where(p => p.Key.StartsWith("model.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["model.".Length..], p => p.Value));
    }

    static void LoadModel(Module model, Dictionary<string, Tensor> weights)
    {
        using (no_grad()) model.load_state_dict(weights);
    }

    /// <summary>Names of recipe fields whose values differ from <paramref name="recipe"/> (the step count may change on resume).</summary>
    internal IReadOnlyList<string> RecipeDifferences(IReadOnlyDictionary<string, object?> recipe)
    {
        var now = JsonSerializer.SerializeToNode(recipe, Json)!.AsObject().ToDictionary(p => p.Key, p => p.Value?.ToJsonString());
        return now.Keys.Union(Recipe.Keys).Where(k => k != "steps")
            .Where(k => !now.TryGetValue(k, out var a) || !Recipe.TryGetValue(k, out var b) || a != (string?)b)
            .Order(StringComparer.Ordinal).ToList();
    }
}

/// <summary>What the Trainer passes to <see cref="Checkpoint.Save"/> besides the tensors.</summary>
internal sealed record CheckpointState(
    long Step, long Seed, IReadOnlyDictionary<string, object?> Recipe, IReadOnlyList<LossPoint> Losses, IReadOnlyList<EvalPoint> Evals,
    double? BestMetric, long? BestStep, long SinceBest, double? InitialLoss, int StepsAbove);

/// <summary>A checkpoint was written ("step-000100", "final" or "best"); <see cref="Path"/> is its JSON.</summary>
public sealed record CheckpointSaved(long Step, string Name, string Path) : TrainingEvent(Step);
