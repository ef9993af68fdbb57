#!/bin/sh
# Added cost of libvigil.so per call and at start-up: the same program with and
# without the collector, alternating (ABAB...) in one run, medians.
# usage: [OPS="write write-t ..."] bench/collector/run.sh [BUILD_DIR] [ROUNDS] [OTHER_LIBVIGIL]
# (OPS: bench_collector ops, OP-t / OP-s variants too; default the six single-threaded ones)
# With OTHER_LIBVIGIL (e.g. the libvigil.so of an older build) each round runs A (none),
# B (BUILD_DIR's library) and C (the other one), alternating, for a before/after comparison.
build=$(cd "${1:-build}" && pwd)
rounds=${2:-11}
other=${3:-}
bin=$build/bench/bench_collector
lib=$build/lib/libvigil.so
[ -x "$bin" ] && [ -f "$lib" ] || { echo "build $build first (bench_collector, libvigil.so)"; exit 1; }
export VIGIL_DIR=$(mktemp -d /dev/shm/vigil-bench.XXXXXX)
trap 'rm -rf "$VIGIL_DIR"' EXIT
out=$(mktemp)
for op in ${OPS:-write pwrite pread fwrite openclose stat}; do
	case $op in openclose*|stat*) n=200000 ;; *) n=2000000 ;; esac
	r=0
	while [ $r -lt "$rounds" ]; do
		echo "$op A $("$bin" $op $n)" >> "$out"
		echo "$op B $(LD_PRELOAD=$lib "$bin" $op $n)" >> "$out"
		[ -n "$other" ] && echo "$op C $(LD_PRELOAD=$other "$bin" $op $n)" >> "$out"
		rm -f "$VIGIL_DIR"/*.seg
		r=$((r + 1))
	done
done
# start-up: 200 x /bin/true per sample
r=0
while [ $r -lt "$rounds" ]; do
	for ab in A B; do
		t0=$(date +%s%N)
		i=0
		if [ $ab = A ]; then
			while [ $i -lt 200 ]; do /bin/true; i=$((i + 1)); done
		else
			while [ $i -lt 200 ]; do LD_PRELOAD=$lib /bin/true; i=$((i + 1)); done
		fi
		t1=$(date +%s%N)
		echo "startup $ab $(( (t1 - t0) / 200 ))" >> "$out"
		rm -f "$VIGIL_DIR"/*.seg
	done
	r=$((r + 1))
done
python3 - "$out" "$rounds" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
other = any(r[1] == "C" for r in rows)
head = "| operation | without (ns) | with (ns) | added (ns) | ratio |"
if other:
    head += " other lib (ns) | other added (ns) |"
print(head + f"   ({sys.argv[2]} alternating rounds, medians)")
print("|---" * (7 if other else 5) + "|")
names = {"write": "write 1 B to /dev/null", "pwrite": "pwrite 1 B to /dev/shm", "pread": "pread 1 B from /dev/shm",
         "fwrite": "fwrite 1 B", "openclose": "open + close", "stat": "stat", "startup": "start-up of /bin/true"}
sfx = {"": "", "t": " (another thread has run)", "s": " (records shared with another thread)"}
for op in dict.fromkeys(r[0] for r in rows):
    med = lambda k: statistics.median(float(r[2]) for r in rows if r[0] == op and r[1] == k)
    a, b = med("A"), med("B")
    base, _, v = op.partition("-")
    name = names.get(base, base) + sfx.get(v, "")
    line = f"| {name} | {a:.1f} | {b:.1f} | {b - a:.1f} | {b / a:.2f} |"
    if other and op != "startup":
        c = med("C")
        line += f" {c:.1f} | {c - a:.1f} |"
    elif other:
        line += " | |"
    print(line)
PY
rm -f "$out"
