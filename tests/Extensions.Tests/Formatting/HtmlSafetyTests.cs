using ArchNotebooks.Extensions.Attention;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Runs;
using static ArchNotebooks.Extensions.Tests.Support.Samples;

namespace ArchNotebooks.Extensions.Tests.Formatting;

/// <summary>Strings from users, models and runs reach HTML, SVG and plotly text only escaped, in every formatter.</summary>
public class HtmlSafetyTests
{
    static MimeBundle Format(object value)
    {
        var registry = new FormatterRegistry();
        ArchFormatters.Register(registry);
        return registry.Format(value);
    }

    sealed class Hostile : Module
    {
        public Hostile() => register_module(Payload, new Linear(2, 2));
    }

    [Fact]
    public void Module_names()
    {
        using var m = new Hostile();
        var bundle = Format(m);
        AssertEscaped(bundle);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x&#39;", (string)bundle[MimeBundle.Html]);
    }

    [Fact]
    public void Token_labels_in_attention_maps()
    {
        var tokens = new[] { Payload, "b", "<b>" };
        var w = new double[][] { [1, 0, 0], [0.5, 0.5, 0], [0.2, 0.3, 0.5] };
        var maps = new AttentionMaps(tokens, [[w, w], [w, w]]);
        var bundle = Format(maps);
        AssertEscaped(bundle);
        // plotly.js decodes entities in tick text, so the label shows literally rather than as markup.
        var json = AttentionFormatter.SelectorFigure(maps).ToJson().ToJsonString();
        Assert.Contains("\\u0026lt;script\\u0026gt;alert(1)", json);
        // The static SVG inside the HTML escapes them too and stays well-formed.
        System.Xml.Linq.XDocument.Parse(AttentionFormatter.GridFigure(maps).ToSvg()!);
        System.Xml.Linq.XDocument.Parse(AttentionFormatter.SelectorFigure(maps).ToSvg()!);
    }

    [Fact]
    public void Run_names_and_config_strings_in_run_tables()
    {
        var table = new RunTable(
            [new RunTableColumn(Payload, "VARCHAR", typeof(string)), new RunTableColumn("config", "VARCHAR", typeof(string)), new RunTableColumn("loss", "DOUBLE", typeof(double))],
            [[Payload, "{\"norm\": \"" + Payload + "\"}", 0.5], ["ok", null, 1.0]]);
        var bundle = Format(table);
        AssertEscaped(bundle);
        var html = (string)bundle[MimeBundle.Html];
        Assert.Contains("<td>0.5</td>", html);
        Assert.Contains("NULL", html);
    }

    [Fact]
    public void Variant_study_and_task_names_in_ablation_tables()
    {
        var bundle = Format(Ablation(baselineName: Payload, study: Payload, task: Payload).Table());
        AssertEscaped(bundle);
        Assert.Contains(Payload, (string)bundle[MimeBundle.PlainText]);  // the terminal text shows it as typed
    }

    [Fact]
    public void Run_names_in_training_curves_and_figure_titles()
    {
        AssertEscaped(Format(TrainingCurves.Compare([(Payload, Training()), ("b", Training(start: 3))])));
        AssertEscaped(Format(new Figure([new Bar([1]) { Categories = [Payload], Name = Payload }], new Layout { Title = Payload, Annotations = [new Annotation(Payload, 0.5, 0.5)] })));
    }

    [Fact]
    public void Scaling_study_and_sanity_check_names()
    {
        var points = new[] { new ScalingPoint(Payload, 1000, [2.0, 2.1]), new ScalingPoint("m", 10_000, [1.5, 1.4]), new ScalingPoint("l", 100_000, [1.1, 1.2]) };
        var fit = PowerLaw.Fit(points.Select(p => (double)p.Parameters).ToList(), points.Select(p => p.Mean).ToList());
        AssertEscaped(Format(new ScalingResult(Payload, Payload, Payload, points, fit, null, false)));

        var flow = new GradientFlowCheck
        {
            Passed = false, Summary = Payload,
            Parameters = [new ParameterGradient(Payload, [2, 2], 0.1, 1, GradientFlag.Healthy), new ParameterGradient("b", [2], 0, 1, GradientFlag.Dead)],
        };
        AssertEscaped(Format(new SanityReport(Payload, [flow])));
    }
}
