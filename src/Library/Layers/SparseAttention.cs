using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Layers;

/// <summary>
/// Local, block-sparse and strided self-attention computed on the scores its <see cref="SparseAttentionLayout"/>
/// keeps, with batched matmuls over query blocks: memory and multiply-adds grow with Length × KeysPerQuery
/// instead of Length². Outputs and gradients equal softmax(QKᵀ/√d + mask)V with the pattern's dense mask.
/// </summary>
public static class SparseAttention
{
    /// <summary>
    /// Attention of q, k, v (B, H, L, d) under the layout's pattern. With <paramref name="alibiSlopes"/> (one per
    /// head), scores are biased by -slope·|i - j| as in <see cref="Positions.AttentionBias"/>. When
    /// <paramref name="denseWeights"/>, the post-softmax weights come back scattered into the dense (B, H, L, L)
    /// shape (zeros where masked), which costs L² memory: meant for maps of short sequences.
    /// </summary>
    public static (Tensor output, Tensor? weights) Attend(Tensor q, Tensor k, Tensor v, SparseAttentionLayout layout,
        double[]? alibiSlopes = null, double dropout_p = 0, bool training = true, bool denseWeights = false)
    {
        if (q.dim() != 4 || !q.shape.SequenceEqual(k.shape) || !q.shape.SequenceEqual(v.shape))
            throw new ArgumentException($"sparse attention expects q, k, v of one shape (B, H, L, d), got [{string.Join(", ", q.shape)}], " +
                $"[{string.Join(", ", k.shape)}], [{string.Join(", ", v.shape)}]");
        if (q.size(2) != layout.Length)
            throw new ArgumentException($"the sparse layout was made for length {layout.Length}, the sequence has {q.size(2)}");
        if (alibiSlopes is not null && alibiSlopes.Length != q.size(1))
            throw new ArgumentException($"ALiBi needs one slope per head ({q.size(1)}), got {alibiSlopes.Length}");

        using var scope = NewDisposeScope();
        long b = q.size(0), h = q.size(1), len = q.size(2), d = q.size(3);
        long w = layout.Window, nb = layout.Blocks, lp = layout.PaddedLength, tail = lp - len;
        // Scaling q rather than the scores saves a pass over the largest tensors, forward and backward.
        var qp = (tail > 0 ? F.pad(q, new[] { 0L, 0, 0, tail }) : q).mul(1.0 / Math.Sqrt(d));
        var qBlocks = qp.reshape(b, h, nb, w, d);

        // Band: each query block against the keys unfolded around it.
        long bandEnd = (nb - 1) * w + layout.BandWidth - layout.BandStart - len;
        var kBand = F.pad(k, new[] { 0L, 0, layout.BandStart, bandEnd }).unfold(2, layout.BandWidth, w);   // (B, H, nb, d, band)
        var vBand = F.pad(v, new[] { 0L, 0, layout.BandStart, bandEnd }).unfold(2, layout.BandWidth, w).transpose(-2, -1);
        var parts = new List<Tensor> { qBlocks.matmul(kBand) };

        // Summaries: every query against the last key of each block.
        Tensor? kSum = null, vSum = null;
        if (layout.Summaries > 0)
        {
            kSum = k.slice(2, w - 1, len, w);                                          // (B, H, n, d)
            vSum = v.slice(2, w - 1, len, w);
            parts.Add(qp.matmul(kSum.transpose(-2, -1)).view(b, h, nb, w, layout.Summaries));
        }

        // Strides: queries and keys regrouped by position mod w, so key c·w + r meets query b·w + r.
        Tensor? kStride = null, vStride = null;
        if (layout.Strides > 0)
        {
            kStride = (tail > 0 ? F.pad(k, new[] { 0L, 0, 0, tail }) : k).reshape(b, h, nb, w, d).transpose(2, 3);   // (B, H, w, nb, d)
            vStride = (tail > 0 ? F.pad(v, new[] { 0L, 0, 0, tail }) : v).reshape(b, h, nb, w, d).transpose(2, 3);
            parts.Add(qBlocks.transpose(2, 3).matmul(kStride.transpose(-2, -1)).transpose(2, 3));    // (B, H, nb, w, nb)
        }

        // In place: neither matmul nor cat needs its output for backward, so the bias costs no score-sized copy.
        var scores = (parts.Count == 1 ? parts[0] : cat(parts.ToArray(), -1)).add_(Bias(layout, alibiSlopes, q));
        var weights = scores.softmax(-1);
        var used = dropout_p > 0 && training ? F.dropout(weights, dropout_p, true) : weights;

        long at = 0;
        Tensor Columns(long n) { var p = used.narrow(-1, at, n); at += n; return p; }
        var output = Columns(layout.BandWidth).matmul(vBand);                            // (B, H, nb, w, d)
        if (vSum is not null) output = output + Columns(layout.Summaries).reshape(b, h, lp, layout.Summaries).matmul(vSum).view(b, h, nb, w, d);
        if (vStride is not null) output = output + Columns(layout.Strides).transpose(2, 3).matmul(vStride).transpose(2, 3);
        var result = output.reshape(b, h, lp, d).narrow(2, 0, len);
        var dense = denseWeights ? Densify(weights, layout) : null;
        return (result.MoveToOuterDisposeScope(), dense?.MoveToOuterDisposeScope());
    }

    // 0 where kept and -inf where hidden, shaped (1 or H, nb, w, KeysPerQuery); ALiBi's -slope·|i - j| is
    // computed in double and rounded once, like the dense bias, so float64 parity holds exactly.
    static Tensor Bias(SparseAttentionLayout layout, double[]? slopes, Tensor like)
    {
        using var scope = NewDisposeScope();
        long nb = layout.Blocks, w = layout.Window, n = layout.KeysPerQuery;
        var hidden = tensor(layout.Keep, new[] { nb, w, n }, device: like.device).logical_not();
        Tensor bias;
        if (slopes is null) bias = zeros(new[] { nb, w, n }, like.dtype, like.device).masked_fill(hidden, double.NegativeInfinity);
        else
        {
            var distance = new double[nb * w * n];
            for (long blk = 0, i = 0; blk < nb; blk++)
                for (long r = 0; r < w; r++)
                    for (long t = 0; t < n; t++, i++) distance[i] = Math.Abs(blk * w + r - layout.KeyAt(blk, r, t));
            var slope = tensor(slopes, new long[] { slopes.Length, 1, 1, 1 }, ScalarType.Float64);
            bias = (slope.neg() * tensor(distance, new[] { nb, w, n }, ScalarType.Float64)).masked_fill(hidden.cpu(), double.NegativeInfinity)
                .to(like.device, like.dtype);
        }
        return bias.MoveToOuterDisposeScope();
    }

    // Scatters (B, H, nb, w, KeysPerQuery) weights to (B, H, L, L). Keys appear in one part only and hidden
    // entries are exactly 0, so adding every part into a zero matrix rebuilds the dense rows.
    static Tensor Densify(Tensor weights, SparseAttentionLayout layout)
    {
        using var scope = NewDisposeScope();
        long b = weights.size(0), h = weights.size(1), nb = layout.Blocks, w = layout.Window, n = layout.KeysPerQuery;
        long offset = layout.BandStart, columns = offset + Math.Max(layout.PaddedLength, (nb - 1) * w + layout.BandWidth);
        var index = new long[nb * w * n];
        for (long blk = 0, i = 0; blk < nb; blk++)
            for (long r = 0; r < w; r++)
                for (long t = 0; t < n; t++, i++) index[i] = layout.KeyAt(blk, r, t) + offset;
        var where = tensor(index, new[] { 1L, 1, nb, w, n }, device: weights.device).expand(b, h, nb, w, n);
        var dense = zeros(new[] { b, h, nb, w, columns }, weights.dtype, weights.device).scatter_add(-1, where, weights);
        return dense.reshape(b, h, layout.PaddedLength, columns).narrow(2, 0, layout.Length).narrow(3, offset, layout.Length)
            .contiguous().MoveToOuterDisposeScope();
    }
}
