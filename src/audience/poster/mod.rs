//! The ward poster audience: its web page ([`page`]) and PDFs ([`pdf`]), and here the posters
//! they both show: turns a poster view into posters (one per `::: poster` block), each a headline
//! and short messages with their pictograms, and checks the poster rules (a headline, a word
//! budget, a pictogram per message).
//!
//! Pure, and shared by the HTML and PDF renderers. Fitting type to the page is the PDF
//! renderer's job; this module never measures text.

pub mod page;
pub mod pdf;

use crate::diag::{Diagnostics, Location};
use crate::model::{BlockKind, Inline, plain_text};
use crate::resolve::AudienceView;

/// STANDARDS: a warning over 40 words on a poster.
pub const WORD_BUDGET: usize = 40;

/// One message line: an optional pictogram and the words.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The leading icon, if any.
    pub icon: Option<String>,
    /// The words (inline formatting kept).
    pub words: Vec<Inline>,
    /// Source line.
    pub line: usize,
}

/// One poster page.
#[derive(Debug, Clone, PartialEq)]
pub struct Poster {
    /// The headline words.
    pub headline: String,
    /// The picture drawn large under the headline: a line holding only a picture, right after
    /// the headline, else the first message's pictogram.
    pub hero: Option<String>,
    /// The hero stands on a line of its own (so it is described to screen readers); otherwise it
    /// repeats the first message's pictogram, whose words say it all.
    pub hero_alone: bool,
    /// The messages, in order.
    pub messages: Vec<Message>,
    /// Source line of the headline.
    pub line: usize,
}

impl Poster {
    /// Words on the poster: headline and messages.
    pub fn word_count(&self) -> usize {
        count_words(&self.headline) + self.messages.iter().map(|m| count_words(&plain_text(&m.words))).sum::<usize>()
    }
}

fn count_words(text: &str) -> usize {
    text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

/// The posters of a view, one per `::: poster` block, with every poster rule it breaks reported.
pub fn posters(view: &AudienceView, diags: &mut Diagnostics) -> Vec<Poster> {
    let mut out: Vec<Poster> = Vec::new();
    let mut fence = None;
    for block in &view.blocks {
        if fence != Some(block.fence) {
            fence = Some(block.fence);
            out.push(Poster {
                headline: String::new(),
                hero: None,
                hero_alone: false,
                messages: Vec::new(),
                line: block.line,
            });
        }
        let poster = out.last_mut().expect("pushed above");
        match &block.kind {
            BlockKind::Heading { content, .. } if poster.headline.is_empty() && poster.messages.is_empty() => {
                poster.headline = plain_text(content).trim().to_string();
                poster.line = block.line;
            }
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => {
                poster.messages.push(message(content, block.line));
            }
            BlockKind::List { items, .. } => {
                for item in items {
                    for b in item {
                        if let BlockKind::Paragraph(content) | BlockKind::Heading { content, .. } = b {
                            poster.messages.push(message(content, block.line));
                        }
                    }
                }
            }
            _ => {
                diags
                    .error(Location::new(&view.source, block.line, 1), "a poster holds only a headline and short lines")
                    .hint("write each message on its own line, starting with an icon like `:phone:`");
            }
        }
    }
    for poster in &mut out {
        // A picture on a line of its own before the messages is the hero; otherwise the first
        // message's pictogram is drawn large too.
        let alone = poster.messages.first().is_some_and(|m| m.icon.is_some() && plain_text(&m.words).trim().is_empty());
        poster.hero_alone = alone;
        poster.hero =
            if alone { poster.messages.remove(0).icon } else { poster.messages.first().and_then(|m| m.icon.clone()) };
    }
    for poster in &out {
        let location = Location::new(&view.source, poster.line, 1);
        if poster.headline.is_empty() {
            diags
                .error(location.clone(), "this poster has no headline")
                .hint("start the `::: poster` block with a heading, like `# No photos or filming`");
        }
        let words = poster.word_count();
        if words > WORD_BUDGET {
            diags
                .warning(
                    location.clone(),
                    format!(
                        "this poster has {words} words; posters are read from across a room, so keep to {WORD_BUDGET}"
                    ),
                )
                .hint("cut each message to the few words that matter, or make a second poster");
        }
        for m in poster.messages.iter().filter(|m| m.icon.is_none()) {
            diags
                .warning(Location::new(&view.source, m.line, 1), "this poster message has no pictogram")
                .hint("start the line with an icon, like `:camera-off: Please ask before you take photos.`");
        }
    }
    out
}

fn message(content: &[Inline], line: usize) -> Message {
    let mut rest = content.iter().skip_while(|i| matches!(i, Inline::Text(t) if t.trim().is_empty())).peekable();
    let icon = match rest.peek() {
        Some(Inline::Icon(name)) => {
            let name = name.clone();
            rest.next();
            Some(name)
        }
        _ => None,
    };
    let mut words: Vec<Inline> = rest.cloned().collect();
    if let Some(Inline::Text(first)) = words.first_mut() {
        *first = first.trim_start().to_string();
    }
    if let Some(Inline::Text(last)) = words.last_mut() {
        *last = last.trim_end().to_string();
    }
    Message { icon, words, line }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_takes_its_leading_icon() {
        let m = message(&[Inline::Icon("phone".into()), Inline::Text(" You can use your phone. ".into())], 3);
        assert_eq!(m.icon.as_deref(), Some("phone"));
        assert_eq!(m.words, vec![Inline::Text("You can use your phone.".into())]);
    }

    #[test]
    fn word_count_counts_headline_and_messages_not_icons() {
        let poster = Poster {
            headline: "No photos".into(),
            hero: None,
            hero_alone: false,
            messages: vec![message(&[Inline::Icon("camera-off".into()), Inline::Text(" Ask staff first.".into())], 2)],
            line: 1,
        };
        assert_eq!(poster.word_count(), 5);
    }
}
