using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Families;

public class FamilyPropertyTests
{
    static Tensor Forward(IModelConfig config, Tensor x, long[] expected)
    {
        using var model = config.Build();
        var y = model.call(x);
        Assert.Equal(expected, y.shape);
        Assert.True(y.isfinite().all().ToBoolean());
        return y;
    }

    [Fact]
    public void Every_family_maps_its_input_to_logits()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var tokens = randint(16, new long[] { 2, 9 });
        Forward(new TransformerConfig(), tokens, new long[] { 2, 9, 16 });
        Forward(TransformerConfig.TinyGPT(16, 32), tokens, new long[] { 2, 9, 16 });
        Forward(new TransformerConfig(PerToken: false, Classes: 3, Position: PositionKind.Rotary, Norm: NormKind.RMSNorm), tokens, new long[] { 2, 3 });
        Forward(new TransformerConfig(Vocab: 0, InputDim: 5, PerToken: false, Classes: 3), randn(2, 4, 5), new long[] { 2, 3 });
        Forward(new MoEConfig(new TransformerConfig(), TopK: 2), tokens, new long[] { 2, 9, 16 });
        Forward(new DeepSetsConfig(), randn(2, 6, 5), new long[] { 2, 10 });
        Forward(new SetTransformerConfig(InducingPoints: 3), randn(2, 6, 5), new long[] { 2, 10 });
        Forward(new C4Config(), randn(2, 1, 12, 12), new long[] { 2, 4 });
        Forward(new C4Config(Equivariant: false), randn(2, 1, 12, 12), new long[] { 2, 4 });
        foreach (var arch in Enum.GetValues<VideoArchitecture>())
            Forward(new VideoConfig(Architecture: arch), randn(2, 6, 1, 12, 12), new long[] { 2, 4 });
        foreach (var fusion in Enum.GetValues<VideoFusion>())
            Forward(new VideoConfig(Fusion: fusion), randn(2, 6, 1, 12, 12), new long[] { 2, 4 });
    }

    [Fact]
    public void Ablation_points_are_listed_and_applied_by_name()
    {
        var baseline = new TransformerConfig();
        var points = AblationPoints.For(baseline);
        var attention = points.Single(p => p.Field == "Attention");
        Assert.Equal(true, attention.Current);
        Assert.Equal(new object?[] { false }, attention.Alternatives);
        Assert.Equal(new object?[] { NormKind.RMSNorm, NormKind.None }, points.Single(p => p.Field == "Norm").Alternatives);
        Assert.Contains(points, p => p.Field == "Position" && p.Alternatives.Contains(PositionKind.ALiBi));
        Assert.Equal(baseline with { Attention = false }, AblationPoints.Ablate(baseline, "Attention", false));
        Assert.Equal(baseline with { Norm = NormKind.None }, AblationPoints.Ablate(baseline, "Norm", "None"));

        var moe = new MoEConfig(baseline);
        var moePoints = AblationPoints.For(moe).Select(p => p.Field).ToList();
        Assert.Contains("UseMoE", moePoints);
        Assert.Contains("Transformer.Ffn", moePoints);
        var ablated = AblationPoints.Ablate(moe, "Transformer.Ffn", false);
        Assert.False(ablated.Transformer.Ffn);
        Assert.True(moe.Transformer.Ffn, "the baseline is unchanged");
        Assert.Contains(AblationPoints.Variants(new VideoConfig()), v => v.name == "Architecture=Conv3d" && v.config.Architecture == VideoArchitecture.Conv3d);
        Assert.Throws<ArgumentException>(() => AblationPoints.Ablate(baseline, "Attn", false));
    }

    [Fact]
    public void Removing_a_component_removes_its_parameters()
    {
        using var full = new TransformerConfig().Build();
        using var noAttention = (new TransformerConfig() with { Attention = false }).Build();
        Assert.Contains(full.named_parameters(), p => p.name.Contains(".attn."));
        Assert.DoesNotContain(noAttention.named_parameters(), p => p.name.Contains(".attn."));
        using var noNorm = (new TransformerConfig() with { Norm = NormKind.None }).Build();
        Assert.DoesNotContain(noNorm.named_parameters(), p => p.name.Contains("norm"));
    }

    [Fact]
    public void DeepSets_and_Set_Transformer_are_permutation_invariant()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var configs = new IModelConfig[]
        {
            new DeepSetsConfig(), new DeepSetsConfig(Pooling: SetPooling.Max), new SetTransformerConfig(),
            new SetTransformerConfig(InducingPoints: 3, AttentionPooling: false),
        };
        foreach (var config in configs)
        {
            using var model = config.Build();
            for (int trial = 0; trial < 3; trial++)
            {
                var x = randn(4, 7, 5);
                var permuted = x.index_select(1, randperm(7));
                Assert.True(allclose(model.call(x), model.call(permuted), atol: 1e-5), $"{config} changed under a permutation");
            }
        }
        // A transformer with positions is not invariant: the test can tell.
        using var ordered = new TransformerConfig(Vocab: 0, InputDim: 5, PerToken: false, Classes: 10).Build();
        var y = randn(4, 7, 5);
        Assert.False(allclose(ordered.call(y), ordered.call(y.flip(1)), atol: 1e-5));
    }

    [Fact]
    public void C4_features_rotate_with_the_input_and_roll_the_group_axis_and_logits_are_invariant()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var net = new C4Network(new C4Config(Hidden: 4, Layers: 3));
        var x = randn(2, 1, 10, 10);
        var features = net.Features(x);
        for (int k = 1; k < 4; k++)
        {
            var turned = C4.Rotate(x, k);
            Assert.True(allclose(C4.Rotate(x, k), ops.aten["rot90"](x, (long)k, new long[] { -2, -1 }) as Tensor ?? throw new Exception()), "C4.Rotate is torch.rot90");
            var expected = C4.Rotate(features, k).roll(k, 2);
            Assert.True(allclose(net.Features(turned), expected, atol: 1e-5), $"features of the input turned {k} times");
            Assert.True(allclose(net.call(turned), net.call(x), atol: 1e-5), $"logits changed after {k} turns");
        }
        using var plain = new C4Config(Equivariant: false).Build();
        Assert.False(allclose(plain.call(C4.Rotate(x, 1)), plain.call(x), atol: 1e-5), "the plain CNN is not invariant");
    }

    [Fact]
    public void MoE_routes_each_token_to_its_top_k_experts()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var layer = new MixtureOfExpertsLayer(8, 16, experts: 4, topK: 2);
        var x = randn(3, 5, 8);
        using var cap = layer.capture("router_probs", "utilization");
        var y = layer.call(x);
        Assert.Equal(x.shape, y.shape);
        // The output is the renormalised mix of exactly the top-2 experts.
        var tokens = x.reshape(-1, 8);
        var probs = cap["router_probs"];
        var (top, idx) = probs.topk(2, -1);
        var manual = zeros(15, 8);
        for (int n = 0; n < 15; n++)
        {
            double p0 = top[n, 0].ToDouble(), p1 = top[n, 1].ToDouble();
            var e0 = layer.experts[(int)idx[n, 0].ToInt64()].call(tokens[n].unsqueeze(0)).squeeze(0);
            var e1 = layer.experts[(int)idx[n, 1].ToInt64()].call(tokens[n].unsqueeze(0)).squeeze(0);
            manual[n].copy_(e0 * (p0 / (p0 + p1)) + e1 * (p1 / (p0 + p1)));
        }
        Assert.True(allclose(y.reshape(-1, 8), manual, atol: 1e-5));
        Assert.Equal(1.0, layer.LastUtilization.Sum(), 5);
        Assert.Equal(4, cap["utilization"].numel());
        y.sum().backward();
        Assert.NotNull(layer.router.weight.grad);
    }

    [Fact]
    public void Switch_balance_loss_is_one_when_balanced_and_E_when_collapsed()
    {
        using var scope = NewDisposeScope();
        // Uniform probabilities and a balanced assignment: E · Σ (1/E)(1/E) = 1.
        var uniform = full(new long[] { 8, 4 }, 0.25);
        Assert.Equal(1.0, MixtureOfExpertsLayer.SwitchBalanceLoss(uniform, full(new long[] { 4 }, 0.25)).ToDouble(), 6);
        // Everything on expert 0 with probability 1: E · 1 · 1 = E.
        var collapsed = zeros(8, 4);
        collapsed.select(1, 0).fill_(1);
        Assert.Equal(4.0, MixtureOfExpertsLayer.SwitchBalanceLoss(collapsed, tensor(new float[] { 1, 0, 0, 0 })).ToDouble(), 6);
        // Known mixed case: f = (0.5, 0.5, 0, 0), P = (0.4, 0.3, 0.2, 0.1) → 4 · (0.2 + 0.15) = 1.4.
        var mixed = tensor(new float[] { 0.4f, 0.3f, 0.2f, 0.1f }).unsqueeze(0).expand(6, 4);
        Assert.Equal(1.4, MixtureOfExpertsLayer.SwitchBalanceLoss(mixed, tensor(new float[] { 0.5f, 0.5f, 0, 0 })).ToDouble(), 5);
        // The model reports weight · Σ layers.
        manual_seed(1);
        using var model = (MoEModel)new MoEConfig(new TransformerConfig(Layers: 2), BalanceWeight: 0.5).Build();
        model.call(randint(16, new long[] { 2, 6 }));
        var aux = model.AuxiliaryLoss()!.ToDouble();
        var sum = model.Layers.Sum(l => l.LastBalanceLoss!.ToDouble());
        Assert.Equal(0.5 * sum, aux, 5);
        Assert.InRange(sum, 2.0 * 0.99, 2.0 * 4);
    }

    [Fact]
    public void Dense_ablation_of_MoE_has_equal_active_compute()
    {
        var moe = new MoEConfig(new TransformerConfig(), Experts: 4, TopK: 2, ExpertHidden: 32);
        using var dense = (moe with { UseMoE = false }).Build();
        var mlp = dense.modules().OfType<MLP>().First();
        Assert.Equal(64, mlp.fc.OutFeatures);
        Assert.Empty(dense.modules().OfType<MixtureOfExpertsLayer>());
    }
}
