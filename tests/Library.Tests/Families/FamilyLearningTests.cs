using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Families;

/// <summary>Each family learns its task on CPU within a bounded number of steps, judged on held-out accuracy.</summary>
public class FamilyLearningTests
{
    static string LastRun = "";

    static double Train(IModelConfig config, ISyntheticTask task, int steps, double lr = 3e-3, int batch = 32, Split split = Split.Test)
    {
        manual_seed(0);
        using var model = config.For(task).Build();
        var trainer = new Trainer(new TrainConfig
        {
            Steps = steps, BatchSize = batch, LearningRate = lr, WarmupSteps = steps / 10, EvalEvery = steps,
            EvalBatches = 2, EvalBatchSize = 128, EvalSplits = new[] { split }, Seed = 1,
        });
        var result = trainer.Fit(model, task);
        LastRun = $"{result.Reason} after {result.StepsCompleted} steps, final train loss {result.LossHistory[^1].Loss:F3}";
        return result.Metric(Evaluation.AccuracyName(split));
    }

    [Fact]
    public void Transformer_learns_copy()
    {
        var acc = Train(new TransformerConfig(Layers: 2, Dim: 32, Heads: 4), new CopyTask(symbols: 8, length: 6), steps: 300);
        Assert.True(acc >= 0.99, $"copy test accuracy {acc:P1}");
    }

    [Fact]
    public void DeepSets_learns_set_sum_and_set_max()
    {
        var sum = Train(new DeepSetsConfig(Hidden: 128), new SetSumTask(digits: 10, size: 4), steps: 1500, lr: 5e-3);
        Assert.True(sum >= 0.9, $"set sum test accuracy {sum:P1} ({LastRun})");
        var max = Train(new DeepSetsConfig(Hidden: 64, RhoLayers: 1, Pooling: SetPooling.Max), new SetMaxTask(), steps: 800, lr: 1e-2);
        Assert.True(max >= 0.95, $"set max test accuracy {max:P1} ({LastRun})");
    }

    [Fact]
    public void C4_network_recognises_rotated_shapes_it_only_saw_upright()
    {
        var task = new RotatedShapesTask(classes: 4, size: 10);
        var equivariant = Train(new C4Config(Hidden: 6), task, steps: 150, split: Split.Generalization);
        var plain = Train(new C4Config(Hidden: 6, Equivariant: false), task, steps: 150, split: Split.Generalization);
        Assert.True(equivariant >= 0.9, $"C4 accuracy on rotated shapes {equivariant:P1}");
        Assert.True(equivariant > plain + 0.1, $"C4 {equivariant:P1} vs plain CNN {plain:P1} on rotated shapes");
    }

    [Fact]
    public void Video_architecture_separates_motion_from_static_appearance()
    {
        var task = new MovingShapesVideoTask(frames: 6, size: 12);
        var fused = Train(new VideoConfig(Dim: 32), task, steps: 200);
        Assert.True(fused >= 0.9, $"factorized video transformer test accuracy {fused:P1}");
        var spatialOnly = Train(new VideoConfig(Dim: 32, Fusion: VideoFusion.SpatialOnly), task, steps: 200);
        Assert.True(spatialOnly < 0.8, $"an appearance-only stream cannot see motion, yet reached {spatialOnly:P1}");
    }

    [Fact]
    public void MoE_is_no_worse_than_dense_at_equal_active_compute()
    {
        var task = new CopyTask(symbols: 8, length: 6);
        var moe = new MoEConfig(new TransformerConfig(Layers: 2, Dim: 32, Heads: 4), Experts: 4, TopK: 1, ExpertHidden: 64);
        var withExperts = Train(moe, task, steps: 300);
        var dense = Train(moe with { UseMoE = false }, task, steps: 300);
        Assert.True(withExperts >= dense - 0.02, $"MoE {withExperts:P1} vs dense {dense:P1}");
        Assert.True(withExperts >= 0.95, $"MoE copy accuracy {withExperts:P1}");
    }
}
