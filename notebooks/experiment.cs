#!/usr/bin/env -S dotnet run
// The researcher's workflow as a .NET 10 file-based app: `dotnet run notebooks/experiment.cs`
// (options after --: --steps N --seeds N --runs DIR). The same experiment as experiment.dib and the
// core of transformer-ablation.ipynb: a baseline, ablations over seeds, the table with statistics,
// generalization to longer sequences, runs logged as Parquet, conclusions computed from the numbers.
#:project ../src/Library/ArchNotebooks.Library.csproj
#:property InvariantGlobalization=true
#:property PublishAot=false

using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Runs;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Library.Validation;

int steps = Option("--steps", 600), seeds = Option("--seeds", 5);
string runsDir = args.SkipWhile(a => a != "--runs").Skip(1).FirstOrDefault() ?? "runs";

var task = new ReverseTask(symbols: 8, length: 6, generalizationLength: 10);
var baseline = (TransformerConfig)new TransformerConfig(Layers: 2, Dim: 32, Heads: 4).For(task);
var training = new TrainConfig { Steps = steps, LearningRate = 3e-3, WarmupSteps = steps / 20, EvalEvery = 0, EvalSplits = [Split.Test, Split.Generalization] };

var study = Ablation.Of("experiment", baseline, task, training);
study.Add("no attention", c => c with { Attention = false })
     .Add("no positions", c => c with { Position = PositionKind.None })
     .Add("ALiBi", c => c with { Position = PositionKind.ALiBi });
study.Seeds = Enumerable.Range(0, seeds).Select(s => (long)s).ToList();
study.Metrics = [MetricSpec.TestAccuracy, MetricSpec.GeneralizationAccuracy];

Console.WriteLine($"{task.Description}; {steps} steps, {seeds} seeds; runs logged to {Path.GetFullPath(runsDir)}");
using var runs = RunLog.Open(runsDir);
var result = study.Run(new RunLogExperimentLog(runs, source: "experiment.cs"),
    progress: new Progress(p => Console.Error.WriteLine($"  {p.Done}/{p.Total} {p.Variant} seed {p.Seed}: test accuracy {p.Run.Metrics["test_accuracy"]:P1}")));
Console.WriteLine();
Console.WriteLine(result);   // one table per metric: mean ± std, bootstrap CI, Welch's t-test vs the baseline

Console.WriteLine("\nConclusions (from the numbers above):");
var accuracy = result.Table(MetricSpec.TestAccuracy);
var generalization = result.Table(MetricSpec.GeneralizationAccuracy);
foreach (var row in accuracy.Rows.Where(r => !r.IsBaseline))
{
    var p = row.VsBaseline?.PValue ?? double.NaN;
    string verdict = double.IsNaN(p) ? "not testable" : p >= 0.05 ? "no significant difference"
        : row.RelativeImprovement < 0 ? "significantly worse" : "significantly better";
    Console.WriteLine($"  {row.Variant}: test accuracy {row.Mean:P1} vs baseline {accuracy["baseline"].Mean:P1}: {verdict} (p = {p:0.####}); " +
                      $"on longer sequences {generalization[row.Variant].Mean:P1} vs {generalization["baseline"].Mean:P1}");
}

int Option(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

sealed class Progress(Action<AblationProgress> report) : IProgress<AblationProgress>
{
    public void Report(AblationProgress value) => report(value);
}
