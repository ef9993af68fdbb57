#!/bin/sh
# vigild's CPU, OLD build against NEW, alternated run by run: for each of RUNS
# rounds, OLD then NEW in each scenario, a fresh vigild each time (--interval 0.1):
#   changing  N segments in 20 jobs, each written 10 times a second by its own
#             process (tests/daemon/segtool.c, NEW's), sampled at 10 Hz
#   rules     the same N segments in J jobs (default 200)
#   idle      no segments
# Every scenario runs with live insights at `window = 5` (rings full while
# measured: every rule of every job judged each second).
# CPU is vigild's utime+stime (/proc/<pid>/stat) over SECONDS after 7 s of
# warm-up; prints each run and the medians.
# usage: bench/daemon/compare.sh OLD_BUILD NEW_BUILD [N] [J] [SECONDS] [RUNS]
. "$(dirname "$0")/common.sh"
one() { # build scenario: prints "cpu% rssMiB"
	case $2 in
	changing) measure "$1" "$new" 20 "$n" --insights "$T/ins.conf" ;;
	rules) measure "$1" "$new" "$jobs" "$n" --insights "$T/ins.conf" ;;
	idle) measure "$1" "$new" 1 0 --insights "$T/ins.conf" ;;
	esac
}
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
