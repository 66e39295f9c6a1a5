//! The audiences stage: each audience's rules, web pages and PDF design turn its resolved views
//! into output files in memory (HTML pages, PDFs, assets), one folder per audience.
//!
//! Pure: never writes to disk (that is `write`), never filters by audience (that is `resolve`).
//! To add an output, add it to its audience's folder, call it from [`render_library`] and
//! switch it on in [`produced`].

pub mod easy_read;
pub mod patient;
pub mod patient_facing;
pub mod pdf_output;
pub mod pictures;
pub mod poster;
pub mod preview;
pub mod staff;

use crate::audience::easy_read::{EasyReadDoc, easy_read_doc};
use crate::audience::poster::{Poster, posters};
use crate::diag::Diagnostics;
use crate::load::Project;
use crate::load::config::ThemeColours;
use crate::model::Artifact;
use crate::model::Audience;
use crate::render::templates::{PageRenderer, PageResult, load_templates};
use crate::render::theme_css::colours_css;
use crate::resolve::{AudienceView, Library};

/// Knobs of the render stage.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Treat readability limits as errors.
    pub strict: bool,
}

/// Which formats this build produces for an audience.
#[derive(Debug, Clone, Copy)]
pub struct Produced {
    /// `output/<audience>/<id>.html` and `output/<audience>/index.html`.
    pub html: bool,
    /// `output/<audience>/<id>.pdf`.
    pub pdf: bool,
}

/// The outputs implemented so far, so pages link only to files that exist.
pub fn produced(audience: Audience) -> Produced {
    match audience {
        Audience::Staff | Audience::Patient | Audience::EasyRead | Audience::Poster => {
            Produced { html: true, pdf: true }
        }
    }
}

/// The PDF files this build produces for one policy and audience: (what it is, path under
/// `output/`).
pub fn pdf_files(audience: Audience, id: &str) -> Vec<(&'static str, String)> {
    if !produced(audience).pdf {
        return Vec::new();
    }
    let dir = audience.name();
    match audience {
        Audience::Patient => vec![
            ("PDF (A5 leaflet)", format!("{dir}/{id}.pdf")),
            ("Large print PDF", format!("{dir}/{id}-large-print.pdf")),
            ("Booklet PDF for printing", format!("{dir}/{id}-booklet.pdf")),
        ],
        Audience::Poster => vec![("PDF (A3)", format!("{dir}/{id}.pdf")), ("PDF (A4)", format!("{dir}/{id}-a4.pdf"))],
        Audience::Staff | Audience::EasyRead => vec![("PDF", format!("{dir}/{id}.pdf"))],
    }
}

/// What is worked out before rendering: the theme's colours (checked for contrast), and the
/// easy-read documents and posters of a library (with their lints), once, so the HTML and the PDF show the same rows, and so their problems are
/// reported even when other errors stop the build from rendering.
pub struct Prepared<'a> {
    /// The theme's colours, checked for contrast.
    pub colours: ThemeColours,
    /// Each easy-read view with its rows.
    pub easy_read: Vec<(&'a AudienceView, EasyReadDoc)>,
    /// Each poster view with its posters.
    pub posters: Vec<(&'a AudienceView, Vec<Poster>)>,
}

/// Builds the easy-read documents and posters of `library`, reporting their rules' findings.
pub fn prepare<'a>(project: &Project, library: &'a Library, diags: &mut Diagnostics) -> Prepared<'a> {
    let colours = project.theme_settings.colours.clone();
    crate::load::contrast::check_theme_contrast(&colours, diags);
    let easy_read = library.views(Audience::EasyRead).map(|v| (v, easy_read_doc(v, diags))).collect();
    let posters: Vec<_> = library.views(Audience::Poster).map(|v| (v, posters(v, diags))).collect();
    let has_addresses = !posters.is_empty() || library.views(Audience::Patient).next().is_some();
    if project.config.base_url.is_none() && has_addresses {
        diags
            .warning(
                crate::load::config::config_location(),
                "there is no `base-url`, so leaflets and posters have no web address or QR code",
            )
            .hint("add `base-url: https://...` (where the output is published) to policypress.yaml");
    }
    Prepared { colours, easy_read, posters }
}

/// Renders every output of the library, plus the assets the pages use, in a fixed order.
pub fn render_library(
    project: &Project,
    library: &Library,
    prepared: &Prepared<'_>,
    _options: &RenderOptions,
    diags: &mut Diagnostics,
) -> Vec<Artifact> {
    let Some(tera) = load_templates(&project.theme, &project.config.theme, diags) else {
        return Vec::new();
    };
    let pages = PageRenderer::new(&tera, project);
    let theme = &project.theme;
    let config = &project.config;
    let mut pages_out: Vec<PageResult> = Vec::new();
    let mut artifacts = staff::pages::staff_site(&pages, theme, library, diags);
    pages_out.extend(preview::preview_pages(&pages, library));
    pages_out.push(staff::pages::accessibility_statement(&pages, project, library));

    let patient: Vec<&AudienceView> = library.views(Audience::Patient).collect();
    let Prepared { colours, easy_read, posters } = prepared;
    pages_out.extend(patient.iter().map(|v| patient::page::leaflet_page(&pages, theme, config, v)));
    pages_out.extend(easy_read.iter().map(|(v, doc)| easy_read::page::easy_read_page(&pages, theme, config, v, doc)));
    pages_out.extend(posters.iter().map(|(v, p)| poster::page::poster_page(&pages, theme, config, v, p)));
    for audience in [Audience::Patient, Audience::EasyRead, Audience::Poster] {
        let views: Vec<&AudienceView> = library.views(audience).collect();
        if !views.is_empty() {
            pages_out.push(patient_facing::audience_index(&pages, audience, &views));
        }
    }
    for result in pages_out {
        match result {
            Ok(artifact) => artifacts.push(artifact),
            Err((location, message)) => {
                diags.error(location, message).hint("fix the template, or delete the override to use the built-in one");
            }
        }
    }
    artifacts.push(staff::search::search_index(library));
    artifacts.push(Artifact::new("assets/theme.css", colours_css(colours).into_bytes()));
    // The staff PDFs (the PDF engine lives in `crate::pdf`).
    artifacts.extend(staff::pdf::staff_pdfs(project, library, diags));
    // The patient leaflets: A5, large print and booklet.
    artifacts.extend(patient::pdf::patient_pdfs(project, library, diags));
    // The easy-read and poster PDFs, from the same rows and posters as the web pages.
    artifacts.extend(easy_read::pdf::easy_read_pdfs(project, easy_read, diags));
    artifacts.extend(poster::pdf::poster_pdfs(project, posters, diags));
    artifacts.extend(assets(project));
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    artifacts
}

/// The theme's static files and the pictures under `content/`.
fn assets(project: &Project) -> Vec<Artifact> {
    let theme = project
        .theme
        .files_under("static/")
        .map(|(path, bytes)| Artifact::new(&format!("assets/{}", &path["static/".len()..]), bytes.to_vec()));
    let images =
        project.images.iter().map(|(path, bytes)| Artifact::new(&format!("assets/content/{path}"), bytes.clone()));
    // The web pages for patients, easy read and posters use Atkinson Hyperlegible, like the PDFs.
    let fonts = ["AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf", "OFL-AtkinsonHyperlegible.txt"]
        .into_iter()
        .filter_map(|name| {
            let bytes = project.theme.file(&format!("fonts/{name}"))?;
            Some(Artifact::new(&format!("assets/fonts/{name}"), bytes.to_vec()))
        });
    theme.chain(images).chain(fonts).collect()
}
