using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Layers;

public class LayerShapeTests
{
    static void AssertShape(Module<Tensor, Tensor> m, Tensor x, params long[] expected)
    {
        using var scope = NewDisposeScope();
        var y = m.call(x);
        Assert.Equal(expected, y.shape);
        Assert.True(y.isfinite().all().ToBoolean(), $"{m.GetType().Name} produced non-finite values");
        y.sum().backward();
        foreach (var (name, p) in m.named_parameters())
            Assert.True(p.grad is not null, $"{m.GetType().Name}.{name} received no gradient");
    }

    [Fact]
    public void Norms_keep_the_shape_and_normalise()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var rms = new RMSNorm(8);
        var x = randn(3, 5, 8) * 4 + 1;
        AssertShape(rms, x, 3, 5, 8);
        var ms = rms.call(x).square().mean(-1);
        Assert.True(allclose(ms, ones_like(ms), atol: 1e-4), "RMSNorm output has unit mean square");
        using var id = Norm.Create(NormKind.None, 8);
        Assert.True(equal(id.call(x), x));
        Assert.IsType<LayerNorm>(Norm.Create(NormKind.LayerNorm, 8));
    }

    [Fact]
    public void BatchNorm_uses_batch_statistics_in_training_and_running_ones_in_eval()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var bn = new BatchNorm2d(3);
        var x = randn(4, 3, 5, 5) * 3 + 2;
        AssertShape(bn, x, 4, 3, 5, 5);
        var y = bn.call(x);
        Assert.True(y.mean(new long[] { 0, 2, 3 }).abs().max().ToDouble() < 1e-5);
        Assert.Equal(2, bn.num_batches_tracked.ToInt64());
        Assert.True(bn.running_mean.mean().ToDouble() > 0.2, "running mean moved towards the batch mean (2)");
        bn.eval();
        var before = bn.running_mean.clone();
        bn.call(x);
        Assert.True(equal(before, bn.running_mean), "eval mode leaves running statistics alone");
        using var bn1 = new BatchNorm1d(4);
        AssertShape(bn1, randn(6, 4), 6, 4);
        AssertShape(bn1, randn(6, 4, 7), 6, 4, 7);
        Assert.Throws<ArgumentException>(() => bn1.call(randn(2, 4, 3, 3)));
    }

    [Fact]
    public void Convolutions_and_pools_have_pytorch_output_sizes()
    {
        manual_seed(0);
        using var c1 = new Conv1d(3, 8, 3, padding: 1);
        AssertShape(c1, randn(2, 3, 10), 2, 8, 10);
        using var c2 = new Conv2d(3, 8, 3, stride: 2, padding: 1);
        AssertShape(c2, randn(2, 3, 9, 9), 2, 8, 5, 5);
        using var c3 = new Conv3d(2, 4, 3);
        AssertShape(c3, randn(1, 2, 5, 6, 7), 1, 4, 3, 4, 5);
        using var grouped = new Conv2d(4, 8, 1, groups: 2);
        Assert.Equal(new long[] { 8, 2, 1, 1 }, grouped.weight.shape);
        using var scope = NewDisposeScope();
        Assert.Equal(new long[] { 2, 3, 5 }, Pool.MaxPool1d(2).call(randn(2, 3, 10)).shape);
        Assert.Equal(new long[] { 2, 3, 4, 4 }, Pool.AvgPool2d(2).call(randn(2, 3, 8, 9)).shape);
        Assert.Equal(new long[] { 2, 3, 2, 2, 2 }, Pool.MaxPool3d(2).call(randn(2, 3, 4, 4, 5)).shape);
        var x = randn(2, 3, 4, 4);
        Assert.True(allclose(new GlobalPool("avg").call(x), x.mean(new long[] { 2, 3 })));
        Assert.True(allclose(new GlobalPool("max").call(x), x.amax(-1).amax(-1)));
    }

    [Fact]
    public void MLP_with_and_without_a_gate()
    {
        manual_seed(0);
        using var plain = new MLP(8, 32, activation: "relu");
        AssertShape(plain, randn(2, 5, 8), 2, 5, 8);
        using var glu = new MLP(8, 32, out_dim: 3, activation: "silu", glu: true);
        Assert.Equal(new long[] { 64, 8 }, glu.fc.weight.shape);
        AssertShape(glu, randn(2, 8), 2, 3);
        Assert.Throws<ArgumentException>(() => new MLP(8, 8, activation: "swish?"));
        using var res = new Residual(new MLP(8, 16));
        AssertShape(res, randn(4, 8), 4, 8);
    }

    [Fact]
    public void ResNet_blocks_and_a_small_resnet()
    {
        manual_seed(0);
        using var block = new ResidualBlock(4, 8, stride: 2);
        Assert.NotNull(block.shortcut);
        AssertShape(block, randn(2, 4, 8, 8), 2, 8, 4, 4);
        using var plain = new ResidualBlock(8, 8, residual: false);
        Assert.Null(plain.shortcut);
        AssertShape(plain, randn(2, 8, 4, 4), 2, 8, 4, 4);
        using var net = new SmallResNet(1, 10, new long[] { 8, 16 });
        AssertShape(net, randn(3, 1, 12, 12), 3, 10);
    }

    [Fact]
    public void LSTM_and_GRU_use_pytorch_names_and_shapes()
    {
        manual_seed(0);
        using var lstm = new LSTM(5, 7, num_layers: 2, batch_first: true);
        Assert.Equal(new[] { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1" },
            lstm.named_parameters().Select(p => p.name));
        Assert.Equal(new long[] { 28, 5 }, lstm.named_parameters().First().parameter.shape);
        AssertShape(lstm, randn(3, 4, 5), 3, 4, 7);
        using var gru = new GRU(5, 6, bidirectional: true);
        Assert.Contains("weight_hh_l0_reverse", gru.named_parameters().Select(p => p.name));
        AssertShape(gru, randn(4, 3, 5), 4, 3, 12);
        using var scope = NewDisposeScope();
        var (o, h, c) = lstm.Run(randn(3, 4, 5));
        Assert.Equal(new long[] { 2, 3, 7 }, h.shape);
        Assert.True(allclose(o.select(1, -1), h.select(0, -1)), "the last output is the top layer's final state");
    }

    [Fact]
    public void Attention_and_transformer_blocks_keep_the_shape()
    {
        manual_seed(0);
        using var self = new MultiHeadAttention(16, 4, causal: true, position: PositionKind.Rotary);
        AssertShape(self, randn(2, 6, 16), 2, 6, 16);
        using var cross = new MultiHeadAttention(16, 2);
        using (var scope = NewDisposeScope())
        {
            var (y, w) = cross.AttendWithWeights(randn(2, 3, 16), randn(2, 9, 16));
            Assert.Equal(new long[] { 2, 3, 16 }, y.shape);
            Assert.Equal(new long[] { 2, 2, 3, 9 }, w.shape);
            Assert.True(allclose(w.sum(-1), ones(2, 2, 3), atol: 1e-5));
        }
        foreach (var config in new[]
        {
            new TransformerConfig(Dim: 16, Heads: 4), new TransformerConfig(Dim: 16, Heads: 4, PreNorm: false),
            new TransformerConfig(Dim: 16, Heads: 4, Norm: NormKind.RMSNorm, Glu: true), new TransformerConfig(Dim: 16, Heads: 4, Attention: false),
            new TransformerConfig(Dim: 16, Heads: 4, Ffn: false, Residual: false, Norm: NormKind.None),
            new TransformerConfig(Dim: 16, Heads: 4, Causal: true, Pattern: AttentionPattern.Local, Window: 2, Position: PositionKind.ALiBi, MaxLen: 8),
        })
        {
            using var block = new TransformerEncoderBlock(config);
            AssertShape(block, randn(2, 5, 16), 2, 5, 16);
        }
        using var decoder = new TransformerDecoderBlock(new TransformerConfig(Dim: 16, Heads: 4, Causal: true, MaxLen: 0));
        using (var scope = NewDisposeScope())
        {
            var y = decoder.call(randn(2, 5, 16), randn(2, 7, 16));
            Assert.Equal(new long[] { 2, 5, 16 }, y.shape);
        }
        using var learned = new PositionalEmbedding(PositionKind.Learned, 8, 16);
        AssertShape(learned, randn(2, 5, 16), 2, 5, 16);
        using var sin = new PositionalEmbedding(PositionKind.Sinusoidal, 8, 16);
        Assert.Empty(sin.parameters());
        using var s2 = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => learned.call(randn(1, 9, 16)));
    }
}
