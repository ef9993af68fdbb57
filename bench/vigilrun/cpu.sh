#!/bin/sh
# CPU cost per short-lived process (issue 8, "Cost per process and per vigil run"): task-clock of a
# 200-process shell loop (200 x /bin/true), children included, plain / with libvigil.so preloaded /
# under `vigil run` (the CLI's own CPU counted too), alternated ROUNDS times; medians per process.
# With OTHER_BUILD (e.g. a "before" build from `git archive`), its preload and run are measured in
# the same rounds (preload2, run2), so both see the same load.
# CPU time rather than wall time: the shared 2-core VM's wall times swing severalfold.
# usage: bench/vigilrun/cpu.sh [BUILD_DIR] [ROUNDS] [OTHER_BUILD]
build=$(cd "${1:-build}" && pwd)
rounds=${2:-7}
other=${3:+$(cd "$3" && pwd)}
for b in $build $other; do
	[ -x "$b/bin/vigil" ] && [ -f "$b/lib/libvigil.so" ] || { echo "build $b first"; exit 1; }
done
command -v perf > /dev/null || { echo "perf is needed (linux-perf)"; exit 1; }
export VIGIL_DIR=$(mktemp -d /dev/shm/vigil-bench.XXXXXX)
work=$(mktemp -d)
trap 'rm -rf "$VIGIL_DIR" "$work"' EXIT
cd "$work" || exit 1
cat > loop.sh <<'EOS'
i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i + 1)); done
EOS
# task-clock in ms of "$@", children included
cpu() { perf stat -x, -e task-clock "$@" 2>&1 > /dev/null | awk -F, '$3 == "task-clock" {print $1}'; }
med() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'; }
out=$work/out
r=0
while [ $r -lt "$rounds" ]; do
	echo "plain $(cpu sh loop.sh)" >> "$out"
	n=""
	for b in $build $other; do
		echo "preload$n $(LD_PRELOAD=$b/lib/libvigil.so cpu sh loop.sh)" >> "$out"
		rm -f "$VIGIL_DIR"/*.seg
		echo "run$n $(cpu "$b/bin/vigil" run -q --profile "$work/l$r$n.json" -- sh loop.sh)" >> "$out"
		n=2
	done
	r=$((r + 1))
done
for k in plain preload run ${other:+preload2 run2}; do
	printf '%-8s %s ms per process\n' $k "$(awk -v k=$k '$1 == k {print $2 / 200}' "$out" | med)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
