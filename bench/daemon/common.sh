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
