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
    easy_read_row_without_picture => 1,
    easy_read_long_sentence => 1,
    easy_read_hard_word => 0,
    glossary_word_unused => 0,
    poster_without_headline => 1,
    poster_over_word_budget => 0,
    poster_message_without_icon => 0,
    no_public_url => 0,
    no_contact_phone => 1,
    policy_contact_without_phone => 1,
    short_addresses => 1,
    logo_missing => 1,
    logo_cannot_be_drawn => 1,
    logo_png_16_bit => 1,
    icon_cannot_be_drawn => 1,
    settings_public_url_and_logo => 1,
    patient_only_headings => 0,
    leaflet_long_sentence_and_paragraph => 0,
    leaflet_hard_to_read => 0,
    theme_low_contrast => 1,
    theme_bad_pdf_sizes => 1,
    theme_icon_descriptions => 1,
    image_corrupt => 1,
    deep_nesting => 1,
    long_word_and_unicode => 1,
    related_self_duplicate_empty => 0,
    link_to_draft => 0,
    heading_ids => 0,
    template_broken => 1,
    duplicate_yaml_key => 1,
    duplicate_reference => 1,
    missing_section_far => 1,
    every_error_at_once => 1,
    template_and_content_errors => 1,
    history_numeric_version => 1,
    unknown_category => 1,
    category_without_list => 1,
    reserved_page_name => 1,
    many_warnings => 1,
    translation_out_of_date => 0,
    translation_errors => 1,
    missing_glyphs => 0,
    settings_languages => 1,
}

/// `check --format json` prints one JSON document on stdout, nothing for people on stderr, and
/// holds every diagnostic of the run (errors first) and the readability figures.
#[test]
fn check_json_is_one_document_with_every_diagnostic() {
    let fixture = Fixture::new("errors/every-error-at-once");
    let outcome = fixture.run(&["check", "--format", "json"]);
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    assert_eq!(outcome.stderr, "", "JSON mode prints nothing else");
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("stdout is one JSON document");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(
        report["errors"].as_u64().unwrap() as usize,
        diagnostics.iter().filter(|d| d["severity"] == "error").count()
    );
    for d in diagnostics {
        for key in ["file", "line", "column", "length", "severity", "message", "hint"] {
            assert!(d.get(key).is_some(), "every diagnostic has `{key}`: {d}");
        }
    }
    let text = fixture.run(&["check"]);
    assert_eq!(
        text.stderr.matches(": error: ").count(),
        report["errors"].as_u64().unwrap() as usize,
        "the JSON holds the same errors as the text"
    );
    insta::assert_snapshot!("every-error-at-once-json", outcome.stdout);
}

#[test]
fn check_json_has_the_readability_figures() {
    let fixture = Fixture::new("errors/leaflet-long-sentence-and-paragraph");
    let outcome = fixture.run(&["check", "--format", "json"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("stdout is one JSON document");
    let leaflet = &report["readability"][0];
    assert_eq!(leaflet["policy"], "visiting");
    assert!(leaflet["smog"].as_f64().is_some() && leaflet["flesch_kincaid"].as_f64().is_some());
    assert!(leaflet["sections"][0]["heading"].is_string());
    insta::assert_snapshot!("leaflet-json", outcome.stdout);
}

#[test]
fn colour_follows_the_color_flag_and_no_color() {
    let fixture = Fixture::new("errors/unknown-icon");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_policypress"));
        cmd.args(args).arg("--root").arg(fixture.root()).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.output().unwrap().stderr).unwrap()
    };
    let escape = "\x1b[";
    assert!(!run(&["check"], &[]).contains(escape), "no colour when stderr is not a terminal");
    let coloured = run(&["check", "--color", "always"], &[]);
    assert!(coloured.contains(escape), "--color always colours");
    assert!(run(&["check", "--color", "always"], &[("NO_COLOR", "1")]).contains(escape), "an explicit flag wins");
    assert!(run(&["check"], &[("CLICOLOR_FORCE", "1")]).contains(escape), "auto honours CLICOLOR_FORCE");
    assert!(!run(&["check"], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains(escape), "NO_COLOR wins in auto");
    assert!(!run(&["check", "--color", "never"], &[("CLICOLOR_FORCE", "1")]).contains(escape));
    // The colour is only styling: without it, the text is the same.
    let stripped = coloured
        .split('\x1b')
        .enumerate()
        .map(|(i, part)| if i == 0 { part } else { part.split_once('m').map_or(part, |(_, rest)| rest) })
        .collect::<String>();
    assert_eq!(stripped, run(&["check"], &[]));
}

/// With many warnings (`many_warnings` above: each error listed, at most three warnings of each
/// kind, then a count of each kind), `--verbose` lists every warning, and the grouped list
/// names no warning twice.
#[test]
fn verbose_lists_every_warning() {
    let fixture = Fixture::new("errors/many-warnings");
    let grouped = fixture.run(&["check"]);
    let verbose = fixture.run(&["check", "--verbose"]);
    assert_eq!(verbose.status, 1, "{}", verbose.stderr);
    insta::assert_snapshot!("many-warnings-verbose", verbose.stderr);
    let count = |text: &str, what: &str| text.lines().filter(|l| l.contains(what)).count();
    assert_eq!(count(&verbose.stderr, ": error: "), count(&grouped.stderr, ": error: "), "errors always in full");
    assert!(count(&verbose.stderr, ": warning: ") > count(&grouped.stderr, ": warning: "));
    assert!(!verbose.stderr.contains("by kind"), "{}", verbose.stderr);
}

#[test]
fn strict_check_makes_a_hard_to_read_leaflet_an_error() {
    let fixture = Fixture::new("errors/leaflet-hard-to-read");
    let outcome = fixture.run(&["check", "--strict"]);
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    insta::assert_snapshot!("leaflet-hard-to-read-strict", outcome.stderr);
}

#[test]
fn strict_makes_a_missing_public_url_an_error_for_check_and_build() {
    let fixture = Fixture::new("errors/no-public-url");
    let outcome = fixture.run(&["check", "--strict"]);
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    insta::assert_snapshot!("no-public-url-strict", outcome.stderr);
    let outcome = fixture.run(&["build", "--strict"]);
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    assert!(!fixture.path("output").exists(), "a build with errors writes nothing");
    assert_eq!(fixture.run(&["build"]).status, 0, "without --strict it is a warning");
    assert!(!fixture.read("output/patient/visiting.html").contains("qr-code"), "and no QR code");
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

#[test]
fn a_word_too_long_for_any_page_is_a_located_error_in_every_audience_not_a_hang() {
    // 53,000 letters once hung the easy-read and poster layout (every prefix shaped again)
    // while memory grew without bound.
    let word: String = "abcdefghijklmnopqrstuvwxyz".chars().cycle().take(53_000).collect();
    let body = format!(
        "Staff text with {word} in it.\n\n::: patient\n# Leaflet\n\nPatients read {word}.\n:::\n\n::: easy-read\n# {word}\n\n:tick: Easy {word}.\n:::\n\n::: poster\n# {word}\n:phone: Poster {word}\n:::\n"
    );
    let fixture = Fixture::with_policy("visiting", "", &body);
    let outcome = fixture
        .run_within(&["check"], std::time::Duration::from_secs(120))
        .expect("check finishes (it hung on this word before)");
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    insta::assert_snapshot!("word-too-long-in-every-audience", outcome.stderr);
}

#[test]
fn damaged_pictures_and_decompression_bombs_are_located_errors() {
    // A photo cut short while it was copied: a lenient decoder would print the missing part grey.
    let photo = image::RgbImage::from_fn(320, 240, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85).encode_image(&photo).unwrap();
    jpeg.truncate(jpeg.len() / 2);
    // A small file whose header claims 30,000 x 20,000 pixels.
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&body);
        let crc = body.iter().fold(0xFFFF_FFFFu32, |mut crc, &b| {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
            crc
        });
        out.extend_from_slice(&(!crc).to_be_bytes());
        out
    };
    let mut header = 30_000u32.to_be_bytes().to_vec();
    header.extend_from_slice(&20_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
    bomb.extend(chunk(b"IHDR", &header));
    bomb.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    bomb.extend(chunk(b"IEND", &[]));

    let fixture = Fixture::with_policy(
        "visiting",
        "",
        "A photo:\n\n![A ward](images/ward.jpg)\n\nA huge picture:\n\n![A bed](images/huge.png)\n",
    );
    std::fs::create_dir_all(fixture.path("content/images")).unwrap();
    std::fs::write(fixture.path("content/images/ward.jpg"), &jpeg).unwrap();
    std::fs::write(fixture.path("content/images/huge.png"), &bomb).unwrap();
    let outcome = fixture.run(&["check"]);
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    insta::assert_snapshot!("damaged-pictures", outcome.stderr);
}

#[cfg(unix)]
#[test]
fn links_at_the_top_of_the_project_are_refused_and_nothing_outside_it_is_read() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("theme/static")).unwrap();
    std::fs::write(outside.path().join("theme/static/style.css"), "/* OUTSIDE-THE-PROJECT */").unwrap();
    std::fs::write(outside.path().join("settings.yaml"), "title: OUTSIDE-THE-PROJECT\n").unwrap();

    // A linked theme folder once published a file from outside the project as output/assets/.
    let fixture = Fixture::new("basic");
    std::fs::create_dir_all(fixture.path("themes")).unwrap();
    symlink(outside.path().join("theme"), fixture.path("themes/default")).unwrap();
    std::fs::remove_file(fixture.path("policypress.yaml")).unwrap();
    symlink(outside.path().join("settings.yaml"), fixture.path("policypress.yaml")).unwrap();
    let outcome = fixture.run(&["build"]);
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    assert!(!fixture.path("output").exists(), "nothing is written");
    insta::assert_snapshot!("linked-theme-and-settings", outcome.stderr);

    let linked_content = Fixture::new("basic");
    let real = linked_content.path("real-content");
    std::fs::rename(linked_content.path("content"), &real).unwrap();
    symlink(&real, linked_content.path("content")).unwrap();
    let outcome = linked_content.run(&["check"]);
    assert_eq!(outcome.status, 2, "{}", outcome.stderr);
    insta::assert_snapshot!("linked-content", outcome.stderr);
}

#[test]
fn an_unknown_variable_in_the_front_matter_is_a_located_error() {
    let fixture = Fixture::with_policy("visiting", "summary: Ring {{ switchbord }} or {{ pals\n", "Text.\n");
    fixture.write("policypress.yaml", "variables:\n  switchboard: 0116 225 2525\n");
    let outcome = fixture.run(&["check"]);
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    insta::assert_snapshot!("front-matter-unknown-variable", outcome.stderr);
}

#[cfg(unix)]
#[test]
fn file_names_the_build_cannot_use_pipes_and_other_markdown_files_are_reported() {
    let fixture = Fixture::with_policy("visiting", "", "Text.\n");
    // A backslash in a name once aborted the build with an I/O error.
    fixture.write("content/old\\visiting.md", &crate::harness::policy_text("old", "", "Old.\n"));
    fixture.write("content/notes.markdown", "# Notes\n");
    let fifo = fixture.path("content/pipe.md");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let outcome = fixture.run_within(&["check"], std::time::Duration::from_secs(60)).expect("a pipe is never read");
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    insta::assert_snapshot!("unusable-file-names", outcome.stderr);
}

#[test]
fn an_id_too_long_for_the_file_system_is_a_located_error_in_check() {
    // 240 letters: `content/<id>.md` can be saved, but `<id>-large-print.pdf` cannot.
    let id = "a".repeat(240);
    let fixture = Fixture::with_policy(&id, "", "Text.\n\n::: patient\n# Leaflet\n\nWords for patients.\n:::\n");
    let outcome = fixture.run(&["check"]);
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    insta::assert_snapshot!("id-too-long", outcome.stderr.replace(&id, "[240 letters]"));
}

#[test]
fn an_unparsable_source_date_epoch_is_an_error_not_ignored() {
    let fixture = Fixture::new("basic");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_policypress"))
        .args(["build", "--root"])
        .arg(fixture.root())
        .env("SOURCE_DATE_EPOCH", "2030-01-01")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!fixture.path("output").exists(), "nothing is built against the wrong date");
    insta::assert_snapshot!("source-date-epoch-unparsable", String::from_utf8_lossy(&out.stderr));
}
