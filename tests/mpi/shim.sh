#!/bin/sh
# shim.sh BUILD IMPL PROGDIR SHIM - what `vigil run` preloads for MPI (libvigil-mpi.so, the
# shim; SHIM is 1 when CMake built it, and then it must be there): a non-MPI process (a shell,
# the launcher's non-MPI child) maps the shim and neither MPI collector; each rank of an MPI
# program maps its own MPI's collector only, and counts, also preloaded by a relative path
# after a chdir; with VIGIL_MPI=none or without libvigil.so the calls pass through uncounted;
# an MPI program loaded privately with dlopen (as mpi4py is) counts exactly too.
set -u
build=$1 impl=$2 progs=$3 shim=$4
w=$build/tests/mpi/work/shim-$impl
rm -rf "$w"; mkdir -p "$w"; mkdir -m 700 "$w/seg"
cd "$w" || exit 1
export VIGIL_DIR=$w/seg OMPI_MCA_btl_vader_backing_directory=$w
export ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0
unset VIGIL_PROFILE VIGIL_JOB_ID VIGIL_MPI LD_PRELOAD SLURM_JOB_ID PBS_JOBID LSB_JOBID FLUX_JOB_ID
case $impl in
openmpi) mpirun="mpirun.openmpi --allow-run-as-root --oversubscribe" other=mpich ;;
mpich)   mpirun="mpirun.mpich" other=openmpi ;;
esac
vigil=$build/bin/vigil
fail=0
if [ "$shim" = 1 ] && [ ! -f "$build/lib/libvigil-mpi.so" ]; then
	echo "FAIL: CMake built the shim, but $build/lib/libvigil-mpi.so is missing"; exit 1
fi
if [ "$shim" = 1 ]; then
	# the shell, and mpirun's non-MPI child: each process's maps on its own
	timeout 60 "$vigil" run -q --profile a.json -- sh -c 'cat /proc/self/maps >a1.txt; '"$mpirun"' -np 1 cat /proc/self/maps >a2.txt' 2>a.err ||
		{ echo "FAIL: vigil run of cat exited $?"; cat a.err; exit 1; }
	for a in a1 a2; do
		grep -q '/libvigil-mpi\.so$' $a.txt || { echo "FAIL: the shim is not mapped in non-MPI process $a"; fail=1; }
		grep -q 'libvigil-mpi-' $a.txt && { echo "FAIL: an MPI collector was mapped into non-MPI process $a:"; grep 'libvigil-mpi-' $a.txt | sort -u; fail=1; }
	done
	timeout 60 "$vigil" run -q --profile b.json -- $mpirun -np 2 "$progs/maps" >b.txt 2>b.err ||
		{ echo "FAIL: vigil run of maps exited $?"; cat b.err; exit 1; }
	for r in 0 1; do
		grep -q "^rank $r/libvigil-mpi-$impl\.so$" b.txt || { echo "FAIL: rank $r did not map libvigil-mpi-$impl.so"; fail=1; }
		grep -q "^rank $r/libvigil-mpi\.so$" b.txt || { echo "FAIL: rank $r did not map the shim"; fail=1; }
	done
	grep -q "libvigil-mpi-$other" b.txt && { echo "FAIL: a rank mapped the $other collector"; fail=1; }
	jq -e '.totals.mpi.MPI_Init.calls == 2 and .totals.mpi.MPI_Comm_rank.calls == 2 and .totals.mpi.MPI_Finalize.calls == 2' b.json >/dev/null ||
		{ echo "FAIL: the ranks did not count through the shim"; jq -c '.totals.mpi' b.json; fail=1; }
	# preloaded by a relative path, and each rank changes directory before its first MPI call
	# (an ASan build's libvigil.so needs the ASan runtime first, as vigil run puts it)
	pre=""
	case $(ldd "$build/lib/libvigil.so" 2>/dev/null) in *libasan*) pre="$(gcc -print-file-name=libasan.so):" ;; esac
	timeout 60 "$vigil" run -q --profile d.json -- $mpirun -np 2 sh -c \
		'cd "$0" && LD_PRELOAD=$2./libvigil.so:./libvigil-mpi.so exec "$1" /' "$build/lib" "$progs/maps" "$pre" >d.txt 2>d.err ||
		{ echo "FAIL: vigil run of maps with a relative preload exited $?"; cat d.err; exit 1; }
	jq -e '.totals.mpi.MPI_Init.calls == 2 and .totals.mpi.MPI_Comm_rank.calls == 2 and .totals.mpi.MPI_Finalize.calls == 2' d.json >/dev/null ||
		{ echo "FAIL: a shim preloaded by a relative path did not find its collector after chdir"; jq -c '.totals.mpi' d.json; cat d.txt; fail=1; }
	# VIGIL_MPI=none: the calls pass through (each rank gets its rank), no collector, nothing counted
	VIGIL_MPI=none timeout 60 "$vigil" run -q --profile e.json -- $mpirun -np 2 "$progs/maps" >e.txt 2>e.err ||
		{ echo "FAIL: vigil run of maps with VIGIL_MPI=none exited $?"; cat e.err; exit 1; }
	[ "$(LC_ALL=C sort e.txt | tr '\n' ' ')" = "rank 0/libvigil-mpi.so rank 0/libvigil.so rank 1/libvigil-mpi.so rank 1/libvigil.so " ] ||
		{ echo "FAIL: with VIGIL_MPI=none the ranks mapped:"; cat e.txt; fail=1; }
	jq -e '(.totals.mpi // {}) == {}' e.json >/dev/null ||
		{ echo "FAIL: with VIGIL_MPI=none MPI calls were counted"; jq -c '.totals.mpi' e.json; fail=1; }
	# the shim without libvigil.so: the calls pass through, no collector is loaded
	LD_PRELOAD=$pre$build/lib/libvigil-mpi.so timeout 60 $mpirun -np 2 "$progs/maps" >f.txt 2>f.err ||
		{ echo "FAIL: maps with the shim alone exited $?"; cat f.err; exit 1; }
	[ "$(LC_ALL=C sort f.txt | tr '\n' ' ')" = "rank 0/libvigil-mpi.so rank 1/libvigil-mpi.so " ] ||
		{ echo "FAIL: with the shim alone the ranks mapped:"; cat f.txt; fail=1; }
fi
timeout 60 "$vigil" run -q --profile c.json -- $mpirun -np 2 "$progs/dlmain" "$progs/dlmod.so" >c.txt 2>c.err ||
	{ echo "FAIL: vigil run of dlmain exited $?"; cat c.err; exit 1; }
jq -e '.totals.mpi | .MPI_Init.calls == 2 and .MPI_Comm_size.calls == 2 and .MPI_Finalize.calls == 2 and
       .MPI_Send.calls == 1 and .MPI_Send.bytes == 400 and .MPI_Recv.calls == 1 and .MPI_Recv.bytes == 400' c.json >/dev/null ||
	{ echo "FAIL: MPI loaded privately by dlopen was not counted exactly"; jq -c '.totals.mpi' c.json; fail=1; }
[ $fail = 0 ] || { cat b.txt 2>/dev/null; exit 1; }
echo "ok: non-MPI processes map the shim only, ranks their own collector; dlopen'ed MPI counted"
