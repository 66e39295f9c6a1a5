//! The ward poster PDFs (STANDARDS "Ward poster"): A3 and A4 portrait, one page per poster.
//! Each page has the organisation's name and the headline in white (the theme's `on-brand`,
//! its contrast with `brand` checked at every build) on an NHS Blue block with the Trust's logo
//! top right; the hero picture drawn large under it (a picture on a line of its own, else the
//! first message's pictogram; at least a third of the page width, left out with a warning only
//! when the words would not fit beside it); the messages beside pictograms twice their cap
//! height and more, so they are recognised from as far as the words are read; a visible notice
//! when the review is overdue; and a foot with the QR code of the policy's short public address
//! (its leaflet, else its easy read, else these posters; none without `public-url`), that
//! address printed, and the small print (organisation, reference, version, next review due,
//! the pictures' credit).
//!
//! Type is fitted, never clipped: the largest headline and message sizes are searched for that
//! fit the width and the height of the page, down to the minimums (A3: 72 and 36 pt; A4: 54 and
//! 28 pt). Words that cannot fit even then are a located error at the poster's headline.
//!
//! Tagging: the block is an artifact; the headline is an `H1`, a hero of its own a `Figure`
//! with what it shows, the messages a list (`L`, `LI`, `LBody`), then the QR code as a
//! `Figure` ("QR code for <address>") with its address, then the small print. Pictograms, and a
//! hero repeating the first one, are artifacts: the words beside them say it all (as on the web
//! page, where they are hidden from screen readers).
//!
//! Takes the posters `render_library` built for the web page; never lints poster content (that
//! is `crate::audience::poster`) and reads nothing from disk or the clock.

use rayon::prelude::*;

use crate::audience::patient_facing::{self, printed_address};
use crate::audience::pdf_output::{self as publish, RenderedPdf, site_of};
use crate::audience::pictures::{Icons, Logo};
use crate::audience::poster::Poster;
use crate::diag::{Diagnostics, Location};
use crate::load::Project;
use crate::model::Artifact;
use crate::model::dates::ReviewStatus;
use crate::model::{Audience, Inline};
use crate::pdf::fonts::{self, FontSet, Style};
use crate::pdf::layout::{Flow, Item, Layout, LayoutProblem, Role, Tag, TextStyle};
use crate::pdf::settings::{PageSpec, Palette, PdfSettings, Rgb, TypeScale};
use crate::pdf::wordwrap::{self, ShapedWords, Word, Wrapped};
use crate::pdf::writer;
use crate::qr::{QrMatrix, qr_blank, qr_matrix};
use crate::resolve::AudienceView;

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
/// QR modules are pure black on white: the strongest contrast for a phone's camera.
const QR_DARK: Rgb = Rgb(0x000000);

/// The two paper sizes every poster is printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// 297 x 420 mm, the print room's size.
    A3,
    /// 210 x 297 mm, the office printer's size.
    A4,
}

impl Format {
    /// Both formats, A3 first.
    pub const ALL: [Format; 2] = [Format::A3, Format::A4];

    /// The paper.
    pub fn page(self) -> PageSpec {
        match self {
            Format::A3 => PageSpec::from_mm(297.0, 420.0, 18.0),
            Format::A4 => PageSpec::from_mm(210.0, 297.0, 13.0),
        }
    }

    /// Smallest headline size (STANDARDS: 72 pt on A3, 54 pt on A4).
    pub fn min_headline(self) -> f32 {
        match self {
            Format::A3 => 72.0,
            Format::A4 => 54.0,
        }
    }

    /// Smallest message size (STANDARDS: 36 pt on A3, 28 pt on A4).
    pub fn min_message(self) -> f32 {
        match self {
            Format::A3 => 36.0,
            Format::A4 => 28.0,
        }
    }

    /// Everything else scales with the paper: A4 is A3 shrunk by the square root of two.
    fn scale(self) -> f32 {
        self.page().width / Format::A3.page().width
    }

    /// The file name under `output/`.
    pub fn path(self, id: &str) -> String {
        let dir = Audience::Poster.name();
        match self {
            Format::A3 => format!("{dir}/{id}.pdf"),
            Format::A4 => format!("{dir}/{id}-a4.pdf"),
        }
    }

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::A3 => "A3",
            Format::A4 => "A4",
        }
    }
}

/// Largest sizes tried, on A3 (scaled for A4): a short headline is not blown up past this.
const HEADLINE_CAP: f32 = 170.0;
const MESSAGE_CAP: f32 = 64.0;
/// Line heights as multiples of the size: headlines set tight, messages a little looser.
const HEADLINE_LEADING: f32 = 1.1;
const MESSAGE_LEADING: f32 = 1.2;
/// A headline wraps to at most this many lines unless it must be smaller than its minimum.
const HEADLINE_MAX_LINES: usize = 3;
/// Pictogram side as a multiple of the message size: about 2.9 times Atkinson Hyperlegible's
/// cap height (0.68 em), so a pictogram is recognised from as far as its message is read.
pub const ICON_EM: f32 = 2.0;
/// Atkinson Hyperlegible's cap height, in ems.
pub const CAP_HEIGHT_EM: f32 = 0.68;
/// The hero picture's side as a share of the page width: at least a third, as large as fits.
const HERO_SHARE: f32 = 0.38;
/// The smallest hero: a third of the page width.
const HERO_MIN_SHARE: f32 = 1.0 / 3.0;

/// How the warning about a hero left out begins (said once per poster, whatever the paper).
const HERO_LEFT_OUT: &str = "this poster's picture is left out";

/// The logo's height on A3 (scaled for A4), in the band's top right corner.
const LOGO_MM: f32 = 18.0;

/// The QR code's side including its quiet zone, on A3 (scaled for A4; never under 25 mm).
const QR_MM: f32 = 44.0;

/// Settings of a poster page.
pub fn settings(format: Format, theme: &crate::load::config::ThemeSettings) -> PdfSettings {
    PdfSettings {
        page: format.page(),
        type_scale: TypeScale { body: format.min_message(), leading: 1.2, headings: [72.0; 6], small: 14.0 },
        palette: Palette::from_theme(&theme.colours),
    }
}

/// The web address a poster's QR code leads to, with its printed form: the policy's short
/// address on the public site (its leaflet, else its easy read, else these posters); `None`
/// without `public-url` (never an intranet address).
pub fn qr_address(project: &Project, view: &AudienceView) -> Option<(String, String)> {
    let url = patient_facing::short_url(&project.config, view)?;
    let short = printed_address(&url);
    Some((url, short))
}

/// The chosen sizes and the wrapped words of one poster.
struct Fitted {
    headline_size: f32,
    message_size: f32,
    headline: Wrapped,
    messages: Vec<Wrapped>,
    /// The hero picture's side (0 without one).
    hero: f32,
    height: f32,
    fits: bool,
}

/// Geometry shared by the fitting and the drawing: the column from the headline's top (inside
/// the NHS Blue block) to above the foot.
struct Frame {
    left: f32,
    width: f32,
    top: f32,
    bottom: f32,
    k: f32,
}

/// Space between the headline and the foot of its blue block, and around the hero.
fn block_pad(k: f32) -> f32 {
    10.0 * MM * k
}

fn message_gap(message_size: f32) -> f32 {
    message_size * 0.6
}

fn text_column(message_size: f32) -> f32 {
    message_size * (ICON_EM + 0.45)
}

/// The headline's and the messages' type at `sizes` (headline, message points), and the width
/// the messages wrap to beside their pictograms: one setup for measuring and laying out.
fn styles_at(frame: &Frame, sizes: (f32, f32), text: Rgb) -> (TextStyle, TextStyle, f32) {
    let (hs, ms) = sizes;
    let h_style = TextStyle { style: Style::Bold, size: hs, color: text };
    let m_style = TextStyle { style: Style::Regular, size: ms, color: text };
    (h_style, m_style, frame.width - text_column(ms))
}

/// The height of the headline block, the hero (side `hero`, 0 for none) and the messages, from
/// how many lines the headline and each message take at `sizes`: the one sum that both
/// [`fits_at`] and [`try_sizes`] compare with the room, so they always agree.
fn stack_height(frame: &Frame, sizes: (f32, f32), head_lines: usize, message_lines: &[usize], hero: f32) -> f32 {
    let (hs, ms) = sizes;
    let mut height = head_lines as f32 * (hs * HEADLINE_LEADING) + block_pad(frame.k);
    if hero > 0.0 {
        height += hero + 2.0 * block_pad(frame.k);
    } else if !message_lines.is_empty() {
        height += block_pad(frame.k);
    }
    for (n, &lines) in message_lines.iter().enumerate() {
        // A message is at least as tall as its pictogram.
        height += (lines as f32 * (ms * MESSAGE_LEADING)).max(ms * ICON_EM);
        if n + 1 < message_lines.len() {
            height += message_gap(ms);
        }
    }
    height
}

/// Lays out the headline, hero and messages at one pair of sizes and measures them.
fn try_sizes(
    fonts: &mut FontSet<'_>,
    frame: &Frame,
    headline: &[Word],
    messages: &[Vec<Word>],
    sizes: (f32, f32),
    hero: f32,
    text: Rgb,
) -> Fitted {
    let (h_style, m_style, column) = styles_at(frame, sizes, text);
    let head = wordwrap::wrap(fonts, headline, h_style, frame.width);
    let wrapped: Vec<Wrapped> = messages.iter().map(|m| wordwrap::wrap(fonts, m, m_style, column)).collect();
    let message_lines: Vec<usize> = wrapped.iter().map(|w| w.lines.len()).collect();
    let height = stack_height(frame, sizes, head.lines.len(), &message_lines, hero);
    let fits = head.too_wide.is_empty()
        && wrapped.iter().all(|w| w.too_wide.is_empty())
        && head.lines.len() <= HEADLINE_MAX_LINES
        && height <= frame.bottom - frame.top + 0.01;
    let (headline_size, message_size) = sizes;
    Fitted { headline_size, message_size, headline: head, messages: wrapped, hero, height, fits }
}

/// Whether [`try_sizes`] finds that the poster fits at `sizes`, measured without laying out
/// its lines (most sizes tried do not fit) from words shaped once for every size tried. Must
/// decide as `try_sizes` does.
fn fits_at(
    frame: &Frame,
    headline: &ShapedWords,
    messages: &[ShapedWords],
    sizes: (f32, f32),
    hero: f32,
    text: Rgb,
) -> bool {
    let (h_style, m_style, column) = styles_at(frame, sizes, text);
    let (head_lines, head_too_wide) = headline.measure(h_style.size, frame.width);
    if head_too_wide || head_lines > HEADLINE_MAX_LINES {
        return false;
    }
    let mut message_lines = Vec::with_capacity(messages.len());
    for m in messages {
        let (lines, too_wide) = m.measure(m_style.size, column);
        if too_wide {
            return false;
        }
        message_lines.push(lines);
    }
    stack_height(frame, sizes, head_lines, &message_lines, hero) <= frame.bottom - frame.top + 0.01
}

/// The largest sizes at which the poster fits, searched from the caps down to the minimums in
/// half-point steps, with the hero at its size and then at its smallest (a third of the page
/// width); the minimums (marked as not fitting) when nothing does.
#[allow(clippy::too_many_arguments)]
fn fit(
    fonts: &mut FontSet<'_>,
    frame: &Frame,
    format: Format,
    headline: &[Word],
    messages: &[Vec<Word>],
    hero: bool,
    page_width: f32,
    text: Rgb,
) -> Fitted {
    let (h_min, m_min) = (format.min_headline(), format.min_message());
    let (h_cap, m_cap) = (HEADLINE_CAP * frame.k, MESSAGE_CAP * frame.k);
    // The hero at its size, then at its smallest; a poster too full for it even then is tried
    // without it (a warning says so) before its words are reported as not fitting.
    let heroes: Vec<f32> =
        if hero { vec![page_width * HERO_SHARE, page_width * HERO_MIN_SHARE, 0.0] } else { vec![0.0] };
    let steps = 200;
    // The face styles are the same at every size.
    let (h_style, m_style, _) = styles_at(frame, (h_min, m_min), text);
    let shaped_headline = ShapedWords::new(fonts, headline, h_style.style);
    let shaped_messages: Vec<ShapedWords> =
        messages.iter().map(|m| ShapedWords::new(fonts, m, m_style.style)).collect();
    for &side in &heroes {
        let mut tried = None;
        for step in 0..=steps {
            let f = 1.0 - step as f32 / steps as f32;
            // The headline gives way first: past the size read from across a room, its extra
            // points matter less than the messages' (they shrink by the square root).
            // Half points, so the chosen sizes are the same on every machine.
            let hs = ((h_cap * f).max(h_min) * 2.0).round() / 2.0;
            let ms = ((m_cap * f.sqrt()).max(m_min) * 2.0).round() / 2.0;
            // Neighbouring steps often round to the sizes just tried (and found not to fit).
            if tried.replace((hs, ms)) == Some((hs, ms)) {
                continue;
            }
            if fits_at(frame, &shaped_headline, &shaped_messages, (hs, ms), side, text) {
                let fitted = try_sizes(fonts, frame, headline, messages, (hs, ms), side, text);
                if fitted.fits {
                    return fitted;
                }
            }
            if hs <= h_min && ms <= m_min {
                break;
            }
        }
    }
    // At the minimums the headline may take more lines rather than fail.
    let side = heroes.last().copied().unwrap_or(0.0);
    let mut last = try_sizes(fonts, frame, headline, messages, (h_min, m_min), side, text);
    let room = frame.bottom - frame.top + 0.01;
    last.fits =
        last.headline.too_wide.is_empty() && last.messages.iter().all(|w| w.too_wide.is_empty()) && last.height <= room;
    last
}

/// Lays out the posters of `view` on `format` paper, one page each.
pub fn layout_posters(
    project: &Project,
    view: &AudienceView,
    posters: &[Poster],
    format: Format,
    fonts: &mut FontSet<'_>,
) -> Layout {
    let site = site_of(project);
    let icons = Icons::new(&project.theme);
    let icon_lookup = |name: &str| icons.get(name);
    let describe_icon = |name: &str| project.theme.icon_description(name);
    let resolve = |target: &crate::model::LinkTarget| site.dest(target);
    let mut flow = Flow::new(fonts, settings(format, &project.theme_settings), &project.images, &icon_lookup, &resolve);
    flow.describe_icon = &describe_icon;
    publish::start_in_language(&mut flow, &project.config, view);
    // `check` lays posters out for their problems and draws nothing: the code's size is enough
    // (working out its modules, choosing the mask, was most of a poster's layout there).
    let encode = if publish::layout_only() { qr_blank } else { qr_matrix };
    let qr = qr_address(project, view).and_then(|(url, short)| encode(&url).map(|m| (m, short)));
    let logo = Logo::of(project);
    for (index, poster) in posters.iter().enumerate() {
        if index > 0 {
            flow.new_page();
        }
        flow.line = poster.line;
        poster_page(&mut flow, project, view, poster, format, qr.as_ref(), logo.as_ref());
    }
    if view.draft {
        publish::mark_draft_pages(&mut flow);
    }
    flow.finish()
}

fn poster_page(
    flow: &mut Flow<'_, '_, '_>,
    project: &Project,
    view: &AudienceView,
    poster: &Poster,
    format: Format,
    qr: Option<&(QrMatrix, String)>,
    logo: Option<&Logo>,
) {
    let page = flow.settings.page;
    let palette = flow.settings.palette;
    let k = format.scale();
    let left = page.margin_left;
    let width = page.text_width();
    let sect = flow.open(Role::Sect, 0);

    // The organisation and the headline on an NHS Blue block, the Trust's logo top right (NHS
    // identity); the block's height follows the fitted headline, so it is drawn once that is known.
    let band = 30.0 * MM * k;
    let block_index = flow.pages[flow.pages.len() - 1].items.len();
    flow.top_band(band, palette.accent);
    let logo_w =
        logo.map_or(0.0, |l| l.draw_top_right(flow, left + width, LOGO_MM * MM * k, width * 0.4, sect) + 8.0 * MM * k);
    let org_size = (30.0 * k).round();
    let org_style = TextStyle { style: Style::Bold, size: org_size, color: palette.on_accent };
    let org_words = wordwrap::words(&[Inline::Text(project.config.organisation.clone())]);
    let org_wrapped = wordwrap::wrap(flow.fonts, &org_words, org_style, width - logo_w);
    let org_lh = org_size * 1.2;
    let org_top = ((band - org_wrapped.height(org_lh)) / 2.0).max(2.0);
    // Furniture: the small print names the organisation for screen readers, in reading order.
    wordwrap::draw_artifact(flow, &org_wrapped, org_style, left, org_top, org_lh);

    // The foot: QR code, address and small print, measured first so the words fit above it. It is
    // in the site's language, set its way, on a translation too.
    let rtl = flow.rtl;
    flow.rtl = crate::model::languages::is_rtl(&project.config.language);
    let foot = Foot::measure(flow, project, view, format, qr, width);
    flow.rtl = rtl;
    let foot_top = page.height - page.margin_bottom - foot.height;
    // An overdue poster says so where a passer-by sees it, above the foot, not in small print.
    let notice = match patient_facing::translation_notice(&project.config, view) {
        _ if view.review_status == ReviewStatus::Overdue => Some(OverdueNotice::measure(flow, view, format, width)),
        Some(translation) => Some(OverdueNotice::of_translation(flow, &translation, format, width)),
        None => None,
    };
    let notice_h = notice.as_ref().map_or(0.0, |n| n.height + 8.0 * MM * k);
    let frame = Frame { left, width, top: band + 4.0 * MM * k, bottom: foot_top - 12.0 * MM * k - notice_h, k };

    let headline_words = wordwrap::words(&[Inline::Text(poster.headline.clone())]);
    let message_words: Vec<Vec<Word>> = poster.messages.iter().map(|m| wordwrap::words(&m.words)).collect();
    let hero = poster.hero.is_some();
    let fitted = fit(flow.fonts, &frame, format, &headline_words, &message_words, hero, page.width, palette.text);
    if !fitted.fits {
        flow.problems.push(overflow_problem(poster, format, &fitted));
    } else if hero && fitted.hero <= 0.0 {
        flow.problems.push(LayoutProblem {
            line: poster.line,
            error: false,
            message: format!(
                "{HERO_LEFT_OUT} on {} paper: with it, the words do not fit even at the smallest sizes",
                format.name()
            ),
            hint: "cut a message, or shorten the messages, so the picture can be drawn large".to_string(),
        });
    }
    // The blue block grows down to below the headline.
    let block_h = frame.top + fitted.headline.height(fitted.headline_size * HEADLINE_LEADING) + block_pad(k);
    if let Some(Item::Rect { h, .. }) = flow.pages.last_mut().and_then(|p| p.items.get_mut(block_index)) {
        *h = block_h;
    }
    draw_words(flow, poster, &fitted, &frame, page.width, sect);
    if let Some(notice) = notice {
        notice.draw(flow, left, foot_top - 12.0 * MM * k - notice.height, width, sect);
    }
    let (rtl, from) = (flow.rtl, flow.tree.len());
    flow.rtl = crate::model::languages::is_rtl(&project.config.language);
    foot.draw(flow, left, foot_top, sect);
    flow.rtl = rtl;
    if view.lang.is_some() {
        for elem in &mut flow.tree[from..] {
            if elem.role == Role::P {
                elem.lang = Some(project.config.language.clone());
            }
        }
    }
}

/// "Overdue for review" in bold on a tinted panel with a red edge.
struct OverdueNotice {
    words: Wrapped,
    style: TextStyle,
    pad: f32,
    bar: f32,
    height: f32,
}

impl OverdueNotice {
    fn measure(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, format: Format, width: f32) -> OverdueNotice {
        let k = format.scale();
        let style = TextStyle { style: Style::Bold, size: (26.0 * k).round(), color: flow.settings.palette.text };
        let (pad, bar) = (5.0 * MM * k, 4.0 * MM * k);
        let message = format!(
            "Overdue for review since {}. Please ask a member of staff if this is still right.",
            view.review_date.long()
        );
        let words =
            wordwrap::wrap(flow.fonts, &wordwrap::words(&[Inline::Text(message)]), style, width - 2.0 * pad - bar);
        let height = words.height(style.size * 1.25) + 2.0 * pad;
        OverdueNotice { words, style, pad, bar, height }
    }

    /// A translation of an earlier version says so, in its language and the site's.
    fn of_translation(
        flow: &mut Flow<'_, '_, '_>,
        notice: &patient_facing::TranslationNotice,
        format: Format,
        width: f32,
    ) -> OverdueNotice {
        let k = format.scale();
        let style = TextStyle { style: Style::Bold, size: (26.0 * k).round(), color: flow.settings.palette.text };
        let (pad, bar) = (5.0 * MM * k, 4.0 * MM * k);
        let mut message = Vec::new();
        if let Some(own) = &notice.own {
            message.push(Inline::Span { lang: notice.own_lang.clone(), content: vec![Inline::Text(own.clone())] });
            message.push(Inline::LineBreak);
        }
        message.push(Inline::Span { lang: notice.site_lang.clone(), content: vec![Inline::Text(notice.site.clone())] });
        let words = wordwrap::wrap(flow.fonts, &wordwrap::words(&message), style, width - 2.0 * pad - bar);
        let height = words.height(style.size * 1.25) + 2.0 * pad;
        OverdueNotice { words, style, pad, bar, height }
    }

    fn draw(&self, flow: &mut Flow<'_, '_, '_>, x: f32, y: f32, width: f32, sect: usize) {
        let palette = flow.settings.palette;
        let h = self.height;
        flow.push(Item::Rect {
            x,
            y,
            w: width,
            h,
            fill: Some(palette.warning_shade),
            stroke: None,
            tag: Tag::Artifact,
        });
        flow.push(Item::Rect { x, y, w: self.bar, h, fill: Some(palette.warning), stroke: None, tag: Tag::Artifact });
        let p = flow.open(Role::P, sect);
        let lh = self.style.size * 1.25;
        wordwrap::draw(flow, &self.words, self.style, x + self.bar + self.pad, y + self.pad, lh, p);
    }
}

fn overflow_problem(poster: &Poster, format: Format, fitted: &Fitted) -> LayoutProblem {
    let mut too_wide: Vec<String> = fitted.headline.too_wide.clone();
    for m in &fitted.messages {
        too_wide.extend(m.too_wide.iter().cloned());
    }
    let (message, hint) = if let Some(word) = too_wide.first() {
        (
            format!(
                "the word {} is too wide for the {} poster even at the smallest sizes ({} pt headline, {} pt messages)",
                crate::diag::shown_word(word),
                format.name(),
                format.min_headline(),
                format.min_message()
            ),
            "use a shorter word; posters never split a word or shrink below the sizes people can read from across a room",
        )
    } else {
        (
            format!(
                "this poster's words do not fit on {} paper even at the smallest sizes ({} pt headline, {} pt messages)",
                format.name(),
                format.min_headline(),
                format.min_message()
            ),
            "cut the messages to the few words that matter, or split them over two `::: poster` blocks",
        )
    };
    LayoutProblem { line: poster.line, error: true, message, hint: hint.to_string() }
}

/// Draws the fitted headline (white on the blue block), the hero picture and the messages,
/// sharing out spare height between the gaps.
fn draw_words(
    flow: &mut Flow<'_, '_, '_>,
    poster: &Poster,
    fitted: &Fitted,
    frame: &Frame,
    page_width: f32,
    sect: usize,
) {
    let palette = flow.settings.palette;
    let (hs, ms) = (fitted.headline_size, fitted.message_size);
    let spare = (frame.bottom - frame.top - fitted.height).max(0.0);
    let gaps = poster.messages.len().saturating_sub(1) as f32;
    // Spare height opens the gaps a little (never more than a line each); the rest stays below.
    let extra_head = (spare * 0.35).min(ms * 1.5);
    let extra_gap = if gaps > 0.0 { ((spare - extra_head) / (gaps + 2.0)).min(ms) } else { 0.0 };
    let mut y = frame.top;
    let h_style = TextStyle { style: Style::Bold, size: hs, color: palette.on_accent };
    let h1 = flow.open(Role::H(1), sect);
    y += wordwrap::draw(flow, &fitted.headline, h_style, frame.left, y, hs * HEADLINE_LEADING, h1);
    y += block_pad(frame.k);
    if let Some(name) = poster.hero.as_ref().filter(|_| fitted.hero > 0.0) {
        y += block_pad(frame.k) + extra_head / 2.0;
        let side = fitted.hero;
        // A hero of its own is described; one repeating the first message's pictogram is
        // decoration, like the pictograms.
        let tag = if poster.hero_alone {
            let figure = flow.open(Role::Figure, sect);
            flow.tree[figure].alt = Some((flow.describe_icon)(name));
            Tag::Elem(figure)
        } else {
            Tag::Artifact
        };
        draw_picture(flow, name, (page_width - side) / 2.0, y, side, palette.accent, tag);
        y += side + block_pad(frame.k) + extra_head / 2.0;
    } else {
        y += block_pad(frame.k) + extra_head;
    }
    if poster.messages.is_empty() {
        return;
    }
    let list = flow.open(Role::L, sect);
    let m_style = TextStyle { style: Style::Regular, size: ms, color: palette.text };
    let lh = ms * MESSAGE_LEADING;
    let icon = ms * ICON_EM;
    for (n, (message, wrapped)) in poster.messages.iter().zip(&fitted.messages).enumerate() {
        let text_h = wrapped.height(lh);
        let height = text_h.max(icon);
        // A right-to-left poster has its pictograms on the right, the words to their left.
        let (icon_x, words_x) = if flow.rtl {
            (frame.left + frame.width - icon, frame.left)
        } else {
            (frame.left, frame.left + text_column(ms))
        };
        if let Some(name) = &message.icon {
            draw_icon(flow, name, icon_x, y, icon, palette.accent);
        }
        // Short words sit level with the middle of the pictogram; longer ones start at its top.
        let text_top = y + ((icon - text_h) / 2.0).max(0.0);
        let li = flow.open(Role::LI, list);
        let body = flow.open(Role::LBody, li);
        wordwrap::draw(flow, wrapped, m_style, words_x, text_top, lh, body);
        y += height;
        if n + 1 < poster.messages.len() {
            y += message_gap(ms) + extra_gap;
        }
    }
}

/// A picture in a `size` square: a line icon in `color` (its strokes a little lighter at this
/// size), a colour picture as drawn.
fn draw_picture(flow: &mut Flow<'_, '_, '_>, name: &str, x: f32, y: f32, size: f32, color: Rgb, tag: Tag) {
    if let Some(picture) = (flow.icons)(name) {
        let scale = size / picture.width.max(picture.height).max(0.01);
        let line_icon = picture.shapes.iter().any(|s| {
            s.stroke.as_ref().is_some_and(|st| st.paint == crate::pdf::svg::Paint::Current)
                || s.fill.is_some_and(|f| f.paint == crate::pdf::svg::Paint::Current)
        });
        let stroke_scale = if line_icon && size > 60.0 * MM { 0.7 } else { 1.0 };
        flow.push(Item::Path { x, y, scale, stroke_scale, color, picture, tag });
    }
}

/// A pictogram in a `size` square, as an artifact.
fn draw_icon(flow: &mut Flow<'_, '_, '_>, name: &str, x: f32, y: f32, size: f32, color: Rgb) {
    match (flow.icons)(name) {
        Some(picture) => {
            let scale = size / picture.width.max(picture.height).max(0.01);
            flow.push(Item::Path { x, y, scale, stroke_scale: 1.0, color, picture, tag: Tag::Artifact });
        }
        None => {
            flow.push(Item::Rect { x, y, w: size, h: size, fill: None, stroke: Some((color, 2.0)), tag: Tag::Artifact })
        }
    }
}

/// The foot of a poster: QR code with "Find out more:" and the short address beside it, then
/// the small print.
struct Foot<'q> {
    qr: Option<(&'q QrMatrix, String, f32)>,
    label: Wrapped,
    address: Wrapped,
    small: Wrapped,
    label_style: TextStyle,
    address_style: TextStyle,
    small_style: TextStyle,
    text_x: f32,
    height: f32,
}

impl<'q> Foot<'q> {
    fn measure(
        flow: &mut Flow<'_, '_, '_>,
        project: &Project,
        view: &AudienceView,
        format: Format,
        qr: Option<&'q (QrMatrix, String)>,
        width: f32,
    ) -> Foot<'q> {
        let palette = flow.settings.palette;
        let k = format.scale();
        let qr_side = (QR_MM * k).max(25.0) * MM;
        let gutter = 8.0 * MM * k;
        let text_x = if qr.is_some() { qr_side + gutter } else { 0.0 };
        let column = width - text_x;
        let label_style = TextStyle { style: Style::Bold, size: (24.0 * k).round(), color: palette.text };
        let address_style = TextStyle { style: Style::Regular, size: (22.0 * k).round(), color: palette.text };
        let small_style = TextStyle { style: Style::Regular, size: (15.0 * k).round(), color: palette.muted };
        let (label, address) = match qr {
            Some((_, short)) => (
                wordwrap::wrap(
                    flow.fonts,
                    &wordwrap::words(&[Inline::Text("Find out more:".into())]),
                    label_style,
                    column,
                ),
                wordwrap::wrap(flow.fonts, &wordwrap::address_words(short, false, false), address_style, column),
            ),
            None => (Wrapped::default(), Wrapped::default()),
        };
        let mut small = vec![project.config.organisation.clone()];
        if let Some(reference) = &view.reference {
            small.push(format!("Reference {reference}"));
        }
        small.push(format!("Version {}", view.version));
        small.push(match view.review_status {
            ReviewStatus::Overdue => format!("Next review due {} (overdue)", view.review_date.month_year()),
            _ => format!("Next review due {}", view.review_date.month_year()),
        });
        let mut small_text = small.join(" · ");
        if view.draft {
            small_text.push_str(" · DRAFT: not approved for use");
        }
        if let Some(credit) = crate::audience::pictures::credit_of(&project.theme, &view.blocks) {
            small_text.push_str(&format!(" · {credit}"));
        }
        let small_words = wordwrap::words(&[Inline::Text(small_text)]);
        let small_wrapped = wordwrap::wrap(flow.fonts, &small_words, small_style, column);
        let text_h = label.height(label_style.size * 1.3)
            + address.height(address_style.size * 1.3)
            + if qr.is_some() { 4.0 * MM * k } else { 0.0 }
            + small_wrapped.height(small_style.size * 1.4);
        let height = if qr.is_some() { text_h.max(qr_side) } else { text_h };
        Foot {
            qr: qr.map(|(m, s)| (m, s.clone(), qr_side)),
            label,
            address,
            small: small_wrapped,
            label_style,
            address_style,
            small_style,
            text_x,
            height,
        }
    }

    fn draw(&self, flow: &mut Flow<'_, '_, '_>, left: f32, top: f32, sect: usize) {
        let rule = flow.settings.palette.rule;
        let right = left + flow.settings.page.text_width();
        let rule_y = top - 6.0 * MM * (flow.settings.page.width / Format::A3.page().width);
        flow.push(Item::Rule {
            x1: left,
            y1: rule_y,
            x2: right,
            y2: rule_y,
            width: 1.0,
            color: rule,
            tag: Tag::Artifact,
        });
        let x = left + self.text_x;
        let mut y = top;
        if let Some((matrix, short, side)) = &self.qr {
            let figure = flow.open(Role::Figure, sect);
            flow.tree[figure].alt = Some(format!("QR code for {short}"));
            draw_qr(flow, matrix, left, top, *side, Tag::Elem(figure));
            let text_h =
                self.label.height(self.label_style.size * 1.3) + self.address.height(self.address_style.size * 1.3);
            // The words sit level with the middle of the code's upper part.
            y = top + ((side * 0.6 - text_h) / 2.0).max(0.0);
            let p = flow.open(Role::P, sect);
            y += wordwrap::draw(flow, &self.label, self.label_style, x, y, self.label_style.size * 1.3, p);
            y += wordwrap::draw(flow, &self.address, self.address_style, x, y, self.address_style.size * 1.3, p);
            let small_h = self.small.height(self.small_style.size * 1.4);
            y = (top + side - small_h).max(y + 2.0);
        }
        let p = flow.open(Role::P, sect);
        wordwrap::draw(flow, &self.small, self.small_style, x, y, self.small_style.size * 1.4, p);
    }
}

/// Draws a QR code in a `side` square at (x, y), quiet zone included.
fn draw_qr(flow: &mut Flow<'_, '_, '_>, matrix: &QrMatrix, x: f32, y: f32, side: f32, tag: Tag) {
    for item in crate::pdf::qr::matrix_items(matrix, x, y, side, QR_DARK, tag) {
        flow.push(item);
    }
}

/// Renders the posters of one policy on `format` paper.
pub fn render_poster_pdf(
    project: &Project,
    view: &AudienceView,
    posters: &[Poster],
    format: Format,
) -> Result<RenderedPdf, String> {
    fonts::with_fonts(&project.theme, |fonts: &mut FontSet<'_>| {
        let layout = layout_posters(project, view, posters, format, fonts);
        let info = writer::DocInfo {
            title: format!("Posters: {}", view.policy_title),
            author: project.config.organisation.clone(),
            subject: format!("Ward posters ({}) for {}", format.name(), view.policy_title),
            date_unix: view.document_date.unix_seconds(),
        };
        let kind = format!("poster-{}", format.name());
        let bytes = publish::write_pdf(project, view, &layout, fonts, &info, &kind)?;
        Ok(RenderedPdf { pages: layout.pages.len(), bytes, problems: layout.problems, missing: layout.missing })
    })
    .map_err(|e| e.0)?
}

/// The A3 and A4 poster PDFs of every policy with posters, rendered in parallel; problems are
/// reported in library order, once per poster even when both sizes have them.
/// [`poster_pdfs_gathering`] reporting its own characters no font has.
pub fn poster_pdfs(
    project: &Project,
    posters: &[(&AudienceView, Vec<Poster>)],
    diags: &mut Diagnostics,
) -> Vec<Artifact> {
    let mut gaps = publish::GlyphGaps::default();
    let out = poster_pdfs_gathering(project, posters, diags, &mut gaps);
    gaps.report(diags);
    out
}

/// The same, gathering the characters no font has in `gaps` (reported once for all PDFs).
pub fn poster_pdfs_gathering(
    project: &Project,
    posters: &[(&AudienceView, Vec<Poster>)],
    diags: &mut Diagnostics,
    gaps: &mut publish::GlyphGaps,
) -> Vec<Artifact> {
    let jobs: Vec<(&AudienceView, &[Poster], Format)> = posters
        .iter()
        .filter(|(_, p)| !p.is_empty())
        .flat_map(|(view, p)| Format::ALL.into_iter().map(move |f| (*view, p.as_slice(), f)))
        .collect();
    let rendered: Vec<(&AudienceView, Format, Result<RenderedPdf, String>)> =
        jobs.par_iter().map(|(view, p, f)| (*view, *f, render_poster_pdf(project, view, p, *f))).collect();
    let mut out = Vec::with_capacity(rendered.len());
    let mut reported: Vec<(String, usize, bool)> = Vec::new();
    for (view, format, result) in rendered {
        match result {
            Ok(pdf) => {
                // A poster too full for A3 is usually too full for A4 as well: say it once (and
                // that its picture is left out, once).
                let fresh: Vec<LayoutProblem> = pdf
                    .problems
                    .into_iter()
                    .filter(|p| {
                        let once = p.error || p.message.starts_with(HERO_LEFT_OUT);
                        let key = (view.source.clone(), p.line, p.error);
                        let new = !once || !reported.contains(&key);
                        if once {
                            reported.push(key);
                        }
                        new
                    })
                    .collect();
                publish::report(diags, view, &fresh);
                gaps.add(view, &pdf.missing);
                out.push(Artifact::new(&format.path(&view.stem()), pdf.bytes));
            }
            Err(message) => {
                diags.error(Location::file_start(&view.source), message).hint("check the theme's fonts");
            }
        }
    }
    out
}
