namespace ArchNotebooks.Runs.Tests;

/// <summary>Several writers into one run directory at the same time, each keeping all of its rows.</summary>
public sealed class ConcurrentWriterTests : IDisposable
{
    private readonly TempRoot root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void Two_processes_logging_at_once_both_keep_all_their_rows()
    {
        const int rows = 20_000;
        // A short flush interval and a pause per step make the two processes' flushes interleave for seconds.
        using var first = new ChildProcess("write", root.Path, "first", rows.ToString(), "50", "100", "finish");
        using var second = new ChildProcess("write", root.Path, "second", rows.ToString(), "50", "100", "finish");
        using var reader = RunLog.Open(root.Path);
        var sawBothRunning = false;
        while (!first.HasExited || !second.HasExited)
        {
            var live = reader.Query("SELECT count(*) FROM runs WHERE status = 'running'");
            sawBothRunning |= (long)live.Rows[0][0]! == 2;
            Thread.Sleep(100);
        }
        Assert.Equal(0, first.WaitForExit(TimeSpan.FromSeconds(120)));
        Assert.Equal(0, second.WaitForExit(TimeSpan.FromSeconds(120)));

        var summary = reader.Query(
            "SELECT r.name, r.status, count(*) AS n, count(DISTINCT m.step) AS steps, min(m.step), max(m.step) " +
            "FROM runs r JOIN metrics m USING (run_id) GROUP BY ALL ORDER BY r.name");
        Assert.Equal(new object?[] { "first", "finished", (long)rows, (long)rows, 0L, rows - 1L }, summary.Rows[0]);
        Assert.Equal(new object?[] { "second", "finished", (long)rows, (long)rows, 0L, rows - 1L }, summary.Rows[1]);
        Assert.True(sawBothRunning, "the two writers never overlapped; the test proved nothing");
        Assert.Empty(reader.Warnings);
    }

    [Fact]
    public void Threads_logging_into_their_own_runs_and_a_shared_run_lose_nothing()
    {
        using var log = RunLog.Open(root.Path, new RunLogOptions { FlushInterval = TimeSpan.FromMilliseconds(20) });
        using var shared = log.StartRun(new RunInfo { Name = "shared" });
        Parallel.For(0, 4, worker =>
        {
            using var own = log.StartRun(new RunInfo { Name = $"worker {worker}" });
            for (var step = 0; step < 5_000; step++)
            {
                own.Log(step, "x", step);
                shared.Log(step, $"worker {worker}", step);
            }
            own.Finish();
        });
        shared.Finish();
        var counts = log.Query("SELECT r.name, count(*) FROM runs r JOIN metrics m USING (run_id) GROUP BY ALL ORDER BY 1");
        Assert.Equal(["shared", "worker 0", "worker 1", "worker 2", "worker 3"], counts.Column("name").Cast<string>());
        Assert.Equal([20_000L, 5_000L, 5_000L, 5_000L, 5_000L], counts.Rows.Select(r => (long)r[1]!));
    }
}
