#!/usr/bin/python3
"""Record PyTorch golden values for the losses of package loss.

Run by hand from the repository root with Debian's python3-torch:

    /usr/bin/python3 testdata/loss_parity.py

It writes testdata/loss_parity.json, which loss/parity_test.go reads. For
each case it records the loss function and its options, the input, the
target and the optional weights, the output gradient used for unreduced
losses (the backward pass starts from sum(output * grad_output)), and the
results: the output, the gradient of the input and, for floating-point
targets, the gradient of the target when it is finite.

Inputs are drawn in float32 with a fixed seed, so they are exact in both
float32 and float64; the losses then run in float64, so the recorded
results are float64 references for both of the Go precisions.
"""

import json
import os
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")
torch.manual_seed(20240611)


def rnd(*shape, lo=-2.0, hi=2.0):
    return (torch.rand(*shape, dtype=torch.float32) * (hi - lo) + lo).double()


def probs(*shape, dim=1):
    return torch.softmax(torch.randn(*shape, dtype=torch.float32), dim).double()


def classes(c, *shape):
    return torch.randint(0, c, shape)


def enc(t):
    if t is None:
        return None
    t = t.detach()
    if t.dtype == torch.int64:
        data = [int(v) for v in t.reshape(-1).tolist()]
    else:
        data = [float(v) for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": data}


CASES = []


def case(name, loss, fn, x, target, config=None, weight=None, pos_weight=None):
    """Record fn(x, target) for the loss named loss; fn gets the inputs
    with gradients enabled where recorded."""
    x = x.clone().requires_grad_(True)
    float_target = target.dtype.is_floating_point
    if float_target:
        target = target.clone().requires_grad_(True)
    y = fn(x, target)
    gy = None
    if y.dim() > 0:
        gy = rnd(*y.shape)
        (y * gy).sum().backward()
    else:
        y.backward()
    CASES.append({
        "name": name,
        "loss": loss,
        "config": config or {},
        "input": enc(x),
        "target": enc(target),
        "weight": enc(weight),
        "pos_weight": enc(pos_weight),
        "grad_output": enc(gy),
        "output": enc(y),
        "grad_input": enc(x.grad),
        # Target gradients that are infinite (KLDiv at a zero target, BCE at
        # a saturated probability) are left out.
        "grad_target": enc(target.grad) if float_target and bool(target.grad.isfinite().all()) else None,
    })


def elementwise():
    for red in ["mean", "sum", "none"]:
        case("mse_" + red, "mse", lambda x, t: F.mse_loss(x, t, reduction=red), rnd(3, 4), rnd(3, 4), {"reduction": red})
        case("l1_" + red, "l1", lambda x, t: F.l1_loss(x, t, reduction=red), rnd(3, 4), rnd(3, 4), {"reduction": red})
    for beta, red in [(1.0, "mean"), (0.5, "none"), (0.0, "sum"), (2.0, "mean")]:
        case("smooth_l1_%g_%s" % (beta, red), "smooth_l1", lambda x, t: F.smooth_l1_loss(x, t, reduction=red, beta=beta),
             rnd(3, 4), rnd(3, 4), {"reduction": red, "beta": beta})
    for delta, red in [(1.0, "mean"), (0.5, "none"), (2.0, "sum")]:
        case("huber_%g_%s" % (delta, red), "huber", lambda x, t: F.huber_loss(x, t, reduction=red, delta=delta),
             rnd(3, 4), rnd(3, 4), {"reduction": red, "delta": delta})


def cross_entropy():
    def ce(name, x, t, weight=None, ignore_index=None, label_smoothing=0.0, red="mean"):
        kw = {"reduction": red, "label_smoothing": label_smoothing}
        if ignore_index is not None:
            kw["ignore_index"] = ignore_index
        case(name, "cross_entropy", lambda x, t: F.cross_entropy(x, t, weight=weight, **kw), x, t,
             {"reduction": red, "label_smoothing": label_smoothing, "ignore_index": ignore_index}, weight=weight)

    w5 = rnd(5, lo=0.2, hi=2.0)
    t_ign = torch.tensor([1, -100, 4, 0, -100, 3])
    for red in ["mean", "sum", "none"]:
        ce("ce_" + red, rnd(6, 5, lo=-3, hi=3), classes(5, 6), red=red)
        ce("ce_weight_" + red, rnd(6, 5, lo=-3, hi=3), classes(5, 6), weight=w5, red=red)
        ce("ce_ignore_" + red, rnd(6, 5, lo=-3, hi=3), t_ign, ignore_index=-100, red=red)
        ce("ce_smoothing_weight_ignore_" + red, rnd(6, 5, lo=-3, hi=3), t_ign, weight=w5, ignore_index=-100,
           label_smoothing=0.2, red=red)
    ce("ce_weight_ignore_mean", rnd(6, 5, lo=-3, hi=3), t_ign, weight=w5, ignore_index=-100)
    ce("ce_ignore_class_mean", rnd(6, 5, lo=-3, hi=3), torch.tensor([1, 2, 4, 2, 0, 3]), ignore_index=2)
    ce("ce_smoothing_mean", rnd(6, 5, lo=-3, hi=3), classes(5, 6), label_smoothing=0.1)
    ce("ce_smoothing_none", rnd(6, 5, lo=-3, hi=3), classes(5, 6), label_smoothing=0.3, red="none")
    ce("ce_kdim_mean", rnd(2, 4, 3, 2, lo=-3, hi=3), classes(4, 2, 3, 2))
    ce("ce_kdim_weight_ignore_smoothing_none", rnd(2, 4, 3, 2, lo=-3, hi=3),
       torch.tensor([[[0, 3], [-1, 2], [1, 1]], [[2, -1], [3, 0], [0, 2]]]),
       weight=rnd(4, lo=0.2, hi=2.0), ignore_index=-1, label_smoothing=0.15, red="none")
    ce("ce_kdim_weight_ignore_smoothing_mean", rnd(2, 4, 3, 2, lo=-3, hi=3),
       torch.tensor([[[0, 3], [-1, 2], [1, 1]], [[2, -1], [3, 0], [0, 2]]]),
       weight=rnd(4, lo=0.2, hi=2.0), ignore_index=-1, label_smoothing=0.15)
    ce("ce_1d", rnd(5, lo=-3, hi=3), torch.tensor(3))
    ce("ce_large_logits", rnd(3, 4, lo=-300, hi=300), classes(4, 3))

    for red in ["mean", "sum", "none"]:
        ce("ce_probs_" + red, rnd(4, 5, lo=-3, hi=3), probs(4, 5), red=red)
    ce("ce_probs_weight_mean", rnd(4, 5, lo=-3, hi=3), probs(4, 5), weight=w5)
    ce("ce_probs_weight_smoothing_sum", rnd(4, 5, lo=-3, hi=3), probs(4, 5), weight=w5, label_smoothing=0.25, red="sum")
    ce("ce_probs_kdim_mean", rnd(2, 3, 4, lo=-3, hi=3), probs(2, 3, 4))
    ce("ce_probs_1d", rnd(5, lo=-3, hi=3), probs(5, dim=0))


def nll():
    def nl(name, x, t, weight=None, ignore_index=None, red="mean"):
        kw = {"reduction": red}
        if ignore_index is not None:
            kw["ignore_index"] = ignore_index
        case(name, "nll", lambda x, t: F.nll_loss(x, t, weight=weight, **kw), x, t,
             {"reduction": red, "ignore_index": ignore_index}, weight=weight)

    lp = lambda *s: torch.log_softmax(rnd(*s, lo=-3, hi=3), 1)
    w5 = rnd(5, lo=0.2, hi=2.0)
    t_ign = torch.tensor([1, -100, 4, 0, -100, 3])
    for red in ["mean", "sum", "none"]:
        nl("nll_" + red, lp(6, 5), classes(5, 6), red=red)
        nl("nll_weight_ignore_" + red, lp(6, 5), t_ign, weight=w5, ignore_index=-100, red=red)
    nl("nll_weight_mean", lp(6, 5), classes(5, 6), weight=w5)
    nl("nll_ignore_mean", lp(6, 5), t_ign, ignore_index=-100)
    nl("nll_kdim_weight_mean", lp(2, 5, 3), classes(5, 2, 3), weight=w5)
    nl("nll_1d", torch.log_softmax(rnd(5), 0), torch.tensor(1))


def bce():
    p = lambda *s: rnd(*s, lo=0.02, hi=0.98)
    t = lambda *s: rnd(*s, lo=0.0, hi=1.0)
    for red in ["mean", "sum", "none"]:
        case("bce_" + red, "bce", lambda x, y: F.binary_cross_entropy(x, y, reduction=red), p(3, 4), t(3, 4), {"reduction": red})
    w = rnd(4, lo=0.2, hi=2.0)
    case("bce_weight_mean", "bce", lambda x, y: F.binary_cross_entropy(x, y, weight=w), p(3, 4), t(3, 4),
         {"reduction": "mean"}, weight=w)
    case("bce_saturated_sum", "bce", lambda x, y: F.binary_cross_entropy(x, y, reduction="sum"),
         torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5], dtype=torch.float64),
         torch.tensor([1.0, 0.0, 0.0, 1.0, 0.25], dtype=torch.float64), {"reduction": "sum"})

    for red in ["mean", "sum", "none"]:
        case("bce_logits_" + red, "bce_with_logits",
             lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=red), rnd(3, 4, lo=-4, hi=4), t(3, 4),
             {"reduction": red})
    pw = rnd(4, lo=0.5, hi=3.0)
    case("bce_logits_pos_weight_mean", "bce_with_logits",
         lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw), rnd(3, 4, lo=-4, hi=4), t(3, 4),
         {"reduction": "mean"}, pos_weight=pw)
    w34 = rnd(3, 4, lo=0.2, hi=2.0)
    case("bce_logits_weight_pos_weight_none", "bce_with_logits",
         lambda x, y: F.binary_cross_entropy_with_logits(x, y, weight=w34, pos_weight=pw, reduction="none"),
         rnd(3, 4, lo=-4, hi=4), t(3, 4), {"reduction": "none"}, weight=w34, pos_weight=pw)
    w1 = rnd(3, 1, lo=0.2, hi=2.0)
    case("bce_logits_broadcast_weight_sum", "bce_with_logits",
         lambda x, y: F.binary_cross_entropy_with_logits(x, y, weight=w1, reduction="sum"),
         rnd(3, 4, lo=-4, hi=4), t(3, 4), {"reduction": "sum"}, weight=w1)
    case("bce_logits_large_mean", "bce_with_logits", lambda x, y: F.binary_cross_entropy_with_logits(x, y),
         rnd(2, 5, lo=-18, hi=18), t(2, 5), {"reduction": "mean"})


def kl_div():
    lp = lambda *s: torch.log_softmax(rnd(*s), 1)
    for red in ["mean", "batchmean", "sum", "none"]:
        case("kl_" + red, "kl_div", lambda x, t: F.kl_div(x, t, reduction=red), lp(3, 4), probs(3, 4), {"reduction": red})
    case("kl_log_target_batchmean", "kl_div", lambda x, t: F.kl_div(x, t, reduction="batchmean", log_target=True),
         lp(3, 4), lp(3, 4), {"reduction": "batchmean", "log_target": True})
    case("kl_log_target_none", "kl_div", lambda x, t: F.kl_div(x, t, reduction="none", log_target=True),
         lp(3, 4), lp(3, 4), {"reduction": "none", "log_target": True})
    zt = torch.tensor([[0.5, 0.0, 0.5], [0.0, 0.25, 0.75]], dtype=torch.float64)
    case("kl_zero_target_sum", "kl_div", lambda x, t: F.kl_div(x, t, reduction="sum"), lp(2, 3), zt, {"reduction": "sum"})


def main():
    elementwise()
    cross_entropy()
    nll()
    bce()
    kl_div()
    out = {"torch": torch.__version__, "cases": CASES}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loss_parity.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
