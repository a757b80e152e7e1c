using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace Library.Tests.Training;

/// <summary>The recipe's loss: named built-ins, a user's own delegate, and the Trainer minimising it.</summary>
public class TrainingLossTests
{
    [Fact]
    public void The_built_ins_compute_what_their_names_say()
    {
        var task = new CopyTask(symbols: 4, length: 3);
        int classes = (int)task.NumClasses;   // the symbols plus the task's separator and blank
        manual_seed(1);
        using var logits = randn(5, 3, classes);
        using var target = tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, SyntheticTask.Ignore, 2 }, [5, 3]);
        Assert.Equal(task.ComputeLoss(logits, target).ToDouble(), TrainingLoss.CrossEntropy.Compute(logits, target, task).ToDouble(), 6);
        Assert.Equal(task.ComputeLoss(logits, target, 0.1).ToDouble(), TrainingLoss.Named("label_smoothing=0.1").Compute(logits, target, task).ToDouble(), 6);
        // MSE between logits and one-hot targets, over the 14 scored positions only.
        var l = logits.data<float>();
        var t = target.data<long>();
        double sum = 0;
        int scored = 0;
        for (int p = 0; p < 15; p++)
        {
            if (t[p] == SyntheticTask.Ignore) continue;
            scored++;
            for (int c = 0; c < classes; c++) sum += Math.Pow(l[p * classes + c] - (t[p] == c ? 1 : 0), 2) / classes;
        }
        Assert.Equal(sum / scored, TrainingLoss.Named("MSE").Compute(logits, target, task).ToDouble(), 5);
        // Soft targets (what mixup makes) go through the same losses.
        using var soft = F.softmax(randn(5, 3, classes), -1);
        Assert.Equal(logits.sub(soft).square().mean().ToDouble(), TrainingLoss.Mse.Compute(logits, soft, task).ToDouble(), 6);
        Assert.Contains("label_smoothing=EPS", Assert.Throws<ArgumentException>(() => TrainingLoss.Named("hinge")).Message);
    }

    [Fact]
    public void The_trainer_minimises_a_custom_loss_and_logs_its_name()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        int calls = 0;
        // Twice the cross entropy: the logged loss doubles, the gradients double, and training still converges.
        var doubled = TrainingLoss.Custom("double_ce", (logits, target) => { calls++; return F.cross_entropy(logits, target).mul(2.0); });
        var config = new TrainConfig { Steps = 60, BatchSize = 32, LearningRate = 3e-3, EvalEvery = 0, EvalBatchSize = 128, Loss = doubled };
        manual_seed(0);
        using var a = new TaskMlp(task);
        var custom = new Trainer(config).Fit(a, task);
        manual_seed(0);
        using var b = new TaskMlp(task);
        var plain = new Trainer(config with { Loss = null }).Fit(b, task);
        Assert.Equal(60, calls);
        Assert.Equal(2 * plain.LossHistory[0].Loss, custom.LossHistory[0].Loss, 5);
        Assert.True(custom.LossHistory[^1].Loss < custom.LossHistory[0].Loss, custom.ToString());
        Assert.Equal("double_ce", TrainingRecipe.Of(config)["loss"]);
        Assert.Equal("cross_entropy", TrainingRecipe.Of(config with { Loss = null })["loss"]);

        var vector = config with { Loss = TrainingLoss.Custom("unreduced", (logits, target) => F.cross_entropy(logits, target, reduction: "none")) };
        manual_seed(0);
        using var c = new TaskMlp(task);
        Assert.Contains("must return a scalar", Assert.Throws<InvalidOperationException>(() => new Trainer(vector).Fit(c, task)).Message);
        Assert.Contains("TrainingLoss.LabelSmoothing", Assert.Throws<ArgumentException>(() => new Trainer(config with { LabelSmoothing = 0.1 })).Message);
    }

    [Fact]
    public void Mixup_targets_train_through_the_mse_loss_too()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        var config = new TrainConfig { Steps = 80, BatchSize = 64, LearningRate = 3e-3, EvalEvery = 0, EvalBatchSize = 128, Loss = TrainingLoss.Mse, Augmentations = [new Mixup(0.2)] };
        manual_seed(0);
        using var model = new TaskMlp(task);
        var result = new Trainer(config).Fit(model, task);
        Assert.Equal(StopReason.Completed, result.Reason);
        Assert.True(result.LossHistory[^1].Loss < result.LossHistory[0].Loss, result.ToString());
    }
}
