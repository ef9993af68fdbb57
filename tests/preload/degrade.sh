#!/bin/sh
# Degradation: a segment directory that is not ours (mode 0755), a symlink or relative
# -> nothing created, every call passes through, silent unless VIGIL_DEBUG=1;
# VIGIL_DISABLE=1 -> no segment; a second copy of the collector counts nothing twice.
. "$(dirname "$0")/../lib/preload.sh"
setup "$1" "$2"
lib=${VIGIL_LIB:?VIGIL_LIB must name libvigil.so}
prog=$2/prog_misc
pre=""
case $(ldd "$lib" 2>/dev/null) in *libasan*) pre="$(gcc -print-file-name=libasan.so):" ;; esac
export ASAN_OPTIONS=detect_leaks=0

# wrong mode: pass through, no output, no segment
bad=$WORK/bad; mkdir -m 755 "$bad"
VIGIL_DIR=$bad LD_PRELOAD="$pre$lib" "$prog" errno > out.txt 2> err.txt || fail "program failed in pass-through"
[ -s err.txt ] && fail "collector printed without VIGIL_DEBUG: $(cat err.txt)"
[ -z "$(ls "$bad")" ] || fail "segment created in a 0755 directory"
VIGIL_DEBUG=1 VIGIL_DIR=$bad LD_PRELOAD="$pre$lib" "$prog" errno 2> err.txt || fail "program failed"
grep -q 'vigil: segment directory is not ours' err.txt || fail "VIGIL_DEBUG gave no reason: $(cat err.txt)"

# symlinked directory: refused
ln -s "$VIGIL_DIR" link
VIGIL_DIR=$WORK/link LD_PRELOAD="$pre$lib" "$prog" errno || fail "program failed"
[ -z "$(ls "$VIGIL_DIR")" ] || fail "segment created through a symlink"
VIGIL_DEBUG=1 VIGIL_DIR=$WORK/link LD_PRELOAD="$pre$lib" "$prog" errno 2> err.txt || fail "program failed"
grep -q 'vigil: segment directory is a symbolic link, passing through' err.txt || fail "VIGIL_DEBUG reason: $(cat err.txt)"
# a file, a missing parent: the reason is named
touch afile
VIGIL_DEBUG=1 VIGIL_DIR=$WORK/afile LD_PRELOAD="$pre$lib" "$prog" errno 2> err.txt || fail "program failed"
grep -q 'vigil: segment directory is not a directory' err.txt || fail "VIGIL_DEBUG reason: $(cat err.txt)"
VIGIL_DEBUG=1 VIGIL_DIR=$WORK/no/such LD_PRELOAD="$pre$lib" "$prog" errno 2> err.txt || fail "program failed"
grep -q 'its parent does not exist' err.txt || fail "VIGIL_DEBUG reason: $(cat err.txt)"

# missing directory: created 0700
VIGIL_DIR=$WORK/new LD_PRELOAD="$pre$lib" "$prog" errno || fail "program failed"
[ "$(stat -c %a new)" = 700 ] || fail "new directory mode $(stat -c %a new)"
[ "$(stat -c %a new/*.seg)" = 600 ] || fail "segment mode"

# relative VIGIL_DIR: refused (each process would resolve it against its own working directory)
VIGIL_DEBUG=1 VIGIL_DIR=relseg LD_PRELOAD="$pre$lib" "$prog" errno 2> err.txt || fail "program failed"
[ ! -e relseg ] || fail "relative VIGIL_DIR created"
grep -q 'VIGIL_DIR is not an absolute path' err.txt || fail "VIGIL_DEBUG gave no reason: $(cat err.txt)"

# VIGIL_DISABLE
VIGIL_DISABLE=1 VIGIL_DIR=$WORK/dis LD_PRELOAD="$pre$lib" "$prog" errno || fail "program failed"
[ -z "$(ls dis 2>/dev/null)" ] || fail "segment created with VIGIL_DISABLE=1"

# two copies of the collector: counted once
cp "$lib" "$WORK/libvigil-copy.so"
LD_PRELOAD="$pre$WORK/libvigil-copy.so" vrun p.json "$prog" fork
expect_op p.json posix write 9 0 90
echo PASS
