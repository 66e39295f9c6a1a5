#!/usr/bin/env python3
"""check-pdfua.py - every PDF against the outside PDF/UA-1 checker `pdfua` (PyPI, pinned).

    check-pdfua.py FILE.pdf...

Runs pdfua's checks (16 of the 106 machine-checkable PDF/UA-1 rules: XMP identification, tags,
language, title, figures' alternative text, tables, headings, annotations) on each file and
fails on any error or warning, and on any rule that did not run: a check that could not look is
not a pass. Exit status: 0 every file passes, 1 a finding or an unevaluated rule, 2 the check
could not run (pdfua missing or not the pinned version, unreadable PDF).

One local fix, for a bug in pdfua 0.1.3 itself, not in our files: its empty-heading rule
(UA-14-001) crashes on every heading whose /K is an array (ISO 32000-1 Table 323 allows one,
and ours always are: `/K [<< /Type /MCR /Pg .. /MCID n >>]`). `as_integer()` probes values with
`getattr(value, "is_integer", False)`, which raises ValueError (not AttributeError) for a
pikepdf Array, so pdfua reports the rule as "not evaluated" on every PDF. With that crash
caught, the rule still missed marked-content references (`/Type /MCR` dictionaries) inside an
array, which its own docstring says it must count, and called every heading empty. This script
applies both fixes in memory, so UA-14-001 runs as documented; the pinned version is checked, so
a newer pdfua is looked at again before the fix is carried over. Nothing else is changed.
"""

from __future__ import annotations

import sys

PINNED = "0.1.3"


def patch_pdfua_0_1_3() -> None:
    """The in-memory fix for pdfua 0.1.3's UA-14-001 (see the module docstring)."""
    import pikepdf
    import pdfua.document
    import pdfua.rules.structure as structure

    original_as_integer = pdfua.document.as_integer

    def as_integer(value: object) -> int | None:
        try:
            return original_as_integer(value)
        except ValueError:
            # pikepdf raises ValueError for attribute probes on arrays and names: not a number.
            return None

    pdfua.document.as_integer = as_integer
    structure.as_integer = as_integer

    original_marks_content = structure.EmptyHeadingRule._marks_content

    def marks_content(node: object) -> bool:
        # A marked-content reference names content on a page: the element is not empty.
        if isinstance(node, pikepdf.Dictionary) and node.get("/Type") == pikepdf.Name("/MCR"):
            return True
        return original_marks_content(node)

    structure.EmptyHeadingRule._marks_content = staticmethod(marks_content)


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        import pdfua
    except ImportError:
        print(f"check-pdfua: pdfua is not installed (pip install pdfua=={PINNED})", file=sys.stderr)
        return 2
    if pdfua.__version__ != PINNED:
        print(
            f"check-pdfua: pdfua {pdfua.__version__} is installed, this script is for {PINNED}: see whether "
            "its UA-14-001 fix is still needed, then update PINNED and scripts/pdf-a11y-requirements.txt",
            file=sys.stderr,
        )
        return 2
    patch_pdfua_0_1_3()

    status = 0
    totals = {"files": 0, "errors": 0, "warnings": 0, "info": 0, "skipped": 0}
    for path in paths:
        try:
            report = pdfua.validate(path)
        except pdfua.PdfuaError as e:
            print(f"ERROR {path}: {e}")
            status = max(status, 2)
            continue
        counts = report.count_by_severity()
        errors, warnings, info = (counts[pdfua.Severity.ERROR], counts[pdfua.Severity.WARNING], counts[pdfua.Severity.INFO])
        failed = errors or warnings or report.skipped
        totals["files"] += 1
        totals["errors"] += errors
        totals["warnings"] += warnings
        totals["info"] += info
        totals["skipped"] += len(report.skipped)
        rules = len(report.outcomes) - len(report.skipped)
        print(f"{'FAIL' if failed else 'ok  '} {path}: {errors} errors, {warnings} warnings, {info} info ({rules} rules run)")
        for f in report.findings:
            print(f"    {f.rule_id} {f.severity.name.lower()}: {f.message} [{f.location.describe()}]")
        for o in report.skipped:
            print(f"    {o.rule_id} not evaluated: {o.skipped_reason}")
        if failed:
            status = max(status, 1)
    print(
        f"pdfua {pdfua.__version__} (UA-14-001 with this script's fix): {totals['files']} file(s), "
        f"{totals['errors']} errors, {totals['warnings']} warnings, {totals['info']} info, "
        f"{totals['skipped']} rules not evaluated"
    )
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
