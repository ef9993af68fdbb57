# cluster.sh - a private Slurm for the tests, from Debian's packages: its own
# munged, slurmctld and NODES slurmd "nodes" (n1..nN) on loopback ports, one
# vigild per node, all state under $T; everything started is stopped by PID
# at exit, also on failure (research/slurm.md has the why of each setting).
# Sourced; needs T (an empty directory), BUILD (the build tree).
set -eu
for b in munged mungekey slurmctld slurmd srun sbatch squeue sinfo scontrol scancel; do
	command -v "$b" >/dev/null 2>&1 || { echo "FAIL: $b not found: run scripts/install-deps.sh test" >&2; exit 1; }
done
NODES=${NODES:-3}
PIDS=""              # every daemon we started; stopped by stop_all
mkdir -p "$T"/etc/plugstack.d "$T"/munge "$T"/ctld "$T"/log "$T"/run "$T"/work
chmod 755 "$T" "$T/munge" "$T/work"   # munged wants every directory above its socket o+x
export SLURM_CONF=$T/etc/slurm.conf

fail() {
	echo "FAIL: $*" >&2
	for f in "$T"/log/*; do [ -s "$f" ] && { echo "--- $f" >&2; tail -15 "$f" >&2; }; done
	exit 1
}

stop_all() {
	local p i
	if [ -n "${CTLD_PID:-}" ] && kill -0 "$CTLD_PID" 2>/dev/null; then
		timeout 5 scancel --full $(squeue -h -o %i 2>/dev/null) 2>/dev/null || true
	fi
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do
		for i in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap stop_all EXIT
trap 'exit 1' INT TERM

# free_ports N: N free TCP ports on 127.0.0.1, space-separated
free_ports() {
	python3 -c 'import socket,sys
ss=[socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1",0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}

# A base port with 200 free ports above it (slurmctld, slurmd, srun's range).
pick_portbase() {
	python3 -c 'import socket,random
for _ in range(50):
    b=random.randrange(20000,60000-200)
    try:
        for p in (b,b+1,b+2,b+3,b+4,b+5,b+100,b+150,b+199):
            s=socket.socket(); s.bind(("127.0.0.1",p)); s.close()
        print(b); break
    except OSError: pass'
}

start_munge() {
	local i
	mungekey --create --keyfile="$T/munge/munge.key" --force >/dev/null
	chmod 600 "$T/munge/munge.key"
	munged -F --key-file="$T/munge/munge.key" --socket="$T/munge/munge.sock" \
		--pid-file="$T/munge/munged.pid" --seed-file="$T/munge/munged.seed" \
		>"$T/log/munged.log" 2>&1 </dev/null &
	PIDS="$PIDS $!"
	for i in $(seq 1 100); do [ -S "$T/munge/munge.sock" ] && return 0; sleep 0.05; done
	fail "munged did not start"
}

write_slurm_conf() {
	local pb=$1 topo mem i
	topo=$(slurmd -C | head -1 | grep -oE 'CPUs=[0-9]+ Boards=[0-9]+ SocketsPerBoard=[0-9]+ CoresPerSocket=[0-9]+ ThreadsPerCore=[0-9]+')
	mem=$(( ($(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 - 512) / NODES ))
	cat >"$SLURM_CONF" <<EOF
ClusterName=vigiltest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.sock
SlurmctldPort=$pb
SrunPortRange=$((pb + 100))-$((pb + 199))
StateSaveLocation=$T/ctld
SlurmdSpoolDir=$T/spool-%n
SlurmctldPidFile=$T/run/slurmctld.pid
SlurmdPidFile=$T/run/slurmd-%n.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd-%n.log
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
PlugStackConfig=$T/etc/plugstack.conf
TmpFS=$T/tmp-%n
InactiveLimit=0
MinJobAge=300
KillWait=2
MailProg=/bin/true
${EXTRA_CONF:-}
EOF
	for i in $(seq 1 "$NODES"); do
		mkdir -p "$T/spool-n$i" "$T/tmp-n$i"
		echo "NodeName=n$i NodeHostname=$(hostname -s) NodeAddr=127.0.0.1 Port=$((pb + i)) $topo RealMemory=$mem State=UNKNOWN" >>"$SLURM_CONF"
	done
	echo "PartitionName=debug Nodes=n[1-$NODES] Default=YES MaxTime=INFINITE State=UP" >>"$SLURM_CONF"
	echo "include $T/etc/plugstack.d/*.conf" >"$T/etc/plugstack.conf"
	# slurmd 22.05 always initialises a cgroup plugin, even with proctrack/linuxproc and
	# task/none, and fails where /sys/fs/cgroup is no mount (a container, a chroot). None
	# of the plugins used here makes a cgroup: give it an empty private hierarchy.
	mkdir -p "$T/cgroup"
	printf 'CgroupPlugin=cgroup/v1\nCgroupMountpoint=%s\nCgroupAutomount=no\n' "$T/cgroup" >"$T/etc/cgroup.conf"
}

# start_slurm: plugstack.d must be written first (slurmd decides at start
# whether a plugin has a job epilog).
start_slurm() {
	local pb i
	pb=$(pick_portbase)
	[ -n "$pb" ] || fail "no free ports"
	start_munge
	write_slurm_conf "$pb"
	setsid slurmctld -D -i -f "$SLURM_CONF" >"$T/log/slurmctld.out" 2>&1 </dev/null &
	CTLD_PID=$!
	PIDS="$PIDS $CTLD_PID"
	for i in $(seq 1 "$NODES"); do
		setsid slurmd -D -N "n$i" -f "$SLURM_CONF" >"$T/log/slurmd-n$i.out" 2>&1 </dev/null &
		PIDS="$PIDS $!"
	done
	for i in $(seq 1 200); do
		[ "$(sinfo -h -o %T 2>/dev/null | sort -u | tr '\n' ' ')" = "idle " ] && return 0
		sleep 0.1
	done
	fail "slurm did not become idle: $(sinfo -N 2>&1 | tr '\n' ';')"
}

# start_vigild NODE PORT: vigild for node NODE with its own directories; the
# job ends only by job-end (a long linger) so the tests see where the end came from.
start_vigild() {
	local n=$1 port=$2 i
	mkdir -p -m 700 "$T/seg-$n"
	"$BUILD/bin/vigild" --listen "127.0.0.1:$port" --dir "$T/seg-$n" --state-dir "$T/state-$n" \
		--profile-dir "$T/prof-$n" --socket "$T/vd-$n.sock" --interval 0.05 \
		--job-linger "${LINGER:-60}" ${VIGILD_ARGS:-} >>"$T/log/vigild-$n.log" 2>&1 </dev/null &
	eval "VD_PID_$n=$!"
	PIDS="$PIDS $!"
	for i in $(seq 1 100); do
		curl -sf -m 2 "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	fail "vigild for $n did not start"
}

# wait_job ID [SECONDS]: until the job has left the queue
wait_job() {
	local i
	for i in $(seq 1 $((${2:-30} * 10))); do
		[ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	fail "job $1 still queued: $(squeue 2>&1 | tr '\n' ';')"
}

# nodes_idle: every node idle again within 5 s (a job may still be completing), none drained or down
nodes_idle() {
	local i
	for i in $(seq 1 50); do
		sinfo -h -o %T | grep -qiE 'drain|down|fail' && return 1
		[ "$(sinfo -h -o %T | sort -u | tr '\n' ' ')" = "idle " ] && return 0
		sleep 0.1
	done
	return 1
}
