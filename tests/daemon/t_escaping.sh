# Hostile job ids (quotes, backslashes, newlines, UTF-8, <script>) come out
# escaped exactly: golden lines in /metrics, exact round trip through JSON,
# and promtool still parses the scrape.
. "$(dirname "$0")/lib.sh"
start_vigild
U=$(id -un)
ID=$(printf 'a"b\\c\nd\303\251<script>x')
"$SEGTOOL" "$SEG" "$ID" --op read --calls 3 --bytes 1 --exe "/x/ev\"il\\
name"
BAD=$(printf 'bad\377\376utf')
"$SEGTOOL" "$SEG" "$BAD" --op read --calls 2 --bytes 1
wait_for sh -c "curl -sf http://127.0.0.1:$PORT/metrics | grep -q 'vigil_job_info{jobid=\"bad'" || fail "no hostile jobs"
scrape >"$T/m.txt"
# golden lines (printf keeps the escapes literal)
G1=$(printf 'vigil_job_info{jobid="a\\"b\\\\c\\nd\303\251<script>x",user="%s",step="",executable="ev\\"il\\\\\\nname"} 1' "$U")
grep -qxF "$G1" "$T/m.txt" || fail "golden job_info: $(grep vigil_job_info "$T/m.txt")"
G2=$(printf 'vigil_io_operations_total{jobid="bad\357\277\275\357\277\275utf",user="%s",layer="posix",op="read"} 2' "$U")
grep -qxF "$G2" "$T/m.txt" || fail "invalid UTF-8 not replaced"
promtool check metrics <"$T/m.txt" || fail "promtool on hostile labels"
# JSON: the exact id comes back
curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs" | jq -r '.jobs[].id' >"$T/ids.txt"
grep -qF '<script>x' "$T/ids.txt" || fail "json id"
[ "$(curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs" | jq -r --arg id "$ID" '[.jobs[] | select(.id == $id)] | length')" = 1 ] || fail "json exact id"
curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs" | grep -q '<script>' && true
echo ok
