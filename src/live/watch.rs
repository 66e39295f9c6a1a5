//! Watching a project for edits: which changed paths matter (a pure, tested classification), a
//! `notify` watcher that feeds changed paths into a channel and watches `content/` again when it
//! is deleted and made again, and the loop that waits for a burst of changes to settle, rebuilds
//! once per burst, and holds back errors while files are still being written.
//!
//! Knows nothing of HTTP (that is `serve`) and never decides what a build does: the loop calls
//! the [`Rebuilder`] it is given.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// The paths a project's watcher cares about, absolute and with links resolved, as the paths
/// of file-change events are.
#[derive(Debug, Clone)]
pub struct WatchPaths {
    /// The project folder.
    pub root: PathBuf,
    /// Where builds are written (ignored, so a build never triggers itself).
    pub out: PathBuf,
}

impl WatchPaths {
    /// The paths of a project at `root` (as the user gave it: `.` by default); `out` is the
    /// output folder's real path, or `None` when nothing is written (`serve`).
    pub fn new(root: &Path, out: Option<PathBuf>) -> Result<WatchPaths, IoFailure> {
        let root = root.canonicalize().map_err(|e| IoFailure::new(root, "cannot read", e))?;
        let out = out.unwrap_or_else(|| root.join("output"));
        Ok(WatchPaths { root, out })
    }

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

/// How long a build with errors waits for more changes before its errors are shown: an editor
/// that writes a file in place may still be writing it, and errors about a half-written file
/// would only flash up and vanish.
pub const RECHECK: Duration = Duration::from_millis(250);

/// At most this many rebuilds in a row are held back while files keep changing.
const MAX_RECHECKS: usize = 8;

/// Receives the rest of a burst that started with `changed`: more changes until none arrives for
/// [`SETTLE`]. False when the channel has closed.
fn settle(events: &Receiver<Vec<PathBuf>>, changed: &mut Vec<PathBuf>) -> bool {
    loop {
        match events.recv_timeout(SETTLE) {
            Ok(more) => changed.extend(more),
            Err(RecvTimeoutError::Timeout) => return true,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

/// What the loop does with each burst; [`run_loop`] calls these in order.
pub trait Rebuilder {
    /// What one build gives.
    type Outcome;
    /// Called with every burst before anything else (the watcher re-watches folders that were
    /// deleted and made again).
    fn changed(&mut self, _paths: &[PathBuf]) {}
    /// Builds, printing nothing yet.
    fn build(&mut self, kinds: &[ChangeKind]) -> Self::Outcome;
    /// True when the outcome has errors (then more changes are waited for before it is shown).
    fn failed(&self, outcome: &Self::Outcome) -> bool;
    /// Shows, serves or writes the outcome.
    fn publish(&mut self, outcome: Self::Outcome);
}

/// Rebuilds once per burst of relevant changes received on `events`, until the channel closes.
/// A burst ends when no change arrives for [`SETTLE`]; irrelevant bursts (output files, editor
/// temp files) are skipped. A build with errors is shown only when no further change arrives
/// within [`RECHECK`]; otherwise the files are read again and built again first.
pub fn run_loop(events: Receiver<Vec<PathBuf>>, paths: &WatchPaths, rebuilder: &mut impl Rebuilder) {
    while let Ok(mut changed) = events.recv() {
        let mut open = settle(&events, &mut changed);
        rebuilder.changed(&changed);
        let mut kinds = relevant_changes(&changed, paths);
        if kinds.is_empty() {
            if !open {
                return;
            }
            continue;
        }
        let mut rechecks = 0;
        let outcome = loop {
            let outcome = rebuilder.build(&kinds);
            if !open || rechecks == MAX_RECHECKS || !rebuilder.failed(&outcome) {
                break outcome;
            }
            let Ok(mut more) = events.recv_timeout(RECHECK) else { break outcome };
            open = settle(&events, &mut more);
            rebuilder.changed(&more);
            let again = relevant_changes(&more, paths);
            if again.is_empty() {
                break outcome;
            }
            kinds.extend(again);
            kinds.sort();
            kinds.dedup();
            rechecks += 1;
        };
        rebuilder.publish(outcome);
        if !open {
            return;
        }
    }
}

/// A started watcher, the channel of changed paths, and the count of changes that call for a
/// rebuild.
pub type Started = (ProjectWatcher, Receiver<Vec<PathBuf>>, Arc<AtomicU64>);

/// The notify watcher over a project's content, themes and settings. Folders that are deleted
/// and made again (a `git checkout`, a sync tool) are watched again: call
/// [`ProjectWatcher::refresh`] with every burst of changed paths.
pub struct ProjectWatcher {
    watcher: RecommendedWatcher,
    paths: WatchPaths,
    /// The folders watched recursively now.
    watched: Vec<PathBuf>,
}

impl ProjectWatcher {
    /// Starts watching; changed paths arrive on the returned channel, and the counter moves on
    /// with every change that calls for a rebuild (so a running build can tell it is out of
    /// date before the loop sees the change).
    pub fn start(paths: &WatchPaths) -> Result<Started, IoFailure> {
        let (tx, rx) = channel();
        let changes = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&changes);
        let classified = paths.clone();
        let watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
            // Reading a file is an event too (the build reads every policy): only changes count,
            // or each build would start the next.
            if let Ok(event) = result
                && !matches!(event.kind, EventKind::Access(_))
            {
                if event.paths.iter().any(|p| classify(p, &classified).is_some()) {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
                let _ = tx.send(event.paths);
            }
        })
        .map_err(|e| IoFailure::new(&paths.root, "cannot watch", e))?;
        let mut project = ProjectWatcher { watcher, paths: paths.clone(), watched: Vec::new() };
        // The root itself, not recursively: catches policypress.yaml being written or created,
        // and `content/` or `themes/` being deleted or made again.
        project
            .watcher
            .watch(&paths.root, RecursiveMode::NonRecursive)
            .map_err(|e| IoFailure::new(&paths.root, "cannot watch", e))?;
        let content = paths.content();
        project
            .watcher
            .watch(&content, RecursiveMode::Recursive)
            .map_err(|e| IoFailure::new(&content, "cannot watch", e))?;
        project.watched.push(content);
        project.refresh(&[]);
        Ok((project, rx, changes))
    }

    /// Watches `content/` and `themes/` again when a burst touched the folder itself (deleted,
    /// made or moved), and starts watching one that has appeared.
    pub fn refresh(&mut self, changed: &[PathBuf]) {
        for folder in [self.paths.content(), self.paths.themes()] {
            let touched = changed.contains(&folder);
            let watched = self.watched.contains(&folder);
            if watched && !touched {
                continue;
            }
            if watched {
                let _ = self.watcher.unwatch(&folder);
                self.watched.retain(|f| *f != folder);
            }
            if folder.is_dir() && self.watcher.watch(&folder, RecursiveMode::Recursive).is_ok() {
                self.watched.push(folder);
            }
        }
    }
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

    /// Records what the loop asks for; `build` returns the next of `outcomes` (true: failed).
    struct Recorder {
        outcomes: Vec<bool>,
        builds: usize,
        published: Vec<bool>,
        /// Sent into the loop's channel during the first build, as an editor still writing.
        during_first_build: Option<std::sync::mpsc::Sender<Vec<PathBuf>>>,
    }

    impl Rebuilder for Recorder {
        type Outcome = bool;
        fn build(&mut self, _: &[ChangeKind]) -> bool {
            self.builds += 1;
            if let Some(tx) = self.during_first_build.take() {
                tx.send(vec![PathBuf::from("/p/content/a.md")]).unwrap();
            }
            self.outcomes.get(self.builds - 1).copied().unwrap_or(false)
        }
        fn failed(&self, failed: &bool) -> bool {
            *failed
        }
        fn publish(&mut self, failed: bool) {
            self.published.push(failed);
        }
    }

    fn recorder(outcomes: &[bool]) -> Recorder {
        Recorder { outcomes: outcomes.to_vec(), builds: 0, published: Vec::new(), during_first_build: None }
    }

    #[test]
    fn run_loop_rebuilds_once_per_burst_and_skips_irrelevant_bursts() {
        let (tx, rx) = channel();
        tx.send(vec![PathBuf::from("/p/content/a.md"), PathBuf::from("/p/content/b.md")]).unwrap();
        tx.send(vec![PathBuf::from("/p/policypress.yaml")]).unwrap();
        drop(tx);
        let mut r = recorder(&[]);
        run_loop(rx, &paths(), &mut r);
        // Both bursts were waiting, so one rebuild covers them.
        assert_eq!((r.builds, r.published), (1, vec![false]));

        let (tx, rx) = channel();
        tx.send(vec![PathBuf::from("/p/output/index.html")]).unwrap();
        drop(tx);
        let mut r = recorder(&[]);
        run_loop(rx, &paths(), &mut r);
        assert_eq!(r.builds, 0, "writing the output never triggers a rebuild");
    }

    #[test]
    fn errors_of_a_half_written_save_are_never_shown_when_the_file_changes_again() {
        let (tx, rx) = channel();
        tx.send(vec![PathBuf::from("/p/content/a.md")]).unwrap();
        // The first build reads a half-written file and fails; the editor's last write arrives
        // while it runs. The file is read and built again, and only the good build is shown.
        let mut r = recorder(&[true, false]);
        r.during_first_build = Some(tx.clone());
        let closer = std::thread::spawn(move || {
            std::thread::sleep(RECHECK * 3);
            drop(tx);
        });
        run_loop(rx, &paths(), &mut r);
        closer.join().unwrap();
        assert_eq!((r.builds, r.published), (2, vec![false]));
    }

    #[test]
    fn errors_are_shown_when_nothing_changes_after_the_build() {
        let (tx, rx) = channel();
        tx.send(vec![PathBuf::from("/p/content/a.md")]).unwrap();
        let mut r = recorder(&[true]);
        let closer = std::thread::spawn(move || {
            std::thread::sleep(RECHECK * 3);
            drop(tx);
        });
        run_loop(rx, &paths(), &mut r);
        closer.join().unwrap();
        assert_eq!((r.builds, r.published), (1, vec![true]));
    }
}
