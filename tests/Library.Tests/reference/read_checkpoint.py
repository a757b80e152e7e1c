"""Reads a training checkpoint as a Python user would, without the C# code: NAME.json with json, and
NAME.safetensors by the format's layout (8-byte little-endian header length, a JSON header of
name -> dtype, shape, data_offsets, then the raw little-endian bytes) with struct and numpy.
Debian 12's python3 has no safetensors package; where it is installed, safetensors.numpy.load_file
reads the same file, and this script uses it too and checks both agree.

usage: read_checkpoint.py CHECKPOINT.json
prints JSON: the checkpoint's step and loss count, and per tensor its dtype, shape and float64 sum.
"""
import json
import os
import struct
import sys

import numpy as np

DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
          "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        array = np.frombuffer(body[start:end], dtype=np.dtype(DTYPES[entry["dtype"]]).newbyteorder("<"))
        tensors[name] = (entry["dtype"], array.reshape(entry["shape"]))
    return tensors, metadata


def main(json_path):
    with open(json_path) as f:
        checkpoint = json.load(f)
    tensors, metadata = read_safetensors(os.path.join(os.path.dirname(json_path), checkpoint["tensors"]))
    try:
        from safetensors.numpy import load_file
    except ImportError:
        load_file = None
    if load_file is not None:
        for name, array in load_file(os.path.join(os.path.dirname(json_path), checkpoint["tensors"])).items():
            assert np.array_equal(array, tensors[name][1]), name
    print(json.dumps({
        "format": checkpoint["format"], "step": checkpoint["step"], "losses": len(checkpoint["losses"]),
        "metadata": metadata, "safetensors_package": load_file is not None,
        "tensors": {name: {"dtype": dtype, "shape": list(a.shape), "sum": float(a.astype(np.float64).sum())}
                    for name, (dtype, a) in tensors.items()},
    }))


if __name__ == "__main__":
    main(sys.argv[1])
