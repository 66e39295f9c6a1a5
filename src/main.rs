//! The `policypress` command line: parses arguments, runs load -> pipeline -> write, prints
//! diagnostics and sets the exit status (0 success, 1 content errors, 2 usage or I/O errors).
//!
//! Holds no build logic of its own and is the only place that reads the clock.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use policypress::dates::Date;
use policypress::diag::{Diagnostics, Severity};
use policypress::model::Audience;
use policypress::output::write_output;
use policypress::pipeline::{BuildOptions, BuildResult, run};
use policypress::project::{IoFailure, load_project};
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
