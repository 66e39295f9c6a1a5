//! `policypress serve`: serves the latest good build from memory on 127.0.0.1, and tells open
//! pages to reload (server-sent events) after each rebuild, or shows the build's errors over
//! them until the next good build.
//!
//! The reload hook is added to pages only as they are served; built files never contain it.
//! Answers only GET and HEAD, only requests addressed to its loopback name and port (no DNS
//! rebinding), and holds a bounded number of event streams open.
//! Holds no build logic: `live` rebuilds and calls [`ServeState::publish`].

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::diag::{Diagnostic, Severity};
use crate::model::Artifact;
use crate::render::html::escape;

/// What the server currently serves, shared between the build loop and request threads.
#[derive(Default)]
pub struct ServeState {
    inner: Mutex<Published>,
    changed: Condvar,
    /// Event streams open now.
    streams: AtomicUsize,
    /// Files someone is waiting for that the running build has not made yet.
    wanted: Mutex<Vec<String>>,
}

/// One served file: its bytes, or where the build cache keeps them (read when asked for, so
/// the preview of a large library does not hold every PDF in memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// In memory.
    Bytes(Arc<Vec<u8>>),
    /// In the build cache.
    Stored(PathBuf),
}

impl Served {
    fn bytes(&self) -> Option<Vec<u8>> {
        match self {
            Served::Bytes(bytes) => Some(bytes.to_vec()),
            Served::Stored(path) => std::fs::read(path).ok(),
        }
    }
}

/// The files of one build, by path: filled while it runs.
pub type FileMap = Arc<Mutex<BTreeMap<String, Served>>>;

#[derive(Default, Clone)]
struct Published {
    /// Web pages and assets of the last good build, by path under the output folder.
    files: Arc<BTreeMap<String, Served>>,
    /// Its PDFs and search index, filled as they are made after the pages.
    late: FileMap,
    /// True while that build is still making them.
    pending: bool,
    /// Errors of the latest build, when it failed (the files are then the previous good ones).
    errors: Vec<ErrorView>,
    /// Counts builds, so waiting pages know something new happened.
    generation: u64,
}

impl Published {
    fn get(&self, path: &str) -> Option<Served> {
        self.files.get(path).cloned().or_else(|| self.late.lock().unwrap_or_else(|e| e.into_inner()).get(path).cloned())
    }
}

/// One error as shown in the overlay.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorView {
    /// `file:line:col`.
    pub location: String,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: Option<String>,
}

impl ServeState {
    /// Publishes a build: its files when it succeeded, or its errors (keeping the last good
    /// files) when it failed. Wakes every waiting page.
    pub fn publish(&self, artifacts: Option<Vec<Artifact>>, diagnostics: &[Diagnostic]) {
        match artifacts {
            Some(artifacts) => {
                let files = artifacts.into_iter().map(|a| (a.path, Served::Bytes(Arc::new(a.bytes)))).collect();
                self.publish_pages(files, FileMap::default(), false);
            }
            None => self.publish_errors(diagnostics),
        }
    }

    /// Publishes a good build's web pages, with the map its later files (PDFs, search index)
    /// are put in as they are made (`pending` while they are). Wakes every waiting page.
    pub fn publish_pages(&self, files: BTreeMap<String, Served>, late: FileMap, pending: bool) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.files = Arc::new(files);
        state.late = late;
        state.pending = pending;
        state.errors.clear();
        state.generation += 1;
        self.changed.notify_all();
    }

    /// A later file of the published build is ready (or, with `finished`, all of them are).
    pub fn late_file_ready(&self, finished: bool) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if finished {
            state.pending = false;
        }
        self.changed.notify_all();
    }

    /// Publishes a failed build's errors; the last good files stay.
    pub fn publish_errors(&self, diagnostics: &[Diagnostic]) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| ErrorView { location: d.location.to_string(), message: d.message.clone(), hint: d.hint.clone() })
            .collect();
        state.generation += 1;
        self.changed.notify_all();
    }

    /// The files someone waits for now (the build makes them first).
    pub fn wanted(&self) -> Vec<String> {
        self.wanted.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn snapshot(&self) -> Published {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The file at `path`: at once when it is there; while the build is still making files (or
    /// before the first build is published), after waiting for it, at most `limit`.
    fn file(&self, path: &str, limit: Duration) -> (Published, Option<Served>) {
        let deadline = std::time::Instant::now() + limit;
        let mut registered = false;
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let found = guard.get(path);
            let waiting = found.is_none() && (guard.pending || guard.generation == 0);
            let now = std::time::Instant::now();
            if !waiting || now >= deadline {
                let published = guard.clone();
                drop(guard);
                if registered {
                    self.wanted.lock().unwrap_or_else(|e| e.into_inner()).retain(|w| w != path);
                }
                return (published, found);
            }
            if !registered {
                self.wanted.lock().unwrap_or_else(|e| e.into_inner()).push(path.to_string());
                registered = true;
            }
            guard = self.changed.wait_timeout(guard, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Waits until the generation differs from `seen`, or `timeout` passes.
    fn wait_change(&self, seen: u64, timeout: Duration) -> Published {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |s| s.generation == seen)
            .unwrap_or_else(|e| e.into_inner());
        guard.clone()
    }
}

/// Binds 127.0.0.1 on `port`. When `port_given` is false and the port is taken, tries the next
/// 20 ports and says which one it took; when the user asked for that port, reports it taken.
pub fn bind(port: u16, port_given: bool) -> Result<TcpListener, String> {
    let attempts = if port_given || port == 0 { 1 } else { 20 };
    for offset in 0..attempts {
        let candidate = port.saturating_add(offset);
        match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, candidate))) {
            Ok(listener) => {
                if offset > 0 {
                    eprintln!("port {port} is in use, so serving on port {candidate} instead");
                }
                return Ok(listener);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(format!("cannot listen on 127.0.0.1:{candidate}: {e}")),
        }
    }
    Err(if port_given {
        format!("port {port} is already in use; stop the other program or choose another port with `--port`")
    } else {
        format!("ports {port} to {} are all in use; choose a free port with `--port`", port.saturating_add(19))
    })
}

/// At most this many pages may wait for reload events at once (each holds a connection and a
/// thread; an author's preview page with its four frames holds five).
pub const MAX_EVENT_STREAMS: usize = 64;

/// Serves requests on `listener` until the process ends. Pages and files are answered in turn
/// on this thread (they come from memory); each event stream gets a thread of its own, at most
/// [`MAX_EVENT_STREAMS`] at once.
pub fn serve_forever(listener: TcpListener, state: Arc<ServeState>) -> Result<(), String> {
    let port = listener.local_addr().map_err(|e| format!("cannot start the server: {e}"))?.port();
    let server =
        tiny_http::Server::from_listener(listener, None).map_err(|e| format!("cannot start the server: {e}"))?;
    for request in server.incoming_requests() {
        if let Some(refusal) = refusal(&request, port) {
            respond(request, refusal);
            continue;
        }
        let url = request.url().split(['?', '#']).next().unwrap_or("/").to_string();
        if url == "/__policypress/events" {
            match StreamSlot::take(&state) {
                Some(slot) => {
                    std::thread::spawn(move || stream_events(request, slot));
                }
                None => respond(
                    request,
                    Answer::text(
                        503,
                        format!("More than {MAX_EVENT_STREAMS} pages are waiting for reloads; close some tabs."),
                    ),
                ),
            }
            continue;
        }
        respond(request, answer(&url, &state));
    }
    Ok(())
}

const LIVE_PREFIX: &str = "/__policypress/";

/// One response: status, content type, body and any extra header.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    extra: Option<(&'static str, &'static str)>,
}

impl Answer {
    fn ok(content_type: &'static str, body: Vec<u8>) -> Answer {
        Answer { status: 200, content_type, body, extra: None }
    }

    fn text(status: u16, text: String) -> Answer {
        Answer { status, content_type: "text/plain; charset=utf-8", body: text.into_bytes(), extra: None }
    }
}

/// Why a request is not answered, if it is not: only GET and HEAD (the preview changes nothing),
/// and only when addressed to this server by its loopback name and port, so a web page the
/// author visits cannot read drafts through a name of its own that resolves to 127.0.0.1 (DNS
/// rebinding).
fn refusal(request: &tiny_http::Request, port: u16) -> Option<Answer> {
    if !matches!(request.method(), tiny_http::Method::Get | tiny_http::Method::Head) {
        let mut answer = Answer::text(405, "The preview only answers GET and HEAD requests.".to_string());
        answer.extra = Some(("Allow", "GET, HEAD"));
        return Some(answer);
    }
    let host = request.headers().iter().find(|h| h.field.equiv("Host")).map(|h| h.value.as_str());
    host_refusal(host, port)
}

/// The answer for a `Host` header that is not this server's: 403 for another name (or none),
/// 421 for a loopback name with another port.
fn host_refusal(host: Option<&str>, port: u16) -> Option<Answer> {
    let Some(host) = host.map(|h| h.trim().to_ascii_lowercase()) else {
        return Some(Answer::text(403, "A request must say which host it is for (the Host header).".to_string()));
    };
    let (name, given_port) = match host.rsplit_once(':') {
        Some((name, p)) if !name.ends_with(']') || name.starts_with('[') => (name.to_string(), Some(p.to_string())),
        _ => (host.clone(), None),
    };
    if !matches!(name.as_str(), "127.0.0.1" | "localhost") {
        return Some(Answer::text(
            403,
            format!("This preview answers only at http://127.0.0.1:{port}/ and http://localhost:{port}/."),
        ));
    }
    let port_matches = match given_port {
        Some(p) => p == port.to_string(),
        None => port == 80,
    };
    (!port_matches).then(|| {
        Answer::text(
            421,
            format!("This preview answers only at http://127.0.0.1:{port}/ and http://localhost:{port}/."),
        )
    })
}

fn respond(request: tiny_http::Request, answer: Answer) {
    let header = tiny_http::Header::from_bytes("Content-Type", answer.content_type).expect("valid header");
    let no_cache = tiny_http::Header::from_bytes("Cache-Control", "no-store").expect("valid header");
    let mut response = tiny_http::Response::from_data(answer.body)
        .with_status_code(answer.status)
        .with_header(header)
        .with_header(no_cache);
    if let Some((field, value)) = answer.extra {
        response = response.with_header(tiny_http::Header::from_bytes(field, value).expect("valid header"));
    }
    let _ = request.respond(response);
}

/// How long a request waits for a file the running build has not made yet (a PDF of a large
/// library, made after its pages).
const WAIT_FOR_FILE: Duration = Duration::from_secs(120);

/// The answer to a GET of `url` (path only).
fn answer(url: &str, state: &ServeState) -> Answer {
    if url == "/__policypress/live.js" {
        Answer::ok("text/javascript; charset=utf-8", LIVE_SCRIPT.as_bytes().to_vec())
    } else if url == "/__policypress/status" {
        let published = state.snapshot();
        let body = serde_json::json!({
            "generation": published.generation,
            "errors": published.errors,
            "pending": published.pending,
        });
        Answer::ok("application/json", body.to_string().into_bytes())
    } else {
        let path = file_path(url);
        let (published, found) = match &path {
            Some(path) => state.file(path, WAIT_FOR_FILE),
            None => (state.snapshot(), None),
        };
        match page(url, path.as_deref(), found, &published) {
            Ok((content_type, body)) => Answer::ok(content_type, body),
            Err(body) => Answer { status: 404, content_type: "text/html; charset=utf-8", body, extra: None },
        }
    }
}

/// A place among the [`MAX_EVENT_STREAMS`] open event streams, given back when dropped.
struct StreamSlot(Arc<ServeState>);

impl StreamSlot {
    fn take(state: &Arc<ServeState>) -> Option<StreamSlot> {
        state
            .streams
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < MAX_EVENT_STREAMS).then_some(n + 1))
            .ok()
            .map(|_| StreamSlot(Arc::clone(state)))
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.streams.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The path under the output folder a URL asks for; `None` for one that may not be served.
fn file_path(url: &str) -> Option<String> {
    let mut path = percent_decode(url.trim_start_matches('/'));
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    if path.split('/').any(|part| part == ".." || part.starts_with(LIVE_PREFIX.trim_matches('/'))) {
        return None;
    }
    Some(path)
}

/// The answer for a built file; HTML pages get the reload hook and, after a failed build, the
/// error overlay.
fn page(
    url: &str,
    path: Option<&str>,
    found: Option<Served>,
    published: &Published,
) -> Result<(&'static str, Vec<u8>), Vec<u8>> {
    let (Some(path), Some(found)) = (path, found) else { return Err(not_found(url)) };
    let Some(bytes) = found.bytes() else { return Err(not_found(url)) };
    let content_type = content_type(path);
    if content_type.starts_with("text/html") {
        Ok((content_type, inject(&bytes, &published.errors)))
    } else {
        Ok((content_type, bytes))
    }
}

fn not_found(url: &str) -> Vec<u8> {
    format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><main><h1>Not found</h1><p>Nothing is built at <code>{}</code>. <a href=\"/index.html\">Go to the home page</a>.</p></main></body></html>",
        escape(url)
    )
    .into_bytes()
}

/// Adds the reload script (and the error overlay, if any) just before `</body>`.
fn inject(html: &[u8], errors: &[ErrorView]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let mut hook = String::new();
    if !errors.is_empty() {
        hook.push_str(&overlay_html(errors));
    }
    hook.push_str("<script src=\"/__policypress/live.js\"></script>\n");
    match text.rfind("</body>") {
        Some(at) => format!("{}{hook}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{hook}").into_bytes(),
    }
}

/// The overlay listing a failed build's errors, escaped like all author-facing text.
pub fn overlay_html(errors: &[ErrorView]) -> String {
    let mut items = String::new();
    for e in errors {
        items.push_str(&format!("<li><code>{}</code> {}", escape(&e.location), escape(&e.message)));
        if let Some(hint) = &e.hint {
            items.push_str(&format!("<br><span>hint: {}</span>", escape(hint)));
        }
        items.push_str("</li>");
    }
    format!(
        "<div id=\"policypress-errors\" role=\"alert\" style=\"position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:1000;background:#fff;color:#212b32;border-top:8px solid #d5281b;padding:1rem 1.5rem;font:16px/1.5 Arial,sans-serif;box-shadow:0 -4px 12px rgba(0,0,0,.3)\"><h2 style=\"margin:0 0 .5rem;font-size:1.25rem\">The last edit has {} {}: this page shows the last good build</h2><ul style=\"margin:0;padding-left:1.25rem\">{items}</ul></div>\n",
        errors.len(),
        if errors.len() == 1 { "error" } else { "errors" }
    )
}

/// Holds a server-sent-events stream open, sending `reload` after each good build and `errors`
/// after each failed one; a comment every 15 s keeps the connection alive.
fn stream_events(request: tiny_http::Request, slot: StreamSlot) {
    let state = &slot.0;
    let mut seen = state.snapshot().generation;
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n";
    if writer.write_all(head.as_bytes()).and_then(|_| writer.flush()).is_err() {
        return;
    }
    loop {
        let published = state.wait_change(seen, Duration::from_secs(15));
        let message = if published.generation == seen {
            ": still here\n\n".to_string()
        } else if published.errors.is_empty() {
            "event: reload\ndata: {}\n\n".to_string()
        } else {
            let overlay = serde_json::to_string(&overlay_html(&published.errors)).unwrap_or_default();
            format!("event: errors\ndata: {overlay}\n\n")
        };
        seen = published.generation;
        if writer.write_all(message.as_bytes()).and_then(|_| writer.flush()).is_err() {
            return;
        }
    }
}

/// The script served pages load: reload after a good build, show the overlay after a bad one.
const LIVE_SCRIPT: &str = r#"(function () {
  "use strict";
  var source = new EventSource("/__policypress/events");
  source.addEventListener("reload", function () { window.location.reload(); });
  source.addEventListener("errors", function (event) {
    var old = document.getElementById("policypress-errors");
    if (old) { old.remove(); }
    document.body.insertAdjacentHTML("beforeend", JSON.parse(event.data));
  });
}());
"#;

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "pdf" => "application/pdf",
        "ttf" => "font/ttf",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(v) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Location;

    fn published(errors: Vec<ErrorView>) -> Published {
        let files = BTreeMap::from([
            ("index.html".to_string(), Served::Bytes(Arc::new(b"<html><body><h1>Hi</h1></body></html>".to_vec()))),
            ("staff/a.pdf".to_string(), Served::Bytes(Arc::new(b"%PDF".to_vec()))),
        ]);
        Published { files: Arc::new(files), errors, generation: 1, ..Published::default() }
    }

    fn page(url: &str, p: &Published) -> Result<(&'static str, Vec<u8>), Vec<u8>> {
        let path = file_path(url);
        let found = path.as_deref().and_then(|path| p.get(path));
        super::page(url, path.as_deref(), found, p)
    }

    #[test]
    fn served_pages_get_the_reload_hook_but_other_files_are_untouched() {
        let p = published(Vec::new());
        let (kind, html) = page("/", &p).unwrap();
        assert!(kind.starts_with("text/html"));
        assert!(String::from_utf8(html).unwrap().contains("<script src=\"/__policypress/live.js\"></script>\n</body>"));
        assert_eq!(page("/staff/a.pdf", &p).unwrap().1, b"%PDF");
    }

    #[test]
    fn a_failed_build_shows_its_errors_over_the_last_good_page() {
        let errors = vec![ErrorView {
            location: "content/a.md:3:5".into(),
            message: "unknown audience `<x>`".into(),
            hint: None,
        }];
        let (_, html) = page("/index.html", &published(errors)).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("<h1>Hi</h1>"), "the last good page is still served");
        assert!(html.contains("role=\"alert\""));
        assert!(html.contains("content/a.md:3:5</code> unknown audience `&lt;x&gt;`"));
    }

    #[test]
    fn paths_outside_the_build_are_not_served() {
        let p = published(Vec::new());
        assert!(page("/../secret", &p).is_err());
        assert!(page("/staff/%2e%2e/%2e%2e/etc/passwd", &p).is_err());
        assert!(page("/missing.html", &p).is_err());
    }

    #[test]
    fn publish_keeps_the_last_good_files_when_a_build_fails() {
        let state = ServeState::default();
        state.publish(Some(vec![Artifact::new("index.html", b"good".to_vec())]), &[]);
        let diag = Diagnostic {
            location: Location::new("content/a.md", 1, 1),
            severity: Severity::Error,
            message: "broken".into(),
            hint: None,
        };
        state.publish(None, &[diag]);
        let now = state.snapshot();
        assert_eq!(now.get("index.html").and_then(|f| f.bytes()), Some(b"good".to_vec()));
        assert_eq!(now.errors.len(), 1);
        assert_eq!(now.generation, 2);
        state.publish(Some(vec![Artifact::new("index.html", b"fixed".to_vec())]), &[]);
        assert!(state.snapshot().errors.is_empty(), "the next good build clears the errors");
    }

    #[test]
    fn a_file_the_build_is_still_making_is_waited_for_and_asked_for_first() {
        let state = Arc::new(ServeState::default());
        let late = FileMap::default();
        state.publish_pages(BTreeMap::new(), Arc::clone(&late), true);
        let maker = {
            let state = Arc::clone(&state);
            std::thread::spawn(move || {
                // The build sees that a page waits for the PDF, then makes it.
                while state.wanted().is_empty() {
                    std::thread::sleep(Duration::from_millis(2));
                }
                assert_eq!(state.wanted(), vec!["staff/a.pdf".to_string()]);
                late.lock().unwrap().insert("staff/a.pdf".into(), Served::Bytes(Arc::new(b"%PDF".to_vec())));
                state.late_file_ready(false);
            })
        };
        let (_, found) = state.file("staff/a.pdf", Duration::from_secs(30));
        maker.join().unwrap();
        assert_eq!(found.and_then(|f| f.bytes()), Some(b"%PDF".to_vec()));
        assert!(state.wanted().is_empty(), "no longer waited for");
        // Once the build has made everything, a file it did not make is not waited for.
        state.late_file_ready(true);
        assert_eq!(state.file("staff/missing.pdf", Duration::from_secs(30)).1, None);
    }

    #[test]
    fn a_taken_port_is_reported_or_the_next_one_used() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let err = bind(port, true).unwrap_err();
        assert!(err.contains(&format!("port {port} is already in use")), "{err}");
        let other = bind(port, false).unwrap();
        assert_ne!(other.local_addr().unwrap().port(), port);
    }

    #[test]
    fn only_this_servers_loopback_name_and_port_are_answered() {
        for ok in ["127.0.0.1:3000", "localhost:3000", "LOCALHOST:3000"] {
            assert_eq!(host_refusal(Some(ok), 3000), None, "{ok}");
        }
        for (host, status) in [
            ("evil.example:3000", 403),
            ("evil.example", 403),
            ("127.0.0.1.evil.example:3000", 403),
            ("[::1]:3000", 403),
            ("localhost:3001", 421),
            ("127.0.0.1", 421),
        ] {
            assert_eq!(host_refusal(Some(host), 3000).map(|a| a.status), Some(status), "{host}");
        }
        assert_eq!(host_refusal(None, 3000).map(|a| a.status), Some(403), "no Host header");
        assert_eq!(host_refusal(Some("localhost"), 80), None, "port 80 may go unsaid");
    }

    #[test]
    fn event_streams_are_bounded_and_give_their_place_back() {
        let state = Arc::new(ServeState::default());
        let slots: Vec<StreamSlot> = (0..MAX_EVENT_STREAMS).map(|_| StreamSlot::take(&state).unwrap()).collect();
        assert!(StreamSlot::take(&state).is_none(), "one more than the cap is refused");
        drop(slots);
        assert!(StreamSlot::take(&state).is_some(), "closed streams free their places");
    }
}
