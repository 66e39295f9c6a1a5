//! Shared last steps of the easy-read and poster PDFs: write a finished layout (writer, then the
//! tagging pass) with a document id drawn from its content, and report layout problems as
//! located diagnostics.
//!
//! Makes no layout decisions and reads nothing from disk or the clock.

use super::fonts::FontSet;
use super::layout::{Layout, LayoutProblem};
use super::{tagging, writer};
use crate::diag::{Diagnostics, Location};
use crate::project::Project;
use crate::resolve::AudienceView;

/// Writes `layout` as a tagged PDF. `kind` names the output (e.g. `poster-a4`), so the
/// documents made from one policy get different ids.
pub fn write_pdf(
    project: &Project,
    view: &AudienceView,
    layout: &Layout,
    fonts: &FontSet<'_>,
    info: &writer::DocInfo,
    kind: &str,
) -> Result<Vec<u8>, String> {
    let subsets = fonts.subsets();
    let written = writer::write(layout, &subsets, &project.images, info);
    let tag_info = tagging::TagInfo { lang: &project.config.language, id_seed: id_seed(view, layout, kind) };
    let bytes = tagging::finish(written, layout, &tag_info);
    if bytes.is_empty() {
        return Err(format!("the {kind} PDF for `{}` could not be written", view.id));
    }
    Ok(bytes)
}

/// A document id from the content: same sources, same id.
/// The document id seed: the content's (as for staff PDFs), mixed with the kind of document, so
/// a policy's easy-read PDF and its posters never share an id.
fn id_seed(view: &AudienceView, layout: &Layout, kind: &str) -> u64 {
    let kind_hash =
        kind.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    super::id_seed(view, layout) ^ kind_hash
}

/// Reports layout problems at their lines of the policy source.
pub fn report(diags: &mut Diagnostics, view: &AudienceView, problems: &[LayoutProblem]) {
    for problem in problems {
        let location = Location::new(&view.source, problem.line.max(1), 1);
        let diag = if problem.error {
            diags.error(location, problem.message.clone())
        } else {
            diags.warning(location, problem.message.clone())
        };
        diag.hint(problem.hint.clone());
    }
}
