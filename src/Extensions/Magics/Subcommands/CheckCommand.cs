using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Checks;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// <c>#!arch check &lt;model&gt;</c>: the sanity suite on fresh models of the variable's config (shape,
/// loss at init, gradient flow, update ratio, overfit one batch, input-independent baseline), shown
/// live as each check finishes and ending in the pass/fail table with the gradient-flow chart.
/// </summary>
public sealed class CheckCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("check", "sanity suite: shape, loss at init, gradient flow, update ratio, overfit one batch, baseline",
        [new ArgumentSpec("model", "variable holding a model built from a family config (checks run on fresh models of that config)")],
        [
            TaskOption(), TaskConfigOption, SeedOption("seed for the fresh models and batches"),
            new OptionSpec("lr", "rate", "learning rate of the checks that train", Values.Positive(), "1e-3"),
            new OptionSpec("batch", "n", "batch size of the checks", Values.Int(1, 100_000), "32"),
            new OptionSpec("overfit-steps", "n", "at most this many steps to overfit one batch", Values.Int(1, 1_000_000), "300"),
            new OptionSpec("baseline-steps", "n", "training steps of the input-independent baseline", Values.Int(1, 1_000_000), "100"),
        ],
        [
            new("#!arch check m", "every check on m's config and task"),
            new("#!arch check m --task sort --overfit-steps 100 --baseline-steps 50", "a quicker pass on another task"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("model")!;
        var target = plan.Model(name, Where);
        var provenance = target.Provenance ?? throw new ArchUsageException($"{Where}: {PointsCommand.NoConfig(name, target.Type).Message} The checks build fresh models from the config.");
        var task = ArchPlan.Task(line, provenance, required: true, Where)!;
        var config = ModelCommand.Shape(provenance, Where, task);
        var options = new SanityOptions
        {
            Seed = line.Get("seed", 0L), LearningRate = line.Get("lr", 1e-3), BatchSize = line.Get("batch", 32),
            OverfitMaxSteps = line.Get("overfit-steps", 300), BaselineSteps = line.Get("baseline-steps", 100),
            // A causal sequence model must also keep the future out: the dependency check tests that.
            Causal = IsCausal(provenance.Config),
        };
        return run =>
        {
            string title = $"Sanity checks of {name} ({provenance.Family}) on {task.Name}";
            string[] names = ["shape", "initial-loss", "gradient-flow", "batch-dependencies", "update-ratio", "overfit-one-batch", "input-independent-baseline"];
            var live = new LiveDisplay(run, new ProgressView(title, 0, names.Length, "running shape"));
            var checks = new List<SanityCheck>();
            void Finished(SanityCheck check)
            {
                checks.Add(check);
                var done = string.Join(", ", checks.Select(c => $"{c.Name} {(c.Passed ? "PASS" : "FAIL")}"));
                bool more = checks.Count < names.Length && checks[0].Passed;   // a wrong shape stops the suite
                live.Update(() => new ProgressView(title, checks.Count, names.Length, more ? $"{done}; running {names[checks.Count]}" : done), force: true);
            }
            // The report names the task as the line did, with its settings ("copy(symbols=4,length=3)").
            var report = SanitySuite.Run(config.Build, task.Task, options, run.Cancellation, Finished) with { Task = task.Name };
            live.Update(() => new ProgressView(title, report.Checks.Count, names.Length,
                $"{report.Checks.Count(c => c.Passed)}/{report.Checks.Count} passed" + (report.Interrupted ? $"; interrupted, {names.Length - report.Checks.Count} not run" : "")), force: true);
            run.Display(report);
            run.ThrowIfInterrupted();
            return Task.CompletedTask;
        };
    }

    // Any config (or nested config) with a true "Causal" field describes a causal sequence model.
    static bool IsCausal(object? config, int depth = 0)
    {
        if (config is null || depth > 3) return false;
        foreach (var p in config.GetType().GetProperties())
        {
            if (p.GetIndexParameters().Length > 0) continue;
            var value = p.GetValue(config);
            if (p.Name == "Causal" && value is true) return true;
            if (value is not null && p.PropertyType.Namespace?.StartsWith("ArchNotebooks.Library", StringComparison.Ordinal) == true
                && !p.PropertyType.IsEnum && !p.PropertyType.IsValueType && IsCausal(value, depth + 1)) return true;
        }
        return false;
    }
}
