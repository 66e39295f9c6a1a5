#!/usr/bin/env python3
"""CommonMark conformance of the staff audience: every example of the CommonMark 0.31.2 spec
(npm package commonmark-spec, pinned in scripts/commonmark/package-lock.json) is built as the
body of a staff policy, and the staff page's body is compared with the spec's HTML.

    scripts/commonmark-spec.py [BINARY]      (default: target/release/policypress)

Installs the npm packages itself (npm ci) when they are missing. Prints the number of examples
that pass and of those the source format refuses by design, each by-design example by number
with its reason, and every failure with the difference. Exit status: 0 when every example passes
or is refused by design, 1 otherwise, 2 when the check could not run.

By design (docs/source-format.md):
  * raw HTML is not passed through: the build warns (located) and shows it as text, so the page
    must equal the spec's rendering with every raw-HTML node turned into text;
  * link and image destinations must be policies, http(s), mailto or tel addresses, and pictures
    PNG or JPEG files with alternative text under content/: anything else is a located error
    (file:line:col at the `[`, `!` or `<` that starts it).
Transformations the format documents are undone before comparing: headings are re-based so the
body starts at level 2 (h1 is the page title) and get ids; straight quotes and dashes are
printed typographically; pictures are copied under assets/; a code block's last line break is
not written.

As a second check, the examples refused for their link destinations are built again with each
destination made a web address (https://x.test/...), and compared with the reference renderer on
the same rewritten text: link titles and the rest of link syntax are checked behind the refusal.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
NPM_DIR = os.path.join(HERE, "commonmark")

FRONT_MATTER = """---
title: CommonMark example {n}
version: "1.0"
status: approved
approved-date: 2025-01-01
review-date: 2035-01-01
owner: CommonMark spec
---
"""
BODY_FIRST_LINE = FRONT_MATTER.count("\n") + 1

# ---------------------------------------------------------------------------------------------
# HTML as a tree, normalised as the spec's test/normalize.py normalises it.

VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "embed", "source", "track", "wbr"}
BLOCK = {"article", "header", "aside", "hgroup", "blockquote", "hr", "iframe", "body", "li", "map", "button",
         "object", "canvas", "ol", "caption", "output", "col", "p", "colgroup", "pre", "dd", "progress", "dl",
         "section", "dt", "table", "div", "tbody", "embed", "textarea", "fieldset", "tfoot", "figcaption", "th",
         "figure", "thead", "footer", "tr", "form", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "video", "script",
         "style"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class Element:
    def __init__(self, tag, attrs):
        self.tag, self.attrs, self.children = tag, dict(attrs), []


class Tree(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", [])
        self.stack = [self.root]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, [(k, v or "") for k, v in attrs])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, [(k, v or "") for k, v in attrs]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
        self.stack[-1].children.append("</%s>" % tag)

    def handle_data(self, data):
        kids = self.stack[-1].children
        if kids and isinstance(kids[-1], str):
            kids[-1] += data
        else:
            kids.append(data)


def walk(node, visit, ancestors=()):
    visit(node, ancestors)
    for child in node.children:
        if isinstance(child, Element):
            walk(child, visit, ancestors + (node,))


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def serialise(root):
    """Whitespace collapsed outside <pre> and dropped next to block tags, attributes sorted,
    URLs percent-encoded one way: the rules of the spec's normalize.py."""
    out, last, last_tag, in_pre = [], "start", "", False

    def text_of(parts):
        return "".join(parts)

    def tokens(node):
        for child in node.children:
            if isinstance(child, Element):
                yield ("void" if child.tag in VOID else "start", child)
                if child.tag not in VOID:
                    yield from tokens(child)
                    yield ("end", child)
            else:
                yield ("text", child)

    for kind, item in tokens(root):
        if kind in ("start", "void"):
            if item.tag == "pre" and kind == "start":
                in_pre = True
            if item.tag in BLOCK:
                out = [text_of(out).rstrip()]
            attrs = ""
            for key in sorted(item.attrs):
                value = item.attrs[key]
                if key in ("href", "src"):
                    value = urllib.parse.quote(urllib.parse.unquote(value), safe="/:?#[]@!$&'()*+,;=~")
                attrs += ' %s="%s"' % (key, escape(value))
            out.append("<%s%s>" % (item.tag, attrs))
            last, last_tag = ("start" if kind == "start" else "end"), item.tag
        elif kind == "end":
            if item.tag == "pre":
                in_pre = False
            elif item.tag in BLOCK:
                out = [text_of(out).rstrip()]
            out.append("</%s>" % item.tag)
            last, last_tag = "end", item.tag
        else:
            data = item
            after_tag = last in ("start", "end")
            if after_tag and last_tag == "br":
                data = data.lstrip("\n")
            if not in_pre:
                data = re.sub(r"\s+", " ", data)
            if after_tag and last_tag in BLOCK and not in_pre:
                data = data.lstrip() if last == "start" else data.strip()
            out.append(escape(data))
            last = "data"
    return text_of(out).strip()


# ---------------------------------------------------------------------------------------------
# What the format does by design, undone.

TYPOGRAPHY = [("\u201c", '"'), ("\u201d", '"'), ("\u2018", "'"), ("\u2019", "'"), ("\u2026", "..."),
              ("\u2014", "---"), ("\u2013", "--")]


def undo_typography(root):
    def visit(node, ancestors):
        if node.tag in ("code", "pre") or any(a.tag in ("code", "pre") for a in ancestors):
            return
        for i, child in enumerate(node.children):
            if isinstance(child, str):
                for curly, straight in TYPOGRAPHY:
                    child = child.replace(curly, straight)
                node.children[i] = child
    walk(root, visit)


def ours_as_commonmark(html):
    """Our page body with heading ids and the assets/ folder of pictures taken out."""
    root = Tree(html).root

    def visit(node, _):
        if node.tag in HEADINGS:
            node.attrs.pop("id", None)
        if node.tag == "img" and node.attrs.get("src", "").startswith("../assets/content/"):
            node.attrs["src"] = node.attrs["src"][len("../assets/content/"):]
    walk(root, visit)
    undo_typography(root)
    return serialise(root)


def reference_as_designed(html):
    """The reference with the format's documented changes applied: every heading, nested ones
    too, re-based so the shallowest is level 2 (clamped to 2..6); one line break fewer at the end
    of each code block."""
    root = Tree(html).root
    found = []

    def visit(node, ancestors):
        if node.tag in HEADINGS:
            found.append(node)
        if node.tag == "code" and ancestors and ancestors[-1].tag == "pre" and node.children:
            last = node.children[-1]
            if isinstance(last, str) and last.endswith("\n"):
                node.children[-1] = last[:-1]
    walk(root, visit)
    if found:
        top = min(int(h.tag[1]) for h in found)
        for h in found:
            h.tag = "h%d" % max(2, min(6, int(h.tag[1]) + 2 - top))
    undo_typography(root)
    return serialise(root)


# ---------------------------------------------------------------------------------------------
# Building

DIAGNOSTIC = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>.*)$")
BODY = re.compile(r'<div class="policy-body">\n(.*?)\n</div>\s*</article>', re.S)

DESTINATION_REFUSALS = [
    "which is not a policy",
    "unsupported link address",
    "leaves the `content/` folder",
    "link to a missing section",
    "link to a missing policy",
    "has no alternative text",
    "is not a file in `content/`",
    "image path",
    "image not found",
    "is not a PNG or JPEG",
]


def build(binary, work, number, markdown):
    root = os.path.join(work, "ex-%04d" % number)
    os.makedirs(os.path.join(root, "content"))
    with open(os.path.join(root, "content", "ex.md"), "w", encoding="utf-8") as f:
        f.write(FRONT_MATTER.format(n=number) + markdown)
    run = subprocess.run([binary, "build", "--root", root, "--today", "2026-01-01"], capture_output=True, text=True)
    diagnostics = []
    for line in run.stderr.splitlines():
        m = DIAGNOSTIC.match(line)
        if m:
            diagnostics.append({"line": int(m["line"]), "col": int(m["col"]), "sev": m["sev"], "msg": m["msg"],
                                "file": m["file"]})
        elif line.startswith("  hint: ") and diagnostics:
            diagnostics[-1]["hint"] = line[8:]
    body = None
    page = os.path.join(root, "output", "staff", "ex.html")
    if run.returncode == 0 and os.path.exists(page):
        with open(page, encoding="utf-8") as f:
            m = BODY.search(f.read())
        body = m.group(1) if m else None
    shutil.rmtree(root)
    return {"rc": run.returncode, "stderr": run.stderr, "diagnostics": diagnostics, "body": body}


def located(diagnostic, markdown, starts):
    """A diagnostic names the policy file, a line of the body and the column of a character
    that can start the construct."""
    lines = markdown.split("\n")
    index = diagnostic["line"] - BODY_FIRST_LINE
    if diagnostic["file"] != "content/ex.md" or not 0 <= index < len(lines) or "hint" not in diagnostic:
        return False
    line = lines[index]
    return 0 <= diagnostic["col"] - 1 < len(line) and line[diagnostic["col"] - 1] in starts


ALLOWED = re.compile(r"(?i)^(https?://|mailto:|tel:)")


def refusable(html):
    """Whether the spec's rendering has a link the format refuses (not http(s), mailto or tel)
    or a picture (these examples have no picture files)."""
    found = []

    def visit(node, _):
        if node.tag == "img" or (node.tag == "a" and not ALLOWED.match(node.attrs.get("href", ""))):
            found.append(node)
    walk(Tree(html).root, visit)
    return bool(found)


def judge(example, result):
    """('pass' | 'by design' | 'fail', reason)."""
    markdown = example["markdown"]
    errors = [d for d in result["diagnostics"] if d["sev"] == "error"]
    if result["rc"] == 1 and errors:
        unexpected = [d for d in errors if not any(n in d["msg"] for n in DESTINATION_REFUSALS)]
        if unexpected:
            return "fail", "error: " + unexpected[0]["msg"]
        badly = [d for d in errors if not located(d, markdown, "[!<")]
        if badly:
            return "fail", "refusal not located at the link or image: %s:%s: %s" % (
                badly[0]["line"], badly[0]["col"], badly[0]["msg"])
        reference = example["as_text"] if example["has_raw_html"] else example["html"]
        if not refusable(reference):
            return "fail", "refused, but every destination is one the format allows: " + errors[0]["msg"]
        reasons = sorted({re.sub(r"`[^`]*`", "`…`", d["msg"]) for d in errors})
        return "by design", "refused destination (" + "; ".join(reasons) + ")"
    if result["rc"] != 0:
        return "fail", "exit status %d: %s" % (result["rc"], result["stderr"].strip()[-300:])
    if result["body"] is None:
        return "fail", "no policy body on the staff page"
    reference = example["as_text"] if example["has_raw_html"] else example["html"]
    ours, expected = ours_as_commonmark(result["body"]), reference_as_designed(reference)
    if ours != expected:
        return "fail", difference(expected, ours)
    if example["has_raw_html"]:
        warned = [d for d in result["diagnostics"] if "raw HTML is not passed through" in d["msg"]]
        if not warned or not all(located(d, markdown, "<") for d in warned):
            return "fail", "raw HTML shown as text without a located warning"
        return "by design", "raw HTML is shown as text, with a located warning"
    return "pass", ""


def difference(expected, ours, width=160):
    a, b = re.findall(r"<[^>]*>|[^<]+", expected), re.findall(r"<[^>]*>|[^<]+", ours)
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    q = 0
    while q < min(len(a), len(b)) - p and a[-1 - q] == b[-1 - q]:
        q += 1
    cut = lambda x: (x if len(x) <= width else x[:width] + "…").replace("\n", "\\n")  # noqa: E731
    return "expected %s / got %s" % (cut("".join(a[p:len(a) - q])) or "(nothing)",
                                     cut("".join(b[p:len(b) - q])) or "(nothing)")


WEB = re.compile(r"(?i)(https?://|mailto:|tel:)")


def with_web_destinations(markdown):
    """Every link destination (inline and in definitions) made a web address, unless it is one."""
    def prefix(m):
        return m.group(1) + ("" if WEB.match(m.group(2)) else "https://x.test/")
    markdown = re.sub(r"(\]\([ \t]*(?:\n[ \t]*)?<?)(?=([^\s)>]*))", prefix, markdown)
    return re.sub(r"(\]:[ \t]*(?:\n[ \t]*)?<?)(?=([^\s>]*))", prefix, markdown)


def node(args):
    subprocess.run(["node", os.path.join(NPM_DIR, "reference.mjs")] + args, check=True, cwd=NPM_DIR)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/policypress")
    if not os.access(binary, os.X_OK):
        print("commonmark-spec: no binary at %s; run `cargo build --release` first" % binary, file=sys.stderr)
        return 2
    if not os.path.isdir(os.path.join(NPM_DIR, "node_modules", "commonmark-spec")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], check=True, cwd=NPM_DIR)
    work = tempfile.mkdtemp(prefix="policypress-commonmark-")
    try:
        spec_json = os.path.join(work, "spec.json")
        node([spec_json])
        with open(spec_json) as f:
            examples = json.load(f)
        with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            results = list(pool.map(lambda e: build(binary, work, e["number"], e["markdown"]), examples))
        verdicts = [judge(e, r) for e, r in zip(examples, results)]

        # Behind the refusals: the link-refused examples with web destinations.
        refused = [e for e, (v, why) in zip(examples, verdicts) if v == "by design" and "refused" in why]
        rewritten = [{"number": e["number"], "markdown": with_web_destinations(e["markdown"])} for e in refused]
        rewritten = [r for r, e in zip(rewritten, refused) if r["markdown"] != e["markdown"]]
        behind = []
        if rewritten:
            in_json, out_json = os.path.join(work, "rewritten-in.json"), os.path.join(work, "rewritten.json")
            with open(in_json, "w") as f:
                json.dump(rewritten, f)
            node([out_json, in_json])
            with open(out_json) as f:
                again = json.load(f)
            for e in again:
                e["html"] = e["as_text"]
            with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
                built = list(pool.map(lambda e: build(binary, work, e["number"], e["markdown"]), again))
            behind = [(e["number"], judge(e, r)) for e, r in zip(again, built)]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    counts = {"pass": 0, "by design": 0, "fail": 0}
    by_reason, failures = {}, []
    for e, (verdict, why) in zip(examples, verdicts):
        counts[verdict] += 1
        if verdict == "by design":
            by_reason.setdefault(why, []).append(e["number"])
        elif verdict == "fail":
            failures.append("  %d (%s): %s" % (e["number"], e["section"], why))
    behind_counts = {"pass": 0, "by design": 0, "fail": 0}
    for number, (verdict, why) in behind:
        behind_counts[verdict] += 1
        if verdict == "fail":
            failures.append("  %d, destinations made web addresses: %s" % (number, why))

    print("CommonMark %s spec, %d examples as staff policy bodies: %d pass, %d by design, %d fail"
          % ("0.31.2", len(examples), counts["pass"], counts["by design"], counts["fail"]))
    print("by design (docs/source-format.md), by number:")
    for why, numbers in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print("  %s (%d): %s" % (why, len(numbers), ", ".join(map(str, numbers))))
    print("behind the refusals, %d examples with their link destinations made web addresses: "
          "%d pass, %d by design (still refused: pictures), %d fail"
          % (len(behind), behind_counts["pass"], behind_counts["by design"], behind_counts["fail"]))
    if failures:
        print("failures:")
        print("\n".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
