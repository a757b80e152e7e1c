"""The PyTorch side of each parity case; names and meaning mirror tests/Torch.Tests/Parity/ParityCases.*.cs.

Each entry maps a case name to a function of the case's input tensors returning a tensor or a sequence of them.
"""
import math

import torch
import torch.nn.functional as F

CASES = {}


def c(name, fn):
    if name in CASES:
        raise RuntimeError(f"case {name} defined twice")
    CASES[name] = fn


# ---- elementwise ----
c("neg", lambda x: -x)
c("abs", lambda x: x.abs())
c("exp", lambda x: x.exp())
c("log", lambda x: x.log())
c("log1p", lambda x: x.log1p())
c("log2", lambda x: x.log2())
c("sqrt", lambda x: x.sqrt())
c("rsqrt", lambda x: x.rsqrt())
c("sin", lambda x: x.sin())
c("cos", lambda x: x.cos())
c("tanh", lambda x: x.tanh())
c("sigmoid", lambda x: x.sigmoid())
c("relu", lambda x: x.relu())
c("square", lambda x: x.square())
c("reciprocal", lambda x: x.reciprocal())
c("erf", lambda x: x.erf())
c("expm1", lambda x: x.expm1())
c("floor", lambda x: (x * 3).floor())
c("ceil", lambda x: (x * 3).ceil())
c("round", lambda x: (x * 3).round())
c("sgn", lambda x: x.sgn())
c("clamp", lambda x: x.clamp(-0.5, 0.7))
c("clamp_min", lambda x: x.clamp(min=0.1))
c("clamp_tensor", lambda x, lo: torch.clamp(x, min=lo))
c("pow_scalar", lambda x: x.pow(2.5))
c("pow_tensor", lambda x, e: x.pow(e))
c("add_alpha", lambda a, b: torch.add(a, b, alpha=0.5))
c("add_broadcast", lambda a, b: a + b)
c("sub", lambda a, b: a - b)
c("mul", lambda a, b: a * b)
c("div", lambda a, b: a / b)
c("div_floor", lambda a, b: torch.div(a * 4, b, rounding_mode="floor"))
c("div_trunc", lambda a, b: torch.div(a * 4, b, rounding_mode="trunc"))
c("remainder", lambda x: torch.remainder(x, 0.7))
c("scalar_operators", lambda x, p: (2.0 - x) * 3.0 + x / 4.0 - 1.0 + 2.0 / p + 0.5 * p)
c("maximum", lambda a, b: torch.maximum(a, b))
c("minimum", lambda a, b: torch.minimum(a, b))
c("lerp", lambda a, b: torch.lerp(a, b, 0.3))
c("comparisons", lambda a, b: [a < b, a <= b, a > 0.2, a >= 0.0, a == a, a != b, a > 0.1])
c("logical", lambda a, b: [a & b, a | b, a ^ b, ~a])
c("where", lambda m, a, b: torch.where(m, a, b))
c("where_scalar", lambda m, a: torch.where(m, a, torch.tensor(0.5)))
c("masked_fill", lambda x, m: x.masked_fill(m, -1.5))
c("masked_fill_broadcast", lambda x, m: x.masked_fill(m, 2.0))
c("nan_to_num", lambda x: torch.nan_to_num(x.log(), nan=0.0, posinf=10.0, neginf=-10.0))


def _nonfinite(x):
    y = (x * 100).exp().log()
    return [y.isnan(), y.isinf(), y.isfinite()]


c("isnan_isinf_isfinite", _nonfinite)
c("to_float64", lambda x: x.to(torch.float64) * 1.5)
c("to_int64", lambda x: (x * 5).to(torch.int64))
c("half_round_trip", lambda x: x.half().float())
c("bfloat16_round_trip", lambda x: x.bfloat16().float())
c("type_as", lambda x, y: x.type_as(y))
c("arange_float", lambda: torch.arange(0.5, 3.0, 0.25))
c("arange_int", lambda: torch.arange(10))
c("linspace", lambda: torch.linspace(-1, 1, 7))
c("eye", lambda: torch.eye(3, 4))
c("full", lambda: torch.full((2, 3), 1.5))
c("zeros_ones_like", lambda x: torch.zeros_like(x) + torch.ones_like(x) * 2 + torch.full_like(x, 0.25))

# ---- reductions ----
c("sum_all", lambda x: x.sum())
c("sum_dim", lambda x: x.sum(1))
c("sum_dim0_literal", lambda x: x.sum(0))
c("sum_dims_keepdim", lambda x: x.sum((0, 2), keepdim=True))
c("sum_float64", lambda x: x.sum(dtype=torch.float64))
c("mean_all", lambda x: x.mean())
c("mean_dim_keepdim", lambda x: x.mean(-1, keepdim=True))
c("mean_dims", lambda x: x.mean((0, 1)))
c("prod_all", lambda x: x.prod())
c("prod_dim", lambda x: x.prod(1))
c("max_all", lambda x: x.max())
c("min_all", lambda x: x.min())
c("max_dim", lambda x: list(torch.max(x, 1)))
c("min_dim_keepdim", lambda x: list(x.min(-1, keepdim=True)))
c("amax", lambda x: x.amax(2))
c("amin", lambda x: x.amin(0, keepdim=True))
c("argmax_all", lambda x: x.argmax())
c("argmax_dim", lambda x: torch.argmax(x, 1))
c("argmin_dim", lambda x: x.argmin(0, keepdim=True))
c("std_all", lambda x: x.std())
c("std_dim_biased", lambda x: x.std(1, unbiased=False, keepdim=True))
c("var_all", lambda x: x.var(unbiased=False))
c("var_dim", lambda x: x.var(0))
c("norm2", lambda x: torch.linalg.vector_norm(x))
c("norm1_dim", lambda x: torch.linalg.vector_norm(x, 1, dim=1, keepdim=True))
c("logsumexp", lambda x: torch.logsumexp(x, 1))
c("cumsum", lambda x: x.cumsum(1))
c("topk", lambda x: list(x.topk(2)))
c("topk_smallest_dim0", lambda x: list(x.topk(2, 0, largest=False)))
c("sort", lambda x: list(x.sort()))
c("sort_descending_dim0", lambda x: list(x.sort(0, descending=True)))
c("argsort", lambda x: x.argsort(1, descending=True))
c("any_all", lambda x: [(x > 1.0).any(), (x > -3.0).all()])

# ---- shapes ----
c("view", lambda x: x.view(6, 4))
c("reshape", lambda x: x.reshape(4, -1))
c("permute", lambda x: x.permute(2, 0, 1))
c("transpose", lambda x: x.transpose(0, 2))
c("t", lambda x: x.t())
c("mT", lambda x: x.mT)
c("squeeze", lambda x: x.squeeze())
c("squeeze_dim", lambda x: x.squeeze(1))
c("unsqueeze", lambda x: x.unsqueeze(1))
c("flatten", lambda x: x.flatten())
c("flatten_from_1", lambda x: torch.flatten(x, 1))
c("expand", lambda x: x.expand(2, 3, 4))
c("expand_as", lambda x, y: x.expand_as(y) * y)
c("repeat", lambda x: x.repeat(2, 1, 2))
c("contiguous", lambda x: x.permute(1, 2, 0).contiguous())
c("clone", lambda x: x.clone())
c("detach", lambda x: x.detach() * 2)
c("slice_step", lambda x: x[:, 0:5:2])
c("slice_open_end", lambda x: x[:, :, 1:])
c("select", lambda x: x.select(1, -1))
c("narrow", lambda x: x.narrow(2, 1, 2))
c("split_size", lambda x: x.split(2, 1))
c("split_sizes", lambda x: x.split([1, 4], 1))
c("chunk", lambda x: torch.chunk(x, 4, 0))
c("unbind", lambda x: x.unbind(1))
c("cat_dim1", lambda a, b: torch.cat([a, b], 1))
c("cat_dim0", lambda a, b, d: torch.cat([a, b, d], 0))
c("stack", lambda a, b: torch.stack([a, b], 1))
c("gather", lambda x, i: x.gather(1, i))
c("scatter_src", lambda x, i, s: x.scatter(1, i, s))
c("scatter_value", lambda x, i: x.scatter(1, i, 2.5))
c("scatter_add", lambda x, i, s: x.scatter_add(0, i, s))
c("index_select", lambda x, i: x.index_select(1, i))
c("masked_select", lambda x, m: x.masked_select(m))
c("tril", lambda x: x.tril())
c("tril_minus1", lambda x: torch.tril(x, -1))
c("triu_batched", lambda x: torch.triu(x, 1))
c("flip", lambda x: x.flip([0, 2]))
c("roll", lambda x: x.roll(1, 1))
c("movedim", lambda x: x.movedim(0, 2))
c("unfold", lambda x: x.unfold(1, 2, 1))
c("diagonal", lambda x: x.diagonal())
c("diagonal_offset", lambda x: x.diagonal(1, 1, 2))
c("one_hot", lambda i: F.one_hot(i, 5))
c("bucketize", lambda x, b: torch.bucketize(x, b, right=True))
c("broadcast_tensors", lambda a, b: [t * 1.0 for t in torch.broadcast_tensors(a, b)])
c("meshgrid", lambda a, b: torch.meshgrid(a, b, indexing="ij"))
c("cdist", lambda a, b: torch.cdist(a, b))
c("isclose", lambda x: torch.isclose(x, x + 1e-7) & ~torch.isclose(x, x + 0.1))

# ---- indexing ----
c("index_int", lambda x: x[1])
c("index_ranges", lambda x: x[1:3, :, -2:])
c("index_step", lambda x: x[0::2, 1])
c("index_negative", lambda x: x[-1, -2])
c("index_none_ellipsis", lambda x: x[..., None, 0])
c("index_tensor", lambda x, i: x[i])
c("index_tensor_dim1", lambda x, i: x[:, i])
c("index_two_tensors", lambda x, i, j: x[i, j])
c("index_mask", lambda x, m: x[m])
c("index_mask_rows", lambda x, m: x[m])


def _index_put_tensor(x, i, v):
    y = x.clone()
    y[i] = v
    return y


def _index_put_slice(x, v):
    y = x.clone()
    y[1:3, 0] = v
    return y


def _index_fill_scalar(x):
    y = x.clone()
    y[:, 2] = 0.5
    return y


c("index_put_tensor", _index_put_tensor)
c("index_put_slice", _index_put_slice)
c("index_fill_scalar", _index_fill_scalar)

# ---- matrix products ----
c("matmul_2d", lambda a, b: a.matmul(b))
c("matmul_batched_broadcast", lambda a, b: torch.matmul(a, b))
c("matmul_vector", lambda a, b: a.matmul(b))
c("matmul_batch_broadcast_4d", lambda a, b: a.matmul(b))
c("mm", lambda a, b: torch.mm(a, b))
c("bmm", lambda a, b: torch.bmm(a, b))
c("outer", lambda a, b: torch.outer(a, b))
c("dot", lambda a, b: torch.dot(a, b))
c("einsum_attention_scores", lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k))
c("einsum_matmul", lambda a, b: torch.einsum("ij,jk->ik", a, b))
c("einsum_batch_diagonal", lambda x: torch.einsum("bii->bi", x))
c("einsum_transpose_sum", lambda x: torch.einsum("ij->j", x))
c("tensordot", lambda a, b: torch.tensordot(a, b, dims=([1, 2], [1, 0])))


def _second_derivative(x):
    y = (x * x * x).sum()
    return [torch.autograd.grad(y, x, create_graph=True)[0]]


c("second_derivative", _second_derivative)

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
        want = module(x.detach(), hx)
    want = [want[0]] + (list(want[1]) if isinstance(want[1], tuple) else [want[1]])
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
