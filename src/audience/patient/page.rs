//! `patient/<id>.html`: the patient leaflet on the web, phone first, with the back page's
//! information.
//!
//! Pure: fills a template from the patient view; never sees staff-only metadata.

use serde::Serialize;

use crate::audience::patient_facing::{
    ContactView, Governance, OnlineAddress, PageContext, PdfLink, contact, governance, online, pdf_links,
};
use crate::audience::produced;
use crate::load::config::SiteConfig;
use crate::load::theme::Theme;
use crate::model::{Artifact, Audience};
use crate::render::html::{HtmlContext, blocks_to_html};
use crate::render::templates::{PageRenderer, PageResult};
use crate::resolve::AudienceView;

#[derive(Serialize)]
struct LeafletPage<'a> {
    title: &'a str,
    body_html: String,
    governance: Governance<'a>,
    contact: ContactView<'a>,
    easy_read_href: Option<String>,
    large_print_href: Option<String>,
    pdfs: Vec<PdfLink>,
    online: Option<OnlineAddress>,
    /// The pictures' credit line, when their licence asks for one.
    credit: Option<&'static str>,
}

/// `patient/<id>.html`: the leaflet on the web, phone first, with the back page's information.
pub fn leaflet_page(pages: &PageRenderer<'_>, theme: &Theme, config: &SiteConfig, view: &AudienceView) -> PageResult {
    let easy_read = view.available.contains(&Audience::EasyRead) && produced(Audience::EasyRead).html;
    let pdfs = pdf_links(Audience::Patient, &view.id);
    let page = LeafletPage {
        title: &view.title,
        body_html: blocks_to_html(&view.blocks, &HtmlContext { theme, root: "../" }),
        governance: governance(view),
        contact: contact(config, view),
        easy_read_href: easy_read.then(|| format!("../easy-read/{}.html", view.id)),
        large_print_href: pdfs.iter().find(|p| p.label.starts_with("Large print")).map(|p| p.href.clone()),
        pdfs,
        online: online(config, view),
        credit: crate::audience::pictures::credit_of(theme, &view.blocks),
    };
    let html = pages.render("patient/leaflet.html", "../", &PageContext { page })?;
    Ok(Artifact::new(&format!("patient/{}.html", view.id), html.into_bytes()))
}
