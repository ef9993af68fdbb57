#!/bin/sh
# vigil report / diff on a synthetic 64-rank MPI profile (tests/report/gen_profile.py).
# usage: bench/report/run.sh [BUILD_DIR]   (target: <= 0.5 s each)
set -eu
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/../../tests/report/gen_profile.py" 64 "$tmp/p64.json"
python3 "$here/../../tests/report/gen_profile.py" 63 "$tmp/p63.json"
python3 - "$build/bin/vigil" "$tmp" <<'PY'
import subprocess, sys, time
vigil, tmp = sys.argv[1:3]
def best(args, n=7):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([vigil] + args, stdout=subprocess.DEVNULL, check=False)
        ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[0], ts[len(ts) // 2]
import os
print("profile: 64 ranks, %d bytes" % os.path.getsize(tmp + "/p64.json"))
for name, args in (("report --text", ["report", tmp + "/p64.json", "--text"]),
                   ("report -o html", ["report", tmp + "/p64.json", "-o", tmp + "/r.html"]),
                   ("diff", ["diff", tmp + "/p63.json", tmp + "/p64.json", "-f", "total.bytes>+50%"])):
    b, m = best(args)
    print("%-16s best %6.1f ms  median %6.1f ms" % (name, b * 1e3, m * 1e3))
print("html size: %d bytes" % os.path.getsize(tmp + "/r.html"))
PY
