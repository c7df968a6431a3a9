#!/usr/bin/python3
"""Record PyTorch golden values for the layers of package nn.

Run by hand from the repository root with Debian's python3-torch:

    /usr/bin/python3 testdata/nn_parity.py

It writes testdata/nn_parity.json, which nn/parity_test.go reads. For each
case it records the layer's configuration, its input, its state dict before
the call (parameters and buffers, under PyTorch's key names), the gradient
of the loss with respect to the output (the loss is sum(output * grad_output)),
and the results: the output, the gradient of the input, the gradients of the
parameters and the state dict after the call (BatchNorm's running statistics).

Inputs and weights are drawn in float32 with a fixed seed, so they are exact
in both float32 and float64; the layers then run in float64, so the recorded
results are float64 references for both of the Go precisions.
"""

import json
import os

import torch
import torch.nn as nn

torch.manual_seed(20240607)


def rnd(*shape, lo=-2.0, hi=2.0):
    return (torch.rand(*shape, dtype=torch.float32) * (hi - lo) + lo).double()


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32).double()


def enc(t):
    t = t.detach()
    if t.dtype == torch.int64:
        return {"shape": list(t.shape), "dtype": "int64", "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "dtype": "float64", "data": [float(v) for v in t.reshape(-1).tolist()]}


def randomize(m):
    """Give every floating-point parameter float32-exact random values, so
    gradient checks against weights that are not ones and zeros mean something."""
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.copy_(randn(*p.shape))


def record(name, layer, config, module, x, forwards=1, train=True, prepare=None):
    module = module.double()
    if prepare is not None:
        prepare(module)
    module.train(train)
    state = {k: enc(v) for k, v in module.state_dict().items()}
    if x.dtype.is_floating_point:
        x = x.clone().requires_grad_(True)
    y = None
    for _ in range(forwards):
        y = module(x)
    gy = randn(*y.shape)
    (y * gy).sum().backward()
    case = {
        "name": name,
        "layer": layer,
        "config": config,
        "train": train,
        "forwards": forwards,
        "input": enc(x),
        "state": state,
        "grad_output": enc(gy),
        "output": enc(y),
        "grad_params": {k: enc(p.grad) for k, p in module.named_parameters()},
        "state_after": {k: enc(v) for k, v in module.state_dict().items()},
    }
    if x.dtype.is_floating_point:
        case["grad_input"] = enc(x.grad)
    cases.append(case)


cases = []

# Linear.
record("linear", "linear", {"in": 5, "out": 3, "bias": True}, nn.Linear(5, 3), rnd(4, 5))
record("linear no bias", "linear", {"in": 5, "out": 3, "bias": False}, nn.Linear(5, 3, bias=False), rnd(4, 5))
record("linear 3-d input", "linear", {"in": 4, "out": 2, "bias": True}, nn.Linear(4, 2), rnd(2, 3, 4))


# BatchNorm: training mode (two forward passes update the running
# statistics twice), evaluation mode with non-trivial running statistics,
# cumulative averaging (momentum=None), no running statistics, no affine.
def bn_stats(m):
    with torch.no_grad():
        m.running_mean.copy_(randn(*m.running_mean.shape))
        m.running_var.copy_(rnd(*m.running_var.shape, lo=0.5, hi=2.0))
        m.num_batches_tracked.fill_(3)


def bn(name, dims, x, train=True, forwards=2, eps=1e-5, momentum=0.1, affine=True, track=True, prepare=None):
    cls = nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d
    m = cls(x.shape[1], eps=eps, momentum=momentum, affine=affine, track_running_stats=track)
    randomize(m)
    cfg = {"features": x.shape[1], "eps": eps, "momentum": momentum, "affine": affine, "track": track}
    record(name, "batchnorm%dd" % dims, cfg, m, x, forwards=forwards, train=train, prepare=prepare)


bn("batchnorm1d 2-d train", 1, rnd(6, 3))
bn("batchnorm1d 3-d train", 1, rnd(4, 3, 5), momentum=0.3, eps=1e-3)
bn("batchnorm1d eval", 1, rnd(4, 3, 5), train=False, forwards=1, prepare=bn_stats)
bn("batchnorm1d cumulative", 1, rnd(5, 2), momentum=None, forwards=3, prepare=bn_stats)
bn("batchnorm1d no running stats eval", 1, rnd(5, 2, 3), track=False, train=False, forwards=1)
bn("batchnorm2d train", 2, rnd(3, 4, 3, 2))
bn("batchnorm2d train no affine", 2, rnd(2, 3, 2, 2), affine=False, forwards=1)
bn("batchnorm2d eval", 2, rnd(2, 3, 3, 3), train=False, forwards=1, prepare=bn_stats)
bn("batchnorm2d no running stats", 2, rnd(2, 3, 2, 3), track=False, forwards=1)


# LayerNorm and GroupNorm.
def ln(name, shape, x, eps=1e-5, affine=True):
    m = nn.LayerNorm(shape, eps=eps, elementwise_affine=affine)
    randomize(m)
    record(name, "layernorm", {"shape": list(shape), "eps": eps, "affine": affine}, m, x)


ln("layernorm last axis", [4], rnd(3, 4))
ln("layernorm two axes", [3, 4], rnd(2, 3, 4), eps=1e-3)
ln("layernorm no affine", [5], rnd(2, 2, 5), affine=False)


def gn(name, groups, x, eps=1e-5, affine=True):
    m = nn.GroupNorm(groups, x.shape[1], eps=eps, affine=affine)
    randomize(m)
    record(name, "groupnorm", {"groups": groups, "channels": x.shape[1], "eps": eps, "affine": affine}, m, x)


gn("groupnorm 2 groups", 2, rnd(2, 4, 3, 3))
gn("groupnorm 1 group", 1, rnd(2, 3, 5), eps=1e-3)
gn("groupnorm groups = channels", 4, rnd(3, 4, 2, 2))
gn("groupnorm no affine", 2, rnd(2, 6, 4), affine=False)
gn("groupnorm 2-d input", 2, rnd(4, 6))

# Embedding.
idx = torch.tensor([[1, 0, 3, 3], [4, 1, 0, 2]], dtype=torch.int64)
e = nn.Embedding(5, 3)
randomize(e)
record("embedding", "embedding", {"num": 5, "dim": 3, "padding": -1}, e, idx)
e = nn.Embedding(5, 3, padding_idx=0)
randomize(e)  # the padding row is not zero: it must still get no gradient
record("embedding padding", "embedding", {"num": 5, "dim": 3, "padding": 0}, e, idx)
e = nn.Embedding(6, 2, padding_idx=3)
record("embedding padding zero row", "embedding", {"num": 6, "dim": 2, "padding": 3}, e, torch.tensor([3, 5, 3, 0], dtype=torch.int64))

# Activations.
act_x = rnd(3, 5, lo=-3, hi=3)
acts = [
    ("relu", {}, nn.ReLU()),
    ("leakyrelu", {"slope": 0.2}, nn.LeakyReLU(0.2)),
    ("elu", {"alpha": 1.3}, nn.ELU(1.3)),
    ("gelu", {"approximate": False}, nn.GELU()),
    ("gelu", {"approximate": True}, nn.GELU(approximate="tanh")),
    ("silu", {}, nn.SiLU()),
    ("sigmoid", {}, nn.Sigmoid()),
    ("tanh", {}, nn.Tanh()),
    ("softplus", {"beta": 1.0, "threshold": 20.0}, nn.Softplus()),
    ("softplus", {"beta": 2.0, "threshold": 1.5}, nn.Softplus(beta=2.0, threshold=1.5)),
    ("softmax", {"axis": 1}, nn.Softmax(dim=1)),
    ("softmax", {"axis": 0}, nn.Softmax(dim=0)),
    ("logsoftmax", {"axis": -1}, nn.LogSoftmax(dim=-1)),
    ("logsoftmax", {"axis": 0}, nn.LogSoftmax(dim=0)),
]
for layer, cfg, m in acts:
    record("%s %s" % (layer, json.dumps(cfg, sort_keys=True)), layer, cfg, m, act_x)

# Flatten.
record("flatten default", "flatten", {"start": 1, "end": -1}, nn.Flatten(), rnd(2, 3, 2, 2))
record("flatten 0..1", "flatten", {"start": 0, "end": 1}, nn.Flatten(0, 1), rnd(2, 3, 2))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn_parity.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print("wrote %d cases to %s" % (len(cases), out))
