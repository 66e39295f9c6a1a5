//! Site settings from `policypress.yaml`, checked and typed, with defaults for every key; the
//! theme's `theme.yaml` settings and its icon descriptions (`icons/descriptions.yaml`).
//!
//! With [`super::yaml`] and `parse::front_matter`, the only code allowed to use `serde_yaml`.
//! Never reads files: the load stage hands it the text.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::diag::{Diagnostics, Location, did_you_mean};
use crate::load::yaml::{YamlSource, read_contact, read_variables, scalar_text};
pub use crate::model::Contact;

/// The file name of the site settings.
pub const CONFIG_FILE: &str = "policypress.yaml";

const KNOWN_KEYS: [&str; 12] = [
    "title",
    "organisation",
    "base-url",
    "public-url",
    "theme",
    "language",
    "variables",
    "contact",
    "logo",
    "categories",
    "other-languages",
    "language-texts",
];

/// The site's own wording, in one language, of what policypress prints about translations
/// (`language-texts:`), replacing the built-in wording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LanguageTexts {
    /// The language's name in itself ("Cymraeg").
    pub name: Option<String>,
    /// "This translation is of an earlier version; ask staff for the current information."
    pub out_of_date: Option<String>,
    /// "If you need this information in another language, please ask a member of staff."
    pub ask_for_language: Option<String>,
}

/// The keys of one language under `language-texts:`.
const LANGUAGE_TEXT_KEYS: [&str; 3] = ["name", "out-of-date", "ask-for-language"];

/// The Trust's logo (`logo:`): a picture file under the project and its alternative text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoSetting {
    /// Path relative to the project folder, with `/` separators.
    pub file: String,
    /// Alternative text (what the logo says, usually the organisation's name).
    pub alt: String,
    /// Where `file:` is written, for problems with the file.
    pub location: Location,
}

/// The site settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteConfig {
    /// Site title.
    pub title: String,
    /// Organisation printed on every output.
    pub organisation: String,
    /// Absolute address the intranet site (`output/`) is published at, ending in `/`: staff
    /// outputs' links and addresses.
    pub base_url: Option<String>,
    /// Absolute address the public site (`output/public/`) is published at, ending in `/`: every
    /// QR code and printed address on patient, easy-read and poster outputs.
    pub public_url: Option<String>,
    /// Theme name (`default` is built in).
    pub theme: String,
    /// Language tag for HTML `lang` and PDF `/Lang`.
    pub language: String,
    /// Site-wide variables.
    pub variables: BTreeMap<String, String>,
    /// How to contact us.
    pub contact: Contact,
    /// The library categories a policy's `category:` may name, in the order the library lists
    /// them (empty: none defined).
    pub categories: Vec<String>,
    /// Line of `contact:` in the settings (1 when there is none), for messages.
    pub contact_line: usize,
    /// The Trust's logo, drawn on covers, posters and page headers.
    pub logo: Option<LogoSetting>,
    /// The languages the "If you need this in another language" line is printed in on every
    /// leaflet in the site's language (`other-languages:`), in the order given.
    pub other_languages: Vec<String>,
    /// The site's own wording of the translation notices, by language tag.
    pub language_texts: BTreeMap<String, LanguageTexts>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "Policies and patient information".to_string(),
            organisation: "NHS Foundation Trust".to_string(),
            base_url: None,
            public_url: None,
            theme: "default".to_string(),
            language: "en-GB".to_string(),
            variables: BTreeMap::new(),
            contact: Contact::default(),
            categories: Vec::new(),
            contact_line: 1,
            logo: None,
            other_languages: Vec::new(),
            language_texts: BTreeMap::new(),
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
            if crate::model::ids::valid_id(&theme) {
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
        for (key, example) in [
            ("base-url", "https://intranet.example.nhs.uk/policies/"),
            ("public-url", "https://www.example.nhs.uk/leaflets/"),
        ] {
            let Some(url) = text_of(key, diags) else { continue };
            let web = (url.starts_with("https://") || url.starts_with("http://"))
                && !url.contains(char::is_whitespace)
                && !url.contains(['?', '#']);
            if !web {
                diags
                    .error(src.value_location(key), format!("`{key}` must be a web address, not `{url}`"))
                    .hint(format!("for example `{key}: {example}`"));
                continue;
            }
            let url = if url.ends_with('/') { url } else { format!("{url}/") };
            match key {
                "base-url" => config.base_url = Some(url),
                _ => config.public_url = Some(url),
            }
        }
        if let (Some(public), Some(base)) = (&config.public_url, &config.base_url)
            && public == base
        {
            diags
                .warning(
                    src.value_location("public-url"),
                    "`public-url` is the same address as `base-url`, so patients are sent to the intranet",
                )
                .hint("set `public-url` to where `output/public/` is published on the Trust's public website");
        }

        if let Some(vars) = map.get("variables") {
            config.variables = read_variables(&src, "variables", vars, diags);
        }
        if let Some(contact) = map.get("contact").filter(|v| !v.is_null()) {
            config.contact = read_contact(&src, "contact", contact, diags);
            config.contact_line = src.key_location("contact").line;
        }
        if let Some(logo) = map.get("logo").filter(|v| !v.is_null()) {
            config.logo = read_logo(&src, logo, diags);
        }
        if let Some(value) = map.get("categories").filter(|v| !v.is_null()) {
            config.categories = read_categories(&src, value, diags);
        }
        if let Some(value) = map.get("language-texts").filter(|v| !v.is_null()) {
            config.language_texts = read_language_texts(&src, value, diags);
        }
        if let Some(value) = map.get("other-languages").filter(|v| !v.is_null()) {
            config.other_languages = read_other_languages(&src, value, &config, diags);
        }
        config
    }

    /// A language's name in itself: the site's wording, else the built-in one, else the tag.
    pub fn language_name(&self, lang: &str) -> String {
        self.own_texts(lang).and_then(|t| t.name.clone()).unwrap_or_else(|| crate::model::languages::own_name(lang))
    }

    /// The out-of-date notice in `lang`: the site's wording, else the built-in one; `None`
    /// when there is neither (the notice is then printed in the site's language only).
    pub fn out_of_date_text(&self, lang: &str) -> Option<String> {
        self.own_texts(lang)
            .and_then(|t| t.out_of_date.clone())
            .or_else(|| crate::model::languages::language(lang).and_then(|l| l.out_of_date).map(str::to_string))
    }

    /// "If you need this information in another language" in `lang`, like
    /// [`SiteConfig::out_of_date_text`].
    pub fn ask_for_language_text(&self, lang: &str) -> Option<String> {
        self.own_texts(lang)
            .and_then(|t| t.ask_for_language.clone())
            .or_else(|| crate::model::languages::language(lang).and_then(|l| l.ask_for_language).map(str::to_string))
    }

    fn own_texts(&self, lang: &str) -> Option<&LanguageTexts> {
        self.language_texts.iter().find(|(tag, _)| tag.eq_ignore_ascii_case(lang)).map(|(_, t)| t)
    }

    /// The address of an intranet output file (staff), when `base-url` is set.
    pub fn absolute_url(&self, relative: &str) -> Option<String> {
        self.base_url.as_ref().map(|base| format!("{base}{relative}"))
    }

    /// The address of a file of the public site (`output/public/`), when `public-url` is set.
    pub fn public_address(&self, relative: &str) -> Option<String> {
        self.public_url.as_ref().map(|base| format!("{base}{relative}"))
    }
}

const LOGO_EXAMPLE: &str =
    "for example:\n      logo:\n        file: branding/logo.svg\n        alt: Example NHS Foundation Trust";

/// Reads `logo:` (`file` under the project, SVG or PNG, and `alt`).
fn read_logo(src: &YamlSource<'_>, value: &Value, diags: &mut Diagnostics) -> Option<LogoSetting> {
    let Some(map) = value.as_mapping() else {
        diags
            .error(src.value_location("logo"), "`logo` must give the picture's `file` and its `alt` text")
            .hint(LOGO_EXAMPLE);
        return None;
    };
    for key in map.keys().filter_map(Value::as_str) {
        if !["file", "alt"].contains(&key) {
            let d =
                diags.error(src.item_location("logo", &format!("{key}:")), format!("unknown `logo` setting `{key}`"));
            match did_you_mean(key, ["file", "alt"]) {
                Some(near) => d.hint(format!("did you mean `{near}`?")),
                None => d.hint("`logo` has `file` and `alt`"),
            };
        }
    }
    let field = |k: &str| map.get(k).and_then(scalar_text).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let location = src.item_location("logo", "file:");
    let (file, alt) = (field("file"), field("alt"));
    for (key, value) in [("file", &file), ("alt", &alt)] {
        if value.is_none() {
            diags.error(src.key_location("logo"), format!("`logo` has no `{key}`")).hint(format!(
                "the logo needs its picture file and the words it stands for (alternative text); {LOGO_EXAMPLE}"
            ));
        }
    }
    let file = file?;
    let lower = file.to_ascii_lowercase();
    let inside = !file.starts_with('/')
        && !file.contains('\\')
        && !file.contains(':')
        && file.split('/').all(|part| !part.is_empty() && part != "..");
    if !inside {
        diags
            .error(location, format!("the logo `{file}` is not a path inside the project folder"))
            .hint("write the path from the project folder, like `branding/logo.svg`, without `..`");
        return None;
    }
    if !(lower.ends_with(".svg") || lower.ends_with(".png")) {
        diags
            .error(location, format!("the logo `{file}` is not an SVG or PNG file"))
            .hint("save the logo as SVG (best: it stays sharp at any size) or as PNG");
        return None;
    }
    let alt = alt?;
    Some(LogoSetting { file, alt, location })
}

/// `categories:`: a list of names, each once.
fn read_categories(src: &YamlSource<'_>, value: &Value, diags: &mut Diagnostics) -> Vec<String> {
    let Some(items) = value.as_sequence() else {
        diags
            .error(src.value_location("categories"), "`categories` must be a list of category names")
            .hint("for example:\n      categories:\n        - Clinical\n        - Information governance");
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for item in items {
        match scalar_text(item).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
            Some(name) if out.contains(&name) => {
                diags
                    .error(src.item_location("categories", &name), format!("the category `{name}` is listed twice"))
                    .hint("list each category once");
            }
            Some(name) => out.push(name),
            None => {
                diags.error(src.value_location("categories"), "each item of `categories` must be a name");
            }
        }
    }
    out
}

/// `language-texts:`: per language tag, the site's wording of `name`, `out-of-date` and
/// `ask-for-language`.
fn read_language_texts(
    src: &YamlSource<'_>,
    value: &Value,
    diags: &mut Diagnostics,
) -> BTreeMap<String, LanguageTexts> {
    let example = "for example:\n      language-texts:\n        cy:\n          out-of-date: Mae'r cyfieithiad hwn o fersiwn gynharach; gofynnwch i'r staff am yr wybodaeth ddiweddaraf.";
    let mut out = BTreeMap::new();
    let Some(map) = value.as_mapping() else {
        diags
            .error(src.value_location("language-texts"), "`language-texts` must list languages, each with its wording")
            .hint(example);
        return out;
    };
    for (tag, texts) in map {
        let Some(tag) = scalar_text(tag) else { continue };
        let location = src.item_location("language-texts", &format!("{tag}:"));
        if !valid_language(&tag) {
            diags
                .error(location, format!("`{tag}` under `language-texts` is not a language tag"))
                .hint("use a tag like `cy`, `pl`, `ur` or `zh-Hans`");
            continue;
        }
        let Some(texts) = texts.as_mapping() else {
            diags
                .error(
                    location,
                    format!("`{tag}` under `language-texts` must give `name`, `out-of-date` or `ask-for-language`"),
                )
                .hint(example);
            continue;
        };
        let mut own = LanguageTexts::default();
        for (key, text) in texts {
            let Some(key) = key.as_str() else { continue };
            let words =
                scalar_text(text).map(|w| w.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|w| !w.is_empty());
            let slot = match key {
                "name" => &mut own.name,
                "out-of-date" => &mut own.out_of_date,
                "ask-for-language" => &mut own.ask_for_language,
                other => {
                    let d = diags.error(
                        src.item_location("language-texts", &format!("{other}:")),
                        format!("unknown wording `{other}` for `{tag}`"),
                    );
                    match did_you_mean(other, LANGUAGE_TEXT_KEYS) {
                        Some(near) => d.hint(format!("did you mean `{near}`?")),
                        None => d.hint("each language may give `name`, `out-of-date` and `ask-for-language`"),
                    };
                    continue;
                }
            };
            match words {
                Some(words) => *slot = Some(words),
                None => {
                    diags.error(
                        src.item_location("language-texts", &format!("{key}:")),
                        format!("`{key}` for `{tag}` must be text"),
                    );
                }
            }
        }
        out.insert(tag, own);
    }
    out
}

/// `other-languages:`: the languages the strap-line is printed in, each once, each with
/// wording (built in, or under `language-texts:`).
fn read_other_languages(
    src: &YamlSource<'_>,
    value: &Value,
    config: &SiteConfig,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let items: Vec<String> = match value {
        Value::Sequence(items) => items.iter().filter_map(scalar_text).map(|s| s.trim().to_string()).collect(),
        other => match scalar_text(other) {
            Some(one) => vec![one.trim().to_string()],
            None => {
                diags
                    .error(src.value_location("other-languages"), "`other-languages` must be a list of language tags")
                    .hint("for example: `other-languages: [pl, ur, gu, pa, ar]`");
                return Vec::new();
            }
        },
    };
    let mut out: Vec<String> = Vec::new();
    for tag in items {
        let location = src.item_location("other-languages", &tag);
        if !valid_language(&tag) {
            diags
                .error(location, format!("`{tag}` under `other-languages` is not a language tag"))
                .hint("use tags like `pl`, `ur`, `gu`, `pa` or `ar`");
            continue;
        }
        if out.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
            diags
                .error(location, format!("`{tag}` is listed twice under `other-languages`"))
                .hint("list each language once");
            continue;
        }
        if config.ask_for_language_text(&tag).is_none() {
            diags
                .error(location, format!("policypress has no wording in `{tag}` for \"If you need this information in another language\""))
                .hint(format!(
                    "give it under `language-texts:`, checked by a translator:\n      language-texts:\n        {tag}:\n          ask-for-language: <the sentence in that language>"
                ));
            continue;
        }
        out.push(tag);
    }
    out
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
        let text = "title: T\norganisation: O\nbase-url: https://x.nhs.uk/p\npublic-url: https://www.x.nhs.uk/leaflets\ntheme: default\nlanguage: cy-GB\nvariables:\n  switchboard: 0116 225 2525\ncontact:\n  name: PALS\n  phone: 0116\n  email: p@x\nlogo:\n  file: branding/logo.svg\n  alt: O\n";
        let mut diags = Diagnostics::new();
        let c = SiteConfig::parse(CONFIG_FILE, text, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(c.base_url.as_deref(), Some("https://x.nhs.uk/p/"));
        assert_eq!(c.language, "cy-GB");
        assert_eq!(c.variables["switchboard"], "0116 225 2525");
        assert_eq!(c.contact.name.as_deref(), Some("PALS"));
        assert_eq!(c.public_url.as_deref(), Some("https://www.x.nhs.uk/leaflets/"));
        assert_eq!(c.logo.as_ref().map(|l| (l.file.as_str(), l.alt.as_str())), Some(("branding/logo.svg", "O")));
        assert_eq!(c.logo.map(|l| l.location.line), Some(14));
    }

    #[test]
    fn a_logo_outside_the_project_or_not_a_picture_is_refused() {
        for file in ["../logo.svg", "/etc/logo.svg", "branding/logo.gif", "C:/logo.png"] {
            let mut diags = Diagnostics::new();
            let c = SiteConfig::parse(CONFIG_FILE, &format!("logo:\n  file: {file}\n  alt: X\n"), &mut diags);
            assert!(c.logo.is_none() && diags.has_errors(), "{file}");
        }
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
    pub rgb: crate::load::contrast::Rgb,
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
}

/// Body type sizes of the PDF documents, from the theme's `pdf:` settings. Headings and page
/// furniture scale with the body.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdfTypeSizes {
    /// Staff policy body, in points (STANDARDS: 11 to 12).
    pub staff_body: f32,
    /// Patient leaflet body (STANDARDS: 14 by default, never below 12).
    pub leaflet_body: f32,
    /// Large-print leaflet body (STANDARDS: at least 18).
    pub large_print_body: f32,
    /// Easy-read body (STANDARDS: 16 by default, never below 14).
    pub easy_read_body: f32,
}

impl Default for PdfTypeSizes {
    fn default() -> Self {
        PdfTypeSizes { staff_body: 11.5, leaflet_body: 14.0, large_print_body: 18.0, easy_read_body: 16.0 }
    }
}

/// The allowed range of each `pdf:` setting, from STANDARDS.md, and what it is for.
const PDF_SIZES: [(&str, f32, f32, &str); 4] = [
    ("staff-body", 11.0, 12.0, "the staff policy body"),
    ("leaflet-body", 12.0, 24.0, "the patient leaflet body"),
    ("large-print-body", 18.0, 32.0, "the large-print leaflet body"),
    ("easy-read-body", 14.0, 24.0, "the easy-read body"),
];

/// A theme's settings: its colours and the PDFs' type sizes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThemeSettings {
    /// Named colours, checked for contrast.
    pub colours: ThemeColours,
    /// Body sizes of the PDF documents.
    pub pdf: PdfTypeSizes,
}

impl ThemeSettings {
    /// Reads a theme file (`colours:` and `pdf:`). Colour names not in `known` are errors (a typo
    /// would otherwise silently leave the default in place); so are sizes outside STANDARDS.
    pub fn parse(
        file: &str,
        text: &str,
        known: &[&str],
        base: &ThemeSettings,
        diags: &mut Diagnostics,
    ) -> ThemeSettings {
        let src = YamlSource::new(file, text, 1);
        let mut out = base.clone();
        let Some(map) = src.parse_mapping("theme file", diags) else { return out };
        for key in map.keys().filter_map(Value::as_str).filter(|k| !["colours", "pdf"].contains(k)) {
            let d = diags.error(src.key_location(key), format!("unknown theme setting `{key}`"));
            match did_you_mean(key, ["colours", "pdf"]) {
                Some(near) => d.hint(format!("did you mean `{near}`?")),
                None => d.hint("the theme file has `colours:` and `pdf:`"),
            };
        }
        if let Some(colours) = map.get("colours").and_then(Value::as_mapping) {
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
                match crate::load::contrast::Rgb::parse(&written) {
                    Some(rgb) => {
                        out.colours.colours.insert(name.to_string(), ThemeColour { written, rgb, location });
                    }
                    None => {
                        diags
                            .error(location, format!("theme colour `{name}` is not a colour: `{written}`"))
                            .hint("write colours as \"#rrggbb\" in quotes, for example \"#005eb8\"");
                    }
                }
            }
        }
        if let Some(pdf) = map.get("pdf").and_then(Value::as_mapping) {
            for (name, value) in pdf {
                let Some(name) = name.as_str() else { continue };
                let location = src.item_location("pdf", &format!("{name}:"));
                let Some(&(_, low, high, what)) = PDF_SIZES.iter().find(|(k, ..)| *k == name) else {
                    let d = diags.error(location, format!("unknown PDF setting `{name}`"));
                    match did_you_mean(name, PDF_SIZES.iter().map(|(k, ..)| *k)) {
                        Some(near) => d.hint(format!("did you mean `{near}`?")),
                        None => d.hint("the PDF settings are `staff-body`, `leaflet-body`, `large-print-body` and `easy-read-body`"),
                    };
                    continue;
                };
                match value.as_f64().map(|v| v as f32) {
                    Some(size) if (low..=high).contains(&size) => {
                        let slot = match name {
                            "staff-body" => &mut out.pdf.staff_body,
                            "leaflet-body" => &mut out.pdf.leaflet_body,
                            "large-print-body" => &mut out.pdf.large_print_body,
                            _ => &mut out.pdf.easy_read_body,
                        };
                        *slot = size;
                    }
                    _ => {
                        diags
                            .error(
                                location,
                                format!("`{name}` must be a size in points from {low} to {high} for {what}"),
                            )
                            .hint("the limits come from the NHS and clear-print standards the outputs must meet");
                    }
                }
            }
        }
        out
    }
}

// ---- Icon descriptions (`icons/descriptions.yaml`): what each icon shows, in words. ----

/// The file of a theme that describes its icons.
pub const ICON_DESCRIPTIONS_FILE: &str = "icons/descriptions.yaml";

/// Reads an icon description file (`icon-name: what the picture shows`) over `base`: an icon it
/// describes gets the new words, every other icon keeps its description from `base`. An empty
/// description is an error (a picture needs words); one for an icon the theme lacks is a warning.
pub fn parse_icon_descriptions(
    file: &str,
    text: &str,
    icon_names: &std::collections::BTreeSet<String>,
    base: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let src = YamlSource::new(file, text, 1);
    let mut out = base.clone();
    let Some(map) = src.parse_mapping("icon description file", diags) else { return out };
    for (name, value) in &map {
        let Some(name) = name.as_str() else { continue };
        let location = src.key_location(name);
        let words = scalar_text(value).map(|w| w.trim().to_string()).unwrap_or_default();
        if words.is_empty() {
            diags
                .error(location, format!("the icon `{name}` has an empty description"))
                .hint("say in a few words what the picture shows, like `camera-off: A camera crossed out`");
            continue;
        }
        if !icon_names.contains(name) {
            let d = diags.warning(location, format!("`{name}` is described, but the theme has no icon `{name}`"));
            match did_you_mean(name, icon_names.iter().map(String::as_str)) {
                Some(near) => d.hint(format!("did you mean `{near}`?")),
                None => d.hint(format!(
                    "icons are the files `icons/<name>.svg`; add `icons/{name}.svg` or remove this line"
                )),
            };
        }
        out.insert(name.to_string(), words);
    }
    out
}

/// The theme's icon descriptions: the built-in file's, with the project theme's (if it has one)
/// laid over them; warns about each icon the theme adds without describing it.
pub fn icon_descriptions(
    theme: &crate::load::theme::Theme,
    theme_name: &str,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let builtin_file = format!("themes/default/{ICON_DESCRIPTIONS_FILE}");
    let own_file = format!("themes/{theme_name}/{ICON_DESCRIPTIONS_FILE}");
    let overridden = theme.builtin_version(ICON_DESCRIPTIONS_FILE).is_some();
    let builtin_text = theme.builtin_version(ICON_DESCRIPTIONS_FILE).or_else(|| theme.file(ICON_DESCRIPTIONS_FILE));
    let builtin_text = String::from_utf8_lossy(builtin_text.unwrap_or_default());
    // Built-in descriptions of icons the project removed or renamed are no concern of its.
    let mut quiet = Diagnostics::new();
    let builtin =
        parse_icon_descriptions(&builtin_file, &builtin_text, &theme.icon_names, &BTreeMap::new(), &mut quiet);
    let descriptions = if overridden {
        let text = theme.text(ICON_DESCRIPTIONS_FILE).unwrap_or_default();
        parse_icon_descriptions(&own_file, &text, &theme.icon_names, &builtin, diags)
    } else {
        builtin
    };
    for name in theme.icon_names.iter().filter(|n| !descriptions.contains_key(*n)) {
        diags
            .warning(
                Location::file_start(&format!("themes/{theme_name}/icons/{name}.svg")),
                format!(
                    "the icon `{name}` has no description, so screen readers only hear its name, \"{}\"",
                    name.replace('-', " ")
                ),
            )
            .hint(format!("add `{name}: <what the picture shows, in a few words>` to {own_file}"));
    }
    descriptions
}

#[cfg(test)]
mod icon_description_tests {
    use super::*;
    use crate::load::theme::Theme;

    #[test]
    fn every_built_in_icon_is_described_in_words() {
        let theme = Theme::builtin();
        let mut diags = Diagnostics::new();
        let descriptions = icon_descriptions(&theme, "default", &mut diags);
        assert!(diags.is_empty(), "{:?}", diags.sorted());
        assert_eq!(descriptions.keys().collect::<Vec<_>>(), theme.icon_names.iter().collect::<Vec<_>>());
        assert_eq!(descriptions["camera-off"], "A camera crossed out");
        for (name, words) in &descriptions {
            assert_ne!(words.to_lowercase(), name.replace('-', " "), "`{name}` is described by its file name");
        }
    }

    #[test]
    fn a_theme_describes_its_own_icons_over_the_built_in_descriptions() {
        let theme = Theme::with_overrides(BTreeMap::from([
            ("icons/wheelchair.svg".to_string(), b"<svg/>".to_vec()),
            (
                ICON_DESCRIPTIONS_FILE.to_string(),
                b"wheelchair: A person in a wheelchair\ncamera: A film camera\n".to_vec(),
            ),
        ]));
        let mut diags = Diagnostics::new();
        let descriptions = icon_descriptions(&theme, "house", &mut diags);
        assert!(diags.is_empty(), "{:?}", diags.sorted());
        assert_eq!(descriptions["wheelchair"], "A person in a wheelchair");
        assert_eq!(descriptions["camera"], "A film camera");
        assert_eq!(descriptions["camera-off"], "A camera crossed out", "the others keep the built-in words");
    }

    #[test]
    fn an_undescribed_theme_icon_is_a_warning_and_reads_as_its_name() {
        let mut theme = Theme::with_overrides(BTreeMap::from([("icons/hoist.svg".to_string(), b"<svg/>".to_vec())]));
        let mut diags = Diagnostics::new();
        theme.icon_descriptions = icon_descriptions(&theme, "house", &mut diags);
        assert_eq!(diags.warning_count(), 1);
        assert_eq!(diags.sorted()[0].location.file, "themes/house/icons/hoist.svg");
        assert_eq!(theme.icon_description("hoist"), "hoist");
        assert_eq!(theme.icon_description("phone"), "A telephone");
    }
}
