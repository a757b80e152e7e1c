"""PyTorch half of the ArchNotebooks parity suite (tests/Torch.Tests/Parity).

Run by the C# tests with Debian's /usr/bin/python3 (python3-torch, the same libtorch the shim links):

    parity.py list                  print the case names, one a line
    parity.py run INPUTS OUTPUTS    read each case's inputs, write forward outputs and input gradients
    parity.py repr INPUTS OUTPUTS   write repr() of each tensor record (for the ToString tests)

Tensor files use the little format described in Support/TensorFile.cs. Each case in parity_cases*.py mirrors
the C# case of the same name; gradients are those of sum_k sum(out_k * w_k) with w_k = cos(0.7 i + 0.3 k + 0.1).
"""
import math
import struct
import sys
import traceback

import torch

from parity_cases import CASES
import parity_cases_nn  # noqa: F401  (registers the layer cases)
import parity_cases_spectral  # noqa: F401  (registers the torch.fft, complex and linalg cases)

# ---- tensor files ----

DTYPES = {0: torch.uint8, 3: torch.int32, 4: torch.int64, 6: torch.float32, 7: torch.float64,
          9: torch.complex64, 10: torch.complex128, 11: torch.bool}
CODES = {v: k for k, v in DTYPES.items()}


def read_file(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"ATF1":
        raise ValueError(f"{path} is not a tensor file")
    pos = 4

    def take(fmt):
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return vals

    def string():
        nonlocal pos
        (n,) = take("i")
        s = data[pos:pos + n].decode("utf-8")
        pos += n
        return s

    (count,) = take("i")
    records = []
    for _ in range(count):
        name, note = string(), string()
        (nt,) = take("i")
        tensors = []
        for _ in range(nt):
            code, flags, ndim = take("iii")
            if code < 0:
                tensors.append(None)
                continue
            shape = take("q" * ndim) if ndim else ()
            dtype = DTYPES[code]
            numel = math.prod(shape)
            nbytes = numel * torch.tensor([], dtype=dtype).element_size()
            buf = bytearray(data[pos:pos + nbytes])
            pos += nbytes
            t = torch.frombuffer(buf, dtype=dtype) if nbytes else torch.empty(0, dtype=dtype)
            t = t.reshape(shape).clone()
            if flags & 1:
                t.requires_grad_()
            tensors.append(t)
        records.append((name, note, tensors))
    return records


def write_file(path, records):
    out = bytearray(b"ATF1")
    out += struct.pack("<i", len(records))

    def string(s):
        b = s.encode("utf-8")
        out.extend(struct.pack("<i", len(b)))
        out.extend(b)

    for name, note, tensors in records:
        string(name)
        string(note)
        out += struct.pack("<i", len(tensors))
        for t in tensors:
            if t is None:
                out += struct.pack("<iii", -1, 0, 0)
                continue
            t = t.detach().cpu().resolve_conj().resolve_neg().contiguous()
            if t._is_zerotensor():  # autograd's storage-less zeros (e.g. sgn's gradient): .numpy() would read garbage
                t = torch.zeros(t.shape, dtype=t.dtype)
            out += struct.pack("<iii", CODES[t.dtype], 0, t.dim())
            out += struct.pack("<" + "q" * t.dim(), *t.shape)
            out += t.numpy().tobytes() if t.numel() else b""
    with open(path, "wb") as f:
        f.write(out)


# ---- the backward convention shared with Support/Gradients.cs ----

def weight(out, k):
    i = torch.arange(out.numel(), dtype=torch.float64)
    return (i * 0.7 + (0.3 * k + 0.1)).cos().to(out.dtype).reshape(out.shape)


def run_case(fn, inputs):
    outs = fn(*inputs)
    if isinstance(outs, torch.Tensor):
        outs = [outs]
    outs = list(outs)
    grads = [None] * len(inputs)
    wanted = [i for i, t in enumerate(inputs) if t.requires_grad]
    used = [k for k, o in enumerate(outs) if o.requires_grad]
    if wanted and used:
        g = torch.autograd.grad([outs[k] for k in used], [inputs[i] for i in wanted],
                                [weight(outs[k], k) for k in used], retain_graph=True, allow_unused=True)
        for j, i in enumerate(wanted):
            grads[i] = g[j]
    return outs, grads


def main():
    cmd = sys.argv[1]
    if cmd == "list":
        print("\n".join(sorted(CASES)))
    elif cmd == "run":
        records = [("__cases__", "\n".join(sorted(CASES)), [])]
        torch.manual_seed(20240607)
        records.append(("__randn__", "", [torch.randn(6)]))
        for name, _, inputs in read_file(sys.argv[2]):
            fn = CASES.get(name)
            if fn is None:
                continue  # the C# test reports the missing case
            try:
                outs, grads = run_case(fn, inputs)
                records.append((name + ":out", "", outs))
                records.append((name + ":grad", "", grads))
            except Exception:
                records.append((name + ":error", traceback.format_exc(), []))
        write_file(sys.argv[3], records)
    elif cmd == "repr":
        import json
        reprs = {}
        for name, _, tensors in read_file(sys.argv[2]):
            reprs[name] = repr(tensors[0])
        with open(sys.argv[3], "w") as f:
            json.dump(reprs, f)
    else:
        raise SystemExit(f"unknown command {cmd}")

if __name__ == "__main__":
    main()
