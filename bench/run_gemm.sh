#!/usr/bin/env bash
# Runs our float32 GEMM (internal/kernel) and OpenBLAS's cblas_sgemm side by
# side, for 1 and 2 threads, and prints GFLOP/s and the ratio per shape.
# Installs libopenblas-dev (and gcc) with apt-get if missing. OpenBLAS runs
# with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, so it uses its AVX-512
# kernel where the machine has one. Extra arguments go to bench/gemm, e.g.
#   bench/run_gemm.sh -reps 7 -shapes 256x256x256,784x256x64:TN
# Run it on an otherwise idle machine; for each shape OpenBLAS runs first and
# ours right after, never both at once.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v gcc >/dev/null || ! dpkg -s libopenblas-dev >/dev/null 2>&1; then
	echo "# installing libopenblas-dev" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq gcc libopenblas-dev >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/sgemm_openblas" bench/gemm/openblas/sgemm_openblas.c -lopenblas
go build -o "$work/gemm" ./bench/gemm
"$work/gemm" -openblas "$work/sgemm_openblas" "$@"
