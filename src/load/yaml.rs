//! Located YAML reading shared by the settings (`policypress.yaml`, `theme.yaml`) and the front
//! matter: a YAML text with the file line it starts on, so every problem points at its line.
//!
//! With [`super::config`] and `parse::front_matter`, the only code that uses `serde_yaml`, so the
//! YAML library can be swapped in one place. Never reads files.

use std::collections::BTreeMap;

use serde_yaml::{Mapping, Value};

use crate::diag::{Diagnostics, Location, did_you_mean};
use crate::model::Contact;
use crate::model::ids::suggest_id;

/// The YAML of one file, with what is needed to point at a line in it.
pub struct YamlSource<'a> {
    file: &'a str,
    text: &'a str,
    /// File line of the YAML's first line.
    first_line: usize,
}

impl<'a> YamlSource<'a> {
    pub fn new(file: &'a str, text: &'a str, first_line: usize) -> Self {
        YamlSource { file, text, first_line }
    }

    /// Parses the text as a mapping, reporting syntax errors at their line.
    pub fn parse_mapping(&self, what: &str, diags: &mut Diagnostics) -> Option<Mapping> {
        if self.text.trim().is_empty() {
            return Some(Mapping::new());
        }
        match serde_yaml::from_str::<Value>(self.text) {
            Ok(Value::Mapping(map)) => Some(map),
            Ok(Value::Null) => Some(Mapping::new()),
            Ok(_) => {
                diags
                    .error(
                        Location::new(self.file, self.first_line, 1),
                        format!("the {what} is not a list of `key: value` settings"),
                    )
                    .hint("write one setting per line, like `title: Visiting policy`");
                None
            }
            Err(err) => {
                // From the byte index, not the YAML's own line count: YAML also breaks lines at
                // U+2028, U+2029 and U+0085, which are ordinary characters in the file.
                let (line, col) = err.location().map_or((1, 1), |l| crate::diag::line_col(self.text, l.index()));
                let reason = err.to_string();
                let reason = reason.split(" at line ").next().unwrap_or(&reason).to_string();
                if let Some(key) = reason.strip_prefix("duplicate entry with key ") {
                    self.duplicate_key(what, key.trim_matches('"'), (line, col), diags);
                    return None;
                }
                diags
                    .error(Location::new(self.file, self.first_line + line - 1, col), format!("the {what} is not valid YAML: {reason}"))
                    .hint("check the indentation and that text containing `: ` or starting with a special character is in quotes");
                None
            }
        }
    }

    /// Reports a key written twice, at its second line. The YAML library only says where the
    /// mapping holding the key starts (`mapping_at`, line and column of the YAML text); both
    /// lines are the first two after it that name the key at that column.
    fn duplicate_key(&self, what: &str, key: &str, mapping_at: (usize, usize), diags: &mut Diagnostics) {
        let (start_line, start_col) = mapping_at;
        let lines: Vec<usize> = self
            .text
            .lines()
            .enumerate()
            .skip(start_line.saturating_sub(1))
            .filter(|(_, line)| {
                let indent = line.len() - line.trim_start_matches([' ', '-']).len();
                let rest = line[indent..].trim_start_matches(['"', '\'']);
                indent + 1 == start_col
                    && rest
                        .strip_prefix(key)
                        .is_some_and(|after| after.trim_start_matches(['"', '\'']).trim_start().starts_with(':'))
            })
            .map(|(index, _)| self.first_line + index)
            .take(2)
            .collect();
        let (location, hint) = match lines.as_slice() {
            [first, second] => (
                Location::new(self.file, *second, start_col).spanning(key.chars().count()),
                format!("keep one of the two `{key}:` lines (the other is line {first}): a key may be set once"),
            ),
            _ => (
                Location::new(self.file, self.first_line + start_line - 1, start_col),
                format!("keep one `{key}:` line: a key may be set once"),
            ),
        };
        diags.error(location, format!("`{key}` is set twice in the {what}")).hint(hint);
    }

    /// The value of top-level `key` exactly as written on its line (without a `#` comment), for
    /// messages that echo the author's own text.
    pub fn written_value(&self, key: &str) -> Option<String> {
        let location = self.key_location(key);
        let line = self.text.lines().nth(location.line - self.first_line)?;
        let (name, after) = line.split_once(':')?;
        if name.trim_matches(['"', '\'']) != key {
            return None;
        }
        let value = after.split(" #").next().unwrap_or(after).trim();
        (!value.is_empty()).then(|| value.to_string())
    }

    /// The location of top-level `key:` (column 1), or of the block start when not found.
    pub fn key_location(&self, key: &str) -> Location {
        let prefix = format!("{key}:");
        for (index, line) in self.text.lines().enumerate() {
            let unquoted = line.trim_start_matches(['"', '\'']);
            if line.starts_with(&prefix) || unquoted.starts_with(&prefix) || line.starts_with(&format!("\"{key}\":")) {
                return Location::new(self.file, self.first_line + index, 1).spanning(key.chars().count());
            }
        }
        Location::new(self.file, self.first_line, 1)
    }

    /// The location of the value of top-level `key` (just after `key: `).
    pub fn value_location(&self, key: &str) -> Location {
        let mut location = self.key_location(key);
        let index = location.line - self.first_line;
        if let Some(line) = self.text.lines().nth(index)
            && let Some(colon) = line.find(':')
        {
            let after = &line[colon + 1..];
            let spaces = after.len() - after.trim_start().len();
            location.col = line[..colon + 1 + spaces].chars().count() + 1;
            let value = after.split(" #").next().unwrap_or(after).trim();
            location.len = value.chars().count().max(1);
        }
        location
    }

    /// The location of the `n`-th (1-based) line holding `needle` at or after top-level `key`
    /// (for the n-th item of a list), falling back to the first, then to the key itself.
    pub fn nth_item_location(&self, key: &str, needle: &str, n: usize) -> Location {
        let start = self.key_location(key);
        let skip = start.line - self.first_line;
        let found = self
            .text
            .lines()
            .enumerate()
            .skip(skip)
            .take_while(|(index, line)| *index == skip || line.starts_with([' ', '\t', '-']) || line.trim().is_empty())
            .filter_map(|(index, line)| line.find(needle).map(|at| (index, line[..at].chars().count() + 1)))
            .nth(n.saturating_sub(1));
        match found {
            Some((index, col)) => Location::new(self.file, self.first_line + index, col)
                .spanning(needle.trim_end_matches(':').chars().count()),
            None => self.item_location(key, needle),
        }
    }

    /// The value written after the `:` that follows `location` on its line (without a `#`
    /// comment), with the location it covers.
    pub fn value_after(&self, location: &Location) -> Option<(String, Location)> {
        let line = self.text.lines().nth(location.line.checked_sub(self.first_line)?)?;
        let start = line.char_indices().nth(location.col.saturating_sub(1)).map_or(line.len(), |(i, _)| i);
        let colon = start + line[start..].find(':')?;
        let after = &line[colon + 1..];
        let value = after.split(" #").next().unwrap_or(after).trim();
        let at = colon + 1 + (after.len() - after.trim_start().len());
        let col = line[..at].chars().count() + 1;
        (!value.is_empty())
            .then(|| (value.to_string(), Location::new(self.file, location.line, col).spanning(value.chars().count())))
    }

    /// The location of `needle` on a line at or after top-level `key` (for items in lists and
    /// maps), falling back to the key itself.
    pub fn item_location(&self, key: &str, needle: &str) -> Location {
        let start = self.key_location(key);
        let skip = start.line - self.first_line;
        for (index, line) in self.text.lines().enumerate().skip(skip) {
            if index > skip && !line.starts_with([' ', '\t', '-']) && !line.trim().is_empty() {
                break;
            }
            if let Some(at) = line.find(needle) {
                return Location::new(self.file, self.first_line + index, line[..at].chars().count() + 1)
                    .spanning(needle.trim_end_matches(':').chars().count());
            }
        }
        start
    }
}

/// Reads a YAML scalar as text: strings as they are, numbers and booleans written out.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Checks a variable name: lower-case letters, digits, hyphens and underscores.
pub fn valid_variable_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Reads a `variables:` mapping, reporting bad names and values.
pub fn read_variables(
    src: &YamlSource<'_>,
    key: &str,
    value: &Value,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(map) = value.as_mapping() else {
        if !value.is_null() {
            diags
                .error(src.value_location(key), format!("`{key}` must be a list of `name: value` lines"))
                .hint("for example:\n      variables:\n        switchboard: 0116 225 2525");
        }
        return out;
    };
    for (name, val) in map {
        let Some(name) = name.as_str() else {
            diags.error(src.key_location(key), format!("a name under `{key}` is not text"));
            continue;
        };
        if !valid_variable_name(name) {
            diags
                .error(
                    src.item_location(key, name),
                    format!("variable name `{name}` may only use lower-case letters, digits, `-` and `_`"),
                )
                .hint(match suggest_id(name) {
                    near if near.is_empty() => {
                        "use lower-case letters, digits, `-` and `_`, like `switchboard`".to_string()
                    }
                    near => format!("rename it to `{near}`"),
                });
            continue;
        }
        match scalar_text(val) {
            Some(text) if !text.contains('\n') => {
                out.insert(name.to_string(), text);
            }
            _ => {
                diags.error(src.item_location(key, name), format!("variable `{name}` must be one line of text"));
            }
        }
    }
    out
}

const CONTACT_KEYS: [&str; 3] = ["name", "phone", "email"];

/// Reads a `contact:` block (`name`, `phone`, `email`), reporting unknown keys.
pub fn read_contact(src: &YamlSource<'_>, key: &str, value: &Value, diags: &mut Diagnostics) -> Contact {
    let Some(map) = value.as_mapping() else {
        diags
            .error(src.value_location(key), format!("`{key}` must list `name`, `phone` and `email`"))
            .hint(format!("for example:\n      {key}:\n        name: Patient Advice and Liaison Service (PALS)\n        phone: 0116 225 2525"));
        return Contact::default();
    };
    for name in map.keys().filter_map(Value::as_str) {
        if !CONTACT_KEYS.contains(&name) {
            let d =
                diags.error(src.item_location(key, &format!("{name}:")), format!("unknown `{key}` setting `{name}`"));
            match did_you_mean(name, CONTACT_KEYS) {
                Some(near) => d.hint(format!("did you mean `{near}`?")),
                None => d.hint(format!("`{key}` has `name`, `phone` and `email`")),
            };
        }
    }
    let field = |k: &str| map.get(k).and_then(scalar_text).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Contact { name: field("name"), phone: field("phone"), email: field("email") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_is_located_by_the_files_lines_not_yamls() {
        // U+2028 is a line break to YAML but not to the file (or an editor).
        let src = YamlSource::new("a.md", "a: \"x\u{2028}y\"\nb: c: d\n", 2);
        let mut diags = Diagnostics::new();
        assert!(src.parse_mapping("front matter", &mut diags).is_none());
        let location = &diags.sorted()[0].location;
        assert_eq!(location.line, 3, "the second line of the YAML, which starts at file line 2");
    }
}
