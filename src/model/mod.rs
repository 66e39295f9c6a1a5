//! The document model: what a policy says, as plain data, parsed once and shared by every output.
//!
//! Data only: no reading files, no rendering, no audience filtering (that is `resolve`).

pub mod artifact;
pub mod breaks;
pub mod dates;
pub mod ids;
pub mod languages;
pub mod phone;

pub use artifact::Artifact;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

use crate::model::dates::Date;

/// One of the four readerships a policy is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Audience {
    /// The full policy on the staff intranet.
    Staff,
    /// The patient information leaflet.
    Patient,
    /// Pictures beside short sentences, for people with learning disabilities.
    EasyRead,
    /// Ward posters.
    Poster,
}

impl Audience {
    /// Every audience, in the order outputs are listed.
    pub const ALL: [Audience; 4] = [Audience::Staff, Audience::Patient, Audience::EasyRead, Audience::Poster];

    /// The name used in fences and in output folder names.
    pub fn name(self) -> &'static str {
        match self {
            Audience::Staff => "staff",
            Audience::Patient => "patient",
            Audience::EasyRead => "easy-read",
            Audience::Poster => "poster",
        }
    }

    /// The audience with this fence name, if any.
    pub fn from_name(name: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.name() == name)
    }

    /// What readers call this output.
    pub fn label(self) -> &'static str {
        match self {
            Audience::Staff => "Staff policy",
            Audience::Patient => "Patient information leaflet",
            Audience::EasyRead => "Easy read",
            Audience::Poster => "Ward poster",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The audiences a block of text is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
pub struct AudienceSet(u8);

impl AudienceSet {
    /// Unfenced text: staff only.
    pub const STAFF_ONLY: AudienceSet = AudienceSet(1);

    /// Adds an audience.
    pub fn insert(&mut self, audience: Audience) {
        self.0 |= audience.bit();
    }

    /// True when the set includes `audience`.
    pub fn contains(self, audience: Audience) -> bool {
        self.0 & audience.bit() != 0
    }
}

/// Publication state from the front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// Not yet approved: left out of builds unless `--drafts`, then marked DRAFT.
    Draft,
    /// In force.
    Approved,
    /// No longer in force: listed for staff as withdrawn; no other audience output.
    Withdrawn,
}

impl Status {
    /// The word used in the front matter.
    pub fn name(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Approved => "approved",
            Status::Withdrawn => "withdrawn",
        }
    }
}

/// How patients and visitors reach the Trust or a service ("how to contact us"): the site's
/// `contact:` in `policypress.yaml`, or a policy's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Contact {
    /// Team name, e.g. the Patient Advice and Liaison Service.
    pub name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
}

/// One row of the version-control table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Version number as written.
    pub version: String,
    /// When that version was issued.
    pub date: Date,
    /// What changed.
    pub changes: String,
}

/// The policy's front matter, checked and typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Policy title.
    pub title: String,
    /// Trust reference number, e.g. `IG-014`.
    pub reference: Option<String>,
    /// Version, as written (a string, so `2.10` stays `2.10`).
    pub version: String,
    /// Draft, approved or withdrawn.
    pub status: Status,
    /// Date of approval (required unless draft).
    pub approved_date: Option<Date>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// Who owns it.
    pub owner: Option<String>,
    /// When it is next due for review.
    pub review_date: Date,
    /// 1-based line of `review-date:` in the file, for the overdue warning.
    pub review_line: usize,
    /// One or two sentences for index pages and covers (staff only).
    pub summary: Option<String>,
    /// Ids of related policies, with the line each is written on.
    pub related: Vec<(String, usize)>,
    /// Hard words and their plain explanations, for easy read.
    pub glossary: Vec<(String, String)>,
    /// Policy-level variables (override the site's).
    pub variables: BTreeMap<String, String>,
    /// Version history, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Local fields shown to staff as "further details", in file order.
    pub extra: Vec<(String, String)>,
    /// The library category (one of `categories:` in the settings), with where it is written.
    pub category: Option<(String, crate::diag::Location)>,
    /// The directorate that owns the policy, for grouping in the library.
    pub directorate: Option<String>,
    /// The short web address name (`short:`), when the front matter sets one; the id otherwise.
    pub short: Option<String>,
    /// 1-based line of `short:` (or of the front matter's start), for messages.
    pub short_line: usize,
    /// The policy's own "how to contact us" (a ward or service), replacing the site's.
    pub contact: Option<Contact>,
    /// 1-based line of `contact:` in the file, for messages.
    pub contact_line: usize,
}

/// A parsed policy: its id, where it came from, its metadata and its body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Policy {
    /// The file stem: lower-case letters, digits and hyphens.
    pub id: String,
    /// Source path relative to the project root, for messages.
    pub source: String,
    /// Folder of the source file relative to `content/`, with `/` separators ("" at the top).
    pub content_dir: String,
    /// The front matter.
    pub meta: Meta,
    /// The body, in file order, each block tagged with its audiences.
    pub blocks: Vec<Block>,
    /// Earlier approved versions from the git history, newest first (empty outside git).
    pub earlier: Vec<Policy>,
    /// Translations of its patient, easy-read and poster text, by language tag order.
    pub translations: Vec<Translation>,
}

/// A translation of a policy's patient, easy-read and poster text into another language
/// (`content/<id>.<lang>.md`). It never holds staff text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Translation {
    /// The language, a BCP 47 tag as written in the file name (`cy`, `ar`, `zh-Hans`).
    pub lang: String,
    /// Source path relative to the project root, for messages.
    pub source: String,
    /// The translated policy title.
    pub title: String,
    /// The version of the policy it translates (`translation-of:`).
    pub translation_of: String,
    /// 1-based line of `translation-of:`, for messages.
    pub translation_of_line: usize,
    /// True when it translates the policy's current version.
    pub current: bool,
    /// The translated glossary (easy read), in file order.
    pub glossary: Vec<(String, String)>,
    /// The translated blocks, in file order, each tagged with its audiences (never staff).
    pub blocks: Vec<Block>,
}

/// A top-level piece of the body with the audiences it is for.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct Block {
    /// What it is.
    pub kind: BlockKind,
    /// Who reads it.
    pub audiences: AudienceSet,
    /// Which fence it came from (counted from 1 in file order); 0 for unfenced staff text.
    pub fence: usize,
    /// 1-based source line where it starts.
    pub line: usize,
}

/// Block-level content.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub enum BlockKind {
    /// A heading; `anchor` is unique within the policy.
    Heading {
        /// 1 to 6, as written.
        level: u8,
        /// The words.
        content: Vec<Inline>,
        /// The fragment id used for links and contents lists.
        anchor: String,
    },
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A bulleted or numbered list; each item is a list of blocks.
    List {
        /// `Some(first number)` for a numbered list.
        start: Option<u64>,
        /// Written without blank lines between its items (CommonMark's "tight"): items' text is
        /// not set as paragraphs.
        tight: bool,
        /// The items.
        items: Vec<Vec<BlockKind>>,
    },
    /// A table with one header row.
    Table {
        /// Column alignments.
        align: Vec<Align>,
        /// Header cells.
        header: Vec<Vec<Inline>>,
        /// Body rows.
        rows: Vec<Vec<Vec<Inline>>>,
    },
    /// A block quote.
    Quote(Vec<BlockKind>),
    /// Preformatted text.
    Code {
        /// The first word of a fenced block's info string (` ```ruby `), if any.
        language: Option<String>,
        /// The lines, without the last line break.
        text: String,
    },
    /// A thematic break.
    Rule,
}

/// Column alignment of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Align {
    /// Not stated (left).
    None,
    /// Left.
    Left,
    /// Centred.
    Center,
    /// Right.
    Right,
}

/// Inline content.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub enum Inline {
    /// Plain text (variables already substituted).
    Text(String),
    /// Emphasis.
    Emphasis(Vec<Inline>),
    /// Strong emphasis.
    Strong(Vec<Inline>),
    /// Code span.
    Code(String),
    /// A link.
    Link {
        /// Where it goes.
        target: LinkTarget,
        /// The link text.
        content: Vec<Inline>,
        /// The link's title (`[a](url "title")`), shown as a tooltip on web pages.
        title: Option<String>,
        /// 1-based source line and column of the link, for messages about it.
        at: (usize, usize),
    },
    /// A picture with its required alternative text.
    Image {
        /// Path relative to `content/`, checked to exist inside it.
        path: String,
        /// Alternative text.
        alt: String,
        /// The picture's title (`![a](p.png "title")`), shown as a tooltip on web pages.
        title: Option<String>,
    },
    /// A pictogram of the theme's icon set.
    Icon(String),
    /// A hard line break.
    LineBreak,
    /// Words in another language than the text around them (`[Bore da]{lang=cy}`): marked with
    /// their language in every output, for screen readers and for the right font and direction.
    Span {
        /// A BCP 47 language tag, as written.
        lang: String,
        /// The words.
        content: Vec<Inline>,
    },
}

/// Where a link goes, as written by the author.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkTarget {
    /// A web, email or phone address, passed through.
    External(String),
    /// Another policy (or this one), optionally a section of it.
    Policy {
        /// The target policy id.
        id: String,
        /// Heading anchor, if any.
        fragment: Option<String>,
    },
    /// A section of this policy.
    Section(String),
}

/// Calls `visit` with every inline of `blocks` in reading order: headings, paragraphs, list
/// items, quotes and table cells, and inside each the content of emphasis, strong text, links
/// and language spans (after the inline holding it). The one walk over the model, so a new
/// kind of inline is looked into everywhere at once.
pub fn for_each_inline<'a>(blocks: &'a [Block], visit: &mut impl FnMut(&'a Inline)) {
    for block in blocks {
        for_each_inline_of(&block.kind, visit);
    }
}

fn for_each_inline_of<'a>(kind: &'a BlockKind, visit: &mut impl FnMut(&'a Inline)) {
    match kind {
        BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => for_each_inline_in(content, visit),
        BlockKind::List { items, .. } => items.iter().flatten().for_each(|b| for_each_inline_of(b, visit)),
        BlockKind::Quote(blocks) => blocks.iter().for_each(|b| for_each_inline_of(b, visit)),
        BlockKind::Table { header, rows, .. } => {
            header.iter().chain(rows.iter().flatten()).for_each(|cell| for_each_inline_in(cell, visit))
        }
        BlockKind::Code { .. } | BlockKind::Rule => {}
    }
}

fn for_each_inline_in<'a>(content: &'a [Inline], visit: &mut impl FnMut(&'a Inline)) {
    for inline in content {
        visit(inline);
        match inline {
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Link { content: c, .. }
            | Inline::Span { content: c, .. } => for_each_inline_in(c, visit),
            _ => {}
        }
    }
}

/// Gives back the room a parse left spare in `blocks`' lists and texts. A list grown one
/// inline at a time keeps room for four (an inline is over a hundred bytes) and a text grown by
/// appending keeps up to twice its length: most of a parsed policy's memory, held with the
/// resolved views until resolving ends (the peak of a large build). Changes no content.
pub fn shrink_blocks(blocks: &mut Vec<Block>) {
    for block in blocks.iter_mut() {
        shrink_block_kind(&mut block.kind);
    }
    blocks.shrink_to_fit();
}

fn shrink_block_kind(kind: &mut BlockKind) {
    match kind {
        BlockKind::Heading { content, anchor, .. } => {
            shrink_inlines(content);
            anchor.shrink_to_fit();
        }
        BlockKind::Paragraph(content) => shrink_inlines(content),
        BlockKind::List { items, .. } => {
            for item in items.iter_mut() {
                item.iter_mut().for_each(shrink_block_kind);
                item.shrink_to_fit();
            }
            items.shrink_to_fit();
        }
        BlockKind::Quote(blocks) => {
            blocks.iter_mut().for_each(shrink_block_kind);
            blocks.shrink_to_fit();
        }
        BlockKind::Table { align, header, rows } => {
            align.shrink_to_fit();
            header.iter_mut().for_each(shrink_inlines);
            header.shrink_to_fit();
            for row in rows.iter_mut() {
                row.iter_mut().for_each(shrink_inlines);
                row.shrink_to_fit();
            }
            rows.shrink_to_fit();
        }
        BlockKind::Code { text, .. } => text.shrink_to_fit(),
        BlockKind::Rule => {}
    }
}

fn shrink_inlines(content: &mut Vec<Inline>) {
    for inline in content.iter_mut() {
        match inline {
            Inline::Text(t) | Inline::Code(t) => t.shrink_to_fit(),
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Link { content: c, .. }
            | Inline::Span { content: c, .. } => shrink_inlines(c),
            Inline::Image { .. } | Inline::Icon(_) | Inline::LineBreak => {}
        }
    }
    content.shrink_to_fit();
}

/// The plain words of some inline content, as a screen reader or search index sees them.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out);
    out
}

fn push_plain_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Link { content: c, .. }
            | Inline::Span { content: c, .. } => push_plain_text(c, out),
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::Icon(_) => {}
            Inline::LineBreak => out.push(' '),
        }
    }
}

/// Orders two version numbers as people read them: part by part, numbers as numbers (`3.10`
/// after `3.9`), other parts as text.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |v: &str| v.split(['.', '-']).map(str::to_string).collect::<Vec<_>>();
    let (a, b) = (parts(a), parts(b));
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).map_or("0", String::as_str), b.get(i).map_or("0", String::as_str));
        let order = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => x.cmp(y),
        };
        if order != std::cmp::Ordering::Equal {
            return order;
        }
    }
    std::cmp::Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(words: &str) -> Inline {
        Inline::Text(words.to_string())
    }

    #[test]
    fn the_walk_looks_into_language_spans_lists_quotes_and_tables() {
        // An icon and a link inside a Welsh greeting were missed by the walks that predated
        // language spans (the pictures' credit, the linked policies).
        let span = Inline::Span {
            lang: "cy".to_string(),
            content: vec![
                Inline::Icon("waving-hand".to_string()),
                Inline::Link {
                    target: LinkTarget::Policy { id: "visiting".to_string(), fragment: None },
                    content: vec![text("Croeso")],
                    title: None,
                    at: (1, 1),
                },
            ],
        };
        let kinds = [
            BlockKind::Paragraph(vec![Inline::Strong(vec![span])]),
            BlockKind::List { start: None, tight: true, items: vec![vec![BlockKind::Paragraph(vec![text("item")])]] },
            BlockKind::Quote(vec![BlockKind::Paragraph(vec![text("quoted")])]),
        ];
        let blocks: Vec<Block> = kinds
            .into_iter()
            .map(|kind| Block { kind, audiences: AudienceSet::STAFF_ONLY, fence: 0, line: 1 })
            .collect();
        let mut seen = Vec::new();
        for_each_inline(&blocks, &mut |inline| match inline {
            Inline::Icon(name) => seen.push(format!("icon {name}")),
            Inline::Link { target: LinkTarget::Policy { id, .. }, .. } => seen.push(format!("link {id}")),
            Inline::Text(words) => seen.push(words.clone()),
            _ => {}
        });
        assert_eq!(seen, ["icon waving-hand", "link visiting", "Croeso", "item", "quoted"]);
    }
}
