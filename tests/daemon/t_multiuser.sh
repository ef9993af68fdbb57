# A throwaway unprivileged user gets no file names or command lines of root's
# job (socket with SO_PEERCRED, HTTP with its own token, anonymous HTTP),
# while root and the owner get the exact paths.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (CI runs as root)"; exit 1; }
NU="vgt$$"
useradd -M -r -s /usr/sbin/nologin "$NU" || fail "useradd"
trap 'cleanup; userdel "$NU" 2>/dev/null || true' EXIT INT TERM
USEG="$T/useg"; mkdir -m 700 "$USEG"; chown "$NU" "$USEG"
start_vigild --dir "$USEG"
"$SEGTOOL" "$SEG" jobRoot --op write --calls 4 --bytes 10 --file /secret/root-data.bin --cmd "root-cmd --password hunter2" --hang & PIDS="$PIDS $!"
setpriv --reuid="$NU" --regid=nogroup --clear-groups "$SEGTOOL" "$USEG" jobUser --op read --calls 2 --bytes 1 --file /home/u/mine.dat --cmd "user-cmd" --hang & PIDS="$PIDS $!"
wait_for sh -c "curl -sf http://127.0.0.1:$PORT/api/v1/jobs | jq -e '.jobs | length == 2' >/dev/null" || fail "two jobs"
wait_for test -f "$USEG/vigild.token" || fail "token file"
[ "$(stat -c '%U %a' "$USEG/vigild.token")" = "$NU 600" ] || fail "token file owner/mode"
TOK=$(runuser -u "$NU" -- head -1 "$USEG/vigild.token")
sock() { runuser -u "$1" -- curl -sf -m 5 --unix-socket "$SOCK" "http://localhost$2"; }
# the unprivileged user, every way in: nothing personal of root's job
sock "$NU" /api/v1/jobs/jobRoot >"$T/u1" || fail "socket request as user"
curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs/jobRoot?token=$TOK" >"$T/u2"
curl -sf -m 5 -H "Authorization: Bearer $TOK" "http://127.0.0.1:$PORT/api/v1/jobs/jobRoot" >"$T/u3"
curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs/jobRoot" >"$T/u4"
curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs" >"$T/u5"
for f in u1 u2 u3 u4 u5; do
	grep -q 'jobRoot' "$T/$f" || fail "$f: no job at all"
	if grep -q -e secret -e hunter2 -e root-cmd "$T/$f"; then fail "$f leaks root's data"; fi
done
# the owner (root, over the socket) gets the exact path and command
sock root /api/v1/jobs/jobRoot >"$T/r1"
[ "$(jq -r '.files_by_bytes[0].path' "$T/r1")" = /secret/root-data.bin ] || fail "root's path: $(cat "$T/r1")"
[ "$(jq -r '.command' "$T/r1")" = "root-cmd --password hunter2" ] || fail "root's command"
# the user gets their own paths with their token, and over the socket
[ "$(curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs/jobUser?token=$TOK" | jq -r '.files_by_bytes[0].path')" = /home/u/mine.dat ] || fail "user's own path (token)"
[ "$(sock "$NU" /api/v1/jobs/jobUser | jq -r '.command')" = user-cmd ] || fail "user's own command (socket)"
# job-end: only owner or root
st=$(runuser -u "$NU" -- curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST --unix-socket "$SOCK" http://localhost/api/v1/jobs/jobRoot/end)
[ "$st" = 403 ] || fail "user could end root's job ($st)"
echo ok
