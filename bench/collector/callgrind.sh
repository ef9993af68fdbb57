#!/bin/sh
# Instructions added per call by libvigil.so, counted by callgrind (repeatable on a noisy VM).
# Each op runs N and 2N times, with and without the collector; (Ir(2N) - Ir(N)) / N cancels
# start-up, so "added" is the wrapper + counting cost of one call.
# usage: bench/collector/callgrind.sh [BUILD_DIR] [LIBVIGIL]   (LIBVIGIL: default BUILD_DIR's)
build=$(cd "${1:-build}" && pwd)
lib=${2:-$build/lib/libvigil.so}
bin=$build/bench/bench_collector
command -v valgrind >/dev/null || { echo "valgrind not found"; exit 1; }
export VIGIL_DIR=$(mktemp -d /dev/shm/vigil-cg.XXXXXX)
tmp=$(mktemp -d)
trap 'rm -rf "$VIGIL_DIR" "$tmp"' EXIT
ir() { # PRELOAD N
	if [ -n "$1" ]; then
		LD_PRELOAD=$1 valgrind --tool=callgrind --callgrind-out-file="$tmp/o" "$bin" "$op" "$2" >/dev/null 2>&1
	else
		valgrind --tool=callgrind --callgrind-out-file="$tmp/o" "$bin" "$op" "$2" >/dev/null 2>&1
	fi
	awk '/^summary:/ {print $2}' "$tmp/o"
	rm -f "$tmp/o" "$VIGIL_DIR"/*.seg
}
echo "| operation | Ir/call without | Ir/call with | added |"
echo "|---|---|---|---|"
for op in write pread fwrite stat openclose; do
	case $op in openclose) n=5000 ;; *) n=20000 ;; esac
	a1=$(ir "" $n); a2=$(ir "" $((2 * n)))
	b1=$(ir "$lib" $n); b2=$(ir "$lib" $((2 * n)))
	echo "| $op | $(( (a2 - a1) / n )) | $(( (b2 - b1) / n )) | $(( (b2 - b1 - a2 + a1) / n )) |"
done
