# A segment vigild accepted whose owner, link count or size changes later
# (docs/DAEMON.md, "Reading a segment"): vigild re-checks with fstat once a
# second, rejects it from then on under the matching reason, and keeps what it
# had counted; calls made after the change are not counted.  A control process
# that changes nothing proves the later calls were made and would be seen.
# And the other way round: a segment seen while being created (empty, then a
# zero header, filled in place with its mtime unchanged, as a collector's
# mapping writes on tmpfs) is waited for, not rejected.
. "$(dirname "$0")/lib.sh"
start_vigild
U=$(id -un)
for j in ctl own lnk big; do
	"$SEGTOOL" "$SEG" $j --op write --calls 4 --bytes 2 --more-on-usr1 5 --hang & PIDS="$PIDS $!"
	eval "PID_$j=$!"
done
ops() { metric "vigil_io_operations_total{jobid=\"$1\",user=\"$U\",layer=\"posix\",op=\"write\"}"; }
for j in ctl own lnk big; do wait_for metric_is "vigil_io_operations_total{jobid=\"$j\",user=\"$U\",layer=\"posix\",op=\"write\"}" 4 || fail "$j: $(ops $j)"; done
seg() { ls "$SEG/$1"-*.seg; }
rej() { curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/health" | jq ".rejected_segments.$1"; }
[ "$(rej foreign_owner)" = 0 ] && [ "$(rej hard_linked)" = 0 ] && [ "$(rej bad_size)" = 0 ] || fail "rejections before the changes"
chown nobody "$(seg $PID_own)"
ln "$(seg $PID_lnk)" "$T/second-link"
truncate -s +4096 "$(seg $PID_big)"
is1() { [ "$(rej "$1")" = 1 ]; }
for r in foreign_owner hard_linked bad_size; do wait_for is1 $r || fail "no $r rejection: $(rej $r)"; done
kill -USR1 $PID_ctl $PID_own $PID_lnk $PID_big
wait_for metric_is "vigil_io_operations_total{jobid=\"ctl\",user=\"$U\",layer=\"posix\",op=\"write\"}" 9 || fail "control: $(ops ctl)"
sleep 1.2 # a full second more: the once-a-second reads of the others, had they been kept
for j in own lnk big; do [ "$(ops $j)" = 4 ] || fail "$j counted $(ops $j) calls, want the 4 made before the change"; done
[ "$(metric "vigil_io_bytes_total{jobid=\"own\",user=\"$U\",layer=\"posix\",op=\"write\"}")" = 8 ] || fail "own bytes"
for r in foreign_owner hard_linked bad_size; do [ "$(rej $r)" = 1 ] || fail "$r counted $(rej $r) times, want once"; done
# being created: empty, then all zeros, then the real header; the mtime never moves
mkdir -m 700 "$T/src"; "$SEGTOOL" "$T/src" born --op read --calls 6 --bytes 3; GOOD=$(ls "$T/src"/*.seg)
M=$(date -d '-1 hour' +%s)
: >"$SEG/31-1.seg"; touch -d @$M "$SEG/31-1.seg"
truncate -s "$(stat -c %s "$GOOD")" "$T/zero"; touch -d @$M "$T/zero"; mv "$T/zero" "$SEG/32-1.seg"
sleep 0.5 # ten passes see them half-made
dd if="$GOOD" of="$SEG/31-1.seg" bs=4M status=none; touch -d @$M "$SEG/31-1.seg"
dd if="$GOOD" of="$SEG/32-1.seg" bs=4M conv=notrunc status=none; touch -d @$M "$SEG/32-1.seg"
wait_for metric_is "vigil_io_operations_total{jobid=\"born\",user=\"$U\",layer=\"posix\",op=\"read\"}" 12 ||
	fail "segments filled in after creation: $(metric "vigil_io_operations_total{jobid=\"born\",user=\"$U\",layer=\"posix\",op=\"read\"}"), $(curl -sf http://127.0.0.1:$PORT/api/v1/health | jq -c .rejected_segments)"
for r in bad_size bad_format; do [ "$(rej $r)" = "$( [ $r = bad_size ] && echo 1 || echo 0)" ] || fail "$r: $(rej $r)"; done
kill -0 $VD_PID || fail "vigild died"
echo ok
