//! The exact text of every message an author can see, snapshot-tested: each fixture under
//! `tests/fixtures/errors/` is checked with the real binary and its output compared with
//! `tests/suite/snapshots/`. Review changes with `cargo insta review`, or accept them with
//! `INSTA_UPDATE=always cargo test`.

use crate::harness::Fixture;

/// Checks the fixture, asserts the exit status and snapshots everything printed.
fn check_case(case: &str, expected_status: i32) {
    let fixture = Fixture::new(&format!("errors/{case}"));
    let outcome = fixture.run(&["check"]);
    assert_eq!(outcome.status, expected_status, "exit status of `check` on {case}:\n{}", outcome.stderr);
    insta::assert_snapshot!(case, outcome.stderr);
}

macro_rules! error_cases {
    ($($name:ident => $status:expr),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_case(&stringify!($name).replace('_', "-"), $status);
            }
        )*
    };
}

error_cases! {
    unknown_audience => 1,
    unclosed_fence => 1,
    fence_inside_fence => 1,
    stray_fence_close => 1,
    unknown_variable => 1,
    unclosed_variable => 1,
    unknown_icon => 1,
    missing_policy_link => 1,
    missing_section_link => 1,
    duplicate_id => 1,
    bad_id => 1,
    malformed_date => 1,
    unknown_front_matter_key => 1,
    missing_title => 1,
    numeric_version => 1,
    unknown_status => 1,
    no_front_matter => 1,
    bad_yaml => 1,
    image_without_alt => 1,
    image_missing => 1,
    image_outside_content => 1,
    link_to_non_policy => 1,
    unknown_setting => 1,
    many_errors => 1,
    raw_html => 0,
    related_missing => 0,
    link_without_audience_output => 0,
    overdue_review => 0,
}

#[test]
fn missing_content_folder_is_an_io_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_policypress"))
        .args(["check", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&dir.path().display().to_string(), "[ROOT]");
    insta::assert_snapshot!("missing-content-folder", stderr);
}

#[test]
fn new_with_a_bad_id_is_a_usage_error() {
    let fixture = Fixture::new("basic");
    let outcome = fixture.run(&["new", "Visiting_Times"]);
    assert_eq!(outcome.status, 2);
    insta::assert_snapshot!("new-bad-id", outcome.stderr);
}
