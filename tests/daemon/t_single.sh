# One vigild per state directory, segment directory and socket (issue 10.7):
# a second one on any of them refuses to start with one sentence naming the
# running one's pid, exits non-zero, and leaves the first one's socket alone.
# A socket file nobody answers on (a killed vigild's) is replaced.
. "$(dirname "$0")/lib.sh"
start_vigild
health() { curl -sf -m 5 --unix-socket "$SOCK" http://localhost/api/v1/health >/dev/null; }
health || fail "first vigild not reachable on its socket"
P2=$(free_port); mkdir -m 700 "$T/seg2" "$T/seg3"
second() { # second NAME ARGS...: must fail, with one line naming the first's pid
	n=$1; shift
	if "$VIGILD" --listen 127.0.0.1:$P2 --interval 0.05 "$@" >"$T/$n.out" 2>"$T/$n.err"; then fail "$n: second vigild started"; fi
	[ "$(wc -l <"$T/$n.err")" = 1 ] || fail "$n: not one sentence: $(cat "$T/$n.err")"
	grep -q "another vigild (pid $VD_PID)" "$T/$n.err" || fail "$n: running one not named: $(cat "$T/$n.err")"
	health || fail "$n: the first vigild lost its socket"
}
second state --dir "$T/seg2" --state-dir "$STATE" --socket "$T/s2.sock"
grep -q "state directory $STATE" "$T/state.err" || fail "state: $(cat "$T/state.err")"
second segdir --dir "$SEG" --state-dir "$T/st3" --socket "$T/s3.sock"
grep -q "watches $SEG" "$T/segdir.err" || fail "segdir: $(cat "$T/segdir.err")"
second socket --dir "$T/seg3" --state-dir "$T/st4" --socket "$SOCK"
grep -q "serving the socket $SOCK" "$T/socket.err" || fail "socket: $(cat "$T/socket.err")"
[ -S "$SOCK" ] || fail "socket file removed"
# a killed vigild's socket file is stale: the next one replaces it and starts
kill_vigild
[ -S "$SOCK" ] || fail "test premise: SIGKILL leaves the socket file"
start_vigild
health || fail "restart after SIGKILL: socket not served"
echo ok
