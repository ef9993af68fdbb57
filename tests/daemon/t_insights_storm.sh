# Live metadata_storm (critical, a rate rule) with a real vigild and segtool
# jobs (window 4 s, for 3 s, min_rate 200 metadata operations per second):
# a job making ~900 stat calls a second reaches level 3, and not before its
# window is `for` long and the rule has then held for `for` (a rate rule is
# never judged on a shorter window); a job making ~45 a second stays at 0.
. "$(dirname "$0")/lib.sh"
U=$(id -un)
printf 'window = 4\nfor = 3\nkeep_firing_for = 4\nmetadata_storm.min_rate = 200\n' >"$T/ins.conf"
start_vigild --insights "$T/ins.conf"
"$SEGTOOL" "$SEG" jobS --op stat --calls 30000 --delay-ms 1 & PIDS="$PIDS $!"
"$SEGTOOL" "$SEG" jobN --op stat --calls 3000 --delay-ms 20 & PIDS="$PIDS $!"
LS='vigil_insight_level{jobid="jobS",user="'$U'",rule="metadata_storm"}'
LN='vigil_insight_level{jobid="jobN",user="'$U'",rule="metadata_storm"}'
for i in $(seq 1 200); do metric_is "$LS" 3 && break; sleep 0.1; done
metric_is "$LS" 3 || fail "metadata_storm not at level 3: $(scrape | grep 'jobid="jobS".*metadata_storm')"
A="http://127.0.0.1:$PORT/api/v1/jobs"
start=$(curl -sf "$A" | jq '.jobs[] | select(.id == "jobS") | .start')
ff=$(curl -sf "$A/jobS/insights" | jq '.insights[] | select(.rule == "metadata_storm") | .first_fired')
# window >= for (3 s) before it is judged, then true for `for` (3 s): >= 6 s (less one pass)
awk -v a="$start" -v b="$ff" 'BEGIN { exit !(b - a >= 5.9) }' || fail "fired $(awk -v a="$start" -v b="$ff" 'BEGIN{print b-a}') s after the job began"
sleep 3
metric_is "$LN" 0 || fail "the slow job: $(metric "$LN")"
curl -sf "$A/jobN/insights" | jq -e '.insights[] | select(.rule == "metadata_storm") | .state == "ok" and .firings == 0' >/dev/null || fail "the slow job's record"
echo ok
