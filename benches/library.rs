//! Benchmark: builds the 500-policy library that `../shared/bench/gen_corpus.py` writes and
//! reports each stage's time (best of several runs). Not a test: run it with
//!
//!     cargo bench --bench library
//!
//! The corpus folder is `$POLICYPRESS_BENCH_CORPUS` (default `target/bench-corpus`); it is
//! generated on first use with `python3 ../shared/bench/gen_corpus.py DIR 500`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use policypress::audience::staff::pages::staff_site;
use policypress::audience::staff::search::search_index;
use policypress::diag::Diagnostics;
use policypress::load::load_project;
use policypress::model::Audience;
use policypress::model::dates::Date;
use policypress::parse::parse_project;
use policypress::render::templates::{PageRenderer, load_templates};
use policypress::resolve::{ResolveOptions, resolve};

const RUNS: usize = 5;

fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = f();
        best = best.min(start.elapsed());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

fn corpus() -> PathBuf {
    let dir = std::env::var_os("POLICYPRESS_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-corpus"));
    if !dir.join("content").is_dir() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_corpus.py");
        let status = std::process::Command::new("python3").arg(&script).arg(&dir).arg("500").status().expect("python3");
        assert!(status.success(), "gen_corpus.py failed");
    }
    dir
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let root = corpus();
    let today = Date::parse("2026-11-22").expect("date");
    let threads = rayon::current_num_threads();

    let (load_time, project) = best(|| load_project(&root, &mut Diagnostics::new()).expect("load"));
    let (parse_time, policies) = best(|| parse_project(&project, &mut Diagnostics::new()));
    let (resolve_time, library) =
        best(|| resolve(&policies, ResolveOptions { today, drafts: false }, &mut Diagnostics::new()));
    let tera = load_templates(&project.theme, "default", &mut Diagnostics::new()).expect("templates");
    let pages = PageRenderer::new(&tera, &project);
    let (html_time, html) =
        best(|| staff_site(&pages, &project.theme, &project.config, &library, &mut Diagnostics::new()));
    let (search_time, index) = best(|| search_index(&library));
    let words: usize = project.sources.iter().map(|s| s.text.split_whitespace().count()).sum();

    let html_bytes: usize = html.iter().map(|a| a.bytes.len()).sum();
    println!("corpus: {} ({} policies, {} words, {} rayon threads)", root.display(), policies.len(), words, threads);
    println!("load (read files)              {}", ms(load_time));
    println!("parse                          {}", ms(parse_time));
    println!("resolve (4 audiences)          {}", ms(resolve_time));
    println!("staff HTML ({} pages, {} MB)  {}", html.len(), html_bytes / 1_000_000, ms(html_time));
    let index_bytes: usize = index.iter().map(|a| a.bytes.len()).sum();
    println!("search index ({} files, {} MB)  {}", index.len(), index_bytes / 1_000_000, ms(search_time));
    println!(
        "staff HTML total (parse+resolve+render) {}  = {:.2} ms per policy",
        ms(parse_time + resolve_time + html_time),
        (parse_time + resolve_time + html_time).as_secs_f64() * 1000.0 / library.views(Audience::Staff).count() as f64
    );
}
