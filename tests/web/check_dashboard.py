#!/usr/bin/env python3
"""The dashboard in a real headless Chromium against a real vigild (CTest label "web").

usage: check_dashboard.py BIN_DIR LIB_DIR ARTIFACT_DIR [--mpi MPI_LOAD MPIRUN]
Starts vigild on a free loopback port with its own directories, runs a known
workload under the collector, then loads the job list and the job page (with
the owner's token) and checks: the totals on the page equal the API's
exactly, the hostile file name shows as text, no console messages, and
saves screenshots.  With --mpi, also a 2-rank MPI job (mpi_load.c) under
`vigil run -- MPIRUN -np 2`: the API's exact counts and size histograms, the
rank count on the list and the job page, and that what the page drew
(request-size histograms, MPI time by call over time, bandwidth) equals the
API's numbers.
"""
import html.parser
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pyhelpers import check, finish, chromium as chromium_run  # noqa: E402

BIN, LIB, ART = sys.argv[1:4]
MPI_LOAD, MPIRUN = sys.argv[5:7] if len(sys.argv) > 6 and sys.argv[4] == "--mpi" else (None, None)
TMP = tempfile.mkdtemp(prefix="vigil-web-test-")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.elems, self.texts, self.open = [], [], []
        self.text, self.cur_id = {}, None  # text of elements with an id and no child elements

    def handle_starttag(self, tag, attrs):
        self.elems.append((tag, dict(attrs)))
        self.open.append(dict(attrs))
        self.cur_id = dict(attrs).get("id")

    def handle_endtag(self, tag):
        self.cur_id = None

    def handle_data(self, data):
        self.texts.append(data)
        if self.cur_id:
            self.text[self.cur_id] = self.text.get(self.cur_id, "") + data


def chromium(url, shot=None, window="1300,2600"):
    return chromium_run(url, TMP, budget_ms=2500, window=window, timeout=90, shot=shot)


def get(url, token=None):
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def asan_preload(lib):
    """An ASan-built collector needs the ASan runtime first in LD_PRELOAD."""
    out = subprocess.run(["ldd", lib], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "libasan" in line and "=>" in line:
            return line.split("=>")[1].split()[0] + ":"
    return ""


def elements_after(elems, i, tag):
    """Attributes of the first `tag` element after elems[i]."""
    for t, a in elems[i + 1:]:
        if t == tag:
            return a
    return {}


def wait_job(base, job, token, done):
    api = None
    for _ in range(150):
        api = get(base + "/api/v1/jobs/" + job, token)
        if done(api):
            return api
        time.sleep(0.1)
    return api


def check_plot(elems, canvas, api_hist, expect, min_points=2):
    """The series canvas `canvas` drew (its data-plot) equal the API's history at the same times.

    expect: {series name on the page: the API's array (aligned with api_hist["t"])}; every
    plotted series must be in it.  Returns the plot."""
    a = [a for t, a in elems if t == "canvas" and a.get("id") == canvas]
    check(len(a) == 1 and "data-plot" in a[0], "chart %s has no data-plot" % canvas)
    if len(a) != 1 or "data-plot" not in a[0]:
        return None
    plot = json.loads(a[0]["data-plot"])
    at = {t: k for k, t in enumerate(api_hist["t"])}
    check(len(plot["t"]) >= min_points, "chart %s: only %d points" % (canvas, len(plot["t"])))
    missing = [t for t in plot["t"] if t not in at]
    check(not missing, "chart %s: times not in the API's history: %r" % (canvas, missing[:3]))
    for name, v in plot["series"].items():
        check(name in expect, "chart %s plots %r, not in the API" % (canvas, name))
        if name not in expect:
            continue
        want = [expect[name][at[t]] for t in plot["t"] if t in at]
        got = [x for t, x in zip(plot["t"], v) if t in at]
        check(got == want, "chart %s series %s on the page %r != API %r" % (canvas, name, got[:8], want[:8]))
    return plot


def check_mpi(base, token, seg):
    """A 2-rank MPICH job: exact API counts, and the job page's histograms and MPI charts equal the API's."""
    job = "webmpi-%d" % os.getpid()
    out = os.path.join(TMP, "mpi-out.dat")
    env = dict(os.environ, VIGIL_DIR=seg, VIGIL_JOB_ID=job)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    for k in ("LD_PRELOAD", "VIGIL_PROFILE", "VIGIL_MPI", "SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID", "FLUX_JOB_ID"):
        env.pop(k, None)
    r = subprocess.run([os.path.join(BIN, "vigil"), "run", "-q", "--", MPIRUN, "-np", "2", MPI_LOAD, out, "3"],
                       env=env, cwd=TMP, capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "the MPI job failed (%d): %s" % (r.returncode, r.stderr[-2000:]))

    # the history gets a point once a second: wait for the one after the last counts too
    def done(a):
        return (a.get("ranks") == 2 and a["processes"]["running"] == 0 and
                a["ops"].get("mpi", {}).get("MPI_Finalize", {}).get("calls") == 2 and
                "MPI_Finalize" in a.get("history", {}).get("mpi_seconds_per_second_by_call", {}))
    api = wait_job(base, job, token, done)
    check(api and done(api), "the MPI job did not finish in the API: ranks %r, processes %r" %
          (api.get("ranks"), api.get("processes")))
    mpi, posix = api["ops"].get("mpi", {}), api["ops"].get("posix", {})
    rounds = mpi.get("MPI_Send", {}).get("calls", 0)
    check(rounds >= 20, "only %d rounds of the MPI workload" % rounds)
    # exact counts: per round each rank calls Barrier, Allreduce, Bcast once, rank 0 sends
    # 64 KiB to rank 1, rank 1 pwrites 4 KiB and 1 MiB
    for name in ("MPI_Barrier", "MPI_Allreduce", "MPI_Bcast"):
        check(mpi.get(name, {}).get("calls") == 2 * rounds, "%s calls %r != %d" % (name, mpi.get(name, {}).get("calls"), 2 * rounds))
    hist = lambda o: o.get("size_histogram", [])  # noqa: E731
    for layer, name, want in (("mpi", "MPI_Send", {17: rounds}), ("mpi", "MPI_Recv", {17: rounds}),
                              ("mpi", "MPI_Barrier", {0: 2 * rounds}), ("mpi", "MPI_Bcast", {3: 2 * rounds}),
                              ("mpi", "MPI_Allreduce", {4: 2 * rounds}),
                              ("posix", "pwrite", {13: rounds, 21: rounds})):
        h = hist(api["ops"].get(layer, {}).get(name, {}))
        check(len(h) == 32 and {i: c for i, c in enumerate(h) if c} == want,
              "%s %s size_histogram %r, expected %r" % (layer, name, h, want))
    check(posix.get("pwrite", {}).get("bytes") == rounds * (4096 + 1048576), "pwrite bytes %r" % posix.get("pwrite"))
    byc = api["history"].get("mpi_seconds_per_second_by_call", {})
    check(set(byc) == set(mpi), "MPI calls in the history %r != calls made %r" % (sorted(byc), sorted(mpi)))
    check(sum(1 for v in byc.get("MPI_Barrier", []) if v > 0.05) >= 2, "MPI_Barrier time over time: %r" % byc.get("MPI_Barrier"))
    tot = api["history"]["mpi_seconds_per_second"]
    for k in range(len(tot)):
        part = sum(v[k] for v in byc.values())
        check(abs(part - tot[k]) <= 1e-4 + 1e-5 * tot[k], "MPI time by call at %d adds up to %r, total %r" % (k, part, tot[k]))

    url = "%s/?job=%s&user=%s&token=%s" % (base, job, api["user"], token)
    dom, console = chromium(url, window="1300,3600")
    check(console == [], "MPI job page console: %r" % console)
    p = Dom()
    p.feed(dom)
    api2 = get(base + "/api/v1/jobs/" + job, token)
    h = api2["history"]
    ranks = [a for t, a in p.elems if a.get("id") == "j-ranks"]
    check(ranks and ranks[0].get("data-v") == "2", "job page ranks %r" % ranks)
    # rank 0 sleeps before each barrier: rank 1 waits in MPI, rank 0 is the one waited for
    cul = [a for t, a in p.elems if a.get("id") == "j-culprits"]
    check(cul and "hidden" not in cul[0], "the job page hides who waits and who is late")
    for rid, want in (("j-mpi-wait-rank", "rank 1 "), ("j-outside-rank", "rank 0 ")):
        check(p.text.get(rid, "").startswith(want), "job page %s is %r, expected %r" % (rid, p.text.get(rid), want))
    for fid in ("f-mpit", "f-mpic"):
        f = [a for t, a in p.elems if a.get("id") == fid]
        check(f and "hidden" not in f[0], "MPI chart %s hidden for an MPI job" % fid)
    # MPI time by call over time: the page's series are the API's, the biggest ones
    expect = dict(h["mpi_seconds_per_second_by_call"])
    expect["all MPI"] = h["mpi_seconds_per_second"]
    plot = check_plot(p.elems, "c-mpit", h, expect, min_points=3)
    if plot:
        shown = [n for n in plot["series"] if n != "all MPI"]
        check("all MPI" in plot["series"] and "MPI_Barrier" in shown, "MPI time chart shows %r" % list(plot["series"]))
        check(len(shown) == min(6, len(expect) - 1), "MPI time chart: %d calls of %d" % (len(shown), len(expect) - 1))
        at = {t: k for k, t in enumerate(h["t"])}
        s = {n: sum(v[at[t]] for t in plot["t"] if t in at) for n, v in h["mpi_seconds_per_second_by_call"].items()}
        hidden = [n for n in s if n not in shown]
        check(all(s[a] >= s[b] for a in shown for b in hidden), "MPI time chart omits a bigger call: shown %r, hidden %r" %
              ({n: s[n] for n in shown}, {n: s[n] for n in hidden}))
    check_plot(p.elems, "c-bw", h, {"read": h["read_bytes_per_second"], "write": h["write_bytes_per_second"]})
    calls = {n: v for n, v in h["ops_per_second_by_op"].items() if n.startswith("MPI_") and not n.startswith("MPI_File")}
    check_plot(p.elems, "c-mpic", h, calls)
    # request-size histograms: one per data operation, exactly the API's counts
    figs = {}
    for i, (t, a) in enumerate(p.elems):
        if t == "figure" and "data-op" in a:
            figs[a["data-op"]] = json.loads(elements_after(p.elems, i, "canvas").get("data-hist", "null"))
    want = {"%s.%s" % (layer, n): o for layer, lops in api2["ops"].items() for n, o in lops.items()
            if o["class"] == "data" and any(o["size_histogram"])}
    if len(want) > 16:
        keep = sorted(want, key=lambda k: (-want[k]["bytes"], -want[k]["calls"], k.replace(".", "")))[:16]
        want = {k: want[k] for k in keep}
    check(set(figs) == set(want), "histograms on the page %r != data operations %r" % (sorted(figs), sorted(want)))
    for k, hh in figs.items():
        if k in want:
            check(hh == want[k]["size_histogram"], "histogram %s on the page %r != API %r" % (k, hh, want[k]["size_histogram"]))
    check("posix.pwrite" in figs and "mpi.MPI_Send" in figs, "no pwrite or MPI_Send histogram: %r" % sorted(figs))
    return job, url


def main():
    seg = os.path.join(TMP, "seg")
    os.makedirs(seg, mode=0o700)
    os.chmod(seg, 0o700)
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    log = open(os.path.join(TMP, "vigild.log"), "w")
    d = subprocess.Popen([os.path.join(BIN, "vigild"), "--listen", "127.0.0.1:%d" % port, "--dir", seg,
                          "--state-dir", os.path.join(TMP, "state"), "--socket", "none", "--interval", "0.1",
                          "--job-linger", "120"], stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                get(base + "/api/v1/health")
                break
            except OSError:
                time.sleep(0.05)
        # the known workload: 5 x 1 MiB written by dd to a file with a hostile name
        hostile = os.path.join(TMP, "<img src=x onerror=alert(1)>")
        job = "webtest-%d" % os.getpid()
        lib = os.path.join(LIB, "libvigil.so")
        env = dict(os.environ, VIGIL_DIR=seg, VIGIL_JOB_ID=job, LD_PRELOAD=asan_preload(lib) + lib)
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
        script = 'for i in 1 2 3 4 5; do dd if=/dev/zero of="$1" bs=64k count=16 conv=notrunc 2>/dev/null; sleep 0.2; done'
        subprocess.run(["sh", "-c", script, "sh", hostile], env=env, check=True)
        # wait until vigild has sampled the end of every process
        token = open(os.path.join(seg, "vigild.token")).readline().strip()
        api = wait_job(base, job, token, lambda a: a["processes"]["running"] == 0 and a["processes"]["exited"] >= 6)
        check(api and api["processes"]["running"] == 0, "the workload's processes still run in the API: %r" % (api or {}).get("processes"))
        tot = api["totals"]
        check(tot["bytes_written"] >= 5 * 1048576, "bytes_written %d < 5 MiB" % tot["bytes_written"])
        check(api["details"] is True, "the token did not give details")
        check(api["ranks"] == 0, "a job without MPI has %r ranks" % api["ranks"])
        mpi_job, mpi_url = check_mpi(base, token, seg) if MPI_LOAD else (None, None)
        # the job page, as the owner
        url = "%s/?job=%s&user=%s&token=%s" % (base, job, api["user"], token)
        dom, console = chromium(url)
        check(console == [], "job page console: %r" % console)
        p = Dom()
        p.feed(dom)
        body = [a for t, a in p.elems if t == "body"][0]
        check(int(body.get("data-updates", "0")) >= 2, "the job page did not update twice: %r" % body.get("data-updates"))
        rows = {}
        for i, (t, a) in enumerate(p.elems):
            if t == "tr" and "data-k" in a:
                rows[a["data-k"]] = float(p.elems[i + 2][1]["data-v"])
        api2 = get(base + "/api/v1/jobs/" + job, token)
        for k, v in api2["totals"].items():
            check(k in rows and rows[k] == float(v), "job page total %s = %r, API %r" % (k, rows.get(k), v))
        ops = {a["data-op"]: i for i, (t, a) in enumerate(p.elems) if t == "tr" and "data-op" in a}
        for layer, lops in api2["ops"].items():
            for name, o in lops.items():
                i = ops.get(layer + "." + name)
                check(i is not None, "op %s.%s missing on the page" % (layer, name))
                if i is not None:
                    tds = [a for t, a in p.elems[i + 1:i + 8] if t == "td" and "data-v" in a]
                    check([float(a["data-v"]) for a in tds] == [float(o["calls"]), float(o["errors"]), float(o["bytes"]), float(o["seconds"])],
                          "op %s.%s on the page %r != API %r" % (layer, name, tds, o))
        for fid in ("f-mpit", "f-mpic"):
            f = [a for t, a in p.elems if a.get("id") == fid]
            check(f and "hidden" in f[0], "MPI chart %s shown for a job without MPI" % fid)
        check_plot(p.elems, "c-bw", api2["history"], {"read": api2["history"]["read_bytes_per_second"],
                                                      "write": api2["history"]["write_bytes_per_second"]})
        figs = [a["data-op"] for t, a in p.elems if t == "figure" and "data-op" in a]
        check("posix.write" in figs, "no histogram of dd's writes: %r" % figs)
        text = "".join(p.texts)
        check("<img src=x onerror=alert(1)>" in text, "the hostile file name is not shown as text")
        check(not any(t == "img" for t, a in p.elems), "the hostile file name became an element")
        # the job list, anonymous: the job is listed, its numbers come from the API
        dom, console = chromium(base + "/")
        check(console == [], "job list console: %r" % console)
        q = Dom()
        q.feed(dom)
        lst = get(base + "/api/v1/jobs")
        for jid in (job, mpi_job):
            if not jid:
                continue
            jr = [i for i, (t, a) in enumerate(q.elems) if t == "tr" and a.get("data-job") == jid]
            check(len(jr) == 1, "job %s not listed once: %d" % (jid, len(jr)))
            want = [j for j in lst["jobs"] if j["id"] == jid]
            if len(jr) == 1 and want:
                tds = [a for t, a in q.elems[jr[0] + 1:jr[0] + 12] if t == "td" and "data-v" in a]
                pr = want[0]["processes"]
                check(float(tds[0]["data-v"]) == pr["running"] + pr["exited"] + pr["killed"] and
                      float(tds[1]["data-v"]) == want[0]["ranks"],
                      "job list processes/ranks of %s %r != API %r, %r" % (jid, tds[:2], pr, want[0]["ranks"]))
        check(not any(t == "img" for t, a in q.elems), "the hostile command line became an element on the job list")
        os.makedirs(ART, exist_ok=True)
        shots = [("dashboard-job", url, "1300,2600"), ("dashboard-list", base + "/", "1300,600")]
        if mpi_url:
            shots.append(("dashboard-mpi-job", mpi_url, "1300,3600"))
        for name, u, win in shots:
            shot = os.path.join(ART, name + ".png")
            chromium(u, shot, window=win)
            check(os.path.exists(shot) and os.path.getsize(shot) > 10000, "no screenshot %s" % name)
    finally:
        d.terminate()
        d.wait(timeout=10)
        shutil.rmtree(TMP, ignore_errors=True)


main()
finish()
