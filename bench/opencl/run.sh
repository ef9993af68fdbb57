#!/bin/sh
# What the OpenCL layer adds, on PoCL's CPU device (POCL_DEVICES=basic, synchronous).
# 1. callgrind instructions per call (repeatable on a noisy VM): (Ir(2N) - Ir(N)) / N, without
#    vigil, with vigil counting only (VIGIL_OPENCL_PROFILING=0), with device timing (default).
# 2. kernel-launch loop: wall ns per launch, median of ROUNDS, and the ratio to plain.
# usage: bench/opencl/run.sh [BUILD_DIR] [ROUNDS]
build=$(cd "${1:-build}" && pwd)
rounds=${2:-5}
lib=$build/lib/libvigil.so
bin=$(dirname "$0")/bench_opencl
tmp=$(mktemp -d)
export VIGIL_DIR=$(mktemp -d /dev/shm/vigil-bo.XXXXXX) POCL_DEVICES=basic POCL_CACHE_DIR=$tmp/pocl
trap 'rm -rf "$VIGIL_DIR" "$tmp"' EXIT
cc -O2 -o "$tmp/bench_opencl" "$(dirname "$0")/bench_opencl.c" -lOpenCL || exit 1
bin=$tmp/bench_opencl
"$bin" kernel 10 >/dev/null # warm PoCL's kernel cache
command -v valgrind >/dev/null || { echo "valgrind not found"; exit 1; }
ir() { # MODE OP N   MODE: plain | count | time
	case $1 in
	plain) valgrind --tool=callgrind --callgrind-out-file="$tmp/o" "$bin" "$2" "$3" >/dev/null 2>&1 ;;
	count) VIGIL_OPENCL_PROFILING=0 LD_PRELOAD=$lib valgrind --tool=callgrind --callgrind-out-file="$tmp/o" "$bin" "$2" "$3" >/dev/null 2>&1 ;;
	time) LD_PRELOAD=$lib valgrind --tool=callgrind --callgrind-out-file="$tmp/o" "$bin" "$2" "$3" >/dev/null 2>&1 ;;
	esac
	awk '/^summary:/ {print $2}' "$tmp/o"
	rm -f "$tmp/o" "$VIGIL_DIR"/*.seg
}
echo "| call | Ir/call without | added, counting only | added, with device timing |"
echo "|---|---|---|---|"
for op in enqueue setarg kernel; do
	n=1024
	ir plain $op 16 >/dev/null # warm-up: PoCL writes its caches on a first run
	p1=$(ir plain $op $n); p2=$(ir plain $op $((2 * n)))
	c1=$(ir count $op $n); c2=$(ir count $op $((2 * n)))
	t1=$(ir time $op $n); t2=$(ir time $op $((2 * n)))
	echo "| $op | $(( (p2 - p1) / n )) | $(( (c2 - c1 - p2 + p1) / n )) | $(( (t2 - t1 - p2 + p1) / n )) |"
done
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# rounds alternate the three variants, so a noisy neighbour hits them alike
for r in $(seq "$rounds"); do
	"$bin" kernel 20000 >> "$tmp/p.all"
	VIGIL_OPENCL_PROFILING=0 LD_PRELOAD=$lib "$bin" kernel 20000 >> "$tmp/c.all"
	LD_PRELOAD=$lib "$bin" kernel 20000 >> "$tmp/t.all"
done
med < "$tmp/p.all" > "$tmp/p"
med < "$tmp/c.all" > "$tmp/c"
med < "$tmp/t.all" > "$tmp/t"
awk -v p="$(cat "$tmp/p")" -v c="$(cat "$tmp/c")" -v t="$(cat "$tmp/t")" 'BEGIN {
	printf "kernel-launch loop (20000 launches, median of rounds): plain %.0f ns, counting %.0f ns (%.2fx), device timing %.0f ns (%.2fx)\n", p, c, c / p, t, t / p }'
