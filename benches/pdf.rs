//! Benchmark of the PDF engine: one 20-page staff policy, and the staff PDFs of the whole
//! 500-policy library in parallel. Not a test: run it with
//!
//!     python3 ../shared/bench/gen_corpus.py /tmp/corpus 500
//!     POLICYPRESS_BENCH_CORPUS=/tmp/corpus cargo bench --bench pdf
//!
//! Reports the best of several runs, so a busy machine shows its quiet moments.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use policypress::audience::patient::pdf::{patient_pdfs, render_patient_pdfs};
use policypress::audience::staff::pdf::{render_staff_pdf, staff_pdfs};
use policypress::diag::Diagnostics;
use policypress::load::load_project;
use policypress::model::Audience;
use policypress::model::dates::Date;
use policypress::parse::parse_project;
use policypress::resolve::{ResolveOptions, resolve};

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out = f();
        best = best.min(start.elapsed());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

fn main() {
    let root =
        std::env::var_os("POLICYPRESS_BENCH_CORPUS").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/tmp/corpus"));
    let mut diags = Diagnostics::new();
    let Ok(project) = load_project(&root, &mut diags) else {
        eprintln!("no corpus at {}: run python3 ../shared/bench/gen_corpus.py {} 500", root.display(), root.display());
        std::process::exit(2);
    };
    let policies = parse_project(&project, &mut diags);
    let today = Date::from_ymd(2025, 6, 1).expect("valid date");
    let library = resolve(&policies, ResolveOptions { today, drafts: true }, &mut diags);

    // The policy whose staff PDF is closest to 20 pages.
    let views: Vec<_> = library.views(Audience::Staff).collect();
    let mut pick = None;
    for view in views.iter().take(60) {
        let Ok(pdf) = render_staff_pdf(&project, view) else { continue };
        let distance = pdf.pages.abs_diff(20);
        if pick.as_ref().is_none_or(|(d, _, _)| distance < *d) {
            pick = Some((distance, *view, pdf.pages));
        }
    }
    let Some((_, view, pages)) = pick else {
        eprintln!("no staff view could be rendered");
        std::process::exit(1);
    };
    let (one, pdf) = best(20, || render_staff_pdf(&project, view));
    let size = pdf.map(|p| p.bytes.len()).unwrap_or(0);
    println!("one policy  {}: {pages} pages, {size} bytes, best of 20: {:.1} ms", view.id, one.as_secs_f64() * 1e3);

    let (all, artifacts) = best(3, || {
        let mut d = Diagnostics::new();
        let views: Vec<_> = library.views(policypress::model::Audience::Staff).collect();
        staff_pdfs(&project, &views, &mut d)
    });
    let bytes: usize = artifacts.iter().map(|a| a.bytes.len()).sum();
    println!(
        "library     {} staff PDFs, {:.1} MB, best of 3 on {} threads: {:.2} s",
        artifacts.len(),
        bytes as f64 / 1e6,
        rayon::current_num_threads(),
        all.as_secs_f64()
    );

    // The patient leaflets: A5, large print and booklet of every policy with patient text.
    if let Some(view) = library.views(Audience::Patient).next() {
        let (one, pdfs) = best(20, || render_patient_pdfs(&project, view));
        let pages = pdfs.map(|p| p.pages).unwrap_or(0);
        println!("one leaflet {}: {pages} A5 pages, 3 PDFs, best of 20: {:.1} ms", view.id, one.as_secs_f64() * 1e3);
    }
    let (all, artifacts) = best(3, || {
        let mut d = Diagnostics::new();
        patient_pdfs(&project, &library, &mut d)
    });
    let bytes: usize = artifacts.iter().map(|a| a.bytes.len()).sum();
    println!(
        "library     {} leaflet PDFs, {:.1} MB, best of 3 on {} threads: {:.2} s",
        artifacts.len(),
        bytes as f64 / 1e6,
        rayon::current_num_threads(),
        all.as_secs_f64()
    );
}
