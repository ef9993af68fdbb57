# preload.sh - helpers for the collector's tests (sourced by tests/preload/*.sh).
# usage in a test:  . "$LIB/preload.sh"; setup "$@"; vrun p.json ./prog; expect p.json '.jq' value
# setup args: VIGIL_BIN PROG_DIR.  Each test gets its own VIGIL_DIR and work dir (ctest -j safe).
set -u

fail() { echo "FAIL: $*" >&2; exit 1; }

setup() {
	VIGIL=$1
	PROGS=$2
	[ -x "$VIGIL" ] || fail "no vigil binary at $VIGIL"
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-test.XXXXXX") || fail "mktemp"
	VIGIL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vigil-seg.XXXXXX") || fail "mktemp"
	chmod 700 "$VIGIL_DIR"
	export VIGIL_DIR
	unset VIGIL_JOB_ID SLURM_JOB_ID PBS_JOBID LSB_JOBID FLUX_JOB_ID VIGIL_DISABLE VIGIL_DEBUG
	trap 'rm -rf "$WORK" "$VIGIL_DIR"' EXIT
	cd "$WORK" || fail "cd"
}

# vrun PROFILE CMD...: run CMD under `vigil run`, its exit status in $RC
vrun() {
	prof=$1
	shift
	rm -f "$prof"
	"$VIGIL" run -q --profile "$prof" -- "$@"
	RC=$?
	[ -f "$prof" ] || fail "no profile $prof written (vigil run exit $RC)"
}

# expect PROFILE JQ-EXPR VALUE
expect() {
	got=$(jq -r "$2" "$1") || fail "jq error on '$2'"
	[ "$got" = "$3" ] || fail "$2: expected $3, got $got"
}

# expect_op PROFILE LAYER OP CALLS ERRORS BYTES
expect_op() {
	got=$(jq -r --arg l "$2" --arg o "$3" \
		'(.totals[$l][$o] // {calls:0,errors:0,bytes:0}) | "\(.calls) \(.errors) \(.bytes)"' "$1")
	[ "$got" = "$4 $5 $6" ] || fail "$2.$3 calls/errors/bytes: expected $4 $5 $6, got $got"
}

# expect_file PROFILE PATH LAYER JQ-FIELD VALUE
expect_file() {
	got=$(jq -r --arg p "$2" --arg l "$3" \
		"[.files[] | select(.path == \$p and .layer == \$l) | .$4] | add // 0" "$1")
	[ "$got" = "$5" ] || fail "file $2 ($3) $4: expected $5, got $got"
}
