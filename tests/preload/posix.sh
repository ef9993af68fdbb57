#!/bin/sh
# Exact calls, errors and bytes of every POSIX op, and the per-file record.
# usage: posix.sh VIGIL_BIN PROG_DIR PROG   (PROG: prog_posix or prog_posix_fortify)
. "$(dirname "$0")/../lib/preload.sh"
setup "$1" "$2"
prog=$2/$3
if [ "$3" = prog_posix_fortify ]; then
	for s in __read_chk __pread_chk __pread64_chk __open_2 __open64_2 __openat_2; do
		nm -D "$prog" | grep -q " U $s@" || fail "fortified build does not call $s"
	done
fi
mkdir w
vrun p.json "$prog" "$WORK/w"
[ "$RC" = 0 ] || fail "program reported a misbehaving call (exit $RC)"
expect_op p.json posix open 7 1 0
expect_op p.json posix close 11 0 0
expect_op p.json posix read 5 0 4000
expect_op p.json posix write 5 0 4011
expect_op p.json posix pread 2 0 30
expect_op p.json posix pwrite 2 0 150
expect_op p.json posix readv 1 0 10
expect_op p.json posix writev 1 0 7
expect_op p.json posix preadv 3 0 48
expect_op p.json posix pwritev 3 0 48
expect_op p.json posix lseek 2 0 0
expect_op p.json posix fsync 1 0 0
expect_op p.json posix fdatasync 2 0 0
expect_op p.json posix ftruncate 2 0 0
expect_op p.json posix stat 5 0 0
expect_op p.json posix unlink 2 0 0
expect_op p.json posix rename 3 0 0
expect_op p.json posix mkdir 2 1 0
expect_op p.json posix rmdir 1 0 0
expect_op p.json posix opendir 1 0 0
expect_op p.json posix access 2 0 0
expect_op p.json posix dup 5 0 0
expect_op p.json posix mmap 1 0 0
# request-size histogram: the four 1000-byte writes in [512,1024) = bucket 10, 11 bytes in bucket 4
expect p.json '.totals.posix.write.size_histogram[10]' 4
expect p.json '.totals.posix.write.size_histogram[4]' 1
expect p.json '.totals.posix.readv.size_histogram[4]' 1
f=$WORK/w/a.dat
expect_file p.json "$f" posix reads 11
expect_file p.json "$f" posix writes 11
expect_file p.json "$f" posix bytes_read 4088
expect_file p.json "$f" posix bytes_written 4216
expect_file p.json "$f" posix metadata_ops 11
expect_file p.json "$f" posix max_offset 4150
expect_file p.json "$f" posix consec_reads 6
expect p.json '.flags | length' 0
expect p.json '.processes[0].exit_status' 0
echo PASS
