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

/// A poster word too wide at every size is found only as the poster is made, after the other
/// pages: the build still reports it at its line and writes nothing (it once stopped at copying
/// the missing poster to the public site: "cannot write ...: No such file or directory").
#[test]
fn a_poster_error_found_while_rendering_is_reported_and_nothing_is_written() {
    let fixture = Fixture::new("basic");
    assert_eq!(fixture.run(&["build"]).status, 0);
    let before = std::fs::read(fixture.path("output/poster/ward-phones.pdf")).unwrap();
    let text = fixture.read("content/ward-phones.md").replace(
        ":phone: You can use your phone on the ward.",
        ":phone: You can use your Supercalifragilisticexpialidociousandevenlongerwordsthatneverend phone.",
    );
    fixture.write("content/ward-phones.md", &text);
    let outcome = fixture.run(&["build"]);
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    // Located at the poster it is on (its heading's line).
    let line = text.lines().position(|l| l == "# Phones are welcome").unwrap() + 1;
    assert!(
        outcome.stderr.contains(&format!("content/ward-phones.md:{line}:1: error: the word `Supercal")),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("nothing was written; the previous output is unchanged"), "{}", outcome.stderr);
    assert!(!outcome.stderr.contains("cannot write"), "{}", outcome.stderr);
    assert!(
        std::fs::read(fixture.path("output/poster/ward-phones.pdf")).unwrap() == before,
        "the last good poster is kept"
    );
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

/// Runs the binary in `dir` (no `--root`), with a fixed date for `init` and the build.
fn run_in(dir: &std::path::Path, args: &[&str]) -> crate::harness::Outcome {
    run_at(dir, dir, args)
}

/// Runs the binary in `cwd`, showing the folder `dir` as `[DIR]` in what it prints.
fn run_at(dir: &std::path::Path, cwd: &std::path::Path, args: &[&str]) -> crate::harness::Outcome {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_policypress"))
        .args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", "1795219200") // 2026-11-22, the date of every test
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run policypress");
    let shown = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let real = dir.canonicalize().unwrap().display().to_string();
        text.replace(&real, "[DIR]").replace(&dir.display().to_string(), "[DIR]")
    };
    crate::harness::Outcome {
        status: out.status.code().unwrap_or(-1),
        stderr: shown(&out.stderr),
        stdout: shown(&out.stdout),
    }
}

#[test]
fn init_makes_a_project_that_builds_and_checks_without_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_in(dir.path(), &["init", "trust-policies"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    insta::assert_snapshot!("init", outcome.stderr);
    let project = dir.path().join("trust-policies");
    let settings = std::fs::read_to_string(project.join("policypress.yaml")).unwrap();
    for key in ["title:", "organisation:", "base-url:", "theme:", "language:", "variables:", "contact:"] {
        assert!(settings.contains(&format!("\n{key}")), "the settings file has `{key}`");
    }
    assert!(std::fs::read_to_string(project.join(".gitignore")).unwrap().contains("/output/"));

    let outcome = run_in(&project, &["build"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    assert!(!outcome.stderr.contains("warning:"), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("built 1 policy (1 staff, 1 patient, 1 easy read, 1 poster) into ./output in "),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.ends_with(": 0 errors, 0 warnings\n"), "{}", outcome.stderr);
    for page in ["staff", "patient", "easy-read", "poster"] {
        assert!(project.join(format!("output/{page}/visiting-times.html")).is_file(), "the example has a {page} page");
        assert!(project.join(format!("output/{page}/visiting-times.pdf")).is_file(), "the example has a {page} PDF");
    }
    let outcome = run_in(&project, &["check", "--strict"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    assert!(outcome.stderr.ends_with(": 0 errors, 0 warnings\n"), "{}", outcome.stderr);
}

#[test]
fn init_refuses_a_folder_that_already_holds_a_project() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_in(dir.path(), &["init"]).status, 0);
    std::fs::write(dir.path().join("policypress.yaml"), "title: Ours\n").unwrap();
    let outcome = run_in(dir.path(), &["init"]);
    assert_eq!(outcome.status, 2, "{}", outcome.stderr);
    insta::assert_snapshot!("init-refused", outcome.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("policypress.yaml")).unwrap(), "title: Ours\n");
    // Nor inside a project's content folder, where its files would be read as policies.
    let inside = dir.path().join("content/more");
    std::fs::create_dir_all(&inside).unwrap();
    let outcome = run_in(&inside, &["init"]);
    assert_eq!(outcome.status, 2, "{}", outcome.stderr);
    assert!(!inside.join("policypress.yaml").exists());
    // A folder with only `content/` is a project too (settings are optional).
    let bare = tempfile::tempdir().unwrap();
    std::fs::create_dir(bare.path().join("content")).unwrap();
    assert_eq!(run_in(bare.path(), &["init"]).status, 2);
    assert!(!bare.path().join("policypress.yaml").exists());
}

#[test]
fn init_adds_to_an_existing_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "*.bak").unwrap();
    assert_eq!(run_in(dir.path(), &["init"]).status, 0);
    let ignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert!(ignore.starts_with("*.bak\n") && ignore.contains("\n/output/\n"), "{ignore}");
    assert!(ignore.contains("\n/.policypress-cache/\n"), "the build cache is kept out too: {ignore}");
    // And the lock file a build leaves beside output/, which `git status` showed as new.
    assert!(ignore.contains("\n/.output.policypress-lock\n"), "{ignore}");
    assert_eq!(run_in(dir.path(), &["build"]).status, 0);
    let lock = dir.path().join(".output.policypress-lock");
    assert!(lock.exists(), "the test looks at the file the build leaves");
}

#[test]
fn init_adds_only_what_an_existing_gitignore_lacks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "output/\n").unwrap();
    assert_eq!(run_in(dir.path(), &["init"]).status, 0);
    let ignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    let output_lines = ignore.lines().filter(|l| l.trim_matches('/') == "output").count();
    assert_eq!(output_lines, 1, "output/ is not added again: {ignore}");
    assert!(ignore.ends_with("/.policypress-cache/\n"), "{ignore}");
}

#[test]
fn the_project_is_found_from_a_folder_inside_it_and_named() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_in(dir.path(), &["init"]).status, 0);
    let hr = dir.path().join("content/hr");
    std::fs::create_dir_all(&hr).unwrap();
    std::fs::write(hr.join("leave.md"), crate::harness::policy_text("leave", "", ":nope: Leave.\n")).unwrap();
    let outcome = run_at(dir.path(), &hr, &["check"]);
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    // Paths lead from where the command ran, so an editor there opens the right file.
    insta::assert_snapshot!("found-from-content-hr", outcome.stderr);
    std::fs::remove_file(hr.join("leave.md")).unwrap();
    let outcome = run_at(dir.path(), &hr, &["build"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    assert!(outcome.stderr.starts_with("using the project in [DIR]\n"), "{}", outcome.stderr);
    assert!(dir.path().join("output/staff/visiting-times.html").is_file(), "the default output is <root>/output");
    assert!(!hr.join("output").exists());
    let outcome = run_in(&hr, &["new", "parking"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    assert!(dir.path().join("content/parking.md").is_file());
}

#[test]
fn discovery_never_takes_a_folder_that_is_not_a_project() {
    // Another tool's site: a `content/` folder, and the command run beside it, not in it.
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("content")).unwrap();
    std::fs::create_dir_all(site.join("static/css")).unwrap();
    let outcome = run_in(&site.join("static/css"), &["build"]);
    assert_eq!(outcome.status, 2, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("there is no `content` folder in `.`"), "{}", outcome.stderr);
    assert!(!site.join("output").exists() && !site.join("static/css/output").exists(), "nothing is written");
}

#[test]
fn new_gives_a_reference_no_policy_has() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_in(dir.path(), &["new", "visiting"]).status, 0);
    let outcome = run_in(dir.path(), &["new", "parking"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("(reference NEW-002)"), "{}", outcome.stderr);
    assert!(std::fs::read_to_string(dir.path().join("content/visiting.md")).unwrap().contains("reference: NEW-001\n"));
    assert!(std::fs::read_to_string(dir.path().join("content/parking.md")).unwrap().contains("reference: NEW-002\n"));
    // Patient-facing outputs need a phone number and a public address from the settings.
    std::fs::write(
        dir.path().join("policypress.yaml"),
        "public-url: https://www.example.nhs.uk/leaflets/\ncontact:\n  phone: 0116 496 0123\n",
    )
    .unwrap();
    let outcome = run_in(dir.path(), &["check", "--drafts"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
}

#[test]
fn a_build_says_how_many_drafts_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_in(dir.path(), &["new", "visiting"]).status, 0);
    let outcome = run_in(dir.path(), &["build"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    let summary = outcome.stderr.lines().last().unwrap();
    assert!(summary.starts_with("built 0 policies into ./output in "), "no empty parentheses: {summary}");
    assert!(summary.ends_with(": 0 errors, 0 warnings; 1 draft left out (use --drafts to include it)"), "{summary}");
}

#[test]
fn completions_are_printed_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let outcome = run_in(dir.path(), &["completions", shell]);
        assert_eq!(outcome.status, 0, "{shell}: {}", outcome.stderr);
        for word in ["init", "build", "check", "serve", "completions", "drafts"] {
            assert!(outcome.stdout.contains(word), "{shell} completes `{word}`");
        }
    }
    assert_eq!(run_in(dir.path(), &["completions", "tcsh"]).status, 2, "an unknown shell is a usage error");
}

/// Every entry under `dir` (not following links) with its kind, permissions and bytes, so a
/// folder can be compared before and after a command.
fn tree(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&at).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            let what = if meta.is_dir() {
                stack.push(path.clone());
                "dir".to_string()
            } else if meta.file_type().is_symlink() {
                format!("link to {}", std::fs::read_link(&path).unwrap().display())
            } else {
                format!("{:?}", std::fs::read(&path).unwrap())
            };
            out.push((rel, format!("{what} {:?}", meta.permissions())));
        }
    }
    out
}

#[test]
fn build_refuses_a_home_folder_holding_only_hidden_folders_and_leaves_it_byte_identical() {
    let fixture = Fixture::new("basic");
    let scratch = tempfile::tempdir().unwrap();
    let home = scratch.path().join("home");
    for (path, text) in [
        (".ssh/id_ed25519", "PRIVATE KEY"),
        (".ssh/authorized_keys", "ssh-ed25519 AAAA"),
        (".config/app/settings.toml", "x = 1"),
        (".cargo/config.toml", "[build]"),
        (".bashrc", "export A=1"),
    ] {
        std::fs::create_dir_all(home.join(path).parent().unwrap()).unwrap();
        std::fs::write(home.join(path), text).unwrap();
    }
    let before = tree(&home);
    let outcome = fixture.run(&["build", "--out", home.to_str().unwrap()]);
    assert_eq!(outcome.status, 2, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("policypress did not write"), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("`.bashrc`, `.cargo`, `.config`"),
        "the reason names what is there: {}",
        outcome.stderr
    );
    assert_eq!(tree(&home), before, "the home folder is byte-identical");
    let beside: Vec<_> = std::fs::read_dir(scratch.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(beside, ["home"], "nothing was written beside it either");
}

#[test]
fn build_refuses_a_fresh_clone_holding_only_git_and_leaves_it_byte_identical() {
    let fixture = Fixture::new("basic");
    let scratch = tempfile::tempdir().unwrap();
    let clone = scratch.path().join("site");
    std::fs::create_dir_all(clone.join(".git/objects")).unwrap();
    std::fs::write(clone.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let before = tree(&clone);
    let outcome = fixture.run(&["build", "--out", clone.to_str().unwrap()]);
    assert_eq!(outcome.status, 2, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("(`.git`)"), "{}", outcome.stderr);
    assert_eq!(tree(&clone), before);
}

#[test]
fn build_refuses_a_file_and_a_link_path_that_leads_into_the_project() {
    let fixture = Fixture::new("basic");
    fixture.write("afile", "the user's own file");
    let outcome = fixture.run(&["build", "--out", fixture.path("afile").to_str().unwrap()]);
    assert_eq!(outcome.status, 2, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("it is a file"), "{}", outcome.stderr);
    assert_eq!(fixture.read("afile"), "the user's own file");
    let names: Vec<_> = std::fs::read_dir(fixture.root()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(!names.iter().any(|n| n.to_string_lossy().starts_with("afile.")), "nothing renamed aside: {names:?}");

    #[cfg(unix)]
    {
        // `lnk/..` is where the link's target sits, here the project: `lnk/../content` is the
        // project's content folder, though it reads like a sibling of `lnk`.
        let scratch = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(fixture.path("content/images")).unwrap();
        std::os::unix::fs::symlink(fixture.path("content/images"), scratch.path().join("lnk")).unwrap();
        let sneaky = scratch.path().join("lnk/../../content");
        let before = tree(&fixture.path("content"));
        let outcome = fixture.run(&["build", "--out", sneaky.to_str().unwrap()]);
        assert_eq!(outcome.status, 2, "{}", outcome.stderr);
        assert!(outcome.stderr.contains("inside the project's `content/` folder"), "{}", outcome.stderr);
        assert_eq!(tree(&fixture.path("content")), before);
    }
}
