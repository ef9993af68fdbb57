#!/bin/sh
# Leaked segments (issue 10 item 8): with no reader in charge, the segments of
# ended processes are reclaimed, oldest first, at most 64 left; a daemon's lock
# (held, or released less than 60 s ago: the restart grace) keeps every one.
. "$(dirname "$0")/../lib/preload.sh"
setup "$1" "$2"
lib=${VIGIL_LIB:?VIGIL_LIB must name libvigil.so}
pre=""
case $(ldd "$lib" 2>/dev/null) in *libasan*) pre="$(gcc -print-file-name=libasan.so):" ;; esac
export ASAN_OPTIONS=detect_leaks=0
unset VIGIL_RUN_ID
segs() { ls "$VIGIL_DIR" | grep -c '\.seg$'; }
loop() { LD_PRELOAD="$pre$lib" sh -c "i=0; while [ \$i -lt $1 ]; do /bin/true; i=\$((i+1)); done"; }

# 200 processes (and the shell's own segment), no daemon: at most 64 left, the oldest went first
LD_PRELOAD="$pre$lib" /bin/true
first=$(ls "$VIGIL_DIR")
loop 200
n=$(segs)
[ "$n" -le 64 ] || fail "$n segments left after 200 processes with no reader (want <= 64)"
[ "$n" -ge 40 ] || fail "only $n segments left: more than the oldest beyond the cap were reclaimed"
[ -e "$VIGIL_DIR/$first" ] && fail "the oldest segment ($first) was not reclaimed"
lastpid=$(LD_PRELOAD="$pre$lib" sh -c 'echo $$')
ls "$VIGIL_DIR" | grep -q "^$lastpid-" || fail "the newest segment was reclaimed"

# a segment of a live process is never reclaimed, however old
LD_PRELOAD="$pre$lib" sleep 30 &
live=$!
sleep 0.3
loop 120
ls "$VIGIL_DIR" | grep -q "^$live-" || fail "the segment of a live process was reclaimed"
kill $live; wait $live 2>/dev/null

# an ended segment a live `vigil run` will collect (its run id names it) is not reclaimed
VIGIL_RUN_FOLD=0 "$VIGIL" run -q --profile run.json -- sh -c '/bin/true; sleep 2' &
vr=$!
sleep 0.5
loop 120
wait $vr || fail "vigil run failed"
[ "$(jq '[.processes[].exe | select(endswith("/true"))] | length' run.json)" = 1 ] ||
	fail "a live vigil run's ended process was reclaimed by a process without a reader"

# a directory full of segments nobody may reclaim (a live vigil run's 300 ended processes): a process
# with no reader looks at no more than 16 of them (two walks of 8 misses), not every one
command -v strace >/dev/null || fail "strace is missing (scripts/install-deps.sh test installs it)"
mkdir -m 700 "$WORK/seg300" || fail "mkdir"
VIGIL_DIR=$WORK/seg300 VIGIL_RUN_FOLD=0 "$VIGIL" run -q --profile run300.json -- sh -c \
	'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done; touch loop300.done; sleep 3' &
vr=$!
k=0; while [ ! -e loop300.done ] && [ $k -lt 600 ]; do sleep 0.1; k=$((k+1)); done
[ -e loop300.done ] || fail "the 300-process loop under vigil run did not finish"
VIGIL_DIR=$WORK/seg300 strace -f -qq -E LD_PRELOAD="$pre$lib" -e trace=openat -o open300.txt /bin/true # -E: strace itself unwatched
looked=$(grep -c '\.seg", O_RDONLY' open300.txt)
[ "$looked" -le 16 ] || fail "a process start opened $looked segments of a live vigil run to see whether to reclaim them (want <= 16)"
wait $vr || fail "vigil run failed"
[ "$(jq '[.processes[].exe | select(endswith("/true"))] | length' run300.json)" = 300 ] ||
	fail "a live vigil run's ended processes were reclaimed by a process without a reader"

# vigild's lock, released less than VIGIL_DAEMON_STALE (60 s) ago: restart grace, nothing removed
before=$(segs)
touch "$VIGIL_DIR/vigild.lock"
loop 100
after=$(segs)
[ "$after" -eq $((before + 101)) ] || fail "within vigild's restart grace: $before + 101 processes (the loop's shell too) left $after segments"
# the same lock, stale (vigild gone for good): the cap applies again
touch -d '-2 minutes' "$VIGIL_DIR/vigild.lock"
loop 1
n=$(segs)
[ "$n" -le 64 ] || fail "$n segments left once the lock went stale (want <= 64)"
echo "ok: reclaim"
