# The batched read path (src/daemon/batch.c: process_vm_readv from read-only
# mappings of the shard areas) against segments their owners shrink or rewrite
# while vigild reads them.  Six processes counting at 200 Hz have their
# segments truncated mid-run, between and during passes that batch their reads
# with six healthy processes' reads: vigild survives, rejects each as
# truncated, keeps what the victims had counted (consistent: bytes = 3 x calls,
# constant afterwards), and the healthy job is exact (nothing lost or counted
# twice when a batch resumes after a missed piece).  A seventh segment is
# truncated and grown back to its size (its counters now zero) between passes:
# the mapping shows the rewritten bytes, and only the calls made after count.
. "$(dirname "$0")/lib.sh"
start_vigild
U=$(id -un)
# passes N: wait until vigild has sampled at least N more times (so one whole pass began and ended after the call)
samples() { metric vigil_daemon_samples_total; }
passes() {
	local want=$(($(samples) + $1))
	reached() { [ "$(samples)" -ge "$want" ] 2>/dev/null; }
	wait_for reached
}
m() { metric "vigil_io_$1_total{jobid=\"$2\",user=\"$U\",layer=\"posix\",op=\"$3\"}"; }
VICTIMS=""
for i in 1 2 3 4 5 6; do
	"$SEGTOOL" "$SEG" good --op write --calls 300 --bytes 7 --delay-ms 10 & PIDS="$PIDS $!"
	"$SEGTOOL" "$SEG" victim --op read --calls 100000000 --bytes 3 --delay-ms 5 & PIDS="$PIDS $!"; VICTIMS="$VICTIMS $!"
	sleep 0.13 # accepted in different passes: their once-a-second re-checks fall apart
done
"$SEGTOOL" "$SEG" rewritten --op write --calls 100 --bytes 5 --more-on-usr1 40 --hang & PIDS="$PIDS $!"; RW=$!
wait_for metric_is "vigil_io_operations_total{jobid=\"rewritten\",user=\"$U\",layer=\"posix\",op=\"write\"}" 100 || fail "rewritten: first 100 calls"
gt0() { [ "$(m operations victim read)" -gt 0 ] 2>/dev/null; }
wait_for gt0 || fail "victims not counted"
sleep 0.5
for v in $VICTIMS; do truncate -s 4096 "$SEG/$v"-*.seg; done
# shrink and regrow in one process (a once-a-second fstat between would see the small size)
python3 -c 'import os, sys; p = sys.argv[1]; s = os.stat(p).st_size; os.truncate(p, 4096); os.truncate(p, s)' "$SEG/$RW"-*.seg
rej() { curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/health" | jq .rejected_segments.truncated; }
six() { [ "$(rej)" = 6 ]; }
wait_for six || fail "truncated victims: $(rej) rejected, not 6"
# vigild reads the zeroed counters (backwards: nothing counted), then the owner counts again
passes 2 || fail "vigild stopped sampling"
kill -USR1 $RW
wait_for metric_is "vigil_io_operations_total{jobid=\"good\",user=\"$U\",layer=\"posix\",op=\"write\"}" 1800 ||
	fail "good job calls: $(m operations good write), not 1800"
[ "$(m bytes good write)" = 12600 ] || fail "good job bytes: $(m bytes good write), not 12600"
wait_for metric_is "vigil_io_operations_total{jobid=\"rewritten\",user=\"$U\",layer=\"posix\",op=\"write\"}" 140 ||
	fail "rewritten: $(m operations rewritten write) calls, not 100 + 40"
passes 2 || fail "vigild stopped sampling"
[ "$(m operations rewritten write)" = 140 ] && [ "$(m bytes rewritten write)" = 700 ] || fail "rewritten: $(m operations rewritten write) calls, $(m bytes rewritten write) bytes"
c=$(m operations victim read); b=$(m bytes victim read)
[ "$b" = $((3 * c)) ] || fail "victims: $b bytes for $c calls"
passes 2 || fail "vigild stopped sampling"
[ "$(m operations victim read)" = "$c" ] || fail "victims still counted after rejection: $c -> $(m operations victim read)"
[ "$(rej)" = 6 ] || fail "rewritten segment rejected: $(rej) truncated"
kill -0 $VD_PID || fail "vigild died"
batched=$(metric 'vigil_daemon_segment_reads_total{path="batched"}')
fallback=$(metric 'vigil_daemon_segment_reads_total{path="fallback"}')
# the good job alone made 1800 calls over ~3 s at 20 passes a second, each pass reading each live segment once
[ "$batched" -ge 300 ] || fail "batched reads: $batched"
# a victim whose next pass was its once-a-second fstat is caught there; the others by the batch
[ "$fallback" -ge 1 ] || fail "no truncation met by a batched read (fallback $fallback)"
echo "ok (batched $batched, fallback $fallback, victims kept $c calls)"
