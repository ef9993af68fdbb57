"""What the Python test drivers share: one list of failed checks, and pages
loaded in a real headless Chromium.

Import it with
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    from pyhelpers import check, finish, chromium
"""
import subprocess
import sys
import tempfile

failures = []


def check(cond, msg):
    """Record (and print) a failed check; the test goes on."""
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def finish():
    """Exit 1 if any check failed, else print ok."""
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("ok")


def chromium(url, tmp, budget_ms, window, timeout, shot=None):
    """Load url in headless Chromium with a fresh profile under tmp.

    Returns (the DOM after budget_ms of virtual time, console and CSP lines);
    with shot, saves a screenshot there instead of dumping the DOM.
    """
    prof = tempfile.mkdtemp(prefix="chromium-", dir=tmp)
    args = ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + prof,
            "--enable-logging=stderr", "--log-level=0", "--virtual-time-budget=%d" % budget_ms,
            "--window-size=" + window]
    args += ["--screenshot=" + shot, "--hide-scrollbars"] if shot else ["--dump-dom"]
    p = subprocess.run(args + [url], capture_output=True, text=True, timeout=timeout)
    console = [l for l in p.stderr.splitlines() if ":CONSOLE" in l or "Refused to" in l]
    return p.stdout, console
