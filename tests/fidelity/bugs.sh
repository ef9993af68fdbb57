#!/bin/sh
# bugs.sh VIGIL PROGDIR CASE - regression tests of the four attribution bugs of issue 8,
# with their reproducers, checked exactly (and against strace, lib.sh: fid_case).
FID_LIB=$(cd "$(dirname "$0")" && pwd)
. "$FID_LIB/lib.sh"
fid_setup "$1" "$2"
P=$WORK/p.json
B=$WORK/b

case $3 in
offsets)
	# descriptors the collector did not see opened: positions read before the first call's bytes
	head -c 100000 /dev/urandom > tpl/in.bin
	fid_case 'head -c 100000 < in.bin > out.txt'
	expect_file "$P" "$B/in.bin" posix max_offset 100000
	expect_file "$P" "$B/out.txt" stdio max_offset 100000
	n=$(fid_file_sum in.bin reads)
	expect_file "$P" "$B/in.bin" posix consec_reads "$n"
	# stdio read-ahead on a redirected stdin: the stream's offsets, not the kernel's
	printf 'abc\n%.0s' $(seq 3000) > tpl/lines.txt
	fid_case '{ head -c 4 > /dev/null; sed -n 1000p > one.txt; } < lines.txt'
	expect_file "$P" "$B/lines.txt" posix max_offset 4
	expect_file "$P" "$B/lines.txt" stdio max_offset 12000
	expect_file "$P" "$B/lines.txt" stdio bytes_read 11996
	expect_file "$P" "$B/one.txt" stdio max_offset 4
	;;
vfork)
	# CPython's subprocess vforks; the child's dup2/close must not re-point the parent's fds
	cat > tpl/vf.py <<'PY'
import subprocess, sys
subprocess.run(["true"], stdout=open("child.txt", "w"))
sys.stdout.write("x" * 12000)
PY
	FID_PARTIAL='/vf\.py$' # the interpreter probes its script's encoding through a stream, then rewinds
	fid_case '/usr/bin/python3 vf.py > parent.txt'
	expect_file "$P" "$B/parent.txt" posix bytes_written 12000
	expect_file "$P" "$B/child.txt" posix bytes_written 0
	;;
closerange)
	# os.closerange -> close_range(2): the closed entries must not outlive their descriptors
	fid_case "/usr/bin/python3 -c 'import os; fd=os.open(\"cr.txt\",os.O_WRONLY|os.O_CREAT,0o644); os.write(fd,b\"0123456789\"); os.closerange(fd,64); r,w=os.pipe(); os.write(w,b\"abc\"); os.read(r,3)'"
	expect_file "$P" "$B/cr.txt" posix bytes_written 10
	expect_file "$P" "$B/cr.txt" posix bytes_read 0
	expect_file "$P" '<pipe>' posix bytes_read 3
	expect_file "$P" '<pipe>' posix bytes_written 3
	# closedir of an fdopendir descriptor (os.scandir(fd) dups, fdopendirs, closedirs)
	fid_case "/usr/bin/python3 -c 'import os; d=os.open(\".\",os.O_RDONLY); list(os.scandir(d)); r,w=os.pipe(); os.write(w,b\"abcd\"); os.read(r,4); open(\"x.txt\",\"w\").write(\"y\"*100)'"
	expect_file "$P" '<pipe>' posix bytes_read 4
	expect_file "$P" '<other>' posix bytes_read 0
	;;
fflush)
	# every spelling: calls per op equal ltrace's calls per symbol
	need du ltrace
	fid_inputs
	fid_case 'du -a tree > du.out'
	(cd "$WORK/a" && ltrace -c -o "$WORK/ltrace" -e 'fflush+fflush_unlocked+fclose+fputs_unlocked+__printf_chk' \
		du -a tree > /dev/null) || fail "ltrace"
	lt() { awk -v s="$1" '$NF == s { n += $4 } END { print n + 0 }' "$WORK/ltrace"; }
	f=$(($(lt fflush) + $(lt fflush_unlocked)))
	[ "$f" -gt 40 ] || fail "ltrace saw $f fflush calls (a test that cannot fail)"
	expect_op "$P" stdio fflush "$f" 0 0
	expect "$P" '.totals.stdio.fputs.calls' "$(lt fputs_unlocked)"
	expect "$P" '.totals.stdio.fprintf.calls' "$(lt __printf_chk)"
	expect "$P" '.totals.stdio.fclose.calls' "$(lt fclose)"
	;;
*)
	fail "unknown case $3"
	;;
esac
echo "fidelity bug $3: ok"
