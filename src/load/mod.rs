//! The load stage: reads a project folder (settings, policies, pictures, theme overrides) into
//! memory. The first of the two stages that touch the disk; it interprets nothing beyond what
//! it must to find files.

pub mod config;
pub mod contrast;
pub mod discover;
pub mod history;
pub mod pictures;
pub mod theme;
pub mod yaml;

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Diagnostics, IoFailure, Location, display_path};
use crate::load::config::{CONFIG_FILE, SiteConfig, ThemeSettings};
use crate::load::theme::Theme;

/// One policy file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The file stem.
    pub id: String,
    /// Path relative to the project root, for messages (`content/hr/leave.md`).
    pub display: String,
    /// Folder relative to `content/` ("" at the top).
    pub content_dir: String,
    /// The file's text.
    pub text: String,
    /// Earlier approved versions from the git history, newest first (empty outside git).
    pub earlier: Vec<history::EarlierText>,
    /// For a translation (`<id>.<lang>.md`): its language tag; `None` for a policy.
    pub lang: Option<String>,
}

/// Everything the build needs from disk.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project folder.
    pub root: PathBuf,
    /// Site settings.
    pub config: SiteConfig,
    /// Whether `policypress.yaml` exists (else every setting is its default), so messages
    /// about settings point into the file only when there is one.
    pub has_settings_file: bool,
    /// The theme (built in, with the project's overrides).
    pub theme: Theme,
    /// The theme's settings (`theme.yaml`): colours and PDF type sizes.
    pub theme_settings: ThemeSettings,
    /// Policy files, in path order.
    pub sources: Vec<SourceFile>,
    /// Translation files (`content/<id>.<lang>.md`), in path order.
    pub translations: Vec<SourceFile>,
    /// Every file under `content/`, relative to it.
    pub content_files: BTreeSet<String>,
    /// The bytes of every PNG and JPEG under `content/`, by path relative to it.
    pub images: BTreeMap<String, Vec<u8>>,
    /// The same pictures, each decoded once (or why it cannot be).
    pub pictures: crate::load::pictures::Pictures,
    /// The Trust's logo (`logo:` in the settings), read from the project folder.
    pub logo: Option<LogoFile>,
}

/// The name under which [`Project::picture`] finds the logo: never a path under `content/`
/// (those never start with `:`).
pub const LOGO_PICTURE: &str = ":logo";

/// The logo file named by the settings.
#[derive(Debug, Clone)]
pub struct LogoFile {
    /// Path relative to the project folder, for messages.
    pub path: String,
    /// Alternative text.
    pub alt: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// True for SVG, false for PNG.
    pub svg: bool,
}

impl LogoFile {
    /// Where the web pages find the logo, from the site's root: an SVG is written afresh from its
    /// checked shapes, a PNG copied.
    pub fn asset_path(&self) -> &'static str {
        if self.svg { "assets/logo.svg" } else { "assets/logo.png" }
    }
}

impl Project {
    /// Frees the text of every policy and translation file (and of their earlier versions),
    /// keeping their names: for a build once the files are parsed, when nothing reads them
    /// again (at 2,000 policies the texts are about 90 MB).
    pub fn forget_texts(&mut self) {
        for source in self.sources.iter_mut().chain(&mut self.translations) {
            source.text = String::new();
            for earlier in &mut source.earlier {
                earlier.text = String::new();
            }
        }
    }

    /// The bytes of a picture a PDF draws: a path under `content/`, or [`LOGO_PICTURE`].
    pub fn picture(&self, key: &str) -> Option<&[u8]> {
        if key == LOGO_PICTURE {
            return self.logo.as_ref().filter(|l| !l.svg).map(|l| l.bytes.as_slice());
        }
        self.images.get(key).map(Vec::as_slice)
    }
}

/// Reads the project at `root`. Content problems (bad settings, unreadable text) go to `diags`;
/// failures to read the disk are returned.
pub fn load_project(root: &Path, diags: &mut Diagnostics) -> Result<Project, IoFailure> {
    if !root.is_dir() {
        return Err(IoFailure {
            path: root.to_path_buf(),
            message: format!("the project folder `{}` does not exist", root.display()),
        });
    }
    // Links at the top of the project are refused like those inside it: a linked settings
    // file, content or theme folder would bring files from outside the project into the output.
    let config_path = root.join(CONFIG_FILE);
    let has_settings_file = config_path.is_file();
    let config = if is_link(&config_path) {
        diags
            .error(
                Location::file_start(CONFIG_FILE),
                format!("`{CONFIG_FILE}` is a symbolic link, and links are not followed"),
            )
            .hint("replace the link with a copy of the file, so the build reads only files inside the project");
        SiteConfig::default()
    } else if has_settings_file {
        let text = read_text(&config_path)?;
        SiteConfig::parse(CONFIG_FILE, &text, diags)
    } else {
        SiteConfig::default()
    };

    let content = root.join("content");
    if is_link(&content) {
        return Err(IoFailure {
            path: content.clone(),
            message: format!(
                "`content` in `{}` is a symbolic link, and links are not followed: policypress reads only files inside the project; replace the link with the folder, or run policypress with `--root` at the project the link points into",
                root.display()
            ),
        });
    }
    if !content.is_dir() {
        return Err(IoFailure {
            path: content.clone(),
            message: format!(
                "there is no `content` folder in `{}`; policies go in `content/<id>.md` (run `policypress init` to start a project, or check `--root`)",
                root.display()
            ),
        });
    }
    let mut files = Vec::new();
    walk(&content, &content, "content", &mut files, diags)?;
    files.sort();

    let mut sources = Vec::new();
    let mut translations = Vec::new();
    let mut content_files = BTreeSet::new();
    let mut images = BTreeMap::new();
    // Read in parallel (a library's files take a while one after another); used in file order.
    let is_read = |lower: &str| [".md", ".png", ".jpg", ".jpeg"].iter().any(|e| lower.ends_with(e));
    let read: Vec<Option<std::io::Result<Vec<u8>>>> =
        files.par_iter().map(|rel| is_read(&rel.to_ascii_lowercase()).then(|| fs::read(content.join(rel)))).collect();
    for (rel, read) in files.into_iter().zip(read) {
        let path = content.join(&rel);
        let lower = rel.to_ascii_lowercase();
        let bytes = |read: Option<std::io::Result<Vec<u8>>>| match read {
            Some(result) => result.map_err(|e| IoFailure::new(&path, "cannot read", e)),
            None => fs::read(&path).map_err(|e| IoFailure::new(&path, "cannot read", e)),
        };
        if lower.ends_with(".md") {
            let display = format!("content/{rel}");
            let bytes = bytes(read)?;
            match String::from_utf8(bytes) {
                Ok(text) => {
                    let (dir, file) = rel.rsplit_once('/').unwrap_or(("", &rel));
                    let stem = &file[..file.len() - 3];
                    // `<id>.<lang>.md` is a translation of `<id>.md` into `<lang>` (a BCP 47 tag).
                    let (id, lang) = match stem.rsplit_once('.') {
                        Some((id, lang)) if crate::model::languages::valid_tag(lang) => (id, Some(lang.to_string())),
                        _ => (stem, None),
                    };
                    let file = SourceFile {
                        id: id.to_string(),
                        display,
                        content_dir: dir.to_string(),
                        // Copied only when it has a carriage return (most files have none).
                        text: if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text },
                        earlier: Vec::new(),
                        lang,
                    };
                    if file.lang.is_some() { translations.push(file) } else { sources.push(file) }
                }
                Err(_) => {
                    diags
                        .error(Location::file_start(&display), "the policy is not UTF-8 text")
                        .hint("save the file as UTF-8 (most editors offer this under \"Save as\" or \"Encoding\")");
                }
            }
        } else if lower.ends_with(".markdown") || lower.ends_with(".mdown") || lower.ends_with(".mkd") {
            let stem = &rel[..rel.rfind('.').unwrap_or(rel.len())];
            diags
                .warning(
                    Location::file_start(&format!("content/{rel}")),
                    "this file is not read: policies are `.md` files",
                )
                .hint(format!("rename it to `content/{stem}.md` if it is a policy"));
        } else if lower.ends_with(".png") || lower.ends_with(".jpg") || lower.ends_with(".jpeg") {
            images.insert(rel.clone(), bytes(read)?);
        }
        content_files.insert(rel);
    }

    history::read_earlier_versions(root, &mut sources, diags);

    let themes = root.join("themes");
    let theme_dir = themes.join(&config.theme);
    let mut overrides = BTreeMap::new();
    let linked = [&themes, &theme_dir].into_iter().find(|p| is_link(p));
    if let Some(link) = linked {
        let shown = display_path(root, link);
        diags
            .error(Location::file_start(&shown), format!("`{shown}` is a symbolic link, and links are not followed"))
            .hint("replace the link with a copy of the folder, so the build reads only files inside the project");
    } else if theme_dir.is_dir() {
        let mut theme_files = Vec::new();
        walk(&theme_dir, &theme_dir, &format!("themes/{}", config.theme), &mut theme_files, diags)?;
        for rel in theme_files {
            let path = theme_dir.join(&rel);
            overrides.insert(rel, fs::read(&path).map_err(|e| IoFailure::new(&path, "cannot read", e))?);
        }
    } else if config.theme != "default" {
        diags
            .error(
                Location::file_start(CONFIG_FILE),
                format!("the theme `{}` has no folder `themes/{}/`", config.theme, config.theme),
            )
            .hint("create the folder with the files you want to change, or use `theme: default`");
    }
    let mut theme = Theme::with_overrides(overrides);
    let theme_settings = crate::load::contrast::theme_settings(&theme, &config.theme, diags);
    theme.icon_descriptions = crate::load::config::icon_descriptions(&theme, &config.theme, diags);
    let logo = read_logo(root, &config, diags)?;

    let mut pictures = crate::load::pictures::decode_all(&images);
    // A PNG logo is drawn from pixels decoded here too, like every other picture.
    if let Some(logo) = logo.as_ref().filter(|l| !l.svg) {
        pictures.insert(LOGO_PICTURE.to_string(), crate::load::pictures::decode(&logo.bytes).map(Arc::new));
    }
    Ok(Project {
        root: root.to_path_buf(),
        config,
        has_settings_file,
        theme,
        theme_settings,
        sources,
        translations,
        content_files,
        images,
        pictures,
        logo,
    })
}

/// Reads the logo file the settings name, refusing symbolic links on the way to it, so only
/// files inside the project are read.
fn read_logo(root: &Path, config: &SiteConfig, diags: &mut Diagnostics) -> Result<Option<LogoFile>, IoFailure> {
    let Some(setting) = &config.logo else { return Ok(None) };
    let mut path = root.to_path_buf();
    for part in setting.file.split('/') {
        path.push(part);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                diags
                    .error(
                        setting.location.clone(),
                        format!("the logo `{}` is reached through a symbolic link", setting.file),
                    )
                    .hint("copy the logo into the project folder instead");
                return Ok(None);
            }
            Ok(_) => {}
            Err(_) => {
                diags
                    .error(setting.location.clone(), format!("there is no logo file `{}` in the project folder", setting.file))
                    .hint("put the logo (SVG or PNG) in the project folder and give its path from there, like `branding/logo.svg`");
                return Ok(None);
            }
        }
    }
    if !path.is_file() {
        diags
            .error(setting.location.clone(), format!("the logo `{}` is a folder, not a file", setting.file))
            .hint("give the path of the SVG or PNG file");
        return Ok(None);
    }
    let bytes = fs::read(&path).map_err(|e| IoFailure::new(&path, "cannot read", e))?;
    let svg = setting.file.to_ascii_lowercase().ends_with(".svg");
    Ok(Some(LogoFile { path: setting.file.clone(), alt: setting.alt.clone(), bytes, svg }))
}

/// A usable name like `name`: its stem as an id, its extension kept.
fn suggested_name(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{}.{ext}", crate::model::ids::suggest_id(stem)),
        _ => crate::model::ids::suggest_id(name),
    }
}

/// True when `path` is a symbolic link (whether or not it leads anywhere).
fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Reads a whole text file, with the path in any error.
pub fn read_text(path: &Path) -> Result<String, IoFailure> {
    fs::read_to_string(path).map_err(|e| IoFailure::new(path, "cannot read", e))
}

/// Lists files under `dir` (relative to `base`, `/`-separated), skipping hidden entries and
/// refusing symbolic links, so nothing outside the project is ever read. `shown` is how `base`
/// is named in messages (`content`, `themes/default`). Names the build cannot use (a backslash,
/// not UTF-8) are errors; links, pipes and devices are skipped with a warning.
fn walk(base: &Path, dir: &Path, shown: &str, out: &mut Vec<String>, diags: &mut Diagnostics) -> Result<(), IoFailure> {
    let entries = fs::read_dir(dir).map_err(|e| IoFailure::new(dir, "cannot list the folder", e))?;
    let mut entries: Vec<_> =
        entries.collect::<Result<_, _>>().map_err(|e| IoFailure::new(dir, "cannot list the folder", e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let file_name = entry.file_name();
        let name = file_name.to_string_lossy();
        if name.starts_with('.') || name.ends_with('~') || name.starts_with('#') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| IoFailure::new(&path, "cannot read", e))?;
        let rel_path = path.strip_prefix(base).unwrap_or(&path);
        let rel = rel_path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let location = Location::file_start(&format!("{shown}/{rel}"));
        if file_name.to_str().is_none() || name.contains('\\') {
            let what = if kind.is_dir() { "folder" } else { "file" };
            diags
                .error(
                    location,
                    format!(
                        "the {what} name `{name}` cannot be used: it has a backslash or a character that is not text"
                    ),
                )
                .hint(format!("rename the {what} with letters, digits and hyphens, like `{}`", suggested_name(&name)));
            continue;
        }
        if kind.is_symlink() {
            diags
                .warning(location, "symbolic links are skipped")
                .hint("copy the file into the project instead, so the build only reads files inside it");
        } else if kind.is_dir() {
            walk(base, &path, shown, out, diags)?;
        } else if kind.is_file() {
            out.push(rel);
        } else {
            diags
                .warning(location, "this is not a regular file (a pipe, socket or device), so it is skipped")
                .hint("keep only files and folders under the project's folders");
        }
    }
    Ok(())
}
