#!/bin/sh
# ns per call of T threads pwriting one shared file (each through its own descriptor: one file
# record, shared between threads), with and without libvigil.so, alternating (ABAB...) in one
# run; medians and their ratio.  Callgrind cannot see what this costs (lock prefixes, the file
# record's cache lines moving between cores).  The ns are wall time over N calls per thread.
# usage: bench/collector/shared.sh [BUILD_DIR] [ROUNDS] [N]
build=$(cd "${1:-build}" && pwd)
rounds=${2:-11}
n=${3:-200000}
bin=$build/bench/bench_collector
lib=$build/lib/libvigil.so
[ -x "$bin" ] && [ -f "$lib" ] || { echo "build $build first (bench_collector, libvigil.so)"; exit 1; }
export VIGIL_DIR=$(mktemp -d /dev/shm/vigil-bench.XXXXXX)
out=$(mktemp)
trap 'rm -rf "$VIGIL_DIR" "$out"' EXIT
for t in 1 2 4; do
	r=0
	while [ $r -lt "$rounds" ]; do
		echo "$t A $("$bin" shared $t "$n")" >> "$out"
		echo "$t B $(LD_PRELOAD=$lib "$bin" shared $t "$n")" >> "$out"
		rm -f "$VIGIL_DIR"/*.seg
		r=$((r + 1))
	done
done
python3 - "$out" "$rounds" "$n" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
print("%s rounds, %s pwrites of 1 byte per thread; wall ns / calls per thread, medians" % (sys.argv[2], sys.argv[3]))
print("| threads on one file | without (ns) | with (ns) | added (ns) | ratio |")
print("|---|---|---|---|---|")
for t in sorted({r[0] for r in rows}, key=int):
    a = statistics.median(float(r[2]) for r in rows if r[0] == t and r[1] == "A")
    b = statistics.median(float(r[2]) for r in rows if r[0] == t and r[1] == "B")
    print("| %s | %.1f | %.1f | %+.1f | %.3f |" % (t, a, b, b - a, b / a))
PY
