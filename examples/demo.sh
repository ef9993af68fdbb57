#!/bin/bash
# demo.sh BUILD_DIR - run the bundled workload under `vigil run`, show the
# summary, where the profile went, and (when `vigil report` works) its report.
set -euo pipefail
BUILD=${1:-build}
BUILD=$(cd "$BUILD" && pwd)
VIGIL=$BUILD/bin/vigil
DEMO=$BUILD/bin/demo_io
for f in "$VIGIL" "$DEMO"; do
	[ -x "$f" ] || { echo "demo: $f is missing; run 'make' first." >&2; exit 1; }
done

OUT=$BUILD/demo
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-demo-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
PROFILE=$OUT/vigil-demo-$(date +%Y%m%d-%H%M%S).json

echo "== vigil run -- demo_io   (a small job: tiny writes, big reads, a metadata storm, stdio, a child)"
echo
"$VIGIL" run --profile "$PROFILE" -- "$DEMO" "$WORK"
echo
echo "== The profile (JSON, docs/PROFILE.md) is in $PROFILE"
if "$VIGIL" report "$PROFILE" > "$WORK/report.txt" 2> "$WORK/report.err"; then
	echo "== vigil report $PROFILE"
	echo
	cat "$WORK/report.txt"
	if "$VIGIL" report "$PROFILE" -o "$OUT/report.html" > /dev/null 2>&1; then
		echo
		echo "== HTML report with plots: $OUT/report.html"
	fi
else
	echo "(vigil report is not available yet: $(head -n1 "$WORK/report.err"))"
fi
