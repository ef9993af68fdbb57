#!/bin/sh
# agree.sh IMPL PROG - the MPI reduction and vigild see the same ranks.
# A 4-rank job (progs/late.c: no I/O after MPI_Finalize) runs with the collector preloaded while
# vigild watches its segments; rank 0 writes the reduced profile into the site store
# (VIGIL_PROFILE_DIR), vigild its node profile into the same store (--profile-layout dated).
# Every rank's counts (calls, bytes, errors, histograms of every operation) must be equal in
# both, and `vigil report JOBID` must pick the reduced profile. Needs VIGILD, VIGIL, LIB_DIR.
. "$(dirname "$0")/../daemon/lib.sh"
impl=$1 prog=$2
case $impl in
openmpi) mpirun="mpirun.openmpi --allow-run-as-root --oversubscribe -np 4" ;;
mpich)   mpirun="mpirun.mpich -np 4" ;;
esac
job=agree-$impl-$$
pre=""
if ldd "$LIB_DIR/libvigil.so" 2>/dev/null | grep -q libasan; then
	pre=$(ldd "$LIB_DIR/libvigil.so" | awk '/libasan/ {print $3}'):
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0
export VIGIL_SOCKET="$SOCK" VIGIL_DIR="$SEG" VIGIL_PROFILE_DIR="$PROF" OMPI_MCA_btl_vader_backing_directory=$T
unset VIGIL_PROFILE VIGIL_JOB_ID SLURM_JOB_ID PBS_JOBID LSB_JOBID FLUX_JOB_ID
start_vigild --job-linger 600 --profile-layout dated
cd "$T"
VIGIL_JOB_ID=$job LD_PRELOAD=$pre$LIB_DIR/libvigil.so:$LIB_DIR/libvigil-mpi-openmpi.so:$LIB_DIR/libvigil-mpi-mpich.so \
	timeout 60 $mpirun "$prog" 1 >"$T/out.txt" 2>&1 || fail "the MPI job failed: $(cat "$T/out.txt")"
reduced=$(find "$PROF" -name "vigil-$job.json")
[ -n "$reduced" ] || fail "no reduced profile in the store: $(find "$PROF")"
"$VIGIL" job-end "$job" || fail "vigil job-end"
wait_for sh -c "find '$PROF' -name 'vigil-$job-*.json' | grep -q ." || fail "no node profile from vigild: $(find "$PROF")"
node=$(find "$PROF" -name "vigil-$job-*.json")
ranks() {
	jq -S '[.processes[] | select(.rank >= 0) | {rank, ops: (.totals | map_values(map_values({calls, bytes, errors, size_histogram})))}] | sort_by(.rank)' "$1"
}
ranks "$reduced" > "$T/reduced.ranks"
ranks "$node" > "$T/node.ranks"
[ "$(jq length "$T/reduced.ranks")" = 4 ] || fail "the reduced profile has $(jq length "$T/reduced.ranks") ranks"
diff -u "$T/reduced.ranks" "$T/node.ranks" >"$T/ranks.diff" || fail "the ranks' counts differ (reduced vs vigild): $(head -60 "$T/ranks.diff")"
"$VIGIL" report "$job" | grep -q '^  generator   vigil-mpi ' || fail "vigil report $job did not pick the reduced profile"
echo "ok: 4 ranks, equal counts in the reduced and the node profile"
