# What anonymous HTTP clients see of users (issue 10.11): --user-label hashed
# shows a per-user pseudonym, off a per-job one, never the name or the
# executable; two users' jobs with the same id still get distinct series;
# pseudonyms survive a restart (label.key); the socket (an identified peer)
# still sees names.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (CI runs as root)"; exit 1; }
NU="vgl$$"
useradd -M -r -s /usr/sbin/nologin "$NU" || fail "useradd"
trap 'cleanup; userdel "$NU" 2>/dev/null || true' EXIT INT TERM
USEG="$T/useg"; mkdir -m 700 "$USEG"; chown "$NU" "$USEG"
"$SEGTOOL" "$SEG" same --op write --calls 4 --bytes 10 --exe /opt/secret-app --hang & PIDS="$PIDS $!"
setpriv --reuid="$NU" --regid=nogroup --clear-groups "$SEGTOOL" "$USEG" same --op write --calls 2 --bytes 1 --exe /opt/secret-app --hang & PIDS="$PIDS $!"
info() { scrape | grep '^vigil_job_info{jobid="same"'; }
users() { info | sed 's/.*user="\([^"]*\)".*/\1/' | sort; }
two() { [ "$(info | wc -l)" = 2 ]; }
check_mode() { # check_mode PREFIX: two distinct pseudonyms PREFIX-<12 hex>, exact counts, nothing personal
	wait_for two || fail "$1: two jobs 'same': $(info)"
	[ "$(users | grep -c "^$1-[0-9a-f]\{12\}\$")" = 2 ] || fail "$1: labels $(users)"
	[ -z "$(users | uniq -d)" ] || fail "$1: the two users' jobs collide: $(users)"
	! scrape | grep -q -e "user=\"$NU\"" -e 'user="root"' -e secret-app || fail "$1: a name or executable shown"
	w=$(scrape | grep '^vigil_io_operations_total{jobid="same"' | awk '{ print $NF }' | sort -n | tr '\n' ' ')
	[ "$w" = "2 4 " ] || fail "$1: counts $w"
	curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs" >"$T/api.json"
	[ "$(jq -r '[.jobs[] | select(.id == "same") | .user] | sort | join(" ")' "$T/api.json")" = "$(users | tr '\n' ' ' | sed 's/ $//')" ] || fail "$1: API users $(cat "$T/api.json")"
	! grep -q -e '"uid"' -e secret-app -e "$NU" "$T/api.json" || fail "$1: API shows uid, name or executable"
	curl -sf -m 5 --unix-socket "$SOCK" http://localhost/api/v1/jobs | jq -e --arg u "$NU" '[.jobs[].user] | index($u) != null' >/dev/null || fail "$1: the socket lost names"
}
start_vigild --dir "$USEG" --user-label hashed
check_mode u
H1=$(users)
kill_vigild; start_vigild --dir "$USEG" --user-label off
check_mode j
[ "$(users)" != "$H1" ] || fail "off shows the hashed pseudonyms"
kill_vigild; start_vigild --dir "$USEG" --user-label hashed
check_mode u
[ "$(users)" = "$H1" ] || fail "pseudonyms changed across a restart: $H1 / $(users)"
kill_vigild; start_vigild --dir "$USEG"
wait_for two || fail "on: two jobs"
[ "$(users | tr '\n' ' ')" = "$(printf '%s\n' root "$NU" | sort | tr '\n' ' ')" ] || fail "on (default): names $(users)"
echo ok
