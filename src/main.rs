//! The `policypress` command line: parses arguments, finds the project, runs a build (load ->
//! parse -> resolve -> audiences -> write) or a live preview, starts a project (`init`) or a
//! policy (`new`), prints what happened and sets the exit status (0 success, 1 content errors,
//! 2 usage or I/O errors).
//!
//! Holds no build logic of its own and is the only place that reads the clock.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use policypress::audience::Output;
use policypress::audience::staff::report::{REPORT_CSV, REPORT_HTML, REPORT_ICS};
use policypress::build::{BuildOptions, load_and_report, load_and_run_into};
use policypress::cache::{DiskCache, NoStore, UnitStore};
use policypress::diag::{Diagnostics, IoFailure};
use policypress::load::discover::{find_project, holds_project, prefix_to};
use policypress::model::artifact::ArtifactSink;
use policypress::model::dates::Date;
use policypress::model::ids::{MAX_ID_LEN, suggest_id, valid_id};
use policypress::parse::front_matter;
use policypress::terminal::BuildProgress;
use policypress::terminal::{
    count_words, json_report, print_diagnostics, print_readability, set_path_prefix, set_verbose, summary,
};
use policypress::write::{MemoryOutput, Staging, check_output_folder, write_output};
use policypress::{live, starter};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Compiles NHS policies, each written once in Markdown, into staff, patient, easy-read and
/// poster outputs (HTML and PDF).
#[derive(Parser)]
#[command(name = "policypress", version, about)]
struct Cli {
    /// Colour messages: `auto` on a terminal unless NO_COLOR is set, `always`, or `never`.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// What `check` prints.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Messages for people, on stderr.
    Text,
    /// One JSON document on stdout (every diagnostic and the readability figures).
    Json,
}

/// Where the project is: shared by every command that works on one.
#[derive(Args, Clone)]
struct ProjectArgs {
    /// The project folder [default: the nearest folder, from here upwards, with
    /// policypress.yaml, or the one whose content/ you are in].
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

impl ProjectArgs {
    /// The project folder: `--root`, else found from the current folder upwards, else the current
    /// folder (whose missing `content/` is then reported). Says which folder when it is not the
    /// current one, and makes the paths in messages lead there from here.
    fn resolve(&self) -> PathBuf {
        if let Some(root) = &self.root {
            return root.clone();
        }
        let here = PathBuf::from(".");
        let Ok(cwd) = std::env::current_dir() else { return here };
        match find_project(&cwd) {
            Some(root) if root != cwd => {
                eprintln!("using the project in {}", root.display());
                if let Some(prefix) = prefix_to(&root, &cwd) {
                    set_path_prefix(&prefix);
                }
                root
            }
            _ => here,
        }
    }
}

/// What a build includes and the date it judges review dates by: shared by every command that
/// builds.
#[derive(Args, Clone)]
struct BuildArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Include draft policies, marked DRAFT on every page.
    #[arg(long)]
    drafts: bool,
    /// Judge review dates as of this date (YYYY-MM-DD) instead of today. SOURCE_DATE_EPOCH is
    /// honoured too, for reproducible builds.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    today: Option<Date>,
    /// Treat readability limits and a missing `public-url` as errors.
    #[arg(long)]
    strict: bool,
    /// Render everything afresh, without reading or writing the build cache (.policypress-cache/).
    #[arg(long)]
    no_cache: bool,
    /// List every warning. By default, when there are more than ten, the first three of each
    /// kind are listed and the rest counted by kind (errors are always listed in full).
    #[arg(long)]
    verbose: bool,
}

impl BuildArgs {
    /// `Err` with a message when `SOURCE_DATE_EPOCH` is set but is not a date.
    fn options(&self) -> Result<BuildOptions, String> {
        Ok(BuildOptions { today: build_date(self.today)?, drafts: self.drafts, strict: self.strict })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Start a project: settings, an example policy for every audience, and a .gitignore.
    Init {
        /// The folder to start it in (made if missing) [default: the current folder].
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Build everything into the output folder (exit 1 on content errors).
    Build {
        #[command(flatten)]
        build: BuildArgs,
        /// Where to write (default: <root>/output).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Report every problem a build would, writing nothing.
    Check {
        #[command(flatten)]
        build: BuildArgs,
        /// `text` for people (stderr), or `json`: one JSON document on stdout, for CI and dashboards.
        #[arg(long, value_enum, default_value_t = Format::Text, value_name = "FORMAT")]
        format: Format,
    },
    /// Build, serve on 127.0.0.1, rebuild on every change and reload open pages.
    Serve {
        #[command(flatten)]
        build: BuildArgs,
        /// The port (default 3000, or the next free one).
        #[arg(long, value_name = "N")]
        port: Option<u16>,
    },
    /// Rebuild into the output folder on every change, without a server.
    Watch {
        #[command(flatten)]
        build: BuildArgs,
        /// Where to write (default: <root>/output).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Write the review report (overdue, due within three months, by owner and by category) as
    /// HTML, CSV and an iCalendar file of review dates. `build` publishes it under staff/ too.
    Report {
        #[command(flatten)]
        build: BuildArgs,
        /// Where to write (default: <root>/report).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Write a starter policy, content/<id>.md, that builds.
    New {
        /// The new policy's id: lower-case letters, digits and hyphens.
        id: String,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// For translators: XLIFF 2.0 files of the patient, easy-read and poster text.
    Translations {
        #[command(subcommand)]
        action: TranslationAction,
    },
    /// Print a completion script for a shell (see the README for where to put it).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum TranslationAction {
    /// Write an XLIFF 2.0 file of every policy's patient, easy-read and poster text for
    /// translation into LANG, with its existing translation as targets.
    Export {
        /// The language, a BCP 47 tag: cy, pl, ur, pa, gu, ar, bn, ro, zh-Hans...
        lang: String,
        /// Where to write it [default: <root>/translations/<lang>.xlf].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// Write or update each content/<id>.<lang>.md from a translated XLIFF 2.0 file.
    Import {
        /// The translated XLIFF file.
        file: PathBuf,
        #[command(flatten)]
        project: ProjectArgs,
    },
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date; write YYYY-MM-DD"))
}

/// The date review status is judged against: --today, else SOURCE_DATE_EPOCH, else the clock.
/// A SOURCE_DATE_EPOCH that is set but unusable is an error: a reproducible build must not
/// quietly judge by today's date instead.
fn build_date(today: Option<Date>) -> Result<Date, String> {
    if let Some(today) = today {
        return Ok(today);
    }
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) => text.trim().parse::<i64>().ok().and_then(Date::from_unix_seconds).ok_or_else(|| {
            format!(
                "SOURCE_DATE_EPOCH is `{text}`, which is not a time in whole seconds since 1970 (like `1767225600`); set it right, or unset it"
            )
        }),
        Err(std::env::VarError::NotUnicode(_)) => Err("SOURCE_DATE_EPOCH is not text; set it to whole seconds since 1970, or unset it".to_string()),
        Err(std::env::VarError::NotPresent) => Ok(Date::today_utc()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    anstream::ColorChoice::write_global(match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    });
    let options = |args: &BuildArgs| {
        set_verbose(args.verbose);
        args.options().map_err(|message| IoFailure { path: PathBuf::new(), message })
    };
    let result = match cli.command {
        Command::Init { dir } => init(dir.as_deref().unwrap_or(Path::new("."))),
        Command::Build { build: args, out } => {
            let root = args.project.resolve();
            let out = out.unwrap_or_else(|| root.join("output"));
            options(&args).and_then(|o| build(&root, Some(&out), o, Format::Text, !args.no_cache))
        }
        Command::Check { build: args, format } => {
            options(&args).and_then(|o| build(&args.project.resolve(), None, o, format, !args.no_cache))
        }
        Command::Serve { build: args, port } => {
            options(&args).and_then(|o| live::serve(&args.project.resolve(), port, o, !args.no_cache))
        }
        Command::Watch { build: args, out } => {
            let root = args.project.resolve();
            let out = out.unwrap_or_else(|| root.join("output"));
            options(&args).and_then(|o| live::watch(&root, &out, o, !args.no_cache))
        }
        Command::New { id, project } => new_policy(&project.resolve(), &id),
        Command::Translations { action } => translations(action),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "policypress", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { build: args, out } => {
            let root = args.project.resolve();
            let out = out.unwrap_or_else(|| root.join("report"));
            options(&args).and_then(|o| report(&root, &out, o))
        }
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(2)
        }
    }
}

/// Builds (writing to `out`) or checks (when `out` is `None`). A build writes each file into a
/// staging folder as it is made and swaps it in only when there are no errors; a check lays out
/// the PDFs (for their problems and page counts) without writing them.
fn build(
    root: &Path,
    out: Option<&Path>,
    options: BuildOptions,
    format: Format,
    use_cache: bool,
) -> Result<ExitCode, IoFailure> {
    let started = Instant::now();
    policypress::build::set_exits_after_build();
    let staging = out.map(|out| Staging::open(root, out)).transpose()?;
    let discard = MemoryOutput::discarding();
    let sink: &dyn ArtifactSink = match &staging {
        Some(staging) => staging,
        None => {
            policypress::audience::pdf_output::set_layout_only();
            &discard
        }
    };
    let cache = match DiskCache::open_if(root, use_cache, out.is_some()) {
        Ok(cache) => cache,
        Err(why) => {
            eprintln!("note: building without the cache: {why}");
            None
        }
    };
    let store: &dyn UnitStore = match &cache {
        Some(cache) => cache,
        None => &NoStore,
    };
    // Only for the text a person reads: `--format json` is for programs.
    let progress = if format == Format::Text { BuildProgress::start() } else { BuildProgress::hidden() };
    let hear = |p| progress.hear(p);
    let output = Output { store, sink, progress: &hear, schedule: None, reuse: None };
    let result = load_and_run_into(root, &options, &output);
    progress.finish();
    let result = result?;
    let status = if result.diagnostics.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS };
    if format == Format::Json {
        println!("{}", json_report(&result));
        return Ok(status);
    }
    print_diagnostics(&result);
    if result.diagnostics.has_errors() {
        drop(staging);
        let what = if out.is_some() {
            "nothing was written; the previous output is unchanged"
        } else {
            "fix them before building"
        };
        eprintln!("{}: {what}", count_words(&result));
        return Ok(status);
    }
    print_readability(&result);
    match (out, staging) {
        (Some(out), Some(staging)) => {
            staging.commit()?;
            if let Some(cache) = &cache {
                cache.finish();
            }
            let place = format!(" into {} in {} ms", out.display(), started.elapsed().as_millis());
            eprintln!("{}", summary(&result, "built", &place));
        }
        _ => eprintln!("{}", summary(&result, "checked", "")),
    }
    Ok(status)
}

/// `policypress init [DIR]`: a project that builds without a warning. Never overwrites: a folder
/// that already holds a project (or sits in another's `content/`) is refused.
fn init(dir: &Path) -> Result<ExitCode, IoFailure> {
    if dir.exists() && !dir.is_dir() {
        eprintln!("error: `{}` is a file, not a folder", dir.display());
        return Ok(ExitCode::from(2));
    }
    if holds_project(dir) {
        eprintln!(
            "error: `{}` already holds a project (it has `policypress.yaml` or `content/`); nothing was written",
            dir.display()
        );
        eprintln!("  hint: run `policypress build` there, or `policypress new <id>` to add a policy");
        return Ok(ExitCode::from(2));
    }
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    if let Some(outer) = absolute.parent().and_then(find_project)
        && absolute.starts_with(outer.join("content"))
    {
        eprintln!(
            "error: `{}` is inside the `content/` folder of the project in {}; nothing was written",
            dir.display(),
            outer.display()
        );
        eprintln!("  hint: start a project in a folder of its own");
        return Ok(ExitCode::from(2));
    }
    let content = dir.join("content");
    std::fs::create_dir_all(&content).map_err(|e| IoFailure::new(&content, "cannot create the folder", e))?;
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| IoFailure::new(&path, "cannot write", e))
    };
    write(policypress::load::config::CONFIG_FILE, starter::settings_template())?;
    let policy = format!("content/{}", starter::EXAMPLE_POLICY_FILE);
    let today = build_date(None).map_err(|message| IoFailure { path: PathBuf::new(), message })?;
    write(&policy, &starter::example_policy(today))?;
    let gitignore = dir.join(".gitignore");
    let ignores = |existing: &str, folder: &str| {
        existing.lines().any(|l| {
            let entry = l.trim().trim_start_matches('/').trim_end_matches('/');
            entry == folder
        })
    };
    let ignore_note = match std::fs::read_to_string(&gitignore) {
        Ok(existing)
            if starter::GITIGNORE
                .lines()
                .filter(|l| !l.starts_with('#'))
                .all(|entry| ignores(&existing, entry.trim_matches('/'))) =>
        {
            "already keeps output/ and the build cache out of version control"
        }
        Ok(existing) => {
            // Only the entries it lacks are added, each under its comment.
            let mut added = String::new();
            for part in starter::GITIGNORE.split_inclusive('\n').collect::<Vec<_>>().chunks(2) {
                let entry = part.last().map_or("", |l| l.trim().trim_matches('/'));
                if !ignores(&existing, entry) {
                    added.extend(part.iter().copied());
                }
            }
            let separator = if existing.is_empty() || existing.ends_with('\n') { "" } else { "\n" };
            write(".gitignore", &format!("{existing}{separator}{added}"))?;
            "now also keeps output/ and the build cache out of version control"
        }
        Err(_) => {
            write(".gitignore", starter::GITIGNORE)?;
            "keeps output/ (what the build writes) and the build cache out of version control"
        }
    };
    let shown = dir.display();
    eprintln!("started a policypress project in {shown}:");
    eprintln!("  policypress.yaml            site settings; set `base-url` to where output/ will be published");
    eprintln!("  {policy:<27} an example policy for staff, patients, easy read and posters");
    eprintln!("  .gitignore                  {ignore_note}");
    let cd = if dir == Path::new(".") { String::new() } else { format!("cd {shown} && ") };
    eprintln!(
        "next: `{cd}policypress build`, then open output/index.html; or `policypress serve` to preview as you edit"
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the review report into `out` (a folder the tool made, or a new one).
fn report(root: &Path, out: &Path, options: BuildOptions) -> Result<ExitCode, IoFailure> {
    check_output_folder(root, out)?;
    let result = load_and_report(root, &options)?;
    print_diagnostics(&result.build);
    if result.build.diagnostics.has_errors() {
        eprintln!("{}: the report was not written", count_words(&result.build));
        return Ok(ExitCode::from(1));
    }
    write_output(root, out, &result.build.artifacts)?;
    let (total, overdue, due_soon) = result.counts;
    eprintln!(
        "review report of {total} {}: {overdue} overdue, {due_soon} due within three months; written to {} ({}, {}, {})",
        if total == 1 { "policy" } else { "policies" },
        out.display(),
        REPORT_HTML,
        REPORT_CSV,
        REPORT_ICS
    );
    Ok(ExitCode::SUCCESS)
}

fn new_policy(root: &Path, id: &str) -> Result<ExitCode, IoFailure> {
    if id.len() > MAX_ID_LEN {
        eprintln!("error: the id is {} characters long; ids may have at most {MAX_ID_LEN}", id.chars().count());
        return Ok(ExitCode::from(2));
    }
    if !valid_id(id) {
        eprintln!(
            "error: `{id}` cannot be a policy id: use lower-case letters, digits and hyphens, like `{}`",
            suggest_id(id)
        );
        return Ok(ExitCode::from(2));
    }
    let content = root.join("content");
    let path = content.join(format!("{id}.md"));
    if path.exists() {
        eprintln!("error: `{}` already exists; choose another id or edit that file", path.display());
        return Ok(ExitCode::from(2));
    }
    let reference = starter::free_reference(taken_references(root)?.iter().map(String::as_str));
    std::fs::create_dir_all(&content).map_err(|e| IoFailure::new(&content, "cannot create the folder", e))?;
    std::fs::write(&path, starter::starter_policy(id, &reference, Date::today_utc()))
        .map_err(|e| IoFailure::new(&path, "cannot write", e))?;
    eprintln!(
        "wrote {} (reference {reference}): edit it, then run `policypress build --drafts` to see it (it starts as a draft)",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `translations export` and `translations import`.
fn translations(action: TranslationAction) -> Result<ExitCode, IoFailure> {
    let mut diags = Diagnostics::new();
    match action {
        TranslationAction::Export { lang, out, project } => {
            let root = project.resolve();
            let loaded = policypress::load::load_project(&root, &mut diags)?;
            let exported = policypress::translations::export(&loaded, &lang, &mut diags);
            let path = out.unwrap_or_else(|| root.join("translations").join(format!("{lang}.xlf")));
            let written = match exported {
                Some(exported) if !diags.has_errors() => {
                    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                        std::fs::create_dir_all(dir).map_err(|e| IoFailure::new(dir, "cannot create the folder", e))?;
                    }
                    std::fs::write(&path, &exported.xml).map_err(|e| IoFailure::new(&path, "cannot write", e))?;
                    Some(exported)
                }
                _ => None,
            };
            show(diags, &root);
            match written {
                Some(e) => {
                    eprintln!(
                        "wrote {} (XLIFF 2.0): {} units of {} policies, {} already translated",
                        path.display(),
                        e.units,
                        e.policies,
                        e.translated
                    );
                    Ok(ExitCode::SUCCESS)
                }
                None => Ok(ExitCode::from(1)),
            }
        }
        TranslationAction::Import { file, project } => {
            let root = project.resolve();
            let loaded = policypress::load::load_project(&root, &mut diags)?;
            let text = policypress::load::read_text(&file)?;
            let shown = file.display().to_string();
            let written = policypress::translations::import(&loaded, &shown, &text, &mut diags);
            if !diags.has_errors() {
                for w in &written {
                    let path = root.join(&w.path);
                    std::fs::write(&path, &w.text).map_err(|e| IoFailure::new(&path, "cannot write", e))?;
                }
            }
            let errors = diags.error_count();
            show(diags, &root);
            if errors > 0 {
                eprintln!("imported nothing: {errors} errors");
                return Ok(ExitCode::from(1));
            }
            for w in &written {
                let what = if w.new { "wrote" } else { "updated" };
                eprintln!("{what} {} ({} segments changed)", w.path, w.changed);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints diagnostics as `build` and `check` do.
fn show(diagnostics: Diagnostics, root: &Path) {
    policypress::terminal::print_diagnostics(&policypress::build::BuildResult {
        diagnostics,
        root: root.to_path_buf(),
        ..Default::default()
    });
}

/// The references the project's policies already use (none when it has no `content/` yet).
fn taken_references(root: &Path) -> Result<Vec<String>, IoFailure> {
    if !root.join("content").is_dir() {
        return Ok(Vec::new());
    }
    let project = policypress::load::load_project(root, &mut Diagnostics::new())?;
    Ok(project
        .sources
        .iter()
        .filter_map(|source| {
            let split = front_matter::split(&source.display, &source.text, &mut Diagnostics::new())?;
            front_matter::reference(&source.display, split.yaml)
        })
        .collect())
}
