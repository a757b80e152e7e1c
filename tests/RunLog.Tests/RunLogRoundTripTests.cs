namespace ArchNotebooks.Runs.Tests;

public sealed class RunLogRoundTripTests : IDisposable
{
    private readonly TempRoot root = new();
    private readonly List<string> warnings = [];
    private readonly RunLog log;

    public RunLogRoundTripTests() => log = RunLog.Open(root.Path, new RunLogOptions { OnWarning = warnings.Add });

    public void Dispose()
    {
        log.Dispose();
        root.Dispose();
    }

    private sealed record TinyConfig(int DModel, double Lr, string Optimizer, bool Tied, int[] Layers);

    private enum NormChoice { LayerNorm, RMSNorm }
    private sealed record NormConfig(NormChoice Norm, int Layers);

    [Fact]
    public void Enum_config_fields_are_stored_by_name_so_queries_read_like_the_config()
    {
        foreach (var norm in new[] { NormChoice.LayerNorm, NormChoice.RMSNorm })
            log.StartRun(new RunInfo { Name = norm.ToString(), Group = "norms", Config = new NormConfig(norm, 2) }).Finish();
        var rms = log.Query("SELECT name, \"config.Norm\" AS norm FROM runs WHERE \"config.Norm\" = 'RMSNorm'");
        Assert.Equal(1, rms.RowCount);
        Assert.Equal("RMSNorm", rms.Column("name").Single());
        Assert.Contains("\"Norm\":\"LayerNorm\"", log.RunsOfGroup("norms").First(r => r.Name == "LayerNorm").ConfigJson);
    }

    [Fact]
    public void Metrics_logged_by_a_run_come_back_from_sql_and_the_typed_helpers()
    {
        var config = new TinyConfig(64, 3e-4, "adamw", true, [1, 2]);
        using var run = log.StartRun(new RunInfo
        {
            Name = "baseline", Family = "transformer", Task = "copy", Group = "norms", Variant = "pre-ln", Seed = 7,
            Config = config, Device = "cpu", TorchVersion = "2.9.0", Source = "notebooks/ablation.dib",
        });
        for (var step = 0; step < 500; step++)
        {
            run.Log(step, "loss", 10.0 / (step + 1));
            if (step % 100 == 0) run.Log(step, "accuracy", step / 500.0);
        }
        run.LogStepTime(499, TimeSpan.FromMilliseconds(3));
        run.SetParameterCount(12345);
        run.AddArtifact(ArtifactKind.Checkpoint, Path.Combine(root.Path, "final.safetensors"), step: 499);
        run.Finish();

        Assert.Equal(RunStatus.Finished, run.Status);
        var counts = log.Query("SELECT kind, name, count(*) AS n FROM metrics GROUP BY ALL ORDER BY kind, name");
        Assert.Equal(new object?[] { "metric", "accuracy", 5L }, counts.Rows[0]);
        Assert.Equal(new object?[] { "metric", "loss", 500L }, counts.Rows[1]);
        Assert.Equal(new object?[] { "system", "step_time_s", 1L }, counts.Rows[2]);

        var history = log.MetricHistory(run.Id, "loss");
        Assert.Equal(500, history.Count);
        Assert.Equal(Enumerable.Range(0, 500).Select(s => (long)s), history.Select(p => p.Step));
        Assert.Equal(10.0 / 500, history[^1].Value);
        Assert.All(history, p => Assert.InRange(p.WallTime, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1)));

        var record = Assert.Single(log.LastRuns(10));
        Assert.Equal((run.Id, "baseline", "transformer", "copy", "norms", "pre-ln", 7L), (record.RunId, record.Name, record.Family, record.Task, record.Group, record.Variant, record.Seed));
        Assert.Equal(("cpu", "2.9.0", "notebooks/ablation.dib", 12345L), (record.Device, record.TorchVersion, record.Source, record.ParameterCount));
        Assert.Equal(RunStatus.Finished, record.Status);
        Assert.NotNull(record.EndTime);
        Assert.Equal(10.0 / 500, record.FinalMetrics["loss"]);
        Assert.Equal(400 / 500.0, record.FinalMetrics["accuracy"]);
        Assert.False(record.FinalMetrics.ContainsKey("step_time_s"));

        var flat = log.Query("SELECT \"config.DModel\", \"config.Lr\", \"config.Optimizer\", \"config.Tied\", \"config.Layers\", \"final.loss\" FROM runs");
        Assert.Equal(new object?[] { 64L, 3e-4, "adamw", true, "[1,2]", 10.0 / 500 }, flat.Rows[0]);

        var artifact = log.Query("SELECT kind, path, step FROM artifacts");
        Assert.Equal(new object?[] { "checkpoint", Path.Combine(root.Path, "final.safetensors"), 499L }, artifact.Rows[0]);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Finished_runs_leave_one_metrics_file_and_no_temporary_files()
    {
        using var run = log.StartRun(new RunInfo { Name = "merge" });
        for (var chunk = 0; chunk < 3; chunk++)
        {
            for (var i = 0; i < 10; i++) run.Log(chunk * 10 + i, "loss", i);
            run.Flush();
        }
        Assert.Equal(3, Directory.GetFiles(run.Directory, "metrics-*.parquet").Length);
        run.Finish();
        var files = Directory.GetFiles(run.Directory).Select(f => Path.GetFileName(f)).Order().ToArray();
        Assert.Equal(new[] { "metrics.parquet", "run.parquet" }, files);
        Assert.Equal(30L, log.Query("SELECT count(*) FROM metrics").Rows[0][0]);
    }

    [Fact]
    public void Each_ending_is_recorded_with_its_status()
    {
        var finished = log.StartRun(new RunInfo { Name = "ok", Group = "endings", Variant = "a" });
        finished.Finish(new Dictionary<string, double> { ["score"] = 1.5 });
        var failed = log.StartRun(new RunInfo { Name = "boom", Group = "endings", Variant = "b" });
        failed.Fail(new InvalidOperationException("loss became NaN"));
        var stopped = log.StartRun(new RunInfo { Name = "stopped", Group = "endings", Variant = "c" });
        stopped.MarkInterrupted();
        var abandoned = log.StartRun(new RunInfo { Name = "abandoned", Group = "endings", Variant = "d" });
        abandoned.Dispose();
        var live = log.StartRun(new RunInfo { Name = "live", Group = "endings", Variant = "e" });

        var runs = log.RunsOfGroup("endings");
        Assert.Equal(["a", "b", "c", "d", "e"], runs.Select(r => r.Variant));
        Assert.Equal([RunStatus.Finished, RunStatus.Failed, RunStatus.Interrupted, RunStatus.Interrupted, RunStatus.Running], runs.Select(r => r.Status));
        Assert.Equal("System.InvalidOperationException: loss became NaN", runs[1].Error);
        Assert.Equal(1.5, runs[0].FinalMetrics["score"]);
        Assert.Null(runs[4].EndTime);
        Assert.Empty(log.RunsOfGroup("no such group"));
        live.Finish();
    }

    [Fact]
    public void Own_unflushed_rows_are_visible_to_queries_at_once()
    {
        using var slow = RunLog.Open(root.Path, new RunLogOptions { FlushInterval = TimeSpan.FromHours(1) });
        using var run = slow.StartRun(new RunInfo { Name = "fresh" });
        run.Log(0, "loss", 2.0);
        Assert.Equal(1, run.PendingRows);
        Assert.Equal(2.0, slow.Query("SELECT value FROM metrics").Rows[0][0]);
        Assert.Equal(0, run.PendingRows);
        run.Finish();
    }

    [Fact]
    public void The_flush_interval_writes_chunks_without_being_asked()
    {
        using var quick = RunLog.Open(root.Path, new RunLogOptions { FlushInterval = TimeSpan.FromMilliseconds(50) });
        using var run = quick.StartRun(new RunInfo { Name = "timer" });
        run.Log(0, "loss", 1.0);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.GetFiles(run.Directory, "metrics-*.parquet").Length == 0 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.Single(Directory.GetFiles(run.Directory, "metrics-*.parquet"));
        Assert.Equal(0, run.PendingRows);
        run.Finish();
    }

    [Fact]
    public void NaN_and_infinite_values_are_kept_as_data()
    {
        using var run = log.StartRun(new RunInfo { Name = "diverged" });
        run.Log(0, "loss", double.NaN);
        run.Log(1, "loss", double.PositiveInfinity);
        run.Finish();
        var values = log.MetricHistory(run.Id, "loss").Select(p => p.Value).ToArray();
        Assert.True(double.IsNaN(values[0]));
        Assert.Equal(double.PositiveInfinity, values[1]);
        Assert.True(double.IsPositiveInfinity(log.FindRun(run.Id)!.FinalMetrics["loss"]));
    }
}
