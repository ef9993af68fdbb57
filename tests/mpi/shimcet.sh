#!/bin/sh
# shimcet.sh SO 'OBJ;OBJ...' - libvigil-mpi.so keeps the CET marking its C objects have: the
# linker ANDs every input's .note.gnu.property, so one object without it (the generated
# trampolines, shim_syms.S) would take IBT/SHSTK off the library and every process it is
# preloaded into.  Built with -fcf-protection: all say "IBT, SHSTK"; without: none says anything.
set -u
so=$1
feat() { readelf -n "$1" | sed -n 's/^ *Properties: *x86 feature: *//p'; }
want=$(feat "$so")
fail=0
IFS=';'
for o in $2; do
	got=$(feat "$o")
	[ "$got" = "$want" ] || { echo "FAIL: ${o##*/} has x86 feature '$got', libvigil-mpi.so '$want'"; fail=1; }
done
[ $fail = 0 ] && echo "ok: libvigil-mpi.so and its objects agree on the x86 feature property ('$want')"
exit $fail
