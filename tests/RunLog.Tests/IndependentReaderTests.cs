namespace ArchNotebooks.Runs.Tests;

/// <summary>The Parquet files must mean the same to a reader nobody here wrote (hyparquet, run with node).</summary>
public sealed class IndependentReaderTests : IDisposable
{
    private readonly TempRoot root = new();
    private readonly RunLog log;

    public IndependentReaderTests() => log = RunLog.Open(root.Path);

    public void Dispose()
    {
        log.Dispose();
        root.Dispose();
    }

    [Fact]
    public void Metrics_file_reads_the_same_in_hyparquet_and_duckdb()
    {
        using var run = log.StartRun(new RunInfo { Name = "cross-check" });
        for (var step = 0; step < 300; step++)
        {
            run.Log(step, "loss", Math.Exp(-step / 50.0));
            run.Log(step, "grad \"norm\" ✓", step * 0.5);
            if (step % 3 == 0) run.LogSystem(step, "step_time_s", 0.001 * step);
            if (step == 150) run.Flush();
        }
        run.Log(300, "loss", double.NaN);
        run.Finish();

        var independent = Hyparquet.Read(Path.Combine(run.Directory, "metrics.parquet"));
        var ours = log.Query("SELECT run_id, step, name, value, wall_time, kind FROM metrics");
        Assert.Equal(["run_id", "step", "name", "value", "wall_time", "kind"], independent.Columns);
        Assert.Equal(ours.RowCount, independent.Rows.Count);
        Assert.Equal(300 + 300 + 100 + 1, independent.Rows.Count);
        for (var i = 0; i < ours.RowCount; i++) Assert.Equal(ours.Rows[i], independent.Rows[i]);
    }

    [Fact]
    public void Run_and_artifact_files_read_the_same_in_hyparquet_and_duckdb()
    {
        var config = new Dictionary<string, object?>
        {
            ["d_model"] = 128,
            ["dropout"] = 0.1,
            ["name with 'quotes' and \"double\""] = "line one\nline two 🚀",
            ["schedule"] = new Dictionary<string, object> { ["warmup"] = 100, ["kind"] = "cosine" },
            ["tags"] = new[] { "a", "b" },
            ["nothing"] = null,
        };
        using var run = log.StartRun(new RunInfo
        {
            Name = "naïve \"run\"\n🙂", Family = "rnn", Task = "copy", Group = "g'1", Variant = "v", Seed = 3, Config = config,
        });
        run.Log(0, "loss", 1.25);
        run.AddArtifact(ArtifactKind.Report, "reports/ablation ✓.html", 0);
        run.Finish();

        var independent = Hyparquet.Read(Path.Combine(run.Directory, "run.parquet"));
        var ours = log.Query("SELECT * FROM runs");
        Assert.Equal(ours.Columns.Select(c => c.Name), independent.Columns);
        Assert.Equal(ours.Rows[0], independent.Rows[0]);
        Assert.Equal("naïve \"run\"\n🙂", independent.Cell(0, "name"));
        Assert.Equal(128L, independent.Cell(0, "config.d_model"));
        Assert.Equal("line one\nline two 🚀", independent.Cell(0, "config.name with 'quotes' and \"double\""));
        Assert.Equal("cosine", independent.Cell(0, "config.schedule.kind"));
        Assert.Equal("[\"a\",\"b\"]", independent.Cell(0, "config.tags"));
        Assert.Equal(1.25, independent.Cell(0, "final.loss"));
        Assert.Equal("finished", independent.Cell(0, "status"));

        var artifactFile = Directory.GetFiles(run.Directory, "artifacts-*.parquet").Single();
        var artifacts = Hyparquet.Read(artifactFile);
        Assert.Equal(log.Query("SELECT * FROM artifacts").Rows[0], artifacts.Rows[0]);
        Assert.EndsWith("reports/ablation ✓.html", (string)artifacts.Cell(0, "path")!);
    }
}
