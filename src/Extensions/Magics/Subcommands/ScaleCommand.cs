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

/// <summary><c>#!arch scale &lt;family&gt; --sizes ...</c>: one config per size over seeds, the metric against parameter count, and the fitted power law.</summary>
public sealed class ScaleCommand : StudyCommand
{
    static readonly string[] LossMetrics = ["test_loss", "train_loss", "generalization_loss"];

    public override CommandSpec Spec { get; } = new("scale", "scaling runs over model sizes and the fitted power law L = a·N^-b (+ c)",
        [new ArgumentSpec("family", $"model family ({string.Join(", ", FamilyCatalog.All.Select(f => f.Name))}) or a variable holding a model whose config builds it")],
        [
            new OptionSpec("sizes", "n,n,...", "values of the size field, at least two (required)", Values.List(Values.Long(), 2, "sizes")),
            new OptionSpec("field", "name", "config field the sizes set (default: the family's width, e.g. Dim)"),
            ConfigOption, TaskOption("required"), TaskConfigOption,
            new OptionSpec("seeds", "n", "seeds per size", Values.Int(1, 1000), "2"),
            StepsOption(100), LearningRateOption, BatchOption,
            new OptionSpec("metric", "name", $"loss to fit: {string.Join(", ", LossMetrics)}", Default: "test_loss"),
            new OptionSpec("name", "study", "study name, the ablation_group in the run log (default: <family>-scaling)"),
            new OptionSpec("result", "var", "also bind the ScalingResult to this variable"),
            RunsOption, new OptionSpec("no-log", null, "do not record the runs in the run log"),
            .. StudySubmission.Options,
        ],
        [
            new("#!arch scale transformer --task copy --sizes 16,32,64 --config layers=1,heads=2", "widths 16, 32, 64 of a one-layer transformer, 2 seeds each"),
            new("#!arch scale deepsets --task setsum --sizes 8,16,32,64 --seeds 3 --steps 300", "four sizes: the fit gains an irreducible-loss term"),
            new("#!arch scale transformer --task sort --field layers --sizes 1,2,4", "scale depth instead of width"),
            new("#!arch scale m --sizes 16,32,64", "scale the width of the model in m (its config, verified to build m, on m's task)"),
            new("#!arch scale transformer --task copy --sizes 64,128,256,512 --seeds 3 --steps 20000 --submit slurm --time 4:00:00 --gpus 1", "one Slurm array task per size and seed; #!arch study transformer-scaling shows the fit"),
        ]);

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var (family, own, target) = FamilyOrModel(line.Argument("family")!, plan);
        var sizes = line.Get<List<object>>("sizes")?.Cast<long>().ToList()
            ?? throw new ArchUsageException($"{Where}: --sizes is required: the values to try, e.g. --sizes 16,32,64.");
        if (sizes.Any(s => s <= 0)) throw new ArchUsageException($"{Where}: bad value for --sizes: sizes must be positive.");
        if (sizes.Distinct().Count() != sizes.Count) throw new ArchUsageException($"{Where}: bad value for --sizes: a size is listed twice.");
        var start = own?.Config ?? family!.Default();
        var baseline = line.Get<List<KeyValuePair<string, string>>>("config") is { } pairs ? ConfigFields.Apply(start, pairs, $"{Where} --config") : start;
        var widthField = line.Get<string>("field") ?? family?.WidthField
            ?? throw new ArchUsageException($"{Where}: {own?.Family ?? family!.Name} has no known width field{(family?.IsRegistered == true ? $" (Families.Register(\"{family.Name}\", config, widthField: \"Dim\") names one)" : "")}; name the field to scale with --field.");
        var (field, type) = ConfigFields.Resolve(baseline, widthField, $"{Where} --field");
        if (type != typeof(int) && type != typeof(long)) throw new ArchUsageException($"{Where}: --field {field} is not a size (it is {type.Name}); choose a whole-number field{(family is null ? "" : " such as " + family.WidthField)}.");
        var task = ArchPlan.Task(line, own, required: true, Where)!;
        // Scaling a variable's model: its config must build that model, or the sizes would scale something else.
        if (target is not null) ConfigFidelity.Require(target, task, Where, "scaling fresh models of it");
        string familyName = own?.Family ?? family!.Name;
        var metric = line.Get<string>("metric") ?? "test_loss";
        if (!LossMetrics.Contains(metric)) throw new ArchUsageException($"{Where}: bad value for --metric: '{metric}' is not a loss.{Suggestions.DidYouMean(metric, LossMetrics)} Losses: {string.Join(", ", LossMetrics)}.");
        bool generalization = metric.StartsWith("generalization", StringComparison.Ordinal);
        if (generalization && !task.Task.HasGeneralizationSplit) throw new ArchUsageException($"{Where}: {task.Name} has no generalization split.");
        var configs = sizes.Select(s => ($"{field.Split('.')[^1].ToLowerInvariant()}={s}", AblationPoints.Ablate(baseline, field, type == typeof(int) ? (object)(int)s : s))).ToList();
        var settings = ParseStudy(line, defaultSeeds: 2, defaultName: $"{(target?.Name ?? familyName)}-scaling", generalization);
        var slurm = StudySubmission.Parse(line, Where, settings.Name);
        ScalingStudy<IModelConfig> Study()
        {
            foreach (var (size, config) in configs)
                ModelCommand.Build(ModelCommand.Shape(new ModelProvenance(familyName, config, task), $"{Where} (size {size})"), $"{Where} (size {size})").Dispose();
            return new ScalingStudy<IModelConfig>(settings.Name, configs, c => c.For(task.Task).Build(), task.Task, settings.Training)
            {
                Seeds = Enumerable.Range(0, settings.Seeds).Select(s => (long)s).ToList(), Metric = metric, Family = familyName, BuildsFromConfig = true,
            };
        }
        if (slurm is not null)
            return StudySubmission.Work(Where, settings.Name, settings.Runs!, slurm, Study);
        return async run =>
        {
            var study = Study();
            await RunStudy(run, settings, $"Scaling {settings.Name}: {configs.Count} sizes x {settings.Seeds} seeds on {task.Name}",
                configs.Count * settings.Seeds, metric, (log, ct) => study.Run(log, ct), r => r.Interrupted, "interrupted: the fit uses the finished sizes");
        };
    }

    /// <summary>A family name, or a variable whose model (with a config) is the baseline; a variable wins over a family of the same name.</summary>
    (FamilyEntry? Family, ModelProvenance? Own, ModelTarget? Target) FamilyOrModel(string name, ArchPlan plan)
    {
        var family = FamilyCatalog.TryFind(name, Where);
        ModelTarget? target = null;
        try { target = plan.Model(name, Where); }
        catch (ArchUsageException) when (family is not null) { }
        catch (ArchUsageException) { FamilyCatalog.Find(name, Where); throw; }
        if (target is null) return (family, null, null);
        var provenance = target.Provenance ?? throw new ArchUsageException($"{Where}: {PointsCommand.NoConfig(name, target.Type).Message} Scaling builds fresh models of each size from the config.");
        return (FamilyCatalog.All.FirstOrDefault(f => f.Name == provenance.Family), provenance, target);
    }
}
