//! The staff site's full-text search index, built at build time with elasticlunr-rs and read in
//! the browser by elasticlunr.js.
//!
//! Pure. Indexes staff views only: nothing written for staff reaches another audience's search,
//! and no other audience has a search index.

use serde::Serialize;

use crate::model::Artifact;
use crate::model::{Audience, Block, BlockKind, plain_text};
use crate::resolve::Library;

/// What the results list shows for a document, keyed by policy id.
#[derive(Serialize)]
struct SearchDoc<'a> {
    title: &'a str,
    reference: &'a str,
    summary: &'a str,
    url: String,
}

/// Builds `assets/search-index.js`: the index and the result details, as a script so search works
/// when pages are opened straight from disk (browsers refuse to fetch JSON from `file://`).
pub fn search_index(library: &Library) -> Artifact {
    let mut index =
        elasticlunr::IndexBuilder::new().save_docs(false).add_fields(["title", "reference", "summary", "body"]).build();
    let mut docs = std::collections::BTreeMap::new();
    for view in library.views(Audience::Staff) {
        let staff = view.staff.as_ref();
        let summary = staff.and_then(|s| s.summary.as_deref()).unwrap_or("");
        let reference = view.reference.as_deref().unwrap_or("");
        let body = searchable(&body_text(&view.blocks));
        let fields = [searchable(&view.policy_title), searchable(reference), searchable(summary), body];
        index.add_doc(&view.id, fields.iter().map(String::as_str));
        docs.insert(
            view.id.as_str(),
            SearchDoc { title: &view.policy_title, reference, summary, url: format!("{}.html", view.id) },
        );
    }
    let docs = serde_json::to_string(&docs).expect("plain data serialises");
    let script = format!("window.policySearch = {{\"index\": {}, \"docs\": {docs}}};\n", index.to_json());
    Artifact::new("assets/search-index.js", script.into_bytes())
}

/// Longest word the index keeps. Nobody searches for longer ones (a pasted code, a long web
/// address), and elasticlunr's index holds a node per letter, so a 50,000-letter "word" would
/// overflow the stack when the index is written.
const LONGEST_WORD: usize = 40;

/// The text with over-long words left out.
fn searchable(text: &str) -> String {
    text.lines()
        .map(|line| line.split_whitespace().filter(|w| w.chars().count() <= LONGEST_WORD).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The words of a policy's blocks, one line per block.
fn body_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        push_block_text(&block.kind, &mut out);
    }
    out
}

fn push_block_text(kind: &BlockKind, out: &mut String) {
    match kind {
        BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => {
            out.push_str(&plain_text(content));
            out.push('\n');
        }
        BlockKind::List { items, .. } => items.iter().flatten().for_each(|b| push_block_text(b, out)),
        BlockKind::Quote(blocks) => blocks.iter().for_each(|b| push_block_text(b, out)),
        BlockKind::Table { header, rows, .. } => {
            for cell in header.iter().chain(rows.iter().flatten()) {
                out.push_str(&plain_text(cell));
                out.push(' ');
            }
            out.push('\n');
        }
        BlockKind::Code { text: code, .. } => {
            out.push_str(code);
            out.push('\n');
        }
        BlockKind::Rule => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_long_words_are_left_out_of_the_index() {
        let long = "a".repeat(50_000);
        assert_eq!(searchable(&format!("keep {long} these\nwords")), "keep these\nwords");
    }
}
