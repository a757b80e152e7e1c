using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Library.Studies;

namespace ArchNotebooks.Extensions.Tests.Support;

/// <summary>Inputs the formatter tests share: an ablation with known outcomes, a training result, a hostile string.</summary>
internal static class Samples
{
    /// <summary>Markup and quotes that must never reach HTML, SVG or plotly text unescaped.</summary>
    public const string Payload = "<script>alert(1)</script>\" onmouseover=\"x'";

    public static readonly string[] RawFragments = ["<script>alert(1)", "alert(1)</script>", "\" onmouseover=\"x"];

    /// <summary>Asserts no representation that a browser or SVG viewer interprets carries the payload raw.</summary>
    public static void AssertEscaped(MimeBundle bundle)
    {
        Assert.True(bundle.Contains(MimeBundle.PlainText));
        foreach (var (mime, value) in bundle.Data)
        {
            if (mime == MimeBundle.PlainText) continue;
            var text = value is System.Text.Json.Nodes.JsonNode node ? node.ToJsonString() : (string)value;
            foreach (var raw in RawFragments) Assert.DoesNotContain(raw, text);
        }
    }

    public static TrainingResult Training(int steps = 50, double start = 2.3, string evalMetric = "test_accuracy") => new()
    {
        StepsPlanned = steps, StepsCompleted = steps, Reason = StopReason.Completed,
        LossHistory = Enumerable.Range(1, steps).Select(s => new LossPoint(s, start * Math.Exp(-s / 15.0) + 0.05)).ToList(),
        EvalHistory = Enumerable.Range(1, steps / 10).Select(k => new EvalPoint(k * 10, new Dictionary<string, double>
            { ["test_loss"] = start * Math.Exp(-k * 10 / 15.0) + 0.1, [evalMetric] = 1 - Math.Exp(-k / 2.0) })).ToList(),
        FinalMetrics = new Dictionary<string, double> { ["test_loss"] = 0.2, [evalMetric] = 0.9 },
        WallTime = TimeSpan.FromSeconds(3), StepsPerSecond = steps / 3.0,
    };

    /// <summary>Accuracy over 5 seeds: "wider" clearly better, "no-norm" clearly worse, "dropout" within noise.</summary>
    public static AblationResult Ablation(string baselineName = "baseline", string study = "norm ablation", string task = "parity")
    {
        VariantResult Variant(string name, bool baseline, params double[] values) =>
            new(name, new { name }, baseline, values.Select((v, i) => new SeedRun(i, new Dictionary<string, double> { ["test_accuracy"] = v }, 1000, Training(10))).ToList());
        return new AblationResult(study, task,
        [
            Variant(baselineName, true, 0.800, 0.810, 0.790, 0.805, 0.795),
            Variant("wider", false, 0.900, 0.910, 0.895, 0.905, 0.915),
            Variant("no-norm", false, 0.600, 0.620, 0.610, 0.590, 0.605),
            Variant("dropout", false, 0.805, 0.790, 0.815, 0.800, 0.792),
        ], [new MetricSpec("test_accuracy", HigherIsBetter: true)], Interrupted: false, BootstrapResamples: 2000, BootstrapSeed: 0);
    }
}
