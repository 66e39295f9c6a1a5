//! What the patient-facing outputs (leaflet, easy read, poster) share: the governance strip
//! and its dates, "how to contact us" (the policy's own contact or the site's), the public
//! web address with its QR code, PDF links, each of these audiences' index page, and the
//! checks that make these outputs reachable (a `public-url`, a contact phone number).
//!
//! Every printed address and QR code of these outputs points at the public site
//! (`public-url`), at the policy's short address `<public-url><short>/`; never at the intranet.
//!
//! Pure: fills templates from resolved views. Never sees staff-only metadata: the views it gets
//! have none.

use serde::Serialize;

use crate::audience::{pdf_files, pdf_output, produced};
use crate::diag::{Diagnostics, Location};
use crate::load::Project;
use crate::load::config::{CONFIG_FILE, SiteConfig};
use crate::model::dates::ReviewStatus;
use crate::model::languages::OUT_OF_DATE_EN;
use crate::model::phone::tel_href;
use crate::model::{Artifact, Audience, Contact};
use crate::render::html::{qr_svg, qr_svg_outline};
use crate::render::templates::{PageRenderer, PageResult};
use crate::resolve::{AudienceView, Library};

/// The audiences whose outputs go to patients and visitors (and to the public site).
pub const PATIENT_FACING: [Audience; 3] = [Audience::Patient, Audience::EasyRead, Audience::Poster];

#[derive(Serialize)]
pub struct Governance<'a> {
    pub reference: Option<&'a str>,
    pub version: &'a str,
    pub review_date: String,
    pub review_date_long: String,
    /// "Next review due" as month and year.
    pub next_review: String,
    /// "Last reviewed" as month and year (none for drafts).
    pub last_reviewed: Option<String>,
    /// The last review's date, for `<time datetime>`.
    pub last_reviewed_date: Option<String>,
    pub overdue: bool,
    pub due_soon: bool,
    pub draft: bool,
    /// On a translation of an earlier version: the notice, in its language and the site's.
    pub translation_notice: Option<TranslationNotice>,
}

/// "This translation is of an earlier version; ask staff for the current information", in the
/// translation's language (when policypress or the site has the wording) and in the site's.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct TranslationNotice {
    /// The notice in the translation's language.
    pub own: Option<String>,
    /// The translation's language.
    pub own_lang: String,
    /// Written right to left.
    pub own_rtl: bool,
    /// The notice in the site's language.
    pub site: String,
    /// The site's language.
    pub site_lang: String,
}

/// The out-of-date notice of a translated view, when it is of an earlier version.
pub fn translation_notice(config: &SiteConfig, view: &AudienceView) -> Option<TranslationNotice> {
    if !view.out_of_date() {
        return None;
    }
    let lang = view.lang.clone()?;
    Some(TranslationNotice {
        own: config.out_of_date_text(&lang),
        own_rtl: crate::model::languages::is_rtl(&lang),
        own_lang: lang,
        site: config.out_of_date_text(&config.language).unwrap_or_else(|| OUT_OF_DATE_EN.to_string()),
        site_lang: config.language.clone(),
    })
}

/// One language version of a document, as its pages link it.
#[derive(Serialize, Clone, Debug)]
pub struct LanguageLink {
    /// The language's name in itself.
    pub name: String,
    /// Its tag.
    pub lang: String,
    /// Written right to left.
    pub rtl: bool,
    /// The page, from a page in the same folder.
    pub href: String,
    /// The version shown on this page.
    pub current: bool,
    /// A translation of an earlier version.
    pub out_of_date: bool,
}

/// The language versions of a view's document (none when it has no translation).
pub fn language_links(config: &SiteConfig, view: &AudienceView) -> Vec<LanguageLink> {
    let own = view.stem();
    view.languages
        .iter()
        .map(|l| {
            let lang = l.lang.clone().unwrap_or_else(|| config.language.clone());
            LanguageLink {
                name: config.language_name(&lang),
                rtl: crate::model::languages::is_rtl(&lang),
                lang,
                href: format!("{}.html", l.stem),
                current: l.stem == own,
                out_of_date: l.out_of_date,
            }
        })
        .collect()
}

/// The strap-line "If you need this information in another language…" in each language of
/// `other-languages:`, for leaflets in the site's language: (tag, right to left, sentence).
pub fn ask_for_language_lines(config: &SiteConfig, view: &AudienceView) -> Vec<(String, bool, String)> {
    if view.lang.is_some() {
        return Vec::new();
    }
    config
        .other_languages
        .iter()
        .filter_map(|tag| {
            let text = config.ask_for_language_text(tag)?;
            Some((tag.clone(), crate::model::languages::is_rtl(tag), text))
        })
        .collect()
}

pub fn governance<'a>(config: &SiteConfig, view: &'a AudienceView) -> Governance<'a> {
    Governance {
        reference: view.reference.as_deref(),
        version: &view.version,
        review_date: view.review_date.to_string(),
        review_date_long: view.review_date.long(),
        next_review: view.review_date.month_year(),
        last_reviewed: view.last_reviewed.map(|d| d.month_year()),
        last_reviewed_date: view.last_reviewed.map(|d| d.to_string()),
        overdue: view.review_status == ReviewStatus::Overdue,
        due_soon: view.review_status == ReviewStatus::DueSoon,
        draft: view.draft,
        translation_notice: translation_notice(config, view),
    }
}

/// The contact a policy's patient-facing outputs print: its own `contact:`, else the site's.
pub fn contact_of<'a>(config: &'a SiteConfig, view: &'a AudienceView) -> &'a Contact {
    view.contact.as_ref().unwrap_or(&config.contact)
}

/// The name a contact is printed under: its team, else the organisation.
pub fn contact_name<'a>(config: &'a SiteConfig, contact: &'a Contact) -> &'a str {
    contact.name.as_deref().unwrap_or(&config.organisation)
}

#[derive(Serialize)]
pub struct ContactView<'a> {
    pub name: &'a str,
    pub phone: Option<&'a str>,
    /// The phone's `tel:` address.
    pub phone_href: Option<String>,
    pub email: Option<&'a str>,
}

pub fn contact<'a>(config: &'a SiteConfig, view: &'a AudienceView) -> ContactView<'a> {
    let c = contact_of(config, view);
    ContactView {
        name: contact_name(config, c),
        phone: c.phone.as_deref(),
        phone_href: c.phone.as_deref().map(tel_href),
        email: c.email.as_deref(),
    }
}

/// A public web address: the full address (what a QR code encodes and a link opens), the
/// printed form and the QR code as inline SVG.
#[derive(Serialize)]
pub struct OnlineAddress {
    pub url: String,
    pub short: String,
    pub qr_svg: Option<String>,
}

/// An address as printed: without `https://` and without the trailing slash (static web
/// servers send `…/phones` on to `…/phones/`), so it is short to read and to type.
pub fn printed_address(url: &str) -> String {
    let s = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or(url);
    s.strip_suffix('/').unwrap_or(s).to_string()
}

/// The policy's short address on the public site, `<public-url><short>/`, which opens its
/// leaflet (or, without one, its easy read, else its posters); `None` without `public-url`.
pub fn short_url(config: &SiteConfig, view: &AudienceView) -> Option<String> {
    config.public_address(&format!("{}/", short_path(view)))
}

/// The easy-read version's short address, `<public-url><short>/easy-read/`.
pub fn easy_read_url(config: &SiteConfig, view: &AudienceView) -> Option<String> {
    config.public_address(&format!("{}/easy-read/", short_path(view)))
}

/// The folder of a view's short address: `<short>`, and for a translation `<short>/<lang>`
/// (so a Welsh leaflet's QR code opens the Welsh leaflet).
pub fn short_path(view: &AudienceView) -> String {
    match &view.lang {
        Some(lang) => format!("{}/{lang}", view.short),
        None => view.short.clone(),
    }
}

/// The short address of a view with its QR code, for the web pages.
pub fn online(config: &SiteConfig, view: &AudienceView) -> Option<OnlineAddress> {
    let url = short_url(config, view)?;
    let short = printed_address(&url);
    let label = format!("QR code for {short}");
    // `check` renders the pages for their template errors and writes none: it gets the code's
    // outline, without working out its modules (choosing the mask, most of a page's time there).
    let qr_svg = if pdf_output::layout_only() { qr_svg_outline(&url, &label) } else { qr_svg(&url, &label) };
    Some(OnlineAddress { url, short, qr_svg })
}

/// How to print the booklet PDF (A5 pages two to a side of A4): shown beside its link and on
/// its first sheet. Flipping on the short edge turns each sheet over the way a booklet is
/// opened, so the back of every sheet prints the right way up (see `pdf::impose`).
pub const BOOKLET_PRINTING: &str = "print double-sided, flip on the short edge, then fold in half";

#[derive(Serialize)]
pub struct PdfLink {
    pub label: &'static str,
    pub href: String,
    /// How to print it, when that needs saying (the booklet).
    pub note: Option<&'static str>,
}

/// The PDFs of a view, linked from a page in the same audience folder.
pub fn pdf_links(audience: Audience, id: &str) -> Vec<PdfLink> {
    pdf_files(audience, id)
        .into_iter()
        .map(|(label, path)| PdfLink {
            label,
            note: path.ends_with("-booklet.pdf").then_some(BOOKLET_PRINTING),
            href: path.rsplit('/').next().unwrap_or(&path).to_string(),
        })
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
    /// `in-date`, `due-soon` or `overdue`.
    status_key: &'static str,
    /// What the mark says when the item is due soon or overdue.
    status_label: Option<String>,
    draft: bool,
    pdfs: Vec<PdfLink>,
    /// Its translations, each marked when it is of an earlier version.
    translations: Vec<LanguageLink>,
}

#[derive(Serialize)]
struct IndexPage<'a> {
    heading: &'static str,
    intro: &'static str,
    breadcrumb: &'static str,
    today: String,
    overdue_count: usize,
    items: Vec<IndexItem<'a>>,
}

/// `<audience>/index.html`: every document of one audience, ready to read or print, with the
/// ones overdue for review (or due soon) marked, so nobody prints an out-of-date leaflet
/// without knowing.
pub fn audience_index(
    pages: &PageRenderer<'_>,
    config: &SiteConfig,
    audience: Audience,
    views: &[&AudienceView],
    library: &Library,
) -> PageResult {
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
            status_key: v.review_status.key(),
            status_label: match v.review_status {
                ReviewStatus::Overdue => {
                    Some(format!("Overdue for review since {}: check before printing", v.review_date.long()))
                }
                ReviewStatus::DueSoon => Some(format!("Review due {}", v.review_date.month_year())),
                ReviewStatus::InDate => None,
            },
            draft: v.draft,
            pdfs: pdf_links(audience, &v.id),
            translations: language_links(config, v).into_iter().filter(|l| !l.current).collect(),
        })
        .collect();
    items.sort_by_key(|item| item.title.to_lowercase());
    let overdue_count = items.iter().filter(|i| i.status_key == ReviewStatus::Overdue.key()).count();
    let page = IndexPage { heading, intro, breadcrumb, today: library.today.long(), overdue_count, items };
    let html = pages.render("audience-index.html", "../", &page)?;
    Ok(Artifact::new(&format!("{}/index.html", audience.name()), html.into_bytes()))
}

/// The example `contact:` block the hints show.
const CONTACT_BLOCK: &str = "contact:\n        name: Patient Advice and Liaison Service (PALS)\n        phone: 0116 225 2525\n        email: pals@example.nhs.uk";

/// The checks that make patient-facing outputs reach their readers: a `public-url` for their
/// addresses and QR codes (a warning, an error with `--strict`), and a phone number to contact
/// (an error: a leaflet nobody can phone about is not finished).
pub fn check_reachable(project: &Project, library: &Library, strict: bool, diags: &mut Diagnostics) {
    let config = &project.config;
    let views: Vec<&AudienceView> = PATIENT_FACING.iter().flat_map(|&a| library.views(a)).collect();
    if views.is_empty() {
        return;
    }
    // No line to point at in a settings file that does not exist.
    let settings_at =
        |line: usize| if project.has_settings_file { Location::new(CONFIG_FILE, line, 1) } else { Location::nowhere() };
    if config.public_url.is_none() {
        let message = "there is no `public-url`, so leaflets, easy read and posters have no web address or QR code";
        let location = settings_at(1);
        let d = if strict { diags.error(location, message) } else { diags.warning(location, message) };
        d.hint("add `public-url: https://...` to policypress.yaml: where `output/public/` is published on the Trust's public website (never the intranet)");
    }
    // Policies that rely on the site's contact, reported once at the settings; a policy's own
    // contact without a phone is reported at its `contact:`.
    let mut using_site: Vec<&str> = Vec::new();
    for policy in &library.policies {
        let Some(view) = PATIENT_FACING.iter().find_map(|&a| policy.view(a)) else { continue };
        match &view.contact {
            Some(own) if own.phone.is_none() => {
                diags
                    .error(
                        Location::new(&view.source, view.contact_line, 1),
                        "this policy's `contact:` has no `phone`, and its leaflet, easy read and posters must give one",
                    )
                    .hint("add the ward's or service's number, for example `  phone: 0116 225 2525`, under `contact:`");
            }
            Some(_) => {}
            None if config.contact.phone.is_none() => using_site.push(&view.id),
            None => {}
        }
    }
    if !using_site.is_empty() {
        let what =
            if config.contact == Contact::default() { "there is no `contact:`" } else { "`contact:` has no `phone`" };
        diags
            .error(
                settings_at(config.contact_line),
                format!(
                    "{what} in policypress.yaml, so \"How to contact us\" has no phone number ({})",
                    using_site.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ")
                ),
            )
            .hint(format!(
                "patient-facing outputs must say how to reach you; add to policypress.yaml:\n      {CONTACT_BLOCK}\n    or give a policy its own `contact:` (a ward or service) in its front matter"
            ));
    }
}
