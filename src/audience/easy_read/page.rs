//! `easy-read/<id>.html`: what this is the easy-read version of (and that a supporter may help),
//! what is in it (each section with its picture), rows of a picture beside a short idea, then
//! "Words to know" with the picture of the row that first uses each word.
//!
//! Pure: fills a template from the easy-read rows built once in [`super::easy_read_doc`], so the
//! web page and the PDF show the same rows.

use serde::Serialize;

use crate::audience::easy_read::{
    ABOUT_PICTURE, EasyReadDoc, HARD_WORDS_PICTURE, Picture, SUPPORTER_PICTURE, about_rows,
};
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
    picture_html: String,
}

#[derive(Serialize)]
struct ContentsEntry {
    heading: String,
    anchor: String,
    picture_html: String,
}

#[derive(Serialize)]
struct EasyReadPage<'a> {
    title: &'a str,
    about: Vec<RowView>,
    contents: Vec<ContentsEntry>,
    sections: Vec<SectionView>,
    words_to_know: Vec<WordView<'a>>,
    governance: Governance<'a>,
    contact: ContactView<'a>,
    pdfs: Vec<PdfLink>,
    languages: Vec<LanguageLink>,
    /// The pictures' credit line, when their licence asks for one.
    credit: Option<&'static str>,
}

/// A picture the words beside it say all about (contents, Words to know): hidden from screen
/// readers, which read the words.
fn decorative_picture_html(theme: &Theme, picture: &Picture) -> String {
    match picture {
        Picture::Icon(name) => icon_html(theme, name, Some("")),
        Picture::Image { path, .. } => format!("<img src=\"../assets/content/{}\" alt=\"\">", escape(path)),
    }
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
    let about = about_rows(doc)
        .into_iter()
        .map(|(picture, words)| RowView { picture_html: picture_html(theme, &picture), words_html: escape(&words) })
        .collect();
    // What is in it, when there is more than one section to find.
    let headed: Vec<ContentsEntry> = doc
        .sections
        .iter()
        .filter_map(|s| {
            let (heading, anchor) = s.heading.clone()?;
            let picture = &s.rows.first()?.picture;
            Some(ContentsEntry { heading, anchor, picture_html: decorative_picture_html(theme, picture) })
        })
        .collect();
    let contents = if headed.len() >= 2 { headed } else { Vec::new() };
    let mut names = crate::audience::pictures::icons_in(&view.blocks);
    names.extend([ABOUT_PICTURE, SUPPORTER_PICTURE, HARD_WORDS_PICTURE].map(str::to_string));
    let credit = theme.credit_for(names.iter().map(String::as_str));
    let page = EasyReadPage {
        title: &doc.title,
        about,
        contents,
        sections,
        words_to_know: doc
            .words_to_know
            .iter()
            .map(|w| WordView {
                word: &w.word,
                explanation: &w.meaning,
                // The words say what the picture is for: it is hidden from screen readers here.
                picture_html: decorative_picture_html(theme, &w.picture),
            })
            .collect(),
        governance: governance(config, view),
        contact: contact(config, view),
        pdfs: pdf_links(Audience::EasyRead, &view.stem()),
        languages: language_links(config, view),
        credit,
    };
    let html = pages.render_in("easy-read/document.html", "../", &PageContext { page }, view.lang.as_deref())?;
    Ok(Artifact::new(&format!("easy-read/{}.html", view.stem()), html.into_bytes()))
}
