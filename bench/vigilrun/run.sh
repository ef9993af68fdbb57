#!/bin/sh
# Cost of `vigil run` (issue 8, "Cost per process and per vigil run"), alternating plain and
# measured runs in one go, medians of ROUNDS:
#   fixed    `vigil run -q -- /bin/true` minus `/bin/true` (ms)
#   perproc  a 200-process shell loop under `vigil run` minus the plain loop, per process (ms)
#   preload  the same loop with libvigil.so preloaded alone, per process (ms)
#   mpi      the loop with libvigil.so + the MPI shim libvigil-mpi.so (what vigil run preloads)
#            minus libvigil.so alone, per process (ms)
#   mpipair  the same with both MPI collectors instead of the shim (the old preload), per process (ms)
#   shm      /dev/shm the run's segment directory holds after 200 ended processes, per process (KiB)
# usage: bench/vigilrun/run.sh [BUILD_DIR] [ROUNDS]
build=$(cd "${1:-build}" && pwd)
rounds=${2:-7}
vigil=$build/bin/vigil
lib=$build/lib/libvigil.so
pair="$build/lib/libvigil-mpi-openmpi.so:$build/lib/libvigil-mpi-mpich.so"
shim="$build/lib/libvigil-mpi.so"
[ -f "$shim" ] || shim=$pair
[ -x "$vigil" ] && [ -f "$lib" ] || { echo "build $build first"; exit 1; }
export VIGIL_DIR=$(mktemp -d /dev/shm/vigil-bench.XXXXXX)
work=$(mktemp -d)
trap 'rm -rf "$VIGIL_DIR" "$work"' EXIT
cd "$work" || exit 1
cat > loop.sh <<'EOS'
i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i + 1)); done
EOS
cat > loopshm.sh <<'EOS'
i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i + 1)); done
sleep 0.3; du -sk "$VIGIL_DIR" | cut -f1 > shm.txt
EOS
ns() { t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N); echo $((t1 - t0)); }
med() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m}'; }
out=$(mktemp)
r=0
while [ $r -lt "$rounds" ]; do
	# fixed cost: 20 runs per sample, each side
	a=0; b=0; k=0
	while [ $k -lt 20 ]; do
		a=$((a + $(ns /bin/true)))
		b=$((b + $(ns "$vigil" run -q --profile "$work/p$r-$k.json" -- /bin/true)))
		k=$((k + 1))
	done
	echo "fixed $(( (b - a) / 20 ))" >> "$out"
	plain=$(ns sh loop.sh)
	run=$(ns "$vigil" run -q --profile "$work/l$r.json" -- sh loop.sh)
	pre=$(LD_PRELOAD=$lib ns sh loop.sh)
	withshim=$(LD_PRELOAD=$lib:$shim ns sh loop.sh)
	withpair=$(LD_PRELOAD=$lib:$pair ns sh loop.sh)
	rm -f "$VIGIL_DIR"/*.seg
	echo "perproc $(( (run - plain) / 200 ))" >> "$out"
	echo "preload $(( (pre - plain) / 200 ))" >> "$out"
	echo "mpi $(( (withshim - pre) / 200 ))" >> "$out"
	echo "mpipair $(( (withpair - pre) / 200 ))" >> "$out"
	"$vigil" run -q --profile "$work/s$r.json" -- sh loopshm.sh
	echo "shmkib $(cat shm.txt)" >> "$out"
	rm -f "$work"/*.json
	r=$((r + 1))
done
for k in fixed perproc preload mpi mpipair; do
	printf '%-8s %s ms\n' $k "$(awk -v k=$k '$1 == k {print $2 / 1e6}' "$out" | med)"
done
printf '%-8s %s KiB per ended process\n' shm "$(awk '$1 == "shmkib" {print $2 / 200}' "$out" | med)"
rm -f "$out"
