"""Reference outputs and gradients for the attention parity tests, from PyTorch's own modules.

Usage: attention_parity.py IN OUT. IN (safetensors, written by AttentionParityTests) holds the inputs
"x", "ctx", "g" (the upstream gradient) and each case's weights under "<case>.<our parameter name>".
OUT gets, per case, "<case>.out", "<case>.grad_x" and "<case>.grad.<our parameter name>" (float64).
"""
import json
import struct
import sys

import numpy as np
import torch

CODES = {"F64": np.float64, "F32": np.float32, "I64": np.int64}


def read(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        a, b = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(body[a:b], dtype=CODES[info["dtype"]]).copy()).reshape(info["shape"])
    return out, meta


def write(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().to(torch.float64).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F64", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def weights_of(inputs, case):
    prefix = case + "."
    return {k[len(prefix):]: v for k, v in inputs.items() if k.startswith(prefix)}


def load(module, ours, rename):
    """Copies our weights into a PyTorch module; rename maps our names to PyTorch's."""
    module.load_state_dict({rename.get(k, k): v for k, v in ours.items()}, strict=True)
    return module


def run_case(name, module, ours, rename, forward, x, g, results):
    module = load(module.double(), ours, rename)
    x = x.clone().requires_grad_(True)
    out = forward(module, x)
    (out * g).sum().backward()
    results[f"{name}.out"] = out
    results[f"{name}.grad_x"] = x.grad
    params = dict(module.named_parameters())
    for ours_name, theirs in rename.items():
        results[f"{name}.grad.{ours_name}"] = params[theirs].grad
    for k in ours:
        if k not in rename:
            results[f"{name}.grad.{k}"] = params[k].grad


def main():
    inputs, meta = read(sys.argv[1])
    dim, heads = int(meta["dim"]), int(meta["heads"])
    x, ctx, g = inputs["x"], inputs["ctx"], inputs["g"]
    seq = x.shape[1]
    causal = torch.triu(torch.ones(seq, seq, dtype=torch.bool), 1)  # True = blocked, PyTorch's convention
    results = {}
    same = {}

    def mha():
        return torch.nn.MultiheadAttention(dim, heads, batch_first=True, dropout=0.0)

    run_case("self", mha(), weights_of(inputs, "self"), same, lambda m, x: m(x, x, x)[0], x, g, results)
    run_case("causal", mha(), weights_of(inputs, "causal"), same, lambda m, x: m(x, x, x, attn_mask=causal)[0], x, g, results)
    run_case("cross", mha(), weights_of(inputs, "cross"), same, lambda m, x: m(x, ctx, ctx)[0], x, g, results)
    # the attention weights themselves (per head) for the causal case
    m = load(mha().double(), weights_of(inputs, "causal"), same)
    results["causal.weights"] = m(x, x, x, attn_mask=causal, average_attn_weights=False)[1]

    block_names = {
        "norm1.weight": "norm1.weight", "norm1.bias": "norm1.bias", "norm2.weight": "norm2.weight", "norm2.bias": "norm2.bias",
        "attn.in_proj_weight": "self_attn.in_proj_weight", "attn.in_proj_bias": "self_attn.in_proj_bias",
        "attn.out_proj.weight": "self_attn.out_proj.weight", "attn.out_proj.bias": "self_attn.out_proj.bias",
        "mlp.fc.weight": "linear1.weight", "mlp.fc.bias": "linear1.bias", "mlp.proj.weight": "linear2.weight", "mlp.proj.bias": "linear2.bias",
    }
    for case, norm_first in (("prenorm", True), ("postnorm", False)):
        layer = torch.nn.TransformerEncoderLayer(dim, heads, dim_feedforward=4 * dim, dropout=0.0, activation="gelu",
                                                 batch_first=True, norm_first=norm_first)
        run_case(case, layer, weights_of(inputs, case), block_names,
                 lambda m, x: m(x, src_mask=causal), x, g, results)
    write(sys.argv[2], results)


if __name__ == "__main__":
    main()
