# Hostile segments: truncated (also while being read), wrong magic, huge size,
# random bytes, symlink, FIFO, another user's file, hard link.  vigild
# survives, counts each by reason, and a real job next to them stays exact.
. "$(dirname "$0")/lib.sh"
start_vigild
U=$(id -un)
mkdir -m 700 "$T/src"
"$SEGTOOL" "$T/src" donor --op write --calls 5 --bytes 5
GOOD=$(ls "$T/src"/*.seg)
cp "$GOOD" "$T/good.bin"
# Each hostile file is built in $STAGE (same file system, outside the watched
# directory) and renamed in whole: a pass never sees it half-made (issue 14).
STAGE="$T/stage"; mkdir -m 700 "$STAGE"
plant() { mv "$STAGE/$1" "$SEG/$1"; }
cp "$GOOD" "$STAGE/11-1.seg"; truncate -s 5000 "$STAGE/11-1.seg"; plant 11-1.seg                 # truncated
cp "$GOOD" "$STAGE/12-1.seg"; printf 'XXXXXXXX' | dd of="$STAGE/12-1.seg" conv=notrunc 2>/dev/null; plant 12-1.seg  # magic
truncate -s 1G "$STAGE/13-1.seg"; plant 13-1.seg                                                  # huge, sparse
head -c 2000000 /dev/urandom >"$STAGE/14-1.seg"; plant 14-1.seg                                    # random
ln -s "$T/good.bin" "$STAGE/15-1.seg"; plant 15-1.seg                                             # symlink
mkfifo "$STAGE/16-1.seg"; plant 16-1.seg                                                          # FIFO
cp "$GOOD" "$STAGE/17-1.seg"; chown nobody "$STAGE/17-1.seg"; plant 17-1.seg                      # another user's
cp "$GOOD" "$T/src/hl"; ln "$T/src/hl" "$SEG/18-1.seg"                 # hard link (a link is made whole)
rej() { curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/health" | jq ".rejected_segments.$1"; }
ge1() { [ "$(rej "$1")" -ge 1 ]; }
for r in truncated bad_format bad_size not_regular foreign_owner hard_linked; do
	wait_for ge1 $r || fail "no rejection counted for $r: $(curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/health")"
done
# truncated while being read: a live segment shrinks under the sampler
"$SEGTOOL" "$SEG" victim --op write --calls 3 --bytes 1 --hang & PIDS="$PIDS $!"
wait_for metric_is "vigil_io_operations_total{jobid=\"victim\",user=\"$U\",layer=\"posix\",op=\"write\"}" 3 || fail "victim"
before=$(rej truncated)
truncate -s 3000 "$SEG"/$(ls "$SEG" | grep -v -- '-1.seg' | grep '\.seg$' | head -1)
wait_for sh -c "[ \$(curl -sf http://127.0.0.1:$PORT/api/v1/health | jq .rejected_segments.truncated) -gt $before ]" || fail "truncation while read"
# a real job is still exact, the daemon is alive, the victim keeps what it had
"$SEGTOOL" "$SEG" real --op read --calls 77 --bytes 3
wait_for metric_is "vigil_io_bytes_total{jobid=\"real\",user=\"$U\",layer=\"posix\",op=\"read\"}" 231 || fail "real job"
[ "$(metric "vigil_io_operations_total{jobid=\"victim\",user=\"$U\",layer=\"posix\",op=\"write\"}")" = 3 ] || fail "victim counts"
scrape | grep -q 'vigil_daemon_segments_rejected_total{reason="truncated"}' || fail "rejection metric"
kill -0 $VD_PID || fail "vigild died"
echo ok
