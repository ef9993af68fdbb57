#!/bin/sh
# vigild's Prometheus view of an OpenCL job: vigil_opencl_* per call, exactly the profile's
# numbers, never inside vigil_io_* or vigil_node_io_*; promtool-clean, no duplicate series.
. "$SRC_DIR/tests/daemon/lib.sh"
U=$(id -un)
export POCL_DEVICES=basic POCL_CACHE_DIR="$T/pocl-cache"
unset OPENCL_LAYERS VIGIL_OPENCL_PROFILING
start_vigild --job-linger 30
VIGIL_DIR="$SEG" VIGIL_JOB_ID=jobO "$VIGIL" run --quiet --profile "$T/p.json" -- "$PROG" linked plain main >/dev/null ||
	fail "vigil run failed"
m() { echo "vigil_opencl_$1_total{jobid=\"jobO\",user=\"$U\",call=\"$2\"}"; }
# read everything only once vigild has folded the last counts of every process of the job (PoCL
# runs its linker as a child process; a sample taken while they ran can hold the OpenCL calls but
# not yet the final stdio writes)
nproc=$(jq '.processes | length' "$T/p.json")
job_done() {
	curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs" | jq -e --argjson n "$nproc" \
		'.jobs[] | select(.id == "jobO") | .processes | .running == 0 and .exited + .killed == $n' >/dev/null
}
wait_for job_done || { curl -s "http://127.0.0.1:$PORT/api/v1/jobs" >&2; fail "vigild never saw the job's $nproc processes end"; }
metric_is "$(m calls clEnqueueWriteBuffer)" 1 || { scrape | grep -i opencl >&2; fail "no opencl calls"; }
scrape >"$T/s.txt"
promtool check metrics <"$T/s.txt" || fail "promtool"
[ -z "$(grep -v '^#' "$T/s.txt" | sed 's/ [^ ]*$//' | sort | uniq -d)" ] || fail "duplicate series"
# every opencl op of the profile, calls and bytes exactly
jq -r '.totals.opencl | to_entries[] | "\(.key) \(.value.calls) \(.value.bytes)"' "$T/p.json" >"$T/expect.txt"
[ "$(wc -l <"$T/expect.txt")" -ge 15 ] || fail "profile has too few opencl ops"
while read -r op calls bytes; do
	[ "$(metric "$(m calls "$op")")" = "$calls" ] || fail "$op calls: $(metric "$(m calls "$op")") != $calls"
	[ "$(metric "$(m bytes "$op")")" = "$bytes" ] || fail "$op bytes: $(metric "$(m bytes "$op")") != $bytes"
done <"$T/expect.txt"
[ "$(metric "$(m bytes clEnqueueReadBuffer)")" = 9192 ] || fail "read buffer bytes"
[ "$(metric "vigil_node_opencl_bytes_total{call=\"clEnqueueWriteBuffer\"}")" = 8192 ] || fail "node opencl bytes"
# OpenCL is no I/O
! grep -E '^vigil_(node_)?io_[a-z_]+\{[^}]*(layer="opencl"|op="cl[A-Z])' "$T/s.txt" || fail "opencl in vigil_io_*"
# the JSON API: OpenCL has its own totals, outside the I/O figures
curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs" | jq '.jobs[] | select(.id == "jobO")' >"$T/job.json" ||
	fail "API jobs"
calls=$(jq '[.totals.opencl[].calls] | add' "$T/p.json")
[ "$(jq .totals.opencl_calls "$T/job.json")" = "$calls" ] || fail "API opencl_calls: $(jq .totals "$T/job.json") != $calls"
io=$(jq '[.totals.posix[], .totals.stdio[] | .calls] | add' "$T/p.json")
[ "$(jq .totals.io_operations "$T/job.json")" = "$io" ] || fail "API io_operations: $(jq .totals.io_operations "$T/job.json") != $io"
echo "ok: opencl prometheus"
