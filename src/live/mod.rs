//! Live preview: `serve` (the last good build from memory, reloading open pages) and `watch`
//! (rebuilding `output/` on every change), each a loop over file-change events.
//!
//! Runs builds and hands their files on; builds nothing itself and knows no audience.

pub mod serve;
pub mod watch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use crate::build::{BuildOptions, BuildResult, load_and_run};
use crate::diag::IoFailure;
use crate::terminal::{print_diagnostics, rebuild_status};
use crate::write::{check_output_folder, write_output};
use serve::ServeState;
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

/// The rebuild loop of `serve` and `watch`: builds in memory, then `publish` serves or writes.
struct LiveBuilds<'a, P: FnMut(&Rebuilt)> {
    root: &'a Path,
    options: &'a BuildOptions,
    watcher: ProjectWatcher,
    publish: P,
}

impl<P: FnMut(&Rebuilt)> Rebuilder for LiveBuilds<'_, P> {
    type Outcome = Rebuilt;

    fn changed(&mut self, paths: &[PathBuf]) {
        self.watcher.refresh(paths);
    }

    fn build(&mut self, _kinds: &[ChangeKind]) -> Rebuilt {
        Rebuilt { started: Instant::now(), result: load_and_run(self.root, self.options) }
    }

    fn failed(&self, outcome: &Rebuilt) -> bool {
        failed(outcome)
    }

    fn publish(&mut self, outcome: Rebuilt) {
        if let Ok(r) = &outcome.result {
            print_diagnostics(r);
        }
        (self.publish)(&outcome);
    }
}

/// `policypress serve`: builds, serves on 127.0.0.1 and rebuilds on every change until Ctrl-C.
/// Returns `Err` with a message for the user when the port cannot be used.
pub fn serve(root: &Path, port: Option<u16>, options: BuildOptions) -> Result<ExitCode, IoFailure> {
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
    let publish = |state: &ServeState, rebuilt: &Rebuilt| {
        if let Ok(r) = &rebuilt.result {
            let files = (!r.diagnostics.has_errors()).then(|| r.artifacts.clone());
            state.publish(files, &r.diagnostics.sorted());
        }
    };
    let first = Rebuilt { started: Instant::now(), result: Ok(load_and_run(&paths.root, &options)?) };
    if let Ok(r) = &first.result {
        print_diagnostics(r);
    }
    rebuild_status(first.started, &first.result, "built");
    publish(&state, &first);
    let (watcher, events) = ProjectWatcher::start(&paths)?;
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
    let mut builds = LiveBuilds {
        root: &paths.root,
        options: &options,
        watcher,
        publish: |rebuilt: &Rebuilt| {
            publish(&state, rebuilt);
            rebuild_status(rebuilt.started, &rebuilt.result, "rebuilt");
        },
    };
    run_loop(events, &paths, &mut builds);
    Ok(ExitCode::SUCCESS)
}

/// `policypress watch`: rebuilds into `out` on every change until Ctrl-C.
pub fn watch(root: &Path, out: &Path, options: BuildOptions) -> Result<ExitCode, IoFailure> {
    let real_out = check_output_folder(root, out)?;
    let paths = WatchPaths::new(root, Some(real_out))?;
    let write = |rebuilt: &Rebuilt, what: &str| {
        let written = match &rebuilt.result {
            Ok(r) if !r.diagnostics.has_errors() => write_output(&paths.root, out, &r.artifacts),
            _ => Ok(()),
        };
        match written {
            Ok(()) => rebuild_status(rebuilt.started, &rebuilt.result, what),
            Err(failure) => eprintln!("error: {failure}"),
        }
    };
    let first = Rebuilt { started: Instant::now(), result: load_and_run(&paths.root, &options) };
    if let Ok(r) = &first.result {
        print_diagnostics(r);
    }
    write(&first, "built");
    let (watcher, events) = ProjectWatcher::start(&paths)?;
    stop_on_ctrl_c();
    eprintln!("watching {} for changes; writing to {}; press Ctrl-C to stop", root.display(), out.display());
    let mut builds = LiveBuilds {
        root: &paths.root,
        options: &options,
        watcher,
        publish: |rebuilt: &Rebuilt| write(rebuilt, "rebuilt"),
    };
    run_loop(events, &paths, &mut builds);
    Ok(ExitCode::SUCCESS)
}
