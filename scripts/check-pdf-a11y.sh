#!/usr/bin/env bash
# PDF accessibility checks, in one command:   scripts/check-pdf-a11y.sh [OUTPUT_DIR]   (default: output)
#
# On every PDF under OUTPUT_DIR:
#   1. the outside checker pdfua (PyPI, pinned in scripts/pdf-a11y-requirements.txt), through
#      scripts/check-pdfua.py: PDF/UA-1 identification in XMP, tags, language, title, figures'
#      alternative text, tables, headings, annotations; 0 errors, 0 warnings, every rule run;
#   2. scripts/compare-words.py: every word the tag tree reads out (pdfinfo -struct-text) is a
#      word printed on the page (pdftotext), so nothing runs together ("inhospital").
# Installs what is missing: poppler-utils and python3-venv (apt), then pdfua into a virtual
# environment at target/pdf-a11y-venv (or $PDF_A11Y_VENV), made again when the pins change.
# Build the site first (`cargo run --release -- build`).
# Exit status: 0 every PDF passes both, 1 a PDF fails, 2 the checks could not run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-output}"
venv="${PDF_A11Y_VENV:-$root/target/pdf-a11y-venv}"
requirements="$root/scripts/pdf-a11y-requirements.txt"

# shellcheck source=lib/apt.sh
source "$root/scripts/lib/apt.sh"

if [ ! -d "$out" ]; then
  echo "check-pdf-a11y: $out does not exist (build the site first)" >&2
  exit 2
fi
mapfile -t pdfs < <(find "$out" -name '*.pdf' -type f | LC_ALL=C sort)
if [ "${#pdfs[@]}" -eq 0 ]; then
  echo "check-pdf-a11y: no PDFs under $out" >&2
  exit 2
fi

if ! command -v pdfinfo >/dev/null || ! command -v pdftotext >/dev/null; then
  echo "check-pdf-a11y: installing poppler-utils (Debian package)"
  apt_install poppler-utils
fi
if ! command -v python3 >/dev/null; then
  echo "check-pdf-a11y: installing Python 3 (Debian package)"
  apt_install python3
fi

# The virtual environment is made again whenever the pinned requirements change.
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    echo "check-pdf-a11y: installing python3-venv (Debian package)"
    apt_install python3-venv
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  echo "check-pdf-a11y: pip install -r scripts/pdf-a11y-requirements.txt"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv -r "$requirements"
  cp "$requirements" "$stamp"
fi

pdfua_status=0
echo "check-pdf-a11y: pdfua on ${#pdfs[@]} PDFs"
"$venv/bin/python" "$root/scripts/check-pdfua.py" "${pdfs[@]}" || pdfua_status=$?
echo
words_status=0
echo "check-pdf-a11y: tag-tree words against page words on ${#pdfs[@]} PDFs"
python3 "$root/scripts/compare-words.py" "${pdfs[@]}" || words_status=$?
exit $((pdfua_status > words_status ? pdfua_status : words_status))
