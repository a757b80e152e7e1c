using ArchNotebooks.Extensions.Attention;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Interpretability;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// <c>#!arch intervene &lt;model&gt;</c>: causal interventions at inference — ablate (zero, mean, resample)
/// or patch each module and attention head over several test batches, and show the metric change per
/// component with confidence intervals, sorted, plus a layers × heads heatmap.
/// </summary>
public sealed class InterveneCommand : ArchCommand
{
    /// <summary>The intervention methods by their option value.</summary>
    public enum Method { Zero, Mean, Resample, Patch }

    public override CommandSpec Spec { get; } = new("intervene", "causal interventions: ablate or patch each module and attention head; metric change per component with CIs",
        [new ArgumentSpec("model", "variable holding a model (trained or not)")],
        [
            new OptionSpec("method", "kind", "zero, mean or resample ablation (replace the output by zeros, its batch mean, or another example's), or patch (activation patching from the clean input into a corrupted one, where each example's input is swapped with another's)", Values.Choice<Method>(), "mean"),
            new OptionSpec("modules", "globs", "modules to intervene on, e.g. \"transformer.blocks.*.attn\" ('*' within a name, '**' across); default: every block, attention and feed-forward module", Values.Words("module patterns")),
            new OptionSpec("no-heads", null, "do not intervene on single attention heads"),
            new OptionSpec("batches", "n", "test batches (the confidence intervals are over these)", Values.Int(2, 1000), "8"),
            new OptionSpec("batch", "n", "examples per test batch", Values.Int(2, 100_000), "32"),
            new OptionSpec("metric", "name", "accuracy (the task's score) or loss", Default: "accuracy"),
            TaskOption("default: the task the model was built for"), TaskConfigOption,
            SeedOption("seed of the first test batch"),
            new OptionSpec("result", "var", "also bind the InterventionResult to this variable"),
        ],
        [
            new("#!arch intervene m", "mean-ablate every block, attention module, feed-forward module and head of m"),
            new("#!arch intervene m --method zero --modules \"transformer.blocks.*.attn\"", "zero-ablate the attention modules and their heads"),
            new("#!arch intervene m --method patch --batches 4", "activation patching: which components carry what a corrupted input lost"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("model")!;
        var target = plan.Model(name, Where);
        var task = ArchPlan.Task(line, target.Provenance, required: true, Where)!;
        var method = line.Get("method", Method.Mean);
        var patterns = line.Get<List<string>>("modules");
        bool heads = !line.Flag("no-heads");
        int batches = line.Get("batches", 8), size = line.Get("batch", 32);
        long seed = line.Get("seed", 0L);
        var metricName = line.Get<string>("metric") ?? "accuracy";
        if (metricName is not ("accuracy" or "loss"))
            throw new ArchUsageException($"{Where}: bad value for --metric: '{metricName}' is not a metric; use accuracy or loss.");
        var resultName = line.Get<string>("result") is { } r ? Identifier(r, "--result") : null;
        return async run =>
        {
            var model = run.Model(name);
            IReadOnlyList<InterventionTarget> targets;
            try { targets = Interventions.Targets(model, patterns, heads); }
            catch (ArgumentException e) { throw new ArchUsageException($"{Where}: bad value for --modules: {e.Message}"); }
            var t = task.Task;
            bool accuracy = metricName == "accuracy";
            // A regression task's score is an error (rmse): lower is better, as for the loss.
            bool higherIsBetter = accuracy && t.MetricName == "accuracy";
            Func<Tensor, Tensor, double> metric = accuracy ? t.Accuracy : (logits, y) => { using var l = t.ComputeLoss(logits, y); return l.item<double>(); };
            using var scope = NewDisposeScope();
            var drawn = Enumerable.Range(0, batches).Select(i => t.Sample(size, seed + i, Split.Test, model.device)).ToList();
            InterventionResult result;
            try
            {
                result = method == Method.Patch
                    ? Interventions.Patch(model, drawn.Select(b => (b.Input, b.Input.roll(1, 0), b.Target)).ToList(), metric, targets, accuracy ? t.MetricName : "loss", higherIsBetter)
                    : Interventions.Ablate(model, drawn.Select(b => (b.Input, b.Target)).ToList(), metric,
                        method switch { Method.Zero => AblationKind.Zero, Method.Mean => AblationKind.Mean, _ => AblationKind.Resample }, targets, accuracy ? t.MetricName : "loss", higherIsBetter);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or TorchException)
            {
                throw new ArchUsageException($"{Where}: {name} could not be intervened on: {e.Message}");
            }
            run.Display(new InterventionView(result, name));
            if (resultName is not null) await run.BindAsync(resultName, result);
        };
    }
}
