"""safetensors read and written by hand (json + struct + numpy), without the safetensors package.

The tests use it to check that files the C# binding writes follow the format, and that files written
by an independent implementation load in C#.
"""
import json
import struct

import numpy as np
import torch

# code -> (torch dtype, numpy dtype holding the same bytes). numpy has no bfloat16: carry its bits as int16.
DTYPES = {
    "F64": (torch.float64, np.float64), "F32": (torch.float32, np.float32), "F16": (torch.float16, np.float16),
    "BF16": (torch.bfloat16, np.int16), "I64": (torch.int64, np.int64), "I32": (torch.int32, np.int32),
    "I16": (torch.int16, np.int16), "I8": (torch.int8, np.int8), "U8": (torch.uint8, np.uint8), "BOOL": (torch.bool, np.bool_),
}
CODES = {t: code for code, (t, _) in DTYPES.items()}


def read(path):
    """Returns ({name: tensor}, metadata), checking the header as strictly as the format asks."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert 8 + n <= len(data), "header runs past the end of the file"
    assert n % 8 == 0, f"header length {n} is not padded to a multiple of 8"
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    assert all(isinstance(v, str) for v in metadata.values()), "metadata values must be strings"
    body = data[8 + n:]
    tensors, end = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        tdtype, ndtype = DTYPES[info["dtype"]]
        begin, stop = info["data_offsets"]
        assert begin == end, f"{name}: offsets are not contiguous"
        end = stop
        array = np.frombuffer(body[begin:stop], dtype=np.dtype(ndtype).newbyteorder("<")).copy()
        t = torch.from_numpy(array)
        if tdtype == torch.bfloat16:
            t = t.view(torch.bfloat16)
        tensors[name] = t.reshape(info["shape"])
    assert end == len(body), "bytes after the last tensor"
    return tensors, metadata


def write(path, tensors, metadata=None):
    """Writes tensors in Python's own layout: json.dumps spacing, names in insertion order, data in that order."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for b in blobs:
            f.write(b)
