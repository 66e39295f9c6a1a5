#!/usr/bin/env bash
# Checks every PDF under DIR: qpdf finds no structural errors, every font is embedded and
# subset (pdffonts), and the document is tagged (pdfinfo). Exits 1 on any failure, 2 on usage.
# Needs poppler-utils and qpdf (apt-get install -y poppler-utils qpdf).
set -u
dir="${1:-}"
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
for tool in qpdf pdffonts pdfinfo; do
  command -v "$tool" >/dev/null || { echo "check-pdfs: $tool is not installed" >&2; exit 2; }
done
failures=0
count=0
while IFS= read -r -d '' pdf; do
  count=$((count + 1))
  if ! qpdf --check "$pdf" >/dev/null 2>&1; then
    echo "FAIL $pdf: qpdf --check reports errors" >&2
    failures=$((failures + 1))
  fi
  # pdffonts: two header lines, then one line per font; columns emb/sub/uni are yes/no.
  bad_fonts=$(pdffonts "$pdf" 2>/dev/null | tail -n +3 | awk '{
      n = NF; emb = $(n-4); sub_ = $(n-3); uni = $(n-2);
      if (emb != "yes" || sub_ != "yes" || uni != "yes") print $1 }')
  if [ -n "$bad_fonts" ]; then
    echo "FAIL $pdf: fonts not embedded, subset and mapped to Unicode: $bad_fonts" >&2
    failures=$((failures + 1))
  fi
  if ! pdfinfo "$pdf" 2>/dev/null | grep -q '^Tagged: *yes'; then
    echo "FAIL $pdf: not tagged" >&2
    failures=$((failures + 1))
  fi
done < <(find "$dir" -name '*.pdf' -print0 | sort -z)
if [ "$count" -eq 0 ]; then
  echo "check-pdfs: no PDFs under $dir" >&2
  exit 1
fi
echo "check-pdfs: $count PDFs checked, $failures problems"
[ "$failures" -eq 0 ]
