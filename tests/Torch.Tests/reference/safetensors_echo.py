"""Reads a safetensors file written by C# and writes it back by hand, with what Python saw.

usage: safetensors_echo.py IN OUT
OUT holds every tensor of IN unchanged (in reverse name order, so the layout differs from C#'s),
"sum.<name>" = the float64 sum of each tensor as Python reads it, and IN's metadata plus
"python_count" = the number of tensors.
"""
import sys

import torch

import safetensors_by_hand as st


def main(src, dst):
    tensors, metadata = st.read(src)
    out = {}
    for name in sorted(tensors, reverse=True):
        out[name] = tensors[name]
        out["sum." + name] = tensors[name].to(torch.float64).sum().reshape([])
    metadata = dict(metadata)
    metadata["python_count"] = str(len(tensors))
    st.write(dst, out, metadata)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
