using System.Text.RegularExpressions;
using ArchNotebooks.Interactive;

namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>
/// A researcher's own config registered as a family and their own data from a CSV file, through the magics:
/// #!arch data describes the file from its rows, --task takes the dataset variable (also as @csharp:name, which
/// used to paste the dataset's text), and every run logs config.model.*, config.train.* and config.data.*.
/// </summary>
[Collection("magics")]
public sealed class OwnDataTests(MagicSession s)
{
    const string Module = "ArchNotebooks.Library.Modules.Module<Tensor, Tensor>";
    const string Linear = "ArchNotebooks.Library.Layers.Linear";

    /// <summary>A gated MLP (not a library family) with its config record; Gate is its one ablation point.</summary>
    static readonly string GateNet = $$"""
        public sealed record GateConfig([property: ArchNotebooks.Library.Ablation.Ablation("the multiplicative input gate")] bool Gate = true,
            int Dim = 16, long Features = 2, long Outputs = 2) : IModelConfig
        {
            public {{Module}} Build() => new GateNet(this);
            public IModelConfig For(ISyntheticTask task) => this with { Features = task.InputShape()[0], Outputs = task.NumClasses };
        }
        public sealed class GateNet : {{Module}}
        {
            public readonly GateConfig Config;
            readonly {{Linear}} inp, outp;
            readonly {{Linear}}? gate;
            public GateNet(GateConfig c)
            {
                Config = c;
                inp = register_module("inp", new {{Linear}}(c.Features, c.Dim));
                if (c.Gate) gate = register_module("gate", new {{Linear}}(c.Features, c.Dim));
                outp = register_module("outp", new {{Linear}}(c.Dim, c.Outputs));
            }
            public override Tensor forward(Tensor x)
            {
                var h = inp.call(x).relu();
                if (gate is not null) h = h * gate.call(x).sigmoid();
                return outp.call(h);
            }
        }
        """;

    void Define()
    {
        var r = s.Run(GateNet + "\nFamilies.Register(\"gatenet\", new GateConfig(), widthField: \"Dim\");");
        Assert.Null(r.Error);
    }

    /// <summary>120 rows on a grid; the label says which side of the line x2 = x1 a point lies on: 'up' or 'down'.</summary>
    string WriteCsv()
    {
        Directory.CreateDirectory(s.Runs);
        var path = Path.Combine(s.Runs, "sides.csv");
        var rows = Enumerable.Range(0, 120).Select(i => (x1: (i % 12) / 6.0 - 1, x2: (i / 12) / 5.0 - 1 + 0.05))
            .Select(p => FormattableString.Invariant($"{p.x1},{p.x2},{(p.x2 > p.x1 ? "up" : "down")}"));
        File.WriteAllLines(path, rows.Prepend("x1,x2,label"));
        return path;
    }

    static string Text(RecordedCell r) => r.Displays[^1][MimeBundle.PlainText].ToString()!;

    [Fact]
    public void Data_loads_a_csv_and_shows_its_splits_and_class_balance_from_the_rows()
    {
        var path = WriteCsv();
        var ups = File.ReadAllLines(path).Skip(1).Count(l => l.EndsWith(",up", StringComparison.Ordinal));
        var r = s.Run($"#!arch data {path} --target label --name sides\nsides.Count(Split.Train)");
        Assert.Null(r.Error);
        Assert.Equal("84", r.ResultText);   // 120 rows: 24 test, 12 validation
        var text = Text(r);
        Assert.Contains("sides (TensorDataset, Classification): inputs [2] Float32, targets [] Int64, 2 classes", text);
        Assert.Contains("features: x1, x2", text);
        // The per-split counts of 'up' add up to the file's.
        var counts = Regex.Matches(text, @"up: (\d+) \(").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(3, counts.Count);
        Assert.Equal(ups, counts.Sum());
        Assert.Matches(@"Train\s+84\s", text);
        Assert.Matches(@"Validation\s+12\s", text);
        Assert.Matches(@"Test\s+24\s", text);
        // Described again from the variable, the same numbers.
        Assert.Equal(text, Text(s.Run("#!arch data sides")));
        var bad = s.Run($"#!arch data {path}");
        Assert.Contains("which column is the target? Give --target <column>", bad.ErrorText);
    }

    [Fact]
    public void A_registered_family_trains_on_a_dataset_variable_and_the_run_logs_model_recipe_and_data()
    {
        Define();
        var path = WriteCsv();
        Assert.Null(s.Run($"var sides2 = Dataset.FromCsv(@\"{path}\", target: \"label\", name: \"sides\");").Error);
        var model = s.Run("#!arch model gatenet --name g --task sides2 --config dim=8");
        Assert.Null(model.Error);
        Assert.Contains("g = GateNet: gatenet for sides", model.Stdout);
        Assert.Contains("Gate", Text(s.Run("#!arch points gatenet")));
        var runs = Path.Combine(s.Runs, "own-data");
        // @csharp:sides2 passes the dataset itself (it used to paste its description and fail).
        var train = s.Run($"#!arch train g --task @csharp:sides2 --steps 80 --lr 0.03 --eval-every 0 --runs {runs} --result gr\ngr.FinalMetrics[\"test_accuracy\"]");
        Assert.Null(train.Error);
        Assert.True(double.Parse(train.ResultText!, System.Globalization.CultureInfo.InvariantCulture) >= 0.85, train.ResultText);
        var query = "SELECT family, task, \"config.model.Dim\", \"config.model.Features\", \"config.train.steps\", \"config.data.name\", " +
                    "\"config.data.test_examples\", \"config.data.source\" FROM runs";
        var logged = s.Run($"string LoggedRow() {{ using var log = RunLog.Open(@\"{runs}\"); return string.Join(\"|\", log.Query(\"{query.Replace("\"", "\\\"")}\").Rows.Single()); }}\nLoggedRow()");
        Assert.Null(logged.Error);
        Assert.Equal($"gatenet|sides|8|2|80|sides|24|{path}", logged.ResultText);
        // Scaling the registered family widens its declared width field.
        var scale = s.Run("#!arch scale gatenet --task sides2 --sizes 4,8 --seeds 1 --steps 5 --no-log --result sr\nstring.Join(\",\", sr.Points.Select(p => p.Parameters))");
        Assert.Null(scale.Error);
        Assert.Equal("34,66", scale.ResultText);   // inp and gate 2·dim + dim each, outp dim·2 + 2
    }

    [Fact]
    public void An_ablation_on_a_regression_dataset_reads_rmse_as_lower_is_better()
    {
        Define();
        var r = s.Run("""
            var xs = Enumerable.Range(0, 60).Select(i => new[] { i / 30f - 1, 0.5f }).ToArray();
            var ramp = Dataset.Regression(xs, xs.Select(x => 2 * x[0]).ToArray(), name: "ramp");
            """);
        Assert.Null(r.Error);
        Assert.Null(s.Run("#!arch model gatenet --name gramp --task ramp").Error);
        var ablate = s.Run("#!arch ablate gramp --remove gate --seeds 2 --steps 5 --no-log --result ab\nab.Metrics[0].ToString()");
        Assert.Null(ablate.Error);
        Assert.Equal("test_rmse (lower is better)", ablate.ResultText);
        var table = Text(ablate);
        Assert.Contains("on ramp: test_rmse", table);
        Assert.Contains("no-gate", table);
    }
}
