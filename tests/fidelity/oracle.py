#!/usr/bin/env python3
"""oracle.py - compare vigil's per-file bytes with strace's, for one run.

usage: oracle.py TRACE PROFILE ROOT [PARTIAL-REGEX]

TRACE is `strace -f -y -o TRACE` output of the very run that wrote PROFILE
(`strace ... -- vigil run --profile PROFILE -- CMD`).  For every regular file
under ROOT (the test's own directory) the bytes the kernel moved (read/write
families and in-kernel copies, by return value) must equal, exactly, the
bytes vigil booked on that file's records: POSIX layer plus stdio layer (the
stdio layer holds the buffer-edge bytes of inlined getc/putc, and the bytes
of fread/fwrite/... calls whose stream was read to its end or flushed).

Rules, not tolerances (docs/COLLECTOR.md, "What the fidelity suite compares"):
files outside ROOT are not compared (glibc's own reads of locale and
configuration files, the dynamic loader, vigil's own files); mapped bytes are
not read/write calls on either side; PARTIAL-REGEX names files a stream read
only in part (read-ahead a seek, rewind or close discarded, a byte pushed back
with ungetc and read again): their reads are not compared, their writes are.
Exit status 0: equal; 1: a difference (each printed); 2: bad input.
"""
import json
import re
import sys

READS = {"read", "pread64", "readv", "preadv", "preadv2"}
WRITES = {"write", "pwrite64", "writev", "pwritev", "pwritev2"}
COPIES = {"copy_file_range": (0, 1), "splice": (0, 1), "sendfile": (1, 0)}  # (in, out) fd arg order

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^(\w+)\((.*)\)\s+=\s+(-?\d+)")
FDARG = re.compile(r"(?:^|, )(-?\d+)<((?:[^<>]|<[^<>]*>)*)>")


def norm(path):
    return path[:-len(" (deleted)")] if path.endswith(" (deleted)") else path


def strace_bytes(trace, root):
    pending = {}
    out = {}

    def add(path, key, n):
        path = norm(path)
        if n > 0 and path.startswith(root + "/"):
            out.setdefault(path, {"read": 0, "written": 0})[key] += n

    with open(trace, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            pid, rest = m.group(1), m.group(2)
            if rest.endswith("<unfinished ...>"):
                pending[pid] = rest[: -len("<unfinished ...>")].rstrip()
                continue
            r = re.match(r"^<\.\.\. \w+ resumed>(.*)$", rest)
            if r:
                rest = pending.pop(pid, "") + r.group(1)
            c = CALL.match(rest)
            if not c:
                continue
            name, args, ret = c.group(1), c.group(2), int(c.group(3))
            if ret <= 0:
                continue
            fds = [p for _, p in FDARG.findall(args)]
            if name in READS and fds:
                add(fds[0], "read", ret)
            elif name in WRITES and fds:
                add(fds[0], "written", ret)
            elif name in COPIES and len(fds) >= 2:
                i, o = COPIES[name]
                add(fds[i], "read", ret)
                add(fds[o], "written", ret)
    return out


def vigil_bytes(profile, root):
    with open(profile) as f:
        p = json.load(f)
    out = {}
    for rec in p.get("files", []):
        path = rec.get("path", "")
        if not path.startswith(root + "/") or rec.get("layer") not in ("posix", "stdio"):
            continue
        e = out.setdefault(path, {"read": 0, "written": 0})
        e["read"] += rec.get("bytes_read", 0)
        e["written"] += rec.get("bytes_written", 0)
    return {k: v for k, v in out.items() if v["read"] or v["written"]}


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    trace, profile, root = sys.argv[1], sys.argv[2], sys.argv[3].rstrip("/")
    partial = re.compile(sys.argv[4]) if len(sys.argv) == 5 and sys.argv[4] else None
    want = strace_bytes(trace, root)
    got = vigil_bytes(profile, root)
    if partial:
        for d in (want, got):
            for path, e in list(d.items()):
                if partial.search(path):
                    e["read"] = 0
                    if not e["written"]:
                        del d[path]
    bad = 0
    for path in sorted(set(want) | set(got)):
        w = want.get(path, {"read": 0, "written": 0})
        g = got.get(path, {"read": 0, "written": 0})
        if w != g:
            bad = 1
            print(f"oracle: {path}: strace read {w['read']} written {w['written']}, "
                  f"vigil read {g['read']} written {g['written']}")
    if not want:
        print("oracle: strace saw no bytes under " + root + " (a test that cannot fail)")
        bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
