# Sourced by the alternating vigild benches (compare.sh, insights.sh): arguments
# OLD NEW [N] [J] [SECONDS] [RUNS], a private /dev/shm work directory removed on
# exit with every process the bench started, and vigild's CPU seconds by PID.
set -eu
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd)
n=${3:-1000}; jobs=${4:-200}; secs=${5:-10}; runs=${6:-3}
T=$(mktemp -d /dev/shm/vigild-bench.XXXXXX)
pids=""
cleanup() { for p in $pids; do kill -9 $p 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT INT TERM
tck=$(getconf CLK_TCK)
cpu() { awk -v t="$tck" '{ print ($14 + $15) / t }' /proc/$1/stat; }
printf 'window = 5\n' >"$T/ins.conf"
# measure BUILD SEGTOOL_BUILD JOBS SEGMENTS [VIGILD_ARGS...]: a fresh vigild of BUILD sampling
# SEGMENTS segments in JOBS jobs, each written 10 times a second by its own segtool process;
# prints vigild's "cpu% rssMiB" over $secs after 7 s of warm-up (segments found, rings full).
measure() {
	b=$1; st=$2; nj=$3; ns=$4; shift 4
	rm -rf "$T/seg" "$T/state"; mkdir -m 700 "$T/seg"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$b/bin/vigild" --listen 127.0.0.1:$port --dir "$T/seg" --state-dir "$T/state" --socket none --interval 0.1 \
		--job-linger 600 --log-level error "$@" &
	vd=$!; pids="$vd"
	for i in $(seq 1 "$ns"); do
		"$st/bin/vigil_segtool" "$T/seg" "bench$((i % nj))" --op write --calls 100000000 --bytes 4096 --delay-ms 100 &
		pids="$pids $!"
	done
	sleep 7
	a=$(cpu $vd); t0=$(date +%s.%N); sleep "$secs"; c=$(cpu $vd); t1=$(date +%s.%N)
	rss=$(awk '/VmRSS/ { print $2 }' /proc/$vd/status)
	for p in $pids; do kill -9 $p 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=""
	awk -v a="$a" -v b="$c" -v t0="$t0" -v t1="$t1" -v r="$rss" 'BEGIN { printf "%.2f %.1f\n", 100 * (b - a) / (t1 - t0), r / 1024 }'
}
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
