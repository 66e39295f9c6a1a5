//! Live preview: `serve` (the last good build from memory, reloading open pages) and `watch`
//! (rebuilding `output/` on every change), each a loop over file-change events.
//!
//! Runs builds and hands their files on; builds nothing itself and knows no audience.

pub mod serve;
pub mod watch;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use crate::build::{BuildOptions, BuildResult, load_and_run};
use crate::diag::IoFailure;
use crate::terminal::{print_diagnostics, rebuild_status};
use crate::write::{check_output_folder, write_output};
use serve::ServeState;
use watch::{WatchPaths, run_loop, start_watcher};

/// Loads and builds in memory, printing the diagnostics.
fn build_and_print(root: &Path, options: &BuildOptions) -> Result<BuildResult, IoFailure> {
    let result = load_and_run(root, options)?;
    print_diagnostics(&result);
    Ok(result)
}

fn stop_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        eprintln!("\nstopped");
        std::process::exit(0);
    });
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
    let state = Arc::new(ServeState::default());
    let started = Instant::now();
    let first = Ok(build_and_print(root, &options)?);
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
    run_loop(events, &paths, |_| {
        let started = Instant::now();
        let result = build_and_print(root, &options);
        publish(&state, &result);
        rebuild_status(started, &result, "rebuilt");
    });
    Ok(ExitCode::SUCCESS)
}

/// `policypress watch`: rebuilds into `out` on every change until Ctrl-C.
pub fn watch(root: &Path, out: &Path, options: BuildOptions) -> Result<ExitCode, IoFailure> {
    check_output_folder(root, out)?;
    let build_and_write = |what: &str| {
        let started = Instant::now();
        let result = build_and_print(root, &options);
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
