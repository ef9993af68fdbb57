#!/bin/sh
# The dashboard's API with 200 live jobs: vigild watches 200 processes (one job
# each, under the collector); time GET /api/v1/jobs and the job list page's
# render in headless Chromium.  usage: bench/web/run.sh [BUILD_DIR]  (target: <= 50 ms)
set -eu
build=$(cd "${1:-build}" && pwd)
tmp=$(mktemp -d)
mkdir -m 700 "$tmp/seg"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/bin/vigild" --listen 127.0.0.1:$port --dir "$tmp/seg" --state-dir "$tmp/state" --socket none \
	--interval 0.1 >"$tmp/vigild.log" 2>&1 &
dpid=$!
pids=""
i=0
while [ $i -lt 200 ]; do
	VIGIL_DIR="$tmp/seg" VIGIL_JOB_ID="bench-$i" LD_PRELOAD="$build/lib/libvigil.so" \
		sh -c 'i=0; while [ $i -lt 60 ]; do cat /etc/hostname >/dev/null; sleep 0.5; i=$((i+1)); done' &
	pids="$pids $!"
	i=$((i + 1))
done
cleanup() { kill $pids 2>/dev/null || true; kill $dpid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
sleep 3
python3 - "$port" <<'PY'
import json, sys, time, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
ts, size, n = [], 0, 0
for _ in range(50):
    t = time.perf_counter()
    body = urllib.request.urlopen(base + "/api/v1/jobs").read()
    ts.append(time.perf_counter() - t)
    size, n = len(body), len(json.loads(body)["jobs"])
    time.sleep(0.02)
ts.sort()
print("GET /api/v1/jobs: %d jobs, %d bytes, median %.1f ms, p95 %.1f ms, max %.1f ms"
      % (n, size, ts[25] * 1e3, ts[47] * 1e3, ts[-1] * 1e3))
PY
prof=$(mktemp -d)
chromium --headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
	--disable-sync --no-first-run --user-data-dir="$prof" --virtual-time-budget=5000 --dump-dom \
	"http://127.0.0.1:$port/" 2>/dev/null | python3 -c '
import re, sys
d = sys.stdin.read()
rows = d.count("data-job=")
m = re.search(r"updated [^(]*\((\d+) ms\)", d)
print("job list page: %d rows rendered, %s updates, last fetch+render %s ms" % (rows,
      re.search(r"data-updates=\"(\d+)\"", d).group(1) if "data-updates" in d else "0", m.group(1) if m else "?"))'
rm -rf "$prof"
