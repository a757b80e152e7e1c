using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Torch.Tests.Parity;

internal static partial class ParityCases
{
    static void AddNetworkLayers()
    {
        Add("linear", () => In(R(2, 3, 4), R(5, 4), R(5)), x => F.linear(x[0], x[1], x[2]));
        Add("linear_no_bias", () => In(R(3, 4), R(2, 4)), x => F.linear(x[0], x[1]));
        Add("conv1d", () => In(R(2, 3, 10), R(4, 3, 3), R(4)), x => F.conv1d(x[0], x[1], x[2], stride: 2, padding: 1));
        Add("conv1d_groups_dilation", () => In(R(2, 4, 9), R(6, 2, 3)), x => F.conv1d(x[0], x[1], dilation: 2, groups: 2));
        Add("conv2d", () => In(R(2, 3, 6, 6), R(4, 3, 3, 3), R(4)),
            x => F.conv2d(x[0], x[1], x[2], stride: new long[] { 2, 1 }, padding: new long[] { 1, 0 }));
        Add("conv2d_scalar_args", () => In(R(1, 2, 5, 5), R(3, 2, 3, 3), R(3)), x => F.conv2d(x[0], x[1], x[2], 1, 1));
        Add("conv2d_depthwise_dilated", () => In(R(1, 3, 6, 6), R(3, 1, 2, 2)), x => F.conv2d(x[0], x[1], null, 1, 0, dilation: 2, groups: 3));
        Add("conv3d", () => In(R(1, 2, 4, 5, 4), R(3, 2, 2, 2, 2), R(3)), x => F.conv3d(x[0], x[1], x[2], 1, 1));
        Add("max_pool1d", () => In(R(2, 3, 8)), x => F.max_pool1d(x[0], 2));
        Add("max_pool1d_stride_padding", () => In(R(2, 3, 8)), x => F.max_pool1d(x[0], 3, stride: 2, padding: 1));
        Add("max_pool2d", () => In(R(2, 3, 6, 6)), x => F.max_pool2d(x[0], 2));
        Add("max_pool2d_stride_padding", () => In(R(1, 2, 7, 7)), x => F.max_pool2d(x[0], 3, 2, 1));
        Add("max_pool3d", () => In(R(1, 2, 4, 4, 4)), x => F.max_pool3d(x[0], 2));
        Add("avg_pool1d", () => In(R(2, 3, 8)), x => F.avg_pool1d(x[0], 2));
        Add("avg_pool2d_stride_padding", () => In(R(1, 2, 7, 7)), x => F.avg_pool2d(x[0], 3, 2, 1));
        Add("avg_pool3d", () => In(R(1, 2, 4, 4, 4)), x => F.avg_pool3d(x[0], 2));
        Add("adaptive_avg_pool1d", () => In(R(2, 3, 8)), x => F.adaptive_avg_pool1d(x[0], 3));
        Add("adaptive_avg_pool2d", () => In(R(1, 2, 7, 5)), x => F.adaptive_avg_pool2d(x[0], new long[] { 2, 3 }));
        Add("adaptive_avg_pool3d", () => In(R(1, 2, 4, 5, 3)), x => F.adaptive_avg_pool3d(x[0], new long[] { 2, 2, 1 }));
        Add("layer_norm", () => In(R(2, 3, 4), R(4), R(4)), x => F.layer_norm(x[0], new long[] { 4 }, x[1], x[2]));
        Add("layer_norm_2d_no_affine", () => In(R(2, 3, 4)), x => F.layer_norm(x[0], new long[] { 3, 4 }));
        Add("group_norm", () => In(R(2, 6, 4), R(6), R(6)), x => F.group_norm(x[0], 3, x[1], x[2]));
        Add("group_norm_no_affine", () => In(R(2, 4, 3, 3)), x => F.group_norm(x[0], 2, eps: 1e-3));
        Add("batch_norm_eval", () => In(R(4, 3, 5), C(3), P(3).detach(), R(3), R(3)),
            x => F.batch_norm(x[0], x[1], x[2], x[3], x[4], training: false));
        AddMany("batch_norm_train", () => In(R(4, 3, 5), C(3), P(3).detach(), R(3), R(3)), x =>
        {
            var y = F.batch_norm(x[0], x[1], x[2], x[3], x[4], training: true, momentum: 0.2);
            return new[] { y, x[1].clone(), x[2].clone() };
        });
        Add("embedding", () => In(I(10, 2, 5), R(10, 4)), x => F.embedding(x[0], x[1]));
        // The padding row gets no gradient by definition, so finite differences disagree there on purpose.
        Add("embedding_padding_idx", () => In(tensor(new long[] { 0, 2, 0, 3, 2 }), R(4, 3)), x => F.embedding(x[0], x[1], padding_idx: 0), fd: false);
        Add("softmax_last", () => In(R(3, 5)), x => F.softmax(x[0], -1));
        Add("softmax_dim0", () => In(R(3, 5)), x => softmax(x[0], 0));
        Add("log_softmax", () => In(R(2, 3, 4)), x => F.log_softmax(x[0], 1));
        Add("gelu", () => In(R(3, 4)), x => F.gelu(x[0]));
        Add("gelu_tanh", () => In(R(3, 4)), x => F.gelu(x[0], "tanh"));
        Add("silu", () => In(R(3, 4)), x => F.silu(x[0]));
        Add("functional_relu", () => In(R(3, 4)), x => F.relu(x[0]));
        Add("functional_tanh", () => In(R(3, 4)), x => F.tanh(x[0]));
        Add("functional_sigmoid", () => In(R(3, 4)), x => F.sigmoid(x[0]));
        Add("leaky_relu", () => In(R(3, 4)), x => F.leaky_relu(x[0], 0.1));
        Add("elu", () => In(R(3, 4)), x => F.elu(x[0], 0.5));
        Add("softplus", () => In(R(3, 4)), x => F.softplus(x[0], beta: 2, threshold: 1));
        Add("rms_norm", () => In(R(2, 3, 4), R(4)), x => F.rms_norm(x[0], x[1]));
        Add("normalize", () => In(R(3, 4)), x => F.normalize(x[0]));
        Add("normalize_p1_dim0", () => In(R(3, 4)), x => F.normalize(x[0], p: 1, dim: 0));
        Add("pad_last", () => In(R(2, 3, 4)), x => F.pad(x[0], new long[] { 1, 2 }));
        Add("pad_two_dims_value", () => In(R(2, 3, 4)), x => F.pad(x[0], new long[] { 1, 1, 2, 0 }, 0.5));
        Add("dropout_p0", () => In(R(3, 4)), x => F.dropout(x[0], 0.0));
        Add("dropout_eval", () => In(R(3, 4)), x => F.dropout(x[0], 0.5, training: false));
    }

    static void AddLossesAndRecurrent()
    {
        Add("cross_entropy", () => In(R(5, 4), I(4, 5)), x => F.cross_entropy(x[0], x[1]));
        Add("cross_entropy_label_smoothing", () => In(R(5, 4), I(4, 5)), x => F.cross_entropy(x[0], x[1], label_smoothing: 0.1));
        Add("cross_entropy_weight_ignore", () => In(R(5, 4), tensor(new long[] { 0, -100, 3, 1, 2 }), P(4).detach()),
            x => F.cross_entropy(x[0], x[1], x[2]));
        Add("cross_entropy_sum", () => In(R(5, 4), I(4, 5)), x => F.cross_entropy(x[0], x[1], reduction: "sum"));
        Add("cross_entropy_none", () => In(R(5, 4), I(4, 5)), x => F.cross_entropy(x[0], x[1], reduction: "none"));
        Add("cross_entropy_probabilities", () => In(R(5, 4), C(5, 4)), x => F.cross_entropy(x[0], x[1].softmax(1), label_smoothing: 0.05));
        Add("cross_entropy_spatial_smoothing_weight", () => In(R(2, 4, 3), I(4, 2, 3), P(4).detach()),
            x => F.cross_entropy(x[0], x[1], x[2], label_smoothing: 0.2));
        Add("nll_loss", () => In(R(5, 4), I(4, 5)), x => F.nll_loss(F.log_softmax(x[0], 1), x[1]));
        Add("mse_loss", () => In(R(3, 4), R(3, 4)), x => F.mse_loss(x[0], x[1]));
        Add("mse_loss_sum", () => In(R(3, 4), C(3, 4)), x => F.mse_loss(x[0], x[1], "sum"));
        Add("l1_loss", () => In(R(3, 4), C(3, 4)), x => F.l1_loss(x[0], x[1]));
        Add("bce_with_logits", () => In(R(3, 4), C(3, 4).sigmoid(), P(4).detach()),
            x => F.binary_cross_entropy_with_logits(x[0], x[1], pos_weight: x[2]));

        // One-layer LSTM, sequence first; weights in PyTorch's order w_ih, w_hh, b_ih, b_hh.
        AddMany("lstm", () => In(R(5, 2, 3), R(1, 2, 4), R(1, 2, 4), R(16, 3), R(16, 4), R(16), R(16)), x =>
        {
            var (o, h, c) = F.lstm(x[0], x[1], x[2], x[3..], 1);
            return new[] { o, h, c };
        });
        // Two layers, bidirectional, batch first: layer 1 reads both directions' outputs (8 features).
        AddMany("lstm_2layer_bidirectional", () => In(R(2, 4, 3), R(4, 2, 2), R(4, 2, 2),
                R(8, 3), R(8, 2), R(8), R(8), R(8, 3), R(8, 2), R(8), R(8),
                R(8, 4), R(8, 2), R(8), R(8), R(8, 4), R(8, 2), R(8), R(8)), x =>
        {
            var (o, h, c) = F.lstm(x[0], x[1], x[2], x[3..], 2, bidirectional: true, batch_first: true);
            return new[] { o, h, c };
        });
        AddMany("gru", () => In(R(5, 2, 3), R(1, 2, 4), R(12, 3), R(12, 4), R(12), R(12)), x =>
        {
            var (o, h) = F.gru(x[0], x[1], x[2..], 1);
            return new[] { o, h };
        });
        AddMany("gru_2layer_batch_first", () => In(R(2, 4, 3), R(2, 2, 3), R(9, 3), R(9, 3), R(9), R(9), R(9, 3), R(9, 3), R(9), R(9)), x =>
        {
            var (o, h) = F.gru(x[0], x[1], x[2..], 2, batch_first: true);
            return new[] { o, h };
        });

        AddMany("attention", () => In(R(2, 2, 3, 4), R(2, 2, 5, 4), R(2, 2, 5, 4)), x =>
        {
            var (o, w) = F.scaled_dot_product_attention(x[0], x[1], x[2]);
            return new[] { o, w };
        });
        AddMany("attention_causal_offset", () => In(R(2, 3, 4), R(2, 5, 4), R(2, 5, 4)), x =>
        {
            var (o, w) = F.scaled_dot_product_attention(x[0], x[1], x[2], is_causal: true);
            return new[] { o, w };
        });
        AddMany("attention_bool_mask_scale", () => In(R(1, 2, 3, 4), R(1, 2, 5, 4), R(1, 2, 5, 4), AttentionKeepMask(3, 5)), x =>
        {
            var (o, w) = F.scaled_dot_product_attention(x[0], x[1], x[2], attn_mask: x[3], scale: 0.3);
            return new[] { o, w };
        });
        AddMany("attention_additive_mask", () => In(R(2, 3, 4), R(2, 3, 4), R(2, 3, 4), C(3, 3)), x =>
        {
            var (o, w) = F.scaled_dot_product_attention(x[0], x[1], x[2], attn_mask: x[3]);
            return new[] { o, w };
        });
    }

    /// <summary>A random keep-mask whose first column is always kept, so no row is fully masked.</summary>
    static Tensor AttentionKeepMask(long l, long s)
    {
        using var m = M(l, s);
        using var first = zeros(new[] { l, s }, ScalarType.Bool);
        first.IndexFill(1, .., 0);
        return m | first;
    }
}
