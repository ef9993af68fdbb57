#!/bin/sh
# The cost of live insights in vigild: N live segments (default 1,000) in J jobs
# (default 200), each written to 10 times a second by its own process
# (tests/daemon/segtool.c: 4 KiB writes, so small_writes is judged in full every
# second but holds nowhere), sampled at 10 Hz.  Runs vigild from BASE (without
# insights) and from NEW alternately, RUNS times each, and prints each run's CPU
# (utime+stime over SECONDS) and the medians.  NEW runs with `window = 5` so its
# window rings are full (a slot leaves for each one added) while it is measured.
# usage: bench/daemon/insights.sh BASE_BUILD NEW_BUILD [N] [J] [SECONDS] [RUNS]
. "$(dirname "$0")/common.sh"
one() { # build extra-args... : prints vigild's CPU % of one core
	b=$1; shift
	rm -rf "$T/seg" "$T/state"; mkdir -m 700 "$T/seg"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$b/bin/vigild" --listen 127.0.0.1:$port --dir "$T/seg" --state-dir "$T/state" --socket none --interval 0.1 \
		--job-linger 600 --log-level error "$@" &
	vd=$!; pids="$vd"
	for i in $(seq 1 "$n"); do
		"$b/bin/vigil_segtool" "$T/seg" "bench$((i % jobs))" --op write --calls 100000000 --bytes 4096 --delay-ms 100 &
		pids="$pids $!"
	done
	sleep 7 # segments found, rings full (window 5 s)
	a=$(cpu $vd); t0=$(date +%s.%N); sleep "$secs"; c=$(cpu $vd); t1=$(date +%s.%N)
	rss=$(awk '/VmRSS/ { print $2 }' /proc/$vd/status)
	for p in $pids; do kill -9 $p 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=""
	awk -v a="$a" -v b="$c" -v t0="$t0" -v t1="$t1" -v r="$rss" 'BEGIN { printf "%.2f %.1f\n", 100 * (b - a) / (t1 - t0), r / 1024 }'
}
: >"$T/base"; : >"$T/new"
for r in $(seq 1 "$runs"); do
	x=$(one "$old"); echo "run $r base: cpu $x (% of one core, RSS MiB)"; echo "$x" >>"$T/base"
	y=$(one "$new" --insights "$T/ins.conf"); echo "run $r new:  cpu $y"; echo "$y" >>"$T/new"
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mb=$(med "$T/base"); mn=$(med "$T/new")
awk -v b="$mb" -v n="$mn" -v N="$n" -v J="$jobs" 'BEGIN { printf "median of %d segments in %d jobs: base %.2f %%, with insights %.2f %% (%+.1f %%)\n", N, J, b, n, (b > 0 ? 100 * (n - b) / b : 0) }'
