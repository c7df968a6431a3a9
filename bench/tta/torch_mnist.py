#!/usr/bin/python3
"""Time to accuracy on MNIST with PyTorch: the counterpart of `backprop train`.

  /usr/bin/python3 bench/tta/torch_mnist.py --model mlp --optimizer sgd --lr 0.05 --batch 64 \
      --epochs 10 [--momentum 0.9] [--target 0.98] [--threads 1]

Trains the same model with the same optimizer, learning rate, batch size and number of epochs
as `backprop train` on the real MNIST (the IDX .gz files in datasets/mnist/ of this repository,
or --data DIR), evaluates the test accuracy after every epoch and stops at the first epoch whose
test accuracy reaches --target (0.98). Pixels are scaled to [0, 1] as backprop's IDX reader does
(--normalize mnist also standardizes them with MNIST's mean 0.1307 and deviation 0.3081).

Each epoch shuffles the training set (torch.randperm) and walks it in minibatches, the last
partial batch included: x[idx] gather, forward, CrossEntropyLoss, zero_grad, backward, step.
Models:
  mlp: Flatten-Linear(784,256)-ReLU-Linear(256,128)-ReLU-Linear(128,10)
  cnn: Conv2d(1,6,5)-ReLU-MaxPool2d(2)-Conv2d(6,16,5)-ReLU-MaxPool2d(2)-Flatten(256)
       -Linear(256,120)-ReLU-Linear(120,84)-ReLU-Linear(84,10)
  or a layer spec such as 784-256-relu-128-relu-10 (sizes and relu/tanh/sigmoid/gelu/silu/elu).
Optimizers (as `backprop train --optimizer`): sgd and rmsprop (--momentum), adam, adamw, adagrad,
all with --weight-decay. Schedules (as `backprop train --schedule`): none; step[:SIZE[:GAMMA]]
(StepLR per epoch, SIZE max(1, epochs/3), GAMMA 0.1); exponential[:GAMMA] (per epoch, 0.9);
cosine (CosineAnnealingLR over the epochs, per epoch); onecycle (OneCycleLR with max_lr --lr over
all steps, per step); plateau (ReduceLROnPlateau factor 0.1 patience 2 on the test loss, per
epoch); warmup[:EPOCHS] (LinearLR from 0.1 to 1 over EPOCHS (1) epochs' steps, per step).

Set OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=THREADS in the environment as well (see
../shared/anchors/README.md for PyTorch's best settings on this machine).

Prints one line per epoch and a final JSON line: whether and when the target was reached
(epoch, seconds of training and evaluation from the first step, and seconds since the
interpreter started, torch import and data loading included), the final test accuracy and
the peak resident memory.
"""
import argparse, gzip, json, os, resource, struct, sys, time

T_START = time.perf_counter()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("--model", default="mlp", help="mlp, cnn or a layer spec (784-256-relu-128-relu-10)")
ap.add_argument("--optimizer", choices=["sgd", "adam", "adamw", "rmsprop", "adagrad"], default="sgd")
ap.add_argument("--lr", type=float, default=0.01)
ap.add_argument("--momentum", type=float, default=0.9, help="SGD and RMSprop momentum")
ap.add_argument("--weight-decay", type=float, default=0.0)
ap.add_argument("--schedule", default="none", help="none, step[:SIZE[:GAMMA]], exponential[:GAMMA], cosine, onecycle, plateau, warmup[:EPOCHS]")
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--epochs", type=int, default=10, help="at most this many epochs")
ap.add_argument("--target", type=float, default=0.98, help="stop at this test accuracy")
ap.add_argument("--no-stop", action="store_true", help="run every epoch even after the target")
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--normalize", choices=["none", "mnist"], default="none")
ap.add_argument("--data", default=os.path.join(REPO, "datasets", "mnist"), help="directory of the MNIST IDX files")
ap.add_argument("--eval-batch", type=int, default=1000)
args = ap.parse_args()


def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def read_idx(path):
    """Returns (dims, raw bytes) of an unsigned-byte IDX file, gzipped or not."""
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        b = f.read()
    if len(b) < 4 or b[0] != 0 or b[1] != 0 or b[2] != 0x08:
        sys.exit("torch_mnist.py: %s: not an unsigned-byte IDX file" % path)
    nd = b[3]
    dims = struct.unpack(">%dI" % nd, b[4:4 + 4 * nd])
    body = b[4 + 4 * nd:]
    n = 1
    for d in dims:
        n *= d
    if len(body) != n:
        sys.exit("torch_mnist.py: %s: %d bytes of data, dimensions %s need %d" % (path, len(body), dims, n))
    return dims, body


def find(names):
    for name in names:
        for ext in ("", ".gz"):
            p = os.path.join(args.data, name + ext)
            if os.path.exists(p):
                return p
    sys.exit("torch_mnist.py: none of %s(.gz) in %s" % (", ".join(names), args.data))


import numpy as np
import torch
import torch.nn as nn

T_IMPORT = time.perf_counter()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)


def load(prefix):
    dims, img = read_idx(find([prefix + "-images-idx3-ubyte"]))
    _, lab = read_idx(find([prefix + "-labels-idx1-ubyte"]))
    x = torch.from_numpy(np.frombuffer(img, dtype=np.uint8).astype(np.float32) / 255.0).reshape(dims[0], 1, dims[1], dims[2])
    if args.normalize == "mnist":
        x = (x - 0.1307) / 0.3081
    y = torch.from_numpy(np.frombuffer(lab, dtype=np.uint8).astype(np.int64))
    return x.contiguous(), y


Xtr, Ytr = load("train")
Xte, Yte = load("t10k")
T_DATA = time.perf_counter()


def build(spec):
    acts = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU, "silu": nn.SiLU, "elu": nn.ELU}
    if spec == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    if spec == "mlp":
        spec = "784-256-relu-128-relu-10"
    layers, prev = [nn.Flatten()], None
    for tok in spec.lower().split("-"):
        if tok.isdigit():
            if prev is not None:
                layers.append(nn.Linear(prev, int(tok)))
            prev = int(tok)
        elif tok in acts:
            layers.append(acts[tok]())
        else:
            sys.exit("torch_mnist.py: model %r: unsupported layer %r" % (spec, tok))
    if prev != 10:
        sys.exit("torch_mnist.py: model %r must end with 10 outputs" % spec)
    return nn.Sequential(*layers)


model = build(args.model)
params = model.parameters()
if args.optimizer == "sgd":
    opt = torch.optim.SGD(params, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
elif args.optimizer == "rmsprop":
    opt = torch.optim.RMSprop(params, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
elif args.optimizer == "adam":
    opt = torch.optim.Adam(params, lr=args.lr, weight_decay=args.weight_decay)
elif args.optimizer == "adamw":
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
else:
    opt = torch.optim.Adagrad(params, lr=args.lr, weight_decay=args.weight_decay)

N = Xtr.shape[0]
steps_per_epoch = (N + args.batch - 1) // args.batch
sched, sched_when = None, None  # sched_when: "step", "epoch" or "metric"
name, _, rest = args.schedule.lower().partition(":")
nums = [float(v) for v in rest.split(":")] if rest else []
arg = lambda i, d: nums[i] if i < len(nums) else d
S = torch.optim.lr_scheduler
if name in ("", "none"):
    pass
elif name == "step":
    sched, sched_when = S.StepLR(opt, step_size=int(arg(0, max(1, args.epochs // 3))), gamma=arg(1, 0.1)), "epoch"
elif name == "exponential":
    sched, sched_when = S.ExponentialLR(opt, gamma=arg(0, 0.9)), "epoch"
elif name == "cosine":
    sched, sched_when = S.CosineAnnealingLR(opt, T_max=max(1, args.epochs), eta_min=0), "epoch"
elif name == "onecycle":
    # As backprop: no momentum cycling for Adagrad or for SGD without momentum.
    cycle = not (args.optimizer == "adagrad" or (args.optimizer == "sgd" and args.momentum == 0))
    sched = S.OneCycleLR(opt, max_lr=args.lr, total_steps=max(1, args.epochs * steps_per_epoch), cycle_momentum=cycle)
    sched_when = "step"
elif name == "plateau":
    sched, sched_when = S.ReduceLROnPlateau(opt, factor=0.1, patience=2), "metric"
elif name == "warmup":
    sched = S.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=int(arg(0, 1)) * steps_per_epoch)
    sched_when = "step"
else:
    sys.exit("torch_mnist.py: unknown schedule %r" % args.schedule)
crit = nn.CrossEntropyLoss()


def train_epoch():
    model.train()
    perm = torch.randperm(N)
    last = None
    for s in range(0, N, args.batch):
        idx = perm[s:s + args.batch]
        x, y = Xtr[idx], Ytr[idx]
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        if sched_when == "step":
            sched.step()
        last = loss
    return float(last)


def evaluate():
    """Returns the test accuracy and mean test loss."""
    model.eval()
    correct, total_loss = 0, 0.0
    with torch.no_grad():
        for s in range(0, Xte.shape[0], args.eval_batch):
            out, y = model(Xte[s:s + args.eval_batch]), Yte[s:s + args.eval_batch]
            correct += int((out.argmax(1) == y).sum())
            total_loss += float(nn.functional.cross_entropy(out, y, reduction="sum"))
    return correct / Xte.shape[0], total_loss / Xte.shape[0]


t0 = time.perf_counter()
reached, reached_epoch, reached_s, reached_proc_s = False, None, None, None
acc, train_s, eval_s, epochs_run = 0.0, 0.0, 0.0, 0
accuracies = []
for e in range(1, args.epochs + 1):
    a = time.perf_counter()
    loss = train_epoch()
    b = time.perf_counter()
    acc, test_loss = evaluate()
    if sched_when == "epoch":
        sched.step()
    elif sched_when == "metric":
        sched.step(test_loss)
    c = time.perf_counter()
    train_s += b - a
    eval_s += c - b
    epochs_run = e
    accuracies.append(acc)
    print("epoch %d: train %.2f s, eval %.2f s, loss %.4f, test loss %.4f, test accuracy %.4f, elapsed %.2f s" %
          (e, b - a, c - b, loss, test_loss, acc, c - t0), flush=True)
    if acc >= args.target and not reached:
        reached, reached_epoch, reached_s, reached_proc_s = True, e, c - t0, c - T_START
        if not args.no_stop:
            break

res = {
    "framework": "pytorch", "torch": torch.__version__, "model": args.model, "optimizer": args.optimizer,
    "lr": args.lr, "momentum": args.momentum if args.optimizer in ("sgd", "rmsprop") else None, "schedule": args.schedule,
    "batch": args.batch, "epochs": args.epochs, "threads": args.threads, "target": args.target,
    "reached": reached, "epoch_reached": reached_epoch,
    "time_to_target_s": reached_s, "time_to_target_process_s": reached_proc_s,
    "epochs_run": epochs_run, "final_accuracy": acc, "accuracies": accuracies, "seed": args.seed, "train_s": train_s, "eval_s": eval_s,
    "import_s": T_IMPORT - T_START, "data_s": T_DATA - T_IMPORT,
    "params": sum(p.numel() for p in model.parameters()), "rss_peak_mib": round(rss_mib(), 1),
    "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
}
print(json.dumps(res))
