#!/usr/bin/env python3
"""The dashboard in a real headless Chromium against a real vigild (CTest label "web").

usage: check_dashboard.py BIN_DIR LIB_DIR ARTIFACT_DIR
Starts vigild on a free loopback port with its own directories, runs a known
workload under the collector, then loads the job list and the job page (with
the owner's token) and checks: the totals on the page equal the API's
exactly, the hostile file name shows as text, no console messages, and
saves screenshots.
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

    def handle_starttag(self, tag, attrs):
        self.elems.append((tag, dict(attrs)))
        self.open.append(dict(attrs))

    def handle_data(self, data):
        self.texts.append(data)


def chromium(url, shot=None):
    return chromium_run(url, TMP, budget_ms=2500, window="1300,2600", timeout=90, shot=shot)


def get(url, token=None):
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


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
        env = dict(os.environ, VIGIL_DIR=seg, VIGIL_JOB_ID=job, LD_PRELOAD=os.path.join(LIB, "libvigil.so"))
        script = 'for i in 1 2 3 4 5; do dd if=/dev/zero of="$1" bs=64k count=16 conv=notrunc 2>/dev/null; sleep 0.2; done'
        subprocess.run(["sh", "-c", script, "sh", hostile], env=env, check=True)
        # wait until vigild has sampled the end of every process
        token = open(os.path.join(seg, "vigild.token")).readline().strip()
        api = None
        for _ in range(100):
            api = get(base + "/api/v1/jobs/" + job, token)
            if api["processes"]["running"] == 0 and api["processes"]["exited"] >= 6:
                break
            time.sleep(0.1)
        check(api and api["processes"]["running"] == 0, "the workload's processes still run in the API: %r" % (api or {}).get("processes"))
        tot = api["totals"]
        check(tot["bytes_written"] >= 5 * 1048576, "bytes_written %d < 5 MiB" % tot["bytes_written"])
        check(api["details"] is True, "the token did not give details")
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
        text = "".join(p.texts)
        check("<img src=x onerror=alert(1)>" in text, "the hostile file name is not shown as text")
        check(not any(t == "img" for t, a in p.elems), "the hostile file name became an element")
        # the job list, anonymous: the job is listed, its numbers come from the API
        dom, console = chromium(base + "/")
        check(console == [], "job list console: %r" % console)
        q = Dom()
        q.feed(dom)
        jr = [a for t, a in q.elems if t == "tr" and a.get("data-job") == job]
        check(len(jr) == 1, "job %s not listed once: %d" % (job, len(jr)))
        check(not any(t == "img" for t, a in q.elems), "the hostile command line became an element on the job list")
        os.makedirs(ART, exist_ok=True)
        for name, u in (("dashboard-job", url), ("dashboard-list", base + "/")):
            shot = os.path.join(ART, name + ".png")
            chromium(u, shot)
            check(os.path.exists(shot) and os.path.getsize(shot) > 10000, "no screenshot %s" % name)
    finally:
        d.terminate()
        d.wait(timeout=10)
        shutil.rmtree(TMP, ignore_errors=True)


main()
finish()
