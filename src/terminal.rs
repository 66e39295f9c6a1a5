//! What the command line prints on the terminal: diagnostics, the readability of leaflets, and
//! one-line summaries of a build or rebuild.
//!
//! Formats and prints only; decides nothing about the build.

use std::io::Write;
use std::time::Instant;

use crate::build::BuildResult;
use crate::diag::{IoFailure, Severity};
use crate::model::Audience;

/// The readability of the leaflets: every section when there are few, the hardest when many.
pub fn print_readability(result: &BuildResult) {
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

/// How an audience is named in a build summary.
pub fn audience_word(audience: Audience) -> &'static str {
    match audience {
        Audience::Staff => "staff",
        Audience::Patient => "patient",
        Audience::EasyRead => "easy read",
        Audience::Poster => "poster",
    }
}

/// "N errors, M warnings".
pub fn count_words(result: &BuildResult) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(result.diagnostics.error_count(), "error"),
        plural(result.diagnostics.warning_count(), "warning")
    )
}

/// Prints every diagnostic, errors first.
pub fn print_diagnostics(result: &BuildResult) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    // Errors first, so a long list of warnings never hides what stops the build.
    let mut items = result.diagnostics.sorted();
    items.sort_by_key(|d| d.severity != Severity::Error);
    for d in items {
        let _ = writeln!(err, "{d}");
    }
}

/// One line for the terminal after a rebuild.
pub fn rebuild_status(started: Instant, result: &Result<BuildResult, IoFailure>, what: &str) {
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
