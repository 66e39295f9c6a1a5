//! "What changed": a word-level comparison of a policy's staff text with its previous approved
//! version, as passages (the changed paragraphs, list items or rows, each with the section it is
//! in), for the staff web page and the staff PDF to mark up in their own way.
//!
//! Pure and deterministic (no time limits on the comparison, so the same two texts always give
//! the same passages). Compares staff views only.

use similar::{Algorithm, ChangeTag, DiffOp, capture_diff_slices};

use crate::model::{Block, BlockKind, plain_text};

/// A run of words in a changed passage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// In both versions.
    Same(String),
    /// Only in the new version.
    Added(String),
    /// Only in the previous version.
    Removed(String),
}

/// One changed paragraph (or list item, table row, heading).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// The heading of the section it is in, in the new version (else the previous one).
    pub section: Option<String>,
    /// Its words, marked.
    pub pieces: Vec<Piece>,
}

/// Above this many words on either side, a rewritten stretch is shown as removed then added
/// rather than compared word by word (which would take long and read worse).
const LONGEST_WORD_DIFF: usize = 3_000;

/// A unit of text compared as a whole: (its words, the section heading it is under).
type Unit = (String, Option<String>);

fn units(blocks: &[Block]) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut section: Option<String> = None;
    for block in blocks {
        push_units(&block.kind, &mut section, &mut out);
    }
    out
}

fn push_units(kind: &BlockKind, section: &mut Option<String>, out: &mut Vec<Unit>) {
    let mut push = |text: String, section: &Option<String>| {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            out.push((text, section.clone()));
        }
    };
    match kind {
        BlockKind::Heading { content, .. } => {
            let text = plain_text(content).trim().to_string();
            *section = Some(text.clone());
            push(text, section);
        }
        BlockKind::Paragraph(content) => push(plain_text(content), section),
        BlockKind::List { items, .. } => {
            for item in items {
                let mut text = String::new();
                for b in item {
                    text.push_str(&crate::audience::staff::search::body_text(&[Block {
                        kind: b.clone(),
                        audiences: crate::model::AudienceSet::STAFF_ONLY,
                        fence: 0,
                        line: 0,
                    }]));
                    text.push(' ');
                }
                push(text, section);
            }
        }
        BlockKind::Quote(blocks) => {
            for b in blocks {
                push_units(b, section, out);
            }
        }
        BlockKind::Table { header, rows, .. } => {
            for row in std::iter::once(header).chain(rows.iter()) {
                push(row.iter().map(|c| plain_text(c)).collect::<Vec<_>>().join(" | "), section);
            }
        }
        BlockKind::Code { text, .. } => push(text.clone(), section),
        BlockKind::Rule => {}
    }
}

/// The passages that differ between `previous` and `current` staff blocks, in text order.
pub fn changes(previous: &[Block], current: &[Block]) -> Vec<Passage> {
    let old = units(previous);
    let new = units(current);
    let old_text: Vec<&str> = old.iter().map(|u| u.0.as_str()).collect();
    let new_text: Vec<&str> = new.iter().map(|u| u.0.as_str()).collect();
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &old_text, &new_text) {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { old_index, old_len, .. } => {
                for (text, section) in &old[old_index..old_index + old_len] {
                    out.push(Passage { section: section.clone(), pieces: vec![Piece::Removed(text.clone())] });
                }
            }
            DiffOp::Insert { new_index, new_len, .. } => {
                for (text, section) in &new[new_index..new_index + new_len] {
                    out.push(Passage { section: section.clone(), pieces: vec![Piece::Added(text.clone())] });
                }
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                let olds = &old[old_index..old_index + old_len];
                let news = &new[new_index..new_index + new_len];
                if old_len == new_len {
                    for (o, n) in olds.iter().zip(news) {
                        out.push(Passage {
                            section: n.1.clone().or_else(|| o.1.clone()),
                            pieces: word_diff(&o.0, &n.0),
                        });
                    }
                } else {
                    let join = |u: &[Unit]| u.iter().map(|x| x.0.as_str()).collect::<Vec<_>>().join(" ");
                    let section =
                        news.first().and_then(|u| u.1.clone()).or_else(|| olds.first().and_then(|u| u.1.clone()));
                    out.push(Passage { section, pieces: word_diff(&join(olds), &join(news)) });
                }
            }
        }
    }
    out
}

/// Words, runs of spaces and single punctuation marks: what the comparison compares, so
/// `home-made,` and `home-made` differ only by the comma.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let kind = |c: char| {
        if c.is_alphanumeric() {
            0
        } else if c.is_whitespace() {
            1
        } else {
            2
        }
    };
    let mut last: Option<u8> = None;
    for (i, c) in text.char_indices() {
        let k = kind(c);
        if let Some(l) = last
            && (l != k || k == 2)
        {
            out.push(&text[start..i]);
            start = i;
        }
        last = Some(k);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Words of `old` and `new` marked as kept, removed or added; neighbouring words of one kind
/// are one piece, removals before additions.
fn word_diff(old: &str, new: &str) -> Vec<Piece> {
    let words = |s: &str| s.split_whitespace().count();
    if words(old) > LONGEST_WORD_DIFF || words(new) > LONGEST_WORD_DIFF {
        return vec![Piece::Removed(old.to_string()), Piece::Added(new.to_string())];
    }
    let (old_tokens, new_tokens) = (tokens(old), tokens(new));
    let mut pieces: Vec<Piece> = Vec::new();
    let mut push = |tag: ChangeTag, value: &str| {
        // Spaces between two changed words belong to the change, so it reads as one run.
        let joins = value.trim().is_empty();
        match (pieces.last_mut(), tag) {
            (Some(Piece::Same(s)), ChangeTag::Equal) => s.push_str(value),
            (Some(Piece::Removed(s)), ChangeTag::Delete) | (Some(Piece::Added(s)), ChangeTag::Insert) => {
                s.push_str(value)
            }
            (_, ChangeTag::Equal) => pieces.push(Piece::Same(value.to_string())),
            (_, ChangeTag::Delete) if !joins => pieces.push(Piece::Removed(value.to_string())),
            (_, ChangeTag::Insert) if !joins => pieces.push(Piece::Added(value.to_string())),
            (_, ChangeTag::Delete | ChangeTag::Insert) => pieces.push(Piece::Same(" ".to_string())),
        }
    };
    for op in capture_diff_slices(Algorithm::Myers, &old_tokens, &new_tokens) {
        for (tag, range) in [(ChangeTag::Delete, op.old_range()), (ChangeTag::Insert, op.new_range())] {
            if op.tag() == similar::DiffTag::Equal {
                if tag == ChangeTag::Delete {
                    old_tokens[range].iter().for_each(|t| push(ChangeTag::Equal, t));
                }
                continue;
            }
            let list = if tag == ChangeTag::Delete { &old_tokens[range] } else { &new_tokens[range] };
            list.iter().for_each(|t| push(tag, t));
        }
    }
    tidy(pieces)
}

/// Moves spaces at the ends of changed runs into the text around them, and merges what that
/// leaves next to each other.
fn tidy(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let push_same = |out: &mut Vec<Piece>, s: &str| {
        if s.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(Piece::Same(last)) => last.push_str(s),
            _ => out.push(Piece::Same(s.to_string())),
        }
    };
    for piece in pieces {
        match piece {
            Piece::Same(s) => push_same(&mut out, &s),
            Piece::Added(s) | Piece::Removed(s) if s.trim().is_empty() => push_same(&mut out, &s),
            changed => {
                let (text, added) = match &changed {
                    Piece::Added(s) => (s.as_str(), true),
                    Piece::Removed(s) => (s.as_str(), false),
                    Piece::Same(_) => unreachable!(),
                };
                let lead = &text[..text.len() - text.trim_start().len()];
                let trail = &text[text.trim_end().len()..];
                push_same(&mut out, lead);
                let core = text.trim().to_string();
                out.push(if added { Piece::Added(core) } else { Piece::Removed(core) });
                push_same(&mut out, trail);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AudienceSet, Inline};

    fn para(text: &str) -> Block {
        Block {
            kind: BlockKind::Paragraph(vec![Inline::Text(text.to_string())]),
            audiences: AudienceSet::STAFF_ONLY,
            fence: 0,
            line: 1,
        }
    }

    fn heading(text: &str) -> Block {
        Block {
            kind: BlockKind::Heading { level: 2, content: vec![Inline::Text(text.to_string())], anchor: "a".into() },
            audiences: AudienceSet::STAFF_ONLY,
            fence: 0,
            line: 1,
        }
    }

    #[test]
    fn one_changed_word_is_shown_in_its_paragraph() {
        let old = [heading("Visiting"), para("Visitors may stay until 8pm."), para("Same.")];
        let new = [heading("Visiting"), para("Visitors may stay until 9pm."), para("Same.")];
        let found = changes(&old, &new);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].section.as_deref(), Some("Visiting"));
        assert_eq!(
            found[0].pieces,
            vec![
                Piece::Same("Visitors may stay until ".into()),
                Piece::Removed("8pm".into()),
                Piece::Added("9pm".into()),
                Piece::Same(".".into()),
            ]
        );
    }

    #[test]
    fn added_and_removed_paragraphs_are_whole() {
        let old = [para("Keep."), para("Gone.")];
        let new = [para("Keep."), para("New rule."), para("Another.")];
        let found = changes(&old, &new);
        let pieces: Vec<Vec<Piece>> = found.into_iter().map(|p| p.pieces).collect();
        let expected =
            vec![Piece::Removed("Gone".into()), Piece::Added("New rule. Another".into()), Piece::Same(".".into())];
        assert_eq!(pieces, vec![expected]);
    }

    #[test]
    fn the_same_text_has_no_changes() {
        assert!(changes(&[para("A b c.")], &[para("A b c.")]).is_empty());
    }
}
