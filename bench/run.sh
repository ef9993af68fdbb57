#!/bin/sh
# Run every benchmark (figures go to README.md by hand, with the command that made them).
# usage: bench/run.sh [BUILD_DIR]
build=$(cd "${1:-build}" && pwd)
here=$(dirname "$0")
for b in collector mpi daemon web report vigilrun; do
	[ -x "$here/$b/run.sh" ] || continue
	echo "== bench/$b"
	"$here/$b/run.sh" "$build" || echo "bench/$b failed (exit $?)"
done
