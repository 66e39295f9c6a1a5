//! The `policypress` command line: parses arguments, runs a build (load -> parse -> resolve ->
//! audiences -> write) or a live preview, prints what happened and sets the exit status (0
//! success, 1 content errors, 2 usage or I/O errors).
//!
//! Holds no build logic of its own and is the only place that reads the clock.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use policypress::build::{BuildOptions, load_and_run};
use policypress::diag::IoFailure;
use policypress::model::dates::Date;
use policypress::model::ids::{MAX_ID_LEN, suggest_id, valid_id};
use policypress::terminal::{audience_word, count_words, print_diagnostics, print_readability};
use policypress::write::{check_output_folder, write_output};
use policypress::{live, starter};

/// Compiles NHS policies, each written once in Markdown, into staff, patient, easy-read and
/// poster outputs (HTML and PDF).
#[derive(Parser)]
#[command(name = "policypress", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the project is: shared by every command.
#[derive(Args, Clone)]
struct ProjectArgs {
    /// The project folder.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
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
}

impl BuildArgs {
    /// `Err` with a message when `SOURCE_DATE_EPOCH` is set but is not a date.
    fn options(&self, strict: bool) -> Result<BuildOptions, String> {
        Ok(BuildOptions { today: build_date(self.today)?, drafts: self.drafts, strict })
    }

    fn root(&self) -> &Path {
        &self.project.root
    }
}

#[derive(Subcommand)]
enum Command {
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
        /// Treat readability limits as errors.
        #[arg(long)]
        strict: bool,
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
    /// Write a starter policy, content/<id>.md, that builds.
    New {
        /// The new policy's id: lower-case letters, digits and hyphens.
        id: String,
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
    let options = |args: &BuildArgs, strict: bool| {
        args.options(strict).map_err(|message| IoFailure { path: PathBuf::new(), message })
    };
    let result = match cli.command {
        Command::Build { build: args, out } => {
            let out = out.unwrap_or_else(|| args.root().join("output"));
            options(&args, false).and_then(|o| build(args.root(), Some(&out), o))
        }
        Command::Check { build: args, strict } => options(&args, strict).and_then(|o| build(args.root(), None, o)),
        Command::Serve { build: args, port } => options(&args, false).and_then(|o| live::serve(args.root(), port, o)),
        Command::Watch { build: args, out } => {
            let out = out.unwrap_or_else(|| args.root().join("output"));
            options(&args, false).and_then(|o| live::watch(args.root(), &out, o))
        }
        Command::New { id, project } => new_policy(&project.root, &id),
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
        check_output_folder(root, out)?;
    }
    let result = load_and_run(root, &options)?;
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
            write_output(root, out, &result.artifacts)?;
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
    std::fs::create_dir_all(&content).map_err(|e| IoFailure::new(&content, "cannot create the folder", e))?;
    std::fs::write(&path, starter::starter_policy(id, Date::today_utc()))
        .map_err(|e| IoFailure::new(&path, "cannot write", e))?;
    eprintln!(
        "wrote {}: edit it, then run `policypress build --drafts` to see it (it starts as a draft)",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
