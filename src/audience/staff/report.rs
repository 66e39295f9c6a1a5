//! The review report for policy owners and the policy committee: which policies are overdue for
//! review, which are due within three months, by owner and by category, as a web page, a CSV
//! file and an iCalendar file (RFC 5545) of review dates that owners can subscribe to.
//!
//! Pure. Judged against the build date (`--today`), which is also each event's `DTSTAMP`, so the
//! same sources and date give the same files. Withdrawn policies have no review; drafts are in
//! the report only when the build includes them.

use serde::Serialize;

use crate::diag::Location;
use crate::load::config::SiteConfig;
use crate::model::dates::{Date, ReviewStatus};
use crate::model::{Artifact, Audience, Status};
use crate::render::templates::PageRenderer;
use crate::resolve::{AudienceView, Library};

/// The report's files, under `staff/` in a build.
pub const REPORT_HTML: &str = "review-report.html";
/// See [`REPORT_HTML`].
pub const REPORT_CSV: &str = "review-report.csv";
/// See [`REPORT_HTML`].
pub const REPORT_ICS: &str = "review-dates.ics";

/// One policy in the report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    id: String,
    title: String,
    reference: String,
    version: String,
    owner: String,
    category: String,
    directorate: String,
    review_date: String,
    review_date_long: String,
    status_key: &'static str,
    status_label: &'static str,
    /// Days from the build date to the review date (negative: overdue by that many).
    days: i64,
    /// "overdue by 3 days", "in 12 days", "today".
    when: String,
    draft: bool,
}

/// Rows under one owner or category, with counts.
#[derive(Debug, Clone, Serialize)]
pub struct ReportGroup {
    name: String,
    overdue: usize,
    due_soon: usize,
    in_date: usize,
    rows: Vec<ReportRow>,
}

/// Everything the report shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    today: String,
    today_long: String,
    total: usize,
    overdue: Vec<ReportRow>,
    due_soon: Vec<ReportRow>,
    by_owner: Vec<ReportGroup>,
    by_category: Vec<ReportGroup>,
    #[serde(skip)]
    all: Vec<ReportRow>,
    #[serde(skip)]
    today_date: Date,
}

impl Report {
    /// Number of policies overdue for review.
    pub fn overdue_count(&self) -> usize {
        self.overdue.len()
    }

    /// Number due within three months.
    pub fn due_soon_count(&self) -> usize {
        self.due_soon.len()
    }

    /// Number of policies with a review date.
    pub fn total(&self) -> usize {
        self.total
    }
}

fn row(view: &AudienceView, today: Date) -> ReportRow {
    let staff = view.staff.as_ref();
    let days = (view.review_date.unix_seconds() - today.unix_seconds()).div_euclid(86_400);
    let when = match days {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        -1 => "overdue by 1 day".to_string(),
        d if d < 0 => format!("overdue by {} days", -d),
        d => format!("in {d} days"),
    };
    ReportRow {
        id: view.id.clone(),
        title: view.policy_title.clone(),
        reference: view.reference.clone().unwrap_or_default(),
        version: view.version.clone(),
        owner: staff.and_then(|s| s.owner.clone()).unwrap_or_default(),
        category: staff.and_then(|s| s.category.clone()).unwrap_or_default(),
        directorate: staff.and_then(|s| s.directorate.clone()).unwrap_or_default(),
        review_date: view.review_date.to_string(),
        review_date_long: view.review_date.long(),
        status_key: view.review_status.key(),
        status_label: view.review_status.label(),
        days,
        when,
        draft: view.draft,
    }
}

fn groups(rows: &[ReportRow], key: impl Fn(&ReportRow) -> &str, none: &str) -> Vec<ReportGroup> {
    let mut names: Vec<String> = rows.iter().map(|r| key(r).to_string()).collect();
    names.sort_by_key(|n| (n.is_empty(), n.to_lowercase()));
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let rows: Vec<ReportRow> = rows.iter().filter(|r| key(r) == name).cloned().collect();
            let count = |k: ReviewStatus| rows.iter().filter(|r| r.status_key == k.key()).count();
            ReportGroup {
                overdue: count(ReviewStatus::Overdue),
                due_soon: count(ReviewStatus::DueSoon),
                in_date: count(ReviewStatus::InDate),
                name: if name.is_empty() { none.to_string() } else { name },
                rows,
            }
        })
        .collect()
}

/// The review report of the library as of its build date.
pub fn review_report(library: &Library) -> Report {
    let today = library.today;
    let mut all: Vec<ReportRow> = library
        .views(Audience::Staff)
        .filter(|v| v.staff.as_ref().is_some_and(|s| s.status != Status::Withdrawn))
        .map(|v| row(v, today))
        .collect();
    all.sort_by(|a, b| {
        a.review_date.cmp(&b.review_date).then_with(|| a.title.cmp(&b.title)).then_with(|| a.id.cmp(&b.id))
    });
    let of = |k: ReviewStatus| all.iter().filter(|r| r.status_key == k.key()).cloned().collect::<Vec<_>>();
    Report {
        today: today.to_string(),
        today_long: today.long(),
        total: all.len(),
        overdue: of(ReviewStatus::Overdue),
        due_soon: of(ReviewStatus::DueSoon),
        by_owner: groups(&all, |r| &r.owner, "No owner named"),
        by_category: groups(&all, |r| &r.category, "No category"),
        all,
        today_date: today,
    }
}

#[derive(Serialize)]
struct ReportPage<'a> {
    report: &'a Report,
    csv_href: &'static str,
    ics_href: &'static str,
    /// Where the policy pages are, from the report page (`None`: not linked).
    policies: Option<&'a str>,
}

/// The report as a page of the staff site (`staff/review-report.html`).
pub fn report_page(pages: &PageRenderer<'_>, report: &Report) -> Result<String, (Location, String)> {
    let page = ReportPage { report, csv_href: REPORT_CSV, ics_href: REPORT_ICS, policies: Some("") };
    pages.render("staff/report.html", "../", &page)
}

/// The report as a page on its own, beside its stylesheet (what `policypress report` writes):
/// policies are linked on the published site when `base-url` is set.
pub fn standalone_report(
    pages: &PageRenderer<'_>,
    config: &SiteConfig,
    library: &Library,
    theme_css: String,
    stylesheet: Option<&[u8]>,
) -> Result<(Report, Vec<Artifact>), (Location, String)> {
    let report = review_report(library);
    let staff = config.absolute_url("staff/");
    let page = ReportPage { report: &report, csv_href: REPORT_CSV, ics_href: REPORT_ICS, policies: staff.as_deref() };
    let html = pages.render("staff/report-standalone.html", "", &page)?;
    let mut files = vec![
        Artifact::new(REPORT_HTML, html.into_bytes()),
        Artifact::new(REPORT_CSV, report_csv(&report, config).into_bytes()),
        Artifact::new(REPORT_ICS, report_ics(&report, config).into_bytes()),
        Artifact::new("assets/theme.css", theme_css.into_bytes()),
    ];
    if let Some(css) = stylesheet {
        files.push(Artifact::new("assets/style.css", css.to_vec()));
    }
    Ok((report, files))
}

/// One CSV field: quoted when it must be (RFC 4180), and with a leading `'` when a spreadsheet
/// would take it for a formula.
fn csv_field(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err();
    let text = if formula { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// The report as CSV: one line per policy, soonest review first.
pub fn report_csv(report: &Report, config: &SiteConfig) -> String {
    let mut out = String::from(
        "id,title,reference,version,owner,category,directorate,review_date,review_status,days_until_review,url\r\n",
    );
    for r in &report.all {
        let url = config.absolute_url(&format!("staff/{}.html", r.id)).unwrap_or_else(|| format!("{}.html", r.id));
        let fields = [
            &r.id,
            &r.title,
            &r.reference,
            &r.version,
            &r.owner,
            &r.category,
            &r.directorate,
            &r.review_date,
            &r.status_label.to_string(),
            &r.days.to_string(),
            &url,
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// Text in an iCalendar value: `\`, `;`, `,` and line breaks escaped (RFC 5545 3.3.11).
fn ics_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

/// A content line folded at 75 octets, never inside a character (RFC 5545 3.1).
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

fn ics_date(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

/// The review dates as an iCalendar file: one all-day event per policy on its review date.
/// UIDs are made from the policy id and review date (and the site's host), so a calendar that
/// subscribes sees an event move, not a new one, only when the date changes; `DTSTAMP` is the
/// build date.
pub fn report_ics(report: &Report, config: &SiteConfig) -> String {
    let host = config
        .base_url
        .as_deref()
        .and_then(|u| u.split("://").nth(1))
        .and_then(|rest| rest.split(['/', ':']).next())
        .filter(|h| !h.is_empty())
        .unwrap_or("policypress.invalid");
    let stamp = format!("{}T000000Z", ics_date(report.today_date));
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//policypress//policy review dates//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        format!("X-WR-CALNAME:{}", ics_text(&format!("{}: policy review dates", config.organisation))),
    ] {
        out.push_str(&fold(&line));
    }
    for r in &report.all {
        let Some(date) = Date::parse(&r.review_date) else { continue };
        let next = Date::from_unix_seconds(date.unix_seconds() + 86_400).unwrap_or(date);
        let reference = if r.reference.is_empty() { String::new() } else { format!(" ({})", r.reference) };
        let mut description =
            format!("Version {}. Owner: {}.", r.version, if r.owner.is_empty() { "not named" } else { &r.owner });
        if !r.category.is_empty() {
            description.push_str(&format!(" Category: {}.", r.category));
        }
        description.push_str(&format!(" Status on {}: {}.", report.today_long, r.status_label));
        let mut lines = vec![
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}-review-{}@{host}", r.id, ics_date(date)),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", ics_date(date)),
            format!("DTEND;VALUE=DATE:{}", ics_date(next)),
            format!("SUMMARY:{}", ics_text(&format!("Review due: {}{reference}", r.title))),
            format!("DESCRIPTION:{}", ics_text(&description)),
        ];
        if !r.category.is_empty() {
            lines.push(format!("CATEGORIES:{}", ics_text(&r.category)));
        }
        if let Some(url) = config.absolute_url(&format!("staff/{}.html", r.id)) {
            lines.push(format!("URL:{url}"));
        }
        lines.push("TRANSP:TRANSPARENT".to_string());
        lines.push("END:VEVENT".to_string());
        for line in lines {
            out.push_str(&fold(&line));
        }
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

/// The report files a build publishes under `staff/`.
pub fn report_files(
    pages: &PageRenderer<'_>,
    config: &SiteConfig,
    library: &Library,
) -> Result<Vec<Artifact>, (Location, String)> {
    let report = review_report(library);
    Ok(vec![
        Artifact::new(&format!("staff/{REPORT_HTML}"), report_page(pages, &report)?.into_bytes()),
        Artifact::new(&format!("staff/{REPORT_CSV}"), report_csv(&report, config).into_bytes()),
        Artifact::new(&format!("staff/{REPORT_ICS}"), report_ics(&report, config).into_bytes()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-52"), "-52");
    }

    #[test]
    fn ics_lines_fold_at_75_octets_and_text_is_escaped() {
        let line = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&line);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(folded.replace("\r\n ", ""), format!("{line}\r\n"));
        assert_eq!(ics_text("a; b, c\\d\ne"), "a\\; b\\, c\\\\d\\ne");
    }
}
