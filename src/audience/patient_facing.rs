//! What the patient-facing web pages (leaflet, easy read, poster) share: the governance strip,
//! "how to contact us", the online address with its QR code, PDF links, and each of these
//! audiences' index page.
//!
//! Pure: fills templates from resolved views. Never sees staff-only metadata: the views it gets
//! have none.

use serde::Serialize;

use crate::audience::{pdf_files, produced};
use crate::load::config::SiteConfig;
use crate::model::Artifact;
use crate::model::Audience;
use crate::model::dates::ReviewStatus;
use crate::render::html::qr_svg;
use crate::render::templates::{PageRenderer, PageResult};
use crate::resolve::AudienceView;

#[derive(Serialize)]
pub struct Governance<'a> {
    pub reference: Option<&'a str>,
    pub version: &'a str,
    pub review_date: String,
    pub review_date_long: String,
    pub overdue: bool,
    pub draft: bool,
}

pub fn governance(view: &AudienceView) -> Governance<'_> {
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
pub struct ContactView<'a> {
    pub name: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
}

pub fn contact(config: &SiteConfig) -> ContactView<'_> {
    ContactView {
        name: config.contact.name.as_deref().unwrap_or(&config.organisation),
        phone: config.contact.phone.as_deref(),
        email: config.contact.email.as_deref(),
    }
}

#[derive(Serialize)]
pub struct OnlineAddress {
    pub url: String,
    pub short: String,
    pub qr_svg: Option<String>,
}

/// The address of an output on the published site, shown without `https://`, and its QR code.
pub fn online(config: &SiteConfig, relative: &str) -> Option<OnlineAddress> {
    let url = config.absolute_url(relative)?;
    let short = url.trim_start_matches("https://").trim_start_matches("http://").to_string();
    let qr_svg = qr_svg(&url, &format!("QR code for {short}"));
    Some(OnlineAddress { url, short, qr_svg })
}

#[derive(Serialize)]
pub struct PdfLink {
    pub label: &'static str,
    pub href: String,
}

/// The PDFs of a view, linked from a page in the same audience folder.
pub fn pdf_links(audience: Audience, id: &str) -> Vec<PdfLink> {
    pdf_files(audience, id)
        .into_iter()
        .map(|(label, path)| PdfLink { label, href: path.rsplit('/').next().unwrap_or(&path).to_string() })
        .collect()
}

#[derive(Serialize)]
pub struct PageContext<T: Serialize> {
    pub page: T,
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
