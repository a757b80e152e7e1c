using System.Text.Json;

namespace ArchNotebooks.Runs;

/// <summary>One run as read back from the <c>runs</c> view.</summary>
public sealed record RunRecord(
    string RunId,
    string Name,
    string? Source,
    string? Family,
    string? Task,
    string? Group,
    string? Variant,
    long? Seed,
    string? Device,
    string? TorchVersion,
    long? ParameterCount,
    RunStatus Status,
    DateTime StartTime,
    DateTime? EndTime,
    string? Error,
    string? ConfigJson,
    IReadOnlyDictionary<string, double> FinalMetrics)
{
    internal static IReadOnlyList<RunRecord> From(RunTable table)
    {
        int At(string column) => table.IndexOf(column);
        var (id, name, source, family, task, group, variant, seed) =
            (At("run_id"), At("name"), At("source"), At("family"), At("task"), At("ablation_group"), At("variant"), At("seed"));
        var (device, torch, parameters, status, start, end, error, config, final) =
            (At("device"), At("torch_version"), At("parameter_count"), At("status"), At("start_time"), At("end_time"),
             At("error"), At("config"), At("final_metrics"));
        return table.Rows.Select(r => new RunRecord(
            (string)r[id]!, r[name] as string ?? "unnamed", r[source] as string, r[family] as string, r[task] as string,
            r[group] as string, r[variant] as string, r[seed] as long?, r[device] as string, r[torch] as string,
            r[parameters] as long?, RunStatusText.Parse(r[status] as string), (DateTime)r[start]!, r[end] as DateTime?,
            r[error] as string, r[config] as string, ParseFinal(r[final] as string))).ToList();
    }

    private static IReadOnlyDictionary<string, double> ParseFinal(string? json) =>
        json is null
            ? new Dictionary<string, double>()
            : JsonSerializer.Deserialize<Dictionary<string, double>>(json, ConfigColumns.Json) ?? new Dictionary<string, double>();
}

/// <summary>One logged value of a metric.</summary>
public readonly record struct MetricPoint(long Step, double Value, DateTime WallTime);
