namespace ArchNotebooks.Runs;

/// <summary>The SQL types a run-log column can have.</summary>
internal enum ColumnKind { Varchar, BigInt, Integer, Double, Boolean, Timestamp }

/// <summary>One column of a run-log Parquet file.</summary>
internal sealed record ColumnSpec(string Name, ColumnKind Kind)
{
    public string SqlType => Kind switch
    {
        ColumnKind.Varchar => "VARCHAR",
        ColumnKind.BigInt => "BIGINT",
        ColumnKind.Integer => "INTEGER",
        ColumnKind.Double => "DOUBLE",
        ColumnKind.Boolean => "BOOLEAN",
        _ => "TIMESTAMP",
    };
}

/// <summary>The fixed columns of the three tables and the file layout of a run directory.</summary>
/// <remarks>
/// Layout under the root (default ./runs), one directory per run so that no writer ever touches another
/// run's files:
///   &lt;run-id&gt;/run.parquet              one row, rewritten (atomically) when the run's status changes
///   &lt;run-id&gt;/metrics-00001.parquet    a chunk per flush while the run is live
///   &lt;run-id&gt;/metrics.parquet          all chunks merged when the run ends (chunks then removed)
///   &lt;run-id&gt;/artifacts-00001.parquet  one file per artifact added
///   &lt;run-id&gt;/heartbeat                touched every flush; tells readers a remote writer is alive
/// </remarks>
internal static class RunSchema
{
    public const string RunFile = "run.parquet";
    public const string MergedMetricsFile = "metrics.parquet";
    public const string MetricsChunkPrefix = "metrics-";
    public const string ArtifactsPrefix = "artifacts-";
    public const string HeartbeatFile = "heartbeat";
    public const string ConfigPrefix = "config.";
    public const string FinalPrefix = "final.";

    public static readonly ColumnSpec[] Runs =
    [
        new("run_id", ColumnKind.Varchar), new("name", ColumnKind.Varchar), new("source", ColumnKind.Varchar),
        new("family", ColumnKind.Varchar), new("task", ColumnKind.Varchar), new("ablation_group", ColumnKind.Varchar),
        new("variant", ColumnKind.Varchar), new("seed", ColumnKind.BigInt), new("device", ColumnKind.Varchar),
        new("torch_version", ColumnKind.Varchar), new("parameter_count", ColumnKind.BigInt),
        new("status", ColumnKind.Varchar), new("start_time", ColumnKind.Timestamp), new("end_time", ColumnKind.Timestamp),
        new("error", ColumnKind.Varchar), new("config", ColumnKind.Varchar), new("final_metrics", ColumnKind.Varchar),
        new("host", ColumnKind.Varchar), new("pid", ColumnKind.BigInt), new("process_start", ColumnKind.Timestamp),
    ];

    public static readonly ColumnSpec[] Metrics =
    [
        new("run_id", ColumnKind.Varchar), new("step", ColumnKind.BigInt), new("name", ColumnKind.Varchar),
        new("value", ColumnKind.Double), new("wall_time", ColumnKind.Timestamp), new("kind", ColumnKind.Varchar),
    ];

    public static readonly ColumnSpec[] Artifacts =
    [
        new("run_id", ColumnKind.Varchar), new("kind", ColumnKind.Varchar), new("path", ColumnKind.Varchar),
        new("step", ColumnKind.BigInt), new("time", ColumnKind.Timestamp),
    ];

    /// <summary>
    /// How buffered metrics reach DuckDB: fixed-width numbers only (names as series numbers, wall time as
    /// microseconds since the epoch), so the appender writes plain values into its data chunks; the COPY
    /// projection turns series numbers back into names, microseconds into timestamps, and adds the run id.
    /// </summary>
    public static readonly ColumnSpec[] MetricsScratch =
    [
        new("step", ColumnKind.BigInt), new("series", ColumnKind.Integer), new("value", ColumnKind.Double), new("wall_micros", ColumnKind.BigInt),
    ];

    public static string MetricsChunkFile(int index) => $"{MetricsChunkPrefix}{index:D5}.parquet";
    public static string ArtifactsFile(int index) => $"{ArtifactsPrefix}{index:D5}.parquet";

    /// <summary>SQL text for a typed, empty relation with these columns: what a view shows when no file exists yet.</summary>
    public static string EmptyRelation(IEnumerable<ColumnSpec> columns) =>
        "SELECT " + string.Join(", ", columns.Select(c => $"CAST(NULL AS {c.SqlType}) AS {Sql.Identifier(c.Name)}")) + " LIMIT 0";
}

/// <summary>Quoting for the few places SQL text is assembled from data.</summary>
internal static class Sql
{
    /// <summary>A string literal; DuckDB's standard strings need only the quote doubled.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

    /// <summary>A quoted identifier, so names like <c>config.d_model</c> or ones with quotes stay one column.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    public static string List(IEnumerable<string> texts) => "[" + string.Join(", ", texts.Select(Literal)) + "]";
}
