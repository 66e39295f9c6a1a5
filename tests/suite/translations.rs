//! Translations (issue 16): files beside the policy, outputs beside the English ones on both
//! sites, kept in step with the policy's version, right-to-left pages and PDFs, language of
//! parts, and the XLIFF round trip for translators.

use policypress::audience::patient::pdf::{Format, layout_leaflet};
use policypress::model::Audience;
use policypress::pdf::fonts::FontSet;
use policypress::pdf::layout::{Item, Layout, Role};

use crate::harness::{Fixture, build_in_memory, repo_root, resolve_project};

const ID: &str = "photos-phones-and-filming";

fn example() -> Fixture {
    Fixture::from_dir(&repo_root())
}

fn artifact<'a>(result: &'a policypress::build::BuildResult, path: &str) -> &'a str {
    let found = result.artifacts.iter().find(|a| a.path == path).unwrap_or_else(|| panic!("no {path}"));
    std::str::from_utf8(&found.bytes).expect("text")
}

/// Every glyph's text of a layout, run by run in content order (what the tag tree reads).
fn layout_text(layout: &Layout) -> String {
    let mut out = String::new();
    for page in &layout.pages {
        for item in &page.items {
            if let Item::Text { run, .. } = item {
                out.push_str(&run.logical_text());
            }
        }
    }
    out
}

#[test]
fn translations_build_beside_the_policy_on_both_sites_in_their_language() {
    let f = example();
    let result = build_in_memory(&f.load(), false);
    assert!(!result.diagnostics.has_errors(), "{:?}", result.diagnostics.sorted());
    for lang in ["cy", "ar"] {
        for dir in ["", "public/"] {
            for file in [
                format!("patient/{ID}.{lang}.html"),
                format!("patient/{ID}.{lang}.pdf"),
                format!("patient/{ID}.{lang}-large-print.pdf"),
                format!("patient/{ID}.{lang}-booklet.pdf"),
                format!("easy-read/{ID}.{lang}.html"),
                format!("easy-read/{ID}.{lang}.pdf"),
                format!("poster/{ID}.{lang}.html"),
                format!("poster/{ID}.{lang}.pdf"),
                format!("poster/{ID}.{lang}-a4.pdf"),
            ] {
                assert!(result.artifacts.iter().any(|a| a.path == format!("{dir}{file}")), "no {dir}{file}");
            }
        }
        // Its own short address opens it.
        let short = artifact(&result, &format!("public/phones/{lang}/index.html"));
        assert!(short.contains(&format!("patient/{ID}.{lang}.html")), "{short}");
    }
    let arabic = artifact(&result, &format!("patient/{ID}.ar.html"));
    assert!(arabic.contains("<html lang=\"ar\" dir=\"rtl\">"), "{}", &arabic[..200]);
    assert!(
        arabic.contains("<header class=\"site-header\" lang=\"en-GB\" dir=\"ltr\">"),
        "furniture in English says so"
    );
    // The title in the English breadcrumbs keeps its own language and direction (else its
    // separator turns round, "‹").
    assert!(arabic.contains("<li aria-current=\"page\"><span lang=\"ar\" dir=\"rtl\">"), "breadcrumbs");
    // The easy read's own English rows say they are English, set left to right.
    let easy_read = artifact(&result, &format!("easy-read/{ID}.ar.html"));
    assert!(easy_read.contains("<p lang=\"en-GB\" dir=\"ltr\">This is an easy read version of"), "about rows");
    let welsh = artifact(&result, &format!("patient/{ID}.cy.html"));
    assert!(welsh.contains("<html lang=\"cy\">"));
    // Every page links its other languages, each name in its own script.
    let english = artifact(&result, &format!("patient/{ID}.html"));
    assert!(
        english.contains(&format!("<a href=\"{ID}.ar.html\" lang=\"ar\" hreflang=\"ar\" dir=\"rtl\">العربية</a>")),
        "{english}"
    );
    assert!(english.contains(&format!("<a href=\"{ID}.cy.html\" lang=\"cy\" hreflang=\"cy\">Cymraeg</a>")));
    assert!(arabic.contains(&format!("<a href=\"{ID}.html\" lang=\"en-GB\" hreflang=\"en-GB\">English</a>")));
    // The staff policy page lists them.
    let staff = artifact(&result, &format!("staff/{ID}.html"));
    assert!(staff.contains("Translations") && staff.contains("(Welsh), translation of version 3.1"), "{staff}");
}

#[test]
fn raising_the_policy_version_makes_both_translations_warn_and_say_so_in_both_languages() {
    let f = example();
    let path = format!("content/{ID}.md");
    f.write(&path, &f.read(&path).replacen("version: \"3.1\"", "version: \"3.2\"", 1));
    let out = f.run(&["check"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    for (lang, name) in [("cy", "Welsh"), ("ar", "Arabic")] {
        let expected = format!(
            "content/{ID}.{lang}.md:4:1: warning: this {name} translation is of version 3.1, but `content/{ID}.md` is now at version 3.2: it is marked out of date"
        );
        assert!(out.stderr.contains(&expected), "{}", out.stderr);
    }
    let project = f.load();
    let result = build_in_memory(&project, false);
    let welsh = artifact(&result, &format!("patient/{ID}.cy.html"));
    assert!(welsh.contains("Mae’r cyfieithiad hwn o fersiwn gynharach"), "the notice in Welsh");
    assert!(welsh.contains("This translation is of an earlier version; ask staff for the current information."));
    let index = artifact(&result, "patient/index.html");
    assert_eq!(index.matches("Translation of an earlier version").count(), 2, "both marked on the index");
    // The PDFs carry it too, in both languages.
    let (_, library, _) = resolve_project(&project, false);
    let view = library.translated_views(Audience::Patient).find(|v| v.lang.as_deref() == Some("ar")).expect("ar");
    let mut fonts = FontSet::from_theme(&project.theme).expect("fonts");
    let text = layout_text(&layout_leaflet(&project, view, Format::Leaflet, &mut fonts).layout);
    assert!(text.contains("هذه الترجمة لنسخة سابقة"), "{text}");
    assert!(text.contains("This translation is of an earlier version"));
}

#[test]
fn arabic_reads_right_to_left_with_numbers_left_to_right_and_english_parts_marked() {
    let f = example();
    let project = f.load();
    let (_, library, _) = resolve_project(&project, false);
    let view = library.translated_views(Audience::Patient).find(|v| v.lang.as_deref() == Some("ar")).expect("ar");
    let mut fonts = FontSet::from_theme(&project.theme).expect("fonts");
    let layout = layout_leaflet(&project, view, Format::Leaflet, &mut fonts).layout;
    // The content says the words in reading order (joined, not letter by letter).
    let text = layout_text(&layout);
    assert!(text.contains("يمكنك استخدام هاتفك المحمول في أجنحتنا"), "{text}");
    // "from 10pm to 7am": the number 10 reads left to right, and sits to the right of 7 on the
    // line (an Arabic sentence runs from the right).
    let ten = layout.pages[1].items.iter().find_map(|i| match i {
        Item::Text { y, run, .. } if run.logical_text() == "10" => Some(*y),
        _ => None,
    });
    let line: Vec<(f32, String)> = layout.pages[1]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text { x, y, run, .. }
                if Some(*y) == ten && (run.logical_text() == "10" || run.logical_text() == "7") =>
            {
                Some((*x, run.logical_text()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(line.len(), 2, "{line:?}");
    assert!(line[0].1 == "10" && line[1].1 == "7" && line[0].0 > line[1].0, "10 right of 7: {line:?}");
    // Paragraphs start from the right margin.
    let right = layout.page_size.0 - 15.0 * 72.0 / 25.4;
    let first = layout.pages[1].items.iter().find_map(|i| match i {
        Item::Text { x, run, size, .. } if run.rtl() => Some(x + run.width_em() * size / 1000.0),
        _ => None,
    });
    assert!(first.is_some_and(|end| end > right - 80.0), "{first:?} should end near {right}");
    // The back page, in English, is marked as English in the tag tree.
    assert!(layout.tree.iter().any(|e| e.role == Role::Sect && e.lang.as_deref() == Some("en-GB")));
}

#[test]
fn words_in_another_language_are_marked_in_html_and_in_the_pdf_tag_tree() {
    let f = Fixture::with_policy(
        "visiting",
        "",
        "Staff.\n\n::: patient\n## Visiting\n\nWe greet you with [Bore da]{lang=cy} each morning.\n:::\n\n::: patient lang=pl\nOdwiedziny od 14:00.\n:::\n",
    );
    let project = f.load();
    let result = build_in_memory(&project, false);
    assert!(!result.diagnostics.has_errors(), "{:?}", result.diagnostics.sorted());
    let page = artifact(&result, "patient/visiting.html");
    assert!(page.contains("We greet you with <span lang=\"cy\">Bore da</span> each morning."), "{page}");
    assert!(page.contains("<p><span lang=\"pl\">Odwiedziny od 14:00.</span></p>"), "{page}");
    let (_, library, _) = resolve_project(&project, false);
    let view = library.views(Audience::Patient).next().expect("leaflet");
    let mut fonts = FontSet::from_theme(&project.theme).expect("fonts");
    let layout = layout_leaflet(&project, view, Format::Leaflet, &mut fonts).layout;
    let langs: Vec<&str> =
        layout.tree.iter().filter(|e| e.role == Role::Span).filter_map(|e| e.lang.as_deref()).collect();
    assert_eq!(langs, ["cy", "pl"]);
}

#[test]
fn the_example_exports_as_xliff_2_with_its_welsh_as_targets() {
    let f = example();
    let out = f.run(&["translations", "export", "cy"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let xml = f.read("translations/cy.xlf");
    let start = xml.find(&format!("<file id=\"{ID}\"")).expect("the policy's file");
    let end = start + xml[start..].find("</file>").expect("closed") + "</file>".len();
    insta::assert_snapshot!("xliff_export_cy", &xml[start..end]);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"en-GB\" trgLang=\"cy\">"));
}

#[test]
fn an_xliff_round_trip_changes_exactly_the_segment_translated() {
    let f = example();
    assert_eq!(f.run(&["translations", "export", "ar"]).status, 0);
    let before = f.read(&format!("content/{ID}.ar.md"));
    // Unchanged, the import changes nothing.
    let out = f.run(&["translations", "import", &f.path("translations/ar.xlf").display().to_string()]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(f.read(&format!("content/{ID}.ar.md")), before);
    // A translator changes one segment (the first easy-read row).
    let xml = f.read("translations/ar.xlf");
    let edited = xml.replacen("يمكنك استخدام هاتفك في الجناح.", "يمكنك أن تستخدم هاتفك في الجناح.", 1);
    assert_ne!(edited, xml);
    f.write("translations/ar.xlf", &edited);
    let out = f.run(&["translations", "import", &f.path("translations/ar.xlf").display().to_string()]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stderr.contains(&format!("updated content/{ID}.ar.md (1 segments changed)")), "{}", out.stderr);
    let after = f.read(&format!("content/{ID}.ar.md"));
    let changed: Vec<(&str, &str)> = before.lines().zip(after.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(
        changed,
        [(":mobile-phone: يمكنك استخدام هاتفك في الجناح.", ":mobile-phone: يمكنك أن تستخدم هاتفك في الجناح.")]
    );
    assert_eq!(before.lines().count(), after.lines().count());
}

#[test]
fn a_translated_xliff_that_does_not_match_is_refused_with_located_errors() {
    let f = example();
    assert_eq!(f.run(&["translations", "export", "cy"]).status, 0);
    let before = f.read(&format!("content/{ID}.cy.md"));
    let all = f.read("translations/cy.xlf");
    let start = all.find(&format!("<file id=\"{ID}\"")).expect("the policy's file");
    let (head, xml) = all.split_at(start);
    // An icon lost from a target, a unit that is no segment, and English changed since export.
    let xml = xml.replacen(
        "<ph id=\"1\" type=\"image\" equiv=\":mobile-phone:\" disp=\":mobile-phone:\"/> Gallwch ddefnyddio eich ffôn ar y ward.",
        "Gallwch ddefnyddio eich ffôn ar y ward.",
        1,
    );
    let xml = xml.replacen("<unit id=\"3.1\">", "<unit id=\"99.1\">", 1);
    let xml = xml.replacen("You can use free ", "You may use free ", 1);
    f.write("translations/cy.xlf", &format!("{head}{xml}"));
    let file = f.path("translations/cy.xlf").display().to_string();
    let out = f.run(&["translations", "import", &file, "--color", "never"]);
    assert_eq!(out.status, 1);
    insta::assert_snapshot!("xliff_import_errors", out.stderr);
    assert_eq!(f.read(&format!("content/{ID}.cy.md")), before, "nothing is written");
}
