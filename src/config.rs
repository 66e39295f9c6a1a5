//! Site settings from `policypress.yaml`, checked and typed, with defaults for every key.
//!
//! One of the two modules allowed to use `serde_yaml` (with `front_matter`). Never reads files:
//! `project` hands it the text.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::diag::{Diagnostics, Location, did_you_mean};
use crate::front_matter::{YamlSource, read_variables, scalar_text};

/// The file name of the site settings.
pub const CONFIG_FILE: &str = "policypress.yaml";

const KNOWN_KEYS: [&str; 7] = ["title", "organisation", "base-url", "theme", "language", "variables", "contact"];
const CONTACT_KEYS: [&str; 3] = ["name", "phone", "email"];

/// How patients and visitors reach the Trust ("how to contact us").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    /// Team name, e.g. the Patient Advice and Liaison Service.
    pub name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
}

/// The site settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteConfig {
    /// Site title.
    pub title: String,
    /// Organisation printed on every output.
    pub organisation: String,
    /// Absolute address the output is published at, ending in `/`.
    pub base_url: Option<String>,
    /// Theme name (`default` is built in).
    pub theme: String,
    /// Language tag for HTML `lang` and PDF `/Lang`.
    pub language: String,
    /// Site-wide variables.
    pub variables: BTreeMap<String, String>,
    /// How to contact us.
    pub contact: Contact,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "Policies and patient information".to_string(),
            organisation: "NHS Foundation Trust".to_string(),
            base_url: None,
            theme: "default".to_string(),
            language: "en-GB".to_string(),
            variables: BTreeMap::new(),
            contact: Contact::default(),
        }
    }
}

impl SiteConfig {
    /// Parses and checks the settings text; problems are reported against `file`.
    pub fn parse(file: &str, text: &str, diags: &mut Diagnostics) -> SiteConfig {
        let mut config = SiteConfig::default();
        let src = YamlSource::new(file, text, 1);
        let Some(map) = src.parse_mapping("settings file", diags) else {
            return config;
        };
        for key in map.keys().filter_map(Value::as_str) {
            if !KNOWN_KEYS.contains(&key) {
                let d = diags.error(src.key_location(key), format!("unknown setting `{key}`"));
                match did_you_mean(key, KNOWN_KEYS) {
                    Some(near) => d.hint(format!("did you mean `{near}`?")),
                    None => d.hint(format!("the settings are `{}`", KNOWN_KEYS.join("`, `"))),
                };
            }
        }
        let text_of = |key: &str, diags: &mut Diagnostics| -> Option<String> {
            let value = map.get(key).filter(|v| !v.is_null())?;
            match scalar_text(value) {
                Some(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                _ => {
                    diags.error(src.value_location(key), format!("`{key}` must be text"));
                    None
                }
            }
        };
        if let Some(title) = text_of("title", diags) {
            config.title = title;
        }
        if let Some(org) = text_of("organisation", diags) {
            config.organisation = org;
        }
        if let Some(theme) = text_of("theme", diags) {
            if crate::parse::valid_id(&theme) {
                config.theme = theme;
            } else {
                diags
                    .error(
                        src.value_location("theme"),
                        format!("theme name `{theme}` may only use lower-case letters, digits and hyphens"),
                    )
                    .hint("it names a folder under `themes/`");
            }
        }
        if let Some(language) = text_of("language", diags) {
            if valid_language(&language) {
                config.language = language;
            } else {
                diags
                    .error(src.value_location("language"), format!("`{language}` is not a language tag"))
                    .hint("use a tag like `en-GB` or `cy-GB`");
            }
        }
        if let Some(url) = text_of("base-url", diags) {
            if (url.starts_with("https://") || url.starts_with("http://")) && !url.contains(char::is_whitespace) {
                config.base_url = Some(if url.ends_with('/') { url } else { format!("{url}/") });
            } else {
                diags
                    .error(src.value_location("base-url"), format!("`base-url` must be a web address, not `{url}`"))
                    .hint("for example `base-url: https://intranet.example.nhs.uk/policies/`");
            }
        }
        if let Some(vars) = map.get("variables") {
            config.variables = read_variables(&src, "variables", vars, diags);
        }
        if let Some(contact) = map.get("contact").filter(|v| !v.is_null()) {
            config.contact = read_contact(&src, contact, diags);
        }
        config
    }

    /// The address of an output file on the published site, when `base-url` is set.
    pub fn absolute_url(&self, relative: &str) -> Option<String> {
        self.base_url.as_ref().map(|base| format!("{base}{relative}"))
    }
}

fn read_contact(src: &YamlSource<'_>, value: &Value, diags: &mut Diagnostics) -> Contact {
    let Some(map) = value.as_mapping() else {
        diags
            .error(src.value_location("contact"), "`contact` must list `name`, `phone` and `email`")
            .hint("for example:\n      contact:\n        name: Patient Advice and Liaison Service (PALS)\n        phone: 0116 225 2525");
        return Contact::default();
    };
    for key in map.keys().filter_map(Value::as_str) {
        if !CONTACT_KEYS.contains(&key) {
            let d = diags
                .error(src.item_location("contact", &format!("{key}:")), format!("unknown `contact` setting `{key}`"));
            match did_you_mean(key, CONTACT_KEYS) {
                Some(near) => d.hint(format!("did you mean `{near}`?")),
                None => d.hint("`contact` has `name`, `phone` and `email`"),
            };
        }
    }
    let field = |k: &str| map.get(k).and_then(scalar_text).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Contact { name: field("name"), phone: field("phone"), email: field("email") }
}

fn valid_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The location used for problems with the settings file as a whole.
pub fn config_location() -> Location {
    Location::file_start(CONFIG_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_take_defaults() {
        let mut diags = Diagnostics::new();
        let c = SiteConfig::parse(CONFIG_FILE, "", &mut diags);
        assert_eq!(c, SiteConfig::default());
        assert!(diags.is_empty());
    }

    #[test]
    fn every_spec_key_is_read() {
        let text = "title: T\norganisation: O\nbase-url: https://x.nhs.uk/p\ntheme: default\nlanguage: cy-GB\nvariables:\n  switchboard: 0116 225 2525\ncontact:\n  name: PALS\n  phone: 0116\n  email: p@x\n";
        let mut diags = Diagnostics::new();
        let c = SiteConfig::parse(CONFIG_FILE, text, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(c.base_url.as_deref(), Some("https://x.nhs.uk/p/"));
        assert_eq!(c.language, "cy-GB");
        assert_eq!(c.variables["switchboard"], "0116 225 2525");
        assert_eq!(c.contact.name.as_deref(), Some("PALS"));
    }

    #[test]
    fn unknown_setting_suggests_the_known_one() {
        let mut diags = Diagnostics::new();
        SiteConfig::parse(CONFIG_FILE, "title: T\norganization: O\n", &mut diags);
        let d = &diags.sorted()[0];
        assert_eq!(d.location.line, 2);
        assert_eq!(d.hint.as_deref(), Some("did you mean `organisation`?"));
    }
}

// ---- Theme settings (`theme.yaml`): read here because YAML is read only in this module and
// `front_matter`. ----

/// One colour of the theme, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeColour {
    /// As written, e.g. `#005eb8`.
    pub written: String,
    /// The colour.
    pub rgb: crate::contrast::Rgb,
    /// Where it is set.
    pub location: Location,
}

/// The theme's named colours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThemeColours {
    colours: BTreeMap<String, ThemeColour>,
}

impl ThemeColours {
    /// A colour by name.
    pub fn get(&self, name: &str) -> Option<&ThemeColour> {
        self.colours.get(name)
    }

    /// Every colour, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ThemeColour)> {
        self.colours.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Reads the `colours:` of a theme file. Names not in `known` are errors (a typo would
    /// otherwise silently leave the default colour in place).
    pub fn parse(file: &str, text: &str, known: &[&str], diags: &mut Diagnostics) -> ThemeColours {
        let src = YamlSource::new(file, text, 1);
        let mut out = ThemeColours::default();
        let Some(map) = src.parse_mapping("theme file", diags) else { return out };
        for key in map.keys().filter_map(Value::as_str).filter(|k| *k != "colours") {
            diags
                .error(src.key_location(key), format!("unknown theme setting `{key}`"))
                .hint("the theme file has `colours:`");
        }
        let Some(colours) = map.get("colours").and_then(Value::as_mapping) else { return out };
        for (name, value) in colours {
            let Some(name) = name.as_str() else { continue };
            let location = src.item_location("colours", &format!("{name}:"));
            if !known.is_empty() && !known.contains(&name) {
                let d = diags.error(location, format!("unknown theme colour `{name}`"));
                match did_you_mean(name, known.iter().copied()) {
                    Some(near) => d.hint(format!("did you mean `{near}`?")),
                    None => d.hint("the colours are listed in the built-in themes/default/theme.yaml"),
                };
                continue;
            }
            let written = scalar_text(value).unwrap_or_default();
            match crate::contrast::Rgb::parse(&written) {
                Some(rgb) => {
                    out.colours.insert(name.to_string(), ThemeColour { written, rgb, location });
                }
                None => {
                    diags
                        .error(location, format!("theme colour `{name}` is not a colour: `{written}`"))
                        .hint("write colours as \"#rrggbb\" in quotes, for example \"#005eb8\"");
                }
            }
        }
        out
    }

    /// Lays `other` over these colours (a project's theme over the built-in one).
    pub fn overlay(&mut self, other: ThemeColours) {
        self.colours.extend(other.colours);
    }
}
