#!/bin/sh
# Instructions added per call by libvigil.so, counted by callgrind (repeatable on a noisy VM).
# `bench_collector callgrind N` runs every op N and 2N times in one process, callgrind dumping
# its counts right before and after each loop; (Ir(2N) - Ir(N)) / N with the collector less the
# same without it is the wrapper + counting cost of one call.  Each op also runs after another
# thread made one call and ended (OP-t: the process is multithreaded, which also makes glibc's
# own calls dearer: "without" is measured the same way) and after another thread made one OP on
# the same files (OP-s: their records are shared between threads).
# usage: bench/collector/callgrind.sh [BUILD_DIR] [LIBVIGIL]   (LIBVIGIL: default BUILD_DIR's)
# env: CG_N (N for data calls and stat, default 20000; open+close N/4),
#      CG_RAW=1 (print "OP added" lines, one per op and variant, for tests/perf)
build=$(cd "${1:-build}" && pwd)
lib=${2:-$build/lib/libvigil.so}
bin=$build/bench/bench_collector
command -v valgrind >/dev/null || { echo "valgrind not found"; exit 1; }
[ -x "$bin" ] && [ -f "$lib" ] || { echo "build $build first (bench_collector, libvigil.so)"; exit 1; }
tmp=$(mktemp -d /dev/shm/vigil-cg.XXXXXX) # VIGIL_DIR below: segments live on tmpfs
trap 'rm -rf "$tmp"' EXIT
n=${CG_N:-20000}
run() { # NAME [LD_PRELOAD]: callgrind dumps in $tmp/NAME/, the loops' labels in $tmp/NAME.labels
	mkdir -m 700 "$tmp/$1"
	VIGIL_DIR=$tmp/$1 LD_PRELOAD=$2 valgrind --tool=callgrind --dump-before=measured \
		--dump-after=measured --callgrind-out-file="$tmp/$1/cg" "$bin" callgrind "$n" \
		> "$tmp/$1.labels" 2>/dev/null
}
run without "" & p1=$!
run with "$lib" & p2=$!
wait $p1 && wait $p2 || { echo "a callgrind run failed"; exit 1; }
python3 - "$tmp" <<'PY'
import glob, os, sys
tmp = sys.argv[1]

def loops(name):
    """{(label, n): Ir} of the measured loops, from the dumps taken at their ends."""
    labels = [l.split() for l in open(os.path.join(tmp, name + ".labels"))]
    dumps = sorted(glob.glob(os.path.join(tmp, name, "cg.*")), key=lambda p: int(p.rsplit(".", 1)[1]))
    ir = []
    for p in dumps:
        text = open(p).read()
        if "Trigger: --dump-after=measured" in text:
            ir.append(int(text.split("\nsummary:", 1)[1].split()[0]))
    if len(ir) != len(labels):
        raise SystemExit("%s: %d loops, %d dumps" % (name, len(labels), len(ir)))
    return {(l[0], int(l[1])): v for l, v in zip(labels, ir)}

def per_call(res):
    out = {}
    for (op, n), v in res.items():
        if (op, 2 * n) in res:
            out[op] = (res[(op, 2 * n)] - v) / n
    return out

without, with_ = per_call(loops("without")), per_call(loops("with"))
names = [op for op in with_ if "-" not in op]
if os.environ.get("CG_RAW") == "1":
    for op in with_:
        print("%s %.1f" % (op, with_[op] - without[op]))
    sys.exit(0)
print("| operation | Ir/call without | added: one thread | added: another thread has run "
      "| added: record shared with another thread |")
print("|---|---|---|---|---|")
for op in names:
    print("| %s | %d | %s |" % (op, round(without[op]), " | ".join(
        "%d" % round(with_[op + v] - without[op + v]) for v in ("", "-t", "-s"))))
PY
