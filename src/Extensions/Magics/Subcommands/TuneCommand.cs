using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Library.Training;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// <c>#!arch tune &lt;model&gt; --lr 1e-4..1e-2</c>: a small log-spaced learning-rate sweep of the model's config
/// (and of any variants named as for ablate), a few seeds of short runs each, scored on the validation
/// split only; shows the best rate of every variant and logs every run.
/// </summary>
public sealed class TuneCommand : StudyCommand
{
    public override CommandSpec Spec { get; } = new("tune", "learning-rate sweep on the validation split: the best rate of the model and of each variant",
        [new ArgumentSpec("model", "variable holding a model built from a family config")],
        [
            TaskOption(), TaskConfigOption, RangeOption,
            PointsOption("points"),
            new OptionSpec("remove", "points", "also tune variants without these components (as for ablate)", Values.Words("ablation points")),
            new OptionSpec("swap", "point=value,...", "also tune variants with these components or recipe fields swapped, e.g. optimizer=lion", Values.Pairs()),
            new OptionSpec("all", null, "also tune one variant per ablation point and alternative"),
            new OptionSpec("seeds", "n", "seeds per learning rate", Values.Int(1, 1000), "2"),
            StepsOption(100), BatchOption,
            new OptionSpec("name", "study", "study name; the runs are logged as ablation_group <name>-tune (default: <model>)"),
            new OptionSpec("result", "var", "also bind the LearningRateTuning (its Best maps each variant to its rate) to this variable"),
            RunsOption, new OptionSpec("no-log", null, "do not record the runs in the run log"),
        ],
        [
            new("#!arch tune m --lr 1e-4..1e-2", "5 rates from 1e-4 to 1e-2, 2 seeds of 100 steps each, by validation loss"),
            new("#!arch tune m --lr 1e-4..3e-2 --points 7 --swap optimizer=lion --result lrs", "the best rate under AdamW and under Lion; lrs.Best[\"optimizer=lion\"]"),
        ])
    { Notes = "The test split is never read: each run evaluates validation only, once, at the end. To compare variants at their own best rates in one step, use #!arch ablate --tune-lr." };

    /// <summary>The range option, shared with ablate's --tune-lr.</summary>
    internal static readonly OptionSpec RangeOption =
        new("lr", "low..high", "learning rates to try, log-spaced between low and high (both included), e.g. 1e-4..1e-2", text => LearningRateGrid.Parse(text));

    internal static OptionSpec PointsOption(string name) => new(name, "n", "how many learning rates the sweep tries", Values.Int(1, 50), "5");

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("model")!;
        var target = plan.Model(name, Where);
        var provenance = target.Provenance ?? throw new ArchUsageException($"{Where}: {PointsCommand.NoConfig(name, target.Type).Message}");
        var task = ArchPlan.Task(line, provenance, required: true, Where)!;
        ConfigFidelity.Require(target, task, Where, "a sweep of fresh models from it");
        var grid = line.Get<LearningRateGrid>("lr") ?? throw new ArchUsageException($"{Where}: --lr is required: the range of rates to try, e.g. --lr 1e-4..1e-2.");
        grid = grid with { Points = line.Get("points", 5) };
        var variants = AblationVariants.Parse(line, provenance.Config, name, Where, required: false);
        var fixedRate = variants.FirstOrDefault(v => v.Name.StartsWith("lr=", StringComparison.Ordinal)).Name;
        if (fixedRate is not null) throw new ArchUsageException($"{Where}: --swap {fixedRate} fixes the rate that tune is choosing; leave it out.");
        var settings = ParseStudy(line, defaultSeeds: 2, defaultName: name, generalization: false, learningRate: grid.Low);
        CheckRecipes(variants, settings.Training, Where);
        return async run =>
        {
            var study = BuildStudy(provenance, task, variants, settings, Where);
            var seeds = study.Seeds;
            int runs = (variants.Count + 1) * grid.Rates.Count * seeds.Count;
            await RunStudy(run, settings, $"Tuning {settings.Name}: {variants.Count + 1} variants x {grid.Rates.Count} rates x {seeds.Count} seeds on {task.Name}",
                runs, LearningRateSweep.Metric.Name, (log, ct) => study.TuneLearningRates(grid, seeds, log, ct), t => t.Interrupted,
                "interrupted: some rates were not tried", group: $"{settings.Name}-tune");
        };
    }
}
