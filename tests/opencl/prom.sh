#!/bin/sh
# vigild's Prometheus view of an OpenCL job: vigil_opencl_* per call and the accelerator region
# (transfers by direction, device time by kind, kernels, waits), exactly the profile's numbers,
# never inside vigil_io_* or vigil_node_io_*; promtool-clean, no duplicate series.  The JSON
# API's totals.opencl and the profile vigild writes at the job's end carry the same numbers.
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

# the accelerator region: per direction and kind, exactly the profile's (prog_ocl's known work)
a() { echo "vigil_opencl_$1{jobid=\"jobO\",user=\"$U\"$2}"; }
acc() { jq -r ".accelerator.transfers.$1" "$T/p.json"; }
for d in host_to_device:47360 device_to_host:14312 device_to_device:2048 fill:4096 map:1024; do
	dir=${d%:*} bytes=${d#*:}
	[ "$(acc "$dir.bytes")" = "$bytes" ] || fail "profile $dir bytes: $(acc "$dir.bytes") != $bytes"
	l=",direction=\"$dir\""
	[ "$(metric "$(a transfer_bytes_total "$l")")" = "$bytes" ] || fail "$dir bytes: $(metric "$(a transfer_bytes_total "$l")")"
	[ "$(metric "$(a transfers_total "$l")")" = "$(acc "$dir.commands")" ] || fail "$dir transfers"
	[ "$(metric "$(a small_transfers_total "$l")")" = "$(acc "$dir.small")" ] || fail "$dir small transfers"
done
for k in host_to_device device_to_host device_to_device fill map kernels other; do
	approx "$(metric "$(a device_seconds_total ",kind=\"$k\"")")" "$(acc "$k.device_seconds")" ||
		fail "device seconds of $k: $(metric "$(a device_seconds_total ",kind=\"$k\"")") != $(acc "$k.device_seconds")"
done
[ "$(acc kernels.device_seconds)" != 0 ] || fail "no kernel device time in the profile"
[ "$(metric "$(a kernel_launches_total "")")" = 5 ] || fail "kernel launches: $(metric "$(a kernel_launches_total "")")"
[ "$(metric "$(a kernel_work_items_total "")")" = 3584 ] || fail "kernel work items"
[ "$(metric "$(a untimed_commands_total "")")" = "$(jq .accelerator.dropped "$T/p.json")" ] || fail "untimed commands"
# host wait time: the OpenCL calls' host seconds but builds (vigild's own tick conversion)
wait_s=$(metric "$(a wait_seconds_total "")")
all_s=$(scrape | awk -v k="vigil_opencl_seconds_total{jobid=\"jobO\"" 'index($0, k) == 1 && !/Program"/ { s += $NF } END { printf "%.17g", s }')
approx "$wait_s" "$all_s" || fail "wait seconds $wait_s != $all_s"
# kernel names never label a series
! grep -E '^vigil_opencl_[a-z_]+\{[^}]*(vadd|scale)' "$T/s.txt" || fail "kernel name in a label"
# the JSON API: totals.opencl in the profile's shape, kernels by name for the owner
jq -S '.totals.opencl.transfers' "$T/job.json" >"$T/api-tr.json"
jq -S '.accelerator.transfers' "$T/p.json" >"$T/p-tr.json"
same_xfer() { jq -n --slurpfile a "$1" --slurpfile b "$2" '$a[0] | to_entries | all(. as $e | $b[0][$e.key] as $o |
	($e.value | del(.device_seconds)) == ($o | del(.device_seconds)) and
	(($e.value.device_seconds - $o.device_seconds) | fabs) < 1e-9)' | grep -qx true; }
same_xfer "$T/api-tr.json" "$T/p-tr.json" || fail "API totals.opencl.transfers: $(cat "$T/api-tr.json")"
curl -sf -m 5 --unix-socket "$SOCK" http://localhost/api/v1/jobs/jobO >"$T/detail.json" || fail "API job (owner)"
[ "$(curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs/jobO" | jq .opencl)" = null ] || fail "kernel names shown anonymously"
kern='[.[] | "\(.name) \(.launches) \(.work_items) \(.timed)"] | join(",")'
[ "$(jq -r ".opencl.kernels | $kern" "$T/detail.json")" = "$(jq -r ".accelerator.kernels | $kern" "$T/p.json")" ] ||
	fail "API kernels: $(jq -c .opencl.kernels "$T/detail.json")"
# a restarted vigild (SIGKILL) reads the ended processes' regions again: nothing lost
kill_vigild
start_vigild --job-linger 30
[ "$(metric "$(a transfer_bytes_total ',direction="host_to_device"')")" = 47360 ] || fail "after a restart: host_to_device bytes"
[ "$(metric "$(a kernel_launches_total "")")" = 5 ] || fail "after a restart: kernel launches"
approx "$(metric "$(a device_seconds_total ',kind="kernels"')")" "$(acc kernels.device_seconds)" || fail "after a restart: kernel device seconds"
# the profile vigild writes at the job's end: the same accelerator section
curl -sf -m 5 -X POST --unix-socket "$SOCK" http://localhost/api/v1/jobs/jobO/end >/dev/null || fail "job end"
vprof() { ls "$PROF"/*jobO* 2>/dev/null | head -1; }
have_prof() { [ -n "$(vprof)" ]; }
wait_for have_prof || fail "vigild wrote no profile"
jq -S '.accelerator.transfers' "$(vprof)" >"$T/v-tr.json"
same_xfer "$T/v-tr.json" "$T/p-tr.json" || fail "vigild profile transfers: $(cat "$T/v-tr.json")"
[ "$(jq -r ".accelerator.kernels | $kern" "$(vprof)")" = "$(jq -r ".accelerator.kernels | $kern" "$T/p.json")" ] ||
	fail "vigild profile kernels"
approx "$(jq .accelerator.wait_seconds "$(vprof)")" "$wait_s" || fail "vigild profile wait seconds"
echo "ok: opencl prometheus"
