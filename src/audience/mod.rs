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

use std::sync::Arc;

use serde::Serialize;

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
    /// Each easy-read view with its rows (shared with the live preview's memo).
    pub easy_read: Vec<(&'a AudienceView, Arc<EasyReadDoc>)>,
    /// Each poster view with its posters (shared with the live preview's memo).
    pub posters: Vec<(&'a AudienceView, Arc<Vec<Poster>>)>,
}

/// Builds the easy-read documents and posters of `library`, reporting their rules' findings,
/// and checks what every build needs before it renders: the theme's contrast, its icons and
/// the logo, and that patient-facing outputs have a public address and a phone number.
/// With `memos` (the live preview's), the documents of a policy whose views are those of the
/// last build are taken from it.
pub fn prepare<'a>(
    project: &Project,
    library: &'a Library,
    strict: bool,
    diags: &mut Diagnostics,
    memos: Option<DocumentMemos<'_>>,
) -> Prepared<'a> {
    let colours = project.theme_settings.colours.clone();
    crate::load::contrast::check_theme_contrast(&colours, diags);
    pictures::check_pictures(project, diags);
    patient_facing::check_reachable(project, library, strict, diags);
    prepare_documents(library, colours, diags, memos)
}

/// Where the live preview keeps each policy's easy-read documents and posters between builds.
#[derive(Clone, Copy)]
pub struct DocumentMemos<'m> {
    /// Easy-read documents.
    pub easy_read: &'m units::PerPolicy<(Vec<Arc<EasyReadDoc>>, Diagnostics)>,
    /// Posters.
    pub posters: &'m units::PerPolicy<(Vec<Arc<Vec<Poster>>>, Diagnostics)>,
}

/// The easy-read documents and posters of `library` alone (for the public site's library,
/// whose findings were already reported for the build's own). Each policy's are made on its
/// own thread, their findings reported in library order.
pub fn prepare_documents<'a>(
    library: &'a Library,
    colours: ThemeColours,
    diags: &mut Diagnostics,
    memos: Option<DocumentMemos<'_>>,
) -> Prepared<'a> {
    fn of(p: &ResolvedPolicy, audience: Audience) -> Vec<&AudienceView> {
        p.view(audience).into_iter().chain(p.translations.iter().filter(|v| v.audience == audience)).collect()
    }
    let docs = units::PerPolicy::each(memos.map(|m| m.easy_read), &library.policies, |p| {
        let mut found = Diagnostics::new();
        let docs = of(p, Audience::EasyRead).into_iter().map(|v| Arc::new(easy_read_doc(v, &mut found))).collect();
        (docs, found)
    });
    let boards = units::PerPolicy::each(memos.map(|m| m.posters), &library.policies, |p| {
        let mut found = Diagnostics::new();
        let boards = of(p, Audience::Poster).into_iter().map(|v| Arc::new(posters(v, &mut found))).collect();
        (boards, found)
    });
    let mut easy_read = Vec::new();
    for (p, made) in library.policies.iter().zip(&docs) {
        diags.extend(made.1.clone());
        easy_read.extend(of(p, Audience::EasyRead).into_iter().zip(made.0.iter().cloned()));
    }
    let mut all_posters = Vec::new();
    for (p, made) in library.policies.iter().zip(&boards) {
        diags.extend(made.1.clone());
        all_posters.extend(of(p, Audience::Poster).into_iter().zip(made.0.iter().cloned()));
    }
    Prepared { colours, easy_read, posters: all_posters }
}

/// What the public site is built from when it is not the build's own library: in a build with
/// drafts, the library resolved without them (drafts never reach the public site).
pub struct PublicLibrary<'a> {
    /// The library without drafts.
    pub library: &'a Library,
    /// Its easy-read documents and posters.
    pub prepared: &'a Prepared<'a>,
}

/// Where a build's files go, and how its units are run.
pub struct Output<'a> {
    /// The build cache (or none).
    pub store: &'a dyn UnitStore,
    /// Where each file goes as soon as it is made.
    pub sink: &'a dyn ArtifactSink,
    /// Told how many units there are, then after each one, and when the web pages are all made.
    pub progress: &'a (dyn Fn(Progress) + Sync),
    /// Which units to run first, and when to stop (the live preview); `None` runs them all.
    pub schedule: Option<&'a units::Schedule<'a>>,
    /// What the live preview keeps from one build for the next (`None`: a build of its own).
    pub reuse: Option<&'a units::Reuse>,
}

/// What [`Output::progress`] hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// This many units follow.
    Units(usize),
    /// One more unit is done.
    UnitDone,
    /// Every policy's web pages are made (the pages about the whole library and the assets
    /// follow at once, then the PDFs and the search index): the live preview serves the build
    /// from here, so the page an author waits for does not wait for the lists of every policy;
    /// `ok` when none of them had an error.
    PagesDone {
        /// No errors so far.
        ok: bool,
    },
}

/// Renders every output of the library, plus the assets the pages use: the intranet site under
/// `output/`, and the public site under `output/public/` (from `public` when given, else from
/// the same library). Each policy's web pages and each PDF are render units ([`units`]), kept
/// in the build cache; the pages about the whole library are made every time.
pub fn render_library(
    project: &Project,
    library: &Library,
    prepared: &Prepared<'_>,
    public: Option<&PublicLibrary<'_>>,
    _options: &RenderOptions,
    output: &Output<'_>,
    diags: &mut Diagnostics,
) -> Result<(), IoFailure> {
    let Some(tera) = load_templates(&project.theme, &project.config.theme, diags) else {
        return Ok(());
    };
    let makers = PageMakers {
        pages: PageRenderer::new(&tera, project),
        public_pages: PageRenderer::public(&tera, project),
        project,
    };
    let site = units::SiteKey::of(project, output.store.program());
    let libraries: Vec<&Library> = std::iter::once(library).chain(public.map(|p| p.library)).collect();
    if let Some(reuse) = output.reuse {
        reuse.seed_view_keys(&site, &libraries);
    }
    let page_units = units::page_units(&makers, &site, library, prepared, public);
    let late_units = units::late_units(project, &site, library, prepared, public);
    if let Some(reuse) = output.reuse {
        // Every view's key is made by now (the search index's unit names them all).
        reuse.keep_view_keys(&site, &libraries);
    }
    (output.progress)(Progress::Units(page_units.len() + late_units.len()));
    let done = || (output.progress)(Progress::UnitDone);
    units::run_units(&page_units, output.store, output.sink, output.schedule, None, &done, diags)?;
    (output.progress)(Progress::PagesDone { ok: !diags.has_errors() });
    site_pages(&makers, library, prepared, public, output.sink, diags)?;
    let result = units::run_late_units(&late_units, output.store, output.sink, output.schedule, &done, diags);
    // Characters no font has: one warning per policy and language over all its PDFs.
    pdf_output::GlyphGaps::report_records(diags);
    result
}

/// The page makers of a build: the intranet's, the public site's (whose shared links stay
/// inside it), and the project they read.
pub struct PageMakers<'a> {
    /// Pages of the intranet.
    pub pages: PageRenderer<'a>,
    /// Pages of the public site.
    pub public_pages: PageRenderer<'a>,
    /// The project.
    pub project: &'a Project,
}

/// One policy's documents made before rendering: its easy-read rows and its posters.
#[derive(Clone, Copy, Default)]
pub struct Documents<'a> {
    /// Its easy-read document, when it has one.
    pub easy_read: Option<&'a EasyReadDoc>,
    /// Its posters, when it has any.
    pub posters: Option<&'a [Poster]>,
}

impl<'a> Prepared<'a> {
    /// The documents of each policy and of each translation, by stem (`<id>`, `<id>.<lang>`).
    pub fn by_stem(&self) -> std::collections::BTreeMap<String, Documents<'_>> {
        let mut out: std::collections::BTreeMap<String, Documents<'_>> = std::collections::BTreeMap::new();
        for (view, doc) in &self.easy_read {
            out.entry(view.stem()).or_default().easy_read = Some(&**doc);
        }
        for (view, posters) in &self.posters {
            out.entry(view.stem()).or_default().posters = Some(posters.as_slice());
        }
        out
    }
}

/// A policy and the documents of it and of each of its translations, as its pages need them.
#[derive(Clone)]
pub struct PolicyDocuments<'a> {
    /// The policy.
    pub policy: &'a ResolvedPolicy,
    /// Its own documents.
    pub own: Documents<'a>,
    /// Each translation's view with its documents, in the policy's order.
    pub translations: Vec<(&'a AudienceView, Documents<'a>)>,
}

impl<'a> PolicyDocuments<'a> {
    /// `policy` with its documents from `by_stem` ([`Prepared::by_stem`]).
    pub fn of(policy: &'a ResolvedPolicy, by_stem: &std::collections::BTreeMap<String, Documents<'a>>) -> Self {
        let get = |stem: &str| by_stem.get(stem).copied().unwrap_or_default();
        PolicyDocuments {
            policy,
            own: get(&policy.id),
            translations: policy.translations.iter().map(|t| (t, get(&t.stem()))).collect(),
        }
    }
}

/// Every web page of one policy on both sites: its staff pages (current and earlier
/// versions), its preview, its leaflet, easy-read and poster pages, and (when it is on the
/// public site: `public`, with its documents there) its public pages and short addresses.
pub fn policy_pages(
    makers: &PageMakers<'_>,
    own: &PolicyDocuments<'_>,
    public: Option<&PolicyDocuments<'_>>,
) -> Vec<PageResult> {
    let (pages, project) = (&makers.pages, makers.project);
    let policy = own.policy;
    let mut out = staff::pages::policy_pages(pages, &project.theme, policy.staff());
    out.push(preview::policy_page(pages, policy));
    out.extend(patient_facing_pages(pages, project, own));
    if let Some(public) = public {
        out.extend(public::policy_pages(&makers.public_pages, project, public));
    }
    out
}

/// The leaflet, easy-read and poster pages of a policy and of each of its translations.
pub fn patient_facing_pages(
    pages: &PageRenderer<'_>,
    project: &Project,
    docs: &PolicyDocuments<'_>,
) -> Vec<PageResult> {
    let (theme, config) = (&project.theme, &project.config);
    let mut out = Vec::new();
    let own = docs.policy.views.iter().map(|v| (v, docs.own));
    for (v, documents) in own.chain(docs.translations.iter().copied()) {
        match v.audience {
            Audience::Patient => out.push(patient::page::leaflet_page(pages, theme, config, v)),
            Audience::EasyRead => {
                if let Some(doc) = documents.easy_read {
                    out.push(easy_read::page::easy_read_page(pages, theme, config, v, doc));
                }
            }
            Audience::Poster => {
                if let Some(posters) = documents.posters {
                    out.push(poster::page::poster_page(pages, theme, config, v, posters));
                }
            }
            Audience::Staff => {}
        }
    }
    out
}

/// The pages about the whole library, on both sites (indexes, landing pages, statements,
/// previews index, review report, feed, sitemaps), and the assets, into `sink`: made in every
/// build, since they list every policy.
fn site_pages(
    makers: &PageMakers<'_>,
    library: &Library,
    _prepared: &Prepared<'_>,
    public: Option<&PublicLibrary<'_>>,
    sink: &dyn ArtifactSink,
    diags: &mut Diagnostics,
) -> Result<(), IoFailure> {
    let (pages, project) = (&makers.pages, makers.project);
    for artifact in staff::pages::site_pages(pages, &project.config, library, diags) {
        sink.put(artifact)?;
    }
    let mut results: Vec<PageResult> =
        vec![preview::index_page(pages, library), staff::pages::accessibility_statement(pages, project, library)];
    for audience in patient_facing::PATIENT_FACING {
        let views: Vec<&AudienceView> = library.views(audience).collect();
        if !views.is_empty() {
            results.push(patient_facing::audience_index(pages, &project.config, audience, &views, library));
        }
    }
    let public_library = public.map_or(library, |p| p.library);
    let (public_pages, public_problems) = public::site_pages(&makers.public_pages, project, public_library);
    for artifact in public_pages {
        sink.put(artifact)?;
    }
    for result in results.into_iter().chain(public_problems.into_iter().map(Err)) {
        match result {
            Ok(artifact) => sink.put(artifact)?,
            Err((location, message)) => {
                diags.error(location, message).hint("fix the template, or delete the override to use the built-in one");
            }
        }
    }
    sink.put(Artifact::new("assets/theme.css", theme_css(project, library).into_bytes()))?;
    for artifact in assets(project).into_iter().chain(script_font_assets(project, library, "")) {
        sink.put(artifact)?;
    }
    Ok(())
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

/// A card on a site's landing page (the intranet's and the public site's): one audience's
/// index, what it holds in that site's words, and how many documents it lists.
#[derive(Serialize)]
pub struct LandingCard {
    label: &'static str,
    description: &'static str,
    href: String,
    count: usize,
}

impl LandingCard {
    /// The card for `audience`'s index (`<audience>/index.html` beside the landing page).
    pub fn new(audience: Audience, description: &'static str, count: usize) -> LandingCard {
        let label = match audience {
            Audience::Staff => "Staff policy library",
            Audience::Patient => "Patient information leaflets",
            Audience::EasyRead => "Easy read information",
            Audience::Poster => "Ward posters",
        };
        LandingCard { label, description, href: format!("{}/index.html", audience.name()), count }
    }
}
