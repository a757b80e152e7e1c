using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using Xunit.Abstractions;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Families;

/// <summary>Early exit: where each example leaves, that leaving changes nothing but the work done, the exits' training, and the compute saved on a learned task.</summary>
public class EarlyExitTests(ITestOutputHelper output)
{
    static TransformerConfig Trunk => new(Vocab: 0, InputDim: 5, Classes: 3, PerToken: false, Layers: 3, Dim: 16, Heads: 2);

    static EarlyExitClassifier Build(double threshold) => (EarlyExitClassifier)new EarlyExitConfig(Trunk, Threshold: threshold).Build();

    [Fact]
    public void An_unreachable_threshold_runs_every_block_and_equals_the_full_model()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = Build(threshold: 2);
        var x = randn(6, 4, 5);
        var full = model.call(x);            // training mode: every block, final head
        model.eval();
        var exiting = model.call(x);
        Assert.True(allclose(full, exiting, atol: 1e-6));
        Assert.Equal(0, model.LastComputeSaved);
        Assert.Equal(new long[] { 0, 0, 6 }, model.LastExitCounts);
    }

    [Fact]
    public void A_zero_threshold_leaves_after_the_first_block_through_the_first_exit()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var model = Build(threshold: 1e-9);
        model.eval();
        var x = randn(5, 4, 5);
        var y = model.call(x);
        var h = model.transformer.blocks[0].call(model.transformer.Embed(x));
        var byHand = model.exits[0].call(model.exit_norms[0].call(h).mean(1));
        Assert.True(allclose(y, byHand, atol: 1e-6));
        Assert.Equal(new long[] { 5, 0, 0 }, model.LastExitCounts);
        Assert.Equal(2.0 / 3, model.LastComputeSaved, 12);
    }

    [Fact]
    public void Each_example_gets_the_logits_of_its_own_exit_whatever_else_is_in_the_batch()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var config = new EarlyExitConfig(Trunk with { Classes = 2 }, Threshold: 0.5);
        using var model = (EarlyExitClassifier)config.Build();
        model.eval();
        // With 2 classes and threshold 0.5 everyone leaves at block 1; raise it to the median confidence so about half do.
        var x = randn(16, 4, 5);
        var first = model.exits[0].call(model.exit_norms[0].call(model.transformer.blocks[0].call(model.transformer.Embed(x))).mean(1)).softmax(-1).amax(-1);
        var sorted = first.to(ScalarType.Float64).data<double>().ToArray().Order().ToArray();
        double median = (sorted[7] + sorted[8]) / 2;
        using var split = (EarlyExitClassifier)(config with { Threshold = median }).Build();
        split.load_state_dict(model.state_dict());
        split.eval();
        Tensor y;
        Tensor exitLayer;
        using (var cap = split.capture("exit_layer"))
        {
            y = split.call(x);
            exitLayer = cap["exit_layer"].clone();
        }
        var layers = exitLayer.data<long>().ToArray();
        Assert.Contains(1L, layers);
        Assert.Contains(layers, l => l > 1);
        Assert.Equal(layers.Count(l => l == 1), split.LastExitCounts[0]);
        Assert.True(split.LastComputeSaved > 0 && split.LastComputeSaved < 2.0 / 3);
        for (int i = 0; i < 16; i++)
        {
            var alone = split.call(x.narrow(0, i, 1));
            Assert.True(allclose(alone, y.narrow(0, i, 1), atol: 1e-5), $"example {i} (exit {layers[i]}) differs alone and in the batch");
        }
    }

    [Fact]
    public void Training_distils_the_final_head_into_every_exit()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = Build(threshold: 0.9);
        var logits = model.call(randn(4, 4, 5));
        var aux = model.AuxiliaryLoss();
        Assert.NotNull(aux);
        Assert.True(aux!.ToDouble() > 0);
        (logits.pow(2).mean() + aux).backward();
        foreach (var (name, p) in model.named_parameters().Where(p => p.name.StartsWith("exits.") || p.name.StartsWith("exit_norms.")))
            Assert.True(p.grad is { } g && g.abs().sum().ToDouble() > 0, $"{name} got no gradient");
        // The teacher is detached: the final head learns only from the task loss.
        using var fresh = Build(threshold: 0.9);
        fresh.call(randn(4, 4, 5));
        fresh.AuxiliaryLoss()!.backward();
        Assert.True(fresh.head.weight.grad is not { } hg || hg.abs().sum().ToDouble() == 0);
        Assert.True(fresh.exits[0].named_parameters().First().parameter.grad is { } eg && eg.abs().sum().ToDouble() > 0);
    }

    [Fact]
    public void Ablation_points_and_bad_configs()
    {
        var baseline = new EarlyExitConfig(Trunk);
        var points = AblationPoints.For(baseline).Select(p => p.Field).ToList();
        Assert.Contains("EarlyExit", points);
        Assert.Contains("Threshold", points);
        Assert.Contains("Transformer.Attention", points);
        using var plain = (baseline with { EarlyExit = false }).Build();
        Assert.IsType<EncoderClassifier>(plain);
        var e = Assert.Throws<ArgumentException>(() => new EarlyExitConfig(Trunk with { PerToken = true }).Build());
        Assert.Contains("per example", e.Message);
        Assert.Throws<ArgumentException>(() => (baseline with { Threshold = 0 }).Build());
    }

    [Fact]
    public void Saves_compute_on_a_learned_task_at_nearly_the_full_models_accuracy()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        var config = (EarlyExitConfig)new EarlyExitConfig(new TransformerConfig(PerToken: false, Layers: 4, Dim: 32, Heads: 2), Threshold: 0.9).For(task);
        manual_seed(0);
        using var model = (EarlyExitClassifier)config.Build();
        new Trainer(new TrainConfig { Steps = 300, BatchSize = 32, LearningRate = 3e-3, WarmupSteps = 30, EvalEvery = 0, Seed = 1 }).Fit(model, task);
        // The same weights with an unreachable threshold: every example runs every block.
        using var full = (EarlyExitClassifier)(config with { Threshold = 2 }).Build();
        full.load_state_dict(model.state_dict());
        model.eval();
        full.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var batch = task.Sample(512, 7, Split.Test);
        double Accuracy(Tensor logits) => logits.argmax(-1).eq(batch.Target).to(ScalarType.Float64).mean().ToDouble();
        double exitingAccuracy = Accuracy(model.call(batch.Input)), fullAccuracy = Accuracy(full.call(batch.Input));
        output.WriteLine($"threshold 0.9: accuracy {exitingAccuracy:P1}, block evaluations saved {model.LastComputeSaved:P1}, " +
            $"exits after blocks 1..4: {string.Join(" / ", model.LastExitCounts)}; every block: accuracy {fullAccuracy:P1}");
        Assert.True(fullAccuracy >= 0.9, $"the full model reached only {fullAccuracy:P1}");
        Assert.True(exitingAccuracy >= fullAccuracy - 0.05, $"early exit {exitingAccuracy:P1} vs full {fullAccuracy:P1}");
        Assert.True(model.LastComputeSaved >= 0.25, $"only {model.LastComputeSaved:P1} of block evaluations saved");
        Assert.Equal(0, full.LastComputeSaved);
    }
}
