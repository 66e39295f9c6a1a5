//! Live preview: `serve` (the last good build from memory, reloading open pages) and `watch`
//! (rebuilding `output/` on every change), each a loop over file-change events.
//!
//! Runs builds and hands their files on; builds nothing itself and knows no audience.

pub mod serve;
pub mod watch;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::audience::units::{Reuse, Schedule};
use crate::audience::{Output, Progress};
use crate::build::{BuildOptions, BuildResult, load_and_run_into};
use crate::cache::{DiskCache, Key, NoStore, StoredUnit, UnitStore};
use crate::diag::{Diagnostic, IoFailure};
use crate::model::Artifact;
use crate::model::artifact::ArtifactSink;
use crate::terminal::{print_diagnostics, rebuild_status};
use crate::write::{Staging, check_output_folder};
use serve::{FileMap, ServeState, Served};
use watch::{ChangeKind, ProjectWatcher, Rebuilder, WatchPaths, run_loop};

fn stop_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        eprintln!("\nstopped");
        std::process::exit(0);
    });
}

/// One rebuild, kept with when it started so its status line can say how long it took.
struct Rebuilt {
    started: Instant,
    result: Result<BuildResult, IoFailure>,
}

fn failed(rebuilt: &Rebuilt) -> bool {
    rebuilt.result.as_ref().map_or(true, |r| r.diagnostics.has_errors())
}

/// The rebuild loop of `serve` and `watch`: `build` makes (and, for `serve`, already shows)
/// a build, then `publish` shows or writes what it gave.
struct LiveBuilds<'r, B: FnMut() -> Rebuilt, P: FnMut(Rebuilt)> {
    watcher: ProjectWatcher,
    /// What the session keeps between builds: the files the watcher names are read again.
    reuse: &'r Reuse,
    build: B,
    publish: P,
}

impl<B: FnMut() -> Rebuilt, P: FnMut(Rebuilt)> Rebuilder for LiveBuilds<'_, B, P> {
    type Outcome = Rebuilt;

    fn changed(&mut self, paths: &[PathBuf]) {
        self.watcher.refresh(paths);
        self.reuse.read.forget(paths);
    }

    fn build(&mut self, _kinds: &[ChangeKind]) -> Rebuilt {
        (self.build)()
    }

    fn failed(&self, outcome: &Rebuilt) -> bool {
        failed(outcome)
    }

    fn publish(&mut self, outcome: Rebuilt) {
        if let Ok(r) = &outcome.result {
            print_diagnostics(r);
        }
        (self.publish)(outcome);
    }
}

/// The build cache as a live session sees it: what it gave or took in the last two builds is
/// kept in memory (where each unit's files are, and its findings), so a save does not read
/// every unit's entry from disk again. The files stay in the cache folder, which keeps every
/// unit the session used ([`UnitStore::used`]).
struct SessionStore<'a> {
    inner: &'a dyn UnitStore,
    kept: Mutex<HashMap<Key, (StoredUnit, u64)>>,
    build: AtomicU64,
}

impl<'a> SessionStore<'a> {
    fn new(inner: &'a dyn UnitStore) -> Self {
        SessionStore { inner, kept: Mutex::new(HashMap::new()), build: AtomicU64::new(0) }
    }

    /// A new build starts: units neither it nor the last one used are forgotten.
    fn next_build(&self) {
        let build = self.build.fetch_add(1, Ordering::SeqCst) + 1;
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, (_, used)| *used + 2 > build);
    }

    fn keep(&self, key: Key, unit: &StoredUnit) {
        let build = self.build.load(Ordering::SeqCst);
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).insert(key, (unit.clone(), build));
    }
}

impl UnitStore for SessionStore<'_> {
    fn get(&self, key: Key) -> Option<StoredUnit> {
        let build = self.build.load(Ordering::SeqCst);
        let found = self.kept.lock().unwrap_or_else(|e| e.into_inner()).get_mut(&key).map(|(unit, used)| {
            *used = build;
            unit.clone()
        });
        if let Some(unit) = found {
            self.inner.used(key);
            return Some(unit);
        }
        let unit = self.inner.get(key)?;
        self.keep(key, &unit);
        Some(unit)
    }

    fn put(&self, key: Key, files: &[Artifact], diagnostics: &[Diagnostic]) -> Option<StoredUnit> {
        let unit = self.inner.put(key, files, diagnostics)?;
        self.keep(key, &unit);
        Some(unit)
    }

    fn put_reusing(
        &self,
        key: Key,
        files: &[Artifact],
        diagnostics: &[Diagnostic],
        reuse: &dyn Fn(&str, &[u8]) -> Option<PathBuf>,
    ) -> Option<StoredUnit> {
        let unit = self.inner.put_reusing(key, files, diagnostics, reuse)?;
        self.keep(key, &unit);
        Some(unit)
    }

    fn program(&self) -> Option<Key> {
        self.inner.program()
    }

    fn used(&self, key: Key) {
        self.inner.used(key);
    }

    fn memo(&self, key: Key) -> Option<Vec<u8>> {
        self.inner.memo(key)
    }

    fn put_memo(&self, key: Key, bytes: &[u8]) {
        self.inner.put_memo(key, bytes);
    }
}

/// The build cache of a live session (held, and so locked, while it runs), or none.
fn session_cache(root: &Path, use_cache: bool) -> Option<DiskCache> {
    match DiskCache::open_if(root, use_cache, true) {
        Ok(cache) => cache,
        Err(why) => {
            eprintln!("note: building without the cache: {why}");
            None
        }
    }
}

/// Where a live build's files go: its policies' web pages into a map that is published whole
/// when they are all made, then the pages about the whole library (indexes, landing pages), the
/// assets, the PDFs and the search index straight into the published build, each as soon as it
/// is made. A request for one of those waits until it is made (never the last build's copy is
/// served: it may list what is no longer so); the library pages come within milliseconds.
struct ServeSink {
    state: Arc<ServeState>,
    pages: Mutex<BTreeMap<String, Served>>,
    late: FileMap,
    pages_done: AtomicBool,
}

impl ServeSink {
    fn new(state: Arc<ServeState>) -> ServeSink {
        ServeSink {
            state,
            pages: Mutex::new(BTreeMap::new()),
            late: FileMap::default(),
            pages_done: AtomicBool::new(false),
        }
    }

    fn insert(&self, path: &str, file: Served) -> Result<(), IoFailure> {
        let done = self.pages_done.load(Ordering::SeqCst);
        let previous = if done {
            self.late.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string(), file)
        } else {
            self.pages.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string(), file)
        };
        if previous.is_some() {
            return Err(IoFailure {
                path: PathBuf::from(path),
                message: format!("the build made two files at `{path}`"),
            });
        }
        if done {
            self.state.late_file_ready(false);
        }
        Ok(())
    }

    /// Every policy's web pages are made: they are served from now on, and the later files as
    /// they come.
    fn publish_pages(&self) {
        let pages = std::mem::take(&mut *self.pages.lock().unwrap_or_else(|e| e.into_inner()));
        self.pages_done.store(true, Ordering::SeqCst);
        self.state.publish_pages(pages, Arc::clone(&self.late), true);
    }
}

impl ArtifactSink for ServeSink {
    fn put(&self, artifact: Artifact) -> Result<(), IoFailure> {
        self.insert(&artifact.path, Served::Bytes(Arc::new(artifact.bytes)))
    }

    fn put_stored(&self, path: &str, stored: &Path) -> Result<(), IoFailure> {
        self.insert(path, Served::Stored(stored.to_path_buf()))
    }

    fn put_copy(&self, path: &str, of: &str) -> Result<(), IoFailure> {
        let found = self.pages.lock().unwrap_or_else(|e| e.into_inner()).get(of).cloned();
        let found = found.or_else(|| self.late.lock().unwrap_or_else(|e| e.into_inner()).get(of).cloned());
        match found {
            Some(file) => self.insert(path, file),
            None => {
                Err(IoFailure { path: PathBuf::from(of), message: format!("the build made no file `{of}` to copy") })
            }
        }
    }
}

/// One build for `serve`: its web pages are served as soon as they are all made (when the
/// build has no errors), then its PDFs and search index, each as it is made, those a page
/// waits for first; it stops making them when the project changes again (`changes` moves on).
fn serve_build(
    root: &Path,
    options: &BuildOptions,
    store: &SessionStore<'_>,
    state: &Arc<ServeState>,
    changes: &AtomicU64,
    reuse: &Reuse,
) -> Rebuilt {
    let started = Instant::now();
    store.next_build();
    let seen = changes.load(Ordering::SeqCst);
    let sink = ServeSink::new(Arc::clone(state));
    let cancelled = || changes.load(Ordering::SeqCst) != seen;
    let wanted = || state.wanted().iter().flat_map(|path| policies_of(path)).collect();
    let schedule = Schedule { cancelled: &cancelled, wanted: &wanted };
    let progress = |p: Progress| {
        if p == (Progress::PagesDone { ok: true }) {
            sink.publish_pages();
        }
    };
    let output = Output { store, sink: &sink, progress: &progress, schedule: Some(&schedule), reuse: Some(reuse) };
    let result = load_and_run_into(root, options, &output);
    state.late_file_ready(true);
    Rebuilt { started, result }
}

/// The policies a file someone waits for may be of, as units name them (only which units go
/// first depends on it): its file name up to the first dot, and that without the ending of a
/// second PDF of a kind (`patient/phones-large-print.pdf`, `poster/phones-a4.pdf`).
fn policies_of(path: &str) -> Vec<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let mut out = vec![stem.to_string()];
    out.extend(["-large-print", "-booklet", "-a4"].iter().filter_map(|end| stem.strip_suffix(end)).map(str::to_string));
    out
}

/// `policypress serve`: serves on 127.0.0.1 at once, builds, and rebuilds on every change until
/// Ctrl-C. Returns `Err` with a message for the user when the port cannot be used.
pub fn serve(root: &Path, port: Option<u16>, options: BuildOptions, use_cache: bool) -> Result<ExitCode, IoFailure> {
    let listener = match serve::bind(port.unwrap_or(3000), port.is_some()) {
        Ok(listener) => listener,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(2));
        }
    };
    let address = listener.local_addr().map_err(|e| IoFailure::new(root, "cannot serve", e))?;
    // Watched as an absolute path with links resolved: change events name files that way, so
    // a project given as `.` (the default) is recognised in them.
    let paths = WatchPaths::new(root, None)?;
    let state = Arc::new(ServeState::default());
    // A save changes one file: the others are not parsed again.
    crate::parse::keep_parses_between_builds();
    let cache = session_cache(&paths.root, use_cache);
    let store = SessionStore::new(match &cache {
        Some(cache) => cache,
        None => &NoStore,
    });
    // Started before the first build, so a save during it stops its PDFs and is built next.
    let (watcher, events, changes) = ProjectWatcher::start(&paths)?;
    let server_state = Arc::clone(&state);
    std::thread::spawn(move || {
        if let Err(message) = serve::serve_forever(listener, server_state) {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    });
    stop_on_ctrl_c();
    eprintln!(
        "serving on http://{address}/ (previews for authors: http://{address}/preview/index.html); rebuilding on every change to {}; press Ctrl-C to stop",
        root.display()
    );
    let show = |rebuilt: Rebuilt, what: &str| {
        if let Ok(r) = &rebuilt.result
            && r.diagnostics.has_errors()
        {
            state.publish_errors(&r.diagnostics.sorted());
        }
        rebuild_status(rebuilt.started, &rebuilt.result, what);
    };
    let reuse = Reuse::default();
    let first = serve_build(&paths.root, &options, &store, &state, &changes, &reuse);
    // A save during the first build is built next by the loop: the first build's errors may be
    // those of a file still being written, so they are shown only when nothing changed.
    let changed_meanwhile = changes.load(Ordering::SeqCst) != 0;
    if !changed_meanwhile && first.result.is_err() {
        return first.result.map(|_| ExitCode::SUCCESS);
    }
    if !(changed_meanwhile && failed(&first)) {
        if let Ok(r) = &first.result {
            print_diagnostics(r);
        }
        show(first, "built");
    }
    let mut builds = LiveBuilds {
        watcher,
        reuse: &reuse,
        build: || serve_build(&paths.root, &options, &store, &state, &changes, &reuse),
        publish: |rebuilt: Rebuilt| show(rebuilt, "rebuilt"),
    };
    run_loop(events, &paths, &mut builds);
    Ok(ExitCode::SUCCESS)
}

/// One build for `watch`, written into `out` (swapped in only when it has no errors).
fn watch_build(
    root: &Path,
    out: &Path,
    options: &BuildOptions,
    cache: Option<&DiskCache>,
    session: (&SessionStore<'_>, &Reuse),
) -> Rebuilt {
    let started = Instant::now();
    let (store, reuse) = session;
    store.next_build();
    let result = (|| {
        let staging = Staging::open(root, out)?;
        let output = Output { store, sink: &staging, progress: &|_| {}, schedule: None, reuse: Some(reuse) };
        let result = load_and_run_into(root, options, &output)?;
        if !result.diagnostics.has_errors() {
            staging.commit()?;
            if let Some(cache) = cache {
                cache.finish();
            }
        }
        Ok(result)
    })();
    Rebuilt { started, result }
}

/// `policypress watch`: rebuilds into `out` on every change until Ctrl-C.
pub fn watch(root: &Path, out: &Path, options: BuildOptions, use_cache: bool) -> Result<ExitCode, IoFailure> {
    let real_out = check_output_folder(root, out)?;
    let paths = WatchPaths::new(root, Some(real_out))?;
    let cache = session_cache(&paths.root, use_cache);
    crate::parse::keep_parses_between_builds();
    let reuse = Reuse::default();
    let store = SessionStore::new(match &cache {
        Some(cache) => cache,
        None => &NoStore,
    });
    let first = watch_build(&paths.root, out, &options, cache.as_ref(), (&store, &reuse));
    if let Ok(r) = &first.result {
        print_diagnostics(r);
    }
    rebuild_status(first.started, &first.result, "built");
    let (watcher, events, _) = ProjectWatcher::start(&paths)?;
    stop_on_ctrl_c();
    eprintln!("watching {} for changes; writing to {}; press Ctrl-C to stop", root.display(), out.display());
    let mut builds = LiveBuilds {
        watcher,
        reuse: &reuse,
        build: || watch_build(&paths.root, out, &options, cache.as_ref(), (&store, &reuse)),
        publish: |rebuilt: Rebuilt| rebuild_status(rebuilt.started, &rebuilt.result, "rebuilt"),
    };
    run_loop(events, &paths, &mut builds);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_waited_for_is_known_by_the_policy_its_units_name() {
        assert_eq!(policies_of("staff/phones.pdf"), ["phones"]);
        assert_eq!(policies_of("patient/phones.cy.pdf"), ["phones"]);
        assert_eq!(policies_of("public/patient/phones-large-print.pdf"), ["phones-large-print", "phones"]);
        assert_eq!(policies_of("poster/phones-a4.pdf"), ["phones-a4", "phones"]);
    }
}
