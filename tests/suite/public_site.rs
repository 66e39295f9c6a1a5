//! The public site, `output/public/` (issue 13): self-contained, nothing in it leads to or
//! names an intranet page, the staff search index, a preview or a draft; short addresses open
//! each policy's public document.

use std::path::{Component, Path, PathBuf};

use crate::harness::{Fixture, policy_text, repo_root};

/// Every link, picture, stylesheet and redirect of the files under `public` (HTML, CSS and the
/// link annotations of PDFs), and what is wrong with each that does not stay inside it.
fn references_leaving(public: &Path, public_url: &str, intranet_url: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    walk(public, &mut files);
    assert!(!files.is_empty(), "nothing under {}", public.display());
    for file in &files {
        let rel = file.strip_prefix(public).unwrap().display().to_string();
        let refs: Vec<String> = match file.extension().and_then(|e| e.to_str()) {
            Some("html") | Some("css") => text_references(&std::fs::read_to_string(file).unwrap()),
            Some("pdf") => pdf_uris(file),
            _ => continue,
        };
        for reference in refs {
            if let Some(problem) = leaves(public, file, &reference, public_url, intranet_url) {
                problems.push(format!("{rel}: {reference}: {problem}"));
            }
        }
        if matches!(file.extension().and_then(|e| e.to_str()), Some("html")) {
            let text = std::fs::read_to_string(file).unwrap();
            let host = intranet_url.trim_start_matches("https://").split('/').next().unwrap();
            for name in [host, "search-index", "preview/", "staff/"] {
                if text.contains(name) {
                    problems.push(format!("{rel}: names `{name}`"));
                }
            }
        }
    }
    problems
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn text_references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [("href=\"", '"'), ("src=\"", '"'), ("url(\"", '"'), ("content=\"0; url=", '"')] {
        let mut rest = text;
        while let Some(at) = rest.find(open) {
            rest = &rest[at + open.len()..];
            let end = rest.find(close).unwrap_or(rest.len());
            out.push(rest[..end].replace("&amp;", "&"));
        }
    }
    out
}

/// Every `/URI` of a PDF (link actions sit inside their annotations' dictionaries).
fn pdf_uris(file: &Path) -> Vec<String> {
    fn collect(object: &lopdf::Object, out: &mut Vec<String>) {
        match object {
            lopdf::Object::Dictionary(d) => {
                for (key, value) in d.iter() {
                    match value {
                        lopdf::Object::String(s, _) if key == b"URI" => {
                            out.push(String::from_utf8_lossy(s).into_owned())
                        }
                        other => collect(other, out),
                    }
                }
            }
            lopdf::Object::Array(items) => items.iter().for_each(|i| collect(i, out)),
            _ => {}
        }
    }
    let doc = lopdf::Document::load(file).expect("a PDF");
    let mut out = Vec::new();
    for object in doc.objects.values() {
        collect(object, &mut out);
    }
    assert!(!doc.objects.is_empty());
    out
}

/// Why `reference` (found in `file`) leaves the public site, if it does.
fn leaves(public: &Path, file: &Path, reference: &str, public_url: &str, intranet_url: &str) -> Option<String> {
    let reference = reference.split('#').next().unwrap_or("");
    if reference.is_empty() || reference.starts_with("mailto:") || reference.starts_with("tel:") {
        return None;
    }
    if reference.starts_with(intranet_url) {
        return Some("an intranet address".to_string());
    }
    let target = if let Some(path) = reference.strip_prefix(public_url) {
        public.join(path)
    } else if reference.starts_with("https://") || reference.starts_with("http://") {
        // A page elsewhere on the web (an author's link to NHS.UK): not ours to check.
        return None;
    } else if reference.contains(':') || reference.starts_with('/') {
        return Some("not a relative address".to_string());
    } else {
        file.parent().unwrap().join(reference)
    };
    let mut resolved = PathBuf::new();
    for part in target.components() {
        match part {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::CurDir => {}
            other => resolved.push(other),
        }
    }
    if !resolved.starts_with(public) {
        return Some("outside output/public/".to_string());
    }
    let resolved = if reference.ends_with('/') || resolved.is_dir() { resolved.join("index.html") } else { resolved };
    (!resolved.is_file()).then(|| "no such file on the public site".to_string())
}

#[test]
fn nothing_on_the_example_public_site_leads_off_it_or_to_staff_pages_even_with_drafts() {
    let fixture = Fixture::from_dir(&repo_root());
    let outcome = fixture.run(&["build", "--drafts"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    let public = fixture.path("output/public");
    let problems = references_leaving(
        &public,
        "https://www.example.nhs.uk/leaflets/",
        "https://intranet.example.nhs.uk/policies/",
    );
    assert!(problems.is_empty(), "{problems:#?}");
    for path in ["index.html", "accessibility.html", "patient/index.html", "easy-read/index.html", "poster/index.html"]
    {
        assert!(public.join(path).is_file(), "missing public/{path}");
    }
    // The draft is in the intranet build, never on the public site.
    assert!(fixture.path("output/patient/visiting-times.html").is_file());
    let mut files = Vec::new();
    walk(&public, &mut files);
    assert!(!files.iter().any(|f| f.display().to_string().contains("visiting-times")), "a draft on the public site");
    assert!(!files.iter().any(|f| f.display().to_string().contains("/staff/") || f.ends_with("search-index.js")));
}

#[test]
fn nothing_on_the_basic_fixture_public_site_leads_off_it() {
    let fixture = Fixture::new("basic");
    assert_eq!(fixture.run(&["build"]).status, 0);
    let problems = references_leaving(
        &fixture.path("output/public"),
        "https://www.test.nhs.uk/leaflets/",
        "https://intranet.test.nhs.uk/policies/",
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_walk_finds_links_that_leave_the_public_site() {
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public");
    std::fs::create_dir_all(public.join("patient")).unwrap();
    std::fs::write(public.join("index.html"), "<a href=\"patient/a.html\">a</a>").unwrap();
    std::fs::write(
        public.join("patient/a.html"),
        "<a href=\"../../staff/a.html\">staff</a><a href=\"b.html\">missing</a><img src=\"../index.html\" alt=\"\"><a href=\"https://intranet.x.nhs.uk/p/staff/a.html\">i</a><a href=\"https://www.nhs.uk/\">ok</a>",
    )
    .unwrap();
    let problems = references_leaving(&public, "https://www.x.nhs.uk/l/", "https://intranet.x.nhs.uk/p/");
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert!(problems[0].contains("outside output/public/"), "{problems:#?}");
    assert!(problems.iter().any(|p| p.contains("no such file")));
    assert!(problems.iter().any(|p| p.contains("an intranet address")));
    assert!(problems.iter().any(|p| p.contains("names `staff/`")));
    assert!(problems.iter().any(|p| p.contains("names `intranet.x.nhs.uk`")));
}

/// A project with an approved leaflet that links to a draft leaflet, and a staff-only picture.
fn with_a_draft() -> Fixture {
    let fixture = Fixture::with_policy(
        "phones",
        "short: phone-use\n",
        "Staff only. ![A staff-only chart](images/chart.png)\n\n::: patient\n# Phones\n\nYou can use your phone. See [visiting](visiting.md).\n:::\n\n::: poster\n# Phones\n:phone: Phones are welcome.\n:::\n",
    );
    fixture.write(
        "content/visiting.md",
        &policy_text("visiting", "", "Staff.\n\n::: patient\n# Visiting\n\nCome from 2pm.\n:::\n")
            .replace("status: approved\napproved-date: 2025-03-31\n", "status: draft\n"),
    );
    let png = std::fs::read(repo_root().join("tests/fixtures/basic/content/images/ward.png")).unwrap();
    std::fs::create_dir_all(fixture.path("content/images")).unwrap();
    std::fs::write(fixture.path("content/images/chart.png"), png).unwrap();
    fixture
}

#[test]
fn drafts_never_reach_the_public_site_and_links_to_them_are_plain_text_there() {
    let fixture = with_a_draft();
    let outcome = fixture.run(&["build", "--drafts"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    assert!(fixture.path("output/patient/visiting.html").is_file(), "the intranet build has the draft");
    assert!(!fixture.path("output/public/patient/visiting.html").exists());
    assert!(!fixture.path("output/public/visiting").exists());
    let intranet = fixture.read("output/patient/phones.html");
    let public = fixture.read("output/public/patient/phones.html");
    assert!(intranet.contains("<a href=\"visiting.html\">visiting</a>"), "{intranet}");
    assert!(public.contains("See visiting.") && !public.contains("visiting.html"), "{public}");
    // The public leaflet PDF was made for the public site: no link to the draft's leaflet.
    let uris = pdf_uris(&fixture.path("output/public/patient/phones.pdf"));
    assert!(!uris.iter().any(|u| u.contains("visiting")), "{uris:?}");
    assert!(pdf_uris(&fixture.path("output/patient/phones.pdf")).iter().any(|u| u.contains("visiting")));
    // A picture in staff-only text stays off the public site.
    assert!(fixture.path("output/assets/content/images/chart.png").is_file());
    assert!(!fixture.path("output/public/assets/content/images/chart.png").exists());
    let problems = references_leaving(
        &fixture.path("output/public"),
        "https://www.test.nhs.uk/leaflets/",
        "https://intranet.test.nhs.uk/",
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn without_drafts_the_public_pdfs_are_the_intranet_files() {
    let fixture = Fixture::new("basic");
    assert_eq!(fixture.run(&["build"]).status, 0);
    for pdf in ["patient/ward-phones.pdf", "patient/ward-phones-booklet.pdf", "poster/ward-phones-a4.pdf"] {
        let intranet = std::fs::read(fixture.path(&format!("output/{pdf}"))).unwrap();
        let public = std::fs::read(fixture.path(&format!("output/public/{pdf}"))).unwrap();
        assert!(intranet == public, "{pdf} differs");
    }
}

#[test]
fn a_short_address_opens_the_leaflet_else_the_easy_read_else_the_posters() {
    let fixture = with_a_draft();
    fixture
        .write("content/wards.md", &policy_text("wards", "", "Staff.\n\n::: poster\n# Wards\n:bed: Rest well.\n:::\n"));
    fixture.write(
        "content/easy.md",
        &policy_text("easy", "", "Staff.\n\n::: easy-read\n# Easy\n\n:bed: You can rest.\n:::\n"),
    );
    assert_eq!(fixture.run(&["build"]).status, 0);
    let refresh = |path: &str| {
        let html = fixture.read(&format!("output/public/{path}"));
        let marker = "http-equiv=\"refresh\" content=\"0; url=";
        let at = html.find(marker).expect("a refresh") + marker.len();
        html[at..at + html[at..].find('"').unwrap()].to_string()
    };
    assert_eq!(refresh("phone-use/index.html"), "../patient/phones.html", "`short:` names the folder");
    assert_eq!(refresh("easy/index.html"), "../easy-read/easy.html");
    assert_eq!(refresh("easy/easy-read/index.html"), "../../easy-read/easy.html");
    assert_eq!(refresh("wards/index.html"), "../poster/wards.html");
    let page = fixture.read("output/public/wards/index.html");
    assert!(page.contains("<link rel=\"canonical\" href=\"https://www.test.nhs.uk/leaflets/poster/wards.html\">"));
    assert!(page.contains("<a href=\"../poster/wards.html\">See the posters: Wards</a>"), "a link too");
    // The poster's QR code leads to that short address, on both sites.
    for site in ["output", "output/public"] {
        let html = fixture.read(&format!("{site}/poster/wards.html"));
        assert!(html.contains("aria-label=\"QR code for www.test.nhs.uk/leaflets/wards\""), "{html}");
        assert!(!html.contains("staff/wards"), "never the staff page");
    }
}

#[test]
fn the_public_site_has_its_own_home_page_and_accessibility_statement() {
    let fixture = Fixture::new("basic");
    assert_eq!(fixture.run(&["build"]).status, 0);
    let home = fixture.read("output/public/index.html");
    assert!(home.contains("<a href=\"patient/index.html\">Patient information leaflets</a>"), "{home}");
    assert!(!home.contains("preview") && !home.contains("Staff"), "{home}");
    let leaflet = fixture.read("output/public/patient/ward-phones.html");
    assert!(leaflet.contains("<a href=\"../accessibility.html\">Accessibility statement</a>"));
    assert!(leaflet.contains("<a href=\"../index.html\">Home</a>"));
    let statement = fixture.read("output/public/accessibility.html");
    assert!(statement.contains("patient information leaflets, easy read documents and ward posters"));
    assert!(!statement.contains("staff") && !statement.contains("Search needs"), "{statement}");
    // The intranet's audience pages keep the intranet's statement.
    let intranet = fixture.read("output/patient/ward-phones.html");
    assert!(intranet.contains("<a href=\"../staff/accessibility.html\">Accessibility statement</a>"));
}
