#!/bin/sh
# shimundef.sh SHIM PROG STUB - an MPI name without definition at the shim's first call: found
# at a later call once an MPI is dlopen'ed; with none at all, the call returns 16 (an internal
# MPI error in both families) and writes nothing (not a jump to address 0).  PROG is shimundef.c, STUB shimstub.c's library.
set -u
shim=$1 prog=$2 stub=$3
export ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0
out=$(LD_PRELOAD=$shim "$prog" late "$stub" 2>&1)
[ "$out" = ok ] || { echo "FAIL: a definition loaded after the first call was not found: $out"; exit 1; }
err=$(mktemp) || exit 1
trap 'rm -f "$err"' EXIT
ulimit -c 0
LD_PRELOAD=$shim "$prog" >/dev/null 2>"$err"
rc=$?
[ "$rc" = 16 ] && [ ! -s "$err" ] ||
	{ printf 'FAIL: an undefined MPI_Init: exit %s, stderr\n%s\nwant 16 (its return value) and nothing written\n' "$rc" "$(cat "$err")"; exit 1; }
echo "ok: late definition found; an undefined MPI_Init returns 16, silently"
