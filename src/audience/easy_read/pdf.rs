//! The easy-read PDF's document design (STANDARDS "Easy-read version"): A4 portrait, 16 pt
//! Atkinson Hyperlegible Next at 1.5 line spacing; a cover with the title, the Trust's logo top
//! right, a visible notice when the review is overdue, and the first row's picture; each row a
//! picture of at least 25 mm on the left and its words on the right, never split across pages;
//! sections starting with their heading; "Words to know"; a back page with how to contact us
//! (with the easy read's short public address) and the governance details; "Page X of Y" in the
//! footer.
//!
//! Words are wrapped by [`crate::pdf::wordwrap`], so no word is ever split or hyphenated: a word too
//! wide for the column is a located error. Emphasis is set upright and links as plain words
//! (easy read has no italics and no underlines).
//!
//! Tagging, chosen once for every picture: each picture (row, cover, contact) is a `Figure`
//! whose alternative text says what it shows (the theme's description of the icon, "A camera
//! crossed out", or the author's alt text of an image), placed before the row's words (`P`). Sections are `Sect` with an `H2`; the
//! cover title is the `H1`; "Words to know" is a list (`Lbl` the word, `LBody` its meaning).
//! Rules, the cover band and the footer are artifacts; a picture's tinted square is part of its
//! `Figure`.
//!
//! Takes the [`EasyReadDoc`] the HTML page uses, so both show the same rows; never builds or
//! lints the document itself, and reads nothing from disk or the clock.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::audience::easy_read::{EasyReadDoc, Picture, Row, about_rows};
use crate::audience::patient_facing;
use crate::audience::pdf_output::{self as publish, RenderedPdf, site_of};
use crate::audience::pictures::{Icons, Logo};
use crate::diag::Diagnostics;
use crate::load::Project;
use crate::model::Artifact;
use crate::model::dates::ReviewStatus;
use crate::model::{Audience, Inline};
use crate::pdf::fonts::{self, FontSet, Style};
use crate::pdf::layout::{Flow, Item, Layout, LayoutProblem, OutlineEntry, Role, Tag, TextStyle, image_size};
use crate::pdf::settings::{PageSpec, Palette, PdfSettings, Rgb, TypeScale};
use crate::pdf::svg::Paint;
use crate::pdf::wordwrap::{self, Word};
use crate::pdf::writer;
use crate::resolve::AudienceView;

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
/// Side of a row's picture square (STANDARDS: at least 25 mm).
pub const PICTURE_MM: f32 = 30.0;
/// Space between the picture and the words.
const GUTTER_MM: f32 = 8.0;
/// Space between rows.
const ROW_GAP_MM: f32 = 7.0;
/// Side of the cover picture (smaller when the cover has less room).
const COVER_PICTURE_MM: f32 = 80.0;
/// Side of a contents entry's picture (STANDARDS: every picture at least 25 mm).
const CONTENTS_PICTURE_MM: f32 = 25.0;
/// The picture beside "Contact us" in the contents.
const CONTACT_PICTURE: &str = "telephone";
/// The pictures every easy-read PDF shows whatever its rows (front page, contents, contact us).
const BUILT_IN_PICTURES: [&str; 7] = [
    crate::audience::easy_read::ABOUT_PICTURE,
    crate::audience::easy_read::SUPPORTER_PICTURE,
    crate::audience::easy_read::HARD_WORDS_PICTURE,
    "person-raising-hand",
    "telephone",
    "email-envelope",
    "globe",
];
/// STANDARDS: a warning over 20 pages, an error over 24.
pub const PAGES_WARN: usize = 20;
/// See [`PAGES_WARN`].
pub const PAGES_ERROR: usize = 24;
/// Anchors of the end sections; prefixed so they cannot clash with the author's headings.
const WORDS_ANCHOR: &str = "pdf-words-to-know";
const CONTACT_ANCHOR: &str = "pdf-contact-us";
/// The pale tint behind pictograms, so icons and photos read as the same kind of picture.
const TINT: Rgb = Rgb(0xE8EDEE);
const WHITE: Rgb = Rgb(0xFFFFFF);

/// Paper, type and colours of the easy-read PDF, with the theme's body size and colours.
pub fn settings(theme: &crate::load::config::ThemeSettings) -> PdfSettings {
    let page = PageSpec { margin_top: 20.0 * MM, margin_bottom: 26.0 * MM, ..PageSpec::from_mm(210.0, 297.0, 20.0) };
    let base = TypeScale { body: 16.0, leading: 1.5, headings: [40.0, 26.0, 20.0, 18.0, 16.0, 16.0], small: 14.0 };
    let mut type_scale = base.scaled(theme.pdf.easy_read_body / base.body);
    // Nothing in easy read is smaller than 14 pt (STANDARDS).
    type_scale.small = type_scale.small.max(14.0);
    PdfSettings { page, type_scale, palette: Palette::from_theme(&theme.colours) }
}

/// Lays out the easy-read PDF of `view` from its easy-read document. The contents page gives
/// each section's page, so the document is laid out twice: the second time with the pages the
/// first found (the contents is the same size either way, so nothing else moves).
pub fn layout_easy_read(project: &Project, view: &AudienceView, doc: &EasyReadDoc, fonts: &mut FontSet<'_>) -> Layout {
    let first = lay_out(project, view, doc, fonts, &BTreeMap::new());
    if !has_contents(doc) {
        return first;
    }
    let pages = first.anchors.iter().map(|(anchor, (page, _))| (anchor.clone(), page + 1)).collect();
    lay_out(project, view, doc, fonts, &pages)
}

fn lay_out(
    project: &Project,
    view: &AudienceView,
    doc: &EasyReadDoc,
    fonts: &mut FontSet<'_>,
    page_of: &BTreeMap<String, usize>,
) -> Layout {
    let site = site_of(project);
    let icons = Icons::new(&project.theme);
    let icon_lookup = |name: &str| icons.get(name);
    let describe_icon = |name: &str| project.theme.icon_description(name);
    let resolve = |target: &crate::model::LinkTarget| site.dest(target);
    let mut flow = Flow::new(fonts, settings(&project.theme_settings), &project.images, &icon_lookup, &resolve);
    flow.describe_icon = &describe_icon;
    flow.line = view.blocks.first().map_or(1, |b| b.line);
    let translated = publish::start_in_language(&mut flow, &project.config, view);
    let site_lang = translated.then_some(project.config.language.as_str());
    let notice = patient_facing::translation_notice(&project.config, view);
    cover(&mut flow, view, doc, (&project.config.organisation, site_lang, notice.as_ref()), Logo::of(project).as_ref());
    flow.new_page();
    if has_contents(doc) {
        contents(&mut flow, doc, page_of, site_lang);
        flow.new_page();
    }
    for section in &doc.sections {
        section_rows(&mut flow, section);
    }
    words_to_know(&mut flow, doc, site_lang);
    // The back page is in the site's language: a translation marks it so, set its way.
    publish::in_site_language(&mut flow, &project.config, translated, |flow| back_page(flow, project, view));
    furniture(&mut flow, &doc.title);
    if view.draft {
        publish::mark_draft_pages(&mut flow);
    }
    let pages = flow.pages.len();
    let line = view.blocks.first().map_or(1, |b| b.line);
    if pages > PAGES_WARN {
        flow.problems.push(LayoutProblem {
            line,
            error: pages > PAGES_ERROR,
            message: format!(
                "the easy-read PDF has {pages} pages; easy read should be {PAGES_WARN} pages or fewer (never over {PAGES_ERROR})"
            ),
            hint: "keep to the ideas the reader needs, or make a second easy-read document".to_string(),
        });
    }
    flow.finish()
}

fn body(flow: &Flow<'_, '_, '_>) -> TextStyle {
    flow.body_style()
}

fn line_height(flow: &Flow<'_, '_, '_>, size: f32) -> f32 {
    flow.settings.line_height(size)
}

/// Wraps words at `width`, reporting any word too wide for it at the current source line.
fn wrap_checked(flow: &mut Flow<'_, '_, '_>, words: &[Word], style: TextStyle, width: f32) -> wordwrap::Wrapped {
    let wrapped = wordwrap::wrap(flow.fonts, words, style, width);
    for word in &wrapped.too_wide {
        flow.problems.push(LayoutProblem {
            line: flow.line,
            error: true,
            message: format!(
                "the word {} is too wide for the easy-read page at {} pt; easy read never splits a word across lines",
                crate::diag::shown_word(word),
                style.size
            ),
            hint: "use a shorter word, or break it into words with spaces".to_string(),
        });
    }
    wrapped
}

fn cover(
    flow: &mut Flow<'_, '_, '_>,
    view: &AudienceView,
    doc: &EasyReadDoc,
    (organisation, site_lang, notice): (&str, Option<&str>, Option<&patient_facing::TranslationNotice>),
    logo: Option<&Logo>,
) {
    let page = flow.settings.page;
    let palette = flow.settings.palette;
    let sect = flow.open(Role::Sect, 0);
    let band = 48.0 * MM;
    flow.top_band(band, palette.accent);
    let left = page.margin_left;
    let width = page.text_width();
    // The Trust's logo top right (NHS identity); the band's words keep clear of it.
    let logo_w = logo.map_or(0.0, |l| l.draw_top_right(flow, left + width, 20.0 * MM, width * 0.4, sect) + 6.0 * MM);
    let org_style = TextStyle { style: Style::Bold, size: 22.0, color: WHITE };
    // The band's words are in the site's language, set its way, on a translation too.
    let rtl = flow.rtl;
    if let Some(lang) = site_lang {
        flow.rtl = crate::model::languages::is_rtl(lang);
    }
    let org = flow.open(Role::P, sect);
    flow.tree[org].lang = site_lang.map(str::to_string);
    let words = wordwrap::words(&[Inline::Text(organisation.to_string())]);
    let wrapped = wrap_checked(flow, &words, org_style, width - logo_w);
    let lh = 22.0 * 1.25;
    let org_h = wordwrap::draw(flow, &wrapped, org_style, left, 14.0 * MM, lh, org);
    let kind_style = TextStyle { style: Style::Regular, size: 20.0, color: WHITE };
    let kind = flow.open(Role::P, sect);
    flow.tree[kind].lang = site_lang.map(str::to_string);
    let words = wordwrap::words(&[Inline::Text("Easy read".to_string())]);
    let wrapped = wrap_checked(flow, &words, kind_style, width);
    wordwrap::draw(flow, &wrapped, kind_style, left, 14.0 * MM + org_h + 4.0, 20.0 * 1.3, kind);
    flow.rtl = rtl;

    let title_size = flow.settings.type_scale.heading(1);
    let title_style = TextStyle { style: Style::Bold, size: title_size, color: palette.text };
    let title = flow.open(Role::H(1), sect);
    let words = wordwrap::words(&[Inline::Text(doc.title.clone())]);
    let wrapped = wrap_checked(flow, &words, title_style, width);
    let top = band + 22.0 * MM;
    let title_h = wordwrap::draw(flow, &wrapped, title_style, left, top, title_size * 1.2, title);
    flow.y = top + title_h + 16.0 * MM;
    if view.review_status == ReviewStatus::Overdue {
        overdue_notice(flow, view, sect);
    }
    if let Some(notice) = notice {
        publish::translation_notice(flow, notice, sect);
        flow.y += 6.0 * MM;
    }
    // What this is the easy-read version of, and that a supporter may help: rows at the foot of
    // the cover, the first row's picture drawn large above them in the room that is left.
    // With a contents page, the row about hard words opens it instead (it says where they are
    // explained); the cover keeps its room for the picture.
    let keep = if has_contents(doc) { 2 } else { 3 };
    let rows: Vec<(Picture, Vec<Word>)> = about_rows(doc)
        .into_iter()
        .take(keep)
        .map(|(picture, words)| (picture, wordwrap::words(&[in_language(words, site_lang, flow.rtl)])))
        .collect();
    let measured: Vec<(wordwrap::Wrapped, f32)> = rows.iter().map(|(_, words)| measure_row(flow, words)).collect();
    let rows_h: f32 = measured.iter().map(|(_, h)| h + ROW_GAP_MM * MM).sum();
    let first = doc.sections.iter().flat_map(|s| s.rows.iter()).next();
    if let Some(row) = first {
        let room = flow.bottom() - flow.y - rows_h - 8.0 * MM;
        if room >= PICTURE_MM * MM {
            let size = (COVER_PICTURE_MM * MM).min(room);
            let (x, y) = (left, flow.y);
            flow.line = row.line;
            let x = if flow.rtl { left + width - size } else { x };
            picture(flow, &row.picture, x, y, size, sect);
            flow.y += size + 8.0 * MM;
        }
    }
    for ((pic, _), (wrapped, height)) in rows.iter().zip(&measured) {
        place_row(flow, pic, wrapped, *height, flow.line, sect);
    }
}

/// Words policypress writes (in the site's language), marked as such in a translation. In a
/// document of the other direction they start and end with a mark of their direction (U+200E
/// or U+200F, drawn as nothing), so an English sentence in an Arabic document keeps its full
/// stop at its end; a mark, unlike an isolate, works on each wrapped line alone.
fn in_language(text: String, site_lang: Option<&str>, document_rtl: bool) -> Inline {
    match site_lang {
        Some(lang) => {
            let site_rtl = crate::model::languages::is_rtl(lang);
            let text = match (document_rtl, site_rtl) {
                (true, false) => format!("\u{200E}{text}\u{200E}"),
                (false, true) => format!("\u{200F}{text}\u{200F}"),
                _ => text,
            };
            Inline::Span { lang: lang.to_string(), content: vec![Inline::Text(text)] }
        }
        None => Inline::Text(text),
    }
}

/// Whether the document has a contents page: two sections or more to find.
fn has_contents(doc: &EasyReadDoc) -> bool {
    doc.sections.iter().filter(|s| s.heading.is_some() && !s.rows.is_empty()).count() >= 2
}

/// "What is in this document": each section with its first row's picture and its page, then
/// "Words to know" and "Contact us". Tagged as a table of contents; each entry a link to its
/// section. The pictures repeat the sections' own (described there): here they are decoration.
/// In a translation (`site_lang`) its own words are marked as the site's language; a
/// right-to-left document has the pictures on the right and the page numbers on the left.
fn contents(
    flow: &mut Flow<'_, '_, '_>,
    doc: &EasyReadDoc,
    page_of: &BTreeMap<String, usize>,
    site_lang: Option<&str>,
) {
    let sect = flow.open(Role::Sect, 0);
    let mut entries: Vec<(Picture, Inline, String)> = doc
        .sections
        .iter()
        .filter_map(|s| {
            let (heading, anchor) = s.heading.clone()?;
            Some((s.rows.first()?.picture.clone(), Inline::Text(heading), anchor))
        })
        .collect();
    if !doc.words_to_know.is_empty() {
        entries.push((
            Picture::Icon(crate::audience::easy_read::HARD_WORDS_PICTURE.to_string()),
            in_language("Words to know".to_string(), site_lang, flow.rtl),
            WORDS_ANCHOR.to_string(),
        ));
    }
    entries.push((
        Picture::Icon(CONTACT_PICTURE.to_string()),
        in_language("Contact us".to_string(), site_lang, flow.rtl),
        CONTACT_ANCHOR.to_string(),
    ));
    if let Some((pic, words)) = about_rows(doc).into_iter().nth(2) {
        row(flow, &pic, &wordwrap::words(&[in_language(words, site_lang, flow.rtl)]), flow.line, sect);
    }
    let heading = section_heading(flow, "What is in this document", "pdf-contents", 0.0, sect);
    flow.tree[heading].lang = site_lang.map(str::to_string);
    let toc = flow.open(Role::TOC, sect);
    let style = TextStyle { style: Style::Bold, ..body(flow) };
    let lh = line_height(flow, style.size);
    let size = CONTENTS_PICTURE_MM * MM;
    let number_w = 30.0 * MM;
    for (pic, heading, anchor) in entries {
        let column = flow.width - size - GUTTER_MM * MM - number_w;
        let wrapped = wrap_checked(flow, &wordwrap::words(&[heading]), style, column);
        let height = wrapped.height(lh).max(size);
        flow.ensure(height);
        let (x, top) = (flow.left, flow.y);
        let rtl = flow.rtl;
        decoration(flow, &pic, if rtl { x + flow.width - size } else { x }, top, size);
        let entry = flow.open(Role::TOCI, toc);
        let reference = flow.open(Role::Reference, entry);
        let link = flow.open(Role::Link, reference);
        let text_top = top + ((size - wrapped.height(lh)) / 2.0).max(0.0);
        let words_x = if rtl { x + number_w } else { x + size + GUTTER_MM * MM };
        wordwrap::draw(flow, &wrapped, style, words_x, text_top, lh, link);
        // "Page 3" on the right (on the left, right to left), a Span of the link that reads as
        // what it is.
        let number = format!("Page {}", page_of.get(&anchor).copied().unwrap_or(0));
        let part = flow.open(Role::Span, link);
        flow.tree[part].alt = Some(number.to_lowercase());
        flow.tree[part].lang = site_lang.map(str::to_string);
        let page = flow.pages.len() - 1;
        if rtl {
            flow.text_at(page, &format!("{number} "), body(flow), x, text_top, false, Tag::Elem(part));
        } else {
            let right = flow.left + flow.width;
            flow.text_at(page, &format!(" {number}"), body(flow), right, text_top, true, Tag::Elem(part));
        }
        flow.push(Item::Link {
            x,
            y: top,
            w: flow.width,
            h: height,
            dest: crate::pdf::layout::Dest::Anchor(anchor),
            tag: Tag::Elem(link),
        });
        flow.y = top + height + ROW_GAP_MM * MM * 0.6;
    }
}

/// A picture in a `size` square as decoration (an artifact): the words beside it say it all.
fn decoration(flow: &mut Flow<'_, '_, '_>, pic: &Picture, x: f32, y: f32, size: f32) {
    let start = flow.tree.len();
    let kids = flow.tree[0].kids.len();
    let page = flow.pages.len() - 1;
    let first_item = flow.pages[page].items.len();
    picture(flow, pic, x, y, size, 0);
    // Drawn as a Figure, then made furniture: its items become artifacts and the Figure goes.
    for item in flow.pages[page].items.iter_mut().skip(first_item) {
        set_artifact(item);
    }
    flow.tree.truncate(start);
    flow.tree[0].kids.truncate(kids);
}

fn set_artifact(item: &mut Item) {
    match item {
        Item::Text { tag, .. }
        | Item::Rule { tag, .. }
        | Item::Rect { tag, .. }
        | Item::Image { tag, .. }
        | Item::Path { tag, .. }
        | Item::Link { tag, .. } => *tag = Tag::Artifact,
    }
}

/// A visible notice on the cover of an easy-read document overdue for review: a warning picture
/// beside short sentences, on a tinted panel with a red edge.
fn overdue_notice(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, parent: usize) {
    let palette = flow.settings.palette;
    let style = TextStyle { style: Style::Bold, ..body(flow) };
    let message = format!(
        "This may be out of date. It should have been checked by {}. Please ask a member of staff.",
        view.review_date.long()
    );
    let (pad, bar, icon) = (4.0 * MM, 2.5 * MM, 14.0 * MM);
    let inner = flow.width - 2.0 * pad - bar - icon - 4.0 * MM;
    let wrapped = wrap_checked(flow, &wordwrap::words(&[Inline::Text(message)]), style, inner);
    let lh = line_height(flow, style.size);
    let height = wrapped.height(lh).max(icon) + 2.0 * pad;
    let (x, y, w) = (flow.left, flow.y, flow.width);
    flow.push(Item::Rect { x, y, w, h: height, fill: Some(palette.warning_shade), stroke: None, tag: Tag::Artifact });
    flow.push(Item::Rect { x, y, w: bar, h: height, fill: Some(palette.warning), stroke: None, tag: Tag::Artifact });
    // The words say it all: the warning picture is decoration.
    if let Some(picture) = (flow.icons)("warning") {
        let scale = icon / picture.width.max(picture.height).max(0.01);
        let color = palette.warning;
        let (ix, iy) = (x + bar + pad, y + (height - icon) / 2.0);
        flow.push(Item::Path { x: ix, y: iy, scale, stroke_scale: 1.0, color, picture, tag: Tag::Artifact });
    }
    let p = flow.open(Role::P, parent);
    let text_top = y + (height - wrapped.height(lh)) / 2.0;
    wordwrap::draw(flow, &wrapped, style, x + bar + pad + icon + 4.0 * MM, text_top, lh, p);
    flow.y = y + height + 10.0 * MM;
}

/// Draws a picture in a `size` square at (x, y) as a `Figure` with its alternative text.
fn picture(flow: &mut Flow<'_, '_, '_>, pic: &Picture, x: f32, y: f32, size: f32, parent: usize) {
    let figure = flow.open(Role::Figure, parent);
    flow.tree[figure].alt = Some(pic.alt(flow.describe_icon));
    let tag = Tag::Elem(figure);
    // The tinted square is part of the picture: every picture fills the same square, whatever
    // the shape of the icon or photo inside it.
    flow.push(Item::Rect { x, y, w: size, h: size, fill: Some(TINT), stroke: None, tag });
    match pic {
        Picture::Icon(name) => {
            let color = flow.settings.palette.accent;
            match (flow.icons)(name) {
                Some(picture) => {
                    // A line icon drawn in the accent colour keeps a margin inside its square; a
                    // colour picture (OpenMoji) has its own margin drawn in, so it fills the square.
                    let line_icon = picture.shapes.iter().any(|s| {
                        s.fill.is_some_and(|f| f.paint == Paint::Current)
                            || s.stroke.as_ref().is_some_and(|st| st.paint == Paint::Current)
                    });
                    let inset = size * if line_icon { 0.14 } else { 0.02 };
                    let inner = size - 2.0 * inset;
                    let scale = inner / picture.width.max(picture.height).max(0.01);
                    // Tabler's 2-unit stroke looks heavy at this size; 1.75 keeps it open.
                    let stroke_scale = if line_icon { 0.875 } else { 1.0 };
                    flow.push(Item::Path { x: x + inset, y: y + inset, scale, stroke_scale, color, picture, tag });
                }
                None => {
                    let inset = size * 0.14;
                    let inner = size - 2.0 * inset;
                    flow.push(Item::Rect {
                        x: x + inset,
                        y: y + inset,
                        w: inner,
                        h: inner,
                        fill: None,
                        stroke: Some((color, 2.0)),
                        tag,
                    });
                }
            }
        }
        Picture::Image { path, .. } => {
            let size_px = flow.images.get(path).and_then(|bytes| image_size(bytes));
            match size_px {
                Some((w, h)) => {
                    // Scaled to fit the square, centred in it, never stretched.
                    let (w, h) = (w as f32, h as f32);
                    let scale = (size / w).min(size / h);
                    let (dw, dh) = (w * scale, h * scale);
                    let (dx, dy) = ((size - dw) / 2.0, (size - dh) / 2.0);
                    flow.push(Item::Image { x: x + dx, y: y + dy, w: dw, h: dh, path: path.clone(), tag });
                }
                None => {
                    flow.problems.push(LayoutProblem {
                        line: flow.line,
                        error: true,
                        message: format!("the picture `{path}` is missing or not a PNG or JPEG file, so the easy-read PDF cannot show it"),
                        hint: "put a PNG or JPEG file under `content/` or fix the path".to_string(),
                    });
                    let stroke = Some((flow.settings.palette.rule, 1.0));
                    flow.push(Item::Rect { x, y, w: size, h: size, fill: None, stroke, tag });
                }
            }
        }
    }
}

/// A row's words wrapped for the column beside the picture, and the row's height.
fn measure_row(flow: &mut Flow<'_, '_, '_>, words: &[Word]) -> (wordwrap::Wrapped, f32) {
    let wrapped = wrap_checked(flow, words, body(flow), row_column(flow));
    let height = row_height(flow, &wrapped);
    (wrapped, height)
}

/// The width of a row's words, beside its picture.
fn row_column(flow: &Flow<'_, '_, '_>) -> f32 {
    flow.width - PICTURE_MM * MM - GUTTER_MM * MM
}

/// The height of a row holding `wrapped`: its lines, or its picture when that is taller.
fn row_height(flow: &Flow<'_, '_, '_>, wrapped: &wordwrap::Wrapped) -> f32 {
    wrapped.height(line_height(flow, body(flow).size)).max(PICTURE_MM * MM)
}

/// One row, kept whole on one page: the picture on the left, the words beside it.
fn row(flow: &mut Flow<'_, '_, '_>, pic: &Picture, words: &[Word], line: usize, parent: usize) {
    flow.line = line;
    let (wrapped, height) = measure_row(flow, words);
    place_row(flow, pic, &wrapped, height, line, parent);
}

fn place_row(
    flow: &mut Flow<'_, '_, '_>,
    pic: &Picture,
    wrapped: &wordwrap::Wrapped,
    height: f32,
    line: usize,
    parent: usize,
) {
    let size = PICTURE_MM * MM;
    if height > flow.bottom() - flow.top() {
        flow.problems.push(LayoutProblem {
            line,
            error: true,
            message: "this easy-read row is too long to fit on one page, and rows are never split".to_string(),
            hint: "one idea per row: split it into several rows, each with its own picture".to_string(),
        });
    }
    flow.ensure(height);
    let (x, top) = (flow.left, flow.y);
    // A right-to-left document has its pictures on the right, the words to their left.
    let picture_x = if flow.rtl { x + flow.width - size } else { x };
    picture(flow, pic, picture_x, top, size, parent);
    let style = body(flow);
    let lh = line_height(flow, style.size);
    let text_h = wrapped.height(lh);
    // Short words sit level with the middle of the picture; longer ones start at its top.
    let text_top = top + ((size - text_h) / 2.0).max(0.0);
    let p = flow.open(Role::P, parent);
    let words_x = if flow.rtl { x } else { x + size + GUTTER_MM * MM };
    wordwrap::draw(flow, wrapped, style, words_x, text_top, lh, p);
    flow.y = top + height + ROW_GAP_MM * MM;
}

/// A section heading (bold, NHS blue, ruled), kept with `follow` points of what comes next.
/// Returns the heading's structure element.
/// Space above a section heading (none at the top of a page).
const HEADING_SPACE_MM: f32 = 6.0;

fn heading_style(flow: &Flow<'_, '_, '_>) -> TextStyle {
    TextStyle { style: Style::Bold, size: flow.settings.type_scale.heading(2), color: flow.settings.palette.accent }
}

fn heading_words(text: &str) -> Vec<Word> {
    wordwrap::words(&[Inline::Text(text.to_string())])
}

/// A section heading's lines and the rule under them.
fn heading_block_height(flow: &Flow<'_, '_, '_>, wrapped: &wordwrap::Wrapped) -> f32 {
    wrapped.height(heading_style(flow).size * 1.25) + 4.0 * MM
}

fn section_heading(flow: &mut Flow<'_, '_, '_>, text: &str, anchor: &str, follow: f32, parent: usize) -> usize {
    let style = heading_style(flow);
    let size = style.size;
    let width = flow.width;
    let wrapped = wrap_checked(flow, &heading_words(text), style, width);
    let lh = size * 1.25;
    let height = heading_block_height(flow, &wrapped);
    flow.space(HEADING_SPACE_MM * MM);
    // A section starts a new page when its heading and first row do not fit on this one.
    flow.ensure(height + follow);
    let h2 = flow.open(Role::H(2), parent);
    let page = flow.pages.len() - 1;
    flow.anchors.insert(anchor.to_string(), (page, flow.y));
    flow.outline.push(OutlineEntry { level: 2, title: text.to_string(), anchor: anchor.to_string() });
    let (x, top) = (flow.left, flow.y);
    let used = wordwrap::draw(flow, &wrapped, style, x, top, lh, h2);
    let y = top + used + 1.5 * MM;
    let (x1, x2) = (flow.left, flow.left + flow.width);
    let color = flow.settings.palette.accent;
    flow.push(Item::Rule { x1, y1: y, x2, y2: y, width: 1.5, color, tag: Tag::Artifact });
    flow.y = top + height;
    h2
}

fn section_rows(flow: &mut Flow<'_, '_, '_>, section: &crate::audience::easy_read::Section) {
    let sect = flow.open(Role::Sect, 0);
    let rows: Vec<(&Row, Vec<Word>)> = section.rows.iter().map(|r| (r, wordwrap::words(&r.words))).collect();
    if let Some((text, anchor)) = &section.heading {
        let follow = match rows.first() {
            Some((r, words)) => {
                flow.line = r.line;
                measure_row(flow, words).1
            }
            None => 0.0,
        };
        section_heading(flow, text, anchor, follow, sect);
    }
    for (r, words) in &rows {
        row(flow, &r.picture, words, r.line, sect);
    }
}

/// "Words to know": each hard word beside the picture of the row that first uses it (as
/// decoration: the word says it), in bold, its meaning below it; an entry is never split.
fn words_to_know(flow: &mut Flow<'_, '_, '_>, doc: &EasyReadDoc, site_lang: Option<&str>) {
    if doc.words_to_know.is_empty() {
        return;
    }
    let palette = flow.settings.palette;
    let style = body(flow);
    let lh = line_height(flow, style.size);
    let word_style = TextStyle { style: Style::Bold, size: 18.0, color: palette.text };
    let size = PICTURE_MM * MM;
    let indent = size + GUTTER_MM * MM;
    let width = flow.width - indent;
    let entries: Vec<(wordwrap::Wrapped, wordwrap::Wrapped)> = doc
        .words_to_know
        .iter()
        .map(|w| {
            let word = wrap_checked(flow, &wordwrap::words(&[Inline::Text(w.word.clone())]), word_style, width);
            let meaning = wrap_checked(flow, &wordwrap::words(&[Inline::Text(w.meaning.clone())]), style, width);
            (word, meaning)
        })
        .collect();
    let entry_height =
        |(w, e): &(wordwrap::Wrapped, wordwrap::Wrapped)| (w.height(18.0 * 1.4) + e.height(lh)).max(size);
    let sect = flow.open(Role::Sect, 0);
    let first = entries.first().map_or(0.0, entry_height);
    let heading = section_heading(flow, "Words to know", WORDS_ANCHOR, first, sect);
    flow.tree[heading].lang = site_lang.map(str::to_string);
    let list = flow.open(Role::L, sect);
    for (entry, word) in entries.iter().zip(&doc.words_to_know) {
        let height = entry_height(entry);
        flow.ensure(height);
        let (x, top) = (flow.left, flow.y);
        // Right to left, the picture is on the right and the words end beside it.
        let (picture_x, words_x) = if flow.rtl { (x + flow.width - size, x) } else { (x, x + indent) };
        decoration(flow, &word.picture, picture_x, top, size);
        let text_h = entry.0.height(18.0 * 1.4) + entry.1.height(lh);
        let text_top = top + ((size - text_h) / 2.0).max(0.0);
        let li = flow.open(Role::LI, list);
        let lbl = flow.open(Role::Lbl, li);
        let used = wordwrap::draw(flow, &entry.0, word_style, words_x, text_top, 18.0 * 1.4, lbl);
        let lbody = flow.open(Role::LBody, li);
        wordwrap::draw(flow, &entry.1, style, words_x, text_top + used, lh, lbody);
        flow.y = top + height + ROW_GAP_MM * MM;
    }
}

/// "Contact us" and the governance details, on a page of their own unless they fit whole in
/// what is left of the last page (the easy read is printed single-sided, so a page holding one
/// word of "Words to know" before a back page is a wasted sheet).
fn back_page(flow: &mut Flow<'_, '_, '_>, project: &Project, view: &AudienceView) {
    let config = &project.config;
    let contact = patient_facing::contact_of(config, view);
    let name = patient_facing::contact_name(config, contact).to_string();
    let mut rows: Vec<(Picture, Vec<Word>)> = vec![(
        Picture::Icon("person-raising-hand".to_string()),
        wordwrap::words(&[Inline::Text(format!("If you have questions, you can contact {name}."))]),
    )];
    if let Some(phone) = &contact.phone {
        rows.push((
            Picture::Icon("telephone".to_string()),
            wordwrap::words(&[Inline::Text(format!("Phone: {phone}"))]),
        ));
    }
    if let Some(email) = &contact.email {
        let mut words = wordwrap::words(&[Inline::Text("Email:".to_string())]);
        words.extend(wordwrap::address_words(email, false, true));
        rows.push((Picture::Icon("email-envelope".to_string()), words));
    }
    if let Some(url) = patient_facing::easy_read_url(config, view) {
        let short = patient_facing::printed_address(&url);
        let mut words = wordwrap::words(&[Inline::Text("You can read this on our website:".to_string())]);
        words.extend(wordwrap::address_words(&short, false, true));
        rows.push((Picture::Icon("globe".to_string()), words));
    }
    let line = view.blocks.last().map_or(1, |b| b.line);
    flow.line = line;
    let governance = governance_lines(project, view);
    let palette = flow.settings.palette;
    let small = TextStyle { style: Style::Regular, size: flow.settings.type_scale.small, color: palette.muted };
    let lh = small.size * 1.5;
    let width = flow.width;
    let wrapped: Vec<wordwrap::Wrapped> = governance
        .iter()
        .map(|l| wrap_checked(flow, &wordwrap::words(&[Inline::Text(l.clone())]), small, width))
        .collect();
    let governance_height: f32 = wrapped.iter().map(|w| w.height(lh)).sum::<f32>() + 4.0 * MM;
    // Measured without reporting their words: they are reported when laid out.
    let rows_height: f32 = rows
        .iter()
        .map(|(_, words)| {
            let wrapped = wordwrap::wrap(flow.fonts, words, body(flow), row_column(flow));
            row_height(flow, &wrapped) + ROW_GAP_MM * MM
        })
        .sum();
    let heading = wordwrap::wrap(flow.fonts, &heading_words("Contact us"), heading_style(flow), width);
    let heading_height = HEADING_SPACE_MM * MM + heading_block_height(flow, &heading);
    if flow.y + heading_height + rows_height + governance_height > flow.bottom() {
        flow.new_page();
    }
    let sect = flow.open(Role::Sect, 0);
    let first = measure_row(flow, &rows[0].1).1;
    section_heading(flow, "Contact us", CONTACT_ANCHOR, first, sect);
    for (pic, words) in &rows {
        row(flow, pic, words, line, sect);
    }

    // Governance details at the foot of the page.
    flow.ensure(governance_height);
    let top = (flow.bottom() - governance_height).max(flow.y);
    let (x1, x2) = (flow.left, flow.left + flow.width);
    flow.push(Item::Rule { x1, y1: top, x2, y2: top, width: 0.75, color: palette.rule, tag: Tag::Artifact });
    let mut y = top + 4.0 * MM;
    let x = flow.left;
    for w in &wrapped {
        let p = flow.open(Role::P, sect);
        y += wordwrap::draw(flow, w, small, x, y, lh, p);
    }
    flow.y = y;
}

/// Who made the easy read, its reference, version and review dates, and the pictures' credit.
fn governance_lines(project: &Project, view: &AudienceView) -> Vec<String> {
    let config = &project.config;
    let mut lines = vec![format!("Made by {}.", config.organisation)];
    let mut version = String::new();
    if let Some(reference) = &view.reference {
        version.push_str(&format!("Reference: {reference}. "));
    }
    version.push_str(&format!("Version {}.", view.version));
    lines.push(version);
    if let Some(reviewed) = view.last_reviewed {
        lines.push(format!("Last reviewed: {}.", reviewed.month_year()));
    }
    lines.push(match view.review_status {
        ReviewStatus::Overdue => {
            format!("Next review due: {}. This is overdue for review.", view.review_date.month_year())
        }
        _ => format!("Next review due: {}.", view.review_date.month_year()),
    });
    if view.draft {
        lines.push("DRAFT: not approved for use.".to_string());
    }
    // The pictures' licence asks for a credit (the front and contact rows always use them).
    let mut names = crate::audience::pictures::icons_in(&view.blocks);
    names.extend(BUILT_IN_PICTURES.iter().map(|n| n.to_string()));
    if let Some(credit) = project.theme.credit_for(names.iter().map(String::as_str)) {
        lines.push(format!("{credit}."));
    }
    lines
}

/// The easy-read title and "Page X of Y" in the footer of every page but the cover, as
/// artifacts (the title says which document a loose page belongs to).
fn furniture(flow: &mut Flow<'_, '_, '_>, title: &str) {
    let page = flow.settings.page;
    let palette = flow.settings.palette;
    let style = TextStyle { style: Style::Regular, size: flow.settings.type_scale.small, color: palette.muted };
    let total = flow.pages.len();
    let left = page.margin_left;
    let right = page.width - page.margin_right;
    let rule_y = page.height - page.margin_bottom + 8.0 * MM;
    let text_top = rule_y + 2.0 * MM;
    for index in 0..total {
        if index == 0 {
            continue;
        }
        flow.target_page = Some(index);
        flow.push(Item::Rule {
            x1: left,
            y1: rule_y,
            x2: right,
            y2: rule_y,
            width: 0.75,
            color: palette.rule,
            tag: Tag::Artifact,
        });
        flow.target_page = None;
        let number = format!("Page {} of {}", index + 1, total);
        // Room for the title beside the page number; a title too long for it ends at a word
        // with an ellipsis (easy read never breaks a word).
        let room =
            (page.text_width() - style.size * 0.55 * number.chars().count() as f32 - 12.0 * MM) / (style.size * 0.55);
        flow.text_at(index, &shorten_at_word(title, room as usize), style, left, text_top, false, Tag::Artifact);
        flow.text_at(index, &number, style, right, text_top, true, Tag::Artifact);
    }
}

/// `text` cut after its last whole word within `max` characters, with an ellipsis.
fn shorten_at_word(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    format!("{out}…")
}

/// Renders the easy-read PDF of one policy.
pub fn render_easy_read_pdf(project: &Project, view: &AudienceView, doc: &EasyReadDoc) -> Result<RenderedPdf, String> {
    fonts::with_fonts(&project.theme, |fonts: &mut FontSet<'_>| {
        let layout = layout_easy_read(project, view, doc, fonts);
        let info = writer::DocInfo {
            title: doc.title.clone(),
            author: project.config.organisation.clone(),
            subject: format!("Easy read version of {}", view.policy_title),
            date_unix: view.document_date.unix_seconds(),
        };
        let bytes = publish::write_pdf(project, view, &layout, fonts, &info, "easy-read")?;
        Ok(RenderedPdf { pages: layout.pages.len(), bytes, problems: layout.problems, missing: layout.missing })
    })
    .map_err(|e| e.0)?
}

/// The easy-read PDFs of the documents `render_library` built, rendered in parallel; problems
/// are reported in library order.
/// [`easy_read_pdfs_gathering`] reporting its own characters no font has.
pub fn easy_read_pdfs(
    project: &Project,
    docs: &[(&AudienceView, EasyReadDoc)],
    diags: &mut Diagnostics,
) -> Vec<Artifact> {
    let mut gaps = publish::GlyphGaps::default();
    let out = easy_read_pdfs_gathering(project, docs, diags, &mut gaps);
    gaps.report(diags);
    out
}

/// The same, gathering the characters no font has in `gaps` (reported once for all PDFs).
pub fn easy_read_pdfs_gathering(
    project: &Project,
    docs: &[(&AudienceView, EasyReadDoc)],
    diags: &mut Diagnostics,
    gaps: &mut publish::GlyphGaps,
) -> Vec<Artifact> {
    let rendered: Vec<(&AudienceView, Result<RenderedPdf, String>)> =
        docs.par_iter().map(|(view, doc)| (*view, render_easy_read_pdf(project, view, doc))).collect();
    let mut out = Vec::with_capacity(rendered.len());
    for (view, result) in rendered {
        match result {
            Ok(pdf) => {
                publish::report(diags, view, &pdf.problems);
                gaps.add(view, &pdf.missing);
                out.push(Artifact::new(&format!("{}/{}.pdf", Audience::EasyRead.name(), view.stem()), pdf.bytes));
            }
            Err(message) => {
                diags.error(crate::diag::Location::file_start(&view.source), message).hint("check the theme's fonts");
            }
        }
    }
    out
}
