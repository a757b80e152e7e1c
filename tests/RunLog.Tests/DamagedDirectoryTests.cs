namespace ArchNotebooks.Runs.Tests;

/// <summary>Corrupt, truncated and foreign files are skipped with a warning naming them; everything else stays readable.</summary>
public sealed class DamagedDirectoryTests : IDisposable
{
    private readonly TempRoot root = new();
    private readonly List<string> warnings = [];
    private readonly RunLog log;

    public DamagedDirectoryTests() => log = RunLog.Open(root.Path, new RunLogOptions { OnWarning = warnings.Add });

    public void Dispose()
    {
        log.Dispose();
        root.Dispose();
    }

    private Run LoggedRun(string name, int rows, bool finish = true)
    {
        var run = log.StartRun(new RunInfo { Name = name });
        for (var i = 0; i < rows; i++) run.Log(i, "loss", i);
        if (finish) run.Finish(); else run.Flush();
        return run;
    }

    [Fact]
    public void Garbage_truncated_and_foreign_files_are_skipped_and_named()
    {
        var good = LoggedRun("good", 100);
        var victim = LoggedRun("victim", 50, finish: false);
        for (var i = 50; i < 80; i++) victim.Log(i, "loss", i);
        victim.Flush();

        // A valid Parquet file from someone else, in a run-shaped place, and one loose in the root.
        var foreignDirectory = Directory.CreateDirectory(Path.Combine(root.Path, "someone-elses")).FullName;
        var foreign = Path.Combine(foreignDirectory, "run.parquet");
        log.Query($"COPY (SELECT 42 AS answer) TO '{foreign}' (FORMAT parquet)");
        var loose = Path.Combine(root.Path, "stray.parquet");
        File.Copy(foreign, loose);
        // Garbage where a metrics chunk should be.
        var garbage = Path.Combine(victim.Directory, "metrics-00099.parquet");
        File.WriteAllText(garbage, "this is not parquet at all");
        // A real chunk cut in half, as a broken copy would leave it.
        var truncated = Path.Combine(victim.Directory, "metrics-00002.parquet");
        var bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        warnings.Clear();

        var names = log.Query("SELECT name FROM runs ORDER BY name").Column("name");
        Assert.Equal(["good", "victim"], names.Cast<string>());
        Assert.Equal(100, log.MetricHistory(good.Id, "loss").Count);
        // The first chunk (steps 0-49) is intact; the truncated second chunk and the garbage are skipped.
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), log.MetricHistory(victim.Id, "loss").Select(p => p.Step));

        foreach (var bad in new[] { garbage, truncated, foreign, loose })
        {
            Assert.True(warnings.Any(w => w.Contains(bad)), $"no warning names {bad}; warnings: {string.Join(" | ", warnings)}");
            Assert.Contains(warnings, w => w.Contains(bad));
            Assert.Contains(log.Warnings, w => w.Contains(bad));
        }
        Assert.Contains(log.Warnings, w => w.Contains(foreign) && w.Contains("no column 'run_id'"));

        // Warnings are reported once per damaged file, not on every query, but stay listed.
        var reported = warnings.Count;
        log.Query("SELECT count(*) FROM metrics");
        Assert.Equal(reported, warnings.Count);
        Assert.Equal(4, log.Warnings.Count);
        victim.Finish();
    }

    [Fact]
    public void A_file_whose_footer_is_fine_but_data_is_damaged_is_dropped_when_duckdb_trips_on_it()
    {
        var good = LoggedRun("good", 10);
        var damaged = LoggedRun("damaged", 5_000);
        var file = Path.Combine(damaged.Directory, "metrics.parquet");
        var bytes = File.ReadAllBytes(file);
        // Overwrite every data page, keeping the magic numbers and the footer (its length sits before the last 4 bytes).
        var footerLength = BitConverter.ToInt32(bytes, bytes.Length - 8);
        for (var i = 4; i < bytes.Length - 8 - footerLength; i++) bytes[i] = 0xFF;
        File.WriteAllBytes(file, bytes);
        warnings.Clear();

        var total = log.Query("SELECT sum(value) FROM metrics").Rows[0][0];
        Assert.Equal(45.0, total);
        Assert.Contains(warnings, w => w.Contains(file));
        Assert.Equal(10, log.MetricHistory(good.Id, "loss").Count);
    }

    [Fact]
    public void Leftover_chunks_beside_a_merged_file_are_not_counted_twice()
    {
        var run = LoggedRun("merged", 0, finish: false);
        for (var i = 0; i < 20; i++) { run.Log(i, "loss", i); if (i % 5 == 4) run.Flush(); }
        var chunks = Directory.GetFiles(run.Directory, "metrics-*.parquet").Select(File.ReadAllBytes).ToArray();
        run.Finish();
        // Simulate a crash between publishing metrics.parquet and deleting the chunks it replaced.
        for (var i = 0; i < chunks.Length; i++) File.WriteAllBytes(Path.Combine(run.Directory, $"metrics-{i + 1:D5}.parquet"), chunks[i]);
        Assert.Equal(20L, log.Query("SELECT count(*) FROM metrics").Rows[0][0]);
    }
}
