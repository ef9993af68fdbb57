# Live insights beyond the op counters, and across a vigild restart (window
# 30 s, for 3 s; random_access without its time gate, so a short burst counts).
# The job makes 1,500 preads of 4 KiB, each before the previous one (1,499 not
# sequential: the first access on a descriptor is), then stays alive.  vigild
# judges random_access live from the shards' totals: firing, with exactly
# "1,499 of 1,500 reads".  vigild is then stopped and started again on the same
# state directory: the first answer of the new vigild shows the record firing
# with the same first firing and evidence (not pending again), and the job's
# profile keeps that first firing.  SIGKILL first (the periodic checkpoint),
# then SIGTERM.
. "$(dirname "$0")/lib.sh"
[ -f "$LIB_DIR/libvigil.so" ] || fail "libvigil.so is not built"
[ -x "$BIN_DIR/insights_workload" ] || { echo "SKIP: insights_workload is not built"; exit 77; }
U=$(id -un)
PRELOAD="$(ldd "$LIB_DIR/libvigil.so" | awk '/libasan/ && $2 == "=>" { printf "%s ", $3 }')$LIB_DIR/libvigil.so"
printf 'window = 30\nfor = 3\nkeep_firing_for = 60\nrandom_access.min_time_share = 0\n' >"$T/ins.conf"
start_vigild --insights "$T/ins.conf" --job-linger 1
wait_for test -s "$SEG/vigild.token" || fail "no token file"; TOK=$(head -1 "$SEG/vigild.token")
L='vigil_insight_level{jobid="jobR",user="'$U'",rule="random_access"}'
mkdir "$T/wd"
VIGIL_DIR="$SEG" ASAN_OPTIONS=detect_leaks=0 VIGIL_JOB_ID=jobR WORKLOAD_HOLD="$T/go" LD_PRELOAD="$PRELOAD" \
	"$BIN_DIR/insights_workload" randreads "$T/wd" 1500 4096 >"$T/load.out" &
LOAD=$!; PIDS="$PIDS $LOAD"
wait_for grep -q done "$T/load.out" || fail "the job did not run"
for i in $(seq 1 150); do metric_is "$L" 2 && break; sleep 0.1; done
metric_is "$L" 2 || fail "random_access not firing 15 s after the job's reads"
rec() { curl -sf -H "Authorization: Bearer $TOK" "http://127.0.0.1:$PORT/api/v1/jobs/jobR/insights" | jq -c '.insights[] | select(.rule == "random_access")'; }
R1=$(rec)
EV="1,499 of 1,500 reads at a known offset on regular files are not sequential"
[ "$(echo "$R1" | jq -r .evidence)" = "$EV" ] || fail "live evidence: $R1"
[ "$(echo "$R1" | jq -r '.state, .firings' | tr '\n' ' ')" = "firing 1 " ] || fail "live record: $R1"
echo "$R1" | jq -e '(.value - 1499 / 1500 | fabs) < 1e-12' >/dev/null || fail "value: $R1"
FF=$(echo "$R1" | jq .first_fired)
# Restart (SIGKILL keeps the last periodic checkpoint, written at most 1 s after a change; SIGTERM writes one).
# The kill case runs first, so that only a periodic checkpoint can have carried the firing record.
job_ckpt_since_mark() { find "$STATE" -name '*.ckpt' ! -name node.ckpt -newer "$T/mark" | grep -q .; }
restart() { # restart kill|term: the first answer of the new vigild has the record firing, as it was
	if [ "$1" = kill ]; then
		touch "$T/mark" # the record fired before this: a job checkpoint written after it holds the firing
		wait_for job_ckpt_since_mark || fail "no job checkpoint written after the firing"
		kill_vigild
	else
		stop_vigild
	fi
	start_vigild --insights "$T/ins.conf" --job-linger 1
	wait_for test -s "$SEG/vigild.token" || fail "no token file"; TOK=$(head -1 "$SEG/vigild.token")
	R2=$(rec)
	[ "$(echo "$R2" | jq -r '.state, .firings, .evidence' | tr '\n' '|')" = "firing|1|$EV|" ] || fail "after $1 restart: $R2 (before: $R1)"
	echo "$R2" | jq -e --argjson ff "$FF" '.first_fired == $ff' >/dev/null || fail "first firing after $1 restart: $R2, before $FF"
	metric_is "$L" 2 || fail "level after $1 restart: $(metric "$L")"
}
restart kill
restart term
# The job ends: its profile keeps the live record's first firing.
touch "$T/go"
wait $LOAD || fail "the job failed"
wait_for sh -c "ls '$PROF'/vigil-jobR-*.json >/dev/null 2>&1" || fail "no profile"
P=$(ls "$PROF"/vigil-jobR-*.json)
jq -e --argjson ff "$FF" '.insights[] | select(.rule == "random_access") | ((.first_fired - $ff) | fabs) < 0.001 and .active_seconds >= 2' "$P" >/dev/null \
	|| fail "profile: $(jq -c '.insights[] | select(.rule == "random_access")' "$P")"
echo ok
