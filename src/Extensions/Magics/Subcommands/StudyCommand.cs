using ArchNotebooks.Extensions.Magics.Session;
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
    /// <summary>The study's settings from its line; <see cref="Runs"/> is null with --no-log.</summary>
    protected sealed record StudyLine(TrainConfig Training, int Seeds, string Name, string? ResultName, string? Runs);

    protected StudyLine ParseStudy(ParsedLine line, int defaultSeeds, string defaultName, bool generalization)
    {
        var training = new TrainConfig
        {
            Steps = line.Get("steps", 100), LearningRate = line.Get("lr", 1e-3), BatchSize = line.Get("batch", 32), EvalEvery = 0,
            EvalSplits = generalization ? [Split.Validation, Split.Test, Split.Generalization] : [Split.Validation, Split.Test],
        };
        try { _ = new Trainer(training); }
        catch (ArgumentException e) { throw new ArchUsageException($"{Where}: {e.Message}"); }
        return new StudyLine(training, line.Get("seeds", defaultSeeds), line.Get<string>("name") ?? defaultName,
            line.Get<string>("result") is { } r ? Identifier(r, "--result") : null, line.Flag("no-log") ? null : ArchPlan.RunsDirectory(line));
    }

    /// <param name="run">Runs the study against the log it is given; the log also drives the progress display.</param>
    /// <param name="interruptedStatus">The progress display's last word when the study was interrupted.</param>
    protected async Task RunStudy<TResult>(ArchInvocation invocation, StudyLine study, string title, int totalRuns, string metric,
        Func<IExperimentLog, CancellationToken, TResult> run, Func<TResult, bool> interrupted, string interruptedStatus) where TResult : notnull
    {
        using var log = study.Runs is null ? null : RunLogs.OpenToRecord(invocation, study.Runs, Where);
        var progress = new StudyProgress(invocation, title, totalRuns, study.Training.Steps, metric, StudyProgress.OnDisk(log, Where));
        var result = run(progress, invocation.Cancellation);
        progress.Complete(interrupted(result) ? interruptedStatus : "done" + (study.Runs is null ? "" : $"; runs logged in {study.Runs} (ablation_group '{study.Name}')"));
        invocation.Display(result);
        if (study.ResultName is not null) await invocation.BindAsync(study.ResultName, result);
        invocation.ThrowIfInterrupted();
    }
}
