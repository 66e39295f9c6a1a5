//! The mutation test: a seeded mutator over the example policies (byte flips; spliced fences,
//! front matter, variables, icons, links, tables and raw HTML; deep nesting, very long lines and
//! words, odd Unicode) feeds a few hundred broken policies through the whole build, in process:
//! load, parse, resolve, the audiences' rules, every web page and every PDF. For each it asserts
//! no panic, no hang (a generous time budget per case), every diagnostic located in a file of the
//! project, and nothing executable in any page, script or PDF.
//!
//! Run longer, with another seed, or one case again (a failure prints its seed and number):
//!
//! ```sh
//! POLICYPRESS_MUTATION_MINUTES=60 POLICYPRESS_MUTATION_SEED=$RANDOM \
//!   cargo test --release --test suite mutation -- --nocapture
//! POLICYPRESS_MUTATION_SEED=7 POLICYPRESS_MUTATION_ONLY=123 cargo test --test suite mutation -- --nocapture
//! ```
//!
//! `POLICYPRESS_MUTATION_CASES` sets the number of cases (default 300), `..._BUDGET_SECS` the
//! time a case may take before it counts as a hang (default 60: far above any honest build of
//! one policy, even unoptimised on a loaded machine).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use policypress::build::{BuildOptions, BuildResult, run};
use policypress::diag::Diagnostics;
use policypress::load::load_project;

use crate::harness::{repo_root, today};

/// A small, seeded, reproducible generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Pieces of the source format, broken and whole, spliced in at random.
const SNIPPETS: &[&str] = &[
    "::: patient\n",
    "::: easy-read\n",
    "::: poster\n# Headline\n:phone: A message\n",
    "::: staff patient\n",
    "::: patients\n",
    ":::\n",
    "::: poster\n",
    "---\n",
    "---\ntitle: [unclosed\n---\n",
    "title: Again\n",
    "version: 2.1\n",
    "extra: {a: {b: {c: d}}}\n",
    "glossary:\n  a: &x [x, x, x, x]\n  b: [*x, *x, *x, *x]\n",
    "{{ switchboard }}",
    "{{ no-such-variable }}",
    "{{",
    "\\{{ literal }}",
    "}}",
    "{{ ward-hours }}{{ ward-hours }}",
    ":phone:",
    ":camera-off: ",
    ":no-such-icon:",
    ":-:",
    "[Email policy](email-and-internet.md)",
    "[a section](#no-such-section)",
    "[self](photos-phones-and-filming.md#1-introduction)",
    "[bad](javascript:alert(1))",
    "[data](data:text/html,<script>alert(1)</script>)",
    "<https://www.nhs.uk/>",
    "<pals@example.nhs.uk>",
    "[ref]\n\n[ref]: https://example.nhs.uk/ \"A title\"\n",
    "![A nurse](images/ask-a-nurse.png)",
    "![](images/ask-a-nurse.png)",
    "![Secret](../../../etc/passwd)",
    "![Remote](https://example.com/x.png \"t\")",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n",
    "| a |\n|---|\n| `x` | **y** | z |\n",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<!-- comment -->",
    "# A heading {#main}\n",
    "## Heading {#\"><b onmouseover=alert(1)>}\n",
    "###### Deep heading\n",
    "Setext\n======\n",
    "```\ncode ::: patient\n```\n",
    "```rust\"><script>\nfn x() {}\n```\n",
    "~~~\nunclosed fence\n",
    "    indented code\n",
    "* * *\n",
    "1. one\n2. two\n\n3. three\n",
    "- a\n  - b\n    - c\n",
    "> quote\n> > deeper\n",
    "Line with trailing spaces  \nnext",
    "**bold *italic* bold**",
    "***",
    "\\",
    "&amp; &#0; &#x110000; &nbsp;",
];

/// Characters that have tripped text handling elsewhere.
const ODD: &[&str] = &[
    "\u{202E}",
    "\u{200B}",
    "\u{FEFF}",
    "e\u{301}",
    "\u{1F9D1}\u{200D}\u{2695}\u{FE0F}",
    "\u{0}",
    "\r",
    "\r\n",
    "İ",
    "ẞ",
    "\u{FFFD}",
    "\u{E000}",
    "\u{E001}",
    "\u{E002}",
    "\u{2028}",
    "\t",
    "\u{10FFFF}",
    "ﷺ",
    "𒐫",
];

fn char_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn line_start(text: &str, at: usize) -> usize {
    text[..char_boundary(text, at)].rfind('\n').map_or(0, |i| i + 1)
}

/// One to four mutations of `base`, as bytes (they may not be UTF-8 after a byte flip).
fn mutate(base: &str, rng: &mut Rng) -> Vec<u8> {
    let mut text = base.to_string();
    let mut flips: Vec<(usize, u8)> = Vec::new();
    for _ in 0..1 + rng.below(4) {
        let at = char_boundary(&text, rng.below(text.len() + 1));
        match rng.below(10) {
            0 => {
                for _ in 0..1 + rng.below(8) {
                    flips.push((rng.below(text.len().max(1)), 1 << rng.below(8)));
                }
            }
            1 | 2 => {
                let at = if rng.below(2) == 0 { line_start(&text, at) } else { at };
                text.insert_str(at, rng.pick(SNIPPETS));
            }
            3 => {
                let end = char_boundary(&text, at + rng.below(400));
                text.replace_range(at..end, "");
            }
            4 => {
                let end = char_boundary(&text, at + rng.below(600));
                let copy = text[at..end].to_string();
                text.insert_str(end, &copy);
            }
            5 => {
                let depth = 1 + rng.below(60);
                let prefix = if rng.below(2) == 0 { "> ".repeat(depth) } else { "  ".repeat(depth) + "- " };
                let at = line_start(&text, at);
                text.insert_str(at, &format!("{prefix}nested\n"));
            }
            6 => {
                let long = match rng.below(3) {
                    0 => "word ".repeat(2_000 + rng.below(8_000)),
                    1 => "x".repeat(150 + rng.below(400)),
                    _ => "abcdefghij".repeat(100 + rng.below(5_000)),
                };
                text.insert_str(at, &long);
            }
            7 => {
                for _ in 0..1 + rng.below(5) {
                    let at = char_boundary(&text, rng.below(text.len() + 1));
                    text.insert_str(at, rng.pick(ODD));
                }
            }
            8 => {
                // Swap two lines: fences and front matter end up in the wrong order.
                let lines: Vec<&str> = text.split_inclusive('\n').collect();
                let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                let mut lines: Vec<String> = lines.into_iter().map(str::to_string).collect();
                lines.swap(a, b);
                text = lines.concat();
            }
            _ => {
                let at = line_start(&text, at);
                text.insert_str(at, &format!("{}\n", rng.pick(SNIPPETS).trim_end()));
            }
        }
    }
    let mut bytes = text.into_bytes();
    for (at, bit) in flips {
        if let Some(b) = bytes.get_mut(at) {
            *b ^= bit;
        }
    }
    bytes
}

/// The policies mutated: the example's and the test fixture's.
fn bases() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in [repo_root().join("content"), repo_root().join("tests/fixtures/basic/content")] {
        let mut stack = vec![dir];
        while let Some(at) = stack.pop() {
            for entry in std::fs::read_dir(&at).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "md") {
                    let id = path.file_stem().unwrap().to_string_lossy().into_owned();
                    out.push((id.clone(), standalone(&id, &std::fs::read_to_string(&path).unwrap())));
                }
            }
        }
    }
    out.sort();
    out
}

/// The policy with its links to other policies made web links, so that, alone in a project, it
/// builds without errors until it is mutated.
fn standalone(id: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..at + 2]);
        rest = &rest[at + 2..];
        let end = rest.find([')', ' ']).unwrap_or(rest.len());
        let target = &rest[..end];
        let file = target.split('#').next().unwrap_or("");
        let other = file.ends_with(".md") && file.rsplit('/').next() != Some(&format!("{id}.md"));
        if other {
            out.push_str("https://example.nhs.uk/");
        }
        out.push_str(if other { file.trim_start_matches("../") } else { target });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// A project folder for one worker: the example's settings and pictures; the mutant is the
/// only policy.
fn worker_project(dir: &Path) {
    std::fs::create_dir_all(dir.join("content/images")).unwrap();
    std::fs::copy(repo_root().join("policypress.yaml"), dir.join("policypress.yaml")).unwrap();
    for folder in ["content/images", "tests/fixtures/basic/content/images"] {
        for entry in std::fs::read_dir(repo_root().join(folder)).unwrap().flatten() {
            std::fs::copy(entry.path(), dir.join("content/images").join(entry.file_name())).unwrap();
        }
    }
}

/// Builds the project at `dir` in process, on a thread of its own, within `budget`.
fn build_within(dir: &Path, budget: Duration) -> Result<Result<BuildResult, String>, ()> {
    let (tx, rx) = std::sync::mpsc::channel();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| {
            let mut diagnostics = Diagnostics::new();
            let project = load_project(&dir, &mut diagnostics).map_err(|f| f.to_string())?;
            let options = BuildOptions { today: today(), drafts: true, strict: false };
            Ok::<_, String>(run(&project, &options, diagnostics))
        });
        let _ = tx.send(outcome.unwrap_or_else(|panic| {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panic: {why}"))
        }));
    });
    rx.recv_timeout(budget).map_err(|_| ())
}

/// What is wrong with one case's result, if anything.
fn problems(result: &BuildResult, policy: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    // Lines as the build counts them: old Mac line endings (a lone CR) end lines too.
    let text = String::from_utf8_lossy(policy).replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    for d in result.diagnostics.sorted() {
        let l = &d.location;
        let in_project =
            l.file.starts_with("content/") || l.file == "policypress.yaml" || l.file.starts_with("themes/");
        if !in_project || l.line == 0 || l.col == 0 {
            found.push(format!("not located in a project file: {d}"));
        } else if l.file.starts_with("content/") && l.file.ends_with(".md") {
            let line = lines.get(l.line - 1);
            match line {
                None => found.push(format!("line {} is past the end of the file ({} lines): {d}", l.line, lines.len())),
                Some(line) if l.col > line.chars().count() + 1 => {
                    found.push(format!("column {} is past the end of line {}: {d}", l.col, l.line))
                }
                _ => {}
            }
        }
    }
    for artifact in &result.artifacts {
        let path = &artifact.path;
        if path.ends_with(".html") {
            let html = String::from_utf8_lossy(&artifact.bytes);
            found.extend(executable_in_page(&html).into_iter().map(|what| format!("{path}: {what}")));
        } else if path == "assets/search-index.js" {
            let js = String::from_utf8_lossy(&artifact.bytes);
            let data = js.strip_prefix("window.policySearch = ").and_then(|s| s.trim_end().strip_suffix(';'));
            if data.is_none_or(|d| serde_json::from_str::<serde_json::Value>(d).is_err()) {
                found.push(format!("{path} is not one JSON value"));
            }
        } else if path.ends_with(".pdf") {
            let bytes = &artifact.bytes;
            for action in [&b"/JavaScript"[..], b"/JS ", b"/JS(", b"/Launch", b"/SubmitForm", b"/EmbeddedFile"] {
                if bytes.windows(action.len()).any(|w| w == action) {
                    found.push(format!("{path} holds {}", String::from_utf8_lossy(action)));
                }
            }
        }
    }
    found
}

/// A tag's name and attributes (name, value), quotes respected.
fn parse_tag(tag: &str) -> (String, Vec<(String, String)>) {
    let chars: Vec<char> = tag.chars().collect();
    let mut i = 0;
    let mut name = String::new();
    while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '/' {
        name.push(chars[i]);
        i += 1;
    }
    let mut attrs = Vec::new();
    loop {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut key = String::new();
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            key.push(chars[i]);
            i += 1;
        }
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let quote = chars[i];
                i += 1;
                while i < chars.len() && chars[i] != quote {
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && !chars[i].is_whitespace() {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        attrs.push((key, value));
    }
    (name, attrs)
}

/// Scripts, event handlers and script addresses in a page that the theme did not put there.
fn executable_in_page(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if tag.starts_with(['/', '!']) {
            continue;
        }
        let (name, attrs) = parse_tag(tag);
        let value = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        if name == "script" {
            // The theme's scripts only: one `src` to a file of its own.
            let src = value("src").unwrap_or("");
            let own = src.trim_start_matches("../").starts_with("assets/") || src.starts_with("/__policypress/");
            if attrs.len() != 1 || !own || !src.ends_with(".js") {
                found.push(format!("a script the theme did not write: <{tag}>"));
            }
        }
        if matches!(name.as_str(), "object" | "embed" | "applet" | "frame" | "frameset" | "base")
            || name == "meta" && value("http-equiv").is_some()
        {
            found.push(format!("<{tag}>"));
        }
        for (key, v) in &attrs {
            let v = v.trim_start();
            if key.starts_with("on") || key == "srcdoc" {
                found.push(format!("an event handler or inline document: <{tag}>"));
            }
            let addresses = ["href", "src", "action", "formaction", "xlink:href", "data", "poster"];
            if addresses.contains(&key.as_str())
                && ["javascript:", "data:", "vbscript:"]
                    .iter()
                    .any(|s| v.replace(['\t', '\n', '\r'], "").starts_with(s))
            {
                found.push(format!("a script address: <{tag}>"));
            }
        }
    }
    found
}

#[test]
fn mutated_policies_never_panic_hang_go_unlocated_or_put_anything_executable_in_a_page() {
    let seed = env_number("POLICYPRESS_MUTATION_SEED").unwrap_or(1);
    let minutes = env_number("POLICYPRESS_MUTATION_MINUTES");
    let cases = env_number("POLICYPRESS_MUTATION_CASES").unwrap_or(if minutes.is_some() { u64::MAX } else { 300 });
    let only = env_number("POLICYPRESS_MUTATION_ONLY");
    let budget = Duration::from_secs(env_number("POLICYPRESS_MUTATION_BUDGET_SECS").unwrap_or(60));
    let deadline = minutes.map(|m| Instant::now() + Duration::from_secs(m * 60));
    let bases = bases();
    assert!(bases.len() >= 5, "the example and fixture policies are found");

    let next = AtomicUsize::new(only.map_or(0, |n| n as usize));
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let stats = Mutex::new((0usize, 0usize));
    let workers = if only.is_some() { 1 } else { 2 };
    let scratch = tempfile::tempdir().unwrap();
    std::thread::scope(|scope| {
        for worker in 0..workers {
            let dir: PathBuf = scratch.path().join(format!("worker-{worker}"));
            let (bases, next, failures, stats) = (&bases, &next, &failures, &stats);
            scope.spawn(move || {
                worker_project(&dir);
                loop {
                    let case = next.fetch_add(1, Ordering::SeqCst);
                    let past_end = case as u64 >= cases || only.is_some_and(|n| case as u64 != n);
                    if past_end || deadline.is_some_and(|d| Instant::now() > d) || !failures.lock().unwrap().is_empty() {
                        return;
                    }
                    let mut rng = Rng::new(seed.wrapping_mul(0x100_0000_01B3) ^ case as u64);
                    let (id, base) = &bases[rng.below(bases.len())];
                    let policy = mutate(base, &mut rng);
                    let file = dir.join("content").join(format!("{id}.md"));
                    for entry in std::fs::read_dir(dir.join("content")).unwrap().flatten() {
                        if entry.path().extension().is_some_and(|e| e == "md") {
                            std::fs::remove_file(entry.path()).unwrap();
                        }
                    }
                    std::fs::write(&file, &policy).unwrap();
                    let report = |why: String| {
                        let keep = std::env::temp_dir().join(format!("policypress-mutation-{seed}-{case}.md"));
                        let _ = std::fs::write(&keep, &policy);
                        failures.lock().unwrap().push(format!(
                            "case {case} (seed {seed}, from {id}.md; the policy is in {}): {why}\n  again: POLICYPRESS_MUTATION_SEED={seed} POLICYPRESS_MUTATION_ONLY={case} cargo test --test suite mutation -- --nocapture",
                            keep.display()
                        ));
                    };
                    match build_within(&dir, budget) {
                        Err(()) => report(format!("did not finish within {} s (a hang)", budget.as_secs())),
                        Ok(Err(why)) => report(why),
                        Ok(Ok(result)) => {
                            let wrong = problems(&result, &policy);
                            if !wrong.is_empty() {
                                report(wrong.join("\n  "));
                            }
                            let mut s = stats.lock().unwrap();
                            s.0 += 1;
                            s.1 += usize::from(!result.artifacts.is_empty());
                        }
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let (done, built) = stats.into_inner().unwrap();
    eprintln!("mutation test, seed {seed}: {done} cases, {built} built without errors");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_page_check_finds_scripts_handlers_and_script_addresses_but_not_the_themes_own() {
    let own =
        "<script src=\"../assets/library.js\"></script><a href=\"https://x.nhs.uk/\" title=\"say onload=x\">a</a>";
    assert!(executable_in_page(own).is_empty(), "{:?}", executable_in_page(own));
    for bad in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\" JaVaScRiPt:alert(1)\">x</a>",
        "<iframe srcdoc=\"<script>\"></iframe>",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
        "<object data=\"x.swf\"></object>",
        "<script src=\"https://evil.example/x.js\"></script>",
    ] {
        assert!(!executable_in_page(bad).is_empty(), "{bad}");
    }
}
