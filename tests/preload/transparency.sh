#!/bin/sh
# Real tools give byte-identical output under `vigil run`, and the profile shows
# the exact bytes they wrote to their output files.
# usage: transparency.sh VIGIL_BIN PROG_DIR TOOL
. "$(dirname "$0")/../lib/preload.sh"
setup "$1" "$2"
tool=$3
# input: 1 MiB + 123 bytes of varied data
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + i // 251) & 255 for i in range(1048699)))' > in.bin
size=$(stat -c %s in.bin)

# written_bytes PROFILE PATH: bytes written to PATH, all layers
written() {
	jq -r --arg p "$WORK/$2" '[.files[] | select(.path == $p) | .bytes_written] | add // 0' "$1"
}
same() { cmp -s "$1" "$2" || fail "$tool: $1 and $2 differ"; }

case $tool in
cp)
	cp in.bin ref.bin
	vrun p.json cp in.bin out.bin
	same ref.bin out.bin
	# coreutils 9 copies with copy_file_range (or read/write where the kernel refuses): either
	# way the profile has exactly the bytes cp wrote to out.bin and read from in.bin
	[ "$(written p.json out.bin)" = "$size" ] || fail "cp: profile says $(written p.json out.bin) bytes written"
	r=$(jq -r --arg p "$WORK/in.bin" '[.files[] | select(.path == $p) | .bytes_read] | add // 0' p.json)
	[ "$r" = "$size" ] || fail "cp: profile says $r bytes read from in.bin"
	# a cp that imports copy_file_range used it here (tmp on ext4/tmpfs: no reflink, no fallback)
	if nm -D "$(command -v cp)" 2>/dev/null | grep -q ' U copy_file_range'; then
		expect p.json '.totals.posix.copy_file_range.bytes' "$size"
	fi
	;;
dd)
	dd if=in.bin of=ref.bin bs=4096 status=none
	vrun p.json dd if=in.bin of=out.bin bs=4096 status=none
	same ref.bin out.bin
	[ "$(written p.json out.bin)" = "$size" ] || fail "dd: profile says $(written p.json out.bin)"
	expect_op p.json posix write 257 0 "$size"
	;;
tar)
	mkdir d && cp in.bin d/a && echo hello > d/b
	tar -cf ref.tar d
	vrun p.json tar -cf out.tar d
	same ref.tar out.tar
	[ "$(written p.json out.tar)" = "$(stat -c %s out.tar)" ] || fail "tar: profile says $(written p.json out.tar)"
	;;
gzip)
	gzip -c in.bin > ref.gz
	vrun p.json sh -c 'gzip -c in.bin > out.gz'
	same ref.gz out.gz
	# gzip writes to its stdout: the redirect target is classified lazily
	[ "$(jq -r '[.totals.posix.write.bytes] | add' p.json)" = "$(stat -c %s out.gz)" ] || fail "gzip: write bytes"
	;;
python3)
	cat > copy.py <<'PY'
import sys
with open(sys.argv[1], 'rb') as i, open(sys.argv[2], 'wb') as o:
    while True:
        b = i.read(65536)
        if not b:
            break
        o.write(b)
PY
	python3 copy.py in.bin ref.bin
	vrun p.json python3 copy.py in.bin out.bin
	same ref.bin out.bin
	[ "$(written p.json out.bin)" = "$size" ] || fail "python3: profile says $(written p.json out.bin)"
	;;
pipeline)
	sh -c 'cat in.bin | tr a-z A-Z | sort -S 8M > ref.txt; wc -c < ref.txt > ref.wc'
	vrun p.json sh -c 'cat in.bin | tr a-z A-Z | sort -S 8M > out.txt; wc -c < out.txt > out.wc'
	same ref.txt out.txt
	same ref.wc out.wc
	n=$(jq '.processes | length' p.json)
	[ "$n" -ge 4 ] || fail "pipeline: $n processes in the profile"
	# cat read the whole input file
	expect_file p.json "$WORK/in.bin" posix bytes_read "$size"
	;;
*)
	fail "unknown tool $tool"
	;;
esac
echo PASS
