#!/bin/bash
# The SPANK plugin on a real Slurm: three slurmd "nodes", one vigild each, the
# plugin and vigil.conf as `make install` puts them (docs/DEPLOY.md), and one
# Prometheus scraping the three vigilds.  Checks, with exact counts:
#  - an sbatch job of three steps (serial; OpenMPI --mpi=pmix and MPICH
#    --mpi=pmi2, 4 ranks over 3 nodes): jobid = the Slurm job id, each step's
#    calls and bytes, the job's end in every vigild within 2 s of completion;
#  - LD_PRELOAD appended to the user's, removed by --vigil=off, sbatch
#    --vigil=off reaching its steps, default=off plus --vigil;
#  - scancel ends the job in vigild too;
#  - a missing vigild, collector or a wrong argument: jobs run, no node
#    drains, one clear log line;
#  - Prometheus: the job's pwrite bytes summed over the nodes equal the
#    program's and the MPI-reduced profiles'.
T=$(mktemp -d /tmp/vigil-slurm.XXXXXX)
LINGER=8   # vigild's own end of a job: far beyond the 2 s the plugin's job end must take
. "$(dirname "$0")/cluster.sh"
t_start=$(date +%s.%N)
OMPI=$PROGS/mpi_io.openmpi
MPICH=$PROGS/mpi_io.mpich
[ -x "$OMPI" ] && [ -x "$MPICH" ] || fail "the MPI test programs were not built (need mpicc.openmpi and mpicc.mpich)"
command -v jq >/dev/null || fail "jq not found"

# ---- install as a site would, and the plugstack line it ships ----
cmake --install "$BUILD" --prefix "$T/prefix" >"$T/log/install.log" 2>&1 || fail "cmake --install failed"
PLUGIN=$T/prefix/lib/vigil/spank_vigil.so
CONF=$T/prefix/share/vigil/slurm/vigil.conf
[ -f "$PLUGIN" ] || fail "no $PLUGIN: the plugin was not built (libslurm-dev missing?)"
LINE=$(grep -v '^#' "$CONF")
[ "$LINE" = "optional $PLUGIN default=on" ] || fail "vigil.conf says '$LINE'"
LIBVIGIL=$T/prefix/lib/libvigil.so
# per-node segment directory and vigild socket: three "nodes" share this host
NODEARGS="dir=$T/seg-%n socket=$T/vd-%n.sock"
expect() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
plugstack() { echo "$LINE $NODEARGS $*" >"$T/etc/plugstack.d/vigil.conf"; }
plugstack

# ---- vigild per node, Prometheus, Slurm ----
set -- $(free_ports 4)
VD_PORTS="$1 $2 $3"
PROM_PORT=$4
i=1
for p in $VD_PORTS; do
	VIGILD_ARGS="--node-name n$i --prometheus http://127.0.0.1:$PROM_PORT" start_vigild "n$i" "$p"
	i=$((i + 1))
done
# Prometheus as packaging/prometheus ships it, scraping each second, targets from vigil
mkdir -p "$T/prom"
i=1
for p in $VD_PORTS; do set -- "$@" "n$i=127.0.0.1:$p"; i=$((i + 1)); done
"$T/prefix/bin/vigil" prometheus-targets -o "$T/prom/vigil-targets.json" "$@" || fail "vigil prometheus-targets failed"
sed 's/_interval: 10s/_interval: 1s/' "$T/prefix/share/vigil/prometheus/prometheus.yml" >"$T/prom/prometheus.yml"
cp "$T/prefix/share/vigil/prometheus/vigil-rules.yml" "$T/prom/"
promtool check config "$T/prom/prometheus.yml" >"$T/log/promtool.log" 2>&1 || fail "promtool check config"
promtool check rules "$T/prom/vigil-rules.yml" >>"$T/log/promtool.log" 2>&1 || fail "promtool check rules"
prometheus --config.file="$T/prom/prometheus.yml" --storage.tsdb.path="$T/prom/data" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$T/log/prometheus.log" 2>&1 </dev/null &
PIDS="$PIDS $!"
start_slurm
# the targets from Slurm's own node list
got=$("$T/prefix/bin/vigil" prometheus-targets --port 9787 | jq -r '[.[] | .labels.node + "=" + .targets[0]] | join(" ")')
expect "prometheus-targets from scontrol" "$got" "n1=127.0.0.1:9787 n2=127.0.0.1:9787 n3=127.0.0.1:9787"
echo "cluster up in $(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
cd "$T/work"
export OMPI_MCA_btl=self,tcp OMPI_MCA_pml=ob1   # no shared memory between "nodes" of one host
export TIMEFORMAT=%R

vd_port() { echo "$VD_PORTS" | cut -d' ' -f"${1#n}"; }
# job_state NODE JOB: the job's state in that node's vigild ("" when unknown)
job_state() { curl -sf -m 2 "http://127.0.0.1:$(vd_port "$1")/api/v1/jobs/$2" 2>/dev/null | jq -r '.state // empty'; }
# all_ended JOB: every node's vigild has ended the job
all_ended() { for n in n1 n2 n3; do [ "$(job_state $n "$1")" = ended ] || return 1; done; }
# poll SECONDS CMD...: until CMD succeeds
poll() {
	local i t=$1
	shift
	for i in $(seq 1 $((t * 20))); do "$@" && return 0; sleep 0.05; done
	return 1
}
# proc_sum JOB EXE LAYER OP FIELD: FIELD of LAYER/OP summed over the job's processes running EXE, all node profiles
proc_sum() {
	cat "$T"/prof-n*/vigil-"$1"*.json 2>/dev/null | jq -s --arg exe "$2" --arg l "$3" --arg op "$4" --arg f "$5" \
		'[.[].processes[] | select(.exe | endswith("/" + $exe)) | .totals[$l][$op][$f] // 0] | add // 0'
}
# step_sum JOB STEP LAYER OP FIELD: the step's totals summed over the node profiles (`steps`)
step_sum() {
	cat "$T"/prof-n*/vigil-"$1"*.json 2>/dev/null | jq -s --arg s "$2" --arg l "$3" --arg op "$4" --arg f "$5" \
		'[.[].steps[] | select(.step == $s) | .totals[$l][$op][$f] // 0] | add // 0'
}
# api_step_sum JOB STEP LAYER OP FIELD: the same from the three vigilds' API (GET /api/v1/jobs/ID)
api_step_sum() {
	local p
	for p in $VD_PORTS; do curl -sf -m 2 "http://127.0.0.1:$p/api/v1/jobs/$1"; done |
		jq -s --arg s "$2" --arg l "$3" --arg op "$4" --arg f "$5" \
		'[.[].steps[] | select(.step == $s) | .ops[$l][$op][$f] // 0] | add // 0'
}
# metric_sum JOB LAYER OP: vigil_io_bytes_total of the job summed over the three vigilds
metric_sum() {
	local p s=0 v
	for p in $VD_PORTS; do
		v=$(curl -sf -m 2 "http://127.0.0.1:$p/metrics" |
			awk -v k="vigil_io_bytes_total{jobid=\"$1\",user=\"root\",layer=\"$2\",op=\"$3\"}" 'index($0, k " ") == 1 { print $NF }')
		s=$((s + ${v:-0}))
	done
	echo $s
}

# ---- A. one batch job, three steps over the three nodes ----
cat >job.sh <<EOF
#!/bin/sh
srun -N1 -n1 $SERIAL $T/work/serial.dat
srun -N3 -n4 --mpi=pmix $OMPI $T/work
srun -N3 -n4 --mpi=pmi2 $MPICH $T/work
EOF
J=$(sbatch --parsable -N3 -n4 -o "$T/work/job.out" -e "$T/work/job.err" job.sh) || fail "sbatch failed"
wait_job "$J" 60
t_done=$(date +%s.%N)
expect "job $J output" "$(cat job.out)" "size=4 bytes=40960 nodes=3
size=4 bytes=40960 nodes=3"
# the end came from the plugin's job epilog (vigild's own linger is 8 s)
poll 2 all_ended "$J" || fail "job $J not ended in every vigild 2 s after completion: $(for n in n1 n2 n3; do echo -n "$n=$(job_state $n "$J") "; done)"
echo "job $J ended in all vigilds $(awk -v a="$t_done" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s after it left the queue"
for n in n1 n2 n3; do
	ls "$T/prof-$n"/vigil-"$J"*-"$n".json >/dev/null 2>&1 || fail "no profile of job $J from $n: $(ls "$T/prof-$n")"
done
# step 0: the serial program's exact I/O, in the profiles' and the API's steps
for src in step_sum api_step_sum; do
	expect "$src: step 0 write calls" "$($src "$J" 0 posix write calls)" 3
	expect "$src: step 0 write bytes" "$($src "$J" 0 posix write bytes)" 3000
	expect "$src: step 0 read calls" "$($src "$J" 0 posix read calls)" 3
	expect "$src: step 0 read bytes" "$($src "$J" 0 posix read bytes)" 3000
	expect "$src: step 0 pwrite calls" "$($src "$J" 0 posix pwrite calls)" 0
	# steps 1 and 2 (OpenMPI, MPICH): rank r pwrites r+1 blocks of 4096 bytes
	for s in 1 2; do
		expect "$src: step $s pwrite calls" "$($src "$J" $s posix pwrite calls)" 10
		expect "$src: step $s pwrite bytes" "$($src "$J" $s posix pwrite bytes)" 40960
	done
done
for impl in openmpi mpich; do
	expect "$impl pwrite bytes of its processes" "$(proc_sum "$J" mpi_io.$impl posix pwrite bytes)" 40960
	ranks=$(cat "$T"/prof-n*/vigil-"$J"*.json | jq -s --arg e "mpi_io.$impl" \
		'[.[].processes[] | select(.exe | endswith("/" + $e)) | "\(.host):\(.rank)"] | sort | join(" ")')
	expect "$impl ranks and nodes" "$ranks" '"n1:0 n1:1 n2:2 n3:3"'
done
# the MPI-reduced profiles (rank 0 writes ./vigil-<job>.<step>.json at MPI_Finalize)
for s in 1 2; do
	f=vigil-$J.$s.json
	[ -f "$f" ] || fail "no MPI-reduced profile $f: $(ls)"
	expect "$f job id" "$(jq -r '.job.id' "$f")" "$J"
	expect "$f pwrite bytes" "$(jq '.totals.posix.pwrite.bytes' "$f")" 40960
	expect "$f pwrite calls" "$(jq '.totals.posix.pwrite.calls' "$f")" 10
done
# /metrics carries the Slurm job id, exact over the nodes
expect "metrics pwrite bytes of job $J" "$(metric_sum "$J" posix pwrite)" 81920
echo "A: batch job $J: steps exact in profiles and metrics"

# ---- F. the job whole in Prometheus: one query over the three nodes ----
# promql QUERY: the single value of an instant query ("" when no series)
promql() {
	curl -sf -m 5 -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result | if length == 1 then .[0].value[1] else "" end'
}
prom_is() { [ "$(promql "$1")" = "$2" ]; }
Q="sum by (jobid) (vigil_io_bytes_total{layer=\"posix\",op=\"pwrite\",jobid=\"$J\"})"
poll 30 prom_is "$Q" 81920 || fail "Prometheus: $Q = '$(promql "$Q")', want 81920 (the program's pwrite bytes, both MPI steps)"
expect "nodes of job $J in Prometheus" "$(promql "count(count by (node) (vigil_job_info{jobid=\"$J\"}))")" 3
Q="sum by (jobid) (vigil_io_bytes_total{layer=\"posix\",op=\"write\",jobid=\"$J\"})"
expect "Prometheus $Q = the vigilds' sum" "$(promql "$Q")" "$(metric_sum "$J" posix write)"
echo "F: Prometheus sums job $J over the nodes exactly"

# ---- G. the cluster-wide live view: vigild --prometheus and vigil top --prometheus ----
local_calls=$(for p in $VD_PORTS; do curl -sf -m 2 "http://127.0.0.1:$p/api/v1/jobs/$J"; done |
	jq -s '[.[].ops.posix[].calls] | add')
cluster() { curl -sf -m 5 "http://127.0.0.1:$(vd_port n2)/api/v1/jobs/$J/cluster"; }
cluster_calls_are() { [ "$(cluster | jq .io_operations)" = "$1" ]; }
# the job's counts are final; Prometheus has them at its next scrape
poll 5 cluster_calls_are "$local_calls" ||
	fail "cluster view: POSIX operations '$(cluster | jq .io_operations)', the three vigilds' sum $local_calls"
expect "cluster view: nodes, running, processes" "$(cluster | jq -c '[.source, .nodes, .nodes_running, .processes_running]')" '["prometheus",3,0,0]'
got=$("$BUILD/bin/vigil" top --once --prometheus "http://127.0.0.1:$PROM_PORT" | awk -v j="$J" '$1 == j')
echo "$got" | grep -qE "^$J +root +ended .* 3 nodes\$" || fail "vigil top --prometheus: job $J is '$got'"
# the dashboard's job page shows it (and the job's steps on this node)
dom=$(timeout 60 chromium --headless=new --no-sandbox --disable-gpu --log-level=3 --virtual-time-budget=5000 \
	--user-data-dir="$T/chromium" --dump-dom "http://127.0.0.1:$(vd_port n1)/?job=$J&user=root" 2>/dev/null)
echo "$dom" | grep -q '<div id="j-cluster">' || fail "dashboard: the cluster panel is not shown"
echo "$dom" | grep -q '<th>nodes</th><td>3 (0 running)</td>' || fail "dashboard: the cluster panel lacks 3 nodes"
echo "$dom" | grep -q '<div id="j-steps-d">' || fail "dashboard: the steps of job $J are not shown"
echo "G: cluster view from Prometheus in vigild's API, the dashboard and vigil top"

# ---- B. LD_PRELOAD appended, --vigil=off strips, sbatch --vigil=off reaches the steps ----
LIBM=$(ls /lib/x86_64-linux-gnu/libm.so.6 2>/dev/null || ls /usr/lib64/libm.so.6)
got=$(LD_PRELOAD=$LIBM timeout 30 srun -N1 -n1 printenv LD_PRELOAD) || fail "srun printenv failed"
# the MPI entry: the shim (docs/MPI-COUNTING.md), both collectors where there is none
MPILIBS=$T/prefix/lib/libvigil-mpi.so
[ -f "$MPILIBS" ] || MPILIBS=$T/prefix/lib/libvigil-mpi-openmpi.so:$T/prefix/lib/libvigil-mpi-mpich.so
expect "LD_PRELOAD in a task" "$got" "$LIBM:$LIBVIGIL:$MPILIBS"
long=$LIBM
while [ ${#long} -le 4200 ]; do long="$long:$LIBM"; done
got=$(LD_PRELOAD=$long timeout 30 srun -N1 -n1 printenv LD_PRELOAD 2>/dev/null)
expect "a user LD_PRELOAD too long to edit is left as it is" "$got" "$long"
got=$(LD_PRELOAD="$LIBM:$LIBVIGIL:$MPILIBS" timeout 30 srun --vigil=off -N1 -n1 printenv LD_PRELOAD)
expect "--vigil=off with an inherited collector" "$got" "$LIBM"
J2=$(sbatch --parsable --vigil=off -N1 -n1 -o "$T/work/off.out" --wrap "srun $SERIAL $T/work/off.dat; srun printenv LD_PRELOAD 2>/dev/null || echo none")
wait_job "$J2" 30
expect "sbatch --vigil=off: LD_PRELOAD of its step" "$(cat off.out)" none
sleep 0.3
for n in n1 n2 n3; do
	[ -z "$(job_state $n "$J2")" ] || fail "sbatch --vigil=off: vigild on $n knows job $J2"
	ls "$T/prof-$n" | grep -q "^vigil-$J2[.-]" && fail "sbatch --vigil=off: a profile of job $J2 on $n"
done
echo "B: LD_PRELOAD appended; --vigil=off and sbatch --vigil=off leave no segment"

# ---- C. default=off: only --vigil turns it on ----
plugstack default=off
expect "default=off" "$(timeout 30 srun -N1 -n1 sh -c 'echo "[$LD_PRELOAD]"')" "[]"
got=$(timeout 30 srun --vigil -N1 -n1 printenv LD_PRELOAD)
case "$got" in "$LIBVIGIL"*) ;; *) fail "default=off plus --vigil: LD_PRELOAD '$got'" ;; esac
plugstack
echo "C: default=off plus --vigil"

# ---- D. scancel ends the job in vigild ----
J3=$(sbatch --parsable -N1 -n1 -o /dev/null --wrap "srun sh -c '$SERIAL $T/work/c.dat; exec sleep 60'")
poll 10 sh -c "[ -n \"\$(curl -sf http://127.0.0.1:$(vd_port n1)/api/v1/jobs/$J3)\" ]" || fail "vigild never saw job $J3"
scancel "$J3"
wait_job "$J3" 15
poll 2 sh -c "[ \"\$(curl -sf http://127.0.0.1:$(vd_port n1)/api/v1/jobs/$J3 | jq -r .state)\" = ended ]" ||
	fail "scancel: job $J3 not ended in vigild"
echo "D: scancel ends the job in vigild"

# ---- E. what must never break a job: the plugin says why, once ----
# log_count PATTERN: lines in all slurmd logs
log_count() { cat "$T"/log/slurmd-n*.log | grep -cF -- "$1" || true; }
plugstack "socket=$T/absent-%n.sock"
J4=$(sbatch --parsable -N3 -n3 -o "$T/work/e.out" --wrap "srun $SERIAL $T/work/e.dat")
wait_job "$J4" 15
expect "job $J4 state with vigild absent" "$(scontrol show job "$J4" | grep -o 'JobState=[A-Z]*')" "JobState=COMPLETED"
nodes_idle || fail "a node is not idle after a job with vigild absent: $(sinfo -N)"
for n in n1 n2 n3; do
	expect "log line for the absent vigild of $n" \
		"$(log_count "vigil: job $J4 ended but vigild is not reachable at $T/absent-$n.sock")" 1
done
# no job end reached vigild: it ends the job by itself after --job-linger
poll 15 all_ended "$J4" || fail "job $J4 whose job end never came: not ended by vigild's linger"
plugstack "lib=$T/prefix/lib/missing.so"
timeout 30 srun -N1 -n1 "$SERIAL" "$T/work/m.dat" || fail "a job with a missing collector failed"
expect "log line for the missing collector" "$(log_count "vigil: collector $T/prefix/lib/missing.so not found")" 1
plugstack "bogus=1"
timeout 30 srun -N1 -n1 "$SERIAL" "$T/work/b.dat" || fail "a job with a wrong plugstack argument failed"
expect "log line for a wrong argument" "$(log_count "argument 'bogus=1' not understood")" 1
plugstack
nodes_idle || fail "a node is not idle: $(sinfo -N)"
echo "E: absent vigild (the job still ends by vigild's linger), missing collector, wrong argument: jobs run, nodes idle, one line each"

echo "PASS: slurm cluster test in $(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
