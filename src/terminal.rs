//! What the command line prints: diagnostics (with the source line and a caret under the
//! problem, coloured on a terminal), the readability of leaflets, one-line summaries of a build
//! or rebuild, and the JSON report of `check --format json`.
//!
//! Formats and prints only; decides nothing about the build. Colour follows anstream's global
//! choice (`--color`, `NO_COLOR`, `CLICOLOR_FORCE`, whether stderr is a terminal), set once by
//! the command line; every styled text goes through an `anstream` stream, which strips the
//! styles when colour is off, so the plain text is exactly what tests and editors see.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::audience::Progress;
use crate::build::BuildResult;
use crate::diag::{Diagnostic, IoFailure, Severity};
use crate::model::Audience;

/// Put before every file path shown (`../` when the project was found above the current
/// folder), so an editor run from here opens the right file. Set once by the command line.
static PATH_PREFIX: OnceLock<String> = OnceLock::new();

/// Shows every diagnostic's path with `prefix` in front (for example `../`). Only the first call
/// counts.
pub fn set_path_prefix(prefix: &str) {
    let _ = PATH_PREFIX.set(prefix.to_string());
}

fn shown_path(file: &str) -> String {
    format!("{}{file}", PATH_PREFIX.get().map_or("", String::as_str))
}

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

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// "N errors, M warnings".
pub fn count_words(result: &BuildResult) -> String {
    format!(
        "{}, {}",
        plural(result.diagnostics.error_count(), "error"),
        plural(result.diagnostics.warning_count(), "warning")
    )
}

/// What a finished build or check made, in one line: "2 policies (2 staff, 1 patient)", then
/// "`in`: N errors, M warnings", and the drafts left out, if any.
pub fn summary(result: &BuildResult, verb: &str, place: &str) -> String {
    let outputs: Vec<String> =
        result.outputs.iter().filter(|(_, n)| *n > 0).map(|(a, n)| format!("{n} {}", audience_word(*a))).collect();
    let policies = if result.policies == 1 { "policy" } else { "policies" };
    let mut line = format!("{verb} {} {policies}", result.policies);
    if !outputs.is_empty() {
        line.push_str(&format!(" ({})", outputs.join(", ")));
    }
    line.push_str(place);
    line.push_str(": ");
    line.push_str(&count_words(result));
    if result.drafts_left_out > 0 {
        let drafts = plural(result.drafts_left_out, "draft");
        let it = if result.drafts_left_out == 1 { "it" } else { "them" };
        line.push_str(&format!("; {drafts} left out (use --drafts to include {it})"));
    }
    line
}

/// Whether every warning is listed (`--verbose`). Set once by the command line.
static VERBOSE: OnceLock<bool> = OnceLock::new();

/// Lists every warning in full, however many there are (`--verbose`). Only the first call counts.
pub fn set_verbose(verbose: bool) {
    let _ = VERBOSE.set(verbose);
}

/// Up to this many warnings are all listed in full; with more (a large library has thousands),
/// each kind shows its first few, and a count of each kind ends the list.
const LIST_ALL_UP_TO: usize = 10;
/// Warnings of one kind listed in full when they are grouped.
const SHOWN_PER_KIND: usize = 3;

/// Prints every error in full, errors first, each with its source line when there is one; then
/// the warnings: all of them when there are few (or with `--verbose`), else the first few of
/// each kind and a count of each kind at the end.
pub fn print_diagnostics(result: &BuildResult) {
    let verbose = VERBOSE.get().copied().unwrap_or(false);
    let mut err = anstream::stderr().lock();
    let _ = err.write_all(diagnostics_text(result, verbose).as_bytes());
}

/// What [`print_diagnostics`] prints (styled; the stream strips the styles when colour is off).
pub fn diagnostics_text(result: &BuildResult, verbose: bool) -> String {
    let mut sources = SourceLines::new(&result.root);
    let mut text = String::new();
    let all = result.diagnostics.errors_first();
    let warnings = all.iter().filter(|d| d.severity == Severity::Warning).count();
    let grouped = !verbose && warnings > LIST_ALL_UP_TO;
    // Kinds in the order their first warning is shown, with how many there are of each.
    let mut kinds: Vec<(String, usize)> = Vec::new();
    let mut hidden = 0;
    for d in &all {
        if grouped && d.severity == Severity::Warning {
            let kind = warning_kind(&d.message);
            let seen = match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    kinds.push((kind, 1));
                    1
                }
            };
            if seen > SHOWN_PER_KIND {
                hidden += 1;
                continue;
            }
        }
        let line = if d.location.has_line() && d.location.len > 0 {
            sources.line(&d.location.file, d.location.line)
        } else {
            None
        };
        text.push_str(&render_diagnostic(d, line.as_deref()));
        text.push('\n');
    }
    if grouped {
        let bold = Style::new().bold();
        let shown = warnings - hidden;
        text.push_str(&format!(
            "{bold}{} by kind{bold:#} ({shown} shown above, at most {SHOWN_PER_KIND} of each kind; `--verbose` lists every one):\n",
            plural(warnings, "warning")
        ));
        // Most frequent first; kinds as common keep the order they were first shown in.
        kinds.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let width = kinds.first().map_or(1, |(_, n)| n.to_string().len());
        for (kind, n) in &kinds {
            text.push_str(&format!("  {n:>width$} × {kind}\n"));
        }
        text.push('\n');
    }
    text
}

/// The kind of a warning: its message with what differs between warnings of one kind (quoted
/// words, numbers and dates) replaced by `…`, so "the glossary word `consent` is not used" and
/// "the glossary word `privacy` is not used" are one kind.
fn warning_kind(message: &str) -> String {
    let mut kind = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        let close = match c {
            '`' | '"' => Some(c),
            '\u{201c}' => Some('\u{201d}'),
            _ => None,
        };
        if let Some(close) = close
            && let Some(end) = after.find(close)
        {
            kind.push(c);
            kind.push('…');
            kind.push(close);
            rest = &after[end + close.len_utf8()..];
        } else if c.is_ascii_digit() {
            // A number, a date or a time: digits and what joins them (`2026-05-31`, `14.2`,
            // `1,000`), but not a full stop that ends the sentence.
            let mut end = after.len();
            for (i, n) in after.char_indices() {
                let joins = matches!(n, '-' | '.' | ',' | ':' | '/')
                    && after[i + 1..].chars().next().is_some_and(|d| d.is_ascii_digit());
                if !(n.is_ascii_digit() || joins) {
                    end = i;
                    break;
                }
            }
            kind.push('…');
            rest = &after[end..];
        } else {
            kind.push(c);
            rest = after;
        }
    }
    kind
}

/// Progress of a long build on the terminal: a spinner while the policies are read and
/// checked, then a bar over the render units. Shows nothing when stderr is not a terminal (a
/// log, a CI job, a test).
pub struct BuildProgress {
    bar: indicatif::ProgressBar,
}

impl BuildProgress {
    /// Starts showing progress, when stderr is a terminal.
    pub fn start() -> BuildProgress {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return BuildProgress::hidden();
        }
        let bar = indicatif::ProgressBar::new_spinner().with_message("reading and checking the policies");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        BuildProgress { bar }
    }

    /// Shows nothing.
    pub fn hidden() -> BuildProgress {
        BuildProgress { bar: indicatif::ProgressBar::hidden() }
    }

    /// What the render stage says as it goes.
    pub fn hear(&self, progress: Progress) {
        match progress {
            Progress::Units(total) => {
                let style = indicatif::ProgressStyle::with_template("{msg:24} [{bar:30}] {pos}/{len}, {eta} left")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> ");
                self.bar.set_style(style);
                self.bar.set_length(total as u64);
                self.bar.set_position(0);
                self.bar.set_message("making the web pages");
            }
            Progress::UnitDone => self.bar.inc(1),
            Progress::PagesDone { .. } => self.bar.set_message("making the PDFs"),
        }
    }

    /// Takes the progress off the terminal (before the findings are printed).
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// One diagnostic as shown on the terminal, styled (the stream strips the styles when colour is
/// off). The first line is always `file:line:col: severity: message`, as editors expect; then
/// the source line with the problem underlined, when `source_line` is given; then the hint.
pub fn render_diagnostic(d: &Diagnostic, source_line: Option<&str>) -> String {
    let bold = Style::new().bold();
    let (level, colour) = match d.severity {
        Severity::Error => (Level::ERROR, AnsiColor::BrightRed),
        Severity::Warning => (Level::WARNING, AnsiColor::BrightYellow),
    };
    let label = colour.on_default().bold();
    let mut out = String::new();
    if !d.location.file.is_empty() {
        let mut location = d.location.clone();
        location.file = shown_path(&location.file);
        out.push_str(&format!("{bold}{location}:{bold:#} "));
    }
    out.push_str(&format!("{label}{}{label:#}: {bold}{}{bold:#}\n", d.severity.label(), d.message));
    if let Some(line) = source_line {
        let span = char_span(line, d.location.col, d.location.len);
        let report = [Group::with_level(level)
            .element(Snippet::source(line).line_start(d.location.line).annotation(AnnotationKind::Primary.span(span)))];
        out.push_str(&Renderer::styled().render(&report));
        out.push('\n');
    }
    if let Some(hint) = &d.hint {
        let style = AnsiColor::BrightCyan.on_default().bold();
        out.push_str(&format!("  {style}hint{style:#}: {hint}\n"));
    }
    out
}

/// The byte range of `len` characters from 1-based character column `col` of `line`, kept
/// inside the line (a column past its end marks the end).
fn char_span(line: &str, col: usize, len: usize) -> std::ops::Range<usize> {
    let byte_at = |chars: usize| line.char_indices().nth(chars).map_or(line.len(), |(i, _)| i);
    let start = byte_at(col.saturating_sub(1));
    let end = line[start..].char_indices().nth(len.max(1)).map_or(line.len(), |(i, _)| start + i);
    start..end
}

/// Source lines read from the project on demand, once per file, with line endings treated as
/// the load stage treats them, so line numbers agree.
struct SourceLines {
    root: PathBuf,
    files: BTreeMap<String, Option<Vec<String>>>,
}

impl SourceLines {
    fn new(root: &Path) -> Self {
        SourceLines { root: root.to_path_buf(), files: BTreeMap::new() }
    }

    fn line(&mut self, file: &str, line: usize) -> Option<String> {
        let root = &self.root;
        let lines = self.files.entry(file.to_string()).or_insert_with(|| {
            // Only paths inside the project, as every diagnostic has; never follow `..`.
            if file.split('/').any(|part| part == ".." || part.is_empty()) {
                return None;
            }
            let text = std::fs::read_to_string(root.join(file)).ok()?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            Some(text.replace("\r\n", "\n").replace('\r', "\n").split('\n').map(str::to_string).collect())
        });
        lines.as_ref()?.get(line.checked_sub(1)?).cloned()
    }
}

/// One run of `check --format json`: every diagnostic and the readability of every leaflet, for
/// CI jobs and dashboards.
#[derive(Serialize)]
struct JsonReport<'a> {
    /// Published policies checked.
    policies: usize,
    /// Drafts left out (without `--drafts`).
    drafts_left_out: usize,
    errors: usize,
    warnings: usize,
    /// Errors first, then warnings, each in file order.
    diagnostics: Vec<JsonDiagnostic<'a>>,
    readability: Vec<JsonLeaflet<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    /// Path relative to the project root; `null` for a problem no file holds.
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    /// Characters the problem covers from `column` (0: the file as a whole).
    length: usize,
    severity: &'static str,
    message: &'a str,
    hint: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLeaflet<'a> {
    policy: &'a str,
    smog: f64,
    flesch_kincaid: f64,
    words: usize,
    sections: Vec<JsonSection<'a>>,
}

#[derive(Serialize)]
struct JsonSection<'a> {
    heading: &'a str,
    smog: f64,
}

/// The JSON document `check --format json` prints: one object, whatever was found.
pub fn json_report(result: &BuildResult) -> String {
    let diagnostics = result.diagnostics.errors_first();
    let report = JsonReport {
        policies: result.policies,
        drafts_left_out: result.drafts_left_out,
        errors: result.diagnostics.error_count(),
        warnings: result.diagnostics.warning_count(),
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let placed = !d.location.file.is_empty();
                JsonDiagnostic {
                    file: placed.then_some(d.location.file.as_str()),
                    line: placed.then_some(d.location.line),
                    column: placed.then_some(d.location.col),
                    length: d.location.len,
                    severity: d.severity.label(),
                    message: &d.message,
                    hint: d.hint.as_deref(),
                }
            })
            .collect(),
        readability: result
            .leaflets
            .iter()
            .map(|l| JsonLeaflet {
                policy: &l.id,
                smog: round1(l.smog),
                flesch_kincaid: round1(l.flesch_kincaid),
                words: l.words,
                sections: l
                    .sections
                    .iter()
                    .map(|(heading, smog)| JsonSection { heading, smog: round1(*smog) })
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&report).expect("a report of plain values always serialises")
}

/// Figures to one decimal, as the terminal shows them.
fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostics, Location};

    fn plain(text: &str) -> String {
        let mut out = Vec::new();
        let mut stream = anstream::StripStream::new(&mut out);
        stream.write_all(text.as_bytes()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_diagnostic_shows_its_line_with_the_span_underlined() {
        let mut diags = Diagnostics::new();
        diags.error(Location::new("content/a.md", 4, 10).spanning(4), "`version` is a number").hint("put it in quotes");
        let text = plain(&render_diagnostic(&diags.sorted()[0], Some("version: 2.10")));
        assert_eq!(
            text,
            "content/a.md:4:10: error: `version` is a number\n  |\n4 | version: 2.10\n  |          ^^^^\n  hint: put it in quotes\n"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(char_span("é: x", 4, 1), 4..5);
        assert_eq!(char_span("ab", 9, 3), 2..2, "a column past the end marks the end");
        assert_eq!(char_span("abcdef", 2, 99), 1..6);
    }

    #[test]
    fn warnings_of_one_kind_differ_only_in_quoted_words_and_numbers() {
        assert_eq!(
            warning_kind("the glossary word `consent` is not used"),
            warning_kind("the glossary word `privacy` is not used")
        );
        assert_eq!(warning_kind("the review date 2026-05-31 has passed"), "the review date … has passed");
        assert_eq!(warning_kind("reads at SMOG grade 14.2; aim for 12."), "reads at SMOG grade …; aim for ….");
        assert_eq!(warning_kind("a `quote never closed"), "a `quote never closed", "kept as it is");
        assert_ne!(warning_kind("`a` is a hard word"), warning_kind("`a` is not used"));
    }

    #[test]
    fn a_problem_no_file_holds_has_no_location() {
        let mut diags = Diagnostics::new();
        diags.warning(Location::nowhere(), "there is no `base-url`");
        assert_eq!(plain(&render_diagnostic(&diags.sorted()[0], None)), "warning: there is no `base-url`\n");
    }
}
