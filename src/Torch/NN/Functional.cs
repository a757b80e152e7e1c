using ArchNotebooks.Torch.Interop;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Stateless building blocks (torch.nn.functional).</summary>
        public static partial class functional
        {
            static readonly Op linearOp = new("linear"), conv1dOp = new("conv1d"), conv2dOp = new("conv2d"), conv3dOp = new("conv3d");
            static readonly Op maxPool1d = new("max_pool1d"), maxPool2d = new("max_pool2d"), maxPool3d = new("max_pool3d");
            static readonly Op avgPool1d = new("avg_pool1d"), avgPool2d = new("avg_pool2d"), avgPool3d = new("avg_pool3d");
            static readonly Op adaptiveAvg1d = new("adaptive_avg_pool1d"), adaptiveAvg2d = new("adaptive_avg_pool2d"), adaptiveAvg3d = new("adaptive_avg_pool3d");
            static readonly Op layerNormOp = new("layer_norm"), groupNormOp = new("group_norm"), batchNormOp = new("batch_norm");
            static readonly Op dropoutOp = new("dropout"), embeddingOp = new("embedding");
            static readonly Op geluOp = new("gelu"), siluOp = new("silu"), leakyReluOp = new("leaky_relu"), eluOp = new("elu"), softplusOp = new("softplus");
            static readonly Op crossEntropyOp = new("cross_entropy_loss"), nllLossOp = new("nll_loss"), mseLossOp = new("mse_loss");
            static readonly Op l1LossOp = new("l1_loss"), bceLogitsOp = new("binary_cross_entropy_with_logits"), padOp = new("constant_pad_nd");
            static readonly Op lstmOp = new("lstm", "input"), gruOp = new("gru", "input"), rnnTanhOp = new("rnn_tanh", "input"), rnnReluOp = new("rnn_relu", "input");
            static readonly Op normalizeOp = new("linalg_vector_norm");

            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) => linearOp.Call(input, weight, bias);

            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                conv1dOp.Call(input, weight, bias, new[] { stride }, new[] { padding }, new[] { dilation }, groups);
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1) =>
                conv2dOp.Call(input, weight, bias, stride ?? new long[] { 1, 1 }, padding ?? new long[] { 0, 0 }, dilation ?? new long[] { 1, 1 }, groups);
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias, long stride, long padding, long dilation = 1, long groups = 1) =>
                conv2dOp.Call(input, weight, bias, stride, padding, dilation, groups);
            public static Tensor conv3d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1) =>
                conv3dOp.Call(input, weight, bias, stride ?? new long[] { 1, 1, 1 }, padding ?? new long[] { 0, 0, 0 }, dilation ?? new long[] { 1, 1, 1 }, groups);
            public static Tensor conv3d(Tensor input, Tensor weight, Tensor? bias, long stride, long padding, long dilation = 1, long groups = 1) =>
                conv3dOp.Call(input, weight, bias, stride, padding, dilation, groups);

            public static Tensor max_pool1d(Tensor input, long kernel_size, long? stride = null, long padding = 0) =>
                maxPool1d.Call(input, kernel_size, stride ?? kernel_size, padding);
            public static Tensor max_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0) =>
                maxPool2d.Call(input, kernel_size, stride ?? kernel_size, padding);
            public static Tensor max_pool3d(Tensor input, long kernel_size, long? stride = null, long padding = 0) =>
                maxPool3d.Call(input, kernel_size, stride ?? kernel_size, padding);
            public static Tensor avg_pool1d(Tensor input, long kernel_size, long? stride = null, long padding = 0) =>
                avgPool1d.Call(input, kernel_size, stride ?? kernel_size, padding);
            public static Tensor avg_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0) =>
                avgPool2d.Call(input, kernel_size, stride ?? kernel_size, padding);
            public static Tensor avg_pool3d(Tensor input, long kernel_size, long? stride = null, long padding = 0) =>
                avgPool3d.Call(input, kernel_size, stride ?? kernel_size, padding);
            public static Tensor adaptive_avg_pool1d(Tensor input, long output_size) => adaptiveAvg1d.Call(input, output_size);
            public static Tensor adaptive_avg_pool2d(Tensor input, long[] output_size) => adaptiveAvg2d.Call(input, output_size);
            public static Tensor adaptive_avg_pool3d(Tensor input, long[] output_size) => adaptiveAvg3d.Call(input, output_size);

            public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                layerNormOp.Call(input, normalized_shape, weight, bias, eps);
            public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                groupNormOp.Call(input, num_groups, weight, bias, eps);
            /// <summary>Batch norm; in training mode it updates running_mean/running_var in place.</summary>
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                bool training = false, double momentum = 0.1, double eps = 1e-5) =>
                batchNormOp.Call(input, weight, bias, running_mean, running_var, training, momentum, eps, false);
            /// <summary>RMSNorm: x / sqrt(mean(x^2) + eps) * weight, over the last dimension.</summary>
            public static Tensor rms_norm(Tensor input, Tensor? weight = null, double eps = 1e-6)
            {
                using var scope = NewDisposeScope();
                var y = input * input.square().mean(-1, keepdim: true).add(eps).rsqrt();
                if (weight is not null) y = y * weight;
                return y.MoveToOuterDisposeScope();
            }

            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                if (p < 0 || p > 1) throw new ArgumentException($"dropout probability must be in [0, 1], got {p}");
                return dropoutOp.Call(input, p, training);
            }

            public static Tensor embedding(Tensor input, Tensor weight, long padding_idx = -1) => embeddingOp.Call(weight, input, padding_idx);

            public static Tensor relu(Tensor x) => x.relu();
            public static Tensor tanh(Tensor x) => x.tanh();
            public static Tensor sigmoid(Tensor x) => x.sigmoid();
            /// <summary>GELU; approximate "none" (erf) or "tanh".</summary>
            public static Tensor gelu(Tensor x, string approximate = "none") => geluOp.Call(x, Arg.Kw("approximate", approximate));
            public static Tensor silu(Tensor x) => siluOp.Call(x);
            public static Tensor leaky_relu(Tensor x, double negative_slope = 0.01) => leakyReluOp.Call(x, negative_slope);
            public static Tensor elu(Tensor x, double alpha = 1) => eluOp.Call(x, alpha);
            public static Tensor softplus(Tensor x, double beta = 1, double threshold = 20) => softplusOp.Call(x, beta, threshold);
            public static Tensor softmax(Tensor x, long dim) => x.softmax(dim);
            public static Tensor log_softmax(Tensor x, long dim) => x.log_softmax(dim);

            public static Tensor pad(Tensor x, long[] pad, double value = 0) => padOp.Call(x, pad, value);

            /// <summary>x / max(||x||_p, eps) along dim.</summary>
            public static Tensor normalize(Tensor x, double p = 2, long dim = -1, double eps = 1e-12)
            {
                using var n = normalizeOp.Call(x, p, new[] { dim }, true);
                using var c = n.clamp(eps);
                return x / c;
            }

            static long ReductionCode(string reduction) => reduction switch
            {
                "none" => 0, "mean" => 1, "sum" => 2,
                _ => throw new ArgumentException($"reduction must be 'none', 'mean' or 'sum', got '{reduction}'"),
            };

            /// <summary>Cross entropy over class logits (N, C, ...) and class indices or probabilities.</summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                string reduction = "mean", double label_smoothing = 0)
            {
                if (label_smoothing < 0 || label_smoothing > 1) throw new ArgumentException($"label_smoothing must be in [0, 1], got {label_smoothing}");
                return crossEntropyOp.Call(input, target, weight, ReductionCode(reduction), ignore_index, label_smoothing);
            }

            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, string reduction = "mean") =>
                nllLossOp.Call(input, target, weight, ReductionCode(reduction), ignore_index);
            public static Tensor mse_loss(Tensor input, Tensor target, string reduction = "mean") => mseLossOp.Call(input, target, ReductionCode(reduction));
            public static Tensor l1_loss(Tensor input, Tensor target, string reduction = "mean") => l1LossOp.Call(input, target, ReductionCode(reduction));
            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean", Tensor? pos_weight = null) =>
                bceLogitsOp.Call(input, target, weight, pos_weight, ReductionCode(reduction));

            /// <summary>
            /// Multi-layer LSTM over (seq, batch, feature) or batch_first input. weights holds, per layer and
            /// direction, w_ih, w_hh, b_ih, b_hh (PyTorch's order). Returns output, h_n, c_n.
            /// </summary>
            public static (Tensor output, Tensor h, Tensor c) lstm(Tensor input, Tensor h0, Tensor c0, Tensor[] weights, long num_layers,
                bool bias = true, double dropout = 0, bool train = false, bool bidirectional = false, bool batch_first = false)
            {
                CheckRecurrent("lstm", input, new[] { h0, c0 }, weights, num_layers, bias, bidirectional, batch_first);
                var r = lstmOp.CallTensors(input, new[] { h0, c0 }, weights, bias, num_layers, dropout, train, bidirectional, batch_first);
                return (r[0], r[1], r[2]);
            }

            /// <summary>Multi-layer GRU; weights as for lstm. Returns output, h_n.</summary>
            public static (Tensor output, Tensor h) gru(Tensor input, Tensor h0, Tensor[] weights, long num_layers,
                bool bias = true, double dropout = 0, bool train = false, bool bidirectional = false, bool batch_first = false)
            {
                CheckRecurrent("gru", input, new[] { h0 }, weights, num_layers, bias, bidirectional, batch_first);
                var r = gruOp.CallTensors(input, h0, weights, bias, num_layers, dropout, train, bidirectional, batch_first);
                return (r[0], r[1]);
            }

            /// <summary>Multi-layer Elman RNN, h' = act(W_ih x + b_ih + W_hh h + b_hh) with act tanh or relu; weights as for lstm. Returns output, h_n.</summary>
            public static (Tensor output, Tensor h) rnn(Tensor input, Tensor h0, Tensor[] weights, long num_layers, string nonlinearity = "tanh",
                bool bias = true, double dropout = 0, bool train = false, bool bidirectional = false, bool batch_first = false)
            {
                var op = nonlinearity switch
                {
                    "tanh" => rnnTanhOp,
                    "relu" => rnnReluOp,
                    _ => throw new ArgumentException($"rnn: nonlinearity must be 'tanh' or 'relu', got '{nonlinearity}'"),
                };
                CheckRecurrent("rnn", input, new[] { h0 }, weights, num_layers, bias, bidirectional, batch_first);
                var r = op.CallTensors(input, h0, weights, bias, num_layers, dropout, train, bidirectional, batch_first);
                return (r[0], r[1]);
            }

            // libtorch 1.13 indexes the weight and hidden-state lists without checking their lengths (too few
            // weights for num_layers segfaults, in PyTorch too), so the counts are checked here first.
            static void CheckRecurrent(string name, Tensor input, Tensor[] hidden, Tensor[] weights, long num_layers,
                bool bias, bool bidirectional, bool batch_first)
            {
                if (num_layers < 1) throw new ArgumentException($"{name}: num_layers must be at least 1, got {num_layers}");
                long directions = bidirectional ? 2 : 1, perLayer = bias ? 4 : 2;
                if (weights.Length != num_layers * directions * perLayer)
                    throw new ArgumentException($"{name}: expected {num_layers * directions * perLayer} weight tensors " +
                        $"({(bias ? "w_ih, w_hh, b_ih, b_hh" : "w_ih, w_hh")} for each of {num_layers} layer(s) x {directions} direction(s)), got {weights.Length}");
                var x = input.shape;
                if (x.Length != 3)
                    throw new ArgumentException($"{name}: input must be 3-D ({(batch_first ? "batch, seq" : "seq, batch")}, feature), got shape [{string.Join(", ", x)}]");
                long batch = batch_first ? x[0] : x[1];
                foreach (var h in hidden)
                {
                    var s = h.shape;
                    if (s.Length != 3 || s[0] != num_layers * directions || s[1] != batch)
                        throw new ArgumentException($"{name}: hidden state must have shape [{num_layers * directions}, {batch}, hidden_size] " +
                            $"(layers x directions, batch, hidden), got [{string.Join(", ", s)}]");
                }
            }

            /// <summary>
            /// softmax(Q K^T / sqrt(d) + mask) V, written out so the attention weights can be returned.
            /// mask is additive (float, -inf where blocked) or boolean (true = keep). Shapes (..., L, d) and (..., S, d).
            /// </summary>
            public static (Tensor output, Tensor weights) scaled_dot_product_attention(Tensor query, Tensor key, Tensor value,
                Tensor? attn_mask = null, double dropout_p = 0, bool is_causal = false, double? scale = null, bool training = true)
            {
                using var scope = NewDisposeScope();
                long d = query.size(-1), l = query.size(-2), s = key.size(-2);
                var scores = query.matmul(key.transpose(-2, -1)).mul(scale ?? 1.0 / Math.Sqrt(d));
                if (is_causal)
                {
                    var keep = ones(new[] { l, s }, ScalarType.Bool, query.device).tril(s - l);
                    scores = scores.masked_fill(keep.logical_not(), double.NegativeInfinity);
                }
                if (attn_mask is not null)
                    scores = attn_mask.dtype == ScalarType.Bool
                        ? scores.masked_fill(attn_mask.logical_not(), double.NegativeInfinity)
                        : scores + attn_mask;
                var weights = scores.softmax(-1);
                var used = dropout_p > 0 && training ? dropout(weights, dropout_p, true) : weights;
                var output = used.matmul(value);
                return (output.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
            }
        }
    }
}
