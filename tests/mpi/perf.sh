#!/bin/sh
# tests/mpi/perf.sh SRC_DIR BUILD_DIR BUILD_TYPE SANITIZE - the MPI collectors' cost gate: instructions each
# wrapper adds per call (bench/mpi/callgrind.sh: callgrind, deterministic) must stay within
# +5 % of tests/mpi/perf.baseline (RelWithDebInfo figures).  Skips (77) without valgrind, in
# another build type or in a sanitized build, as tests/perf/collector.sh does.  After an intended change,
# re-measure and commit the new figures to the baseline (bench/mpi/RESULTS.md says how).
set -u
src=$1 build=$2
base=$src/tests/mpi/perf.baseline
command -v valgrind >/dev/null || { echo "SKIP: valgrind not found"; exit 77; }
[ "${3-}" = RelWithDebInfo ] || { echo "SKIP: the baseline is of a RelWithDebInfo build, this is '${3-}'"; exit 77; }
case ${4-} in ON|on|1|TRUE|true) echo "SKIP: sanitized build"; exit 77 ;; esac
out=$(mktemp /tmp/vigil-mpi-perf.XXXXXX)
trap 'rm -f "$out"' EXIT
"$src/bench/mpi/callgrind.sh" "$build" 1000 >"$out" || { echo "FAIL: callgrind run failed"; exit 1; }
cat "$out"
[ -s "$out" ] || { echo "FAIL: no MPI benchmark program built (bench/mpi)"; exit 1; }
# baseline lines: "impl call added"; every line of an MPI that was built must be measured
awk 'NR == FNR { if ($1 !~ /^#/ && NF == 3) base[$1 " " $2] = $3; next }
     { got[$1 " " $2] = $5; impl[$1] = 1 }
     END {
	bad = 0
	for (k in base) {
		split(k, f, " ")
		if (!(f[1] in impl)) continue
		if (!(k in got)) { print "FAIL: " k ": not measured"; bad = 1; continue }
		lim = base[k] * 1.05
		if (got[k] > lim) { printf "FAIL: %s: %.1f instructions added per call, baseline %.1f (limit %.1f)\n", k, got[k], base[k], lim; bad = 1 }
		else printf "ok: %s: %.1f added per call (baseline %.1f)\n", k, got[k], base[k]
	}
	exit bad }' "$base" "$out"
