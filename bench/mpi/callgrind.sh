#!/bin/sh
# bench/mpi/callgrind.sh [BUILD_DIR] [N] - instructions the MPI collectors add per wrapped
# call, counted by callgrind (repeatable on a noisy VM; timings are not).  2 ranks of
# bench/mpi/cg_mpi.c, rank 0 under callgrind with --toggle-collect=cg_* (only the loops);
# cg_added.awk takes out the MPI library's own work (its polling depends on timing).
# "added" = (Ir with vigil - Ir plain) / calls.  vigil = LD_PRELOAD of libvigil.so and the MPI
# shim libvigil-mpi.so, as `vigil run` preloads them (PAIR=1: both MPI collectors, the old
# form; also where there is no shim).  Prints "impl call plain vigil added" lines.
set -u
build=$(cd "${1:-build}" && pwd)
n=${2:-2000}
lib=$build/lib
pre=$lib/libvigil.so:$lib/libvigil-mpi.so
[ -f "$lib/libvigil-mpi.so" ] && [ "${PAIR:-0}" = 0 ] ||
	pre=$lib/libvigil.so:$lib/libvigil-mpi-openmpi.so:$lib/libvigil-mpi-mpich.so
awkf=$(dirname "$0")/cg_added.awk
command -v valgrind >/dev/null || { echo "valgrind not found" >&2; exit 77; }
w=$(mktemp -d /tmp/vigil-cg-mpi.XXXXXX)
mkdir -m 700 "$w/seg"
trap 'rm -rf "$w"' EXIT
export VIGIL_DIR=$w/seg VIGIL_PROFILE=$w/profile.json
cg="valgrind --tool=callgrind --compress-strings=no --compress-pos=no --toggle-collect=cg_*"
run() { # IMPL PRELOAD OUT
	exe=$build/bench/mpi/cg_mpi_$1
	case $1 in
	openmpi) mpirun="mpirun.openmpi --allow-run-as-root --oversubscribe" ;;
	mpich) mpirun="mpirun.mpich" ;;
	esac
	timeout 120 $mpirun -np 1 env LD_PRELOAD="$2" $cg --callgrind-out-file="$3" "$exe" "$n" : \
		-np 1 env LD_PRELOAD="$2" "$exe" "$n" >"$w/log" 2>&1 || { cat "$w/log" >&2; return 1; }
	awk -f "$awkf" "$3"
	rm -f "$w/seg/"*.seg
}
for impl in ${IMPLS:-openmpi mpich}; do
	[ -x "$build/bench/mpi/cg_mpi_$impl" ] || continue
	run "$impl" "" "$w/plain.out" >"$w/plain" || exit 1
	run "$impl" "$pre" "$w/vigil.out" >"$w/vigil" || exit 1
	for l in pingpong allreduce comm_rank; do
		case $l in pingpong) calls=$((2 * n)) ;; *) calls=$n ;; esac
		p=$(awk -v l=cg_$l '$1 == l {print $2}' "$w/plain")
		v=$(awk -v l=cg_$l '$1 == l {print $2}' "$w/vigil")
		awk -v i=$impl -v l=$l -v p="$p" -v v="$v" -v c=$calls \
			'BEGIN {printf "%s %s %.1f %.1f %.1f\n", i, l, p / c, v / c, (v - p) / c}'
	done
done
