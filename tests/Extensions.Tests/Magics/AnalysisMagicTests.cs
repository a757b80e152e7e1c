using System.Text.RegularExpressions;

namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>#!arch activations and #!arch spectrum on a tiny transformer, activations over training from the run log, and memory in profile and compare.</summary>
[Collection("magics")]
public sealed class AnalysisMagicTests(MagicSession s)
{
    const string Tiny = "--task copy --task-config symbols=4,length=3 --config dim=16,layers=1,heads=2,maxlen=16";

    string Runs(string name) => Path.Combine(s.Runs, name);

    [Fact]
    public void Activations_shows_every_layer_with_its_statistics_and_histograms()
    {
        var r = s.Run("#!arch activations m --batch 8");
        Assert.Null(r.Error);
        Assert.StartsWith("Activations of m on [8, ", r.Text);
        // Every module of m that returns a tensor has a row, named by its path.
        var paths = s.Run("string.Join(\",\", m.named_modules().Select(x => x.name).Where(n => n.Length > 0))").ResultText!.Trim('"').Split(',');
        var rows = r.Text.Split('\n').Select(l => l.Trim().Split(' ')[0]).ToHashSet();
        Assert.Contains(paths, p => rows.Contains(p));
        var traces = r.Figures().Single()["data"]!.AsArray();
        Assert.NotEmpty(traces);
        Assert.All(traces, t => Assert.Contains((string)t!["name"]!, r.Text));
        Assert.Contains("dead: share of units", r.Text);
    }

    [Fact]
    public void Spectrum_shows_layers_by_frequency_and_weight_singular_values()
    {
        var r = s.Run("#!arch spectrum m --batch 4");
        Assert.Null(r.Error);
        Assert.StartsWith("Spectra of m on [4, ", r.Text);
        Assert.Contains("dominant frequency", r.Text);
        Assert.Contains("stable rank", r.Text);
        var figures = r.Figures();
        Assert.Equal(2, figures.Count);
        Assert.Equal("heatmap", (string)figures[0]["data"]![0]!["type"]!);
        // One singular-value line per weight matrix of m.
        var matrices = int.Parse(s.Run("m.parameters().Count(p => p.dim() >= 2)").ResultText!);
        Assert.Equal(matrices, figures[1]["data"]!.AsArray().Count);
    }

    [Fact]
    public void Activations_over_training_come_back_from_the_run_log_as_layers_by_steps()
    {
        var dir = Runs("activations");
        Assert.Null(s.Run($"#!arch model transformer --name am {Tiny}").Error);
        var train = s.Run($"#!arch train am --steps 6 --eval-every 0 --activations-every 3 --runs {dir}");
        Assert.Null(train.Error);
        var runId = Regex.Match(train.Text, @"logged as run (\S+) in").Groups[1].Value;
        var r = s.Run($"#!arch activations --run {runId[^8..]} --stat std --runs {dir}");
        Assert.Null(r.Error);
        Assert.Contains("Activation std by layer over training", r.Text);
        Assert.Contains("step 3", r.Text);
        Assert.Contains("step 6", r.Text);
        var heatmap = r.Figures().Single()["data"]![0]!;
        var z = heatmap["z"]!.AsArray();
        Assert.Equal(2, z[0]!.AsArray().Count);   // steps 3 and 6
        var layers = int.Parse(s.Run($"#!arch sql SELECT count(DISTINCT name) AS n FROM metrics WHERE run_id = '{runId}' AND name LIKE 'activations/%/std' --runs {dir}").Text.Split('\n').First(l => Regex.IsMatch(l.Trim(), @"^\d+$")).Trim());
        Assert.Equal(layers, z.Count);

        // The same run logged its memory, which compare shows beside a run that did too.
        Assert.Null(s.Run($"#!arch train am --steps 2 --eval-every 0 --runs {dir}").Error);
        var ids = Regex.Matches(s.Run($"#!arch runs --runs {dir}").Text, @"\d{8}-\d{6}-[0-9a-f]{8}").Select(m => m.Value).Distinct().ToList();
        var compare = s.Run($"#!arch compare {ids[0]} {ids[1]} --runs {dir}");
        Assert.Null(compare.Error);
        Assert.Matches(@"(?m)^peak memory \(host\)\s+\d+(\.\d+)? [KMG]i?B\s+\d+(\.\d+)? [KMG]i?B", compare.Text);

        var none = s.Run($"#!arch activations --run {ids[0]} --runs {dir}");
        Assert.Contains("logged no activation 'dead'", none.Error!.Value);
    }

    [Fact]
    public void Gradient_norms_and_update_ratios_over_training_are_drawn_parameters_by_steps()
    {
        var dir = Runs("parameters");
        Assert.Null(s.Run($"#!arch model transformer --name pm {Tiny}").Error);
        var train = s.Run($"#!arch train pm --steps 6 --eval-every 0 --params-every 3 --runs {dir}");
        Assert.Null(train.Error);
        var runId = Regex.Match(train.Text, @"logged as run (\S+) in").Groups[1].Value;
        var parameters = s.Run("string.Join(\",\", pm.named_parameters().Select(p => p.name))").ResultText!.Trim('"').Split(',');
        foreach (var stat in new[] { "grad_norm", "update_ratio" })
        {
            var r = s.Run($"#!arch activations --run {runId} --stat {stat} --runs {dir}");
            Assert.Null(r.Error);
            Assert.Contains($"{stat} by parameter over training", r.Text);
            Assert.All(parameters, p => Assert.Contains(p, r.Text));
            var heatmap = r.Figures().Single()["data"]![0]!;
            var z = heatmap["z"]!.AsArray();
            Assert.Equal(parameters.Length, z.Count);
            // Steps 3 and 6, each a finite log10 value: every parameter of the transformer gets a gradient and moves.
            Assert.All(z, row => Assert.Equal(2, row!.AsArray().Count(v => v is not null && double.IsFinite((double)v))));
        }
        var logged = s.Run($"#!arch sql SELECT count(*) AS n FROM metrics WHERE run_id = '{runId}' AND name LIKE 'params/%/grad_norm' --runs {dir}").Text;
        Assert.Equal(2 * parameters.Length, int.Parse(logged.Split('\n').First(l => Regex.IsMatch(l.Trim(), @"^\d+$")).Trim()));

        // A run shorter than the default interval (50 steps) logged none, and says how to get them.
        Assert.Null(s.Run($"#!arch train pm --steps 2 --eval-every 0 --run-name short --runs {dir}").Error);
        var shortId = Regex.Match(s.Run($"#!arch runs --runs {dir}").Text, @"\d{8}-\d{6}-[0-9a-f]{8}").Value;
        Assert.NotEqual(runId, shortId);
        Assert.Contains("logged no 'grad_norm'", s.Run($"#!arch activations --run {shortId} --stat grad_norm --runs {dir}").Error!.Value);
    }

    [Fact]
    public void Mistakes_are_usage_errors_that_say_what_to_do()
    {
        Assert.Contains("which model?", s.Run("#!arch activations").Error!.Value);
        Assert.Contains("not a statistic", s.Run("#!arch activations --run x --stat bogus").Error!.Value);
        Assert.Contains("not both", s.Run("#!arch activations m --run x").Error!.Value);
        Assert.Contains("there is no variable 'nomodel'", s.Run("#!arch spectrum nomodel").Error!.Value);
    }

    [Fact]
    public void Profile_reports_the_process_memory()
    {
        var r = s.Run("#!arch profile m --batch 4 --repeat 1");
        Assert.Null(r.Error);
        Assert.Matches(@"process host memory: \d+(\.\d+)? [KMG]i?B resident, peak \d+(\.\d+)? [KMG]i?B (while profiling|since the process started)", r.Text);
    }
}
