# lib.sh - helpers of the fidelity suite (sourced by tests/fidelity/*.sh), on top of
# tests/lib/preload.sh (setup, vrun, expect, expect_op, expect_file).
#
# A case runs the same command twice from identical copies of one input tree:
#   $WORK/a  plainly, and
#   $WORK/b  under `strace -f -y -- vigil run --profile $WORK/p.json --`,
# then checks transparency (stdout, stderr, exit status and the checksum of every file
# identical) and the oracle (tests/fidelity/oracle.py: strace's bytes per file under
# $WORK/b == vigil's, exactly).  A missing oracle tool fails the test.
. "$FID_LIB/../lib/preload.sh"

STRACE_CALLS=read,write,pread64,pwrite64,readv,writev,preadv,pwritev,preadv2,pwritev2,copy_file_range,sendfile,splice

# need TOOL...: every tool is installed (scripts/install-deps.sh test), else fail
need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || fail "$t is not installed (scripts/install-deps.sh test installs it)"
	done
}

fid_setup() {
	setup "$1" "$2"
	WORK=$(pwd -P)
	mkdir tpl || fail "mkdir"
	need strace jq python3
	# fixed dates and identities: runs can be compared byte for byte
	export GIT_AUTHOR_DATE="2020-01-01T00:00:00Z" GIT_COMMITTER_DATE="2020-01-01T00:00:00Z"
	export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
	export GIT_CONFIG_NOSYSTEM=1 HOME="$WORK/home" LC_ALL=C TZ=UTC
	mkdir -p "$HOME"
}

# inputs in tpl/: a text file, a binary file and a small source tree
fid_inputs() {
	python3 - "$WORK/tpl" <<'PY' || fail "inputs"
import os, random, sys
d = sys.argv[1]
rnd = random.Random(8)
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
with open(os.path.join(d, "in.txt"), "w") as f:
    for i in range(3000):
        f.write(" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 12))) + "\t%d\n" % rnd.randint(0, 99999))
with open(os.path.join(d, "in.bin"), "wb") as f:
    f.write(bytes(rnd.getrandbits(8) for _ in range(100000)))
for sub in ("src", "src/lib", "doc"):
    os.makedirs(os.path.join(d, "tree", sub), exist_ok=True)
for i in range(40):
    sub = ("src", "src/lib", "doc")[i % 3]
    with open(os.path.join(d, "tree", sub, "f%02d.c" % i), "w") as f:
        f.write("/* file %d */\n" % i + "int v%d = %d;\n" % (i, i) * (i * 7 + 1))
PY
}

# checksums of every regular file under DIR, relative paths (minus those matching $FID_SKIP, a regex)
fid_sums() {
	(cd "$1" && find . -type f | LC_ALL=C sort | grep -Ev "${FID_SKIP:-^$}" | xargs -r sha256sum)
}

# fid_case SH-COMMAND: run it plainly in a/ and traced under vigil in b/; check both ways.
# FID_PARTIAL: a regex of files a stream reads only in part (oracle.py; each use says why)
fid_case() {
	rm -rf "$WORK/a" "$WORK/b" "$WORK/p.json" "$WORK/trace"
	cp -a "$WORK/tpl" "$WORK/a" && cp -a "$WORK/tpl" "$WORK/b" || fail "copy inputs"
	(cd "$WORK/a" && sh -c "$1") > "$WORK/a.out" 2> "$WORK/a.err"
	rca=$?
	# LeakSanitizer cannot run under ptrace (ASan build): leaks are checked by the other suites
	(cd "$WORK/b" && ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -y -qq -o "$WORK/trace" -e trace=$STRACE_CALLS -- \
		"$VIGIL" run -q --profile "$WORK/p.json" -- sh -c "$1") > "$WORK/b.out" 2> "$WORK/b.err"
	rcb=$?
	[ -f "$WORK/p.json" ] || fail "no profile written ($1)"
	[ "$rca" = "$rcb" ] || fail "exit status $rca plainly, $rcb under vigil: $1"
	cmp -s "$WORK/a.out" "$WORK/b.out" || fail "stdout differs under vigil: $1"
	cmp -s "$WORK/a.err" "$WORK/b.err" || { diff "$WORK/a.err" "$WORK/b.err" | head >&2; fail "stderr differs under vigil: $1"; }
	fid_sums "$WORK/a" > "$WORK/a.sums"
	fid_sums "$WORK/b" > "$WORK/b.sums"
	cmp -s "$WORK/a.sums" "$WORK/b.sums" || { diff "$WORK/a.sums" "$WORK/b.sums" | head >&2; fail "written files differ under vigil: $1"; }
	python3 "$FID_LIB/oracle.py" "$WORK/trace" "$WORK/p.json" "$WORK/b" "${FID_PARTIAL:-}" >&2 || fail "bytes per file differ from strace: $1"
	RC=$rcb
}

# fid_file_sum PATH FIELD: FIELD summed over both layers of one file of the last case
fid_file_sum() {
	jq -r --arg p "$WORK/b/$1" "[.files[] | select(.path == \$p) | .$2] | add // 0" "$WORK/p.json"
}
