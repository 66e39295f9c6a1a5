//! The text of what `policypress init` and `policypress new <id>` write: the commented settings
//! file, an example policy that builds without a warning using every audience, a starter
//! policy, and a reference number no other policy has.
//!
//! Pure: returns text; the command line decides where to write it and never overwrites.

use crate::model::dates::Date;

/// What `init` adds to `.gitignore`: the build's output is made, not written by hand.
pub const GITIGNORE: &str = "# What `policypress build` writes; made from content/, never edited by hand.\n/output/\n# The lock a build holds while it puts a new output/ in place.\n/.output.policypress-lock\n# What builds keep to render only what changed (safe to delete).\n/.policypress-cache/\n";

/// The file name of the example policy `init` writes.
pub const EXAMPLE_POLICY_FILE: &str = "visiting-times.md";

/// The `policypress.yaml` that `init` writes: every setting, each with what it does.
pub fn settings_template() -> &'static str {
    r#"# Site settings for policypress. Every setting is optional: delete one to use its default.
# The full format is described in policypress's docs/source-format.md, section 1.
# The phone numbers below are from Ofcom's range kept for examples and drama.

# The title of the staff policy library and of every index page.
title: Policies and patient information

# Printed on every page and PDF, for every audience.
organisation: Example NHS Foundation Trust

# Where the outputs are published.
#
# base-url: the staff intranet address that output/ is copied to, ending in `/`. Staff pages
# and PDFs link with it.
# public-url: the public website address that output/public/ is copied to, ending in `/`.
# Leaflets, easy read and posters print it, with a QR code, so patients and visitors can find
# the online version from home. These example addresses lead nowhere: change them to your own
# before you print anything.
base-url: https://intranet.example.nhs.uk/policies/
public-url: https://www.example.nhs.uk/leaflets/

# The Trust's logo, drawn top right on covers, posters and page headers (SVG or PNG, a path
# inside this folder, with its alternative text):
# logo:
#   file: branding/logo.svg
#   alt: Example NHS Foundation Trust

# The look: `default` is built in (NHS identity, WCAG 2.2 AA). A folder themes/<name>/
# replaces its files one by one.
theme: default

# The language of every page and PDF, as a language tag (`cy-GB` for Welsh).
language: en-GB

# Variables any policy can use as {{ name }}. A policy's own `variables:` override these.
variables:
  switchboard: 0116 496 0000

# "How to contact us", on patient leaflets and easy-read documents (a phone number is
# required). A policy can give its own `contact:` in its front matter (a ward or service).
contact:
  name: Patient Advice and Liaison Service (PALS)
  phone: 0116 496 0123
  email: pals@example.nhs.uk
"#
}

/// The example policy `init` writes: approved `today`, due for review in three years, with text
/// for each audience, built without a warning.
pub fn example_policy(today: Date) -> String {
    let review = today.add_months(36);
    format!(
        r#"---
title: Visiting Times
reference: EX-001
version: "1.0"
status: approved
approved-date: {today}
approved-by: Trust Policy Committee
owner: Director of Nursing
review-date: {review}
summary: >
  When family and friends may visit patients on our wards, and how ward staff keep visits
  safe and restful.
glossary:
  nurse: A person who looks after you in hospital.
variables:
  visiting-hours: 2pm to 8pm
history:
  - version: "1.0"
    date: {today}
    changes: First version.
extra:
  Equality impact: Assessed; no negative impact found.
---

# Visiting Times

## 1. Purpose

This policy sets out when family and friends may visit patients on our wards. Text outside a
fenced block, like this paragraph, is read by staff only.

::: patient
# Visiting someone on our wards

## When you can visit

You can visit from {{{{ visiting-hours }}}} every day. Two people can visit at the same time.

## If you have a question

Please ask the nurse in charge. You can also call us on {{{{ switchboard }}}}.
:::

## 2. Visiting hours

Wards are open to visitors from {{{{ visiting-hours }}}}. The nurse in charge may agree other
times, for example at the end of a patient's life, and writes this in the care plan.

::: easy-read
# Visiting someone in hospital

:clock: You can visit from {{{{ visiting-hours }}}}.

:people: Two people can visit at the same time.

:nurse: Ask a nurse if you have a question.
:::

## 3. Keeping visits safe

Staff may ask visitors to leave during care, or when a patient needs to rest.

::: poster
# Visiting {{{{ visiting-hours }}}}
:people: Two visitors at a time.
:nurse: Please ask the nurse in charge about other times.
:::
"#
    )
}

/// A reference for a new policy that none of `taken` has: `NEW-001`, or the next free number.
pub fn free_reference<'a>(taken: impl IntoIterator<Item = &'a str>) -> String {
    let taken: Vec<String> = taken.into_iter().map(|r| r.trim().to_ascii_uppercase()).collect();
    (1..)
        .map(|n| format!("NEW-{n:03}"))
        .find(|candidate| !taken.contains(candidate))
        .expect("there is always a free number")
}

/// A starter policy titled from its id, with the reference `reference`, due for review in three
/// years from `today`.
pub fn starter_policy(id: &str, reference: &str, today: Date) -> String {
    let title = id.split('-').filter(|w| !w.is_empty()).map(capitalise).collect::<Vec<_>>().join(" ");
    let review = today.add_months(36);
    format!(
        r#"---
title: {title}
reference: {reference}
version: "0.1"
status: draft
approved-by: Trust Policy Committee
owner: Policy owner's job title
review-date: {review}
summary: >
  One or two sentences saying what this policy covers and who it is for.
related: []
glossary:
  policy: The rules we follow.
history:
  - version: "0.1"
    date: {today}
    changes: First draft.
---

# {title}

## 1. Purpose

Say why this policy exists and what it sets out to achieve. Text outside a fence is read by
staff only.

::: patient
# {title}: information for patients

## What this means for you

Write here, in plain words, what the policy means for patients, carers and visitors.
:::

## 2. Scope

Say who the policy applies to.

::: easy-read
# {title}

:info: This policy tells you about our rules.

:help: Ask a nurse if you have a question.
:::

::: poster
# {title}
:info: Put the one thing people must know here.
:help: Questions? Speak to the nurse in charge.
:::
"#
    )
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_reference_is_one_no_policy_has() {
        assert_eq!(free_reference([]), "NEW-001");
        assert_eq!(free_reference(["NEW-001", "ig-014", "new-002"]), "NEW-003");
    }
}
