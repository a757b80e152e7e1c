namespace ArchNotebooks.Runs;

/// <summary>What a run is: the identity and settings recorded once in its row of the <c>runs</c> table.</summary>
/// <remarks>
/// Everything is optional except that names, when given, must be non-empty. <see cref="Config"/> may be any
/// object System.Text.Json can serialise (a config record, an anonymous object, a JsonNode); it is stored as
/// JSON and also flattened into one column per leaf, e.g. <c>config.d_model</c>, so SQL can filter on it.
/// </remarks>
public sealed record RunInfo
{
    /// <summary>Human-readable name; need not be unique (the run id is). Defaults to "unnamed".</summary>
    public string? Name { get; init; }

    /// <summary>The notebook or script that produced the run.</summary>
    public string? Source { get; init; }

    /// <summary>Model family, e.g. "transformer".</summary>
    public string? Family { get; init; }

    /// <summary>Task or dataset, e.g. "copy" or "tinyshakespeare".</summary>
    public string? Task { get; init; }

    /// <summary>The ablation or sweep this run belongs to.</summary>
    public string? Group { get; init; }

    /// <summary>Which variant of <see cref="Group"/> this run is, e.g. "no-layernorm".</summary>
    public string? Variant { get; init; }

    public long? Seed { get; init; }

    public object? Config { get; init; }

    /// <summary>Where it trains, e.g. "cpu" or "cuda:0".</summary>
    public string? Device { get; init; }

    public string? TorchVersion { get; init; }

    /// <summary>Trainable parameter count; can also be set later with <see cref="Run.SetParameterCount"/>.</summary>
    public long? ParameterCount { get; init; }
}

/// <summary>Where a run stands. Interrupted means it stopped without finishing or failing: killed, or abandoned.</summary>
public enum RunStatus
{
    Running,
    Finished,
    Failed,
    Interrupted,
}

/// <summary>The spelling of <see cref="RunStatus"/> in the Parquet files and SQL views.</summary>
public static class RunStatusText
{
    public static string ToText(this RunStatus status) => status switch
    {
        RunStatus.Running => "running",
        RunStatus.Finished => "finished",
        RunStatus.Failed => "failed",
        _ => "interrupted",
    };

    public static RunStatus Parse(string? text) => text switch
    {
        "running" => RunStatus.Running,
        "finished" => RunStatus.Finished,
        "failed" => RunStatus.Failed,
        _ => RunStatus.Interrupted,
    };
}

/// <summary>Common values for an artifact's kind; any non-empty string is accepted.</summary>
public static class ArtifactKind
{
    public const string Checkpoint = "checkpoint";
    public const string Report = "report";
    public const string Figure = "figure";
}
