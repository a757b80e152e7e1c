using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Training;

/// <summary>
/// Training as one recorded run: every logged step's train_loss, lr and grad_norm and every evaluation go to
/// the recorder, and the run ends the way training did (finished, interrupted, failed on an exception, or
/// diverged). <c>#!arch train</c> and the studies' seed runs both train through here, so a run logged
/// from a notebook cell and one logged by an ablation hold the same metrics.
/// </summary>
public static class RecordedTraining
{
    /// <summary>
    /// Trains <paramref name="model"/> with a new <see cref="Trainer"/> and ends <paramref name="recorder"/> (if any) to match.
    /// </summary>
    /// <param name="watch">Sees every training event after the recorder has (a live display, say).</param>
    /// <param name="finalMetrics">What a finished run records as its final metrics; by default the result's.</param>
    /// <param name="divergenceFails">
    /// Whether a diverged loss ends the run as failed. A study passes false: a seed that diverges is a result of
    /// its variant, finished with its metrics, so the statistics and the run log both count it.
    /// </param>
    /// <param name="checkpoints">Where and when to save checkpoints; each is linked to a run-log run as a "checkpoint" artifact.</param>
    /// <param name="resume">A checkpoint (file or directory) to continue from instead of starting afresh.</param>
    /// <exception cref="Exception">Whatever training threw, after the run was recorded as failed with it.</exception>
    public static TrainingResult Fit(Module<Tensor, Tensor> model, ISyntheticTask task, TrainConfig config, IRunRecorder? recorder,
        CancellationToken cancellation = default, Action<TrainingEvent>? watch = null,
        Func<TrainingResult, IReadOnlyDictionary<string, double>>? finalMetrics = null, bool divergenceFails = true,
        CheckpointPolicy? checkpoints = null, string? resume = null)
    {
        var trainer = new Trainer(config) { Checkpoints = checkpoints };
        if (recorder is not null) trainer.Subscribe(new RecorderProgress(recorder));
        if (recorder is RunRecorder { Run: var run }) trainer.Subscribe(e => { if (e is CheckpointSaved c) run.AddArtifact("checkpoint", c.Path, c.Step); });
        if (watch is not null) trainer.Subscribe(watch);
        TrainingResult result;
        try { result = resume is null ? trainer.Fit(model, task, cancellation) : trainer.Resume(model, task, resume, cancellation); }
        catch (Exception e)
        {
            recorder?.Fail(e);
            throw;
        }
        if (recorder is null) return result;
        if (result.Interrupted) recorder.MarkInterrupted();
        else if (divergenceFails && result.Reason == StopReason.Diverged) recorder.Fail($"diverged at step {result.StepsCompleted}: {result.StopDetail}");
        else recorder.Finish(finalMetrics?.Invoke(result) ?? result.FinalMetrics);
        return result;
    }
}
