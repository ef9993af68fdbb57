#!/bin/bash
# run_test.sh CASE - one end-to-end case of `vigil run` with the real collector.
# Needs $VIGIL (the vigil binary); the collector is found next to it, as users get it.
set -u
CASE=$1
: "${VIGIL:?set VIGIL to the vigil binary}"
T=$(mktemp -d /tmp/vigil-cli-XXXXXX)
export VIGIL_DIR=$T/seg
unset VIGIL_JOB_ID SLURM_JOB_ID SLURM_STEP_ID PBS_JOBID LSB_JOBID FLUX_JOB_ID VIGIL_LIB
cd "$T" || exit 1
cleanup() { cd /; [ -n "${KEEP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT

FAILS=0
fail() { echo "FAIL ($CASE): $*" >&2; FAILS=$((FAILS + 1)); }
expect_eq() { [ "$1" == "$2" ] || fail "$3: got '$1', expected '$2'"; }
expect_grep() { grep -q -- "$1" "$2" || { fail "'$1' not in $2:"; cat "$2" >&2; }; }
segs_left() { find "$VIGIL_DIR" -mindepth 1 2>/dev/null | wc -l; }

case $CASE in
help)
	"$VIGIL" run --help > out 2> err
	expect_eq $? 0 "exit status of --help"
	for s in SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT "EXIT STATUS" EXAMPLES --profile --quiet --linger VIGIL_DIR; do
		expect_grep "$s" out
	done
	;;
usage)
	"$VIGIL" run --bogus -- true 2> err
	expect_eq $? 2 "unknown flag"
	expect_grep "unknown option '--bogus'" err
	expect_grep "vigil run --help" err
	"$VIGIL" run 2> err
	expect_eq $? 2 "no command"
	expect_grep "no command given" err
	"$VIGIL" run --quiet -- 2> err
	expect_eq $? 2 "nothing after --"
	"$VIGIL" run --linger abc true 2> err
	expect_eq $? 2 "bad linger"
	expect_grep "linger needs a number" err
	"$VIGIL" run --mpi bogus -- true 2> err
	expect_eq $? 2 "unknown MPI"
	expect_grep "mpi needs an MPI implementation" err
	[ -z "$(ls vigil-*.json 2>/dev/null)" ] || fail "usage errors wrote a profile"
	"$VIGIL" run -q --mpi MPICH --profile pm.json -- true
	expect_eq $? 0 "--mpi MPICH accepted"
	;;
exit_status)
	"$VIGIL" run -q --profile p0.json -- true; expect_eq $? 0 "true"
	"$VIGIL" run -q --profile p3.json -- sh -c 'exit 3'; expect_eq $? 3 "exit 3"
	"$VIGIL" run -q --profile p255.json -- sh -c 'exit 255'; expect_eq $? 255 "exit 255"
	expect_eq "$(jq -r '.processes[0].exit_status' p3.json)" 3 "exit status in the profile"
	expect_eq "$(jq -r '.processes[0].state' p3.json)" exited "state in the profile"
	;;
killed)
	"$VIGIL" run -q --profile p.json -- sh -c 'kill -9 $$'
	expect_eq $? 137 "SIGKILL -> 128+9"
	expect_eq "$(jq -r '.processes[0].state' p.json)" killed "state of a SIGKILLed process"
	expect_eq "$(jq -r '.processes[0].signal' p.json)" 9 "signal of a SIGKILLed process"
	expect_eq "$(segs_left)" 0 "segments left"
	"$VIGIL" run -q --profile p2.json -- sh -c 'kill -TERM $$'
	expect_eq $? 143 "SIGTERM -> 128+15"
	;;
missing_command)
	"$VIGIL" run -q -- no-such-command-xyz 2> err
	expect_eq $? 127 "missing command"
	expect_grep "no-such-command-xyz: command not found" err
	"$VIGIL" run -q -- ./no/such/path 2> err
	expect_eq $? 127 "missing path"
	[ -z "$(ls vigil-*.json 2>/dev/null)" ] || fail "a command that never ran got a profile"
	expect_eq "$(segs_left)" 0 "segments left"
	;;
not_executable)
	printf 'echo hi\n' > script; chmod 644 script
	"$VIGIL" run -q -- ./script 2> err
	expect_eq $? 126 "not executable"
	expect_grep "cannot execute" err
	mkdir adir
	"$VIGIL" run -q -- ./adir 2> err
	expect_eq $? 126 "a directory"
	;;
unwritable_profile)
	# Found before the command starts: one sentence, exit 125, the command not run.
	for bad in "$T/no/such/dir/p.json" /proc/vigil-test-p.json "$T/afile/p.json"; do
		touch afile
		rm -f ran
		"$VIGIL" run -q --profile "$bad" -- sh -c 'touch ran; exit 5' 2> err
		expect_eq $? 125 "exit status with the unwritable profile $bad"
		[ -e ran ] && fail "the command ran though $bad cannot be written"
		expect_grep "vigil run: cannot write the profile $bad: .*; the command was not run.$" err
		expect_eq "$(wc -l < err)" 1 "lines on stderr for $bad"
	done
	"$VIGIL" run -q --profile "$T/no/such/dir/p.json" -- true 2> err
	expect_grep "no/such/dir/p.json: its directory does not exist" err
	expect_eq "$(ls -A | grep -c vigil-probe)" 0 "probe files left"
	expect_eq "$(segs_left)" 0 "segments left"
	;;
existing_profile)
	echo keep > p.json
	"$VIGIL" run -q --profile p.json -- sh -c 'touch ran' 2> err
	expect_eq $? 125 "exit status"
	[ -e ran ] && fail "the command ran though its profile exists"
	expect_eq "$(cat p.json)" keep "existing profile content"
	expect_grep "the profile p.json already exists and vigil never replaces a profile" err
	expect_eq "$(wc -l < err)" 1 "lines on stderr"
	expect_eq "$(ls -A | grep -c '\.tmp')" 0 "temporary files"
	;;
segdir_mode)
	# A 0755 VIGIL_DIR: the collector would count nothing; vigil run refuses at once with the fix.
	mkdir -m 755 d755
	VIGIL_DIR=$T/d755 "$VIGIL" run -q --profile p.json -- sh -c 'touch ran' 2> err
	expect_eq $? 125 "exit status with a 0755 VIGIL_DIR"
	[ -e ran ] && fail "the command ran with a 0755 VIGIL_DIR"
	expect_grep "its mode is 0755 .*fix it with: chmod 700 $T/d755$" err
	chmod 700 d755
	VIGIL_DIR=$T/d755 "$VIGIL" run -q --profile p.json -- sh -c 'cat /etc/hostname > /dev/null'
	expect_eq $? 0 "exit status after chmod 700"
	expect_eq "$(jq '[.processes[].exe] | length' p.json)" 2 "processes counted after chmod 700"
	;;
default_names)
	VIGIL_JOB_ID=fixed "$VIGIL" run -q -- true
	VIGIL_JOB_ID=fixed "$VIGIL" run -q -- true 2> err
	[ -f vigil-fixed.json ] || fail "vigil-fixed.json missing"
	[ -f vigil-fixed.1.json ] || fail "vigil-fixed.1.json missing"
	expect_grep "vigil-fixed.json already exists; profile written to vigil-fixed.1.json" err
	VIGIL_JOB_ID='a/b c' "$VIGIL" run -q -- true
	[ -f 'vigil-a%2Fb%20c.json' ] || fail "escaped job id"
	expect_eq "$(jq -r .job.id 'vigil-a%2Fb%20c.json')" 'a/b c' "job id in the profile"
	SLURM_JOB_ID=77 SLURM_STEP_ID=3 "$VIGIL" run -q -- true
	[ -f vigil-77.3.json ] || fail "slurm step name"
	expect_eq "$(jq -r .job.step vigil-77.3.json)" 3 "step in the profile"
	"$VIGIL" run -q -- sh -c 'echo "$VIGIL_JOB_ID" > id'
	gen=$(cat id)
	[ -n "$gen" ] || fail "no generated VIGIL_JOB_ID"
	[ -f "vigil-$gen.json" ] || fail "generated job id $gen has no profile"
	expect_eq "$(jq -r .job.id "vigil-$gen.json")" "$gen" "generated id in the profile"
	;;
signals)
	# INT and QUIT are ignored by vigil run itself; TERM/HUP/USR1/USR2 reach CMD.
	"$VIGIL" run -q --profile p.json -- sh -c 'trap "exit 43" USR1; touch ready; while :; do sleep 0.02; done' &
	vp=$!
	for i in $(seq 100); do [ -e ready ] && break; sleep 0.05; done
	kill -INT $vp; kill -QUIT $vp; sleep 0.3
	kill -0 $vp 2>/dev/null || fail "vigil run died of SIGINT/SIGQUIT"
	kill -USR1 $vp
	wait $vp; expect_eq $? 43 "USR1 forwarded"
	rm -f ready
	"$VIGIL" run -q --profile p2.json -- sh -c 'trap "exit 44" TERM; touch ready; while :; do sleep 0.02; done' &
	vp=$!
	for i in $(seq 100); do [ -e ready ] && break; sleep 0.05; done
	kill -TERM $vp
	wait $vp; expect_eq $? 44 "TERM forwarded"
	expect_eq "$(segs_left)" 0 "segments left"
	;;
nothing_left)
	"$VIGIL" run -q --profile p.json -- sh -c 'cat /etc/hostname > /dev/null; (sleep 0.1 &); sh -c "kill -9 \$\$"; exit 0'
	expect_eq $? 0 "exit status"
	expect_eq "$(segs_left)" 0 "files left in VIGIL_DIR"
	# reaped by its own parent, so vigil run cannot know the signal: killed, signal 0
	expect_eq "$(jq '[.processes[] | select(.state == "killed")] | length' p.json)" 1 "killed grandchild"
	# The default directory is created 0700; a symlink or foreign directory is refused.
	mkdir real; ln -s real linkdir
	VIGIL_DIR=$T/linkdir "$VIGIL" run -q -- true 2> err
	expect_eq $? 125 "symlinked VIGIL_DIR"
	expect_grep "refusing to use the segment directory" err
	mkdir open; chmod 777 open
	VIGIL_DIR=$T/open "$VIGIL" run -q -- true 2> err
	expect_eq $? 125 "world-writable VIGIL_DIR"
	expect_eq "$(stat -c %a "$VIGIL_DIR")" 700 "mode of the created directory"
	;;
linger_survivors)
	start=$(date +%s%N)
	"$VIGIL" run -q --linger 0.5 --profile p.json -- sh -c 'sleep 30 & echo $! > bgpid; exit 0'
	expect_eq $? 0 "exit status"
	took_ms=$((($(date +%s%N) - start) / 1000000))
	[ "$took_ms" -lt 5000 ] || fail "took $took_ms ms with --linger 0.5"
	bg=$(cat bgpid)
	kill -0 "$bg" 2>/dev/null || fail "survivor was not left running"
	kill "$bg" 2>/dev/null
	expect_eq "$(jq -r '.flags | index("survivors") != null' p.json)" true "survivors flag"
	expect_eq "$(jq -r ".processes[] | select(.pid == $bg) | .state" p.json)" running "survivor state"
	expect_eq "$(segs_left)" 0 "segments left"
	;;
orphan_adoption)
	# CMD exits at once; its orphaned grandchild is adopted and waited for.
	"$VIGIL" run -q --profile p.json -- sh -c '(sleep 0.5; echo done > marker) & exit 7'
	expect_eq $? 7 "exit status is CMD's"
	expect_eq "$(cat marker 2>/dev/null)" done "vigil run returned before the orphan finished"
	expect_eq "$(jq '.processes | length' p.json)" 3 "processes (sh, subshell, sleep)"
	expect_eq "$(jq -r '[.processes[].state] | unique | join(",")' p.json)" exited "states"
	expect_eq "$(jq -r '.flags | length' p.json)" 0 "flags"
	;;
counts)
	"$VIGIL" run -q --profile p.json -- dd if=/dev/zero of=data bs=4096 count=10 status=none
	expect_eq $? 0 "dd"
	f=$(jq -c --arg p "$T/data" '.files[] | select(.path == $p and .layer == "posix")' p.json)
	expect_eq "$(echo "$f" | jq .writes)" 10 "writes to data"
	expect_eq "$(echo "$f" | jq .bytes_written)" 40960 "bytes written to data"
	expect_eq "$(echo "$f" | jq .processes)" 1 "processes of data"
	expect_eq "$(jq .schema p.json)" '"vigil-profile/1"' "schema"
	expect_eq "$(jq -r .job.command p.json)" "dd if=/dev/zero of=data bs=4096 count=10 status=none" "command"
	expect_eq "$(jq -r '.totals.posix.write.size_histogram[13]' p.json)" 10 "4 KiB writes in bucket 13"
	# The summary names the file and the profile.
	"$VIGIL" run --profile p2.json -- dd if=/dev/zero of=data2 bs=4096 count=3 status=none 2> err
	expect_grep "top files" err
	expect_grep "$T/data2" err
	expect_grep "profile: p2.json" err
	;;
preload)
	# The collector goes first, what the user preloaded stays; VIGIL_LIB overrides the lookup.
	# (an ASan-built vigil would refuse a foreign library ahead of its runtime: allow it here)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6 "$VIGIL" run -q --profile p.json -- sh -c 'echo "$LD_PRELOAD" > pl; echo "$VIGIL_RUN_ID" > rid'
	pl=$(cat pl)
	case $pl in
	*libvigil.so*:/lib/x86_64-linux-gnu/libm.so.6) ;;
	*) fail "LD_PRELOAD seen by CMD: $pl" ;;
	esac
	[ -n "$(cat rid)" ] || fail "no VIGIL_RUN_ID"
	VIGIL_LIB=$T/nope.so "$VIGIL" run -q -- true 2> err
	expect_eq $? 125 "missing VIGIL_LIB"
	expect_grep "VIGIL_LIB=$T/nope.so is not a file" err
	;;
warnings)
	"$VIGIL" run -q --profile p.json -- /sbin/ldconfig --version > /dev/null 2> err
	expect_grep "statically linked" err
	expect_eq "$(jq -r '.flags | index("segment_failed") != null' p.json)" true "segment_failed flag"
	# set-user-ID programs: tests/flags (setuid_other warns, setuid_owner does not)
	"$VIGIL" run -q --profile p3.json -- true 2> err
	expect_eq "$(cat err)" "" "no warning for a dynamic program"
	# nothing observed because the collector is switched off: say so, not "is it working?"
	VIGIL_DISABLE=1 "$VIGIL" run -q --profile p4.json -- true 2> err
	expect_eq "$(cat err)" "vigil run: no process of true was observed: VIGIL_DISABLE=1 turns the collector off." "VIGIL_DISABLE message"
	;;
linger_interrupt)
	# Once CMD has exited, SIGINT (Ctrl-C) stops the lingering: the profile is
	# written at once, the survivor is left running.
	"$VIGIL" run -q --linger 60 --profile p.json -- sh -c 'setsid sleep 30 > /dev/null 2>&1 < /dev/null & echo $! > bgpid' &
	vp=$!
	for i in $(seq 100); do [ -s bgpid ] && break; sleep 0.05; done
	sleep 0.5
	start=$(date +%s%N)
	kill -INT $vp
	wait $vp; expect_eq $? 0 "exit status"
	took_ms=$((($(date +%s%N) - start) / 1000000))
	[ "$took_ms" -lt 5000 ] || fail "vigil run kept lingering $took_ms ms after SIGINT"
	bg=$(cat bgpid)
	kill -0 "$bg" 2>/dev/null || fail "survivor was not left running"
	kill "$bg" 2>/dev/null
	expect_eq "$(jq -r '.flags | index("survivors") != null' p.json)" true "survivors flag"
	expect_eq "$(segs_left)" 0 "segments left"
	;;
store)
	# The site profile store: ROOT/YEAR/MONTH/DAY/, levels with the root's mode, owner-only files;
	# profiles found by job id; a file of that name wins; the whole job's profile wins over node
	# profiles, which are merged; vigil merge folds node profiles and refuses double counting.
	mkdir store; chmod 1777 store
	day=$(date -u +%Y/%-m/%-d)
	VIGIL_PROFILE_DIR=$T/store VIGIL_JOB_ID=s1 "$VIGIL" run -q -- sh -c 'echo x > f1'
	expect_eq $? 0 "vigil run into the store"
	f=store/$day/vigil-s1.json
	[ -f "$f" ] || fail "no $f: $(find store)"
	expect_eq "$(stat -c %a "$f")" 600 "mode of a profile in the store"
	expect_eq "$(stat -c %a store/$day)" 1777 "mode of a day directory (the root's)"
	"$VIGIL" run -q --profile-dir "$T/store" -- sh -c 'echo yy > f2' 2>/dev/null
	VIGIL_JOB_ID=s2 "$VIGIL" run -q --profile-dir "$T/store" -- sh -c 'echo x > f1'
	[ -f store/$day/vigil-s2.json ] || fail "--profile-dir: no store/$day/vigil-s2.json"
	"$VIGIL" report "$f" > byfile.txt
	VIGIL_PROFILE_DIR=$T/store "$VIGIL" report s1 > byid.txt
	expect_eq $? 0 "vigil report JOBID"
	cmp -s byfile.txt byid.txt || fail "report by job id differs from the file's"
	"$VIGIL" report --profile-dir "$T/store" s1 > byid2.txt
	cmp -s byfile.txt byid2.txt || fail "report --profile-dir JOBID differs"
	VIGIL_PROFILE_DIR=$T/store "$VIGIL" diff -q s1 s2 --fail-on 'posix.write.seconds>+10%&>+0.5s'
	expect_eq $? 0 "vigil diff JOBID JOBID"
	VIGIL_PROFILE_DIR=$T/store "$VIGIL" report nosuchjob 2> err
	expect_eq $? 2 "unknown job id"
	expect_grep "nosuchjob is neither a file nor a job with a profile in the profile store $T/store." err
	cp store/$day/vigil-s2.json s1  # a file named like the job: read as that file
	VIGIL_PROFILE_DIR=$T/store "$VIGIL" report s1 | grep -q '^vigil report: job s2$' || fail "a file named s1 was not read as a file"
	# node profiles of job n1 (as vigild writes them: generator vigild, one host each)
	for h in nodeA nodeB; do
		jq --arg h $h '.generator = "vigild 0.1.0" | .job.id = "n1" | .job.hosts = [$h] | .processes[].host = $h' \
			"$f" > "store/$day/vigil-n1-$h.json"
	done
	want=$(jq '[.totals.posix[].calls] | add * 2' "$f")
	VIGIL_PROFILE_DIR=$T/store "$VIGIL" report n1 > n1.txt
	expect_eq $? 0 "report of a job with node profiles only"
	expect_grep "hosts       nodeA, nodeB" n1.txt
	expect_eq "$(awk '$1 == "posix" && $2 ~ /^[0-9,]+$/ { gsub(",", "", $2); print $2; exit }' n1.txt)" "$want" "posix calls of the merged nodes"
	# vigil merge: the same fold, written into the store, then found as the whole job's profile
	VIGIL_PROFILE_DIR=$T/store "$VIGIL" merge n1 2> err
	expect_eq $? 0 "vigil merge JOBID"
	expect_grep "vigil merge: 2 profiles of job n1 merged into $T/store/$day/vigil-n1.json." err
	expect_eq "$(jq -r .generator store/$day/vigil-n1.json | cut -d" " -f1,2)" "vigil merge" "generator of the merged profile"
	expect_eq "$(jq '[.totals.posix[].calls] | add' store/$day/vigil-n1.json)" "$want" "posix calls merged"
	expect_eq "$(jq '.processes | length' store/$day/vigil-n1.json)" "$(jq '.processes | length * 2' "$f")" "processes merged"
	"$VIGIL" merge -o m.json "store/$day/vigil-n1-nodeA.json" "store/$day/vigil-n1-nodeB.json" 2>/dev/null
	jq -S 'del(.generator)' m.json > m1; jq -S 'del(.generator)' store/$day/vigil-n1.json > m2
	cmp -s m1 m2 || fail "merge of files differs from merge by job id"
	# the whole job's profile (an MPI reduction) wins over node profiles
	jq '.generator = "vigil-mpi" | .job.id = "n1" | .job.end += 100' "$f" > "store/$day/vigil-n1.1.json"
	VIGIL_PROFILE_DIR=$T/store "$VIGIL" report n1 | grep -q '^  generator   vigil-mpi$' || fail "the reduced profile did not win"
	# refusals: one sentence, exit 2
	"$VIGIL" merge -o x.json "store/$day/vigil-n1.1.json" "store/$day/vigil-n1-nodeA.json" 2> err
	expect_eq $? 2 "merge with an MPI reduction"
	expect_grep "is the MPI reduction of the whole job" err
	"$VIGIL" merge -o x.json "store/$day/vigil-n1-nodeA.json" "store/$day/vigil-n1-nodeA.json" 2> err
	expect_eq $? 2 "merge of one file twice"
	expect_grep "is given twice" err
	"$VIGIL" merge -o x.json "store/$day/vigil-n1-nodeA.json" "$f" 2> err
	expect_eq $? 2 "merge of two jobs"
	expect_grep "only profiles of one job are merged" err
	cp "store/$day/vigil-n1-nodeA.json" againA.json
	"$VIGIL" merge -o x.json "store/$day/vigil-n1-nodeA.json" againA.json 2> err
	expect_eq $? 2 "merge of one node twice"
	expect_grep "two profiles of node nodeA" err
	[ -e x.json ] && fail "a refused merge wrote a file"
	# a store that does not exist: refused before the command runs
	VIGIL_PROFILE_DIR=$T/nostore "$VIGIL" run -q -- sh -c 'touch ran' 2> err
	expect_eq $? 125 "missing store"
	[ -e ran ] && fail "the command ran with a missing store"
	expect_grep "the profile store $T/nostore is not a directory (it does not exist)" err
	;;
relative_dir)
	# A relative VIGIL_DIR is made absolute for CMD: a descendant that changed
	# directory still lands in the run's directory (counted, nothing left behind).
	mkdir -m 700 rel elsewhere
	VIGIL_DIR=rel "$VIGIL" run -q --profile p.json -- sh -c 'cd elsewhere && cat /etc/hostname > /dev/null; echo "$VIGIL_DIR" > ../vd'
	expect_eq $? 0 "exit status"
	expect_eq "$(cat vd)" "$T/rel" "VIGIL_DIR seen by CMD"
	expect_eq "$(jq '.processes | length' p.json)" 2 "processes (sh, cat)"
	expect_eq "$(jq -r '[.processes[].exe] | map(select(endswith("/cat"))) | length' p.json)" 1 "cat observed"
	expect_eq "$(find elsewhere rel -mindepth 1 | wc -l)" 0 "files left in rel or elsewhere"
	;;
exec_threads)
	# a second thread's counts (its own shard) survive an exec, which resets shards_used:
	# vigil run reads only the used shards, and every one after an exec
	"$VIGIL" run -q --profile p.json -- python3 -c 'import os, threading
t = threading.Thread(target=lambda: os.write(1, b"x" * 5)); t.start(); t.join()
os.execv("/bin/true", ["true"])' > out.txt
	expect_eq $? 0 "exit status"
	expect_eq "$(cat out.txt)" xxxxx "output"
	expect_eq "$(jq -r '[.processes[].totals.posix.write.bytes // 0] | add' p.json)" 5 "the thread's write, before the exec"
	;;
fold)
	# Ended processes are folded and their segments removed while the run goes on;
	# the profile is the one collecting at the end gives (VIGIL_RUN_FOLD=0).
	# (the count uses the shell's own glob: no extra process whose reads would depend on it)
	cat > loop.sh <<'EOF2'
i=0; while [ $i -lt 200 ]; do cat in.txt > /dev/null; i=$((i+1)); done
sleep 0.5
set -- "$VIGIL_DIR"/*.seg; printf "%06d\n" $# > left.txt
EOF2
	head -c 1000 /dev/zero > in.txt
	"$VIGIL" run -q --profile f.json -- sh loop.sh; expect_eq $? 0 "exit status (folding)"
	fl=$((1$(cat left.txt) - 1000000))
	VIGIL_RUN_FOLD=0 "$VIGIL" run -q --profile n.json -- sh loop.sh; expect_eq $? 0 "exit status (no folding)"
	nl=$((1$(cat left.txt) - 1000000))
	[ "$fl" -le 3 ] || fail "$fl segments still in the directory after 200 ended processes (folding)"
	[ "$nl" -ge 201 ] || fail "only $nl segments without folding: the comparison is void"
	for f in f.json n.json; do
		jq -S '{n: (.processes | length),
			procs: ([.processes[] | [.exe, .state, .exit_status]] | sort),
			ops: [.totals | to_entries[] | .key as $l | .value | to_entries[] | [$l, .key, .value.calls, .value.bytes, .value.errors]],
			files: [.files[] | select(.path | startswith("/tmp")) | [.path, .layer, .reads, .writes, .bytes_read, .bytes_written, .processes]],
			flags}' $f > $f.cmp
		# the timeline lost nothing: its ops add up to the calls
		jq -e '([.timeline.layers[].ops[]] | add) as $t
			| ([.totals[][] | .calls] | add) as $c | ($t - $c | fabs) < 1e-6 * $c' $f > /dev/null ||
			fail "$f: timeline ops do not add up to the calls"
	done
	diff f.json.cmp n.json.cmp > d.txt || { fail "folded and end-of-run profiles differ:"; cat d.txt >&2; }
	expect_eq "$(jq '.n' f.json.cmp)" 202 "processes (sh, 200 cat, sleep)"
	;;
fold_reuse)
	# vigil run copies every segment into one buffer and zeroes again only what the copy
	# filled, and copies a shard only as far as it counted: a three-thread process (shards 1-3)
	# before small ones must leave nothing in their copies, and lose none of its own counts.
	# Each process's counts are known exactly: the threads write 3 x 7 bytes, head reads 500
	# bytes in one call, cat 1000 bytes in one read (and one at the end) and one write.
	# 10 rounds; 3 under an ASan build (20 Pythons with the ASan runtime take most of a minute)
	n=10
	case $(ldd "$VIGIL_COLLECTOR" 2>/dev/null) in *libasan*) n=3 ;; esac
	cat > loop.sh <<EOF2
i=0; while [ \$i -lt $n ]; do
python3 -c 'import os, threading
ts = [threading.Thread(target=lambda k=k: os.write(os.open("t%d.txt" % k, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), b"x" * 7)) for k in range(3)]
[t.start() for t in ts]; [t.join() for t in ts]'
head -c 500 in.txt > /dev/null
cat in.txt > /dev/null
i=\$((i+1)); done
EOF2
	head -c 1000 /dev/zero > in.txt
	"$VIGIL" run -q --profile f.json -- sh loop.sh; expect_eq $? 0 "exit status (folding)"
	VIGIL_RUN_FOLD=0 "$VIGIL" run -q --profile n.json -- sh loop.sh; expect_eq $? 0 "exit status (no folding)"
	for f in f.json n.json; do
		got=$(jq -c '[.processes[] | (.exe | split("/") | last) as $e | select($e == "cat" or $e == "head" or ($e | startswith("python")))
			| .totals.posix as $p | [(if ($e | startswith("python")) then "python" else $e end),
			  (if $e == "cat" or $e == "head" then [$p.read.calls, $p.read.bytes] else [] end), $p.write.calls, $p.write.bytes]]
			| group_by(.) | map([.[0], length])' $f)
		expect_eq "$got" "[[[\"cat\",[2,1000],1,1000],$n],[[\"head\",[1,500],null,null],$n],[[\"python\",[],3,21],$n]]" "$f: each process's reads and writes"
		got=$(jq -c '[.files[] | select(.path | test("/(t[0-9]|in)[.]txt$"))
			| [(.path | split("/") | last), .processes, .reads, .bytes_read, .writes, .bytes_written]] | sort' $f)
		expect_eq "$got" "[[\"in.txt\",$((2 * n)),$((3 * n)),$((1500 * n)),0,0],[\"t0.txt\",$n,0,0,$n,$((7 * n))],[\"t1.txt\",$n,0,0,$n,$((7 * n))],[\"t2.txt\",$n,0,0,$n,$((7 * n))]]" "$f: files (processes, reads, writes)"
	done
	;;
*)
	echo "unknown case $CASE" >&2; exit 2 ;;
esac
[ "$FAILS" -eq 0 ] && echo "ok: $CASE"
exit $((FAILS > 0))
