//! Shared last steps of the easy-read and poster PDFs: write a finished layout (writer, then the
//! tagging pass) with a document id drawn from its content, and report layout problems as
//! located diagnostics.
//!
//! Makes no layout decisions and reads nothing from disk or the clock.

use super::fonts::FontSet;
use super::layout::{Item, Layout, LayoutProblem};
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
fn id_seed(view: &AudienceView, layout: &Layout, kind: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for part in [kind, &view.id, &view.version, &view.title, &view.review_date.to_string()] {
        feed(part.as_bytes());
        feed(&[0]);
    }
    for page in &layout.pages {
        feed(&(page.items.len() as u64).to_le_bytes());
        for item in &page.items {
            if let Item::Text { run, .. } = item {
                for g in &run.glyphs {
                    feed(&g.gid.to_le_bytes());
                }
            }
        }
    }
    hash
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
