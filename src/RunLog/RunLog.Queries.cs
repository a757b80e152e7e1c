namespace ArchNotebooks.Runs;

public sealed partial class RunLog
{
    private const string RunColumns =
        "run_id, name, source, family, task, ablation_group, variant, seed, device, torch_version, parameter_count, " +
        "status, start_time, end_time, error, config, final_metrics";

    /// <summary>The most recently started runs, newest first.</summary>
    public IReadOnlyList<RunRecord> LastRuns(int count = 10)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "The number of runs must be zero or positive.");
        return RunRecord.From(Query($"SELECT {RunColumns} FROM runs ORDER BY start_time DESC, run_id DESC LIMIT {count}"));
    }

    /// <summary>
    /// The newest runs as a table: who they are, how they ended, their first <paramref name="finalColumns"/>
    /// final metrics (alphabetically) and how long they took; <paramref name="condition"/> is a SQL condition on
    /// the runs view, written by the caller.
    /// </summary>
    /// <remarks>
    /// The final-metric columns are named by whoever wrote the run files (possibly someone else's copied
    /// directory), so their names enter the SQL only as quoted identifiers, never as SQL text.
    /// </remarks>
    public RunTable RunsOverview(int last = 10, string? condition = null, int finalColumns = 6)
    {
        if (last < 0) throw new ArgumentOutOfRangeException(nameof(last), last, "The number of runs must be zero or positive.");
        if (finalColumns < 0) throw new ArgumentOutOfRangeException(nameof(finalColumns), finalColumns, "The number of final-metric columns must be zero or positive.");
        var finals = Query("SELECT * FROM runs LIMIT 0").Columns.Select(c => c.Name)
            .Where(c => c.StartsWith(RunSchema.FinalPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).Take(finalColumns);
        var columns = new[] { "run_id", "name", "family", "task", "ablation_group", "variant", "seed", "status", "parameter_count" }
            .Concat(finals.Select(Sql.Identifier))
            .Append("epoch(coalesce(end_time, start_time)) - epoch(start_time) AS seconds");
        var filter = string.IsNullOrWhiteSpace(condition) ? "" : $" WHERE {condition}";
        return Query($"SELECT {string.Join(", ", columns)} FROM runs{filter} ORDER BY start_time DESC, run_id DESC LIMIT {last}");
    }

    /// <summary>Every run of an ablation group, ordered by variant and then seed.</summary>
    public IReadOnlyList<RunRecord> RunsOfGroup(string group)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        return RunRecord.From(Query(
            $"SELECT {RunColumns} FROM runs WHERE ablation_group = {Sql.Literal(group)} ORDER BY variant, seed, start_time"));
    }

    /// <summary>One run by id, or null if no such run is recorded.</summary>
    public RunRecord? FindRun(string runId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        return RunRecord.From(Query($"SELECT {RunColumns} FROM runs WHERE run_id = {Sql.Literal(runId)}")).SingleOrDefault();
    }

    /// <summary>The values of one metric of one run in step order (ties kept in logging order).</summary>
    public IReadOnlyList<MetricPoint> MetricHistory(string runId, string metric)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        var table = Query(
            $"SELECT step, value, wall_time FROM metrics WHERE run_id = {Sql.Literal(runId)} AND name = {Sql.Literal(metric)} " +
            "ORDER BY step, wall_time");
        return table.Rows.Select(r => new MetricPoint((long)r[0]!, r[1] is double v ? v : double.NaN, (DateTime)r[2]!)).ToList();
    }
}
