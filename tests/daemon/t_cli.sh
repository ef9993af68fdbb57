# vigil top --once, vigil job-end and vigil dashboard against a running vigild;
# clear messages when no daemon is reachable; control characters stripped.
. "$(dirname "$0")/lib.sh"
export VIGIL_SOCKET="$SOCK" VIGIL_DIR="$SEG"
out=$("$VIGIL" top --once 2>&1) && fail "top without daemon succeeded"
echo "$out" | grep -q "not reachable" || fail "top message: $out"
start_vigild --job-linger 600
"$SEGTOOL" "$SEG" "$(printf 'evil\033[2Jjob')" --op write --calls 1 --bytes 1
"$SEGTOOL" "$SEG" "$(printf 'c1\302\2332Jjob')" --op write --calls 1 --bytes 1   # U+009B: a one-character CSI
"$SEGTOOL" "$SEG" jobT --op write --calls 2000 --bytes 65536 --delay-ms 1 & PIDS="$PIDS $!"
wait_for sh -c "'$VIGIL' top --once | grep -q '^jobT '" || fail "top shows jobT"
"$VIGIL" top --once >"$T/top.txt"
head -1 "$T/top.txt" | grep -q '^JOB  *USER  *PROCS  *READ  *WRITE  *OPS/s  *META/s  *MPI%  *TOP OP  *COMMAND$' || fail "top header: $(head -1 "$T/top.txt")"
grep -q "$(printf '\033')" "$T/top.txt" && fail "escape sequence reached the terminal"
grep -q '^evil?\[2Jjob ' "$T/top.txt" || fail "control characters not replaced: $(cat "$T/top.txt")"
grep -q "$(printf '\302\233')" "$T/top.txt" && fail "a C1 control (CSI) reached the terminal"
grep -q '^c1?2Jjob ' "$T/top.txt" || fail "C1 control not replaced: $(cat "$T/top.txt")"
# write rate shows while the job runs (65536 B every ~1 ms => > 1 MB/s)
wait_for sh -c "'$VIGIL' top --once --sort w | awk '\$1==\"jobT\" && \$5 > 1 { ok=1 } END { exit !ok }'" || fail "write rate: $(cat "$T/top.txt")"
# 80 columns: every column but COMMAND fits, and each job is told apart. Ids that differ only at
# their end (vigil run's host-date-time-PID) keep head and tail; ids alike after that are whole.
for id in node0123456789-20261201-061500-4242 node0123456789-20261201-061500-4243 \
          aaaaa-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx1-zzzzzzzzzz aaaaa-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx2-zzzzzzzzzz; do
	"$SEGTOOL" "$SEG" "$id" --op write --calls 1 --bytes 1 --cmd "cmd of $id"
done
# a job whose time is in write, its calls in read: TOP OP is picked by time
OUT=$T/jobP.dat VIGIL_JOB_ID=jobP "$VIGIL" run -q --profile "$T/jobP.json" -- /usr/bin/python3 -c '
import os
z = os.open("/dev/zero", os.O_RDONLY)
for i in range(3000): os.read(z, 1)
f = os.open(os.environ["OUT"], os.O_WRONLY | os.O_CREAT, 0o600)
for i in range(4): os.write(f, b"x" * (64 << 20))
' || fail "vigil run python3"
wait_for sh -c "'$VIGIL' top --once | awk '\$1==\"jobP\" && \$3==\"idle\" { ok=1 } END { exit !ok }'" ||
	fail "top shows jobP idle (its process ended, the job lingers): $("$VIGIL" top --once)"
"$VIGIL" top --once --width 80 >"$T/top80.txt"
awk 'length($0) > 80 { bad=1; print "too wide: " $0 } END { exit bad }' "$T/top80.txt" || fail "top --width 80 is wider than 80 columns"
head -1 "$T/top80.txt" | grep -q 'META/s  *MPI%  *TOP OP  *COMMAND$' || fail "80-column header: $(head -1 "$T/top80.txt")"
for want in 'node0~500-4242 ' 'node0~500-4243 ' 'aaaaa-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx1-zzzzzzzzzz ' 'aaaaa-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx2-zzzzzzzzzz '; do
	grep -q "^$want" "$T/top80.txt" || fail "job id shown as '$want'? $(cat "$T/top80.txt")"
done
"$VIGIL" top --once >"$T/topP.txt"
row=$(grep '^jobP ' "$T/topP.txt")
[ "$(echo "$row" | awk '{print $9}')" = write ] || fail "TOP OP of jobP (time in write, calls in read): $row"
echo "$row" | grep -q ' /usr/bin/python3 -c ' || fail "COMMAND of jobP: $row"
[ "$(jq '.totals.posix.read.calls > .totals.posix.write.calls' "$T/jobP.json")" = true ] || fail "jobP: more reads than writes"
# the live view in a real 80x24 terminal (tmux): the same columns, nothing wider than 80
tm="tmux -L vigil-test-$$"
$tm new-session -d -x 80 -y 24 "VIGIL_SOCKET='$SOCK' '$VIGIL' top --sort i" || fail "tmux"
for i in $(seq 1 100); do
	$tm capture-pane -p >"$T/tty.txt" 2>/dev/null
	grep -q '^jobP ' "$T/tty.txt" && break
	sleep 0.1
done
$tm kill-server 2>/dev/null || true
grep -q '^JOB  *USER  *PROCS  *READ  *WRITE  *OPS/s  *META/s  *MPI%  *TOP OP  *COMMAND' "$T/tty.txt" || fail "live header: $(cat "$T/tty.txt")"
grep '^jobP ' "$T/tty.txt" | awk '$3 == "idle" && $9 == "write" { ok=1 } END { exit !ok }' || fail "live row of jobP: $(cat "$T/tty.txt")"
awk 'length($0) > 80 { bad=1 } END { exit bad }' "$T/tty.txt" || fail "live view wider than 80 columns"
# dashboard URL with the token; the token works
url=$("$VIGIL" dashboard) || fail "dashboard"
echo "$url" | grep -q "^http://127.0.0.1:$PORT/?token=[0-9a-f]\{32\}$" || fail "dashboard url: $url"
tok=${url##*=}
[ "$(curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/health?token=$tok" | jq .viewer_uid)" = "$(id -u)" ] || fail "token not accepted"
# job-end: the profile is written now, not after the 600 s linger
wait $(echo $PIDS | awk '{print $NF}')
"$VIGIL" job-end jobT || fail "job-end"
wait_for sh -c "ls '$PROF' | grep -q jobT" || fail "no profile after job-end"
"$VIGIL" job-end nosuchjob 2>"$T/err" && fail "job-end of unknown job"
grep -q "knows no job" "$T/err" || fail "job-end message"
# unknown options are refused with exit 2, not taken for a job id or ignored
rc=0; "$VIGIL" job-end --bogus 2>"$T/err" || rc=$?; [ $rc = 2 ] || fail "job-end --bogus exit $rc"
grep -q "unknown option '--bogus'" "$T/err" || fail "job-end --bogus message"
rc=0; "$VIGIL" dashboard --bogus >/dev/null 2>"$T/err" || rc=$?; [ $rc = 2 ] || fail "dashboard --bogus exit $rc"
grep -q "unexpected argument '--bogus'" "$T/err" || fail "dashboard --bogus message"
# a user's mistakes: one clear sentence, non-zero exit
mkdir -m 700 "$T/seg2"; "$VIGILD" --listen 127.0.0.1:$PORT --dir "$T/seg2" --state-dir "$T/s2" --socket none 2>"$T/e1" && fail "port in use accepted"
[ "$(wc -l <"$T/e1")" = 1 ] && grep -q "cannot listen on 127.0.0.1:$PORT: Address already in use" "$T/e1" || fail "port message: $(cat "$T/e1")"
"$VIGILD" --bogus 2>"$T/e2" && fail "bad flag accepted"
grep -qx "vigild: unknown option '--bogus'; see vigild --help." "$T/e2" || fail "flag message: $(cat "$T/e2")"
"$VIGILD" --interval abc 2>"$T/e3" && fail "bad interval accepted"
grep -q "interval wants a number" "$T/e3" || fail "interval message"
"$VIGILD" --help | grep -q -- "--job-linger SECONDS" || fail "--help"
echo ok
