# What `make install` puts in a prefix (issue 10.12, 10.15), installed into a
# temporary one: the systemd unit names that prefix's binaries and docs and
# passes `systemd-analyze verify` (executables exist, man page found, syntax;
# nothing is started); a manual page for vigil, each command `vigil --help`
# lists and vigild, each rendering without a warning; and every document a
# --help names exists there.  Skipped (77) without systemd-analyze or man.
. "$(dirname "$0")/lib.sh"
for t in systemd-analyze man; do command -v $t >/dev/null || { echo "no $t: skipped"; exit 77; }; done
P="$T/prefix"
cmake --install "$BIN_DIR/.." --prefix "$P" >"$T/install.log" 2>&1 || fail "install: $(tail -3 "$T/install.log")"
UNIT="$P/lib/systemd/system/vigild.service"
[ -f "$UNIT" ] || fail "no unit installed"
grep -qx "ExecStart=$P/sbin/vigild --listen \${VIGILD_LISTEN} .*" "$UNIT" || fail "ExecStart: $(grep ExecStart= "$UNIT")"
grep -qx "Environment=VIGILD_LISTEN=127.0.0.1:9787" "$UNIT" || fail "the default listener is not loopback"
grep -q "file://$P/share/doc/vigil/DAEMON.md" "$UNIT" && [ -f "$P/share/doc/vigil/DAEMON.md" ] || fail "Documentation="
MANPATH="$P/share/man" systemd-analyze verify "$UNIT" >"$T/verify.log" 2>&1 || fail "verify: $(cat "$T/verify.log")"
# manual pages: one per command, rendered cleanly
cmds=$("$P/bin/vigil" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$cmds" ] || fail "no commands in vigil --help"
for pg in man1/vigil.1 $(for c in $cmds; do echo man1/vigil-$c.1; done) man8/vigild.8; do
	[ -f "$P/share/man/$pg" ] || fail "no manual page $pg"
	MANWIDTH=80 man --warnings -l "$P/share/man/$pg" >"$T/page.txt" 2>"$T/man.err" || fail "man $pg"
	[ ! -s "$T/man.err" ] || fail "man $pg: $(cat "$T/man.err")"
done
grep -q -- '--profile FILE' "$P/share/man/man1/vigil-run.1" || fail "vigil-run.1 lacks the --help text"
# every docs path a --help prints exists in the prefix (and none is relative)
helps() { "$P/bin/vigil" --help; for c in $cmds; do "$P/bin/vigil" $c --help; done; "$P/sbin/vigild" --help; }
helps >"$T/help.txt" 2>&1 || fail "a --help failed"
! grep -Eq '(^|[ (])docs/' "$T/help.txt" || fail "relative docs path in --help: $(grep -E '(^|[ (])docs/' "$T/help.txt" | head -1)"
paths=$(grep -o "$P/share/doc/vigil/[A-Za-z0-9_-]*\(\.md\)\{0,1\}" "$T/help.txt" | sort -u)
[ -n "$paths" ] || fail "no docs path in --help"
for f in $paths; do [ -e "$f" ] || fail "--help names $f, which is not installed"; done
grep -rho "$P/share/doc/vigil/[A-Za-z0-9_-]*\(\.md\)\{0,1\}" "$P/share/man" | sort -u | while read -r f; do [ -e "$f" ] || fail "a man page names $f"; done
# the check can fail: the same unit without its binary is refused
mv "$P/sbin/vigild" "$T/vigild.moved"
! MANPATH="$P/share/man" systemd-analyze verify "$UNIT" >/dev/null 2>&1 || fail "verify accepted a unit whose vigild is missing"
echo ok
