#!/usr/bin/env python3
"""Bytes a first search fetches: opens staff/index.html?q=QUERY in headless Chromium, lets the
search run, reads which index files the page loaded (the <script> tags library.js added) and adds
up their sizes. Usage: firstquery.py OUTPUT_DIR QUERY..."""
import os, re, subprocess, sys, tempfile, urllib.parse
out = sys.argv[1]
for query in sys.argv[2:]:
    url = "file://" + os.path.abspath(out) + "/staff/index.html?q=" + urllib.parse.quote(query)
    dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run", "--disable-component-update", "--disable-sync", "--user-data-dir=" + tempfile.mkdtemp(),
        "--virtual-time-budget=8000", "--dump-dom", url], capture_output=True, text=True).stdout
    files = sorted(set(re.findall(r'<script src="search/([^"]+)"', dom)))
    sizes = {f: os.path.getsize(os.path.join(out, "staff/search", f)) for f in files}
    status = re.search(r'id="search-status"[^>]*>([^<]*)<', dom)
    kinds = {k: sum(v for f, v in sizes.items() if f[0] == k) for k in "mts"}
    print(f"{query!r}: {sum(sizes.values())} bytes in {len(files)} files (manifest {kinds['m']}, term shards {kinds['t']}, text chunks {kinds['s']}); {status.group(1) if status else '?'}")
