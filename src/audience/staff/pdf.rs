//! The staff policy PDF's document design: cover with the policy's metadata, contents with
//! page numbers, the body, end sections (version history, related policies, further details)
//! and the running header and footer.
//!
//! Layout only, through [`Flow`]: no PDF objects and no disk. Page numbers of the contents are
//! filled in once the body is laid out ([`layout_staff_numbered`]), or come from a previous
//! pass ([`layout_staff`]).

use std::collections::BTreeMap;

use crate::audience::pdf_output::{self, RenderedPdf, Site, site_of};
use crate::audience::pictures::Icons;
use crate::audience::staff::changes::{Piece, changes};
use crate::audience::staff::pages::{published_earlier, version_slug};
use crate::diag::{Diagnostics, Location};
use crate::load::Project;
use crate::load::config::ThemeSettings;
use crate::model::Artifact;
use crate::model::dates::ReviewStatus;
use crate::model::{Align, Audience, BlockKind, Inline, LinkTarget};
use crate::pdf::fonts::{self, FontSet, Style};
use crate::pdf::layout::{Dest, Flow, Item, Layout, Role, Tag, TextStyle};
use crate::pdf::settings::{PageSpec, Palette, PdfSettings, Rgb, TypeScale};
use crate::pdf::{tagging, writer};
use crate::resolve::AudienceView;
use rayon::prelude::*;

/// Anchors of the end sections; prefixed so they cannot clash with the author's headings.
pub const HISTORY_ANCHOR: &str = "pdf-version-history";
/// See [`HISTORY_ANCHOR`].
pub const RELATED_ANCHOR: &str = "pdf-related-policies";
/// See [`HISTORY_ANCHOR`].
pub const DETAILS_ANCHOR: &str = "pdf-further-details";
/// See [`HISTORY_ANCHOR`].
pub const CHANGES_ANCHOR: &str = "pdf-what-changed";

/// The staff policy PDF: A4, 11.5 pt body (the theme may change it), 1.4 line height, NHS
/// colours.
pub fn settings(theme: &ThemeSettings) -> PdfSettings {
    let scale = TypeScale { body: 11.5, leading: 1.4, headings: [26.0, 17.0, 14.0, 12.5, 11.5, 11.5], small: 9.0 };
    PdfSettings {
        page: PageSpec::a4(),
        type_scale: scale.scaled(theme.pdf.staff_body / scale.body),
        palette: Palette::from_theme(&theme.colours),
    }
}

/// The contents entries: headings of levels 2 and 3, then the end sections.
fn contents_entries(view: &AudienceView) -> Vec<(u8, String, String)> {
    let mut entries: Vec<(u8, String, String)> = view
        .blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading { level, content, anchor } if *level <= 3 => {
                Some((*level, crate::model::plain_text(content).trim().to_string(), anchor.clone()))
            }
            _ => None,
        })
        .collect();
    for (title, anchor) in end_sections(view) {
        entries.push((2, title, anchor.to_string()));
    }
    entries
}

fn what_changed_title(view: &AudienceView) -> String {
    format!("What changed in version {}", view.version)
}

fn end_sections(view: &AudienceView) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    if let Some(staff) = &view.staff {
        if !staff.earlier.is_empty() {
            out.push((what_changed_title(view), CHANGES_ANCHOR));
        }
        if !staff.history.is_empty() {
            out.push(("Version history".to_string(), HISTORY_ANCHOR));
        }
        if !staff.related.is_empty() {
            out.push(("Related policies".to_string(), RELATED_ANCHOR));
        }
        if !staff.extra.is_empty() {
            out.push(("Further details".to_string(), DETAILS_ANCHOR));
        }
    }
    out
}

fn text(s: &str) -> Vec<Inline> {
    vec![Inline::Text(s.to_string())]
}

/// Lays out the whole staff PDF. `page_of` maps heading anchors to 1-based page numbers from
/// the previous pass (empty on the first pass).
pub fn layout_staff(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, site: &Site, page_of: &BTreeMap<String, usize>) {
    let _ = layout_staff_slots(flow, view, site, page_of);
}

/// Lays out the whole staff PDF in one pass: the contents get placeholder page numbers, which
/// are then replaced with the real ones once the body has been laid out. The result is the
/// layout a second [`layout_staff`] pass with this pass's page numbers would give: the
/// contents' numbers are single right-aligned lines that move nothing else, so the second pass
/// could only change them.
///
/// Returns false (leaving the placeholders) in the unexpected case that a real number takes a
/// different number of items than its placeholder; the caller then runs a second pass.
pub fn layout_staff_numbered(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, site: &Site) -> bool {
    let slots = layout_staff_slots(flow, view, site, &BTreeMap::new());
    let page_of = anchor_pages(&flow.anchors);
    slots.iter().all(|slot| slot.replace(flow, &page_of))
}

fn layout_staff_slots(
    flow: &mut Flow<'_, '_, '_>,
    view: &AudienceView,
    site: &Site,
    page_of: &BTreeMap<String, usize>,
) -> Vec<NumberSlot> {
    cover(flow, view, site);
    flow.new_page();
    let slots = contents(flow, view, page_of);
    flow.new_page();
    let body = flow.open(Role::Sect, 0);
    flow.blocks(&view.blocks, body);
    end_matter(flow, view, site);
    slots
}

/// Where a contents entry's page number was drawn, and how, so it can be drawn again.
struct NumberSlot {
    anchor: String,
    page: usize,
    /// The number's items are `first..first + count` of the page's items.
    first: usize,
    count: usize,
    style: TextStyle,
    right: f32,
    top: f32,
    /// The number's element (a `Span` in the entry's link).
    number_part: usize,
}

impl NumberSlot {
    /// Draws the number `page_of` gives and puts its items in the placeholder's place (same
    /// item indices, so the tag tree's references stay right). False when the counts differ.
    fn replace(&self, flow: &mut Flow<'_, '_, '_>, page_of: &BTreeMap<String, usize>) -> bool {
        let number = number_text(page_of, &self.anchor);
        let start = flow.pages[self.page].items.len();
        let kids = flow.tree[self.number_part].kids.len();
        flow.text_at(self.page, &number, self.style, self.right, self.top, true, Tag::Elem(self.number_part));
        let items = &mut flow.pages[self.page].items;
        if items.len() - start != self.count {
            return false;
        }
        let fresh: Vec<Item> = items.drain(start..).collect();
        for (slot, item) in items[self.first..self.first + self.count].iter_mut().zip(fresh) {
            *slot = item;
        }
        // The fresh items' entries in the tag tree point past the page's end: the placeholder's
        // entries already point at their places.
        flow.tree[self.number_part].kids.truncate(kids);
        flow.tree[self.number_part].alt = Some(page_alt(&number));
        true
    }
}

/// What a screen reader says for a contents entry's page number.
fn page_alt(number: &str) -> String {
    format!("page {number}")
}

fn number_text(page_of: &BTreeMap<String, usize>, anchor: &str) -> String {
    page_of.get(anchor).map_or_else(|| "0".to_string(), |n| n.to_string())
}

fn cover(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, site: &Site) {
    let page = flow.settings.page;
    let palette = flow.settings.palette;
    let sect = flow.open(Role::Sect, 0);
    let band = 62.0;
    flow.push(Item::Rect {
        x: 0.0,
        y: 0.0,
        w: page.width,
        h: band + page.margin_top * 0.5,
        fill: Some(palette.accent),
        stroke: None,
        tag: Tag::Artifact,
    });
    let white = Rgb(0xFFFFFF);
    // The Trust's logo top right (NHS identity); the organisation's name keeps clear of it.
    let right = page.width - page.margin_right;
    let logo_w = site
        .logo
        .as_ref()
        .map_or(0.0, |l| l.draw_top_right(flow, right, 14.0 * 72.0 / 25.4, page.text_width() * 0.4, sect) + 12.0);
    let org = flow.open(Role::P, sect);
    flow.text_box(
        &text(&site.organisation),
        TextStyle { style: Style::Bold, size: 15.0, color: white },
        page.margin_left,
        page.margin_top * 0.5 + 14.0,
        page.text_width() - logo_w,
        org,
    );
    let kind = flow.open(Role::P, sect);
    flow.text_box(
        &text("Staff policy"),
        TextStyle { style: Style::Regular, size: 12.0, color: white },
        page.margin_left,
        page.margin_top * 0.5 + 36.0,
        page.text_width(),
        kind,
    );
    flow.y = band + page.margin_top * 0.5 + 48.0;
    if view.draft {
        let draft = flow.open(Role::P, sect);
        let h = flow.text_box(
            &text("DRAFT – not approved for use"),
            TextStyle { style: Style::Bold, size: 18.0, color: palette.warning },
            flow.left,
            flow.y,
            flow.width,
            draft,
        );
        flow.y += h + 8.0;
    }
    let title = flow.open(Role::H(1), sect);
    let title_size = flow.settings.type_scale.heading(1);
    flow.paragraph(&text(&view.title), TextStyle { style: Style::Bold, size: title_size, color: palette.text }, title);
    flow.y += 10.0;
    if let Some(summary) = view.staff.as_ref().and_then(|s| s.summary.as_deref()) {
        let p = flow.open(Role::P, sect);
        flow.paragraph(&text(summary.trim()), TextStyle { style: Style::Regular, size: 13.0, color: palette.muted }, p);
        flow.y += 14.0;
    }
    let superseded = view.staff.as_ref().and_then(|s| s.superseded_by.as_ref());
    if let Some(by) = superseded {
        let on = by.on.map(|d| format!(" on {}", d.long())).unwrap_or_default();
        let message = format!(
            "Superseded{on} by version {}: this is version {}, kept as the record of what was in force before. Read the current version in the policy library.",
            by.version, view.version
        );
        banner(flow, &message, sect);
        flow.y += 12.0;
    } else if view.review_status == ReviewStatus::Overdue {
        overdue_banner(flow, view, sect);
        flow.y += 12.0;
    }
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(reference) = &view.reference {
        pairs.push(("Reference", reference.clone()));
    }
    pairs.push(("Version", view.version.clone()));
    if let Some(staff) = &view.staff {
        let status =
            if staff.superseded_by.is_some() { "Superseded".to_string() } else { capitalise(staff.status.name()) };
        pairs.push(("Status", status));
        if let Some(by) = &staff.approved_by {
            pairs.push(("Approved by", by.clone()));
        }
        if let Some(date) = staff.approved_date {
            pairs.push(("Approved on", date.long()));
        }
        if let Some(owner) = &staff.owner {
            pairs.push(("Owner", owner.clone()));
        }
    }
    let review = match view.review_status {
        ReviewStatus::Overdue => format!("{} (overdue)", view.review_date.long()),
        ReviewStatus::DueSoon => format!("{} (due soon)", view.review_date.long()),
        ReviewStatus::InDate => view.review_date.long(),
    };
    pairs.push(("Review date", review));
    key_value_table(flow, &pairs, sect);
    flow.y += 14.0;
    uncontrolled_note(flow, view, site, sect);
}

/// "Uncontrolled when printed": what a printed copy says about where the current version is.
/// With `base-url`, the address of the policy's live page; without it, the policy library.
pub fn uncontrolled_statement(view: &AudienceView, site: &Site) -> (String, Option<String>) {
    match site.live_page(&view.id) {
        Some(url) => {
            let shown = crate::audience::patient_facing::printed_address(&url);
            (format!("Uncontrolled when printed: check {shown} for the current version."), Some(url))
        }
        None => {
            ("Uncontrolled when printed: check the staff policy library for the current version.".to_string(), None)
        }
    }
}

/// The uncontrolled-copy statement on the cover, in bold on a ruled panel, its address a link.
fn uncontrolled_note(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, site: &Site, parent: usize) {
    let palette = flow.settings.palette;
    let (statement, url) = uncontrolled_statement(view, site);
    let style = TextStyle { style: Style::Bold, size: flow.settings.type_scale.body, color: palette.text };
    let inlines: Vec<Inline> = match (&url, statement.split_once("check ")) {
        (Some(url), Some((before, after))) => {
            let (shown, rest) = after.split_once(' ').unwrap_or((after, ""));
            // The address starts a line of its own, so it is not broken at one of its hyphens.
            vec![
                Inline::Text(format!("{before}check")),
                Inline::LineBreak,
                Inline::Link {
                    target: LinkTarget::External(url.clone()),
                    content: text(shown),
                    title: None,
                    at: (0, 0),
                },
                Inline::Text(format!(" {rest}")),
            ]
        }
        _ => text(&statement),
    };
    let pad = 8.0;
    let height = flow.measure(&inlines, style, flow.width - 2.0 * pad) + 2.0 * pad;
    flow.ensure(height);
    let (x, y, w) = (flow.left, flow.y, flow.width);
    flow.push(Item::Rect { x, y, w, h: height, fill: None, stroke: Some((palette.rule, 1.0)), tag: Tag::Artifact });
    let p = flow.open(Role::P, parent);
    flow.text_box(&inlines, style, x + pad, y + pad, w - 2.0 * pad, p);
    flow.y += height;
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn overdue_banner(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, parent: usize) {
    let message = format!(
        "Overdue for review: this policy was due for review on {}. Check with the policy owner that it is still current before relying on it.",
        view.review_date.long()
    );
    banner(flow, &message, parent);
}

/// A bold message on a tinted panel with a warning bar.
fn banner(flow: &mut Flow<'_, '_, '_>, message: &str, parent: usize) {
    let palette = flow.settings.palette;
    let style = TextStyle { style: Style::Bold, size: flow.settings.type_scale.body, color: palette.text };
    let pad = 8.0;
    let height = flow.measure(&text(message), style, flow.width - 2.0 * pad - 4.0) + 2.0 * pad;
    flow.ensure(height);
    let (x, y, w) = (flow.left, flow.y, flow.width);
    flow.push(Item::Rect { x, y, w, h: height, fill: Some(palette.warning_shade), stroke: None, tag: Tag::Artifact });
    flow.push(Item::Rect { x, y, w: 4.0, h: height, fill: Some(palette.warning), stroke: None, tag: Tag::Artifact });
    let p = flow.open(Role::P, parent);
    flow.text_box(&text(message), style, x + 4.0 + pad, y + pad, w - 2.0 * pad - 4.0, p);
    flow.y += height;
}

/// Label and value rows, tagged as a table whose first column is row headers.
fn key_value_table(flow: &mut Flow<'_, '_, '_>, pairs: &[(&str, String)], parent: usize) {
    let palette = flow.settings.palette;
    let size = flow.settings.type_scale.body;
    let lh = flow.settings.line_height(size);
    let label_w = 110.0;
    let table = flow.open(Role::Table, parent);
    for (label, value) in pairs {
        let value_style = TextStyle { style: Style::Regular, size, color: palette.text };
        let h = flow.measure(&text(value), value_style, flow.width - label_w).max(lh) + 8.0;
        flow.ensure(h);
        let tr = flow.open(Role::TR, table);
        let th = flow.open(Role::TH, tr);
        let (x, y) = (flow.left, flow.y + 4.0);
        flow.text_box(
            &text(label),
            TextStyle { style: Style::Bold, size, color: palette.muted },
            x,
            y,
            label_w - 6.0,
            th,
        );
        let td = flow.open(Role::TD, tr);
        flow.text_box(&text(value), value_style, x + label_w, y, flow.width - label_w, td);
        flow.y += h;
        let (x1, x2, y) = (flow.left, flow.left + flow.width, flow.y);
        flow.push(Item::Rule { x1, y1: y, x2, y2: y, width: 0.5, color: palette.rule, tag: Tag::Artifact });
    }
}

fn contents(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, page_of: &BTreeMap<String, usize>) -> Vec<NumberSlot> {
    let palette = flow.settings.palette;
    let sect = flow.open(Role::Sect, 0);
    let size = flow.settings.type_scale.heading(2);
    let heading = flow.open(Role::H(2), sect);
    flow.paragraph(&text("Contents"), TextStyle { style: Style::Bold, size, color: palette.accent }, heading);
    flow.y += 8.0;
    let toc = flow.open(Role::TOC, sect);
    let body = flow.settings.type_scale.body;
    let lh = flow.settings.line_height(body);
    let number_w = 36.0;
    let mut slots = Vec::new();
    for (level, title, anchor) in contents_entries(view) {
        let indent = if level <= 2 { 0.0 } else { 18.0 };
        let style =
            TextStyle { style: if level <= 2 { Style::Bold } else { Style::Regular }, size: body, color: palette.text };
        let width = flow.width - indent - number_w;
        let h = flow.measure(&text(&title), style, width);
        flow.space(if level <= 2 { 5.0 } else { 0.0 });
        flow.ensure(h);
        // An entry is TOCI > Reference > Link (ISO 32000-1 Table 333: a Reference to the title
        // and the page number), the page number a Span of its own whose alternative text says it
        // is a page: a screen reader says "1. Purpose, page 3", never "1. Purpose3". One link,
        // so one stop for the keyboard, over the title and the number.
        let entry = flow.open(Role::TOCI, toc);
        let reference = flow.open(Role::Reference, entry);
        let link = flow.open(Role::Link, reference);
        let (x, y) = (flow.left + indent, flow.y);
        // A space after the title keeps it apart from the number in text read as one string.
        flow.text_box(&text(&format!("{title} ")), style, x, y, width, link);
        let number = number_text(page_of, &anchor);
        let number_part = flow.open(Role::Span, link);
        flow.tree[number_part].alt = Some(page_alt(&number));
        let right = flow.left + flow.width;
        let page = flow.pages.len() - 1;
        let top = y + h - lh;
        let first = flow.pages[page].items.len();
        flow.text_at(page, &number, style, right, top, true, Tag::Elem(number_part));
        let count = flow.pages[page].items.len() - first;
        flow.push(Item::Link { x, y, w: right - x, h, dest: Dest::Anchor(anchor.clone()), tag: Tag::Elem(link) });
        flow.y += h + 1.0;
        slots.push(NumberSlot { anchor, page, first, count, style, right, top, number_part });
    }
    slots
}

fn end_matter(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, site: &Site) {
    let Some(staff) = &view.staff else {
        return;
    };
    let sect = flow.open(Role::Sect, 0);
    if let Some(previous) = staff.earlier.first() {
        what_changed(flow, view, previous, sect);
    }
    if !staff.history.is_empty() {
        flow.heading(2, &text("Version history"), HISTORY_ANCHOR, sect, true);
        let header = vec![text("Version"), text("Date"), text("Changes")];
        let rows: Vec<Vec<Vec<Inline>>> =
            staff.history.iter().map(|h| vec![text(&h.version), text(&h.date.long()), text(&h.changes)]).collect();
        flow.table(&[Align::Left, Align::Left, Align::Left], &header, &rows, sect);
        flow.y += 10.0;
    }
    if !staff.related.is_empty() {
        flow.heading(2, &text("Related policies"), RELATED_ANCHOR, sect, true);
        let items: Vec<Vec<BlockKind>> = staff
            .related
            .iter()
            .map(|r| {
                let inline = match &r.title {
                    Some(title) => Inline::Link {
                        target: LinkTarget::Policy { id: r.id.clone(), fragment: None },
                        content: text(title),
                        title: None,
                        at: (0, 0),
                    },
                    None => Inline::Text(format!("{} (not published)", r.id)),
                };
                vec![BlockKind::Paragraph(vec![inline])]
            })
            .collect();
        flow.block(&BlockKind::List { start: None, tight: true, items }, sect);
    }
    if !staff.extra.is_empty() {
        flow.heading(2, &text("Further details"), DETAILS_ANCHOR, sect, true);
        let labelled: Vec<(String, String)> =
            staff.extra.iter().map(|(k, v)| (crate::audience::staff::pages::extra_label(k), v.clone())).collect();
        let refs: Vec<(&str, String)> = labelled.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        key_value_table(flow, &refs, sect);
    }
    if let Some(credit) = site.credit {
        flow.y += 10.0;
        let p = flow.open(Role::P, sect);
        let style = TextStyle {
            style: Style::Regular,
            size: flow.settings.type_scale.small,
            color: flow.settings.palette.muted,
        };
        flow.paragraph(&text(&format!("{credit}.")), style, p);
    }
}

/// "What changed in version <n>": each changed passage, additions and removals named in words
/// ("[added: ...]" in bold, "[removed: ...]" in italics), so print in black and white and screen
/// readers show them as clearly as colour would.
fn what_changed(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, previous: &AudienceView, sect: usize) {
    flow.heading(2, &text(&what_changed_title(view)), CHANGES_ANCHOR, sect, true);
    let intro = format!(
        "Compared with the staff text of version {}. Added words are in bold, as [added: …]; removed words are in italics, as [removed: …].",
        previous.version
    );
    flow.block(&BlockKind::Paragraph(text(&intro)), sect);
    let passages = changes(&previous.blocks, &view.blocks);
    if passages.is_empty() {
        flow.block(
            &BlockKind::Paragraph(text(
                "The staff text is the same; only the details about the policy changed (see the version history).",
            )),
            sect,
        );
    }
    for passage in passages {
        if let Some(section) = &passage.section {
            flow.block(
                &BlockKind::Paragraph(vec![
                    Inline::Text("In ".into()),
                    Inline::Strong(text(section)),
                    Inline::Text(":".into()),
                ]),
                sect,
            );
        }
        let mut inlines: Vec<Inline> = Vec::new();
        let mut after_removal = false;
        for piece in &passage.pieces {
            // A replacement reads "[removed: ...] [added: ...]", with a space between the two.
            if after_removal && matches!(piece, Piece::Added(_)) {
                inlines.push(Inline::Text(" ".into()));
            }
            after_removal = matches!(piece, Piece::Removed(_));
            inlines.push(match piece {
                Piece::Same(t) => Inline::Text(t.clone()),
                Piece::Added(t) => Inline::Strong(text(&format!("[added: {t}]"))),
                Piece::Removed(t) => Inline::Emphasis(text(&format!("[removed: {t}]"))),
            });
        }
        flow.block(
            &BlockKind::List { start: None, tight: true, items: vec![vec![BlockKind::Paragraph(inlines)]] },
            sect,
        );
    }
    flow.y += 10.0;
}

/// Adds the running header and footer to every page as artifacts: title, version, review date
/// (flagged when overdue), DRAFT on drafts, organisation and "Page X of Y".
pub fn furniture(flow: &mut Flow<'_, '_, '_>, view: &AudienceView, site: &Site) {
    let page = flow.settings.page;
    let palette = flow.settings.palette;
    let small = flow.settings.type_scale.small;
    let total = flow.pages.len();
    let left = page.margin_left;
    let right = page.width - page.margin_right;
    let header_top = page.margin_top - 30.0;
    let footer_top = page.height - page.margin_bottom + 14.0;
    let muted = TextStyle { style: Style::Regular, size: small, color: palette.muted };
    // Dates are written one way everywhere, as the body writes them: "30 September 2023".
    let review = format!(
        "Version {} · Review date {}{}",
        view.version,
        view.review_date.long(),
        if view.review_status == ReviewStatus::Overdue { " (overdue)" } else { "" }
    );
    let (statement, _) = uncontrolled_statement(view, site);
    // The statement takes a line of its own under the organisation and page number, or two when
    // the address is long (it is never cut short).
    let wraps = flow.measure(&text(&statement), muted, right - left) > flow.settings.line_height(small) + 0.5;
    let statement_lines: Vec<String> = match statement.split_once(" for the current") {
        Some((first, rest)) if wraps => vec![first.to_string(), format!("for the current{rest}")],
        _ => vec![statement.clone()],
    };
    for index in 0..total {
        // Measuring only (`check`), the furniture shows nothing and matters only for the
        // characters no face has: every page after the first two (the cover has no header)
        // repeats their words but for its number, so only the number is set there.
        let whole = !flow.measure_only || index < 2;
        if index > 0 && whole {
            let title_width = flow.width - 150.0;
            let title = fit(&view.title, title_width / (small * 0.5));
            flow.text_at(index, &title, muted, left, header_top, false, Tag::Artifact);
            let review_style = if view.review_status == ReviewStatus::Overdue {
                TextStyle { style: Style::Bold, color: palette.warning, ..muted }
            } else {
                muted
            };
            flow.text_at(index, &review, review_style, right, header_top, true, Tag::Artifact);
            let y = header_top + small * 1.6;
            flow.furniture_rule(index, left, right, y, palette.rule);
        }
        let number = format!("Page {} of {}", index + 1, total);
        if !whole {
            flow.text_at(index, &number, muted, right, footer_top, true, Tag::Artifact);
            continue;
        }
        let y = footer_top - 4.0;
        flow.furniture_rule(index, left, right, y, palette.rule);
        flow.text_at(index, &site.organisation, muted, left, footer_top, false, Tag::Artifact);
        flow.text_at(index, &number, muted, right, footer_top, true, Tag::Artifact);
        for (n, line) in statement_lines.iter().enumerate() {
            let top = footer_top + (n as f32 + 1.0) * small * 1.4;
            flow.text_at(index, line, muted, left, top, false, Tag::Artifact);
        }
    }
}

/// Shortens `s` to about `max_chars` characters with an ellipsis.
fn fit(s: &str, max_chars: f32) -> String {
    let max = max_chars.max(8.0) as usize;
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// Heading anchors to 1-based page numbers.
pub fn page_numbers(layout: &Layout) -> BTreeMap<String, usize> {
    anchor_pages(&layout.anchors)
}

fn anchor_pages(anchors: &BTreeMap<String, (usize, f32)>) -> BTreeMap<String, usize> {
    anchors.iter().map(|(anchor, (page, _))| (anchor.clone(), page + 1)).collect()
}

/// Lays out the staff PDF of `view`: one pass whose contents page numbers are filled in at the
/// end (a second pass only if that cannot be done in place).
pub fn layout_staff_pdf(project: &Project, view: &AudienceView, fonts: &mut FontSet<'_>) -> Layout {
    let site = Site { credit: crate::audience::pictures::credit_of(&project.theme, &view.blocks), ..site_of(project) };
    let icons = Icons::new(&project.theme);
    let icon_lookup = |name: &str| icons.get(name);
    let describe_icon = |name: &str| project.theme.icon_description(name);
    let resolve = |target: &crate::model::LinkTarget| site.dest(target);
    let settings = settings(&project.theme_settings);
    let mut flow = Flow::new(fonts, settings, &project.images, &icon_lookup, &resolve);
    flow.describe_icon = &describe_icon;
    // `check` wants the page count and the problems, not the pages: paragraphs go uncopied.
    flow.measure_only = pdf_output::layout_only();
    if layout_staff_numbered(&mut flow, view, &site) {
        furniture(&mut flow, view, &site);
        if view.draft {
            pdf_output::mark_draft_pages(&mut flow);
        }
        return flow.finish();
    }
    let mut page_of = page_numbers(&flow.finish());
    let mut result = None;
    for _pass in 0..2 {
        let mut flow = Flow::new(fonts, settings, &project.images, &icon_lookup, &resolve);
        flow.describe_icon = &describe_icon;
        flow.measure_only = pdf_output::layout_only();
        layout_staff(&mut flow, view, &site, &page_of);
        furniture(&mut flow, view, &site);
        if view.draft {
            pdf_output::mark_draft_pages(&mut flow);
        }
        let layout = flow.finish();
        let numbers = page_numbers(&layout);
        let stable = numbers == page_of;
        page_of = numbers;
        result = Some(layout);
        if stable {
            break;
        }
    }
    result.unwrap_or_else(|| Flow::new(fonts, settings, &project.images, &icon_lookup, &resolve).finish())
}

/// Renders the staff PDF of one policy.
pub fn render_staff_pdf(project: &Project, view: &AudienceView) -> Result<RenderedPdf, String> {
    fonts::with_fonts(&project.theme, |fonts: &mut FontSet<'_>| render_staff_pdf_with(project, view, fonts))
        .map_err(|e| e.0)?
}

/// Renders the staff PDF of one policy with fonts loaded before (and perhaps used for other
/// documents already: their cache of shaped words speeds this one up, and changes nothing in
/// its output).
pub fn render_staff_pdf_with(
    project: &Project,
    view: &AudienceView,
    fonts: &mut FontSet<'_>,
) -> Result<RenderedPdf, String> {
    fonts.start_document();
    let layout = layout_staff_pdf(project, view, fonts);
    if pdf_output::layout_only() {
        return Ok(RenderedPdf {
            pages: layout.pages.len(),
            bytes: Vec::new(),
            problems: layout.problems,
            missing: layout.missing,
        });
    }
    let subsets = fonts.subsets();
    let site = site_of(project);
    let staff = view.staff.as_ref();
    let info = writer::DocInfo {
        title: view.title.clone(),
        author: site.organisation.clone(),
        subject: staff.and_then(|s| s.summary.clone()).unwrap_or_else(|| format!("{} (staff policy)", view.title)),
        date_unix: view.document_date.unix_seconds(),
    };
    let written = writer::write(&layout, &subsets, &project.pictures, &info);
    let tag_info = tagging::TagInfo { lang: &project.config.language, id_seed: pdf_output::id_seed(view, &layout) };
    let bytes = tagging::finish(written, &layout, &tag_info);
    if bytes.is_empty() {
        return Err(format!("the PDF for `{}` could not be written", view.id));
    }
    Ok(RenderedPdf { pages: layout.pages.len(), bytes, problems: layout.problems, missing: layout.missing })
}

/// The staff PDFs of the policies of `views` (staff views; each with its published earlier
/// versions), rendered in parallel; problems are reported in the order given so messages do not
/// depend on thread timing. Reports its own characters no font has.
pub fn staff_pdfs(project: &Project, views: &[&AudienceView], diags: &mut Diagnostics) -> Vec<Artifact> {
    let mut gaps = pdf_output::GlyphGaps::default();
    let out = staff_pdfs_gathering(project, views, diags, &mut gaps);
    gaps.report(diags);
    out
}

/// The same, gathering the characters no font has in `gaps` (reported once for all PDFs).
pub fn staff_pdfs_gathering(
    project: &Project,
    views: &[&AudienceView],
    diags: &mut Diagnostics,
    gaps: &mut pdf_output::GlyphGaps,
) -> Vec<Artifact> {
    // Fonts are loaded once, not per document (pdf::fonts::with_fonts keeps the sets).
    let render = |view: &AudienceView| -> Result<RenderedPdf, String> { render_staff_pdf(project, view) };
    // Every current version, then each published earlier version of it.
    let documents: Vec<(&AudienceView, String)> = views
        .iter()
        .flat_map(|view| {
            let current = (*view, format!("{}/{}.pdf", Audience::Staff.name(), view.id));
            let earlier = published_earlier(view).into_iter().map(|(old, _)| {
                (old, format!("{}/{}/{}.pdf", Audience::Staff.name(), view.id, version_slug(&old.version)))
            });
            std::iter::once(current).chain(earlier)
        })
        .collect();
    let rendered: Vec<(&AudienceView, &str, Result<RenderedPdf, String>)> =
        documents.par_iter().map(|(view, path)| (*view, path.as_str(), render(view))).collect();
    let mut artifacts = Vec::with_capacity(rendered.len());
    for (view, path, result) in rendered {
        match result {
            Ok(pdf) => {
                pdf_output::report(diags, view, &pdf.problems);
                gaps.add(view, &pdf.missing);
                artifacts.push(Artifact::new(path, pdf.bytes));
            }
            Err(message) => {
                diags.error(Location::file_start(&view.source), message).hint("check the theme's fonts");
            }
        }
    }
    artifacts
}
