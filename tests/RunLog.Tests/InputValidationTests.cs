namespace ArchNotebooks.Runs.Tests;

/// <summary>Bad input fails at once with a message naming the problem; DuckDB's own errors keep DuckDB's message.</summary>
public sealed class InputValidationTests : IDisposable
{
    private readonly TempRoot root = new();
    private readonly RunLog log;

    public InputValidationTests() => log = RunLog.Open(root.Path);

    public void Dispose()
    {
        log.Dispose();
        root.Dispose();
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("loss\n", "control character")]
    [InlineData("a\0b", "control character")]
    public void Bad_metric_names_are_refused_with_the_reason(string name, string reason)
    {
        using var run = log.StartRun(new RunInfo { Name = "names" });
        var error = Assert.ThrowsAny<ArgumentException>(() => run.Log(0, name, 1.0));
        Assert.Contains(reason, error.Message);
        Assert.Equal(0, run.PendingRows);
    }

    [Fact]
    public void Other_bad_arguments_are_refused()
    {
        using var run = log.StartRun(new RunInfo { Name = "args" });
        Assert.Throws<ArgumentNullException>(() => run.Log(0, null!, 1.0));
        Assert.Contains("must be zero or positive", Assert.Throws<ArgumentOutOfRangeException>(() => run.Log(-1, "loss", 1.0)).Message);
        Assert.Contains("at most 256", Assert.Throws<ArgumentException>(() => run.Log(0, new string('x', 300), 1.0)).Message);
        Assert.Contains("artifact kind", Assert.Throws<ArgumentException>(() => run.AddArtifact("", "x.safetensors")).Message);
        Assert.Contains("artifact path", Assert.Throws<ArgumentException>(() => run.AddArtifact("checkpoint", " ")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => run.SetParameterCount(-5));
        Assert.Contains("run name", Assert.Throws<ArgumentException>(() => log.StartRun(new RunInfo { Name = " " })).Message);
        Assert.Contains("ablation group", Assert.Throws<ArgumentException>(() => log.StartRun(new RunInfo { Group = "" })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => RunLog.Open(root.Path, new RunLogOptions { FlushInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.LastRuns(-1));
    }

    private sealed class Loop
    {
        public Loop? Self { get; set; }
    }

    [Fact]
    public void A_config_that_cannot_be_serialised_is_refused_before_anything_is_written()
    {
        var loop = new Loop();
        loop.Self = loop;
        var error = Assert.Throws<ArgumentException>(() => log.StartRun(new RunInfo { Name = "cyclic", Config = loop }));
        Assert.Contains("Loop", error.Message);
        Assert.Empty(Directory.GetDirectories(root.Path));
    }

    [Fact]
    public void Ended_and_disposed_runs_refuse_more_logging()
    {
        var run = log.StartRun(new RunInfo { Name = "done" });
        run.Finish();
        var ended = Assert.Throws<InvalidOperationException>(() => run.Log(1, "loss", 1.0));
        Assert.Contains("already ended as finished", ended.Message);
        Assert.Contains(run.Id, ended.Message);
        Assert.Throws<InvalidOperationException>(() => run.Finish());
        run.Dispose();
        Assert.Throws<ObjectDisposedException>(() => run.Log(1, "loss", 1.0));
        Assert.Throws<ObjectDisposedException>(() => run.Flush());

        var closed = RunLog.Open(root.Path);
        closed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => closed.Query("SELECT 1"));
        Assert.Throws<ObjectDisposedException>(() => closed.StartRun(new RunInfo()));
    }

    [Fact]
    public void Sql_errors_surface_as_duckdb_exceptions_with_duckdbs_message()
    {
        var syntax = Assert.Throws<DuckDbException>(() => log.Query("SELEC * FROM runs"));
        Assert.Contains("syntax error", syntax.Message);
        Assert.Equal("SELEC * FROM runs", syntax.Sql);
        var missing = Assert.Throws<DuckDbException>(() => log.Query("SELECT no_such_column FROM metrics"));
        Assert.Contains("no_such_column", missing.Message);
        var nested = Assert.Throws<NotSupportedException>(() => log.Query("SELECT [1, 2] AS list"));
        Assert.Contains("CAST(\"list\" AS VARCHAR)", nested.Message);
        Assert.Equal("[1, 2]", log.Query("SELECT CAST([1, 2] AS VARCHAR) AS list").Rows[0][0]);
    }
}
