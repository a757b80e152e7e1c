using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Interpretability;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Interpretability;

/// <summary>Ablation and patching on hand-built models whose effects can be worked out by hand.</summary>
public class InterventionTests
{
    /// <summary>
    /// logits = evidence(x) + prior(x), with evidence = 10·x (x a one-hot of the class) and prior a constant
    /// [1, 0]; a third module, ignored, runs but its output is thrown away. Trained-free and exact.
    /// </summary>
    sealed class Classifier : Module<Tensor, Tensor>
    {
        public readonly Linear evidence, prior, ignored;
        public Classifier()
        {
            evidence = register_module("evidence", new Linear(2, 2));
            prior = register_module("prior", new Linear(2, 2));
            ignored = register_module("ignored", new Linear(2, 2));
            using var _ = no_grad();
            evidence.weight.copy_(eye(2) * 10); evidence.bias!.zero_();
            prior.weight.zero_(); prior.bias!.copy_(tensor(new[] { 1f, 0f }));
        }
        public override Tensor forward(Tensor x)
        {
            ignored.call(x);
            return evidence.call(x) + prior.call(x);
        }
    }

    static double Accuracy(Tensor logits, Tensor target) => logits.argmax(-1).eq(target).to(ScalarType.Float64).mean().item<double>();

    static (Tensor input, Tensor target) Batch(long[] labels) =>
        (one_hot(tensor(labels), 2).to(ScalarType.Float32), tensor(labels));

    static readonly long[][] Labels = [[1, 1, 0, 1], [0, 0, 1, 0, 0], [1, 0, 1, 0, 1, 1]];

    [Fact]
    public void Ablating_a_component_the_output_ignores_changes_nothing_and_one_it_needs_drops_by_the_expected_amount()
    {
        using var scope = NewDisposeScope();
        using var model = new Classifier();
        var batches = Labels.Select(Batch).ToList();
        var targets = Interventions.Targets(model, ["evidence", "prior", "ignored"]);
        foreach (var kind in new[] { AblationKind.Zero, AblationKind.Mean, AblationKind.Resample })
        {
            var result = Interventions.Ablate(model, batches, Accuracy, kind, targets, "accuracy");
            Assert.Equal(1.0, result.Baseline, 12);
            var ignored = result.Effects.Single(e => e.Target.Module == "ignored");
            Assert.All(ignored.PerBatch, d => Assert.Equal(0.0, d, 12));
            Assert.Equal((0.0, 0.0), (ignored.Interval.Low, ignored.Interval.High));

            // Without the evidence the prior (class 0) decides, or the evidence of the batch mean (the majority class;
            // the prior breaks a tie toward class 0), or of the previous example (right when the labels repeat).
            var expected = Labels.Select(l => kind switch
            {
                AblationKind.Zero => l.Count(y => y == 1) / (double)l.Length,
                AblationKind.Mean => 1 - l.Count(y => y == (l.Count(v => v == 1) > l.Length / 2.0 ? 1 : 0)) / (double)l.Length,
                _ => 1 - l.Where((y, i) => y == l[(i + l.Length - 1) % l.Length]).Count() / (double)l.Length,
            }).ToList();
            var evidence = result.Effects.Single(e => e.Target.Module == "evidence");
            Assert.Equal(expected, evidence.PerBatch.ToList(), (a, b) => Math.Abs(a - b) < 1e-12);
            Assert.Equal(expected.Average(), evidence.Change, 12);
            Assert.True(evidence.Interval.Low <= evidence.Change && evidence.Change <= evidence.Interval.High);
            Assert.Equal("evidence", result.Effects[0].Target.Module);  // sorted: the largest drop first
        }
    }

    [Fact]
    public void The_model_is_left_as_it_was()
    {
        using var scope = NewDisposeScope();
        using var model = new Classifier();
        var x = Batch([0, 1, 1]).input;
        var before = model.call(x);
        Interventions.Ablate(model, [Batch([0, 1, 1])], Accuracy, AblationKind.Zero, Interventions.Targets(model, ["*"]));
        Assert.True(model.training);
        Assert.True(allclose(before, model.call(x)), "no hook may stay behind");
    }

    /// <summary>One attention layer, uniform attention (zero queries and keys), head 0 copying features 0..1 and head 1 silent; out_proj is the identity.</summary>
    static MultiHeadAttention Attention()
    {
        var attention = new MultiHeadAttention(4, 2, bias: false);
        using var _ = no_grad();
        attention.in_proj_weight.zero_();
        attention.in_proj_weight.narrow(0, 8, 2).copy_(eye(2, 4));  // value rows of head 0 read features 0 and 1
        attention.out_proj.weight.copy_(eye(4));
        return attention;
    }

    static double FirstFeature(Tensor output, Tensor _) => output.select(-1, 0).mean().item<double>();

    [Fact]
    public void Head_ablation_and_patching_act_on_one_head_only()
    {
        using var scope = NewDisposeScope();
        using var attention = Attention();
        manual_seed(3);
        var inputs = Enumerable.Range(0, 3).Select(_ => randn(2, 5, 4) + 1).ToList();
        var batches = inputs.Select(x => (x, zeros(1))).ToList();
        var result = Interventions.Ablate(attention, batches, FirstFeature, AblationKind.Zero,
            [new InterventionTarget("out_proj"), new InterventionTarget("", 0), new InterventionTarget("", 1)], "first feature");
        // Uniform attention averages over positions, so the first output feature's mean is the input's; zeroing head 0 removes all of it.
        var head0 = result.Effects.Single(e => e.Target.Head == 0);
        Assert.Equal(inputs.Select(x => x.select(-1, 0).mean().item<double>()).ToList(), head0.PerBatch.ToList(), (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.All(result.Effects.Single(e => e.Target.Head == 1).PerBatch, d => Assert.Equal(0.0, d, 6));
        var (modules, grid) = result.HeadGrid();
        Assert.Equal([""], modules);
        Assert.Equal(head0.Change, grid[0][0], 12);

        // Patching head 0 from the clean run restores everything the corruption took; head 1 restores nothing.
        var pairs = inputs.Select(x => (x, -x, zeros(1))).ToList();
        var patched = Interventions.Patch(attention, pairs, FirstFeature, [new InterventionTarget("", 0), new InterventionTarget("", 1)]);
        Assert.Equal(patched.Baseline - patched.Corrupted!.Value, patched.Effects.Single(e => e.Target.Head == 0).Change, 5);
        Assert.Equal(0.0, patched.Effects.Single(e => e.Target.Head == 1).Change, 6);
    }

    [Fact]
    public void Default_targets_are_the_blocks_their_sublayers_and_heads_not_the_trunk()
    {
        var small = new TransformerConfig(Vocab: 5, Classes: 5, MaxLen: 8, Layers: 2, Dim: 8, Heads: 2);
        using var gpt = small.Build();
        string[] block(int i) => [$"transformer.blocks.{i}", $"transformer.blocks.{i}.attn", $"transformer.blocks.{i}.attn head 0", $"transformer.blocks.{i}.attn head 1", $"transformer.blocks.{i}.mlp"];
        Assert.Equal([.. block(0), .. block(1)], Interventions.Targets(gpt).Select(t => t.Name));
        Assert.DoesNotContain(Interventions.Targets(gpt, heads: false), t => t.Head is not null);
        // A mixture of experts holds its experts in a container, but no attention: it is a sublayer like any other.
        using var moe = new MoEConfig(small).Build();
        Assert.Contains("model.transformer.blocks.1.mlp", Interventions.Targets(moe).Select(t => t.Name));
        Assert.DoesNotContain("model", Interventions.Targets(moe).Select(t => t.Name));
    }

    [Fact]
    public void Bad_targets_are_named()
    {
        using var model = new Classifier();
        var e = Assert.Throws<ArgumentException>(() => Interventions.Targets(model, ["blocks.*"]));
        Assert.Contains("no module of Classifier matches blocks.*", e.Message);
        using var scope = NewDisposeScope();
        var head = Assert.Throws<ArgumentException>(() => Interventions.Ablate(model, [Batch([0, 1])], Accuracy, AblationKind.Zero, [new InterventionTarget("evidence", 0)]));
        Assert.Contains("not multi-head attention", head.Message);
    }
}
