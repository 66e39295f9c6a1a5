//! Runs the pure middle of the build: parse -> resolve -> render, collecting every diagnostic.
//!
//! Never touches the disk: takes a loaded [`Project`] and returns files in memory. The command
//! line loads before and writes after.

use crate::dates::Date;
use crate::diag::Diagnostics;
use crate::leaflet::{LeafletScores, check_leaflet};
use crate::model::Audience;
use crate::parse::parse_project;
use crate::project::Project;
use crate::render::{Artifact, RenderOptions, prepare, render_library};
use crate::resolve::{ResolveOptions, resolve};

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
    let prepared = prepare(project, &library, &mut diagnostics);
    if !diagnostics.has_errors() {
        let render_options = RenderOptions { strict: options.strict };
        result.artifacts = render_library(project, &library, &prepared, &render_options, &mut diagnostics);
    }
    if diagnostics.has_errors() {
        result.artifacts.clear();
    }
    result.diagnostics = diagnostics;
    result
}
