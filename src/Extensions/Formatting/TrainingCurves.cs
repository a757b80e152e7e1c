using System.Globalization;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Training;

namespace ArchNotebooks.Extensions.Formatting;

/// <summary>One named series over optimizer steps.</summary>
public sealed record Curve(string Name, IReadOnlyList<double> Steps, IReadOnlyList<double> Values);

/// <summary>
/// Loss (left) and evaluation metrics (right) against step, for one run or several overlaid.
/// Series whose name contains "loss" share the loss panel; <see cref="LogY"/> puts it on a log scale.
/// Built from a <see cref="TrainingResult"/> or from raw series (what a live progress display updates).
/// </summary>
[TypeFormatterSource(typeof(ArchTypeFormatterSource), PreferredMimeTypes = [MimeBundle.Html, MimeBundle.PlainText])]
public sealed record TrainingCurves(IReadOnlyList<Curve> Curves) : IMimeRenderable
{
    public string Title { get; init; } = "Training curves";
    public bool LogY { get; init; }

    public TrainingCurves(TrainingResult result, string run = "") : this(FromResult(result, run))
    {
        Title = $"{result.Reason} after {result.StepsCompleted:N0}/{result.StepsPlanned:N0} steps" +
                (result.FinalMetrics.Count > 0 ? ": " + string.Join(", ", result.FinalMetrics.Select(m => $"{m.Key} {m.Value.ToString("G4", CultureInfo.InvariantCulture)}")) : "");
    }

    /// <summary>Several runs overlaid, each series named "run: series".</summary>
    public static TrainingCurves Compare(IEnumerable<(string run, TrainingResult result)> runs, bool logY = false) =>
        new(runs.SelectMany(r => FromResult(r.result, r.run)).ToList()) { Title = "Training curves", LogY = logY };

    static IReadOnlyList<Curve> FromResult(TrainingResult result, string run)
    {
        string Named(string series) => run.Length == 0 ? series : $"{run}: {series}";
        var curves = new List<Curve> { new(Named("train_loss"), result.LossHistory.Select(p => (double)p.Step).ToList(), result.LossHistory.Select(p => p.Loss).ToList()) };
        foreach (var metric in result.EvalHistory.SelectMany(e => e.Metrics.Keys).Distinct())
        {
            var points = result.EvalHistory.Where(e => e.Metrics.ContainsKey(metric)).ToList();
            curves.Add(new Curve(Named(metric), points.Select(e => (double)e.Step).ToList(), points.Select(e => e.Metrics[metric]).ToList()));
        }
        return curves;
    }

    static bool IsLoss(Curve c) => c.Name.Contains("loss", StringComparison.OrdinalIgnoreCase);

    public Figure ToFigure()
    {
        var losses = Curves.Where(IsLoss).ToList();
        var metrics = Curves.Where(c => !IsLoss(c)).ToList();
        bool two = losses.Count > 0 && metrics.Count > 0;
        var traces = new List<Trace>();
        int color = 0;
        foreach (var c in losses)
            traces.Add(new Scatter(c.Steps, c.Values) { Name = c.Name, Mode = c.Steps.Count > 40 ? "lines" : "lines+markers", Line = new LineStyle(Style.Color(color++), 2), Marker = new MarkerStyle(Size: 5) });
        foreach (var c in metrics)
            traces.Add(new Scatter(c.Steps, c.Values) { Name = c.Name, Mode = "lines+markers", Line = new LineStyle(Style.Color(color++), 2, "dash"), Marker = new MarkerStyle(Size: 6), XAxis = two ? "x2" : "x", YAxis = two ? "y2" : "y" });
        var lossY = new Axis { Title = "loss", Type = LogY ? "log" : null, Domain = two ? (0, 1) : null };
        var layout = new Layout { Title = Title, Height = 380, Margin = (60, 20, 50, 50) };
        layout = two
            ? layout with
            {
                XAxes = [new Axis { Title = "step", Domain = (0, 0.46), Anchor = "y" }, new Axis { Title = "step", Domain = (0.56, 1), Anchor = "y2" }],
                YAxes = [lossY, new Axis { Title = "metric", Anchor = "x2" }],
            }
            : layout with { XAxes = [new Axis { Title = "step" }], YAxes = [losses.Count > 0 ? lossY : new Axis { Title = "metric" }] };
        return new Figure(traces, layout);
    }

    public void Render(MimeBundle bundle)
    {
        ToFigure().Render(bundle);
        bundle[MimeBundle.PlainText] = ToString();
    }

    public override string ToString()
    {
        var lines = new List<string> { Title };
        foreach (var c in Curves.Where(c => c.Values.Count > 0))
        {
            var finite = c.Values.Where(double.IsFinite).DefaultIfEmpty(double.NaN).ToList();
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  {c.Name}: {c.Values.Count} points, last {HtmlText.Number(c.Values[^1])} at step {c.Steps[^1]:0}, min {HtmlText.Number(finite.Min())}, max {HtmlText.Number(finite.Max())}"));
        }
        return string.Join("\n", lines);
    }
}
