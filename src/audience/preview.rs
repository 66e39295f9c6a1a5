//! Author previews: `preview/<id>.html` shows every version of a policy side by side (each
//! audience's page in a frame, with links to its PDFs), and `preview/index.html` lists them.
//!
//! Pure. Shows only files this build produces; adds no text of its own to any audience's output.

use serde::Serialize;

use crate::audience::{pdf_files, produced};
use crate::diag::Location;
use crate::model::Artifact;
use crate::render::templates::PageRenderer;
use crate::resolve::{Library, ResolvedPolicy};

#[derive(Serialize)]
struct PdfLink {
    label: &'static str,
    href: String,
}

#[derive(Serialize)]
struct Pane {
    key: &'static str,
    label: &'static str,
    html_href: Option<String>,
    pdfs: Vec<PdfLink>,
}

#[derive(Serialize)]
struct PreviewPage<'a> {
    title: &'a str,
    /// A draft: the page says so, as every draft page does.
    draft: bool,
    panes: Vec<Pane>,
}

#[derive(Serialize)]
struct PreviewContext<'a> {
    page: PreviewPage<'a>,
}

#[derive(Serialize)]
struct PreviewItem<'a> {
    title: &'a str,
    href: String,
    versions: String,
}

#[derive(Serialize)]
struct PreviewIndex<'a> {
    items: Vec<PreviewItem<'a>>,
}

fn panes(policy: &ResolvedPolicy) -> Vec<Pane> {
    policy
        .views
        .iter()
        .map(|view| {
            let a = view.audience;
            Pane {
                key: a.name(),
                label: a.label(),
                html_href: produced(a).html.then(|| format!("../{}/{}.html", a.name(), view.id)),
                pdfs: pdf_files(a, &view.id)
                    .into_iter()
                    .map(|(label, path)| PdfLink { label, href: format!("../{path}") })
                    .collect(),
            }
        })
        .collect()
}

/// The preview page of every policy and the previews index.
pub fn preview_pages(pages: &PageRenderer<'_>, library: &Library) -> Vec<Result<Artifact, (Location, String)>> {
    let mut out: Vec<_> = library.policies.iter().map(|policy| policy_page(pages, policy)).collect();
    out.push(index_page(pages, library));
    out
}

/// The preview page of one policy, `preview/<id>.html`.
pub fn policy_page(pages: &PageRenderer<'_>, policy: &ResolvedPolicy) -> Result<Artifact, (Location, String)> {
    let staff = policy.staff();
    let page =
        PreviewContext { page: PreviewPage { title: &staff.policy_title, draft: staff.draft, panes: panes(policy) } };
    pages
        .render("preview/policy.html", "../", &page)
        .map(|html| Artifact::new(&format!("preview/{}.html", policy.id), html.into_bytes()))
}

/// The previews index, `preview/index.html`.
pub fn index_page(pages: &PageRenderer<'_>, library: &Library) -> Result<Artifact, (Location, String)> {
    let mut items = Vec::new();
    for policy in &library.policies {
        let staff = policy.staff();
        let versions = panes(policy).iter().map(|p| p.label).collect::<Vec<_>>().join(", ");
        items.push(PreviewItem { title: &staff.policy_title, href: format!("{}.html", policy.id), versions });
    }
    items.sort_by_key(|item| item.title.to_lowercase());
    pages
        .render("preview/index.html", "../", &PreviewIndex { items })
        .map(|html| Artifact::new("preview/index.html", html.into_bytes()))
}
