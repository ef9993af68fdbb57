# Top files past the file table's 511 records (issue 10 item 4), through vigild: a
# process opens 600 one-byte files and then one of 8 MiB.  The live API's top
# file and the job profile both name the 8 MiB file with its exact bytes, the
# job's totals are exact, and <other files> holds exactly the 90 one-byte files
# whose records were reused.  Then a reader copying a live segment while 4
# threads reuse records (vigild's and vigil run's copy protocol, through
# segtool --watch-files) never sees a file's bytes lost or counted twice.
. "$(dirname "$0")/lib.sh"
[ -f "$LIB_DIR/libvigil.so" ] || fail "libvigil.so is not built"
PROG="$BIN_DIR/../tests/preload/prog_misc"
[ -x "$PROG" ] || fail "prog_misc is not built"
PRE="$LIB_DIR/libvigil.so"   # a sanitizer build needs its runtime first
case $(ldd "$PRE" 2>/dev/null) in *libasan*) PRE="$(gcc -print-file-name=libasan.so):$PRE" ;; esac
export ASAN_OPTIONS=detect_leaks=0 VIGIL_SOCKET="$SOCK"
U=$(id -un)
start_vigild --job-linger 600 --allow-anonymous-details
mkdir "$T/work"
(cd "$T/work" && VIGIL_DIR="$SEG" VIGIL_JOB_ID=jobF LD_PRELOAD="$PRE" "$PROG" bigfile 600) || fail "workload"
BIG=8388608
wait_for metric_is "vigil_io_bytes_total{jobid=\"jobF\",user=\"$U\",layer=\"posix\",op=\"write\"}" $((600 + BIG)) \
	|| fail "write bytes: $(metric "vigil_io_bytes_total{jobid=\"jobF\",user=\"$U\",layer=\"posix\",op=\"write\"}")"
# the live top files (the owner's view: the dashboard's token)
tok=$("$VIGIL" dashboard | sed 's/.*token=//')
curl -sf -m 5 "http://127.0.0.1:$PORT/api/v1/jobs/jobF?token=$tok" >"$T/job.json" || fail "job API"
[ "$(jq -r '.files_by_bytes[0].path' "$T/job.json")" = "$T/work/big.dat" ] || fail "top file: $(jq -c '.files_by_bytes[0]' "$T/job.json")"
[ "$(jq '.files_by_bytes[0].bytes_written' "$T/job.json")" = $BIG ] || fail "top file bytes"
[ "$(jq '[.files_by_bytes[] | select(.path == "<other files>")][0].bytes_written' "$T/job.json")" = 90 ] \
	|| fail "<other files> in the API: $(jq -c '.files_by_bytes[1]' "$T/job.json")"
# the profile
"$VIGIL" job-end jobF || fail "job-end"
wait_for sh -c "ls '$PROF' | grep -q '^vigil-jobF-'" || fail "profile of jobF"
P=$(ls "$PROF"/vigil-jobF-*.json)
[ "$(jq '.totals.posix.write.calls' "$P")" = 608 ] || fail "profile write calls"
[ "$(jq '.totals.posix.write.bytes' "$P")" = $((600 + BIG)) ] || fail "profile write bytes"
f() { jq --arg p "$1" "[.files[] | select(.path == \$p and .layer == \"posix\") | .$2] | add" "$P"; }
[ "$(f "$T/work/big.dat" bytes_written)" = $BIG ] || fail "big.dat bytes: $(f "$T/work/big.dat" bytes_written)"
[ "$(f "$T/work/big.dat" writes)" = 8 ] || fail "big.dat writes"
[ "$(f "<other files>" bytes_written)" = 90 ] || fail "<other files> bytes: $(f "<other files>" bytes_written)"
[ "$(f "<other files>" writes)" = 90 ] || fail "<other files> writes"
[ "$(jq '[.files[] | .bytes_written] | add' "$P")" = $((600 + BIG)) ] || fail "files' bytes add up"
[ "$(jq '[.files[] | select(.path | test("/f[0-9]{4}$"))] | length' "$P")" = 510 ] || fail "named small files"

# reader mid-reuse: 4 threads x 3000 files of 64 one-byte writes; at most 4 bytes in flight
mkdir -m 700 "$T/seg2"; mkdir "$T/work2"
(cd "$T/work2" && VIGIL_DIR="$T/seg2" LD_PRELOAD="$PRE" "$PROG" reuse_threads 3000 64) & W=$!; PIDS="$PIDS $W"
wait_for sh -c "ls '$T/seg2' | grep -q '\.seg$'" || fail "no segment of the reuse workload"
out=$(timeout 60 "$SEGTOOL" --watch-files "$(ls "$T"/seg2/*.seg)" 4) || fail "a copy saw a reuse half done or twice: $out"
wait $W || fail "reuse workload"
echo "checked, retried, unsettled, violations: $out"
echo ok
