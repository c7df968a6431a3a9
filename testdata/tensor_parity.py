#!/usr/bin/python3
"""Writes tensor_parity.json: PyTorch reference values for tensor/parity_test.go.

Each case is a composite expression over a few float64 inputs (and int64
index inputs). For each one the file holds the inputs, the output, a random
output gradient v, and the gradients of <v, output> with respect to every
input that requires one (null for those that do not).

Run from the repository root with PyTorch 1.13.1:

    /usr/bin/python3 testdata/tensor_parity.py

The Go test rebuilds every case by name with the tensor package's API and
fails if a case exists on one side only.
"""

import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

CASES = []


def case(name, *specs):
    """Registers fn as the expression of the named case over inputs specs."""

    def register(fn):
        CASES.append((name, specs, fn))
        return fn

    return register


def randn(*shape, grad=True):
    return {"kind": "randn", "shape": list(shape), "grad": grad}


def uniform(lo, hi, *shape, grad=True):
    return {"kind": "uniform", "lo": lo, "hi": hi, "shape": list(shape), "grad": grad}


def ints(data, *shape):
    return {"kind": "int", "data": data, "shape": list(shape)}


# Broadcasting and element-wise arithmetic.
@case("broadcast_mul_add", randn(2, 3, 1), randn(4), randn(3, 1))
def _(a, b, c):
    return a * b + c


@case("broadcast_sub_div", randn(3, 1), randn(1, 4), randn(4, grad=False))
def _(a, b, c):
    return (a - b) / c.exp()


@case("broadcast_scalar_pow", uniform(0.5, 2, 2, 3), uniform(0.5, 1.5, 3))
def _(a, b):
    return a.pow(b) * 2.5 - a.pow(3)


@case("unary_chain", randn(3, 4))
def _(x):
    return (x.exp() + 1).log() * x.pow(2) / (1 + x * x).sqrt() + x.tanh() * x.sigmoid()


# Matrix products.
@case("matmul_2d", randn(3, 4), randn(4, 2))
def _(a, b):
    return a @ b


@case("matmul_batched_broadcast", randn(2, 1, 3, 4), randn(3, 4, 5))
def _(a, b):
    return a @ b


@case("matmul_vectors", randn(3, 4), randn(4), randn(3))
def _(a, v, u):
    return torch.cat([a @ v, u @ a, (v @ v).reshape(1)])


@case("matmul_transposed", randn(4, 3), randn(2, 4))
def _(a, b):
    return a.t() @ b.t()


# Softmax family.
@case("softmax", randn(3, 5))
def _(x):
    return x.softmax(1)


@case("softmax_permuted", randn(4, 3, 2))
def _(x):
    return x.permute(2, 0, 1).softmax(1)


@case("log_softmax", randn(2, 3, 4))
def _(x):
    return x.log_softmax(1)


@case("logsumexp", randn(3, 4))
def _(x):
    return x.logsumexp(1) + x.t().logsumexp(0) * 0.5


@case("cross_entropy", randn(4, 5), ints([1, 0, 4, 4], 4, 1))
def _(x, labels):
    return -x.log_softmax(1).gather(1, labels).mean()


# Indexing.
@case("gather", randn(3, 5), ints([0, 4, 4, 1, 2, 2, 2, 0, 3, 1, 0, 4], 3, 4))
def _(x, idx):
    return x.gather(1, idx)


@case("gather_dim0", randn(4, 3), ints([3, 0, 1, 3, 3, 2], 2, 3))
def _(x, idx):
    return x.gather(0, idx)


@case("index_select", randn(4, 3), ints([2, 0, 2, 3, 2], 5), randn(5, 1))
def _(x, idx, y):
    return x.index_select(0, idx) * y


@case("scatter_add", randn(3, 4), ints([0, 3, 3, 3, 1, 2], 3, 2), randn(3, 2))
def _(base, idx, src):
    return base.scatter_add(1, idx, src)


@case("masked_fill", randn(3, 4), ints([1, 0, 0, 1], 4), randn(3, 4))
def _(x, mask, y):
    return x.masked_fill(mask.bool(), -1.5) * y


# Views.
@case("permute", randn(2, 3, 4), randn(4, 1, 3))
def _(x, y):
    return x.permute(2, 0, 1) * y


@case("transpose_expand", randn(3, 1), randn(4, 3))
def _(x, y):
    return x.expand(3, 4).t() * y


@case("slice_step", randn(6, 5))
def _(x):
    return x[1::2, ::2].exp()


@case("reshape_noncontiguous", randn(2, 3, 4), randn(4, 2))
def _(x, w):
    return x.permute(1, 0, 2).reshape(6, 4) @ w


@case("split", randn(3, 5))
def _(x):
    a, b = x.split([2, 3], 1)
    return a.exp().sum(1) * b.sum(1)


# Reductions.
@case("var_std", randn(4, 5))
def _(x):
    return x.var(1) + x.std(0).sum() + x.var(1, unbiased=False) * 2


@case("layer_norm", randn(3, 6), randn(6), randn(6))
def _(x, w, b):
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, unbiased=False, keepdim=True)
    return (x - mu) / (var + 1e-5).sqrt() * w + b


@case("amax", randn(3, 4, 5))
def _(x):
    return x.amax(dim=(0, 2)).sum() + x.amin(dim=1)


# Selection.
@case("where", randn(3, 4), randn(4))
def _(a, b):
    return torch.where(a > b, a * b, a - b)


@case("maximum_minimum", randn(3, 4), randn(4), randn(3, 1))
def _(a, b, c):
    return torch.maximum(a, b) + 2 * torch.minimum(a, c)


# Joining and padding.
@case("concat", randn(2, 3), randn(4, 3), randn(3))
def _(a, b, c):
    return torch.cat([a, b], 0) * c


@case("stack", randn(2, 3), randn(3, 2))
def _(a, b):
    return torch.stack([a, b.t()], 1)


@case("pad", randn(2, 3, 4), randn(2, 4, 7))
def _(x, y):
    return F.pad(x, (1, 2, 0, 1), value=0.5) * y


# A small network.
@case("mlp", randn(5, 3), randn(3, 4), randn(4), randn(4, 2), randn(2))
def _(x, w1, b1, w2, b2):
    return ((x @ w1 + b1).tanh() @ w2 + b2).sigmoid()


def rounded(values, digits):
    return [float("%.*g" % (digits, v)) for v in values]


def tensor_json(t, digits=12):
    return {"shape": list(t.shape), "data": rounded(t.reshape(-1).tolist(), digits)}


def main():
    cases = []
    for i, (name, specs, fn) in enumerate(CASES):
        g = torch.Generator().manual_seed(1000 + i)
        inputs, records = [], []
        for s in specs:
            if s["kind"] == "int":
                t = torch.tensor(s["data"], dtype=torch.int64).reshape(s["shape"])
                records.append({"dtype": "int64", "shape": s["shape"], "data": s["data"], "requires_grad": False})
            else:
                if s["kind"] == "randn":
                    t = torch.randn(s["shape"], generator=g)
                else:
                    t = torch.rand(s["shape"], generator=g) * (s["hi"] - s["lo"]) + s["lo"]
                # Inputs are stored with 8 digits; PyTorch computes from
                # exactly those values.
                t = torch.tensor(rounded(t.reshape(-1).tolist(), 8)).reshape(s["shape"])
                t.requires_grad_(s["grad"])
                records.append({"dtype": "float64", "requires_grad": s["grad"], **tensor_json(t, 8)})
            inputs.append(t)
        out = fn(*inputs)
        v = torch.tensor(rounded(torch.randn(out.shape, generator=g).reshape(-1).tolist(), 8)).reshape(out.shape)
        out.backward(v)
        grads = []
        for t, s in zip(inputs, specs):
            if s["kind"] != "int" and s["grad"]:
                if t.grad is None:
                    raise SystemExit(f"{name}: an input that requires a gradient got none")
                grads.append(tensor_json(t.grad))
            else:
                grads.append(None)
        cases.append({
            "name": name,
            "inputs": records,
            "output": tensor_json(out.detach()),
            "out_grad": tensor_json(v, 8),
            "grads": grads,
        })
    doc = {
        "generator": "testdata/tensor_parity.py",
        "torch_version": torch.__version__,
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tensor_parity.json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
