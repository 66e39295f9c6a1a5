//! The source format, spec sections 1 to 4: one test per rule, named after it.

use policypress::model::{Audience, BlockKind, Inline, LinkTarget, Status, plain_text};
use policypress::resolve::AudienceView;

use crate::harness::{Fixture, build_in_memory, policy_text, resolve_project};

fn view_text(view: &AudienceView) -> String {
    format!("{:?}", view.blocks)
}

fn texts(view: &AudienceView) -> Vec<String> {
    view.blocks
        .iter()
        .map(|b| match &b.kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => plain_text(content),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn settings_file_is_optional_and_defaults_apply() {
    let fixture = Fixture::with_policy("a", "", "Text.\n");
    let project = fixture.load();
    assert_eq!(project.config.language, "en-GB");
    assert_eq!(project.config.theme, "default");
    let result = build_in_memory(&project, false);
    assert!(!result.diagnostics.has_errors(), "{:?}", result.diagnostics);
}

#[test]
fn every_front_matter_key_is_read() {
    let project = Fixture::new("basic").load();
    let (policies, _, diags) = resolve_project(&project, false);
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    let meta = &policies.iter().find(|p| p.id == "ward-phones").unwrap().meta;
    assert_eq!(meta.title, "Phones on Wards");
    assert_eq!(meta.reference.as_deref(), Some("IG-014"));
    assert_eq!(meta.version, "2.10", "a quoted version stays a string");
    assert_eq!(meta.status, Status::Approved);
    assert_eq!(meta.approved_date.unwrap().to_string(), "2025-03-31");
    assert_eq!(meta.approved_by.as_deref(), Some("Trust Policy Committee"));
    assert_eq!(meta.owner.as_deref(), Some("Head of Information Governance"));
    assert_eq!(meta.review_date.to_string(), "2027-03-31");
    assert_eq!(meta.summary.as_deref(), Some("How patients and visitors may use phones on our wards."));
    assert_eq!(meta.related.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["consent", "infection-control"]);
    assert_eq!(meta.glossary, [("privacy".to_string(), "Keeping things about you to yourself.".to_string())]);
    assert_eq!(meta.variables["ward-hours"], "8am to 8pm");
    assert_eq!(meta.history.len(), 2);
    assert_eq!(meta.history[1].version, "2.10");
    assert_eq!(meta.extra[0], ("Equality impact".to_string(), "Low risk, screened February 2021".to_string()));
}

#[test]
fn id_is_the_file_stem_even_in_sub_folders() {
    let project = Fixture::new("basic").load();
    let (policies, _, _) = resolve_project(&project, false);
    assert!(policies.iter().any(|p| p.id == "consent" && p.source == "content/hr/consent.md"));
}

#[test]
fn unfenced_text_is_staff_only() {
    let project = Fixture::new("basic").load();
    let (_, library, _) = resolve_project(&project, false);
    let policy = library.policies.iter().find(|p| p.id == "ward-phones").unwrap();
    assert!(view_text(policy.staff()).contains("STAFF-ONLY-PURPOSE"));
    for audience in [Audience::Patient, Audience::EasyRead, Audience::Poster] {
        assert!(!view_text(policy.view(audience).unwrap()).contains("STAFF-ONLY"), "{audience}");
    }
}

#[test]
fn fenced_text_reaches_only_the_audiences_it_names() {
    let project = Fixture::new("basic").load();
    let (_, library, _) = resolve_project(&project, false);
    let policy = library.policies.iter().find(|p| p.id == "ward-phones").unwrap();
    let patient = view_text(policy.view(Audience::Patient).unwrap());
    assert!(patient.contains("Taking photos"));
    assert!(!patient.contains("No photos or filming"), "poster text is not in the leaflet");
    assert!(!view_text(policy.staff()).contains("Taking photos"), "patient text is not in the staff policy");
    assert!(!view_text(policy.view(Audience::EasyRead).unwrap()).contains("Taking photos"));
}

#[test]
fn staff_patient_fence_puts_the_same_text_in_both() {
    let project = Fixture::new("basic").load();
    let (_, library, _) = resolve_project(&project, false);
    let policy = library.policies.iter().find(|p| p.id == "ward-phones").unwrap();
    assert!(view_text(policy.staff()).contains("Charging your phone"));
    assert!(view_text(policy.view(Audience::Patient).unwrap()).contains("Charging your phone"));
    assert!(!view_text(policy.view(Audience::Poster).unwrap()).contains("Charging your phone"));
}

#[test]
fn block_order_in_each_output_is_file_order() {
    let project = Fixture::new("basic").load();
    let (_, library, _) = resolve_project(&project, false);
    let policy = library.policies.iter().find(|p| p.id == "ward-phones").unwrap();
    let patient = texts(policy.view(Audience::Patient).unwrap());
    assert_eq!(patient[0], "Taking photos");
    let charging = patient.iter().position(|t| t == "Charging your phone").unwrap();
    assert!(charging > 0);
    let staff = texts(policy.staff());
    let recording = staff.iter().position(|t| t == "2. Recording").unwrap();
    let charging = staff.iter().position(|t| t == "Charging your phone").unwrap();
    assert!(recording < charging);
}

#[test]
fn first_level_1_heading_of_an_audience_is_its_title() {
    let project = Fixture::new("basic").load();
    let (_, library, _) = resolve_project(&project, false);
    let policy = library.policies.iter().find(|p| p.id == "ward-phones").unwrap();
    assert_eq!(policy.view(Audience::Patient).unwrap().title, "Using your phone on the ward");
    assert_eq!(policy.view(Audience::EasyRead).unwrap().title, "Phones in hospital");
    assert_eq!(policy.view(Audience::Poster).unwrap().title, "No photos or filming");
    assert_eq!(policy.staff().title, "Phones on Wards", "staff always use the front matter title");
    assert!(
        !texts(policy.view(Audience::Patient).unwrap()).contains(&"Using your phone on the ward".to_string()),
        "the title is not repeated in the body"
    );
}

#[test]
fn policy_title_is_used_when_an_audience_has_no_level_1_heading() {
    let fixture = Fixture::with_policy("a", "", "Staff.\n\n::: patient\n## Section\n\nWords.\n:::\n");
    let (_, library, _) = resolve_project(&fixture.load(), false);
    assert_eq!(library.policies[0].view(Audience::Patient).unwrap().title, "Policy a");
}

#[test]
fn headings_start_at_level_2_under_the_page_title() {
    // `# Title` is not the policy's title ("Policy a"), so it is the author's text and stays.
    let fixture = Fixture::with_policy("a", "", "# Title\n\n### Deep\n\n#### Deeper\n");
    let (_, library, _) = resolve_project(&fixture.load(), false);
    let levels: Vec<u8> = library.policies[0]
        .staff()
        .blocks
        .iter()
        .filter_map(|b| match b.kind {
            BlockKind::Heading { level, .. } => Some(level),
            _ => None,
        })
        .collect();
    assert_eq!(levels, [2, 4, 5], "relative levels are kept");
}

#[test]
fn fence_lines_inside_code_blocks_are_code() {
    let fixture = Fixture::with_policy("a", "", "```\n::: patients\n```\n");
    let (_, library, diags) = resolve_project(&fixture.load(), false);
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    assert!(view_text(library.policies[0].staff()).contains("::: patients"));
}

#[test]
fn policy_variables_override_site_variables() {
    let project = Fixture::new("basic").load();
    let (_, library, _) = resolve_project(&project, false);
    let staff = view_text(library.policies.iter().find(|p| p.id == "ward-phones").unwrap().staff());
    assert!(staff.contains("from 8am to 8pm"), "policy value wins");
    assert!(staff.contains("Call 0116 225 2525"), "site value used when the policy has none");
}

#[test]
fn escaped_braces_write_literal_braces() {
    let project = Fixture::new("basic").load();
    let (_, library, _) = resolve_project(&project, false);
    let staff = view_text(library.policies.iter().find(|p| p.id == "ward-phones").unwrap().staff());
    assert!(staff.contains("Write {{ literally }} for braces"), "{staff}");
}

#[test]
fn variable_values_are_plain_text_never_markdown() {
    let fixture =
        Fixture::with_policy("a", "variables:\n  odd: \"*not emphasis* [x](y.md) <b>\"\n", "Value: {{ odd }}\n");
    let (_, library, diags) = resolve_project(&fixture.load(), false);
    assert!(diags.is_empty(), "{:?}", diags.sorted());
    let blocks = &library.policies[0].staff().blocks;
    assert_eq!(blocks[0].kind, BlockKind::Paragraph(vec![Inline::Text("Value: *not emphasis* [x](y.md) <b>".into())]));
}

#[test]
fn icons_work_inline_in_every_audience() {
    let project = Fixture::new("basic").load();
    let (_, library, _) = resolve_project(&project, false);
    let policy = library.policies.iter().find(|p| p.id == "ward-phones").unwrap();
    for audience in [Audience::Staff, Audience::EasyRead, Audience::Poster] {
        assert!(view_text(policy.view(audience).unwrap()).contains("Icon("), "{audience}");
    }
}

#[test]
fn links_to_other_policies_point_to_the_same_audience() {
    let project = Fixture::new("basic").load();
    let (_, library, _) = resolve_project(&project, false);
    let ward = library.policies.iter().find(|p| p.id == "ward-phones").unwrap();
    let patient = view_text(ward.view(Audience::Patient).unwrap());
    assert!(patient.contains("Policy { id: \"consent\", fragment: None }"), "{patient}");
    let staff = view_text(ward.staff());
    assert!(staff.contains("Policy { id: \"consent\", fragment: Some(\"2-scope\") }"));
    assert!(staff.contains("Section(\"2-recording\")"));
}

#[test]
fn link_to_a_policy_without_output_for_the_audience_is_plain_text_with_a_warning() {
    let fixture = Fixture::with_policy("a", "", "Staff.\n\n::: patient\nSee [b](b.md).\n:::\n");
    fixture.write("content/b.md", &policy_text("b", "", "Staff only.\n"));
    let (_, library, diags) = resolve_project(&fixture.load(), false);
    let patient = library.policies[0].view(Audience::Patient).unwrap();
    assert_eq!(patient.blocks[0].kind, BlockKind::Paragraph(vec![Inline::Text("See b.".into())]));
    let warning = &diags.sorted()[0];
    assert!(warning.message.contains("`b` has no patient version"), "{warning}");
    assert_eq!((warning.location.line, warning.location.col), (12, 5));
}

#[test]
fn image_paths_are_relative_to_the_policy_file() {
    let fixture = Fixture::with_policy("a", "", "Text.\n");
    fixture.write("content/hr/b.md", &policy_text("b", "", "![A ward](../images/ward.png)\n"));
    std::fs::create_dir_all(fixture.path("content/images")).unwrap();
    std::fs::copy(
        crate::harness::repo_root().join("tests/fixtures/basic/content/images/ward.png"),
        fixture.path("content/images/ward.png"),
    )
    .unwrap();
    let (_, library, diags) = resolve_project(&fixture.load(), false);
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    let b = library.policies.iter().find(|p| p.id == "b").unwrap();
    assert!(view_text(b.staff()).contains("path: \"images/ward.png\""));
}

#[test]
fn raw_html_is_shown_as_text_with_a_warning() {
    let fixture = Fixture::with_policy("a", "", "A <b>bold</b> claim.\n");
    let (_, library, diags) = resolve_project(&fixture.load(), false);
    assert_eq!(diags.warning_count(), 1, "one warning per line");
    assert_eq!(
        plain_text(match &library.policies[0].staff().blocks[0].kind {
            BlockKind::Paragraph(c) => c,
            _ => panic!(),
        }),
        "A <b>bold</b> claim."
    );
}

#[test]
fn withdrawn_policy_is_listed_for_staff_only() {
    let project = Fixture::new("basic").load();
    let (_, library, _) = resolve_project(&project, false);
    let withdrawn = library.policies.iter().find(|p| p.id == "infection-control").unwrap();
    assert_eq!(withdrawn.views.len(), 1);
    assert_eq!(withdrawn.views[0].audience, Audience::Staff);
}

#[test]
fn an_audience_output_exists_only_for_policies_with_content_for_it() {
    let project = Fixture::new("basic").load();
    let (_, library, _) = resolve_project(&project, false);
    let consent = library.policies.iter().find(|p| p.id == "consent").unwrap();
    assert_eq!(consent.views.iter().map(|v| v.audience).collect::<Vec<_>>(), [Audience::Staff, Audience::Patient]);
}

#[test]
fn section_links_within_the_policy_are_checked() {
    let fixture = Fixture::with_policy("a", "", "## Real\n\nSee [x](#real) and [y](#missing).\n");
    let (_, _, diags) = resolve_project(&fixture.load(), false);
    let errors: Vec<String> = diags.sorted().iter().map(|d| d.to_string()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("missing section `#missing`"));
}

#[test]
fn explicit_heading_ids_are_kept() {
    let fixture = Fixture::with_policy("a", "", "## Recording {#recording}\n\nSee [x](#recording).\n");
    let (_, library, diags) = resolve_project(&fixture.load(), false);
    assert!(diags.is_empty(), "{:?}", diags.sorted());
    assert!(
        matches!(&library.policies[0].staff().blocks[0].kind, BlockKind::Heading { anchor, .. } if anchor == "recording")
    );
}

#[test]
fn external_links_pass_through() {
    let fixture = Fixture::with_policy("a", "", "[NHS](https://www.nhs.uk/) [mail](mailto:pals@x.nhs.uk)\n");
    let (_, library, _) = resolve_project(&fixture.load(), false);
    let text = view_text(library.policies[0].staff());
    assert!(text.contains(&format!("{:?}", LinkTarget::External("https://www.nhs.uk/".into()))));
}

#[test]
fn variables_in_front_matter_texts_are_substituted() {
    let fixture = Fixture::with_policy(
        "a",
        "summary: Call {{ desk }} for help.\napproved-by: \"{{ owner-name }}\"\nglossary:\n  desk: The {{ desk }} desk.\nvariables:\n  desk: PALS\n  owner-name: Head of Nursing\n",
        "Text.\n",
    );
    let project = fixture.load();
    let result = build_in_memory(&project, false);
    assert!(!result.diagnostics.has_errors(), "{:?}", result.diagnostics);
    let (_, library, _) = resolve_project(&project, false);
    let staff = library.policies[0].staff().staff.clone().unwrap();
    assert_eq!(staff.summary.as_deref(), Some("Call PALS for help."));
    assert_eq!(staff.approved_by.as_deref(), Some("Head of Nursing"));
    let page = result.artifacts.iter().find(|a| a.path == "staff/a.html").unwrap();
    let html = String::from_utf8(page.bytes.clone()).unwrap();
    assert!(!html.contains("{{"), "no variable is printed as written");
}
