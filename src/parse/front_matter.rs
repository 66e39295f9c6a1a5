//! Front matter: splits the YAML block off a policy file and turns it into a checked [`Meta`].
//!
//! With `load::config` and `load::yaml`, the only code allowed to use `serde_yaml`, so the YAML
//! library can be swapped in one place. Reports problems as located diagnostics; never reads files.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::diag::{Diagnostics, Location, did_you_mean};
use crate::load::yaml::{YamlSource, read_contact, read_variables, scalar_text};
use crate::model::dates::Date;
use crate::model::ids::{suggest_id, valid_id};
use crate::model::{HistoryEntry, Meta, Status};

/// Every top-level key the front matter may use.
pub const KNOWN_KEYS: [&str; 18] = [
    "title",
    "reference",
    "version",
    "status",
    "approved-date",
    "approved-by",
    "owner",
    "review-date",
    "summary",
    "related",
    "glossary",
    "variables",
    "history",
    "extra",
    "category",
    "directorate",
    "short",
    "contact",
];

/// A policy file cut in two: the YAML text and the Markdown body, with where the body starts.
#[derive(Debug)]
pub struct Split<'a> {
    /// The YAML between the `---` lines.
    pub yaml: &'a str,
    /// Everything after the closing `---` line.
    pub body: &'a str,
    /// 1-based line of the first body line in the file.
    pub body_first_line: usize,
}

/// Cuts a policy file into front matter and body. Reports a located error when the file does
/// not start with a `---` line or the block is never closed.
pub fn split<'a>(file: &str, text: &'a str, diags: &mut Diagnostics) -> Option<Split<'a>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        diags
            .error(
                Location::new(file, 1, 1).spanning(first.trim_end().chars().count()),
                "the policy does not start with front matter",
            )
            .hint("begin the file with a line `---`, then `title:`, `version:` and the other settings, then another line `---`");
        return None;
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for (index, line) in lines.enumerate() {
        if line.trim_end() == "---" {
            return Some(Split {
                yaml: &text[yaml_start..offset],
                body: &text[offset + line.len()..],
                body_first_line: index + 3,
            });
        }
        offset += line.len();
    }
    diags
        .error(Location::new(file, 1, 1).spanning(3), "the front matter is never closed")
        .hint("add a line `---` after the last setting, before the policy text");
    None
}

/// What the rest of a policy needs from its front matter even when the front matter has errors:
/// the variables the body may use and the reference, read without reporting anything
/// ([`parse_meta`] reports the problems).
#[derive(Debug, Default)]
pub struct Written {
    /// The policy's variables; `None` when the YAML cannot be read, so which variables exist
    /// is unknown.
    pub variables: Option<BTreeMap<String, String>>,
    /// The reference as written, with where its value is.
    pub reference: Option<(String, Location)>,
}

/// Reads what [`Written`] holds from the YAML of `file`, reporting nothing.
pub fn read_quietly(file: &str, yaml: &str) -> Written {
    let src = YamlSource::new(file, yaml, 2);
    let mut ignored = Diagnostics::new();
    let Some(map) = src.parse_mapping("front matter", &mut ignored) else {
        return Written::default();
    };
    let variables = match map.get("variables") {
        Some(v) => read_variables(&src, "variables", v, &mut ignored),
        None => BTreeMap::new(),
    };
    Written { variables: Some(variables), reference: reference_of(&src, map.get("reference")) }
}

/// The reference, when it is text, with the location of its value.
fn reference_of(src: &YamlSource<'_>, value: Option<&Value>) -> Option<(String, Location)> {
    let text = scalar_text(value?)?.trim().to_string();
    let location = src.value_location("reference").spanning(text.chars().count());
    (!text.is_empty()).then_some((text, location))
}

/// The reference of a front matter (for `new`, to choose one no other policy has).
pub fn reference(file: &str, yaml: &str) -> Option<String> {
    read_quietly(file, yaml).reference.map(|(text, _)| text)
}

/// Turns the front matter of `file` into [`Meta`], reporting every problem found.
/// Returns `None` when a required field is missing or unusable.
pub fn parse_meta(file: &str, yaml: &str, diags: &mut Diagnostics) -> Option<Meta> {
    let src = YamlSource::new(file, yaml, 2);
    let map = src.parse_mapping("front matter", diags)?;
    let before = diags.error_count();

    for key in map.keys() {
        let Some(key) = key.as_str() else { continue };
        if !KNOWN_KEYS.contains(&key) {
            let d = diags.error(src.key_location(key), format!("unknown front matter key `{key}`"));
            match did_you_mean(key, KNOWN_KEYS) {
                Some(near) => d.hint(format!("did you mean `{near}`? For a field of your own, put it under `extra:`")),
                None => {
                    d.hint("put fields of your own under `extra:`; the known keys are listed in docs/source-format.md")
                }
            };
        }
    }
    let get = |key: &str| map.get(key).filter(|v| !v.is_null());

    let text = |key: &str, diags: &mut Diagnostics| -> Option<String> {
        let value = get(key)?;
        match value {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::String(_) => None,
            Value::Number(_) | Value::Bool(_) => scalar_text(value),
            _ => {
                diags.error(src.value_location(key), format!("`{key}` must be text"));
                None
            }
        }
    };
    let date = |key: &str, diags: &mut Diagnostics| -> Option<Date> {
        let value = get(key)?;
        let written = scalar_text(value).unwrap_or_default();
        let parsed = Date::parse(&written);
        if parsed.is_none() {
            diags
                .error(src.value_location(key), format!("`{key}` is not a date: `{written}`"))
                .hint("write dates as YYYY-MM-DD, for example 2027-03-31");
        }
        parsed
    };
    let required = |key: &str, diags: &mut Diagnostics, example: &str| {
        if get(key).is_none() {
            diags
                .error(Location::file_start(file), format!("the front matter has no `{key}`"))
                .hint(format!("add a line like `{key}: {example}`"));
        }
    };

    required("title", diags, "Visiting policy");
    required("version", diags, "\"1.0\"");
    required("status", diags, "approved");
    required("review-date", diags, "2027-03-31");

    let title = text("title", diags);
    let version = match get("version") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => {
            // Echo what the author wrote: YAML has already turned `2.10` into 2.1.
            let written = src.written_value("version").unwrap_or_else(|| n.to_string());
            let read = n.to_string();
            let message = if written == read {
                format!(
                    "`version` is written as a number (`{written}`), and numbers lose zeros: 2.10 would read as 2.1"
                )
            } else {
                format!("`version` is written as a number (`{written}`), which reads as {read}")
            };
            diags
                .error(src.value_location("version").spanning(written.chars().count()), message)
                .hint(format!("put it in quotes: `version: \"{written}\"`"));
            None
        }
        Some(_) => {
            diags.error(src.value_location("version"), "`version` must be text in quotes, like \"2.1\"");
            None
        }
        None => None,
    };
    let status = match get("status").map(scalar_text) {
        Some(Some(s)) => match s.as_str() {
            "draft" => Some(Status::Draft),
            "approved" => Some(Status::Approved),
            "withdrawn" => Some(Status::Withdrawn),
            other => {
                let d = diags.error(src.value_location("status"), format!("unknown status `{other}`"));
                match did_you_mean(other, ["draft", "approved", "withdrawn"]) {
                    Some(near) => {
                        d.hint(format!("did you mean `{near}`? The status is one of `draft`, `approved`, `withdrawn`"))
                    }
                    None => d.hint("the status is one of `draft`, `approved`, `withdrawn`"),
                };
                None
            }
        },
        Some(None) => {
            diags.error(src.value_location("status"), "`status` must be one of `draft`, `approved`, `withdrawn`");
            None
        }
        None => None,
    };
    let approved_date = date("approved-date", diags);
    if status.is_some_and(|s| s != Status::Draft) && get("approved-date").is_none() {
        diags
            .error(Location::file_start(file), "the front matter has no `approved-date`")
            .hint("an approved or withdrawn policy needs `approved-date: YYYY-MM-DD`; use `status: draft` until it is approved");
    }
    let review_date = date("review-date", diags);
    if let (Some(approved), Some(review)) = (approved_date, review_date)
        && review < approved
    {
        diags
            .warning(
                src.value_location("review-date"),
                format!("the review date {review} is before the approval date {approved}"),
            )
            .hint("check the two dates");
    }

    let related = match get("related") {
        None => Vec::new(),
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|item| match scalar_text(item) {
                Some(id) => Some((id.clone(), src.item_location("related", &id).line)),
                None => {
                    diags.error(src.value_location("related"), "each item of `related` must be a policy id");
                    None
                }
            })
            .collect(),
        Some(Value::String(one)) => vec![(one.clone(), src.value_location("related").line)],
        Some(_) => {
            diags
                .error(src.value_location("related"), "`related` must be a list of policy ids")
                .hint("for example: `related: [information-governance, disciplinary]`");
            Vec::new()
        }
    };

    let glossary = read_pairs(&src, "glossary", get("glossary"), diags, "consent: When you say yes to something.");
    let extra = read_pairs(&src, "extra", get("extra"), diags, "equality-impact: Low risk");
    let variables = get("variables").map(|v| read_variables(&src, "variables", v, diags)).unwrap_or_default();
    let history = read_history(&src, get("history"), diags);
    let short = text("short", diags);
    if let Some(short) = &short
        && !valid_id(short)
    {
        let d = diags.error(
            src.value_location("short"),
            format!("the short web address `{short}` may only use lower-case letters, digits and hyphens"),
        );
        match suggest_id(short) {
            near if near.is_empty() => d.hint("for example `short: phones`"),
            near => d.hint(format!("for example `short: {near}`")),
        };
    }
    let contact = get("contact").map(|v| read_contact(&src, "contact", v, diags));

    if diags.error_count() > before {
        return None;
    }
    Some(Meta {
        title: title?,
        reference: text("reference", diags),
        version: version?,
        status: status?,
        approved_date,
        approved_by: text("approved-by", diags),
        owner: text("owner", diags),
        review_date: review_date?,
        review_line: src.key_location("review-date").line,
        summary: text("summary", diags).map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")),
        related,
        glossary,
        variables,
        history,
        extra,
        category: text("category", diags).map(|c| (c, src.value_location("category"))),
        directorate: text("directorate", diags),
        short,
        short_line: src.key_location("short").line,
        contact,
        contact_line: src.key_location("contact").line,
    })
}

/// Every top-level key a translation's front matter may use.
pub const TRANSLATION_KEYS: [&str; 4] = ["title", "translation-of", "glossary", "variables"];

/// A translation's front matter, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct TranslationMeta {
    /// The translated title.
    pub title: String,
    /// The policy version it translates.
    pub translation_of: String,
    /// 1-based line of `translation-of:`.
    pub translation_of_line: usize,
    /// The translated glossary.
    pub glossary: Vec<(String, String)>,
    /// Variables of the translation (translated values); override the policy's and the site's.
    pub variables: BTreeMap<String, String>,
}

/// Turns a translation's front matter into [`TranslationMeta`], reporting every problem found;
/// a policy's own keys (`version`, `owner`, ...) are errors here, since they belong to the
/// policy, not to its translation.
pub fn parse_translation_meta(file: &str, yaml: &str, diags: &mut Diagnostics) -> Option<TranslationMeta> {
    let src = YamlSource::new(file, yaml, 2);
    let map = src.parse_mapping("front matter", diags)?;
    let before = diags.error_count();
    for key in map.keys().filter_map(Value::as_str) {
        if TRANSLATION_KEYS.contains(&key) {
            continue;
        }
        let d = diags.error(src.key_location(key), format!("a translation's front matter has no `{key}`"));
        if KNOWN_KEYS.contains(&key) {
            d.hint(format!("`{key}` belongs to the policy itself; a translation has `title`, `translation-of`, `glossary` and `variables`"));
        } else {
            match did_you_mean(key, TRANSLATION_KEYS) {
                Some(near) => d.hint(format!("did you mean `{near}`?")),
                None => d.hint("a translation has `title`, `translation-of`, `glossary` and `variables`"),
            };
        }
    }
    let get = |key: &str| map.get(key).filter(|v| !v.is_null());
    let title = match get("title").and_then(scalar_text).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) {
        Some(title) => Some(title),
        None => {
            diags
                .error(Location::file_start(file), "the translation has no `title`")
                .hint("add the translated title, like `title: Ffonau, lluniau a ffilmio ar ein wardiau`");
            None
        }
    };
    let translation_of = match get("translation-of") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => {
            let written = src.written_value("translation-of").unwrap_or_else(|| n.to_string());
            diags
                .error(
                    src.value_location("translation-of").spanning(written.chars().count()),
                    format!("`translation-of` is written as a number (`{written}`), which reads as {n}"),
                )
                .hint(format!("put it in quotes: `translation-of: \"{written}\"`"));
            None
        }
        Some(_) => {
            diags.error(
                src.value_location("translation-of"),
                "`translation-of` must be a version in quotes, like \"3.1\"",
            );
            None
        }
        None => {
            diags
                .error(Location::file_start(file), "the translation has no `translation-of`")
                .hint("add the version of the policy it translates, like `translation-of: \"3.1\"`, so it can be kept in step");
            None
        }
    };
    let glossary = read_pairs(
        &src,
        "glossary",
        get("glossary"),
        diags,
        "preifatrwydd: Gallu cadw pethau amdanoch chi i chi'ch hun.",
    );
    let variables = get("variables").map(|v| read_variables(&src, "variables", v, diags)).unwrap_or_default();
    if diags.error_count() > before {
        return None;
    }
    Some(TranslationMeta {
        title: title?,
        translation_of: translation_of?,
        translation_of_line: src.key_location("translation-of").line,
        glossary,
        variables,
    })
}

/// Replaces `{{ name }}` in the front matter's texts (title, reference, approved-by, owner,
/// summary, glossary explanations, history changes, extra values) with the variable's value, as
/// in the body; `\{{` writes `{{`. An unknown or unclosed variable is a located error, so no
/// `{{ ... }}` is ever printed as it was written.
pub fn substitute_variables(
    file: &str,
    yaml: &str,
    meta: &mut Meta,
    variables: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) {
    let src = YamlSource::new(file, yaml, 2);
    let mut one = |key: &str, text: &mut String| {
        if text.contains("{{") {
            *text = substitute(&src, key, text, variables, diags);
        }
    };
    one("title", &mut meta.title);
    for (key, field) in [
        ("reference", &mut meta.reference),
        ("approved-by", &mut meta.approved_by),
        ("owner", &mut meta.owner),
        ("summary", &mut meta.summary),
    ] {
        if let Some(text) = field {
            one(key, text);
        }
    }
    for (_, text) in &mut meta.glossary {
        one("glossary", text);
    }
    for entry in &mut meta.history {
        one("history", &mut entry.changes);
    }
    for (_, text) in &mut meta.extra {
        one("extra", text);
    }
}

fn substitute(
    src: &YamlSource<'_>,
    key: &str,
    text: &str,
    variables: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("{{") {
        if rest[..at].ends_with('\\') {
            out.push_str(&rest[..at - 1]);
            out.push_str("{{");
            rest = &rest[at + 2..];
            continue;
        }
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match after.find("}}") {
            Some(close) => {
                let name = after[..close].trim();
                let token = &rest[at..at + 2 + close + 2];
                match variables.get(name) {
                    Some(value) => out.push_str(value),
                    None => {
                        let d =
                            diags.error(src.item_location(key, token), format!("unknown variable `{name}` in `{key}`"));
                        match did_you_mean(name, variables.keys().map(String::as_str)) {
                            Some(near) => d.hint(format!("did you mean `{{{{ {near} }}}}`? Variables are set under `variables:` in the front matter or in policypress.yaml")),
                            None => d.hint("set it under `variables:` in the front matter or in policypress.yaml; write `\\{{` for literal braces"),
                        };
                        out.push_str(token);
                    }
                }
                rest = &after[close + 2..];
            }
            None => {
                diags
                    .error(
                        src.item_location(key, &rest[at..].chars().take(12).collect::<String>()),
                        format!("`{{{{` in `{key}` starts a variable but has no closing `}}}}`"),
                    )
                    .hint("write `{{ name }}` for a variable, or `\\{{` for literal braces");
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads a mapping of names to one-line texts (glossary, extra), keeping file order.
fn read_pairs(
    src: &YamlSource<'_>,
    key: &str,
    value: Option<&Value>,
    diags: &mut Diagnostics,
    example: &str,
) -> Vec<(String, String)> {
    let Some(value) = value else {
        return Vec::new();
    };
    let Some(map) = value.as_mapping() else {
        diags
            .error(src.value_location(key), format!("`{key}` must be a list of `name: text` lines"))
            .hint(format!("for example:\n      {key}:\n        {example}"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, val) in map {
        let Some(name) = scalar_text(name) else {
            continue;
        };
        let text = match val {
            Value::Sequence(items) => Some(items.iter().filter_map(scalar_text).collect::<Vec<_>>().join(", ")),
            other => scalar_text(other),
        };
        match text {
            Some(text) => out.push((name, text.split_whitespace().collect::<Vec<_>>().join(" "))),
            None => {
                diags.error(src.item_location(key, &name), format!("`{name}` under `{key}` must be plain text"));
            }
        }
    }
    out
}

fn read_history(src: &YamlSource<'_>, value: Option<&Value>, diags: &mut Diagnostics) -> Vec<HistoryEntry> {
    let Some(value) = value else {
        return Vec::new();
    };
    let Some(items) = value.as_sequence() else {
        diags
            .error(src.value_location("history"), "`history` must be a list of versions")
            .hint("for example:\n      history:\n        - version: \"1.0\"\n          date: 2021-03-31\n          changes: First version.");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let number = index + 1;
        let Some(map) = item.as_mapping() else {
            diags.error(
                src.key_location("history"),
                format!("history entry {number} must have `version`, `date` and `changes`"),
            );
            continue;
        };
        for key in map.keys().filter_map(Value::as_str) {
            if !["version", "date", "changes"].contains(&key) {
                let d = diags.error(
                    src.item_location("history", &format!("{key}:")),
                    format!("unknown key `{key}` in history entry {number}"),
                );
                if let Some(near) = did_you_mean(key, ["version", "date", "changes"]) {
                    d.hint(format!("did you mean `{near}`?"));
                }
            }
        }
        let field = |k: &str| map.get(k).and_then(scalar_text);
        let version = field("version");
        if let Some(Value::Number(n)) = map.get("version") {
            // As at the top: YAML has turned `1.10` into 1.1, and the history would show that.
            let key = src.nth_item_location("history", "version:", number);
            let (written, location) = src.value_after(&key).unwrap_or_else(|| (n.to_string(), key));
            diags
                .error(
                    location,
                    format!(
                        "history entry {number}: `version` is written as a number (`{written}`), which reads as {n}"
                    ),
                )
                .hint(format!("put it in quotes: `version: \"{written}\"`"));
        }
        let written_date = field("date");
        let changes = field("changes");
        let date = written_date.as_deref().and_then(Date::parse);
        if let Some(written) = &written_date
            && date.is_none()
        {
            diags
                .error(
                    src.item_location("history", written),
                    format!("history entry {number}: `date` is not a date: `{written}`"),
                )
                .hint("write dates as YYYY-MM-DD, for example 2021-03-31");
        }
        match (version, date, changes) {
            (Some(version), Some(date), Some(changes)) => out.push(HistoryEntry { version, date, changes }),
            (version, _, changes) => {
                let missing: Vec<&str> =
                    [("version", version.is_none()), ("date", written_date.is_none()), ("changes", changes.is_none())]
                        .into_iter()
                        .filter_map(|(k, m)| m.then_some(k))
                        .collect();
                if !missing.is_empty() {
                    diags.error(
                        src.key_location("history"),
                        format!("history entry {number} has no `{}`", missing.join("`, `")),
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str =
        "title: Visiting\nversion: \"2.1\"\nstatus: approved\napproved-date: 2025-03-31\nreview-date: 2027-03-31\n";

    #[test]
    fn split_finds_front_matter_and_body_line() {
        let mut diags = Diagnostics::new();
        let s = split("a.md", "---\ntitle: x\n---\nBody\n", &mut diags).unwrap();
        assert_eq!(s.yaml, "title: x\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_first_line, 4);
    }

    #[test]
    fn split_reports_missing_and_unclosed_front_matter() {
        let mut diags = Diagnostics::new();
        assert!(split("a.md", "# Hello\n", &mut diags).is_none());
        assert!(split("a.md", "---\ntitle: x\n", &mut diags).is_none());
        assert_eq!(diags.error_count(), 2);
    }

    #[test]
    fn parse_meta_reads_a_complete_front_matter() {
        let mut diags = Diagnostics::new();
        let meta = parse_meta("a.md", GOOD, &mut diags).unwrap();
        assert_eq!(meta.version, "2.1");
        assert_eq!(meta.status, Status::Approved);
        assert!(diags.is_empty());
    }

    #[test]
    fn unknown_key_is_located_and_suggests_the_known_one() {
        let mut diags = Diagnostics::new();
        let yaml = format!("{GOOD}reveiw-date: 2027-03-31\n");
        assert!(parse_meta("a.md", &yaml, &mut diags).is_none());
        let d = &diags.sorted()[0];
        assert_eq!(d.location, Location::new("a.md", 7, 1));
        assert!(d.hint.as_ref().unwrap().contains("`review-date`"));
    }

    #[test]
    fn malformed_date_is_located_at_the_value() {
        let mut diags = Diagnostics::new();
        let yaml = GOOD.replace("review-date: 2027-03-31", "review-date: 31/03/2027");
        assert!(parse_meta("a.md", &yaml, &mut diags).is_none());
        let d = &diags.sorted()[0];
        assert_eq!((d.location.line, d.location.col), (6, 14));
        assert!(d.message.contains("31/03/2027"));
    }

    #[test]
    fn numeric_version_is_an_error_with_quoting_hint() {
        let mut diags = Diagnostics::new();
        let yaml = GOOD.replace("\"2.1\"", "2.1");
        assert!(parse_meta("a.md", &yaml, &mut diags).is_none());
        assert!(diags.sorted()[0].hint.as_ref().unwrap().contains("version: \"2.1\""));
    }

    #[test]
    fn draft_needs_no_approved_date() {
        let mut diags = Diagnostics::new();
        let yaml = "title: T\nversion: \"0.1\"\nstatus: draft\nreview-date: 2027-01-01\n";
        assert!(parse_meta("a.md", yaml, &mut diags).is_some(), "{diags:?}");
    }
}
