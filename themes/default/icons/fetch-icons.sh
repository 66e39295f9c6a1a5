#!/usr/bin/env bash
# Re-vendor the policypress theme icons from the npm package @tabler/icons (MIT).
#
# Usage: ./fetch-icons.sh [tabler-version]     (default: the version pinned below)
# Needs: npm, node, tar. Writes <name>.svg, LICENSE-tabler-icons.txt and README.md
# into the directory containing this script. The resulting SVGs are committed.
set -euo pipefail

TABLER_VERSION="${1:-3.51.0}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# policypress name -> tabler icon name
MAP="
phone phone
phone-off phone-off
camera camera
camera-off camera-off
video video
video-off video-off
microphone microphone
microphone-off microphone-off
message message
email mail
internet world
wifi wifi
charger plug
computer device-desktop
share share
photo photo
privacy eye-off
lock lock
key key
shield shield
people users
person user
family users-group
nurse nurse
doctor stethoscope
hospital building-hospital
bed bed
clock clock
calendar calendar
police shield-check
law scale
warning alert-triangle
stop hand-stop
tick check
cross x
question question-mark
help help
info info-circle
speak message-circle
listen ear
heart heart
home home
leaflet file-text
complaint message-report
thumbs-up thumb-up
thumbs-down thumb-down
"

cd "$WORK"
npm pack --silent "@tabler/icons@${TABLER_VERSION}" >/dev/null
tar xzf tabler-icons-*.tgz
SRC=package/icons/outline
[ -d "$SRC" ] || SRC=package/icons   # older (v1/v2) layout
VERSION="$(node -p "require('./package/package.json').version")"

cp package/LICENSE "$HERE/LICENSE-tabler-icons.txt"

MAP="$MAP" SRC="$SRC" OUT="$HERE" VERSION="$VERSION" node - <<'JS'
const fs = require('fs');
const path = require('path');
const { MAP, SRC, OUT, VERSION } = process.env;
const ALLOWED = new Set(['path', 'circle', 'rect', 'line', 'polyline', 'polygon', 'ellipse']);
const ROOT = 'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" ' +
  'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"';
const rows = MAP.trim().split('\n').map(l => l.trim().split(/\s+/));
const readme = [];
let failed = false;
for (const [name, icon] of rows) {
  const file = path.join(SRC, icon + '.svg');
  if (!fs.existsSync(file)) { console.error(`missing tabler icon: ${icon} (for ${name})`); failed = true; continue; }
  let s = fs.readFileSync(file, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  const inner = s.replace(/^[\s\S]*?<svg\b[^>]*>/, '').replace(/<\/svg>[\s\S]*$/, '');
  const kids = [];
  for (const m of inner.matchAll(/<([a-z]+)\b([^>]*?)\/?>(?:\s*<\/\1>)?/g)) {
    const tag = m[1];
    if (!ALLOWED.has(tag)) { console.error(`${icon}: dropping <${tag}>`); continue; }
    const attrs = m[2].replace(/\s+class="[^"]*"/g, '').replace(/\s+/g, ' ').trim();
    // invisible 24x24 bounding-box path
    if (tag === 'path' && /d="M0 0h24v24H0z"/.test(attrs) && /stroke="none"/.test(attrs)) continue;
    kids.push(`<${tag} ${attrs}/>`);
  }
  if (!kids.length) { console.error(`${icon}: no shapes`); failed = true; continue; }
  fs.writeFileSync(path.join(OUT, name + '.svg'), `<svg ${ROOT}>${kids.join('')}</svg>\n`);
  readme.push(`| \`${name}.svg\` | \`${icon}\` |`);
}
fs.writeFileSync(path.join(OUT, 'README.md'),
`# Theme icons

Outline icons from [Tabler Icons](https://tabler.io/icons), npm package
\`@tabler/icons\` version **${VERSION}**, MIT licence (see \`LICENSE-tabler-icons.txt\`).

Each SVG has been normalised: root keeps \`viewBox="0 0 24 24"\`, \`fill="none"\`,
\`stroke="currentColor"\`, \`stroke-width="2"\`, round caps/joins; \`class\`,
\`width\`/\`height\`, comments and the invisible \`M0 0h24v24H0z\` bounding-box path are
removed; only \`path\`, \`circle\`, \`rect\`, \`line\`, \`polyline\`, \`polygon\`, \`ellipse\`
children are kept. Colour follows the surrounding text (\`currentColor\`).

Regenerate with \`./fetch-icons.sh [version]\` (needs npm + node).

\`descriptions.yaml\` says what each icon shows, in words (its alternative text for screen
readers); it is written by hand, not by the script: describe every icon you add.

| policypress name | tabler icon |
|---|---|
${readme.join('\n')}
`);
if (failed) process.exit(1);
JS
echo "icons written to $HERE from @tabler/icons@$VERSION"
