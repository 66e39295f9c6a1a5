//! The web pages for patients, easy-read readers and wards (spec section 5, STANDARDS), on the
//! `basic` fixture.

use crate::harness::Fixture;

fn built() -> Fixture {
    let fixture = Fixture::new("basic");
    let outcome = fixture.run(&["build"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    fixture
}

#[test]
fn every_audience_gets_its_index_and_pages_per_spec_section_5() {
    let fixture = built();
    for path in [
        "output/patient/index.html",
        "output/patient/ward-phones.html",
        "output/patient/consent.html",
        "output/easy-read/index.html",
        "output/easy-read/ward-phones.html",
        "output/poster/index.html",
        "output/poster/ward-phones.html",
    ] {
        assert!(fixture.path(path).is_file(), "missing {path}");
    }
    assert!(!fixture.path("output/easy-read/consent.html").exists(), "no easy-read output without easy-read content");
    assert!(
        !fixture.path("output/patient/infection-control.html").exists(),
        "withdrawn policies have no patient output"
    );
}

#[test]
fn patient_leaflet_page_has_cover_line_back_page_and_governance() {
    let html = built().read("output/patient/ward-phones.html");
    assert!(html.contains("<p class=\"leaflet-kicker\">Information for patients, carers and visitors</p>"));
    assert!(html.contains("<h1>Using your phone on the ward</h1>"));
    assert!(html.contains("How to contact us"));
    assert!(html.contains("Patient Advice and Liaison Service (PALS)"));
    assert!(html.contains("This leaflet is available in other formats"));
    assert!(
        html.contains("<a href=\"../easy-read/ward-phones.html\">read the easy read version</a>"),
        "easy read is offered when the policy has it"
    );
    assert!(html.contains("<dt>Version</dt><dd>2.10</dd>"));
    assert!(html.contains("<dt>Reference</dt><dd>IG-014</dd>"));
    assert!(html.contains("<dt>Last reviewed</dt><dd><time datetime=\"2025-03-31\">March 2025</time></dd>"), "{html}");
    assert!(html.contains("<dt>Next review due</dt><dd><time datetime=\"2027-03-31\">March 2027</time></dd>"));
    assert!(html.contains("<h2>Tell us what you think of this leaflet</h2>"));
    assert!(
        html.contains("<a class=\"tel\" href=\"tel:01162252525\">0116 225 2525</a>"),
        "phone numbers are tel: links"
    );
    assert!(
        html.contains(
            "<a href=\"https://www.test.nhs.uk/leaflets/ward-phones/\">www.test.nhs.uk/leaflets/ward-phones</a>"
        ),
        "the short web address on the public site"
    );
    assert!(
        html.contains("class=\"qr-code\" role=\"img\" aria-label=\"QR code for www.test.nhs.uk/leaflets/ward-phones\"")
    );
    assert!(!html.contains("intranet.test.nhs.uk"), "never the intranet's address");
    assert!(html.contains("body class=\"audience-patient\""));
}

#[test]
fn patient_leaflet_does_not_offer_easy_read_when_there_is_none() {
    let html = built().read("output/patient/consent.html");
    assert!(html.contains("<li>easy read</li>"));
    assert!(!html.contains("../easy-read/consent.html"));
}

#[test]
fn patient_links_point_to_other_patient_leaflets() {
    let html = built().read("output/patient/ward-phones.html");
    assert!(html.contains("<a href=\"consent.html\">consent for patients</a>"), "links stay within the audience");
}

#[test]
fn easy_read_rows_have_a_picture_on_the_left_of_the_words() {
    let html = built().read("output/easy-read/ward-phones.html");
    // Three rows of the policy's, after the three that say what the document is, that a
    // supporter may help and that hard words are in bold.
    assert_eq!(html.matches("<div class=\"easy-read-row\">").count(), 6);
    assert_eq!(html.matches("<div class=\"easy-read-picture\">").count(), 6);
    assert!(html.contains("This is an easy read version of Phones on Wards."), "{html}");
    assert!(html.contains("You may want a supporter to help you read it."));
    assert!(
        html.contains("<span class=\"icon\" role=\"img\" aria-label=\"A telephone\">"),
        "icons are named by what they show (the theme's description)"
    );
    assert!(html.contains("<img src=\"../assets/content/images/ward.png\" alt=\"A ward bay with four beds\">"));
}

#[test]
fn easy_read_glossary_word_is_bold_at_first_use_and_listed_in_words_to_know() {
    let html = built().read("output/easy-read/ward-phones.html");
    assert!(html.contains("This protects their <strong>privacy</strong>."));
    assert!(html.contains("<h2 id=\"words-heading\">Words to know</h2>"));
    // Beside the word, the picture of the row that first uses it, hidden from screen readers
    // (the word says it).
    let start = html.find("<div class=\"word\">").expect("an entry");
    let entry = &html[start..start + html[start..].find("</div>").expect("its end")];
    assert!(
        entry.contains("<span class=\"easy-read-picture\"><span class=\"icon\" aria-hidden=\"true\"><svg"),
        "{entry}"
    );
    assert!(html.contains("privacy</dt><dd>Keeping things about you to yourself.</dd>"));
}

#[test]
fn easy_read_has_no_italics() {
    let html = built().read("output/easy-read/ward-phones.html");
    assert!(!html.contains("<em>"));
}

#[test]
fn one_poster_sheet_per_poster_block_with_one_message_per_line() {
    let html = built().read("output/poster/ward-phones.html");
    assert_eq!(html.matches("<section class=\"poster-sheet\"").count(), 2);
    assert!(html.contains("class=\"poster-headline\">No photos or filming</h2>"));
    assert!(html.contains("class=\"poster-headline\">Phones are welcome</h2>"));
    assert_eq!(
        html.matches("<span class=\"poster-words\">").count(),
        3,
        "two lines in the first poster are two messages"
    );
    assert!(html.contains("<span class=\"poster-words\">Please ask staff before you take photos.</span>"));
}

#[test]
fn poster_qr_code_leads_to_the_short_public_address_and_small_print_has_governance() {
    let html = built().read("output/poster/ward-phones.html");
    assert!(html.contains("aria-label=\"QR code for www.test.nhs.uk/leaflets/ward-phones\""));
    assert!(
        html.contains("Test NHS Foundation Trust · Reference IG-014 · Version 2.10 · Next review due March 2027"),
        "{html}"
    );
    assert!(html.contains("<p class=\"poster-org\">Test NHS Foundation Trust</p>"));
}

#[test]
fn poster_qr_code_never_leads_to_the_staff_page_when_there_is_no_leaflet() {
    let fixture = Fixture::new("errors/poster-message-without-icon");
    assert_eq!(fixture.run(&["build"]).status, 0);
    let html = fixture.read("output/poster/visiting.html");
    assert!(html.contains("QR code for www.test.nhs.uk/leaflets/visiting"), "{html}");
    assert!(!html.contains("staff/visiting") && !html.contains("intranet"), "{html}");
}

#[test]
fn audience_indexes_mark_overdue_and_due_soon_documents() {
    let fixture = built();
    // As of the tests' date (22 November 2026), consent (review 31 December 2026) is due soon.
    let patient = fixture.read("output/patient/index.html");
    assert!(patient.contains("<strong class=\"tag tag-due-soon\">Review due December 2026</strong>"), "{patient}");
    let overdue = Fixture::with_policy("old", "", "Staff.\n\n::: patient\n# Old\n\nWords.\n:::\n");
    let text = overdue.read("content/old.md").replace("review-date: 2027-03-31", "review-date: 2026-01-31");
    overdue.write("content/old.md", &text);
    assert_eq!(overdue.run(&["build"]).status, 0);
    for site in ["output", "output/public"] {
        let index = overdue.read(&format!("{site}/patient/index.html"));
        assert!(index.contains("class=\"tag tag-overdue\">Overdue for review since"), "{index}");
        assert!(index.contains("1 document is overdue for review"), "{index}");
    }
}

#[test]
fn audience_indexes_list_their_documents() {
    let fixture = built();
    let patient = fixture.read("output/patient/index.html");
    assert!(patient.contains("<a href=\"ward-phones.html\">Using your phone on the ward</a>"));
    assert!(patient.contains("<a href=\"consent.html\">Your consent</a>"));
    let posters = fixture.read("output/poster/index.html");
    assert!(posters.contains("<a href=\"ward-phones.html\">No photos or filming</a>"));
}

#[test]
fn staff_page_links_to_the_other_audiences_versions() {
    let html = built().read("output/staff/ward-phones.html");
    for href in ["../patient/ward-phones.html", "../easy-read/ward-phones.html", "../poster/ward-phones.html"] {
        assert!(html.contains(&format!("href=\"{href}\"")), "missing {href}");
    }
}

#[test]
fn leaflet_snapshot() {
    insta::assert_snapshot!("patient-ward-phones.html", built().read("output/patient/ward-phones.html"));
}

#[test]
fn easy_read_snapshot() {
    insta::assert_snapshot!("easy-read-ward-phones.html", built().read("output/easy-read/ward-phones.html"));
}

#[test]
fn poster_snapshot() {
    let html = built().read("output/poster/ward-phones.html");
    // The QR code's path is long and is checked by the qr module's tests.
    let html = html
        .split("<path d=\"")
        .map(|part| part.split_once('"').map_or(part, |(_, rest)| rest))
        .collect::<Vec<_>>()
        .join("<path d=\"[qr]");
    insta::assert_snapshot!("poster-ward-phones.html", html);
}

#[test]
fn glossary_marking_handles_letters_that_change_length_in_lower_case() {
    let fixture = Fixture::new("errors/long-word-and-unicode");
    // Without its 60,000-letter word, which is an error (diagnostics::long_word_and_unicode).
    let text = fixture.read("content/visiting.md");
    let text: String = text.lines().filter(|l| l.len() < 1000).map(|l| format!("{l}\n")).collect();
    fixture.write("content/visiting.md", &text);
    let outcome = fixture.run(&["build"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    let html = fixture.read("output/easy-read/visiting.html");
    assert!(html.contains("İ—<strong>consent</strong>—ẞ is needed."), "{html}");
}

#[test]
fn the_booklet_link_says_how_to_print_it_on_the_index_and_the_leaflet_page() {
    let fixture = built();
    let note = "<span class=\"pdf-note\">(print double-sided, flip on the short edge, then fold in half)</span>";
    for page in ["output/patient/index.html", "output/patient/ward-phones.html"] {
        let html = fixture.read(page);
        let booklet = html.find("ward-phones-booklet.pdf").unwrap_or_else(|| panic!("{page} links the booklet"));
        let after = &html[booklet..];
        let end = after.find("</li>").expect("the entry ends");
        assert!(after[..end].contains(note), "{page}: {}", &after[..end]);
        // Only the booklets need it.
        assert_eq!(html.matches(note).count(), html.matches("-booklet.pdf\"").count(), "{page}");
    }
}

#[test]
fn every_web_page_of_a_draft_carries_the_draft_banner() {
    let fixture = Fixture::new("basic");
    let outcome = fixture.run(&["build", "--drafts"]);
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    let mut pages = 0;
    for dir in ["staff", "patient", "easy-read", "poster", "preview"] {
        let path = format!("output/{dir}/visiting-times.html");
        if !fixture.path(&path).is_file() {
            continue;
        }
        let html = fixture.read(&path);
        assert!(html.contains("class=\"banner banner-draft\""), "{path} has no draft banner");
        pages += 1;
    }
    assert!(pages >= 2, "{pages} draft pages");
    // A final policy's pages carry none.
    assert!(!fixture.read("output/preview/ward-phones.html").contains("banner-draft"));
}
