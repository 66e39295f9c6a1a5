//! Pagination of the patient leaflets (issue 14): sections flow across pages, no heading ends a
//! page, a list stays with its lead-in, no page but the last of the text is more than a third
//! empty, and the A5 leaflet fills a multiple of four pages for its booklet, with "Notes and
//! questions to ask" pages instead of blank ones and page numbers that count physical pages.
//!
//! Emptiness is measured from the drawn text boxes: the foot of the lowest line of text on a
//! page (its baseline plus the descent) against the foot of the text area.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{FixtureProject, fixture_project_with, item_text, test_date};
use policypress::audience::patient::pdf::{Format, LeafletLayout, NOTES_HEADING, booklet_layout, layout_leaflet};
use policypress::diag::Diagnostics;
use policypress::load::{Project, load_project};
use policypress::model::Audience;
use policypress::model::dates::Date;
use policypress::parse::parse_project;
use policypress::pdf::fonts::FontSet;
use policypress::pdf::layout::{Item, Kid, Layout, Role, Tag};
use policypress::resolve::{AudienceView, Library, ResolveOptions, resolve};

const CONFIG: &str = "organisation: Example NHS Trust
public-url: https://www.example.nhs.uk/leaflets/
contact:
  name: Patient Advice and Liaison Service
  phone: 0116 496 0123
";

const FRONT: &str = "---
title: Test Policy
reference: TP-001
version: \"1.0\"
status: approved
approved-date: 2025-01-31
review-date: 2027-01-31
---
Staff text.

::: patient
# Staying on the ward
";

/// Words to build paragraphs of any length from (plain words, so every line is full).
const WORDS: [&str; 24] = [
    "you", "can", "ask", "the", "nurse", "in", "charge", "about", "your", "care", "and", "what", "will", "happen",
    "next", "on", "ward", "we", "want", "to", "help", "family", "visit", "often",
];

/// A paragraph of `n` words, the same every run.
fn words(n: usize, seed: usize) -> String {
    let mut out: Vec<&str> = (0..n).map(|i| WORDS[(i * 7 + seed * 13) % WORDS.len()]).collect();
    out[0] = "Please";
    format!("{}.", out.join(" "))
}

/// A long leaflet whose sections vary: short and long paragraphs, lists with lead-ins, third-level
/// headings, so that headings, lead-ins and splits land at every point of a page.
fn long_body(sections: usize) -> String {
    let mut body = String::from(FRONT);
    for s in 0..sections {
        body.push_str(&format!("## Section {s} about the ward\n\n"));
        let paragraphs = 1 + (s * 5) % 4;
        for p in 0..paragraphs {
            body.push_str(&format!("{}\n\n", words(8 + (s * 11 + p * 17) % 70, s + p)));
        }
        if s % 3 == 1 {
            body.push_str(&format!("{} These are the things staff must never post:\n\n", words(10 + s % 30, s)));
            for i in 0..(2 + s % 4) {
                body.push_str(&format!("- {}\n", words(4 + (i * 5 + s) % 14, i)));
            }
            body.push('\n');
        }
        if s % 4 == 2 {
            body.push_str(&format!("### More about section {s}\n\n{}\n\n", words(30 + s, s)));
        }
        if s % 5 == 3 {
            // A picture half as tall as the text area: where it does not fit, a page may be
            // left half empty unless it is drawn smaller.
            body.push_str("![A nurse ready to talk](images/nurse.png)\n\n");
        }
    }
    body.push_str(":::\n");
    body
}

/// A body of `fill` one-line paragraphs, then a lead-in and its list: as `fill` grows, the
/// lead-in lands at every line of a page.
fn lead_in_body(fill: usize) -> String {
    let mut body = String::from(FRONT);
    body.push_str("## What staff will never post about you\n\n");
    for n in 0..fill {
        body.push_str(&format!("Line {n} of the leaflet.\n\n"));
    }
    body.push_str("Our staff must keep your information private. Staff must never post:\n\n");
    body.push_str("- your name or photo\n- anything about your care\n- comments about your family\n:::\n");
    body
}

struct Leaflets {
    project: Project,
    library: Library,
    _dir: Option<tempfile::TempDir>,
}

impl Leaflets {
    fn views(&self) -> Vec<&AudienceView> {
        self.library.views(Audience::Patient).collect()
    }

    fn layout(&self, view: &AudienceView, format: Format) -> LeafletLayout {
        let mut fonts = FontSet::from_theme(&self.project.theme).expect("fonts");
        layout_leaflet(&self.project, view, format, &mut fonts)
    }
}

fn example() -> Leaflets {
    // Read only: the example project is loaded, never built or written to.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut diags = Diagnostics::new();
    let project = load_project(root, &mut diags).expect("example project");
    let policies = parse_project(&project, &mut diags);
    let today = Date::from_ymd(2026, 12, 1).expect("date");
    let library = resolve(&policies, ResolveOptions { today, drafts: true }, &mut diags);
    Leaflets { project, library, _dir: None }
}

fn generated(policy: &str) -> Leaflets {
    let picture: &[u8] = include_bytes!("../content/images/ask-a-nurse.png");
    let files = [("content/images/nurse.png", picture)];
    let FixtureProject { dir, project, library, diags } = fixture_project_with(CONFIG, policy, &files, test_date());
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    Leaflets { project, library, _dir: Some(dir) }
}

/// The example's leaflets and generated long ones.
fn all_leaflets() -> Vec<Leaflets> {
    let mut out = vec![example()];
    for sections in [9, 14, 23] {
        out.push(generated(&long_body(sections)));
    }
    out
}

/// The element each item belongs to, by (page, item).
fn owners(layout: &Layout) -> BTreeMap<(usize, usize), usize> {
    let mut out = BTreeMap::new();
    for (e, elem) in layout.tree.iter().enumerate() {
        for kid in &elem.kids {
            if let Kid::Item { page, item } = kid {
                out.insert((*page, *item), e);
            }
        }
    }
    out
}

fn parents(layout: &Layout) -> Vec<Option<usize>> {
    layout.tree.iter().map(|e| e.parent).collect()
}

/// Whether element `e` is, or is inside, an element of a role `is` accepts.
fn within(layout: &Layout, mut e: usize, is: &dyn Fn(Role) -> bool) -> bool {
    let parents = parents(layout);
    loop {
        if is(layout.tree[e].role) {
            return true;
        }
        match parents[e] {
            Some(p) => e = p,
            None => return false,
        }
    }
}

/// The foot of the lowest text box drawn on `page` (a line's baseline plus its descent) or
/// picture, page furniture left out; None for an empty page.
fn lowest_text(layout: &Layout, page: usize) -> Option<f32> {
    layout.pages[page]
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Text { y, size, tag: Tag::Elem(_), .. } => Some(y + size * 0.25),
            Item::Image { y, h, tag: Tag::Elem(_), .. } => Some(y + h),
            _ => None,
        })
        .reduce(f32::max)
}

fn empty_share(leaflets: &Leaflets, layout: &Layout, format: Format, page: usize) -> f32 {
    let spec = format.settings(&leaflets.project.theme_settings).page;
    let (top, bottom) = (spec.margin_top, spec.height - spec.margin_bottom);
    let lowest = lowest_text(layout, page).unwrap_or(top);
    (bottom - lowest).max(0.0) / (bottom - top)
}

#[test]
fn no_leaflet_page_but_the_last_of_the_text_is_more_than_a_third_empty() {
    let mut measured = 0;
    for leaflets in all_leaflets() {
        for view in leaflets.views() {
            for format in [Format::Leaflet, Format::LargePrint] {
                let leaflet = leaflets.layout(view, format);
                let last = leaflet.text_pages.end - 1;
                for page in leaflet.text_pages.clone().filter(|p| *p != last) {
                    let empty = empty_share(&leaflets, &leaflet.layout, format, page);
                    assert!(
                        empty <= 1.0 / 3.0,
                        "{} ({format:?}): page {} of {} is {:.0}% empty",
                        view.id,
                        page + 1,
                        leaflet.layout.pages.len(),
                        empty * 100.0
                    );
                    measured += 1;
                }
            }
        }
    }
    assert!(measured > 30, "only {measured} pages measured");
}

/// Every line of text in reading order: (page, baseline, inside a heading).
fn lines(layout: &Layout) -> Vec<(usize, f32, bool)> {
    let owners = owners(layout);
    let mut out: Vec<(usize, f32, bool)> = Vec::new();
    let mut order: Vec<(usize, usize)> = Vec::new();
    fn walk(layout: &Layout, e: usize, order: &mut Vec<(usize, usize)>) {
        for kid in &layout.tree[e].kids {
            match kid {
                Kid::Elem(c) => walk(layout, *c, order),
                Kid::Item { page, item } => order.push((*page, *item)),
            }
        }
    }
    walk(layout, 0, &mut order);
    for (page, item) in order {
        let Item::Text { y, .. } = &layout.pages[page].items[item] else { continue };
        let heading = within(layout, owners[&(page, item)], &|r| matches!(r, Role::H(_)));
        if out.last().is_none_or(|(p, ly, _)| *p != page || (ly - y).abs() > 0.5) {
            out.push((page, *y, heading));
        }
    }
    out
}

#[test]
fn a_heading_never_ends_a_page_and_keeps_two_lines_of_what_follows_it() {
    let mut headings = 0;
    for leaflets in all_leaflets() {
        for view in leaflets.views() {
            for format in [Format::Leaflet, Format::LargePrint] {
                let leaflet = leaflets.layout(view, format);
                let lines = lines(&leaflet.layout);
                for (i, (page, _, heading)) in lines.iter().enumerate() {
                    let next_is_heading = lines.get(i + 1).is_some_and(|l| l.2);
                    if !heading || next_is_heading {
                        continue;
                    }
                    headings += 1;
                    // The next two lines of text that are not a heading, up to the next heading.
                    let following: Vec<&(usize, f32, bool)> =
                        lines[i + 1..].iter().take_while(|l| !l.2).take(2).collect();
                    assert!(!following.is_empty(), "{}: a heading with nothing after it", view.id);
                    for line in following {
                        assert_eq!(
                            line.0,
                            *page,
                            "{} ({format:?}): a heading on page {} is parted from what follows it",
                            view.id,
                            page + 1
                        );
                    }
                }
            }
        }
    }
    assert!(headings > 40, "only {headings} headings checked");
}

/// For every list after a paragraph: the page of the paragraph's last line and of the list's
/// first line.
fn lead_ins(layout: &Layout) -> Vec<(usize, usize)> {
    let owners = owners(layout);
    let mut last_line: BTreeMap<usize, (usize, f32)> = BTreeMap::new();
    let mut first_line: BTreeMap<usize, (usize, f32)> = BTreeMap::new();
    let parents = parents(layout);
    for ((page, item), e) in &owners {
        let Item::Text { y, .. } = &layout.pages[*page].items[*item] else { continue };
        // Charge the line to every element above it.
        let mut at = Some(*e);
        while let Some(el) = at {
            let here = (*page, *y);
            let last = last_line.entry(el).or_insert(here);
            if here > *last {
                *last = here;
            }
            let first = first_line.entry(el).or_insert(here);
            if here < *first {
                *first = here;
            }
            at = parents[el];
        }
    }
    let mut out = Vec::new();
    for elem in &layout.tree {
        let kids: Vec<usize> =
            elem.kids.iter().filter_map(|k| if let Kid::Elem(c) = k { Some(*c) } else { None }).collect();
        for pair in kids.windows(2) {
            if layout.tree[pair[0]].role == Role::P
                && layout.tree[pair[1]].role == Role::L
                && let (Some(p), Some(l)) = (last_line.get(&pair[0]), first_line.get(&pair[1]))
            {
                out.push((p.0, l.0));
            }
        }
    }
    out
}

#[test]
fn a_list_stays_on_the_page_of_its_lead_in() {
    let mut checked = 0;
    let mut leaflets: Vec<Leaflets> = (0..40).step_by(3).map(|fill| generated(&lead_in_body(fill))).collect();
    leaflets.extend(all_leaflets());
    for leaflets in &leaflets {
        for view in leaflets.views() {
            for format in [Format::Leaflet, Format::LargePrint] {
                let leaflet = leaflets.layout(view, format);
                for (paragraph, list) in lead_ins(&leaflet.layout) {
                    assert_eq!(
                        paragraph,
                        list,
                        "{} ({format:?}): a lead-in on page {} and its list on page {}",
                        view.id,
                        paragraph + 1,
                        list + 1
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} lead-ins checked");
}

fn page_words(layout: &Layout, page: usize) -> String {
    let joined = layout.pages[page].items.iter().filter_map(item_text).collect::<Vec<_>>().join(" ");
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a5_leaflets_fill_a_multiple_of_four_pages_with_notes_pages_never_blank_ones() {
    let mut notes_seen = 0;
    let mut leaflets = all_leaflets();
    leaflets.extend((1..14).map(|n| generated(&long_body(n))));
    for leaflets in &leaflets {
        for view in leaflets.views() {
            let leaflet = leaflets.layout(view, Format::Leaflet);
            let layout = &leaflet.layout;
            let n = layout.pages.len();
            assert!(n.is_multiple_of(4), "{}: {n} A5 pages", view.id);
            assert!(leaflet.notes_pages.len() < 4, "{}: a whole sheet of notes", view.id);
            // No page is blank: each has something to read (notes pages their heading).
            for page in 0..n {
                let read = layout.pages[page].items.iter().any(|i| i.tag() != Tag::Artifact);
                assert!(read, "{}: page {} of {n} is blank", view.id, page + 1);
            }
            // Left-over pages are notes pages, between the text and the back page.
            for (k, page) in leaflet.notes_pages.clone().enumerate() {
                let words = page_words(layout, page);
                let heading = if k == 0 { NOTES_HEADING } else { "Notes" };
                assert!(words.starts_with(heading), "{}: page {}: {words}", view.id, page + 1);
                assert!(page >= leaflet.text_pages.end && page < leaflet.back_from, "{}", view.id);
                notes_seen += 1;
            }
            // Page numbers count physical pages: the back cover is page n of n.
            for page in 1..n {
                let words = page_words(layout, page);
                assert!(
                    words.contains(&format!("Page {} of {n}", page + 1)),
                    "{}: page {}: {words}",
                    view.id,
                    page + 1
                );
            }
            // The booklet imposes every page, none of them blank, two to a side.
            let booklet = booklet_layout(&leaflet);
            assert_eq!(booklet.pages.len(), n / 2);
            let half = layout.page_size.0;
            for (side, sheet_side) in booklet.pages.iter().enumerate() {
                for right in [false, true] {
                    let drawn = sheet_side.items.iter().any(|i| match i {
                        Item::Text { x, tag: Tag::Elem(_), .. } | Item::Image { x, tag: Tag::Elem(_), .. } => {
                            (*x > half) == right
                        }
                        _ => false,
                    });
                    assert!(drawn, "{}: booklet side {side} has a blank half", view.id);
                }
            }
        }
    }
    assert!(notes_seen > 0, "some leaflet has a notes page");
}

#[test]
fn the_back_page_is_one_page_in_the_sites_language_on_every_leaflet_and_translation() {
    // A translation's back page lists the other languages: at the leaflet's size its small
    // print ran onto a page of its own, the booklet's back cover. It is set smaller instead.
    let example = example();
    let views: Vec<&AudienceView> = example.library.all_views(Audience::Patient).collect();
    assert!(views.iter().any(|v| v.lang.as_deref() == Some("ar")), "the example has an Arabic leaflet");
    for view in views {
        for format in [Format::Leaflet, Format::LargePrint] {
            let leaflet = example.layout(view, format);
            let layout = &leaflet.layout;
            let last = layout.pages.len() - 1;
            assert_eq!(leaflet.back_from, last, "{} {:?}: the back page takes two pages", view.stem(), format);
            let words = page_words(layout, last);
            for expected in ["How to contact us", "other formats", "Next review due"] {
                assert!(words.contains(expected), "{} {:?}: {expected} not on {words}", view.stem(), format);
            }
            // Notes pages and the back page are in the site's language, set left to right.
            for page in leaflet.notes_pages.clone().chain([last]) {
                let words = page_words(layout, page);
                assert!(!words.contains(".the answers"), "{}: {words}", view.stem());
            }
        }
    }
}

#[test]
fn a_short_leaflet_shares_its_cover_or_back_page_rather_than_take_a_second_sheet() {
    // Text that needs a little more than two pages on its own: cover, text, back page would be
    // five pages, two sheets with three pages of notes; the text starts on the cover instead.
    let leaflets = generated(&long_body(5));
    let view = leaflets.views()[0];
    let leaflet = leaflets.layout(view, Format::Leaflet);
    let mut fonts = FontSet::from_theme(&leaflets.project.theme).expect("fonts");
    let large = layout_leaflet(&leaflets.project, view, Format::LargePrint, &mut fonts);
    assert!(leaflet.layout.pages.len() <= 8);
    assert!(leaflet.notes_pages.len() < 3, "{:?}", leaflet.notes_pages);
    // The large print is not folded: no notes pages, only the pages its text needs.
    assert!(large.notes_pages.is_empty());
    assert_eq!(large.text_pages.start, 1, "large print keeps its cover to itself");
}
