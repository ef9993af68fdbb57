#!/bin/sh
# Process-level scenarios of prog_misc: threads, a record handed over mid-flight, shared shard,
# fork, exec chain, SIGKILL, file-table overflow and reuse, errno, constructor + signal handler, posix_spawn,
# in-kernel copies (copy_file_range, sendfile, splice, tee), ulimit -f below
# the segment size (no SIGXFSZ).
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
handover)
	# records change hands while their owner writes: not one count may be lost
	vrun p.json "$prog" handover 4
	[ "$RC" = 0 ] || fail "exit $RC"
	expect_op p.json posix pwrite 100000 0 100000
	got=$(jq -r --arg d "$WORK/handover." '[.files[] | select(.layer == "posix" and
		(.path | startswith($d)))] | "\(length) \(map(.writes) | add) \(map(.bytes_written) | add)
		\(map(.max_offset) | max)"' p.json)
	[ "$(echo $got)" = "2 100002 100002 512" ] ||
		fail "handover files, writes, bytes, max offset: expected 2 100002 100002 512, got $got"
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
bigfile)
	# 600 one-byte files, then one of 8 MiB: the table (511 records besides <other files>) is
	# full when it opens, so the record of a closed one-byte file is reused for it
	vrun p.json "$prog" bigfile 600
	[ "$RC" = 0 ] || fail "exit $RC"
	expect_op p.json posix write 608 0 $((600 + 8388608))
	expect_file p.json "$WORK/big.dat" posix bytes_written 8388608
	expect_file p.json "$WORK/big.dat" posix writes 8
	expect_file p.json "$WORK/big.dat" posix max_offset 8388608
	expect p.json '[.files[] | select(.layer == "posix") | .bytes_written] | add' $((600 + 8388608))
	# every record but <other files> and big.dat holds one small file; the others are in <other files>
	expect p.json '[.files[] | select(.path | test("/f[0-9]{4}$"))] | length' 510
	expect p.json '[.files[] | select(.path | test("/f[0-9]{4}$")) | .bytes_written, .writes] | unique | join(",")' 1
	expect_file p.json "<other files>" posix bytes_written 90
	expect_file p.json "<other files>" posix writes 90
	expect_file p.json "<other files>" posix metadata_ops 180
	expect p.json '.flags | index("file_table_overflow") != null' true
	# 100 more one-byte files after it: they reuse the one-byte files' records, never big.dat's
	vrun p.json "$prog" bigfile 600 100
	[ "$RC" = 0 ] || fail "exit $RC"
	expect_op p.json posix write 708 0 $((700 + 8388608))
	expect_file p.json "$WORK/big.dat" posix bytes_written 8388608
	expect p.json '[.files[] | select(.path | test("/[fg][0-9]{4}$"))] | length' 510
	expect_file p.json "<other files>" posix bytes_written 190
	expect_file p.json "<other files>" posix writes 190
	;;
reuse_threads)
	# 4 threads each open 300 one-byte files while holding one file open: a held file's
	# record is never reused, and no record mixes two files
	vrun p.json "$prog" reuse_threads 300
	[ "$RC" = 0 ] || fail "exit $RC"
	expect_op p.json posix write 2400 0 2400
	expect p.json '[.files[] | .bytes_written] | add' 2400
	for t in 0 1 2 3; do
		expect_file p.json "$WORK/held-$t" posix bytes_written 300
		expect_file p.json "$WORK/held-$t" posix writes 300
	done
	expect p.json '[.files[] | select(.path | test("/s[0-9]-[0-9]{4}$")) | .bytes_written, .writes] | unique | join(",")' 1
	# the table fills (4 + 1,200 files > 511 records) and a record, once named, is only ever
	# renamed: at the end every record but <other files> and the 4 held ones names one small
	# file (507). No "<other>" record: a close racing another thread's open of the same
	# descriptor number is counted on the closed file's record (it was, 1 run in 20, on <other>)
	expect p.json '[.files[] | select(.path | test("/s[0-9]-[0-9]{4}$|/held-[0-3]$") | not) | .path] | join(",")' "<other files>"
	named=507
	expect p.json '.files | length' 512
	expect p.json '[.files[] | select(.path | test("/s[0-9]-[0-9]{4}$"))] | length' $named
	expect_file p.json "<other files>" posix bytes_written $((1200 - named))
	expect_file p.json "<other files>" posix writes $((1200 - named))
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
copy)
	vrun p.json "$prog" copy
	[ "$RC" = 0 ] || fail "a copy call's return value or errno changed under the collector (exit $RC)"
	{ head -c 850 src.dat; tail -c +701 src.dat | head -c 150; } > want.dat
	cmp -s want.dat dst.dat || fail "dst.dat is not src[0,850) + src[700,850)"
	# op bytes = bytes transferred, once; failures: 0 bytes, errno kept (checked by the program)
	expect_op p.json posix copy_file_range 5 2 500
	expect_op p.json posix sendfile 3 1 200
	expect_op p.json posix splice 4 1 450
	expect_op p.json posix tee 2 1 150
	expect_op p.json posix write 1 0 1000
	expect_op p.json posix lseek 2 0 0
	# request sizes: 300 -> bucket 9, 200 -> 8, three of 10 -> 4
	expect p.json '.totals.posix.copy_file_range.size_histogram[9]' 1
	expect p.json '.totals.posix.copy_file_range.size_histogram[8]' 1
	expect p.json '.totals.posix.copy_file_range.size_histogram[4]' 3
	# input file: a read per call that named it (3 of them failed), at the offsets the kernel used
	s=$WORK/src.dat
	expect_file p.json "$s" posix reads 9
	expect_file p.json "$s" posix bytes_read 850
	expect_file p.json "$s" posix writes 1
	expect_file p.json "$s" posix bytes_written 1000
	expect_file p.json "$s" posix consec_reads 5
	expect_file p.json "$s" posix seq_reads 6
	expect_file p.json "$s" posix max_offset 1000
	expect_file p.json "$s" posix metadata_ops 4
	# output file: a write per call that named it (5 failed); all 1000 bytes, in order; the EOF
	# call wrote at dst's position 850: neither sequential nor consecutive
	d=$WORK/dst.dat
	expect_file p.json "$d" posix writes 12
	expect_file p.json "$d" posix bytes_written 1000
	expect_file p.json "$d" posix reads 0
	expect_file p.json "$d" posix consec_writes 6
	expect_file p.json "$d" posix seq_writes 6
	expect_file p.json "$d" posix max_offset 1000
	# the pipes: p written by splice, read by tee and splice; q written by tee, read by splice
	expect_file p.json "<pipe>" posix reads 3
	expect_file p.json "<pipe>" posix bytes_read 450
	expect_file p.json "<pipe>" posix writes 2
	expect_file p.json "<pipe>" posix bytes_written 300
	expect p.json '.flags | length' 0
	;;
fsize)
	# ulimit -f below the segment size: the collector must not raise SIGXFSZ
	# (which kills the program).  Lowered at start: nothing is counted, the
	# program runs as without the collector.
	( ulimit -f 100; "$VIGIL" run -q --profile p0.json -- "$prog" threads 2 ) 2> err.txt
	rc=$?
	[ "$rc" = 0 ] || fail "exit $rc under ulimit -f 100 (SIGXFSZ is 153): $(cat err.txt)"
	if [ -n "${VIGIL_LIB:-}" ]; then
		pre=""  # an ASan-built collector needs its runtime first
		case $(ldd "$VIGIL_LIB" 2>/dev/null) in *libasan*) pre="$(gcc -print-file-name=libasan.so):" ;; esac
		( ulimit -f 100; ASAN_OPTIONS=detect_leaks=0 VIGIL_DEBUG=1 LD_PRELOAD="$pre$VIGIL_LIB" "$prog" threads 1 ) 2> err.txt
		grep -q 'file size limit' err.txt || fail "VIGIL_DEBUG gave no reason: $(cat err.txt)"
	fi
	# Lowered by the program after the segment exists: threads count in the shared shard.
	vrun p.json "$prog" fsize 4
	[ "$RC" = 0 ] || fail "exit $RC after lowering ulimit -f (SIGXFSZ is 153)"
	expect_op p.json posix write 40000 0 40000
	expect_op p.json posix pwrite 400 0 4000
	;;
*)
	fail "unknown mode $mode"
	;;
esac
echo PASS
