//! `policypress new <id>`: the text of a starter policy that builds, using every audience.
//!
//! Pure: returns text; the command line decides where to write it.

use crate::model::dates::Date;

/// A starter policy titled from its id, approved `today` and due for review in three years.
pub fn starter_policy(id: &str, today: Date) -> String {
    let title = id.split('-').filter(|w| !w.is_empty()).map(capitalise).collect::<Vec<_>>().join(" ");
    let review = today.add_months(36);
    format!(
        r#"---
title: {title}
reference: NEW-001
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
