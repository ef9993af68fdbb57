#!/bin/sh
# late.sh BUILD IMPL PROG - a job with one deliberately late rank (progs/late.c, rank 2 of 4)
# under `vigil run -- mpirun`: the summary shows MPI and MPI-IO rows and the MPI share
# next to 16 kinds of POSIX calls, and the report (text and HTML) names rank 2 as the one
# arriving last and another rank as the one waiting longest in MPI.
set -u
build=$1 impl=$2 prog=$3
w=$build/tests/mpi/work/late-$impl
rm -rf "$w"; mkdir -p "$w"; mkdir -m 700 "$w/seg"
cd "$w" || exit 1
export VIGIL_DIR=$w/seg OMPI_MCA_btl_vader_backing_directory=$w
export ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0
unset VIGIL_PROFILE VIGIL_JOB_ID VIGIL_MPI SLURM_JOB_ID PBS_JOBID LSB_JOBID FLUX_JOB_ID
case $impl in
openmpi) mpirun="mpirun.openmpi --allow-run-as-root --oversubscribe -np 4" ;;
mpich)   mpirun="mpirun.mpich -np 4" ;;
esac
vigil=$build/bin/vigil
fail=0
timeout 60 "$vigil" run --profile p.json -- $mpirun "$prog" 2 >out.txt 2>sum.txt
rc=$?
[ $rc = 0 ] && [ -s p.json ] || { echo "FAIL: vigil run exited $rc"; cat sum.txt; exit 1; }
# The summary lists the 14 operations that took most time: which POSIX calls make it depends on
# the machine's load (open fell out under load), so any POSIX row will do.
for row in 'mpi +MPI_Barrier ' 'mpiio +MPI_File_' 'posix +[a-z]'; do
	grep -Eq "^  $row" sum.txt || { echo "FAIL: the summary has no row /$row/"; fail=1; }
done
grep -Eq '^  time: I/O .*, MPI [0-9.]+ [a-z]+ \([0-9.]+ %\) of the processes' sum.txt ||
	{ echo "FAIL: the summary does not show the MPI share"; fail=1; }
"$vigil" report p.json >report.txt || { echo "FAIL: vigil report"; exit 1; }
grep -Eq '^  most time waiting in MPI: rank [013] \(.*\); most time computing / arriving last: rank 2 \(' report.txt ||
	{ echo "FAIL: the report names the wrong ranks:"; grep -i "most time" report.txt; fail=1; }
"$vigil" report p.json -o r.html || { echo "FAIL: vigil report -o"; exit 1; }
grep -q 'id="outside-rank">rank 2<' r.html && grep -Eq 'id="mpi-wait-rank">rank [013]<' r.html ||
	{ echo "FAIL: the HTML report names the wrong ranks"; grep -o 'id="culprits">[^/]*' r.html; fail=1; }
[ $fail = 0 ] || { cat sum.txt; exit 1; }
echo "ok: late rank 2 named, MPI rows and share in the summary"
