//! The staff library of a Trust with many policies (issue 19): section-level search files,
//! categories and directorates, recently updated, the change feed, the sitemap, earlier versions
//! from git history with "what changed", and the review report.
//!
//! Git tests make their own repositories in temporary folders with the `git` command, committing
//! with a fixed author and fixed dates, so the commits (and so the output) are the same each run.

use std::path::Path;
use std::process::Command;

use crate::harness::{Fixture, policy_text};

/// Runs `git` in `dir` with a fixed author and commit date.
fn git(dir: &Path, args: &[&str], date: &str) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Policy Team")
        .env("GIT_AUTHOR_EMAIL", "policies@example.nhs.uk")
        .env("GIT_COMMITTER_NAME", "Policy Team")
        .env("GIT_COMMITTER_EMAIL", "policies@example.nhs.uk")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

const VERSION_1: &str = "---
title: Visiting
reference: VIS-001
version: \"1.0\"
status: approved
approved-date: 2025-01-31
owner: Head of Nursing
review-date: 2026-01-31
history:
  - version: \"1.0\"
    date: 2025-01-31
    changes: First version.
---
## 1. Visiting hours

Visitors are welcome every day.

### 1.1 Evening visits

Visitors may stay until 8pm on general wards.

## 2. Children

Children may visit with an adult.
";

/// Version 2.0: one word of a subsection changed, one sentence added, new history entry.
fn version_2() -> String {
    VERSION_1
        .replace("version: \"1.0\"\nstatus", "version: \"2.0\"\nstatus")
        .replace("approved-date: 2025-01-31", "approved-date: 2026-02-01")
        .replace("review-date: 2026-01-31", "review-date: 2026-10-01")
        .replace("    changes: First version.\n", "    changes: First version.\n  - version: \"2.0\"\n    date: 2026-02-01\n    changes: Evening visits until 9pm.\n")
        .replace("until 8pm on general wards.", "until 9pm on general wards.")
        .replace("with an adult.", "with an adult. Ask the nurse in charge first.")
}

/// A project in a new git repository: version 1.0 committed, then version 2.0.
fn repository_with_two_versions() -> Fixture {
    let fixture = Fixture::with_policy("other", "", "Other text.\n");
    fixture.write("content/visiting.md", VERSION_1);
    git(fixture.root(), &["init", "-q", "-b", "main"], "2025-01-31T12:00:00Z");
    git(fixture.root(), &["add", "-A"], "2025-01-31T12:00:00Z");
    git(fixture.root(), &["commit", "-q", "-m", "Visiting 1.0"], "2025-01-31T12:00:00Z");
    fixture.write("content/visiting.md", &version_2());
    git(fixture.root(), &["commit", "-q", "-a", "-m", "Visiting 2.0"], "2026-02-01T12:00:00Z");
    fixture
}

fn build(fixture: &Fixture) {
    let outcome = fixture.run(&["build"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
}

#[test]
fn an_earlier_version_from_git_is_published_with_a_superseded_banner() {
    let fixture = repository_with_two_versions();
    build(&fixture);
    let old = fixture.read("output/staff/visiting/1.0.html");
    assert!(
        old.contains(
            "<strong>Superseded on <time datetime=\"2026-02-01\">1 February 2026</time> by version 2.0</strong>"
        ),
        "{old}"
    );
    assert!(old.contains("<a href=\"../visiting.html\">Read the current version</a>"));
    assert!(old.contains("until 8pm on general wards"), "the old page shows the old text");
    assert!(!old.contains("9pm"), "the old page does not show the new text");
    assert!(old.contains("href=\"../../assets/style.css\""), "assets from one folder deeper");
    assert!(fixture.path("output/staff/visiting/1.0.pdf").is_file(), "the old version has a PDF");
    let current = fixture.read("output/staff/visiting.html");
    assert!(
        current.contains(
            "<a href=\"visiting/1.0.html\">1.0<span class=\"visually-hidden\"> (read this version)</span></a>"
        ),
        "the history table links the old version"
    );
}

#[test]
fn what_changed_shows_exactly_the_edit_collapsed_and_marked_in_words() {
    let fixture = repository_with_two_versions();
    build(&fixture);
    let page = fixture.read("output/staff/visiting.html");
    let start = page.find("<details class=\"what-changed\">").expect("a collapsed what-changed section");
    let section = &page[start..page[start..].find("</details>").unwrap() + start];
    assert!(section.contains("What changed in version 2.0"));
    let passages: Vec<&str> = section.matches("<p class=\"change-text\">").collect();
    assert_eq!(passages.len(), 2, "two passages changed:\n{section}");
    assert!(section.contains("In <strong>1.1 Evening visits</strong>"), "{section}");
    assert!(section.contains("Visitors may stay until <del><span class=\"visually-hidden\">removed: </span>8pm</del> <ins><span class=\"visually-hidden\">added: </span>9pm</ins> on general wards."), "{section}");
    assert!(section.contains("Children may visit with an adult. <ins><span class=\"visually-hidden\">added: </span>Ask the nurse in charge first.</ins>"), "{section}");
}

#[test]
fn the_same_commit_builds_the_same_bytes_and_a_second_clone_too() {
    let first = repository_with_two_versions();
    let second = repository_with_two_versions();
    build(&first);
    build(&second);
    for path in ["output/staff/visiting.html", "output/staff/visiting/1.0.html", "output/staff/feed.xml"] {
        assert_eq!(first.read(path), second.read(path), "{path}");
    }
    let pdf = |f: &Fixture| std::fs::read(f.path("output/staff/visiting/1.0.pdf")).unwrap();
    assert_eq!(pdf(&first), pdf(&second));
}

#[test]
fn outside_git_the_history_table_stays_as_it_was() {
    let fixture = Fixture::with_policy("other", "", "Other text.\n");
    fixture.write("content/visiting.md", &version_2());
    build(&fixture);
    assert!(!fixture.path("output/staff/visiting").exists());
    let page = fixture.read("output/staff/visiting.html");
    assert!(!page.contains("what-changed"));
    assert!(page.contains("<tr><td>1.0</td>"), "the version is listed without a link");
}

#[test]
fn the_review_report_lists_the_overdue_policy_as_html_csv_and_calendar() {
    let fixture = repository_with_two_versions();
    let outcome = fixture.run(&["report", "--today", "2026-11-22"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    insta::assert_snapshot!("review-report-summary", outcome.stderr);
    let html = fixture.read("report/review-report.html");
    let overdue = &html[html.find("id=\"overdue\"").unwrap()..html.find("id=\"due-soon\"").unwrap()];
    assert!(overdue.contains("Visiting") && overdue.contains("overdue by 52 days"), "{overdue}");
    let csv = fixture.read("report/review-report.csv");
    assert!(csv.starts_with(
        "id,title,reference,version,owner,category,directorate,review_date,review_status,days_until_review,url\r\n"
    ));
    assert!(
        csv.contains("visiting,Visiting,VIS-001,2.0,Head of Nursing,,,2026-10-01,Review overdue,-52,visiting.html\r\n"),
        "{csv}"
    );
    let ics = fixture.read("report/review-dates.ics");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(ics.contains("UID:visiting-review-20261001@policypress.invalid\r\nDTSTAMP:20261122T000000Z\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261002\r\n"), "{ics}");
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    // The build publishes the same report under staff/.
    build(&fixture);
    assert!(fixture.read("output/staff/review-report.html").contains("Policy review report"));
    assert!(fixture.path("output/staff/review-dates.ics").is_file());
}

#[test]
fn the_feed_lists_approved_changes_newest_first_with_their_summaries() {
    let fixture = repository_with_two_versions();
    build(&fixture);
    let feed = fixture.read("output/staff/feed.xml");
    let two = feed.find("<title>Visiting: version 2.0</title>").expect("version 2.0 in the feed");
    let one = feed.find("<title>Visiting: version 1.0</title>").expect("version 1.0 in the feed");
    assert!(two < one, "newest first");
    assert!(feed.contains("<summary>Evening visits until 9pm.</summary>"));
    assert!(feed.contains("<link rel=\"alternate\" type=\"text/html\" href=\"visiting/1.0.html\"/>"), "{feed}");
    assert!(feed.contains("<updated>2026-02-01T00:00:00Z</updated>"));
    let recent = fixture.read("output/staff/recent.html");
    assert!(recent.find("version 2.0").unwrap() < recent.find("version 1.0").unwrap());
    // No base-url: no sitemap (it needs absolute addresses).
    assert!(!fixture.path("output/staff/sitemap.xml").exists());
}

#[test]
fn the_sitemap_lists_staff_pages_with_absolute_addresses() {
    let fixture = repository_with_two_versions();
    fixture.write("policypress.yaml", "base-url: https://intranet.example.nhs.uk/policies\n");
    build(&fixture);
    let sitemap = fixture.read("output/staff/sitemap.xml");
    assert!(sitemap.contains("<url><loc>https://intranet.example.nhs.uk/policies/staff/visiting.html</loc><lastmod>2026-02-01</lastmod></url>"), "{sitemap}");
    assert!(sitemap.contains(
        "<loc>https://intranet.example.nhs.uk/policies/staff/visiting/1.0.html</loc><lastmod>2025-01-31</lastmod>"
    ));
    let feed = fixture.read("output/staff/feed.xml");
    assert!(feed.contains("<id>https://intranet.example.nhs.uk/policies/staff/feed.xml</id>"));
}

#[test]
fn search_sections_link_to_their_anchor_and_hold_their_text() {
    let fixture = repository_with_two_versions();
    build(&fixture);
    let manifest = fixture.read("output/staff/search/manifest.js");
    assert!(manifest.starts_with("policySearch.loaded(\"manifest\",{"));
    assert!(manifest.contains("\"per_chunk\":6"));
    let chunks: String = (0..)
        .map(|n| fixture.path(&format!("output/staff/search/s{n}.js")))
        .take_while(|p| p.is_file())
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(
        chunks
            .contains("\"1.1 Evening visits\",\"11-evening-visits\",\"Visitors may stay until 9pm on general wards.\""),
        "{chunks}"
    );
    let shards: String = (0..)
        .map(|n| fixture.path(&format!("output/staff/search/t{n}.js")))
        .take_while(|p| p.is_file())
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(chunks.contains("\"href\":\"visiting.html\""), "results know their policy's page");
    assert!(shards.contains("\"evening\":\""), "words are indexed");
    assert!(shards.contains("\"visitor\":\""), "plurals are indexed singular");
    assert!(!shards.contains("\"the\":\""), "stop words are left out");
    // Earlier versions are not searched: their text is only on their own pages.
    assert!(!chunks.contains("8pm"));
}

#[test]
fn categories_group_the_library_and_directorates_filter_it() {
    let fixture = Fixture::with_policy("visiting", "category: Clinical care\ndirectorate: Nursing\n", "Text.\n");
    fixture.write("content/parking.md", &policy_text("parking", "category: Estates\n", "Text.\n"));
    fixture.write("content/leave.md", &policy_text("leave", "", "Text.\n"));
    fixture.write("policypress.yaml", "categories:\n  - Estates\n  - Clinical care\n  - Workforce\n");
    build(&fixture);
    let index = fixture.read("output/staff/index.html");
    let estates = index.find("scope=\"rowgroup\" id=\"group-1\">Estates (1)</th>").expect("Estates first, as listed");
    let clinical = index.find(">Clinical care (1)</th>").expect("Clinical care group");
    let none = index.find(">No category (1)</th>").expect("policies without a category last");
    assert!(estates < clinical && clinical < none);
    assert!(!index.contains(">Workforce ("), "a category no policy uses is not shown");
    assert!(index.contains("<option value=\"Nursing\">Nursing</option>"), "the directorate filter");
    assert!(index.contains("data-category=\"Clinical care\" data-directorate=\"Nursing\""));
    let page = fixture.read("output/staff/visiting.html");
    assert!(page.contains("<dt>Category</dt><dd>Clinical care</dd>"));
}
