#!/bin/sh
# run_mpi_test.sh - run one MPI program under vigil in one launch form and check its job profile.
#
# usage: run_mpi_test.sh NAME IMPL FORM BUILD PROG CHECKS [ARGS...]
#   IMPL   openmpi | mpich
#   FORM   preload: LD_PRELOAD=libvigil.so:libvigil-mpi.so mpirun ... PROG (the shim; both
#                   collectors where there is no shim)
#          preload-pair: LD_PRELOAD=libvigil.so:both MPI collectors (the old form, still accepted)
#          outer:   vigil run -- mpirun ... PROG   (outer-mpi: vigil run --mpi IMPL -- ...)
#          inner:   mpirun ... vigil run -- PROG
#          crash-outer / crash-preload: PROG kills a rank; the launcher must return (no hang)
#   CHECKS file of jq expressions, one per line, each must be true for the profile
# Every test has its own work directory, segment directory and profile.
set -u
name=$1 impl=$2 form=$3 build=$4 prog=$5 checks=$6
shift 6
case $checks in /*) ;; *) checks=$(pwd)/$checks ;; esac
[ -r "$checks" ] || { echo "FAIL: cannot read $checks"; exit 1; }
w=$build/tests/mpi/work/$name
rm -rf "$w"
mkdir -p "$w"
mkdir -m 700 "$w/seg"
cd "$w" || exit 1
lib=$build/lib
vigil=$build/bin/vigil
np=4
case $impl in
openmpi) mpirun="mpirun.openmpi --allow-run-as-root --oversubscribe -np $np" ;;
mpich)   mpirun="mpirun.mpich -np $np" ;;
*) echo "unknown impl $impl"; exit 2 ;;
esac
# An ASan-built collector needs the ASan runtime first; MPI's own leaks are not ours.
pre=""
if ldd "$lib/libvigil.so" 2>/dev/null | grep -q libasan; then
	pre=$(ldd "$lib/libvigil.so" | awk '/libasan/ {print $3}'):
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0
export VIGIL_DIR=$w/seg
# OpenMPI's shared-memory files of an aborted or killed job stay in its own dir, not /dev/shm
export OMPI_MCA_btl_vader_backing_directory=$w
unset VIGIL_PROFILE VIGIL_JOB_ID VIGIL_MPI SLURM_JOB_ID PBS_JOBID LSB_JOBID FLUX_JOB_ID
pair=$lib/libvigil-mpi-openmpi.so:$lib/libvigil-mpi-mpich.so
mpilibs=$pair
[ -f "$lib/libvigil-mpi.so" ] && mpilibs=$lib/libvigil-mpi.so
[ "$form" = preload-pair ] && { mpilibs=$pair; form=preload; }
preload=$pre$lib/libvigil.so:$mpilibs
profile=$w/profile.json
lim=60

case $form in
preload|crash-preload)
	VIGIL_JOB_ID=test-$name VIGIL_PROFILE=$profile LD_PRELOAD=$preload \
		timeout $lim $mpirun "$prog" "$@" >out.txt 2>err.txt
	rc=$? ;;
outer|crash-outer)
	timeout $lim "$vigil" run -q --profile "$profile" -- $mpirun "$prog" "$@" >out.txt 2>err.txt
	rc=$? ;;
outer-mpi)
	# --mpi names the implementation (as for MPI loaded with dlopen); mpirun still runs fine
	timeout $lim "$vigil" run -q --mpi "$impl" --profile "$profile" -- $mpirun "$prog" "$@" >out.txt 2>err.txt
	rc=$? ;;
inner)
	timeout $lim $mpirun "$vigil" run -q -- "$prog" "$@" >out.txt 2>err.txt
	rc=$?
	n=$(ls vigil-*.json 2>/dev/null | wc -l)
	if [ "$n" != 1 ]; then
		echo "FAIL: expected exactly one job profile, found $n"; ls -la; cat err.txt; exit 1
	fi
	profile=$w/$(ls vigil-*.json) ;;
*) echo "unknown form $form"; exit 2 ;;
esac

case $form in
crash-*)
	if [ $rc = 124 ]; then
		echo "FAIL: the launcher hung (killed by timeout after ${lim}s)"; cat err.txt; exit 1
	fi
	if [ $rc = 0 ]; then
		echo "FAIL: a job with a dead rank exited 0"; exit 1
	fi
	if [ $form = crash-preload ]; then
		# Nobody reached MPI_Finalize: no job profile, but every rank's segment is there.
		[ -e "$profile" ] && { echo "FAIL: a job profile was written for a broken job"; exit 1; }
		segs=$(ls seg/*.seg 2>/dev/null | wc -l)
		[ "$segs" -ge $np ] || { echo "FAIL: expected >= $np segments, found $segs"; exit 1; }
		echo "ok: launcher returned $rc, $segs segments kept"
		exit 0
	fi ;;
*)
	if [ $rc != 0 ]; then
		echo "FAIL: exit status $rc"; cat out.txt err.txt; exit 1
	fi ;;
esac

[ -s "$profile" ] || { echo "FAIL: no profile at $profile"; cat err.txt; exit 1; }
fail=0
while IFS= read -r expr; do
	case $expr in ''|'#'*) continue ;; esac
	if ! jq -e "$expr" "$profile" >/dev/null 2>&1; then
		echo "FAIL: $expr"
		fail=1
	fi
done < "$checks"
if [ $fail = 1 ]; then
	echo "profile: $profile"
	jq -c '[.processes[] | {rank, mpi: (.totals.mpi // {} | map_values([.calls, .bytes, .errors])), mpiio: (.totals.mpiio // {} | map_values([.calls, .bytes]))}]' "$profile" | head -c 4000
	exit 1
fi
echo "ok: $(grep -cv '^\(#.*\)\?$' "$checks") checks passed"
