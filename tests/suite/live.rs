//! `policypress serve` end to end: start it on a free port, edit a policy, see the new page;
//! break the policy, see the error over the last good page; fix it, see the error go.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use crate::harness::Fixture;

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(fixture: &Fixture) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_policypress"))
        .args(["serve", "--port", "0", "--today", crate::harness::TODAY, "--root"])
        .arg(fixture.root())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start serve");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("serving on http://127.0.0.1:").nth(1) {
                let port: u16 = rest.split('/').next().unwrap().parse().unwrap();
                let _ = tx.send(port);
            }
        }
    });
    let port = rx.recv_timeout(Duration::from_secs(20)).expect("the server says where it serves");
    Server { child, port }
}

fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
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
