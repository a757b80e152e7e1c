using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Layers;

public class AttentionMaskTests
{
    // Changing the input at position j changes the output at position i exactly when i may see j.
    static bool[,] Influence(MultiHeadAttention attn, int length)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(1, length, attn.Dim);
        var baseline = attn.call(x);
        var seen = new bool[length, length];
        for (int j = 0; j < length; j++)
        {
            var changed = x.clone();
            changed[0, j].copy_(randn(attn.Dim));
            var diff = (attn.call(changed) - baseline).abs().amax(-1).select(0, 0).data<float>();
            for (int i = 0; i < length; i++) seen[i, j] = diff[i] > 1e-6;
        }
        return seen;
    }

    static void AssertInfluence(MultiHeadAttention attn, int length, Func<int, int, bool> visible)
    {
        var seen = Influence(attn, length);
        for (int i = 0; i < length; i++)
            for (int j = 0; j < length; j++)
                Assert.True(seen[i, j] == visible(i, j), $"{attn.Pattern} causal={attn.Causal}: position {i} {(seen[i, j] ? "sees" : "does not see")} position {j}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    public void Causal_output_at_t_ignores_the_future(int maxLen)
    {
        manual_seed(0);
        using var attn = new MultiHeadAttention(8, 2, causal: true, max_len: maxLen);
        AssertInfluence(attn, 7, (i, j) => j <= i);
    }

    [Fact]
    public void Sliding_window_sees_only_the_window()
    {
        manual_seed(0);
        using var local = new MultiHeadAttention(8, 2, pattern: AttentionPattern.Local, window: 2);
        AssertInfluence(local, 7, (i, j) => Math.Abs(i - j) < 2);
        using var causalLocal = new MultiHeadAttention(8, 2, causal: true, pattern: AttentionPattern.Local, window: 3, max_len: 16);
        AssertInfluence(causalLocal, 7, (i, j) => j <= i && i - j < 3);
    }

    [Fact]
    public void Block_sparse_sees_its_block_and_each_blocks_summary_position()
    {
        manual_seed(0);
        using var block = new MultiHeadAttention(8, 2, pattern: AttentionPattern.BlockSparse, window: 3);
        AssertInfluence(block, 9, (i, j) => i / 3 == j / 3 || j % 3 == 2);
        using var causal = new MultiHeadAttention(8, 2, causal: true, pattern: AttentionPattern.BlockSparse, window: 3);
        AssertInfluence(causal, 9, (i, j) => j <= i && (i / 3 == j / 3 || j % 3 == 2));
    }

    [Fact]
    public void Strided_sees_neighbours_and_every_stride_th_position()
    {
        manual_seed(0);
        using var strided = new MultiHeadAttention(8, 2, causal: true, pattern: AttentionPattern.Strided, window: 3);
        AssertInfluence(strided, 10, (i, j) => j <= i && (i - j < 3 || (i - j) % 3 == 0));
    }

    [Fact]
    public void Attention_weights_are_offered_to_captures_and_are_zero_where_masked()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var block = new TransformerEncoderBlock(new TransformerConfig(Dim: 8, Heads: 2, Causal: true, MaxLen: 0));
        using var cap = block.capture("**.weights");
        block.call(randn(3, 5, 8));
        var w = cap["attn.weights"];
        Assert.Equal(new long[] { 3, 2, 5, 5 }, w.shape);
        Assert.True(w.triu(1).abs().sum().ToDouble() == 0, "no weight above the diagonal");
        Assert.True(allclose(w.sum(-1), ones(3, 2, 5), atol: 1e-5));
    }

    [Fact]
    public void ALiBi_prefers_near_keys_and_rotary_depends_only_on_relative_position()
    {
        using var scope = NewDisposeScope();
        var slopes = Positions.AlibiSlopes(8);
        Assert.Equal(Math.Pow(2, -1), slopes[0], 12);
        Assert.Equal(Math.Pow(2, -8), slopes[7], 12);
        Assert.Equal(6, Positions.AlibiSlopes(6).Length);
        var bias = Positions.AttentionBias(4, 4, 2, causal: true, AttentionPattern.Dense, 0, alibi: true)!;
        Assert.Equal(new long[] { 2, 4, 4 }, bias.shape);
        Assert.Equal(-3 * Math.Pow(2, -4), bias[0, 3, 0].ToDouble(), 6);
        Assert.True(double.IsNegativeInfinity(bias[1, 0, 1].ToDouble()));

        // q·k after rotation depends on positions only through their difference.
        var (cos, sin) = Positions.RotaryTables(16, 8);
        manual_seed(1);
        var q = randn(8);
        var k = randn(8);
        double Score(long pq, long pk) =>
            (Positions.ApplyRotary(q, cos[pq], sin[pq]) * Positions.ApplyRotary(k, cos[pk], sin[pk])).sum().ToDouble();
        Assert.Equal(Score(5, 2), Score(10, 7), 4);
        Assert.NotEqual(Score(5, 2), Score(5, 3), 4);
    }
}
