//! The build cache (issue 18): a build that reuses what earlier builds rendered must write
//! exactly what a fresh build without the cache writes, after any sequence of edits; a cache
//! folder that is corrupt, or not the tool's, is never trusted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::harness::{Fixture, repo_root};

const CACHE: &str = ".policypress-cache";

/// Runs `policypress build` on the fixture into `out` as of `today`, with `extra` arguments.
fn build(fx: &Fixture, out: &Path, today: &str, extra: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_policypress"))
        .args(["build", "--root"])
        .arg(fx.root())
        .arg("--out")
        .arg(out)
        .args(["--today", today])
        .args(extra)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run policypress");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "build {extra:?} failed:\n{stderr}");
    stderr
}

/// Every file under `dir` and its bytes, by `/`-separated path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn assert_same_trees(cached: &Path, fresh: &Path, step: &str) {
    let (a, b) = (tree(cached), tree(fresh));
    let only_cached: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_fresh: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(only_cached.is_empty() && only_fresh.is_empty(), "{step}: {only_cached:?} vs {only_fresh:?}");
    let differ: Vec<&String> = a.iter().filter(|(k, v)| b[*k] != **v).map(|(k, _)| k).collect();
    assert!(differ.is_empty(), "{step}: the cached build differs from a fresh one in {differ:?}");
}

/// The cache's entries (one folder per unit key).
fn entries(fx: &Fixture) -> BTreeSet<String> {
    match std::fs::read_dir(fx.path(&format!("{CACHE}/units"))) {
        Ok(dir) => dir.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => BTreeSet::new(),
    }
}

/// What a build printed, without the last line's folder and time.
fn messages(stderr: &str) -> String {
    stderr.lines().map(|l| l.split(" into ").next().unwrap_or(l)).collect::<Vec<_>>().join("\n")
}

fn edit(fx: &Fixture, rel: &str, from: &str, to: &str) {
    let text = fx.read(rel);
    assert!(text.contains(from), "{rel} has no `{from}`");
    fx.write(rel, &text.replacen(from, to, 1));
}

#[test]
fn cached_builds_equal_fresh_builds_after_every_kind_of_edit() {
    let fx = Fixture::from_dir(&repo_root());
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("output");
    let mut step_number = 0;
    let mut check = |today: &str, extra: &[&str], step: &str| -> (BTreeSet<String>, BTreeSet<String>) {
        let before = entries(&fx);
        let cached_messages = build(&fx, &out, today, extra);
        let after = entries(&fx);
        step_number += 1;
        let fresh = scratch.path().join(format!("fresh-{step_number}"));
        let mut no_cache = extra.to_vec();
        no_cache.push("--no-cache");
        let fresh_messages = build(&fx, &fresh, today, &no_cache);
        assert_same_trees(&out, &fresh, step);
        assert_eq!(messages(&cached_messages), messages(&fresh_messages), "{step}: the messages differ");
        std::fs::remove_dir_all(&fresh).unwrap();
        (before, after)
    };
    let (_, first) = check("2026-06-01", &[], "first build");
    assert!(first.len() >= 10, "every policy's PDFs are kept: {first:?}");

    let (again, same) = check("2026-06-01", &[], "nothing changed");
    assert_eq!(again, same, "a build with nothing changed renders nothing again");

    // One word of one policy's staff text: only that policy's web pages, its staff PDF and the
    // search index (its terms, with the memo of the term part holding the policy, and the part
    // of its text holding the policy) are made again (its leaflet, easy read and posters are
    // not).
    edit(&fx, "content/staff-social-media.md", "are part of everyday life", "are part of daily life");
    let (before, after) = check("2026-06-01", &[], "a word of staff text");
    let new: Vec<&String> = after.difference(&before).collect();
    assert_eq!(
        new.len(),
        5,
        "the edited policy's pages and staff PDF, the search terms, their part's memo and the text part: {new:?}"
    );

    // A word of a translation, and a character no bundled font has in it (one warning for
    // the policy's language over all its PDFs, cached units or not).
    edit(&fx, "content/photos-phones-and-filming.cy.md", "Gallwch gadw mewn", "Gallwch aros mewn");
    check("2026-06-01", &[], "a word of a translation");
    edit(&fx, "content/photos-phones-and-filming.cy.md", "Gallwch aros mewn", "Gallwch \u{1F9EC} aros mewn");
    check("2026-06-01", &[], "a character no font has in a translation");

    // A linked policy's title: the policies that list it as related show the new title.
    edit(&fx, "content/mental-health-act-rights.md", "title: Information for Patients", "title: Rights of Patients");
    check("2026-06-01", &[], "a linked policy's title");

    // A theme file: the colours of every PDF.
    let theme = std::fs::read_to_string(repo_root().join("themes/default/theme.yaml")).unwrap();
    fx.write(
        "themes/default/theme.yaml",
        &theme.replace("#005eb8\"           # header", "#003087\"           # header"),
    );
    check("2026-06-01", &[], "a theme file");

    // A setting printed on every PDF.
    edit(&fx, "policypress.yaml", "organisation: Example NHS", "organisation: Sample NHS");
    check("2026-06-01", &[], "a setting");

    // The build date crosses a review date (2026-06-30): that policy becomes overdue.
    check("2026-07-15", &[], "the date across a review date");

    // A picture some PDFs draw.
    let other = std::fs::read(fx.path("content/images/no-photos-on-the-ward.png")).unwrap();
    std::fs::write(fx.path("content/images/ask-a-nurse.png"), other).unwrap();
    check("2026-07-15", &[], "a picture");

    // Drafts: the public site is built without them, its PDFs copied or rendered for it.
    check("2026-07-15", &["--drafts"], "with drafts");

    // A deleted policy (the link to it in another's text taken out): the related lists that
    // named it no longer link to it, the indexes lose it.
    edit(&fx, "content/photos-phones-and-filming.md", "](mental-health-act-rights.md)", "]");
    std::fs::remove_file(fx.path("content/mental-health-act-rights.md")).unwrap();
    check("2026-07-15", &[], "a deleted policy");

    // A corrupt cache: an entry's file cut short, another's record garbage. Neither is used.
    let units = fx.path(&format!("{CACHE}/units"));
    let mut corrupted = 0;
    for (n, entry) in std::fs::read_dir(&units).unwrap().flatten().enumerate() {
        let dir = entry.path();
        if n % 2 == 0 {
            if let Some(object) =
                std::fs::read_dir(&dir).unwrap().flatten().find(|f| f.path().extension().is_some_and(|e| e == "bin"))
            {
                let bytes = std::fs::read(object.path()).unwrap();
                std::fs::write(object.path(), &bytes[..bytes.len() / 2]).unwrap();
                corrupted += 1;
            }
        } else {
            std::fs::write(dir.join("entry.json"), "{\"format\": 1, \"key\": \"nonsense\"").unwrap();
            corrupted += 1;
        }
    }
    assert!(corrupted > 2);
    check("2026-07-15", &[], "a corrupt cache");
}

#[test]
fn a_cache_folder_the_tool_did_not_make_is_left_alone() {
    let fx = Fixture::from_dir(&repo_root());
    fx.write(&format!("{CACHE}/notes.txt"), "mine");
    let scratch = tempfile::tempdir().unwrap();
    let stderr = build(&fx, &scratch.path().join("a"), "2026-06-01", &[]);
    assert!(stderr.contains("building without the cache"), "{stderr}");
    assert_eq!(fx.read(&format!("{CACHE}/notes.txt")), "mine");
    assert_eq!(std::fs::read_dir(fx.path(CACHE)).unwrap().count(), 1, "nothing was added to it");
    build(&fx, &scratch.path().join("b"), "2026-06-01", &["--no-cache"]);
    assert_same_trees(&scratch.path().join("a"), &scratch.path().join("b"), "without a cache");
}

#[test]
fn no_cache_and_check_write_no_cache() {
    let fx = Fixture::from_dir(&repo_root());
    let scratch = tempfile::tempdir().unwrap();
    build(&fx, &scratch.path().join("a"), "2026-06-01", &["--no-cache"]);
    assert!(!fx.path(CACHE).exists(), "--no-cache makes no cache folder");
    let checked = fx.run(&["check"]);
    assert_eq!(checked.status, 0, "{}", checked.stderr);
    assert!(!fx.path(CACHE).exists(), "check makes no cache folder");
}

/// Files in `output/` may share their bytes with the cache (hard links). An author who edits
/// one in place (same length even, as a tool that patches a PDF would) changes the cache's copy
/// too: the next build must notice and render it again, never hand the edited bytes on.
#[test]
fn a_file_edited_in_place_in_the_output_never_reaches_a_later_build() {
    use std::io::{Seek, SeekFrom, Write};
    let fx = Fixture::from_dir(&repo_root());
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("output");
    build(&fx, &out, "2026-06-01", &[]);
    let pdf = out.join("staff/staff-social-media.pdf");
    let html = out.join("staff/staff-social-media.html");
    for file in [&pdf, &html] {
        let mut handle = std::fs::OpenOptions::new().write(true).open(file).unwrap();
        handle.seek(SeekFrom::Start(20)).unwrap();
        handle.write_all(b"EDITED BY HAND").unwrap();
    }
    build(&fx, &out, "2026-06-01", &[]);
    let fresh = scratch.path().join("fresh");
    build(&fx, &fresh, "2026-06-01", &["--no-cache"]);
    assert_same_trees(&out, &fresh, "after editing output files in place");
    // And the edit did not survive in the cache for the build after either.
    build(&fx, &out, "2026-06-01", &[]);
    assert_same_trees(&out, &fresh, "the build after");
}

/// The cache's memo entries (`memo.bin` with its `memo.json`), by entry folder name.
fn memos(fx: &Fixture) -> BTreeMap<String, std::path::PathBuf> {
    let units = fx.path(&format!("{CACHE}/units"));
    std::fs::read_dir(&units)
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("memo.bin").is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect()
}

/// A new `build` process takes the parses of the policies that did not change from the memo the
/// last build left (issue 18): what it writes and prints must be what a build that parses every
/// file writes and prints, and a memo that does not decode must be parsed again, not trusted.
#[test]
fn a_build_reusing_the_last_builds_parses_equals_a_fresh_build() {
    let fx = Fixture::from_dir(&repo_root());
    let scratch = tempfile::tempdir().unwrap();
    let (out, fresh) = (scratch.path().join("output"), scratch.path().join("fresh"));
    let same_as_fresh = |step: &str| {
        let cached = build(&fx, &out, "2026-06-01", &[]);
        let _ = std::fs::remove_dir_all(&fresh);
        let parsed = build(&fx, &fresh, "2026-06-01", &["--no-cache"]);
        assert_same_trees(&out, &fresh, step);
        assert_eq!(messages(&cached), messages(&parsed), "{step}: the messages differ");
        assert!(cached.contains("warning"), "{step}: the example's warnings are printed: {cached}");
    };
    same_as_fresh("first build");
    let memo = memos(&fx);
    assert!(!memo.is_empty(), "the build left a memo of its parses");

    // Nothing changed: every parse comes from the memo, so it is not written again.
    let written = |dir: &Path| std::fs::metadata(dir.join("memo.bin")).unwrap().modified().unwrap();
    let times: BTreeMap<String, _> = memo.iter().map(|(k, dir)| (k.clone(), written(dir))).collect();
    same_as_fresh("nothing changed");
    let again: BTreeMap<String, _> = memos(&fx).iter().map(|(k, dir)| (k.clone(), written(dir))).collect();
    assert_eq!(times, again, "a build with every parse in the memo leaves the memo as it was");

    // One word of one policy: it alone is parsed again, the rest come from the memo.
    edit(&fx, "content/staff-social-media.md", "are part of everyday life", "are part of daily life");
    same_as_fresh("a word of one policy");

    // Every memo's bytes garbage, though its record says they are what was written (length and
    // modification time): the store hands them over, and decoding them must fail into parsing.
    for dir in memos(&fx).values() {
        let bytes = std::fs::read(dir.join("memo.bin")).unwrap();
        let garbage: Vec<u8> = bytes.iter().enumerate().map(|(i, b)| b ^ (0x5a ^ i as u8)).collect();
        std::fs::write(dir.join("memo.bin"), &garbage).unwrap();
        let meta = std::fs::metadata(dir.join("memo.bin")).unwrap();
        let about: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("memo.json")).unwrap()).unwrap();
        let nanos = meta.modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let fixed = serde_json::json!({
            "format": about["format"], "key": about["key"], "len": meta.len(), "modified": nanos.to_string(),
        });
        std::fs::write(dir.join("memo.json"), fixed.to_string()).unwrap();
    }
    same_as_fresh("a memo that does not decode");
    // And it was made again from the new parses, for the build after.
    edit(&fx, "content/staff-social-media.md", "are part of daily life", "are part of everyday life");
    same_as_fresh("after a memo that did not decode");
}
