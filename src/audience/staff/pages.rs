//! The staff site's web pages: the landing page, the policy library, each policy's page, and the
//! accessibility statement, filled from small view structs made from resolved views.
//!
//! Pure: returns files in memory. Templates only lay out what the view gives them; they never
//! choose which policy text an audience reads.

use rayon::prelude::*;
use serde::Serialize;

use crate::audience::produced;
use crate::diag::{Diagnostics, Location};
use crate::load::Project;
use crate::load::theme::Theme;
use crate::model::Artifact;
use crate::model::dates::ReviewStatus;
use crate::model::{Audience, BlockKind, Status, plain_text};
use crate::render::html::{HtmlContext, blocks_to_html};
use crate::render::templates::PageRenderer;
use crate::resolve::{AudienceView, Library};

#[derive(Serialize)]
struct LandingOutput {
    label: &'static str,
    description: &'static str,
    href: String,
    count: usize,
}

#[derive(Serialize)]
struct LandingPage {
    outputs: Vec<LandingOutput>,
}

/// The landing page: a link to each audience's index that this build produces.
pub fn landing_page(pages: &PageRenderer<'_>, library: &Library) -> Result<Artifact, (Location, String)> {
    let outputs = Audience::ALL
        .into_iter()
        .filter(|&a| produced(a).html)
        .map(|a| LandingOutput {
            label: match a {
                Audience::Staff => "Staff policy library",
                Audience::Patient => "Patient information leaflets",
                Audience::EasyRead => "Easy read information",
                Audience::Poster => "Ward posters",
            },
            description: match a {
                Audience::Staff => "Every policy in full, for staff, with search.",
                Audience::Patient => "What our policies mean for patients, carers and visitors.",
                Audience::EasyRead => "Short sentences with pictures.",
                Audience::Poster => "Posters for wards, ready to print on A3 or A4.",
            },
            href: format!("{}/index.html", a.name()),
            count: library.views(a).count(),
        })
        .collect();
    let html = pages.render("landing.html", "", &LandingPage { outputs })?;
    Ok(Artifact::new("index.html", html.into_bytes()))
}

#[derive(Serialize)]
struct LibraryRow<'a> {
    id: &'a str,
    title: &'a str,
    reference: &'a str,
    version: &'a str,
    owner: &'a str,
    summary: &'a str,
    review_date: String,
    review_date_long: String,
    status_key: &'static str,
    status_label: &'static str,
    draft: bool,
    href: String,
    pdf_href: Option<String>,
}

#[derive(Serialize)]
struct LibraryPage<'a> {
    rows: Vec<LibraryRow<'a>>,
    overdue_count: usize,
    today: String,
}

/// The status shown in the library: withdrawn overrides the review status.
fn status_of(view: &AudienceView) -> (&'static str, &'static str) {
    match view.staff.as_ref().map(|s| s.status) {
        Some(Status::Withdrawn) => ("withdrawn", "Withdrawn"),
        _ => (view.review_status.key(), view.review_status.label()),
    }
}

/// The staff library page, listing every policy, sorted by title.
pub fn staff_index(pages: &PageRenderer<'_>, library: &Library) -> Result<Artifact, (Location, String)> {
    let mut rows: Vec<LibraryRow<'_>> = library
        .views(Audience::Staff)
        .map(|v| {
            let staff = v.staff.as_ref();
            let (status_key, status_label) = status_of(v);
            LibraryRow {
                id: &v.id,
                title: &v.policy_title,
                reference: v.reference.as_deref().unwrap_or(""),
                version: &v.version,
                owner: staff.and_then(|s| s.owner.as_deref()).unwrap_or(""),
                summary: staff.and_then(|s| s.summary.as_deref()).unwrap_or(""),
                review_date: v.review_date.to_string(),
                review_date_long: v.review_date.long(),
                status_key,
                status_label,
                draft: v.draft,
                href: format!("{}.html", v.id),
                pdf_href: produced(Audience::Staff).pdf.then(|| format!("{}.pdf", v.id)),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.title.to_lowercase().cmp(&b.title.to_lowercase()).then(a.id.cmp(b.id)));
    let overdue_count = rows.iter().filter(|r| r.status_key == ReviewStatus::Overdue.key()).count();
    let page = LibraryPage { rows, overdue_count, today: library.today.long() };
    let html = pages.render("staff/index.html", "../", &page)?;
    Ok(Artifact::new("staff/index.html", html.into_bytes()))
}

#[derive(Serialize)]
struct TocEntry {
    anchor: String,
    text: String,
    level: u8,
}

#[derive(Serialize)]
struct VersionLink {
    label: &'static str,
    html_href: Option<String>,
    pdf_href: Option<String>,
}

#[derive(Serialize)]
struct HistoryRow<'a> {
    version: &'a str,
    date: String,
    date_long: String,
    changes: &'a str,
}

#[derive(Serialize)]
struct RelatedRow<'a> {
    id: &'a str,
    title: &'a str,
    href: Option<String>,
}

#[derive(Serialize)]
struct ExtraRow<'a> {
    name: String,
    value: &'a str,
}

#[derive(Serialize)]
struct PolicyPage<'a> {
    id: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    reference: Option<&'a str>,
    version: &'a str,
    status_label: &'static str,
    review_date: String,
    review_date_long: String,
    review_status_key: &'static str,
    review_status_label: &'static str,
    owner: Option<&'a str>,
    approved_by: Option<&'a str>,
    approved_date_long: Option<String>,
    draft: bool,
    withdrawn: bool,
    toc: Vec<TocEntry>,
    body_html: String,
    history: Vec<HistoryRow<'a>>,
    related: Vec<RelatedRow<'a>>,
    extra: Vec<ExtraRow<'a>>,
    versions: Vec<VersionLink>,
}

#[derive(Serialize)]
struct PolicyContext<'a> {
    page: PolicyPage<'a>,
}

/// A field name from `extra:` as a heading: `equality-impact` -> `Equality impact`.
fn humanise(key: &str) -> String {
    let words = key.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Links to each version of the policy this build produces, from a page in `output/<audience>/`.
pub fn version_links(view: &AudienceView) -> Vec<VersionLinkView> {
    view.available
        .iter()
        .map(|&a| {
            let p = produced(a);
            let prefix = if a == view.audience { String::new() } else { format!("../{}/", a.name()) };
            VersionLinkView {
                audience: a,
                html_href: (p.html && a != view.audience).then(|| format!("{prefix}{}.html", view.id)),
                pdf_href: p.pdf.then(|| format!("{prefix}{}.pdf", view.id)),
            }
        })
        .filter(|v| v.html_href.is_some() || v.pdf_href.is_some())
        .collect()
}

/// One other version of a policy and where its files are.
pub struct VersionLinkView {
    /// Whose version.
    pub audience: Audience,
    /// Its web page, if produced (never the page itself).
    pub html_href: Option<String>,
    /// Its PDF, if produced.
    pub pdf_href: Option<String>,
}

/// The staff page of one policy.
pub fn staff_page(
    pages: &PageRenderer<'_>,
    theme: &Theme,
    view: &AudienceView,
) -> Result<Artifact, (Location, String)> {
    let staff = view.staff.as_ref().expect("staff views carry staff details");
    let toc = view
        .blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading { level, content, anchor } if *level <= 3 => {
                Some(TocEntry { anchor: anchor.clone(), text: plain_text(content).trim().to_string(), level: *level })
            }
            _ => None,
        })
        .collect();
    let body_html = blocks_to_html(&view.blocks, &HtmlContext { theme, root: "../" });
    let (_, status_label) = match staff.status {
        Status::Draft => ("draft", "Draft"),
        Status::Approved => ("approved", "Approved"),
        Status::Withdrawn => ("withdrawn", "Withdrawn"),
    };
    let versions = version_links(view)
        .into_iter()
        .map(|v| VersionLink { label: v.audience.label(), html_href: v.html_href, pdf_href: v.pdf_href })
        .collect();
    let page = PolicyPage {
        id: &view.id,
        title: &view.title,
        summary: staff.summary.as_deref(),
        reference: view.reference.as_deref(),
        version: &view.version,
        status_label,
        review_date: view.review_date.to_string(),
        review_date_long: view.review_date.long(),
        review_status_key: view.review_status.key(),
        review_status_label: view.review_status.label(),
        owner: staff.owner.as_deref(),
        approved_by: staff.approved_by.as_deref(),
        approved_date_long: staff.approved_date.map(|d| d.long()),
        draft: view.draft,
        withdrawn: staff.status == Status::Withdrawn,
        toc,
        body_html,
        history: staff
            .history
            .iter()
            .map(|h| HistoryRow {
                version: &h.version,
                date: h.date.to_string(),
                date_long: h.date.long(),
                changes: &h.changes,
            })
            .collect(),
        related: staff
            .related
            .iter()
            .map(|r| RelatedRow {
                id: &r.id,
                title: r.title.as_deref().unwrap_or(&r.id),
                href: r.title.as_ref().map(|_| format!("{}.html", r.id)),
            })
            .collect(),
        extra: staff.extra.iter().map(|(k, v)| ExtraRow { name: humanise(k), value: v }).collect(),
        versions,
    };
    let html = pages.render("staff/policy.html", "../", &PolicyContext { page })?;
    Ok(Artifact::new(&format!("staff/{}.html", view.id), html.into_bytes()))
}

#[derive(Serialize)]
struct StatementPage {
    contact: String,
    today: String,
}

/// The accessibility statement public bodies must publish, with how to ask for other formats.
pub fn accessibility_statement(
    pages: &PageRenderer<'_>,
    project: &Project,
    library: &Library,
) -> Result<Artifact, (Location, String)> {
    let c = &project.config.contact;
    let mut contact = c.name.clone().unwrap_or_else(|| project.config.organisation.clone());
    if let Some(phone) = &c.phone {
        contact.push_str(&format!(", phone {phone}"));
    }
    if let Some(email) = &c.email {
        contact.push_str(&format!(", email {email}"));
    }
    let html =
        pages.render("staff/accessibility.html", "../", &StatementPage { contact, today: library.today.long() })?;
    Ok(Artifact::new("staff/accessibility.html", html.into_bytes()))
}

/// The staff site: landing page, library, one page per policy. Runs the policies in parallel;
/// output order is fixed by the library, not by threads.
pub fn staff_site(
    pages: &PageRenderer<'_>,
    theme: &Theme,
    library: &Library,
    diags: &mut Diagnostics,
) -> Vec<Artifact> {
    let views: Vec<&AudienceView> = library.views(Audience::Staff).collect();
    let results: Vec<Result<Artifact, (Location, String)>> =
        views.par_iter().map(|v| staff_page(pages, theme, v)).collect();
    let mut out = Vec::new();
    for result in results.into_iter().chain([staff_index(pages, library), landing_page(pages, library)]) {
        match result {
            Ok(a) => out.push(a),
            Err((location, message)) => {
                diags.error(location, message).hint("fix the template, or delete the override to use the built-in one");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humanise_turns_keys_into_headings() {
        assert_eq!(humanise("equality-impact"), "Equality impact");
    }
}
