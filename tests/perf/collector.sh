#!/bin/sh
# Gate on the collector's added instructions per call (bench/collector/callgrind.sh, CG_RAW):
# fails when any op or variant costs more than 5 % over tests/perf/collector.baseline.
# The baseline holds RelWithDebInfo figures of this build environment (Debian 12, GCC 12,
# glibc 2.36); after a deliberate change, regenerate it with the command in its header.
# usage: collector.sh BUILD_DIR BASELINE BUILD_TYPE SANITIZE
build=$1 baseline=$2
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed (scripts/install-deps.sh test)"; exit 77; }
[ "$3" = RelWithDebInfo ] || { echo "SKIP: the baseline is of a RelWithDebInfo build, this is '$3'"; exit 77; }
case $4 in ON|on|1|TRUE|true) echo "SKIP: sanitized build"; exit 77 ;; esac
src=$(cd "$(dirname "$0")/../.." && pwd)
got=$(CG_RAW=1 CG_N=20000 sh "$src/bench/collector/callgrind.sh" "$build") || { echo "FAIL: $got"; exit 1; }
echo "$got" | awk -v base="$baseline" '
	BEGIN {
		while ((getline l < base) > 0)
			if (l !~ /^#/ && split(l, f, " ") == 2)
				want[f[1]] = f[2]
	}
	{
		have[$1] = 1
		if (!($1 in want)) { printf "FAIL: %s +%s: not in the baseline\n", $1, $2; bad = 1; next }
		limit = want[$1] * 1.05
		verdict = $2 > limit + 0.5 ? "FAIL" : "ok"
		if (verdict == "FAIL") bad = 1
		printf "%-4s %-13s +%6.1f instructions/call (baseline +%s, limit +%.1f)\n", verdict, $1, $2, want[$1], limit
	}
	END {
		for (k in want)
			if (!(k in have)) { printf "FAIL: %s: in the baseline, not measured\n", k; bad = 1 }
		exit bad
	}'
