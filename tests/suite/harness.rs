//! Test harness: copies a fixture project into a temporary folder, runs the real binary or the
//! library pipeline on it, and reads what came out.

use std::path::{Path, PathBuf};
use std::process::Command;

use policypress::build::{BuildOptions, BuildResult, run};
use policypress::diag::Diagnostics;
use policypress::load::{Project, load_project};
use policypress::model::Policy;
use policypress::model::dates::Date;
use policypress::resolve::{Library, ResolveOptions, resolve};

/// The settings of [`Fixture::with_policy`] projects.
pub const MINIMAL_SETTINGS: &str =
    "public-url: https://www.test.nhs.uk/leaflets/\ncontact:\n  name: PALS\n  phone: 0116 225 2525\n";

/// The date every test judges review dates against, so results never depend on the clock.
pub const TODAY: &str = "2026-11-22";

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture project copied into a temporary folder that lives as long as this value.
pub struct Fixture {
    dir: tempfile::TempDir,
}

/// What a run of the binary printed and returned.
pub struct Outcome {
    pub status: i32,
    pub stderr: String,
    pub stdout: String,
}

impl Fixture {
    /// Copies `tests/fixtures/<name>` (e.g. `basic` or `errors/unknown-icon`).
    pub fn new(name: &str) -> Fixture {
        Fixture::from_dir(&repo_root().join("tests/fixtures").join(name))
    }

    /// Copies any project folder (its `content/`, settings and themes; never its output).
    pub fn from_dir(source: &Path) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        for entry in ["content", "themes", "branding", "policypress.yaml", "secret.png"] {
            let from = source.join(entry);
            if from.exists() {
                copy_recursive(&from, &dir.path().join(entry));
            }
        }
        Fixture { dir }
    }

    /// A project with one policy file holding `body` under a valid front matter, and the
    /// settings every patient-facing output needs (a public address and a phone number).
    pub fn with_policy(id: &str, front_matter_extra: &str, body: &str) -> Fixture {
        let fixture = Fixture { dir: tempfile::tempdir().expect("temp dir") };
        fixture.write(&format!("content/{id}.md"), &policy_text(id, front_matter_extra, body));
        fixture.write("policypress.yaml", MINIMAL_SETTINGS);
        fixture
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Runs `policypress <args> --root <fixture>` with the fixed date.
    pub fn run(&self, args: &[&str]) -> Outcome {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_policypress"));
        cmd.args(args).arg("--root").arg(self.root());
        if matches!(args.first(), Some(&"build") | Some(&"check")) {
            cmd.args(["--today", TODAY]);
        }
        let out = cmd.env_remove("SOURCE_DATE_EPOCH").output().expect("run policypress");
        let root = self.root().display().to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).replace(&root, "[ROOT]");
        let stdout = String::from_utf8_lossy(&out.stdout).replace(&root, "[ROOT]");
        Outcome { status: out.status.code().unwrap_or(-1), stderr, stdout }
    }

    /// Like [`Fixture::run`], but stops the command after `limit`: `None` when it had not
    /// finished by then (a hang), so a test can fail instead of running forever. Not a speed
    /// test: the limit is far above any honest run.
    pub fn run_within(&self, args: &[&str], limit: std::time::Duration) -> Option<Outcome> {
        use std::io::Read;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_policypress"));
        cmd.args(args).arg("--root").arg(self.root()).args(["--today", TODAY]);
        let mut child = cmd
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run policypress");
        let mut stderr = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let deadline = std::time::Instant::now() + limit;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let stderr = reader.join().unwrap().replace(&self.root().display().to_string(), "[ROOT]");
        Some(Outcome { status: status.code().unwrap_or(-1), stderr, stdout: String::new() })
    }

    pub fn load(&self) -> Project {
        load_project(self.root(), &mut Diagnostics::new()).expect("load")
    }
}

pub fn today() -> Date {
    Date::parse(TODAY).unwrap()
}

/// Runs the pure pipeline on a loaded project.
pub fn build_in_memory(project: &Project, drafts: bool) -> BuildResult {
    run(project, &BuildOptions { today: today(), drafts, strict: false }, Diagnostics::new())
}

/// Parses and resolves a project without rendering.
pub fn resolve_project(project: &Project, drafts: bool) -> (Vec<Policy>, Library, Diagnostics) {
    let mut diags = Diagnostics::new();
    let policies = policypress::parse::parse_project(project, &mut diags);
    let library = resolve(&policies, ResolveOptions { today: today(), drafts }, &mut diags);
    (policies, library, diags)
}

fn copy_recursive(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_recursive(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}

/// A policy file with a valid front matter (plus `extra` lines) and `body`.
pub fn policy_text(id: &str, extra: &str, body: &str) -> String {
    format!(
        "---\ntitle: Policy {id}\nversion: \"1.0\"\nstatus: approved\napproved-date: 2025-03-31\nowner: Owner of {id}\nreview-date: 2027-03-31\n{extra}---\n{body}"
    )
}
