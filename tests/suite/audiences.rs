//! "Nothing written for staff may ever appear in another audience's output, its search index or
//! its metadata" (spec section 3), proven on the bundled example and on the test fixture.

use std::collections::BTreeSet;

use policypress::model::{Audience, AudienceSet, BlockKind, Policy, plain_text};

use crate::harness::{Fixture, repo_root, resolve_project};

fn sentences(kind: &BlockKind) -> Vec<String> {
    let text = match kind {
        BlockKind::Paragraph(c) | BlockKind::Heading { content: c, .. } => plain_text(c),
        other => format!("{other:?}"),
    };
    text.split(['.', '\n']).map(str::trim).filter(|s| s.split_whitespace().count() >= 6).map(str::to_string).collect()
}

/// Sentences of at least six words written only in staff-only blocks (not also in a block for
/// another audience, as an image's alternative text may be), plus staff-only metadata.
fn staff_only_sentences(policies: &[Policy]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for policy in policies {
        let shared: String = policy
            .blocks
            .iter()
            .filter(|b| b.audiences != AudienceSet::STAFF_ONLY)
            .flat_map(|b| sentences(&b.kind))
            .collect();
        for block in policy.blocks.iter().filter(|b| b.audiences == AudienceSet::STAFF_ONLY) {
            out.extend(sentences(&block.kind).into_iter().filter(|s| !shared.contains(s.as_str())));
        }
        let meta = &policy.meta;
        for staff_only in [&meta.summary, &meta.owner, &meta.approved_by].into_iter().flatten() {
            out.insert(staff_only.clone());
        }
        for (_, value) in &meta.extra {
            out.insert(value.clone());
        }
        for entry in &meta.history {
            out.insert(entry.changes.clone());
        }
    }
    out
}

fn assert_no_staff_text_reaches_other_audiences(fixture: &Fixture) {
    let project = fixture.load();
    let (policies, library, diags) = resolve_project(&project, true);
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    let secrets = staff_only_sentences(&policies);
    assert!(secrets.len() > 3, "the check needs staff-only text to look for");
    let mut checked = 0;
    for policy in &library.policies {
        for view in policy.views.iter().filter(|v| v.audience != Audience::Staff) {
            assert!(view.staff.is_none(), "staff details reached the {} view of {}", view.audience, view.id);
            let dump = format!("{view:?}");
            for secret in &secrets {
                assert!(
                    !dump.contains(secret.as_str()),
                    "staff-only text {secret:?} reached the {} view of {}",
                    view.audience,
                    view.id
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no non-staff view was checked");
}

#[test]
fn no_staff_only_text_reaches_patient_easy_read_or_poster_views_of_the_example() {
    assert_no_staff_text_reaches_other_audiences(&Fixture::from_dir(&repo_root()));
}

#[test]
fn no_staff_only_text_reaches_patient_easy_read_or_poster_views_of_the_fixture() {
    assert_no_staff_text_reaches_other_audiences(&Fixture::new("basic"));
}

#[test]
fn search_index_holds_only_staff_site_text() {
    let fixture = Fixture::new("basic");
    assert_eq!(fixture.run(&["build"]).status, 0);
    let dir = fixture.path("output/staff/search");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let index: String = names.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    assert!(index.contains("ward-phones.html"));
    assert!(!index.contains("withdrawn-patient-text"), "patient text is never indexed");
}

/// Every file written for another audience (pages, and PDFs' extracted text where a PDF exists):
/// no staff-only sentence may appear in it.
#[test]
fn no_staff_only_text_reaches_any_file_written_for_other_audiences() {
    let fixture = Fixture::from_dir(&repo_root());
    assert_eq!(fixture.run(&["build", "--drafts"]).status, 0);
    let project = fixture.load();
    let (policies, _, _) = resolve_project(&project, true);
    let secrets = staff_only_sentences(&policies);
    let mut checked = 0;
    for folder in ["patient", "easy-read", "poster", "public/patient", "public/easy-read", "public/poster", "public"] {
        for entry in std::fs::read_dir(fixture.path(&format!("output/{folder}"))).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "html") {
                let text = std::fs::read_to_string(&path).unwrap().replace("&#39;", "'").replace("&quot;", "\"");
                for secret in &secrets {
                    assert!(!text.contains(secret.as_str()), "staff-only text {secret:?} is in {}", path.display());
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 18, "checked only {checked} files");
}
