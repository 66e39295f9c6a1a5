#!/usr/bin/env node
// Accessibility suite for policypress output (issue 8).
//
//   node a11y/audit.mjs OUTPUT_DIR [--json FILE] [--concurrency N]
//
// Finds every *.html under OUTPUT_DIR, serves OUTPUT_DIR on a loopback port, and audits each
// page in Debian's headless Chromium (/usr/bin/chromium, or $CHROMIUM):
//   1. axe-core at the WCAG 2.0/2.1/2.2 A and AA tags and every best-practice rule, at 1280 px;
//   2. our own heading check: one h1, no skipped heading levels (h1 then h3);
//   3. no horizontal overflow at 320 px (WCAG 1.4.10 Reflow), 375 px (a phone) and 1280 px;
//   4. easy-read rows (.easy-read-row > .easy-read-picture + .easy-read-words): picture to the
//      left of the words and beside them (never stacked) at 320, 375 and 1280 px;
//   5. the staff library: a search runs and shows results (audited by axe with them shown), and
//      every row's review date and status are on screen without scrolling sideways at 320, 375
//      and 1280 px;
//   6. the page header: the organisation and the site title on lines of their own at every
//      width (never run together, "... NHS Trust Trust policies");
//   7. printed from the browser, a leaflet or easy-read page has no stray last page: the site's
//      footer is not printed under its back page.
// Prints a report, writes it as JSON (default a11y/report.json), and exits 1 if anything fails
// (2 if the suite itself could not run).

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// What is checked
// ---------------------------------------------------------------------------------------------

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// Every axe rule tagged "best-practice" runs on top of the WCAG tags, held to the same
// zero-violation bar (landmark-unique, region, heading-order, ...): they are what assistive
// technology users notice even where WCAG does not name a rule. heading-order is also covered,
// more strictly, by our own heading check below. ("experimental" rules stay off.)
const AXE_TAGS = [...WCAG_TAGS, 'best-practice'];
const AXE_WIDTH = 1280;
const OVERFLOW_WIDTHS = [320, 375, 1280]; // 320: WCAG 1.4.10 Reflow; 375: a phone
const EASY_READ_WIDTHS = [320, 375, 1280];
const VIEWPORT_HEIGHT = 800;

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Flags the brief requires (the machine has no network: without them Chromium stalls).
// --user-data-dir is given to Playwright as launchPersistentContext's first argument (a fresh
// temporary directory), which passes it to Chromium as --user-data-dir=...
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--hide-scrollbars',
];

const HELP = {
  headings: 'https://www.w3.org/WAI/tutorials/page-structure/headings/',
  reflow: 'https://www.w3.org/WAI/WCAG22/Understanding/reflow.html',
  easyRead: 'shared/STANDARDS.md, "Easy-read version": one idea per row, picture on the left, words on the right',
};

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

function usage(msg) {
  if (msg) console.error(`a11y: ${msg}`);
  console.error('usage: node a11y/audit.mjs OUTPUT_DIR [--json FILE] [--concurrency N]');
  process.exit(2);
}

const argv = process.argv.slice(2);
let outputDir = null;
let jsonPath = path.join(HERE, 'report.json');
let concurrency = 2;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--json') jsonPath = path.resolve(argv[++i] ?? usage('--json needs a file'));
  else if (a === '--concurrency') concurrency = Math.max(1, parseInt(argv[++i], 10) || 1);
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else if (outputDir === null) outputDir = path.resolve(a);
  else usage(`unexpected argument ${a}`);
}
if (outputDir === null) usage('OUTPUT_DIR is required');
try {
  if (!statSync(outputDir).isDirectory()) usage(`${outputDir} is not a directory`);
} catch {
  usage(`${outputDir} does not exist (build the site first)`);
}

// ---------------------------------------------------------------------------------------------
// Pages: every *.html under OUTPUT_DIR, sorted, as URL paths relative to it
// ---------------------------------------------------------------------------------------------

function findPages(root) {
  const pages = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.html')) {
        pages.push(path.relative(root, full).split(path.sep).join('/'));
      }
    }
  };
  walk(root);
  return pages.sort();
}

// ---------------------------------------------------------------------------------------------
// Tiny static server on loopback
// ---------------------------------------------------------------------------------------------

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
};

function startServer(root) {
  const missing = new Set();
  const server = createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = path.normalize(path.join(root, rel));
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = path.join(file, 'index.html');
      if (path.extname(file).toLowerCase() === '.html') {
        // A page that sends the reader straight on (a short address, `<meta http-equiv="refresh">`)
        // is audited as the page it shows meanwhile; where it leads is audited as its own page.
        const body = readFileSync(file, 'utf8').replace(/<meta http-equiv="refresh"[^>]*>/g, '');
        res.writeHead(200, {
          'content-type': MIME['.html'],
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      const st = statSync(file);
      res.writeHead(200, {
        'content-type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-store',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch {
      missing.add(rel);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ server, origin: `http://127.0.0.1:${port}`, missing });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// In-page helpers (run inside Chromium)
// ---------------------------------------------------------------------------------------------

// Shared by the in-page checks: a short CSS path and a short HTML snippet for an element.
const PAGE_HELPERS = `
window.__a11y = {
  selector(el) {
    const parts = [];
    while (el && el.nodeType === 1 && parts.length < 5) {
      if (el.id) { parts.unshift('#' + CSS.escape(el.id)); break; }
      let part = el.localName;
      const cls = [...el.classList].slice(0, 2).map((c) => '.' + CSS.escape(c)).join('');
      part += cls;
      const parent = el.parentElement;
      if (parent) {
        const same = [...parent.children].filter((c) => c.localName === el.localName);
        if (same.length > 1) part += ':nth-of-type(' + (same.indexOf(el) + 1) + ')';
      }
      parts.unshift(part);
      if (el.localName === 'body' || el.localName === 'html') break;
      el = parent;
    }
    return parts.join(' > ');
  },
  snippet(el) {
    const html = el.outerHTML.replace(/\\s+/g, ' ');
    const open = html.slice(0, html.indexOf('>') + 1);
    return open.length > 160 ? open.slice(0, 157) + '...' : open;
  },
  rendered(el) {
    if (el.closest('[hidden], [aria-hidden="true"]')) return false;
    if (typeof el.checkVisibility === 'function') {
      return el.checkVisibility({ visibilityProperty: true });
    }
    const s = getComputedStyle(el);
    return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0;
  },
};
`;

// Our own heading rule: exactly one h1, and no level skipped going down (h1 -> h3, or a page
// whose first heading is not h1). Hidden headings are ignored (screen readers skip them too).
function checkHeadings() {
  const h = window.__a11y;
  const els = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]')].filter((el) =>
    h.rendered(el),
  );
  const problems = [];
  let prev = 0;
  let prevEl = null;
  const h1s = [];
  for (const el of els) {
    let level = /^h[1-6]$/.test(el.localName) ? Number(el.localName[1]) : 2;
    if (el.getAttribute('role') === 'heading') level = Number(el.getAttribute('aria-level')) || 2;
    if (level === 1) h1s.push(el);
    if (level > prev + 1) {
      const after = prevEl ? `after <h${prev}> "${prevEl.textContent.trim().slice(0, 40)}"` : 'as the first heading';
      problems.push({
        id: 'policypress-heading-skip',
        impact: 'moderate',
        message: `heading level skipped: <h${level}> "${el.textContent.trim().slice(0, 60)}" ${after}`,
        target: h.selector(el),
        html: h.snippet(el),
      });
    }
    prev = level;
    prevEl = el;
  }
  if (h1s.length > 1) {
    for (const el of h1s.slice(1)) {
      problems.push({
        id: 'policypress-one-h1',
        impact: 'moderate',
        message: `more than one <h1> on the page (${h1s.length})`,
        target: h.selector(el),
        html: h.snippet(el),
      });
    }
  }
  return problems;
}

// Horizontal overflow at the current viewport width. A wide element inside an ancestor that
// scrolls or clips horizontally by itself (e.g. a table in .table-scroll) is fine as long as that
// ancestor fits; only the page-level overflow counts.
// The staff library's review date and status cells (the last two of each row): shown, and
// inside the viewport, so nobody has to scroll the table sideways to see "overdue".
function checkLibraryColumns() {
  const out = [];
  for (const row of document.querySelectorAll('table.library tr[data-status]')) {
    if (row.hidden || row.offsetParent === null) continue;
    const cells = Array.from(row.cells).slice(-2);
    for (const cell of cells) {
      const r = cell.getBoundingClientRect();
      if (r.width === 0 || r.right > window.innerWidth + 1 || r.left < -1) {
        out.push({
          target: `tr[data-title="${row.dataset.title}"] td:nth-child(${cell.cellIndex + 1})`,
          message: `"${(cell.textContent || '').trim()}" spans x ${Math.round(r.left)}..${Math.round(r.right)} in a ${window.innerWidth} px viewport`,
        });
      }
    }
  }
  return out;
}

function checkOverflow() {
  const h = window.__a11y;
  const vw = window.innerWidth;
  const sw = document.documentElement.scrollWidth;
  if (sw <= vw) return null;
  const scrollsX = (el) => {
    const o = getComputedStyle(el).overflowX;
    return o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip';
  };
  const containedFrom = (start) => {
    for (let a = start; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      if (scrollsX(a)) return true;
    }
    return false;
  };
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right + window.scrollX <= vw + 0.5) continue;
    if (!containedFrom(el.parentElement)) offenders.push({ el, r });
  }
  // Text can stick out of a box that fits (a long e-mail address or URL that cannot wrap):
  // measure text runs too and blame their parent element.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.textContent.trim() || !t.parentElement) continue;
    const range = document.createRange();
    range.selectNodeContents(t);
    for (const r of range.getClientRects()) {
      if (r.right + window.scrollX <= vw + 0.5) continue;
      if (containedFrom(t.parentElement)) break;
      // Name the word that does not fit, if one does not.
      let text = t.textContent.trim();
      const words = /\S+/g;
      for (let m = words.exec(t.textContent); m; m = words.exec(t.textContent)) {
        const wr = document.createRange();
        wr.setStart(t, m.index);
        wr.setEnd(t, m.index + m[0].length);
        if (wr.getBoundingClientRect().right + window.scrollX > vw + 0.5) {
          text = m[0];
          break;
        }
      }
      offenders.push({ el: t.parentElement, r, text });
      break;
    }
  }
  // The offender whose parent does not itself overflow is where the problem starts; report the
  // widest of those (falling back to the widest offender of any kind).
  const roots = offenders.filter(({ el }) => !offenders.some((o) => o.el === el.parentElement));
  const pick = (list) => list.reduce((best, o) => (!best || o.r.width > best.r.width ? o : best), null);
  const worst = pick(roots) || pick(offenders);
  return {
    scrollWidth: sw,
    innerWidth: vw,
    offenders: offenders.length,
    widest: worst
      ? {
          target: h.selector(worst.el),
          html: h.snippet(worst.el),
          left: Math.round(worst.r.left),
          right: Math.round(worst.r.right),
          width: Math.round(worst.r.width),
          text: worst.text ? worst.text.replace(/\s+/g, ' ').slice(0, 100) : null,
        }
      : null,
  };
}

// The header's site title starts below the organisation's name, never on its last line.
function checkHeader() {
  const h = window.__a11y;
  const org = document.querySelector('.site-header .header-org');
  const title = document.querySelector('.site-header .header-title');
  if (!org || !title) return null;
  const o = org.getBoundingClientRect();
  const t = title.getBoundingClientRect();
  if (t.width === 0 || t.height === 0 || t.top >= o.bottom - 1) return null;
  return {
    target: h.selector(title),
    html: h.snippet(title),
    message: `the site title (y ${Math.round(t.top)}..${Math.round(t.bottom)}) runs on from the organisation's name (y ${Math.round(o.top)}..${Math.round(o.bottom)})`,
  };
}

// Easy-read rows: the picture's box must be before the words' box (left of them; right of them on a
// right-to-left page) and overlap it vertically.
function checkEasyReadRows() {
  const h = window.__a11y;
  const rows = [...document.querySelectorAll('.easy-read-row')];
  const problems = [];
  rows.forEach((row, i) => {
    const pic = row.querySelector('.easy-read-picture');
    const words = row.querySelector('.easy-read-words');
    const base = { target: h.selector(row), html: h.snippet(row), row: i + 1 };
    if (!pic || !words) {
      problems.push({
        ...base,
        message: `row ${i + 1} has no ${!pic ? '.easy-read-picture' : '.easy-read-words'} child`,
      });
      return;
    }
    const p = pic.getBoundingClientRect();
    const w = words.getBoundingClientRect();
    const box = (r) => `[x ${Math.round(r.left)}..${Math.round(r.right)}, y ${Math.round(r.top)}..${Math.round(r.bottom)}]`;
    if (p.width === 0 || p.height === 0) {
      problems.push({ ...base, message: `row ${i + 1}: the picture is not shown (box ${box(p)})` });
      return;
    }
    const rtl = getComputedStyle(row).direction === 'rtl';
    if (rtl ? !(w.right <= p.left + 1) : !(p.right <= w.left + 1)) {
      problems.push({
        ...base,
        message: `row ${i + 1}: picture ${box(p)} is not to the ${rtl ? 'right' : 'left'} of the words ${box(w)}`,
      });
    }
    if (!(p.top < w.bottom && w.top < p.bottom)) {
      problems.push({
        ...base,
        message: `row ${i + 1}: picture ${box(p)} and words ${box(w)} are stacked, not side by side`,
      });
    }
  });
  return { rows: rows.length, problems };
}

// ---------------------------------------------------------------------------------------------
// Audit one page
// ---------------------------------------------------------------------------------------------

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function settle(page) {
  // Two animation frames: the new viewport width has been laid out.
  await page.evaluate(
    () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
  );
}

async function auditPage(context, origin, rel) {
  const result = {
    page: rel,
    violations: [], // axe violations: { id, impact, help, helpUrl, nodes: [{ target, html, summary }] }
    checks: [], // our own checks: { id, impact, help, helpUrl, width?, nodes: [...] }
    incomplete: [], // axe "needs review": { id, nodes }
    warnings: [],
    easyReadRows: 0,
  };
  const page = await context.newPage();
  page.on('pageerror', (err) => result.warnings.push(`JavaScript error: ${String(err.message).split('\n')[0]}`));
  try {
    await page.setViewportSize({ width: AXE_WIDTH, height: VIEWPORT_HEIGHT });
    const resp = await page.goto(`${origin}/${rel}`, { waitUntil: 'load', timeout: 30_000 });
    if (!resp || !resp.ok()) throw new Error(`HTTP ${resp ? resp.status() : 'no response'}`);
    await page.evaluate(PAGE_HELPERS);
    await settle(page);

    // 5a. The staff library: run a search first, so axe audits the results region too.
    if (await page.$('#library-page')) {
      const word = await page.evaluate(() => {
        const row = document.querySelector('tr[data-title]');
        const words = (row ? row.dataset.title : '').match(/[A-Za-z]{4,}/g) || [];
        return words[0] || '';
      });
      if (word) {
        await page.fill('#search-input', word);
        await page.press('#search-input', 'Enter');
        const shown = await page
          .waitForSelector('#search-list li', { timeout: 10_000 })
          .then(() => true)
          .catch(() => false);
        const live = await page.evaluate(() => {
          const s = document.getElementById('search-status');
          return !!s && (s.getAttribute('aria-live') === 'polite' || s.getAttribute('role') === 'status');
        });
        if (!shown || !live) {
          result.checks.push({
            id: 'policypress-library-search',
            impact: 'serious',
            help: 'A search on the library page shows results in a region that is announced',
            helpUrl: '',
            nodes: [{ target: '#search', html: '', summary: `searching for "${word}": ${shown ? 'results shown' : 'no results shown'}, ${live ? 'announced' : 'status not announced'}` }],
          });
        }
      }
    }

    // 1. axe-core at desktop width.
    await page.evaluate(AXE_SOURCE);
    const axeResults = await page.evaluate(
      async ({ tags }) => {
        return await window.axe.run(document, {
          runOnly: { type: 'tag', values: tags },
          resultTypes: ['violations', 'incomplete'],
          // Framed pages (the preview pages' iframes) are pages of the output in their own
          // right and are audited on their own; the frame itself (its title) is checked here.
          iframes: false,
        });
      },
      { tags: AXE_TAGS },
    );
    const nodeOf = (n) => ({
      target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' '),
      html: shorten(n.html, 160),
      summary: shorten((n.failureSummary || '').replace(/\s*\n\s*/g, ' | '), 240),
    });
    for (const v of axeResults.violations) {
      result.violations.push({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        tags: v.tags,
        nodes: v.nodes.map(nodeOf),
      });
    }
    for (const v of axeResults.incomplete) {
      result.incomplete.push({ id: v.id, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map(nodeOf) });
    }

    // 2. Headings.
    const headingProblems = await page.evaluate(checkHeadings);
    for (const id of [...new Set(headingProblems.map((p) => p.id))]) {
      const ps = headingProblems.filter((p) => p.id === id);
      result.checks.push({
        id,
        impact: 'moderate',
        help:
          id === 'policypress-one-h1'
            ? 'A page has exactly one <h1>'
            : 'Heading levels go down one step at a time (h1, h2, h3), never skipping a level',
        helpUrl: HELP.headings,
        nodes: ps.map((p) => ({ target: p.target, html: p.html, summary: p.message })),
      });
    }

    // 3 and 4. Overflow and easy-read rows at each width.
    const widths = [...new Set([...OVERFLOW_WIDTHS, ...EASY_READ_WIDTHS])].sort((a, b) => a - b);
    for (const width of widths) {
      await page.setViewportSize({ width, height: VIEWPORT_HEIGHT });
      await settle(page);
      if (OVERFLOW_WIDTHS.includes(width)) {
        const o = await page.evaluate(checkOverflow);
        if (o) {
          const w = o.widest;
          result.checks.push({
            id: 'policypress-no-horizontal-overflow',
            impact: 'serious',
            width,
            help: `Nothing overflows horizontally at ${width} px`,
            helpUrl: HELP.reflow,
            nodes: [
              {
                target: w ? w.target : 'html',
                html: w ? w.html : '<html>',
                summary:
                  `at ${width} px the page is ${o.scrollWidth} px wide (viewport ${o.innerWidth} px); ` +
                  (w
                    ? (w.text
                        ? `text that cannot wrap spans x ${w.left}..${w.right}: "${w.text}" does not fit`
                        : `widest offending element spans x ${w.left}..${w.right} (${w.width} px)`) +
                      `; ${o.offenders} element(s) or text run(s) stick out`
                    : 'no single element found (check margins or pseudo-elements)'),
              },
            ],
          });
        }
      }
      if (OVERFLOW_WIDTHS.includes(width)) {
        const hidden = await page.evaluate(checkLibraryColumns);
        if (hidden.length) {
          result.checks.push({
            id: 'policypress-library-status-on-screen',
            impact: 'serious',
            width,
            help: `The library's review date and status are on screen without scrolling sideways at ${width} px`,
            helpUrl: HELP.reflow,
            nodes: hidden.slice(0, 5).map((h) => ({ target: h.target, html: '', summary: h.message })),
          });
        }
      }
      if (OVERFLOW_WIDTHS.includes(width)) {
        const header = await page.evaluate(checkHeader);
        if (header) {
          result.checks.push({
            id: 'policypress-header-lines',
            impact: 'moderate',
            width,
            help: `The organisation and the site title keep lines of their own at ${width} px`,
            helpUrl: '',
            nodes: [{ target: header.target, html: header.html, summary: header.message }],
          });
        }
      }
      if (EASY_READ_WIDTHS.includes(width)) {
        const er = await page.evaluate(checkEasyReadRows);
        result.easyReadRows = Math.max(result.easyReadRows, er.rows);
        if (er.problems.length) {
          result.checks.push({
            id: 'policypress-easy-read-picture-beside-words',
            impact: 'serious',
            width,
            help: `Easy-read pictures stay before their words (on the left; on the right in a right-to-left language) at ${width} px`,
            helpUrl: HELP.easyRead,
            nodes: er.problems.map((p) => ({ target: p.target, html: p.html, summary: p.message })),
          });
        }
      }
    }
    // 7. Printed, a leaflet or easy read ends with its own back page.
    if (await page.$('body.audience-patient, body.audience-easy-read')) {
      await page.emulateMedia({ media: 'print' });
      const footer = await page.evaluate(() => {
        const f = document.querySelector('.site-footer');
        return f && getComputedStyle(f).display !== 'none' ? f.textContent.replace(/\s+/g, ' ').trim() : null;
      });
      await page.emulateMedia({ media: 'screen' });
      if (footer) {
        result.checks.push({
          id: 'policypress-no-stray-printed-page',
          impact: 'moderate',
          help: 'A leaflet or easy read printed from the browser ends with its back page (the site footer is not printed)',
          helpUrl: '',
          nodes: [{ target: '.site-footer', html: '', summary: `printed after the back page: "${shorten(footer, 120)}"` }],
        });
      }
    }
  } catch (err) {
    result.checks.push({
      id: 'policypress-page-audit-error',
      impact: 'critical',
      help: 'The page could be loaded and audited',
      helpUrl: '',
      nodes: [{ target: '', html: '', summary: shorten(String(err && err.message ? err.message : err), 400) }],
    });
  } finally {
    await page.close().catch(() => {});
  }
  return result;
}

// A page that hangs (a script in a loop, a stalled load) fails with a message instead of
// holding up CI.
const PAGE_TIMEOUT_MS = 120_000;
function withTimeout(promise, ms, rel) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          page: rel,
          violations: [],
          checks: [
            {
              id: 'policypress-page-audit-error',
              impact: 'critical',
              help: 'The page could be loaded and audited',
              helpUrl: '',
              nodes: [{ target: '', html: '', summary: `the audit of this page took over ${ms / 1000} s` }],
            },
          ],
          incomplete: [],
          warnings: [],
          easyReadRows: 0,
        }),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function shorten(s, n) {
  s = String(s ?? '').replace(/\s+/g, ' ').trim();
  return s.length > n ? s.slice(0, n - 3) + '...' : s;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const pages = findPages(outputDir);
  if (pages.length === 0) {
    console.error(`a11y: no *.html pages under ${outputDir} (build the site first)`);
    process.exit(2);
  }

  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    console.error('a11y: playwright-core is not installed: run `npm ci` in a11y/ (or scripts/a11y.sh)');
    process.exit(2);
  }

  const { server, origin, missing } = await startServer(outputDir);
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'policypress-a11y-chromium-'));
  let context;
  const results = [];
  const blocked = new Set();
  try {
    try {
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: AXE_WIDTH, height: VIEWPORT_HEIGHT },
        timeout: 60_000,
        reducedMotion: 'reduce',
      });
    } catch (err) {
      console.error(`a11y: could not start Chromium at ${CHROMIUM}: ${String(err.message).split('\n')[0]}`);
      process.exit(2);
    }
    // Pages must not reach outside the loopback server (there is no network here anyway).
    await context.route(
      (url) => !url.href.startsWith(origin + '/'),
      (route) => {
        blocked.add(route.request().url());
        return route.abort('blockedbyclient');
      },
    );
    // launchPersistentContext opens a blank page; close it so workers own their pages.
    for (const p of context.pages()) await p.close().catch(() => {});

    let next = 0;
    const worker = async () => {
      while (next < pages.length) {
        const rel = pages[next++];
        results.push(await withTimeout(auditPage(context, origin, rel), PAGE_TIMEOUT_MS, rel));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, pages.length) }, worker));
  } finally {
    if (context) await context.close().catch(() => {});
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  results.sort((a, b) => a.page.localeCompare(b.page));

  // -------------------------------------------------------------------------------------------
  // Report
  // -------------------------------------------------------------------------------------------
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const out = [];
  let violations = 0;
  let failedPages = 0;
  const rulesHit = new Map();
  for (const r of results) {
    const all = [...r.violations, ...r.checks];
    if (all.length === 0) continue;
    failedPages++;
    out.push('', `FAIL ${r.page}`);
    for (const v of all) {
      violations += v.nodes.length;
      rulesHit.set(v.id, (rulesHit.get(v.id) || 0) + v.nodes.length);
      const at = v.width ? ` at ${v.width} px` : '';
      out.push(`  ${v.id} [${v.impact || 'n/a'}]${at}: ${v.help} (${v.nodes.length} element${v.nodes.length === 1 ? '' : 's'})`);
      if (v.helpUrl) out.push(`    help: ${v.helpUrl}`);
      for (const n of v.nodes.slice(0, 10)) {
        out.push(`    - ${n.target || '(page)'}`);
        if (n.html) out.push(`      ${n.html}`);
        if (n.summary) out.push(`      ${n.summary}`);
      }
      if (v.nodes.length > 10) out.push(`    ... and ${v.nodes.length - 10} more (see the JSON report)`);
    }
  }
  const warnings = [];
  for (const r of results) for (const w of new Set(r.warnings)) warnings.push(`${r.page}: ${w}`);
  for (const m of [...missing].sort()) warnings.push(`a page asked for a file the output does not have: ${m}`);
  for (const b of [...blocked].sort()) warnings.push(`blocked a request leaving the site: ${shorten(b, 160)}`);
  const incompleteCount = results.reduce((n, r) => n + r.incomplete.reduce((m, v) => m + v.nodes.length, 0), 0);

  console.log(
    `a11y: axe-core ${JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version}` +
      ` in ${CHROMIUM}; tags ${AXE_TAGS.join(', ')}` +
      ` at ${AXE_WIDTH} px; overflow at ${OVERFLOW_WIDTHS.join(', ')} px;` +
      ` easy-read rows at ${EASY_READ_WIDTHS.join(', ')} px`,
  );
  for (const r of results) {
    const n = r.violations.reduce((m, v) => m + v.nodes.length, 0) + r.checks.reduce((m, v) => m + v.nodes.length, 0);
    const rows = r.easyReadRows ? `, ${r.easyReadRows} easy-read rows` : '';
    console.log(`  ${n === 0 ? 'ok  ' : 'FAIL'} ${r.page}${rows}${n ? ` (${n})` : ''}`);
  }
  if (out.length) console.log(out.join('\n'));
  if (warnings.length) {
    console.log('\nwarnings (not failures):');
    for (const w of warnings) console.log(`  ${w}`);
  }
  if (incompleteCount) {
    console.log(
      `\nnote: axe could not decide ${incompleteCount} check(s) automatically ("needs review"; not failures): see ${path.relative(process.cwd(), jsonPath) || jsonPath}`,
    );
  }
  console.log('');
  if (rulesHit.size) {
    console.log(`by rule: ${[...rulesHit].map(([id, n]) => `${id} ${n}`).join(', ')}`);
  }
  console.log(`${results.length} pages audited, ${violations} violations (${seconds} s)`);
  console.log(`a11y: ${results.length - failedPages} passed, ${failedPages} failed`);

  const report = {
    outputDir,
    axeCore: JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version,
    chromium: CHROMIUM,
    tags: AXE_TAGS,
    widths: { axe: AXE_WIDTH, overflow: OVERFLOW_WIDTHS, easyRead: EASY_READ_WIDTHS },
    pagesAudited: results.length,
    pagesFailed: failedPages,
    violations,
    seconds: Number(seconds),
    warnings,
    pages: results,
  };
  writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n');
  process.exit(violations > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(`a11y: the suite itself failed: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});
