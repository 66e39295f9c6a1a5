#!/usr/bin/env python3
"""Measures serve latency: saves a policy and polls /__policypress/status until the build
generation changes. Usage: serve-latency.py ROOT PORT POLICY.md (serve must be running)."""
import json, subprocess, sys, time, urllib.request, shutil, os
root = sys.argv[1]; port = sys.argv[2]; policy = sys.argv[3]
def status():
    return json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/__policypress/status"))["generation"]
times = []
path = os.path.join(root, "content", policy)
text = open(path).read()
for i in range(10):
    g = status()
    t = time.perf_counter()
    open(path, "w").write(text + f"\nEdit number {i}.\n")
    while status() == g:
        time.sleep(0.002)
    times.append((time.perf_counter() - t) * 1000)
    time.sleep(0.2)
open(path, "w").write(text)
times.sort()
print(f"save -> rebuilt page served: median {times[len(times)//2]:.0f} ms, max {max(times):.0f} ms over {len(times)} edits")
