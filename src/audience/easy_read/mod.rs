//! The easy-read audience: its web page ([`page`]) and PDF ([`pdf`]), and here the document they
//! both show: turns an easy-read view into sections of rows (one picture, one short
//! idea), marks glossary words bold where first used, lists the "Words to know", and lints the
//! easy-read rules (a picture on every row, short sentences, hard words explained).
//!
//! Pure, and shared by the HTML and PDF renderers so both show the same rows. Never chooses which
//! blocks the audience gets (that is `resolve`).

pub mod page;
pub mod pdf;

use crate::diag::{Diagnostics, Location, excerpt};
use crate::model::{Block, BlockKind, Inline, plain_text};
use crate::readability;
use crate::resolve::AudienceView;

/// The picture on the left of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picture {
    /// A pictogram of the theme.
    Icon(String),
    /// A picture file under `content/`, with its alternative text.
    Image {
        /// Path relative to `content/`.
        path: String,
        /// Alternative text.
        alt: String,
    },
}

impl Picture {
    /// What a screen reader says for the picture: what the theme says an icon shows
    /// (`describe_icon`), or the author's alternative text of an image.
    pub fn alt(&self, describe_icon: &dyn Fn(&str) -> String) -> String {
        match self {
            Picture::Icon(name) => describe_icon(name),
            Picture::Image { alt, .. } => alt.clone(),
        }
    }
}

/// One idea: a picture and the words beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The picture (every valid row has one).
    pub picture: Picture,
    /// The words, with glossary words marked strong where first used.
    pub words: Vec<Inline>,
    /// Source line.
    pub line: usize,
}

/// A heading and the rows under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The heading words and anchor; `None` for rows before the first heading.
    pub heading: Option<(String, String)>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// A hard word, explained, with the picture of the row where it is first used.
#[derive(Debug, Clone, PartialEq)]
pub struct WordToKnow {
    /// The word as the glossary writes it.
    pub word: String,
    /// What it means.
    pub meaning: String,
    /// The picture of the row that first uses it, shown beside it in "Words to know".
    pub picture: Picture,
}

/// A whole easy-read document.
#[derive(Debug, Clone, PartialEq)]
pub struct EasyReadDoc {
    /// The easy-read title.
    pub title: String,
    /// The policy's own title: the cover says what this is the easy-read version of.
    pub policy_title: String,
    /// Sections in order.
    pub sections: Vec<Section>,
    /// Glossary words used, in order of the glossary.
    pub words_to_know: Vec<WordToKnow>,
}

/// The picture beside "This is an easy read version of ...".
pub const ABOUT_PICTURE: &str = "paper";
/// The picture beside "You may want a supporter to help you read it".
pub const SUPPORTER_PICTURE: &str = "people-holding-hands";
/// The picture beside "Hard words are in bold".
pub const HARD_WORDS_PICTURE: &str = "thinking-face";

/// What the front of every easy-read document says, in rows: what it is the easy-read version
/// of, that a supporter may help, and (when it has hard words) where they are explained.
pub fn about_rows(doc: &EasyReadDoc) -> Vec<(Picture, String)> {
    let mut rows = vec![
        (Picture::Icon(ABOUT_PICTURE.to_string()), format!("This is an easy read version of {}.", doc.policy_title)),
        (Picture::Icon(SUPPORTER_PICTURE.to_string()), "You may want a supporter to help you read it.".to_string()),
    ];
    if !doc.words_to_know.is_empty() {
        rows.push((
            Picture::Icon(HARD_WORDS_PICTURE.to_string()),
            "Hard words are in bold. They are explained in Words to know.".to_string(),
        ));
    }
    rows
}

/// Sentence length limits (STANDARDS: warning over 15 words, error over 20).
pub const SENTENCE_WARN_WORDS: usize = 15;
/// See [`SENTENCE_WARN_WORDS`].
pub const SENTENCE_ERROR_WORDS: usize = 20;

/// Builds the easy-read document of a view and reports every easy-read rule it breaks.
pub fn easy_read_doc(view: &AudienceView, diags: &mut Diagnostics) -> EasyReadDoc {
    let mut sections = vec![Section { heading: None, rows: Vec::new() }];
    for block in &view.blocks {
        collect(&block.kind, block.line, view, &mut sections, diags);
    }
    sections.retain(|s| s.heading.is_some() || !s.rows.is_empty());
    let mut words_to_know = Vec::new();
    for (word, explanation) in &view.glossary {
        if let Some(picture) = mark_first_use(&mut sections, word) {
            words_to_know.push(WordToKnow { word: word.clone(), meaning: explanation.clone(), picture });
        } else {
            let line = view.blocks.first().map_or(1, |b| b.line);
            diags
                .warning(
                    Location::new(&view.source, line, 1),
                    format!("the glossary word `{word}` is not used in the easy-read text"),
                )
                .hint("use it in a row, or take it out of `glossary:`");
        }
    }
    lint_words(view, diags);
    EasyReadDoc { title: view.title.clone(), policy_title: view.policy_title.clone(), sections, words_to_know }
}

fn collect(kind: &BlockKind, line: usize, view: &AudienceView, sections: &mut Vec<Section>, diags: &mut Diagnostics) {
    match kind {
        BlockKind::Heading { content, anchor, .. } => sections.push(Section {
            heading: Some((plain_text(content).trim().to_string(), anchor.clone())),
            rows: Vec::new(),
        }),
        BlockKind::Paragraph(content) => match split_picture(content) {
            Some((picture, words)) => sections.last_mut().expect("one section").rows.push(Row { picture, words, line }),
            None => {
                diags
                    .error(Location::new(&view.source, line, 1), "this easy-read row has no picture")
                    .hint("start the row with an icon like `:info:` or a picture like `![A nurse](images/nurse.png)`; every row needs one");
            }
        },
        BlockKind::List { items, .. } => {
            for item in items {
                for b in item {
                    collect(b, line, view, sections, diags);
                }
            }
        }
        BlockKind::Quote(blocks) => {
            for b in blocks {
                collect(b, line, view, sections, diags);
            }
        }
        BlockKind::Table { .. } | BlockKind::Code { .. } => {
            diags
                .error(Location::new(&view.source, line, 1), "tables and code blocks are not easy read")
                .hint("write each point as its own row: a picture, then one short sentence");
        }
        BlockKind::Rule => {}
    }
}

/// A row's picture (its first inline, an icon or image) and the words after it.
fn split_picture(content: &[Inline]) -> Option<(Picture, Vec<Inline>)> {
    let mut rest = content.iter().skip_while(|i| matches!(i, Inline::Text(t) if t.trim().is_empty()));
    let picture = match rest.next()? {
        Inline::Icon(name) => Picture::Icon(name.clone()),
        Inline::Image { path, alt, .. } => Picture::Image { path: path.clone(), alt: alt.clone() },
        _ => return None,
    };
    let mut words: Vec<Inline> = rest.cloned().map(no_italics).collect();
    if let Some(Inline::Text(first)) = words.first_mut() {
        *first = first.trim_start().to_string();
    }
    Some((picture, words))
}

/// Easy read uses no italics: emphasis is shown as plain words.
fn no_italics(inline: Inline) -> Inline {
    match inline {
        Inline::Emphasis(content) => {
            let words = content.into_iter().map(no_italics).collect::<Vec<_>>();
            Inline::Text(plain_text(&words))
        }
        Inline::Strong(c) => Inline::Strong(c.into_iter().map(no_italics).collect()),
        Inline::Span { lang, content } => Inline::Span { lang, content: content.into_iter().map(no_italics).collect() },
        Inline::Link { target, content, title, at } => {
            Inline::Link { target, content: content.into_iter().map(no_italics).collect(), title, at }
        }
        other => other,
    }
}

/// Makes the first use of `word` (whole word, any case) strong, and gives that row's picture.
/// None when it is never used.
fn mark_first_use(sections: &mut [Section], word: &str) -> Option<Picture> {
    for section in sections {
        for row in &mut section.rows {
            if mark_in(&mut row.words, word) {
                return Some(row.picture.clone());
            }
        }
    }
    None
}

fn mark_in(inlines: &mut Vec<Inline>, word: &str) -> bool {
    for index in 0..inlines.len() {
        match &mut inlines[index] {
            Inline::Text(text) => {
                if let Some((at, end)) = find_word(text, word) {
                    let after = text.split_off(end);
                    let found = text.split_off(at);
                    let before = std::mem::take(text);
                    let replacement =
                        [Inline::Text(before), Inline::Strong(vec![Inline::Text(found)]), Inline::Text(after)]
                            .into_iter()
                            .filter(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
                    inlines.splice(index..=index, replacement);
                    return true;
                }
            }
            Inline::Strong(content) if find_word(&plain_text(content), word).is_some() => return true,
            Inline::Link { content, .. } | Inline::Strong(content) | Inline::Span { content, .. } => {
                let marked = mark_in(content, word);
                if marked {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Byte range of the first whole-word use of `word` in `text`, ignoring case. Compares
/// character by character, so letters whose lower case has another length (İ, ẞ) never shift
/// the match.
fn find_word(text: &str, word: &str) -> Option<(usize, usize)> {
    let wanted: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
    if wanted.is_empty() {
        return None;
    }
    for (start, _) in text.char_indices() {
        let before_ok = text[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        if !before_ok {
            continue;
        }
        let mut end = start;
        let mut matched = 0;
        for c in text[start..].chars() {
            let lower: Vec<char> = c.to_lowercase().collect();
            if matched + lower.len() > wanted.len() || wanted[matched..matched + lower.len()] != lower[..] {
                break;
            }
            matched += lower.len();
            end += c.len_utf8();
            if matched == wanted.len() {
                break;
            }
        }
        let after_ok = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if matched == wanted.len() && after_ok {
            return Some((start, end));
        }
    }
    None
}

/// Sentence length and hard words (STANDARDS: over 15 words warns, over 20 is an error; words
/// of 3+ syllables not in the glossary or the everyday list warn).
fn lint_words(view: &AudienceView, diags: &mut Diagnostics) {
    for sentence in readability::sentences(&view.blocks) {
        let location = Location::new(&view.source, sentence.line, 1);
        if sentence.words > SENTENCE_ERROR_WORDS {
            diags
                .error(
                    location,
                    format!(
                        "this easy-read sentence has {} words; the limit is {SENTENCE_ERROR_WORDS}",
                        sentence.words
                    ),
                )
                .hint(format!(
                    "split it into sentences of {SENTENCE_WARN_WORDS} words or fewer: \"{}\"",
                    excerpt(&sentence.text)
                ));
        } else if sentence.words > SENTENCE_WARN_WORDS {
            diags
                .warning(
                    location,
                    format!(
                        "this easy-read sentence has {} words; aim for {SENTENCE_WARN_WORDS} or fewer",
                        sentence.words
                    ),
                )
                .hint(format!("split it in two: \"{}\"", excerpt(&sentence.text)));
        }
    }
    // Hard words are judged by English syllables and an English word list: not for translations.
    if view.lang.is_some() {
        return;
    }
    let glossary: Vec<&str> = view.glossary.iter().map(|(w, _)| w.as_str()).collect();
    for hard in readability::hard_words(&view.blocks, &glossary, readability::EVERYDAY_WORDS) {
        diags
            .warning(
                Location::new(&view.source, hard.line, 1),
                format!("{} is a hard word for easy read", crate::diag::shown_word(&hard.word)),
            )
            .hint(if hard.word.chars().count() > 40 {
                "use shorter words".to_string()
            } else {
                format!(
                    "use a shorter word, or explain it under `glossary:` (for example `{}: ...`)",
                    hard.word.to_lowercase()
                )
            });
    }
}

/// The rows of a document in reading order (for renderers that do not need sections).
pub fn rows(doc: &EasyReadDoc) -> impl Iterator<Item = &Row> {
    doc.sections.iter().flat_map(|s| s.rows.iter())
}

/// True when a block list has something to read besides headings.
pub fn has_rows(blocks: &[Block]) -> bool {
    blocks.iter().any(|b| !matches!(b.kind, BlockKind::Heading { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_string())
    }

    #[test]
    fn find_word_matches_whole_words_in_any_case() {
        assert_eq!(find_word("Your Privacy matters", "privacy"), Some((5, 12)));
        assert_eq!(find_word("privacyless", "privacy"), None);
        assert_eq!(find_word("no match", "privacy"), None);
        // Letters that change length when lower-cased do not shift the match or split a letter.
        assert_eq!(find_word("İ—consent—ẞ", "consent"), Some((5, 12)));
        assert_eq!(find_word("İ consent ẞ", "consent"), Some((3, 10)));
    }

    #[test]
    fn glossary_word_is_bold_at_first_use_only() {
        let mut sections = vec![Section {
            heading: None,
            rows: vec![
                Row { picture: Picture::Icon("lock".into()), words: vec![text("Your privacy is safe.")], line: 1 },
                Row { picture: Picture::Icon("lock".into()), words: vec![text("Privacy again.")], line: 2 },
            ],
        }];
        assert_eq!(mark_first_use(&mut sections, "privacy"), Some(Picture::Icon("lock".into())));
        assert_eq!(
            sections[0].rows[0].words,
            vec![text("Your "), Inline::Strong(vec![text("privacy")]), text(" is safe.")]
        );
        assert_eq!(sections[0].rows[1].words, vec![text("Privacy again.")]);
    }

    #[test]
    fn a_row_starts_with_its_picture() {
        let (picture, words) =
            split_picture(&[Inline::Icon("phone".into()), text(" You can use your phone.")]).unwrap();
        assert_eq!(picture, Picture::Icon("phone".into()));
        assert_eq!(words, vec![text("You can use your phone.")]);
        assert!(split_picture(&[text("No picture here.")]).is_none());
    }

    #[test]
    fn emphasis_is_never_italic_in_easy_read() {
        assert_eq!(no_italics(Inline::Emphasis(vec![text("gently")])), text("gently"));
    }
}
