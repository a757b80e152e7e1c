using System.Text.Json;

namespace ArchNotebooks.Runs;

/// <summary>The state recorded in a run's single row of run.parquet, and how it becomes columns.</summary>
internal sealed class RunRow
{
    public required string RunId { get; init; }
    public required RunInfo Info { get; init; }
    public required string? ConfigJson { get; init; }
    public required DateTime StartTime { get; init; }
    public long? ParameterCount { get; set; }
    public RunStatus Status { get; set; } = RunStatus.Running;
    public DateTime? EndTime { get; set; }
    public string? Error { get; set; }
    public IReadOnlyDictionary<string, double>? FinalMetrics { get; set; }

    /// <summary>Columns and values: the fixed schema, then <c>config.*</c> leaves, then <c>final.*</c> metrics.</summary>
    public (List<ColumnSpec> Columns, List<object?> Values) ToColumns()
    {
        var finalJson = FinalMetrics is null ? null : JsonSerializer.Serialize(FinalMetrics, ConfigColumns.Json);
        object?[] fixedValues =
        [
            RunId, Info.Name ?? "unnamed", Info.Source, Info.Family, Info.Task, Info.Group, Info.Variant, Info.Seed,
            Info.Device, Info.TorchVersion, ParameterCount, Status.ToText(), StartTime, EndTime, Error, ConfigJson,
            finalJson, WriterLiveness.Host, (long)Environment.ProcessId, WriterLiveness.ProcessStart,
        ];
        var columns = new List<ColumnSpec>(RunSchema.Runs);
        var values = new List<object?>(fixedValues);
        var taken = new HashSet<string>(columns.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
        foreach (var (column, value) in ConfigColumns.Flatten(ConfigJson, RunSchema.ConfigPrefix))
            if (taken.Add(column.Name)) { columns.Add(column); values.Add(value); }
        foreach (var (name, value) in FinalMetrics ?? new Dictionary<string, double>())
            if (taken.Add(RunSchema.FinalPrefix + name)) { columns.Add(new ColumnSpec(RunSchema.FinalPrefix + name, ColumnKind.Double)); values.Add(value); }
        return (columns, values);
    }
}
