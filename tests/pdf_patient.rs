//! The patient leaflet PDFs (issue 4): the A5 leaflet, the A4 large print and the booklet,
//! checked as layout data and as parsed PDFs (lopdf), each test named after the rule it checks.

mod common;

use std::path::Path;

use common::{FixtureProject, fixture_project, item_text, media_boxes, test_date};
use lopdf::content::Content;
use lopdf::{Document, Object};
use policypress::audience::patient::pdf::{
    Format, LeafletLayout, booklet_layout, layout_leaflet, patient_pdfs, render_patient_pdfs,
};
use policypress::diag::{Diagnostics, Severity};
use policypress::load::{Project, load_project};
use policypress::model::dates::Date;
use policypress::model::{Audience, BlockKind, plain_text};
use policypress::parse::parse_project;
use policypress::pdf::fonts::FontSet;
use policypress::pdf::layout::{Dest, Item, Kid, Layout, Role, Tag};
use policypress::pdf::qr;
use policypress::resolve::{AudienceView, Library, ResolveOptions, resolve};

const MM: f32 = 72.0 / 25.4;

const CONFIG: &str = "organisation: Example NHS Trust
language: en-GB
base-url: https://intranet.example.nhs.uk/policies/
public-url: https://www.example.nhs.uk/leaflets/
contact:
  name: Patient Advice and Liaison Service
  phone: 0116 496 0123
  email: pals@example.nhs.uk
";

fn front(status: &str, review: &str) -> String {
    format!(
        "---
title: Test Policy
reference: TP-001
version: \"1.2\"
status: {status}
approved-date: 2025-01-31
approved-by: Policy Committee Secret
owner: Head of Hidden Things
review-date: {review}
summary: A staff summary that patients never see.
---
"
    )
}

const STAFF_ONLY: &str = "Staff must complete the confidential incident form within two working days.";

/// A patient body with `sections` sections of three paragraphs each.
fn patient_body(sections: usize) -> String {
    let mut body = format!("## 1. Scope\n\n{STAFF_ONLY}\n\n::: patient\n# About your stay\n\n");
    for n in 0..sections {
        body.push_str(&format!("## Section {n}\n\n"));
        for p in 0..3 {
            body.push_str(&format!(
                "Paragraph {p} of section {n} tells you what to expect on the ward and who to ask \
                 if you are not sure about something.\n\n"
            ));
        }
    }
    body.push_str(":::\n");
    body
}

struct Fixture {
    _dir: tempfile::TempDir,
    project: Project,
    library: Library,
    /// What loading, parsing and resolving reported.
    diags: Diagnostics,
}

impl Fixture {
    fn view(&self) -> &AudienceView {
        self.library.policies[0].view(Audience::Patient).expect("patient view")
    }
}

/// A project folder with `config` and one policy `test.md`, loaded and resolved.
fn fixture_with(config: &str, policy: &str, today: Date) -> Fixture {
    let FixtureProject { dir, project, library, diags } = fixture_project(config, policy, today);
    Fixture { _dir: dir, project, library, diags }
}

fn today() -> Date {
    test_date()
}

fn fixture(body: &str) -> Fixture {
    fixture_with(CONFIG, &format!("{}{body}", front("approved", "2027-01-31")), today())
}

fn layouts(f: &Fixture) -> (LeafletLayout, LeafletLayout, Layout) {
    let mut fonts = FontSet::from_theme(&f.project.theme).expect("fonts");
    let leaflet = layout_leaflet(&f.project, f.view(), Format::Leaflet, &mut fonts);
    let large = layout_leaflet(&f.project, f.view(), Format::LargePrint, &mut fonts);
    let booklet = booklet_layout(&leaflet);
    (leaflet, large, booklet)
}

/// The words of a page, single-spaced (lines keep their trailing spaces as glyphs).
fn page_text(layout: &Layout, page: usize) -> String {
    let joined = layout.pages[page].items.iter().filter_map(item_text).collect::<Vec<_>>().join(" ");
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn all_text(layout: &Layout) -> String {
    (0..layout.pages.len()).map(|p| page_text(layout, p)).collect::<Vec<_>>().join(" ")
}

/// Lower-case words separated by single spaces, so line breaks and punctuation do not matter.
fn normalise(s: &str) -> String {
    let mapped: String = s.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' }).collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text_sizes(layout: &Layout) -> Vec<f32> {
    layout
        .pages
        .iter()
        .flat_map(|p| p.items.iter())
        .filter_map(|i| match i {
            Item::Text { size, .. } => Some(*size),
            _ => None,
        })
        .collect()
}

/// Sizes of the text of body paragraphs (pages between the cover and the back page).
fn body_paragraph_sizes(leaflet: &LeafletLayout) -> Vec<f32> {
    let layout = &leaflet.layout;
    (1..leaflet.back_from)
        .flat_map(|p| layout.pages[p].items.iter())
        .filter_map(|i| match i {
            Item::Text { size, tag: Tag::Elem(e), .. } if layout.tree[*e].role == Role::P => Some(*size),
            _ => None,
        })
        .collect()
}

/// Font sizes set with `Tf` in the content stream of page `n` (1-based).
fn content_font_sizes(bytes: &[u8], n: u32) -> Vec<f32> {
    let doc = Document::load_mem(bytes).expect("lopdf parses");
    let id = doc.get_pages()[&n];
    let content = Content::decode(&doc.get_page_content(id)).expect("decodes");
    content
        .operations
        .iter()
        .filter(|op| op.operator == "Tf")
        .filter_map(|op| op.operands.get(1).and_then(|o| o.as_float().ok()))
        .collect()
}

// ----- paper and type -----------------------------------------------------------------------

#[test]
fn leaflet_is_a5_portrait_with_14pt_body_never_below_12pt() {
    let f = fixture(&patient_body(2));
    let (leaflet, _, _) = layouts(&f);
    let (w, h) = leaflet.layout.page_size;
    assert!((w - 148.0 * MM).abs() < 0.5 && (h - 210.0 * MM).abs() < 0.5, "{w}x{h}");
    let body = body_paragraph_sizes(&leaflet);
    assert!(!body.is_empty() && body.iter().all(|s| *s == 14.0), "{body:?}");
    let smallest = text_sizes(&leaflet.layout).into_iter().fold(f32::MAX, f32::min);
    assert!(smallest >= 12.0, "text at {smallest} pt");

    let pdfs = render_patient_pdfs(&f.project, f.view()).expect("renders");
    for (pw, ph) in media_boxes(&pdfs.leaflet) {
        assert!((pw - 419.53).abs() < 0.5 && (ph - 595.28).abs() < 0.5, "{pw}x{ph}");
    }
    let sizes = content_font_sizes(&pdfs.leaflet, 2);
    assert!(sizes.contains(&14.0) && sizes.iter().all(|s| *s >= 12.0), "{sizes:?}");
}

#[test]
fn leaflet_line_spacing_is_at_least_1_3() {
    let f = fixture(&patient_body(1));
    let (leaflet, _, _) = layouts(&f);
    let layout = &leaflet.layout;
    // Baselines of one paragraph's lines, on the first body page.
    let mut baselines: Vec<(usize, f32)> = layout.pages[1]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text { y, tag: Tag::Elem(e), .. } if layout.tree[*e].role == Role::P => Some((*e, *y)),
            _ => None,
        })
        .collect();
    baselines.dedup();
    let gaps: Vec<f32> = baselines.windows(2).filter(|w| w[0].0 == w[1].0).map(|w| w[1].1 - w[0].1).collect();
    assert!(!gaps.is_empty());
    assert!(gaps.iter().all(|g| *g >= 1.3 * 14.0 - 0.01), "{gaps:?}");
}

#[test]
fn leaflet_headings_are_bold_and_text_is_left_aligned() {
    let f = fixture(&patient_body(2));
    let (leaflet, _, _) = layouts(&f);
    let layout = &leaflet.layout;
    let margin = 15.0 * MM;
    for page in 1..leaflet.back_from {
        for item in &layout.pages[page].items {
            if let Item::Text { x, run, tag: Tag::Elem(e), .. } = item {
                if matches!(layout.tree[*e].role, Role::H(_)) {
                    // Faces 1 and 3 are bold and bold italic (0-3 main family).
                    assert!(run.face % 4 == 1 || run.face % 4 == 3, "heading face {}", run.face);
                }
                assert!(*x >= margin - 0.01, "text left of the margin at {x}");
            }
        }
    }
    // Every line of a body paragraph starts at the margin: left-aligned, ragged right.
    let starts: Vec<f32> = layout.pages[1]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text { x, tag: Tag::Elem(e), .. } if layout.tree[*e].role == Role::P => Some(*x),
            _ => None,
        })
        .collect();
    assert!(starts.iter().all(|x| (x - margin).abs() < 0.01 || *x > margin + 20.0), "{starts:?}");
}

#[test]
fn large_print_is_a4_with_body_at_least_18pt() {
    let f = fixture(&patient_body(2));
    let (_, large, _) = layouts(&f);
    let (w, h) = large.layout.page_size;
    assert!((w - 595.28).abs() < 0.5 && (h - 841.89).abs() < 0.5, "{w}x{h}");
    let body = body_paragraph_sizes(&large);
    assert!(!body.is_empty() && body.iter().all(|s| *s >= 18.0), "{body:?}");
    let smallest = text_sizes(&large.layout).into_iter().fold(f32::MAX, f32::min);
    assert!(smallest >= 18.0, "large print text at {smallest} pt");
    let pdfs = render_patient_pdfs(&f.project, f.view()).expect("renders");
    for (pw, ph) in media_boxes(&pdfs.large_print) {
        assert!((pw - 595.28).abs() < 0.5 && (ph - 841.89).abs() < 0.5, "{pw}x{ph}");
    }
    let sizes = content_font_sizes(&pdfs.large_print, 2);
    assert!(sizes.iter().all(|s| *s >= 18.0) && sizes.iter().any(|s| *s > 18.0), "headings bigger: {sizes:?}");
}

// ----- cover and back page --------------------------------------------------------------------

#[test]
fn cover_has_organisation_title_and_audience_line() {
    let f = fixture(&patient_body(1));
    let (leaflet, _, _) = layouts(&f);
    let cover = page_text(&leaflet.layout, 0);
    for expected in ["Example NHS Trust", "About your stay", "Information for patients, carers and visitors"] {
        assert!(cover.contains(expected), "cover lacks {expected}: {cover}");
    }
    let title = leaflet.layout.tree.iter().position(|e| e.role == Role::H(1)).expect("an H1");
    assert!(leaflet.layout.pages[0].items.iter().any(|i| i.tag() == Tag::Elem(title)));
}

#[test]
fn back_page_has_contact_other_formats_reference_version_review_date_and_web_address() {
    let f = fixture(&patient_body(1));
    let (leaflet, _, _) = layouts(&f);
    let layout = &leaflet.layout;
    assert_eq!(leaflet.back_from, layout.pages.len() - 1, "the back page is one page");
    let back = page_text(layout, leaflet.back_from);
    for expected in [
        "How to contact us",
        "Patient Advice and Liaison Service",
        "0116",
        "pals@example.nhs.uk",
        "This leaflet is available in other formats",
        "large print",
        "other languages",
        "Reference: TP-001",
        "Version: 1.2",
        "Last reviewed: January 2025",
        "Next review due: January 2027",
        "Tell us what you think of this leaflet: call 0116 496 0123 or email pals@example.nhs.uk",
    ] {
        assert!(back.contains(expected), "back page lacks {expected}: {back}");
    }
    // The short address is printed without `https://` and the slash; its link (and QR code)
    // carries the full address on the public site, never the intranet's.
    assert!(back.contains("www.example.nhs.uk/leaflets/test") && !back.contains("intranet"), "{back}");
    let url = Dest::Uri("https://www.example.nhs.uk/leaflets/test/".to_string());
    assert!(layout.pages[leaflet.back_from].items.iter().any(|i| matches!(i, Item::Link { dest, .. } if *dest == url)));
    // No easy-read version here, so easy read is not offered.
    assert!(!back.contains("easy read"), "{back}");
}

#[test]
fn back_page_offers_easy_read_when_the_policy_has_it() {
    let body = format!("{}\n::: easy-read\n:phone: You can use your phone.\n:::\n", patient_body(1));
    let f = fixture(&body);
    let (leaflet, _, _) = layouts(&f);
    let back = page_text(&leaflet.layout, leaflet.back_from);
    assert!(back.contains("easy read"), "{back}");
}

#[test]
fn back_page_without_contact_settings_names_the_organisation() {
    let f = fixture_with(
        "organisation: Example NHS Trust\n",
        &format!("{}{}", front("approved", "2027-01-31"), patient_body(1)),
        today(),
    );
    let (leaflet, _, _) = layouts(&f);
    let back = page_text(&leaflet.layout, leaflet.back_from);
    assert!(back.contains("How to contact us") && back.contains("Example NHS Trust"), "{back}");
    assert!(!back.contains("Phone:") && !back.contains("Email:"), "{back}");
}

#[test]
fn qr_code_is_a_figure_of_at_least_25mm_that_encodes_the_address() {
    let f = fixture(&patient_body(1));
    let (leaflet, large, _) = layouts(&f);
    let url = "https://www.example.nhs.uk/leaflets/test/";
    for layout in [&leaflet.layout, &large.layout] {
        let figure = layout
            .tree
            .iter()
            .position(|e| {
                e.role == Role::Figure && e.alt.as_deref() == Some("QR code for www.example.nhs.uk/leaflets/test")
            })
            .expect("QR figure with alt text");
        let rects: Vec<(f32, f32, f32, f32)> = layout.tree[figure]
            .kids
            .iter()
            .filter_map(|k| match *k {
                Kid::Item { page, item } => match layout.pages[page].items[item] {
                    Item::Rect { x, y, w, h, .. } => Some((x, y, w, h)),
                    _ => None,
                },
                Kid::Elem(_) => None,
            })
            .collect();
        // The first is the white square with the quiet zone; the rest are dark modules.
        let (x0, y0, size, size_h) = rects[0];
        assert!(size >= 25.0 * MM && (size - size_h).abs() < 0.01, "QR code {:.1} mm", size / MM);
        let matrix = policypress::qr::qr_matrix(url).expect("encodes");
        let (width, dark) = (matrix.width, &matrix.dark);
        let module = size / (width + 2 * qr::QUIET_ZONE) as f32;
        let covered =
            |cx: f32, cy: f32| rects[1..].iter().any(|&(x, y, w, h)| cx > x && cx < x + w && cy > y && cy < y + h);
        for row in 0..width {
            for col in 0..width {
                let cx = x0 + (col + qr::QUIET_ZONE) as f32 * module + module / 2.0;
                let cy = y0 + (row + qr::QUIET_ZONE) as f32 * module + module / 2.0;
                assert_eq!(covered(cx, cy), dark[row * width + col], "module {row},{col}");
            }
        }
        // Nothing dark in the quiet zone.
        assert!(rects[1..].iter().all(|&(x, y, w, _)| x >= x0 + 4.0 * module - 0.01
            && x + w <= x0 + size - 4.0 * module + 0.01
            && y >= y0 + 4.0 * module - 0.01));
    }
    let pdfs = render_patient_pdfs(&f.project, f.view()).expect("renders");
    let doc = Document::load_mem(&pdfs.leaflet).expect("parses");
    let alt_found = doc.objects.values().any(|o| {
        o.as_dict().is_ok_and(|d| {
            matches!(d.get(b"S"), Ok(Object::Name(n)) if n == b"Figure")
                && matches!(d.get(b"Alt"), Ok(Object::String(s, _)) if s.starts_with(b"QR code for www.example.nhs.uk/leaflets/test"))
        })
    });
    assert!(alt_found, "tagged Figure with the QR code's alt text");
}

#[test]
fn no_web_address_and_no_qr_code_without_public_url_not_even_the_intranet_one() {
    let f = fixture_with(
        "organisation: Example NHS Trust\nbase-url: https://intranet.example.nhs.uk/policies/\n",
        &format!("{}{}", front("approved", "2027-01-31"), patient_body(1)),
        today(),
    );
    let (leaflet, _, _) = layouts(&f);
    assert!(!leaflet.layout.tree.iter().any(|e| e.role == Role::Figure));
    let back = page_text(&leaflet.layout, leaflet.back_from);
    assert!(!back.contains("online") && !back.contains(".html") && !back.contains("intranet"), "{back}");
}

#[test]
fn page_numbers_are_artifacts_in_the_footer() {
    let f = fixture(&patient_body(3));
    let (leaflet, _, _) = layouts(&f);
    let layout = &leaflet.layout;
    let total = layout.pages.len();
    assert!(total >= 4);
    for page in 1..total {
        let label = format!("Page {} of {total}", page + 1);
        let item = layout.pages[page].items.iter().find(|i| item_text(i).as_deref() == Some(label.as_str()));
        let Some(Item::Text { y, tag, .. }) = item else { panic!("page {} lacks {label}", page + 1) };
        assert_eq!(*tag, Tag::Artifact);
        assert!(*y > layout.page_size.1 - 21.0 * MM, "in the footer");
    }
}

#[test]
fn patient_pdfs_are_tagged_with_language_and_structure() {
    let f = fixture(&patient_body(1));
    let pdfs = render_patient_pdfs(&f.project, f.view()).expect("renders");
    for bytes in [&pdfs.leaflet, &pdfs.large_print, &pdfs.booklet] {
        let doc = Document::load_mem(bytes).expect("lopdf parses");
        let catalog = doc.catalog().expect("catalog");
        assert!(matches!(catalog.get(b"Lang"), Ok(Object::String(s, _)) if s == b"en-GB"));
        assert!(catalog.get(b"StructTreeRoot").is_ok());
        let roles: Vec<Vec<u8>> = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter_map(|d| match d.get(b"S") {
                Ok(Object::Name(n)) if matches!(d.get(b"Type"), Ok(Object::Name(t)) if t == b"StructElem") => {
                    Some(n.clone())
                }
                _ => None,
            })
            .collect();
        for role in [&b"H1"[..], b"H2", b"P", b"Figure"] {
            assert!(roles.iter().any(|r| r == role), "no {}", String::from_utf8_lossy(role));
        }
    }
}

#[test]
fn draft_leaflet_is_marked_draft_and_overdue_leaflet_says_so() {
    let f = fixture_with(CONFIG, &format!("{}{}", front("draft", "2025-01-31"), patient_body(1)), today());
    let (leaflet, large, _) = layouts(&f);
    for l in [&leaflet, &large] {
        let cover = page_text(&l.layout, 0);
        assert!(cover.contains("DRAFT") && cover.contains("due to be reviewed on 31 January 2025"), "{cover}");
        // Every page carries the DRAFT mark beneath its content (drawn, not text: see
        // tests/pdf_identity.rs for its size).
        for page in 0..l.layout.pages.len() {
            let first = l.layout.pages[page].items.first();
            assert!(
                matches!(first, Some(Item::Path { tag: Tag::Artifact, .. })),
                "page {} lacks the DRAFT mark",
                page + 1
            );
        }
        let back = page_text(&l.layout, l.back_from);
        assert!(back.contains("overdue for review"), "{back}");
    }
}

// ----- booklet --------------------------------------------------------------------------------

#[test]
fn booklet_pads_to_a_multiple_of_4_pages_on_half_as_many_a4_landscape_sides() {
    for sections in [1, 2, 3, 5] {
        let f = fixture(&patient_body(sections));
        let (leaflet, _, booklet) = layouts(&f);
        let n = leaflet.layout.pages.len();
        let padded = n.div_ceil(4) * 4;
        assert_eq!(booklet.pages.len(), padded / 2, "{n} pages");
        assert!(booklet.pages.len() % 2 == 0);
        let (w, h) = booklet.page_size;
        assert!((w - 841.89).abs() < 0.5 && (h - 595.28).abs() < 0.5, "{w}x{h}");
    }
    let f = fixture(&patient_body(2));
    let pdfs = render_patient_pdfs(&f.project, f.view()).expect("renders");
    let boxes = media_boxes(&pdfs.booklet);
    assert_eq!(boxes.len() % 2, 0);
    assert!(boxes.iter().all(|(w, h)| (w - 841.89).abs() < 0.5 && (h - 595.28).abs() < 0.5), "{boxes:?}");
}

#[test]
fn booklet_sheet_order_puts_last_and_first_page_on_sheet_1_front() {
    let f = fixture(&patient_body(3));
    let (leaflet, _, booklet) = layouts(&f);
    let n = leaflet.layout.pages.len();
    let padded = n.div_ceil(4) * 4;
    let half = leaflet.layout.page_size.0;
    let offset = (booklet.page_size.0 - 2.0 * half) / 2.0;
    // The text of one half of one side.
    let side_text = |side: usize, right: bool| -> String {
        booklet.pages[side]
            .items
            .iter()
            .filter(|i| matches!(i, Item::Text { x, .. } if (*x > offset + half) == right))
            .filter_map(item_text)
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Sheet 1 front: [n, 1] = back page on the left, cover on the right.
    assert!(side_text(0, false).contains("How to contact us"), "{}", side_text(0, false));
    assert!(side_text(0, true).contains("Information for patients, carers and visitors"));
    // Sheet 1 back: [2, n-1] = first body page on the left.
    assert!(side_text(1, false).contains(&format!("Page 2 of {n}")), "{}", side_text(1, false));
    // Every leaflet page appears exactly once, on the side the booklet order gives it.
    for (side, pair) in policypress::pdf::impose::booklet_order(padded).iter().enumerate() {
        for (slot, number) in pair.iter().enumerate() {
            let text = side_text(side, slot == 1);
            // Blank pages (before the back page) carry nothing.
            let blank = *number > n - 1 && *number < padded;
            let leaflet_page = if *number == padded { n } else { *number };
            if blank {
                assert!(text.is_empty(), "page {number} should be blank: {text}");
            } else if leaflet_page > 1 {
                assert!(text.contains(&format!("Page {leaflet_page} of {n}")), "side {side} slot {slot}: {text}");
            }
        }
    }
}

#[test]
fn booklet_keeps_every_item_and_the_reading_order_of_the_tags() {
    let f = fixture(&patient_body(3));
    let (leaflet, _, booklet) = layouts(&f);
    let count = |l: &Layout| l.pages.iter().map(|p| p.items.len()).sum::<usize>();
    // Every item, and the printing instructions of the first sheet.
    assert_eq!(count(&leaflet.layout) + leaflet.printing_note.len(), count(&booklet));
    // The tag tree reads in leaflet order: the words of its items, in tree order, match.
    let words = |l: &Layout| -> String {
        let mut out = Vec::new();
        for elem in &l.tree {
            for kid in &elem.kids {
                if let Kid::Item { page, item } = kid {
                    out.extend(item_text(&l.pages[*page].items[*item]));
                }
            }
        }
        out.join(" ")
    };
    assert_eq!(words(&leaflet.layout), words(&booklet));
}

// ----- checks ---------------------------------------------------------------------------------

#[test]
fn patient_blocks_with_only_headings_give_a_located_warning_and_no_leaflet() {
    // Only headings (caught when resolving), and a heading with a rule (caught by the renderer).
    for patient in ["# About\n## Nothing here\n", "# About\n\n***\n"] {
        let policy =
            format!("{}## Scope\n\n{STAFF_ONLY}\n\n::: patient\n{patient}:::\n", front("approved", "2027-01-31"));
        let mut f = fixture_with(CONFIG, &policy, today());
        let artifacts = patient_pdfs(&f.project, &f.library, &mut f.diags);
        assert!(artifacts.is_empty(), "{:?}", artifacts.iter().map(|a| &a.path).collect::<Vec<_>>());
        let warnings: Vec<_> = f.diags.sorted().into_iter().filter(|d| d.message.contains("only headings")).collect();
        assert_eq!(warnings.len(), 1, "{patient:?}: {warnings:?}");
        let warning = &warnings[0];
        assert_eq!(warning.severity, Severity::Warning);
        assert_eq!(warning.location.file, "content/test.md");
        assert!(warning.location.line > 10, "{:?}", warning.location);
    }
}

#[test]
fn leaflet_over_8_a5_pages_is_a_located_warning() {
    let f = fixture(&patient_body(14));
    let mut diags = Diagnostics::new();
    let artifacts = patient_pdfs(&f.project, &f.library, &mut diags);
    assert_eq!(artifacts.len(), 3, "still built");
    let warning = diags.sorted().into_iter().find(|d| d.message.contains("A5 pages long")).expect("warning");
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.location.file, "content/test.md");
    let pages: usize = warning.message.split_whitespace().find_map(|w| w.parse().ok()).expect("page count");
    assert!(pages > 8, "{}", warning.message);
    assert!(warning.hint.as_deref().is_some_and(|h| h.contains("cut")));

    let mut short = fixture(&patient_body(2));
    patient_pdfs(&short.project, &short.library, &mut short.diags);
    assert!(short.diags.is_empty(), "{:?}", short.diags.sorted());
}

#[test]
fn patient_pdfs_are_byte_identical_when_rendered_twice() {
    let f = fixture(&patient_body(3));
    let a = render_patient_pdfs(&f.project, f.view()).expect("renders");
    let b = render_patient_pdfs(&f.project, f.view()).expect("renders");
    assert!(a.leaflet == b.leaflet, "leaflet differs");
    assert!(a.large_print == b.large_print, "large print differs");
    assert!(a.booklet == b.booklet, "booklet differs");
    assert!(a.leaflet != a.booklet && a.leaflet != a.large_print);
}

// ----- nothing for staff ----------------------------------------------------------------------

/// Strings of a PDF's document information and structure tree (titles, alt text, link text).
fn pdf_strings(bytes: &[u8]) -> String {
    let doc = Document::load_mem(bytes).expect("parses");
    let mut out = Vec::new();
    for object in doc.objects.values() {
        if let Ok(dict) = object.as_dict() {
            for (_, value) in dict.iter() {
                if let Object::String(s, _) = value {
                    out.push(decode_pdf_string(s));
                }
            }
        }
    }
    out.join(" ")
}

fn decode_pdf_string(s: &[u8]) -> String {
    if s.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = s[2..].chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
        return String::from_utf16_lossy(&units);
    }
    String::from_utf8_lossy(s).into_owned()
}

#[test]
fn no_staff_only_text_in_any_patient_pdf_of_the_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut diags = Diagnostics::new();
    let project = load_project(root, &mut diags).expect("example project");
    let policies = parse_project(&project, &mut diags);
    let today = Date::from_ymd(2026, 11, 22).expect("date");
    let library = resolve(&policies, ResolveOptions { today, drafts: true }, &mut diags);

    // Staff-only sentences of at least six words, and the staff-only front matter.
    let mut staff_only: Vec<String> = Vec::new();
    fn sentences(text: &str, out: &mut Vec<String>) {
        for sentence in text.split(['.', ':', ';']) {
            let n = normalise(sentence);
            if n.split(' ').count() >= 6 {
                out.push(n);
            }
        }
    }
    fn texts(kind: &BlockKind, out: &mut Vec<String>) {
        match kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => out.push(plain_text(content)),
            BlockKind::List { items, .. } => items.iter().flatten().for_each(|b| texts(b, out)),
            BlockKind::Quote(blocks) => blocks.iter().for_each(|b| texts(b, out)),
            BlockKind::Table { header, rows, .. } => {
                out.extend(header.iter().chain(rows.iter().flatten()).map(|c| plain_text(c)))
            }
            BlockKind::Code { text: t, .. } => out.push(t.clone()),
            BlockKind::Rule => {}
        }
    }
    for policy in &policies {
        let mut raw = Vec::new();
        for block in policy
            .blocks
            .iter()
            .filter(|b| b.audiences.contains(Audience::Staff) && !b.audiences.contains(Audience::Patient))
        {
            texts(&block.kind, &mut raw);
        }
        for t in &raw {
            sentences(t, &mut staff_only);
        }
        let meta = &policy.meta;
        let mut fields: Vec<String> =
            meta.summary.iter().chain(&meta.owner).chain(&meta.approved_by).cloned().collect();
        fields.extend(meta.history.iter().map(|h| h.changes.clone()));
        fields.extend(meta.extra.iter().map(|(_, v)| v.clone()));
        for field in fields {
            let n = normalise(&field);
            if n.split(' ').count() >= 3 {
                staff_only.push(n);
            }
        }
    }
    assert!(staff_only.len() > 30, "only {} staff-only sentences found", staff_only.len());

    let views: Vec<&AudienceView> = library.views(Audience::Patient).collect();
    assert!(views.len() >= 2, "the example has patient leaflets");
    for view in views {
        let mut fonts = FontSet::from_theme(&project.theme).expect("fonts");
        let leaflet = layout_leaflet(&project, view, Format::Leaflet, &mut fonts);
        let large = layout_leaflet(&project, view, Format::LargePrint, &mut fonts);
        let booklet = booklet_layout(&leaflet);
        let pdfs = render_patient_pdfs(&project, view).expect("renders");
        let mut text = [all_text(&leaflet.layout), all_text(&large.layout), all_text(&booklet)].join(" ");
        for bytes in [&pdfs.leaflet, &pdfs.large_print, &pdfs.booklet] {
            text.push(' ');
            text.push_str(&pdf_strings(bytes));
        }
        let text = normalise(&text);
        // The search works: the leaflet's own words are found.
        let first_patient = view.blocks.iter().find_map(|b| match &b.kind {
            BlockKind::Paragraph(c) => Some(normalise(&plain_text(c))),
            _ => None,
        });
        let first_patient = first_patient.expect("a patient paragraph");
        let probe: String = first_patient.split(' ').take(8).collect::<Vec<_>>().join(" ");
        assert!(text.contains(&probe), "{}: the leaflet text lacks its own words `{probe}`", view.id);
        for sentence in &staff_only {
            assert!(
                !text.contains(sentence.as_str()),
                "{}: staff-only text reached a patient PDF: `{sentence}`",
                view.id
            );
        }
    }
}

/// The theme sets the leaflet's body size (`pdf: leaflet-body:` in theme.yaml); page and type come
/// from the theme, so a Trust can choose 16 pt leaflets.
#[test]
fn leaflet_body_size_comes_from_the_theme() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::create_dir_all(root.join("themes/default")).unwrap();
    std::fs::write(root.join("themes/default/theme.yaml"), "pdf:\n  leaflet-body: 16\n").unwrap();
    std::fs::write(
        root.join("content/visiting.md"),
        "---\ntitle: Visiting\nversion: \"1.0\"\nstatus: approved\napproved-date: 2025-01-01\nreview-date: 2027-01-01\n---\nStaff.\n\n::: patient\n## Visiting\n\nYou can visit from 2pm.\n:::\n",
    )
    .unwrap();
    let mut diags = policypress::diag::Diagnostics::new();
    let project = policypress::load::load_project(root, &mut diags).unwrap();
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    assert_eq!(project.theme_settings.pdf.leaflet_body, 16.0);
    let settings = policypress::audience::patient::pdf::Format::Leaflet.settings(&project.theme_settings);
    assert_eq!(settings.type_scale.body, 16.0);
    assert!(settings.type_scale.small >= 12.0);
}

#[test]
fn booklet_says_how_to_print_it_on_its_first_sheet_and_asks_the_print_dialog_for_short_edge_duplex() {
    use policypress::audience::patient::pdf::PRINTING_LINE;
    let f = fixture(&patient_body(3));
    let (leaflet, large, booklet) = layouts(&f);
    // On the first sheet's front, over the back cover (the left half), as page furniture.
    let half = leaflet.layout.page_size.0;
    let note: Vec<&Item> = booklet.pages[0]
        .items
        .iter()
        .filter(|i| item_text(i).is_some_and(|t| PRINTING_LINE.starts_with(t.trim()) && !t.trim().is_empty()))
        .collect();
    assert!(!note.is_empty(), "{}", page_text(&booklet, 0));
    assert!(page_text(&booklet, 0).contains(PRINTING_LINE), "{}", page_text(&booklet, 0));
    for item in note {
        let Item::Text { x, tag, .. } = item else { unreachable!() };
        assert!(*x < half && *tag == Tag::Artifact);
    }
    // Only the booklet: the A5 leaflet and the large print do not print it.
    assert!(!all_text(&leaflet.layout).contains("short edge"));
    assert!(!all_text(&large.layout).contains("short edge"));
    for side in 1..booklet.pages.len() {
        assert!(!page_text(&booklet, side).contains("short edge"), "side {side}");
    }
    // The print dialog is asked for duplex flipping on the short edge, at actual size.
    let pdfs = render_patient_pdfs(&f.project, f.view()).expect("renders");
    let preferences = |bytes: &[u8]| -> Vec<(String, String)> {
        let doc = Document::load_mem(bytes).expect("parses");
        let prefs = doc.catalog().and_then(|c| c.get(b"ViewerPreferences")).and_then(Object::as_dict).expect("prefs");
        prefs
            .iter()
            .filter_map(|(k, v)| {
                Some((String::from_utf8_lossy(k).into_owned(), String::from_utf8_lossy(v.as_name().ok()?).into_owned()))
            })
            .collect()
    };
    let booklet_prefs = preferences(&pdfs.booklet);
    assert!(booklet_prefs.contains(&("Duplex".to_string(), "DuplexFlipShortEdge".to_string())), "{booklet_prefs:?}");
    assert!(booklet_prefs.contains(&("PrintScaling".to_string(), "None".to_string())), "{booklet_prefs:?}");
    assert!(preferences(&pdfs.leaflet).is_empty(), "the A5 leaflet is printed as it is");
}

#[test]
fn a_link_to_another_leaflet_prints_where_it_leads_on_paper_only() {
    let other = "---\ntitle: Visiting\nversion: \"1.0\"\nstatus: approved\napproved-date: 2025-01-31\nreview-date: 2027-01-31\nshort: visiting\n---\nStaff.\n\n::: patient\n# Visiting our wards\n\nCome any time.\n:::\n";
    let body = "## 1. Scope\n\nStaff.\n\n::: patient\n# About your stay\n\n## Visitors\n\nRead our leaflet about [visiting our wards](other.md). Also see [when to come](other.md).\n:::\n";
    let FixtureProject { dir: _dir, project, library, diags } = common::fixture_project_with(
        CONFIG,
        &format!("{}{body}", front("approved", "2027-01-31")),
        &[("content/other.md", other.as_bytes())],
        today(),
    );
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    let view = library.views(Audience::Patient).find(|v| v.id == "test").expect("leaflet");
    let mut fonts = FontSet::from_theme(&project.theme).expect("fonts");
    for format in [Format::Leaflet, Format::LargePrint] {
        let leaflet = layout_leaflet(&project, view, format, &mut fonts);
        let text: String = all_text(&leaflet.layout).split_whitespace().collect::<Vec<_>>().join(" ");
        // The link's words are the leaflet's title: only its short address follows.
        assert!(
            normalise(&text).contains(&normalise("visiting our wards (www.example.nhs.uk/leaflets/visiting). Also")),
            "{format:?}: {text}"
        );
        assert!(text.contains("visiting our wards (www.example.nhs.uk/"), "{format:?}: {text}");
        // Other words: the title too.
        assert!(
            normalise(&text).contains(&normalise(
                "when to come (our leaflet ‘Visiting our wards’, www.example.nhs.uk/leaflets/visiting)"
            )),
            "{format:?}: {text}"
        );
        assert!(text.contains("(our leaflet ‘Visiting our wards’, www.example.nhs.uk/"), "{format:?}: {text}");
    }
    // The web page has hyperlinks: the view it is made from stays as written.
    let words: String = view
        .blocks
        .iter()
        .map(|b| match &b.kind {
            BlockKind::Paragraph(c) => plain_text(c),
            _ => String::new(),
        })
        .collect();
    assert!(!words.contains("www.example.nhs.uk"), "{words}");
}

#[test]
fn the_large_print_leaflet_does_not_offer_itself_in_large_print() {
    let f = fixture(&patient_body(2));
    let (leaflet, large, _) = layouts(&f);
    let back = |l: &LeafletLayout| normalise(&page_text(&l.layout, l.layout.pages.len() - 1));
    assert!(back(&leaflet).contains("large print"), "{}", back(&leaflet));
    assert!(!back(&large).contains("large print"), "{}", back(&large));
    assert!(back(&large).contains("other languages"), "{}", back(&large));
}
