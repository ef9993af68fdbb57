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
one() { ob=$1; shift; measure "$ob" "$ob" "$jobs" "$n" "$@"; } # BUILD [VIGILD_ARGS...]
: >"$T/base"; : >"$T/new"
for r in $(seq 1 "$runs"); do
	x=$(one "$old"); echo "run $r base: cpu $x (% of one core, RSS MiB)"; echo "$x" >>"$T/base"
	y=$(one "$new" --insights "$T/ins.conf"); echo "run $r new:  cpu $y"; echo "$y" >>"$T/new"
done
mb=$(med "$T/base"); mn=$(med "$T/new")
awk -v b="$mb" -v n="$mn" -v N="$n" -v J="$jobs" 'BEGIN { printf "median of %d segments in %d jobs: base %.2f %%, with insights %.2f %% (%+.1f %%)\n", N, J, b, n, (b > 0 ? 100 * (n - b) / b : 0) }'
