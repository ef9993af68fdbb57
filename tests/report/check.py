#!/usr/bin/env python3
"""Tests of `vigil report` and `vigil diff` (CTest label "report").

usage: check.py VIGIL SRC_DIR ARTIFACT_DIR TEST
Each test works in its own temporary directory. Goldens live in golden/;
VIGIL_UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
"""
import html.parser
import json
import os
import stat
import time
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pyhelpers import check, finish, chromium as chromium_run  # noqa: E402

VIGIL, SRC, ART, TEST = sys.argv[1:5]
FIX = os.path.join(SRC, "fixtures")
GOLD = os.path.join(SRC, "golden")
TMP = tempfile.mkdtemp(prefix="vigil-report-test-")


def run(*args, cwd=None):
    p = subprocess.run([VIGIL, *args], capture_output=True, text=True, cwd=cwd or TMP)
    return p.returncode, p.stdout, p.stderr


def golden(name, text):
    path = os.path.join(GOLD, name)
    if os.environ.get("VIGIL_UPDATE_GOLDEN"):
        os.makedirs(GOLD, exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    with open(path) as f:
        want = f.read()
    if want != text:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), text.splitlines(True), name, "actual"))
    check(want == text, "output differs from golden/%s" % name)


def fixture(name):
    """Copy a fixture into the temp dir so paths in outputs are stable (relative)."""
    shutil.copy(os.path.join(FIX, name), os.path.join(TMP, name))
    return name


def gen(ranks, name):
    subprocess.run([sys.executable, os.path.join(SRC, "gen_profile.py"), str(ranks), os.path.join(TMP, name)], check=True)
    return name


# ---------------------------------------------------------------------------
def t_text():
    rc, out, err = run("report", fixture("single.json"))
    check(rc == 0 and err == "", "report single.json: rc %d, stderr %r" % (rc, err))
    golden("single.txt", out)
    rc2, out2, _ = run("report", "single.json", "--text")
    check(rc2 == 0 and out2 == out, "--text differs from the default output")
    rc, out, err = run("report", gen(4, "mpi4.json"))
    check(rc == 0 and err == "", "report mpi4.json: rc %d, stderr %r" % (rc, err))
    golden("mpi4.txt", out)
    # terminal escaping: control characters in names never reach the terminal
    p = json.load(open(os.path.join(FIX, "single.json")))
    p["job"]["command"] = "evil\x1b[31mred\x07\u009b"
    p["files"][0]["path"] = "/tmp/a\nb\x1b]0;title\x07"
    json.dump(p, open(os.path.join(TMP, "ctl.json"), "w"))
    rc, out, err = run("report", "ctl.json")
    check(rc == 0, "report ctl.json failed: %r" % err)
    check(not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f]", out), "control characters reached the terminal")
    check("evil?[31mred??" in out, "escaped command not shown as expected")
    check("/tmp/a?b?]0;title?" in out, "escaped path not shown as expected")
    # threads in calls at the same time: more call time than the processes lived, and the
    # heading says so instead of calling 10 s the sum of a 2.5 s process's life
    p = json.load(open(os.path.join(FIX, "single.json")))
    p["totals"]["posix"]["write"]["seconds"] = 10.0
    json.dump(p, open(os.path.join(TMP, "threads.json"), "w"))
    rc, out, err = run("report", "threads.json")
    check(rc == 0 and "Time breakdown (summed over processes and their threads: 10." in out
          and "; the processes lived 2.50 s)" in out, "overlapping threads: rc %d %r %s" % (rc, err, out[:600]))
    rc, out, err = run("report", "threads.json", "-o", "-")
    check(rc == 0 and "(the processes lived 2.50 s: threads were in calls at the same time)" in out,
          "overlapping threads in HTML: rc %d %r" % (rc, err))
    # a process with no rank and an unknown exit status: "-" and "exited", never "-1";
    # no flags: "none" is not painted as a warning, a flag is
    p = json.load(open(os.path.join(FIX, "single.json")))
    p["processes"][0].update(rank=-1, state="exited", exit_status=-1)
    p["flags"] = []
    json.dump(p, open(os.path.join(TMP, "unknown.json"), "w"))
    rc, out, err = run("report", "unknown.json")
    row = next((l.split() for l in out.splitlines() if re.match(r"\s+%d\s" % p["processes"][0]["pid"], l)), None)
    check(rc == 0 and row is not None and row[1] == "-" and row[2] == "exited" and "-1" not in row,
          "process with no rank and no exit status: %r" % row)
    rc, out, err = run("report", "unknown.json", "-o", "-")
    check(rc == 0 and '<dd id="job-flags">none</dd>' in out, "flags none in HTML: %r" % re.findall(r"<dd[^>]*job-flags.*?</dd>", out))
    p["flags"] = ["file_table_overflow"]
    json.dump(p, open(os.path.join(TMP, "flagged.json"), "w"))
    rc, out, err = run("report", "flagged.json", "-o", "-")
    check(rc == 0 and '<dd class="flags" id="job-flags">file_table_overflow (numbers may be partial)</dd>' in out,
          "a flag in HTML: %r" % re.findall(r"<dd[^>]*job-flags.*?</dd>", out))


def t_help():
    for cmd in ("report", "diff"):
        rc, out, err = run(cmd, "--help")
        check(rc == 0 and out.startswith("usage: vigil %s" % cmd) and "Exit status" in out, "%s --help" % cmd)
    rc, out, err = run("report")
    check(rc == 2 and err.count("\n") == 1 and out == "", "report without a profile: rc %d %r" % (rc, err))
    rc, out, err = run("report", "--bogus", "x.json")
    check(rc == 2 and err.count("\n") == 1, "report --bogus: rc %d %r" % (rc, err))


CORRUPT = [  # (file content, expected stderr)
    ("not json at all", "vigil report: bad.json is not a vigil profile (not valid JSON: '[' or '{' expected near 'not' at line 1, column 3).\n"),
    ("", "vigil report: bad.json is not a vigil profile (the file is empty).\n"),
    (" \n\n", "vigil report: bad.json is not a vigil profile (the file is empty).\n"),
    ('{\n  "schema": "vigil-profile/1",\n  "generator": "vigil r',
     "vigil report: bad.json is not a vigil profile (not valid JSON: it ends early, at line 3, column 23: truncated?).\n"),
    ('{"schema": "vigil-profile/2"}', 'vigil report: bad.json is a vigil profile of another version (schema "vigil-profile/2"; '
     'this vigil reads "vigil-profile/1"): use the vigil that wrote it.\n'),
    ("[1,2]", "vigil report: bad.json is not a vigil profile (not a JSON object).\n"),
    ('{"name": "report"}', "vigil report: bad.json is not a vigil profile (schema is missing).\n"),
    ('{"schema": 3}', "vigil report: bad.json is not a vigil profile (schema is not a string).\n"),
    ('{"schema": "darshan/3.4"}', 'vigil report: bad.json is not a vigil profile (schema is "darshan/3.4", expected "vigil-profile/1").\n'),
    ('{"schema": "vigil-profile/1"}', "vigil report: bad.json is a corrupt vigil profile: generator is missing: expected a string.\n"),
]


def mutate(fn):
    p = json.load(open(os.path.join(FIX, "single.json")))
    fn(p)
    return json.dumps(p)


MUTATIONS = [
    (lambda p: p["totals"]["posix"]["write"].update(calls=-1), "totals.posix.write.calls is negative (-1)"),
    (lambda p: p["totals"]["posix"]["write"].update(calls="100"), "totals.posix.write.calls is not a number"),
    (lambda p: p["totals"]["posix"]["write"].update(seconds=-0.5), "totals.posix.write.seconds is not a finite non-negative number"),
    (lambda p: p["totals"]["posix"]["write"]["size_histogram"].pop(), "totals.posix.write.size_histogram has 31 elements instead of 32"),
    (lambda p: p["totals"]["posix"]["write"].update(errors=101), "totals.posix.write.errors (101) exceeds its calls (100)"),
    (lambda p: p["totals"]["posix"]["write"].update({"class": "metadata"}), 'totals.posix.write.class is "metadata" but write is of class data'),
    (lambda p: p["job"].pop("id"), "job.id is missing: expected a string"),
    (lambda p: p["job"].update(uid=-3), "job.uid is out of range (expected an integer from 0 to 4294967295)"),
    (lambda p: p["files"][0].update(layer="mpi"), "files[0].layer is not posix, stdio or mpiio"),
    (lambda p: p["files"][1].update(path="relative/path"), "files[1].path is neither an absolute path nor a pseudo file name"),
    (lambda p: p["files"][0].update(rank_min=-2), "files[0].rank_min is out of range (expected an integer from -1 to 2147483647)"),
    (lambda p: p["timeline"]["layers"]["posix"]["ops"].append(1), "timeline.layers.posix.ops has 9 elements but timeline.bins is 8"),
    (lambda p: p["timeline"].update(bins=65), "timeline.bins is out of range (expected an integer from 0 to 64)"),
    (lambda p: p["processes"][0].update(state="zombie"), "processes[0].state is not exited, killed, running or unmonitored"),
    (lambda p: p["processes"][0]["totals"]["posix"].update(read=[]), "processes[0].totals.posix.read is not an object"),
    (lambda p: p.update(flags="none"), "flags is not an array"),
    (lambda p: p.update(files={}), "files is not an array"),
    (lambda p: p["insights"][0].update(severity="bad"), "insights[].severity is not info, warning or critical"),
    (lambda p: p["insights"][0].update(rule=7), "insights[].rule is not a string"),
    (lambda p: p["insights"][0].pop("evidence"), "insights[].evidence is missing: expected a string"),
    (lambda p: p["insights"][0].update(first_fired=-1), "insights[0].first_fired is not a finite non-negative number"),
    (lambda p: p.pop("insights_config"), "insights_config is missing: expected an object"),
    (lambda p: p["insights_config"]["rules"]["small_writes"].update(enabled="yes"), "insights_config.rules.small_writes.enabled is not true or false"),
    (lambda p: p["insights_config"]["rules"]["small_writes"].update(min_ratio=-1), "insights_config.rules.small_writes.min_ratio is not a finite non-negative number"),
    (lambda p: p.update(insights_not_evaluated=[3]), "insights_not_evaluated[0] is not a string"),
]


def t_errors():
    for content, want in CORRUPT:
        with open(os.path.join(TMP, "bad.json"), "w") as f:
            f.write(content)
        rc, out, err = run("report", "bad.json")
        check(rc == 2 and out == "" and err == want, "corrupt %r: rc %d, stderr %r" % (content[:30], rc, err))
    for fn, what in MUTATIONS:
        with open(os.path.join(TMP, "bad.json"), "w") as f:
            f.write(mutate(fn))
        rc, out, err = run("report", "bad.json")
        want = "vigil report: bad.json is a corrupt vigil profile: %s.\n" % what
        check(rc == 2 and out == "" and err == want, "mutation %r: rc %d, stderr %r" % (what, rc, err))
    rc, out, err = run("report", "missing.json")
    check(rc == 2 and err == "vigil report: cannot read missing.json: No such file or directory.\n", "missing: %r" % err)
    os.mkdir(os.path.join(TMP, "adir"))
    rc, out, err = run("report", "adir")
    check(rc == 2 and err == "vigil report: cannot read adir: Is a directory.\n", "directory: %r" % err)
    # a file far too large is refused at once (by its size), not after reading gigabytes
    with open(os.path.join(TMP, "huge.json"), "w") as f:
        f.truncate(3 << 30)  # sparse
    t0 = time.time()
    rc, out, err = run("report", "huge.json")
    check(rc == 2 and err == "vigil report: cannot read huge.json: file too large (3.0 GiB; a profile is at most 2 GiB).\n"
          and time.time() - t0 < 2, "huge file: rc %d %r after %.1f s" % (rc, err, time.time() - t0))
    os.unlink(os.path.join(TMP, "huge.json"))
    # -o never destroys a profile: not the one read, not another one; the profile is intact after
    prof = fixture("single.json")
    before = open(os.path.join(TMP, prof), "rb").read()
    rc, out, err = run("report", prof, "-o", prof)
    check(rc == 1 and out == "" and err == "vigil report: refusing to write the HTML report over the profile single.json "
          "itself; name another file with -o (e.g. report.html).\n", "-o the input: rc %d %r" % (rc, err))
    other = fixture("single-b.json")
    rc, out, err = run("report", prof, "-o", other)
    check(rc == 1 and out == "" and err == "vigil report: refusing to overwrite single-b.json: it is a vigil profile; "
          "name another file with -o (e.g. report.html).\n", "-o another profile: rc %d %r" % (rc, err))
    check(open(os.path.join(TMP, prof), "rb").read() == before, "-o destroyed the profile")
    check(open(os.path.join(TMP, other), "rb").read().startswith(b"{"), "-o destroyed another profile")
    with open(os.path.join(TMP, "old.html"), "w") as f:
        f.write("<html>old report</html>")
    rc, out, err = run("report", prof, "-o", "old.html")
    check(rc == 0 and err == "" and "old report" not in open(os.path.join(TMP, "old.html")).read(),
          "-o over an old HTML report: rc %d %r" % (rc, err))
    # output that cannot be written: one sentence with the reason, non-zero exit, for every output
    if os.path.exists("/dev/full"):
        for args, want_rc, want in (
                (("report", prof), 1, "vigil report: cannot write to standard output: No space left on device.\n"),
                (("report", prof, "-o", "-"), 1, "vigil report: cannot write to standard output: No space left on device.\n"),
                (("diff", prof, prof), 2, "vigil diff: cannot write to standard output: No space left on device.\n"),
                (("report", prof, "-o", "/dev/full"), 1, "vigil report: cannot write /dev/full: No space left on device.\n")):
            with open("/dev/full", "w") as full:
                p = subprocess.run([VIGIL, *args], stdout=full, stderr=subprocess.PIPE, text=True, cwd=TMP)
            check(p.returncode == want_rc and p.stderr.startswith(want) and p.stderr.count("\n") == 1,
                  "%s > /dev/full: rc %d %r" % (" ".join(args), p.returncode, p.stderr))
        # a device named with -o is written in place, never replaced by a renamed file
        check(stat.S_ISCHR(os.stat("/dev/full").st_mode), "-o /dev/full replaced the device")
    # a regular file is written beside its name and renamed: no temporary file stays
    check(not [n for n in os.listdir(TMP) if n.startswith("old.html.")], "-o left a temporary file")
    # unknown keys, layers and operations are accepted (later minor versions)
    with open(os.path.join(TMP, "future.json"), "w") as f:
        f.write(mutate(lambda p: (p.update(new_section={"x": 1}), p["totals"].update(cuda={"cudaMemcpy": {}}),
                                  p["totals"]["posix"].update(io_uring_enter={"calls": 1}), p["flags"].append("new_flag"))))
    rc, out, err = run("report", "future.json")
    check(rc == 0 and err == "", "a profile with unknown keys was rejected: %r" % err)
    # diff reports the same sentences and exits 2
    with open(os.path.join(TMP, "bad.json"), "w") as f:
        f.write('{"schema": "darshan/3.4"}')
    rc, out, err = run("diff", fixture("single.json"), "bad.json")
    check(rc == 2 and err == 'vigil diff: bad.json is not a vigil profile (schema is "darshan/3.4", expected "vigil-profile/1").\n',
          "diff with a foreign B: rc %d %r" % (rc, err))


def t_diff():
    a, b = fixture("single.json"), fixture("single-b.json")
    rc, out, err = run("diff", a, b, "--fail-on", "posix.write.seconds>+10%", "--fail-on", "stdio.*.calls>+5",
                       "-f", "total.bytes<-10%", "-f", "metadata.calls>+20%", "-f", "posix.write.bytes>100KiB",
                       "-f", "posix.fsync.calls<-50%", "-f", "fwrite.bytes>=10B")
    check(rc == 1, "diff with broken rules: rc %d" % rc)
    golden("diff.txt", out)
    golden("diff.stderr", err)
    rc, out, err = run("diff", a, a)
    check(rc == 0 and err == "", "diff of a profile with itself: rc %d %r" % (rc, err))
    golden("diff-same.txt", out)


RULES = [  # (rule, expected exit status) for single.json -> single-b.json
    ("posix.write.seconds>+10%", 1), ("posix.write.seconds>+20%", 0), ("posix.write.seconds>=+20%", 1),
    ("posix.write.calls>+29%", 1), ("posix.write.calls>+30%", 0), ("posix.write.calls>29", 1), ("posix.write.calls>30", 0),
    ("metadata.calls>+0%", 0), ("posix.metadata.calls>=0", 1), ("stdio.*.calls>+5", 1), ("stdio.*.calls>+10", 0),
    ("total.bytes<-10%", 0), ("total.bytes>+19%", 1), ("total.bytes>+21%", 0), ("posix.fsync.calls<-99%", 1),
    ("posix.fsync.seconds<-0.2s", 1), ("posix.fsync.seconds<-300ms", 0), ("fsync.calls<0", 1), ("sync.seconds<-10%", 1),
    ("posix.write.bytes>120KiB", 0), ("posix.write.bytes>=120KiB", 1), ("mpi.calls>0", 0), ("*.calls>+50%", 1),
    ("*.calls>+100%", 0), ("stdio.calls>+90%", 1), ("posix.bytes_written>+29%", 1), ("posix.bytes_read>0", 0),
    ("stdio.fopen.calls>+0%", 0), ("mpiio.*.calls>0", 0), ("posix.errors>0", 0),
    # conditions joined by & must all hold: +20 % is also +2.5 ms
    ("posix.write.seconds>+10%&>+0.5s", 0), ("posix.write.seconds>+10%&>+1ms", 1), ("posix.write.seconds>+2ms&>+30%", 0),
    ("posix.write.calls>+10%&>=30&<+31%", 1), ("posix.write.seconds>+10%&", 2), ("posix.write.seconds>+10%&+1ms", 2),
    # bad rules: exit 2
    ("posix.write.seconds", 2), ("posix.wrte.calls>1", 2), ("posix.write.callz>1", 2), ("posix.write.calls>x", 2),
    ("posix.write.calls>10KiB", 2), ("posix.write.seconds>10KiB", 2), ("bogus.calls>1", 2), (">+10%", 2),
    ("posix.write.calls>", 2), ("a.b.c.calls>1", 2), ("posix.MPI_Send.calls>1", 2),
]


BAD_WORDS = {  # a bad rule's message names the word that is wrong
    "posix.wrte.calls>1": "'wrte'", "posix.write.callz>1": "'callz'", "posix.write.calls>x": "'x'",
    "bogus.calls>1": "'bogus'", "posix.write.seconds>10KiB": "'10KiB'", "posix.MPI_Send.calls>1": "'MPI_Send'",
    "a.b.c.calls>1": "'a.b.c'", "posix.write.seconds>+10%&+1ms": "'+1ms'", "posix.write.seconds": "no comparison",
}


def t_rules():
    a, b = fixture("single.json"), fixture("single-b.json")
    for rule, want in RULES:
        rc, out, err = run("diff", "-q", a, b, "--fail-on", rule)
        lines = err.count("\n")
        ok = rc == want and (want == 0 and err == "" or want != 0 and lines >= 1)
        if want == 2:
            ok = ok and lines == 1 and err.startswith("vigil diff: bad rule '%s': %s" % (rule, BAD_WORDS.get(rule, "")))
        check(ok, "rule %r: rc %d (want %d), stderr %r" % (rule, rc, want, err))
    # every broken rule gets its line; rules that hold print none
    rc, out, err = run("diff", "-q", a, b, "-f", "posix.write.calls>1", "-f", "total.bytes<-10%", "-f", "stdio.fwrite.bytes>1")
    check(rc == 1 and err.count("\n") == 2 and out == "", "two broken rules: rc %d %r" % (rc, err))
    rc, out, err = run("diff", a)
    check(rc == 2 and err.count("\n") == 1, "diff with one profile: rc %d %r" % (rc, err))


# ---------------------------------------------------------------------------
class Dom(html.parser.HTMLParser):
    """Collects elements with data-* attributes, text of ids, the JSON island."""

    def __init__(self):
        super().__init__()
        self.stack, self.elems, self.text, self.island, self.in_island = [], [], {}, None, False
        self.scripts = 0
        self.cur_ids = []
        self.all_text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elems.append((tag, a))
        if tag == "script":
            self.scripts += 1
            self.in_island = a.get("id") == "vigil-data"
        if "id" in a:
            self.cur_ids.append([a["id"], tag, ""])

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_island = False
        if self.cur_ids and self.cur_ids[-1][1] == tag:
            i, _, t = self.cur_ids.pop()
            self.text[i] = t

    def handle_data(self, data):
        self.all_text.append(data)
        if self.in_island:
            self.island = (self.island or "") + data
        for c in self.cur_ids:
            c[2] += data


def chromium(url, shot=None):
    return chromium_run(url, TMP, budget_ms=3000, window="1200,3000", timeout=60, shot=shot)


def near(a, b):
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def p_has_timeline(prof):
    """Plots the page draws over the timeline (one window each per finding)."""
    tl = prof.get("timeline", {})
    return 1 if tl.get("bins") and tl.get("layers") else 0


def html_check(name, prof_path, expect_hostile, lines=True):
    prof = json.load(open(os.path.join(TMP, prof_path)))
    out = os.path.join(TMP, name + ".html")
    rc, _, err = run("report", prof_path, "-o", out)
    check(rc == 0 and err == "", "report -o %s: rc %d %r" % (name, rc, err))
    raw = open(out).read()
    check(not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", raw), "%s: the page references something external" % name)
    dom, console = chromium("file://" + out)
    check(console == [], "%s: console messages: %r" % (name, console))
    d = Dom()
    d.feed(dom)
    check(d.elems and d.island, "%s: the page did not load" % name)
    body = [a for t, a in d.elems if t == "body"]
    island = json.loads(d.island)
    check(body and body[0].get("data-ready") == str(len(island["ops"])), "%s: the page script did not run" % name)
    # job header
    check(d.text.get("job-id") == prof["job"]["id"], "%s: job id on the page %r" % (name, d.text.get("job-id")))
    check(d.text.get("job-user", "").startswith(prof["job"]["user"]), "%s: user on the page" % name)
    # findings first (after the job header), one per stored finding, each window shaded on the timeline plots
    stored = prof.get("insights", [])
    shown = [a for t, a in d.elems if t == "div" and "finding" in a.get("class", "").split()]
    check([(a.get("data-rule"), a.get("data-severity")) for a in shown] == [(f["rule"], f["severity"]) for f in stored],
          "%s: findings on the page %r != stored %r" % (name, shown, stored))
    sections = [a.get("id") for t, a in d.elems if t == "section"]
    check(sections[:1] == ["findings"], "%s: the first section is %r, not the findings" % (name, sections[:1]))
    wins = [a.get("data-rule") for t, a in d.elems if t == "rect" and "win" in a.get("class", "").split()]
    want_wins = sorted(f["rule"] for f in stored if f["first_fired"] > 0)
    check(not wins or sorted(set(wins)) == sorted(set(want_wins)), "%s: timeline windows %r" % (name, wins))
    check(not want_wins or p_has_timeline(prof) <= len(wins), "%s: no window on the timeline" % name)
    # layer totals: the page equals the profile exactly
    rows = {}
    cur = None
    for t, a in d.elems:
        if t == "tr" and "data-layer" in a:
            cur = rows.setdefault(a["data-layer"], [])
        elif t == "tr":
            cur = None
        elif t == "td" and cur is not None and "data-v" in a:
            cur.append(float(a["data-v"]))
    for layer, ops in prof["totals"].items():
        calls = sum(o["calls"] for o in ops.values())
        errors = sum(o["errors"] for o in ops.values())
        secs = sum(o["seconds"] for o in ops.values())
        got = rows.get(layer)
        check(got is not None and got[0] == calls and got[1] == errors and near(got[4], secs),
              "%s: layer %s totals on the page %r != calls %d errors %d seconds %r" % (name, layer, got, calls, errors, secs))
        check(island["layers"][layer]["calls"] == calls and island["layers"][layer]["bytes"] == sum(o["bytes"] for o in ops.values()),
              "%s: island layer %s" % (name, layer))
    # per operation: table and the island equal the profile
    oprows = {}
    cur = None
    for t, a in d.elems:
        if t == "tr" and "data-op" in a and a["data-op"] not in oprows:
            cur = oprows.setdefault(a["data-op"], [])
        elif t == "tr":
            cur = None
        elif t == "td" and cur is not None and "data-v" in a:
            cur.append(float(a["data-v"]))
    nops = 0
    for layer, ops in prof["totals"].items():
        for op, v in ops.items():
            nops += 1
            got = oprows.get("%s.%s" % (layer, op))
            check(got and got[0] == v["calls"] and got[1] == v["errors"] and got[2] == v["bytes"] and near(got[3], v["seconds"]),
                  "%s: op %s.%s on the page %r" % (name, layer, op, got))
            iop = [o for o in island["ops"] if o["layer"] == layer and o["op"] == op]
            check(len(iop) == 1 and iop[0]["size_histogram"] == v["size_histogram"] and iop[0]["calls"] == v["calls"],
                  "%s: island op %s.%s" % (name, layer, op))
            # the histogram plot: bars from the first non-zero bucket
            hist = v["size_histogram"]
            if any(hist) and v["class"] == "data":
                svg_bars = []
                inside = False
                for t, a in d.elems:
                    if t == "svg":
                        inside = a.get("id") == "hist-%s-%s" % (layer, op)
                    elif inside and t == "rect":
                        svg_bars.append(float(a["data-v"]))
                first = next(i for i, x in enumerate(hist) if x)
                last = max(i for i, x in enumerate(hist) if x)
                check(svg_bars == [float(x) for x in hist[first:last + 1]],
                      "%s: histogram plot of %s.%s %r" % (name, layer, op, svg_bars))
    check(len(island["ops"]) == nops, "%s: island has %d ops, profile %d" % (name, len(island["ops"]), nops))
    # timeline: plotted series (per second) equal the profile's bins / bin_seconds
    tl = prof["timeline"]
    series = {a["data-series"]: [float(x) for x in a["data-values"].split()] for t, a in d.elems if t == "polyline"}
    for layer, cols in tl["layers"].items():
        for col, sname in (("ops", "ops"), ("bytes_read", "read"), ("bytes_written", "write")):
            key = "%s.%s" % (layer, sname)
            if key not in series:
                check(col != "ops" and not any(tl["layers"][layer]["bytes_read"] + tl["layers"][layer]["bytes_written"]),
                      "%s: no plotted series %s" % (name, key))
                continue
            got = series[key]
            want = [x / tl["bin_seconds"] for x in cols[col][:len(got)]]
            check(all(near(g, w) for g, w in zip(got, want)) and not any(cols[col][len(got):]),
                  "%s: timeline series %s" % (name, key))
            check(island["timeline"]["layers"][layer][col][:tl["bins"]] == cols[col], "%s: island timeline %s.%s" % (name, layer, col))
    # files: the top file row equals the profile's biggest file
    big = max(prof["files"], key=lambda f: (f["bytes_read"] + f["bytes_written"], f["seconds"]))
    check(big["path"] in "".join(d.all_text), "%s: top file path not on the page" % name)
    if expect_hostile:
        hostile = "<img src=x onerror=alert(1)>"
        check(hostile in "".join(d.all_text), "%s: the hostile file name is not shown as text" % name)
        check(not any(t == "img" for t, a in d.elems), "%s: the hostile file name became an element" % name)
    if prof.get("job", {}).get("ranks"):
        bal, inside = [], False
        for t, a in d.elems:
            if t == "svg":
                inside = a.get("id") == "plot-balance"
            elif inside and t == "rect":
                bal.append(a)
        check(len(bal) == 2 * len(prof["processes"]), "%s: per-rank plot has %d bars" % (name, len(bal)))
        for a in bal:
            p = prof["processes"][int(a["data-i"])]
            layers = ["posix", "stdio", "mpiio"] if a["data-series"] == "I/O" else ["mpi"]
            want = sum(o["seconds"] for l in layers for o in p["totals"].get(l, {}).values())
            check(near(float(a["data-v"]), want), "%s: per-rank bar %s %s" % (name, a["data-i"], a["data-series"]))
    os.makedirs(ART, exist_ok=True)
    shot = os.path.join(ART, "report-%s.png" % name)
    chromium("file://" + out, shot=shot)
    check(os.path.exists(shot) and os.path.getsize(shot) > 10000, "%s: no screenshot" % name)
    if lines:
        lines_visible(name, out)


# Appended to a copy of the page: only the timeline shown (it fits the screenshot), and what
# the browser computed for every plotted line.
PROBE = """<style>header,section:not(#timeline){display:none}</style><script>addEventListener('load', function () { var r = [];
document.querySelectorAll('svg').forEach(function (svg) { var b = svg.getBoundingClientRect();
svg.querySelectorAll('polyline').forEach(function (pl) { var cs = getComputedStyle(pl);
r.push({svg: svg.id, series: pl.dataset.series, points: pl.getAttribute('points'), fill: cs.fill, stroke: cs.stroke,
x: b.left + scrollX, y: b.top + scrollY, w: b.width, h: b.height}); }); });
document.body.setAttribute('data-probe', JSON.stringify(r)); });</script>"""


def lines_visible(name, out):
    """Every timeline line is a line (computed fill none), has its own colour, and its pixels are on screen."""
    try:
        from PIL import Image
    except ImportError:  # python3-pil (install-deps.sh) under a Python that is not Debian's
        sys.path.append("/usr/lib/python3/dist-packages")
        from PIL import Image
    probe_html = os.path.join(TMP, name + "-probe.html")
    with open(out) as f:
        page = f.read()
    with open(probe_html, "w") as f:
        f.write(page.replace("</body>", PROBE + "</body>"))
    dom, _ = chromium("file://" + probe_html)
    d = Dom()
    d.feed(dom)
    probe = json.loads(next(a for t, a in d.elems if t == "body").get("data-probe", "[]"))
    check(probe, "%s: no plotted lines found by the probe" % name)
    shot = os.path.join(TMP, name + "-probe.png")
    chromium("file://" + probe_html, shot=shot)
    img = Image.open(shot).convert("RGB")
    for svg in sorted({l["svg"] for l in probe}):
        lines = [l for l in probe if l["svg"] == svg]
        strokes = [l["stroke"] for l in lines]
        check(len(set(strokes)) == len(strokes), "%s: %s: two series share a colour: %r" % (name, svg, strokes))
        for k, l in enumerate(lines):
            check(l["fill"] == "none", "%s: %s %s is drawn with fill %s" % (name, svg, l["series"], l["fill"]))
            ys = [float(p.split(",")[1]) for p in l["points"].split()]
            if any(all(abs(a - b) < 2.5 for a, b in zip(ys, [float(p.split(",")[1]) for p in m["points"].split()]))
                   for m in lines[k + 1:]):
                continue  # a series drawn later lies on it (both near 0, say): nothing of it can show
            rgb = [int(v) for v in re.findall(r"\d+", l["stroke"])[:3]]
            x0, y0 = int(l["x"]), int(l["y"])
            if y0 + l["h"] > img.size[1]:
                check(False, "%s: %s is below the screenshot" % (name, svg))
                continue
            box = img.crop((x0, y0, x0 + int(l["w"]), y0 + int(l["h"])))
            seen = sum(n for n, c in box.getcolors(1 << 20) if max(abs(a - b) for a, b in zip(c, rgb)) <= 16)
            check(seen >= 20, "%s: %s: series %s (%s) shows %d pixels" % (name, svg, l["series"], l["stroke"], seen))


def timeline8():
    """single.json with read and write in all four layers: 8 series of distinct shapes on one plot."""
    p = json.load(open(os.path.join(FIX, "single.json")))
    tl = p["timeline"]
    n = tl["bins"]
    for k, layer in enumerate(("posix", "stdio", "mpi", "mpiio")):
        tl["layers"][layer] = {"ops": [10 + k] * n, "seconds": [0.001] * n,
                               "bytes_read": [1000.0 * ((i + 2 * k) % n + 1) for i in range(n)],
                               "bytes_written": [700.0 * ((n - i + 2 * k + 1) % n + 1) + 50 * k for i in range(n)]}
    json.dump(p, open(os.path.join(TMP, "timeline8.json"), "w"))
    return "timeline8.json"


def t_html():
    html_check("single", fixture("single.json"), True)
    html_check("timeline8", timeline8(), True)
    html_check("mpi4", gen(4, "mpi4.json"), False, lines=False)  # its lines: as single's


def t_real():
    """Profiles written by `vigil run` itself: chosen (timing-free) fields are exact."""
    outs = []
    for n, count in ((1, 16), (2, 32)):
        prof = os.path.join(TMP, "real%d.json" % n)
        env = dict(os.environ, VIGIL_JOB_ID="real-%d" % n)
        p = subprocess.run([VIGIL, "run", "--quiet", "--profile", prof, "--", "dd", "if=/dev/zero",
                            "of=" + os.path.join(TMP, "real.dat"), "bs=64k", "count=%d" % count],
                           capture_output=True, text=True, env=env, cwd=TMP)
        check(p.returncode == 0 and os.path.exists(prof), "vigil run failed: %r" % p.stderr)
        rc, out, err = run("report", prof)
        check(rc == 0 and err == "", "report of a real profile: rc %d %r" % (rc, err))
        w = next((l.split() for l in out.splitlines() if re.match(r"  posix +write +data ", l)), None)
        check(w is not None and w[3] == str(count) and w[4] == "0" and " ".join(w[5:7]) == "%.2f MiB" % (count / 16),
              "posix write line %r" % w)
        check(re.search(r"posix write +64K-128K: %d\n" % count, out) is not None, "write size histogram")
        check(os.path.basename(os.path.join(TMP, "real.dat")) in out, "the written file is not in the top files")
        rc, _, err = run("report", prof, "-o", os.path.join(TMP, "real.html"))
        check(rc == 0, "HTML of a real profile: %r" % err)
        outs.append(prof)
    rc, out, err = run("diff", "-q", outs[0], outs[1], "-f", "posix.write.calls>+99%", "-f", "posix.write.bytes<1MiB")
    check(rc == 1 and err.count("\n") == 1 and "posix.write calls went from 16 to 32 (+100.0 %)" in err,
          "diff of real profiles: rc %d %r" % (rc, err))
    rc, out, err = run("diff", "-q", outs[0], outs[1], "-f", "posix.write.calls>+100%")
    check(rc == 0 and err == "", "diff of real profiles, rule holds: rc %d %r" % (rc, err))
    # the README's CI example holds for two runs of the same program (run-to-run noise of a
    # short run is far below its 0.5 s floor)
    readme = open(os.path.join(SRC, "..", "..", "README.md")).read()
    m = re.search(r"^vigil diff run1\.json run2\.json --fail-on '([^']+)'", readme, re.M)
    check(m is not None, "no vigil diff example in the README")
    same = []
    for n in (1, 2):
        prof = os.path.join(TMP, "same%d.json" % n)
        p = subprocess.run([VIGIL, "run", "--quiet", "--profile", prof, "--", "dd", "if=/dev/zero",
                            "of=" + os.path.join(TMP, "same.dat"), "bs=4k", "count=256", "conv=fsync"],
                           capture_output=True, text=True, cwd=TMP)
        check(p.returncode == 0, "vigil run dd: %r" % p.stderr)
        same.append(prof)
    if m:
        rc, out, err = run("diff", "-q", same[0], same[1], "--fail-on", m.group(1))
        check(rc == 0 and err == "", "the README's rule %r on two runs of the same dd: rc %d %r" % (m.group(1), rc, err))


TESTS = {"real": t_real, "text": t_text, "help": t_help, "errors": t_errors, "diff": t_diff, "rules": t_rules, "html": t_html}

try:
    TESTS[TEST]()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
finish()
