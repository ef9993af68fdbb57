# packaging/prometheus/vigil-rules.yml: promtool checks it and runs its unit
# tests (tests/daemon/vigil-rules.test.yml: every alert fires and has a near
# miss that does not; the recording rules' job-wide ratios are exact), then a
# real Prometheus loads it, scrapes vigild and evaluates a recording rule over
# two known workloads: only tiny writes (ratio exactly 1) and only 2 MiB
# writes (exactly 0).
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || fail "promtool is not installed (scripts/install-deps.sh test)"
RULES="$SRC_DIR/packaging/prometheus/vigil-rules.yml"
promtool check rules "$RULES" >"$T/check.log" 2>&1 || { cat "$T/check.log"; fail "promtool check rules"; }
cp "$RULES" "$SRC_DIR/tests/daemon/vigil-rules.test.yml" "$T/"
promtool test rules "$T/vigil-rules.test.yml" >"$T/test.log" 2>&1 || { cat "$T/test.log"; fail "promtool test rules"; }
grep -q SUCCESS "$T/test.log" || fail "promtool test rules said no SUCCESS"
# Every alert of the file is tested.
na=$(grep -c '^  - alert: ' "$RULES")
nt=$(grep -o 'alertname: [A-Za-z]*' "$T/vigil-rules.test.yml" | sort -u | wc -l)
[ "$na" = "$nt" ] || fail "$na alerts but $nt tested"

start_vigild
PP=$(free_port)
cat >"$T/prom.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [ "$RULES" ]
scrape_configs:
  - job_name: vigil
    static_configs: [ { targets: ["127.0.0.1:$PORT"] } ]
YML
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address=127.0.0.1:$PP >"$T/prom.log" 2>&1 &
PIDS="$PIDS $!"
q() { curl -sf -m 5 --get "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'; }
got() { [ "$(q "$1")" = "$2" ]; }
# Both jobs keep writing (up to 60 s, killed at the end) so that rates stay defined.
"$SEGTOOL" "$SEG" jobTiny --op write --calls 6000 --bytes 16 --delay-ms 10 &
PIDS="$PIDS $!"
"$SEGTOOL" "$SEG" jobBig --op pwrite --calls 6000 --bytes 2097152 --delay-ms 10 &
PIDS="$PIDS $!"
R=jobid:vigil_io_small_write_requests_per_write_requests:ratio_rate1m
wait_for got "$R{jobid=\"jobTiny\"}" 1 || wait_for got "$R{jobid=\"jobTiny\"}" 1 || fail "tiny writes ratio: '$(q "$R{jobid=\"jobTiny\"}")'"
wait_for got "$R{jobid=\"jobBig\"}" 0 || fail "large writes ratio: '$(q "$R{jobid=\"jobBig\"}")'"
if grep -i "rule" "$T/prom.log" | grep -q "level=error"; then fail "Prometheus rule errors: $(grep level=error "$T/prom.log" | head -3)"; fi
echo ok
