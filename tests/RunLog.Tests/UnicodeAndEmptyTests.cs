namespace ArchNotebooks.Runs.Tests;

/// <summary>Awkward text survives the round trip, and empty runs and empty directories are ordinary cases.</summary>
public sealed class UnicodeAndEmptyTests : IDisposable
{
    private readonly TempRoot root = new();
    private readonly RunLog log;

    public UnicodeAndEmptyTests() => log = RunLog.Open(root.Path);

    public void Dispose()
    {
        log.Dispose();
        root.Dispose();
    }

    [Fact]
    public void Quotes_newlines_and_emoji_survive_in_names_groups_configs_and_metric_names()
    {
        const string name = "it's a \"test\"\nwith 🚀 and ✓ and 中文";
        const string group = "group 'with' quotes; DROP TABLE runs; --";
        var config = new Dictionary<string, object>
        {
            ["emoji 🎉"] = "value with \"quotes\" and 'apostrophes'\r\nand lines",
            ["a\"b"] = 1,
            ["UPPER"] = 1,
            ["upper"] = 2, // differs only in case: kept in the JSON, not as a second column
        };
        using var run = log.StartRun(new RunInfo { Name = name, Group = group, Variant = "🅰", Config = config });
        run.Log(0, "loss 'train' \"avg\" 📉", 1.0);
        run.Finish();

        var record = Assert.Single(log.RunsOfGroup(group));
        Assert.Equal(name, record.Name);
        Assert.Equal("🅰", record.Variant);
        Assert.Contains("\"upper\":2", record.ConfigJson);
        var columns = log.Query("SELECT * FROM runs").Columns.Select(c => c.Name).ToList();
        Assert.Contains("config.emoji 🎉", columns);
        Assert.Contains("config.a\"b", columns);
        Assert.Single(columns, c => c.Equals("config.upper", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("value with \"quotes\" and 'apostrophes'\r\nand lines", log.Query("SELECT \"config.emoji 🎉\" FROM runs").Rows[0][0]);
        Assert.Single(log.MetricHistory(run.Id, "loss 'train' \"avg\" 📉"));
        Assert.Equal(2L, log.Query("SELECT count(*) FROM runs, metrics").Rows[0][0] is long n ? n + 1 : 0L);
    }

    [Fact]
    public void An_empty_directory_gives_empty_typed_views()
    {
        Assert.Empty(log.LastRuns());
        var metrics = log.Query("SELECT * FROM metrics");
        Assert.Equal(0, metrics.RowCount);
        Assert.Equal(["run_id", "step", "name", "value", "wall_time", "kind"], metrics.Columns.Select(c => c.Name));
        Assert.Equal(typeof(double), metrics.Columns[3].ClrType);
        Assert.Equal(0L, log.Query("SELECT count(*) FROM artifacts").Rows[0][0]);
        Assert.Empty(log.MetricHistory("nothing", "loss"));
        Assert.Null(log.FindRun("nothing"));
    }

    [Fact]
    public void A_run_that_logged_nothing_is_recorded_and_finishes_cleanly()
    {
        var run = log.StartRun(new RunInfo());
        run.Finish();
        var record = log.FindRun(run.Id)!;
        Assert.Equal(("unnamed", RunStatus.Finished), (record.Name, record.Status));
        Assert.Empty(record.FinalMetrics);
        Assert.Null(record.ConfigJson);
        Assert.Equal(0L, log.Query("SELECT count(*) FROM metrics").Rows[0][0]);
        Assert.Equal(["run.parquet"], Directory.GetFiles(run.Directory).Select(f => Path.GetFileName(f)));
    }

    [Fact]
    public void The_table_renders_as_aligned_plain_text()
    {
        var table = log.Query("SELECT 'a\nb' AS text, 1.5::DOUBLE AS x, NULL AS nothing UNION ALL SELECT 'longer', 22, NULL");
        var lines = table.ToString().Split('\n');
        Assert.Equal("text   | x   | nothing", lines[0]);
        Assert.Equal("-------+-----+--------", lines[1]);
        Assert.Equal("a\\nb   | 1.5 |    NULL", lines[2]);
        Assert.Equal("longer |  22 |    NULL", lines[3]);
        Assert.Equal("(2 rows)", lines[4]);
        Assert.Contains("columns are: text, x, nothing", Assert.Throws<KeyNotFoundException>(() => table.IndexOf("y")).Message);
    }
}
