//! `patient/<id>.html`: the patient leaflet on the web, phone first, with the back page's
//! information.
//!
//! Pure: fills a template from the patient view; never sees staff-only metadata.

use serde::Serialize;

use crate::audience::patient_facing::{
    ContactView, Governance, LanguageLink, OnlineAddress, PageContext, PdfLink, ask_for_language_lines, contact,
    governance, language_links, online, pdf_links,
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
    /// Every language the leaflet is in (empty without translations).
    languages: Vec<LanguageLink>,
    /// "If you need this information in another language" in the site's chosen languages.
    ask_for_language: Vec<AskLine>,
    /// The pictures' credit line, when their licence asks for one.
    credit: Option<&'static str>,
}

#[derive(Serialize)]
struct AskLine {
    lang: String,
    rtl: bool,
    text: String,
}

/// `patient/<id>.html`: the leaflet on the web, phone first, with the back page's information.
pub fn leaflet_page(pages: &PageRenderer<'_>, theme: &Theme, config: &SiteConfig, view: &AudienceView) -> PageResult {
    let easy_read = view.available.contains(&Audience::EasyRead) && produced(Audience::EasyRead).html;
    let stem = view.stem();
    let pdfs = pdf_links(Audience::Patient, &stem);
    let page = LeafletPage {
        title: &view.title,
        body_html: blocks_to_html(&view.blocks, &HtmlContext { theme, root: "../" }),
        governance: governance(config, view),
        contact: contact(config, view),
        easy_read_href: easy_read.then(|| format!("../easy-read/{stem}.html")),
        large_print_href: pdfs.iter().find(|p| p.label.starts_with("Large print")).map(|p| p.href.clone()),
        pdfs,
        online: online(config, view),
        languages: language_links(config, view),
        ask_for_language: ask_for_language_lines(config, view)
            .into_iter()
            .map(|(lang, rtl, text)| AskLine { lang, rtl, text })
            .collect(),
        credit: crate::audience::pictures::credit_of(theme, &view.blocks),
    };
    let html = pages.render_in("patient/leaflet.html", "../", &PageContext { page }, view.lang.as_deref())?;
    Ok(Artifact::new(&format!("patient/{stem}.html"), html.into_bytes()))
}
