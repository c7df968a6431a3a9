#!/usr/bin/python3
"""Record PyTorch golden values for package optim.

Run by hand from the repository root with Debian's python3-torch:

    /usr/bin/python3 testdata/optim_parity.py

It writes testdata/optim_parity.json, which optim/parity_test.go reads.

Optimizers: two parameters W [2, 3] and b [2] are trained for 20 steps on
the fixed loss

    r = X @ W.T + b - Y                  (X [4, 3], Y [4, 2])
    loss = 0.25 * sum(r * r) + 0.1 * sum(W * W * W * W)

which optim/parity_test.go defines identically. Every value is a multiple
of 1/64, exact in float32 and float64. For each optimizer configuration the
parameters after every step are recorded in float64 (to 14 significant
digits), and after steps 1, 10 and 20 in float32 (to 9 digits). In the "skip" cases the gradient of b is removed (set to
None) before every third step, so that parameter is skipped then.

Schedules: an SGD optimizer with two groups (lr 0.1 and 0.02) is driven for
30 steps; the learning rates of both groups are recorded after
construction and after every step (and the momentum or beta1 for
OneCycleLR). ReduceLROnPlateau is fed a fixed metric sequence.

Clipping: fixed gradients of three tensors are clipped by norm (several
norm types and limits) and by value; the total norm and the clipped
gradients are recorded.
"""

import json
import math
import os
import warnings

import torch

warnings.filterwarnings("ignore")

X = [[0.5, -1.25, 0.75], [1.0, 0.25, -0.5], [-0.75, 0.5, 1.5], [0.125, -1.0, 0.25]]
Y = [[0.25, -0.5], [1.0, 0.75], [-1.25, 0.5], [0.5, -0.25]]
W0 = [[0.5, -0.25, 0.375], [-0.625, 0.75, 0.125]]
B0 = [0.25, -0.5]
STEPS = 20
F32_STEPS = [1, 10, 20]


def loss_fn(W, b, X, Y):
    r = X @ W.T + b - Y
    return 0.25 * (r * r).sum() + 0.1 * (W * W * W * W).sum()


# name -> (optimizer, kwargs for one group, or a list of groups, skip)
OPTIMIZERS = [
    ("sgd", "SGD", {"lr": 0.05}),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("sgd_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("sgd_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    ("sgd_groups", "SGD", [{"lr": 0.05, "momentum": 0.9}, {"lr": 0.1, "weight_decay": 0.1, "momentum": 0.9}]),
    ("adam", "Adam", {"lr": 0.05}),
    ("adam_betas_eps", "Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-3}),
    ("adam_amsgrad", "Adam", {"lr": 0.05, "amsgrad": True}),
    ("adam_weight_decay", "Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("adam_groups", "Adam", [{"lr": 0.01}, {"lr": 0.05, "weight_decay": 0.1}]),
    ("adam_skip", "Adam", {"lr": 0.05}),
    ("adamw", "AdamW", {"lr": 0.05}),
    ("adamw_weight_decay", "AdamW", {"lr": 0.05, "weight_decay": 0.5}),
    ("adamw_amsgrad", "AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("adamw_groups", "AdamW", [{"lr": 0.05}, {"lr": 0.02, "weight_decay": 0.0}]),
    ("rmsprop", "RMSprop", {"lr": 0.01}),
    ("rmsprop_alpha", "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-4}),
    ("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("rmsprop_weight_decay", "RMSprop", {"lr": 0.01, "weight_decay": 0.1}),
    ("rmsprop_all", "RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("rmsprop_skip", "RMSprop", {"lr": 0.01, "momentum": 0.5}),
    ("adagrad", "Adagrad", {"lr": 0.1}),
    ("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("adagrad_weight_decay", "Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
    ("adagrad_initial_accumulator", "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6}),
    ("adagrad_skip", "Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
]


def short(v, digits):
    """Round v to the given number of significant digits, to keep the file
    small: far below the tolerances of the Go tests."""
    return float("%.*g" % (digits, v))


def flat(W, b):
    digits = 9 if W.dtype == torch.float32 else 14
    return [short(v, digits) for v in torch.cat([W.detach().reshape(-1), b.detach().reshape(-1)]).tolist()]


def run_optimizer(name, kind, cfg, dtype):
    X_ = torch.tensor(X, dtype=dtype)
    Y_ = torch.tensor(Y, dtype=dtype)
    W = torch.tensor(W0, dtype=dtype, requires_grad=True)
    b = torch.tensor(B0, dtype=dtype, requires_grad=True)
    cls = getattr(torch.optim, kind)
    if isinstance(cfg, list):
        opt = cls([dict(cfg[0], params=[W]), dict(cfg[1], params=[b])])
    else:
        opt = cls([W, b], **cfg)
    traj = []
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        loss_fn(W, b, X_, Y_).backward()
        if name.endswith("_skip") and step % 3 == 1:
            b.grad = None
        opt.step()
        traj.append(flat(W, b))
    return traj


def optimizers():
    cases = []
    for name, kind, cfg in OPTIMIZERS:
        t64 = run_optimizer(name, kind, cfg, torch.float64)
        t32 = run_optimizer(name, kind, cfg, torch.float32)
        cases.append({
            "name": name,
            "optimizer": kind,
            "config": cfg,
            "float64": t64,
            "float32": {str(s): t32[s - 1] for s in F32_STEPS},
        })
    return cases


def initial_gradient():
    W = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(B0, dtype=torch.float64, requires_grad=True)
    loss = loss_fn(W, b, torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64))
    loss.backward()
    return {"loss": float(loss), "grad": flat(W.grad, b.grad)}


SCHEDULES = [
    ("step", "StepLR", {"step_size": 7, "gamma": 0.5}),
    ("step_default_gamma", "StepLR", {"step_size": 10}),
    ("multistep", "MultiStepLR", {"milestones": [5, 12, 12, 20], "gamma": 0.3}),
    ("exponential", "ExponentialLR", {"gamma": 0.9}),
    ("cosine", "CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}),
    ("cosine_long", "CosineAnnealingLR", {"T_max": 25}),
    ("linear_default", "LinearLR", {}),
    ("linear_warmup", "LinearLR", {"start_factor": 0.1, "total_iters": 10}),
    ("linear_partial", "LinearLR", {"start_factor": 0.5, "end_factor": 0.8, "total_iters": 4}),
    ("onecycle", "OneCycleLR", {"max_lr": 0.5, "total_steps": 30}),
    ("onecycle_adam", "OneCycleLR", {"max_lr": 0.01, "total_steps": 30}),
    ("onecycle_three_phase_linear", "OneCycleLR",
     {"max_lr": 0.5, "total_steps": 30, "pct_start": 0.25, "anneal_strategy": "linear", "three_phase": True,
      "div_factor": 10.0, "final_div_factor": 100.0, "base_momentum": 0.8, "max_momentum": 0.9}),
    ("onecycle_no_momentum", "OneCycleLR", {"max_lr": 0.5, "total_steps": 30, "cycle_momentum": False}),
]
SCHEDULE_STEPS = 30


def schedules():
    cases = []
    for name, kind, cfg in SCHEDULES:
        W = torch.zeros(2, requires_grad=True)
        b = torch.zeros(2, requires_grad=True)
        if name == "onecycle_adam":
            opt = torch.optim.Adam([{"params": [W], "lr": 0.1}, {"params": [b], "lr": 0.02}])
        else:
            opt = torch.optim.SGD([{"params": [W], "lr": 0.1}, {"params": [b], "lr": 0.02}], momentum=0.9)
        sched = getattr(torch.optim.lr_scheduler, kind)(opt, **cfg)
        lrs, moms = [], []

        def rec():
            lrs.append([float(v) for v in sched.get_last_lr()])
            if name == "onecycle_adam":
                moms.append([g["betas"][0] for g in opt.param_groups])
            else:
                moms.append([g["momentum"] for g in opt.param_groups])

        rec()
        for _ in range(SCHEDULE_STEPS):
            opt.step()
            sched.step()
            rec()
        case = {"name": name, "schedule": kind, "config": cfg, "lr": lrs}
        if kind == "OneCycleLR":
            case["momentum"] = moms
        cases.append(case)
    return cases


METRICS = [1.0, 0.9, 0.95, 0.91, 0.92, 0.899, 0.9, 0.93, 0.94, 0.95, 0.8, 0.85, 0.86, 0.87, 0.88,
           0.7999, 0.89, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0, 1.01, 1.02]

PLATEAUS = [
    ("plateau_default", {}),
    ("plateau_patience", {"patience": 2, "factor": 0.5}),
    ("plateau_cooldown_min_lr", {"patience": 1, "factor": 0.5, "cooldown": 2, "min_lr": 0.01}),
    ("plateau_max_abs", {"mode": "max", "patience": 1, "threshold": 0.02, "threshold_mode": "abs", "factor": 0.2}),
    ("plateau_max_rel", {"mode": "max", "patience": 0, "factor": 0.5, "threshold": 0.05}),
    ("plateau_min_abs_eps", {"patience": 0, "factor": 0.5, "threshold_mode": "abs", "threshold": 0.001, "eps": 0.01}),
]


def plateaus():
    cases = []
    for name, cfg in PLATEAUS:
        W = torch.zeros(2, requires_grad=True)
        b = torch.zeros(2, requires_grad=True)
        opt = torch.optim.SGD([{"params": [W], "lr": 0.1}, {"params": [b], "lr": 0.02}])
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **cfg)
        lrs = []
        for m in METRICS:
            sched.step(m)
            lrs.append([g["lr"] for g in opt.param_groups])
        cases.append({"name": name, "config": cfg, "metrics": METRICS, "lr": lrs})
    return cases


GRADS = [
    [[0.5, -1.5, 2.0], [0.25, 3.0, -0.75]],
    [1.25, -0.5],
    [[[-2.5, 0.125], [0.0, 1.0]]],
]
SHAPES = [[2, 3], [2], [1, 2, 2]]


def clips():
    cases = []
    for max_norm, norm_type in [(1.0, 2.0), (2.5, 1.0), (1.5, math.inf), (2.0, 3.0), (0.5, 0.5), (100.0, 2.0)]:
        ps = [torch.zeros(s, dtype=torch.float64, requires_grad=True) for s in SHAPES]
        for p, g in zip(ps, GRADS):
            p.grad = torch.tensor(g, dtype=torch.float64)
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        cases.append({"kind": "norm", "max_norm": max_norm, "norm_type": "inf" if math.isinf(norm_type) else norm_type,
                      "total_norm": float(total), "grads": [[float(v) for v in p.grad.reshape(-1).tolist()] for p in ps]})
    for clip in [1.0, 0.3]:
        ps = [torch.zeros(s, dtype=torch.float64, requires_grad=True) for s in SHAPES]
        for p, g in zip(ps, GRADS):
            p.grad = torch.tensor(g, dtype=torch.float64)
        torch.nn.utils.clip_grad_value_(ps, clip)
        cases.append({"kind": "value", "clip": clip,
                      "grads": [[float(v) for v in p.grad.reshape(-1).tolist()] for p in ps]})
    return {"shapes": SHAPES, "grads": [torch.tensor(g).reshape(-1).tolist() for g in GRADS], "cases": cases}


def main():
    out = {
        "torch": torch.__version__,
        "problem": {"X": X, "Y": Y, "W": W0, "b": B0, "steps": STEPS, "float32_steps": F32_STEPS},
        "initial": initial_gradient(),
        "optimizers": optimizers(),
        "schedules": schedules(),
        "plateaus": plateaus(),
        "clip": clips(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim_parity.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
