//! The staff site's web pages: the landing page, the policy library, each policy's page, and the
//! accessibility statement, filled from small view structs made from resolved views.
//!
//! Pure: returns files in memory. Templates only lay out what the view gives them; they never
//! choose which policy text an audience reads.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::audience::staff::changes::{Passage, Piece, changes};

use crate::audience::staff::{browse, report};
use crate::audience::{LandingCard, produced};
use crate::diag::{Diagnostics, Location};
use crate::load::Project;
use crate::load::config::SiteConfig;
use crate::load::theme::Theme;
use crate::model::Artifact;
use crate::model::dates::ReviewStatus;
use crate::model::{Audience, BlockKind, Inline, LinkTarget, Status, plain_text};
use crate::render::html::{HtmlContext, blocks_to_html, escape};
use crate::render::templates::PageRenderer;
use crate::resolve::{AudienceView, Library};

#[derive(Serialize)]
struct LandingPage {
    outputs: Vec<LandingCard>,
}

/// The landing page: a link to each audience's index that this build produces.
pub fn landing_page(pages: &PageRenderer<'_>, library: &Library) -> Result<Artifact, (Location, String)> {
    let outputs = Audience::ALL
        .into_iter()
        .filter(|&a| produced(a).html)
        .map(|a| {
            let description = match a {
                Audience::Staff => "Every policy in full, for staff, with search.",
                Audience::Patient => "What our policies mean for patients, carers and visitors.",
                Audience::EasyRead => "Short sentences with pictures.",
                Audience::Poster => "Posters for wards, ready to print on A3 or A4.",
            };
            LandingCard::new(a, description, library.views(a).count())
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
    category: &'a str,
    directorate: &'a str,
}

/// Rows under one heading of the library: a category, or everything.
#[derive(Serialize)]
struct LibraryGroup<'a> {
    /// The category ("" when the library is not grouped).
    name: String,
    rows: Vec<LibraryRow<'a>>,
}

#[derive(Serialize)]
struct LibraryPage<'a> {
    groups: Vec<LibraryGroup<'a>>,
    total: usize,
    overdue_count: usize,
    today: String,
    categories: Vec<String>,
    directorates: Vec<String>,
}

/// The status shown in the library: withdrawn overrides the review status.
fn status_of(view: &AudienceView) -> (&'static str, &'static str) {
    match view.staff.as_ref().map(|s| s.status) {
        Some(Status::Withdrawn) => ("withdrawn", "Withdrawn"),
        _ => (view.review_status.key(), view.review_status.label()),
    }
}

/// The staff library page, listing every policy sorted by title, grouped by category when any
/// policy has one (in the order of the settings' `categories:`, then "No category").
pub fn staff_index(
    pages: &PageRenderer<'_>,
    library: &Library,
    categories: &[String],
) -> Result<Artifact, (Location, String)> {
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
                category: staff.and_then(|s| s.category.as_deref()).unwrap_or(""),
                directorate: staff.and_then(|s| s.directorate.as_deref()).unwrap_or(""),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.title.to_lowercase().cmp(&b.title.to_lowercase()).then(a.id.cmp(b.id)));
    let overdue_count = rows.iter().filter(|r| r.status_key == ReviewStatus::Overdue.key()).count();
    let total = rows.len();
    let used: Vec<String> =
        categories.iter().filter(|c| rows.iter().any(|r| r.category == c.as_str())).cloned().collect();
    let mut directorates: Vec<String> =
        rows.iter().filter(|r| !r.directorate.is_empty()).map(|r| r.directorate.to_string()).collect();
    directorates.sort();
    directorates.dedup();
    let groups = if used.is_empty() {
        vec![LibraryGroup { name: String::new(), rows }]
    } else {
        let mut groups: Vec<LibraryGroup<'_>> =
            used.iter().map(|c| LibraryGroup { name: c.clone(), rows: Vec::new() }).collect();
        let mut none = LibraryGroup { name: "No category".to_string(), rows: Vec::new() };
        for row in rows {
            match used.iter().position(|c| c == row.category) {
                Some(i) => groups[i].rows.push(row),
                None => none.rows.push(row),
            }
        }
        if !none.rows.is_empty() {
            groups.push(none);
        }
        groups
    };
    let page =
        LibraryPage { groups, total, overdue_count, today: library.today.long(), categories: used, directorates };
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
    /// The page of that version, when it is published and is not this page.
    href: Option<String>,
    /// This page's version.
    this: bool,
}

/// The "superseded" banner of an earlier version's page.
#[derive(Serialize)]
struct SupersededBanner {
    by_version: String,
    on_long: Option<String>,
    on: Option<String>,
    current_href: String,
}

/// "What changed in version <n>", compared with the previous approved version.
#[derive(Serialize)]
struct WhatChanged {
    version: String,
    previous_version: String,
    previous_href: String,
    /// The changed passages as HTML (escaped here, marked with `<ins>` and `<del>`).
    passages: Vec<ChangedPassageHtml>,
}

#[derive(Serialize)]
struct ChangedPassageHtml {
    section: Option<String>,
    html: String,
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
    category: Option<&'a str>,
    directorate: Option<&'a str>,
    superseded: Option<SupersededBanner>,
    what_changed: Option<WhatChanged>,
    translations: Vec<TranslationRow>,
    /// The pictures' credit line, when their licence asks for one.
    credit: Option<&'static str>,
}

/// A translation on the staff page: its language, whether it is of the current version, and its
/// outputs.
#[derive(Serialize)]
struct TranslationRow {
    lang: String,
    rtl: bool,
    name: String,
    english_name: String,
    of_version: String,
    out_of_date: bool,
    links: Vec<TranslationOutput>,
}

#[derive(Serialize)]
struct TranslationOutput {
    label: &'static str,
    href: String,
}

#[derive(Serialize)]
struct PolicyContext<'a> {
    page: PolicyPage<'a>,
}

/// A field name from `extra:` as the staff page and PDF show it: as the author wrote it, with
/// only its first letter raised (`CQC standards` stays `CQC standards`, `equality-impact`
/// reads `Equality-impact`); nothing is lowered or re-spaced, so `cqc` never becomes `Cqc
/// standards` by guesswork.
pub fn extra_label(key: &str) -> String {
    let mut chars = key.chars();
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

/// The file name part of a version's page: letters, digits, `.`, `-` and `_` kept, anything
/// else a hyphen (`2.1` -> `2.1`, `3 draft` -> `3-draft`).
pub fn version_slug(version: &str) -> String {
    let slug: String = version
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' })
        .collect();
    if slug.starts_with('.') || slug.is_empty() { format!("v{slug}") } else { slug }
}

/// Every published version of a policy and its page's path under `staff/`: the current one
/// `<id>.html`, earlier ones `<id>/<version>.html`. Two versions whose names make the same file
/// name keep the newer one.
pub fn version_pages(view: &AudienceView) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert(view.version.clone(), format!("{}.html", view.id));
    let mut taken: Vec<String> = Vec::new();
    for old in view.staff.iter().flat_map(|s| &s.earlier) {
        let slug = version_slug(&old.version);
        if out.contains_key(&old.version) || taken.contains(&slug) {
            continue;
        }
        out.insert(old.version.clone(), format!("{}/{slug}.html", view.id));
        taken.push(slug);
    }
    out
}

/// The earlier versions that get pages (see [`version_pages`]), newest first, each with the
/// version before it (for "what changed").
pub fn published_earlier(view: &AudienceView) -> Vec<(&AudienceView, Option<&AudienceView>)> {
    let pages = version_pages(view);
    let earlier: Vec<&AudienceView> = view.staff.iter().flat_map(|s| &s.earlier).collect();
    earlier
        .iter()
        .enumerate()
        .filter(|(_, old)| pages.get(&old.version) == Some(&format!("{}/{}.html", view.id, version_slug(&old.version))))
        .map(|(i, old)| (*old, earlier.get(i + 1).copied()))
        .collect()
}

/// A path under `staff/` as a link from a page at `staff/` (`nested` false) or `staff/<id>/`.
fn from_page(nested: bool, id: &str, path: &str) -> String {
    if !nested {
        return path.to_string();
    }
    match path.strip_prefix(&format!("{id}/")) {
        Some(inside) => inside.to_string(),
        None => format!("../{path}"),
    }
}

/// Links to other policies from an earlier version's page, which sits one folder deeper.
fn relink_for_nested_page(blocks: &mut [crate::model::Block], id: &str) {
    fn inlines(list: &mut [Inline], id: &str) {
        for inline in list {
            match inline {
                Inline::Emphasis(c) | Inline::Strong(c) | Inline::Span { content: c, .. } => inlines(c, id),
                Inline::Link { target, content, .. } => {
                    inlines(content, id);
                    if let LinkTarget::Policy { id: to, fragment } = target {
                        *target = match (to == id, fragment.take()) {
                            (true, Some(f)) => LinkTarget::Section(f),
                            (to_self, f) => {
                                let page = if to_self { format!("../{id}.html") } else { format!("../{to}.html") };
                                LinkTarget::External(match f {
                                    Some(f) => format!("{page}#{f}"),
                                    None => page,
                                })
                            }
                        };
                    }
                }
                _ => {}
            }
        }
    }
    fn block(kind: &mut BlockKind, id: &str) {
        match kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => inlines(content, id),
            BlockKind::List { items, .. } => items.iter_mut().flatten().for_each(|b| block(b, id)),
            BlockKind::Quote(blocks) => blocks.iter_mut().for_each(|b| block(b, id)),
            BlockKind::Table { header, rows, .. } => {
                header.iter_mut().chain(rows.iter_mut().flatten()).for_each(|c| inlines(c, id))
            }
            BlockKind::Code { .. } | BlockKind::Rule => {}
        }
    }
    for b in blocks {
        block(&mut b.kind, id);
    }
}

/// The changed passages as HTML: additions in `<ins>`, removals in `<del>`, each starting with
/// words a screen reader says ("added:", "removed:"), so colour is never the only sign.
fn passages_html(passages: &[Passage]) -> Vec<ChangedPassageHtml> {
    passages
        .iter()
        .map(|p| {
            let mut html = String::new();
            let mut after_removal = false;
            for piece in &p.pieces {
                // A replacement reads "removed ... added ...", with a space between the two.
                if after_removal && matches!(piece, Piece::Added(_)) {
                    html.push(' ');
                }
                after_removal = matches!(piece, Piece::Removed(_));
                match piece {
                    Piece::Same(t) => html.push_str(&escape(t)),
                    Piece::Added(t) => html
                        .push_str(&format!("<ins><span class=\"visually-hidden\">added: </span>{}</ins>", escape(t))),
                    Piece::Removed(t) => html
                        .push_str(&format!("<del><span class=\"visually-hidden\">removed: </span>{}</del>", escape(t))),
                }
            }
            ChangedPassageHtml { section: p.section.clone(), html }
        })
        .collect()
}

/// The staff page of a policy's current version (`previous`: its last approved version, from the
/// git history).
pub fn staff_page(
    pages: &PageRenderer<'_>,
    theme: &Theme,
    view: &AudienceView,
) -> Result<Artifact, (Location, String)> {
    let versions = version_pages(view);
    let previous = view.staff.as_ref().and_then(|s| s.earlier.first());
    policy_page(pages, theme, view, previous, &versions, false)
}

/// The page of an earlier version, at `staff/<id>/<version>.html`.
pub fn earlier_page(
    pages: &PageRenderer<'_>,
    theme: &Theme,
    current: &AudienceView,
    old: &AudienceView,
    previous: Option<&AudienceView>,
) -> Result<Artifact, (Location, String)> {
    let versions = version_pages(current);
    policy_page(pages, theme, old, previous, &versions, true)
}

fn policy_page(
    pages: &PageRenderer<'_>,
    theme: &Theme,
    view: &AudienceView,
    previous: Option<&AudienceView>,
    versions: &BTreeMap<String, String>,
    nested: bool,
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
    let root = if nested { "../../" } else { "../" };
    let body_html = if nested {
        let mut blocks = view.blocks.clone();
        relink_for_nested_page(&mut blocks, &view.id);
        blocks_to_html(&blocks, &HtmlContext { theme, root })
    } else {
        blocks_to_html(&view.blocks, &HtmlContext { theme, root })
    };
    let (_, status_label) = match (staff.status, &staff.superseded_by) {
        (_, Some(_)) => ("superseded", "Superseded"),
        (Status::Draft, _) => ("draft", "Draft"),
        (Status::Approved, _) => ("approved", "Approved"),
        (Status::Withdrawn, _) => ("withdrawn", "Withdrawn"),
    };
    let versions_links = if nested {
        vec![VersionLink {
            label: "This version (staff policy)",
            html_href: None,
            pdf_href: produced(Audience::Staff).pdf.then(|| format!("{}.pdf", version_slug(&view.version))),
        }]
    } else {
        version_links(view)
            .into_iter()
            .map(|v| VersionLink { label: v.audience.label(), html_href: v.html_href, pdf_href: v.pdf_href })
            .collect()
    };
    let what_changed = previous.map(|prev| WhatChanged {
        version: view.version.clone(),
        previous_version: prev.version.clone(),
        previous_href: versions.get(&prev.version).map(|p| from_page(nested, &view.id, p)).unwrap_or_default(),
        passages: passages_html(&changes(&prev.blocks, &view.blocks)),
    });
    let superseded = staff.superseded_by.as_ref().map(|by| SupersededBanner {
        by_version: by.version.clone(),
        on_long: by.on.map(|d| d.long()),
        on: by.on.map(|d| d.to_string()),
        current_href: format!("../{}.html", view.id),
    });
    let page = PolicyPage {
        id: &view.id,
        title: &view.title,
        summary: staff.summary.as_deref(),
        reference: view.reference.as_deref(),
        version: &view.version,
        status_label,
        review_date: view.review_date.to_string(),
        review_date_long: view.review_date.long(),
        review_status_key: if superseded.is_some() { "superseded" } else { view.review_status.key() },
        review_status_label: if superseded.is_some() { "Superseded" } else { view.review_status.label() },
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
                href: (h.version != view.version)
                    .then(|| versions.get(&h.version).map(|p| from_page(nested, &view.id, p)))
                    .flatten(),
                this: h.version == view.version,
            })
            .collect(),
        related: staff
            .related
            .iter()
            .map(|r| RelatedRow {
                id: &r.id,
                title: r.title.as_deref().unwrap_or(&r.id),
                href: r.title.as_ref().map(|_| from_page(nested, &view.id, &format!("{}.html", r.id))),
            })
            .collect(),
        extra: staff.extra.iter().map(|(k, v)| ExtraRow { name: extra_label(k), value: v }).collect(),
        credit: crate::audience::pictures::credit_of(theme, &view.blocks),
        versions: versions_links,
        category: staff.category.as_deref(),
        directorate: staff.directorate.as_deref(),
        superseded,
        what_changed,
        translations: staff
            .translations
            .iter()
            .map(|t| TranslationRow {
                name: crate::model::languages::own_name(&t.lang),
                english_name: crate::model::languages::language(&t.lang)
                    .map_or(t.lang.clone(), |l| l.english.to_string()),
                lang: t.lang.clone(),
                rtl: crate::model::languages::is_rtl(&t.lang),
                of_version: t.of_version.clone(),
                out_of_date: !t.current,
                links: t
                    .audiences
                    .iter()
                    .map(|(a, stem)| TranslationOutput {
                        label: a.label(),
                        href: from_page(nested, &view.id, &format!("../{}/{stem}.html", a.name())),
                    })
                    .collect(),
            })
            .collect(),
    };
    let html = pages.render("staff/policy.html", root, &PolicyContext { page })?;
    let path = if nested {
        format!("staff/{}/{}.html", view.id, version_slug(&view.version))
    } else {
        format!("staff/{}.html", view.id)
    };
    Ok(Artifact::new(&path, html.into_bytes()))
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

/// The staff site: landing page, library, one page per policy and per earlier version, the
/// recently updated page, the change feed and the sitemap. Runs the policies in parallel; output
/// order is fixed by the library, not by threads.
pub fn staff_site(
    pages: &PageRenderer<'_>,
    theme: &Theme,
    config: &SiteConfig,
    library: &Library,
    diags: &mut Diagnostics,
) -> Vec<Artifact> {
    let views: Vec<&AudienceView> = library.views(Audience::Staff).collect();
    let results: Vec<Vec<Result<Artifact, (Location, String)>>> =
        views.par_iter().map(|v| policy_pages(pages, theme, v)).collect();
    let mut out = Vec::new();
    for result in results.into_iter().flatten() {
        match result {
            Ok(a) => out.push(a),
            Err((location, message)) => {
                diags.error(location, message).hint("fix the template, or delete the override to use the built-in one");
            }
        }
    }
    out.extend(site_pages(pages, config, library, diags));
    out
}

/// The pages of one policy on the staff site: its page, and one per published earlier version.
pub fn policy_pages(
    pages: &PageRenderer<'_>,
    theme: &Theme,
    view: &AudienceView,
) -> Vec<Result<Artifact, (Location, String)>> {
    let mut out = vec![staff_page(pages, theme, view)];
    for (old, previous) in published_earlier(view) {
        out.push(earlier_page(pages, theme, view, old, previous));
    }
    out
}

/// The staff site's pages about the whole library: landing page, library, recently updated
/// page, review report, change feed and sitemap.
pub fn site_pages(
    pages: &PageRenderer<'_>,
    config: &SiteConfig,
    library: &Library,
    diags: &mut Diagnostics,
) -> Vec<Artifact> {
    let mut out = Vec::new();
    let more = [
        staff_index(pages, library, &config.categories),
        landing_page(pages, library),
        browse::recent_page(pages, library),
    ];
    for result in more {
        match result {
            Ok(a) => out.push(a),
            Err((location, message)) => {
                diags.error(location, message).hint("fix the template, or delete the override to use the built-in one");
            }
        }
    }
    match report::report_files(pages, config, library) {
        Ok(files) => out.extend(files),
        Err((location, message)) => {
            diags.error(location, message).hint("fix the template, or delete the override to use the built-in one");
        }
    }
    out.push(browse::atom_feed(config, library));
    out.extend(browse::staff_sitemap(config, library));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_keys_are_shown_as_written_with_only_the_first_letter_raised() {
        assert_eq!(extra_label("CQC standards"), "CQC standards");
        assert_eq!(extra_label("cqc-standards"), "Cqc-standards");
        assert_eq!(extra_label("equality impact"), "Equality impact");
        assert_eq!(extra_label("NICE_guideline"), "NICE_guideline");
    }
}
