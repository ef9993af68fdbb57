#!/usr/bin/env python3
"""mkman.py - vigil's manual pages, made from the installed programs' --help.

usage: mkman.py BINDIR SBINDIR MANDIR [STRIP]
Writes MANDIR/man1/vigil.1, vigil-COMMAND.1 for every command `vigil --help`
lists, and MANDIR/man8/vigild.8.  The --help text is the page's body, as
written (the programs are the one source of truth, so a page never disagrees
with its program); STRIP (a DESTDIR) is removed from the text, so the pages
name the files' final paths.  Run by `make install` (docs/man/CMakeLists.txt).
"""
import os
import re
import subprocess
import sys

VERSION = os.environ.get("VIGIL_VERSION", "")


def run(argv, strip):
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True,
                         env=dict(os.environ, LC_ALL="C.UTF-8")).stdout.decode()
    return out.replace(strip, "") if strip else out


def roff(text):
    lines = []
    for line in text.rstrip("\n").split("\n"):
        line = line.replace("\\", "\\e")
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def page(path, name, section, summary, body, see_also):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write('.TH %s %s "" "vigil %s" "vigil manual"\n' % (name.upper(), section, VERSION))
        f.write(".SH NAME\n%s \\- %s\n" % (name.replace("-", "\\-"), roff(summary)))
        f.write(".SH DESCRIPTION\n.nf\n%s\n.fi\n" % roff(body))
        f.write(".SH SEE ALSO\n%s\n" % ",\n".join(
            ".BR %s (%s)" % (n.replace("-", "\\-"), s) for n, s in see_also))


def main():
    bindir, sbindir, mandir = sys.argv[1:4]
    strip = sys.argv[4] if len(sys.argv) > 4 else ""
    vigil, vigild = os.path.join(bindir, "vigil"), os.path.join(sbindir, "vigild")
    top = run([vigil, "--help"], strip)
    cmds = re.findall(r"^  ([a-z][a-z-]*) +(.+)$", top.split("Commands:", 1)[1], re.M)
    if not cmds:
        sys.exit("mkman.py: no commands in vigil --help")
    pages = [("vigil-" + c, "1") for c, _ in cmds] + [("vigild", "8")]
    page(os.path.join(mandir, "man1", "vigil.1"), "vigil", "1",
         "watch the I/O and MPI of HPC jobs", top, pages)
    for c, summary in cmds:
        page(os.path.join(mandir, "man1", "vigil-%s.1" % c), "vigil-" + c, "1", summary,
             run([vigil, c, "--help"], strip), [("vigil", "1")] + [p for p in pages if p[0] != "vigil-" + c])
    page(os.path.join(mandir, "man8", "vigild.8"), "vigild", "8", "vigil's node daemon",
         run([vigild, "--help"], strip), [("vigil", "1"), ("vigil-top", "1"), ("vigil-job-end", "1")])


main()
