//! `easy-read/<id>.html`: rows of a picture beside a short idea, then "Words to know".
//!
//! Pure: fills a template from the easy-read rows built once in [`super::easy_read_doc`], so the
//! web page and the PDF show the same rows.

use serde::Serialize;

use crate::audience::easy_read::{EasyReadDoc, Picture};
use crate::audience::patient_facing::{
    ContactView, Governance, LanguageLink, PageContext, PdfLink, contact, governance, language_links, pdf_links,
};
use crate::load::config::SiteConfig;
use crate::load::theme::Theme;
use crate::model::{Artifact, Audience};
use crate::render::html::{HtmlContext, escape, icon_html, inlines_to_html};
use crate::render::templates::{PageRenderer, PageResult};
use crate::resolve::AudienceView;

#[derive(Serialize)]
struct RowView {
    picture_html: String,
    words_html: String,
}

#[derive(Serialize)]
struct SectionView {
    heading: Option<String>,
    anchor: Option<String>,
    rows: Vec<RowView>,
}

#[derive(Serialize)]
struct WordView<'a> {
    word: &'a str,
    explanation: &'a str,
}

#[derive(Serialize)]
struct EasyReadPage<'a> {
    title: &'a str,
    sections: Vec<SectionView>,
    words_to_know: Vec<WordView<'a>>,
    governance: Governance<'a>,
    contact: ContactView<'a>,
    pdfs: Vec<PdfLink>,
    languages: Vec<LanguageLink>,
}

fn picture_html(theme: &Theme, picture: &Picture) -> String {
    match picture {
        Picture::Icon(name) => icon_html(theme, name, None),
        Picture::Image { path, alt } => {
            format!("<img src=\"../assets/content/{}\" alt=\"{}\">", escape(path), escape(alt))
        }
    }
}

/// `easy-read/<id>.html`: rows of a picture beside a short idea, then "Words to know".
pub fn easy_read_page(
    pages: &PageRenderer<'_>,
    theme: &Theme,
    config: &SiteConfig,
    view: &AudienceView,
    doc: &EasyReadDoc,
) -> PageResult {
    let ctx = HtmlContext { theme, root: "../" };
    let sections = doc
        .sections
        .iter()
        .map(|s| SectionView {
            heading: s.heading.as_ref().map(|(text, _)| text.clone()),
            anchor: s.heading.as_ref().map(|(_, anchor)| anchor.clone()),
            rows: s
                .rows
                .iter()
                .map(|r| RowView {
                    picture_html: picture_html(theme, &r.picture),
                    words_html: inlines_to_html(&r.words, &ctx),
                })
                .collect(),
        })
        .collect();
    let page = EasyReadPage {
        title: &doc.title,
        sections,
        words_to_know: doc.words_to_know.iter().map(|(w, e)| WordView { word: w, explanation: e }).collect(),
        governance: governance(config, view),
        contact: contact(config, view),
        pdfs: pdf_links(Audience::EasyRead, &view.stem()),
        languages: language_links(config, view),
    };
    let html = pages.render_in("easy-read/document.html", "../", &PageContext { page }, view.lang.as_deref())?;
    Ok(Artifact::new(&format!("easy-read/{}.html", view.stem()), html.into_bytes()))
}
