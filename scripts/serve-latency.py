#!/usr/bin/env python3
"""Measures a live-preview server: how long from start to the first page (with --start), and
from saving a one-word edit of a policy to the page showing it.

    serve-latency.py ROOT PORT POLICY.md [--page PATH] [--edits N] [--idle yes] [--out DIR] [--start CMD ...]

ROOT is the project (its content/ holds POLICY.md), PORT where the server answers, PATH the
page that shows the policy (default staff/<id>.html; for Hugo, <id>/). Each edit swaps one
word of the policy's text for a new token and polls PATH every 5 ms until it holds the token;
the policy is restored at the end. With --start, the rest of the line is the command that
starts the server (run from here; stopped at the end): the time to the first page of PATH is
reported, and the server's peak memory (VmHWM) and CPU seconds (user+sys, /proc) at the end.
With `--idle yes` (policypress only), each edit waits until the server has made everything of
the previous build (its PDFs and search index, made after the pages: /__policypress/status says
`pending` false), as when an author saves every few seconds. With `--out DIR` (for `policypress
watch`, which writes the output folder DIR), PATH is read from DIR instead of asked for over
HTTP (PORT is then unused). Works for `policypress serve` and `hugo server` alike. Standard
library only.
"""
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request


def fetch(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except Exception:
        return None, ""


def read_file(out, path):
    try:
        with open(os.path.join(out, path), encoding="utf-8", errors="replace") as fh:
            return 200, fh.read()
    except OSError:
        return None, ""


def wait_idle(port):
    """Waits until a policypress server has made every file of its last build."""
    import json
    deadline = time.perf_counter() + 600
    while time.perf_counter() < deadline:
        status, body = fetch(port, "__policypress/status")
        if status == 200 and not json.loads(body).get("pending", False):
            return
        time.sleep(0.05)
    sys.exit("the server never finished its build")


def proc_stats(pid):
    """Peak resident memory (MB) and CPU seconds of a process and its children so far."""
    hwm = 0
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1000
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / ticks
    except OSError:
        cpu = 0.0
    return hwm, cpu


def main():
    args = sys.argv[1:]
    start_cmd = None
    if "--start" in args:
        i = args.index("--start")
        start_cmd, args = args[i + 1:], args[:i]
    root, port, policy = args[0], args[1], args[2]
    opts = dict(zip(args[3::2], args[4::2]))
    policy_id = policy[:-3] if policy.endswith(".md") else policy
    page = opts.get("--page", f"staff/{policy_id}.html")
    edits = int(opts.get("--edits", "10"))
    idle = opts.get("--idle", "no") == "yes"
    out = opts.get("--out")
    get = (lambda path: read_file(out, path)) if out else (lambda path: fetch(port, path))
    path = os.path.join(root, "content", policy)
    original = open(path, encoding="utf-8").read()

    server = None
    if start_cmd:
        t0 = time.perf_counter()
        server = subprocess.Popen(start_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            status, _ = get(page)
            if status == 200:
                break
            if server.poll() is not None:
                sys.exit(f"the server stopped: {start_cmd}")
            time.sleep(0.01)
        print(f"start -> first page: {(time.perf_counter() - t0) * 1000:.0f} ms")
        time.sleep(1.0)

    # The body starts after the front matter; edit a word there.
    body_at = original.find("\n---", 4) + 4
    words = [m for m in re.finditer(r"\b[a-z]{6,}\b", original[body_at:])]
    if not words:
        sys.exit("no word to edit in the body")
    target = words[len(words) // 3]
    start, end = body_at + target.start(), body_at + target.end()
    times = []
    try:
        for i in range(edits):
            if idle:
                wait_idle(port)
            token = f"zqedit{i}x{os.getpid()}"
            t = time.perf_counter()
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(original[:start] + token + original[end:])
            deadline = t + 600
            while token not in get(page)[1]:
                if time.perf_counter() > deadline:
                    sys.exit("the edit never showed")
                time.sleep(0.005)
            times.append((time.perf_counter() - t) * 1000)
            time.sleep(0.3)
    finally:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(original)
    times.sort()
    print(
        f"save -> page shows the edit: median {times[len(times) // 2]:.0f} ms, "
        f"min {times[0]:.0f} ms, max {times[-1]:.0f} ms over {len(times)} edits"
    )
    if server:
        time.sleep(1.0)
        hwm, cpu = proc_stats(server.pid)
        print(f"server: peak memory {hwm:.0f} MB, {cpu:.1f} CPU s in all")
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
