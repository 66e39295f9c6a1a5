// Writes the CommonMark 0.31.2 spec examples as JSON for scripts/commonmark-spec.py:
//   node reference.mjs OUT.json [REWRITTEN.json]
// Each example: number, section, markdown, html (the spec's expected output) and, for examples
// with raw HTML, as_text: what commonmark.js renders when every raw-HTML node is turned into
// text (an HTML block into a paragraph of its trimmed source, inline HTML into literal text),
// which is what policypress documents ("raw HTML is shown as text, with a warning").
// With REWRITTEN.json (a list of {number, markdown}), each is rendered the same way instead.
import fs from "fs";
import { createRequire } from "module";
import * as commonmark from "commonmark";

const require = createRequire(import.meta.url);
const reader = new commonmark.Parser();
const writer = new commonmark.HtmlRenderer();

// The spec's own test runner writes tabs as U+2192.
const tab = (s) => s.replace(/\u2192/g, "\t");

function render(markdown) {
  const doc = reader.parse(markdown);
  const walker = doc.walker();
  const raw = [];
  let event;
  while ((event = walker.next())) {
    if (event.entering && (event.node.type === "html_block" || event.node.type === "html_inline")) {
      raw.push(event.node);
    }
  }
  for (const node of raw) {
    const text = new commonmark.Node("text");
    if (node.type === "html_block") {
      text.literal = node.literal.trim();
      const paragraph = new commonmark.Node("paragraph");
      paragraph.appendChild(text);
      node.insertBefore(paragraph);
    } else {
      text.literal = node.literal;
      node.insertBefore(text);
    }
    node.unlink();
  }
  return { has_raw_html: raw.length > 0, as_text: writer.render(doc) };
}

const [out, rewritten] = process.argv.slice(2);
let examples;
if (rewritten) {
  examples = JSON.parse(fs.readFileSync(rewritten, "utf8")).map((e) => ({ ...e, ...render(e.markdown) }));
} else {
  examples = require("commonmark-spec").tests.map((t) => {
    const markdown = tab(t.markdown);
    const html = tab(t.html);
    const plain = writer.render(reader.parse(markdown));
    if (plain !== html) {
      throw new Error(`commonmark.js differs from the spec on example ${t.number}`);
    }
    return { number: t.number, section: t.section, markdown, html, ...render(markdown) };
  });
}
fs.writeFileSync(out, JSON.stringify(examples));
