using System.Text.Json.Nodes;
using System.Xml.Linq;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Runs;
using static ArchNotebooks.Extensions.Tests.Support.Samples;

namespace ArchNotebooks.Extensions.Tests.Formatting;

/// <summary>The content of the ablation, module, curve, scaling, run-table and sanity formatters.</summary>
public class ReportPieceTests
{
    static string Row(string html, string variant)
    {
        int at = html.IndexOf(">" + variant, StringComparison.Ordinal);
        Assert.True(at > 0, $"no row for {variant}");
        return html[html.LastIndexOf("<tr", at, StringComparison.Ordinal)..html.IndexOf("</tr>", at, StringComparison.Ordinal)];
    }

    [Fact]
    public void Ablation_rows_are_coloured_better_worse_or_insignificant_with_their_numbers()
    {
        var table = Ablation().Table();
        var bundle = new MimeBundle();
        AblationFormatter.Write(table, bundle);
        var html = (string)bundle[MimeBundle.Html];
        Assert.Contains("class=\"better\">+13.1%", Row(html, "▲ wider"));
        Assert.Contains("class=\"worse\">-24.4%", Row(html, "no-norm"));
        Assert.Contains("class=\"insignificant\">", Row(html, "dropout"));
        Assert.StartsWith("<tr class=\"baseline\">", Row(html, "baseline (baseline)"));
        var wider = table["wider"];
        Assert.Contains($"{HtmlText.Number(wider.Mean)} ± {HtmlText.Number(wider.Std)}", Row(html, "▲ wider"));
        Assert.Contains($"[{HtmlText.Number(wider.CI.Low)}, {HtmlText.Number(wider.CI.High)}]", Row(html, "▲ wider"));
        Assert.Contains(" *</td>", Row(html, "▲ wider"));
        // Five seeds, five dots per row, on one scale.
        Assert.Equal(5, Row(html, "dropout").Split("<circle").Length - 1);
        Assert.Contains(HtmlText.Escape(table.Caption), html);
        Assert.Equal(table.ToText(), bundle[MimeBundle.PlainText]);
        var dots = AblationFormatter.DotFigure(table).ToJson();
        Assert.Equal(8, dots["data"]!.AsArray().Count);  // seeds and mean per variant
        Assert.Equal(["baseline", "wider", "no-norm", "dropout"], dots["layout"]!["xaxis"]!["ticktext"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public void Module_tree_shows_every_module_with_shapes_and_counts()
    {
        using var mlp = new MLP(8, 16, 4);
        var html = ModuleFormatter.ToHtml(mlp);
        Assert.Equal(mlp.modules().Count(), html.Split("<details").Length - 1);
        foreach (var (name, p) in mlp.named_parameters(recurse: true))
            Assert.Contains(HtmlText.Escape("[" + string.Join(", ", p.shape) + "]"), html);
        Assert.Contains(HtmlText.Count(mlp.num_parameters()) + " parameters", html);
        Assert.Contains("<details open>", html);
    }

    [Fact]
    public void Training_curves_split_loss_and_metrics_and_support_log_y()
    {
        var curves = new TrainingCurves(Training()) { LogY = true };
        var json = curves.ToFigure().ToJson();
        var names = json["data"]!.AsArray().Select(t => (string)t!["name"]!).ToList();
        Assert.Equal(["train_loss", "test_loss", "test_accuracy"], names);
        Assert.Equal("log", (string?)json["layout"]!["yaxis"]!["type"]);
        Assert.Equal("x2", (string?)json["data"]![2]!["xaxis"]);
        Assert.Equal(50, json["data"]![0]!["y"]!.AsArray().Count);
        var svg = XDocument.Parse(curves.ToFigure().ToSvg()!);
        Assert.Equal(3, svg.Descendants().Count(e => e.Name.LocalName == "path"));
    }

    [Fact]
    public void Scaling_plot_is_log_log_with_the_fitted_law()
    {
        double[] n = [1e3, 1e4, 1e5, 1e6];
        var points = n.Select((v, i) => new ScalingPoint($"s{i}", (long)v, [3 * Math.Pow(v, -0.3), 3 * Math.Pow(v, -0.3) * 1.01])).ToList();
        var fit = PowerLaw.Fit(n, points.Select(p => p.Mean).ToList());
        var result = new ScalingResult("gpt", "copy", "test_loss", points, fit, null, false);
        var json = ScalingFormatter.Figure(result).ToJson();
        Assert.Equal("log", (string?)json["layout"]!["xaxis"]!["type"]);
        Assert.Equal("log", (string?)json["layout"]!["yaxis"]!["type"]);
        var law = (string)json["data"]![1]!["name"]!;
        Assert.Matches(@"L = 3\.0\d*·N\^−0\.30\d \(R² 1\.000\)", law);
        var bundle = new MimeBundle();
        ScalingFormatter.Write(result, bundle);
        Assert.Contains("1,000,000", (string)bundle[MimeBundle.Html]);
    }

    [Fact]
    public void Run_tables_escape_cells_and_cap_rows()
    {
        var rows = Enumerable.Range(0, 150).Select(i => new object?[] { $"run-{i}", (double)i / 10 }).ToList();
        var table = new RunTable([new RunTableColumn("run", "VARCHAR", typeof(string)), new RunTableColumn("loss", "DOUBLE", typeof(double))], rows);
        var html = RunTableFormatter.ToHtml(table);
        Assert.Contains("first 100 of 150 rows", html);
        Assert.Contains(">run-99<", html);
        Assert.DoesNotContain(">run-100<", html);
        Assert.Contains("<td>9.9</td>", html);
    }

    [Fact]
    public void Sanity_report_is_a_pass_fail_table_with_a_gradient_flow_chart()
    {
        var flow = new GradientFlowCheck
        {
            Passed = false, Summary = "1 of 3 parameters has no gradient",
            Parameters = [new ParameterGradient("fc1.weight", [4, 4], 0.3, 2, GradientFlag.Healthy), new ParameterGradient("fc1.bias", [4], 0.01, 0.5, GradientFlag.Healthy),
                          new ParameterGradient("head.weight", [2, 4], 0, 1, GradientFlag.NoGradient)],
        };
        var shape = new ShapeCheck { Passed = true, Summary = "logits [8, 2] as expected", Expected = [8, 2], Actual = [8, 2], AllFinite = true };
        var bundle = new MimeBundle();
        SanityFormatter.Write(new SanityReport("parity", [shape, flow]), bundle);
        var html = (string)bundle[MimeBundle.Html];
        Assert.Contains("1/2 passed", html);
        Assert.Contains("<td class=\"pass\">PASS</td>", html);
        Assert.Contains("<td class=\"fail\">FAIL</td>", html);
        var chart = SanityFormatter.GradientFlowFigure(flow);
        var json = chart.ToJson();
        Assert.Equal("log", (string?)json["layout"]!["yaxis"]!["type"]);
        Assert.Equal([Style.Color(0), Style.Color(0), Style.Worse], json["data"]![0]!["marker"]!["color"]!.AsArray().Select(v => (string)v!));
        Assert.Null(json["data"]![0]!["y"]![2]);  // a zero gradient has no place on a log axis
        var svg = XDocument.Parse(chart.ToSvg()!);
        Assert.Equal(2, svg.Descendants().Count(e => e.Name.LocalName == "rect" && e.Attribute("fill")?.Value == Style.Color(0)));
        Assert.Contains("FAIL gradient-flow", (string)bundle[MimeBundle.PlainText]);
    }
}
