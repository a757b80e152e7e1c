using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Profiling;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace Library.Tests.Layers;

/// <summary>
/// Blocked sparse attention against the masked dense computation (the pattern's -inf bias over full
/// attention, itself checked against PyTorch in AttentionParityTests), in float64: outputs, gradients of
/// q, k and v, and the weights scattered back to the dense shape.
/// </summary>
public class SparseAttentionParityTests
{
    const double Tolerance = 1e-12;

    [Theory]
    [InlineData(AttentionPattern.Local, false)]
    [InlineData(AttentionPattern.Local, true)]
    [InlineData(AttentionPattern.BlockSparse, false)]
    [InlineData(AttentionPattern.BlockSparse, true)]
    [InlineData(AttentionPattern.Strided, false)]
    [InlineData(AttentionPattern.Strided, true)]
    public void Blocked_attention_matches_the_masked_dense_one_forward_and_backward(AttentionPattern pattern, bool causal)
    {
        // 16 fills whole blocks of 4, 13 and 7 leave a ragged last block, 3 is shorter than one block; window 1 is the edge.
        foreach (var (length, window) in new[] { (16L, 4L), (13L, 4L), (7L, 3L), (3L, 4L), (5L, 1L) })
            foreach (var alibi in new[] { false, true })
                AssertParity(pattern, causal, length, window, alibi);
    }

    static void AssertParity(AttentionPattern pattern, bool causal, long length, long window, bool alibi)
    {
        using var scope = NewDisposeScope();
        manual_seed(length * 31 + window);
        const int heads = 3;
        string what = $"{pattern} causal={causal} L={length} w={window} alibi={alibi}";
        var layout = new SparseAttentionLayout(pattern, window, causal, length);
        Tensor Input() => randn(new long[] { 2, heads, length, 5 }, float64).requires_grad_();
        var (q, k, v) = (Input(), Input(), Input());
        var g = randn(new long[] { 2, heads, length, 5 }, float64);

        var (sparse, sparseWeights) = SparseAttention.Attend(q, k, v, layout, alibi ? Positions.AlibiSlopes(heads) : null, denseWeights: true);
        var sparseGrads = Gradients(sparse, g, q, k, v);
        var bias = Positions.AttentionBias(length, length, heads, causal, pattern, window, alibi, float64);
        var (dense, denseWeights) = F.scaled_dot_product_attention(q, k, v, bias);
        var denseGrads = Gradients(dense, g, q, k, v);

        AssertClose(dense, sparse, $"{what}: output");
        AssertClose(denseWeights, sparseWeights!, $"{what}: weights");
        for (int i = 0; i < 3; i++) AssertClose(denseGrads[i], sparseGrads[i], $"{what}: gradient of {"qkv"[i]}");
    }

    static Tensor[] Gradients(Tensor output, Tensor g, params Tensor[] inputs)
    {
        foreach (var t in inputs) t.grad?.zero_();
        (output * g).sum().backward();
        return inputs.Select(t => t.grad!.clone()).ToArray();
    }

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.False(actual.isnan().any().ToBoolean(), $"{what} has NaN");
        var diff = (expected - actual).abs().max().ToDouble();
        Assert.True(diff < Tolerance, $"{what} differs from the masked dense computation by {diff:E2}");
    }

    [Theory]
    [InlineData(AttentionPattern.Local, true, PositionKind.Rotary)]
    [InlineData(AttentionPattern.BlockSparse, false, PositionKind.ALiBi)]
    [InlineData(AttentionPattern.Strided, true, PositionKind.None)]
    public void The_attention_layer_runs_sparsely_and_matches_its_dense_path(AttentionPattern pattern, bool causal, PositionKind position)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        const long length = 45;
        using var attn = new MultiHeadAttention(16, 4, causal, pattern, window: 4, position: position, max_len: 64);
        attn.to(float64);
        Assert.NotNull(attn.SparseLayout(length));   // else this test would compare the dense path with itself
        var x = randn(new long[] { 2, length, 16 }, float64).requires_grad_();
        var g = randn(new long[] { 2, length, 16 }, float64);
        var parameters = attn.parameters().Prepend(x).ToArray();

        var (sparse, sparseWeights) = attn.AttendWithWeights(x);
        var sparseGrads = Gradients(sparse, g, parameters);
        // An all-true extra mask changes nothing but sends the call down the masked dense path.
        var (dense, denseWeights) = attn.AttendWithWeights(x, null, ones(new long[] { length, length }, ScalarType.Bool));
        var denseGrads = Gradients(dense, g, parameters);

        AssertClose(dense, sparse, "output");
        AssertClose(denseWeights, sparseWeights, "weights");
        for (int i = 0; i < parameters.Length; i++) AssertClose(denseGrads[i], sparseGrads[i], $"gradient {i}");
    }

    [Fact]
    public void Captured_weights_of_the_sparse_path_have_the_dense_shape_and_sum_to_one()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var attn = new MultiHeadAttention(8, 2, causal: true, pattern: AttentionPattern.Local, window: 3);
        var x = randn(1, 20, 8);
        Assert.NotNull(attn.SparseLayout(20));
        using var capture = attn.capture("weights");
        attn.call(x);
        var w = capture["weights"];
        Assert.Equal(new long[] { 1, 2, 20, 20 }, w.shape);
        Assert.True((w.sum(-1) - 1).abs().max().ToDouble() < 1e-5, "captured rows do not sum to one");
        var (_, direct) = attn.AttendWithWeights(x);
        Assert.True((w - direct).abs().max().ToDouble() < 1e-6, "captured weights differ from AttendWithWeights'");
        // Hidden positions carry no weight: future keys and keys 3 or more back.
        var rows = w.select(0, 0).select(0, 0);
        Assert.Equal(0.0, rows[10, 11].ToDouble());
        Assert.Equal(0.0, rows[10, 7].ToDouble());
        Assert.True(rows[10, 8].ToDouble() > 0);
    }

    [Fact]
    public void Layout_scores_far_fewer_entries_than_dense_attention_for_long_sequences_and_none_when_they_would_not_pay()
    {
        var local = new SparseAttentionLayout(AttentionPattern.Local, 64, causal: false, 4096);
        Assert.Equal(3 * 64 - 2, local.KeysPerQuery);
        Assert.Equal(4096.0 * 190, local.ScoreEntries);
        Assert.Equal(2 * 64 - 1, new SparseAttentionLayout(AttentionPattern.Local, 64, causal: true, 4096).KeysPerQuery);
        Assert.Equal(64 + 64, new SparseAttentionLayout(AttentionPattern.BlockSparse, 64, false, 4096).KeysPerQuery);
        Assert.Equal(3 * 64 - 2 + 64, new SparseAttentionLayout(AttentionPattern.Strided, 64, false, 4096).KeysPerQuery);
        // Strided over 6 frames with window 2 would score 7 keys per query against dense attention's 6.
        using var strided = new MultiHeadAttention(8, 2, pattern: AttentionPattern.Strided, window: 2);
        Assert.Null(strided.SparseLayout(6));
        Assert.NotNull(strided.SparseLayout(64));
        Assert.Throws<ArgumentException>(() => new SparseAttentionLayout(AttentionPattern.Dense, 4, false, 16));
    }

    [Fact]
    public void Flops_count_the_scores_the_sparse_path_computes()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        const long b = 2, l = 40, d = 16;
        using var dense = new MultiHeadAttention(d, 4);
        using var local = new MultiHeadAttention(d, 4, pattern: AttentionPattern.Local, window: 4);
        var x = randn(b, l, d);
        double Projections() => 2.0 * b * l * d * d + 2.0 * b * l * d * 2 * d;
        Assert.Equal(Projections() + 4.0 * b * l * l * d, Flops.Own(dense, x, dense.call(x)));
        // Local, window 4: 10 blocks of 4 queries, each scoring a band of 3·4 - 2 = 10 keys.
        Assert.Equal(Projections() + 4.0 * b * 40 * 10 * d, Flops.Own(local, x, local.call(x)));
    }
}
