#!/usr/bin/env bash
# Re-vendor the policypress pictures of people and actions from the npm package openmoji
# (drawings CC BY-SA 4.0), the colour set.
#
# Usage: ./fetch-pictures.sh [openmoji-version]     (default: the version pinned below)
# Needs: npm, node, tar. Writes <name>.svg for each picture below, LICENSE-openmoji.txt and
# README-openmoji.md into the directory containing this script. The resulting SVGs are
# committed. What each picture shows, for screen readers, is in descriptions.yaml (by hand).
set -euo pipefail

OPENMOJI_VERSION="${1:-17.0.0}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# policypress name, OpenMoji hex code, what it shows (the README's words)
MAP="
woman-nurse E302 A nurse, a woman in a nurse's cap
man-nurse E303 A nurse, a man in a nurse's cap
woman-doctor E300 A doctor, a woman with a stethoscope
man-doctor E301 A doctor, a man with a stethoscope
health-worker 1F9D1-200D-2695-FE0F A health worker with a stethoscope
person-in-bed 1F6CC A person lying in bed
office-worker 1F9D1-200D-1F4BC A person in office clothes with a tie
judge 1F9D1-200D-2696-FE0F A judge holding a hammer
police-officer 1F46E A police officer in a cap
person-raising-hand 1F64B A person raising one hand to ask something
person-saying-no 1F645 A person crossing their arms to say no
person-saying-yes 1F646 A person with arms over their head to say yes
person-explaining 1F481 A person holding out one hand to explain
person-shrugging 1F937 A person shrugging, not sure
unhappy-person 1F64D A person frowning, not happy
worried-face 1F61F A worried face
shushing-face 1F92B A face with a finger on its lips, saying shh
sleeping-face 1F634 A sleeping face with zzz
thinking-face 1F914 A face thinking, hand on chin
people-talking E246 Two people talking to each other
speech-bubbles E24A Two speech bubbles
people-holding-hands 1F9D1-200D-1F91D-200D-1F9D1 Two people holding hands
people-hugging 1FAC2 Two people hugging
parents-and-child 1F46A A family: a man, a woman and a child
person-at-laptop 1F9D1-200D-1F4BB A person using a laptop
selfie 1F933 A hand holding up a phone to take a photo
waving-hand 1F44B A hand waving hello
handshake 1F91D Two hands shaking
help-others E083 One person helping another up
deaf-person 1F9CF A deaf person pointing to their ear
hearing-aid 1F9BB An ear with a hearing aid
person-with-white-cane 1F9D1-200D-1F9AF A person walking with a white cane
wheelchair-user 1F9D1-200D-1F9BD A person in a wheelchair
person-walking 1F6B6 A person walking
mobile-phone 1F4F1 A mobile phone
telephone 1F4DE A telephone handset
no-mobile-phones 1F4F5 A mobile phone crossed out in a red circle
mobile-phone-off 1F4F4 A mobile phone that is switched off
phone-on-silent 1F4F3 A mobile phone set to vibrate, with no sound
camera-flash 1F4F8 A camera taking a photo with a flash
video-camera 1F4F9 A video camera
headphones 1F3A7 A pair of headphones
recording-microphone 1F399 A microphone for recording
muted-speaker 1F507 A loudspeaker crossed out: no sound
electric-plug 1F50C An electric plug
wireless 1F6DC The Wi-Fi sign
paper 1F4C4 A sheet of paper with writing on it
patient-notes E30B A clipboard with a patient's notes
padlock 1F512 A closed padlock
calendar-page 1F4C5 A calendar page
alarm-clock 23F0 An alarm clock
night 1F319 The moon at night
hospital-building 1F3E5 A hospital building with a red cross
house 1F3E0 A house
email-envelope 1F4E7 An envelope for email
globe 1F310 A globe of the world
speaking-head 1F5E3 The head of a person speaking
green-tick 2705 A green tick
cross-mark 274C A red cross
stop-sign 1F6D1 A red stop sign
scales 2696 A pair of weighing scales, for the law
prohibited 1F6AB A red circle with a line through it: not allowed
upload E251 An arrow going up into the cloud: putting something online
pill 1F48A A pill
stethoscope 1FA7A A stethoscope
ambulance 1F691 An ambulance
washing-hands E0B2 Hands being washed under a tap
"

cd "$WORK"
npm pack --silent "openmoji@${OPENMOJI_VERSION}" >/dev/null
tar xzf openmoji-*.tgz
VERSION="$(node -p "require('./package/package.json').version")"
cp package/LICENSE.txt "$HERE/LICENSE-openmoji.txt"

MAP="$MAP" SRC="package/color/svg" OUT="$HERE" VERSION="$VERSION" node - <<'JS'
const fs = require('fs');
const path = require('path');
const { MAP, SRC, OUT, VERSION } = process.env;
const rows = MAP.trim().split('\n').map(l => {
  const [name, hex, ...words] = l.trim().split(/\s+/);
  return [name, hex, words.join(' ')];
});
const readme = [];
let failed = false;
for (const [name, hex, shows] of rows) {
  const file = path.join(SRC, hex + '.svg');
  if (!fs.existsSync(file)) { console.error(`missing OpenMoji picture: ${hex} (for ${name})`); failed = true; continue; }
  // Normalised for inline use on web pages: no ids (several pictures share a page), no
  // comments, one line.
  const s = fs.readFileSync(file, 'utf8')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\s+id="[^"]*"/g, '')
    .replace(/>\s+</g, '><')
    .trim();
  if (!/^<svg\b[^>]*viewBox="0 0 72 72"/.test(s)) { console.error(`${hex}: unexpected root element`); failed = true; continue; }
  fs.writeFileSync(path.join(OUT, name + '.svg'), s + '\n');
  readme.push(`| \`:${name}:\` | \`${name}.svg\` | \`${hex}\` | ${shows} |`);
}
// The names the built-in theme credits to OpenMoji on every output that shows them.
fs.writeFileSync(path.join(OUT, 'openmoji.txt'), rows.map(([name]) => name).sort().join('\n') + '\n');
fs.writeFileSync(path.join(OUT, 'README-openmoji.md'),
`# Pictures of people and actions

Colour pictures from [OpenMoji](https://openmoji.org), the open-source emoji and icon project,
npm package \`openmoji\` version **${VERSION}**. The drawings are licensed CC BY-SA 4.0 (see
\`LICENSE-openmoji.txt\`): every output that shows them credits "Pictures: OpenMoji
(openmoji.org), CC BY-SA 4.0", and changed copies stay under the same licence.

They sit beside the Tabler icons and are used the same way, \`:name:\` in any policy; easy read
uses them as the picture on the left of a row, so that the picture shows the sentence (a nurse,
a person asking, a person in bed), as good easy read does. The colour set was chosen over
OpenMoji's black outlines because easy-read guidance (Mencap, CHANGE, Photosymbols) favours
clear, colourful pictures of people.

Each SVG has been normalised for inline use on web pages: \`id\` attributes and comments removed
(several pictures share a page), whitespace between elements removed; the shapes and colours
are OpenMoji's own. Regenerate with \`./fetch-pictures.sh [version]\` (needs npm + node).

What each picture shows, in words, is its alternative text in \`descriptions.yaml\` (by hand).

| name | file | OpenMoji | what it shows |
|---|---|---|---|
${readme.join('\n')}
`);
if (failed) process.exit(1);
JS
echo "pictures written to $HERE from openmoji@$VERSION"
