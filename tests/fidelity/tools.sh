#!/bin/sh
# tools.sh VIGIL PROGDIR TOOL - one real Debian program under vigil run: transparency and
# strace's bytes per file (lib.sh: fid_case), plus what the program itself reports.
FID_LIB=$(cd "$(dirname "$0")" && pwd)
. "$FID_LIB/lib.sh"
fid_setup "$1" "$2"
tool=$3
fid_inputs
size_txt=$(wc -c < tpl/in.txt)

case $tool in
dd)
	need dd
	fid_case 'dd if=in.bin of=out.bin bs=4096 count=20 status=noxfer'
	grep -qx '20+0 records in' "$WORK/b.err" || fail "dd's report: $(cat "$WORK/b.err")"
	[ "$(fid_file_sum in.bin reads)" = 20 ] || fail "in.bin reads: $(fid_file_sum in.bin reads), dd says 20"
	[ "$(fid_file_sum out.bin writes)" = 20 ] || fail "out.bin writes: $(fid_file_sum out.bin writes), dd says 20"
	# to the end of a file that is not a multiple of bs: dd's records + the final read of 0 bytes
	fid_case 'dd if=in.bin of=out.bin bs=4096 status=noxfer'
	grep -qx '24+1 records in' "$WORK/b.err" || fail "dd's report: $(cat "$WORK/b.err")"
	[ "$(fid_file_sum in.bin reads)" = 26 ] || fail "in.bin reads: $(fid_file_sum in.bin reads), dd says 24+1 (+1 at EOF)"
	[ "$(fid_file_sum out.bin writes)" = 25 ] || fail "out.bin writes: $(fid_file_sum out.bin writes), dd says 24+1"
	;;
cp)
	need cp
	fid_case 'cp in.bin copy.bin && cp -r tree tree2'
	;;
cat)
	# a redirected stdin and stdout: offsets exact
	need cat
	fid_case 'cat in.txt - < in.bin > cat.out'
	total=$((size_txt + 100000))
	[ "$(fid_file_sum cat.out max_offset)" = "$total" ] || fail "cat.out max_offset $(fid_file_sum cat.out max_offset), want $total"
	[ "$(fid_file_sum in.bin max_offset)" = 100000 ] || fail "in.bin max_offset $(fid_file_sum in.bin max_offset), want 100000"
	;;
sort)
	need sort
	fid_case 'sort in.txt > sorted.txt && sort -o sorted2.txt -k2n in.txt && sort -u < in.txt > uniq.txt'
	;;
wc)
	need wc
	fid_case 'wc in.txt in.bin > wc.out && wc -l < in.txt >> wc.out'
	;;
md5sum)
	need md5sum
	fid_case 'md5sum in.txt in.bin tree/src/f00.c > sums.txt && md5sum -c sums.txt'
	;;
cut)
	# getc_unlocked/putchar_unlocked inlined: bytes counted at buffer edges
	need cut
	fid_case 'cut -c1-3 in.txt > cut.out && cut -f2 < in.txt > cut2.out'
	expect_file "$WORK/p.json" "$WORK/b/in.txt" stdio bytes_read $((2 * size_txt))
	expect "$WORK/p.json" '.totals.stdio.buffer_refill.bytes' $((2 * size_txt))
	;;
paste)
	need paste
	fid_case 'paste in.txt in.txt > paste.out && paste -s -d, in.txt > paste2.out'
	;;
sed)
	# getdelim
	need sed
	fid_case 'sed -n "s/alpha/ALPHA/gp" in.txt > sed.out && sed -i "s/beta/B/" in.txt'
	expect_file "$WORK/p.json" "$WORK/b/in.txt" stdio bytes_read $((2 * size_txt))
	;;
du)
	need du
	fid_case 'du -a tree > du.out && du -s tree in.bin >> du.out'
	;;
find)
	need find
	fid_case 'find tree -name "*.c" | LC_ALL=C sort > find.out && find tree -type f -newer in.txt -print > newer.out'
	;;
tar)
	need tar gzip xz zstd
	fid_case 'tar --mtime=@0 --owner=0 --group=0 --sort=name -cf t.tar tree &&
		gzip -n -c t.tar > t.tar.gz && xz -T1 -c t.tar > t.tar.xz && zstd -q -T1 -c t.tar > t.tar.zst &&
		mkdir x1 x2 x3 && tar -xzf t.tar.gz -C x1 && tar -xJf t.tar.xz -C x2 && tar --zstd -xf t.tar.zst -C x3 &&
		tar --mtime=@0 --owner=0 --group=0 --sort=name -czf t2.tgz tree && diff -r tree x3/tree'
	;;
rsync)
	need rsync
	fid_case 'rsync -a tree/ dst/ && rsync -a --checksum in.txt in.bin dst/'
	;;
git)
	need git
	FID_SKIP='^\./repo/\.git/index$'  # stat data of the checkout (inode, times) differ by nature
	fid_case 'git init -q repo && cp -r tree in.txt repo/ && cd repo && git add . &&
		git commit -q -m one && sed -i "s/alpha/A/" in.txt && git commit -q -a -m two &&
		git log --format="%H %s" && git diff HEAD~1 --stat'
	;;
make)
	need make gcc
	cat > tpl/hello.c <<'C'
#include <stdio.h>
int main(void) { puts("hello from make"); return 0; }
C
	printf 'hello: hello.o\n\tgcc -o hello hello.o\nhello.o: hello.c\n\tgcc -O2 -c hello.c\n' > tpl/Makefile
	mkdir tpl/tmp
	# as pushes its first character back with ungetc; ld reads objects, and its output (w+),
	# through streams with fseek between reads
	FID_PARTIAL='(\.s|\.o|/hello)$'
	fid_case 'TMPDIR=$PWD/tmp make -s && ./hello'
	;;
python3)
	need /usr/bin/python3
	cat > tpl/rw.py <<'PY'
import os, subprocess, sys
data = open("in.bin", "rb").read()
with open("py.out", "wb") as f:
    f.write(data[:50000])
subprocess.run(["cat", "in.txt"], stdout=open("sub.out", "w"), check=True)
fd = os.open("cr.txt", os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b"0123456789")
os.closerange(fd, 64)
r, w = os.pipe()
os.write(w, b"abc")
os.read(r, 3)
sys.stdout.write("x" * 12000)
PY
	# the interpreter probes its script's encoding through a stream, then rewinds it
	FID_PARTIAL='/rw\.py$'
	fid_case '/usr/bin/python3 rw.py > stdout.txt'
	expect_file "$WORK/p.json" "$WORK/b/stdout.txt" posix bytes_written 12000
	expect_file "$WORK/p.json" "$WORK/b/sub.out" posix bytes_written "$size_txt"
	expect_file "$WORK/p.json" "$WORK/b/cr.txt" posix bytes_read 0
	expect_file "$WORK/p.json" '<pipe>' posix bytes_read 3
	;;
sqlite3)
	need sqlite3
	cat > tpl/s.sql <<'SQL'
create table t(a integer primary key, b text);
with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000)
insert into t(b) select printf('row %d %s', i, hex(zeroblob(20))) from n;
create index tb on t(b);
select count(*), sum(length(b)) from t;
SQL
	echo "select b from t where a % 100 = 0;" >> tpl/s.sql
	# one process: a second sqlite3 on the existing file would first probe its header through a stream
	fid_case 'sqlite3 db.sqlite < s.sql > q.out'
	;;
perl)
	need perl
	fid_case 'perl -ne "print if /alpha/" in.txt > perl.out &&
		perl -e "open(my \$f, \"<\", \"in.bin\") or die; local \$/; my \$d = <\$f>; open(my \$o, \">\", \"p.bin\") or die; print \$o \$d x 2; close \$o"'
	;;
*)
	fail "unknown tool $tool"
	;;
esac
echo "fidelity $tool: ok"
