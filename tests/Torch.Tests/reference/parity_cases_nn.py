"""The PyTorch side of the layer, loss, recurrent and attention parity cases (see parity_cases.py)."""
import math

import torch
import torch.nn.functional as F

from parity_cases import c

# ---- layers ----
c("linear", lambda x, w, b: F.linear(x, w, b))
c("linear_no_bias", lambda x, w: F.linear(x, w))
c("conv1d", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1))
c("conv1d_groups_dilation", lambda x, w: F.conv1d(x, w, dilation=2, groups=2))
c("conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 0)))
c("conv2d_scalar_args", lambda x, w, b: F.conv2d(x, w, b, 1, 1))
c("conv2d_depthwise_dilated", lambda x, w: F.conv2d(x, w, None, 1, 0, dilation=2, groups=3))
c("conv3d", lambda x, w, b: F.conv3d(x, w, b, 1, 1))
c("max_pool1d", lambda x: F.max_pool1d(x, 2))
c("max_pool1d_stride_padding", lambda x: F.max_pool1d(x, 3, stride=2, padding=1))
c("max_pool2d", lambda x: F.max_pool2d(x, 2))
c("max_pool2d_stride_padding", lambda x: F.max_pool2d(x, 3, 2, 1))
c("max_pool3d", lambda x: F.max_pool3d(x, 2))
c("avg_pool1d", lambda x: F.avg_pool1d(x, 2))
c("avg_pool2d_stride_padding", lambda x: F.avg_pool2d(x, 3, 2, 1))
c("avg_pool3d", lambda x: F.avg_pool3d(x, 2))
c("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 3))
c("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 3)))
c("adaptive_avg_pool3d", lambda x: F.adaptive_avg_pool3d(x, (2, 2, 1)))
c("layer_norm", lambda x, w, b: F.layer_norm(x, [4], w, b))
c("layer_norm_2d_no_affine", lambda x: F.layer_norm(x, [3, 4]))
c("group_norm", lambda x, w, b: F.group_norm(x, 3, w, b))
c("group_norm_no_affine", lambda x: F.group_norm(x, 2, eps=1e-3))
c("batch_norm_eval", lambda x, rm, rv, w, b: F.batch_norm(x, rm, rv, w, b, training=False))


def _batch_norm_train(x, rm, rv, w, b):
    y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.2)
    return [y, rm.clone(), rv.clone()]


c("batch_norm_train", _batch_norm_train)
c("embedding", lambda i, w: F.embedding(i, w))
c("embedding_padding_idx", lambda i, w: F.embedding(i, w, padding_idx=0))
c("softmax_last", lambda x: F.softmax(x, -1))
c("softmax_dim0", lambda x: torch.softmax(x, 0))
c("log_softmax", lambda x: F.log_softmax(x, 1))
c("gelu", lambda x: F.gelu(x))
c("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"))
c("silu", lambda x: F.silu(x))
c("functional_relu", lambda x: F.relu(x))
c("functional_tanh", lambda x: torch.tanh(x))
c("functional_sigmoid", lambda x: torch.sigmoid(x))
c("leaky_relu", lambda x: F.leaky_relu(x, 0.1))
c("elu", lambda x: F.elu(x, 0.5))
c("softplus", lambda x: F.softplus(x, beta=2, threshold=1))
c("rms_norm", lambda x, w: x * x.square().mean(-1, keepdim=True).add(1e-6).rsqrt() * w)
c("normalize", lambda x: F.normalize(x, p=2, dim=-1))
c("normalize_p1_dim0", lambda x: F.normalize(x, p=1, dim=0))
c("pad_last", lambda x: F.pad(x, (1, 2)))
c("pad_two_dims_value", lambda x: F.pad(x, (1, 1, 2, 0), value=0.5))
c("dropout_p0", lambda x: F.dropout(x, 0.0))
c("dropout_eval", lambda x: F.dropout(x, 0.5, training=False))

# ---- losses ----
c("cross_entropy", lambda x, t: F.cross_entropy(x, t))
c("cross_entropy_label_smoothing", lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1))
c("cross_entropy_weight_ignore", lambda x, t, w: F.cross_entropy(x, t, weight=w))
c("cross_entropy_sum", lambda x, t: F.cross_entropy(x, t, reduction="sum"))
c("cross_entropy_none", lambda x, t: F.cross_entropy(x, t, reduction="none"))
c("cross_entropy_probabilities", lambda x, p: F.cross_entropy(x, p.softmax(1), label_smoothing=0.05))
c("cross_entropy_spatial_smoothing_weight", lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.2))
c("nll_loss", lambda x, t: F.nll_loss(F.log_softmax(x, 1), t))
c("mse_loss", lambda a, b: F.mse_loss(a, b))
c("mse_loss_sum", lambda a, b: F.mse_loss(a, b, reduction="sum"))
c("l1_loss", lambda a, b: F.l1_loss(a, b))
c("bce_with_logits", lambda x, y, pw: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw))


# ---- recurrent: the ATen op (what C# calls), checked against the nn module with the same weights ----

def _check_module(module, weights, x, hx, got):
    with torch.no_grad():
        for name, w in zip(module._flat_weights_names, weights):
            getattr(module, name).copy_(w)
    # The module runs with autograd on, as the op did (its weights require grad): under no_grad some
    # builds take another kernel, and Debian trixie's PyTorch 2.6 returns different LSTM outputs there
    # (oneDNN's inference path; sum 2.40 against 3.74 from its training path and from 2.14), which this
    # weight-order check would misreport. See the README, "libtorch 2.x".
    want = module(x.detach(), hx)
    want = [want[0].detach()] + [t.detach() for t in (want[1] if isinstance(want[1], tuple) else [want[1]])]
    for a, b in zip(got, want):
        if not torch.allclose(a, b, rtol=1e-5, atol=1e-6):
            raise AssertionError(f"{type(module).__name__} module and the ATen op disagree: weight order differs")


def _lstm(layers, hidden, bidirectional, batch_first):
    def run(x, h0, c0, *weights):
        out = torch.lstm(x, (h0, c0), list(weights), True, layers, 0.0, False, bidirectional, batch_first)
        module = torch.nn.LSTM(x.shape[-1], hidden, layers, bidirectional=bidirectional, batch_first=batch_first)
        _check_module(module, weights, x, (h0.detach(), c0.detach()), [t.detach() for t in out])
        return list(out)
    return run


def _gru(layers, hidden, batch_first):
    def run(x, h0, *weights):
        out = torch.gru(x, h0, list(weights), True, layers, 0.0, False, False, batch_first)
        module = torch.nn.GRU(x.shape[-1], hidden, layers, batch_first=batch_first)
        _check_module(module, weights, x, h0.detach(), [t.detach() for t in out])
        return list(out)
    return run


c("lstm", _lstm(1, 4, False, False))
c("lstm_2layer_bidirectional", _lstm(2, 2, True, True))
c("gru", _gru(1, 4, False))
c("gru_2layer_batch_first", _gru(2, 3, True))


# ---- attention, written out: softmax(Q K^T / sqrt(d) + mask) V ----

def attention(q, k, v, mask=None, causal=False, scale=None):
    d, l, s = q.shape[-1], q.shape[-2], k.shape[-2]
    scores = q @ k.transpose(-2, -1) * (scale if scale is not None else 1.0 / math.sqrt(d))
    if causal:
        keep = torch.ones(l, s, dtype=torch.bool).tril(s - l)
        scores = scores.masked_fill(~keep, float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    weights = scores.softmax(-1)
    return [weights @ v, weights]


c("attention", lambda q, k, v: attention(q, k, v))
c("attention_causal_offset", lambda q, k, v: attention(q, k, v, causal=True))
c("attention_bool_mask_scale", lambda q, k, v, m: attention(q, k, v, mask=m, scale=0.3))
c("attention_additive_mask", lambda q, k, v, m: attention(q, k, v, mask=m))
