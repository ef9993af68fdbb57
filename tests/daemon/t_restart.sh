# SIGKILL vigild at 10 random moments of a running job (one of them while a
# checkpoint file is half written), restart it each time: the final numbers
# are exact and node counters never decrease between scrapes.
. "$(dirname "$0")/lib.sh"
start_vigild
U=$(id -un)
# 3 processes, 2 of them on 2 shards, ~4 s of work each; the last one's op maps
# stay zero (a collector older than them): vigild must read all its ops
"$SEGTOOL" "$SEG" jobR --op write --calls 4000 --bytes 512 --delay-ms 1 --shards 2 & PIDS="$PIDS $!"
"$SEGTOOL" "$SEG" jobR --op read --calls 3000 --bytes 8192 --delay-ms 1 & PIDS="$PIDS $!"
"$SEGTOOL" "$SEG" jobR --op write --calls 2000 --bytes 512 --delay-ms 2 --shards 2 --no-opmap & PIDS="$PIDS $!"
# a fourth: 100 calls, then 400 more on SIGUSR1 (the 5th kill below); alive until then, so the
# job does not end early on a slow machine
"$SEGTOOL" "$SEG" jobR --op write --calls 100 --bytes 512 --more-on-usr1 400 & P4=$!; PIDS="$PIDS $P4"
W="vigil_node_io_operations_total{layer=\"posix\",op=\"write\"}"
last=0
check_monotonic() {
	v=$(metric "$W"); v=${v:-0}
	[ "$v" -ge "$last" ] || fail "node counter went back: $last -> $v"
	last=$v
}
for i in 1 2 3 4 5 6 7 8 9 10; do
	if [ $i = 5 ]; then
		# A crash in the middle of a checkpoint write, made certain rather than hoped
		# for (issue 14): the fourth process changes the job (its 400 calls on
		# SIGUSR1, sent while no vigild runs), so the next vigild, started with the
		# test hook VIGILD_TEST_CKPT_DIE, writes the job's checkpoint and dies by
		# SIGKILL after its first 64 bytes.
		check_monotonic
		kill_vigild
		kill -USR1 $P4 # its 400 calls are in no checkpoint: the next vigild must write one
		rm -f "$STATE/jobs"/.*.tmp # a random kill may have left one: the next must be this one's
		rc=0
		VIGILD_TEST_CKPT_DIE=1 timeout -s KILL 60 "$VIGILD" --listen 127.0.0.1:$(free_port) --dir "$SEG" \
			--state-dir "$STATE" --profile-dir "$PROF" --socket "$SOCK" --interval 0.05 >>"$T/vigild.log" 2>&1 || rc=$?
		[ $rc = 137 ] && ls -a "$STATE/jobs" | grep -q '\.tmp$' || fail "no half-written checkpoint (rc $rc): $(ls -a "$STATE/jobs")"
		start_vigild
		check_monotonic
		continue
	else
		sleep "0.$(shuf -i 05-35 -n 1)"
	fi
	check_monotonic
	kill_vigild
	start_vigild
	check_monotonic
done
for p in $PIDS; do wait $p; done
PIDS=""
wait_for metric_is "vigil_io_operations_total{jobid=\"jobR\",user=\"$U\",layer=\"posix\",op=\"write\"}" 6500 || fail "write calls $(metric "vigil_io_operations_total{jobid=\"jobR\",user=\"$U\",layer=\"posix\",op=\"write\"}")"
[ "$(metric "vigil_io_bytes_total{jobid=\"jobR\",user=\"$U\",layer=\"posix\",op=\"write\"}")" = 3328000 ] || fail "write bytes"
[ "$(metric "vigil_io_operations_total{jobid=\"jobR\",user=\"$U\",layer=\"posix\",op=\"read\"}")" = 3000 ] || fail "read calls"
[ "$(metric "vigil_io_bytes_total{jobid=\"jobR\",user=\"$U\",layer=\"posix\",op=\"read\"}")" = 24576000 ] || fail "read bytes"
approx "$(metric "vigil_io_seconds_total{jobid=\"jobR\",user=\"$U\",layer=\"posix\",op=\"read\"}")" 0.003 || fail "read seconds"
[ "$(metric "$W")" = 6500 ] || fail "node writes"
# after the job ends and the daemon restarts again, the node counter still holds
wait_for sh -c "ls '$PROF' | grep -q jobR" || fail "profile"
P=$(ls "$PROF"/vigil-jobR-*.json)
[ "$(jq '.totals.posix.write.calls' "$P")" = 6500 ] || fail "profile calls"
kill_vigild
start_vigild
[ "$(metric "$W")" = 6500 ] || fail "node writes after final restart"
echo ok
