# Live insights with the default rules (an empty insights.conf: window 60 s,
# for 30 s): a job that keeps making tiny writes for 50 s is firing
# small_writes before it ends, and not before 30 s (`for`) after its first tiny
# write (typically 31-33 s: the time to make min_count = 1,000 small writes at
# ~1 ms each on a busy disk, and up to a second to the next judgement).  Stops the job
# as soon as that is seen (~32 s).
. "$(dirname "$0")/lib.sh"
[ -f "$LIB_DIR/libvigil.so" ] || fail "libvigil.so is not built"
U=$(id -un)
# An ASan-built collector needs the ASan runtime first in LD_PRELOAD.
PRELOAD="$(ldd "$LIB_DIR/libvigil.so" | awk '/libasan/ && $2 == "=>" { printf "%s ", $3 }')$LIB_DIR/libvigil.so"
: >"$T/ins.conf"
start_vigild --insights "$T/ins.conf" --allow-anonymous-details
L='vigil_insight_level{jobid="jobD",user="'$U'",rule="small_writes"}'
VIGIL_DIR="$SEG" ASAN_OPTIONS=detect_leaks=0 VIGIL_JOB_ID=jobD LD_PRELOAD="$PRELOAD" \
	python3 "$SRC_DIR/tests/daemon/insights_load.py" "$T/out.bin" 50 0 >"$T/load.out" &
LOAD=$!; PIDS="$PIDS $LOAD"
wait_for grep -q tiny "$T/load.out" || fail "the job did not start"
for i in $(seq 1 480); do
	metric_is "$L" 2 && break
	kill -0 $LOAD 2>/dev/null || fail "the job ended before small_writes fired"
	sleep 0.1
done
kill -0 $LOAD 2>/dev/null || fail "the job ended before small_writes fired"
metric_is "$L" 2 || fail "small_writes not firing"
t0=$(awk '/^tiny/ { print $2 }' "$T/load.out")
t1=$(curl -sf "http://127.0.0.1:$PORT/api/v1/jobs/jobD/insights" | jq '.insights[] | select(.rule == "small_writes") | .first_fired')
awk -v a="$t0" -v b="$t1" 'BEGIN { d = b - a; exit !(d >= 30 && d < 50) }' \
	|| fail "$(curl -s "http://127.0.0.1:$PORT/api/v1/jobs/jobD/insights" | jq -c '.insights[] | select(.rule == "small_writes")') fired $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}') s after the first tiny write (for = 30 s)"
curl -sf "http://127.0.0.1:$PORT/api/v1/jobs/jobD/insights" | jq -e '.config.window == 60 and .config.for == 30 and .config.keep_firing_for == 120' >/dev/null || fail "not the defaults"
echo ok
