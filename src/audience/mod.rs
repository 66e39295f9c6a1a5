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
pub mod public;
pub mod staff;
pub mod units;

use crate::audience::easy_read::{EasyReadDoc, easy_read_doc};
use crate::audience::poster::{Poster, posters};
use crate::cache::UnitStore;
use crate::diag::{Diagnostics, IoFailure};
use crate::load::Project;
use crate::load::config::ThemeColours;
use crate::model::Artifact;
use crate::model::Audience;
use crate::model::artifact::ArtifactSink;
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

/// Builds the easy-read documents and posters of `library`, reporting their rules' findings,
/// and checks what every build needs before it renders: the theme's contrast, its icons and
/// the logo, and that patient-facing outputs have a public address and a phone number.
pub fn prepare<'a>(project: &Project, library: &'a Library, strict: bool, diags: &mut Diagnostics) -> Prepared<'a> {
    let colours = project.theme_settings.colours.clone();
    crate::load::contrast::check_theme_contrast(&colours, diags);
    pictures::check_pictures(project, diags);
    patient_facing::check_reachable(project, library, strict, diags);
    prepare_documents(library, colours, diags)
}

/// The easy-read documents and posters of `library` alone (for the public site's library,
/// whose findings were already reported for the build's own).
pub fn prepare_documents<'a>(library: &'a Library, colours: ThemeColours, diags: &mut Diagnostics) -> Prepared<'a> {
    let easy_read = library.views(Audience::EasyRead).map(|v| (v, easy_read_doc(v, diags))).collect();
    let posters: Vec<_> = library.views(Audience::Poster).map(|v| (v, posters(v, diags))).collect();
    Prepared { colours, easy_read, posters }
}

/// What the public site is built from when it is not the build's own library: in a build with
/// drafts, the library resolved without them (drafts never reach the public site).
pub struct PublicLibrary<'a> {
    /// The library without drafts.
    pub library: &'a Library,
    /// Its easy-read documents and posters.
    pub prepared: &'a Prepared<'a>,
}

/// Where a build's files go, and how its PDFs are made.
pub struct Output<'a> {
    /// The build cache (or none).
    pub store: &'a dyn UnitStore,
    /// Where each file goes as soon as it is made.
    pub sink: &'a dyn ArtifactSink,
    /// Called with the number of PDF units before they run, then after each one.
    pub progress: &'a (dyn Fn(Progress) + Sync),
}

/// What [`Output::progress`] hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The web pages are written; this many PDF units follow.
    Units(usize),
    /// One more unit is done.
    UnitDone,
}

/// Renders every output of the library, plus the assets the pages use: the intranet site under
/// `output/`, and the public site under `output/public/` (from `public` when given, else from
/// the same library). The web pages first, then the PDFs, unit by unit ([`units`]).
pub fn render_library(
    project: &Project,
    library: &Library,
    prepared: &Prepared<'_>,
    public: Option<&PublicLibrary<'_>>,
    options: &RenderOptions,
    output: &Output<'_>,
    diags: &mut Diagnostics,
) -> Result<(), IoFailure> {
    if !render_pages(project, library, prepared, public, options, output.sink, diags)? {
        return Ok(());
    }
    let site = units::SiteKey::of(project);
    let units = units::pdf_units(project, &site, library, prepared, public);
    (output.progress)(Progress::Units(units.len()));
    units::run_pdf_units(&units, output.store, output.sink, &|| (output.progress)(Progress::UnitDone), diags)
}

/// Renders every web page of both sites, the search index and the assets (everything but the
/// PDFs) into `sink`. False when the theme's templates do not compile (reported in `diags`).
pub fn render_pages(
    project: &Project,
    library: &Library,
    prepared: &Prepared<'_>,
    public: Option<&PublicLibrary<'_>>,
    _options: &RenderOptions,
    sink: &dyn ArtifactSink,
    diags: &mut Diagnostics,
) -> Result<bool, IoFailure> {
    let Some(tera) = load_templates(&project.theme, &project.config.theme, diags) else {
        return Ok(false);
    };
    let pages = PageRenderer::new(&tera, project);
    let theme = &project.theme;
    let config = &project.config;
    let mut pages_out: Vec<PageResult> = Vec::new();
    for artifact in staff::pages::staff_site(&pages, theme, config, library, diags) {
        sink.put(artifact)?;
    }
    pages_out.extend(preview::preview_pages(&pages, library));
    pages_out.push(staff::pages::accessibility_statement(&pages, project, library));

    let patient: Vec<&AudienceView> = library.views(Audience::Patient).collect();
    let Prepared { colours, easy_read, posters } = prepared;
    pages_out.extend(patient.iter().map(|v| patient::page::leaflet_page(&pages, theme, config, v)));
    pages_out.extend(easy_read.iter().map(|(v, doc)| easy_read::page::easy_read_page(&pages, theme, config, v, doc)));
    pages_out.extend(posters.iter().map(|(v, p)| poster::page::poster_page(&pages, theme, config, v, p)));
    for audience in patient_facing::PATIENT_FACING {
        let views: Vec<&AudienceView> = library.views(audience).collect();
        if !views.is_empty() {
            pages_out.push(patient_facing::audience_index(&pages, audience, &views, library));
        }
    }
    let (public_library, public_prepared) = match public {
        Some(p) => (p.library, p.prepared),
        None => (library, prepared),
    };
    let (public_pages, public_problems) =
        public::public_pages(&PageRenderer::public(&tera, project), project, public_library, public_prepared);
    for artifact in public_pages {
        sink.put(artifact)?;
    }
    for result in pages_out.into_iter().chain(public_problems.into_iter().map(Err)) {
        match result {
            Ok(artifact) => sink.put(artifact)?,
            Err((location, message)) => {
                diags.error(location, message).hint("fix the template, or delete the override to use the built-in one");
            }
        }
    }
    for artifact in staff::search::search_index(library) {
        sink.put(artifact)?;
    }
    sink.put(Artifact::new("assets/theme.css", colours_css(colours).into_bytes()))?;
    for artifact in assets(project) {
        sink.put(artifact)?;
    }
    Ok(true)
}

/// The theme's static files and the pictures under `content/`.
fn assets(project: &Project) -> Vec<Artifact> {
    let theme = project
        .theme
        .files_under("static/")
        .map(|(path, bytes)| Artifact::new(&format!("assets/{}", &path["static/".len()..]), bytes.to_vec()));
    let images =
        project.images.iter().map(|(path, bytes)| Artifact::new(&format!("assets/content/{path}"), bytes.clone()));
    let fonts = WEB_FONTS.into_iter().filter_map(|name| {
        let bytes = project.theme.file(&format!("fonts/{name}"))?;
        Some(Artifact::new(&format!("assets/fonts/{name}"), bytes.to_vec()))
    });
    theme.chain(images).chain(fonts).chain(pictures::logo_asset(project)).collect()
}

/// The web pages for patients, easy read and posters use Atkinson Hyperlegible, like the PDFs.
pub const WEB_FONTS: [&str; 3] =
    ["AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf", "OFL-AtkinsonHyperlegible.txt"];
