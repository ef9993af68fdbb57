# Live verdicts of the rules that need the file tables (redundant_reads,
# many_small_files), with a real vigild: the sampler judges each job's
# profile so far (at most every 10 s, once the op totals make a rule possible).  Two jobs do their I/O and stay alive: one reads a
# 24 MiB file 5 times, one writes 2,000 files of 1 KiB (metadata share gate
# off: its time share depends on the disk).  Both fire while the jobs run,
# with the evidence `vigil run` gives for the same workload
# (tests/insights/run_test.sh), to the byte.
. "$(dirname "$0")/lib.sh"
[ -f "$LIB_DIR/libvigil.so" ] || fail "libvigil.so is not built"
[ -x "$BIN_DIR/insights_workload" ] || { echo "SKIP: insights_workload is not built"; exit 77; }
U=$(id -un)
PRELOAD="$(ldd "$LIB_DIR/libvigil.so" | awk '/libasan/ && $2 == "=>" { printf "%s ", $3 }')$LIB_DIR/libvigil.so"
printf 'window = 30\nfor = 3\nkeep_firing_for = 60\nmany_small_files.min_meta_share = 0\n' >"$T/ins.conf"
start_vigild --insights "$T/ins.conf" --job-linger 1
wait_for test -s "$SEG/vigild.token" || fail "no token file"; TOK=$(head -1 "$SEG/vigild.token")
job() { # job ID MODE N SIZE: the workload in $T/ID, held alive until $T/go
	mkdir "$T/$1"
	mkfifo "$T/$1.fifo" # stdout a pipe: "done" is no regular file's I/O
	cat "$T/$1.fifo" >"$T/$1.out" &
	PIDS="$PIDS $!"
	VIGIL_DIR="$SEG" ASAN_OPTIONS=detect_leaks=0 VIGIL_JOB_ID=$1 WORKLOAD_HOLD="$T/go" LD_PRELOAD="$PRELOAD" \
		"$BIN_DIR/insights_workload" "$2" "$T/$1" "$3" "$4" >"$T/$1.fifo" &
	PIDS="$PIDS $!"
}
job jobA reread 5 25165824
job jobB smallfiles 2000 1024
rec() { curl -sf -H "Authorization: Bearer $TOK" "http://127.0.0.1:$PORT/api/v1/jobs/$1/insights" | jq -c --arg r "$2" '.insights[] | select(.rule == $r)'; }
firing() { [ "$(rec "$1" "$2" | jq -r .state)" = firing ]; }
wait_for grep -q done "$T/jobA.out" && wait_for grep -q done "$T/jobB.out" || fail "the jobs did not run"
# many_small_files may fire while the files are still being made; its record keeps the worst
# (lowest) bytes per open: the job's final 1 KiB once a pass (at most every 10 s) has seen it all
EVB="about 2,000 regular files; 2,000 successful opens moved 2.0 MiB in all (1 KiB per open)"
end=$(($(date +%s) + 45)) # a wall-clock bound: a loaded machine makes each round of curl and jq slow
while [ "$(date +%s)" -lt "$end" ]; do
	firing jobA redundant_reads && firing jobB many_small_files && rec jobB many_small_files | grep -q "$EVB" && break
	sleep 0.1
done
A=$(rec jobA redundant_reads); B=$(rec jobB many_small_files)
[ "$(echo "$A" | jq -r .state)" = firing ] || fail "redundant_reads not firing 45 s after the job started: $A"
[ "$(echo "$B" | jq -r .state)" = firing ] || fail "many_small_files not firing 45 s after the job started: $B"
[ "$(echo "$A" | jq -r .evidence)" = "$T/jobA/in (posix): 120 MiB read, highest offset 24 MiB, 5.0 times over" ] || fail "evidence: $A"
[ "$(echo "$A" | jq -r .value)" = 5 ] || fail "value: $A"
echo "$B" | jq -r .evidence | grep -q "^$EVB" || fail "evidence: $B"
[ "$(echo "$B" | jq -r .value)" = 1024 ] || fail "value: $B"
metric_is 'vigil_insight_level{jobid="jobA",user="'$U'",rule="redundant_reads"}' 2 || fail "redundant_reads level in /metrics"
metric_is 'vigil_insight_level{jobid="jobB",user="'$U'",rule="many_small_files"}' 2 || fail "many_small_files level in /metrics"
# each job has the other's rule exported as 0 (judged, does not hold)
metric_is 'vigil_insight_level{jobid="jobA",user="'$U'",rule="many_small_files"}' 0 || fail "many_small_files on jobA"
metric_is 'vigil_insight_level{jobid="jobB",user="'$U'",rule="redundant_reads"}' 0 || fail "redundant_reads on jobB"
touch "$T/go"
echo ok
