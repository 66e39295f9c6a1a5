//! `policypress serve` end to end: start it on a free port, edit a policy, see the new page;
//! break the policy, see the error over the last good page; fix it, see the error go.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::Fixture;

struct Server {
    child: Child,
    port: u16,
    /// Every line the command has printed so far.
    printed: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn printed(&self) -> String {
        self.printed.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `policypress <args>` with `--today`, collecting what it prints, and waits until it says
/// it is serving (the port) or watching (port 0).
fn spawn(mut command: Command, args: &[&str]) -> Server {
    let mut child = command
        .args(args)
        .args(["--today", crate::harness::TODAY])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start policypress");
    let stderr = child.stderr.take().unwrap();
    let printed = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = channel();
    let lines = Arc::clone(&printed);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("serving on http://127.0.0.1:").nth(1) {
                let port: u16 = rest.split('/').next().unwrap().parse().unwrap();
                let _ = tx.send(port);
            } else if line.starts_with("watching ") {
                let _ = tx.send(0);
            }
            lines.lock().unwrap().push(line);
        }
    });
    let port = rx.recv_timeout(Duration::from_secs(30)).expect("the command says it is watching");
    Server { child, port, printed }
}

fn start(fixture: &Fixture) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_policypress"));
    command.args(["serve", "--port", "0", "--root"]).arg(fixture.root());
    spawn(command, &[])
}

/// Starts `policypress <subcommand>` the way the README says: from the project folder, with no
/// `--root`.
fn start_in_project_folder(fixture: &Fixture, args: &[&str]) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_policypress"));
    command.current_dir(fixture.root());
    spawn(command, args)
}

fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Polls until `predicate` holds for the page, for at most 10 s.
fn wait_for(port: u16, path: &str, predicate: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = get(port, path);
        if predicate(&page) || Instant::now() > deadline {
            return page;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_rebuilds_on_edit_shows_errors_over_the_last_good_page_and_clears_them() {
    let fixture = Fixture::new("basic");
    let server = start(&fixture);
    let page = get(server.port, "/staff/ward-phones.html");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("STAFF-ONLY-PURPOSE"));
    assert!(page.contains("/__policypress/live.js"), "served pages get the reload hook");

    let policy = fixture.read("content/ward-phones.md");
    fixture.write("content/ward-phones.md", &policy.replace("STAFF-ONLY-PURPOSE", "EDITED-PURPOSE"));
    let page = wait_for(server.port, "/staff/ward-phones.html", |p| p.contains("EDITED-PURPOSE"));
    assert!(page.contains("EDITED-PURPOSE"), "the edit is served");

    fixture.write("content/ward-phones.md", &policy.replace("::: patient\n", "::: patients\n"));
    let page = wait_for(server.port, "/staff/ward-phones.html", |p| p.contains("policypress-errors"));
    assert!(page.contains("unknown audience `patients`"), "{page}");
    assert!(page.contains("content/ward-phones.md:62:5"));
    assert!(page.contains("EDITED-PURPOSE"), "the last good build is still served");

    fixture.write("content/ward-phones.md", &policy);
    let page = wait_for(server.port, "/staff/ward-phones.html", |p| !p.contains("policypress-errors"));
    assert!(!page.contains("policypress-errors"), "the next good edit clears the errors");
    assert!(!fixture.path("output").exists(), "serve keeps its builds in memory");
}

#[test]
fn built_files_never_contain_the_reload_hook() {
    let fixture = Fixture::new("basic");
    assert_eq!(fixture.run(&["build"]).status, 0);
    for page in [
        "output/index.html",
        "output/staff/index.html",
        "output/staff/ward-phones.html",
        "output/preview/ward-phones.html",
    ] {
        assert!(!fixture.read(page).contains("__policypress"), "{page}");
    }
}

#[test]
fn preview_page_shows_every_version_side_by_side() {
    let fixture = Fixture::new("basic");
    assert_eq!(fixture.run(&["build"]).status, 0);
    let preview = fixture.read("output/preview/ward-phones.html");
    assert!(preview.contains("<iframe class=\"preview-frame\" src=\"../staff/ward-phones.html\""));
    assert!(fixture.read("output/preview/index.html").contains("href=\"ward-phones.html\""));
}

/// Polls until `predicate` holds, for at most 20 s.
fn eventually(what: &str, predicate: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !predicate() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_from_the_project_folder_with_the_default_root_rebuilds_on_every_save() {
    let fixture = Fixture::new("basic");
    let server = start_in_project_folder(&fixture, &["serve", "--port", "0"]);
    assert!(get(server.port, "/staff/ward-phones.html").contains("STAFF-ONLY-PURPOSE"));
    let policy = fixture.read("content/ward-phones.md");
    for edit in ["FIRST-EDIT", "SECOND-EDIT"] {
        fixture.write("content/ward-phones.md", &policy.replace("STAFF-ONLY-PURPOSE", edit));
        let page = wait_for(server.port, "/staff/ward-phones.html", |p| p.contains(edit));
        assert!(page.contains(edit), "the save is served: {}", server.printed());
    }
}

#[test]
fn watch_from_the_project_folder_with_the_default_root_rebuilds_on_every_save() {
    let fixture = Fixture::new("basic");
    let server = start_in_project_folder(&fixture, &["watch"]);
    let page = || std::fs::read_to_string(fixture.path("output/staff/ward-phones.html")).unwrap_or_default();
    eventually("the first build is written", || page().contains("STAFF-ONLY-PURPOSE"));
    let policy = fixture.read("content/ward-phones.md");
    fixture.write("content/ward-phones.md", &policy.replace("STAFF-ONLY-PURPOSE", "EDITED-PURPOSE"));
    eventually("the save is rebuilt into output/", || page().contains("EDITED-PURPOSE"));
    drop(server);
}

#[test]
fn a_deleted_and_remade_content_folder_is_watched_again() {
    let fixture = Fixture::new("basic");
    let server = start_in_project_folder(&fixture, &["serve", "--port", "0"]);
    let saved = std::env::temp_dir().join(format!("policypress-content-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&saved);
    // A sync tool or `git checkout` removes the folder and writes it anew.
    copy_dir(&fixture.path("content"), &saved);
    std::fs::remove_dir_all(fixture.path("content")).unwrap();
    eventually("the missing folder is reported", || server.printed().contains("there is no `content` folder"));
    copy_dir(&saved, &fixture.path("content"));
    std::fs::remove_dir_all(&saved).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let policy = fixture.read("content/ward-phones.md");
    fixture.write("content/ward-phones.md", &policy.replace("STAFF-ONLY-PURPOSE", "AFTER-CHECKOUT"));
    let page = wait_for(server.port, "/staff/ward-phones.html", |p| p.contains("AFTER-CHECKOUT"));
    assert!(page.contains("AFTER-CHECKOUT"), "an edit in the new folder is served: {}", server.printed());
}

#[test]
fn a_save_written_in_two_steps_never_shows_the_errors_of_its_first_half() {
    let fixture = Fixture::new("basic");
    let server = start_in_project_folder(&fixture, &["serve", "--port", "0"]);
    let policy = fixture.read("content/ward-phones.md");
    let edited = policy.replace("STAFF-ONLY-PURPOSE", "WHOLE-SAVE");
    // An editor writing the file in place: first part of the front matter, then the rest.
    let first_part: String = edited.lines().take(5).map(|l| format!("{l}\n")).collect();
    fixture.write("content/ward-phones.md", &first_part);
    std::thread::sleep(Duration::from_millis(80));
    fixture.write("content/ward-phones.md", &edited);
    let page = wait_for(server.port, "/staff/ward-phones.html", |p| p.contains("WHOLE-SAVE"));
    assert!(page.contains("WHOLE-SAVE"), "{}", server.printed());
    assert!(!page.contains("policypress-errors"));
    assert!(
        !server.printed().contains("never closed"),
        "errors of the half-written file were shown:\n{}",
        server.printed()
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Sends a raw request and returns the response's status line and the rest.
fn raw(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // An event stream that is answered never ends: read what came within the time.
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

#[test]
fn serve_answers_only_get_and_head_addressed_to_its_own_loopback_name() {
    let fixture = Fixture::new("basic");
    let server = start(&fixture);
    let port = server.port;
    let page = "/staff/ward-phones.html";
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let response = raw(
            port,
            &format!(
                "{method} {page} HTTP/1.1\r\nHost: localhost:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        );
        assert!(response.starts_with("HTTP/1.1 405"), "{method}: {response}");
        assert!(response.contains("Allow: GET, HEAD"), "{response}");
        assert!(!response.contains("STAFF-ONLY-PURPOSE"), "no page for {method}");
    }
    let head = raw(port, &format!("HEAD {page} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"));
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(!head.contains("STAFF-ONLY-PURPOSE"), "HEAD has no body");
    // A page on another site whose name resolves to 127.0.0.1 (DNS rebinding) says so in Host.
    let rebound =
        raw(port, &format!("GET {page} HTTP/1.1\r\nHost: attacker.example:{port}\r\nConnection: close\r\n\r\n"));
    assert!(rebound.starts_with("HTTP/1.1 403"), "{rebound}");
    assert!(!rebound.contains("STAFF-ONLY-PURPOSE"));
    let wrong_port = raw(port, &format!("GET {page} HTTP/1.1\r\nHost: localhost:1\r\nConnection: close\r\n\r\n"));
    assert!(wrong_port.starts_with("HTTP/1.1 421"), "{wrong_port}");
    let no_host = raw(port, &format!("GET {page} HTTP/1.0\r\n\r\n"));
    assert!(no_host.starts_with("HTTP/1.0 403") || no_host.starts_with("HTTP/1.1 403"), "{no_host}");
}

#[test]
fn serve_holds_a_bounded_number_of_event_streams() {
    let fixture = Fixture::new("basic");
    let server = start(&fixture);
    let port = server.port;
    let open = |n: usize| -> Vec<TcpStream> {
        (0..n)
            .map(|_| {
                let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                write!(stream, "GET /__policypress/events HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").unwrap();
                let mut head = [0u8; 12];
                stream.read_exact(&mut head).unwrap();
                assert_eq!(&head, b"HTTP/1.1 200", "streams up to the cap are served");
                stream
            })
            .collect()
    };
    let streams = open(policypress::live::serve::MAX_EVENT_STREAMS);
    let refused = raw(
        port,
        &format!("GET /__policypress/events HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(get(port, "/staff/ward-phones.html").starts_with("HTTP/1.1 200"), "pages are still served");
    drop(streams);
}

#[test]
fn serve_makes_the_pdfs_after_the_pages_and_keeps_them_in_the_build_cache() {
    let fixture = Fixture::new("basic");
    {
        let server = start(&fixture);
        // Asked for at once: the request waits until the PDF is made.
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        let port = server.port;
        write!(stream, "GET /staff/ward-phones.pdf HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let text = String::from_utf8_lossy(&response);
        assert!(text.starts_with("HTTP/1.1 200") && text.contains("%PDF-"), "{}", &text[..text.len().min(300)]);
    }
    let cached = std::fs::read_dir(fixture.path(".policypress-cache/units")).map(|d| d.count()).unwrap_or(0);
    assert!(cached > 2, "the pages and PDFs are kept for the next session or build ({cached})");
}
