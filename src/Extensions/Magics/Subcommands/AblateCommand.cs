using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Library.Studies.Plans;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// <c>#!arch ablate &lt;model&gt;</c>: the validation engine's grid over the model's config: the baseline
/// and each removed or swapped component, trained over several seeds; shows the ablation table
/// (mean ± std, CI, change vs baseline, p-value) and logs every run.
/// </summary>
public sealed class AblateCommand : StudyCommand
{
    /// <summary>What an ablation can tabulate on a task: its score (accuracy, or rmse for a regression) and loss, on test and generalization, and the training loss.</summary>
    static MetricSpec[] Metrics(ISyntheticTask task) =>
        [MetricSpec.Score(task), MetricSpec.TestLoss, MetricSpec.TrainLoss, MetricSpec.Score(task, Split.Generalization), MetricSpec.Loss(Split.Generalization)];

    public override CommandSpec Spec { get; } = new("ablate", "ablation grid over seeds: the baseline vs each removed or swapped component",
        [new ArgumentSpec("model", "variable holding a model built from a family config (its config is the baseline)")],
        [
            TaskOption(), TaskConfigOption,
            new OptionSpec("remove", "points", "components to remove, comma-separated (a point that is on/off, or whose values include None)", Values.Words("ablation points")),
            new OptionSpec("swap", "point=value,...", "components or recipe fields to swap, e.g. norm=rms,position=rotary or optimizer=lion,lr=3e-3 (one variant each)", Values.Pairs()),
            new OptionSpec("all", null, "one variant per ablation point and alternative (see #!arch points)"),
            new OptionSpec("seeds", "n", "seeds per variant (3 or more for statistics)", Values.Int(1, 1000), "3"),
            StepsOption(100), LearningRateOption, BatchOption,
            new OptionSpec("tune-lr", "low..high", "first give the baseline and every variant its best learning rate from this log-spaced range, on the validation split (as #!arch tune)", TuneCommand.RangeOption.Parse),
            TuneCommand.PointsOption("tune-points"),
            new OptionSpec("tune-seeds", "n", "seeds per rate when tuning (the first of the study's seeds)", Values.Int(1, 1000), "2"),
            new OptionSpec("metric", "name", "headline metric: test_accuracy, test_loss, train_loss, generalization_accuracy, generalization_loss (a regression: test_rmse, generalization_rmse)", Default: "test_accuracy (test_rmse for a regression)"),
            new OptionSpec("name", "study", "study name, the ablation_group in the run log (default: <model>-ablation)"),
            new OptionSpec("result", "var", "also bind the AblationResult to this variable"),
            RunsOption, new OptionSpec("no-log", null, "do not record the runs in the run log"),
            .. StudySubmission.Options,
        ],
        [
            new("#!arch ablate m --remove ffn,residual --swap norm=rms --seeds 3", "baseline, no-ffn, no-residual and Norm=RMSNorm, 3 seeds each"),
            new("#!arch ablate m --all --seeds 5 --steps 300 --metric test_loss", "every ablation point of m's config"),
            new("#!arch ablate m --task sort --swap position=rotary --name rope-on-sort", "on another task, under a chosen study name"),
            new("#!arch ablate m --swap optimizer=lion,schedule=exponential --seeds 5", "is it the recipe? the baseline model under other recipes, same statistics"),
            new("#!arch ablate m --swap optimizer=lion --tune-lr 1e-4..1e-2 --seeds 5", "AdamW vs Lion, each at its own best learning rate (tuned on validation) before comparing on test"),
            new("#!arch ablate m --all --seeds 5 --steps 5000 --name big --submit slurm --time 1:00:00 --cpus 4", "submit every variant and seed as one Slurm job array; #!arch study big shows progress, then the table"),
            new("#!arch ablate m --swap norm=rms --submit slurm --partition gpu --gpus 1 --sbatch \"--account=lab --qos=short\"", "on a GPU partition, with more sbatch arguments passed through"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("model")!;
        var target = plan.Model(name, Where);
        var provenance = target.Provenance ?? throw new ArchUsageException($"{Where}: {PointsCommand.NoConfig(name, target.Type).Message}");
        var task = ArchPlan.Task(line, provenance, required: true, Where)!;
        ConfigFidelity.Require(target, task, Where, "an ablation of fresh models from it");
        var baseline = provenance.Config;
        var variants = AblationVariants.Parse(line, baseline, name, Where, required: true);
        var metrics = Metrics(task.Task);
        var metricName = line.Get<string>("metric") ?? metrics[0].Name;
        var metric = metrics.FirstOrDefault(m => m.Name == metricName)
            ?? throw new ArchUsageException($"{Where}: bad value for --metric: '{metricName}' is not a metric of {task.Name}.{Suggestions.DidYouMean(metricName, metrics.Select(m => m.Name))} Metrics: {string.Join(", ", metrics.Select(m => m.Name))}.");
        bool generalization = metric.Name.StartsWith("generalization", StringComparison.Ordinal);
        if (generalization && !task.Task.HasGeneralizationSplit) throw new ArchUsageException($"{Where}: {task.Name} has no generalization split, so --metric {metric.Name} cannot be measured.");
        var settings = ParseStudy(line, defaultSeeds: 3, defaultName: $"{name}-ablation", generalization);
        CheckRecipes(variants, settings.Training, Where);
        var grid = line.Get<LearningRateGrid>("tune-lr") is { } range ? range with { Points = line.Get("tune-points", 5) } : null;
        if (grid is not null && line.Has("lr")) throw new ArchUsageException($"{Where}: give --lr or --tune-lr, not both: --tune-lr chooses each variant's rate.");
        if (grid is not null && variants.FirstOrDefault(v => v.Name.StartsWith("lr=", StringComparison.Ordinal)).Name is { } fixedRate)
            throw new ArchUsageException($"{Where}: --swap {fixedRate} with --tune-lr: tuning would replace that rate; leave one out.");
        int tuneSeeds = Math.Min(line.Get("tune-seeds", 2), settings.Seeds);
        if (line.Has("submit") && grid is not null)
            throw new ArchUsageException($"{Where}: --submit with --tune-lr: tuning is a first phase whose rates the ablation needs; tune here with #!arch tune, then submit with the rates as --swap lr=..., or leave out --submit.");
        var slurm = StudySubmission.Parse(line, Where, settings.Name);
        AblationStudy<IModelConfig> Study()
        {
            var study = BuildStudy(provenance, task, variants, settings, Where);
            study.Metrics = metrics.Where(m => m != metric && (generalization || !m.Name.StartsWith("generalization", StringComparison.Ordinal))).Prepend(metric).ToList();
            return study;
        }
        if (slurm is not null)
            return StudySubmission.Work(Where, settings.Name, settings.Runs!, slurm, Study);
        return async run =>
        {
            var study = Study();
            // With --tune-lr, the sweep runs first under its own progress display and table; the ablation then trains every variant at its rate.
            Func<IExperimentLog?, bool>? tune = grid is null ? null : disk =>
            {
                var seeds = study.Seeds.Take(tuneSeeds).ToList();
                var tuning = Phase(run, disk, settings, $"Tuning {settings.Name}: {variants.Count + 1} variants x {grid.Rates.Count} rates x {seeds.Count} seeds on {task.Name}",
                    (variants.Count + 1) * grid.Rates.Count * seeds.Count, LearningRateSweep.Metric.Name, (log, ct) => study.TuneLearningRates(grid, seeds, log, ct),
                    t => t.Interrupted, "interrupted: no rate was changed and the ablation did not run", $"{settings.Name}-tune");
                return !tuning.Interrupted;
            };
            await RunStudy(run, settings, $"Ablation {settings.Name}: {variants.Count + 1} variants x {settings.Seeds} seeds on {task.Name}",
                (variants.Count + 1) * settings.Seeds, metric.Name, (log, ct) => study.Run(log, ct), r => r.Interrupted, "interrupted: the table holds the finished seeds", tune);
        };
    }
}
