# 1,000 slow connections held open at once: scrapes still answer and the
# sampler keeps its pace (samples_total advances at the configured rate).
. "$(dirname "$0")/lib.sh"
start_vigild
"$SEGTOOL" "$SEG" jobC --op write --calls 9 --bytes 1 --hang & PIDS="$PIDS $!"
python3 - "$PORT" >"$T/slow.log" 2>&1 <<'PY' &
import resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
socks = []
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")  # never finished
    socks.append(s)
print("open", len(socks), flush=True)
time.sleep(30)
PY
PIDS="$PIDS $!"
wait_for grep -q "open 1000" "$T/slow.log" || fail "could not open 1000 connections: $(cat "$T/slow.log")"
s0=$(metric vigil_daemon_samples_total)
t0=$(date +%s.%N)
for i in 1 2 3 4 5; do
	curl -sf -m 2 "http://127.0.0.1:$PORT/metrics" | grep -q 'jobid="jobC"' || fail "scrape $i failed under 1000 connections"
done
sleep 1
s1=$(metric vigil_daemon_samples_total)
t1=$(date +%s.%N)
# interval 0.05 s: at least 70% of the expected passes
awk -v a="$s0" -v b="$s1" -v t0="$t0" -v t1="$t1" 'BEGIN { exit !((b - a) >= 0.7 * (t1 - t0) / 0.05) }' || fail "sampling fell behind: $s0 -> $s1"
echo ok
