//! `poster/<id>.html`: each ward poster as a sheet, printable one per page, with the short
//! address of the policy's public document (and its QR code).
//!
//! Pure: fills a template from the posters built once in [`super::posters`].

use serde::Serialize;

use crate::audience::patient_facing::{
    Governance, LanguageLink, OnlineAddress, PageContext, PdfLink, governance, language_links, online, pdf_links,
};
use crate::audience::poster::Poster;
use crate::load::config::SiteConfig;
use crate::load::theme::Theme;
use crate::model::{Artifact, Audience};
use crate::render::html::{HtmlContext, icon_html, inlines_to_html};
use crate::render::templates::{PageRenderer, PageResult};
use crate::resolve::AudienceView;

#[derive(Serialize)]
struct MessageView {
    icon_html: Option<String>,
    words_html: String,
}

#[derive(Serialize)]
struct PosterView {
    headline: String,
    /// The picture drawn large under the headline, named by what it shows.
    hero_html: Option<String>,
    messages: Vec<MessageView>,
}

#[derive(Serialize)]
struct PosterPage<'a> {
    title: &'a str,
    organisation: &'a str,
    posters: Vec<PosterView>,
    governance: Governance<'a>,
    pdfs: Vec<PdfLink>,
    online: Option<OnlineAddress>,
    languages: Vec<LanguageLink>,
    /// The pictures' credit line, when their licence asks for one.
    credit: Option<&'static str>,
}

/// `poster/<id>.html`: each poster as a sheet, printable one per page.
pub fn poster_page(
    pages: &PageRenderer<'_>,
    theme: &Theme,
    config: &SiteConfig,
    view: &AudienceView,
    posters: &[Poster],
) -> PageResult {
    let ctx = HtmlContext { theme, root: "../" };
    let posters = posters
        .iter()
        .map(|p| PosterView {
            headline: p.headline.clone(),
            // Described when it stands alone; otherwise its message's words say it all.
            hero_html: p.hero.as_ref().map(|name| icon_html(theme, name, if p.hero_alone { None } else { Some("") })),
            messages: p
                .messages
                .iter()
                .map(|m| MessageView {
                    // The words beside the pictogram say it all, so it is hidden from screen readers.
                    icon_html: m.icon.as_ref().map(|name| icon_html(theme, name, Some(""))),
                    words_html: inlines_to_html(&m.words, &ctx),
                })
                .collect(),
        })
        .collect();
    let page = PosterPage {
        title: &view.policy_title,
        organisation: &config.organisation,
        posters,
        governance: governance(config, view),
        pdfs: pdf_links(Audience::Poster, &view.stem()),
        online: online(config, view),
        languages: language_links(config, view),
        credit: crate::audience::pictures::credit_of(theme, &view.blocks),
    };
    let html = pages.render_in("poster/posters.html", "../", &PageContext { page }, view.lang.as_deref())?;
    Ok(Artifact::new(&format!("poster/{}.html", view.stem()), html.into_bytes()))
}
