//! Diagnostics for authors: located messages with hints, collected across a whole build.
//!
//! Every stage reports content problems here instead of failing early, so one build lists
//! every problem at once. This module only formats; it never decides what is an error. A
//! failure of the disk (not the author's content) is an [`IoFailure`].

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a finding is. Errors stop the build from writing anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// The build writes nothing while any error remains.
    Error,
    /// Reported, but the build still writes its output.
    Warning,
}

impl Severity {
    /// The word printed before the message.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A place in a source file: the path as shown to the author (relative to the project root),
/// a 1-based line and column, and how many characters from there the problem covers (what the
/// terminal underlines). Two locations are equal, and sort, by file, line and column alone: the
/// same place whatever span the code that reported it knew.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Location {
    /// Path relative to the project root, with `/` separators; empty for a problem of the
    /// project that no file holds (such as a settings file that does not exist).
    pub file: String,
    /// 1-based line (0 with an empty `file`).
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
    /// Characters the problem covers from `col`: 1 (a caret) unless the code knows the span, 0
    /// for the file as a whole (no source line is shown).
    pub len: usize,
}

impl Location {
    /// A location at the given line and column of `file`, one character long.
    pub fn new(file: &str, line: usize, col: usize) -> Self {
        Location { file: file.to_string(), line, col, len: 1 }
    }

    /// The start of `file`, for problems with the file as a whole.
    pub fn file_start(file: &str) -> Self {
        Location { len: 0, ..Location::new(file, 1, 1) }
    }

    /// No place in any file: for a problem of the project as a whole, or of a file that does not
    /// exist (pointing at a line of it would send an editor to nothing).
    pub fn nowhere() -> Self {
        Location { file: String::new(), line: 0, col: 0, len: 0 }
    }

    /// The same place, covering `len` characters (at least one).
    pub fn spanning(mut self, len: usize) -> Self {
        self.len = len.max(1);
        self
    }

    /// True when the location names a line of a file.
    pub fn has_line(&self) -> bool {
        !self.file.is_empty() && self.line > 0
    }
}

impl Location {
    fn place(&self) -> (&str, usize, usize) {
        (&self.file, self.line, self.col)
    }
}

impl PartialEq for Location {
    fn eq(&self, other: &Self) -> bool {
        self.place() == other.place()
    }
}

impl Eq for Location {}

impl PartialOrd for Location {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Location {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.place().cmp(&other.place())
    }
}

impl std::hash::Hash for Location {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.place().hash(state);
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.is_empty() {
            return Ok(());
        }
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// One finding: where, how serious, what is wrong, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Where the problem is.
    pub location: Location,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one sentence, lower-case, with names in backticks.
    pub message: String,
    /// What to do about it, when we can tell.
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.location.file.is_empty() {
            write!(f, "{}: ", self.location)?;
        }
        write!(f, "{}: {}", self.severity.label(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// A push-only collection of findings.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error.
    pub fn error(&mut self, location: Location, message: impl Into<String>) -> &mut Diagnostic {
        self.push(location, Severity::Error, message.into())
    }

    /// Records a warning.
    pub fn warning(&mut self, location: Location, message: impl Into<String>) -> &mut Diagnostic {
        self.push(location, Severity::Warning, message.into())
    }

    fn push(&mut self, location: Location, severity: Severity, message: String) -> &mut Diagnostic {
        self.items.push(Diagnostic { location, severity, message, hint: None });
        self.items.last_mut().expect("just pushed")
    }

    /// Moves every finding of `other` into this collection.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Records a finding made elsewhere (one replayed from the build cache).
    pub fn add(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Removes the findings `pick` chooses, and gives them back in the order reported.
    pub fn take_where(&mut self, pick: impl Fn(&Diagnostic) -> bool) -> Vec<Diagnostic> {
        let (taken, kept) = std::mem::take(&mut self.items).into_iter().partition(|d| pick(d));
        self.items = kept;
        taken
    }

    /// Every finding, in the order reported.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// True when at least one finding is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The findings sorted by file, line and column, without repeats, as printed to authors.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut items = self.items.clone();
        items.sort_by(|a, b| (&a.location, a.severity, &a.message).cmp(&(&b.location, b.severity, &b.message)));
        // The same message at the same place is one problem, whatever its hint.
        items.dedup_by(|b, a| (&a.location, a.severity, &a.message) == (&b.location, b.severity, &b.message));
        items
    }

    /// As [`Diagnostics::sorted`], errors first: the order they are shown in, so a long list of
    /// warnings never hides what stops the build.
    pub fn errors_first(&self) -> Vec<Diagnostic> {
        let mut items = self.sorted();
        items.sort_by_key(|d| d.severity != Severity::Error);
        items
    }
}

impl Diagnostic {
    /// Adds the "what to do" line.
    pub fn hint(&mut self, hint: impl Into<String>) -> &mut Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Converts a byte offset in `text` into a 1-based line and column (columns count characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Where each line of a text starts, so the line and column of many offsets are found without
/// scanning the text again for each (a policy of millions of lines has as many blocks).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// Like [`line_col`], for the text this index was made from.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        (line, text[start..offset].chars().count() + 1)
    }
}

/// A word as messages show it, in backticks: whole when short, otherwise its start and its
/// length, so one word of fifty thousand letters never fills the terminal.
pub fn shown_word(word: &str) -> String {
    const SHOWN: usize = 40;
    let count = word.chars().count();
    if count <= SHOWN {
        return format!("`{word}`");
    }
    let start: String = word.chars().take(30).collect();
    format!("`{start}…` ({count} characters)")
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The known name closest to `wrong`, when one is close enough to be a likely typo.
pub fn did_you_mean<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    nearest(wrong, known, 1).into_iter().next()
}

/// Up to `limit` known names close to `wrong`, best first (ties in alphabetical order).
pub fn nearest<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>, limit: usize) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(wrong, k), k))
        .filter(|(score, k)| *score >= 0.8 || k.contains(wrong) || (wrong.contains(*k) && k.len() > 2))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(limit).map(|(_, k)| k).collect()
}

/// Up to `limit` known names, the most like `wrong` first, however unlike they are (for listing
/// what there is when nothing is a likely typo).
pub fn closest<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>, limit: usize) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = known.into_iter().map(|k| (strsim::jaro_winkler(wrong, k), k)).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(limit).map(|(_, k)| k).collect()
}

/// A sentence shortened for a hint: whole when short, else its first ten words and "...".
pub fn excerpt(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= 12 { words.join(" ") } else { format!("{} ...", words[..10].join(" ")) }
}

/// Formats a path for messages: relative to `root` when inside it, with `/` separators.
pub fn display_path(root: &Path, path: &Path) -> String {
    let shown = path.strip_prefix(root).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

/// A problem that is not the author's content: a file that cannot be read, a missing folder.
/// The command line exits with status 2 for these.
#[derive(Debug)]
pub struct IoFailure {
    /// The path involved.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl IoFailure {
    /// A failure at `path` caused by `error`.
    pub fn new(path: &Path, what: &str, error: impl fmt::Display) -> Self {
        IoFailure { path: path.to_path_buf(), message: format!("{what} `{}`: {error}", path.display()) }
    }
}

impl fmt::Display for IoFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let text = "ab\ncé:x\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        // 'é' is two bytes but one column
        assert_eq!(line_col(text, 6), (2, 3));
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(index.line_col(text, offset), line_col(text, offset), "offset {offset}");
        }
    }

    #[test]
    fn did_you_mean_finds_close_names_only() {
        let known = ["staff", "patient", "easy-read", "poster"];
        assert_eq!(did_you_mean("patients", known), Some("patient"));
        assert_eq!(did_you_mean("easyread", known), Some("easy-read"));
        assert_eq!(did_you_mean("xyz", known), None);
    }

    #[test]
    fn diagnostic_prints_location_severity_message_and_hint() {
        let mut diags = Diagnostics::new();
        diags.error(Location::new("content/a.md", 3, 5), "unknown audience `patients`").hint("did you mean `patient`?");
        let text = diags.sorted()[0].to_string();
        assert_eq!(text, "content/a.md:3:5: error: unknown audience `patients`\n  hint: did you mean `patient`?");
    }
}
