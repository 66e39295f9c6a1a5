//! What every patient-facing PDF carries so it reaches its reader (issue 13): the Trust's logo
//! top right on every cover and poster, tagged as a Figure with its alternative text; phone
//! numbers that never break across lines; and a visible overdue notice on easy-read covers and
//! posters. Checked as layout data and, for the tags, as parsed PDFs (lopdf).

mod common;

use common::{FixtureProject, LOGO_SETTING, TEST_LOGO, fixture_project_with, item_text, test_date};
use lopdf::{Document, Object};
use policypress::audience::easy_read::easy_read_doc;
use policypress::audience::easy_read::pdf::layout_easy_read;
use policypress::audience::patient::pdf::{Format as Leaflet, layout_leaflet, render_patient_pdfs};
use policypress::audience::poster::pdf::{Format as Poster, layout_posters};
use policypress::audience::poster::posters;
use policypress::audience::staff::pdf::layout_staff_pdf;
use policypress::diag::Diagnostics;
use policypress::model::Audience;
use policypress::pdf::fonts::FontSet;
use policypress::pdf::layout::{Item, Kid, Layout, Role, Tag};
use policypress::resolve::AudienceView;

const MM: f32 = 72.0 / 25.4;

fn config(logo: bool) -> String {
    let mut config = String::from(
        "organisation: Example NHS Trust\npublic-url: https://www.example.nhs.uk/leaflets/\ncontact:\n  name: PALS\n  phone: 0116 496 0123\n",
    );
    if logo {
        config.push_str(LOGO_SETTING);
    }
    config
}

fn policy(review: &str, body: &str) -> String {
    format!(
        "---\ntitle: Phones\nversion: \"1.0\"\nstatus: approved\napproved-date: 2024-01-31\nreview-date: {review}\n---\nStaff text.\n\n{body}"
    )
}

const BODY: &str = "::: patient
# Your phone

You can use your phone on the ward.
:::

::: easy-read
# Your phone

:phone: You can use your phone on the ward.
:::

::: poster
# Phones are welcome
:phone: Please keep calls quiet.
:::

::: poster
# Ask before photos
:camera-off: Please ask before you take photos.
:::
";

fn project(logo: bool, review: &str, body: &str) -> FixtureProject {
    let files: Vec<(&str, &[u8])> = vec![("branding/logo.svg", TEST_LOGO.as_bytes())];
    let f = fixture_project_with(&config(logo), &policy(review, body), &files, test_date());
    assert!(!f.diags.has_errors(), "{:?}", f.diags.sorted());
    f
}

fn view(f: &FixtureProject, audience: Audience) -> AudienceView {
    f.library.policies[0].view(audience).cloned().unwrap_or_else(|| panic!("no {audience} view"))
}

/// Every layout a patient-facing policy makes, and the staff one: (what, layout).
fn all_layouts(f: &FixtureProject) -> Vec<(String, Layout)> {
    let mut fonts = FontSet::from_theme(&f.project.theme).expect("fonts");
    let mut out = Vec::new();
    let patient = view(f, Audience::Patient);
    for format in [Leaflet::Leaflet, Leaflet::LargePrint] {
        out.push((format!("{format:?}"), layout_leaflet(&f.project, &patient, format, &mut fonts).layout));
    }
    let easy = view(f, Audience::EasyRead);
    let doc = easy_read_doc(&easy, &mut Diagnostics::new());
    out.push(("easy read".to_string(), layout_easy_read(&f.project, &easy, &doc, &mut fonts)));
    let poster = view(f, Audience::Poster);
    let list = posters(&poster, &mut Diagnostics::new());
    for format in Poster::ALL {
        out.push((format!("poster {format:?}"), layout_posters(&f.project, &poster, &list, format, &mut fonts)));
    }
    out.push(("staff".to_string(), layout_staff_pdf(&f.project, &view(f, Audience::Staff), &mut fonts)));
    out
}

/// The bounding box (left, top, right, bottom) of a structure element's items on `page`.
fn bbox_on(layout: &Layout, elem: usize, page: usize) -> Option<(f32, f32, f32, f32)> {
    let mut found: Option<(f32, f32, f32, f32)> = None;
    for kid in &layout.tree[elem].kids {
        let Kid::Item { page: p, item } = *kid else { continue };
        if p != page {
            continue;
        }
        let b = match &layout.pages[p].items[item] {
            Item::Path { x, y, scale, picture, .. } => (*x, *y, x + picture.width * scale, y + picture.height * scale),
            Item::Image { x, y, w, h, .. } => (*x, *y, x + w, y + h),
            _ => continue,
        };
        found = Some(match found {
            None => b,
            Some(f) => (f.0.min(b.0), f.1.min(b.1), f.2.max(b.2), f.3.max(b.3)),
        });
    }
    found
}

#[test]
fn the_logo_is_a_figure_with_its_alt_text_top_right_on_every_cover_and_poster() {
    let f = project(true, "2027-01-31", BODY);
    for (what, layout) in all_layouts(&f) {
        let logos: Vec<usize> = (0..layout.tree.len())
            .filter(|&e| {
                layout.tree[e].role == Role::Figure && layout.tree[e].alt.as_deref() == Some("Test Trust logo")
            })
            .collect();
        // Covers carry it once; posters on every page.
        let pages: Vec<usize> = if what.starts_with("poster") { (0..layout.pages.len()).collect() } else { vec![0] };
        assert_eq!(logos.len(), pages.len(), "{what}: one logo per cover or poster page");
        let (width, _) = layout.page_size;
        for (logo, page) in logos.into_iter().zip(pages) {
            let (left, top, right, bottom) = bbox_on(&layout, logo, page).expect("drawn on its page");
            assert!(left > width / 2.0, "{what}: the logo is on the right ({left:.0} of {width:.0})");
            assert!(right <= width - 10.0 * MM && right >= width - 30.0 * MM, "{what}: right edge at the margin");
            assert!(top < 10.0 * MM && bottom < 45.0 * MM, "{what}: at the top ({top:.0}..{bottom:.0})");
            assert!(bottom - top >= 10.0 * MM, "{what}: at least 10 mm tall");
        }
    }
    // In the written file: a tagged Figure whose /Alt is the logo's alternative text.
    let pdfs = render_patient_pdfs(&f.project, &view(&f, Audience::Patient)).expect("renders");
    let doc = Document::load_mem(&pdfs.leaflet).expect("parses");
    assert!(doc.objects.values().any(|o| o.as_dict().is_ok_and(|d| {
        matches!(d.get(b"S"), Ok(Object::Name(n)) if n == b"Figure")
            && matches!(d.get(b"Alt"), Ok(Object::String(s, _)) if s == b"Test Trust logo")
    })));
}

#[test]
fn without_a_logo_nothing_is_drawn_in_its_place() {
    let f = project(false, "2027-01-31", BODY);
    for (what, layout) in all_layouts(&f) {
        assert!(
            !layout.tree.iter().any(|e| e.role == Role::Figure && e.alt.as_deref() == Some("Test Trust logo")),
            "{what}"
        );
    }
}

/// The text of each line of each page: items grouped by page and baseline, left to right.
fn lines(layout: &Layout) -> Vec<String> {
    let mut out = Vec::new();
    for page in &layout.pages {
        let mut rows: Vec<(f32, Vec<(f32, String)>)> = Vec::new();
        for item in &page.items {
            let (Item::Text { x, y, .. }, Some(text)) = (item, item_text(item)) else { continue };
            match rows.iter_mut().find(|(ry, _)| (ry - y).abs() < 0.5) {
                Some((_, parts)) => parts.push((*x, text)),
                None => rows.push((*y, vec![(*x, text)])),
            }
        }
        for (_, mut parts) in rows {
            parts.sort_by(|a, b| a.0.total_cmp(&b.0));
            out.push(parts.into_iter().map(|(_, t)| t).collect::<String>());
        }
    }
    out
}

#[test]
fn phone_numbers_are_never_broken_across_lines_in_leaflets_easy_read_or_posters() {
    // Words before the number move it across every position on the line, so at some count the
    // line would break inside it if it could.
    for filler in 0..14 {
        let words = "ring us ".repeat(filler);
        let body = format!(
            "::: patient\n# Calls\n\nPlease {words}on 0117 496 0999 at any time.\n:::\n\n::: easy-read\n# Calls\n\n:phone: Please {words}on 0117 496 0999.\n:::\n\n::: poster\n# Call us\n:phone: Please {words}on 0117 496 0999.\n:::\n"
        );
        let f = project(false, "2027-01-31", &body);
        for (what, layout) in all_layouts(&f) {
            if what == "staff" {
                continue;
            }
            let lines = lines(&layout);
            let with_digits: Vec<&String> = lines.iter().filter(|l| l.contains("0117") || l.contains("0999")).collect();
            assert!(!with_digits.is_empty(), "{what}: the number is drawn");
            for line in with_digits {
                assert!(line.contains("0117 496 0999"), "{what}, {filler} words: the number is split: {line:?}");
            }
        }
    }
}

#[test]
fn an_overdue_easy_read_cover_and_every_overdue_poster_say_so_in_large_bold_words() {
    let f = project(false, "2025-01-31", BODY);
    for (what, layout) in all_layouts(&f) {
        let (needle, min_size) = match what.as_str() {
            "easy read" => ("may be out", 16.0),
            "poster A3" => ("Overdue for", 24.0),
            "poster A4" => ("Overdue for", 17.0),
            _ => continue,
        };
        let pages: Vec<usize> = if what.starts_with("poster") { (0..layout.pages.len()).collect() } else { vec![0] };
        for page in pages {
            let notice = layout.pages[page].items.iter().find(|i| item_text(i).is_some_and(|t| t.contains(needle)));
            let Some(Item::Text { size, tag, .. }) = notice else { panic!("{what}: page {} has no notice", page + 1) };
            assert!(*size >= min_size, "{what}: the notice is {size} pt");
            assert!(
                matches!(tag, Tag::Elem(e) if layout.tree[*e].role == Role::P),
                "{what}: read out, not an artifact"
            );
        }
    }
    let f = project(false, "2027-01-31", BODY);
    for (what, layout) in all_layouts(&f) {
        let text: String = layout.pages.iter().flat_map(|p| p.items.iter()).filter_map(item_text).collect();
        assert!(!text.contains("Overdue for review since") && !text.contains("may be out of date"), "{what}");
    }
}

#[test]
fn a_png_logo_is_drawn_as_a_picture_with_its_alt_text() {
    let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/basic/content/images/ward.png"))
        .expect("png");
    let config = config(false) + "logo:\n  file: branding/logo.png\n  alt: Test Trust logo\n";
    let files: Vec<(&str, &[u8])> = vec![("branding/logo.png", &png)];
    let f = fixture_project_with(&config, &policy("2027-01-31", BODY), &files, test_date());
    assert!(!f.diags.has_errors(), "{:?}", f.diags.sorted());
    let mut fonts = FontSet::from_theme(&f.project.theme).expect("fonts");
    let layout = layout_leaflet(&f.project, &view(&f, Audience::Patient), Leaflet::Leaflet, &mut fonts).layout;
    let logo = (0..layout.tree.len())
        .find(|&e| layout.tree[e].role == Role::Figure && layout.tree[e].alt.as_deref() == Some("Test Trust logo"))
        .expect("the logo figure");
    assert!(layout.tree[logo].kids.iter().any(|k| matches!(*k, Kid::Item { page: 0, item }
        if matches!(&layout.pages[0].items[item], Item::Image { path, .. } if path == policypress::load::LOGO_PICTURE))));
    let pdfs = render_patient_pdfs(&f.project, &view(&f, Audience::Patient)).expect("renders");
    let doc = Document::load_mem(&pdfs.leaflet).expect("parses");
    assert!(
        doc.objects.values().any(|o| o
            .as_stream()
            .is_ok_and(|s| matches!(s.dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Image"))),
        "the picture is in the file"
    );
}

/// One rule for the dates of every PDF (issue 14): the build date, in the Info dictionary
/// (CreationDate, ModDate) and the XMP metadata alike, whatever the audience; never the review
/// date (in the future) nor the approval date (staff-only).
#[test]
fn every_pdf_carries_the_build_date_in_its_info_and_xmp_never_a_future_or_staff_only_date() {
    use policypress::build::{BuildOptions, run};
    let f = project(false, "2027-01-31", BODY);
    for today in [test_date(), policypress::model::dates::Date::from_ymd(2026, 2, 3).expect("date")] {
        let result = run(&f.project, &BuildOptions { today, drafts: true, strict: false }, Diagnostics::new());
        let pdfs: Vec<_> = result.artifacts.iter().filter(|a| a.path.ends_with(".pdf")).collect();
        assert!(pdfs.len() >= 7, "{} PDFs", pdfs.len());
        let (y, m, d) = (today.year(), today.month(), today.day());
        let info_date = format!("D:{y:04}{m:02}{d:02}");
        let xmp_date = format!("{y:04}-{m:02}-{d:02}T");
        for pdf in pdfs {
            let doc = Document::load_mem(&pdf.bytes).expect("parses");
            let info = doc.trailer.get(b"Info").and_then(Object::as_reference).expect("Info");
            let info = doc.get_dictionary(info).expect("Info dictionary");
            for key in [&b"CreationDate"[..], b"ModDate"] {
                let value = info.get(key).and_then(Object::as_str).expect("date");
                let value = String::from_utf8_lossy(value);
                assert!(value.starts_with(&info_date), "{}: {} is {value}", pdf.path, String::from_utf8_lossy(key));
            }
            let text = String::from_utf8_lossy(&pdf.bytes);
            for tag in ["xmp:CreateDate", "xmp:ModifyDate"] {
                let open = format!("<{tag}>");
                let at = text.find(&open).unwrap_or_else(|| panic!("{}: no {tag}", pdf.path));
                assert!(text[at + open.len()..].starts_with(&xmp_date), "{}: {tag}", pdf.path);
            }
        }
    }
}

/// The span (width, height) a vector picture item covers on the page.
fn path_extent(item: &Item) -> Option<(f32, f32)> {
    let Item::Path { scale, picture, .. } = item else { return None };
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for shape in &picture.shapes {
        for cmd in &shape.outline {
            match *cmd {
                policypress::pdf::layout::PathCmd::Move(x, y) | policypress::pdf::layout::PathCmd::Line(x, y) => {
                    xs.push(x);
                    ys.push(y);
                }
                policypress::pdf::layout::PathCmd::Cubic(_, _, _, _, x, y) => {
                    xs.push(x);
                    ys.push(y);
                }
                policypress::pdf::layout::PathCmd::Close => {}
            }
        }
    }
    let span = |v: &[f32]| v.iter().copied().fold(f32::MIN, f32::max) - v.iter().copied().fold(f32::MAX, f32::min);
    Some((span(&xs) * scale, span(&ys) * scale))
}

/// A draft's every PDF page carries a large diagonal DRAFT mark beneath its content (issue 14),
/// as page furniture, not as text: nothing a screen reader reads or a copy picks up.
#[test]
fn every_page_of_every_draft_pdf_has_a_large_diagonal_draft_mark_as_an_artifact() {
    let files: Vec<(&str, &[u8])> = vec![];
    let draft = policy("2027-01-31", BODY).replace("status: approved\napproved-date: 2024-01-31\n", "status: draft\n");
    let f = fixture_project_with(&config(false), &draft, &files, test_date());
    assert!(!f.diags.has_errors(), "{:?}", f.diags.sorted());
    let approved = project(false, "2027-01-31", BODY);
    let mut booklets = 0;
    for (fixture, is_draft) in [(&f, true), (&approved, false)] {
        let mut layouts = all_layouts(fixture);
        let mut fonts = FontSet::from_theme(&fixture.project.theme).expect("fonts");
        let leaflet = layout_leaflet(&fixture.project, &view(fixture, Audience::Patient), Leaflet::Leaflet, &mut fonts);
        layouts.push(("booklet".to_string(), policypress::audience::patient::pdf::booklet_layout(&leaflet)));
        for (what, layout) in layouts {
            let (w, h) = layout.page_size;
            for (index, page) in layout.pages.iter().enumerate() {
                // Marks are drawn first, beneath everything else on the page.
                let marks: Vec<(f32, f32)> = page
                    .items
                    .iter()
                    .take_while(|i| matches!(i, Item::Path { tag: Tag::Artifact, .. }))
                    .filter_map(path_extent)
                    .filter(|(mw, mh)| mw * mh > 0.0 && *mw > 0.4 * w.min(h))
                    .collect();
                if !is_draft {
                    assert!(marks.is_empty(), "{what} page {}: a final document has no DRAFT mark", index + 1);
                    continue;
                }
                assert!(!marks.is_empty(), "{what} page {}: no DRAFT mark", index + 1);
                for (mw, mh) in marks {
                    // Diagonal: it climbs across both directions of the page (a booklet side holds
                    // two A5 pages, each with its own).
                    assert!(
                        mw > 0.25 * w && mh > 0.3 * h,
                        "{what} page {}: {mw:.0} x {mh:.0} of {w:.0} x {h:.0}",
                        index + 1
                    );
                }
                let words: String =
                    page.items.iter().filter(|i| i.tag() == Tag::Artifact).filter_map(item_text).collect();
                assert!(!words.contains("DRAFT"), "{what} page {}: DRAFT as text furniture", index + 1);
            }
            booklets += usize::from(what == "booklet");
        }
    }
    assert_eq!(booklets, 2);
}

/// OpenMoji's licence asks for a credit wherever its pictures are shown (issue 14): every
/// document that shows one says "Pictures: OpenMoji (openmoji.org), CC BY-SA 4.0"; a document
/// with only the line icons (MIT, credited in the theme's files) does not.
#[test]
fn every_document_showing_an_openmoji_picture_credits_it() {
    let credit = policypress::load::theme::OPENMOJI_CREDIT;
    let with = BODY
        .replace("You can use your phone on the ward.\n:::", ":woman-nurse: Ask a nurse if you need help.\n:::")
        .replace(":phone: Please keep calls quiet.", ":telephone: Please keep calls quiet.");
    let body = format!("Staff text with :woman-nurse: in it.\n\n{with}");
    let f = project(false, "2027-01-31", &body);
    for (what, layout) in all_layouts(&f) {
        let text: String =
            layout.pages.iter().flat_map(|p| p.items.iter()).filter_map(item_text).collect::<Vec<_>>().join(" ");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(credit), "{what}: no credit");
    }
    let plain = project(false, "2027-01-31", BODY);
    for (what, layout) in all_layouts(&plain) {
        let text: String =
            layout.pages.iter().flat_map(|p| p.items.iter()).filter_map(item_text).collect::<Vec<_>>().join(" ");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        // The easy read's own front and contact rows are OpenMoji pictures.
        assert_eq!(text.contains(credit), what == "easy read", "{what}");
    }
}
