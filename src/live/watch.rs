//! Watching a project for edits: which changed paths matter (a pure, tested classification), a
//! `notify` watcher that feeds changed paths into a channel, and the loop that waits for a burst
//! of changes to settle and rebuilds once per burst.
//!
//! Knows nothing of HTTP (that is `serve`) and never decides what a build does: the loop calls
//! the closure it is given.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::diag::IoFailure;
use crate::load::config::CONFIG_FILE;

/// What kind of file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A policy, picture or other file under `content/`.
    Content,
    /// A file of the project's theme folder.
    Theme,
    /// `policypress.yaml`.
    Config,
}

/// The paths a project's watcher cares about.
#[derive(Debug, Clone)]
pub struct WatchPaths {
    /// The project folder.
    pub root: PathBuf,
    /// Where builds are written (ignored, so a build never triggers itself).
    pub out: PathBuf,
}

impl WatchPaths {
    fn content(&self) -> PathBuf {
        self.root.join("content")
    }

    fn themes(&self) -> PathBuf {
        self.root.join("themes")
    }
}

/// True for files editors write while saving (swap, backup and lock files): never a reason to
/// rebuild.
pub fn is_editor_temp_file(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else { return false };
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".kate-swp", "___jb_tmp___", "___jb_old___", ".crdownload"]
            .iter()
            .any(|s| lower.ends_with(s))
}

/// Decides whether a changed path calls for a rebuild, and of what kind. Pure.
pub fn classify(path: &Path, paths: &WatchPaths) -> Option<ChangeKind> {
    if path.starts_with(&paths.out) || is_editor_temp_file(path) {
        return None;
    }
    let rel = path.strip_prefix(&paths.root).ok()?;
    if rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.')) {
        return None;
    }
    if rel == Path::new(CONFIG_FILE) {
        Some(ChangeKind::Config)
    } else if path.starts_with(paths.content()) {
        Some(ChangeKind::Content)
    } else if path.starts_with(paths.themes()) {
        Some(ChangeKind::Theme)
    } else {
        None
    }
}

/// The distinct kinds of change in a burst of changed paths, in a fixed order.
pub fn relevant_changes(changed: &[PathBuf], paths: &WatchPaths) -> Vec<ChangeKind> {
    let mut kinds: Vec<ChangeKind> = changed.iter().filter_map(|p| classify(p, paths)).collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// How long a burst of changes must be quiet before the rebuild starts: editors often write a
/// file in several steps (temp file, rename, attributes).
pub const SETTLE: Duration = Duration::from_millis(40);

/// Runs `rebuild` once per burst of relevant changes received on `events`, until the channel
/// closes. A burst ends when no change arrives for [`SETTLE`]. Irrelevant bursts (output
/// files, editor temp files) are skipped.
pub fn run_loop(events: Receiver<Vec<PathBuf>>, paths: &WatchPaths, mut rebuild: impl FnMut(&[ChangeKind])) {
    while let Ok(mut changed) = events.recv() {
        let mut open = true;
        while open {
            match events.recv_timeout(SETTLE) {
                Ok(more) => changed.extend(more),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => open = false,
            }
        }
        let kinds = relevant_changes(&changed, paths);
        if !kinds.is_empty() {
            rebuild(&kinds);
        }
        if !open {
            return;
        }
    }
}

/// Starts watching the project's content, themes and settings; changed paths arrive on the
/// returned channel. Keep the returned watcher alive while watching.
pub fn start_watcher(paths: &WatchPaths) -> Result<(RecommendedWatcher, Receiver<Vec<PathBuf>>), IoFailure> {
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
        // Reading a file is an event too (the build reads every policy): only changes count,
        // or each build would start the next.
        if let Ok(event) = result
            && !matches!(event.kind, EventKind::Access(_))
        {
            let _ = tx.send(event.paths);
        }
    })
    .map_err(|e| IoFailure::new(&paths.root, "cannot watch", e))?;
    let content = paths.content();
    watcher.watch(&content, RecursiveMode::Recursive).map_err(|e| IoFailure::new(&content, "cannot watch", e))?;
    let themes = paths.themes();
    if themes.is_dir() {
        watcher.watch(&themes, RecursiveMode::Recursive).map_err(|e| IoFailure::new(&themes, "cannot watch", e))?;
    }
    // The root itself, not recursively: catches policypress.yaml being written or created.
    watcher
        .watch(&paths.root, RecursiveMode::NonRecursive)
        .map_err(|e| IoFailure::new(&paths.root, "cannot watch", e))?;
    Ok((watcher, rx))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> WatchPaths {
        WatchPaths { root: PathBuf::from("/p"), out: PathBuf::from("/p/output") }
    }

    #[test]
    fn classify_sorts_content_theme_and_settings() {
        let p = paths();
        assert_eq!(classify(Path::new("/p/content/a.md"), &p), Some(ChangeKind::Content));
        assert_eq!(classify(Path::new("/p/content/images/x.png"), &p), Some(ChangeKind::Content));
        assert_eq!(classify(Path::new("/p/themes/default/static/style.css"), &p), Some(ChangeKind::Theme));
        assert_eq!(classify(Path::new("/p/policypress.yaml"), &p), Some(ChangeKind::Config));
    }

    #[test]
    fn classify_ignores_output_editor_files_and_other_paths() {
        let p = paths();
        for ignored in [
            "/p/output/staff/a.html",
            "/p/content/.a.md.swp",
            "/p/content/a.md~",
            "/p/content/#a.md#",
            "/p/content/4913",
            "/p/content/a.md___jb_tmp___",
            "/p/content/.git/index",
            "/p/target/debug/x",
            "/p/README.md",
            "/elsewhere/content/a.md",
        ] {
            assert_eq!(classify(Path::new(ignored), &p), None, "{ignored}");
        }
    }

    #[test]
    fn a_custom_output_folder_inside_content_is_still_ignored() {
        let p = WatchPaths { root: PathBuf::from("/p"), out: PathBuf::from("/p/content/site") };
        assert_eq!(classify(Path::new("/p/content/site/index.html"), &p), None);
    }

    #[test]
    fn run_loop_rebuilds_once_per_burst_and_skips_irrelevant_bursts() {
        let (tx, rx) = channel();
        tx.send(vec![PathBuf::from("/p/content/a.md"), PathBuf::from("/p/content/b.md")]).unwrap();
        tx.send(vec![PathBuf::from("/p/policypress.yaml")]).unwrap();
        drop(tx);
        let mut calls = Vec::new();
        run_loop(rx, &paths(), |kinds| calls.push(kinds.to_vec()));
        // Both bursts were waiting, so one rebuild covers them.
        assert_eq!(calls, vec![vec![ChangeKind::Content, ChangeKind::Config]]);

        let (tx, rx) = channel();
        tx.send(vec![PathBuf::from("/p/output/index.html")]).unwrap();
        drop(tx);
        let mut count = 0;
        run_loop(rx, &paths(), |_| count += 1);
        assert_eq!(count, 0, "writing the output never triggers a rebuild");
    }
}
