namespace ArchNotebooks.Runs.Tests;

/// <summary>Real processes killed with SIGKILL: what was flushed survives, and the run reads as interrupted.</summary>
public sealed class CrashSafetyTests : IDisposable
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(300);
    private readonly TempRoot root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void A_run_killed_mid_training_keeps_every_flushed_row_and_shows_as_interrupted()
    {
        // About 2,000 steps a second, logged forever until the kill.
        using var child = new ChildProcess("write", root.Path, "victim", "-1", FlushInterval.TotalMilliseconds.ToString(), "500", "hang");
        var runId = child.WaitForLine("started ", TimeSpan.FromSeconds(60))["started ".Length..];
        var runDirectory = Path.Combine(root.Path, runId);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Directory.GetFiles(runDirectory, "metrics-*.parquet").Length < 4 && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.True(Directory.GetFiles(runDirectory, "metrics-*.parquet").Length >= 4, "the child never flushed four chunks");

        var killedAt = DateTime.UtcNow;
        child.Kill();

        var warnings = new List<string>();
        using var log = RunLog.Open(root.Path, new RunLogOptions { OnWarning = warnings.Add });
        var run = Assert.Single(log.LastRuns());
        Assert.Equal(RunStatus.Interrupted, run.Status);
        Assert.Equal("victim", run.Name);

        // Rows are a gap-free prefix of what was logged: no torn chunk, no duplicate, no hole.
        var steps = log.MetricHistory(runId, "value").Select(p => p.Step).ToArray();
        Assert.NotEmpty(steps);
        Assert.Equal(Enumerable.Range(0, steps.Length).Select(i => (long)i), steps);

        // At most the last flush interval is lost (plus slack for a loaded 2-core machine).
        var lastSaved = (DateTime)log.Query($"SELECT max(wall_time) FROM metrics WHERE run_id = '{runId}'").Rows[0][0]!;
        Assert.True(killedAt - lastSaved < FlushInterval + TimeSpan.FromSeconds(1.5),
            $"last saved row is {(killedAt - lastSaved).TotalMilliseconds:F0} ms older than the kill");
        Assert.Empty(warnings);
        Assert.Empty(Directory.GetFiles(runDirectory, "*.tmp"));
    }

    [Fact]
    public void A_run_whose_process_exits_without_ending_it_is_interrupted_not_lost()
    {
        // Returns from Main without ending the run or disposing the log: the ProcessExit hook saves the
        // buffered rows and records the run as interrupted.
        using var child = new ChildProcess("write", root.Path, "forgetful", "1000", "1000", "0", "exit");
        Assert.Equal(0, child.WaitForExit(TimeSpan.FromSeconds(60)));
        using var log = RunLog.Open(root.Path);
        var run = Assert.Single(log.LastRuns());
        Assert.Equal(RunStatus.Interrupted, run.Status);
        Assert.Equal(1000, log.MetricHistory(run.RunId, "value").Count);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("HUP")]
    public void A_terminating_signal_saves_every_buffered_row_and_records_the_run_as_interrupted(string signal)
    {
        // The flush interval is far longer than the test, so every row is still in memory when the signal
        // arrives: only the signal handler can have written them.
        using var child = new ChildProcess("write", root.Path, "terminated", "1000", "600000", "0", "hang");
        var runId = child.WaitForLine("started ", TimeSpan.FromSeconds(60))["started ".Length..];
        child.WaitForLine("hanging", TimeSpan.FromSeconds(60));
        Assert.Empty(Directory.GetFiles(Path.Combine(root.Path, runId), "metrics*.parquet"));

        child.Signal(signal);
        child.WaitForExit(TimeSpan.FromSeconds(60));

        using var log = RunLog.Open(root.Path);
        var run = Assert.Single(log.LastRuns());
        Assert.Equal(RunStatus.Interrupted, run.Status);
        Assert.NotNull(run.EndTime);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), log.MetricHistory(runId, "value").Select(p => p.Step));
    }

    [Fact]
    public void Liveness_trusts_a_fresh_heartbeat_from_another_host_and_distrusts_a_stale_one()
    {
        var now = DateTime.UtcNow;
        Assert.True(WriterLiveness.IsAlive("other-host", 1, null, now.AddSeconds(-5), TimeSpan.FromMinutes(1), now));
        Assert.False(WriterLiveness.IsAlive("other-host", 1, null, now.AddMinutes(-5), TimeSpan.FromMinutes(1), now));
        Assert.False(WriterLiveness.IsAlive("other-host", 1, null, null, TimeSpan.FromMinutes(1), now));
        Assert.True(WriterLiveness.IsAlive(WriterLiveness.Host, Environment.ProcessId, WriterLiveness.ProcessStart, null, TimeSpan.Zero, now));
        // Same pid, different start time: the pid was reused by another process.
        Assert.False(WriterLiveness.IsAlive(WriterLiveness.Host, Environment.ProcessId, WriterLiveness.ProcessStart.AddHours(-1), null, TimeSpan.Zero, now));
    }
}
