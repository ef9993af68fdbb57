# The systemd unit `make install` writes names the install prefix's binaries
# and docs (issue 10.12): install into a temporary prefix and check the unit
# with `systemd-analyze verify` (executables exist, man page found, syntax).
# Nothing is started.  Skipped (77) without systemd-analyze.
. "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null || { echo "no systemd-analyze: skipped"; exit 77; }
P="$T/prefix"
cmake --install "$BIN_DIR/.." --prefix "$P" >"$T/install.log" 2>&1 || fail "install: $(tail -3 "$T/install.log")"
UNIT="$P/lib/systemd/system/vigild.service"
[ -f "$UNIT" ] || fail "no unit installed"
grep -qx "ExecStart=$P/sbin/vigild --listen \${VIGILD_LISTEN} .*" "$UNIT" || fail "ExecStart: $(grep ExecStart= "$UNIT")"
grep -qx "Environment=VIGILD_LISTEN=127.0.0.1:9787" "$UNIT" || fail "the default listener is not loopback"
grep -q "file://$P/share/doc/vigil/DAEMON.md" "$UNIT" && [ -f "$P/share/doc/vigil/DAEMON.md" ] || fail "Documentation="
MANPATH="$P/share/man" systemd-analyze verify "$UNIT" >"$T/verify.log" 2>&1 || fail "verify: $(cat "$T/verify.log")"
# the check can fail: the same unit without its binary is refused
mv "$P/sbin/vigild" "$T/vigild.moved"
! MANPATH="$P/share/man" systemd-analyze verify "$UNIT" >/dev/null 2>&1 || fail "verify accepted a unit whose vigild is missing"
echo ok
