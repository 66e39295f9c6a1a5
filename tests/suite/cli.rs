//! The command line as a user meets it: exit statuses, what `build` writes and what a failed
//! build leaves alone, `check`, `new` and `--root`.

use crate::harness::Fixture;

#[test]
fn build_writes_the_spec_section_5_staff_paths() {
    let fixture = Fixture::new("basic");
    let outcome = fixture.run(&["build"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    for path in
        ["output/index.html", "output/staff/index.html", "output/staff/ward-phones.html", "output/staff/consent.html"]
    {
        assert!(fixture.path(path).is_file(), "missing {path}");
    }
    assert!(fixture.path("output/assets/style.css").is_file());
    assert!(fixture.path("output/staff/search/manifest.js").is_file());
    assert!(fixture.path("output/assets/content/images/ward.png").is_file(), "pictures are copied for the pages");
}

#[test]
fn build_with_errors_writes_nothing_and_keeps_the_previous_output() {
    let fixture = Fixture::new("basic");
    assert_eq!(fixture.run(&["build"]).status, 0);
    let before = fixture.read("output/staff/ward-phones.html");
    fixture.write("content/broken.md", "---\ntitle: Broken\n---\n::: patients\n");
    let outcome = fixture.run(&["build"]);
    assert_eq!(outcome.status, 1);
    assert!(outcome.stderr.contains("nothing was written; the previous output is unchanged"), "{}", outcome.stderr);
    assert_eq!(fixture.read("output/staff/ward-phones.html"), before);
    assert!(!fixture.path("output/staff/broken.html").exists());
}

#[test]
fn build_reports_every_error_of_every_file_together() {
    let fixture = Fixture::new("basic");
    fixture.write("content/a.md", "no front matter\n");
    fixture.write("content/b.md", "---\ntitle: B\nversion: 1\n---\n");
    let outcome = fixture.run(&["build"]);
    assert_eq!(outcome.status, 1);
    assert!(outcome.stderr.contains("content/a.md:1:1: error"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("content/b.md:3:10: error"), "{}", outcome.stderr);
}

#[test]
fn check_writes_nothing() {
    let fixture = Fixture::new("basic");
    let outcome = fixture.run(&["check"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    assert!(!fixture.path("output").exists());
}

#[test]
fn build_same_input_gives_byte_identical_output() {
    let a = Fixture::new("basic");
    let b = Fixture::new("basic");
    assert_eq!(a.run(&["build"]).status, 0);
    assert_eq!(b.run(&["build"]).status, 0);
    for path in [
        "output/index.html",
        "output/staff/index.html",
        "output/staff/ward-phones.html",
        "output/staff/search/manifest.js",
        "output/staff/search/t0.js",
        "output/staff/search/s0.js",
    ] {
        assert_eq!(a.read(path), b.read(path), "{path} differs between two builds");
    }
}

#[test]
fn build_out_writes_to_the_given_folder() {
    let fixture = Fixture::new("basic");
    let out = fixture.path("elsewhere/site");
    let outcome = fixture.run(&["build", "--out", out.to_str().unwrap()]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    assert!(out.join("staff/index.html").is_file());
    assert!(!fixture.path("output").exists());
}

#[test]
fn new_writes_a_starter_policy_that_builds_with_drafts() {
    let fixture = Fixture::new("basic");
    let outcome = fixture.run(&["new", "visitor-parking"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    let outcome = fixture.run(&["build", "--drafts"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    assert!(outcome.stderr.contains(": 0 errors, 0 warnings"), "a starter policy builds cleanly:\n{}", outcome.stderr);
    let page = fixture.read("output/staff/visitor-parking.html");
    assert!(page.contains("DRAFT"));
    assert_eq!(fixture.run(&["new", "visitor-parking"]).status, 2, "an existing policy is never overwritten");
}

#[test]
fn drafts_are_left_out_unless_drafts_flag_then_marked() {
    let fixture = Fixture::new("basic");
    assert_eq!(fixture.run(&["build"]).status, 0);
    assert!(!fixture.path("output/staff/visiting-times.html").exists());
    assert!(!fixture.read("output/staff/index.html").contains("Visiting Times"));
    assert_eq!(fixture.run(&["build", "--drafts"]).status, 0);
    assert!(fixture.read("output/staff/visiting-times.html").contains("DRAFT"));
    assert!(fixture.read("output/staff/index.html").contains("tag-draft"));
}

#[test]
fn source_date_epoch_sets_the_review_date_judgement() {
    let fixture = Fixture::new("basic");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_policypress"))
        .args(["build", "--root"])
        .arg(fixture.root())
        .env("SOURCE_DATE_EPOCH", "1893456000") // 2030-01-01
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(fixture.read("output/staff/index.html").contains("Review status as of 1 January 2030"));
}

#[test]
fn easy_read_problems_are_reported_with_parse_errors_all_at_once() {
    let fixture = Fixture::new("basic");
    fixture.write(
        "content/visiting.md",
        &crate::harness::policy_text(
            "visiting",
            "",
            "Staff.\n\n::: easy-read\n# Visiting\n\n:infoo: This tells you about our rules.\n\n:clock: You can come and see the person you are visiting on the ward on any day of the week in the afternoon or the evening.\n\nAsk a nurse if you have a question.\n:::\n",
        ),
    );
    let outcome = fixture.run(&["check"]);
    assert_eq!(outcome.status, 1);
    insta::assert_snapshot!("easy-read-three-problems", outcome.stderr);
}

#[test]
fn build_refuses_an_output_folder_that_would_delete_the_project() {
    let fixture = Fixture::new("basic");
    let root = fixture.root().to_str().unwrap().to_string();
    let outcome = fixture.run(&["build", "--out", &root]);
    assert_eq!(outcome.status, 2, "{}", outcome.stderr);
    assert!(fixture.path("content/ward-phones.md").is_file(), "the project is untouched");
    assert!(fixture.path("policypress.yaml").is_file());
    let content = fixture.path("content").to_str().unwrap().to_string();
    assert_eq!(fixture.run(&["build", "--out", &content]).status, 2);
    assert!(fixture.path("content/ward-phones.md").is_file());
    insta::assert_snapshot!("refuse-project-root-as-output", outcome.stderr);
}
