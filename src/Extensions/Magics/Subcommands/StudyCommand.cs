using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Library.Studies;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>
/// What <c>#!arch ablate</c> and <c>#!arch scale</c> share: every seed trains the same way (--steps, --lr,
/// --batch, one evaluation at the end), and the study runs under one live progress display, records into
/// the run log unless --no-log, then is shown and optionally bound with --result.
/// </summary>
public abstract class StudyCommand : ArchCommand
{
    /// <summary>Validation evaluations per seed that choose the weights a seed's test metrics are read on.</summary>
    public const int SelectionEvaluations = 5;

    /// <summary>The study's settings from its line; <see cref="Runs"/> is null with --no-log.</summary>
    protected sealed record StudyLine(TrainConfig Training, int Seeds, string Name, string? ResultName, string? Runs);

    /// <param name="learningRate">The rate every seed trains with when the line's --lr is not a single rate (tune's is a range).</param>
    protected StudyLine ParseStudy(ParsedLine line, int defaultSeeds, string defaultName, bool generalization, double? learningRate = null)
    {
        int steps = line.Get("steps", 100);
        var training = new TrainConfig
        {
            Steps = steps, LearningRate = learningRate ?? line.Get("lr", 1e-3), BatchSize = line.Get("batch", 32),
            EvalSplits = generalization ? [Split.Validation, Split.Test, Split.Generalization] : [Split.Validation, Split.Test],
            // Each seed keeps its weights from the evaluation with the lowest validation loss (five along the run);
            // the test split, read once after that, then measures the validation-selected model.
            EvalEvery = Math.Max(1, steps / SelectionEvaluations),
            EarlyStopping = new EarlyStopping { Metric = "validation_loss", Patience = int.MaxValue, RestoreBest = true },
        };
        try { _ = new Trainer(training); }
        catch (ArgumentException e) { throw new ArchUsageException($"{Where}: {e.Message}"); }
        return new StudyLine(training, line.Get("seeds", defaultSeeds), line.Get<string>("name") ?? defaultName,
            line.Get<string>("result") is { } r ? Identifier(r, "--result") : null, line.Flag("no-log") ? null : ArchPlan.RunsDirectory(line));
    }

    /// <param name="run">Runs the study against the log it is given; the log also drives the progress display.</param>
    /// <param name="interruptedStatus">The progress display's last word when the study was interrupted.</param>
    /// <param name="before">A first phase (a learning-rate tuning) given the run log on disk; false when it was interrupted, which ends the study there.</param>
    protected async Task RunStudy<TResult>(ArchInvocation invocation, StudyLine study, string title, int totalRuns, string metric,
        Func<IExperimentLog, CancellationToken, TResult> run, Func<TResult, bool> interrupted, string interruptedStatus,
        Func<IExperimentLog?, bool>? before = null, string? group = null) where TResult : notnull
    {
        using var log = study.Runs is null ? null : RunLogs.OpenToRecord(invocation, study.Runs, Where);
        var disk = StudyProgress.OnDisk(log, Where);
        if (before is not null && !before(disk))
        {
            invocation.ThrowIfInterrupted();
            return;
        }
        var result = Phase(invocation, disk, study, title, totalRuns, metric, run, interrupted, interruptedStatus, group,
            done: "done; test metrics of each seed's validation-selected weights (lowest validation_loss)");
        if (study.ResultName is not null) await invocation.BindAsync(study.ResultName, result);
        invocation.ThrowIfInterrupted();
    }

    /// <summary>One study (logged as <paramref name="group"/>, by default the study's name) under one live progress display, recorded into <paramref name="disk"/>, then displayed.</summary>
    protected TResult Phase<TResult>(ArchInvocation invocation, IExperimentLog? disk, StudyLine study, string title, int totalRuns, string metric,
        Func<IExperimentLog, CancellationToken, TResult> run, Func<TResult, bool> interrupted, string interruptedStatus, string? group = null, string done = "done") where TResult : notnull
    {
        var progress = new StudyProgress(invocation, title, totalRuns, study.Training.Steps, metric, disk);
        var result = run(progress, invocation.Cancellation);
        progress.Complete(interrupted(result) ? interruptedStatus : done + (study.Runs is null ? "" : $"; runs logged in {study.Runs} (ablation_group '{group ?? study.Name}')"));
        invocation.Display(result);
        return result;
    }

    /// <summary>Every recipe variant must make a valid training config before anything trains.</summary>
    protected static void CheckRecipes(IEnumerable<(string Name, IModelConfig Config, Func<TrainConfig, TrainConfig>? Recipe)> variants, TrainConfig training, string where)
    {
        foreach (var (variant, _, recipe) in variants)
        {
            if (recipe is null) continue;
            try { _ = new Trainer(recipe(training)); }
            catch (ArgumentException e) { throw new ArchUsageException($"{where}: variant {variant}: {e.Message}"); }
        }
    }

    /// <summary>The study over the baseline and the variants, each checked to build before the first one trains.</summary>
    protected static AblationStudy<IModelConfig> BuildStudy(ModelProvenance provenance, TaskChoice task,
        IReadOnlyList<(string Name, IModelConfig Config, Func<TrainConfig, TrainConfig>? Recipe)> variants, StudyLine settings, string where)
    {
        foreach (var (variant, config, _) in variants.Prepend(("baseline", provenance.Config, null)))
            ModelCommand.Build(ModelCommand.Shape(provenance with { Config = config }, $"{where} (variant {variant})", task), $"{where} (variant {variant})").Dispose();
        var study = Ablation.Of(settings.Name, provenance.Config, task.Task, settings.Training);
        foreach (var (variant, config, recipe) in variants)
            if (recipe is null) study.Add(variant, config);
            else study.AddRecipe(variant, recipe);
        study.Seeds = Enumerable.Range(0, settings.Seeds).Select(s => (long)s).ToList();
        study.Family = provenance.Family;
        return study;
    }
}
