using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Library.Studies;
using ArchNotebooks.Runs;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Training;

/// <summary>Training as one recorded run: what reaches the recorder, and how each way of stopping ends the run.</summary>
public class RecordedTrainingTests
{
    static readonly SetMaxTask MaxTask = new(digits: 6, size: 3);
    static readonly TrainConfig Short = new() { Steps = 20, BatchSize = 32, LearningRate = 3e-3, EvalEvery = 10, EvalBatchSize = 64, Seed = 2 };

    static TaskMlp NewModel()
    {
        manual_seed(0);
        return new TaskMlp(MaxTask, width: 16);
    }

    static RecordedRun NewRecorder() => new(new ExperimentRunInfo { Group = "recorded", Variant = "mlp", Seed = 2, Task = MaxTask.Name });

    [Fact]
    public void A_finished_run_records_every_step_every_evaluation_and_the_final_metrics()
    {
        using var model = NewModel();
        var recorder = NewRecorder();
        var watched = new List<TrainingEvent>();
        var result = RecordedTraining.Fit(model, MaxTask, Short, recorder, watch: watched.Add);
        Assert.Equal(StopReason.Completed, result.Reason);
        Assert.Equal(RunStatus.Finished, recorder.Status);
        Assert.Equal(result.LossHistory.Select(p => (p.Step, p.Loss)), recorder.History("train_loss"));
        Assert.Equal(20, recorder.History("lr").Count());
        Assert.Equal(new long[] { 10, 20 }, recorder.History("validation_accuracy").Select(p => p.Step));
        Assert.Equal(new long[] { 20 }, recorder.History("test_accuracy").Select(p => p.Step));   // read once, at the end
        Assert.Equal(result.FinalMetrics, recorder.FinalMetrics);
        // The watcher saw the same training: every step, both evaluations and the end.
        Assert.Equal(20, watched.OfType<StepEvent>().Count());
        Assert.Equal(2, watched.OfType<EvalEvent>().Count());
        Assert.Single(watched.OfType<TrainingEnded>());
    }

    [Fact]
    public void The_caller_chooses_the_final_metrics_and_training_without_a_recorder_just_trains()
    {
        using var model = NewModel();
        var recorder = NewRecorder();
        var result = RecordedTraining.Fit(model, MaxTask, Short with { Steps = 5, EvalEvery = 0 }, recorder,
            finalMetrics: r => new Dictionary<string, double>(r.FinalMetrics) { ["steps"] = r.StepsCompleted });
        Assert.Equal(5.0, recorder.FinalMetrics["steps"]);
        Assert.Equal(result.FinalMetrics["train_loss"], recorder.FinalMetrics["train_loss"]);
        Assert.Equal(5, RecordedTraining.Fit(model, MaxTask, Short with { Steps = 5, EvalEvery = 0 }, recorder: null).StepsCompleted);
    }

    [Fact]
    public void Cancelling_marks_the_run_interrupted_and_keeps_what_was_logged()
    {
        using var model = NewModel();
        using var cts = new CancellationTokenSource();
        var recorder = NewRecorder();
        var result = RecordedTraining.Fit(model, MaxTask, Short with { Steps = 1000 }, recorder, cts.Token,
            watch: e => { if (e is StepEvent { Step: 4 }) cts.Cancel(); });
        Assert.True(result.Interrupted);
        Assert.Equal(RunStatus.Interrupted, recorder.Status);
        Assert.Equal(4, recorder.History("train_loss").Count());
        Assert.Empty(recorder.FinalMetrics);
    }

    [Fact]
    public void A_diverged_loss_fails_a_single_run_but_finishes_a_study_seed()
    {
        TrainingResult Diverge(RecordedRun recorder, bool divergenceFails)
        {
            using var model = NewModel();
            using (no_grad()) model.output.weight.fill_(double.NaN);   // NaN logits: the first loss is not finite
            return RecordedTraining.Fit(model, MaxTask, Short, recorder, divergenceFails: divergenceFails);
        }
        var single = NewRecorder();
        var result = Diverge(single, divergenceFails: true);
        Assert.Equal(StopReason.Diverged, result.Reason);
        Assert.Equal(RunStatus.Failed, single.Status);
        Assert.Equal($"diverged at step {result.StepsCompleted}: loss became NaN at step 1", single.Error);
        var seed = NewRecorder();
        Diverge(seed, divergenceFails: false);
        Assert.Equal(RunStatus.Finished, seed.Status);
        Assert.True(double.IsNaN(seed.FinalMetrics["train_loss"]));
    }

    [Fact]
    public void An_exception_fails_the_run_with_its_message_and_still_reaches_the_caller()
    {
        manual_seed(0);
        using var model = new TaskMlp(new SetMaxTask(digits: 6, size: 5), width: 16);   // reads sets of 5; MaxTask gives sets of 3
        var recorder = NewRecorder();
        var error = Assert.ThrowsAny<Exception>(() => RecordedTraining.Fit(model, MaxTask, Short, recorder));
        Assert.Equal(RunStatus.Failed, recorder.Status);
        Assert.Equal($"{error.GetType().FullName}: {error.Message}", recorder.Error);
    }
}
