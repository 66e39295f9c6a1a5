//! Web pages for patients, easy-read readers and wards: the patient leaflet, the easy-read
//! document, the poster sheets, and an index page for each audience.
//!
//! Pure: fills templates from resolved views (and the easy-read and poster structures built from
//! them). Never sees staff-only metadata: the views it gets have none.

use serde::Serialize;

use crate::config::SiteConfig;
use crate::dates::ReviewStatus;
use crate::diag::Location;
use crate::easy_read::{EasyReadDoc, Picture};
use crate::model::Audience;
use crate::poster::Poster;
use crate::qr::qr_svg;
use crate::render::html::{HtmlContext, blocks_to_html, escape, icon_html, inlines_to_html};
use crate::render::site::PageRenderer;
use crate::render::{Artifact, pdf_files, produced};
use crate::resolve::AudienceView;
use crate::theme::Theme;

/// A page's result: the file, or where the template failed and why.
pub type PageResult = Result<Artifact, (Location, String)>;

#[derive(Serialize)]
struct Governance<'a> {
    reference: Option<&'a str>,
    version: &'a str,
    review_date: String,
    review_date_long: String,
    overdue: bool,
    draft: bool,
}

fn governance(view: &AudienceView) -> Governance<'_> {
    Governance {
        reference: view.reference.as_deref(),
        version: &view.version,
        review_date: view.review_date.to_string(),
        review_date_long: view.review_date.long(),
        overdue: view.review_status == ReviewStatus::Overdue,
        draft: view.draft,
    }
}

#[derive(Serialize)]
struct ContactView<'a> {
    name: &'a str,
    phone: Option<&'a str>,
    email: Option<&'a str>,
}

fn contact(config: &SiteConfig) -> ContactView<'_> {
    ContactView {
        name: config.contact.name.as_deref().unwrap_or(&config.organisation),
        phone: config.contact.phone.as_deref(),
        email: config.contact.email.as_deref(),
    }
}

#[derive(Serialize)]
struct OnlineAddress {
    url: String,
    short: String,
    qr_svg: Option<String>,
}

/// The address of an output on the published site, shown without `https://`, and its QR code.
fn online(config: &SiteConfig, relative: &str) -> Option<OnlineAddress> {
    let url = config.absolute_url(relative)?;
    let short = url.trim_start_matches("https://").trim_start_matches("http://").to_string();
    let qr_svg = qr_svg(&url, &format!("QR code for {short}"));
    Some(OnlineAddress { url, short, qr_svg })
}

#[derive(Serialize)]
struct PdfLink {
    label: &'static str,
    href: String,
}

/// The PDFs of a view, linked from a page in the same audience folder.
fn pdf_links(audience: Audience, id: &str) -> Vec<PdfLink> {
    pdf_files(audience, id)
        .into_iter()
        .map(|(label, path)| PdfLink { label, href: path.rsplit('/').next().unwrap_or(&path).to_string() })
        .collect()
}

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
}

#[derive(Serialize)]
struct PageContext<T: Serialize> {
    page: T,
}

/// `patient/<id>.html`: the leaflet on the web, phone first, with the back page's information.
pub fn leaflet_page(pages: &PageRenderer<'_>, theme: &Theme, config: &SiteConfig, view: &AudienceView) -> PageResult {
    let easy_read = view.available.contains(&Audience::EasyRead) && produced(Audience::EasyRead).html;
    let pdfs = pdf_links(Audience::Patient, &view.id);
    let page = LeafletPage {
        title: &view.title,
        body_html: blocks_to_html(&view.blocks, &HtmlContext { theme, root: "../" }),
        governance: governance(view),
        contact: contact(config),
        easy_read_href: easy_read.then(|| format!("../easy-read/{}.html", view.id)),
        large_print_href: pdfs.iter().find(|p| p.label.starts_with("Large print")).map(|p| p.href.clone()),
        pdfs,
        online: online(config, &format!("patient/{}.html", view.id)),
    };
    let html = pages.render("patient/leaflet.html", "../", &PageContext { page })?;
    Ok(Artifact::new(&format!("patient/{}.html", view.id), html.into_bytes()))
}

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
        governance: governance(view),
        contact: contact(config),
        pdfs: pdf_links(Audience::EasyRead, &view.id),
    };
    let html = pages.render("easy-read/document.html", "../", &PageContext { page })?;
    Ok(Artifact::new(&format!("easy-read/{}.html", view.id), html.into_bytes()))
}

#[derive(Serialize)]
struct MessageView {
    icon_html: Option<String>,
    words_html: String,
}

#[derive(Serialize)]
struct PosterView {
    headline: String,
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
}

/// Where a poster's QR code leads: the patient leaflet, or the staff page without one.
pub fn poster_target(view: &AudienceView) -> String {
    if view.available.contains(&Audience::Patient) {
        format!("patient/{}.html", view.id)
    } else {
        format!("staff/{}.html", view.id)
    }
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
        governance: governance(view),
        pdfs: pdf_links(Audience::Poster, &view.id),
        online: online(config, &poster_target(view)),
    };
    let html = pages.render("poster/posters.html", "../", &PageContext { page })?;
    Ok(Artifact::new(&format!("poster/{}.html", view.id), html.into_bytes()))
}

#[derive(Serialize)]
struct IndexItem<'a> {
    title: &'a str,
    href: Option<String>,
    details: String,
    pdfs: Vec<PdfLink>,
}

#[derive(Serialize)]
struct IndexPage<'a> {
    heading: &'static str,
    intro: &'static str,
    breadcrumb: &'static str,
    items: Vec<IndexItem<'a>>,
}

/// `<audience>/index.html`: every document of one audience, ready to read or print.
pub fn audience_index(pages: &PageRenderer<'_>, audience: Audience, views: &[&AudienceView]) -> PageResult {
    let (heading, intro, breadcrumb) = match audience {
        Audience::Patient => (
            "Information for patients, carers and visitors",
            "Leaflets that explain what our policies mean for you. Each one can be read here, or printed: as an A5 leaflet, in large print, or as a booklet.",
            "Patient information",
        ),
        Audience::EasyRead => {
            ("Easy read information", "Our information in short sentences with pictures.", "Easy read")
        }
        Audience::Poster => {
            ("Ward posters", "Posters for wards and waiting areas. Print them on A3 or A4 paper.", "Ward posters")
        }
        Audience::Staff => ("Staff policies", "", "Staff policies"),
    };
    let mut items: Vec<IndexItem<'_>> = views
        .iter()
        .map(|v| IndexItem {
            title: &v.title,
            href: produced(audience).html.then(|| format!("{}.html", v.id)),
            details: match &v.reference {
                Some(reference) => format!("{reference}, version {}, review date {}", v.version, v.review_date.long()),
                None => format!("Version {}, review date {}", v.version, v.review_date.long()),
            },
            pdfs: pdf_links(audience, &v.id),
        })
        .collect();
    items.sort_by_key(|item| item.title.to_lowercase());
    let page = IndexPage { heading, intro, breadcrumb, items };
    let html = pages.render("audience-index.html", "../", &page)?;
    Ok(Artifact::new(&format!("{}/index.html", audience.name()), html.into_bytes()))
}
