#!/usr/bin/env python3
"""Checks the public site a build wrote (output/public/) the way its readers meet it.

1. QR codes: every page of every patient-facing PDF is rendered at 100 dpi (pdftoppm -r 100,
   about what a phone camera sees of a print) and decoded with zbarimg. Every leaflet (A5,
   large print, booklet) must carry a code, every poster page one; every code must decode to a
   short address <public-url><short>/ (a translation's: <public-url><short>/<lang>/) whose
   folder's index.html is on the public site.
2. Phone numbers: no phone number written in the project's settings or policies is broken
   across two lines in the text of a PDF (pdftotext -layout).
3. Short addresses on a plain static web server: the public site is served on 127.0.0.1 with
   Python's http.server, and every <short> (and <short>/<lang> of a translation) is fetched with
   and without its trailing slash; both
   must end on the page that opens the document, and that page must lead to a file that exists.

Usage: scripts/check-public-site.py [PROJECT_DIR] [PUBLIC_DIR]
  PROJECT_DIR defaults to the current folder (its policypress.yaml gives public-url);
  PUBLIC_DIR defaults to PROJECT_DIR/output/public.
Needs poppler-utils and zbar-tools (apt-get install -y poppler-utils zbar-tools).
Exits 1 on any problem, 2 on usage errors.
"""

import functools
import glob
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import urllib.request


def fail(message):
    print(f"FAIL {message}", file=sys.stderr)


def public_url_of(project):
    path = os.path.join(project, "policypress.yaml")
    if not os.path.exists(path):
        return None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^public-url:\s*['\"]?([^'\"#\s]+)", line)
        if m:
            url = m.group(1)
            return url if url.endswith("/") else url + "/"
    return None


def pages_of(pdf, workdir):
    for old in glob.glob(os.path.join(workdir, "p-*.png")):
        os.remove(old)
    subprocess.run(["pdftoppm", "-r", "100", "-png", pdf, os.path.join(workdir, "p")], check=True)
    return sorted(glob.glob(os.path.join(workdir, "p-*.png")))


def codes_on(png):
    out = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", png], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line.strip()]


def check_qr(public, public_url, workdir):
    problems, checked, decoded = 0, 0, 0
    for pdf in sorted(glob.glob(os.path.join(public, "**", "*.pdf"), recursive=True)):
        rel = os.path.relpath(pdf, public)
        audience = rel.split(os.sep)[0]
        if audience not in ("patient", "easy-read", "poster"):
            fail(f"{rel}: a PDF outside the patient-facing folders")
            problems += 1
            continue
        checked += 1
        pages = pages_of(pdf, workdir)
        found = []
        for number, png in enumerate(pages, 1):
            codes = codes_on(png)
            found.extend(codes)
            if audience == "poster" and not codes:
                fail(f"{rel}: page {number} has no QR code that decodes at 100 dpi")
                problems += 1
        if audience == "patient" and not found:
            fail(f"{rel}: no QR code decodes at 100 dpi")
            problems += 1
        for code in found:
            decoded += 1
            if not code.startswith(public_url):
                fail(f"{rel}: QR code {code!r} is not under public-url {public_url}")
                problems += 1
                continue
            rest = code[len(public_url):]
            if not re.fullmatch(SHORT, rest):
                fail(f"{rel}: QR code {code!r} is not a short address <public-url><short>/ or <public-url><short>/<lang>/")
                problems += 1
            elif not os.path.isfile(os.path.join(public, rest, "index.html")):
                fail(f"{rel}: QR code {code!r} leads to {rest}index.html, which the public site lacks")
                problems += 1
    print(f"check-public-site: {checked} PDFs rendered at 100 dpi, {decoded} QR codes decoded")
    return problems


# A short address, or a translation's: `phones/`, `phones/cy/`, `phones/zh-Hans/`.
SHORT = r"[a-z0-9-]+/(?:[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*/)?"

PHONE = re.compile(r"(?<![\w+-])(?:\+44 (?:\(0\))?|0)\d{2,4}(?: \d{3,4}){1,2}(?!\d)")


def known_numbers(project):
    numbers = set()
    files = [os.path.join(project, "policypress.yaml")]
    files += glob.glob(os.path.join(project, "content", "**", "*.md"), recursive=True)
    for path in files:
        if os.path.exists(path):
            numbers.update(PHONE.findall(open(path, encoding="utf-8").read()))
    return sorted(numbers)


def check_phone_lines(public, numbers):
    problems = 0
    for pdf in sorted(glob.glob(os.path.join(public, "**", "*.pdf"), recursive=True)):
        rel = os.path.relpath(pdf, public)
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout
        compact = re.sub(r"\s+", "", text)
        lines = [re.sub(r"[ \u00a0]+", " ", line) for line in text.splitlines()]
        for number in numbers:
            total = compact.count(number.replace(" ", ""))
            whole = sum(line.count(number) for line in lines)
            if total > whole:
                fail(f"{rel}: the phone number {number} is broken across lines {total - whole} time(s)")
                problems += 1
    print(f"check-public-site: {len(numbers)} phone numbers looked for on single lines")
    return problems


def check_static_server(public, public_url):
    problems = 0
    handler = functools.partial(QuietHandler, directory=public)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    shorts = sorted(
        d for d in os.listdir(public)
        if os.path.isfile(os.path.join(public, d, "index.html")) and d not in ("patient", "easy-read", "poster", "assets")
    )
    # A translation's short address, <short>/<lang>/, beside its policy's.
    shorts += sorted(
        f"{d}/{lang}"
        for d in shorts
        for lang in os.listdir(os.path.join(public, d))
        if lang != "easy-read" and re.fullmatch(SHORT, f"{d}/{lang}/")
        and os.path.isfile(os.path.join(public, d, lang, "index.html"))
    )
    try:
        for short in shorts:
            for address in (short, short + "/"):
                try:
                    with urllib.request.urlopen(base + address, timeout=10) as response:
                        final = response.geturl()
                        body = response.read().decode("utf-8")
                except Exception as e:  # noqa: BLE001 - report any failure to fetch
                    fail(f"{address}: the static server does not serve it ({e})")
                    problems += 1
                    continue
                m = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', body)
                if not final.endswith(short + "/") or not m:
                    fail(f"{address}: ended on {final}, not on the page that opens the document")
                    problems += 1
                    continue
                target = urllib.parse.urljoin(final, m.group(1))
                with urllib.request.urlopen(target, timeout=10) as response:
                    if response.status != 200:
                        fail(f"{address}: leads to {target}, status {response.status}")
                        problems += 1
    finally:
        server.shutdown()
    print(f"check-public-site: {len(shorts)} short addresses opened on a static server, with and without the slash")
    return problems


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    args = sys.argv[1:]
    project = args[0] if args else "."
    public = args[1] if len(args) > 1 else os.path.join(project, "output", "public")
    if not os.path.isdir(public):
        print(f"usage: {sys.argv[0]} [PROJECT_DIR] [PUBLIC_DIR]: no folder {public}", file=sys.stderr)
        return 2
    for tool in ("pdftoppm", "pdftotext", "zbarimg"):
        if shutil.which(tool) is None:
            print(f"check-public-site: {tool} is not installed (apt-get install -y poppler-utils zbar-tools)", file=sys.stderr)
            return 2
    public_url = public_url_of(project)
    problems = 0
    with tempfile.TemporaryDirectory() as workdir:
        if public_url is None:
            print("check-public-site: no public-url in policypress.yaml, so no QR codes to check")
        else:
            problems += check_qr(public, public_url, workdir)
    problems += check_phone_lines(public, known_numbers(project))
    problems += check_static_server(public, public_url)
    print(f"check-public-site: {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
