#!/bin/bash
# The fallback without a SPANK plugin: the installed TaskProlog and Epilog
# (docs/DEPLOY.md) on a real Slurm of three nodes, one vigild each.  An MPICH
# job over the three nodes is counted exactly per step, ends in every vigild
# within 2 s of completion through the Epilog, and a node whose vigild is gone
# neither fails the job nor drains.
T=$(mktemp -d /tmp/vigil-slurm.XXXXXX)
. "$(dirname "$0")/cluster.sh"
MPICH=$PROGS/mpi_io.mpich
[ -x "$MPICH" ] || fail "the MPICH test program was not built (need mpicc.mpich)"
command -v jq >/dev/null || fail "jq not found"
expect() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }

cmake --install "$BUILD" --prefix "$T/prefix" >"$T/log/install.log" 2>&1 || fail "cmake --install failed"
S=$T/prefix/share/vigil/slurm
[ -x "$S/taskprolog.sh" ] && [ -x "$S/epilog.sh" ] || fail "taskprolog.sh and epilog.sh not installed in $S"
# three "nodes" on one host: each its own segment directory and vigild socket
cat >"$T/etc/taskprolog.sh" <<EOF
#!/bin/sh
echo "export VIGIL_DIR=$T/seg-\$SLURMD_NODENAME"
exec $S/taskprolog.sh
EOF
cat >"$T/etc/epilog.sh" <<EOF
#!/bin/sh
VIGIL_SOCKET=$T/vd-\$SLURMD_NODENAME.sock exec $S/epilog.sh
EOF
chmod 755 "$T/etc/taskprolog.sh" "$T/etc/epilog.sh"
EXTRA_CONF="TaskProlog=$T/etc/taskprolog.sh
Epilog=$T/etc/epilog.sh"

set -- $(free_ports 3)
VD_PORTS="$*"
i=1
for p in $VD_PORTS; do
	VIGILD_ARGS="--node-name n$i" start_vigild "n$i" "$p"
	i=$((i + 1))
done
start_slurm
cd "$T/work"

J=$(sbatch --parsable -N3 -n4 -o "$T/work/job.out" -e "$T/work/job.err" \
	--wrap "srun -N3 -n4 --mpi=pmi2 $MPICH $T/work; srun -N1 -n1 printenv LD_PRELOAD") || fail "sbatch failed"
wait_job "$J" 60
t_done=$(date +%s.%N)
expect "job $J output" "$(head -1 job.out)" "size=4 bytes=40960 nodes=3"
MPILIBS=$T/prefix/lib/libvigil-mpi.so   # the MPI shim, both collectors where there is none
[ -f "$MPILIBS" ] || MPILIBS=$T/prefix/lib/libvigil-mpi-openmpi.so:$T/prefix/lib/libvigil-mpi-mpich.so
expect "LD_PRELOAD of a task" "$(sed -n 2p job.out)" "$T/prefix/lib/libvigil.so:$MPILIBS"
all_ended() {
	local p
	for p in $VD_PORTS; do
		[ "$(curl -sf -m 2 "http://127.0.0.1:$p/api/v1/jobs/$J" | jq -r .state)" = ended ] || return 1
	done
}
for i in $(seq 1 40); do all_ended && break; sleep 0.05; done
all_ended || fail "job $J not ended in every vigild 2 s after completion (Epilog)"
echo "job $J ended in all vigilds $(awk -v a="$t_done" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s after it left the queue"
got=$(for p in $VD_PORTS; do curl -sf -m 2 "http://127.0.0.1:$p/api/v1/jobs/$J"; done |
	jq -s '[.[].steps[] | select(.step == "0") | .ops.posix.pwrite.bytes // 0] | add')
expect "step 0 pwrite bytes over the nodes" "$got" 40960

# a node without its vigild: the Epilog still exits 0, nothing drains
kill -TERM "$VD_PID_n3"
J2=$(sbatch --parsable -N3 -n3 -o /dev/null --wrap "srun true")
wait_job "$J2" 30
expect "job $J2 with a vigild gone" "$(scontrol show job "$J2" | grep -o 'JobState=[A-Z]*')" "JobState=COMPLETED"
nodes_idle || fail "a node is not idle after an Epilog without vigild: $(sinfo -N)"
echo "PASS: TaskProlog and Epilog"
