//! The easy-read and ward poster PDFs, checked as layout data and as parsed PDFs (lopdf): paper,
//! type sizes, pictures, rows kept whole, Words to know, audience filtering, fitted poster type,
//! the overflow error, the QR code's size and content, and byte-identical output.

mod common;

use common::{FixtureProject, fixture_project, item_text, media_boxes, reads, test_date, text_lines};
use policypress::audience::easy_read::pdf::{layout_easy_read, render_easy_read_pdf};
use policypress::audience::easy_read::{EasyReadDoc, easy_read_doc};
use policypress::audience::poster::pdf::{Format, layout_posters, poster_pdfs, render_poster_pdf};
use policypress::audience::poster::{Poster, posters};
use policypress::diag::{Diagnostics, Severity};
use policypress::load::Project;
use policypress::model::Audience;
use policypress::pdf::fonts::FontSet;
use policypress::pdf::layout::{Item, Kid, Layout, Role, Tag};
use policypress::qr::{QUIET_ZONE, qr_matrix};
use policypress::resolve::AudienceView;

const MM: f32 = 72.0 / 25.4;

const FRONT: &str = "---
title: Phones on Wards
reference: IG-099
version: \"2.0\"
status: approved
approved-date: 2025-01-31
review-date: 2027-01-31
glossary:
  consent: When you say yes to something.
---
";

const BODY: &str = "## 1. Purpose

STAFFONLY this sentence is for staff and must never reach the easy read or a poster.

::: patient
# Phones on our wards

You can use your phone on the ward.
:::

::: easy-read
# Phones on our wards

:phone: You can use your phone on the ward.

:camera-off: Ask people for their consent before you take a photo.

## Being quiet

:microphone-off: Please keep your phone quiet at night.
:::

::: poster
# You can use your phone here
:phone: Calls and messages are welcome.
:clock: Please keep noise down at night.
:::

::: poster
# Please ask before you take photos
:camera-off: No photos without asking staff first.
:::
";

struct Fixture {
    _dir: tempfile::TempDir,
    project: Project,
    easy_read: Option<AudienceView>,
    poster: Option<AudienceView>,
    diags: Diagnostics,
}

/// A project with one policy `test.md` holding `body`; `public_url` switches the QR code on.
/// The intranet's `base-url` is always set: patient-facing outputs must never use it.
fn fixture(body: &str, public_url: bool) -> Fixture {
    let mut config = String::from(
        "organisation: Example NHS Trust\nlanguage: en-GB\nbase-url: https://intranet.example.nhs.uk/policies/\n",
    );
    if public_url {
        config.push_str("public-url: https://www.example.nhs.uk/leaflets/\n");
    }
    config.push_str("contact:\n  name: PALS\n  phone: 0116 496 0123\n  email: pals@example.nhs.uk\n");
    let FixtureProject { dir, project, library, diags } =
        fixture_project(&config, &format!("{FRONT}{body}"), test_date());
    let Some(policy) = library.policies.first() else {
        panic!("the fixture policy did not resolve: {:?}", diags.sorted());
    };
    Fixture {
        easy_read: policy.view(Audience::EasyRead).cloned(),
        poster: policy.view(Audience::Poster).cloned(),
        _dir: dir,
        project,
        diags,
    }
}

fn easy(f: &mut Fixture) -> (AudienceView, EasyReadDoc) {
    let view = f.easy_read.clone().expect("easy-read view");
    let doc = easy_read_doc(&view, &mut f.diags);
    (view, doc)
}

fn poster_list(f: &mut Fixture) -> (AudienceView, Vec<Poster>) {
    let view = f.poster.clone().expect("poster view");
    let list = posters(&view, &mut f.diags);
    (view, list)
}

fn easy_layout(f: &mut Fixture) -> Layout {
    let (view, doc) = easy(f);
    let mut fonts = FontSet::from_theme(&f.project.theme).expect("fonts");
    layout_easy_read(&f.project, &view, &doc, &mut fonts)
}

fn poster_layout(f: &mut Fixture, format: Format) -> Layout {
    let (view, list) = poster_list(f);
    let mut fonts = FontSet::from_theme(&f.project.theme).expect("fonts");
    layout_posters(&f.project, &view, &list, format, &mut fonts)
}

fn all_text(layout: &Layout) -> String {
    layout.pages.iter().flat_map(|p| p.items.iter()).filter_map(item_text).collect::<Vec<_>>().join(" ")
}

/// Every item of element `e` and its descendants, with its page.
fn items_of(layout: &Layout, e: usize) -> Vec<(usize, &Item)> {
    let mut out = Vec::new();
    for kid in &layout.tree[e].kids {
        match *kid {
            Kid::Item { page, item } => out.push((page, &layout.pages[page].items[item])),
            Kid::Elem(child) => out.extend(items_of(layout, child)),
        }
    }
    out
}

fn elems(layout: &Layout, role: Role) -> Vec<usize> {
    (0..layout.tree.len()).filter(|&e| layout.tree[e].role == role).collect()
}

/// Left, top, right, bottom of an item (text: its baseline span, approximately).
fn bbox(item: &Item) -> (f32, f32, f32, f32) {
    match item {
        Item::Rect { x, y, w, h, .. } | Item::Image { x, y, w, h, .. } | Item::Link { x, y, w, h, .. } => {
            (*x, *y, x + w, y + h)
        }
        Item::Path { x, y, scale, .. } => (*x, *y, x + 24.0 * scale, y + 24.0 * scale),
        Item::Text { x, y, size, run, .. } => (*x, y - size, x + run.width_em() * size / 1000.0, *y),
        Item::Rule { x1, y1, x2, y2, .. } => (x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2)),
    }
}

fn long_easy_read(rows: usize) -> String {
    let mut body = String::from("::: easy-read\n# Phones on our wards\n\n");
    for n in 0..rows {
        if n % 9 == 0 {
            body.push_str(&format!("## Part {n}\n\n"));
        }
        let words = ["You can ask a nurse for help.", "The nurse will help you with your phone and your charger."];
        body.push_str(&format!(":phone: Row {n}. {}\n\n", words[n % 2]));
    }
    body.push_str(":tick: Ask for consent first.\n:::\n");
    body
}

// ----- easy read ----------------------------------------------------------------------------

#[test]
fn easy_read_pdf_is_a4_portrait() {
    let mut f = fixture(BODY, true);
    let (view, doc) = easy(&mut f);
    let pdf = render_easy_read_pdf(&f.project, &view, &doc).expect("renders");
    let boxes = media_boxes(&pdf.bytes);
    assert!(!boxes.is_empty());
    for (w, h) in boxes {
        assert!((w - 595.28).abs() < 0.5 && (h - 841.89).abs() < 0.5, "{w} x {h}");
    }
}

#[test]
fn easy_read_body_is_16_pt() {
    let mut f = fixture(BODY, true);
    let layout = easy_layout(&mut f);
    let mut checked = 0;
    for p in elems(&layout, Role::P) {
        for (_, item) in items_of(&layout, p) {
            if let Item::Text { size, .. } = item
                && item_text(item).is_some_and(|t| t.contains("phone on the ward"))
            {
                assert_eq!(*size, 16.0);
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "row words found");
}

#[test]
fn easy_read_picture_is_at_least_25_mm_and_left_of_its_words() {
    let mut f = fixture(BODY, true);
    let layout = easy_layout(&mut f);
    let mut rows = 0;
    for (parent, elem) in layout.tree.iter().enumerate() {
        let kids: Vec<usize> =
            elem.kids.iter().filter_map(|k| if let Kid::Elem(e) = k { Some(*e) } else { None }).collect();
        for pair in kids.windows(2) {
            let (fig, p) = (pair[0], pair[1]);
            if layout.tree[fig].role != Role::Figure || layout.tree[p].role != Role::P {
                continue;
            }
            let pic: Vec<_> = items_of(&layout, fig).into_iter().map(|(_, i)| bbox(i)).collect();
            let words: Vec<_> = items_of(&layout, p).into_iter().map(|(_, i)| bbox(i)).collect();
            let pic_w =
                pic.iter().map(|b| b.2).fold(f32::MIN, f32::max) - pic.iter().map(|b| b.0).fold(f32::MAX, f32::min);
            let pic_h =
                pic.iter().map(|b| b.3).fold(f32::MIN, f32::max) - pic.iter().map(|b| b.1).fold(f32::MAX, f32::min);
            assert!(pic_w >= 25.0 * MM - 0.01 && pic_h >= 25.0 * MM - 0.01, "picture {pic_w} x {pic_h} pt");
            let pic_right = pic.iter().map(|b| b.2).fold(f32::MIN, f32::max);
            let words_left = words.iter().map(|b| b.0).fold(f32::MAX, f32::min);
            assert!(pic_right < words_left, "picture ends at {pic_right}, words start at {words_left}");
            assert!(layout.tree[fig].alt.as_deref().is_some_and(|a| !a.is_empty()));
            rows += 1;
            let _ = parent;
        }
    }
    assert!(rows >= 3, "three rows in the fixture, found {rows}");
    let alts: Vec<&str> = elems(&layout, Role::Figure).iter().filter_map(|&e| layout.tree[e].alt.as_deref()).collect();
    assert!(alts.contains(&"A camera crossed out"), "icons say what they show: {alts:?}");
}

#[test]
fn easy_read_row_is_never_split_across_pages() {
    let mut f = fixture(&long_easy_read(60), true);
    let layout = easy_layout(&mut f);
    assert!(layout.pages.len() > 4, "the long fixture needs several pages");
    let mut rows = 0;
    for elem in &layout.tree {
        let kids: Vec<usize> =
            elem.kids.iter().filter_map(|k| if let Kid::Elem(e) = k { Some(*e) } else { None }).collect();
        for pair in kids.windows(2) {
            if layout.tree[pair[0]].role != Role::Figure || layout.tree[pair[1]].role != Role::P {
                continue;
            }
            let pages: std::collections::BTreeSet<usize> =
                pair.iter().flat_map(|&e| items_of(&layout, e)).map(|(page, _)| page).collect();
            assert_eq!(pages.len(), 1, "a row spans pages {pages:?}");
            rows += 1;
        }
    }
    assert!(rows >= 60);
    // Nothing of a row crosses the bottom margin.
    let bottom = 297.0 * MM - 26.0 * MM;
    for e in elems(&layout, Role::P).into_iter().chain(elems(&layout, Role::Figure)) {
        for (_, item) in items_of(&layout, e) {
            if matches!(item, Item::Text { .. } | Item::Path { .. } | Item::Rect { .. }) {
                assert!(bbox(item).3 <= bottom + 0.5, "{item:?}");
            }
        }
    }
}

#[test]
fn easy_read_has_words_to_know_with_the_word_in_bold() {
    let mut f = fixture(BODY, true);
    let layout = easy_layout(&mut f);
    let text = all_text(&layout);
    assert!(text.contains("Words to know"), "{text}");
    assert!(text.contains("When you say yes to something."));
    let lbl = elems(&layout, Role::Lbl);
    assert_eq!(lbl.len(), 1);
    let faces: Vec<u8> = items_of(&layout, lbl[0])
        .iter()
        .filter_map(|(_, i)| if let Item::Text { run, .. } = i { Some(run.face) } else { None })
        .collect();
    assert_eq!(faces, vec![1], "the word is set in the bold face");
    // Bold at first use in the rows, too.
    let bold_in_rows = elems(&layout, Role::P).into_iter().flat_map(|p| items_of(&layout, p)).any(
        |(_, i)| matches!(i, Item::Text { run, .. } if run.face == 1 && item_text(i).as_deref() == Some("consent")),
    );
    assert!(bold_in_rows);
}

#[test]
fn easy_read_has_no_staff_only_text_and_no_italics() {
    let mut f = fixture(BODY, true);
    let layout = easy_layout(&mut f);
    let text = all_text(&layout);
    assert!(!text.contains("STAFFONLY"), "{text}");
    assert!(text.contains("Phones on our wards"));
    for item in layout.pages.iter().flat_map(|p| p.items.iter()) {
        if let Item::Text { run, .. } = item {
            assert!(!matches!(run.face, 2 | 3 | 6 | 7), "italic face in easy read: {item:?}");
        }
    }
}

#[test]
fn easy_read_back_page_has_contact_and_governance() {
    let mut f = fixture(BODY, true);
    let layout = easy_layout(&mut f);
    let last = layout.pages.len() - 1;
    let back: String = layout.pages[last].items.iter().filter_map(item_text).collect::<Vec<_>>().join(" ");
    for expected in [
        "Contact us",
        "PALS",
        "0116 496 0123",
        "pals@example.nhs.uk",
        "IG-099",
        "Version 2.0",
        "Next review due: January 2027",
        "Last reviewed: January 2025",
    ] {
        assert!(back.contains(expected), "{expected} missing from {back}");
    }
}

/// The text of each page, its items joined with spaces.
fn page_texts(layout: &Layout) -> Vec<String> {
    layout.pages.iter().map(|p| p.items.iter().filter_map(item_text).collect::<Vec<_>>().join(" ")).collect()
}

#[test]
fn easy_read_contact_us_shares_the_last_page_when_it_fits_whole() {
    // Two hard words: for some lengths of text the second one falls alone onto a new page.
    // "Contact us" and the governance then go under it when they fit whole, instead of leaving
    // that page nearly empty before a back page; they always stay whole on the last page.
    let front = FRONT.replace(
        "glossary:\n",
        "glossary:\n  advocate: Someone who helps you say what you want and makes sure you are heard.\n  \
         privacy: Being able to keep things about you to yourself.\n  \
         tribunal: A group of people who can decide if you can leave hospital.\n",
    );
    let config = "organisation: Example NHS Trust\nlanguage: en-GB\npublic-url: https://www.example.nhs.uk/leaflets/\n\
                  contact:\n  name: PALS\n  phone: 0116 496 0123\n  email: pals@example.nhs.uk\n";
    let bottom = 297.0 * MM - 26.0 * MM;
    let mut shared = 0;
    for rows in 0..24 {
        let mut body = long_easy_read(rows);
        body = body.replace(
            ":::\n",
            ":people: An advocate can help you.\n\n:padlock: You have a right to privacy.\n\n\
             :scales: You can ask a tribunal to let you go home.\n:::\n",
        );
        let FixtureProject { dir: _dir, project, library, mut diags } =
            fixture_project(config, &format!("{front}{body}"), test_date());
        let view = library.policies[0].view(Audience::EasyRead).expect("easy-read view").clone();
        let doc = easy_read_doc(&view, &mut diags);
        let mut fonts = FontSet::from_theme(&project.theme).expect("fonts");
        let layout = layout_easy_read(&project, &view, &doc, &mut fonts);
        let pages = page_texts(&layout);
        let last = pages.last().expect("pages");
        for expected in ["Contact us", "0116 496 0123", "pals@example.nhs.uk", "Next review due"] {
            assert!(last.contains(expected), "{rows} rows: {expected} missing from the last page {last}");
        }
        if ["heard.", "something.", "yourself.", "leave hospital."].iter().any(|m| last.contains(m)) {
            shared += 1;
        }
        for e in elems(&layout, Role::P) {
            for (_, item) in items_of(&layout, e) {
                assert!(bbox(item).3 <= bottom + 0.5, "{rows} rows: {item:?}");
            }
        }
    }
    assert!(shared > 0, "no length of text put the last hard word and Contact us on one page");
}

#[test]
fn easy_read_word_too_wide_for_the_column_is_a_located_error_never_split() {
    let body = "::: easy-read\n# Phones\n\n:phone: Supercalifragilisticexpialidociousnessfulnessandmoreandmore.\n:::\n";
    let mut f = fixture(body, true);
    let layout = easy_layout(&mut f);
    let problem = layout.problems.iter().find(|p| p.error && p.message.contains("too wide")).expect("error");
    let line = FRONT.lines().count() + 4;
    assert_eq!(problem.line, line);
    assert!(all_text(&layout).contains("Supercalifragilisticexpialidociousnessfulnessandmoreandmore."));
}

#[test]
fn easy_read_pdf_is_byte_identical_when_rendered_twice() {
    let mut f = fixture(&long_easy_read(20), true);
    let (view, doc) = easy(&mut f);
    let a = render_easy_read_pdf(&f.project, &view, &doc).expect("renders");
    let b = render_easy_read_pdf(&f.project, &view, &doc).expect("renders");
    assert!(a.bytes == b.bytes);
}

// ----- posters ------------------------------------------------------------------------------

/// ISO 32000-1 14.8.2.5: the tag tree keeps a space at every word break, a soft line break
/// included, so a screen reader reads "your phone", not "yourphone" (issue 15).
#[test]
fn easy_read_tag_tree_reads_whole_words_across_line_breaks() {
    let row =
        "You can use your phone on the ward to call your family. Please use headphones for music and videos at night.";
    let mut f = fixture(&format!("::: easy-read\n# Phones on our wards\n\n:phone: {row}\n:::\n"), true);
    let layout = easy_layout(&mut f);
    let p = elems(&layout, Role::P).into_iter().find(|&e| reads(&layout, e).starts_with("You can use")).expect("row");
    assert!(text_lines(&layout, p) >= 2, "the row wraps");
    assert_eq!(reads(&layout, p), row);
    let contact = elems(&layout, Role::P).into_iter().map(|e| reads(&layout, e)).collect::<Vec<_>>().join(" | ");
    assert!(contact.contains("Email: pals@example.nhs.uk"), "{contact}");
}

/// A picture's alternative text says what it shows (the theme's description of the icon), not
/// the icon's file name; an author's image keeps its alt text (issue 15).
#[test]
fn easy_read_figures_say_what_the_picture_shows() {
    let mut f = fixture(BODY, true);
    let layout = easy_layout(&mut f);
    let alts: Vec<String> =
        elems(&layout, Role::Figure).into_iter().filter_map(|e| layout.tree[e].alt.clone()).collect();
    assert!(alts.contains(&"A camera crossed out".to_string()), "{alts:?}");
    assert!(alts.contains(&"A microphone crossed out".to_string()), "{alts:?}");
    assert!(!alts.iter().any(|a| a == "camera off" || a == "phone"), "{alts:?}");
}

#[test]
fn poster_tag_tree_reads_whole_words_across_line_breaks() {
    let mut f = fixture(BODY, true);
    for format in Format::ALL {
        let layout = poster_layout(&mut f, format);
        let headlines: Vec<String> = elems(&layout, Role::H(1)).into_iter().map(|e| reads(&layout, e)).collect();
        assert_eq!(headlines, ["You can use your phone here", "Please ask before you take photos"], "{format:?}");
        assert!(elems(&layout, Role::H(1)).into_iter().any(|e| text_lines(&layout, e) >= 2), "a headline wraps");
        let messages: Vec<String> = elems(&layout, Role::LBody).into_iter().map(|e| reads(&layout, e)).collect();
        assert_eq!(
            messages,
            [
                "Calls and messages are welcome.",
                "Please keep noise down at night.",
                "No photos without asking staff first."
            ],
            "{format:?}"
        );
        let small: Vec<String> = elems(&layout, Role::P).into_iter().map(|e| reads(&layout, e)).collect();
        assert!(small.iter().any(|p| p.contains("Find out more: www.example.nhs.uk/leaflets/test")), "{small:?}");
    }
}

#[test]
fn poster_pdfs_are_a3_and_a4_portrait() {
    let mut f = fixture(BODY, true);
    let (view, list) = poster_list(&mut f);
    for (format, (w, h)) in [(Format::A3, (841.89, 1190.55)), (Format::A4, (595.28, 841.89))] {
        let pdf = render_poster_pdf(&f.project, &view, &list, format).expect("renders");
        for (pw, ph) in media_boxes(&pdf.bytes) {
            assert!((pw - w).abs() < 0.5 && (ph - h).abs() < 0.5, "{format:?}: {pw} x {ph}");
        }
    }
}

#[test]
fn poster_has_one_page_per_poster_block() {
    let mut f = fixture(BODY, true);
    for format in Format::ALL {
        let layout = poster_layout(&mut f, format);
        assert_eq!(layout.pages.len(), 2, "{format:?}");
        assert_eq!(elems(&layout, Role::H(1)).len(), 2);
    }
}

fn sizes_of(layout: &Layout, role: Role) -> Vec<f32> {
    elems(layout, role)
        .into_iter()
        .flat_map(|e| items_of(layout, e))
        .filter_map(|(_, i)| if let Item::Text { size, .. } = i { Some(*size) } else { None })
        .collect()
}

#[test]
fn poster_headline_is_at_least_72_pt_on_a3_and_54_pt_on_a4() {
    let mut f = fixture(BODY, true);
    for (format, min) in [(Format::A3, 72.0), (Format::A4, 54.0)] {
        let sizes = sizes_of(&poster_layout(&mut f, format), Role::H(1));
        assert!(!sizes.is_empty());
        assert!(sizes.iter().all(|s| *s >= min), "{format:?}: {sizes:?}");
    }
}

#[test]
fn poster_messages_are_at_least_36_pt_on_a3_and_28_pt_on_a4() {
    let mut f = fixture(BODY, true);
    for (format, min) in [(Format::A3, 36.0), (Format::A4, 28.0)] {
        let sizes = sizes_of(&poster_layout(&mut f, format), Role::LBody);
        assert!(!sizes.is_empty());
        assert!(sizes.iter().all(|s| *s >= min), "{format:?}: {sizes:?}");
    }
}

#[test]
fn poster_type_is_fitted_inside_the_page() {
    let mut f = fixture(BODY, true);
    for format in Format::ALL {
        let layout = poster_layout(&mut f, format);
        let (w, h) = layout.page_size;
        for item in layout.pages.iter().flat_map(|p| p.items.iter()) {
            let (l, t, r, b) = bbox(item);
            assert!(l >= -0.01 && t >= -0.01 && r <= w + 0.01 && b <= h + 0.01, "{format:?} {item:?}");
        }
        assert!(layout.problems.is_empty(), "{:?}", layout.problems);
    }
}

#[test]
fn poster_too_full_for_the_minimum_sizes_is_a_located_error() {
    let mut body = String::from("::: poster\n# Please read every one of these rules before you use your phone\n");
    for n in 0..14 {
        body.push_str(&format!(":phone: Rule {n}: please think about other people before you make a call.\n"));
    }
    body.push_str(":::\n");
    let mut f = fixture(&body, true);
    let (view, list) = poster_list(&mut f);
    let mut diags = Diagnostics::new();
    let artifacts = poster_pdfs(&f.project, &[(&view, list)], &mut diags);
    assert_eq!(artifacts.len(), 2);
    let errors: Vec<_> = diags.sorted().into_iter().filter(|d| d.severity == Severity::Error).collect();
    // Said once for the poster, though neither A3 nor A4 can hold it.
    assert_eq!(errors.len(), 1, "{errors:?}");
    let headline_line = FRONT.lines().count() + 2;
    assert_eq!(errors[0].location.line, headline_line);
    assert!(errors[0].location.file.ends_with("test.md"));
    insta::assert_snapshot!(errors[0].to_string().replace(&errors[0].location.file, "content/test.md"));
}

#[test]
fn poster_qr_code_is_at_least_25_mm_with_quiet_zone_and_encodes_the_short_public_address() {
    let mut f = fixture(BODY, true);
    let expected_url = "https://www.example.nhs.uk/leaflets/test/";
    let expected = qr_matrix(expected_url).expect("encodes");
    for format in Format::ALL {
        let layout = poster_layout(&mut f, format);
        let figures: Vec<usize> = elems(&layout, Role::Figure);
        assert_eq!(figures.len(), 2, "one QR code per poster");
        for fig in figures {
            assert_eq!(layout.tree[fig].alt.as_deref(), Some("QR code for www.example.nhs.uk/leaflets/test"));
            let rects: Vec<(f32, f32, f32, f32, bool)> = items_of(&layout, fig)
                .into_iter()
                .filter_map(|(_, i)| match i {
                    Item::Rect { x, y, w, h, fill: Some(c), .. } => Some((*x, *y, *w, *h, c.0 == 0xFFFFFF)),
                    _ => None,
                })
                .collect();
            let (x0, y0, side, side_h, white) = rects[0];
            assert!(white && (side - side_h).abs() < 0.01, "the code starts with its white square");
            assert!(side >= 25.0 * MM, "{format:?}: QR is {} mm", side / MM);
            let n = expected.width;
            let module = side / (n + 2 * QUIET_ZONE) as f32;
            let dark: Vec<_> = rects[1..].to_vec();
            assert!(dark.iter().all(|r| !r.4));
            // The quiet zone stays clear.
            let inner = (x0 + QUIET_ZONE as f32 * module - 0.01, x0 + side - QUIET_ZONE as f32 * module + 0.01);
            for (x, y, w, h, _) in &dark {
                assert!(*x >= inner.0 && x + w <= inner.1, "dark module in the quiet zone");
                assert!(*y >= y0 + QUIET_ZONE as f32 * module - 0.01 && y + h <= y0 + side - 3.99 * module);
            }
            // Sample each module's centre: the drawing is the matrix of the leaflet address.
            let mut drawn = Vec::with_capacity(n * n);
            for row in 0..n {
                for col in 0..n {
                    let cx = x0 + (QUIET_ZONE as f32 + col as f32 + 0.5) * module;
                    let cy = y0 + (QUIET_ZONE as f32 + row as f32 + 0.5) * module;
                    drawn.push(dark.iter().any(|(x, y, w, h, _)| cx > *x && cx < x + w && cy > *y && cy < y + h));
                }
            }
            assert!(drawn == expected.dark, "{format:?}: the drawn code differs from the address's");
        }
        let text = all_text(&layout);
        assert!(text.replace(' ', "").contains("www.example.nhs.uk/leaflets/test"), "{text}");
        assert!(!text.contains("https://") && !text.contains("intranet"), "{text}");
    }
}

#[test]
fn poster_without_public_url_has_no_qr_code_and_never_an_intranet_address() {
    let mut f = fixture(BODY, false);
    let layout = poster_layout(&mut f, Format::A4);
    assert!(elems(&layout, Role::Figure).is_empty());
    assert!(all_text(&layout).contains("Version 2.0"));
    assert!(!all_text(&layout).contains("intranet"));
}

#[test]
fn poster_pictograms_are_artifacts_and_reading_order_is_headline_messages_small_print() {
    let mut f = fixture(BODY, true);
    let layout = poster_layout(&mut f, Format::A3);
    for item in layout.pages.iter().flat_map(|p| p.items.iter()) {
        if let Item::Path { tag, .. } = item {
            assert_eq!(*tag, Tag::Artifact);
        }
    }
    let sect = elems(&layout, Role::Sect)[0];
    let order: Vec<Role> = layout.tree[sect]
        .kids
        .iter()
        .filter_map(|k| if let Kid::Elem(e) = k { Some(layout.tree[*e].role) } else { None })
        .collect();
    assert_eq!(order, vec![Role::H(1), Role::L, Role::Figure, Role::P, Role::P]);
    assert!(!all_text(&layout).contains("STAFFONLY"));
}

#[test]
fn poster_pdf_is_byte_identical_when_rendered_twice() {
    let mut f = fixture(BODY, true);
    let (view, list) = poster_list(&mut f);
    for format in Format::ALL {
        let a = render_poster_pdf(&f.project, &view, &list, format).expect("renders");
        let b = render_poster_pdf(&f.project, &view, &list, format).expect("renders");
        assert!(a.bytes == b.bytes, "{format:?}");
    }
}

// ----- issue 14: an easy read that shows the idea --------------------------------------------

const SECTIONS: &str = "::: easy-read
# Phones on our wards

:mobile-phone: You can use your phone on the ward.

## Being quiet

:shushing-face: Please be extra quiet at night.

:person-raising-hand: Ask people for their consent before you take a photo.

## Help

:people-holding-hands: An advocate can help you.
:::
";

fn page_words(layout: &Layout, page: usize) -> String {
    let joined = layout.pages[page].items.iter().filter_map(item_text).collect::<Vec<_>>().join(" ");
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The squares pictures are drawn in on a page (x, y, side), from their tinted backgrounds.
fn squares(layout: &Layout, page: usize) -> Vec<(f32, f32, f32)> {
    layout.pages[page]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Rect { x, y, w, h, fill: Some(_), stroke: None, .. } if (w - h).abs() < 0.1 && *w >= 20.0 * MM => {
                Some((*x, *y, *w))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn easy_read_cover_says_what_it_is_the_easy_read_version_of_and_that_a_supporter_may_help() {
    let mut f = fixture(SECTIONS, true);
    let layout = easy_layout(&mut f);
    let cover = page_words(&layout, 0);
    assert!(cover.contains("This is an easy read version of Phones on Wards."), "{cover}");
    assert!(cover.contains("You may want a supporter to help you read it."), "{cover}");
    // Each as a row: a picture of at least 25 mm on the left of its words.
    assert!(
        squares(&layout, 0).iter().filter(|(_, _, side)| *side >= 25.0 * MM).count() >= 3,
        "cover picture and two rows"
    );
}

#[test]
fn easy_read_contents_page_gives_each_section_with_its_picture_and_page() {
    let mut f = fixture(SECTIONS, true);
    let layout = easy_layout(&mut f);
    let contents = page_words(&layout, 1);
    assert!(contents.contains("What is in this document"), "{contents}");
    assert!(contents.contains("Hard words are in bold."), "{contents}");
    for (heading, anchor) in [
        ("Being quiet", "being-quiet"),
        ("Help", "help"),
        ("Words to know", "pdf-words-to-know"),
        ("Contact us", "pdf-contact-us"),
    ] {
        let page = layout.anchors.get(anchor).unwrap_or_else(|| panic!("{anchor}: {:?}", layout.anchors.keys())).0 + 1;
        assert!(contents.contains(&format!("{heading} Page {page}")), "{heading} on page {page}: {contents}");
    }
    // A picture of at least 25 mm beside every entry (and the hard-words row).
    assert!(squares(&layout, 1).len() >= 5, "{:?}", squares(&layout, 1));
    // Each entry is a link to its section, tagged as a table of contents.
    let links = layout.pages[1].items.iter().filter(|i| matches!(i, Item::Link { .. })).count();
    assert_eq!(links, 4);
    assert!(layout.tree.iter().any(|e| e.role == Role::TOC));
    assert_eq!(layout.tree.iter().filter(|e| e.role == Role::TOCI).count(), 4);
}

#[test]
fn easy_read_words_to_know_show_the_picture_of_the_row_that_first_uses_them() {
    let mut f = fixture(SECTIONS, true);
    let layout = easy_layout(&mut f);
    let page = layout.anchors["pdf-words-to-know"].0;
    let words = page_words(&layout, page);
    assert!(words.contains("consent When you say yes to something."), "{words}");
    let entry_y = layout.pages[page]
        .items
        .iter()
        .find_map(|i| match i {
            Item::Text { y, run, .. }
                if run.glyphs.iter().map(|g| g.text.as_str()).collect::<String>().starts_with("consent") =>
            {
                Some(*y)
            }
            _ => None,
        })
        .expect("the word is drawn");
    // The row "Ask people for their consent" has person-raising-hand: beside the word, the same
    // picture, in a square of at least 25 mm level with it.
    let beside =
        squares(&layout, page).into_iter().any(|(x, y, side)| x < 40.0 * MM && y <= entry_y && entry_y <= y + side);
    assert!(beside, "{:?}", squares(&layout, page));
    let (_, doc) = easy(&mut f);
    assert_eq!(
        doc.words_to_know[0].picture,
        policypress::audience::easy_read::Picture::Icon("person-raising-hand".into())
    );
}

#[test]
fn easy_read_footer_names_the_easy_read_title_and_the_back_page_credits_the_pictures() {
    let mut f = fixture(SECTIONS, true);
    let layout = easy_layout(&mut f);
    for page in 1..layout.pages.len() {
        let footer: String = layout.pages[page]
            .items
            .iter()
            .filter(|i| matches!(i, Item::Text { y, tag: Tag::Artifact, .. } if *y > 270.0 * MM))
            .filter_map(item_text)
            .collect();
        assert!(footer.contains("Phones on our wards"), "page {}: {footer}", page + 1);
    }
    let back = page_words(&layout, layout.pages.len() - 1);
    assert!(back.contains("Pictures: OpenMoji (openmoji.org), CC BY-SA 4.0."), "{back}");
}

// ----- issue 14: posters that carry across a ward -----------------------------------------------

const HERO_BODY: &str = "::: poster
# You can use your phone here
:mobile-phone:
:telephone: Calls are welcome.
:shushing-face: Please keep noise down at night.
:::
";

/// Side of every vector picture on a page: (top, side, tag).
fn pictures(layout: &Layout, page: usize) -> Vec<(f32, f32, Tag)> {
    layout.pages[page]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Path { y, scale, picture, tag, .. } if picture.width > 0.0 => {
                Some((*y, picture.width.max(picture.height) * scale, *tag))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn poster_hero_picture_is_at_least_a_third_of_the_page_width_under_the_headline() {
    for body in [BODY, HERO_BODY] {
        let mut f = fixture(body, true);
        for format in Format::ALL {
            let layout = poster_layout(&mut f, format);
            let width = layout.page_size.0;
            let h1 = elems(&layout, Role::H(1))[0];
            let headline_foot = items_of(&layout, h1).iter().map(|(_, i)| bbox(i).3).fold(0.0, f32::max);
            let largest =
                pictures(&layout, 0).into_iter().fold((0.0, 0.0, Tag::Artifact), |a, b| if b.1 > a.1 { b } else { a });
            assert!(
                largest.1 >= width / 3.0 - 0.01,
                "{format:?}: the hero is {:.0} mm of {:.0} mm",
                largest.1 / MM,
                width / MM
            );
            assert!(largest.0 > headline_foot, "{format:?}: the hero is under the headline");
        }
    }
}

#[test]
fn poster_pictograms_are_at_least_twice_the_messages_cap_height() {
    use policypress::audience::poster::pdf::CAP_HEIGHT_EM;
    let mut f = fixture(HERO_BODY, true);
    for format in Format::ALL {
        let layout = poster_layout(&mut f, format);
        let message_size = elems(&layout, Role::LBody)
            .into_iter()
            .flat_map(|e| items_of(&layout, e))
            .find_map(|(_, i)| match i {
                Item::Text { size, .. } => Some(*size),
                _ => None,
            })
            .expect("messages");
        let width = layout.page_size.0;
        let pictograms: Vec<f32> = pictures(&layout, 0)
            .into_iter()
            .filter(|(_, side, _)| *side < width / 4.0)
            .map(|(_, side, _)| side)
            .collect();
        assert_eq!(pictograms.len(), 2, "{format:?}: one pictogram per message");
        for side in pictograms {
            assert!(
                side >= 2.0 * CAP_HEIGHT_EM * message_size,
                "{format:?}: {side:.1} pt beside {message_size} pt words"
            );
        }
    }
}

#[test]
fn poster_headline_is_white_on_an_nhs_blue_block_whose_contrast_is_checked() {
    use policypress::load::contrast::{TEXT, contrast_ratio};
    let mut f = fixture(HERO_BODY, true);
    let colours = &f.project.theme_settings.colours;
    let (on, brand) = (colours.get("on-brand").expect("on-brand").rgb, colours.get("brand").expect("brand").rgb);
    assert!(contrast_ratio(on, brand) >= TEXT, "checked at every build (load::contrast)");
    let as_pdf = |c: policypress::load::contrast::Rgb| (u32::from(c.0) << 16) | (u32::from(c.1) << 8) | u32::from(c.2);
    for format in Format::ALL {
        let layout = poster_layout(&mut f, format);
        let h1 = elems(&layout, Role::H(1))[0];
        let words = items_of(&layout, h1);
        let foot = words.iter().map(|(_, i)| bbox(i).3).fold(0.0, f32::max);
        for (_, item) in &words {
            let Item::Text { color, .. } = item else { continue };
            assert_eq!(color.0, as_pdf(on), "{format:?}: headline words in the on-brand colour");
        }
        let block = layout.pages[0].items.iter().find_map(|i| match i {
            Item::Rect { x, y, w, h, fill: Some(c), tag: Tag::Artifact, .. }
                if c.0 == as_pdf(brand) && *x == 0.0 && *y == 0.0 =>
            {
                Some((*w, *h))
            }
            _ => None,
        });
        let (w, h) = block.expect("the blue block");
        assert!((w - layout.page_size.0).abs() < 0.1, "{format:?}: full width");
        assert!(h > foot, "{format:?}: the block holds the headline ({h:.0} > {foot:.0})");
    }
}

#[test]
fn a_picture_on_a_line_of_its_own_is_the_posters_hero_and_described() {
    let mut f = fixture(HERO_BODY, true);
    let (_, list) = poster_list(&mut f);
    assert_eq!(list[0].hero.as_deref(), Some("mobile-phone"));
    assert!(list[0].hero_alone);
    assert_eq!(list[0].messages.len(), 2, "the hero is no message");
    let layout = poster_layout(&mut f, Format::A3);
    let described: Vec<Option<String>> =
        elems(&layout, Role::Figure).into_iter().map(|e| layout.tree[e].alt.clone()).collect();
    assert!(described.contains(&Some("A mobile phone".to_string())), "{described:?}");
    // Without such a line, the first message's pictogram is drawn large too, as decoration.
    let mut g = fixture(BODY, true);
    let (_, list) = poster_list(&mut g);
    assert_eq!(list[0].hero.as_deref(), Some("phone"));
    assert!(!list[0].hero_alone);
}

#[test]
fn a_poster_too_full_for_its_hero_on_a4_keeps_its_words_and_says_so() {
    let body = "::: poster
# You can use your phone here on this ward
:mobile-phone:
:telephone: Calls and messages are welcome on this ward.
:shushing-face: Please keep noise down from 10pm to 7am.
:electric-plug: Ask staff to check your charger first.
:wireless: Free NHS Wi-Fi for patients and visitors.
:::
";
    let mut f = fixture(body, true);
    let layout = poster_layout(&mut f, Format::A4);
    let warning = layout.problems.iter().find(|p| p.message.contains("picture is left out on A4"));
    let warning = warning.expect("a warning");
    assert!(!warning.error);
    assert!(layout.problems.iter().all(|p| !p.error), "{:?}", layout.problems);
}
