//! Helpers shared by the PDF test files: a throwaway project folder holding one policy, loaded,
//! parsed and resolved; the text of a laid-out item; the page sizes of a PDF.
//!
//! Every project is made under a new temporary folder, never a real one.

// Each test file uses some of these helpers, not all.
#![allow(dead_code)]

use std::fs;

use lopdf::{Document, Object};
use policypress::diag::Diagnostics;
use policypress::load::{Project, load_project};
use policypress::model::dates::Date;
use policypress::parse::parse_project;
use policypress::pdf::layout::Item;
use policypress::resolve::{Library, ResolveOptions, resolve};

/// A project folder with one policy, loaded and resolved (drafts included).
pub struct FixtureProject {
    /// Removed when the fixture is dropped.
    pub dir: tempfile::TempDir,
    pub project: Project,
    pub library: Library,
    /// What loading, parsing and resolving reported.
    pub diags: Diagnostics,
}

/// The date the fixtures judge review dates by.
pub fn test_date() -> Date {
    Date::from_ymd(2025, 6, 1).expect("date")
}

/// Writes `config` as `policypress.yaml` and `policy` as `content/test.md` in a new temporary
/// folder, then loads, parses and resolves it as of `today`.
pub fn fixture_project(config: &str, policy: &str, today: Date) -> FixtureProject {
    fixture_project_with(config, policy, &[], today)
}

/// As [`fixture_project`], with more files (path under the project, bytes), such as a logo.
pub fn fixture_project_with(config: &str, policy: &str, files: &[(&str, &[u8])], today: Date) -> FixtureProject {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("content")).expect("content dir");
    fs::write(dir.path().join("policypress.yaml"), config).expect("config");
    fs::write(dir.path().join("content/test.md"), policy).expect("policy");
    for (path, bytes) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        fs::write(path, bytes).expect("file");
    }
    let mut diags = Diagnostics::new();
    let project = load_project(dir.path(), &mut diags).expect("project loads");
    let policies = parse_project(&project, &mut diags);
    let library = resolve(&policies, ResolveOptions { today, drafts: true }, &mut diags);
    FixtureProject { dir, project, library, diags }
}

/// A small logo of the tests' own: a teal square and a white bar.
pub const TEST_LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><rect width="20" height="20" fill="#00594f"/><line x1="4" y1="10" x2="16" y2="10" stroke="#fff" stroke-width="3"/><circle cx="30" cy="10" r="8" fill="#e8743b"/></svg>"##;

/// The settings lines that give a project the test logo (at `branding/logo.svg`).
pub const LOGO_SETTING: &str = "logo:\n  file: branding/logo.svg\n  alt: Test Trust logo\n";

/// The characters a text item draws; `None` for other items.
pub fn item_text(item: &Item) -> Option<String> {
    match item {
        Item::Text { run, .. } => Some(run.glyphs.iter().map(|g| g.text.as_str()).collect()),
        _ => None,
    }
}

/// Width and height of every page of a PDF, in points.
pub fn media_boxes(bytes: &[u8]) -> Vec<(f32, f32)> {
    let doc = Document::load_mem(bytes).expect("lopdf parses");
    doc.get_pages()
        .values()
        .map(|id| {
            let page = doc.get_dictionary(*id).expect("page");
            let media = page.get(b"MediaBox").and_then(Object::as_array).expect("media box");
            let v: Vec<f32> = media.iter().map(|o| o.as_float().unwrap_or(0.0)).collect();
            (v[2] - v[0], v[3] - v[1])
        })
        .collect()
}

/// What the tag tree reads for element `e` of a layout: the text of its items and of its
/// children's, in tree order, joined with nothing between them, as a screen reader or
/// `pdfinfo -struct-text` joins the glyphs of one element. Whitespace runs become one space.
pub fn reads(layout: &policypress::pdf::layout::Layout, e: usize) -> String {
    fn collect(layout: &policypress::pdf::layout::Layout, e: usize, out: &mut String) {
        for kid in &layout.tree[e].kids {
            match *kid {
                policypress::pdf::layout::Kid::Item { page, item } => {
                    out.push_str(&item_text(&layout.pages[page].items[item]).unwrap_or_default());
                }
                policypress::pdf::layout::Kid::Elem(child) => collect(layout, child, out),
            }
        }
    }
    let mut text = String::new();
    collect(layout, e, &mut text);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How many lines element `e`'s text items are drawn on (distinct baselines per page).
pub fn text_lines(layout: &policypress::pdf::layout::Layout, e: usize) -> usize {
    let mut lines = std::collections::BTreeSet::new();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        for kid in &layout.tree[e].kids {
            match *kid {
                policypress::pdf::layout::Kid::Item { page, item } => {
                    if let Item::Text { y, .. } = &layout.pages[page].items[item] {
                        lines.insert((page, (y * 100.0) as i64));
                    }
                }
                policypress::pdf::layout::Kid::Elem(child) => stack.push(child),
            }
        }
    }
    lines.len()
}
