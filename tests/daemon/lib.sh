# lib.sh - shared by the vigild tests: a private directory tree, a free port,
# start/stop of vigild, polling helpers.  Every process started is stopped by
# the EXIT trap, even when the test fails.
set -eu
T=$(mktemp -d /tmp/vigild-test.XXXXXX)
chmod 755 "$T"
SEG="$T/seg"; STATE="$T/state"; PROF="$T/profiles"; SOCK="$T/vigild.sock"
mkdir -m 700 "$SEG"; mkdir -p "$PROF"
PIDS=""
PGIDS="" # process groups (started with setsid) killed whole: a wrapper's children too
VD_PID=""
cleanup() {
	for g in $PGIDS; do kill -9 "-$g" 2>/dev/null || true; done # (dash: no "--")
	for p in $PIDS $VD_PID; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; [ -f "$T/vigild.log" ] && tail -20 "$T/vigild.log" >&2; exit 1; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_vigild [extra args]: picks a free port (retrying if taken), waits for /api/v1/health.
start_vigild() {
	for attempt in 1 2 3 4 5; do
		PORT=$(free_port)
		"$VIGILD" --listen 127.0.0.1:$PORT --dir "$SEG" --state-dir "$STATE" --profile-dir "$PROF" \
			--socket "$SOCK" --interval 0.05 --job-linger 1 "$@" >>"$T/vigild.log" 2>&1 &
		VD_PID=$!
		for i in $(seq 1 100); do
			if curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1; then return 0; fi
			kill -0 $VD_PID 2>/dev/null || break
			sleep 0.05
		done
		kill -9 $VD_PID 2>/dev/null || true; wait $VD_PID 2>/dev/null || true
		grep -q "Address already in use" "$T/vigild.log" || fail "vigild did not start"
	done
	fail "no free port"
}
stop_vigild() { kill -TERM $VD_PID; wait $VD_PID || true; VD_PID=""; }
kill_vigild() { kill -9 $VD_PID; wait $VD_PID 2>/dev/null || true; VD_PID=""; }

scrape() { curl -sf -m 5 "http://127.0.0.1:$PORT/metrics"; }

# metric NAME_AND_LABELS: value of one exact series line from a scrape ("" if absent)
metric() { scrape | awk -v k="$1" 'index($0, k" ") == 1 { print $NF }'; }

# wait_for CMD...: poll up to 15 s until CMD succeeds
wait_for() {
	for i in $(seq 1 300); do
		if "$@"; then return 0; fi
		sleep 0.05
	done
	return 1
}
metric_is() { [ "$(metric "$1")" = "$2" ]; }
# approx A B: |A-B| < 1e-9 (seconds are summed in floating point)
approx() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (a == "" || d > 1e-9 || d < -1e-9) exit 1 }'; }
