//! One build: the load stage, then the pure middle (parse -> resolve -> audiences), collecting
//! every diagnostic; the files come back in memory.
//!
//! Never writes: the caller hands the files to `write` (or `serve`) only when there are no
//! errors, so a build with errors leaves the last good output in place.

use crate::audience::patient::{LeafletScores, check_leaflet};
use crate::audience::{PublicLibrary, RenderOptions, prepare, prepare_documents, render_library};
use crate::diag::Diagnostics;
use crate::diag::IoFailure;
use crate::load::Project;
use crate::load::load_project;
use crate::model::Artifact;
use crate::model::Audience;
use crate::model::dates::Date;
use crate::parse::parse_project;
use crate::resolve::{ResolveOptions, resolve};
use std::path::Path;

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
}

/// Parses, resolves and renders the project. Rendering is skipped when parsing found errors,
/// and no files are returned when anything is an error.
pub fn run(project: &Project, options: &BuildOptions, mut diagnostics: Diagnostics) -> BuildResult {
    let policies = parse_project(project, &mut diagnostics);
    let library = resolve(&policies, ResolveOptions { today: options.today, drafts: options.drafts }, &mut diagnostics);
    let outputs = Audience::ALL.iter().map(|&a| (a, library.views(a).count())).collect();
    let leaflets =
        library.views(Audience::Patient).map(|v| check_leaflet(v, options.strict, &mut diagnostics)).collect();
    let mut result = BuildResult { policies: library.policies.len(), outputs, leaflets, ..BuildResult::default() };
    // Theme contrast and the easy-read and poster rules are checked even when parsing found
    // errors, so an author sees every problem of an edit at once.
    let prepared = prepare(project, &library, options.strict, &mut diagnostics);
    if !diagnostics.has_errors() {
        let render_options = RenderOptions { strict: options.strict };
        // Drafts never reach the public site: with `--drafts` it is built from the library
        // resolved without them (so links to drafts are plain text there); its findings are the
        // same as the build's own, already reported.
        let mut quiet = Diagnostics::new();
        let public_library = options
            .drafts
            .then(|| resolve(&policies, ResolveOptions { today: options.today, drafts: false }, &mut quiet));
        let public_prepared =
            public_library.as_ref().map(|l| prepare_documents(l, prepared.colours.clone(), &mut quiet));
        let public = public_library
            .as_ref()
            .zip(public_prepared.as_ref())
            .map(|(library, prepared)| PublicLibrary { library, prepared });
        result.artifacts =
            render_library(project, &library, &prepared, public.as_ref(), &render_options, &mut diagnostics);
    }
    if diagnostics.has_errors() {
        result.artifacts.clear();
    }
    result.diagnostics = diagnostics;
    result
}

/// Loads the project at `root` and runs the build on it; `Err` only when the disk fails us
/// (content problems are diagnostics in the result).
pub fn load_and_run(root: &Path, options: &BuildOptions) -> Result<BuildResult, IoFailure> {
    let mut diagnostics = Diagnostics::new();
    let project = load_project(root, &mut diagnostics)?;
    Ok(run(&project, options, diagnostics))
}
