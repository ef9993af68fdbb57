#!/bin/sh
# Live accelerator insights: a transfer-bound OpenCL job (prog_ocl transfers: 32 MiB moved per
# tiny kernel) makes vigild fire transfer_bound from the accelerator region's device times
# (window 4 s, for 2 s), with its evidence in the API; `vigil top` shows the CL% column within
# 80 columns; the profile vigild writes at the job's end carries the live record (same first firing).
. "$SRC_DIR/tests/daemon/lib.sh"
U=$(id -un)
export POCL_DEVICES=basic POCL_CACHE_DIR="$T/pocl-cache"
unset OPENCL_LAYERS VIGIL_OPENCL_PROFILING
printf 'window = 4\nfor = 2\nkeep_firing_for = 2\n' >"$T/ins.conf"
start_vigild --insights "$T/ins.conf" --job-linger 30
# its own process group, killed whole on failure (prog_ocl would outlive a killed vigil run)
VIGIL_DIR="$SEG" VIGIL_JOB_ID=jobL setsid "$VIGIL" run --quiet --profile "$T/p.json" -- "$PROG" linked plain transfers 14 \
	>"$T/out.txt" 2>"$T/err.txt" &
RUN=$!; PGIDS="$PGIDS $RUN"
L="vigil_insight_level{jobid=\"jobL\",user=\"$U\",rule=\"transfer_bound\"}"
for i in $(seq 1 120); do metric_is "$L" 2 && break; sleep 0.1; done
metric_is "$L" 2 || { scrape | grep -E 'jobL.*(transfer|opencl_device)' >&2; fail "transfer_bound not firing 12 s after the start"; }
curl -sf -m 5 --unix-socket "$SOCK" http://localhost/api/v1/jobs/jobL/insights >"$T/ins.json" || fail "insights API"
jq -e '.insights[] | select(.rule == "transfer_bound") | .state == "firing" and (.evidence | test("^transfers .* of device time"))' \
	"$T/ins.json" >/dev/null || fail "API: $(jq -c '.insights[] | select(.rule == "transfer_bound")' "$T/ins.json")"
FF=$(jq '.insights[] | select(.rule == "transfer_bound") | .first_fired' "$T/ins.json")
# vigil top: the CL% column (device busy share); at 80 columns TOP OP yields to CL% and FINDING
VIGIL_SOCKET="$SOCK" "$VIGIL" top --once --width 80 >"$T/top.txt" || fail "vigil top"
head -1 "$T/top.txt" | grep -q ' MPI%  CL% FINDING' || fail "vigil top header: $(head -1 "$T/top.txt")"
grep -Eq '^jobL .* [0-9]+ +[0-9]+ W transfer_bou' "$T/top.txt" || fail "vigil top row: $(cat "$T/top.txt")"
VIGIL_SOCKET="$SOCK" "$VIGIL" top --once >"$T/top-wide.txt" || fail "vigil top (no width)"
head -1 "$T/top-wide.txt" | grep -q ' MPI%  CL% TOP OP    FINDING        COMMAND$' ||
	fail "vigil top header without a width: $(head -1 "$T/top-wide.txt")"
[ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$T/top.txt")" -le 80 ] || fail "top wider than 80: $(cat "$T/top.txt")"
wait $RUN || fail "vigil run failed: $(cat "$T/err.txt")"
grep -q '^transfers [0-9]' "$T/out.txt" || fail "the program did not finish: $(cat "$T/out.txt" "$T/err.txt")"
# the job's end: vigild's profile keeps what fired live
curl -sf -m 5 -X POST --unix-socket "$SOCK" http://localhost/api/v1/jobs/jobL/end >/dev/null || fail "job end"
vprof() { ls "$PROF"/*jobL* 2>/dev/null | head -1; }
have_prof() { [ -n "$(vprof)" ]; }
wait_for have_prof || fail "vigild wrote no profile"
jq -e --argjson ff "$FF" '.insights[] | select(.rule == "transfer_bound") | .active_seconds > 0 and ((.first_fired - $ff) | fabs) < 0.001' \
	"$(vprof)" >/dev/null ||
	fail "profile: $(jq -c '.insights' "$(vprof)")"
echo "ok: opencl live insights"
