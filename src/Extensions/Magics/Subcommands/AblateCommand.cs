using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Library.Studies;

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
            new OptionSpec("metric", "name", "headline metric: test_accuracy, test_loss, train_loss, generalization_accuracy, generalization_loss (a regression: test_rmse, generalization_rmse)", Default: "test_accuracy (test_rmse for a regression)"),
            new OptionSpec("name", "study", "study name, the ablation_group in the run log (default: <model>-ablation)"),
            new OptionSpec("result", "var", "also bind the AblationResult to this variable"),
            RunsOption, new OptionSpec("no-log", null, "do not record the runs in the run log"),
        ],
        [
            new("#!arch ablate m --remove ffn,residual --swap norm=rms --seeds 3", "baseline, no-ffn, no-residual and Norm=RMSNorm, 3 seeds each"),
            new("#!arch ablate m --all --seeds 5 --steps 300 --metric test_loss", "every ablation point of m's config"),
            new("#!arch ablate m --task sort --swap position=rotary --name rope-on-sort", "on another task, under a chosen study name"),
            new("#!arch ablate m --swap optimizer=lion,schedule=exponential --seeds 5", "is it the recipe? the baseline model under other recipes, same statistics"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var name = line.Argument("model")!;
        var target = plan.Model(name, Where);
        var provenance = target.Provenance ?? throw new ArchUsageException($"{Where}: {PointsCommand.NoConfig(name, target.Type).Message}");
        var task = ArchPlan.Task(line, provenance, required: true, Where)!;
        ConfigFidelity.Require(target, task, Where, "an ablation of fresh models from it");
        var baseline = provenance.Config;
        var variants = Variants(line, baseline, name);
        var metrics = Metrics(task.Task);
        var metricName = line.Get<string>("metric") ?? metrics[0].Name;
        var metric = metrics.FirstOrDefault(m => m.Name == metricName)
            ?? throw new ArchUsageException($"{Where}: bad value for --metric: '{metricName}' is not a metric of {task.Name}.{Suggestions.DidYouMean(metricName, metrics.Select(m => m.Name))} Metrics: {string.Join(", ", metrics.Select(m => m.Name))}.");
        bool generalization = metric.Name.StartsWith("generalization", StringComparison.Ordinal);
        if (generalization && !task.Task.HasGeneralizationSplit) throw new ArchUsageException($"{Where}: {task.Name} has no generalization split, so --metric {metric.Name} cannot be measured.");
        var settings = ParseStudy(line, defaultSeeds: 3, defaultName: $"{name}-ablation", generalization);
        foreach (var (variant, _, recipe) in variants)
        {
            if (recipe is null) continue;
            try { _ = new Trainer(recipe(settings.Training)); }
            catch (ArgumentException e) { throw new ArchUsageException($"{Where}: variant {variant}: {e.Message}"); }
        }
        return async run =>
        {
            // Every variant must build before the first one trains.
            foreach (var (variant, config, _) in variants.Prepend(("baseline", baseline, null)))
                ModelCommand.Build(ModelCommand.Shape(provenance with { Config = config }, $"{Where} (variant {variant})", task), $"{Where} (variant {variant})").Dispose();
            var study = Ablation.Of(settings.Name, baseline, task.Task, settings.Training);
            foreach (var (variant, config, recipe) in variants)
                if (recipe is null) study.Add(variant, config);
                else study.AddRecipe(variant, recipe);
            study.Seeds = Enumerable.Range(0, settings.Seeds).Select(s => (long)s).ToList();
            study.Metrics = metrics.Where(m => m != metric && (generalization || !m.Name.StartsWith("generalization", StringComparison.Ordinal))).Prepend(metric).ToList();
            study.Family = provenance.Family;
            await RunStudy(run, settings, $"Ablation {settings.Name}: {variants.Count + 1} variants x {settings.Seeds} seeds on {task.Name}",
                (variants.Count + 1) * settings.Seeds, metric.Name, (log, ct) => study.Run(log, ct), r => r.Interrupted, "interrupted: the table holds the finished seeds");
        };
    }

    List<(string Name, IModelConfig Config, Func<TrainConfig, TrainConfig>? Recipe)> Variants(ParsedLine line, IModelConfig baseline, string model)
    {
        var points = AblationPoints.For(baseline);
        var variants = new List<(string, IModelConfig, Func<TrainConfig, TrainConfig>?)>();
        foreach (var item in line.Get<List<string>>("remove") ?? [])
        {
            var point = Point(points, item, "--remove", model);
            object? off = point.Current switch
            {
                bool b => b ? false : throw new ArchUsageException($"{Where}: --remove {item}: {point.Field} is already off in {model}'s config."),
                Enum e when Enum.IsDefined(e.GetType(), "None") => Equals(e, Enum.Parse(e.GetType(), "None"))
                    ? throw new ArchUsageException($"{Where}: --remove {item}: {point.Field} is already None in {model}'s config.") : Enum.Parse(e.GetType(), "None"),
                _ => throw new ArchUsageException($"{Where}: --remove {item}: {point.Field} ({Values.Format(point.Current)}) is not something to remove; swap it instead: --swap {item}=<{string.Join("|", point.Alternatives.Select(Values.Format))}>."),
            };
            variants.Add(($"no-{point.Field.Split('.')[^1].ToLowerInvariant()}", AblationPoints.Ablate(baseline, point.Field, off), null));
        }
        foreach (var (key, text) in line.Get<List<KeyValuePair<string, string>>>("swap") ?? [])
        {
            // A recipe field (optimizer, schedule, lr, ...) keeps the baseline model and changes how it is trained.
            if (RecipeSwaps.TryParse(key, text, Where, out var change))
            {
                variants.Add(($"{key.ToLowerInvariant()}={text}", baseline, change));
                continue;
            }
            var point = Point(points, key, "--swap", model);
            var value = SwapValue(point, text, ConfigFields.Resolve(baseline, point.Field, Where).Type, $"{Where}: --swap {key}");
            if (Equals(value, point.Current)) throw new ArchUsageException($"{Where}: --swap {key}: {point.Field} is already {Values.Format(value)} in {model}'s config.");
            variants.Add(($"{point.Field.Split('.')[^1]}={Values.Format(value)}", AblationPoints.Ablate(baseline, point.Field, value), null));
        }
        if (line.Flag("all")) variants.AddRange(AblationPoints.Variants(baseline).Where(v => variants.All(x => x.Item1 != v.name)).Select(v => (v.name, v.config, (Func<TrainConfig, TrainConfig>?)null)));
        if (variants.Count == 0)
            throw new ArchUsageException($"{Where}: nothing to ablate; give --remove, --swap or --all. Points of {model}: {string.Join(", ", points.Select(p => p.Field))}.");
        var duplicate = variants.GroupBy(v => v.Item1).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArchUsageException($"{Where}: the variant {duplicate.Key} is asked for twice.");
        return variants;
    }

    AblationPoint Point(IReadOnlyList<AblationPoint> points, string item, string option, string model) =>
        points.FirstOrDefault(p => string.Equals(p.Field, item, StringComparison.OrdinalIgnoreCase))
        ?? (points.Where(p => string.Equals(p.Field.Split('.')[^1], item, StringComparison.OrdinalIgnoreCase)).ToList() is { Count: 1 } one ? one[0] : null)
        ?? throw new ArchUsageException($"{Where}: {option} {item}: {model}'s config has no ablation point '{item}'.{Suggestions.DidYouMean(item, points.Select(p => p.Field.Split('.')[^1].ToLowerInvariant()))}\nPoints: {string.Join(", ", points.Select(p => p.Field))} (#!arch points {model} describes them).");

    static object? SwapValue(AblationPoint point, string text, Type type, string where)
    {
        var byText = point.Alternatives.Append(point.Current).Where(a => string.Equals(Values.Format(a), text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byText.Count > 0) return byText[0];
        var partial = point.Alternatives.Where(a => Values.Format(a).Contains(text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (partial.Count == 1) return partial[0];
        try { return ConfigFields.Parse(text, type, where); }
        catch (ArchUsageException e) { throw new ArchUsageException($"{e.Message} Alternatives of {point.Field}: {string.Join(", ", point.Alternatives.Select(Values.Format))}."); }
    }
}
