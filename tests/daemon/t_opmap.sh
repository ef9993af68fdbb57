# The real collector keeps each shard's op map (segment.h): after real programs
# (one thread; 20 threads, so owned shards and the shared one), every shard's
# map bit of an op is set exactly when the op has calls - what lets vigild read
# only the ops a process used.
. "$(dirname "$0")/lib.sh"
[ -f "$LIB_DIR/libvigil.so" ] || fail "libvigil.so is not built"
PRE="$LIB_DIR/libvigil.so"   # a sanitizer build needs its runtime first
case $(ldd "$PRE" 2>/dev/null) in *libasan*) PRE="$(gcc -print-file-name=libasan.so):$PRE" ;; esac
export ASAN_OPTIONS=detect_leaks=0
VIGIL_DIR="$SEG" LD_PRELOAD="$PRE" sh -c 'cat /etc/hostname >/dev/null; ls / >/dev/null' \
	|| fail "workload"
VIGIL_DIR="$SEG" LD_PRELOAD="$PRE" python3 -c '
import os, threading
def work():
    fd = os.open("/dev/null", os.O_WRONLY)
    for _ in range(50):
        os.write(fd, b"x")
    os.close(fd)
ts = [threading.Thread(target=work) for _ in range(20)]
[t.start() for t in ts]; [t.join() for t in ts]' || fail "threaded workload"
n=0
for f in "$SEG"/*.seg; do
	m=$("$SEGTOOL" --check-opmap "$f") || fail "op map of $f"
	[ "$m" -ge 1 ] || fail "no op mapped in $f"
	n=$((n + 1))
done
[ $n -ge 3 ] || fail "expected at least 3 segments, saw $n"
