"""Reference outputs and gradients for RMSNorm, rotary positions and ALiBi, written out in PyTorch.

Usage: position_parity.py IN OUT. IN (safetensors, written by PositionParityTests) holds inputs "x", "g"
(upstream gradient), "x6", "g6" (for the 6-head case) and each case's weights under "<case>.<name>".
OUT gets "<case>.out", "<case>.grad_x" and "<case>.grad.<name>" (float64), as attention_parity.py does.

Each reference is written from its paper, independently of the C# code:
- RMSNorm (Zhang & Sennrich 2019): x / sqrt(mean(x^2) + eps) * g. torch 1.13 has no nn.RMSNorm.
- Rotary (Su et al. 2021) in its complex form: dimension pairs (i, i + d/2) are complex numbers
  rotated by e^{i p theta_i}, theta_i = 10000^(-2i/d), applied to queries and keys before the dot product.
- ALiBi (Press et al. 2022): the slopes from the paper's reference code, the bias -m_h |i - j| added to
  the scores through nn.MultiheadAttention's float attn_mask.
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from attention_parity import read, run_case, write  # noqa: E402  (same safetensors reader, writer and case runner)


class RMSNormRef(torch.nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(dim, dtype=torch.float64))
        self.eps = eps

    def forward(self, x):
        return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def alibi_slopes(n):
    """Verbatim logic of get_slopes from github.com/ofirpress/attention_with_linear_biases."""
    def power_of_2(n):
        start = 2 ** (-2 ** -(math.log2(n) - 3))
        return [start * start ** i for i in range(n)]
    if math.log2(n).is_integer():
        return power_of_2(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_2(closest) + alibi_slopes(2 * closest)[0::2][:n - closest]


def alibi_bias(heads, length, causal):
    pos = torch.arange(length, dtype=torch.float64)
    distance = (pos[:, None] - pos[None, :]).abs()
    slopes = torch.tensor(alibi_slopes(heads), dtype=torch.float64)
    bias = -slopes[:, None, None] * distance
    if causal:
        bias = bias.masked_fill(torch.triu(torch.ones(length, length, dtype=torch.bool), 1), float("-inf"))
    return bias


def rotate_complex(t, theta_times_pos):
    """t (B, H, L, d): pairs (t[..., i], t[..., i + d/2]) as complex numbers, multiplied by e^{i angle}."""
    half = t.shape[-1] // 2
    z = torch.complex(t[..., :half], t[..., half:]) * torch.polar(torch.ones_like(theta_times_pos), theta_times_pos)
    return torch.cat([z.real, z.imag], -1)


def rotary_attention(w, x, heads, causal):
    b, l, d = x.shape
    hd = d // heads
    q, k, v = torch.nn.functional.linear(x, w["in_proj_weight"], w["in_proj_bias"]).chunk(3, -1)
    q, k, v = (t.reshape(b, l, heads, hd).transpose(1, 2) for t in (q, k, v))
    theta = 10000.0 ** (-2 * torch.arange(hd // 2, dtype=torch.float64) / hd)
    angles = torch.arange(l, dtype=torch.float64)[:, None] * theta[None, :]
    q, k = rotate_complex(q, angles), rotate_complex(k, angles)
    scores = q @ k.transpose(-1, -2) / math.sqrt(hd)
    if causal:
        scores = scores.masked_fill(torch.triu(torch.ones(l, l, dtype=torch.bool), 1), float("-inf"))
    o = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, l, d)
    return torch.nn.functional.linear(o, w["out_proj.weight"], w["out_proj.bias"])


def run(name, ours, forward, x, g, results):
    """A written-out forward(params, x), params our names -> leaf tensors; records output and gradients."""
    params = {k: v.clone().requires_grad_(True) for k, v in ours.items()}
    x = x.clone().requires_grad_(True)
    out = forward(params, x)
    (out * g).sum().backward()
    results[f"{name}.out"] = out
    results[f"{name}.grad_x"] = x.grad
    for k, p in params.items():
        results[f"{name}.grad.{k}"] = p.grad


def alibi_forward(heads, causal):
    def forward(m, x):
        b, l, _ = x.shape
        mask = alibi_bias(heads, l, causal).unsqueeze(0).expand(b, heads, l, l).reshape(b * heads, l, l)
        return m(x, x, x, attn_mask=mask, need_weights=False)[0]
    return forward


def main():
    inputs, meta = read(sys.argv[1])
    dim, heads, eps = int(meta["dim"]), int(meta["heads"]), float(meta["eps"])
    x, g, x6, g6 = inputs["x"], inputs["g"], inputs["x6"], inputs["g6"]
    seq = x.shape[1]
    results = {}

    def weights(case):
        return {k[len(case) + 1:]: v for k, v in inputs.items() if k.startswith(case + ".")}

    run("rms", weights("rms"), lambda p, x: x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps) * p["weight"], x, g, results)

    # A pre-norm causal block with both norms RMSNorm: PyTorch's own encoder layer with its norms swapped.
    names = {
        "norm1.weight": "norm1.weight", "norm2.weight": "norm2.weight",
        "attn.in_proj_weight": "self_attn.in_proj_weight", "attn.in_proj_bias": "self_attn.in_proj_bias",
        "attn.out_proj.weight": "self_attn.out_proj.weight", "attn.out_proj.bias": "self_attn.out_proj.bias",
        "mlp.fc.weight": "linear1.weight", "mlp.fc.bias": "linear1.bias", "mlp.proj.weight": "linear2.weight", "mlp.proj.bias": "linear2.bias",
    }
    layer = torch.nn.TransformerEncoderLayer(dim, heads, dim_feedforward=4 * dim, dropout=0.0, activation="gelu",
                                             batch_first=True, norm_first=True)
    layer.norm1, layer.norm2 = RMSNormRef(dim, eps), RMSNormRef(dim, eps)
    causal = torch.triu(torch.ones(seq, seq, dtype=torch.bool), 1)
    run_case("rmsblock", layer, weights("rmsblock"), names, lambda m, x: m(x, src_mask=causal), x, g, results)

    run("rotary", weights("rotary"), lambda p, x: rotary_attention(p, x, heads, causal=False), x, g, results)
    run("rotary_causal", weights("rotary_causal"), lambda p, x: rotary_attention(p, x, heads, causal=True), x, g, results)
    def mha(d, h):
        return torch.nn.MultiheadAttention(d, h, batch_first=True, dropout=0.0)

    run_case("alibi_causal", mha(dim, heads), weights("alibi_causal"), {}, alibi_forward(heads, causal=True), x, g, results)
    run_case("alibi", mha(dim, heads), weights("alibi"), {}, alibi_forward(heads, causal=False), x, g, results)
    run_case("alibi6", mha(x6.shape[-1], 6), weights("alibi6"), {}, alibi_forward(6, causal=True), x6, g6, results)
    write(sys.argv[2], results)


if __name__ == "__main__":
    main()
