#!/usr/bin/python3
"""PyTorch interoperability of backprop checkpoints (golden files).

Run by hand from the repository root with Debian's python3-torch (1.13):

    /usr/bin/python3 testdata/checkpoint_torch.py

PyTorch to backprop. The script builds two small models with fixed seeds,

    mlp: Sequential(Linear(4, 8), ReLU(), Linear(8, 3))
    cnn: Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU(),
                    MaxPool2d(2), Flatten(), Linear(36, 5))

gives the BatchNorm non-trivial running statistics (a few forward passes in
training mode), and writes each state_dict as a safetensors file:

    testdata/checkpoint_torch_mlp.safetensors
    testdata/checkpoint_torch_cnn.safetensors

plus testdata/checkpoint_torch.json holding, for each model, its state-dict
keys with their shapes, a fixed input and the model's output for it in eval
mode. checkpoint/torch_test.go builds the same models with package nn, loads
the files with checkpoint.Load and checks that the outputs agree.

backprop to PyTorch. A checkpoint written by checkpoint.Save is a safetensors
file whose model tensors carry their PyTorch state-dict names, unprefixed;
the optimizer's and the schedule's tensors sit under the names "__optim__."
and "__sched__.", and the epoch, step, RNG state and metadata in the header's
"__metadata__" map. To use such a file in PyTorch, read it, drop the names
that start with "__" and call load_state_dict; load_backprop_checkpoint below
does exactly that. With the `safetensors` package installed the reading part
is simply

    from safetensors.torch import load_file
    sd = {k: v for k, v in load_file(path).items() if not k.startswith("__")}
    model.load_state_dict(sd)

This script carries its own small reader and writer (struct + json, following
the format's specification) because that package is not installed here. To
check a file written by backprop for the mlp model above:

    /usr/bin/python3 testdata/checkpoint_torch.py --check FILE

loads FILE into the torch mlp and compares its output on the recorded input
with the output backprop recorded in the file's metadata under "check_output"
(see checkpoint/torch_test.go, which writes such a file when the environment
variable BACKPROP_TORCH_CHECK names a path).
"""

import json
import os
import struct
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))

# safetensors dtype names and the torch dtypes they map to.
DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}


def write_safetensors(path, tensors, metadata=None):
    """Write a dict of tensors as a safetensors file.

    The file is an 8-byte little-endian header length N, an N-byte JSON
    header mapping each name to its dtype, shape and [begin, end) byte
    offsets into the data that follows (plus an optional "__metadata__" map
    of strings), padded with spaces to a multiple of 8, then the raw
    little-endian data of the tensors in the order of the offsets.
    """
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        data = t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * (-len(hb) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Read a safetensors file; return (dict of tensors, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    data = raw[8 + n :]
    tensors = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        dt = DTYPES[e["dtype"]]
        buf = bytearray(data[begin:end])
        if dt == torch.bfloat16:
            t = torch.frombuffer(buf, dtype=torch.int16).view(torch.bfloat16) if buf else torch.empty(0, dtype=dt)
        else:
            t = torch.frombuffer(buf, dtype=dt) if buf else torch.empty(0, dtype=dt)
        tensors[name] = t.reshape(e["shape"]).clone()
    return tensors, metadata


def load_backprop_checkpoint(path, model, strict=True):
    """Load a checkpoint written by backprop's checkpoint.Save into model.

    The tensors whose names start with "__" (optimizer and schedule state)
    are dropped; the rest is the model's state dict under PyTorch's names.
    Returns the file's metadata (epoch, step, hyperparameters, ...).
    """
    tensors, metadata = read_safetensors(path)
    sd = {k: v for k, v in tensors.items() if not k.startswith("__")}
    model.load_state_dict(sd, strict=strict)
    return metadata


def make_mlp():
    torch.manual_seed(1)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def make_cnn():
    torch.manual_seed(2)
    m = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(36, 5),
    )
    # Non-trivial affine parameters and running statistics.
    with torch.no_grad():
        m[1].weight.uniform_(0.5, 1.5)
        m[1].bias.uniform_(-0.5, 0.5)
    m.train()
    for _ in range(3):
        m(torch.randn(8, 1, 6, 6) * 2 + 0.5)
    return m


def record(name, model, x):
    model.eval()
    with torch.no_grad():
        y = model(x)
    path = os.path.join(HERE, "checkpoint_torch_%s.safetensors" % name)
    write_safetensors(path, model.state_dict(), {"source": "testdata/checkpoint_torch.py"})
    # Read the file back with the reader above: both directions use it.
    back, _ = read_safetensors(path)
    for k, v in model.state_dict().items():
        assert torch.equal(back[k], v), k
    return {
        "file": os.path.basename(path),
        "keys": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        "input": {"shape": list(x.shape), "data": x.reshape(-1).tolist()},
        "output": {"shape": list(y.shape), "data": y.reshape(-1).tolist()},
    }


def check(path):
    """Load a backprop checkpoint into the mlp and compare outputs."""
    model = make_mlp()
    metadata = load_backprop_checkpoint(path, model)
    with open(os.path.join(HERE, "checkpoint_torch.json")) as f:
        golden = json.load(f)["mlp"]
    x = torch.tensor(golden["input"]["data"], dtype=torch.float32).reshape(golden["input"]["shape"])
    model.eval()
    with torch.no_grad():
        y = model(x).reshape(-1)
    want = torch.tensor(json.loads(metadata["check_output"]), dtype=torch.float32)
    err = (y - want).abs().max().item()
    print("loaded %s: epoch %s, step %s, max |torch - backprop| = %.3g" % (path, metadata.get("__epoch__"), metadata.get("__step__"), err))
    if err > 1e-5:
        sys.exit("outputs differ")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
        return
    torch.manual_seed(3)
    mlp_x = torch.randn(5, 4)
    cnn_x = torch.randn(2, 1, 6, 6)
    out = {"mlp": record("mlp", make_mlp(), mlp_x), "cnn": record("cnn", make_cnn(), cnn_x)}
    with open(os.path.join(HERE, "checkpoint_torch.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
