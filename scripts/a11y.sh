#!/usr/bin/env bash
# Accessibility suite, in one command:   scripts/a11y.sh [OUTPUT_DIR]   (default: output)
#
# Installs what is missing (Debian's Chromium; axe-core and playwright-core from a11y/'s lock
# file), then audits every HTML page under OUTPUT_DIR with axe-core in headless Chromium
# (WCAG 2.2 A and AA, and every best-practice rule), and checks headings, horizontal overflow
# and easy-read rows at phone and desktop widths. Build the site first (`cargo run --release -- build`).
# Exit status: 0 all pages pass, 1 something fails (report above, JSON in a11y/report.json),
# 2 the suite could not run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-output}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
chromium="${CHROMIUM:-/usr/bin/chromium}"

# shellcheck source=lib/apt.sh
source "$root/scripts/lib/apt.sh"

if [ ! -x "$chromium" ]; then
  echo "a11y: installing Chromium (Debian package)"
  apt_install chromium
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "a11y: installing Node.js and npm (Debian packages)"
  apt_install nodejs npm
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "a11y: Node.js 20 or later is needed (playwright-core); this is $(node --version)" >&2
  exit 2
fi

# npm ci when node_modules is missing or older than the lock file. --ignore-scripts: neither
# package needs an install script, and nothing may download a browser of its own.
lock="$root/a11y/package-lock.json"
installed="$root/a11y/node_modules/.package-lock.json"
if [ ! -f "$installed" ] || [ "$lock" -nt "$installed" ]; then
  echo "a11y: npm ci (axe-core, playwright-core)"
  (cd "$root/a11y" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

exec node "$root/a11y/audit.mjs" "$out"
