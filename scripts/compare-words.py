#!/usr/bin/env python3
"""compare-words.py - check that the words a PDF's tag tree reads out are words printed on its pages.

    compare-words.py [--reverse] [--allow WORD]... [--json] file.pdf...

For each PDF this takes
  * the tag-tree text:  `pdfinfo -struct-text file.pdf`  (poppler: the text of each structure
    element's marked content, i.e. what a structure-aware reader or screen reader gets), and
  * the page text:      `pdftotext -bbox-layout file.pdf -`  (poppler's geometric word finder:
    the same words `pdftotext -raw` prints, plus their boxes and lines),
and reports every tag-tree word that is not on the page, e.g. words run together at a soft line
break ("inhospital") or a contents entry glued to its page number ("Purpose3").

Exit status: 0 every file matches, 1 at least one mismatch, 2 a file could not be checked
(poppler-utils missing, unreadable PDF, or no tag tree).

Design notes (so it can gate CI without false alarms):
  * Words are whitespace-separated tokens with leading/trailing punctuation stripped, so
    "hospital.Next" (two sentences run together) is caught but "hospital." matches "hospital".
  * Counts matter: a tag-tree word must not occur more often than on the page, so "in"+"to"
    run together into "into" is caught even when "into" is also printed elsewhere.
  * Both sides are NFKC-normalised and case-folded: ligature glyphs (U+FB01 "fi" etc.), full-width
    forms and no-break spaces compare equal to their plain forms; curly apostrophes equal "'".
  * Soft hyphens (U+00AD) and zero-width characters are removed from the tag-tree text.
    On the page, a line ending in "-", U+00AD or U+2010 may be joined to the first word of the
    next line (hyphenation), with or without the hyphen.
  * Right-to-left text (Arabic, Urdu, Hebrew) is drawn in reading order, each glyph moved back to
    its place, and poppler's geometric word finder then gives it letter by letter: a run of
    right-to-left pieces on a line that almost touch is joined right to left into one word.
  * A line whose last word looks like part of an address (ends in "/", contains "@", "://",
    "www." or an inner dot) may be joined to the next line's first word: addresses wrap
    without a space.
  * Two words on the same page line that poppler split although they almost touch (gap under
    0.15 of the text height: a bold part inside a word, a kerning jump) may be joined too.
    A real gap, such as the one between a contents title and its page number, is never joined.
  * Page furniture marked as Artifact (page numbers, running headers) is on the page and not in
    the tag tree: that direction is only reported with --reverse and never fails the check.
  * Alt and ActualText of structure elements are not printed by pdfinfo -struct-text, so
    figure descriptions are neither compared nor reported.
  * Words that legitimately exist only in the tag tree (an ActualText expansion, say) can be
    accepted with --allow WORD.
"""

from __future__ import annotations

import argparse
import collections
import html
import json
import re
import shutil
import subprocess
import sys
import unicodedata

INLINE = {
    "Span", "Link", "Quote", "Reference", "BibEntry", "Code", "Note", "Annot", "Ruby", "RB",
    "RT", "RP", "Warichu", "WT", "WP", "Em", "Strong", "Sub",
}
ZERO_WIDTH = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})
HYPHENS = ("-", "\u00ad", "\u2010", "\u2011")
EDGE_PUNCT = "\"'()[]{}<>.,;:!?\u060c\u061b\u061f\u06d4\u2026*\u201c\u201d\u201e\u00ab\u00bb\u2039\u203a\u2022\u00b7\u2013\u2014/\\|"
TIGHT_GAP = 0.15  # fraction of the text height below which two page words are one
LETTER_GAP = 0.05  # fraction of the text height below which right-to-left letters touch
MARKLESS = "\x00"  # prefix of the joins of right-to-left letters compared without their marks


class CheckError(Exception):
    pass


def run(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False)
    except FileNotFoundError as e:
        raise CheckError(f"{cmd[0]} not found (install poppler-utils)") from e
    if proc.returncode != 0:
        raise CheckError(f"{' '.join(cmd)} failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout.decode("utf-8", "replace")


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(APOSTROPHES)


def token(word: str) -> str:
    """The comparable form of one whitespace-separated word ('' for pure punctuation)."""
    return word.strip(EDGE_PUNCT).casefold()


# ----- tag tree ---------------------------------------------------------------------------------

ELEM = re.compile(r"^(?P<indent> *)(?P<name>[A-Za-z][\w.:-]*)(?: \((?P<placement>block|inline)\))?:?\s*$")
TEXT_START = re.compile(r'^(?P<indent> *)"')


def tag_tree_blocks(pdf: str) -> list[str]:
    """The tag tree's text as blocks: a block element's text is one block; the text of inline
    elements (Link, Span, ...) and of consecutive marked-content sequences is joined with no
    separator, as an assistive technology joins it."""
    out = run(["pdfinfo", "-struct-text", pdf])
    lines = out.splitlines()
    if not any(ELEM.match(l) for l in lines):
        raise CheckError("no tag tree (pdfinfo -struct-text printed no structure)")
    # Tree from indentation: node = [name, inline, kids], kids are nodes or strings.
    root: list = ["#root", False, []]
    stack: list[tuple[int, list]] = [(-1, root)]
    i = 0
    while i < len(lines):
        line = lines[i]
        m = TEXT_START.match(line)
        if m:
            indent = len(m.group("indent"))
            body = line[m.end():]
            # Text may contain newlines: read on until a line that ends the quoted string.
            while not body.rstrip().endswith('"') and i + 1 < len(lines):
                i += 1
                body += "\n" + lines[i]
            body = body.rstrip()[:-1] if body.rstrip().endswith('"') else body
            while stack[-1][0] >= indent:
                stack.pop()
            stack[-1][1][2].append(body)
            i += 1
            continue
        m = ELEM.match(line)
        if m and not line.lstrip().startswith("Object "):
            indent = len(m.group("indent"))
            name = m.group("name")
            inline = m.group("placement") == "inline" or (m.group("placement") is None and name in INLINE)
            node = [name, inline, []]
            while stack[-1][0] >= indent:
                stack.pop()
            stack[-1][1][2].append(node)
            stack.append((indent, node))
        i += 1  # attribute lines ("/Scope /Row"), "Object N 0" (annotations) and others are skipped

    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append("".join(current))
            current.clear()

    def walk(node: list) -> None:
        for kid in node[2]:
            if isinstance(kid, str):
                current.append(kid)
            elif kid[1]:
                walk(kid)
            else:
                flush()
                walk(kid)
                flush()

    walk(root)
    flush()
    return blocks


# ----- page text --------------------------------------------------------------------------------

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', re.S)
LINE = re.compile(r"<line [^>]*>(.*?)</line>", re.S)


def page_lines(pdf: str) -> list[list[tuple[str, float, float, float, float, int]]]:
    """Lines of (word, xMin, xMax, height, yMin, page) in poppler's reading order, all pages."""
    out = run(["pdftotext", "-enc", "UTF-8", "-bbox-layout", pdf, "-"])
    lines = []
    for number, page in enumerate(out.split("<page ")[1:]):
        for lm in LINE.finditer(page):
            words = []
            for wm in WORD.finditer(lm.group(1)):
                x0, y0, x1, y1 = map(float, wm.groups()[:4])
                words.append((norm(html.unescape(wm.group(5))), x0, x1, y1 - y0, y0, number))
            if words:
                lines.append(words)
    return lines


def add(joins: collections.Counter, word: str) -> None:
    joins[word] += 1


def is_mark(text: str) -> bool:
    """True for a piece that is only combining marks."""
    t = text.strip()
    return bool(t) and all(unicodedata.category(c) == "Mn" for c in t)


def add_chain(joins: collections.Counter, chain: list[tuple], marks: list[tuple]) -> None:
    """The word a chain of touching right-to-left letters spells, read right to left."""
    if len(chain) < 2:
        return
    word = ""
    for letter in reversed(chain):
        word += letter[0].strip()
        for mark in marks:
            middle = (mark[1] + mark[2]) / 2
            if letter[1] <= middle <= letter[2]:
                word += mark[0].strip()
    add(joins, token(word.translate(ZERO_WIDTH)))
    # Where a mark sits says little of where it is written (tanween over the alef after it).
    bare = "".join(letter[0].strip() for letter in reversed(chain))
    add(joins, MARKLESS + token(bare.translate(ZERO_WIDTH)))


def without_marks(word: str) -> str:
    return "".join(c for c in word if unicodedata.category(c) != "Mn")


def rtl(text: str) -> bool:
    """True for a piece of a right-to-left script (bidi classes R and AL)."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def looks_like_address(fragment: str) -> bool:
    f = fragment.rstrip(EDGE_PUNCT.replace("/", ""))
    return f.endswith("/") or "@" in f or "://" in f or f.lower().startswith("www.") or bool(
        re.search(r"\w\.\w", f)
    )


def page_vocabulary(lines) -> tuple[collections.Counter, collections.Counter]:
    """Counts of page words, and the extra words that joins make acceptable (with how often)."""
    counts: collections.Counter = collections.Counter()
    joins: collections.Counter = collections.Counter()
    for n, line in enumerate(lines):
        for w, *_ in line:
            # A word can carry spaces of its own (ActualText "in " on a marked-content span).
            for part in w.translate(ZERO_WIDTH).split():
                t = token(part)
                if t:
                    counts[t] += 1
        # Same-line pieces that almost touch.
        for (a, _, a_x1, a_h, *_), (b, b_x0, _, b_h, *_) in zip(line, line[1:]):
            if b_x0 - a_x1 < TIGHT_GAP * max(a_h, b_h):
                add(joins, token((a.rstrip() + b.lstrip()).translate(ZERO_WIDTH)))
        # Across the line break: hyphenation and addresses only.
        if n + 1 < len(lines):
            last, first = line[-1][0].strip(), lines[n + 1][0][0].strip()
            if last.endswith(HYPHENS):
                stem = last.rstrip("".join(HYPHENS))
                add(joins, token(stem + first))
                add(joins, token(last.replace("\u00ad", "-") + first))
            elif looks_like_address(last):
                add(joins, token(last + first))
    # Right-to-left letters that touch, read right to left, on each row of a page (poppler may
    # put a letter with a mark on a line of its own); a mark (harakat, shadda) after the letter
    # it sits on.
    rows: list[list[tuple]] = []
    for piece in sorted((p for line in lines for p in line), key=lambda p: (p[5], p[4] + p[3])):
        top, bottom = piece[4], piece[4] + piece[3]
        row = rows[-1] if rows else None
        if row and row[0][5] == piece[5]:
            r_top, r_bottom = row[0][4], row[0][4] + row[0][3]
            overlap = min(bottom, r_bottom) - max(top, r_top)
            if overlap > 0.5 * min(piece[3], row[0][3]):
                row.append(piece)
                continue
        rows.append([piece])
    for row in rows:
        marks = [w for w in row if is_mark(w[0])]
        letters = sorted((w for w in row if not is_mark(w[0])), key=lambda w: w[1])
        chain: list[tuple] = []
        previous = None
        for piece in letters:
            text, x0, h = piece[0], piece[1], piece[3]
            touching = previous is not None and x0 - previous[2] < LETTER_GAP * max(h, previous[3])
            if not (touching and rtl(text) and chain):
                add_chain(joins, chain, marks)
                chain = []
            if rtl(text):
                chain.append(piece)
            previous = piece
        add_chain(joins, chain, marks)
    return counts, joins


# ----- comparison -------------------------------------------------------------------------------


def segment(word: str, counts: collections.Counter) -> list[str] | None:
    """`word` as the fewest page words (at most 4), or None."""
    best: dict[int, list[str]] = {0: []}
    for end in range(1, len(word) + 1):
        for start in range(end):
            if start in best and len(best[start]) < 4:
                piece = token(word[start:end])
                if piece and counts[piece] and (end not in best or len(best[start]) + 1 < len(best[end])):
                    best[end] = best[start] + [piece]
    return best.get(len(word)) if len(best.get(len(word), [])) > 1 else None


def explain(word: str, counts: collections.Counter, lines) -> str:
    """Why a word is not on the page, when it is page words run together."""
    parts = segment(word, counts)
    if parts is None:
        return "not printed on any page"
    joined = " + ".join(repr(p) for p in parts)
    # Where do the first two parts meet on the page: across a line break, or on one visual line
    # separated only by position (a right-aligned page number, a tab stop)?
    a, b = parts[0], parts[1]
    for line, following in zip(lines, lines[1:]):
        if token(line[-1][0]) == a and token(following[0][0]) == b:
            last, first = line[-1], following[0]
            same_row = last[5] == first[5] and abs(last[4] - first[4]) < 0.5 * max(last[3], first[3])
            if same_row:
                return f"{joined} run together: on the page they are apart by position only (no space character)"
            return f"{joined} run together at a line break"
    return f"{joined} run together with no space"


def check(pdf: str, allow: set[str], reverse: bool) -> dict:
    blocks = tag_tree_blocks(pdf)
    lines = page_lines(pdf)
    counts, joins = page_vocabulary(lines)
    tag_counts: collections.Counter = collections.Counter()
    where: dict[str, str] = {}
    for block in blocks:
        for raw in norm(block).translate(ZERO_WIDTH).split():
            t = token(raw)
            if t:
                tag_counts[t] += 1
                where.setdefault(t, block)
    problems = []
    for t, n in sorted(tag_counts.items()):
        if t in allow or n <= counts[t]:
            continue
        if counts[t] == 0 and t in joins or n <= counts[t] + joins[t]:
            continue
        if rtl(t) and counts[t] == 0 and MARKLESS + without_marks(t) in joins:
            continue
        context = where[t]
        if len(context) > 120:
            k = norm(context).casefold().find(t)
            context = ("…" if k > 50 else "") + context[max(0, k - 50): k + len(t) + 50] + "…"
        problems.append({
            "word": t,
            "tag_tree": n,
            "page": counts[t],
            "why": explain(t, counts, lines) if counts[t] == 0 else f"{n - counts[t]} more time(s) in the tag tree than on the page",
            "context": context,
        })
    result = {"file": pdf, "problems": problems}
    if reverse:
        result["page_only"] = sorted(t for t, n in counts.items() if n > tag_counts[t])
    return result


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pdf", nargs="+")
    ap.add_argument("--allow", action="append", default=[], metavar="WORD",
                    help="a tag-tree word that need not be on the page (repeatable)")
    ap.add_argument("--reverse", action="store_true",
                    help="also list page words missing from the tag tree (artifacts included; informational)")
    ap.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    args = ap.parse_args(argv)
    if not shutil.which("pdfinfo") or not shutil.which("pdftotext"):
        print("compare-words: pdfinfo and pdftotext are required (apt-get install poppler-utils)", file=sys.stderr)
        return 2
    allow = {token(norm(w)) for w in args.allow}
    results, status = [], 0
    for pdf in args.pdf:
        try:
            r = check(pdf, allow, args.reverse)
        except CheckError as e:
            results.append({"file": pdf, "error": str(e)})
            status = max(status, 2)
            continue
        results.append(r)
        if r["problems"]:
            status = max(status, 1)
    if args.json:
        print(json.dumps({"status": status, "results": results}, ensure_ascii=False, indent=2))
        return status
    for r in results:
        if "error" in r:
            print(f"ERROR {r['file']}: {r['error']}")
            continue
        verdict = "FAIL " if r["problems"] else "ok   "
        print(f"{verdict}{r['file']}: {len(r['problems'])} tag-tree word(s) not on the page")
        for p in r["problems"]:
            print(f"    {p['word']!r}: {p['why']}")
            print(f"        in: {p['context']!r}")
        if r.get("page_only"):
            print(f"    page words not in the tag tree (artifacts?): {' '.join(r['page_only'][:40])}"
                  + (" …" if len(r["page_only"]) > 40 else ""))
    bad = sum(1 for r in results if r.get("problems"))
    print(f"{len(results)} file(s): {bad} with mismatches, {sum(1 for r in results if 'error' in r)} not checked")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
