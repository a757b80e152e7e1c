namespace ArchNotebooks.Runs.Tests;

/// <summary>A run directory copied within the log is read once, whatever the copy is called.</summary>
public sealed class CopiedRunTests : IDisposable
{
    private readonly TempRoot root = new();
    private readonly List<string> warnings = [];

    public void Dispose() => root.Dispose();

    [Fact]
    public void A_copied_run_directory_adds_no_rows_to_any_view()
    {
        string runId;
        using (var writer = RunLog.Open(root.Path))
        {
            using var run = writer.StartRun(new RunInfo { Name = "original" });
            runId = run.Id;
            for (var i = 0; i < 100; i++) run.Log(i, "loss", 1.0 / (i + 1));
            run.AddArtifact("checkpoint", Path.Combine(root.Path, "model.safetensors"), 99);
            run.Finish();
        }
        // A backup beside the original, and one whose name DuckDB would read as a glob over every run.
        foreach (var copy in new[] { runId + "-backup", "*" }) CopyDirectory(Path.Combine(root.Path, runId), Path.Combine(root.Path, copy));

        using var log = RunLog.Open(root.Path, new RunLogOptions { OnWarning = warnings.Add });
        Assert.Equal(runId, Assert.Single(log.LastRuns()).RunId);
        Assert.Equal(100, log.MetricHistory(runId, "loss").Count);
        Assert.Equal(100L, log.Query("SELECT count(*) FROM metrics").Rows[0][0]);
        Assert.Equal(1L, log.Query("SELECT count(*) FROM artifacts").Rows[0][0]);
        // The copies are named in warnings, with the run they duplicate.
        Assert.Contains(log.Warnings, w => w.Contains(Path.Combine(root.Path, runId + "-backup")) && w.Contains(runId));
        Assert.Contains(log.Warnings, w => w.Contains(Path.Combine(root.Path, "*")));
    }

    [Fact]
    public void A_stale_copy_taken_while_the_run_was_live_does_not_change_how_the_run_ended()
    {
        // A child logs for about a second, then finishes and exits; the copy is taken while it runs, so
        // the copy's run row says "running", written by a process that is gone by the time we read.
        using var child = new ChildProcess("write", root.Path, "copied-mid-run", "2000", "100", "500", "finish");
        var runId = child.WaitForLine("started ", TimeSpan.FromSeconds(60))["started ".Length..];
        var directory = Path.Combine(root.Path, runId);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Directory.GetFiles(directory, "metrics-*.parquet").Length == 0 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        CopyDirectory(directory, Path.Combine(root.Path, "snapshot"), skipMissing: true);
        Assert.Equal(0, child.WaitForExit(TimeSpan.FromSeconds(60)));

        using var log = RunLog.Open(root.Path, new RunLogOptions { OnWarning = warnings.Add });
        Assert.Equal("running", log.Query($"SELECT status FROM read_parquet('{Path.Combine(root.Path, "snapshot", "run.parquet")}')").Rows[0][0]);
        Assert.Equal(RunStatus.Finished, Assert.Single(log.LastRuns()).Status);
        Assert.Equal(2000, log.MetricHistory(runId, "value").Count);
    }

    [Fact]
    public void A_copy_whose_original_is_gone_is_read()
    {
        string runId;
        using (var writer = RunLog.Open(root.Path))
        {
            using var run = writer.StartRun(new RunInfo { Name = "moved" });
            runId = run.Id;
            for (var i = 0; i < 10; i++) run.Log(i, "loss", i);
            run.Finish();
        }
        Directory.Move(Path.Combine(root.Path, runId), Path.Combine(root.Path, "renamed"));

        using var log = RunLog.Open(root.Path, new RunLogOptions { OnWarning = warnings.Add });
        Assert.Equal(runId, Assert.Single(log.LastRuns()).RunId);
        Assert.Equal(10, log.MetricHistory(runId, "loss").Count);
        Assert.Empty(log.Warnings);
    }

    private static void CopyDirectory(string from, string to, bool skipMissing = false)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            // A live writer renames and deletes files as it goes; a copy taken then simply lacks them.
            try { File.Copy(file, Path.Combine(to, Path.GetFileName(file))); }
            catch (FileNotFoundException) when (skipMissing) { }
        }
    }
}
