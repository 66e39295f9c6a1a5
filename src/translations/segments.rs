//! The translatable segments of a policy file's Markdown: its patient, easy-read and poster
//! fences, each cut into the pieces a translator works on (a heading, a paragraph, a list item,
//! a table cell, a poster message), each piece its words with the markup inside them (bold,
//! links, icons, variables, language spans) as codes a translation keeps.
//!
//! Works on the source text itself, so a translation is written back into Markdown exactly where
//! its segment stood. Pure.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::model::{Audience, AudienceSet};

/// One fence of a file (or its unfenced text), with where its content is.
#[derive(Debug, Clone, PartialEq)]
pub struct Fence {
    /// Its audiences (unfenced text: staff only).
    pub audiences: AudienceSet,
    /// The names written after `:::` (without staff), for writing a translation's fence.
    pub names: Vec<String>,
    /// Byte range of its content in the file.
    pub content: Range<usize>,
    /// 1-based line of its first content line.
    pub first_line: usize,
    /// Its segments, in order.
    pub segments: Vec<Segment>,
}

impl Fence {
    /// True for a fence with patient, easy-read or poster text.
    pub fn translatable(&self) -> bool {
        [Audience::Patient, Audience::EasyRead, Audience::Poster].iter().any(|a| self.audiences.contains(*a))
    }

    /// What the fence's text is for, in words, for a translator's note.
    pub fn describe(&self) -> String {
        let mut names = Vec::new();
        for (audience, words) in [
            (Audience::Patient, "patient leaflet"),
            (Audience::EasyRead, "easy read (short sentences beside pictures)"),
            (Audience::Poster, "ward poster (first line the headline, each line after it a message)"),
        ] {
            if self.audiences.contains(audience) {
                names.push(words);
            }
        }
        names.join(", ")
    }
}

/// One translatable piece of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Byte range in the file of exactly the words (block markers like `## ` outside it).
    pub range: Range<usize>,
    /// 1-based line it starts on.
    pub line: usize,
    /// What kind of block it is, for the translator's note.
    pub kind: &'static str,
    /// Its words and codes.
    pub pieces: Vec<Piece>,
}

/// Words, or markup a translation keeps as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Words.
    Text(String),
    /// Markup with nothing to translate inside: an icon, a variable, a code span, a line break.
    Placeholder {
        /// Its number in the segment (from 1).
        id: u32,
        /// The Markdown as written.
        markup: String,
        /// XLIFF `type`: `image` (icon), `other` (variable), `fmt`.
        kind: &'static str,
    },
    /// Markup around words: bold, italics, a link, a picture's alternative text, a language span.
    Paired {
        /// Its number in the segment (from 1).
        id: u32,
        /// The Markdown before the words (`**`, `[`).
        open: String,
        /// The Markdown after them (`**`, `](email-and-internet.md)`).
        close: String,
        /// XLIFF `type`: `fmt`, `link`, `image`, `other`.
        kind: &'static str,
        /// XLIFF `subType` (`xlf:b`, `xlf:i`, `pp:lang`, ...).
        sub_type: Option<&'static str>,
        /// The words inside.
        content: Vec<Piece>,
    },
}

/// The fences of a policy (or translation) body, each with its segments. `body` starts at byte
/// `offset` and line `first_line` of the file.
pub fn fences(file: &str, body_start: usize, first_line: usize) -> Vec<Fence> {
    let body = &file[body_start..];
    let mut out = Vec::new();
    let mut start = body_start;
    let mut start_line = first_line;
    let mut current: Option<(AudienceSet, Vec<String>)> = None;
    let mut code_fence: Option<String> = None;
    let mut offset = body_start;
    for (index, line) in body.split_inclusive('\n').enumerate() {
        let line_no = first_line + index;
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        if indent < 4 && (trimmed.starts_with("```") || trimmed.starts_with("~~~")) {
            let fence_char = trimmed.chars().next().unwrap_or('`');
            let marker: String = trimmed.chars().take_while(|&c| c == fence_char).collect();
            match &code_fence {
                None => code_fence = Some(marker),
                Some(open) if marker.starts_with(open.as_str()) && trimmed.len() == marker.len() => code_fence = None,
                _ => {}
            }
        }
        if code_fence.is_none() && indent < 4 && trimmed.starts_with(":::") {
            let names = trimmed.trim_start_matches(':').trim();
            let (audiences, written) = current.take().unwrap_or((AudienceSet::STAFF_ONLY, Vec::new()));
            out.push(fence(file, audiences, written, start..offset, start_line));
            if !names.is_empty() {
                let mut set = AudienceSet::default();
                let mut written = Vec::new();
                for name in names.split_whitespace() {
                    if let Some(a) = Audience::from_name(name) {
                        set.insert(a);
                        if a != Audience::Staff {
                            written.push(name.to_string());
                        }
                    } else if name.starts_with("lang=") {
                        written.push(name.to_string());
                    }
                }
                current = Some((set, written));
            }
            start = offset + line.len();
            start_line = line_no + 1;
        }
        offset += line.len();
    }
    let (audiences, written) = current.take().unwrap_or((AudienceSet::STAFF_ONLY, Vec::new()));
    out.push(fence(file, audiences, written, start..file.len(), start_line));
    out.retain(|f| !file[f.content.clone()].trim().is_empty());
    out
}

fn fence(file: &str, audiences: AudienceSet, names: Vec<String>, content: Range<usize>, first_line: usize) -> Fence {
    let poster = audiences.contains(Audience::Poster);
    let segments = segments(file, content.clone(), poster);
    Fence { audiences, names, content, first_line, segments }
}

/// A leaf block being read: its kind and its inline events.
struct Leaf<'t> {
    kind: &'static str,
    events: Vec<(Event<'t>, Range<usize>)>,
}

/// The segments of one fence's content.
fn segments(file: &str, content: Range<usize>, poster: bool) -> Vec<Segment> {
    let text = &file[content.clone()];
    let options = Options::ENABLE_TABLES | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut out = Vec::new();
    let mut stack: Vec<Leaf<'_>> = Vec::new();
    let flush = |leaf: Leaf<'_>, out: &mut Vec<Segment>| {
        let mut groups: Vec<Vec<(Event<'_>, Range<usize>)>> = vec![Vec::new()];
        for (event, range) in leaf.events {
            // On a poster each line is a message of its own.
            if poster && matches!(event, Event::SoftBreak) && depth_zero(&groups) {
                groups.push(Vec::new());
                continue;
            }
            groups.last_mut().expect("one group at least").push((event, range));
        }
        for events in groups {
            let Some(start) = events.iter().map(|(_, r)| r.start).min() else { continue };
            let end = events.iter().map(|(_, r)| r.end).max().unwrap_or(start);
            let words = &text[start..end];
            if words.trim().is_empty() {
                continue;
            }
            // Trailing spaces or a line end inside the range are not the segment's.
            let end = start + words.trim_end().len();
            let mut ids = 0;
            let pieces = pieces(text, &events, &mut ids);
            let line = 1 + file[..content.start + start].matches('\n').count();
            out.push(Segment { range: content.start + start..content.start + end, line, kind: leaf.kind, pieces });
        }
    };
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match &event {
            Event::Start(tag) if is_leaf(tag) => {
                stack.push(Leaf { kind: leaf_kind(tag), events: Vec::new() });
            }
            Event::End(end) if is_leaf_end(end) => {
                if let Some(leaf) = stack.pop() {
                    flush(leaf, &mut out);
                }
            }
            Event::Start(Tag::Item) => {
                stack.push(Leaf { kind: "list item", events: Vec::new() });
            }
            Event::End(TagEnd::Item) => {
                if let Some(leaf) = stack.pop() {
                    flush(leaf, &mut out);
                }
            }
            Event::Start(tag) if is_inline(tag) => {
                if let Some(leaf) = stack.last_mut() {
                    leaf.events.push((event.clone(), range.clone()));
                }
            }
            Event::End(end) if is_inline_end(end) => {
                if let Some(leaf) = stack.last_mut() {
                    leaf.events.push((event.clone(), range.clone()));
                }
            }
            Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak | Event::InlineHtml(_) => {
                if let Some(leaf) = stack.last_mut() {
                    leaf.events.push((event.clone(), range.clone()));
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|s| s.range.start);
    out
}

/// True when no inline element is open at the end of the last group (a soft break inside bold
/// text does not cut a poster message).
fn depth_zero(groups: &[Vec<(Event<'_>, Range<usize>)>]) -> bool {
    let mut depth = 0i32;
    for (event, _) in groups.last().into_iter().flatten() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            _ => {}
        }
    }
    depth <= 0
}

fn is_leaf(tag: &Tag<'_>) -> bool {
    matches!(tag, Tag::Paragraph | Tag::Heading { .. } | Tag::TableCell)
}

fn is_leaf_end(tag: &TagEnd) -> bool {
    matches!(tag, TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::TableCell)
}

fn leaf_kind(tag: &Tag<'_>) -> &'static str {
    match tag {
        Tag::Heading { .. } => "heading",
        Tag::TableCell => "table cell",
        _ => "paragraph",
    }
}

fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(tag, Tag::Emphasis | Tag::Strong | Tag::Link { .. } | Tag::Image { .. } | Tag::Strikethrough)
}

fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(tag, TagEnd::Emphasis | TagEnd::Strong | TagEnd::Link | TagEnd::Image | TagEnd::Strikethrough)
}

/// The pieces of a run of inline events (positions relative to `text`).
fn pieces(text: &str, events: &[(Event<'_>, Range<usize>)], ids: &mut u32) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let (event, range) = &events[i];
        match event {
            Event::Text(t) => push_words(&mut out, t, ids),
            Event::SoftBreak => push_words(&mut out, " ", ids),
            Event::Code(_) | Event::InlineHtml(_) | Event::HardBreak => {
                *ids += 1;
                out.push(Piece::Placeholder { id: *ids, markup: text[range.clone()].to_string(), kind: "fmt" });
            }
            Event::Start(tag) => {
                // Its events up to the matching end.
                let mut depth = 0;
                let mut j = i;
                while j < events.len() {
                    match events[j].0 {
                        Event::Start(_) => depth += 1,
                        Event::End(_) => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let inner = &events[i + 1..j.min(events.len())];
                let inner_start = inner.iter().map(|(_, r)| r.start).min().unwrap_or(range.end);
                let inner_end = inner.iter().map(|(_, r)| r.end).max().unwrap_or(inner_start);
                let (kind, sub_type) = match tag {
                    Tag::Strong => ("fmt", Some("xlf:b")),
                    Tag::Emphasis => ("fmt", Some("xlf:i")),
                    Tag::Strikethrough => ("fmt", Some("xlf:s")),
                    Tag::Link { .. } => ("link", None),
                    _ => ("image", None),
                };
                *ids += 1;
                let id = *ids;
                let open = text[range.start..inner_start.max(range.start)].to_string();
                let close = text[inner_end.min(range.end)..range.end].to_string();
                let content = pieces(text, inner, ids);
                out.push(Piece::Paired { id, open, close, kind, sub_type, content });
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Adds words, with their icons (`:name:`), variables (`{{ name }}`) and language spans
/// (`[words]{lang=cy}`) as codes.
fn push_words(out: &mut Vec<Piece>, text: &str, ids: &mut u32) {
    let mut rest = text;
    while !rest.is_empty() {
        let icon = find_icon(rest);
        let variable = rest.find("{{").and_then(|s| rest[s..].find("}}").map(|e| (s, s + e + 2)));
        let span = rest.find("]{lang=").and_then(|close| {
            let open = rest[..close].rfind('[')?;
            let end = rest[close..].find('}')? + close + 1;
            Some((open, close, end))
        });
        let next = [icon.map(|(s, _)| s), variable.map(|(s, _)| s), span.map(|(s, ..)| s)].into_iter().flatten().min();
        let Some(at) = next else {
            push_text(out, rest);
            break;
        };
        push_text(out, &rest[..at]);
        if let Some((s, close, end)) = span.filter(|(s, ..)| *s == at) {
            *ids += 1;
            let id = *ids;
            let mut content = Vec::new();
            push_words(&mut content, &rest[s + 1..close], ids);
            out.push(Piece::Paired {
                id,
                open: "[".to_string(),
                close: rest[close..end].to_string(),
                kind: "other",
                sub_type: Some("pp:lang"),
                content,
            });
            rest = &rest[end..];
        } else if let Some((s, e)) = variable.filter(|(s, _)| *s == at) {
            *ids += 1;
            out.push(Piece::Placeholder { id: *ids, markup: rest[s..e].to_string(), kind: "other" });
            rest = &rest[e..];
        } else if let Some((s, e)) = icon {
            *ids += 1;
            out.push(Piece::Placeholder { id: *ids, markup: rest[s..e].to_string(), kind: "image" });
            rest = &rest[e..];
        }
    }
}

fn push_text(out: &mut Vec<Piece>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Piece::Text(last)) = out.last_mut() {
        last.push_str(text);
    } else {
        out.push(Piece::Text(text.to_string()));
    }
}

/// The first `:name:` icon in `text` (as the parser finds them: not glued to a word).
fn find_icon(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j].is_ascii_lowercase() || bytes[j].is_ascii_digit() || bytes[j] == b'-') {
                j += 1;
            }
            let name = &text[i + 1..j];
            let closes = j < bytes.len() && bytes[j] == b':';
            let free_after = j + 1 >= bytes.len() || !bytes[j + 1].is_ascii_alphanumeric();
            if closes && free_after && name.bytes().any(|b| b.is_ascii_lowercase()) {
                return Some((i, j + 1));
            }
        }
        i += 1;
    }
    None
}

/// The Markdown of translated pieces: words escaped, codes as the source wrote them.
pub fn markdown(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => escape_into(t, &mut out),
            Piece::Placeholder { markup, .. } => out.push_str(markup),
            Piece::Paired { open, close, content, .. } => {
                out.push_str(open);
                out.push_str(&markdown(content));
                out.push_str(close);
            }
        }
    }
    out
}

/// Escapes what would read as Markdown, a variable or HTML in a translator's words.
fn escape_into(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    let mut first = true;
    while let Some(ch) = chars.next() {
        match ch {
            '\\' | '*' | '_' | '[' | ']' | '`' | '<' => {
                out.push('\\');
                out.push(ch);
            }
            '{' if chars.peek() == Some(&'{') => out.push_str("\\{"),
            '#' | '>' if first => {
                out.push('\\');
                out.push(ch);
            }
            '\n' => out.push(' '),
            _ => out.push(ch),
        }
        first = false;
    }
}

/// The pieces' words, codes dropped: what a segment says, for comparing.
pub fn plain(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder { markup, .. } => out.push_str(markup),
            Piece::Paired { content, .. } => out.push_str(&plain(content)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(body: &str) -> Vec<Fence> {
        fences(body, 0, 1)
    }

    #[test]
    fn fences_are_cut_into_headings_paragraphs_items_and_poster_messages() {
        let body = "Staff text.\n\n::: patient\n## Calls {#calls}\n\nYou can **call** [us](tel:0116).\n\n- one :phone:\n- two {{ x }}\n:::\n\n::: poster\n# Head\n:phone: First.\n:wifi: Second.\n:::\n";
        let f = only(body);
        assert_eq!(f.len(), 3);
        assert!(!f[0].translatable());
        let texts: Vec<&str> = f[1].segments.iter().map(|s| &body[s.range.clone()]).collect();
        assert_eq!(texts, ["Calls", "You can **call** [us](tel:0116).", "one :phone:", "two {{ x }}"]);
        let posters: Vec<&str> = f[2].segments.iter().map(|s| &body[s.range.clone()]).collect();
        assert_eq!(posters, ["Head", ":phone: First.", ":wifi: Second."]);
    }

    #[test]
    fn codes_keep_their_markup_and_words_are_escaped() {
        let body = "::: patient\nCall **PALS** on {{ pals-phone }} or see [the policy](other.md#a) :phone:.\n:::\n";
        let f = only(body);
        let pieces = &f[0].segments[0].pieces;
        assert_eq!(markdown(pieces), "Call **PALS** on {{ pals-phone }} or see [the policy](other.md#a) :phone:.");
        assert_eq!(markdown(&[Piece::Text("a *b* [c] {{ d".into())]), "a \\*b\\* \\[c\\] \\{{ d");
    }
}
