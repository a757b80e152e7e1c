using ArchNotebooks.Runs;

namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>Names stored in run files (someone else's, a copied directory) are data to #!arch runs, never SQL.</summary>
[Collection("magics")]
public sealed class RunLogInjectionTests(MagicSession s)
{
    [Fact]
    public void A_metric_name_carrying_sql_is_shown_as_a_column_and_never_runs()
    {
        var dir = Path.Combine(s.Runs, "hostile");
        var target = Path.Combine(s.Runs, "pwned.csv");
        // With the name pasted between double quotes unescaped, "#!arch runs" would read three statements:
        // a valid SELECT (the companion metric "x" makes "final.x" a real column), the COPY, and a valid SELECT.
        var hostile = $"x\" FROM runs; COPY (SELECT 42 AS pwned) TO '{target}' (FORMAT csv); SELECT \"run_id";
        using (var log = RunLog.Open(dir))
        {
            using var run = log.StartRun(new RunInfo { Name = "hostile" });
            run.Finish(new Dictionary<string, double> { ["x"] = 1, [hostile] = 2 });
        }

        var listed = s.Run($"#!arch runs --runs {dir}");

        Assert.Null(listed.Error);
        Assert.False(File.Exists(target), "the metric name ran as SQL and wrote " + target);
        Assert.Contains("final." + hostile, listed.Text);
        Assert.Contains("hostile", listed.Text);
    }
}
