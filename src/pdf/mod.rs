//! The PDF engine: our own layout over printpdf, and the staff policy PDF built with it.
//!
//! Stages, each its own module:
//! - [`settings`]: paper, margins, type scale, colours (data; other outputs bring their own);
//! - [`fonts`]: faces from the theme, shaping with kerning, fallback, subsetting;
//! - [`layout`]: blocks to pages of positioned, tagged items (pure, dumpable as text);
//! - [`staff`]: the staff document design (cover, contents, end sections, header and footer);
//! - [`patient`]: the patient leaflet design (A5, large print), with [`impose`] (booklet) and
//!   [`qr`] (QR codes as vector squares);
//! - [`writer`]: the only module that uses printpdf;
//! - [`tagging`]: the lopdf pass that adds the structure tree, bookmarks, `/Lang` and `/ID`.
//!
//! Pure: reads nothing from disk and never the clock; the same view gives the same bytes.

pub mod easy_read;
pub mod fonts;
pub mod icons;
pub mod impose;
pub mod layout;
pub mod patient;
pub mod poster;
pub mod publish;
pub mod qr;
pub mod settings;
pub mod staff;
pub mod tagging;
pub mod wordwrap;
pub mod writer;

use std::sync::Mutex;

use rayon::prelude::*;

use crate::diag::{Diagnostics, Location};
use crate::model::Audience;
use crate::project::Project;
use crate::render::Artifact;
use crate::resolve::{AudienceView, Library};

use fonts::FontSet;
use layout::{Flow, Item, Layout, LayoutProblem};
pub use patient::patient_pdfs;
use settings::PdfSettings;
use staff::Site;

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

/// The site facts the staff PDF needs from the project settings.
pub fn site_of(project: &Project) -> Site {
    Site { organisation: project.config.organisation.clone(), base_url: project.config.base_url.clone() }
}

/// Lays out the staff PDF of `view`: one pass whose contents page numbers are filled in at the
/// end (a second pass only if that cannot be done in place).
pub fn layout_staff_pdf(project: &Project, view: &AudienceView, fonts: &mut FontSet<'_>) -> Layout {
    let site = site_of(project);
    let icon_lookup = |name: &str| project.theme.icon_svg(name).map(|svg| icons::svg_paths(&svg));
    let resolve = |target: &crate::model::LinkTarget| site.dest(target);
    let settings = PdfSettings::staff(&project.theme_settings);
    let mut flow = Flow::new(fonts, settings, &project.images, &icon_lookup, &resolve);
    if staff::layout_staff_numbered(&mut flow, view, &site) {
        staff::furniture(&mut flow, view, &site);
        return flow.finish();
    }
    let mut page_of = staff::page_numbers(&flow.finish());
    let mut result = None;
    for _pass in 0..2 {
        let mut flow = Flow::new(fonts, settings, &project.images, &icon_lookup, &resolve);
        staff::layout_staff(&mut flow, view, &site, &page_of);
        staff::furniture(&mut flow, view, &site);
        let layout = flow.finish();
        let numbers = staff::page_numbers(&layout);
        let stable = numbers == page_of;
        page_of = numbers;
        result = Some(layout);
        if stable {
            break;
        }
    }
    result.unwrap_or_else(|| Flow::new(fonts, settings, &project.images, &icon_lookup, &resolve).finish())
}

/// Renders the staff PDF of one policy.
pub fn render_staff_pdf(project: &Project, view: &AudienceView) -> Result<RenderedPdf, String> {
    let mut fonts = FontSet::from_theme(&project.theme).map_err(|e| e.0)?;
    render_staff_pdf_with(project, view, &mut fonts)
}

/// Renders the staff PDF of one policy with fonts loaded before (and perhaps used for other
/// documents already: their cache of shaped words speeds this one up, and changes nothing in
/// its output).
pub fn render_staff_pdf_with(
    project: &Project,
    view: &AudienceView,
    fonts: &mut FontSet<'_>,
) -> Result<RenderedPdf, String> {
    fonts.start_document();
    let layout = layout_staff_pdf(project, view, fonts);
    let subsets = fonts.subsets();
    let site = site_of(project);
    let staff = view.staff.as_ref();
    let date =
        staff.and_then(|s| s.approved_date.or_else(|| s.history.last().map(|h| h.date))).unwrap_or(view.review_date);
    let info = writer::DocInfo {
        title: view.title.clone(),
        author: site.organisation.clone(),
        subject: staff.and_then(|s| s.summary.clone()).unwrap_or_else(|| format!("{} (staff policy)", view.title)),
        date_unix: date.unix_seconds(),
    };
    let written = writer::write(&layout, &subsets, &project.images, &info);
    let tag_info = tagging::TagInfo { lang: &project.config.language, id_seed: id_seed(view, &layout) };
    let bytes = tagging::finish(written, &layout, &tag_info);
    if bytes.is_empty() {
        return Err(format!("the PDF for `{}` could not be written", view.id));
    }
    Ok(RenderedPdf { pages: layout.pages.len(), bytes, problems: layout.problems })
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

/// The staff PDFs of every policy in the library, rendered in parallel; problems are reported
/// in library order so messages do not depend on thread timing.
pub fn staff_pdfs(project: &Project, library: &Library, diags: &mut Diagnostics) -> Vec<Artifact> {
    let views: Vec<&AudienceView> = library.views(Audience::Staff).collect();
    // Fonts are loaded once per worker thread, not per document: a pool that holds at most as
    // many sets as there are threads, each keeping its cache of shaped words.
    let pool: Mutex<Vec<FontSet<'_>>> = Mutex::new(Vec::new());
    let render = |view: &AudienceView| -> Result<RenderedPdf, String> {
        let taken = pool.lock().map(|mut p| p.pop()).unwrap_or(None);
        let mut fonts = match taken {
            Some(fonts) => fonts,
            None => FontSet::from_theme(&project.theme).map_err(|e| e.0)?,
        };
        let result = render_staff_pdf_with(project, view, &mut fonts);
        if let Ok(mut p) = pool.lock() {
            p.push(fonts);
        }
        result
    };
    let rendered: Vec<(&AudienceView, Result<RenderedPdf, String>)> =
        views.par_iter().map(|view| (*view, render(view))).collect();
    let mut artifacts = Vec::with_capacity(rendered.len());
    for (view, result) in rendered {
        match result {
            Ok(pdf) => {
                publish::report(diags, view, &pdf.problems);
                artifacts.push(Artifact::new(&format!("{}/{}.pdf", Audience::Staff.name(), view.id), pdf.bytes));
            }
            Err(message) => {
                diags.error(Location::file_start(&view.source), message).hint("check the theme's fonts");
            }
        }
    }
    artifacts
}
