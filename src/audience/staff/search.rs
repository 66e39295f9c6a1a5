//! The staff site's search index: sections (a policy's top, then one per heading) in a small
//! inverted index of our own, written as script files that `library.js` loads with `<script>`
//! tags when a search starts, so search works from `file://` (browsers refuse `fetch` there).
//!
//! Files, all under `staff/search/`:
//! - `manifest.js`: the shard prefixes, the number of sections, the stop words. Small: a first
//!   query reads it, one shard per word (and the shards of longer words it starts), then the
//!   text chunks of the ten results shown.
//! - `t<n>.js`: terms whose longest listed prefix is shard `n`'s, each with its postings
//!   (section, weight) in a compact string ([`encode_postings`]). Shards are split by term
//!   prefix until each is about [`SHARD_TARGET`] bytes, so a query never reads the whole index.
//! - `s<n>.js`: [`PER_CHUNK`] consecutive sections (policy, heading, anchor, text) with what a
//!   result shows of their policies (title, reference, link, status), read only for the results
//!   shown.
//!
//! Words are normalised the same way here and in `library.js` ([`normalise`]): lower case,
//! letters and digits, a plural `s` dropped. Pure. Indexes staff views only: nothing written for
//! staff reaches another audience's search, and no other audience has a search index.

use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::model::Artifact;
use crate::model::{Audience, Block, BlockKind, Status, plain_text};
use crate::resolve::{AudienceView, Library};

/// Where the index files go, under `output/`.
pub const SEARCH_DIR: &str = "staff/search";

/// Longest word the index keeps. Nobody searches for longer ones (a pasted code, a long web
/// address), and they would only bloat the shards.
const LONGEST_WORD: usize = 40;

/// About how many bytes one term shard may hold before it is split by a longer prefix.
const SHARD_TARGET: usize = 12 * 1024;

/// Sections per text chunk: a result list of ten reads at most ten small chunks, and the
/// reader finds a section's chunk without a table. Six, not fewer: each file costs the build
/// far more to make than its bytes (3 made 5,750 files for 500 policies, a third of the build's
/// files), while a chunk stays about 8 KB (at most about 14), so a first query on 500 policies
/// still reads well under 200 KB.
const PER_CHUNK: usize = 6;

/// Weights of where a word is found: the policy title and reference (at the policy's top),
/// a section heading, the policy title again as context for every section, and the body.
const WEIGHT_TITLE: u32 = 12;
const WEIGHT_HEADING: u32 = 6;
const WEIGHT_CONTEXT: u32 = 2;
const WEIGHT_BODY: u32 = 1;
/// A weight is stored as one small number.
const MAX_WEIGHT: u32 = 60;

/// Words too common to help; left out of the index and of queries (the reader ships the list).
pub const STOP_WORDS: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in", "into", "is", "it",
    "its", "of", "on", "or", "our", "so", "than", "that", "the", "their", "them", "then", "this", "to", "was", "with",
];

/// One searchable section's text: a heading and the text under it, or a policy's top.
#[derive(Debug, Clone, PartialEq)]
struct Section {
    policy: usize,
    /// The heading ("" for the top of the policy).
    heading: String,
    /// The heading's anchor ("" for the top).
    anchor: String,
    /// Each block's words, one line per block.
    text: String,
}

/// What a result shows of its policy, stored in each text chunk that has a section of it.
#[derive(Serialize)]
struct PolicyEntry<'a> {
    title: &'a str,
    reference: &'a str,
    href: String,
    status: &'static str,
    label: &'static str,
}

/// A chunk of section text: the policies its sections belong to, then for each section
/// `[policy, heading, anchor, text]`.
#[derive(Serialize)]
struct Chunk<'a> {
    policies: BTreeMap<usize, &'a PolicyEntry<'a>>,
    sections: Vec<(usize, &'a str, &'a str, &'a str)>,
}

#[derive(Serialize)]
struct Manifest {
    version: u32,
    sections: usize,
    /// Sections per text chunk: section `n` is in `s<n / per_chunk>.js`.
    per_chunk: usize,
    /// Shard prefixes; shard `n` is `t<n>.js`.
    shards: Vec<String>,
    stop: &'static [&'static str],
}

/// The alphanumeric runs of `text` short enough to index, as written.
fn raw_words(text: &str) -> impl Iterator<Item = &str> {
    // A word's bytes are at least its characters: most are counted by their length alone.
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && (w.len() <= LONGEST_WORD || w.chars().count() <= LONGEST_WORD))
}

/// The longest of the [`STOP_WORDS`], in bytes: a longer word is never looked for among them.
const LONGEST_STOP_WORD: usize = {
    let mut longest = 0;
    let mut i = 0;
    while i < STOP_WORDS.len() {
        if STOP_WORDS[i].len() > longest {
            longest = STOP_WORDS[i].len();
        }
        i += 1;
    }
    longest
};

/// Whether a normalised word goes in the index: not a stop word, and more than one letter
/// (a lone digit is kept).
fn indexed(w: &str) -> bool {
    let mut chars = w.chars();
    let one_letter = chars.next().is_some_and(|c| !c.is_ascii_digit()) && chars.next().is_none();
    let stop_word = w.len() <= LONGEST_STOP_WORD && STOP_WORDS.contains(&w);
    !(w.is_empty() || one_letter || stop_word)
}

/// One word as the index keeps it, into `w` (emptied first, so one buffer serves every word):
/// lower case, a plural ending made singular (`policies` -> `policy`, `photos` -> `photo`; not
/// `process` or `status`). `library.js` does the same.
fn normalise_into(word: &str, w: &mut String) {
    w.clear();
    let len = if word.is_ascii() {
        w.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        w.len()
    } else {
        w.push_str(&word.to_lowercase());
        w.chars().count()
    };
    if len > 4 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if len > 3 && w.ends_with('s') && !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is")) {
        w.pop();
    }
}

/// What cutting a view into sections ([`cut_sections`]) hands on, in order: each section as
/// it starts, its words with their weight, its blocks' text. The term parts keep the words,
/// the text chunks the text: one cut, so both number the same sections.
trait SectionSink {
    /// A section starts: the policy's top (no heading, no anchor; `text` its summary) or a
    /// heading's (`text` empty).
    fn start(&mut self, heading: &str, anchor: &str, text: &str);
    /// Words of the current section, each counted `weight` times.
    fn words(&mut self, text: &str, weight: u32);
    /// One block's text, in the current section.
    fn block_text(&mut self, text: &str);
}

/// Cuts one staff view into sections for `sink`: the top (title, reference, summary and any
/// text before the first heading), then one per heading of any level ([`section_count`] of
/// them).
fn cut_sections(view: &AudienceView, sink: &mut impl SectionSink) {
    let staff = view.staff.as_ref();
    let summary = staff.and_then(|s| s.summary.as_deref()).unwrap_or("");
    let reference = view.reference.as_deref().unwrap_or("");
    sink.start("", "", summary);
    sink.words(&view.policy_title, WEIGHT_TITLE);
    sink.words(reference, WEIGHT_TITLE);
    sink.words(summary, WEIGHT_HEADING);
    let mut text = String::new();
    for block in &view.blocks {
        if let BlockKind::Heading { content, anchor, .. } = &block.kind {
            let heading = plain_text(content);
            let heading = heading.trim();
            sink.start(heading, anchor, "");
            sink.words(heading, WEIGHT_HEADING);
            sink.words(&view.policy_title, WEIGHT_CONTEXT);
            continue;
        }
        text.clear();
        push_block_text(&block.kind, &mut text);
        sink.words(&text, WEIGHT_BODY);
        sink.block_text(&text);
    }
}

/// The sections' text of one policy (for the text chunks).
struct SectionTexts {
    policy: usize,
    sections: Vec<Section>,
}

impl SectionSink for SectionTexts {
    fn start(&mut self, heading: &str, anchor: &str, text: &str) {
        let (heading, anchor, text) = (heading.to_string(), anchor.to_string(), text.to_string());
        self.sections.push(Section { policy: self.policy, heading, anchor, text });
    }

    fn words(&mut self, _: &str, _: u32) {}

    fn block_text(&mut self, text: &str) {
        let section = self.sections.last_mut().expect("a section starts before its text");
        if !section.text.is_empty() {
            section.text.push('\n');
        }
        section.text.push_str(text.trim_end());
    }
}

/// The sections of the staff view of policy `policy` (its place in the library), with their text.
fn sections_of(policy: usize, view: &AudienceView) -> Vec<Section> {
    let mut texts = SectionTexts { policy, sections: Vec::new() };
    cut_sections(view, &mut texts);
    texts.sections
}

/// The postings of a [`TermPart`] as its sections are cut, words going straight to their
/// term's postings: a term is a number once it is known, so a word costs one lookup and a
/// section's words are never copied into a map of their own (that was most of the index's
/// cost on a large library).
#[derive(Default)]
struct PartBuilder {
    /// Each term's number.
    ids: FxHashMap<String, u32>,
    /// Each term (by number) and its postings so far; `first` is `usize::MAX` before its first.
    terms: Vec<(String, PartPostings)>,
    /// Each term's weight in the current section (0: not in it).
    weights: Vec<u32>,
    /// The terms in the current section.
    in_section: Vec<u32>,
    /// Sections started.
    sections: usize,
    /// The word being normalised.
    word: String,
}

impl PartBuilder {
    /// Writes the current section's postings.
    fn end_section(&mut self) {
        let Some(section) = self.sections.checked_sub(1) else { return };
        for id in self.in_section.drain(..) {
            let weight = std::mem::take(&mut self.weights[id as usize]);
            let p = &mut self.terms[id as usize].1;
            if p.first == usize::MAX {
                (p.first, p.first_weight) = (section, weight);
            } else {
                push_posting(&mut p.rest, section - p.last, weight);
            }
            p.last = section;
        }
    }

    fn finish(mut self) -> TermPart {
        self.end_section();
        let mut terms = self.terms;
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        TermPart { sections: self.sections, terms }
    }
}

impl SectionSink for PartBuilder {
    fn start(&mut self, _: &str, _: &str, _: &str) {
        self.end_section();
        self.sections += 1;
    }

    fn words(&mut self, text: &str, weight: u32) {
        let mut word = std::mem::take(&mut self.word);
        for raw in raw_words(text) {
            normalise_into(raw, &mut word);
            if !indexed(&word) {
                continue;
            }
            let id = match self.ids.get(word.as_str()) {
                Some(id) => *id,
                None => {
                    let id = self.terms.len() as u32;
                    self.ids.insert(word.clone(), id);
                    let p = PartPostings { first: usize::MAX, first_weight: 0, last: 0, rest: String::new() };
                    self.terms.push((word.clone(), p));
                    self.weights.push(0);
                    id
                }
            };
            let w = &mut self.weights[id as usize];
            if *w == 0 {
                self.in_section.push(id);
            }
            *w = (*w + weight).min(MAX_WEIGHT);
        }
        self.word = word;
    }

    fn block_text(&mut self, _: &str) {}
}

/// How many sections [`sections_of`] cuts `view` into, without cutting it.
fn section_count(view: &AudienceView) -> usize {
    1 + view.blocks.iter().filter(|b| matches!(b.kind, BlockKind::Heading { .. })).count()
}

/// The staff views the library lists, in the order the manifest numbers them.
fn indexed_views(library: &Library) -> Vec<&AudienceView> {
    library.views(Audience::Staff).collect()
}

/// About how many policies' text chunks one [`TextPart`] makes: the index's text is most of
/// its bytes (about 45 KB a policy), made and written a part at a time so a large library's
/// text is never all in memory (at 2,000 policies it was 90 MB held at once, twice that while
/// being made).
const POLICIES_PER_PART: usize = 64;

/// A term's postings as they are added, in section order: already in the form the shard
/// writes ([`push_posting`]), so the index holds about two bytes per posting.
struct Postings {
    last: usize,
    encoded: String,
}

/// Builds every file of the search index: [`term_files`] and every [`TextPart`]'s chunks.
pub fn search_index(library: &Library) -> Vec<Artifact> {
    let mut files = term_files(library);
    for part in text_parts(library) {
        files.extend(part.chunk_files(library));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The term shards and the manifest, made in one go: every [`TermPart`] made, then merged.
/// The result is the same on any number of threads.
pub fn term_files(library: &Library) -> Vec<Artifact> {
    let parts = term_parts(library);
    term_files_of_parts(parts.par_iter().map(|range| TermPart::of(library, range.clone())).collect())
}

/// The policies (by place in the library) whose postings each [`TermPart`] holds: about
/// [`POLICIES_PER_PART`] policies each, in order, every policy in exactly one. A part is cut
/// by policies alone (not by what they hold), so an edit changes only the part of its policy,
/// and the build keeps the others' postings (its memos) to merge again.
pub fn term_parts(library: &Library) -> Vec<std::ops::Range<usize>> {
    cut_term_parts(indexed_views(library).len(), POLICIES_PER_PART)
}

/// [`term_parts`] of `count` policies, `per_part` a part.
fn cut_term_parts(count: usize, per_part: usize) -> Vec<std::ops::Range<usize>> {
    (0..count).step_by(per_part).map(|a| a..(a + per_part).min(count)).collect()
}

/// The postings of some consecutive policies, with section numbers counted from the part's own
/// first section, so a part does not depend on the policies before it: the merge
/// ([`term_files_of_parts`]) moves each term's first posting to where the part starts.
#[derive(Debug, Clone, PartialEq)]
pub struct TermPart {
    /// How many sections its policies have.
    sections: usize,
    /// Each term, sorted, with its postings in the part.
    terms: Vec<(String, PartPostings)>,
}

/// One term's postings in a [`TermPart`]: the first apart (its section is re-based in the
/// merge), the others already written as [`push_posting`] writes them, and the last section
/// (the one the next part's first posting counts from).
#[derive(Debug, Clone, PartialEq)]
struct PartPostings {
    first: usize,
    first_weight: u32,
    last: usize,
    rest: String,
}

impl TermPart {
    /// The postings of the staff views of `policies` (places in the library).
    pub fn of(library: &Library, policies: std::ops::Range<usize>) -> TermPart {
        let views = indexed_views(library);
        let mut part = PartBuilder::default();
        for view in &views[policies] {
            cut_sections(view, &mut part);
        }
        part.finish()
    }

    /// The part as a memo's bytes: the section count on the first line, then a line per term
    /// (term, first section, its weight, last section, the other postings; tab-separated). A
    /// term is letters and digits and postings are [`DIGITS`], so neither holds a tab or a line
    /// break.
    pub fn encode(&self) -> Vec<u8> {
        let size: usize = self.terms.iter().map(|(t, p)| t.len() + p.rest.len() + 16).sum();
        let mut out = String::with_capacity(size + 12);
        out.push_str(&self.sections.to_string());
        out.push('\n');
        for (term, p) in &self.terms {
            use std::fmt::Write;
            let _ = writeln!(out, "{term}\t{}\t{}\t{}\t{}", p.first, p.first_weight, p.last, p.rest);
        }
        out.into_bytes()
    }

    /// A part from [`TermPart::encode`]'s bytes; `None` for bytes it did not write.
    pub fn decode(bytes: &[u8]) -> Option<TermPart> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut lines = text.split_terminator('\n');
        let sections: usize = lines.next()?.parse().ok()?;
        let mut terms = Vec::new();
        for line in lines {
            let mut fields = line.split('\t');
            let term = fields.next()?.to_string();
            let first: usize = fields.next()?.parse().ok()?;
            let first_weight: u32 = fields.next()?.parse().ok()?;
            let last: usize = fields.next()?.parse().ok()?;
            let rest = fields.next()?.to_string();
            if fields.next().is_some() || term.is_empty() || first > last || last >= sections {
                return None;
            }
            terms.push((term, PartPostings { first, first_weight, last, rest }));
        }
        Some(TermPart { sections, terms })
    }
}

/// The term shards and the manifest from the library's [`TermPart`]s, in library order. Each
/// part's postings of a term are appended to the term's list, its first posting re-based on
/// the term's last section before the part (the postings are deltas): the same bytes as
/// making the postings in one pass over every section.
pub fn term_files_of_parts(parts: Vec<TermPart>) -> Vec<Artifact> {
    let mut postings: HashMap<String, Postings> = HashMap::new();
    let mut sections = 0;
    for part in parts {
        for (term, p) in part.terms {
            let first = sections + p.first;
            match postings.get_mut(term.as_str()) {
                Some(q) => {
                    push_posting(&mut q.encoded, first - q.last, p.first_weight);
                    q.encoded.push_str(&p.rest);
                    q.last = sections + p.last;
                }
                None => {
                    let mut encoded = String::with_capacity(p.rest.len() + 8);
                    encoded.push('"');
                    push_posting(&mut encoded, first, p.first_weight);
                    encoded.push_str(&p.rest);
                    postings.insert(term, Postings { last: sections + p.last, encoded });
                }
            }
        }
        sections += part.sections;
    }
    term_files_of_postings(postings, sections)
}

/// The shards and the manifest of every term's postings (their lists still open: the closing
/// quote is added here) over `sections` sections.
fn term_files_of_postings(postings: HashMap<String, Postings>, sections: usize) -> Vec<Artifact> {
    let mut encoded: Vec<(String, String)> = postings
        .into_iter()
        .map(|(term, mut p)| {
            p.encoded.push('"');
            (term, p.encoded)
        })
        .collect();
    encoded.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let shards = shard_prefixes(&encoded);
    let mut shard_terms: Vec<Vec<&(String, String)>> = vec![Vec::new(); shards.len()];
    for entry in &encoded {
        shard_terms[shard_of(&shards, &entry.0)].push(entry);
    }
    let mut files: Vec<Artifact> = shard_terms
        .par_iter()
        .enumerate()
        .map(|(n, terms)| {
            let mut body = String::from("{");
            for (i, (term, list)) in terms.iter().enumerate() {
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&serde_json::to_string(term).expect("text serialises"));
                body.push(':');
                body.push_str(list);
            }
            body.push('}');
            script_file(&format!("t{n}"), &body)
        })
        .collect();
    let manifest = Manifest { version: 1, sections, per_chunk: PER_CHUNK, shards, stop: &STOP_WORDS };
    files.push(script_file("manifest", &serde_json::to_string(&manifest).expect("plain data serialises")));
    files
}

/// Some consecutive text chunks, made apart from the others (a render unit of its own): the
/// chunks whose first section is in about [`POLICIES_PER_PART`] policies, and the policies
/// whose sections they hold (a chunk may run on into the next policies).
#[derive(Debug, Clone, PartialEq)]
pub struct TextPart {
    /// The policies its chunks hold sections of, by place in the library.
    pub policies: std::ops::Range<usize>,
    /// The number of the first section of the first of those policies.
    first_of_policies: usize,
    /// The sections its chunks hold (from the start of a chunk).
    sections: std::ops::Range<usize>,
}

/// The library's text chunks cut into parts: every chunk in exactly one, in order.
pub fn text_parts(library: &Library) -> Vec<TextPart> {
    let counts: Vec<usize> = indexed_views(library).into_iter().map(section_count).collect();
    cut_parts(&counts, POLICIES_PER_PART)
}

/// [`text_parts`] for policies of `counts` sections each, `per_part` policies a part.
fn cut_parts(counts: &[usize], per_part: usize) -> Vec<TextPart> {
    // starts[p]: the number of policy p's first section; the last, the number of sections.
    let mut starts = Vec::with_capacity(counts.len() + 1);
    starts.push(0);
    for count in counts {
        starts.push(starts.last().copied().unwrap_or(0) + count);
    }
    let total = starts[counts.len()];
    // The policy holding section `s` (< total).
    let policy_of = |s: usize| starts.partition_point(|&start| start <= s) - 1;
    let mut parts = Vec::new();
    for a in (0..counts.len()).step_by(per_part) {
        let b = (a + per_part).min(counts.len());
        // The chunks starting in policies a..b.
        let first_chunk = starts[a].div_ceil(PER_CHUNK);
        let end_chunk = starts[b].div_ceil(PER_CHUNK);
        if first_chunk >= end_chunk {
            continue;
        }
        let sections = first_chunk * PER_CHUNK..(end_chunk * PER_CHUNK).min(total);
        let first = policy_of(sections.start);
        let last = policy_of(sections.end - 1);
        parts.push(TextPart { policies: first..last + 1, first_of_policies: starts[first], sections });
    }
    parts
}

impl TextPart {
    /// The staff views whose text this part's chunks hold.
    pub fn views<'l>(&self, library: &'l Library) -> Vec<&'l AudienceView> {
        let views = indexed_views(library);
        views[self.policies.clone()].to_vec()
    }

    /// This part's text chunks.
    pub fn chunk_files(&self, library: &Library) -> Vec<Artifact> {
        let views = indexed_views(library);
        let entries: BTreeMap<usize, PolicyEntry<'_>> =
            self.policies.clone().map(|p| (p, policy_entry(views[p]))).collect();
        let sections: Vec<Section> = self
            .policies
            .clone()
            .flat_map(|p| sections_of(p, views[p]))
            .skip(self.sections.start - self.first_of_policies)
            .take(self.sections.len())
            .collect();
        let first_chunk = self.sections.start / PER_CHUNK;
        sections.chunks(PER_CHUNK).enumerate().map(|(n, part)| chunk_file(first_chunk + n, part, &entries)).collect()
    }
}

/// What a result shows of the policy of `view`.
fn policy_entry(v: &AudienceView) -> PolicyEntry<'_> {
    let (status, label) = match v.staff.as_ref().map(|s| s.status) {
        Some(Status::Withdrawn) => ("withdrawn", "Withdrawn"),
        _ => (v.review_status.key(), v.review_status.label()),
    };
    PolicyEntry {
        title: &v.policy_title,
        reference: v.reference.as_deref().unwrap_or(""),
        href: format!("{}.html", v.id),
        status,
        label,
    }
}

/// Text chunk `n`: its sections and what a result shows of their policies.
fn chunk_file(n: usize, part: &[Section], entries: &BTreeMap<usize, PolicyEntry<'_>>) -> Artifact {
    let chunk = Chunk {
        policies: part.iter().map(|s| (s.policy, &entries[&s.policy])).collect(),
        sections: part.iter().map(|s| (s.policy, s.heading.as_str(), s.anchor.as_str(), s.text.as_str())).collect(),
    };
    script_file(&format!("s{n}"), &serde_json::to_string(&chunk).expect("plain data serialises"))
}

/// A file that hands its data to the reader when the browser runs it.
fn script_file(name: &str, json: &str) -> Artifact {
    // Made to its exact length: `format!` grows by doubling, and the index's files are held
    // until their unit is done.
    let name_json = serde_json::to_string(name).expect("text serialises");
    let (start, end) = ("policySearch.loaded(", ");\n");
    let mut script = String::with_capacity(start.len() + name_json.len() + 1 + json.len() + end.len());
    script.push_str(start);
    script.push_str(&name_json);
    script.push(',');
    script.push_str(json);
    script.push_str(end);
    Artifact::new(&format!("{SEARCH_DIR}/{name}.js"), script.into_bytes())
}

/// The 64 characters postings are written in (none needs escaping in a JSON string).
const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Postings as a short string: for each section, its id as the difference from the one before
/// (five bits a character, low bits first; a character from the upper half of [`DIGITS`] means
/// more follow), then its weight as one character. Most postings take two characters.
#[cfg(test)]
fn encode_postings(list: &[(usize, u32)]) -> String {
    let mut out = String::with_capacity(list.len() * 3 + 2);
    out.push('"');
    let mut last = 0;
    for (section, weight) in list {
        push_posting(&mut out, section - last, *weight);
        last = *section;
    }
    out.push('"');
    out
}

/// One posting of [`encode_postings`]: the section's distance from the term's previous one,
/// then its weight.
fn push_posting(out: &mut String, mut delta: usize, weight: u32) {
    loop {
        let low = delta & 31;
        delta >>= 5;
        out.push(DIGITS[low + if delta > 0 { 32 } else { 0 }] as char);
        if delta == 0 {
            break;
        }
    }
    out.push(DIGITS[weight.min(63) as usize] as char);
}

/// The shard prefixes, sorted. Every term belongs to the longest prefix that starts it; a
/// prefix whose terms exceed [`SHARD_TARGET`] is split by the next letter, the small groups
/// staying with it.
fn shard_prefixes<T: AsRef<str>>(terms: &[(T, String)]) -> Vec<String> {
    fn size<T: AsRef<str>>(group: &[(T, String)]) -> usize {
        group.iter().map(|(t, l)| t.as_ref().len() + l.len() + 4).sum()
    }
    /// Splits the sorted `group` (all starting with `prefix`) into shards. The prefix is a
    /// shard when the group is small, or one term, or when something stays with it (the term
    /// that is the prefix itself, small groups); otherwise its children cover every term.
    fn split<T: AsRef<str>>(prefix: &str, group: &[(T, String)], out: &mut Vec<String>) {
        if group.len() == 1 || size(group) <= SHARD_TARGET {
            out.push(prefix.to_string());
            return;
        }
        let depth = prefix.chars().count();
        let mut keeps = false;
        let mut start = 0;
        while start < group.len() {
            let next = group[start].0.as_ref().chars().nth(depth);
            let mut end = start + 1;
            while end < group.len() && group[end].0.as_ref().chars().nth(depth) == next {
                end += 1;
            }
            match next {
                Some(c) if size(&group[start..end]) > SHARD_TARGET / 4 => {
                    split(&format!("{prefix}{c}"), &group[start..end], out)
                }
                _ => keeps = true,
            }
            start = end;
        }
        if keeps {
            out.push(prefix.to_string());
        }
    }
    let mut out = Vec::new();
    let mut start = 0;
    while start < terms.len() {
        let first = terms[start].0.as_ref().chars().next();
        let mut end = start + 1;
        while end < terms.len() && terms[end].0.as_ref().chars().next() == first {
            end += 1;
        }
        if let Some(c) = first {
            split(&c.to_string(), &terms[start..end], &mut out);
        }
        start = end;
    }
    out.sort();
    out
}

/// Which shard holds `term`: the longest prefix of it in `shards` (sorted).
fn shard_of(shards: &[String], term: &str) -> usize {
    let mut best = 0;
    let mut best_len = 0;
    let mut end = 0;
    for (i, c) in term.char_indices() {
        end = i + c.len_utf8();
        if let Ok(n) = shards.binary_search_by(|p| p.as_str().cmp(&term[..end])) {
            best = n;
            best_len = end;
        }
    }
    debug_assert!(best_len > 0 || end == 0, "every first letter has a shard");
    best
}

/// The words of a policy's blocks, one line per block.
pub fn body_text(blocks: &[Block]) -> String {
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

    /// Each section's terms and their weights, made the plain way: a map per section.
    #[derive(Default)]
    struct SectionTerms {
        sections: Vec<BTreeMap<String, u32>>,
    }

    impl SectionSink for SectionTerms {
        fn start(&mut self, _: &str, _: &str, _: &str) {
            self.sections.push(BTreeMap::new());
        }

        fn words(&mut self, text: &str, weight: u32) {
            let terms = self.sections.last_mut().expect("a section starts first");
            for raw in raw_words(text) {
                let mut word = String::new();
                normalise_into(raw, &mut word);
                if indexed(&word) {
                    let w = terms.entry(word).or_insert(0);
                    *w = (*w + weight).min(MAX_WEIGHT);
                }
            }
        }

        fn block_text(&mut self, _: &str) {}
    }

    /// The terms of `text` as the index keeps them.
    fn terms_of(text: &str) -> Vec<String> {
        let mut terms = SectionTerms::default();
        terms.start("", "", "");
        terms.words(text, 1);
        terms.sections[0].keys().cloned().collect()
    }

    /// The term files as they were made before parts: one pass over every section (each with
    /// its own map of terms), the postings written as they come.
    fn term_files_in_one_pass(library: &Library) -> Vec<Artifact> {
        let mut postings: HashMap<String, Postings> = HashMap::new();
        let mut sections = 0;
        for view in indexed_views(library) {
            let mut cut = SectionTerms::default();
            cut_sections(view, &mut cut);
            for terms in cut.sections {
                for (term, weight) in terms {
                    match postings.get_mut(term.as_str()) {
                        Some(q) => {
                            push_posting(&mut q.encoded, sections - q.last, weight);
                            q.last = sections;
                        }
                        None => {
                            let mut encoded = String::from("\"");
                            push_posting(&mut encoded, sections, weight);
                            postings.insert(term, Postings { last: sections, encoded });
                        }
                    }
                }
                sections += 1;
            }
        }
        // The same shards and manifest from those postings: one part of no sections holding
        // them is not what is tested, so they go through the writing half alone.
        term_files_of_postings(postings, sections)
    }

    /// The example project's library, and that library's policies over and over (a library
    /// of many parts).
    fn libraries() -> Vec<Library> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut diags = crate::diag::Diagnostics::new();
        let project = crate::load::load_project(root, &mut diags).expect("the example loads");
        let policies = crate::parse::parse_project(&project, &mut diags);
        let today = crate::model::dates::Date::parse("2026-12-01").expect("a date");
        let library =
            crate::resolve::resolve(&policies, crate::resolve::ResolveOptions { today, drafts: true }, &mut diags);
        assert!(library.views(Audience::Staff).count() >= 3, "the example has policies to cut into parts");
        let many = Library {
            policies: library.policies.iter().cycle().take(POLICIES_PER_PART * 3 + 5).cloned().collect(),
            today,
        };
        vec![library, many]
    }

    #[test]
    fn terms_merged_from_parts_are_the_terms_made_in_one_pass() {
        for library in libraries() {
            let one_pass = term_files_in_one_pass(&library);
            assert!(one_pass.len() > 1, "shards and a manifest");
            assert_eq!(term_files(&library), one_pass, "the library's own parts");
            let count = indexed_views(&library).len();
            for per_part in [1, 2, 3, 7, count] {
                let parts = cut_term_parts(count, per_part)
                    .into_iter()
                    .map(|range| TermPart::of(&library, range))
                    // Each part through its memo's bytes, as a build after an edit takes it.
                    .map(|part| TermPart::decode(&part.encode()).expect("a memo reads back"))
                    .collect();
                assert_eq!(term_files_of_parts(parts), one_pass, "{per_part} policies a part");
            }
        }
    }

    #[test]
    fn a_memo_not_written_by_a_part_is_not_taken() {
        assert!(TermPart::decode(b"").is_none());
        assert!(TermPart::decode(b"x\n").is_none());
        assert!(TermPart::decode(b"2\nterm\t0\t1\t5\tBB\n").is_none(), "a section past the part");
        assert!(TermPart::decode(b"2\nterm\t0\t1\n").is_none(), "a line cut short");
        let part = TermPart::decode(b"2\nterm\t0\t1\t1\tBB\n").expect("a part");
        assert_eq!(part.encode(), b"2\nterm\t0\t1\t1\tBB\n");
    }

    #[test]
    fn over_long_words_and_stop_words_are_left_out() {
        let long = "a".repeat(50_000);
        assert_eq!(
            terms_of(&format!("Keep {long} the Photos\nof policies a 7 é éé")),
            ["7", "keep", "photo", "policy", "éé"]
        );
    }

    #[test]
    fn plurals_become_singular_but_not_every_s() {
        let normalise = |word: &str| {
            let mut w = String::from("left over");
            normalise_into(word, &mut w);
            w
        };
        assert_eq!(normalise("Photos"), "photo");
        assert_eq!(normalise("policies"), "policy");
        assert_eq!(normalise("process"), "process");
        assert_eq!(normalise("status"), "status");
        assert_eq!(normalise("gas"), "gas");
    }

    #[test]
    fn every_term_finds_the_longest_shard_prefix() {
        let shards: Vec<String> = ["a", "b", "ph", "pho", "p"].iter().map(|s| s.to_string()).collect();
        let mut sorted = shards.clone();
        sorted.sort();
        let at = |t: &str| sorted[shard_of(&sorted, t)].clone();
        assert_eq!(at("photo"), "pho");
        assert_eq!(at("phase"), "ph");
        assert_eq!(at("patient"), "p");
        assert_eq!(at("b"), "b");
    }

    #[test]
    fn postings_are_short_strings_of_deltas_and_weights() {
        // Section 0 weight 1; section 33 (delta 33 = 1 + 1*32: two characters) weight 12.
        assert_eq!(encode_postings(&[(0, 1), (33, 12)]), "\"ABhBM\"");
    }

    #[test]
    fn text_parts_hold_every_chunk_once_and_the_policies_of_its_sections() {
        // Policies of one section (a chunk runs on over several) and of many.
        let counts = [1, 1, 1, 9, 1, 2, 14, 1, 1, 1, 1, 1, 1, 1, 5, 1];
        for per_part in [1, 2, 3, 5, 16] {
            let parts = cut_parts(&counts, per_part);
            let mut next = 0;
            for part in &parts {
                assert_eq!(part.sections.start, next, "parts follow on: {parts:?}");
                assert_eq!(part.sections.start % PER_CHUNK, 0, "a part starts a chunk");
                let first: usize = counts[..part.policies.start].iter().sum();
                let end: usize = counts[..part.policies.end].iter().sum();
                assert_eq!(part.first_of_policies, first);
                assert!(first <= part.sections.start && part.sections.end <= end, "{part:?}");
                assert!(
                    part.sections.start < first + counts[part.policies.start],
                    "its first policy has a section in it"
                );
                next = part.sections.end;
            }
            assert_eq!(next, counts.iter().sum::<usize>(), "every section is in a part");
        }
    }

    #[test]
    fn big_groups_are_split_by_prefix() {
        let list = "[".to_string() + &"1,1,".repeat(5000) + "1,1]";
        let terms: Vec<(&str, String)> =
            vec![("pat", list.clone()), ("patient", list.clone()), ("photo", list.clone()), ("pz", "[0,1]".into())];
        let shards = shard_prefixes(&terms);
        assert_eq!(shards, ["p", "pat", "pati", "ph"]);
    }
}
