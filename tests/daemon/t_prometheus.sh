# A real Prometheus (Debian 2.42) scrapes vigild every second while a known
# workload runs; PromQL through its HTTP API returns exactly the workload's
# bytes and calls.  Polls; never sleeps a fixed time.
. "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null || fail "prometheus is not installed (scripts/install-deps.sh test)"
start_vigild
PP=$(free_port)
cat >"$T/prom.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: vigil
    static_configs: [ { targets: ["127.0.0.1:$PORT"] } ]
YML
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address=127.0.0.1:$PP >"$T/prom.log" 2>&1 &
PIDS="$PIDS $!"
"$SEGTOOL" "$SEG" jobP --op write --calls 500 --bytes 1000 --delay-ms 2 --mpi 11 --exe /bin/workload
"$SEGTOOL" "$SEG" jobP --op fwrite --calls 20 --bytes 7
q() { curl -sf -m 5 --get "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'; }
got() { [ "$(q "$1")" = "$2" ]; }
wait_for got 'sum(vigil_io_bytes_total{jobid="jobP"})' 500140 || wait_for got 'sum(vigil_io_bytes_total{jobid="jobP"})' 500140 || fail "bytes via PromQL: $(q 'sum(vigil_io_bytes_total{jobid="jobP"})')"
got 'vigil_io_operations_total{jobid="jobP",op="write"}' 500 || fail "write calls via PromQL"
got 'vigil_mpi_calls_total{jobid="jobP",call="MPI_Allreduce"}' 11 || fail "mpi calls via PromQL"
got 'vigil_job_info{jobid="jobP"}' 1 || fail "job info"
got 'count(vigil_job_info{jobid="jobP",executable="workload"})' 1 || fail "executable label"
got 'sum(vigil_node_io_operations_total{layer="stdio"})' 20 || fail "node stdio"
echo ok
