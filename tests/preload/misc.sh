#!/bin/sh
# Process-level scenarios of prog_misc: threads, shared shard, fork, exec chain,
# SIGKILL, file-table overflow, errno, constructor + signal handler, posix_spawn.
# usage: misc.sh VIGIL_BIN PROG_DIR MODE
. "$(dirname "$0")/../lib/preload.sh"
setup "$1" "$2"
prog=$2/prog_misc
mode=$3
case $mode in
threads)
	vrun p.json "$prog" threads 8
	[ "$RC" = 0 ] || fail "exit $RC"
	expect_op p.json posix write 80000 0 80000
	expect_op p.json posix pwrite 800 0 8000
	expect_file p.json "$WORK/shared.dat" posix writes 800
	expect_file p.json "$WORK/shared.dat" posix bytes_written 8000
	expect_file p.json "$WORK/shared.dat" posix max_offset 8000
	expect p.json '.flags | index("shared_shard")' null
	;;
shared_shard)
	vrun p.json "$prog" threads 20
	[ "$RC" = 0 ] || fail "exit $RC"
	expect_op p.json posix write 200000 0 200000
	expect_op p.json posix pwrite 2000 0 20000
	expect_file p.json "$WORK/shared.dat" posix bytes_written 20000
	expect p.json '.flags | index("shared_shard") != null' true
	;;
fork)
	vrun p.json "$prog" fork
	[ "$RC" = 0 ] || fail "exit $RC"
	expect_op p.json posix write 9 0 90
	expect p.json '.processes | length' 2
	expect p.json '[.processes[] | .totals.posix.write.calls] | sort | join(",")' 4,5
	;;
exec)
	vrun p.json "$prog" exec 3
	[ "$RC" = 42 ] || fail "exit $RC, expected 42"
	# 4 images of one process, 2 writes each: counts before each exec kept
	expect p.json '.processes | length' 1
	expect_op p.json posix write 8 0 80
	expect_op p.json posix open 4 0 0
	expect p.json '.processes[0].exit_status' 42
	;;
kill)
	vrun p.json "$prog" kill
	[ "$RC" = 0 ] || fail "exit $RC"
	expect p.json '.processes | length' 2
	expect p.json '[.processes[] | select(.state == "killed")] | length' 1
	# the child's 7 writes before it signalled (its signalling write may be cut short)
	w=$(jq '.processes[] | select(.state == "killed") | .totals.posix.write.calls' p.json)
	[ "$w" -ge 7 ] && [ "$w" -le 8 ] || fail "killed child's writes: $w, expected 7 or 8"
	;;
files)
	vrun p.json "$prog" files 600
	[ "$RC" = 0 ] || fail "exit $RC"
	expect_op p.json posix open 600 0 0
	expect_op p.json posix write 600 0 600
	expect_op p.json posix close 600 0 0
	expect p.json '.flags | index("file_table_overflow") != null' true
	# 511 records: <other files> + 510 named files... all 600 bytes are somewhere
	expect p.json '[.files[] | select(.layer == "posix") | .bytes_written] | add' 600
	expect p.json '[.files[] | select(.path == "<other files>")] | length' 1
	;;
errno)
	vrun p.json "$prog" errno
	[ "$RC" = 0 ] || fail "a return value or errno changed under the collector (exit $RC)"
	expect_op p.json posix read 1 1 0
	expect_op p.json posix write 2 1 8
	expect_op p.json posix open 2 1 0
	expect_op p.json posix lseek 1 1 0
	expect_op p.json posix close 2 1 0
	expect_op p.json stdio fopen 1 1 0
	;;
signal)
	VIGIL_TEST_CTOR=1 vrun p.json "$prog" signal
	[ "$RC" = 0 ] || fail "exit $RC"
	# 3 writes in a constructor, 2 in a signal handler
	expect_op p.json posix write 5 0 11
	;;
spawn)
	vrun p.json "$prog" spawn
	[ "$RC" = 0 ] || fail "exit $RC"
	expect p.json '.processes | length' 2
	[ "$(cat spawn.txt)" = spawned ] || fail "spawned shell output"
	expect_file p.json "$WORK/spawn.txt" posix bytes_written 8
	;;
*)
	fail "unknown mode $mode"
	;;
esac
echo PASS
