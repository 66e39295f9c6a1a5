//! The patient information leaflet's PDFs: the A5 leaflet, the A4 large-print version and the
//! A5 booklet imposed on A4 sheets, all from the patient view only.
//!
//! Design (STANDARDS.md, patient information leaflet): a cover with the organisation, the
//! leaflet's title and "Information for patients, carers and visitors" under an NHS blue band,
//! the Trust's logo top right; the patient blocks in order; a back page with how to contact us
//! (the policy's own contact or the site's), "Tell us what you think of this leaflet", the
//! other formats, the short public address with its QR code (only with `public-url`), and the
//! reference, version, "Last reviewed" and "Next review due". Footer "Page X of Y" on every
//! page after the cover, as artifacts, counting the leaflet's physical pages.
//!
//! The text flows from page to page (the engine keeps headings with what follows them and
//! lists with their lead-ins). The A5 leaflet is the booklet's pages, so it fills a multiple of
//! four pages on as few sheets as it can ([`layout_leaflet`]): its text may start on the cover
//! or end on the back page, and pages still left over are "Notes and questions to ask" pages
//! before the back page, never blank ones.
//!
//! Layout only, through [`Flow`], plus the render entry point that checks the view, reports
//! problems located at the policy file and writes the three files. Pure: no disk, no clock
//! (the build date is passed in).

use rayon::prelude::*;

use crate::audience::patient_facing::{self, printed_address};
use crate::audience::pdf_output;
use crate::audience::pictures::Icons;
use crate::audience::pictures::Logo;
use crate::diag::{Diagnostics, Location};
use crate::load::Project;
use crate::load::config::{Contact, SiteConfig};
use crate::model::Artifact;
use crate::model::dates::ReviewStatus;
use crate::model::phone::tel_href;
use crate::model::{Audience, BlockKind, Inline, LinkTarget, plain_text};
use crate::pdf::fonts::{self, FontSet, Style};
use crate::pdf::layout::{Dest, Flow, Item, Layout, Role, Tag, TextStyle};
use crate::pdf::settings::{PageSpec, Palette, PdfSettings, Rgb, TypeScale};
use crate::pdf::{impose, qr, tagging, writer};
use crate::resolve::{AudienceView, Library};

/// The line under the cover title, as the standards word it.
pub const COVER_LINE: &str = "Information for patients, carers and visitors";
/// Heading of the back page's contact section.
pub const CONTACT_HEADING: &str = "How to contact us";
/// Heading of the back page's other-formats section.
pub const FORMATS_HEADING: &str = "This leaflet is available in other formats";
/// Heading of the back page's feedback section.
pub const FEEDBACK_HEADING: &str = "Tell us what you think of this leaflet";
/// Heading of the back page's online section.
pub const ONLINE_HEADING: &str = "Read this leaflet online";
/// The booklet's printing instructions as its first sheet prints them (the short form of
/// [`patient_facing::BOOKLET_PRINTING`], to fit one line of the back cover's top margin).
pub const PRINTING_LINE: &str = "Print double-sided, flip on short edge, fold in half.";
/// A leaflet longer than this many A5 pages is too long to hand out: a warning.
pub const MAX_LEAFLET_PAGES: usize = 8;

const MM: f32 = 72.0 / 25.4;

/// Which paper version of the leaflet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A5 portrait, 14 pt body (also the pages of the booklet).
    Leaflet,
    /// A4 portrait, 18 pt body (UKAAF clear print).
    LargePrint,
}

impl Format {
    /// Paper, type and colours of this format, with the theme's body size and colours.
    pub fn settings(self, theme: &crate::load::config::ThemeSettings) -> PdfSettings {
        let base = self.default_settings();
        let (body, floor) = match self {
            Format::Leaflet => (theme.pdf.leaflet_body, 12.0),
            Format::LargePrint => (theme.pdf.large_print_body, 18.0),
        };
        let mut type_scale = base.type_scale.scaled(body / base.type_scale.body);
        // Small print keeps to the format's minimum whatever the body size (STANDARDS).
        type_scale.small = type_scale.small.max(floor);
        PdfSettings { page: base.page, type_scale, palette: Palette::from_theme(&theme.colours) }
    }

    /// The built-in paper and type of this format.
    fn default_settings(self) -> PdfSettings {
        match self {
            Format::Leaflet => PdfSettings {
                page: PageSpec { margin_bottom: 21.0 * MM, ..PageSpec::a5() },
                type_scale: TypeScale {
                    body: 14.0,
                    leading: 1.4,
                    headings: [26.0, 19.0, 16.0, 14.0, 14.0, 14.0],
                    small: 12.0,
                },
                palette: Palette::nhs(),
            },
            Format::LargePrint => PdfSettings {
                page: PageSpec { margin_bottom: 26.0 * MM, ..PageSpec::from_mm(210.0, 297.0, 20.0) },
                type_scale: TypeScale {
                    body: 18.0,
                    leading: 1.5,
                    headings: [36.0, 26.0, 22.0, 20.0, 18.0, 18.0],
                    small: 18.0,
                },
                palette: Palette::nhs(),
            },
        }
    }

    /// Side of the QR code, quiet zone included (never under 25 mm).
    fn qr_size(self) -> f32 {
        match self {
            Format::Leaflet => 27.0 * MM,
            Format::LargePrint => 40.0 * MM,
        }
    }

    /// Height of the logo on the cover (NHS identity asks for at least 10 mm on A5).
    fn logo_height(self) -> f32 {
        match self {
            Format::Leaflet => 12.0 * MM,
            Format::LargePrint => 17.0 * MM,
        }
    }

    /// How much bigger than the A5 leaflet the furniture is drawn.
    fn scale(self) -> f32 {
        self.default_settings().type_scale.body / 14.0
    }
}

/// The site facts a leaflet prints.
#[derive(Debug, Clone)]
pub struct LeafletSite {
    /// Organisation name.
    pub organisation: String,
    /// Where the public site is published, ending in `/`.
    pub public_url: Option<String>,
    /// How to contact us: the policy's own contact, else the site's.
    pub contact: Contact,
    /// The leaflet's short address on the public site (what its QR code encodes).
    pub short_url: Option<String>,
    /// On a translation of an earlier version: its notice.
    pub translation_notice: Option<patient_facing::TranslationNotice>,
    /// On a translation: the site's language, which its furniture is in.
    pub site_language: Option<String>,
    /// The credit line its pictures' licence asks for, if any (set by the layout, which knows
    /// the theme).
    pub credit: Option<&'static str>,
}

impl LeafletSite {
    /// From the site settings, for the leaflet of `view`.
    pub fn of(config: &SiteConfig, view: &AudienceView) -> LeafletSite {
        LeafletSite {
            organisation: config.organisation.clone(),
            public_url: config.public_url.clone(),
            contact: patient_facing::contact_of(config, view).clone(),
            short_url: patient_facing::short_url(config, view),
            translation_notice: patient_facing::translation_notice(config, view),
            site_language: view.lang.as_ref().map(|_| config.language.clone()),
            credit: None,
        }
    }

    /// Where a link in the leaflet to another policy points: its leaflet on the public site, or
    /// the PDF beside this one when the public site's address is unknown.
    pub fn dest(&self, target: &LinkTarget) -> Dest {
        match target {
            LinkTarget::External(url) => Dest::Uri(url.clone()),
            LinkTarget::Section(anchor) => Dest::Anchor(anchor.clone()),
            LinkTarget::Policy { id, .. } => Dest::Uri(match &self.public_url {
                Some(base) => format!("{base}{}/{id}.html", Audience::Patient.name()),
                None => format!("{id}.pdf"),
            }),
        }
    }
}

/// The view's blocks as paper shows them: paper has no hyperlinks, so each link to another
/// leaflet is followed by where it leads, the leaflet's title (unless the link's words already
/// are its title) and its short address: "… about phones and filming
/// (www.example.nhs.uk/leaflets/phones)".
pub fn printed_blocks(view: &AudienceView, site: &LeafletSite) -> Vec<crate::model::Block> {
    fn block(kind: &mut BlockKind, view: &AudienceView, site: &LeafletSite) {
        match kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => inlines(content, view, site),
            BlockKind::List { items, .. } => items.iter_mut().flatten().for_each(|b| block(b, view, site)),
            BlockKind::Quote(blocks) => blocks.iter_mut().for_each(|b| block(b, view, site)),
            BlockKind::Table { header, rows, .. } => {
                header.iter_mut().chain(rows.iter_mut().flatten()).for_each(|cell| inlines(cell, view, site))
            }
            BlockKind::Code { .. } | BlockKind::Rule => {}
        }
    }
    fn inlines(content: &mut Vec<Inline>, view: &AudienceView, site: &LeafletSite) {
        let mut out = Vec::with_capacity(content.len());
        for inline in content.drain(..) {
            let lead = match &inline {
                Inline::Link { target: LinkTarget::Policy { id, .. }, content, .. } => {
                    view.linked.get(id).and_then(|target| where_it_leads(&plain_text(content), target, site))
                }
                _ => None,
            };
            out.push(inline);
            if let Some(lead) = lead {
                out.push(Inline::Text(lead));
            }
        }
        *content = out;
    }
    let mut blocks = view.blocks.clone();
    for b in &mut blocks {
        block(&mut b.kind, view, site);
    }
    blocks
}

/// " (title, address)" after a link to another leaflet, or None when there is nothing to add.
fn where_it_leads(words: &str, target: &crate::resolve::LinkedPolicy, site: &LeafletSite) -> Option<String> {
    let normal = |s: &str| s.trim().trim_end_matches(['.', ':', ';', ',']).to_lowercase();
    let address = site.public_url.as_ref().map(|base| printed_address(&format!("{base}{}/", target.short)));
    let titled = normal(words) == normal(&target.title);
    match (titled, address) {
        (true, Some(address)) => Some(format!(" ({address})")),
        (false, Some(address)) => Some(format!(" (our leaflet ‘{}’, {address})", target.title)),
        (false, None) => Some(format!(" (our leaflet ‘{}’)", target.title)),
        (true, None) => None,
    }
}

/// True when the view has something to read besides headings.
pub fn has_readable_content(view: &AudienceView) -> bool {
    view.blocks.iter().any(|b| !matches!(b.kind, BlockKind::Heading { .. } | BlockKind::Rule))
}

/// A laid-out leaflet, where its text and its back page are.
#[derive(Debug, Clone)]
pub struct LeafletLayout {
    /// The pages.
    pub layout: Layout,
    /// Index of the first page of the back-page section (blank booklet pages go before it).
    pub back_from: usize,
    /// The pages the policy's patient text is on (after the cover).
    pub text_pages: std::ops::Range<usize>,
    /// The "Notes and questions to ask" pages before the back page, which make the A5 leaflet a
    /// multiple of four pages for its booklet.
    pub notes_pages: std::ops::Range<usize>,
    /// How to print the booklet, drawn (as artifacts) in the top margin of its first sheet, on
    /// the back cover: the booklet adds them, the A5 leaflet does not show them.
    pub printing_note: Vec<Item>,
    /// The back page was set smaller to fit on one page ([`Plan::compact_back`]).
    pub compact_back: bool,
}

/// Heading of the first page left over for the reader's own notes.
pub const NOTES_HEADING: &str = "Notes and questions to ask";

/// How a leaflet's pages are filled around its text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Plan {
    /// The text starts on the cover, below the title, instead of on the next page.
    text_on_cover: bool,
    /// The back page's sections start below the text on its last page instead of on a page of
    /// their own.
    back_after_text: bool,
    /// Lines set at the standards' smallest spacing (1.3) instead of the leaflet's own (1.4).
    tight: bool,
    /// Notes pages between the text and the back page.
    notes: usize,
    /// The back page set at 12 pt (the standards' smallest) with closer spacing, because at
    /// the leaflet's size it ran onto a page of its own (a translation's list of languages).
    compact_back: bool,
}

/// STANDARDS: leaflet line spacing at least 1.3.
const TIGHT_LEADING: f32 = 1.3;

fn text(s: &str) -> Vec<Inline> {
    vec![Inline::Text(s.to_string())]
}

fn link(label: &str, url: String) -> Inline {
    Inline::Link { target: LinkTarget::External(url), content: text(label), title: None, at: (0, 0) }
}

/// Lays out the leaflet of `view` in `format`. The A5 leaflet is folded into a booklet, so its
/// page count is made a multiple of four, on as few sheets as its text needs: of the ways to
/// fill the pages (the cover and the back page each on a page of their own, or shared with the
/// start or the end of the text; lines at the leaflet's spacing, or at the standards' smallest),
/// the one that fills the fewest sheets is taken, and of those the one with the fewest pages
/// left over, the cover and back page kept to themselves and the spacing kept where that costs
/// nothing. Pages still left over become "Notes and questions to ask" pages
/// before the back page, never blank pages. The large print is not folded: it keeps the plain
/// plan and the pages its text needs.
pub fn layout_leaflet(
    project: &Project,
    view: &AudienceView,
    format: Format,
    fonts: &mut FontSet<'_>,
) -> LeafletLayout {
    let plain = lay_out_leaflet(project, view, format, fonts, Plan::default());
    if format != Format::Leaflet || plain.layout.pages.len().is_multiple_of(4) {
        return plain;
    }
    let mut best: Option<(usize, usize, Plan)> = None;
    let shares = [(false, false), (false, true), (true, false), (true, true)];
    for (tight, (text_on_cover, back_after_text)) in [false, true].into_iter().flat_map(|t| shares.map(|s| (t, s))) {
        // A back page too long for a page of its own at the leaflet's spacing is too long below
        // the text as well: those plans start from the size the plain layout found, instead of
        // each laying the whole leaflet out again to find it (at the tighter spacing it may fit).
        let compact_back = plain.compact_back && !tight;
        let plan = Plan { text_on_cover, back_after_text, tight, compact_back, ..Plan::default() };
        if !text_on_cover && !back_after_text && !tight {
            let pages = plain.layout.pages.len();
            best = Some((pages.div_ceil(4), pages.div_ceil(4) * 4 - pages, plan));
            continue;
        }
        let laid = lay_out_leaflet(project, view, format, fonts, plan);
        let pages = laid.layout.pages.len();
        let sheets = pages.div_ceil(4);
        let left_over = sheets * 4 - pages;
        // Plans are tried from the loosest: the first that leaves no page over is taken.
        if left_over == 0 && best.is_none_or(|(s, _, _)| sheets <= s) {
            return laid;
        }
        if best.is_none_or(|(s, l, _)| (sheets, left_over) < (s, l)) {
            best = Some((sheets, left_over, plan));
        }
    }
    let (_, notes, plan) = best.expect("a plan was tried");
    lay_out_leaflet(project, view, format, fonts, Plan { notes, ..plan })
}

fn lay_out_leaflet(
    project: &Project,
    view: &AudienceView,
    format: Format,
    fonts: &mut FontSet<'_>,
    plan: Plan,
) -> LeafletLayout {
    let site = LeafletSite {
        credit: crate::audience::pictures::credit_of(&project.theme, &view.blocks),
        ..LeafletSite::of(&project.config, view)
    };
    let logo = Logo::of(project);
    let icons = Icons::new(&project.theme);
    let icon_lookup = |name: &str| icons.get(name);
    let describe_icon = |name: &str| project.theme.icon_description(name);
    let resolve = |target: &LinkTarget| site.dest(target);
    let mut settings = format.settings(&project.theme_settings);
    if plan.tight {
        settings.type_scale.leading = settings.type_scale.leading.min(TIGHT_LEADING);
    }
    let mut flow = Flow::new(fonts, settings, &project.images, &icon_lookup, &resolve);
    flow.describe_icon = &describe_icon;
    // `check` wants the page count and the problems, not the pages: paragraphs go uncopied.
    flow.measure_only = pdf_output::layout_only();
    let translated = pdf_output::start_in_language(&mut flow, &project.config, view);
    cover(&mut flow, view, &site, logo.as_ref(), format);
    if !plan.text_on_cover {
        flow.new_page();
    }
    let text_from = flow.pages.len() - 1;
    let body = flow.open(Role::Sect, 0);
    flow.blocks(&printed_blocks(view, &site), body);
    flow.line = 0;
    let text_pages = text_from..flow.pages.len();
    let notes_from = flow.pages.len();
    for n in 0..plan.notes {
        flow.new_page();
        pdf_output::in_site_language(&mut flow, &project.config, translated, |flow| notes_page(flow, n == 0, format));
    }
    let notes_pages = notes_from..flow.pages.len();
    if !plan.back_after_text || plan.notes > 0 {
        flow.new_page();
    }
    let back_from = flow.pages.len() - 1;
    let leaflet_scale = flow.settings.type_scale;
    if plan.compact_back {
        flow.settings.type_scale = compact_scale(leaflet_scale);
    }
    pdf_output::in_site_language(&mut flow, &project.config, translated, |flow| {
        back_page(flow, project, view, &site, format)
    });
    flow.settings.type_scale = leaflet_scale;
    // The back page is one page: its last lines alone on a page of their own would be the
    // booklet's back cover.
    if format == Format::Leaflet && !plan.compact_back && flow.pages.len() - 1 > back_from {
        drop(flow);
        return lay_out_leaflet(project, view, format, fonts, Plan { compact_back: true, ..plan });
    }
    furniture(&mut flow, view, format);
    if view.draft {
        pdf_output::mark_draft_pages(&mut flow);
    }
    let printing_note = if format == Format::Leaflet { printing_note(&mut flow) } else { Vec::new() };
    let compact_back = plan.compact_back;
    LeafletLayout { layout: flow.finish(), back_from, text_pages, notes_pages, printing_note, compact_back }
}

/// The booklet's printing instructions in the top margin of the back cover (the left half of
/// the first sheet's front, where whoever prints it looks first), taken off the page again so
/// only the booklet shows them.
fn printing_note(flow: &mut Flow<'_, '_, '_>) -> Vec<Item> {
    let page = flow.pages.len() - 1;
    let start = flow.pages[page].items.len();
    let spec = flow.settings.page;
    let style =
        TextStyle { style: Style::Regular, size: flow.settings.type_scale.small, color: flow.settings.palette.muted };
    // Clear of the sheet's edge (where printers cannot print) and of the heading below.
    let top = spec.margin_top * 0.3;
    flow.text_at(page, PRINTING_LINE, style, spec.margin_left, top, false, Tag::Artifact);
    flow.pages[page].items.split_off(start)
}

/// The leaflet's type scale for a back page that did not fit: body at 12 pt, the standards'
/// smallest, headings in proportion, lines at the smallest spacing; small print unchanged.
fn compact_scale(scale: TypeScale) -> TypeScale {
    let factor = (12.0 / scale.body).min(1.0);
    TypeScale {
        body: scale.body * factor,
        leading: scale.leading.min(TIGHT_LEADING),
        headings: scale.headings.map(|h| (h * factor).max(12.0)),
        small: scale.small,
    }
}

/// A page for the reader's own notes: a heading, what the page is for, and ruled lines to write
/// on down to the foot of the page (artifacts: nothing to read out).
fn notes_page(flow: &mut Flow<'_, '_, '_>, first: bool, format: Format) {
    let k = format.scale();
    let sect = flow.open(Role::Sect, 0);
    let (heading, anchor) = if first { (NOTES_HEADING, "pdf-notes") } else { ("Notes", "pdf-more-notes") };
    flow.heading(2, &text(heading), anchor, sect, first);
    if first {
        let p = flow.open(Role::P, sect);
        let body = flow.body_style();
        flow.paragraph(&text("You may want to write down questions to ask us, and the answers, here."), body, p);
    }
    let spacing = 8.5 * MM * k;
    let color = flow.settings.palette.rule;
    let (x1, x2) = (flow.left, flow.left + flow.width);
    let mut y = flow.y + spacing;
    while y <= flow.bottom() {
        flow.push(Item::Rule { x1, y1: y, x2, y2: y, width: 0.5, color, tag: Tag::Artifact });
        y += spacing;
    }
    flow.y = flow.bottom();
}

/// The booklet: the A5 leaflet padded to a multiple of 4 pages (blanks before the back page)
/// and imposed two pages to a side on A4 landscape sheets.
pub fn booklet_layout(leaflet: &LeafletLayout) -> Layout {
    let mut pages = leaflet.layout.clone();
    if let Some(back) = pages.pages.last_mut() {
        back.items.extend(leaflet.printing_note.iter().cloned());
    }
    let leaflet = LeafletLayout { layout: pages, ..leaflet.clone() };
    let sequence = impose::padded_sequence(leaflet.layout.pages.len(), leaflet.back_from);
    impose::impose(&leaflet.layout, &sequence, (297.0 * MM, 210.0 * MM))
}

fn cover(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, site: &LeafletSite, logo: Option<&Logo>, format: Format) {
    let site_lang = site.site_language.clone();
    let page = flow.settings.page;
    let palette = flow.settings.palette;
    let k = format.scale();
    let white = Rgb(0xFFFFFF);
    let sect = flow.open(Role::Sect, 0);
    let band = page.height * 0.27;
    flow.top_band(band, palette.accent);
    // The Trust's logo top right (NHS identity); the organisation's name keeps clear of it.
    let right = page.width - page.margin_right;
    let logo_w = logo.map_or(0.0, |l| {
        l.draw_top_right(flow, right, format.logo_height(), page.text_width() * 0.45, sect) + 6.0 * MM * k
    });
    // The band's words are in the site's language, set its way, on a translation too.
    let rtl = flow.rtl;
    if let Some(lang) = &site_lang {
        flow.rtl = crate::model::languages::is_rtl(lang);
    }
    let org = flow.open(Role::P, sect);
    flow.tree[org].lang = site_lang.clone();
    flow.text_box(
        &text(&site.organisation),
        TextStyle { style: Style::Bold, size: 16.0 * k, color: white },
        page.margin_left,
        page.margin_top,
        page.text_width() - logo_w,
        org,
    );
    let line_style = TextStyle { style: Style::Regular, size: 14.0 * k, color: white };
    let line_h = flow.measure(&text(COVER_LINE), line_style, page.text_width());
    let kind = flow.open(Role::P, sect);
    flow.tree[kind].lang = site_lang;
    flow.text_box(&text(COVER_LINE), line_style, page.margin_left, band - 14.0 * k - line_h, page.text_width(), kind);
    flow.rtl = rtl;
    flow.y = band + 30.0 * k;
    if view.draft {
        let draft = flow.open(Role::P, sect);
        let h = flow.text_box(
            &text("DRAFT – not approved for use"),
            TextStyle { style: Style::Bold, size: 16.0 * k, color: palette.warning },
            flow.left,
            flow.y,
            flow.width,
            draft,
        );
        flow.y += h + 10.0 * k;
    }
    let title = flow.open(Role::H(1), sect);
    let size = flow.settings.type_scale.heading(1);
    flow.paragraph(&text(&view.title), TextStyle { style: Style::Bold, size, color: palette.accent }, title);
    flow.y += 16.0 * k;
    if view.review_status == ReviewStatus::Overdue {
        overdue_note(flow, view, sect);
    }
    if let Some(notice) = &site.translation_notice {
        pdf_output::translation_notice(flow, notice, sect);
    }
    // A blue strip along the foot of the cover closes the design.
    let strip = 10.0 * k;
    flow.push(Item::Rect {
        x: 0.0,
        y: page.height - strip,
        w: page.width,
        h: strip,
        fill: Some(palette.accent),
        stroke: None,
        tag: Tag::Artifact,
    });
}

fn overdue_note(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, parent: usize) {
    let palette = flow.settings.palette;
    let message = format!(
        "This leaflet was due to be reviewed on {}. Please ask a member of staff if the information is still up to date.",
        view.review_date.long()
    );
    let style = TextStyle { style: Style::Bold, size: flow.settings.type_scale.body, color: palette.text };
    let pad = 8.0;
    let bar = 4.0;
    let inner = flow.width - 2.0 * pad - bar;
    let height = flow.measure(&text(&message), style, inner) + 2.0 * pad;
    flow.ensure(height);
    let (x, y, w) = (flow.left, flow.y, flow.width);
    flow.push(Item::Rect { x, y, w, h: height, fill: Some(palette.warning_shade), stroke: None, tag: Tag::Artifact });
    flow.push(Item::Rect { x, y, w: bar, h: height, fill: Some(palette.warning), stroke: None, tag: Tag::Artifact });
    let p = flow.open(Role::P, parent);
    flow.text_box(&text(&message), style, x + bar + pad, y + pad, inner, p);
    flow.y += height + 10.0;
}

fn back_page(flow: &mut Flow<'_, '_, '_>, project: &Project, view: &AudienceView, site: &LeafletSite, format: Format) {
    let palette = flow.settings.palette;
    let body = flow.body_style();
    let gap = body.size * 0.6;
    let k = format.scale();
    let sect = flow.open(Role::Sect, 0);
    let contact = &site.contact;
    let name = contact.name.clone().unwrap_or_else(|| site.organisation.clone());

    flow.heading(2, &text(CONTACT_HEADING), "pdf-contact-us", sect, true);
    let p = flow.open(Role::P, sect);
    flow.paragraph(&text("Please ask a member of staff, or contact:"), body, p);
    flow.y += gap * 0.4;
    let p = flow.open(Role::P, sect);
    flow.paragraph(&text(&name), TextStyle { style: Style::Bold, ..body }, p);
    if let Some(phone) = &contact.phone {
        let p = flow.open(Role::P, sect);
        flow.paragraph(&[Inline::Text("Phone: ".to_string()), link(&unbreakable(phone), tel_href(phone))], body, p);
    }
    if let Some(email) = &contact.email {
        let p = flow.open(Role::P, sect);
        flow.paragraph(&[Inline::Text("Email: ".to_string()), link(email, format!("mailto:{email}"))], body, p);
    }
    flow.y += gap;

    // PIF TICK asks for a way to give feedback on the leaflet itself: one line, with the
    // details, where readers look for how to reach us.
    let mut feedback = vec![Inline::Strong(text(&format!("{FEEDBACK_HEADING}:")))];
    match (&contact.phone, &contact.email) {
        (Some(phone), Some(email)) => {
            feedback.push(Inline::Text(" call ".to_string()));
            feedback.push(link(&unbreakable(phone), tel_href(phone)));
            feedback.push(Inline::Text(" or email ".to_string()));
            feedback.push(link(email, format!("mailto:{email}")));
        }
        (Some(phone), None) => {
            feedback.push(Inline::Text(" call ".to_string()));
            feedback.push(link(&unbreakable(phone), tel_href(phone)));
        }
        (None, Some(email)) => {
            feedback.push(Inline::Text(" email ".to_string()));
            feedback.push(link(email, format!("mailto:{email}")));
        }
        (None, None) => feedback.push(Inline::Text(format!(" contact {name}"))),
    }
    feedback.push(Inline::Text(".".to_string()));
    flow.y += gap * 0.5;
    let p = flow.open(Role::P, sect);
    flow.paragraph(&feedback, body, p);
    flow.y += gap * 0.8;

    flow.heading(2, &text(FORMATS_HEADING), "pdf-other-formats", sect, true);
    let mut formats: Vec<&str> = Vec::new();
    if view.available.contains(&Audience::EasyRead) {
        formats.push("easy read");
    }
    // The large print does not offer itself.
    if format != Format::LargePrint {
        formats.push("large print");
    }
    formats.push("other languages");
    let list = match formats.as_slice() {
        [.., last] if formats.len() > 1 => format!("{} or {last}", formats[..formats.len() - 1].join(", ")),
        _ => formats.join(""),
    };
    let p = flow.open(Role::P, sect);
    let ask = format!("You can ask for this leaflet in {list}: please ask a member of staff or contact us.");
    flow.paragraph(&text(&ask), body, p);
    flow.y += gap;
    pdf_output::other_languages(flow, &project.config, view, sect);

    if let Some(url) = &site.short_url {
        online(flow, url, format, sect);
    }

    // Reference, version and the review dates in small print, at the foot of the page when it
    // fits: "Last reviewed" and "Next review due", as NHS.UK pages show them.
    let small = TextStyle { style: Style::Regular, size: flow.settings.type_scale.small, color: palette.text };
    let mut first = Vec::new();
    if let Some(reference) = &view.reference {
        first.push(format!("Reference: {reference}"));
    }
    first.push(format!("Version: {}", view.version));
    let mut lines = vec![first.join("   ")];
    if let Some(reviewed) = view.last_reviewed {
        lines.push(format!("Last reviewed: {}", reviewed.month_year()));
    }
    lines.push(match view.review_status {
        ReviewStatus::Overdue => format!("Next review due: {} (overdue for review)", view.review_date.month_year()),
        _ => format!("Next review due: {}", view.review_date.month_year()),
    });
    if let Some(credit) = site.credit {
        lines.push(credit.to_string());
    }
    let line_h = flow.settings.line_height(small.size);
    let height = lines.len() as f32 * line_h + 8.0 * k;
    flow.ensure(height);
    let foot = flow.bottom() - height;
    if flow.y < foot {
        flow.y = foot;
    }
    let (x1, x2, y) = (flow.left, flow.left + flow.width, flow.y);
    flow.push(Item::Rule { x1, y1: y, x2, y2: y, width: 0.75, color: palette.rule, tag: Tag::Artifact });
    flow.y += 8.0 * k;
    for line in lines {
        let p = flow.open(Role::P, sect);
        flow.paragraph(&text(&line), small, p);
    }
}

/// A phone number that never breaks across lines.
fn unbreakable(s: &str) -> String {
    s.replace(' ', "\u{a0}")
}

/// The short online address with its QR code beside it, kept together: the code encodes the
/// full address, the words print it without `https://` and the trailing slash.
fn online(flow: &mut Flow<'_, '_, '_>, url: &str, format: Format, parent: usize) {
    let palette = flow.settings.palette;
    let body = flow.body_style();
    let size = format.qr_size();
    flow.ensure(size);
    let (x, y) = (flow.left, flow.y);
    let gutter = 10.0 * format.scale();
    let text_x = x + size + gutter;
    let text_w = flow.width - size - gutter;
    let short = printed_address(url);
    let figure = flow.open(Role::Figure, parent);
    flow.tree[figure].alt = Some(format!("QR code for {short}"));
    // Measuring only, the code is left undrawn: its size is fixed, and working out its modules
    // (choosing the mask) was the most of a leaflet's layout in `check`.
    let items = if flow.measure_only { None } else { qr::items(url, x, y, size, palette.text, Tag::Elem(figure)) };
    if let Some(items) = items {
        for item in items {
            flow.push(item);
        }
    }
    // The quiet zone is white space: the words line up with the code's dark modules.
    let modules = qr::modules_with_quiet_zone(url).unwrap_or(29);
    let inset = size * qr::QUIET_ZONE as f32 / modules as f32;
    let mut top = y + inset * 0.5;
    let p = flow.open(Role::P, parent);
    top += flow.text_box(&text(ONLINE_HEADING), TextStyle { style: Style::Bold, ..body }, text_x, top, text_w, p);
    let p = flow.open(Role::P, parent);
    top += flow.text_box(&text("Scan the QR code with your phone’s camera, or go to:"), body, text_x, top, text_w, p);
    let p = flow.open(Role::P, parent);
    let address = [link(&short, url.to_string())];
    top += flow.text_box(&address, TextStyle { color: palette.accent, ..body }, text_x, top + 2.0, text_w, p);
    flow.y = (y + size).max(top) + body.size * 0.6;
}

/// "Page X of Y" and the title in the footer of every page after the cover, and the DRAFT mark
/// on every page of a draft; all artifacts.
fn furniture(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, format: Format) {
    let page = flow.settings.page;
    let palette = flow.settings.palette;
    let small = flow.settings.type_scale.small;
    let k = format.scale();
    let total = flow.pages.len();
    let left = page.margin_left;
    let right = page.width - page.margin_right;
    let footer_top = page.height - page.margin_bottom + 16.0 * k;
    let muted = TextStyle { style: Style::Regular, size: small, color: palette.muted };
    for index in 0..total {
        if index == 0 {
            continue;
        }
        let y = footer_top - 6.0 * k;
        flow.furniture_rule(index, left, right, y, palette.rule);
        let number = format!("Page {} of {}", index + 1, total);
        let width = flow.text_at(index, &number, muted, right, footer_top, true, Tag::Artifact);
        let room = (page.text_width() - width - 16.0 * k) / (small * 0.5);
        flow.text_at(index, &fit(&view.title, room), muted, left, footer_top, false, Tag::Artifact);
    }
}

/// Shortens `s` to about `max_chars` characters with an ellipsis.
fn fit(s: &str, max_chars: f32) -> String {
    let max = max_chars.max(8.0) as usize;
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    // Cut at a word boundary when there is one.
    let cut = match cut.rfind(' ') {
        Some(space) if space > cut.len() / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

/// The three PDFs of one leaflet.
#[derive(Debug, Clone)]
pub struct PatientPdfs {
    /// `<id>.pdf`: A5.
    pub leaflet: Vec<u8>,
    /// `<id>-large-print.pdf`: A4, 18 pt.
    pub large_print: Vec<u8>,
    /// `<id>-booklet.pdf`: A5 pages imposed on A4 landscape sheets.
    pub booklet: Vec<u8>,
    /// Pages of the A5 leaflet.
    pub pages: usize,
    /// Problems found while laying out (from the A5 leaflet; the others share its content).
    pub problems: Vec<crate::pdf::layout::LayoutProblem>,
    /// Characters no font has, with the first line each is on.
    pub missing: std::collections::BTreeMap<char, usize>,
}

fn write_pdf(
    project: &Project,
    view: &AudienceView,
    layout: &Layout,
    subsets: &[crate::pdf::fonts::FaceSubset],
    variant: u64,
    imposed: bool,
) -> Result<Vec<u8>, String> {
    if pdf_output::layout_only() {
        return Ok(Vec::new());
    }
    let info = writer::DocInfo {
        title: view.title.clone(),
        author: project.config.organisation.clone(),
        subject: COVER_LINE.to_string(),
        date_unix: view.document_date.unix_seconds(),
    };
    let written = writer::write(layout, subsets, &project.pictures, &info);
    let seed = pdf_output::id_seed(view, layout) ^ variant.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let tag_info = tagging::TagInfo { lang: view.lang.as_deref().unwrap_or(&project.config.language), id_seed: seed };
    // The booklet's pages are imposed out of reading order: its tag tree keeps the leaflet's.
    let bytes = if imposed {
        tagging::finish_in_tree_order(written, layout, &tag_info)
    } else {
        tagging::finish(written, layout, &tag_info)
    };
    if bytes.is_empty() {
        return Err(format!("the patient leaflet PDF for `{}` could not be written", view.id));
    }
    Ok(bytes)
}

/// Renders the leaflet, large-print and booklet PDFs of one patient view.
pub fn render_patient_pdfs(project: &Project, view: &AudienceView) -> Result<PatientPdfs, String> {
    // What is reported comes from the A5 leaflet alone (the others share its content), so a
    // `check`, which writes no file, lays out neither the large print nor the booklet.
    if pdf_output::layout_only() {
        let leaflet = fonts::with_fonts(&project.theme, |fonts: &mut FontSet<'_>| {
            layout_leaflet(project, view, Format::Leaflet, fonts)
        })
        .map_err(|e| e.0)?;
        return Ok(PatientPdfs {
            leaflet: Vec::new(),
            large_print: Vec::new(),
            booklet: Vec::new(),
            pages: leaflet.layout.pages.len(),
            missing: leaflet.layout.missing,
            problems: leaflet.layout.problems,
        });
    }
    let (leaflet, large, subsets) = fonts::with_fonts(&project.theme, |fonts: &mut FontSet<'_>| {
        let leaflet = layout_leaflet(project, view, Format::Leaflet, fonts);
        let large = layout_leaflet(project, view, Format::LargePrint, fonts);
        (leaflet, large, fonts.subsets())
    })
    .map_err(|e| e.0)?;
    let booklet = booklet_layout(&leaflet);
    Ok(PatientPdfs {
        leaflet: write_pdf(project, view, &leaflet.layout, &subsets, 1, false)?,
        large_print: write_pdf(project, view, &large.layout, &subsets, 2, false)?,
        booklet: write_pdf(project, view, &booklet, &subsets, 3, true)?,
        pages: leaflet.layout.pages.len(),
        missing: leaflet.layout.missing.clone(),
        problems: leaflet.layout.problems,
    })
}

/// The leaflet PDFs of every patient view, rendered in parallel; problems are reported in
/// library order. A view with nothing but headings gets a warning and no leaflet; a leaflet
/// over [`MAX_LEAFLET_PAGES`] A5 pages gets a warning.
/// [`patient_pdfs_gathering`] reporting its own characters no font has.
pub fn patient_pdfs(project: &Project, library: &Library, diags: &mut Diagnostics) -> Vec<Artifact> {
    let mut gaps = pdf_output::GlyphGaps::default();
    let out = patient_pdfs_gathering(project, library, diags, &mut gaps);
    gaps.report(diags);
    out
}

/// The same, gathering the characters no font has in `gaps` (reported once for all PDFs).
pub fn patient_pdfs_gathering(
    project: &Project,
    library: &Library,
    diags: &mut Diagnostics,
    gaps: &mut pdf_output::GlyphGaps,
) -> Vec<Artifact> {
    let views: Vec<&AudienceView> = library.all_views(Audience::Patient).collect();
    let rendered: Vec<(&AudienceView, Option<Result<PatientPdfs, String>>)> = views
        .par_iter()
        .map(|view| {
            let result = has_readable_content(view).then(|| render_patient_pdfs(project, view));
            (*view, result)
        })
        .collect();
    let dir = Audience::Patient.name();
    let mut artifacts = Vec::new();
    for (view, result) in rendered {
        match result {
            None => {
                let line = view.blocks.first().map_or(1, |b| b.line.max(1));
                diags
                    .warning(
                        Location::new(&view.source, line, 1),
                        "the patient text has only headings, so no patient leaflet is made",
                    )
                    .hint("write what patients need to know in the `::: patient` blocks, or remove them");
            }
            Some(Ok(pdfs)) => {
                pdf_output::report(diags, view, &pdfs.problems);
                gaps.add(view, &pdfs.missing);
                if pdfs.pages > MAX_LEAFLET_PAGES {
                    let line = view.blocks.first().map_or(1, |b| b.line.max(1));
                    diags
                        .warning(
                            Location::new(&view.source, line, 1),
                            format!(
                                "the patient leaflet is {} A5 pages long; leaflets should be at most {MAX_LEAFLET_PAGES}",
                                pdfs.pages
                            ),
                        )
                        .hint("cut the `::: patient` text to what patients need to know, and link to the rest");
                }
                let stem = view.stem();
                artifacts.push(Artifact::new(&format!("{dir}/{stem}.pdf"), pdfs.leaflet));
                artifacts.push(Artifact::new(&format!("{dir}/{stem}-large-print.pdf"), pdfs.large_print));
                artifacts.push(Artifact::new(&format!("{dir}/{stem}-booklet.pdf"), pdfs.booklet));
            }
            Some(Err(message)) => {
                diags.error(Location::file_start(&view.source), message).hint("check the theme's fonts");
            }
        }
    }
    artifacts
}
