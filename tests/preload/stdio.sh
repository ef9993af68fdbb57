#!/bin/sh
# Exact calls, errors and bytes of every stdio op, per-file stdio counters, stdout intact.
# usage: stdio.sh VIGIL_BIN PROG_DIR PROG   (prog_stdio or prog_stdio_fortify)
. "$(dirname "$0")/../lib/preload.sh"
setup "$1" "$2"
prog=$2/$3
if [ "$3" = prog_stdio_fortify ]; then
	for s in __fprintf_chk __printf_chk; do
		nm -D "$prog" | grep -q " U $s@" || fail "fortified build does not call $s"
	done
fi
mkdir w
vrun p.json "$prog" "$WORK/w" > out.txt
[ "$RC" = 0 ] || fail "program reported a misbehaving call (exit $RC)"
printf '7\nhello\n\nz' | cmp -s - out.txt || fail "stdout changed under the collector"
expect_op p.json stdio fopen 4 1 0
expect_op p.json stdio fdopen 1 0 0
expect_op p.json stdio freopen 1 0 0
expect_op p.json stdio fclose 4 0 0
expect_op p.json stdio fread 3 0 86
expect_op p.json stdio fwrite 2 0 37
expect_op p.json stdio fgets 1 0 8
expect_op p.json stdio fputs 2 0 13
expect_op p.json stdio fgetc 2 0 2
expect_op p.json stdio fputc 3 0 3
expect_op p.json stdio fprintf 3 0 11
expect_op p.json stdio fscanf 1 0 0
expect_op p.json stdio fflush 2 0 0
expect_op p.json stdio fseek 3 0 0
expect_op p.json stdio ftell 3 0 0
expect_op p.json stdio rewind 1 0 0
# stdio traffic never shows up in the POSIX layer (glibc writes internally)
expect_op p.json posix write 0 0 0
expect_op p.json posix read 0 0 0
expect_op p.json posix dup 1 0 0
f=$WORK/w/s.txt
expect_file p.json "$f" stdio writes 6
expect_file p.json "$f" stdio bytes_written 51
expect_file p.json "$f" stdio reads 7
expect_file p.json "$f" stdio bytes_read 96
expect_file p.json "$WORK/w/s4.txt" stdio bytes_written 3
# stdout redirected to a regular file counts on that file; through a pipe it is <stdout>
expect_file p.json "$(pwd -P)/out.txt" stdio bytes_written 10
expect_file p.json "<stdout>" stdio bytes_written 0
mkdir w2
"$VIGIL" run -q --profile p2.json -- "$prog" "$WORK/w2" | cat > out2.txt
cmp -s out.txt out2.txt || fail "stdout through a pipe changed under the collector"
expect_file p2.json "<stdout>" stdio bytes_written 10
echo PASS
