//! The staff PDF, checked as data (the layout dump) and as a parsed PDF (lopdf): page size,
//! fonts, tags, links, bookmarks, determinism, and the rules of issue 3.

mod common;

use common::{FixtureProject, fixture_project, reads, test_date, text_lines};
use lopdf::{Document, Object};
use policypress::audience::staff::pdf::{layout_staff_pdf, render_staff_pdf, render_staff_pdf_with};
use policypress::diag::Diagnostics;
use policypress::load::Project;
use policypress::model::Audience;
use policypress::pdf::fonts::FontSet;
use policypress::pdf::layout::{Item, Kid, Layout, Role, Tag};
use policypress::resolve::AudienceView;

const FRONT: &str = "---
title: Test Policy
reference: TP-001
version: \"1.2\"
status: approved
approved-date: 2025-01-31
approved-by: Policy Committee
owner: Head of Testing
review-date: 2027-01-31
summary: A policy used by the tests.
history:
  - version: \"1.0\"
    date: 2024-01-31
    changes: First version.
extra:
  equality-impact: Low
---
";

/// A project folder with one policy `test.md` holding `body`, loaded and resolved.
fn staff_view(body: &str) -> (tempfile::TempDir, Project, AudienceView, Diagnostics) {
    let FixtureProject { dir, project, library, diags } =
        fixture_project("organisation: Example NHS Trust\nlanguage: en-GB\n", &format!("{FRONT}{body}"), test_date());
    let view = library.policies[0].view(Audience::Staff).expect("staff view").clone();
    (dir, project, view, diags)
}

fn layout_of(project: &Project, view: &AudienceView) -> Layout {
    let mut fonts = FontSet::from_theme(&project.theme).expect("fonts");
    layout_staff_pdf(project, view, &mut fonts)
}

fn page_text(layout: &Layout, page: usize) -> String {
    layout.pages[page]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text { run, .. } => Some(run.glyphs.iter().map(|g| g.text.as_str()).collect::<String>()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn long_body(paragraphs: usize) -> String {
    let mut body = String::from("## 1. Introduction\n\n");
    for n in 0..paragraphs {
        body.push_str(&format!(
            "Paragraph {n} says what staff must do, why it matters to patients, and who to ask \
             when they are not sure, in words long enough to wrap over several lines of the page.\n\n"
        ));
        if n % 7 == 6 {
            body.push_str(&format!("## {}. Section {n}\n\n", n / 7 + 2));
        }
    }
    body
}

#[test]
fn staff_pdf_is_a4_tagged_pdf_1_7_with_language_and_title_bar() {
    let (_dir, project, view, _) = staff_view("## Purpose\n\nSome words.\n");
    let pdf = render_staff_pdf(&project, &view).expect("renders");
    let doc = Document::load_mem(&pdf.bytes).expect("lopdf parses");
    assert_eq!(doc.version, "1.7");
    let catalog = doc.catalog().expect("catalog");
    assert!(matches!(catalog.get(b"Lang"), Ok(Object::String(s, _)) if s == b"en-GB"));
    assert!(catalog.get(b"StructTreeRoot").is_ok());
    let mark = catalog.get(b"MarkInfo").and_then(Object::as_dict).expect("MarkInfo");
    assert!(matches!(mark.get(b"Marked"), Ok(Object::Boolean(true))));
    let prefs = catalog.get(b"ViewerPreferences").and_then(Object::as_dict).expect("prefs");
    assert!(matches!(prefs.get(b"DisplayDocTitle"), Ok(Object::Boolean(true))));
    for page_id in doc.get_pages().values() {
        let page = doc.get_dictionary(*page_id).expect("page");
        let media = page.get(b"MediaBox").and_then(Object::as_array).expect("media box");
        let size: Vec<f32> = media.iter().map(|o| o.as_float().unwrap_or(0.0)).collect();
        assert!((size[2] - 595.28).abs() < 0.5 && (size[3] - 841.89).abs() < 0.5, "{size:?}");
    }
}

#[test]
fn staff_pdf_is_byte_identical_when_rendered_twice() {
    let (_dir, project, view, _) = staff_view(&long_body(20));
    let first = render_staff_pdf(&project, &view).expect("renders");
    let second = render_staff_pdf(&project, &view).expect("renders");
    assert!(first.bytes == second.bytes, "two renders of the same view differ");
}

#[test]
fn staff_pdf_is_the_same_with_fonts_shared_across_documents() {
    // The staff PDFs of a build share one font set per thread: what another document shaped
    // before must not change a byte (subsets, glyph ids, text).
    let (_dir, project, view, _) = staff_view(&long_body(20));
    let (_other_dir, other_project, other_view, _) =
        staff_view("## Other\n\nÆsthetic “quotes”, café, β and naïve fﬁ words.\n");
    let fresh = render_staff_pdf(&project, &view).expect("renders");
    let mut fonts = FontSet::from_theme(&project.theme).expect("fonts");
    render_staff_pdf_with(&other_project, &other_view, &mut fonts).expect("renders");
    let shared = render_staff_pdf_with(&project, &view, &mut fonts).expect("renders");
    assert!(fresh.bytes == shared.bytes, "a shared font set changed the output");
}

#[test]
fn staff_pdf_fonts_are_embedded_subsets_with_six_letter_tags() {
    let (_dir, project, view, _) = staff_view("## Purpose\n\nSome *words* and **more**.\n");
    let pdf = render_staff_pdf(&project, &view).expect("renders");
    let doc = Document::load_mem(&pdf.bytes).expect("lopdf parses");
    let mut fonts = 0;
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        if !matches!(dict.get(b"Type"), Ok(Object::Name(n)) if n == b"FontDescriptor") {
            continue;
        }
        fonts += 1;
        assert!(dict.get(b"FontFile2").is_ok(), "font not embedded");
        let Ok(Object::Name(name)) = dict.get(b"FontName") else { panic!("no FontName") };
        let name = String::from_utf8_lossy(name);
        let (tag, _) = name.split_once('+').expect("subset tag");
        assert!(tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()), "{name}");
    }
    assert!(fonts >= 3, "regular, bold and italic faces");
}

#[test]
fn staff_pdf_keeps_typographic_characters_as_text() {
    let (_dir, project, view, _) = staff_view("## Costs\n\nParking costs £5 – “short stay” at the café.\n");
    let layout = layout_of(&project, &view);
    let all: String = (0..layout.pages.len()).map(|p| page_text(&layout, p)).collect();
    assert!(all.contains("£5 – “short stay” at the café."), "{all}");
}

#[test]
fn staff_pdf_cover_and_header_carry_governance_details() {
    let (_dir, project, view, _) = staff_view(&long_body(30));
    let layout = layout_of(&project, &view);
    let cover = page_text(&layout, 0);
    for expected in [
        "Example NHS Trust",
        "Test Policy",
        "TP-001",
        "1.2",
        "Approved",
        "Policy Committee",
        "Head of Testing",
        "31 January 2027",
    ] {
        assert!(cover.contains(expected), "cover lacks {expected}: {cover}");
    }
    let total = layout.pages.len();
    for page in 1..total {
        let text = page_text(&layout, page);
        assert!(text.contains(&format!("Page {} of {total}", page + 1)), "{text}");
        assert!(text.contains("Version 1.2") && text.contains("Review date 31 January 2027"), "{text}");
    }
}

#[test]
fn staff_pdf_contents_lists_headings_with_their_page_numbers() {
    let (_dir, project, view, _) = staff_view(&long_body(40));
    let layout = layout_of(&project, &view);
    let contents = page_text(&layout, 1);
    for entry in &layout.outline {
        if entry.level > 3 {
            continue;
        }
        let (page, _) = layout.anchors[&entry.anchor];
        assert!(contents.contains(&entry.title), "contents lacks {}", entry.title);
        assert!(contents.contains(&format!("{}", page + 1)));
    }
}

/// Each contents entry is TOCI > Reference > Link, its page number a `Span` of the link whose
/// alternative text says "page N": the title and the number are separate parts, read as
/// "1. Introduction, page 3" and never "1. Introduction3" (issue 15).
#[test]
fn staff_pdf_contents_entries_keep_title_and_page_number_apart() {
    let (_dir, project, view, _) = staff_view(&long_body(40));
    let layout = layout_of(&project, &view);
    let children = |e: usize| -> Vec<usize> {
        layout.tree[e].kids.iter().filter_map(|k| if let Kid::Elem(c) = k { Some(*c) } else { None }).collect()
    };
    let entries: Vec<usize> = (0..layout.tree.len()).filter(|&e| layout.tree[e].role == Role::TOCI).collect();
    assert!(entries.len() > 3);
    for entry in entries {
        let reference = children(entry);
        assert_eq!(reference.len(), 1);
        assert_eq!(layout.tree[reference[0]].role, Role::Reference);
        let link = children(reference[0]);
        assert_eq!(link.iter().map(|&l| layout.tree[l].role).collect::<Vec<_>>(), [Role::Link]);
        let number = children(link[0]);
        assert_eq!(number.iter().map(|&n| layout.tree[n].role).collect::<Vec<_>>(), [Role::Span]);
        let whole = reads(&layout, entry);
        let page_text = reads(&layout, number[0]);
        let title = whole.strip_suffix(&page_text).expect("the number ends the entry").trim_end();
        assert!(whole.ends_with(&format!(" {page_text}")), "a space between title and number: {whole:?}");
        let anchor = layout.outline.iter().find(|o| o.title == title).map(|o| &o.anchor).expect("an outline title");
        let page = layout.anchors[anchor].0 + 1;
        assert_eq!(page_text, page.to_string());
        assert_eq!(layout.tree[number[0]].alt.as_deref(), Some(format!("page {page}").as_str()));
    }
}

/// An icon in running text is a `Figure` saying what it shows, as on the web page (issue 15).
#[test]
fn staff_pdf_icon_in_running_text_is_a_figure_with_its_description() {
    let (_dir, project, view, _) = staff_view("## Purpose\n\nTake care :warning: on the ward.\n");
    let layout = layout_of(&project, &view);
    let figure = (0..layout.tree.len()).find(|&e| layout.tree[e].role == Role::Figure).expect("a figure");
    assert_eq!(layout.tree[figure].alt.as_deref(), Some("A warning triangle with an exclamation mark"));
    let parent = layout.tree[figure].parent.expect("inside the paragraph");
    assert_eq!(layout.tree[parent].role, Role::P);
    let drawn: Vec<&Item> = layout.tree[figure]
        .kids
        .iter()
        .filter_map(|k| if let Kid::Item { page, item } = k { Some(&layout.pages[*page].items[*item]) } else { None })
        .collect();
    assert!(matches!(drawn.as_slice(), [Item::Path { .. }]), "the figure holds the icon's drawing");
}

/// A hard line break is a word break in the tag tree too.
#[test]
fn staff_pdf_hard_line_break_reads_as_a_space() {
    let (_dir, project, view, _) = staff_view("## Purpose\n\nCall the ward\\\nbefore you visit.\n");
    let layout = layout_of(&project, &view);
    let p = (0..layout.tree.len())
        .find(|&e| layout.tree[e].role == Role::P && reads(&layout, e).starts_with("Call"))
        .expect("the paragraph");
    assert_eq!(text_lines(&layout, p), 2);
    assert_eq!(reads(&layout, p), "Call the ward before you visit.");
}

/// The layout in one pass (contents numbers filled in afterwards) is the layout two full passes
/// give, the second laid out with the first's page numbers.
#[test]
fn staff_pdf_one_layout_pass_equals_two() {
    use policypress::audience::pdf_output::site_of;
    use policypress::audience::pictures::Icons;
    use policypress::audience::staff::pdf as staff;
    use policypress::pdf::layout::Flow;

    let mut body = long_body(200);
    body.push_str("### A subsection [with a link](#1-introduction)\n\nMore words.\n\n");
    let (_dir, project, view, _) = staff_view(&body);
    let one = layout_of(&project, &view);
    let site = site_of(&project);
    let icons = Icons::new(&project.theme);
    let icon_lookup = |name: &str| icons.get(name);
    let resolve = |target: &policypress::model::LinkTarget| site.dest(target);
    let mut fonts = FontSet::from_theme(&project.theme).expect("fonts");
    let mut page_of = std::collections::BTreeMap::new();
    let mut two = None;
    for _ in 0..2 {
        let mut flow =
            Flow::new(&mut fonts, staff::settings(&project.theme_settings), &project.images, &icon_lookup, &resolve);
        staff::layout_staff(&mut flow, &view, &site, &page_of);
        staff::furniture(&mut flow, &view, &site);
        let layout = flow.finish();
        page_of = staff::page_numbers(&layout);
        two = Some(layout);
    }
    let two = two.expect("two passes");
    assert!(one.pages.len() > 9, "{} pages: too few for two-digit page numbers", one.pages.len());
    assert_eq!(one.dump(), two.dump());
    assert_eq!(one, two);
}

#[test]
fn staff_pdf_header_row_repeats_on_each_page() {
    let mut body = String::from("## Roles\n\n| Role | What they do |\n|---|---|\n");
    for n in 0..90 {
        body.push_str(&format!("| Role {n} | Does task {n} for the ward and reports to the manager |\n"));
    }
    let (_dir, project, view, _) = staff_view(&body);
    let layout = layout_of(&project, &view);
    let table_pages: Vec<usize> =
        (0..layout.pages.len()).filter(|&p| page_text(&layout, p).contains("Does task")).collect();
    assert!(table_pages.len() >= 2, "the table should span pages");
    for page in table_pages {
        assert!(page_text(&layout, page).contains("What they do"), "page {page} lacks the header row");
    }
}

#[test]
fn staff_pdf_heading_is_never_last_on_a_page() {
    let (_dir, project, view, _) = staff_view(&long_body(80));
    let layout = layout_of(&project, &view);
    for (e, elem) in layout.tree.iter().enumerate() {
        if !matches!(elem.role, Role::H(2..=6)) {
            continue;
        }
        let (page, _) = layout.anchors.values().find(|_| true).copied().unwrap_or((0, 0.0));
        let _ = page;
        // The heading's page must also hold content of a later element.
        let heading_page = layout.pages.iter().position(|p| p.items.iter().any(|i| i.tag() == Tag::Elem(e)));
        let Some(hp) = heading_page else { continue };
        let later = layout.pages[hp].items.iter().any(|i| matches!(i.tag(), Tag::Elem(x) if x > e));
        assert!(later, "heading element {e} ends page {}", hp + 1);
    }
}

#[test]
fn staff_pdf_splits_paragraphs_with_at_least_two_lines_each_side() {
    let (_dir, project, view, _) = staff_view(&long_body(80));
    let layout = layout_of(&project, &view);
    for (e, elem) in layout.tree.iter().enumerate() {
        if elem.role != Role::P {
            continue;
        }
        let mut per_page: std::collections::BTreeMap<usize, std::collections::BTreeSet<i32>> = Default::default();
        for (p, page) in layout.pages.iter().enumerate() {
            for item in &page.items {
                if let Item::Text { y, tag: Tag::Elem(x), .. } = item
                    && *x == e
                {
                    per_page.entry(p).or_default().insert(*y as i32);
                }
            }
        }
        if per_page.len() > 1 {
            for lines in per_page.values() {
                assert!(lines.len() >= 2, "paragraph {e} leaves a single line on a page");
            }
        }
    }
}

#[test]
fn staff_pdf_links_are_goto_for_sections_and_uri_for_the_web() {
    let body = "## Purpose\n\nSee [the scope](#scope) and [NHS](https://www.nhs.uk/).\n\n## Scope\n\nWords.\n";
    let (_dir, project, view, _) = staff_view(body);
    let pdf = render_staff_pdf(&project, &view).expect("renders");
    let doc = Document::load_mem(&pdf.bytes).expect("lopdf parses");
    let mut goto = 0;
    let mut uri = 0;
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        if !matches!(dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Link") {
            continue;
        }
        assert!(dict.get(b"StructParent").is_ok(), "link annotation is not tagged");
        let action = dict.get(b"A").and_then(Object::as_dict).expect("action");
        match action.get(b"S") {
            Ok(Object::Name(n)) if n == b"GoTo" => goto += 1,
            Ok(Object::Name(n)) if n == b"URI" => uri += 1,
            _ => {}
        }
    }
    assert!(goto >= 1 && uri == 1, "goto {goto}, uri {uri}");
}

#[test]
fn staff_pdf_bookmarks_nest_subsections_under_sections() {
    let body = "## 1. Purpose\n\nWords.\n\n### 1.1 Detail\n\nMore.\n\n## 2. Scope\n\nWords.\n";
    let (_dir, project, view, _) = staff_view(body);
    let layout = layout_of(&project, &view);
    let levels: Vec<u8> = layout.outline.iter().map(|e| e.level).collect();
    assert_eq!(&levels[..3], &[2, 3, 2]);
    let pdf = render_staff_pdf(&project, &view).expect("renders");
    let doc = Document::load_mem(&pdf.bytes).expect("lopdf parses");
    let outlines = doc.catalog().and_then(|c| c.get(b"Outlines")).and_then(Object::as_reference).expect("outlines");
    let root = doc.get_dictionary(outlines).expect("outline root");
    let first = root.get(b"First").and_then(Object::as_reference).expect("first");
    let purpose = doc.get_dictionary(first).expect("entry");
    assert!(purpose.get(b"First").is_ok(), "1.1 should be a child of 1.");
}

#[test]
fn staff_pdf_character_missing_from_every_font_is_a_located_warning() {
    let (_dir, project, view, _) = staff_view("## Purpose\n\nA smile \u{1F600} here.\n");
    let pdf = render_staff_pdf(&project, &view).expect("renders");
    assert_eq!(pdf.missing.get(&'\u{1F600}'), Some(&20), "the paragraph with the character starts on line 20");
}

#[test]
fn staff_pdf_overlong_word_breaks_inside_a_narrow_column() {
    let word = "a".repeat(300);
    let body = format!("## Words\n\n| A | B | C | D |\n|---|---|---|---|\n| {word} | x | y | z |\n");
    let (_dir, project, view, _) = staff_view(&body);
    let layout = layout_of(&project, &view);
    let right_edge = layout.page_size.0 - 56.0;
    for page in &layout.pages {
        for item in &page.items {
            if let Item::Text { x, run, size, tag: Tag::Elem(_), .. } = item {
                let width = run.width_em() * size / 1000.0;
                assert!(x + width <= right_edge + 1.0, "text runs past the margin: {}", x + width);
            }
        }
    }
}

#[test]
fn staff_pdf_layout_snapshot() {
    let body = "## 1. Purpose\n\nStaff **must** read this. See [scope](#2-scope).\n\n- one\n- two\n\n## 2. Scope\n\n| A | B |\n|---|---|\n| 1 | 2 |\n";
    let (_dir, project, view, _) = staff_view(body);
    let layout = layout_of(&project, &view);
    insta::assert_snapshot!(layout.dump());
}

/// Issue 19: an earlier version's PDF says on its cover what replaced it, and the current one has
/// "What changed" with additions and removals named in words.
#[test]
fn staff_pdf_shows_what_changed_and_an_earlier_version_its_supersession() {
    use policypress::model::{BlockKind, Inline};
    use policypress::resolve::Supersession;
    let (_dir, project, mut view, _) = staff_view("## Visiting\n\nVisitors may stay until 9pm.\n");
    let mut old = view.clone();
    old.version = "1.0".to_string();
    for block in &mut old.blocks {
        if let BlockKind::Paragraph(content) = &mut block.kind {
            *content = vec![Inline::Text("Visitors may stay until 8pm.".to_string())];
        }
    }
    view.staff.as_mut().unwrap().earlier = vec![old.clone()];
    let all_text =
        |layout: &Layout| (0..layout.pages.len()).map(|p| page_text(layout, p)).collect::<Vec<_>>().join(" ");
    let current = all_text(&layout_of(&project, &view));
    assert!(current.contains("What changed in version 1.2"), "{current}");
    assert!(current.contains("[removed: 8pm]") && current.contains("[added: 9pm]"), "{current}");
    old.staff.as_mut().unwrap().superseded_by =
        Some(Supersession { version: "1.2".to_string(), on: policypress::model::dates::Date::parse("2025-01-31") });
    let cover = page_text(&layout_of(&project, &old), 0);
    assert!(cover.contains("Superseded on 31 January 2025 by version 1.2"), "{cover}");
    assert!(cover.contains("Superseded"), "status");
}

// ----- issue 14: uncontrolled copies, one way of writing dates, further details, PDF dates ------

fn staff_view_with(config: &str, front_extra: &str, body: &str) -> (tempfile::TempDir, Project, AudienceView) {
    let front = FRONT.replace("extra:\n  equality-impact: Low\n", front_extra);
    let FixtureProject { dir, project, library, diags } =
        fixture_project(config, &format!("{front}{body}"), test_date());
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    let view = library.policies[0].view(Audience::Staff).expect("staff view").clone();
    (dir, project, view)
}

#[test]
fn staff_pdf_says_uncontrolled_when_printed_with_the_live_page_on_the_cover_and_every_footer() {
    let config = "organisation: Example NHS Trust\nbase-url: https://intranet.example.nhs.uk/policies/\n";
    let (_dir, project, view) = staff_view_with(config, "", &long_body(40));
    let layout = layout_of(&project, &view);
    assert!(layout.pages.len() > 3);
    let statement = "check intranet.example.nhs.uk/policies/staff/test.html";
    // On the cover, as text a screen reader reads, its address a link to the live page.
    let cover: String = page_text(&layout, 0).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(cover.contains("Uncontrolled when printed:"), "{cover}");
    assert!(cover.contains("intranet.example.nhs.uk/policies/staff/test.html for the current version."), "{cover}");
    let link = layout.pages[0].items.iter().any(|i| {
        matches!(i, Item::Link { dest: policypress::pdf::layout::Dest::Uri(u), .. } if u == "https://intranet.example.nhs.uk/policies/staff/test.html")
    });
    assert!(link, "the cover links the live page");
    // In the footer of every page, as page furniture.
    for page in 0..layout.pages.len() {
        let footer: Vec<String> = layout.pages[page]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { run, y, tag: Tag::Artifact, .. } if *y > layout.page_size.1 - 60.0 => {
                    Some(run.glyphs.iter().map(|g| g.text.as_str()).collect::<String>())
                }
                _ => None,
            })
            .collect();
        let footer = footer.join(" ");
        assert!(
            footer.contains("Uncontrolled when printed: ") && footer.contains(statement),
            "page {}: {footer}",
            page + 1
        );
        assert!(footer.contains("for the current version."), "page {}: {footer}", page + 1);
    }
}

#[test]
fn staff_pdf_without_base_url_points_to_the_policy_library() {
    let (_dir, project, view) = staff_view_with("organisation: Example NHS Trust\n", "", "## Purpose\n\nWords.\n");
    let layout = layout_of(&project, &view);
    let all: String = (0..layout.pages.len()).map(|p| page_text(&layout, p)).collect::<Vec<_>>().join(" ");
    let all: String = all.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        all.contains("Uncontrolled when printed: check the staff policy library for the current version."),
        "{all}"
    );
}

#[test]
fn staff_pdf_writes_dates_one_way_the_running_header_included() {
    let (_dir, project, view) = staff_view_with("organisation: Example NHS Trust\n", "", &long_body(20));
    let layout = layout_of(&project, &view);
    let header = page_text(&layout, 1);
    assert!(header.contains("Review date 31 January 2027"), "{header}");
    for page in 0..layout.pages.len() {
        assert!(!page_text(&layout, page).contains("2027-01-31"), "page {} writes an ISO date", page + 1);
    }
}

#[test]
fn staff_pdf_shows_further_details_keys_as_written_with_only_the_first_letter_raised() {
    let extra = "extra:\n  CQC standards: Safe, effective\n  cqc-rating: Good\n";
    let (_dir, project, view) = staff_view_with("organisation: Example NHS Trust\n", extra, "## Purpose\n\nWords.\n");
    let layout = layout_of(&project, &view);
    let last = page_text(&layout, layout.pages.len() - 1);
    assert!(last.contains("CQC standards"), "{last}");
    assert!(last.contains("Cqc-rating"), "{last}");
    assert!(!last.contains("Cqc standards"), "{last}");
}
