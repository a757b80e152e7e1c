using ArchNotebooks.Extensions.Tests.Support;

namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>Markup in run names, study names and token labels reaches every magic output escaped (HTML, plotly JSON, SVG).</summary>
[Collection("magics")]
public sealed class HtmlSafetyTests(MagicSession s)
{
    // Samples.Payload as it is written inside a quoted #!arch value.
    const string Quoted = "\"<script>alert(1)</script>\\\" onmouseover=\\\"x'\"";

    static void AssertAllEscaped(RecordedCell r)
    {
        Assert.Null(r.Error);
        Assert.NotEmpty(r.Displays);
        foreach (var bundle in r.Displays.Concat(r.Updates)) Samples.AssertEscaped(bundle);
    }

    [Fact]
    public void Run_names_in_train_runs_compare_and_sql_are_escaped()
    {
        var dir = Path.Combine(s.Runs, "html");
        AssertAllEscaped(s.Run($"#!arch train m --steps 2 --eval-every 0 --run-name {Quoted} --runs {dir}\n#!arch train m --steps 2 --eval-every 0 --run-name {Quoted} --runs {dir}"));
        var runs = s.Run($"#!arch runs --runs {dir}");
        AssertAllEscaped(runs);
        // The quoted value was parsed whole, escaped quotes included, and logged as written.
        Assert.Equal(Samples.Payload, s.Run($"var runLog = RunLog.Open(@\"{dir}\");\nvar lastName = runLog.LastRuns(1)[0].Name;\nrunLog.Dispose();\nlastName").ResultText);
        var ids = System.Text.RegularExpressions.Regex.Matches(runs.Text, @"\d{8}-\d{6}-[0-9a-f]{8}").Select(m => m.Value).ToList();
        AssertAllEscaped(s.Run($"#!arch compare {ids[0]} {ids[1]} --runs {dir}"));
        AssertAllEscaped(s.Run($"#!arch sql SELECT name, '<script>alert(1)</script>' AS injected FROM runs --runs {dir}"));
    }

    [Fact]
    public void Study_names_and_token_labels_are_escaped()
    {
        AssertAllEscaped(s.Run($"#!arch ablate m --swap norm=rms --seeds 1 --steps 2 --no-log --name {Quoted}"));
        AssertAllEscaped(s.Run($"#!arch scale transformer --task copy --task-config symbols=4,length=3 --config layers=1,heads=2 --sizes 8,16 --seeds 1 --steps 2 --no-log --name {Quoted}"));
        AssertAllEscaped(s.Run("#!arch attention m --input \"0 1 2 4 5 5 5\" --labels \"<script>alert(1)</script>,\\\" onmouseover=\\\"x,c,d,e,f,g\""));
    }

    [Fact]
    public void Markup_cannot_become_a_variable_name()
    {
        var r = s.Run("#!arch model transformer --name \"<script>alert(1)</script>\"");
        Assert.Contains("is not a C# variable name", r.Error!.Value);
    }
}
