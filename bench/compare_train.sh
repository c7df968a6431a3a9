#!/usr/bin/env bash
# compare_train.sh runs backprop's training benchmark (bench/train) and the PyTorch anchor
# (../shared/anchors/torch_train.py) one after the other on the same machine, with the same
# recipe, and prints samples/s, the ratio and peak RSS for both. It then times `backprop train`
# to 98 % MNIST test accuracy against the equivalent PyTorch script (bench/tta/torch_mnist.py).
# Both train backprop train's default model, optimizer, learning rate, batch size and epochs (read
# from its --help) on the real MNIST, evaluate the test set after every epoch and run every epoch;
# the time to 98 % is taken at the end of the first epoch at or above 98 %.
#
# Usage: bench/compare_train.sh [--epochs N] [--warmup N] [--samples N] [--quick]
#                               [--configs "mlp:64 mlp:256 cnn:64"] [--no-tta | --tta-only]
#                               [--tta-epochs N] [--tta-seeds "1 2 3"] [--out DIR]
#
#   --epochs N    measured epochs per throughput run (default 5)
#   --warmup N    warm-up epochs per throughput run (default 1)
#   --samples N   synthetic examples (default 60000, as the anchor)
#   --quick       --epochs 1 --warmup 1 --samples 10000, and the time-to-accuracy part is skipped
#   --configs     model:batch pairs to measure (default "mlp:64 mlp:256 cnn:64")
#   --no-tta      skip the time-to-accuracy part; --tta-only runs only it
#   --tta-epochs  epochs of both time-to-accuracy runs (default: backprop train's default)
#   --tta-seeds   seeds of the time-to-accuracy runs, one run of each framework per seed (default
#                 "1 2 3"); the report gives every run and the medians over the seeds
#   --out DIR     keep the logs and JSON results in DIR (default: a new temporary directory)
#
# Environment: ANCHORS=dir overrides the anchors directory (default <root>/shared/anchors when
# the repository is <root>/main). GO (default go) and PYTHON (default /usr/bin/python3).
#
# PyTorch gets its best settings on this machine (../shared/anchors/README.md): OpenBLAS with one
# thread, torch with 1 and then 2 threads (the better one is kept), OpenBLAS's AVX-512 kernel
# (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset) and glibc's allocator kept from returning memory
# to the kernel. Ours runs with GOMAXPROCS 2, once with each operation split over the cores and once
# as two shards of each batch (--shards 2), the faster compared; with GOMAXPROCS 1 for reference; and
# with GOMAXPROCS 2 and its inputs stored as bytes (--storage uint8) for the memory comparison. Never run two
# benchmarks at once: every run here is sequential, and the machine should otherwise be idle.
set -euo pipefail

EPOCHS=5 WARMUP=1 SAMPLES=60000 CONFIGS="mlp:64 mlp:256 cnn:64" TTA=1 THROUGHPUT=1 TTA_EPOCHS= TTA_SEEDS="1 2 3" OUT=
while [ $# -gt 0 ]; do
	case "$1" in
	--epochs|--warmup|--samples|--configs|--tta-epochs|--tta-seeds|--out)
		if [ $# -lt 2 ]; then echo "compare_train.sh: $1 needs a value" >&2; exit 2; fi ;;
	esac
	case "$1" in
	--epochs) EPOCHS=$2; shift 2 ;;
	--warmup) WARMUP=$2; shift 2 ;;
	--samples) SAMPLES=$2; shift 2 ;;
	--quick) EPOCHS=1 WARMUP=1 SAMPLES=10000 TTA=0; shift ;;
	--configs) CONFIGS=$2; shift 2 ;;
	--no-tta) TTA=0; shift ;;
	--tta-only) TTA=1 THROUGHPUT=0; shift ;;
	--tta-epochs) TTA_EPOCHS=$2; shift 2 ;;
	--tta-seeds) TTA_SEEDS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "compare_train.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
for v in "$EPOCHS" "$WARMUP" "$SAMPLES" ${TTA_EPOCHS:+"$TTA_EPOCHS"} $TTA_SEEDS; do
	case "$v" in ''|*[!0-9]*) echo "compare_train.sh: --epochs, --warmup, --samples, --tta-epochs and --tta-seeds take non-negative integers, got '$v'" >&2; exit 2 ;; esac
done
if [ -z "${TTA_SEEDS// /}" ]; then
	echo "compare_train.sh: --tta-seeds needs at least one seed" >&2
	exit 2
fi

if [ "$EPOCHS" -lt 1 ] || [ "${TTA_EPOCHS:-1}" -lt 1 ]; then
	echo "compare_train.sh: --epochs and --tta-epochs must be at least 1" >&2
	exit 2
fi

REPO=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=${ANCHORS:-$(cd "$REPO/.." && pwd)/shared/anchors}
GO=${GO:-go}
PYTHON=${PYTHON:-/usr/bin/python3}
if [ "$THROUGHPUT" = 1 ] && [ ! -f "$ANCHORS/torch_train.py" ]; then
	echo "compare_train.sh: no torch_train.py in $ANCHORS (set ANCHORS=dir)" >&2
	exit 1
fi
if [ -z "$OUT" ]; then
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/compare_train.XXXXXX")
fi
mkdir -p "$OUT/logs"
OUT=$(cd "$OUT" && pwd)

# PyTorch: Debian's python3-torch, installed when missing.
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
	echo "== installing python3-torch" >&2
	SUDO=
	if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
	$SUDO apt-get install -y python3-torch || { $SUDO apt-get update && $SUDO apt-get install -y python3-torch; }
	"$PYTHON" -c 'import torch' || { echo "compare_train.sh: $PYTHON cannot import torch" >&2; exit 1; }
fi

echo "== building" >&2
(cd "$REPO" && "$GO" build -o "$OUT/train" ./bench/train)
FAILED=0
if [ "$TTA" = 1 ] && ! (cd "$REPO" && "$GO" build -o "$OUT/backprop" ./cmd/backprop); then
	echo "compare_train.sh: cannot build cmd/backprop: the time-to-accuracy part is skipped" >&2
	TTA=0 FAILED=1
fi

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime; }
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //') ($(nproc) logical CPUs)"
	echo "go: $("$GO" version | cut -d' ' -f3-)"
	echo "torch: $("$PYTHON" -c 'import torch; print(torch.__version__)')"
	echo "load average before: $(load)"
	if [ "$THROUGHPUT" = 1 ]; then echo "throughput settings: epochs $EPOCHS, warmup $WARMUP, samples $SAMPLES"; fi
} > "$OUT/env.txt"
cat "$OUT/env.txt" >&2

TORCH_ENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
	GLIBC_TUNABLES=glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=4294967296
	OPENBLAS_NUM_THREADS=1)

# bench NAME CMD...: runs CMD with its output in logs/NAME.log and the last JSON line in NAME.json.
bench() {
	local name=$1; shift
	echo "== $name (load $(load)): $*" >&2
	if "$@" > "$OUT/logs/$name.log" 2>&1; then
		grep '^{' "$OUT/logs/$name.log" | tail -n 1 > "$OUT/$name.json" || true
		sed '$d' "$OUT/logs/$name.log" | sed 's/^/   /' >&2
	else
		echo "   FAILED (exit $?): see $OUT/logs/$name.log" >&2
		FAILED=$((FAILED + 1))
		tail -n 5 "$OUT/logs/$name.log" | sed 's/^/   /' >&2
		rm -f "$OUT/$name.json"
	fi
}

if [ "$THROUGHPUT" = 1 ]; then
	for cfg in $CONFIGS; do
		model=${cfg%%:*} batch=${cfg##*:}
		common=(--model "$model" --batch "$batch" --epochs "$EPOCHS" --warmup "$WARMUP" --samples "$SAMPLES")
		for t in 2 1; do
			bench "ours_${model}_b${batch}_t$t" env GOMAXPROCS=$t "$OUT/train" "${common[@]}" --threads $t
		done
		# The step as two shards of the batch computed at once (train.Shards) instead of each
		# operation split over the cores; the faster of the two is compared, as PyTorch's faster
		# thread setting is.
		bench "ours_${model}_b${batch}_s2" env GOMAXPROCS=2 "$OUT/train" "${common[@]}" --threads 2 --shards 2
		# The same with the inputs stored as bytes (data.Uint8Dataset), for the memory target.
		bench "ours_${model}_b${batch}_u8" env GOMAXPROCS=2 "$OUT/train" "${common[@]}" --threads 2 --storage uint8
		for t in 1 2; do
			bench "torch_${model}_b${batch}_t$t" "${TORCH_ENV[@]}" OMP_NUM_THREADS=$t \
				"$PYTHON" "$ANCHORS/torch_train.py" "${common[@]}" --threads $t
		done
	done
fi

if [ "$TTA" = 1 ]; then
	# Time to accuracy: `backprop train` with its defaults against torch_mnist.py with the same
	# model, optimizer, learning rate, momentum, weight decay, schedule, batch size and epochs,
	# read from backprop train --help. Both run every epoch (backprop train has no early stop at
	# an accuracy), evaluating the 10,000 test images after each; the time to 98 % is the
	# training and evaluation time up to the end of the first epoch at or above 98 %.
	"$OUT/backprop" train --help > "$OUT/logs/backprop_train_help.txt" 2>&1 || true
	"$PYTHON" - "$OUT/logs/backprop_train_help.txt" "$TTA_EPOCHS" > "$OUT/tta_settings.txt" <<-'EOF'
		import re, sys
		text = open(sys.argv[1]).read()
		# Go's flag.PrintDefaults: "  -name type\n    \tusage (default value)"; zero defaults are omitted.
		defs = {}
		for m in re.finditer(r'^\s+-{1,2}([\w-]+)[^\n]*\n\s+[^\n]*?\(default "?([^")]*)"?\)\s*$', text, re.M):
		    defs[m.group(1)] = m.group(2)
		need = ["model", "optimizer", "lr", "batch", "epochs"]
		if any(k not in defs for k in need):
		    sys.exit("compare_train.sh: cannot read backprop train's defaults %s from its --help" % need)
		if sys.argv[2]:
		    defs["epochs"] = sys.argv[2]
		args = ["--model", defs["model"], "--optimizer", defs["optimizer"], "--lr", defs["lr"],
		        "--batch", defs["batch"], "--epochs", defs["epochs"],
		        "--momentum", defs.get("momentum", "0"), "--weight-decay", defs.get("weight-decay", "0"),
		        "--schedule", defs.get("schedule", "none")]
		print(" ".join(args))
	EOF
	read -r -a TTA_ARGS < "$OUT/tta_settings.txt"
	echo "time to accuracy settings (backprop train's defaults): ${TTA_ARGS[*]}" | tee -a "$OUT/env.txt" >&2
	# PyTorch's thread setting: the faster one in this run's throughput measurement of the same
	# model and batch size, or both when there is none.
	TTA_THREADS=$("$PYTHON" - "$OUT" "${TTA_ARGS[@]}" <<-'EOF'
		import json, os, sys
		out, a = sys.argv[1], sys.argv[2:]
		model, batch = a[a.index("--model") + 1], a[a.index("--batch") + 1]
		rates = {}
		for t in (1, 2):
		    try:
		        with open(os.path.join(out, "torch_%s_b%s_t%d.json" % (model, batch, t))) as f:
		            rates[t] = json.load(f)["samples_per_s_median"]
		    except (OSError, ValueError, KeyError):
		        pass
		print(max(rates, key=rates.get) if len(rates) == 2 else "1 2")
	EOF
	)
	for seed in $TTA_SEEDS; do
	ours_args=(train --out "$OUT/tta_run" --metrics jsonl --quiet --seed "$seed")
	[ -n "$TTA_EPOCHS" ] && ours_args+=(--epochs "$TTA_EPOCHS")
	rm -rf "$OUT/tta_run"
	bench "tta_ours_s$seed" env GOMAXPROCS=2 "$PYTHON" - "$OUT/tta_run" "$OUT/backprop" "${ours_args[@]}" <<-'EOF'
		import json, os, subprocess, sys, time
		out = sys.argv[1]
		t0 = time.perf_counter()
		p = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
		wall = time.perf_counter() - t0
		sys.stdout.write(p.stdout)
		rows = []
		try:
		    with open(os.path.join(out, "metrics.jsonl")) as f:
		        rows = [json.loads(l) for l in f if l.strip()]
		except (OSError, ValueError) as e:
		    print("no metrics: %s" % e)
		res = {"framework": "backprop", "exit": p.returncode, "wall_s": wall, "epochs_run": len(rows),
		       "final_accuracy": rows[-1].get("val_acc") if rows else None, "reached": False,
		       "accuracies": [r.get("val_acc") for r in rows],
		       "epoch_reached": None, "time_to_target_s": None, "time_to_target_process_s": None}
		done = 0.0
		for i, r in enumerate(rows):
		    done += r.get("seconds", 0.0)
		    if r.get("val_acc", 0.0) >= 0.98:
		        after = sum(x.get("seconds", 0.0) for x in rows[i + 1:])
		        res.update(reached=True, epoch_reached=r["epoch"], time_to_target_s=done,
		                   time_to_target_process_s=wall - after)
		        break
		print(json.dumps(res))
		sys.exit(p.returncode)
	EOF
	for t in $TTA_THREADS; do
		bench "tta_torch_s${seed}_t$t" "${TORCH_ENV[@]}" OMP_NUM_THREADS=$t "$PYTHON" - "$PYTHON" "$REPO/bench/tta/torch_mnist.py" "${TTA_ARGS[@]}" --no-stop --threads $t --seed "$seed" <<-'EOF'
			import json, subprocess, sys, time
			t0 = time.perf_counter()
			p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
			wall = time.perf_counter() - t0
			sys.stdout.write(p.stdout)
			lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
			res = json.loads(lines[-1]) if lines else {}
			res.update({"exit": p.returncode, "wall_s": wall})
			print(json.dumps(res))
			sys.exit(p.returncode)
		EOF
	done
	done
fi

echo "load average after: $(load)" >> "$OUT/env.txt"
"$PYTHON" - "$OUT" "$CONFIGS" "$THROUGHPUT" "$TTA" "$TTA_SEEDS" <<'EOF'
import glob, json, os, re, sys

out, configs, throughput, tta = sys.argv[1], sys.argv[2].split(), sys.argv[3] == "1", sys.argv[4] == "1"


def load(name):
    try:
        with open(os.path.join(out, name + ".json")) as f:
            return json.loads(f.read())
    except (OSError, ValueError):
        return None


def num(x, fmt="{:,.0f}"):
    return "n/a" if x is None else fmt.format(x)


print(open(os.path.join(out, "env.txt")).read().rstrip())
targets = {("mlp", "64"): 2.0, ("mlp", "256"): 1.5, ("cnn", "64"): 2.0}


def runs(cfg):
    """Returns model, batch and the runs of one configuration: ours with 2 threads, 1 thread and
    byte inputs, and PyTorch's faster thread setting."""
    model, batch = cfg.split(":")
    key = "%s_b%s" % (model, batch)
    ts = [t for t in (load("torch_%s_t1" % key), load("torch_%s_t2" % key)) if t]
    tb = max(ts, key=lambda t: t["samples_per_s_median"]) if ts else None
    os_ = [o for o in (load("ours_%s_t2" % key), load("ours_%s_s2" % key)) if o]
    ob = max(os_, key=lambda o: o["samples_per_s_median"]) if os_ else None
    return model, batch, ob, load("ours_%s_t1" % key), load("ours_%s_u8" % key), tb


if throughput:
    print()
    print("| config | ours best samples/s (GOMAXPROCS 2) | ours shards | ours (1) | torch best samples/s | torch threads | "
          "ratio | target | ours peak RSS MiB | torch peak RSS MiB | RSS ratio | ours allocs/step | ours GC CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for cfg in configs:
        model, batch, o2, o1, _, tb = runs(cfg)
        ours = o2["samples_per_s_median"] if o2 else None
        theirs = tb["samples_per_s_median"] if tb else None
        ratio = ours / theirs if ours and theirs else None
        orss = o2["rss_peak_mib"] if o2 else None
        trss = tb["rss_peak_mib"] if tb else None
        rr = orss / trss if orss and trss else None
        tgt = targets.get((model, batch))
        print("| %s b%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            model, batch, num(ours), o2.get("shards", 1) if o2 else "n/a", num(o1 and o1["samples_per_s_median"]), num(theirs),
            tb["threads"] if tb else "n/a", num(ratio, "{:.2f}×"), "≥ %.1f×" % tgt if tgt else "",
            num(orss, "{:.0f}"), num(trss, "{:.0f}"), num(rr, "{:.2f}") + (" (≤ 0.25)" if rr else ""),
            num(o2 and o2["allocs_per_step"], "{:.0f}"), num(o2 and 100 * o2["gc_cpu_fraction"], "{:.1f} %")))
    print()
    print("Peak RSS with the inputs stored as bytes (`--storage uint8`: MNIST's own format, read as k/256; "
          "the anchor keeps float32):")
    print()
    print("| config | ours peak RSS MiB, float32 inputs | ours peak RSS MiB, byte inputs | torch peak RSS MiB | "
          "ratio, float32 | ratio, bytes | target | ours samples/s, byte inputs | ours GOGC |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for cfg in configs:
        model, batch, o2, _, u8, tb = runs(cfg)
        orss, ursss = o2 and o2["rss_peak_mib"], u8 and u8["rss_peak_mib"]
        trss = tb["rss_peak_mib"] if tb else None
        print("| %s b%s | %s | %s | %s | %s | %s | ≤ 0.25 | %s | %s |" % (
            model, batch, num(orss, "{:.0f}"), num(ursss, "{:.0f}"), num(trss, "{:.0f}"),
            num(orss / trss if orss and trss else None, "{:.2f}"),
            num(ursss / trss if ursss and trss else None, "{:.2f}"),
            num(u8 and u8["samples_per_s_median"]), (o2 or u8 or {}).get("gogc") or "default"))
    print()
    print("our runs with GOMAXPROCS 2 (median samples/s, operations split / two shards):",
          "; ".join("%s %s / %s" % (c.replace(":", " b"), num((load("ours_%s_b%s_t2" % tuple(c.split(":"))) or {}).get("samples_per_s_median")),
                                      num((load("ours_%s_b%s_s2" % tuple(c.split(":"))) or {}).get("samples_per_s_median")))
                    for c in configs))
    print("torch runs (median samples/s at each thread setting):",
          "; ".join("%s %s" % (os.path.basename(p)[6:-5], num(json.load(open(p))["samples_per_s_median"]))
                    for p in sorted(glob.glob(os.path.join(out, "torch_*.json")))))
if tta:
    seeds = sys.argv[5].split()
    print()
    print("| time to 98 % MNIST test accuracy | seed | training + evaluation s to 98 % | process s to 98 % | "
          "epoch reached | test accuracy per epoch | process s, all epochs |")
    print("|---|---:|---:|---:|---:|---|---:|")

    def row(name, seed, r):
        if not r:
            print("| %s | %s | failed | | | | |" % (name, seed))
            return
        print("| %s | %s | %s | %s | %s | %s | %s |" % (
            name, seed, num(r.get("time_to_target_s"), "{:.1f}") if r.get("reached") else "not reached",
            num(r.get("time_to_target_process_s"), "{:.1f}") if r.get("reached") else "",
            r.get("epoch_reached") or "",
            " ".join("%.4f" % a for a in r.get("accuracies") or []) or num(r.get("final_accuracy"), "{:.4f}"),
            num(r.get("wall_s"), "{:.1f}")))

    def median(xs):
        xs = sorted(xs)
        n = len(xs)
        return None if n == 0 else (xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2)

    ours_runs, torch_runs, torch_best = [], [], None
    for seed in seeds:
        o = load("tta_ours_s%s" % seed)
        ts = [t for t in (load("tta_torch_s%s_t1" % seed), load("tta_torch_s%s_t2" % seed)) if t]
        reached = [t for t in ts if t.get("reached")]
        tb = min(reached, key=lambda t: t["time_to_target_s"]) if reached else (ts[0] if ts else None)
        row("backprop train (GOMAXPROCS 2)", seed, o)
        row("PyTorch (%s thread%s)" % (tb["threads"], "" if tb["threads"] == 1 else "s") if tb else "PyTorch", seed, tb)
        ours_runs.append(o)
        torch_runs.append(tb)
        torch_best = torch_best or tb
    print()
    for key, what in (("time_to_target_s", "training + evaluation"), ("time_to_target_process_s", "process")):
        # A run that never reaches 98 % counts as infinitely slow in the median.
        mo = median([r[key] if r and r.get("reached") else float("inf") for r in ours_runs])
        mt = median([r[key] if r and r.get("reached") else float("inf") for r in torch_runs])
        print("median %s s to 98 %% over seeds %s: ours %s, PyTorch %s, ratio %s (target ≤ 0.5)" % (
            what, " ".join(seeds), num(mo, "{:.1f}"), num(mt, "{:.1f}"),
            num(mo / mt if mo and mt and mt != float("inf") else None, "{:.2f}")))
    if torch_best:
        print("PyTorch's process times include %.1f s importing torch and %.1f s decoding the IDX files." % (
            torch_best.get("import_s", 0), torch_best.get("data_s", 0)))
print()
print("logs and JSON: %s" % out)
EOF
if [ "$FAILED" -gt 0 ]; then
	echo "compare_train.sh: $FAILED run(s) failed; see $OUT/logs" >&2
	exit 1
fi
