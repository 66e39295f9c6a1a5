//! The `policypress` command line: parses arguments, runs load -> pipeline -> write, prints
//! diagnostics and sets the exit status (0 success, 1 content errors, 2 usage or I/O errors).
//!
//! Holds no build logic of its own and is the only place that reads the clock.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Parser, Subcommand};

use policypress::dates::Date;
use policypress::diag::{Diagnostics, Severity};
use policypress::model::Audience;
use policypress::output::write_output;
use policypress::pipeline::{BuildOptions, BuildResult, run};
use policypress::project::{IoFailure, load_project};
use policypress::serve::ServeState;
use policypress::watch::{WatchPaths, run_loop, start_watcher};
use policypress::{parse, starter};

/// Compiles NHS policies, each written once in Markdown, into staff, patient, easy-read and
/// poster outputs (HTML and PDF).
#[derive(Parser)]
#[command(name = "policypress", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DateArg {
    /// Judge review dates as of this date (YYYY-MM-DD) instead of today. SOURCE_DATE_EPOCH is
    /// honoured too, for reproducible builds.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    today: Option<Date>,
}

#[derive(Subcommand)]
enum Command {
    /// Build everything into the output folder (exit 1 on content errors).
    Build {
        /// The project folder.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
        /// Where to write (default: <root>/output).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Include draft policies, marked DRAFT on every page.
        #[arg(long)]
        drafts: bool,
        #[command(flatten)]
        date: DateArg,
    },
    /// Report every problem a build would, writing nothing.
    Check {
        /// The project folder.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
        /// Treat readability limits as errors.
        #[arg(long)]
        strict: bool,
        /// Check drafts too.
        #[arg(long)]
        drafts: bool,
        #[command(flatten)]
        date: DateArg,
    },
    /// Build, serve on 127.0.0.1, rebuild on every change and reload open pages.
    Serve {
        /// The project folder.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
        /// The port (default 3000, or the next free one).
        #[arg(long, value_name = "N")]
        port: Option<u16>,
        /// Include draft policies, marked DRAFT.
        #[arg(long)]
        drafts: bool,
        #[command(flatten)]
        date: DateArg,
    },
    /// Rebuild into the output folder on every change, without a server.
    Watch {
        /// The project folder.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
        /// Where to write (default: <root>/output).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Include draft policies, marked DRAFT.
        #[arg(long)]
        drafts: bool,
        #[command(flatten)]
        date: DateArg,
    },
    /// Write a starter policy, content/<id>.md, that builds.
    New {
        /// The new policy's id: lower-case letters, digits and hyphens.
        id: String,
        /// The project folder.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
    },
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date; write YYYY-MM-DD"))
}

/// The date review status is judged against: --today, else SOURCE_DATE_EPOCH, else the clock.
fn build_date(arg: &DateArg) -> Date {
    arg.today
        .or_else(|| {
            std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse::<i64>().ok().and_then(Date::from_unix_seconds)
        })
        .unwrap_or_else(Date::today_utc)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build { root, out, drafts, date } => {
            let out = out.unwrap_or_else(|| root.join("output"));
            build(&root, Some(&out), BuildOptions { today: build_date(&date), drafts, strict: false })
        }
        Command::Check { root, strict, drafts, date } => {
            build(&root, None, BuildOptions { today: build_date(&date), drafts, strict })
        }
        Command::Serve { root, port, drafts, date } => {
            serve(&root, port, BuildOptions { today: build_date(&date), drafts, strict: false })
        }
        Command::Watch { root, out, drafts, date } => {
            let out = out.unwrap_or_else(|| root.join("output"));
            watch(&root, &out, BuildOptions { today: build_date(&date), drafts, strict: false })
        }
        Command::New { id, root } => new_policy(&root, &id),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(2)
        }
    }
}

/// Builds (writing to `out`) or checks (when `out` is `None`).
fn build(root: &Path, out: Option<&Path>, options: BuildOptions) -> Result<ExitCode, IoFailure> {
    let started = Instant::now();
    if let Some(out) = out {
        policypress::output::check_output_folder(root, out)?;
    }
    let mut diags = Diagnostics::new();
    let project = load_project(root, &mut diags)?;
    let result = run(&project, &options, diags);
    print_diagnostics(&result);
    if result.diagnostics.has_errors() {
        let what = if out.is_some() {
            "nothing was written; the previous output is unchanged"
        } else {
            "fix them before building"
        };
        eprintln!("{}: {what}", count_words(&result));
        return Ok(ExitCode::from(1));
    }
    print_readability(&result);
    let outputs: Vec<String> =
        result.outputs.iter().filter(|(_, n)| *n > 0).map(|(a, n)| format!("{n} {}", audience_word(*a))).collect();
    match out {
        Some(out) => {
            write_output(out, &result.artifacts)?;
            eprintln!(
                "built {} {} ({}) into {} in {} ms: {}",
                result.policies,
                if result.policies == 1 { "policy" } else { "policies" },
                outputs.join(", "),
                out.display(),
                started.elapsed().as_millis(),
                count_words(&result)
            );
        }
        None => eprintln!(
            "checked {} {} ({}): {}",
            result.policies,
            if result.policies == 1 { "policy" } else { "policies" },
            outputs.join(", "),
            count_words(&result)
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads and builds in memory, printing the diagnostics; `None` when the disk failed us.
fn build_in_memory(root: &Path, options: &BuildOptions) -> Result<BuildResult, IoFailure> {
    let mut diags = Diagnostics::new();
    let project = load_project(root, &mut diags)?;
    let result = run(&project, options, diags);
    print_diagnostics(&result);
    Ok(result)
}

/// One line for the terminal after a rebuild.
fn rebuild_status(started: Instant, result: &Result<BuildResult, IoFailure>, what: &str) {
    let clock = time::OffsetDateTime::now_utc();
    let stamp = format!("{:02}:{:02}:{:02}", clock.hour(), clock.minute(), clock.second());
    match result {
        Ok(r) if r.diagnostics.has_errors() => {
            eprintln!("[{stamp}] {what}: {}; still showing the last good build", count_words(r))
        }
        Ok(r) => eprintln!("[{stamp}] {what} in {} ms: {}", started.elapsed().as_millis(), count_words(r)),
        Err(failure) => eprintln!("[{stamp}] error: {failure}"),
    }
}

fn stop_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        eprintln!("\nstopped");
        std::process::exit(0);
    });
}

fn serve(root: &Path, port: Option<u16>, options: BuildOptions) -> Result<ExitCode, IoFailure> {
    let listener = match policypress::serve::bind(port.unwrap_or(3000), port.is_some()) {
        Ok(listener) => listener,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(2));
        }
    };
    let address = listener.local_addr().map_err(|e| IoFailure::new(root, "cannot serve", e))?;
    let state = Arc::new(ServeState::default());
    let started = Instant::now();
    let first = Ok(build_in_memory(root, &options)?);
    rebuild_status(started, &first, "built");
    let publish = |state: &ServeState, result: &Result<BuildResult, IoFailure>| {
        if let Ok(r) = result {
            let files = (!r.diagnostics.has_errors()).then(|| r.artifacts.clone());
            state.publish(files, &r.diagnostics.sorted());
        }
    };
    publish(&state, &first);
    let paths = WatchPaths { root: root.to_path_buf(), out: root.join("output") };
    let (_watcher, events) = start_watcher(&paths)?;
    let server_state = Arc::clone(&state);
    std::thread::spawn(move || {
        if let Err(message) = policypress::serve::serve_forever(listener, server_state) {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    });
    stop_on_ctrl_c();
    eprintln!(
        "serving on http://{address}/ (previews for authors: http://{address}/preview/index.html); rebuilding on every change to {}; press Ctrl-C to stop",
        root.display()
    );
    run_loop(events, &paths, |_| {
        let started = Instant::now();
        let result = build_in_memory(root, &options);
        publish(&state, &result);
        rebuild_status(started, &result, "rebuilt");
    });
    Ok(ExitCode::SUCCESS)
}

fn watch(root: &Path, out: &Path, options: BuildOptions) -> Result<ExitCode, IoFailure> {
    policypress::output::check_output_folder(root, out)?;
    let build_and_write = |what: &str| {
        let started = Instant::now();
        let result = build_in_memory(root, &options);
        let written = match &result {
            Ok(r) if !r.diagnostics.has_errors() => write_output(out, &r.artifacts).map(|_| ()),
            _ => Ok(()),
        };
        match written {
            Ok(()) => rebuild_status(started, &result, what),
            Err(failure) => eprintln!("error: {failure}"),
        }
    };
    build_and_write("built");
    let paths = WatchPaths { root: root.to_path_buf(), out: out.to_path_buf() };
    let (_watcher, events) = start_watcher(&paths)?;
    stop_on_ctrl_c();
    eprintln!("watching {} for changes; writing to {}; press Ctrl-C to stop", root.display(), out.display());
    run_loop(events, &paths, |_| build_and_write("rebuilt"));
    Ok(ExitCode::SUCCESS)
}

/// The readability of the leaflets: every section when there are few, the hardest when many.
fn print_readability(result: &BuildResult) {
    if result.leaflets.is_empty() {
        return;
    }
    eprintln!("readability of patient leaflets (SMOG grade, NHS method: aim for 12 or below):");
    let mut leaflets: Vec<_> = result.leaflets.iter().collect();
    if leaflets.len() > 10 {
        leaflets.sort_by(|a, b| b.smog.total_cmp(&a.smog));
        let mean = leaflets.iter().map(|l| l.smog).sum::<f64>() / leaflets.len() as f64;
        eprintln!("  {} leaflets, mean SMOG {mean:.1}; the 5 hardest:", leaflets.len());
        for l in leaflets.iter().take(5) {
            eprintln!("  {:<40} SMOG {:>4.1}  ({} words)", l.id, l.smog, l.words);
        }
        return;
    }
    for l in leaflets {
        eprintln!(
            "  {:<40} SMOG {:>4.1}  Flesch-Kincaid grade {:>4.1}  ({} words)",
            l.id, l.smog, l.flesch_kincaid, l.words
        );
        for (heading, smog) in &l.sections {
            eprintln!("      {smog:>4.1}  {heading}");
        }
    }
}

fn audience_word(audience: Audience) -> &'static str {
    match audience {
        Audience::Staff => "staff",
        Audience::Patient => "patient",
        Audience::EasyRead => "easy read",
        Audience::Poster => "poster",
    }
}

fn count_words(result: &BuildResult) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(result.diagnostics.error_count(), "error"),
        plural(result.diagnostics.warning_count(), "warning")
    )
}

fn print_diagnostics(result: &BuildResult) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    // Errors first, so a long list of warnings never hides what stops the build.
    let mut items = result.diagnostics.sorted();
    items.sort_by_key(|d| d.severity != Severity::Error);
    for d in items {
        let _ = writeln!(err, "{d}");
    }
}

fn new_policy(root: &Path, id: &str) -> Result<ExitCode, IoFailure> {
    if !parse::valid_id(id) {
        eprintln!(
            "error: `{id}` cannot be a policy id: use lower-case letters, digits and hyphens, like `{}`",
            policypress::front_matter::suggest_id(id)
        );
        return Ok(ExitCode::from(2));
    }
    let content = root.join("content");
    let path = content.join(format!("{id}.md"));
    if path.exists() {
        eprintln!("error: `{}` already exists; choose another id or edit that file", path.display());
        return Ok(ExitCode::from(2));
    }
    std::fs::create_dir_all(&content).map_err(|e| IoFailure::new(&content, "cannot create the folder", e))?;
    std::fs::write(&path, starter::starter_policy(id, Date::today_utc()))
        .map_err(|e| IoFailure::new(&path, "cannot write", e))?;
    eprintln!(
        "wrote {}: edit it, then run `policypress build --drafts` to see it (it starts as a draft)",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
