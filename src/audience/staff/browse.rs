//! Browsing the staff library by change: the "recently updated" page, the Atom feed of approved
//! changes (newest first, each with its summary from `history`), and the staff site's sitemap.
//!
//! Pure. Dates come from the policies (approval and history dates), never from the clock, so the
//! same sources give the same files.

use serde::Serialize;

use crate::audience::staff::pages::{published_earlier, version_pages, version_slug};
use crate::diag::Location;
use crate::load::config::SiteConfig;
use crate::model::dates::Date;
use crate::model::{Artifact, Audience, Status};
use crate::render::html::escape;
use crate::render::sitemap::{SitemapEntry, sitemap_xml};
use crate::render::templates::PageRenderer;
use crate::resolve::Library;

/// How many changes the "recently updated" page lists.
pub const RECENT_COUNT: usize = 30;

/// One approved change of one policy.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Change {
    /// The policy id.
    pub id: String,
    /// The policy title.
    pub title: String,
    /// The version the change made.
    pub version: String,
    /// When it was approved (`YYYY-MM-DD`).
    pub date: String,
    /// The same, in words.
    pub date_long: String,
    /// What changed, from `history` (or "Version <n> approved.").
    pub summary: String,
    /// The page of that version, under `staff/`.
    pub href: String,
    /// Sorts the changes: the date.
    #[serde(skip)]
    pub day: Date,
}

/// Every approved change in the library, newest first (then by title and version, so ties
/// always come out in the same order). Drafts have none.
pub fn changes(library: &Library) -> Vec<Change> {
    let mut out = Vec::new();
    for view in library.views(Audience::Staff) {
        let Some(staff) = &view.staff else { continue };
        if staff.status == Status::Draft {
            continue;
        }
        let pages = version_pages(view);
        let href = |version: &str| pages.get(version).cloned().unwrap_or_else(|| format!("{}.html", view.id));
        let mut push = |version: &str, day: Date, summary: &str| {
            out.push(Change {
                id: view.id.clone(),
                title: view.policy_title.clone(),
                version: version.to_string(),
                date: day.to_string(),
                date_long: day.long(),
                summary: summary.to_string(),
                href: href(version),
                day,
            })
        };
        for h in &staff.history {
            push(&h.version, h.date, &h.changes);
        }
        if !staff.history.iter().any(|h| h.version == view.version)
            && let Some(day) = staff.approved_date
        {
            push(&view.version, day, &format!("Version {} approved.", view.version));
        }
    }
    out.sort_by(|a, b| b.day.cmp(&a.day).then_with(|| a.title.cmp(&b.title)).then_with(|| b.version.cmp(&a.version)));
    out
}

#[derive(Serialize)]
struct RecentPage {
    changes: Vec<Change>,
    total: usize,
}

/// `staff/recent.html`: the latest approved changes across the library.
pub fn recent_page(pages: &PageRenderer<'_>, library: &Library) -> Result<Artifact, (Location, String)> {
    let all = changes(library);
    let total = all.len();
    let page = RecentPage { changes: all.into_iter().take(RECENT_COUNT).collect(), total };
    let html = pages.render("staff/recent.html", "../", &page)?;
    Ok(Artifact::new("staff/recent.html", html.into_bytes()))
}

/// A fixed identifier made from `key`, as a `urn:uuid:` (version 8, "custom"): for Atom ids when
/// there is no `base-url` to make them from.
fn uuid_of(key: &str) -> String {
    let fnv = |seed: u64| key.bytes().fold(seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let (a, b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x6c62_272e_07bb_0142));
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x8000;
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "urn:uuid:{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// `staff/feed.xml`: an Atom feed of approved changes, newest first. With `base-url` its
/// addresses are absolute; without, links are relative to the feed (readers resolve them
/// against where they fetched it) and ids are fixed `urn:uuid:`s.
pub fn atom_feed(config: &SiteConfig, library: &Library) -> Artifact {
    let all = changes(library);
    let base = config.base_url.as_deref();
    let url = |path: &str| match base {
        Some(b) => format!("{b}staff/{path}"),
        None => path.to_string(),
    };
    let id = |key: &str, path: &str| match base {
        Some(b) => format!("{b}staff/{path}"),
        None => uuid_of(key),
    };
    let updated = all.first().map(|c| c.day).unwrap_or(library.today);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n", escape(&config.language)));
    xml.push_str(&format!("  <title>{}: policy changes</title>\n", escape(&config.title)));
    xml.push_str(&format!(
        "  <subtitle>Approved changes to the policies of {}, newest first.</subtitle>\n",
        escape(&config.organisation)
    ));
    xml.push_str(&format!("  <id>{}</id>\n", escape(&id("feed", "feed.xml"))));
    if base.is_some() {
        xml.push_str(&format!(
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
            escape(&url("feed.xml"))
        ));
    }
    xml.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", escape(&url("recent.html"))));
    xml.push_str(&format!("  <updated>{updated}T00:00:00Z</updated>\n"));
    xml.push_str(&format!("  <author><name>{}</name></author>\n", escape(&config.organisation)));
    for c in &all {
        let key = format!("{}#{}", c.id, c.version);
        xml.push_str("  <entry>\n");
        xml.push_str(&format!("    <title>{}: version {}</title>\n", escape(&c.title), escape(&c.version)));
        xml.push_str(&format!(
            "    <id>{}</id>\n",
            escape(&id(&key, &format!("{}.html#version-{}", c.id, version_slug(&c.version))))
        ));
        xml.push_str(&format!("    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", escape(&url(&c.href))));
        xml.push_str(&format!("    <updated>{}T00:00:00Z</updated>\n", c.date));
        xml.push_str(&format!("    <summary>{}</summary>\n", escape(&c.summary)));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    Artifact::new("staff/feed.xml", xml.into_bytes())
}

/// `staff/sitemap.xml`, when `base-url` is set: the library, the recently updated page, every
/// policy page and earlier version, with their approval dates.
pub fn staff_sitemap(config: &SiteConfig, library: &Library) -> Option<Artifact> {
    let mut entries = vec![
        SitemapEntry { path: "staff/index.html".into(), lastmod: None },
        SitemapEntry { path: "staff/recent.html".into(), lastmod: None },
        SitemapEntry { path: "staff/accessibility.html".into(), lastmod: None },
        SitemapEntry { path: "staff/review-report.html".into(), lastmod: None },
    ];
    for view in library.views(Audience::Staff) {
        let approved = view.staff.as_ref().and_then(|s| s.approved_date);
        entries.push(SitemapEntry { path: format!("staff/{}.html", view.id), lastmod: approved });
        for (old, _) in published_earlier(view) {
            entries.push(SitemapEntry {
                path: format!("staff/{}/{}.html", view.id, version_slug(&old.version)),
                lastmod: old.staff.as_ref().and_then(|s| s.approved_date),
            });
        }
    }
    let xml = sitemap_xml(config.base_url.as_deref(), &entries)?;
    Some(Artifact::new("staff/sitemap.xml", xml.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_fixed_and_differ_by_key() {
        assert_eq!(uuid_of("a#1.0"), uuid_of("a#1.0"));
        assert_ne!(uuid_of("a#1.0"), uuid_of("a#2.0"));
        let u = uuid_of("feed");
        assert_eq!(u.len(), "urn:uuid:".len() + 36);
        assert_eq!(&u["urn:uuid:".len() + 14..][..1], "8");
    }
}
