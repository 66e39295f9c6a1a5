//! The staff intranet site against STANDARDS.md ("Staff intranet site and staff PDF") and spec
//! section 5, on the `basic` fixture. Full pages are snapshot-tested too.

use crate::harness::Fixture;

fn built() -> Fixture {
    let fixture = Fixture::new("basic");
    let outcome = fixture.run(&["build"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    fixture
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
    let to = html[from..].find(end).unwrap_or_else(|| panic!("no {end:?} after {start:?}")) + from;
    &html[from..to]
}

#[test]
fn staff_policy_page_snapshot() {
    let fixture = built();
    insta::assert_snapshot!("staff-ward-phones.html", fixture.read("output/staff/ward-phones.html"));
}

#[test]
fn staff_library_snapshot() {
    let fixture = built();
    insta::assert_snapshot!("staff-index.html", fixture.read("output/staff/index.html"));
}

#[test]
fn landing_page_snapshot() {
    let fixture = built();
    insta::assert_snapshot!("index.html", fixture.read("output/index.html"));
}

#[test]
fn every_page_has_the_site_language_skip_link_landmarks_and_one_h1() {
    let fixture = built();
    for page in
        ["output/index.html", "output/staff/index.html", "output/staff/ward-phones.html", "output/staff/consent.html"]
    {
        let html = fixture.read(page);
        assert!(html.contains("<html lang=\"en-GB\">"), "{page}");
        assert!(html.contains("class=\"skip-link\" href=\"#main\""), "{page}");
        assert!(html.contains("<main id=\"main\""), "{page}");
        assert!(html.contains("<header") && html.contains("<footer"), "{page}");
        assert_eq!(html.matches("<h1").count(), 1, "{page}");
    }
}

#[test]
fn headings_on_a_policy_page_never_skip_a_level() {
    let fixture = built();
    let html = fixture.read("output/staff/ward-phones.html");
    let mut last = 1;
    for (i, _) in html.match_indices("<h") {
        let Some(level) = html[i + 2..].chars().next().and_then(|c| c.to_digit(10)) else {
            continue;
        };
        assert!(level <= last + 1, "h{level} after h{last}");
        last = level;
    }
}

#[test]
fn policy_page_has_contents_list_with_anchors() {
    let html = built().read("output/staff/ward-phones.html");
    let contents = between(&html, "<nav class=\"contents\"", "</nav>");
    assert!(contents.contains("<a href=\"#1-purpose\">1. Purpose</a>"), "{contents}");
    assert!(contents.contains("<a href=\"#11-definitions\">1.1 Definitions</a>"));
    assert!(html.contains("<h2 id=\"1-purpose\">1. Purpose</h2>"));
}

#[test]
fn policy_page_metadata_panel_lists_reference_version_owner_approval_review_and_status() {
    let html = built().read("output/staff/ward-phones.html");
    let panel = between(&html, "<section class=\"meta-panel\"", "</section>");
    for expected in [
        "<dt>Reference</dt><dd>IG-014</dd>",
        "<dt>Version</dt><dd>2.10</dd>",
        "<dt>Status</dt><dd>Approved</dd>",
        "<dt>Owner</dt><dd>Head of Information Governance</dd>",
        "<dt>Approved by</dt><dd>Trust Policy Committee</dd>",
        "<dt>Approved on</dt><dd>31 March 2025</dd>",
        "31 March 2027</time> <strong class=\"tag tag-in-date\">In date</strong>",
    ] {
        assert!(panel.contains(expected), "missing {expected:?} in {panel}");
    }
}

#[test]
fn policy_page_has_version_history_table() {
    let html = built().read("output/staff/ward-phones.html");
    let history = between(&html, "id=\"history-heading\"", "</section>");
    assert!(history.contains("<th scope=\"col\">Version</th>"));
    assert!(history.contains(
        "<tr><td>1.0</td><td><time datetime=\"2021-03-31\">31 March 2021</time></td><td>First version.</td></tr>"
    ));
}

/// axe best-practice `landmark-unique`: a screen reader's list of regions must not show two
/// with the same name (the history section once shared its name with the table inside it).
#[test]
fn landmarks_on_a_policy_page_have_distinct_names() {
    let html = built().read("output/staff/ward-phones.html");
    // Named elements other than pictures (`role="img"` icons may share a name).
    let named = |attribute: &str| -> Vec<String> {
        let key = format!("{attribute}=\"");
        html.match_indices(&key)
            .filter(|(i, _)| {
                let tag = &html[html[..*i].rfind('<').expect("inside a tag")..*i];
                !tag.contains("role=\"img\"")
            })
            .map(|(i, _)| {
                let rest = &html[i + key.len()..];
                rest[..rest.find('"').expect("closing quote")].to_string()
            })
            .collect()
    };
    let text_of = |id: &String| {
        let element = between(&html, &format!("id=\"{id}\""), "</");
        element[element.find('>').expect("end of the start tag") + 1..].to_string()
    };
    let mut names: Vec<String> = named("aria-labelledby").iter().map(text_of).collect();
    names.extend(named("aria-label"));
    assert!(names.iter().any(|n| n == "Version history"), "{names:?}");
    let mut seen = std::collections::BTreeSet::new();
    for name in &names {
        assert!(seen.insert(name), "two landmarks are named {name:?}: {names:?}");
    }
}

#[test]
fn related_policies_are_linked_when_published_and_listed_plainly_otherwise() {
    let html = built().read("output/staff/ward-phones.html");
    let related = between(&html, "id=\"related-heading\"", "</section>");
    assert!(related.contains("<a href=\"consent.html\">Consent to Examination and Treatment</a>"));
    assert!(
        related.contains("<a href=\"infection-control.html\">Infection Prevention and Control</a>"),
        "withdrawn policies are still published for staff"
    );
}

#[test]
fn extra_fields_are_shown_to_staff_as_further_details() {
    let html = built().read("output/staff/ward-phones.html");
    let details = between(&html, "id=\"details-heading\"", "</section>");
    assert!(details.contains("<dt>Equality impact</dt><dd>Low risk, screened February 2021</dd>"));
}

#[test]
fn overdue_review_shows_a_banner_and_due_soon_a_notice() {
    let fixture = built();
    let withdrawn = fixture.read("output/staff/infection-control.html");
    assert!(withdrawn.contains("banner-withdrawn"));
    let consent = fixture.read("output/staff/consent.html");
    assert!(consent.contains("banner-due"), "review 2026-12-31 is within 3 months of 2026-11-22");
    let fixture = Fixture::new("errors/overdue-review");
    assert_eq!(fixture.run(&["build"]).status, 0);
    assert!(fixture.read("output/staff/visiting.html").contains("<strong>Review overdue</strong>"));
}

#[test]
fn library_lists_every_policy_with_reference_version_owner_review_date_and_status() {
    let html = built().read("output/staff/index.html");
    let row = between(&html, "<tr data-title=\"Phones on Wards\"", "</tr>");
    for expected in [
        "<td class=\"wide-only\">IG-014</td>",
        "<td class=\"wide-only\">2.10</td>",
        "<td class=\"wide-only\">Head of Information Governance</td>",
        "31 March 2027",
        "tag-in-date",
    ] {
        assert!(row.contains(expected), "missing {expected:?} in {row}");
    }
    assert!(html.contains("data-status=\"due-soon\""));
    assert!(html.contains("data-status=\"withdrawn\""));
    assert!(html.contains("<option value=\"overdue\">"), "filterable by status");
    assert!(html.contains("data-sort=\"review\""), "sortable by review date");
}

#[test]
fn library_is_sorted_by_title_without_javascript() {
    let html = built().read("output/staff/index.html");
    let consent = html.find("data-title=\"Consent").unwrap();
    let infection = html.find("data-title=\"Infection").unwrap();
    let phones = html.find("data-title=\"Phones").unwrap();
    assert!(consent < infection && infection < phones);
}

#[test]
fn search_index_is_built_at_build_time_from_staff_text_and_loaded_only_for_a_search() {
    let fixture = built();
    let manifest = fixture.read("output/staff/search/manifest.js");
    assert!(manifest.contains("\"shards\":["));
    let shards: String = (0..)
        .map(|n| fixture.path(&format!("output/staff/search/t{n}.js")))
        .take_while(|p| p.is_file())
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(shards.contains("\"definition\":\""), "body words are indexed");
    let library = fixture.read("output/staff/index.html");
    assert!(!library.contains("search/manifest.js"), "the index is not loaded with the page");
    assert!(library.contains("data-search=\"search/\""));
    assert!(library.contains("aria-live=\"polite\""), "results are announced");
}

#[test]
fn stylesheet_has_a_print_section_and_nhs_colours() {
    let fixture = built();
    let css = fixture.read("output/assets/style.css");
    assert!(css.contains("@media print"));
    let colours = fixture.read("output/assets/theme.css");
    assert!(colours.contains("#005eb8"));
    assert!(colours.contains("#212b32"));
    assert!(css.contains("Frutiger W01\", Arial, sans-serif"));
    assert!(!css.contains("text-align: justify"));
}

#[test]
fn tables_keep_their_header_cells() {
    let html = built().read("output/staff/ward-phones.html");
    assert!(html.contains("<th scope=\"col\">Role</th><th scope=\"col\">Duty</th>"));
    assert!(html.contains("<td>Ward manager</td><td>Agrees recording</td>"));
}

#[test]
fn raw_html_in_a_policy_is_escaped_on_the_page() {
    let fixture = Fixture::new("errors/raw-html");
    assert_eq!(fixture.run(&["build"]).status, 0);
    let html = fixture.read("output/staff/visiting.html");
    assert!(html.contains("Staff &lt;b&gt;bold&lt;/b&gt; text."));
    assert!(!html.contains("<div>A block</div>"));
}

#[test]
fn theme_colours_are_written_as_css_custom_properties() {
    let fixture = built();
    let css = fixture.read("output/assets/theme.css");
    assert!(css.contains("--brand: #005eb8;"));
    assert!(css.contains("--text: #212b32;"));
    assert!(fixture.read("output/staff/index.html").contains("assets/theme.css"));
}

#[test]
fn accessibility_statement_is_published_and_linked_from_every_page() {
    let fixture = built();
    let statement = fixture.read("output/staff/accessibility.html");
    assert!(statement.contains("<h1>Accessibility statement</h1>"));
    assert!(statement.contains("WCAG"));
    assert!(statement.contains("Known limits"));
    assert!(statement.contains("Patient Advice and Liaison Service (PALS), phone 0116 225 2525"));
    for page in ["output/index.html", "output/staff/ward-phones.html", "output/patient/ward-phones.html"] {
        assert!(fixture.read(page).contains("staff/accessibility.html\">Accessibility statement</a>"), "{page}");
    }
}

#[test]
fn a_heading_never_takes_an_id_the_page_itself_uses() {
    let fixture = Fixture::new("errors/heading-ids");
    assert_eq!(fixture.run(&["build"]).status, 0);
    let html = fixture.read("output/staff/visiting.html");
    assert_eq!(html.matches("id=\"main\"").count(), 1, "only the page's main landmark");
    assert!(html.contains("<h2 id=\"main-1\">Main points</h2>"));
}
