//! Incremental rebuilds of the live preview (issue 18): `serve` and `watch` keep what one build
//! resolved and prepared for the next (`audience::units::Reuse`), so a save resolves again only
//! the policies it changed. After any sequence of edits, such a build must give exactly the
//! files and messages of a fresh build.

use policypress::audience::Output;
use policypress::audience::units::Reuse;
use policypress::build::{BuildOptions, BuildResult, load_and_run, load_and_run_into};
use policypress::cache::DiskCache;
use policypress::model::dates::Date;
use policypress::write::MemoryOutput;

use crate::harness::{Fixture, repo_root};

fn edit(fx: &Fixture, rel: &str, from: &str, to: &str) {
    let text = fx.read(rel);
    assert!(text.contains(from), "{rel} has no `{from}`");
    fx.write(rel, &text.replacen(from, to, 1));
}

/// What a build gave that a user sees: every file with its bytes, every message in order.
fn seen(result: &BuildResult, files: Vec<policypress::model::Artifact>) -> (Vec<(String, Vec<u8>)>, String) {
    let files = files.into_iter().map(|a| (a.path, a.bytes)).collect();
    (files, format!("{:#?}", result.diagnostics.items()))
}

#[test]
fn live_builds_reusing_the_last_one_equal_fresh_builds_after_every_kind_of_edit() {
    policypress::parse::keep_parses_between_builds();
    let fx = Fixture::from_dir(&repo_root());
    let cache = DiskCache::open_if(fx.root(), true, true).unwrap().expect("a cache");
    let reuse = Reuse::default();
    // One live build (with the session's cache and what the last build kept) and one fresh
    // build without either; gives how many policies the live one took from the last build, and
    // how many it published.
    let check = |today: &str, drafts: bool, step: &str| -> (usize, usize) {
        let options = BuildOptions { today: Date::parse(today).unwrap(), drafts, strict: false };
        let memory = MemoryOutput::new();
        let output = Output { store: &cache, sink: &memory, progress: &|_| {}, schedule: None, reuse: Some(&reuse) };
        let live = load_and_run_into(fx.root(), &options, &output).unwrap();
        let live_files = if live.diagnostics.has_errors() { Vec::new() } else { memory.into_artifacts() };
        let fresh = load_and_run(fx.root(), &options).unwrap();
        let (live_seen, fresh_seen) = (seen(&live, live_files), seen(&fresh, fresh.artifacts.clone()));
        assert_eq!(live_seen.1, fresh_seen.1, "{step}: the messages differ");
        let paths = |s: &(Vec<(String, Vec<u8>)>, String)| s.0.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&live_seen), paths(&fresh_seen), "{step}: not the same files");
        let differ: Vec<&String> =
            live_seen.0.iter().zip(&fresh_seen.0).filter(|(a, b)| a.1 != b.1).map(|(a, _)| &a.0).collect();
        assert!(differ.is_empty(), "{step}: the live build differs from a fresh one in {differ:?}");
        (reuse.resolve.reused(), live.policies)
    };
    let (reused, all) = check("2026-06-01", false, "first build");
    assert_eq!((reused, all), (0, 3), "nothing to reuse yet");
    assert_eq!(check("2026-06-01", false, "nothing changed").0, all, "every policy is reused");

    // One word of one policy's staff text: only that policy is resolved again.
    edit(&fx, "content/staff-social-media.md", "are part of everyday life", "are part of daily life");
    assert_eq!(check("2026-06-01", false, "a word of staff text").0, all - 1);

    // A word of a translation: its policy is resolved again.
    edit(&fx, "content/photos-phones-and-filming.cy.md", "Gallwch gadw mewn", "Gallwch aros mewn");
    assert_eq!(check("2026-06-01", false, "a word of a translation").0, all - 1);

    // A save that breaks a policy, then the save that mends it.
    edit(&fx, "content/staff-social-media.md", "title:", "titel:");
    check("2026-06-01", false, "a broken front matter");
    edit(&fx, "content/staff-social-media.md", "titel:", "title:");
    check("2026-06-01", false, "the front matter mended");

    // A linked policy's title, then a heading another policy may link to: every policy is
    // resolved again (any may show that title or link to that anchor).
    edit(&fx, "content/mental-health-act-rights.md", "title: Information for Patients", "title: Rights of Patients");
    assert_eq!(check("2026-06-01", false, "a linked policy's title").0, 0);
    let heading = fx.read("content/photos-phones-and-filming.md");
    let first_heading = heading.lines().find(|l| l.starts_with("## ")).expect("a heading").to_string();
    edit(&fx, "content/photos-phones-and-filming.md", &first_heading, &format!("{first_heading} now"));
    assert_eq!(check("2026-06-01", false, "a heading").0, 0);

    // A theme file, a setting, the build date across a review date, a picture.
    let theme = std::fs::read_to_string(repo_root().join("themes/default/theme.yaml")).unwrap();
    fx.write(
        "themes/default/theme.yaml",
        &theme.replace("#005eb8\"           # header", "#003087\"           # header"),
    );
    check("2026-06-01", false, "a theme file");
    edit(&fx, "policypress.yaml", "organisation: Example NHS", "organisation: Sample NHS");
    check("2026-06-01", false, "a setting");
    assert_eq!(check("2026-07-15", false, "the date across a review date").0, 0);
    let other = std::fs::read(fx.path("content/images/no-photos-on-the-ward.png")).unwrap();
    std::fs::write(fx.path("content/images/ask-a-nurse.png"), other).unwrap();
    check("2026-07-15", false, "a picture");

    // Drafts (the public site's library without them is kept too), then an edit with drafts.
    let (_, with_drafts) = check("2026-07-15", true, "with drafts");
    edit(&fx, "content/staff-social-media.md", "are part of daily life", "are part of life");
    assert_eq!(check("2026-07-15", true, "a word of staff text, with drafts").0, with_drafts - 1);

    // A new policy, then a deleted one (the link to it taken out).
    let copy = fx.read("content/staff-social-media.md").replace("title: ", "title: New ").replace("COM-003", "COM-099");
    fx.write("content/new-policy.md", &copy);
    check("2026-07-15", false, "a new policy");
    edit(&fx, "content/photos-phones-and-filming.md", "](mental-health-act-rights.md)", "]");
    std::fs::remove_file(fx.path("content/mental-health-act-rights.md")).unwrap();
    check("2026-07-15", false, "a deleted policy");
    edit(&fx, "content/new-policy.md", "are part of life", "are part of all life");
    check("2026-07-15", false, "a word of the new policy");
}
