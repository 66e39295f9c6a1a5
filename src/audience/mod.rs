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

use crate::audience::easy_read::{EasyReadDoc, easy_read_doc};
use crate::audience::poster::{Poster, posters};
use crate::diag::Diagnostics;
use crate::load::Project;
use crate::load::config::ThemeColours;
use crate::model::Artifact;
use crate::model::Audience;
use crate::render::templates::{PageRenderer, PageResult, load_templates};
use crate::render::theme_css::colours_css;
use crate::resolve::{AudienceView, Library, ResolvedPolicy};

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
    let easy_read = library.all_views(Audience::EasyRead).map(|v| (v, easy_read_doc(v, diags))).collect();
    let posters: Vec<_> = library.all_views(Audience::Poster).map(|v| (v, posters(v, diags))).collect();
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

/// Renders every output of the library, plus the assets the pages use, in a fixed order: the
/// intranet site under `output/`, and the public site under `output/public/` (from `public`
/// when given, else from the same library).
pub fn render_library(
    project: &Project,
    library: &Library,
    prepared: &Prepared<'_>,
    public: Option<&PublicLibrary<'_>>,
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
    let mut artifacts = staff::pages::staff_site(&pages, theme, config, library, diags);
    pages_out.extend(preview::preview_pages(&pages, library));
    pages_out.push(staff::pages::accessibility_statement(&pages, project, library));

    let patient: Vec<&AudienceView> = library.all_views(Audience::Patient).collect();
    let Prepared { colours: _, easy_read, posters } = prepared;
    pages_out.extend(patient.iter().map(|v| patient::page::leaflet_page(&pages, theme, config, v)));
    pages_out.extend(easy_read.iter().map(|(v, doc)| easy_read::page::easy_read_page(&pages, theme, config, v, doc)));
    pages_out.extend(posters.iter().map(|(v, p)| poster::page::poster_page(&pages, theme, config, v, p)));
    for audience in patient_facing::PATIENT_FACING {
        let views: Vec<&AudienceView> = library.views(audience).collect();
        if !views.is_empty() {
            pages_out.push(patient_facing::audience_index(&pages, &project.config, audience, &views, library));
        }
    }
    let (public_library, public_prepared) = match public {
        Some(p) => (p.library, p.prepared),
        None => (library, prepared),
    };
    let (public_pages, public_problems) =
        public::public_pages(&PageRenderer::public(&tera, project), project, public_library, public_prepared);
    artifacts.extend(public_pages);
    for result in pages_out.into_iter().chain(public_problems.into_iter().map(Err)) {
        match result {
            Ok(artifact) => artifacts.push(artifact),
            Err((location, message)) => {
                diags.error(location, message).hint("fix the template, or delete the override to use the built-in one");
            }
        }
    }
    artifacts.extend(staff::search::search_index(library));
    artifacts.push(Artifact::new("assets/theme.css", theme_css(project, library).into_bytes()));
    // The staff PDFs (the PDF engine lives in `crate::pdf`).
    let mut gaps = pdf_output::GlyphGaps::default();
    artifacts.extend(staff::pdf::staff_pdfs_gathering(project, library, diags, &mut gaps));
    // The patient leaflets: A5, large print and booklet; then the easy-read and poster PDFs,
    // from the same rows and posters as the web pages.
    let mut patient_facing_pdfs = patient::pdf::patient_pdfs_gathering(project, library, diags, &mut gaps);
    patient_facing_pdfs.extend(easy_read::pdf::easy_read_pdfs_gathering(project, easy_read, diags, &mut gaps));
    patient_facing_pdfs.extend(poster::pdf::poster_pdfs_gathering(project, posters, diags, &mut gaps));
    gaps.report(diags);
    artifacts.extend(public_pdf_files(project, library, public, &patient_facing_pdfs));
    artifacts.extend(patient_facing_pdfs);
    artifacts.extend(assets(project));
    artifacts.extend(script_font_assets(project, library, ""));
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    artifacts
}

/// The public site's PDFs: the intranet's own files where the public library's views are the
/// same (always, in a build without drafts), rendered afresh for the others (a leaflet that
/// links to a draft, whose link is plain text on the public site).
fn public_pdf_files(
    project: &Project,
    library: &Library,
    public: Option<&PublicLibrary<'_>>,
    intranet_pdfs: &[Artifact],
) -> Vec<Artifact> {
    let Some(public) = public else { return public::public_pdfs(intranet_pdfs) };
    let same = |policy: &ResolvedPolicy| {
        let Some(own) = library.policies.iter().find(|p| p.id == policy.id) else { return false };
        patient_facing::PATIENT_FACING.iter().all(|&a| match (policy.view(a), own.view(a)) {
            (Some(p), Some(o)) => p.title == o.title && p.blocks == o.blocks && p.available == o.available,
            (None, None) => true,
            _ => false,
        }) && policy.translations.len() == own.translations.len()
            && policy.translations.iter().zip(&own.translations).all(|(p, o)| p.blocks == o.blocks)
    };
    let (reused, changed): (Vec<&ResolvedPolicy>, Vec<&ResolvedPolicy>) =
        public.library.policies.iter().partition(|p| same(p));
    let wanted: std::collections::BTreeSet<String> = reused
        .iter()
        .flat_map(|p| {
            let stems = std::iter::once(p.id.clone()).chain(p.translations.iter().map(AudienceView::stem));
            stems.flat_map(|stem| patient_facing::PATIENT_FACING.iter().flat_map(move |&a| pdf_files(a, &stem)))
        })
        .map(|(_, path)| path)
        .collect();
    let mut out =
        public::public_pdfs(&intranet_pdfs.iter().filter(|a| wanted.contains(&a.path)).cloned().collect::<Vec<_>>());
    if !changed.is_empty() {
        // Their problems were reported for the build's own library.
        let mut quiet = Diagnostics::new();
        let ids: std::collections::BTreeSet<&str> = changed.iter().map(|p| p.id.as_str()).collect();
        let sub = Library { policies: changed.into_iter().cloned().collect(), today: public.library.today };
        let keep = |v: &&AudienceView| ids.contains(v.id.as_str());
        let easy: Vec<_> = public.prepared.easy_read.iter().filter(|(v, _)| keep(v)).cloned().collect();
        let posters: Vec<_> = public.prepared.posters.iter().filter(|(v, _)| keep(v)).cloned().collect();
        let mut gaps = pdf_output::GlyphGaps::default();
        let mut fresh = patient::pdf::patient_pdfs_gathering(project, &sub, &mut quiet, &mut gaps);
        fresh.extend(easy_read::pdf::easy_read_pdfs_gathering(project, &easy, &mut quiet, &mut gaps));
        fresh.extend(poster::pdf::poster_pdfs_gathering(project, &posters, &mut quiet, &mut gaps));
        out.extend(public::public_pdfs(&fresh));
    }
    out
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

/// The font files (under `fonts/`) of the scripts the library's translations and the leaflets'
/// other-language lines are written in, with the family each is for: only the scripts in use
/// are published, so an English-only site carries none.
pub fn script_web_fonts(project: &Project, library: &Library) -> Vec<(&'static str, String, bool)> {
    let mut families = std::collections::BTreeSet::new();
    let langs = library
        .policies
        .iter()
        .flat_map(|p| p.translations.iter().filter_map(|v| v.lang.clone()))
        .chain(project.config.other_languages.iter().cloned());
    for lang in langs {
        let primary = lang.split('-').next().unwrap_or("").to_ascii_lowercase();
        let family = match primary.as_str() {
            "ar" | "fa" | "ps" | "ckb" => "NotoSansArabic",
            "ur" => "NotoNaskhArabic",
            "bn" | "as" | "syl" => "NotoSansBengali",
            "gu" => "NotoSansGujarati",
            "pa" if crate::model::languages::is_rtl(&lang) => "NotoNaskhArabic",
            "pa" => "NotoSansGurmukhi",
            "hi" | "mr" | "ne" => "NotoSansDevanagari",
            _ => continue,
        };
        families.insert(family);
    }
    families
        .into_iter()
        .flat_map(|f| [(f, format!("{f}-Regular.ttf"), false), (f, format!("{f}-Bold.ttf"), true)])
        .collect()
}

/// `assets/theme.css`: the theme's colours, and the web fonts of the scripts in use.
pub fn theme_css(project: &Project, library: &Library) -> String {
    let mut css = colours_css(&project.theme_settings.colours);
    for (family, file, bold) in script_web_fonts(project, library) {
        let name = family.replace("NotoSans", "Noto Sans ").replace("NotoNaskh", "Noto Naskh ");
        let weight = if bold { 700 } else { 400 };
        css.push_str(&format!(
            "@font-face {{ font-family: \"{name}\"; src: url(\"fonts/{file}\") format(\"truetype\"); font-weight: {weight}; font-display: swap; }}\n"
        ));
    }
    css
}

/// The script fonts [`script_web_fonts`] names, with their licences, as assets under `dir`.
pub fn script_font_assets(project: &Project, library: &Library, dir: &str) -> Vec<Artifact> {
    let mut out = Vec::new();
    let mut licences = std::collections::BTreeSet::new();
    for (family, file, _) in script_web_fonts(project, library) {
        if let Some(bytes) = project.theme.file(&format!("fonts/{file}")) {
            out.push(Artifact::new(&format!("{dir}assets/fonts/{file}"), bytes.to_vec()));
        }
        licences.insert(format!("OFL-{family}.txt"));
    }
    for licence in licences {
        if let Some(bytes) = project.theme.file(&format!("fonts/{licence}")) {
            out.push(Artifact::new(&format!("{dir}assets/fonts/{licence}"), bytes.to_vec()));
        }
    }
    out
}

/// The web pages for patients, easy read and posters use Atkinson Hyperlegible Next, like the PDFs.
pub const WEB_FONTS: [&str; 3] =
    ["AtkinsonHyperlegibleNext-Regular.ttf", "AtkinsonHyperlegibleNext-Bold.ttf", "OFL-AtkinsonHyperlegibleNext.txt"];
