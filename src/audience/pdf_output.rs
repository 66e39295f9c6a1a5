//! What every audience's PDF shares around the engine: the site facts a PDF prints and links
//! with, writing a finished layout (writer, then the tagging pass) with a document id drawn from
//! its content, and reporting layout problems as located diagnostics.
//!
//! Makes no layout decisions and reads nothing from disk or the clock.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::audience::patient_facing::{LanguageLink, TranslationNotice, ask_for_language_lines, language_links};
use crate::audience::pictures::Logo;
use crate::diag::{Diagnostics, Location};
use crate::load::Project;
use crate::load::config::SiteConfig;
use crate::model::languages;
use crate::model::{Audience, Inline, LinkTarget};
use crate::pdf::fonts::{FontSet, Style};
use std::sync::Arc;

use crate::pdf::layout::{Dest, Flow, Item, PathCmd, Role, Tag, TextStyle};
use crate::pdf::layout::{Layout, LayoutProblem};
use crate::pdf::settings::Rgb;
use crate::pdf::svg::{Paint, Shape, Stroke, VectorPicture};
use crate::pdf::{tagging, writer};
use crate::resolve::AudienceView;

/// Set once by `check`, which needs the PDFs' layout problems and page counts but not the files:
/// the PDFs are then laid out and not written, tagged or compressed (their bytes are empty).
static LAYOUT_ONLY: AtomicBool = AtomicBool::new(false);

/// Makes every PDF of this process be laid out only (see [`layout_only`]). For `check`, which
/// runs once per process: a build never calls it.
pub fn set_layout_only() {
    LAYOUT_ONLY.store(true, Ordering::Relaxed);
}

/// True when PDFs are laid out but not written (`check`).
pub fn layout_only() -> bool {
    LAYOUT_ONLY.load(Ordering::Relaxed)
}

/// The colour of the DRAFT mark: a pale red, so the words printed over it keep their contrast
/// (body text on it is above 9:1) while nobody can take the page for a final one.
const DRAFT_MARK: Rgb = Rgb(0xF6C9C4);

/// The word DRAFT in block capitals as strokes, one unit tall, each letter's strokes in order:
/// drawn by the engine like any vector picture, so it is no text at all (nothing to select,
/// copy or read out).
fn draft_letters() -> Vec<Vec<PathCmd>> {
    use PathCmd::{Cubic, Line, Move};
    let advance = 0.88;
    let letters: [Vec<PathCmd>; 5] = [
        // D
        vec![
            Move(0.0, 0.0),
            Line(0.0, 1.0),
            Line(0.28, 1.0),
            Cubic(0.58, 1.0, 0.7, 0.8, 0.7, 0.5),
            Cubic(0.7, 0.2, 0.58, 0.0, 0.28, 0.0),
            PathCmd::Close,
        ],
        // R
        vec![
            Move(0.0, 1.0),
            Line(0.0, 0.0),
            Line(0.36, 0.0),
            Cubic(0.6, 0.0, 0.68, 0.13, 0.68, 0.27),
            Cubic(0.68, 0.41, 0.6, 0.54, 0.36, 0.54),
            Line(0.0, 0.54),
            Move(0.34, 0.54),
            Line(0.7, 1.0),
        ],
        // A
        vec![Move(0.0, 1.0), Line(0.35, 0.0), Line(0.7, 1.0), Move(0.13, 0.64), Line(0.57, 0.64)],
        // F
        vec![Move(0.64, 0.0), Line(0.0, 0.0), Line(0.0, 1.0), Move(0.0, 0.5), Line(0.52, 0.5)],
        // T
        vec![Move(0.0, 0.0), Line(0.7, 0.0), Move(0.35, 0.0), Line(0.35, 1.0)],
    ];
    letters
        .into_iter()
        .enumerate()
        .map(|(n, strokes)| {
            let dx = n as f32 * advance;
            strokes
                .into_iter()
                .map(|cmd| match cmd {
                    Move(x, y) => Move(x + dx, y),
                    Line(x, y) => Line(x + dx, y),
                    Cubic(a, b, c, d, e, f) => Cubic(a + dx, b, c + dx, d, e + dx, f),
                    PathCmd::Close => PathCmd::Close,
                })
                .collect()
        })
        .collect()
}

/// The DRAFT mark for a page `width` by `height`: the word from the lower left corner towards
/// the upper right, about three fifths of the diagonal long, clear of the edges, as a picture in page points.
pub fn draft_mark(width: f32, height: f32) -> (f32, f32, VectorPicture) {
    let word_w = 4.0 * 0.88 + 0.7;
    let diagonal = (width * width + height * height).sqrt();
    let size = diagonal * 0.58 / word_w;
    // Up to the right: y grows downwards, so the angle is negative.
    let angle = -(height / width).atan();
    let (sin, cos) = angle.sin_cos();
    let (cx, cy) = (word_w / 2.0, 0.5);
    let turn = |x: f32, y: f32| -> (f32, f32) {
        let (px, py) = ((x - cx) * size, (y - cy) * size);
        (px * cos - py * sin, px * sin + py * cos)
    };
    let mut shapes = Vec::new();
    for letter in draft_letters() {
        let outline = letter
            .into_iter()
            .map(|cmd| match cmd {
                PathCmd::Move(x, y) => {
                    let (x, y) = turn(x, y);
                    PathCmd::Move(x, y)
                }
                PathCmd::Line(x, y) => {
                    let (x, y) = turn(x, y);
                    PathCmd::Line(x, y)
                }
                PathCmd::Cubic(a, b, c, d, e, f) => {
                    let ((a, b), (c, d), (e, f)) = (turn(a, b), turn(c, d), turn(e, f));
                    PathCmd::Cubic(a, b, c, d, e, f)
                }
                PathCmd::Close => PathCmd::Close,
            })
            .collect();
        let stroke =
            Stroke { paint: Paint::Current, width: size * 0.12, cap: 1, join: 1, miter_limit: 4.0, dash: None };
        shapes.push(Shape { outline, fill: None, stroke: Some(stroke) });
    }
    // The shapes are centred on (0, 0): placed at the page's centre.
    let picture = VectorPicture { width: 0.0, height: 0.0, shapes };
    (width / 2.0, height / 2.0, picture)
}

/// Marks every page of a draft's PDF with a large diagonal DRAFT beneath its content, as an
/// artifact: a printed draft cannot pass as final, and screen readers do not read it (the
/// cover or small print says "DRAFT: not approved for use" in words).
pub fn mark_draft_pages(flow: &mut Flow<'_, '_, '_>) {
    let page = flow.settings.page;
    let (x, y, picture) = draft_mark(page.width, page.height);
    let picture = Arc::new(picture);
    for index in 0..flow.pages.len() {
        let mark = Item::Path {
            x,
            y,
            scale: 1.0,
            stroke_scale: 1.0,
            color: DRAFT_MARK,
            picture: picture.clone(),
            tag: Tag::Artifact,
        };
        flow.underlay(index, mark);
    }
}

/// A rendered PDF and the problems found while making it.
#[derive(Debug, Clone)]
pub struct RenderedPdf {
    /// The file.
    pub bytes: Vec<u8>,
    /// Problems, located by source line.
    pub problems: Vec<LayoutProblem>,
    /// Number of pages.
    pub pages: usize,
    /// Characters no font has, with the first line each is on.
    pub missing: BTreeMap<char, usize>,
}

/// Site facts the staff PDF prints or links with.
#[derive(Debug, Clone)]
pub struct Site {
    /// Organisation name.
    pub organisation: String,
    /// Absolute address of the site, when known (links to other policies become absolute).
    pub base_url: Option<String>,
    /// The Trust's logo, for covers.
    pub logo: Option<Logo>,
    /// The credit line the document's pictures' licence asks for, if any (set per document).
    pub credit: Option<&'static str>,
}

impl Site {
    /// The address of a policy's page in the staff library, the live copy a printed staff PDF
    /// points back to; `None` without `base-url`.
    pub fn live_page(&self, id: &str) -> Option<String> {
        let base = self.base_url.as_ref()?;
        Some(format!("{}/{}/{id}.html", base.trim_end_matches('/'), Audience::Staff.name()))
    }

    /// Where a link to another policy's staff PDF points.
    pub fn policy_pdf(&self, id: &str) -> String {
        let audience = Audience::Staff.name();
        match &self.base_url {
            Some(base) => format!("{}/{audience}/{id}.pdf", base.trim_end_matches('/')),
            None => format!("{id}.pdf"),
        }
    }

    /// A model link target as a PDF destination.
    pub fn dest(&self, target: &LinkTarget) -> Dest {
        match target {
            LinkTarget::External(url) => Dest::Uri(url.clone()),
            LinkTarget::Section(anchor) => Dest::Anchor(anchor.clone()),
            LinkTarget::Policy { id, .. } => Dest::Uri(self.policy_pdf(id)),
        }
    }
}

/// The site facts a PDF needs from the project settings.
pub fn site_of(project: &Project) -> Site {
    Site {
        organisation: project.config.organisation.clone(),
        base_url: project.config.base_url.clone(),
        logo: Logo::of(project),
        credit: None,
    }
}

/// A document id from the content: same sources, same id; different content, different id.
pub(crate) fn id_seed(view: &AudienceView, layout: &Layout) -> u64 {
    // One round of FNV-1a, taking a byte or (for glyph ids) a whole u16.
    let round = |hash: u64, value: u64| (hash ^ value).wrapping_mul(0x0100_0000_01b3);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let feed = |hash: &mut u64, bytes: &[u8]| {
        for b in bytes {
            *hash = round(*hash, u64::from(*b));
        }
    };
    feed(&mut hash, view.id.as_bytes());
    feed(&mut hash, view.version.as_bytes());
    feed(&mut hash, view.title.as_bytes());
    feed(&mut hash, view.review_date.to_string().as_bytes());
    for page in &layout.pages {
        feed(&mut hash, &(page.items.len() as u64).to_le_bytes());
        for item in &page.items {
            if let Item::Text { run, .. } = item {
                // Four glyph ids to a round, a rotation before each so every id reaches the low
                // bits too: one multiplication waits for the last, and a round per glyph made
                // this hash over every glyph of a document a seventieth of a library build.
                for four in run.glyphs.chunks(4) {
                    let value = four.iter().fold(0u64, |v, g| (v << 16) | u64::from(g.gid));
                    hash = round(hash.rotate_left(23), value);
                }
            }
        }
    }
    hash
}

/// Writes `layout` as a tagged PDF. `kind` names the output (e.g. `poster-a4`), so the
/// documents made from one policy get different ids.
pub fn write_pdf(
    project: &Project,
    view: &AudienceView,
    layout: &Layout,
    fonts: &FontSet<'_>,
    info: &writer::DocInfo,
    kind: &str,
) -> Result<Vec<u8>, String> {
    if layout_only() {
        return Ok(Vec::new());
    }
    let subsets = fonts.subsets();
    let written = writer::write(layout, &subsets, &project.pictures, info);
    let lang = view.lang.as_deref().unwrap_or(&project.config.language);
    let tag_info = tagging::TagInfo { lang, id_seed: kind_id_seed(view, layout, kind) };
    let bytes = tagging::finish(written, layout, &tag_info);
    if bytes.is_empty() {
        return Err(format!("the {kind} PDF for `{}` could not be written", view.id));
    }
    Ok(bytes)
}

/// A document id from the content: same sources, same id.
/// The document id seed: the content's (as for staff PDFs), mixed with the kind of document, so
/// a policy's easy-read PDF and its posters never share an id.
fn kind_id_seed(view: &AudienceView, layout: &Layout, kind: &str) -> u64 {
    let kind_hash =
        kind.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    id_seed(view, layout) ^ kind_hash
}

/// Sets a flow up for a view's language: the fonts shape in it, and a right-to-left language
/// sets the document right to left. True for a translation (then what the design prints in the
/// site's language should say so, with [`mark_site_language`]).
pub fn start_in_language(flow: &mut Flow<'_, '_, '_>, config: &SiteConfig, view: &AudienceView) -> bool {
    let lang = view.lang.as_deref().unwrap_or(&config.language);
    flow.fonts.set_language(lang);
    flow.rtl = languages::is_rtl(lang);
    view.lang.is_some()
}

/// Marks the sections made from element `from` on (the top-level ones: a back page) as being
/// in the site's language, for a translation whose furniture is not translated.
pub fn mark_site_language(flow: &mut Flow<'_, '_, '_>, config: &SiteConfig, from: usize) {
    for index in from..flow.tree.len() {
        if flow.tree[index].parent == Some(0) {
            flow.tree[index].lang = Some(config.language.clone());
        }
    }
}

/// Lays out what a design prints in the site's language (a back page, notes pages) with
/// `lay_out`: on a translation (`translated`) it is set in the site language's direction and
/// its sections marked with that language.
pub fn in_site_language<'a, 'b, 'c>(
    flow: &mut Flow<'a, 'b, 'c>,
    config: &SiteConfig,
    translated: bool,
    lay_out: impl FnOnce(&mut Flow<'a, 'b, 'c>),
) {
    let (rtl, first_element) = (flow.rtl, flow.tree.len());
    if translated {
        flow.rtl = languages::is_rtl(&config.language);
    }
    lay_out(flow);
    if translated {
        mark_site_language(flow, config, first_element);
    }
    flow.rtl = rtl;
}

/// The out-of-date notice of a translation: a tinted panel with a red edge, the notice in the
/// translation's language (when there is wording for it) and in the site's, each a paragraph
/// with its own language.
pub fn translation_notice(flow: &mut Flow<'_, '_, '_>, notice: &TranslationNotice, parent: usize) {
    let palette = flow.settings.palette;
    let style = TextStyle { style: Style::Bold, size: flow.settings.type_scale.body, color: palette.text };
    let (pad, bar) = (8.0, 4.0);
    let inner = flow.width - 2.0 * pad - bar;
    let own = notice.own.as_ref().map(|t| vec![Inline::Span { lang: notice.own_lang.clone(), content: text(t) }]);
    let site = vec![Inline::Span { lang: notice.site_lang.clone(), content: text(&notice.site) }];
    let gap = style.size * 0.4;
    let own_h = own.as_ref().map_or(0.0, |o| flow.measure(o, style, inner) + gap);
    let height = own_h + flow.measure(&site, style, inner) + 2.0 * pad;
    flow.ensure(height);
    let (x, y, w) = (flow.left, flow.y, flow.width);
    flow.push(Item::Rect { x, y, w, h: height, fill: Some(palette.warning_shade), stroke: None, tag: Tag::Artifact });
    let bar_x = if flow.rtl { x + w - bar } else { x };
    flow.push(Item::Rect {
        x: bar_x,
        y,
        w: bar,
        h: height,
        fill: Some(palette.warning),
        stroke: None,
        tag: Tag::Artifact,
    });
    let text_x = if flow.rtl { x + pad } else { x + bar + pad };
    let mut top = y + pad;
    for words in own.iter().chain(std::iter::once(&site)) {
        let p = flow.open(Role::P, parent);
        top += flow.text_box(words, style, text_x, top, inner, p) + gap;
    }
    flow.y += height + 10.0;
}

fn text(s: &str) -> Vec<Inline> {
    vec![Inline::Text(s.to_string())]
}

/// On a leaflet's back page: the languages it is also in, each name in its own language and
/// script ("Cymraeg", "العربية"), and on a leaflet in the site's language the site's chosen
/// "If you need this information in another language" lines, each in its language.
pub fn other_languages(flow: &mut Flow<'_, '_, '_>, config: &SiteConfig, view: &AudienceView, parent: usize) {
    let body = flow.body_style();
    let others: Vec<LanguageLink> = language_links(config, view).into_iter().filter(|l| !l.current).collect();
    if !others.is_empty() {
        let lead = if view.lang.is_some() {
            "This leaflet is also available in: "
        } else {
            "This leaflet is available in other languages: "
        };
        let mut words = vec![Inline::Strong(text(lead))];
        for (n, language) in others.iter().enumerate() {
            if n > 0 {
                words.push(Inline::Text(", ".to_string()));
            }
            words.push(Inline::Span { lang: language.lang.clone(), content: text(&language.name) });
        }
        words.push(Inline::Text(".".to_string()));
        let p = flow.open(Role::P, parent);
        flow.paragraph(&words, body, p);
        flow.y += body.size * 0.6;
    }
    for (lang, _, sentence) in ask_for_language_lines(config, view) {
        let p = flow.open(Role::P, parent);
        flow.paragraph(&[Inline::Span { lang, content: text(&sentence) }], body, p);
        flow.y += body.size * 0.3;
    }
}

/// How a record of [`GlyphGaps::record`] starts (a character no message starts with).
const GAP_RECORD: &str = "\u{0}characters in no font: ";

/// The characters no bundled font has, gathered over every PDF of a build: one warning per
/// policy and language, listing them all, at the first line one is on.
#[derive(Debug, Default)]
pub struct GlyphGaps(BTreeMap<(String, Option<String>), BTreeMap<char, usize>>);

impl GlyphGaps {
    /// Adds what one document's layout found.
    pub fn add(&mut self, view: &AudienceView, missing: &BTreeMap<char, usize>) {
        if missing.is_empty() {
            return;
        }
        let entry = self.0.entry((view.source.clone(), view.lang.clone())).or_default();
        for (ch, line) in missing {
            let line = entry.get(ch).map_or(*line, |l| (*l).min(*line));
            entry.insert(*ch, line);
        }
    }

    /// Keeps what was gathered among a render unit's findings (the build cache keeps them with
    /// the unit), as records [`GlyphGaps::report_records`] merges once every unit is made: one
    /// record per character, never shown as they are.
    pub fn record(self, diags: &mut Diagnostics) {
        for ((source, lang), chars) in self.0 {
            for (ch, line) in chars {
                let lang = lang.as_ref().map_or("-".to_string(), |l| format!("+{l}"));
                diags.warning(Location::new(&source, line, 1), format!("{GAP_RECORD}{lang}\u{1}{ch}"));
            }
        }
    }

    /// Takes every record of [`GlyphGaps::record`] out of `diags` and reports them: one warning
    /// per policy and language over all its PDFs, as a build without units would.
    pub fn report_records(diags: &mut Diagnostics) {
        let mut gaps = GlyphGaps::default();
        for record in diags.take_where(|d| d.message.starts_with(GAP_RECORD)) {
            let rest = &record.message[GAP_RECORD.len()..];
            let Some((lang, ch)) = rest.split_once('\u{1}') else { continue };
            let Some(ch) = ch.chars().next() else { continue };
            let lang = lang.strip_prefix('+').map(str::to_string);
            let entry = gaps.0.entry((record.location.file.clone(), lang)).or_default();
            let line = entry.get(&ch).map_or(record.location.line, |l| (*l).min(record.location.line));
            entry.insert(ch, line);
        }
        gaps.report(diags);
    }

    /// One warning per policy and language.
    pub fn report(self, diags: &mut Diagnostics) {
        for ((source, lang), chars) in self.0 {
            let line = chars.values().copied().filter(|l| *l > 0).min().unwrap_or(1);
            let list: Vec<String> = chars.keys().map(|c| format!("`{c}` (U+{:04X})", u32::from(*c))).collect();
            let what = match &lang {
                Some(lang) => format!(" of the `{lang}` translation"),
                None => String::new(),
            };
            let message = match list.as_slice() {
                [one] => {
                    format!("the character {one}{what} is in no bundled font; the PDFs show a replacement mark instead")
                }
                _ => format!(
                    "{} characters{what} are in no bundled font, so the PDFs show replacement marks instead: {}",
                    list.len(),
                    list.join(", ")
                ),
            };
            diags
                .warning(Location::new(&source, line, 1), message)
                .hint("use more common characters, or add a font that has them to the theme's `fonts/`");
        }
    }
}

/// Reports layout problems at their lines of the policy source.
pub fn report(diags: &mut Diagnostics, view: &AudienceView, problems: &[LayoutProblem]) {
    for problem in problems {
        let location = Location::new(&view.source, problem.line.max(1), 1);
        let diag = if problem.error {
            diags.error(location, problem.message.clone())
        } else {
            diags.warning(location, problem.message.clone())
        };
        diag.hint(problem.hint.clone());
    }
}
