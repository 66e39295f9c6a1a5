//! One build: the load stage, then the pure middle (parse -> resolve -> audiences), collecting
//! every diagnostic; each file goes to the sink the caller gives as soon as it is made (the
//! write stage's staging folder, or memory).
//!
//! Never writes itself: the caller swaps the staging folder in (or serves the files) only when
//! there are no errors, so a build with errors leaves the last good output in place.

use crate::audience::patient::{LeafletScores, check_leaflet};
use crate::audience::staff::report::standalone_report;
use crate::audience::units::PerPolicy;
use crate::audience::{
    DocumentMemos, Output, PublicLibrary, RenderOptions, prepare, prepare_documents, render_library,
};
use crate::cache::{Key, KeyHasher, NoStore, memo_each};
use crate::diag::IoFailure;
use crate::diag::{Diagnostics, Location};
use crate::load::Project;
use crate::load::{load_project, load_project_reusing};
use crate::model::Artifact;
use crate::model::Audience;
use crate::model::Policy;
use crate::model::Status;
use crate::model::dates::Date;
use crate::parse::{keep_for_next_build, parse_project, parse_project_stored};
use crate::render::templates::{PageRenderer, load_templates};
use crate::render::theme_css::colours_css;
use crate::resolve::{ResolveOptions, ResolvedPolicy, resolve, resolve_consuming, resolve_reusing};
use crate::write::MemoryOutput;
use std::hash::Hash;
use std::path::{Path, PathBuf};

/// Knobs of one build.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    /// The date review status is judged against (never read from the clock here).
    pub today: Date,
    /// Include drafts, marked DRAFT.
    pub drafts: bool,
    /// Treat readability limits as errors.
    pub strict: bool,
}

/// What a build made and found.
#[derive(Debug, Default)]
pub struct BuildResult {
    /// The files to write (empty when there are errors).
    pub artifacts: Vec<Artifact>,
    /// Every error and warning.
    pub diagnostics: Diagnostics,
    /// Number of published policies.
    pub policies: usize,
    /// Number of published outputs per audience, in [`Audience::ALL`] order.
    pub outputs: Vec<(Audience, usize)>,
    /// Readability of each patient leaflet.
    pub leaflets: Vec<LeafletScores>,
    /// Drafts not published because `--drafts` was not given.
    pub drafts_left_out: usize,
    /// The project folder the diagnostics' paths are relative to.
    pub root: PathBuf,
}

/// Parses, resolves and renders the project, keeping the files in memory (no build cache): for
/// tests and small callers. See [`run_into`].
pub fn run(project: &Project, options: &BuildOptions, diagnostics: Diagnostics) -> BuildResult {
    let memory = MemoryOutput::new();
    let output = Output { store: &NoStore, sink: &memory, progress: &|_| {}, schedule: None, reuse: None };
    let mut result = match run_into(project, options, &output, diagnostics) {
        Ok(result) => result,
        Err(failure) => {
            // Memory takes every file; only a build that makes one path twice gets here.
            let mut diagnostics = Diagnostics::new();
            diagnostics.error(Location::nowhere(), failure.message);
            BuildResult { diagnostics, root: project.root.clone(), ..BuildResult::default() }
        }
    };
    if !result.diagnostics.has_errors() {
        result.artifacts = memory.into_artifacts();
    }
    result
}

/// Parses, resolves and renders the project into `output`. Every check that does not need the
/// pages runs whatever else failed, so one run reports every problem; rendering is skipped when
/// there are errors. When the result has errors, whatever reached the sink must be thrown away
/// (the write stage's staging folder is never swapped in). `Err` only when the sink fails.
pub fn run_into(
    project: &Project,
    options: &BuildOptions,
    output: &Output<'_>,
    mut diagnostics: Diagnostics,
) -> Result<BuildResult, IoFailure> {
    let parsed = parse_project_stored(project, output.store, &mut diagnostics);
    run_parsed_into(project, parsed, options, output, diagnostics)
}

/// [`run_into`] from the project's parsed policies (with their parse keys) on: nothing after
/// this reads the policies' source texts.
fn run_parsed_into(
    project: &Project,
    (policies, parse_keys): (Vec<Policy>, Vec<Option<Key>>),
    options: &BuildOptions,
    output: &Output<'_>,
    mut diagnostics: Diagnostics,
) -> Result<BuildResult, IoFailure> {
    let reuse = output.reuse;
    let resolve_options = ResolveOptions { today: options.today, drafts: options.drafts };
    let drafts_left_out =
        if options.drafts { 0 } else { policies.iter().filter(|p| p.meta.status == Status::Draft).count() };
    // Only the public site of a build with drafts needs the parsed policies again (resolved
    // without them), and the live preview keeps them for the next save's parse; otherwise each
    // is freed as soon as its views are made. With no draft to leave out, the public site is
    // made from the build's own views, as without `--drafts`.
    let has_drafts = options.drafts && policies.iter().any(|p| p.meta.status == Status::Draft);
    let (library, policies) = if reuse.is_none() && !has_drafts {
        (resolve_consuming(policies, resolve_options, &mut diagnostics), None)
    } else {
        let memo = reuse.map(|r| (&r.resolve, parse_keys.as_slice()));
        (resolve_reusing(&policies, resolve_options, &mut diagnostics, memo), Some(policies))
    };
    let outputs = Audience::ALL.iter().map(|&a| (a, library.views(a).count())).collect();
    let score = |p: &ResolvedPolicy| {
        let mut found = Diagnostics::new();
        let scores = p.view(Audience::Patient).map(|v| check_leaflet(v, options.strict, &mut found));
        (scores, found)
    };
    let mut leaflets = Vec::new();
    match (reuse, output.store.program()) {
        // A build of its own takes the scores of leaflets that did not change from the last
        // build's memo (the live preview keeps them in memory instead).
        (None, Some(program)) => {
            let mut memo_key = KeyHasher::new("leaflet-scores");
            (program, options.strict).hash(&mut memo_key);
            let scored = memo_each(output.store, memo_key.key(), &library.policies, |p| leaflet_key(p), |p| score(p));
            for (scores, found) in scored {
                diagnostics.extend(found);
                leaflets.extend(scores);
            }
        }
        _ => {
            let scored = PerPolicy::each(reuse.map(|r| &r.leaflets), &library.policies, score);
            for (scores, found) in scored.iter().map(|s| &**s) {
                diagnostics.extend(found.clone());
                leaflets.extend(scores.clone());
            }
        }
    }
    let mut result = BuildResult {
        policies: library.policies.len(),
        outputs,
        leaflets,
        drafts_left_out,
        root: project.root.clone(),
        ..BuildResult::default()
    };
    // Theme contrast and the easy-read and poster rules are checked even when parsing found
    // errors, so an author sees every problem of an edit at once.
    let memos = reuse.map(|r| DocumentMemos { easy_read: &r.easy_read, posters: &r.posters });
    let prepared = prepare(project, &library, options.strict, &mut diagnostics, memos);
    let give_back = |policies: Option<Vec<Policy>>| match (policies, reuse) {
        (Some(policies), Some(_)) => keep_for_next_build(policies, &parse_keys),
        (policies, _) => drop(policies),
    };
    if !diagnostics.has_errors() {
        let render_options = RenderOptions { strict: options.strict };
        // Drafts never reach the public site: with `--drafts` it is built from the library
        // resolved without them (so links to drafts are plain text there); its findings are the
        // same as the build's own, already reported.
        let mut quiet = Diagnostics::new();
        let public_library = policies.as_deref().filter(|_| has_drafts).map(|policies| {
            let options = ResolveOptions { today: options.today, drafts: false };
            resolve_reusing(policies, options, &mut quiet, reuse.map(|r| (&r.public_resolve, parse_keys.as_slice())))
        });
        // The views hold all that is rendered: the parsed model is freed before rendering (in
        // the live preview, kept for the next build's parse instead).
        give_back(policies);
        let public_memos = reuse.map(|r| DocumentMemos { easy_read: &r.public_easy_read, posters: &r.public_posters });
        let public_prepared =
            public_library.as_ref().map(|l| prepare_documents(l, prepared.colours.clone(), &mut quiet, public_memos));
        let public = public_library
            .as_ref()
            .zip(public_prepared.as_ref())
            .map(|(library, prepared)| PublicLibrary { library, prepared });
        render_library(project, &library, &prepared, public.as_ref(), &render_options, output, &mut diagnostics)?;
    } else {
        give_back(policies);
        // Nothing is rendered, but a theme template that does not compile is still reported
        // with the content's errors (compiling is quick; filling the pages is not).
        let _ = load_templates(&project.theme, &project.config.theme, &mut diagnostics);
    }
    result.diagnostics = diagnostics;
    if exits_after_build() {
        // Freeing every view of a large library, block by block, is work the exit does at once.
        std::mem::forget(prepared);
        std::mem::forget(library);
    }
    Ok(result)
}

/// Set by a command that exits when its one build is done (`build`, `check`).
static EXITS_AFTER_BUILD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Tells the build that this process ends with it, so the resolved library is never freed (the
/// operating system takes back the memory at exit; freeing it was a fortieth of a `check`).
/// Never for the live preview, which builds again and again.
pub fn set_exits_after_build() {
    EXITS_AFTER_BUILD.store(true, std::sync::atomic::Ordering::Relaxed);
}

fn exits_after_build() -> bool {
    EXITS_AFTER_BUILD.load(std::sync::atomic::Ordering::Relaxed)
}

/// What a leaflet's scores and findings are made from ([`check_leaflet`]): its patient view's
/// id, file and blocks (the memo's own key holds the program and `strict`). The policy's id
/// comes first, so policies with no leaflet have keys of their own too.
fn leaflet_key(policy: &ResolvedPolicy) -> Key {
    let mut hasher = KeyHasher::new("leaflet");
    policy.id.hash(&mut hasher);
    if let Some(view) = policy.view(Audience::Patient) {
        (&view.id, &view.source, &view.blocks).hash(&mut hasher);
    }
    hasher.key()
}

/// What `policypress report` made and found.
#[derive(Debug, Default)]
pub struct ReportResult {
    /// The report's files (empty when there are errors) and every error and warning.
    pub build: BuildResult,
    /// Policies with a review date, overdue, due within three months.
    pub counts: (usize, usize, usize),
}

/// Loads the project at `root` and makes the review report alone (no other output is
/// rendered). No files when anything is an error, as for a build.
pub fn load_and_report(root: &Path, options: &BuildOptions) -> Result<ReportResult, IoFailure> {
    let mut diagnostics = Diagnostics::new();
    let project = load_project(root, &mut diagnostics)?;
    let policies = parse_project(&project, &mut diagnostics);
    let library = resolve(&policies, ResolveOptions { today: options.today, drafts: options.drafts }, &mut diagnostics);
    let mut result = ReportResult::default();
    if !diagnostics.has_errors()
        && let Some(tera) = load_templates(&project.theme, &project.config.theme, &mut diagnostics)
    {
        let pages = PageRenderer::new(&tera, &project);
        let css = colours_css(&project.theme_settings.colours);
        let style = project.theme.file("static/style.css");
        match standalone_report(&pages, &project.config, &library, css, style) {
            Ok((report, files)) => {
                result.counts = (report.total(), report.overdue_count(), report.due_soon_count());
                result.build.artifacts = files;
            }
            Err((location, message)) => {
                diagnostics
                    .error(location, message)
                    .hint("fix the template, or delete the override to use the built-in one");
            }
        }
    }
    if diagnostics.has_errors() {
        result.build.artifacts.clear();
    }
    result.build.policies = library.policies.len();
    result.build.diagnostics = diagnostics;
    Ok(result)
}

/// Loads the project at `root` and runs the build on it, the files in memory; `Err` only when
/// the disk fails us (content problems are diagnostics in the result).
pub fn load_and_run(root: &Path, options: &BuildOptions) -> Result<BuildResult, IoFailure> {
    let mut diagnostics = Diagnostics::new();
    let project = load_project(root, &mut diagnostics)?;
    Ok(run(&project, options, diagnostics))
}

/// Loads the project at `root` and builds it into `output` (see [`run_into`]), freeing the
/// policies' texts once they are parsed.
pub fn load_and_run_into(root: &Path, options: &BuildOptions, output: &Output<'_>) -> Result<BuildResult, IoFailure> {
    let mut diagnostics = Diagnostics::new();
    let mut project = load_project_reusing(root, &mut diagnostics, output.reuse.map(|r| &r.read))?;
    let parsed = parse_project_stored(&project, output.store, &mut diagnostics);
    project.forget_texts();
    run_parsed_into(&project, parsed, options, output, diagnostics)
}
