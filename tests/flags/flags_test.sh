#!/bin/bash
# flags_test.sh CASE - a profile says "exact and complete" only when it is:
# exec into a static / set-user-ID / preload-stripped image, asynchronous I/O
# and a switch of user are flagged, and such a process is labelled with the
# image it exec'd.  Root cases drop to a test user (useradd, setpriv).
set -u
CASE=$1
: "${VIGIL:?set VIGIL to the vigil binary}"
CC=${CC:-cc}
T=$(mktemp -d /tmp/vigil-flags-XXXXXX)
chmod 755 "$T"
export VIGIL_DIR=$T/seg
unset VIGIL_JOB_ID SLURM_JOB_ID SLURM_STEP_ID PBS_JOBID LSB_JOBID FLUX_JOB_ID VIGIL_LIB
cd "$T" || exit 1
cleanup() { cd /; rm -rf "$T"; }
trap cleanup EXIT

FAILS=0
fail() { echo "FAIL ($CASE): $*" >&2; FAILS=$((FAILS + 1)); }
expect_eq() { [ "$1" == "$2" ] || fail "$3: got '$1', expected '$2'"; }
expect_grep() { grep -q -- "$1" "$2" || { fail "'$1' not in $2:"; cat "$2" >&2; }; }
flags() { jq -c '.flags' "$1"; }
# a program that writes 3 bytes to stdout and exits 3 (static or not)
prog() { printf '#include <unistd.h>\nint main(void){return write(1,"hi\\n",3) == 3 ? 3 : 1;}\n' > p.c
	"$CC" $1 -O2 -o "$2" p.c || fail "cannot build $2"; }
TUSER=vigilflags
need_user() {
	[ "$(id -u)" = 0 ] || { echo "this case needs root (CI runs as root)" >&2; exit 1; }
	id -u $TUSER > /dev/null 2>&1 || useradd -M -N -s /usr/sbin/nologin $TUSER 2>/dev/null || id -u $TUSER > /dev/null ||
		{ fail "useradd $TUSER"; exit 1; }
	TUID=$(id -u $TUSER); TGID=$(id -g $TUSER)
}
fio_run() { # engine: 1 MiB in 4 KiB writes = 256 requests
	"$VIGIL" run -q --profile p.json -- fio --name=t --ioengine=$1 --rw=write --size=1M --bs=4k \
		--filename="$T/fio.dat" --output-format=json --output=fio.json > /dev/null
	expect_eq $? 0 "fio exit status"
	expect_eq "$(jq -r '.jobs[0].write.total_ios' fio.json)" 256 "fio's own request count"
	expect_eq "$(jq -r '.flags | index("async_io") != null' p.json)" true "async_io flag"
}
op_calls() { jq -r --arg o "$1" '[.processes[].totals.posix[$o].calls // 0] | add' p.json; }

case $CASE in
static_exec)
	# the process itself execs a static image: labelled with it, never "killed, exit -1"
	prog -static st
	"$VIGIL" run --profile p.json -- sh -c 'exec ./st' > out 2>&1
	expect_eq $? 3 "exit status"
	expect_eq "$(flags p.json)" '["unmonitored_exec"]' "flags"
	expect_eq "$(jq -r '[.processes[] | select(.state == "unmonitored") | .exe, .exit_status] | join(" ")' p.json)" "./st 3" "label and status"
	expect_eq "$(jq -r '[.processes[] | select(.state == "killed")] | length' p.json)" 0 "no killed process"
	expect_grep "not measured after exec" out
	"$VIGIL" report p.json > rep
	expect_grep "unmonitored_exec" rep
	expect_grep "unmonitored, exit 3" rep
	grep -q "exact and complete" rep && fail "report says exact and complete"
	;;
env_stripped)
	# env -i removes LD_PRELOAD: the dynamic image it execs is not measured
	"$VIGIL" run -q --profile p.json -- sh -c 'env -i /bin/true; exit 0'
	expect_eq "$(flags p.json)" '["unmonitored_exec"]' "flags"
	expect_eq "$(jq -r '[.processes[] | select(.state == "unmonitored") | .exe] | join(" ")' p.json)" /bin/true "label"
	# the same exec with the preload kept is measured and clears the mark
	"$VIGIL" run -q --profile q.json -- sh -c 'env /bin/true; exit 0'
	expect_eq "$(flags q.json)" '[]' "flags when measured"
	expect_eq "$(jq -r '[.processes[].exe] | map(select(endswith("/true"))) | length' q.json)" 1 "true measured"
	;;
spawn_static)
	# dash vforks a child that execs a static image; posix_spawn the same: predicted, flagged on the parent
	prog -static st
	"$VIGIL" run -q --profile p.json -- sh -c './st > /dev/null; exit 0'
	expect_eq "$(flags p.json)" '["unmonitored_spawn"]' "vfork+exec flags"
	"$VIGIL" run -q --profile q.json -- python3 -c 'import os; os.waitpid(os.posix_spawn("./st", ["st"], dict(os.environ)), 0)' > /dev/null
	expect_eq "$(flags q.json)" '["unmonitored_spawn"]' "posix_spawn flags"
	"$VIGIL" run -q --profile r.json -- python3 -c 'import os; os.waitpid(os.posix_spawn("/bin/true", ["true"], dict(os.environ)), 0)'
	expect_eq "$(flags r.json)" '[]' "posix_spawn of a dynamic image"
	expect_eq "$(jq -r '[.processes[].exe] | map(select(endswith("/true"))) | length' r.json)" 1 "spawned true measured"
	;;
setuid_other)
	# set-user-ID to another user, run by root: secure mode, LD_PRELOAD ignored
	need_user
	prog "" su_prog
	chown $TUSER su_prog && chmod 4755 su_prog
	"$VIGIL" run --profile p.json -- ./su_prog > out 2> err
	expect_eq $? 3 "exit status"
	expect_grep "set-user/group-ID to another user" err
	expect_eq "$(flags p.json)" '["segment_failed"]' "direct command: flags"
	"$VIGIL" run -q --profile q.json -- sh -c 'exec ./su_prog' > /dev/null
	expect_eq "$(flags q.json)" '["unmonitored_exec"]' "exec'd: flags"
	expect_eq "$(jq -r '[.processes[] | select(.state == "unmonitored") | .exe] | join(" ")' q.json)" ./su_prog "label"
	;;
setuid_owner)
	# a set-user-ID program run by its owner has no secure mode: measured, no warning
	need_user
	prog "" su_prog
	chown $TUSER su_prog && chmod 4755 su_prog
	mkdir -m 700 useg && chown $TUSER useg
	chown $TUSER "$T"
	# the test user may not reach the build tree (a checkout under /root is 0700): run a copy
	mkdir -p inst/bin inst/lib && cp "$VIGIL" inst/bin/ && cp "$(dirname "$VIGIL")"/../lib/libvigil*.so inst/lib/ &&
		chmod -R a+rX inst || fail "cannot copy vigil for the test user"
	VIGIL_DIR=$T/useg setpriv --reuid=$TUID --regid=$TGID --clear-groups -- \
		"$T/inst/bin/vigil" run -q --profile p.json -- ./su_prog > out 2> err
	expect_eq $? 3 "exit status"
	expect_eq "$(cat err)" "" "no warning"
	expect_eq "$(flags p.json)" '[]' "flags"
	expect_eq "$(jq -r '.processes[0].totals.posix.write.bytes' p.json)" 3 "its write measured"
	;;
uid_switch)
	# root's child switches to another user before exec: its segment goes to that user's directory
	need_user
	"$VIGIL" run -q --profile p.json -- setpriv --reuid=$TUID --regid=$TGID --clear-groups -- /bin/true
	expect_eq "$(jq -r '.flags | index("uid_switch") != null' p.json)" true "uid_switch flag"
	"$VIGIL" run --profile q.json -- setpriv --reuid=$TUID --regid=$TGID --clear-groups -- /bin/true > out 2>&1
	expect_grep "ran as another user" out
	rm -rf /dev/shm/vigil-$TUID/*.seg 2>/dev/null
	;;
fio_libaio)
	fio_run libaio
	expect_eq "$(op_calls io_setup)" 1 "io_setup calls"
	expect_eq "$(op_calls io_submit)" 256 "io_submit calls (iodepth 1: one per request)"
	;;
fio_io_uring)
	# fio sets the ring up through syscall(2); it enters it with inline system calls (not seen)
	fio_run io_uring
	expect_eq "$(op_calls io_setup)" 1 "io_uring_setup calls"
	;;
fio_posixaio)
	fio_run posixaio
	expect_eq "$(op_calls aio)" 256 "aio_write calls"
	;;
exact)
	# nothing of the above: no flag, the report says exact and complete
	"$VIGIL" run -q --profile p.json -- sh -c 'cat /etc/hostname > /dev/null; exit 0'
	expect_eq "$(flags p.json)" '[]' "flags"
	"$VIGIL" report p.json > rep
	expect_grep "none (exact and complete)" rep
	;;
*)
	echo "unknown case $CASE" >&2; exit 2 ;;
esac
[ "$FAILS" -eq 0 ] && echo "ok: $CASE"
exit $((FAILS > 0))
