#!/bin/sh
# vigild's CPU cost: N live segments (default 1000), each written to 10 times a
# second by its own process (real segment layout, tests/daemon/segtool.c), sampled
# at 10 Hz; then the same N segments idle; then no segments at all.  CPU is
# vigild's utime+stime from /proc/<pid>/stat over the measuring window.
# usage: bench/daemon/run.sh [BUILD_DIR] [N] [SECONDS]
set -eu
build=$(cd "${1:-build}" && pwd)
n=${2:-1000}
secs=${3:-10}
T=$(mktemp -d /dev/shm/vigild-bench.XXXXXX)   # tmpfs, like /dev/shm/vigil-UID
mkdir -m 700 "$T/seg"
pids=""
cleanup() { for p in $pids; do kill -9 $p 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tck=$(getconf CLK_TCK)
cpu() { awk -v t="$tck" '{ print ($14 + $15) / t }' /proc/$1/stat; }
measure() { # label
	sleep 2
	a=$(cpu $vd); t0=$(date +%s.%N); sleep "$secs"; b=$(cpu $vd); t1=$(date +%s.%N)
	rss=$(awk '/VmRSS/ { print $2 }' /proc/$vd/status)
	s=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^vigil_daemon_sample_duration_seconds / { print $2 }')
	awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" -v l="$1" -v r="$rss" -v s="$s" \
		'BEGIN { printf "%-32s cpu %6.3f%% of one core   rss %6.1f MiB   last sample pass %.2f ms\n", l, 100 * (b - a) / (t1 - t0), r / 1024, s * 1000 }'
}
"$build/bin/vigild" --listen 127.0.0.1:$port --dir "$T/seg" --state-dir "$T/state" --socket none --interval 0.1 \
	--job-linger 600 --log-level error &
vd=$!; pids="$pids $vd"
measure "no segments (idle daemon)"
for i in $(seq 1 "$n"); do
	"$build/bin/vigil_segtool" "$T/seg" "bench$((i % 20))" --op write --calls 100000000 --bytes 4096 --delay-ms 100 &
	pids="$pids $!"
done
measure "$n segments, each changing at 10 Hz"
for p in $pids; do [ $p = $vd ] || kill -9 $p 2>/dev/null || true; done
pids="$vd"
for i in $(seq 1 "$n"); do
	"$build/bin/vigil_segtool" "$T/seg" "idle$((i % 20))" --op write --calls 1 --bytes 1 --hang &
	pids="$pids $!"
done
measure "$n more segments, unchanged"
