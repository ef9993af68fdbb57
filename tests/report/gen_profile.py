#!/usr/bin/env python3
"""Write a synthetic, deterministic MPI job profile (docs/PROFILE.md) with N ranks.

usage: gen_profile.py RANKS OUT.json [--files-per-rank K]

Each rank writes and reads its own file, rank 0 also a shared file; ranks
spend time in MPI_Allreduce/MPI_Barrier/MPI_Send/MPI_Recv, the last rank is
slowest. Numbers depend only on RANKS, so tests can assert exact values.
"""
import json
import sys

OPS = {  # name: (layer, class)
    "open": ("posix", "metadata"), "close": ("posix", "metadata"), "write": ("posix", "data"),
    "pwrite": ("posix", "data"), "read": ("posix", "data"), "stat": ("posix", "metadata"),
    "fsync": ("posix", "sync"), "fopen": ("stdio", "metadata"), "fprintf": ("stdio", "data"),
    "fclose": ("stdio", "metadata"), "MPI_Init": ("mpi", "other"), "MPI_Send": ("mpi", "data"),
    "MPI_Recv": ("mpi", "data"), "MPI_Allreduce": ("mpi", "data"), "MPI_Barrier": ("mpi", "sync"),
    "MPI_File_open": ("mpiio", "metadata"), "MPI_File_write_all": ("mpiio", "data"),
    "MPI_File_close": ("mpiio", "metadata"),
}
BINS = 64


def bucket(n):
    return 0 if n == 0 else min(31, n.bit_length())


def rank_ops(r, n):
    slow = 1 + (r == n - 1)  # the last rank is twice as slow
    ops = {}

    def add(name, calls, size, seconds, errors=0):
        h = [0] * 32
        if calls and OPS[name][1] == "data":
            h[bucket(size)] = calls
        ops[name] = {"calls": calls, "errors": errors, "bytes": calls * size if OPS[name][1] == "data" else 0,
                     "seconds": seconds, "class": OPS[name][1], "size_histogram": h}
    add("open", 4, 0, 0.0005 * slow, errors=1 if r == 0 else 0)
    add("close", 3, 0, 0.0001)
    add("write", 256, 65536, 0.125 * slow)
    add("pwrite", 16, 1048576, 0.0625)
    add("read", 128, 4096, 0.03125)
    add("stat", 10 + r, 0, 0.00001 * (10 + r))
    add("fsync", 1, 0, 0.25)
    add("fopen", 1, 0, 0.00002)
    add("fprintf", 100, 32, 0.0001)
    add("fclose", 1, 0, 0.00001)
    add("MPI_Init", 1, 0, 0.5)
    add("MPI_Send", 10, 8192, 0.001 * (r + 1))
    add("MPI_Recv", 10, 8192, 0.002)
    add("MPI_Allreduce", 50, 8, 0.25 if r != n - 1 else 0.0625)
    add("MPI_Barrier", 5, 0, 0.125)
    add("MPI_File_open", 1, 0, 0.01)
    add("MPI_File_write_all", 4, 4194304, 0.5)
    add("MPI_File_close", 1, 0, 0.005)
    return ops


def nest(flat):
    out = {}
    for name, v in flat.items():
        out.setdefault(OPS[name][0], {})[name] = v
    return out


def main():
    n = int(sys.argv[1])
    path = sys.argv[2]
    start = 1763712000.0
    dur = 16.0
    procs, totals = [], {}
    for r in range(n):
        ops = rank_ops(r, n)
        for name, v in ops.items():
            t = totals.setdefault(name, {"calls": 0, "errors": 0, "bytes": 0, "seconds": 0.0,
                                         "class": v["class"], "size_histogram": [0] * 32})
            for k in ("calls", "errors", "bytes", "seconds"):
                t[k] += v[k]
            t["size_histogram"] = [a + b for a, b in zip(t["size_histogram"], v["size_histogram"])]
        procs.append({"pid": 1000 + r, "ppid": 999, "rank": r, "host": "node%02d" % (r // 16), "exe": "/opt/app/solver",
                      "command": "/opt/app/solver -n %d" % n, "start": start, "end": start + dur, "state": "exited",
                      "exit_status": 0, "signal": 0, "totals": nest(ops)})
    files = []
    for r in range(n):
        files.append({"path": "/scratch/run/out.%04d" % r, "layer": "posix", "bytes_read": 128 * 4096,
                      "bytes_written": 256 * 65536 + 16 * 1048576, "reads": 128, "writes": 272, "metadata_ops": 4,
                      "seconds": 0.125 + 0.0625 + 0.03125 + 0.25, "seq_reads": 128, "seq_writes": 272,
                      "consec_reads": 127, "consec_writes": 271, "max_offset": 256 * 65536 + 16 * 1048576,
                      "first_access": start + 1, "last_access": start + 15, "processes": 1, "ranks": 1,
                      "rank_min": r, "rank_max": r})
    files.append({"path": "/scratch/run/shared.h5", "layer": "mpiio", "bytes_read": 0,
                  "bytes_written": n * 4 * 4194304, "reads": 0, "writes": 4 * n, "metadata_ops": 2 * n,
                  "seconds": 0.515 * n, "seq_reads": 0, "seq_writes": 4 * n, "consec_reads": 0, "consec_writes": 0,
                  "max_offset": n * 4 * 4194304, "first_access": start + 2, "last_access": start + 14,
                  "processes": n, "ranks": n, "rank_min": 0, "rank_max": n - 1})
    bw = 16.0 / BINS
    tl = {}
    for layer in ("posix", "stdio", "mpi", "mpiio"):
        lops = [name for name in OPS if OPS[name][0] == layer]
        calls = sum(totals[o]["calls"] for o in lops)
        rd = sum(totals[o]["bytes"] for o in lops if o in ("read", "MPI_Recv"))
        wr = sum(totals[o]["bytes"] for o in lops) - rd
        sec = sum(totals[o]["seconds"] for o in lops)
        # a ramp: bin i gets weight (i % 8 + 1), normalised so the bins sum to the totals
        wsum = sum(i % 8 + 1 for i in range(BINS))
        tl[layer] = {k: [v * (i % 8 + 1) / wsum for i in range(BINS)]
                     for k, v in (("ops", calls), ("bytes_read", rd), ("bytes_written", wr), ("seconds", sec))}
    classes = {}
    for name, v in totals.items():
        c = classes.setdefault(OPS[name][0], {}).setdefault(v["class"], {"calls": 0, "errors": 0, "bytes": 0, "seconds": 0.0})
        for k in ("calls", "errors", "bytes", "seconds"):
            c[k] += v[k]
    prof = {
        "schema": "vigil-profile/1", "generator": "vigil-mpi 0.1.0",
        "job": {"id": "synthetic-%d" % n, "step": "0", "user": "bench", "uid": 1234, "command": "/opt/app/solver -n %d" % n,
                "start": start, "end": start + dur, "duration_seconds": dur,
                "hosts": sorted({p["host"] for p in procs}), "processes": n, "ranks": n},
        "totals": nest(totals), "classes": classes, "files": files,
        "timeline": {"start": start, "bin_seconds": bw, "bins": BINS, "layers": tl},
        "processes": procs, "flags": [],
    }
    with open(path, "w") as f:
        json.dump(prof, f, indent=1)


if __name__ == "__main__":
    main()
