//! The theme: templates, stylesheets, scripts, icons and fonts, built into the binary and
//! overridable file by file from `<root>/themes/<name>/`.
//!
//! Pure: the load stage reads the override files; this module only merges and looks things up.

use std::collections::{BTreeMap, BTreeSet};

use include_dir::{Dir, include_dir};

/// The default theme, embedded from `themes/default/` at compile time.
static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The files of a theme, by path relative to the theme folder (with `/` separators).
#[derive(Debug, Clone)]
pub struct Theme {
    files: BTreeMap<String, Vec<u8>>,
    /// The original built-in files that the project replaced, by path.
    replaced: BTreeMap<String, Vec<u8>>,
    /// Names of the icons in `icons/*.svg`.
    pub icon_names: BTreeSet<String>,
    /// What each icon shows, in words, by name (`icons/descriptions.yaml`, read by the load
    /// stage): the picture's alternative text.
    pub icon_descriptions: BTreeMap<String, String>,
    /// The paths the project's theme folder provides (replaced or added).
    from_project: BTreeSet<String>,
    /// The built-in pictures from OpenMoji (`icons/openmoji.txt`), whose licence asks for a
    /// credit wherever they are shown.
    openmoji: BTreeSet<String>,
}

/// The credit line OpenMoji's licence (CC BY-SA 4.0) asks for on every output showing its
/// pictures.
pub const OPENMOJI_CREDIT: &str = "Pictures: OpenMoji (openmoji.org), CC BY-SA 4.0";

impl Theme {
    /// The built-in theme with `overrides` laid over it (same path = replaced, new path = added).
    pub fn with_overrides(overrides: BTreeMap<String, Vec<u8>>) -> Theme {
        let mut files = BTreeMap::new();
        collect(&DEFAULT_THEME, &mut files);
        let replaced = overrides.keys().filter_map(|p| Some((p.clone(), files.get(p)?.clone()))).collect();
        let from_project = overrides.keys().cloned().collect();
        files.extend(overrides);
        let icon_names = files
            .keys()
            .filter_map(|p| p.strip_prefix("icons/")?.strip_suffix(".svg"))
            .filter(|name| crate::model::ids::valid_id(name))
            .map(str::to_string)
            .collect();
        let openmoji = DEFAULT_THEME
            .get_file("icons/openmoji.txt")
            .map(|f| {
                String::from_utf8_lossy(f.contents())
                    .lines()
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Theme { files, replaced, icon_names, from_project, icon_descriptions: BTreeMap::new(), openmoji }
    }

    /// Feeds into `state` what this theme has that the program does not: the project's own
    /// files (paths and bytes) and the icon descriptions. With the program's identity (the
    /// built-in files are part of it), that is everything a build can read of the theme, so a
    /// build cache key made from it changes whenever the theme does.
    pub fn hash_own_files<H: std::hash::Hasher>(&self, state: &mut H) {
        use std::hash::Hash;
        for path in &self.from_project {
            path.hash(state);
            self.files.get(path).hash(state);
        }
        self.icon_descriptions.hash(state);
    }

    /// The built-in version of a file the project replaced, if it did.
    pub fn builtin_version(&self, path: &str) -> Option<&[u8]> {
        self.replaced.get(path).map(Vec::as_slice)
    }

    /// Whether the project's theme folder provides `path` (rather than the built-in theme).
    pub fn is_from_project(&self, path: &str) -> bool {
        self.from_project.contains(path)
    }

    /// A file of the built-in theme as built into the program (so it lives as long as the
    /// program does), whatever a project replaces.
    pub fn builtin_file(path: &str) -> Option<&'static [u8]> {
        DEFAULT_THEME.get_file(path).map(|f| f.contents())
    }

    /// The built-in theme alone.
    pub fn builtin() -> Theme {
        Theme::with_overrides(BTreeMap::new())
    }

    /// A theme file's bytes.
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// A theme file as text (lossy for non-UTF-8).
    pub fn text(&self, path: &str) -> Option<String> {
        self.file(path).map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// Every file under `prefix`, in path order.
    pub fn files_under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
        self.files.iter().filter(move |(p, _)| p.starts_with(prefix)).map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    /// What an icon shows, in words, for screen readers: its description, or else its name in
    /// words (`camera-off` reads "camera off").
    pub fn icon_description(&self, name: &str) -> String {
        self.icon_descriptions.get(name).cloned().unwrap_or_else(|| name.replace('-', " "))
    }

    /// The credit an icon's licence asks for where it is shown: OpenMoji's, for the built-in
    /// pictures of people and actions (not when the project's theme drew its own picture in
    /// its place; a copy of the built-in file is still OpenMoji's).
    pub fn icon_credit(&self, name: &str) -> Option<&'static str> {
        let path = format!("icons/{name}.svg");
        let own_drawing = self.builtin_version(&path).is_some_and(|built_in| Some(built_in) != self.file(&path));
        (self.openmoji.contains(name) && !own_drawing).then_some(OPENMOJI_CREDIT)
    }

    /// The credit line for a set of pictures shown together, if any of them needs one.
    pub fn credit_for<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Option<&'static str> {
        names.into_iter().find_map(|name| self.icon_credit(name))
    }

    /// The SVG source of an icon.
    pub fn icon_svg(&self, name: &str) -> Option<String> {
        self.text(&format!("icons/{name}.svg"))
    }
}

fn collect(dir: &Dir<'_>, out: &mut BTreeMap<String, Vec<u8>>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        out.insert(path, file.contents().to_vec());
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spec section 7: the built-in icon set has at least these names.
    pub const SPEC_ICON_NAMES: [&str; 46] = [
        "phone",
        "phone-off",
        "camera",
        "camera-off",
        "video",
        "video-off",
        "microphone",
        "microphone-off",
        "message",
        "email",
        "internet",
        "wifi",
        "charger",
        "computer",
        "share",
        "photo",
        "privacy",
        "lock",
        "key",
        "shield",
        "people",
        "person",
        "family",
        "nurse",
        "doctor",
        "hospital",
        "bed",
        "clock",
        "calendar",
        "police",
        "law",
        "warning",
        "stop",
        "tick",
        "cross",
        "question",
        "help",
        "info",
        "speak",
        "listen",
        "heart",
        "home",
        "leaflet",
        "complaint",
        "thumbs-up",
        "thumbs-down",
    ];

    #[test]
    fn builtin_icon_set_has_every_spec_section_7_name() {
        let theme = Theme::builtin();
        for name in SPEC_ICON_NAMES {
            assert!(theme.icon_names.contains(name), "missing icon `{name}`");
        }
    }

    #[test]
    fn openmoji_pictures_carry_their_credit_unless_the_project_replaces_them() {
        let theme = Theme::builtin();
        assert_eq!(theme.icon_credit("woman-nurse"), Some(OPENMOJI_CREDIT));
        assert_eq!(theme.icon_credit("nurse"), None, "Tabler's icons need no credit on the page");
        assert!(theme.icon_names.contains("person-in-bed"));
        let own = Theme::with_overrides(BTreeMap::from([("icons/woman-nurse.svg".to_string(), b"<svg/>".to_vec())]));
        assert_eq!(own.icon_credit("woman-nurse"), None, "the project's own picture");
        assert_eq!(own.credit_for(["nurse", "person-in-bed"]), Some(OPENMOJI_CREDIT));
    }

    #[test]
    fn override_replaces_a_file_and_adds_an_icon() {
        let theme = Theme::with_overrides(BTreeMap::from([
            ("static/style.css".to_string(), b"body{}".to_vec()),
            ("icons/wheelchair.svg".to_string(), b"<svg/>".to_vec()),
        ]));
        assert_eq!(theme.file("static/style.css"), Some(&b"body{}"[..]));
        assert!(theme.icon_names.contains("wheelchair"));
    }
}
