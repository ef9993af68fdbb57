#!/bin/sh
# vigild's CPU, OLD build against NEW, alternated run by run: for each of RUNS
# rounds, OLD then NEW in each scenario, a fresh vigild each time (--interval 0.1):
#   changing  N segments in 20 jobs, each written 10 times a second by its own
#             process (tests/daemon/segtool.c, NEW's), sampled at 10 Hz
#   rules     the same N segments in J jobs (default 200), live insights with
#             `window = 5` (rings full while measured: every rule of every job
#             judged each second)
#   idle      no segments
# CPU is vigild's utime+stime (/proc/<pid>/stat) over SECONDS after 7 s of
# warm-up; prints each run and the medians.
# usage: bench/daemon/compare.sh OLD_BUILD NEW_BUILD [N] [J] [SECONDS] [RUNS]
. "$(dirname "$0")/common.sh"
one() { # build scenario: prints "cpu% rssMiB"
	rm -rf "$T/seg" "$T/state"; mkdir -m 700 "$T/seg"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$1/bin/vigild" --listen 127.0.0.1:$port --dir "$T/seg" --state-dir "$T/state" --socket none --interval 0.1 \
		--job-linger 600 --log-level error --insights "$T/ins.conf" &
	vd=$!; pids="$vd"
	nj=20; [ "$2" = rules ] && nj=$jobs
	[ "$2" = idle ] || for i in $(seq 1 "$n"); do
		"$new/bin/vigil_segtool" "$T/seg" "bench$((i % nj))" --op write --calls 100000000 --bytes 4096 --delay-ms 100 &
		pids="$pids $!"
	done
	sleep 7
	a=$(cpu $vd); t0=$(date +%s.%N); sleep "$secs"; c=$(cpu $vd); t1=$(date +%s.%N)
	rss=$(awk '/VmRSS/ { print $2 }' /proc/$vd/status)
	for p in $pids; do kill -9 $p 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=""
	awk -v a="$a" -v b="$c" -v t0="$t0" -v t1="$t1" -v r="$rss" 'BEGIN { printf "%.2f %.1f\n", 100 * (b - a) / (t1 - t0), r / 1024 }'
}
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for s in changing rules idle; do : >"$T/$s.old"; : >"$T/$s.new"; done
for r in $(seq 1 "$runs"); do
	for s in changing rules idle; do
		x=$(one "$old" $s); echo "run $r $s old: cpu $x (% of one core, RSS MiB)"; echo "$x" >>"$T/$s.old"
		y=$(one "$new" $s); echo "run $r $s new: cpu $y"; echo "$y" >>"$T/$s.new"
	done
done
for s in changing rules idle; do
	awk -v s="$s" -v o="$(med "$T/$s.old")" -v w="$(med "$T/$s.new")" -v N="$n" -v J="$jobs" 'BEGIN {
		printf "median %-8s (%s): old %.2f %%, new %.2f %% of one core\n", s,
		       s == "idle" ? "no segments" : s == "rules" ? N " segments, " J " jobs, rules judged" : N " segments at 10 Hz", o, w }'
done
