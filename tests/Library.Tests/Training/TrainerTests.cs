using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Training;

public class TrainerTests
{
    static readonly SetMaxTask MaxTask = new(digits: 6, size: 3);
    static readonly TrainConfig Quick = new() { Steps = 200, BatchSize = 64, LearningRate = 3e-3, EvalEvery = 50, EvalBatchSize = 128, Seed = 1 };

    static TaskMlp NewModel(ISyntheticTask task, long seed = 0, int width = 64)
    {
        manual_seed(seed);
        return new TaskMlp(task, width);
    }

    [Fact]
    public void An_mlp_learns_set_max_to_high_held_out_accuracy()
    {
        using var model = NewModel(MaxTask);
        var result = new Trainer(Quick).Fit(model, MaxTask);
        Assert.Equal(StopReason.Completed, result.Reason);
        Assert.Equal(200, result.StepsCompleted);
        Assert.Equal(200, result.LossHistory.Count);
        Assert.Equal(new long[] { 50, 100, 150, 200 }, result.EvalHistory.Select(e => e.Step));
        Assert.InRange(result.LossHistory[0].Loss, 0.7 * Math.Log(6), 1.3 * Math.Log(6));
        Assert.True(result.Metric("test_accuracy") > 0.95, result.ToString());
        Assert.True(result.Metric("train_loss") < 0.3 * result.LossHistory[0].Loss, result.ToString());
        Assert.True(result.StepsPerSecond > 0 && result.WallTime > TimeSpan.Zero);
        Assert.True(model.training, "the model's mode is restored");
    }

    [Fact]
    public void Same_seeds_give_the_same_loss_curve()
    {
        var config = Quick with { Steps = 30, EvalEvery = 0 };
        double[] Curve()
        {
            using var model = NewModel(MaxTask, seed: 4);
            return new Trainer(config).Fit(model, MaxTask).LossHistory.Select(p => p.Loss).ToArray();
        }
        Assert.Equal(Curve(), Curve());
    }

    [Fact]
    public void Cancelling_stops_between_steps_and_leaves_a_usable_model()
    {
        using var model = NewModel(MaxTask);
        using var cts = new CancellationTokenSource();
        var seen = new List<TrainingEvent>();
        var trainer = new Trainer(Quick with { Steps = 1000 }).Subscribe(e =>
        {
            seen.Add(e);
            if (e is StepEvent { Step: 7 }) cts.Cancel();
        });
        var result = trainer.Fit(model, MaxTask, cts.Token);
        Assert.True(result.Interrupted);
        Assert.Equal(7, result.StepsCompleted);
        Assert.Equal(7, result.LossHistory.Count);
        Assert.Equal(7, result.EvalHistory.Single().Step);   // the weights it stopped with are evaluated
        Assert.IsType<TrainingEnded>(seen[^1]);
        // The model still computes, and training can pick up again from where it stopped.
        using (NewDisposeScope())
        {
            var batch = MaxTask.Sample(8, 0);
            Assert.True(model.call(batch.Input).isfinite().all().ToBoolean());
        }
        var resumed = new Trainer(Quick with { Steps = 20, EvalEvery = 0 }).Fit(model, MaxTask);
        Assert.Equal(StopReason.Completed, resumed.Reason);
        // A token cancelled before training starts: no step, no exception.
        var none = new Trainer(Quick).Fit(model, MaxTask, new CancellationToken(true));
        Assert.Equal(0, none.StepsCompleted);
        Assert.True(none.Interrupted);
    }

    [Fact]
    public void Early_stopping_stops_at_a_target_or_after_patience_runs_out()
    {
        using var model = NewModel(MaxTask);
        var target = new Trainer(Quick with
        {
            Steps = 2000, EvalEvery = 20,
            EarlyStopping = new EarlyStopping { Metric = "validation_accuracy", HigherIsBetter = true, Target = 0.9 },
        }).Fit(model, MaxTask);
        Assert.Equal(StopReason.TargetReached, target.Reason);
        Assert.True(target.StepsCompleted < 2000 && target.Metric("validation_accuracy") >= 0.9);
        Assert.True(target.Metric("test_accuracy") >= 0.8, target.Metric("test_accuracy").ToString());   // read once, at the end

        // A learning rate too small to move the loss: no evaluation improves by MinDelta, so it stops after Patience evaluations.
        using var stuck = NewModel(MaxTask, seed: 2);
        var patience = new Trainer(Quick with
        {
            Steps = 2000, EvalEvery = 10, LearningRate = 1e-9,
            EarlyStopping = new EarlyStopping { Patience = 3, MinDelta = 1e-3, RestoreBest = true },
        }).Fit(stuck, MaxTask);
        Assert.Equal(StopReason.EarlyStopped, patience.Reason);
        Assert.Equal(40, patience.StepsCompleted);
        Assert.Equal(10, patience.BestStep);
    }

    [Fact]
    public void Warmup_then_cosine_sets_the_learning_rate_and_clipping_reports_the_norm()
    {
        var steps = new List<StepEvent>();
        using var model = NewModel(MaxTask);
        new Trainer(Quick with { Steps = 40, WarmupSteps = 10, MinLearningRate = 1e-4, EvalEvery = 0, ClipGradNorm = 0.5 })
            .Subscribe(e => { if (e is StepEvent s) steps.Add(s); }).Fit(model, MaxTask);
        Assert.True(steps[0].LearningRate < steps[5].LearningRate && steps[5].LearningRate < steps[10].LearningRate);
        Assert.Equal(3e-3, steps[10].LearningRate, 1e-12);
        Assert.True(steps[20].LearningRate > steps[30].LearningRate && steps[39].LearningRate >= 1e-4);
        Assert.All(steps, s => Assert.True(s.GradNorm > 0));
    }

    [Fact]
    public void Each_step_frees_its_tensors_so_memory_stays_flat()
    {
        var wide = new SetMaxTask(digits: 10, size: 8);
        using var model = NewModel(wide, width: 2048);
        var config = Quick with { Steps = 20, BatchSize = 256, EvalEvery = 0, EvalBatches = 1, LogEvery = 5 };
        using (var scope = NewDisposeScope())
        {
            new Trainer(config).Fit(model, wide);       // warm-up: allocator pools, optimizer state
            long before = ResidentBytes();
            new Trainer(config with { Steps = 120 }).Fit(model, wide);
            double growth = (ResidentBytes() - before) / (1024.0 * 1024);
            // Leaking each step's activations (256 x 2048 floats, 2 MiB each) would add hundreds of MiB.
            Assert.True(growth < 60, $"resident memory grew by {growth:F1} MiB over 120 steps");
            Assert.Equal(0, scope.Count);               // nothing escaped into the caller's scope either
        }
    }

    static long ResidentBytes() => long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1]) * Environment.SystemPageSize;
}
