//! The public site, `output/public/`: what the communications team uploads to the Trust's
//! public website as it is. A landing page; the patient, easy-read and poster pages, indexes
//! and PDFs; the assets those pages use; an accessibility statement of its own; and, for each
//! policy, the folder of its short web address: `<short>/index.html` opens its leaflet (or,
//! without one, its easy read, else its posters) and `<short>/easy-read/index.html` its easy
//! read, so `<public-url><short>` works on any static web server.
//!
//! Built from a library without drafts, by the same page makers as the intranet's audience
//! pages, through a renderer whose shared links (home, accessibility statement) stay inside
//! `public/`. It never holds, names or links to a staff page, the search index, a preview or a
//! draft (tests walk every link and asset of it).
//!
//! Pure: returns files in memory.

use serde::Serialize;

use crate::audience::patient::pdf::has_readable_content;
use crate::audience::patient_facing::{ContactView, PATIENT_FACING, PageContext, audience_index, contact_name};
use crate::audience::{LandingCard, PolicyDocuments, pictures};
use crate::load::Project;
use crate::model::phone::tel_href;
use crate::model::{Artifact, Audience, Inline};
use crate::render::templates::{PageRenderer, PageResult};
use crate::resolve::{AudienceView, Library, ResolvedPolicy};

/// The folder of the public site under `output/`.
pub const PUBLIC_DIR: &str = "public";

#[derive(Serialize)]
struct Landing<'a> {
    outputs: Vec<LandingCard>,
    contact: Option<ContactView<'a>>,
}

#[derive(Serialize)]
struct Statement {
    contact: String,
    today: String,
}

#[derive(Serialize)]
struct ShortPage<'a> {
    title: &'a str,
    href: String,
    link_text: String,
    canonical: Option<String>,
}

/// One policy's pages on the public site (under `public/`): its leaflet, easy read and posters
/// and its translations' (with the documents in `docs`), and its short addresses.
pub fn policy_pages(pages: &PageRenderer<'_>, project: &Project, docs: &PolicyDocuments<'_>) -> Vec<PageResult> {
    let mut results = crate::audience::patient_facing_pages(pages, project, docs);
    results.extend(short_pages(pages, project, docs.policy));
    results.into_iter().map(|r| r.map(|a| Artifact::new(&format!("{PUBLIC_DIR}/{}", a.path), a.bytes))).collect()
}

/// The public site's pages about the whole library (under `public/`): the index of each kind of
/// document, the landing page, the accessibility statement, and the assets; and the problems of
/// their templates.
pub fn site_pages(
    pages: &PageRenderer<'_>,
    project: &Project,
    library: &Library,
) -> (Vec<Artifact>, Vec<(crate::diag::Location, String)>) {
    let mut results: Vec<PageResult> = Vec::new();
    for audience in PATIENT_FACING {
        let views: Vec<&AudienceView> = library.views(audience).collect();
        if !views.is_empty() {
            results.push(audience_index(pages, &project.config, audience, &views, library));
        }
    }
    results.push(landing(pages, project, library));
    results.push(statement(pages, project, library));
    let mut artifacts = Vec::new();
    let mut problems = Vec::new();
    for result in results {
        match result {
            Ok(mut artifact) => {
                artifact.path = format!("{PUBLIC_DIR}/{}", artifact.path);
                artifacts.push(artifact);
            }
            Err(problem) => problems.push(problem),
        }
    }
    artifacts.extend(assets(project, library));
    (artifacts, problems)
}

fn landing(pages: &PageRenderer<'_>, project: &Project, library: &Library) -> PageResult {
    let outputs = PATIENT_FACING
        .into_iter()
        .map(|a| (a, library.views(a).count()))
        .filter(|(_, count)| *count > 0)
        .map(|(a, count)| {
            let description = match a {
                Audience::Patient => "What our policies mean for patients, carers and visitors.",
                Audience::EasyRead => "Short sentences with pictures.",
                _ => "Posters for wards and waiting areas, ready to print on A3 or A4.",
            };
            LandingCard::new(a, description, count)
        })
        .collect();
    let c = &project.config.contact;
    let contact = (c.phone.is_some() || c.email.is_some()).then(|| ContactView {
        name: contact_name(&project.config, c),
        phone: c.phone.as_deref(),
        phone_href: c.phone.as_deref().map(tel_href),
        email: c.email.as_deref(),
    });
    let html = pages.render("public/landing.html", "", &Landing { outputs, contact })?;
    Ok(Artifact::new("index.html", html.into_bytes()))
}

fn statement(pages: &PageRenderer<'_>, project: &Project, library: &Library) -> PageResult {
    let c = &project.config.contact;
    let mut contact = contact_name(&project.config, c).to_string();
    if let Some(phone) = &c.phone {
        contact.push_str(&format!(", phone {phone}"));
    }
    if let Some(email) = &c.email {
        contact.push_str(&format!(", email {email}"));
    }
    let html = pages.render("public/accessibility.html", "", &Statement { contact, today: library.today.long() })?;
    Ok(Artifact::new("accessibility.html", html.into_bytes()))
}

/// The page a policy's short address opens: its leaflet, else its easy read, else its posters.
pub fn short_target(policy: &ResolvedPolicy) -> Option<&AudienceView> {
    policy
        .view(Audience::Patient)
        .filter(|v| has_readable_content(v))
        .or_else(|| policy.view(Audience::EasyRead))
        .or_else(|| policy.view(Audience::Poster))
}

/// `<short>/index.html` and, with an easy read, `<short>/easy-read/index.html`: pages that send
/// the reader straight on to the document (an immediate refresh, with a link as well).
fn short_pages(pages: &PageRenderer<'_>, project: &Project, policy: &ResolvedPolicy) -> Vec<PageResult> {
    let Some(target) = short_target(policy) else { return Vec::new() };
    let short = &target.short;
    let mut out = Vec::new();
    let mut page = |audience: Audience, view: &AudienceView, dir: String, root: &str| {
        let path = format!("{}/{}.html", audience.name(), view.stem());
        // A translation's page reads in its language: its title is the link.
        let link_text = match (audience, &view.lang) {
            (_, Some(_)) => view.title.clone(),
            (Audience::Patient, None) => format!("Read the leaflet: {}", view.title),
            (Audience::EasyRead, None) => format!("Read the easy read: {}", view.title),
            _ => format!("See the posters: {}", view.title),
        };
        let context = ShortPage {
            title: &view.title,
            href: format!("{root}{path}"),
            link_text,
            canonical: project.config.public_address(&path),
        };
        out.push(
            pages
                .render_in("public/short.html", root, &PageContext { page: context }, view.lang.as_deref())
                .map(|html| Artifact::new(&format!("{dir}/index.html"), html.into_bytes())),
        );
    };
    page(target.audience, target, short.clone(), "../");
    if let Some(easy) = policy.view(Audience::EasyRead) {
        page(Audience::EasyRead, easy, format!("{short}/easy-read"), "../../");
    }
    // Each translation has its own short address, `<short>/<lang>/`, which its QR codes encode.
    let langs: std::collections::BTreeSet<&str> =
        policy.translations.iter().filter_map(|v| v.lang.as_deref()).collect();
    for lang in langs {
        let of = |audience: Audience| {
            policy.translations.iter().find(|v| v.audience == audience && v.lang.as_deref() == Some(lang))
        };
        let target = of(Audience::Patient)
            .filter(|v| has_readable_content(v))
            .or_else(|| of(Audience::EasyRead))
            .or_else(|| of(Audience::Poster));
        if let Some(target) = target {
            page(target.audience, target, format!("{short}/{lang}"), "../../");
        }
        if let Some(easy) = of(Audience::EasyRead) {
            page(Audience::EasyRead, easy, format!("{short}/{lang}/easy-read"), "../../../");
        }
    }
    out
}

/// What the public pages use: stylesheets, the web fonts, the logo, and only the pictures the
/// public documents show (a picture in staff-only text stays off the public site).
fn assets(project: &Project, library: &Library) -> Vec<Artifact> {
    let mut out = vec![Artifact::new(
        &format!("{PUBLIC_DIR}/assets/theme.css"),
        crate::audience::theme_css(project, library).into_bytes(),
    )];
    out.extend(crate::audience::script_font_assets(project, library, &format!("{PUBLIC_DIR}/")));
    if let Some(css) = project.theme.file("static/style.css") {
        out.push(Artifact::new(&format!("{PUBLIC_DIR}/assets/style.css"), css.to_vec()));
    }
    for name in crate::audience::WEB_FONTS {
        if let Some(bytes) = project.theme.file(&format!("fonts/{name}")) {
            out.push(Artifact::new(&format!("{PUBLIC_DIR}/assets/fonts/{name}"), bytes.to_vec()));
        }
    }
    if let Some(mut logo) = pictures::logo_asset(project) {
        logo.path = format!("{PUBLIC_DIR}/{}", logo.path);
        out.push(logo);
    }
    let mut used = std::collections::BTreeSet::new();
    for audience in PATIENT_FACING {
        for view in library.all_views(audience) {
            crate::model::for_each_inline(&view.blocks, &mut |inline| {
                if let Inline::Image { path, .. } = inline {
                    used.insert(path.clone());
                }
            });
        }
    }
    for path in used {
        if let Some(bytes) = project.images.get(&path) {
            out.push(Artifact::new(&format!("{PUBLIC_DIR}/assets/content/{path}"), bytes.clone()));
        }
    }
    out
}

/// The public site's copies of the patient-facing PDFs: the same files as the intranet's.
pub fn public_pdfs(pdfs: &[Artifact]) -> Vec<Artifact> {
    pdfs.iter()
        .filter(|a| PATIENT_FACING.iter().any(|aud| a.path.starts_with(&format!("{}/", aud.name()))))
        .map(|a| Artifact::new(&format!("{PUBLIC_DIR}/{}", a.path), a.bytes.clone()))
        .collect()
}
