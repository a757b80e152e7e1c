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
