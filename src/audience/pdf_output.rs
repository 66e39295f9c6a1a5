//! What every audience's PDF shares around the engine: the site facts a PDF prints and links
//! with, writing a finished layout (writer, then the tagging pass) with a document id drawn from
//! its content, and reporting layout problems as located diagnostics.
//!
//! Makes no layout decisions and reads nothing from disk or the clock.

use crate::audience::pictures::Logo;
use crate::diag::{Diagnostics, Location};
use crate::load::Project;
use crate::model::{Audience, LinkTarget};
use crate::pdf::fonts::FontSet;
use crate::pdf::layout::{Dest, Item};
use crate::pdf::layout::{Layout, LayoutProblem};
use crate::pdf::{tagging, writer};
use crate::resolve::AudienceView;

/// A rendered PDF and the problems found while making it.
#[derive(Debug, Clone)]
pub struct RenderedPdf {
    /// The file.
    pub bytes: Vec<u8>,
    /// Problems, located by source line.
    pub problems: Vec<LayoutProblem>,
    /// Number of pages.
    pub pages: usize,
}

/// Site facts the staff PDF prints or links with.
#[derive(Debug, Clone)]
pub struct Site {
    /// Organisation name.
    pub organisation: String,
    /// Absolute address of the site, when known (links to other policies become absolute).
    pub base_url: Option<String>,
    /// The Trust's logo, for covers.
    pub logo: Option<Logo>,
}

impl Site {
    /// The address of a policy's page in the staff library, the live copy a printed staff PDF
    /// points back to; `None` without `base-url`.
    pub fn live_page(&self, id: &str) -> Option<String> {
        let base = self.base_url.as_ref()?;
        Some(format!("{}/{}/{id}.html", base.trim_end_matches('/'), Audience::Staff.name()))
    }

    /// Where a link to another policy's staff PDF points.
    pub fn policy_pdf(&self, id: &str) -> String {
        let audience = Audience::Staff.name();
        match &self.base_url {
            Some(base) => format!("{}/{audience}/{id}.pdf", base.trim_end_matches('/')),
            None => format!("{id}.pdf"),
        }
    }

    /// A model link target as a PDF destination.
    pub fn dest(&self, target: &LinkTarget) -> Dest {
        match target {
            LinkTarget::External(url) => Dest::Uri(url.clone()),
            LinkTarget::Section(anchor) => Dest::Anchor(anchor.clone()),
            LinkTarget::Policy { id, .. } => Dest::Uri(self.policy_pdf(id)),
        }
    }
}

/// The site facts a PDF needs from the project settings.
pub fn site_of(project: &Project) -> Site {
    Site {
        organisation: project.config.organisation.clone(),
        base_url: project.config.base_url.clone(),
        logo: Logo::of(project),
    }
}

/// A document id from the content: same sources, same id; different content, different id.
pub(crate) fn id_seed(view: &AudienceView, layout: &Layout) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(view.id.as_bytes());
    feed(view.version.as_bytes());
    feed(view.title.as_bytes());
    feed(view.review_date.to_string().as_bytes());
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
    let written = writer::write(layout, &subsets, &project.pictures, info);
    let tag_info = tagging::TagInfo { lang: &project.config.language, id_seed: kind_id_seed(view, layout, kind) };
    let bytes = tagging::finish(written, layout, &tag_info);
    if bytes.is_empty() {
        return Err(format!("the {kind} PDF for `{}` could not be written", view.id));
    }
    Ok(bytes)
}

/// A document id from the content: same sources, same id.
/// The document id seed: the content's (as for staff PDFs), mixed with the kind of document, so
/// a policy's easy-read PDF and its posters never share an id.
fn kind_id_seed(view: &AudienceView, layout: &Layout, kind: &str) -> u64 {
    let kind_hash =
        kind.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    id_seed(view, layout) ^ kind_hash
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
