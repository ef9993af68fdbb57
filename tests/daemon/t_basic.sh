# Two known workloads in two jobs: exact operations, bytes, seconds, histogram,
# MPI calls, job info and process states; promtool clean; no duplicate series;
# job end writes a 0600 profile and removes the segments.
. "$(dirname "$0")/lib.sh"
start_vigild
"$SEGTOOL" "$SEG" jobA --op write --calls 1000 --bytes 4096 --file /data/out.bin --mpi 7
"$SEGTOOL" "$SEG" jobA --op pwrite --calls 3 --bytes 100000
"$SEGTOOL" "$SEG" jobB --op fread --calls 5 --bytes 10 --exe /opt/app/bin/solver --step 2

U=$(id -un)
wait_for metric_is "vigil_io_operations_total{jobid=\"jobA\",user=\"$U\",layer=\"posix\",op=\"write\"}" 1000 || fail "write calls"
# the other processes may be found a pass later: wait until vigild has seen all three end
wait_for metric_is "vigil_job_processes{jobid=\"jobA\",user=\"$U\",state=\"exited\"}" 2 || fail "processes"
wait_for metric_is "vigil_job_processes{jobid=\"jobB\",user=\"$U\",state=\"exited\"}" 1 || fail "jobB processes"
[ "$(metric "vigil_io_bytes_total{jobid=\"jobA\",user=\"$U\",layer=\"posix\",op=\"write\"}")" = 4096000 ] || fail "write bytes"
approx "$(metric "vigil_io_seconds_total{jobid=\"jobA\",user=\"$U\",layer=\"posix\",op=\"write\"}")" 0.001 || fail "write seconds"
[ "$(metric "vigil_io_bytes_total{jobid=\"jobA\",user=\"$U\",layer=\"posix\",op=\"pwrite\"}")" = 300000 ] || fail "pwrite bytes"
[ "$(metric "vigil_mpi_calls_total{jobid=\"jobA\",user=\"$U\",call=\"MPI_Allreduce\"}")" = 7 ] || fail "mpi calls"
[ "$(metric "vigil_io_request_size_bytes_bucket{jobid=\"jobA\",user=\"$U\",layer=\"posix\",op=\"write\",le=\"4095\"}")" = 0 ] || fail "bucket 4095"
[ "$(metric "vigil_io_request_size_bytes_bucket{jobid=\"jobA\",user=\"$U\",layer=\"posix\",op=\"write\",le=\"65535\"}")" = 1000 ] || fail "bucket 65535"
[ "$(metric "vigil_io_request_size_bytes_bucket{jobid=\"jobA\",user=\"$U\",layer=\"posix\",op=\"pwrite\",le=\"65535\"}")" = 0 ] || fail "pwrite bucket"
[ "$(metric "vigil_io_request_size_bytes_count{jobid=\"jobA\",user=\"$U\",layer=\"posix\",op=\"pwrite\"}")" = 3 ] || fail "pwrite count"
# every edge, cumulative: 5 freads of 10 B (tiny), 3 pwrites of 100000 B (medium), 1000 writes of 4 KiB
buckets() { scrape | awk -v k="vigil_io_request_size_bytes_bucket{jobid=\"$1\",user=\"$U\",layer=\"$2\",op=\"$3\",le=" \
	'index($0, k) == 1 { sub(/.*le="/, ""); sub(/"} /, ":"); printf "%s ", $0 }'; }
[ "$(buckets jobB stdio fread)" = "63:5 1023:5 4095:5 65535:5 262143:5 1048575:5 16777215:5 +Inf:5 " ] || fail "fread buckets: $(buckets jobB stdio fread)"
[ "$(buckets jobA posix pwrite)" = "63:0 1023:0 4095:0 65535:0 262143:3 1048575:3 16777215:3 +Inf:3 " ] || fail "pwrite buckets: $(buckets jobA posix pwrite)"
[ "$(buckets jobA posix write)" = "63:0 1023:0 4095:0 65535:1000 262143:1000 1048575:1000 16777215:1000 +Inf:1000 " ] || fail "write buckets: $(buckets jobA posix write)"
[ "$(metric "vigil_io_operations_total{jobid=\"jobB\",user=\"$U\",layer=\"stdio\",op=\"fread\"}")" = 5 ] || fail "fread"
[ "$(metric "vigil_job_info{jobid=\"jobB\",user=\"$U\",step=\"2\",executable=\"solver\"}")" = 1 ] || fail "job_info"
[ "$(metric "vigil_job_processes{jobid=\"jobA\",user=\"$U\",state=\"exited\"}")" = 2 ] || fail "processes"
[ "$(metric "vigil_node_io_bytes_total{layer=\"posix\",op=\"write\"}")" = 4096000 ] || fail "node bytes"

scrape >"$T/m.txt"
promtool check metrics <"$T/m.txt" || fail "promtool"
grep -v '^#' "$T/m.txt" | sed 's/ [^ ]*$//' | sort | uniq -d >"$T/dup.txt"
[ ! -s "$T/dup.txt" ] || fail "duplicate series: $(cat "$T/dup.txt")"
# OpenMetrics when asked
curl -sf -m 5 -H 'Accept: application/openmetrics-text; version=1.0.0' "http://127.0.0.1:$PORT/metrics" >"$T/om.txt"
tail -1 "$T/om.txt" | grep -qx '# EOF' || fail "openmetrics EOF"
grep -q '^# TYPE vigil_io_operations counter$' "$T/om.txt" || fail "openmetrics counter family"

# the job ends after the linger (1 s): profile 0600, segments gone
wait_for sh -c "ls '$PROF' | grep -q '^vigil-jobA-'" || fail "profile of jobA"
P=$(ls "$PROF"/vigil-jobA-*.json)
[ "$(stat -c %a "$P")" = 600 ] || fail "profile mode"
[ "$(jq '.totals.posix.write.calls' "$P")" = 1000 ] || fail "profile write calls"
[ "$(jq '.totals.posix.write.bytes' "$P")" = 4096000 ] || fail "profile write bytes"
[ "$(jq -r '.job.id' "$P")" = jobA ] || fail "profile job id"
# judged at the job's end like every profile (docs/INSIGHTS.md): 1,000 writes is not more than 1,000
[ "$(jq -r '.insights_config.rules.small_writes.min_count' "$P")" = 1000 ] || fail "profile judged"
[ "$(jq -r '[.insights[].rule] | index("small_writes")' "$P")" = null ] || fail "small_writes on 1,000 writes"
wait_for sh -c "ls '$PROF' | grep -q '^vigil-jobB.2-'" || fail "profile of jobB step 2"
wait_for sh -c "! ls '$SEG' | grep -q '\.seg$'" || fail "segments not removed"
# ended jobs stay exported (grace), counters unchanged
[ "$(metric "vigil_io_operations_total{jobid=\"jobA\",user=\"$U\",layer=\"posix\",op=\"write\"}")" = 1000 ] || fail "after end"
[ "$(metric "vigil_job_running{jobid=\"jobA\",user=\"$U\"}")" = 0 ] || fail "job_running"
echo ok
