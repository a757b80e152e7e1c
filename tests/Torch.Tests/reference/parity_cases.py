"""The PyTorch side of each tensor-op parity case; names and meaning mirror tests/Torch.Tests/Parity/ParityCases.*.cs.
Layers, losses, recurrent nets and attention are in parity_cases_nn.py.

Each entry maps a case name to a function of the case's input tensors returning a tensor or a sequence of them.
"""
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
