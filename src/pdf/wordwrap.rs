//! Word wrapping for the easy-read and poster PDFs, which must never split or hyphenate a word:
//! lines break only at spaces (never inside a phone number; in web addresses also after a `/`). A word wider than the
//! column is returned to the caller as a problem to report; it is never cut.
//!
//! Measures with the document's [`FontSet`] and draws through [`Flow::text_box`], one line per
//! call, so the engine's own breaking (which splits long words) never comes into play. Knows
//! nothing about rows, posters or pages.

use super::fonts::{FontSet, ShapedRun, Style};
use super::layout::{Flow, INLINE_ICON_EM, TextStyle};
use crate::model::Inline;
use crate::model::phone::{NO_BREAK_SPACE, keep_numbers_whole};

/// What separates a word from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// First word, or a space.
    Space,
    /// A break opportunity with no space (after `/` in an address).
    Join,
    /// A hard line break.
    Hard,
}

/// One piece of a word: text (bold or not, in a marked language or not) or an inline pictogram.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String, bool, Option<String>),
    Icon(String),
}

/// An unbreakable word, possibly mixing bold and regular text.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    gap: Gap,
    parts: Vec<Part>,
}

impl Word {
    fn text(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t, ..) => t.as_str(),
                Part::Icon(_) => "",
            })
            .collect()
    }
}

/// Inline content as words. Emphasis becomes plain text (easy read has no italics), links and
/// code become their words, so nothing is underlined.
pub fn words(inlines: &[Inline]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut gap = Gap::Space;
    let mut open = false;
    flatten(inlines, (false, None), &mut out, &mut gap, &mut open);
    out
}

fn flatten(
    inlines: &[Inline],
    (bold, lang): (bool, Option<&str>),
    out: &mut Vec<Word>,
    gap: &mut Gap,
    open: &mut bool,
) {
    let own = lang.map(str::to_string);
    let push_part = |part: Part, out: &mut Vec<Word>, gap: &mut Gap, open: &mut bool| {
        if *open && let Some(word) = out.last_mut() {
            word.parts.push(part);
        } else {
            out.push(Word { gap: *gap, parts: vec![part] });
            *gap = Gap::Space;
            *open = true;
        }
    };
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => {
                let mut current = String::new();
                // A phone number is one word: its groups never go on different lines.
                for ch in keep_numbers_whole(t).chars() {
                    if ch.is_whitespace() && ch != NO_BREAK_SPACE {
                        if !current.is_empty() {
                            push_part(Part::Text(std::mem::take(&mut current), bold, own.clone()), out, gap, open);
                        }
                        *open = false;
                    } else {
                        current.push(ch);
                    }
                }
                if !current.is_empty() {
                    push_part(Part::Text(current, bold, own.clone()), out, gap, open);
                }
            }
            Inline::Strong(c) => flatten(c, (true, lang), out, gap, open),
            Inline::Emphasis(c) | Inline::Link { content: c, .. } => flatten(c, (bold, lang), out, gap, open),
            Inline::Span { lang: tag, content } => flatten(content, (bold, Some(tag)), out, gap, open),
            Inline::Image { alt, .. } => {
                let text = vec![Inline::Text(format!("[{alt}]"))];
                flatten(&text, (bold, lang), out, gap, open);
            }
            Inline::Icon(name) => push_part(Part::Icon(name.clone()), out, gap, open),
            Inline::LineBreak => {
                *open = false;
                *gap = Gap::Hard;
            }
        }
    }
}

/// A web or email address as words that may break after each `/`, so a long address wraps;
/// `new_line` starts it on a line of its own.
pub fn address_words(address: &str, bold: bool, new_line: bool) -> Vec<Word> {
    let first = if new_line { Gap::Hard } else { Gap::Space };
    let mut out: Vec<Word> = Vec::new();
    let mut current = String::new();
    let push = |text: String, out: &mut Vec<Word>| {
        let gap = if out.is_empty() { first } else { Gap::Join };
        out.push(Word { gap, parts: vec![Part::Text(text, bold, None)] });
    };
    for ch in address.trim().chars() {
        current.push(ch);
        if ch == '/' {
            push(std::mem::take(&mut current), &mut out);
        }
    }
    if !current.is_empty() {
        push(current, &mut out);
    }
    out
}

/// Lines of a wrapped text and the words that could not fit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Wrapped {
    /// Each line as inline content, ready for [`Flow::text_box`].
    pub lines: Vec<Vec<Inline>>,
    /// The width of each line in points.
    pub widths: Vec<f32>,
    /// Words wider than the column (drawn on a line of their own, overflowing).
    pub too_wide: Vec<String>,
    /// The column's width: a right-to-left document's lines are aligned to its right edge.
    pub column: f32,
}

impl Wrapped {
    /// Height of the lines at `line_height`.
    pub fn height(&self, line_height: f32) -> f32 {
        self.lines.len() as f32 * line_height
    }
}

fn style_of(base: Style, bold: bool) -> Style {
    if bold { base.bolder() } else { base }
}

fn word_width(fonts: &mut FontSet<'_>, word: &Word, style: TextStyle) -> f32 {
    word.parts
        .iter()
        .map(|p| match p {
            Part::Text(t, bold, _) => fonts.shape_shared(style_of(style.style, *bold), t).width(style.size),
            Part::Icon(_) => style.size * INLINE_ICON_EM,
        })
        .sum()
}

/// Words shaped once in a face style, to be measured at any size (for trying sizes): each text
/// part's width in thousandths of an em, `None` for a pictogram.
pub struct ShapedWords {
    space_em: f32,
    words: Vec<(Gap, Vec<Option<f32>>)>,
}

impl ShapedWords {
    /// Shapes `words` as [`measure`] does in `style`.
    pub fn new(fonts: &mut FontSet<'_>, words: &[Word], style: Style) -> ShapedWords {
        let em = |fonts: &mut FontSet<'_>, style: Style, text: &str| {
            fonts.shape_shared(style, text).runs.iter().map(ShapedRun::width_em).sum::<f32>()
        };
        let space_em = em(fonts, style, " ");
        let words = words
            .iter()
            .map(|word| {
                let parts = word
                    .parts
                    .iter()
                    .map(|part| match part {
                        Part::Text(t, bold, _) => Some(em(fonts, style_of(style, *bold), t)),
                        Part::Icon(_) => None,
                    })
                    .collect();
                (word.gap, parts)
            })
            .collect();
        ShapedWords { space_em, words }
    }

    /// What [`measure`] finds at `size` and `max`: the same sums in the same order (a shaping's
    /// width at a size is its width in em times the size, over 1000), so the same numbers.
    pub fn measure(&self, size: f32, max: f32) -> (usize, bool) {
        let space = self.space_em * size / 1000.0;
        let mut lines = 0;
        let mut too_wide = false;
        let mut in_line = false;
        let mut width = 0.0f32;
        for (gap, parts) in &self.words {
            // As `word_width`.
            let w: f32 = parts.iter().map(|p| p.map_or(size * INLINE_ICON_EM, |em| em * size / 1000.0)).sum();
            too_wide |= w > max + 0.01;
            let gap_width = match gap {
                Gap::Space => space,
                Gap::Join | Gap::Hard => 0.0,
            };
            let fits = width + gap_width + w <= max + 0.01;
            if in_line && (*gap == Gap::Hard || !fits) {
                lines += 1;
                width = 0.0;
                in_line = false;
            }
            if in_line && *gap == Gap::Space {
                width += space;
            }
            in_line |= !parts.is_empty();
            width += w;
        }
        (lines + usize::from(in_line), too_wide)
    }
}

/// What [`wrap`] would make of `words`, without making the lines: how many, and whether a word
/// is wider than `max` (for trying sizes). Must follow `wrap` step by step.
pub fn measure(fonts: &mut FontSet<'_>, words: &[Word], style: TextStyle, max: f32) -> (usize, bool) {
    ShapedWords::new(fonts, words, style.style).measure(style.size, max)
}

/// Breaks `words` into lines no wider than `max` at `style`, never inside a word.
pub fn wrap(fonts: &mut FontSet<'_>, words: &[Word], style: TextStyle, max: f32) -> Wrapped {
    let space = fonts.shape(style.style, " ").width(style.size);
    let mut lines: Vec<Vec<Inline>> = Vec::new();
    let mut widths = Vec::new();
    let mut too_wide = Vec::new();
    let mut line: Vec<Inline> = Vec::new();
    let mut width = 0.0f32;
    for word in words {
        let w = word_width(fonts, word, style);
        if w > max + 0.01 {
            too_wide.push(word.text());
        }
        let gap = match word.gap {
            Gap::Space => space,
            Gap::Join | Gap::Hard => 0.0,
        };
        let fits = width + gap + w <= max + 0.01;
        if !line.is_empty() && (word.gap == Gap::Hard || !fits) {
            // The word break stays in the text as a space glyph after the line's last word
            // (drawn past the line end, so invisible, and not measured): the tag tree then
            // reads "in hospital", not "inhospital". A break inside an address has no space.
            if word.gap != Gap::Join {
                line.push(Inline::Text(" ".to_string()));
            }
            lines.push(std::mem::take(&mut line));
            widths.push(width);
            width = 0.0;
        }
        if !line.is_empty() && word.gap == Gap::Space {
            line.push(Inline::Text(" ".to_string()));
            width += space;
        }
        for part in &word.parts {
            let inline = match part {
                Part::Text(t, true, _) => Inline::Strong(vec![Inline::Text(t.clone())]),
                Part::Text(t, false, _) => Inline::Text(t.clone()),
                Part::Icon(name) => Inline::Icon(name.clone()),
            };
            match part {
                // Words of one marked language on a line share one span (with the spaces between).
                Part::Text(_, _, Some(lang)) => push_in_language(&mut line, lang, inline),
                _ => line.push(inline),
            }
        }
        width += w;
    }
    if !line.is_empty() {
        // The text ends a word too: keep it apart from whatever the same element draws next
        // (a label and the address on the line below it).
        line.push(Inline::Text(" ".to_string()));
        lines.push(line);
        widths.push(width);
    }
    Wrapped { lines, widths, too_wide, column: max }
}

/// Adds `inline` to the line inside a span of `lang`: the last one when the line ends in it (or
/// in it and a space), else a new one.
fn push_in_language(line: &mut Vec<Inline>, lang: &str, inline: Inline) {
    let space = matches!(line.last(), Some(Inline::Text(t)) if t == " ");
    let at = line.len() - usize::from(space);
    if at > 0
        && let Some(Inline::Span { lang: open, .. }) = line.get(at - 1)
        && open == lang
    {
        let moved = if space { line.pop() } else { None };
        if let Some(Inline::Span { content, .. }) = line.last_mut() {
            content.extend(moved);
            content.push(inline);
        }
        return;
    }
    line.push(Inline::Span { lang: lang.to_string(), content: vec![inline] });
}

/// Draws wrapped lines from (x, top), each in a line box of `line_height`, as content of
/// `elem`; returns the height used.
pub fn draw(
    flow: &mut Flow<'_, '_, '_>,
    wrapped: &Wrapped,
    style: TextStyle,
    x: f32,
    top: f32,
    line_height: f32,
    elem: usize,
) -> f32 {
    // `text_box` centres each line in a box of the document's leading; shift it so the line
    // sits centred in a box of `line_height` instead.
    let engine_height = flow.settings.line_height(style.size);
    let shift = (line_height - engine_height) / 2.0;
    let mut y = top;
    for (n, line) in wrapped.lines.iter().enumerate() {
        // A right-to-left document's lines end at the column's right edge.
        let x = match wrapped.widths.get(n) {
            Some(width) if flow.rtl && wrapped.column < 1.0e5 => x + (wrapped.column - width).max(0.0),
            _ => x,
        };
        flow.text_box(line, style, x, y + shift, 1.0e6, elem);
        y += line_height;
    }
    y - top
}

/// Draws wrapped lines as page furniture (an artifact a screen reader skips), from (x, top),
/// each in a line box of `line_height`; returns the height used.
pub fn draw_artifact(
    flow: &mut Flow<'_, '_, '_>,
    wrapped: &Wrapped,
    style: TextStyle,
    x: f32,
    top: f32,
    line_height: f32,
) -> f32 {
    let engine_height = flow.settings.line_height(style.size);
    let shift = (line_height - engine_height) / 2.0;
    let page = flow.pages.len() - 1;
    let mut y = top;
    for line in &wrapped.lines {
        let text = crate::model::plain_text(line);
        flow.text_at(page, &text, style, x, y + shift, false, super::layout::Tag::Artifact);
        y += line_height;
    }
    y - top
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_bold_parts_glued_and_drop_italics() {
        let w = words(&[
            Inline::Text("Ask for ".into()),
            Inline::Strong(vec![Inline::Text("consent".into())]),
            Inline::Text("s now".into()),
            Inline::Emphasis(vec![Inline::Text(" please".into())]),
        ]);
        let texts: Vec<String> = w.iter().map(Word::text).collect();
        assert_eq!(texts, vec!["Ask", "for", "consents", "now", "please"]);
        assert_eq!(w[2].parts.len(), 2);
    }

    #[test]
    fn measuring_words_finds_the_lines_and_too_wide_words_wrapping_makes() {
        let theme = crate::load::theme::Theme::builtin();
        let mut fonts = FontSet::from_theme(&theme).unwrap();
        let mut w = words(&[
            Inline::Text("Wash your hands before and after every visit, ".into()),
            Inline::Strong(vec![Inline::Text("every time".into())]),
            Inline::Text(" please.".into()),
        ]);
        w.extend(address_words("www.example-trust.nhs.uk/leaflets/visiting", false, true));
        let style = TextStyle { style: Style::Regular, size: 24.0, color: crate::pdf::settings::Rgb(0) };
        for max in [30.0, 120.0, 250.0, 600.0, 5000.0] {
            let wrapped = wrap(&mut fonts, &w, style, max);
            let measured = measure(&mut fonts, &w, style, max);
            assert_eq!(measured, (wrapped.lines.len(), !wrapped.too_wide.is_empty()), "at {max} pt");
        }
    }

    #[test]
    fn addresses_break_after_slashes_only() {
        let w = address_words("example.nhs.uk/a/b.html", false, false);
        let texts: Vec<String> = w.iter().map(Word::text).collect();
        assert_eq!(texts, vec!["example.nhs.uk/", "a/", "b.html"]);
        assert_eq!(w[1].gap, Gap::Join);
    }
}
