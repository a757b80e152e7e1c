using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Checks;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// <c>#!arch check &lt;model&gt;</c>: the sanity suite (shape, loss at init, gradient flow, batch and
/// position dependencies, update ratio, overfit one batch, input-independent baseline) on exactly the
/// model the variable holds: on fresh models of its config once the config is shown to build that
/// model, else on the model itself. Shown live as each check finishes, ending in the pass/fail table
/// with the gradient-flow chart.
/// </summary>
public sealed class CheckCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("check", "sanity suite: shape, loss at init, gradient flow, update ratio, overfit one batch, baseline",
        [new ArgumentSpec("model", "variable holding a model: with a Config that builds it, checks run on fresh models of that config; otherwise on the model itself")],
        [
            TaskOption(), TaskConfigOption, SeedOption("seed for the fresh models and batches"),
            new OptionSpec("lr", "rate", "learning rate of the checks that train", Values.Positive(), "1e-3"),
            new OptionSpec("batch", "n", "batch size of the checks", Values.Int(1, 100_000), "32"),
            new OptionSpec("overfit-steps", "n", "at most this many steps to overfit one batch", Values.Int(1, 1_000_000), "300"),
            new OptionSpec("baseline-steps", "n", "training steps of the input-independent baseline", Values.Int(1, 1_000_000), "100"),
            new OptionSpec("own-weights", null, "check the model itself on its current weights (restored after each check) instead of fresh models of its config"),
        ],
        [
            new("#!arch check m", "every check on m's config and task"),
            new("#!arch check m --task sort --overfit-steps 100 --baseline-steps 50", "a quicker pass on another task"),
            new("#!arch check mine --task copy", "a hand-written module (no Config): checked on its own weights, which it gets back afterwards"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("model")!;
        var target = plan.Model(name, Where);
        var provenance = target.Provenance;
        var task = ArchPlan.Task(line, provenance, required: true, Where)!;
        var config = provenance is null ? null : ModelCommand.Shape(provenance, Where, task);
        // Fresh models stand in for the variable only when its config provably builds it; a module
        // whose forward fails is checked itself, so the failure is what the report shows.
        bool own = line.Flag("own-weights") || config is null;
        if (!own && ConfigFidelity.Compare(target, task) is { Same: false } comparison)
        {
            if (comparison.Verdict != ArchitectureVerdict.ModelForwardFailed) throw ConfigFidelity.Mismatch(name, comparison, Where, "checks of fresh models from it");
            own = true;
        }
        var options = new SanityOptions
        {
            Seed = line.Get("seed", 0L), LearningRate = line.Get("lr", 1e-3), BatchSize = line.Get("batch", 32),
            OverfitMaxSteps = line.Get("overfit-steps", 300), BaselineSteps = line.Get("baseline-steps", 100),
            // Declared by the module or its config; undeclared causality is reported, not assumed.
            Causal = CausalityDeclaration.Of(target.Current, config),
        };
        if (own && target.Current is null) own = false;   // an earlier line of this cell builds it from the config
        return run =>
        {
            string title = $"Sanity checks of {name} ({provenance?.Family ?? target.Type.Name}) on {task.Name}, " +
                           (own ? "on its own weights (restored after each check)" : "on fresh models of its config");
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
            var report = (own
                ? SanitySuite.Run(run.Model(name), task.Task, options, run.Cancellation, Finished)
                : SanitySuite.Run(config!.Build, task.Task, options, run.Cancellation, Finished)) with { Task = task.Name };
            live.Update(() => new ProgressView(title, report.Checks.Count, names.Length,
                $"{report.Checks.Count(c => c.Passed)}/{report.Checks.Count} passed" + (report.Interrupted ? $"; interrupted, {names.Length - report.Checks.Count} not run" : "")), force: true);
            run.Display(report);
            run.ThrowIfInterrupted();
            return Task.CompletedTask;
        };
    }
}
