//! `sitemap.xml` (sitemaps.org 0.9): the pages of a site with absolute addresses, for search
//! engines and intranet crawlers. Shared by every site the build makes (the staff site now; the
//! public site can list its own pages the same way).
//!
//! Pure. A sitemap needs absolute addresses, so without `base-url` there is none: callers get
//! `None` and write no file.

use crate::model::dates::Date;
use crate::render::html::escape;

/// One page: its path under `output/` and when it last changed (its approval date), if known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    /// Path under `output/`, like `staff/index.html`.
    pub path: String,
    /// Last change, when the page has one.
    pub lastmod: Option<Date>,
}

/// The sitemap of `entries` (sorted by path, so the file is the same whatever the order given),
/// with addresses under `base_url` (ending in `/`); `None` without a base URL.
pub fn sitemap_xml(base_url: Option<&str>, entries: &[SitemapEntry]) -> Option<String> {
    let base = base_url?;
    let mut sorted: Vec<&SitemapEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    sorted.dedup_by(|a, b| a.path == b.path);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for entry in sorted {
        out.push_str("  <url><loc>");
        out.push_str(&escape(&format!("{base}{}", entry.path)));
        out.push_str("</loc>");
        if let Some(date) = entry.lastmod {
            out.push_str(&format!("<lastmod>{date}</lastmod>"));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_absolute_escaped_and_sorted() {
        let entries = [
            SitemapEntry { path: "staff/b&c.html".into(), lastmod: Date::parse("2025-03-31") },
            SitemapEntry { path: "staff/a.html".into(), lastmod: None },
        ];
        let xml = sitemap_xml(Some("https://x.nhs.uk/p/"), &entries).unwrap();
        assert!(xml.contains("<url><loc>https://x.nhs.uk/p/staff/a.html</loc></url>\n  <url><loc>https://x.nhs.uk/p/staff/b&amp;c.html</loc><lastmod>2025-03-31</lastmod></url>"));
        assert_eq!(sitemap_xml(None, &entries), None);
    }
}
