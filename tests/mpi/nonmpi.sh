#!/bin/sh
# nonmpi.sh BUILD - programs without MPI behave the same with the MPI shim (libvigil-mpi.so)
# or both MPI collectors (the old form) preloaded, and no MPI library is dragged into them.
set -u
build=$1
lib=$build/lib
w=$build/tests/mpi/work/nonmpi
rm -rf "$w"; mkdir -p "$w"; mkdir -m 700 "$w/seg"
export VIGIL_DIR=$w/seg ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0
pre=""
if ldd "$lib/libvigil.so" 2>/dev/null | grep -q libasan; then
	pre=$(ldd "$lib/libvigil.so" | awk '/libasan/ {print $3}'):
fi
pair=$lib/libvigil-mpi-openmpi.so:$lib/libvigil-mpi-mpich.so
fail=0
for mpi in $lib/libvigil-mpi.so $pair; do
	[ -f "${mpi%%:*}" ] || continue
	P=$pre$lib/libvigil.so:$mpi
	out=$(LD_PRELOAD=$P sh -c 'echo hello world | tr a-z A-Z; exit 7'); rc=$?
	[ "$out" = "HELLO WORLD" ] && [ $rc = 7 ] || { echo "FAIL: sh pipeline: '$out' rc=$rc"; fail=1; }
	maps=$(LD_PRELOAD=$P cat /proc/self/maps)
	echo "$maps" | grep -q "${mpi%%:*}" || { echo "FAIL: ${mpi%%:*} was not loaded"; fail=1; }
	echo "$maps" | grep -Eq 'libmpi|libmpich|libopen-pal' && { echo "FAIL: an MPI library was loaded into cat"; fail=1; }
	out=$(LD_PRELOAD=$P python3 -c 'import sys; print(sum(range(10)))' 2>&1)
	[ "$out" = 45 ] || { echo "FAIL: python3: $out"; fail=1; }
done
# Only the MPI libraries (no libvigil.so): still harmless.
out=$(LD_PRELOAD=$pre$lib/libvigil-mpi.so:$lib/libvigil-mpi-mpich.so:$lib/libvigil-mpi-openmpi.so sh -c 'echo ok')
[ "$out" = ok ] || { echo "FAIL: MPI collectors alone"; fail=1; }
[ $fail = 0 ] && echo "ok: non-MPI programs unaffected"
exit $fail
