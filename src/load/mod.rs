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
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    /// The file's text (shared: the live preview keeps the texts it read, and a file whose text
    /// is the very one of the last build is known to be the same without comparing it).
    pub text: Arc<str>,
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
            source.text = Arc::from("");
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
    load_project_reusing(root, diags, None)
}

/// [`load_project`], taking from `memo` (the live preview's) the text of every policy file
/// that has not changed since the last build read it (see [`ReadMemo`]), and keeping this
/// build's for the next.
pub fn load_project_reusing(
    root: &Path,
    diags: &mut Diagnostics,
    memo: Option<&ReadMemo>,
) -> Result<Project, IoFailure> {
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
    let last = memo.map(ReadMemo::take).unwrap_or_default();
    let read: Vec<Option<ReadText>> = files
        .par_iter()
        .map(|rel| {
            let lower = rel.to_ascii_lowercase();
            let path = content.join(rel);
            if !is_read(&lower) {
                return None;
            }
            if memo.is_none() || !lower.ends_with(".md") {
                return Some(ReadText::Fresh(fs::read(&path), None));
            }
            Some(read_unless_kept(&path, last.get(&path)))
        })
        .collect();
    let mut next = HashMap::new();
    for (rel, read) in files.into_iter().zip(read) {
        let path = content.join(&rel);
        let lower = rel.to_ascii_lowercase();
        let bytes = |read: Option<std::io::Result<Vec<u8>>>| match read {
            Some(result) => result.map_err(|e| IoFailure::new(&path, "cannot read", e)),
            None => fs::read(&path).map_err(|e| IoFailure::new(&path, "cannot read", e)),
        };
        if lower.ends_with(".md") {
            let display = format!("content/{rel}");
            let (text, stamp) = match read {
                Some(ReadText::Kept(stamp, text)) => (Ok(text), Some(stamp)),
                Some(ReadText::Fresh(result, stamp)) => (policy_text(bytes(Some(result))?), stamp),
                None => (policy_text(bytes(None)?), None),
            };
            match text {
                Ok(text) => {
                    if let Some(stamp) = stamp {
                        next.insert(path.clone(), (stamp, Arc::clone(&text)));
                    }
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
                        text,
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
            images.insert(rel.clone(), bytes(read.and_then(ReadText::into_bytes))?);
        }
        content_files.insert(rel);
    }

    if let Some(memo) = memo {
        memo.keep(&content, next);
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

/// A file as the file system describes it: its length, when it was last modified and changed
/// (to the nanosecond), and on Unix which file it is (inode and device, so a file replaced by
/// another is another). A file whose stamp is the same has not been written since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    changed: (i64, i64),
    #[cfg(unix)]
    file: (u64, u64),
}

impl FileStamp {
    fn of(meta: &fs::Metadata) -> FileStamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            changed: (meta.ctime(), meta.ctime_nsec()),
            #[cfg(unix)]
            file: (meta.dev(), meta.ino()),
        }
    }
}

/// What the live preview keeps of the policy files its last build read: each one's text and
/// stamp, so a save reads again only the file it changed, not the whole library (at 500
/// policies, 22 MB read and checked on every save). A file is read again when its stamp
/// differs, and whenever the watcher said it changed ([`ReadMemo::forget`]): a save within one
/// tick of the file system's clock that keeps the length leaves the stamp as it was.
#[derive(Default)]
pub struct ReadMemo {
    files: Mutex<KeptTexts>,
}

/// The texts a [`ReadMemo`] holds, by the file's path, the `content/` folder they are in, and
/// every file the last build read (a file forgotten since is still one of them).
#[derive(Default)]
struct KeptTexts {
    content: PathBuf,
    texts: HashMap<PathBuf, (FileStamp, Arc<str>)>,
    read: BTreeSet<PathBuf>,
}

impl ReadMemo {
    /// The watcher saw `paths` change: each is read again by the next build. A path under
    /// `content/` that is not a file the memo holds (a folder, an editor's temporary file)
    /// may stand for any file there, so then every file is read again.
    pub fn forget(&self, paths: &[PathBuf]) {
        let mut kept = self.files.lock().unwrap_or_else(|e| e.into_inner());
        for path in paths {
            if kept.read.contains(path) {
                kept.texts.remove(path);
            } else if path.starts_with(&kept.content) {
                kept.texts.clear();
                return;
            }
        }
    }

    fn take(&self) -> HashMap<PathBuf, (FileStamp, Arc<str>)> {
        std::mem::take(&mut self.files.lock().unwrap_or_else(|e| e.into_inner()).texts)
    }

    fn keep(&self, content: &Path, texts: HashMap<PathBuf, (FileStamp, Arc<str>)>) {
        let read = texts.keys().cloned().collect();
        *self.files.lock().unwrap_or_else(|e| e.into_inner()) =
            KeptTexts { content: content.to_path_buf(), texts, read };
    }
}

/// A policy file's text kept from the last build (the file is as it was then), or its bytes
/// as read now, with its stamp from before they were read.
enum ReadText {
    Kept(FileStamp, Arc<str>),
    Fresh(std::io::Result<Vec<u8>>, Option<FileStamp>),
}

impl ReadText {
    /// The bytes read, if they were (not for a kept text).
    fn into_bytes(self) -> Option<std::io::Result<Vec<u8>>> {
        match self {
            ReadText::Fresh(result, _) => Some(result),
            ReadText::Kept(..) => None,
        }
    }
}

/// A policy file's bytes as its text, line ends made `\n`: copied only when it has a carriage
/// return (most files have none). `Err` when they are not UTF-8.
fn policy_text(bytes: Vec<u8>) -> Result<Arc<str>, std::string::FromUtf8Error> {
    let text = String::from_utf8(bytes)?;
    Ok(Arc::from(if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text }))
}

/// The text of the policy file at `path`: `last` when the file's stamp is still that one,
/// otherwise read.
fn read_unless_kept(path: &Path, last: Option<&(FileStamp, Arc<str>)>) -> ReadText {
    if let Some((stamp, text)) = last
        && fs::metadata(path).is_ok_and(|meta| FileStamp::of(&meta) == *stamp)
    {
        return ReadText::Kept(*stamp, Arc::clone(text));
    }
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return ReadText::Fresh(Err(e), None),
    };
    // Stamped before reading: a write after it makes the next build's stamp differ.
    let meta = file.metadata();
    let stamp = meta.as_ref().ok().map(FileStamp::of);
    let mut bytes = Vec::with_capacity(meta.map_or(0, |m| m.len() as usize));
    ReadText::Fresh(file.read_to_end(&mut bytes).map(|_| bytes), stamp)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(project: &Project) -> Vec<(String, Arc<str>)> {
        project.sources.iter().map(|s| (s.id.clone(), Arc::clone(&s.text))).collect()
    }

    fn load(root: &Path, memo: &ReadMemo) -> Vec<(String, Arc<str>)> {
        let mut diags = Diagnostics::new();
        texts(&load_project_reusing(root, &mut diags, Some(memo)).unwrap())
    }

    #[test]
    fn a_kept_text_is_read_again_when_its_file_changes_or_the_watcher_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let content = root.join("content");
        fs::create_dir(&content).unwrap();
        fs::write(content.join("a.md"), "one").unwrap();
        fs::write(content.join("b.md"), "two").unwrap();
        let memo = ReadMemo::default();
        let first = load(root, &memo);
        assert_eq!(first.iter().map(|(_, t)| &**t).collect::<Vec<_>>(), ["one", "two"]);

        // Nothing changed: both texts are the very ones of the last build.
        let second = load(root, &memo);
        assert!(first.iter().zip(&second).all(|(x, y)| Arc::ptr_eq(&x.1, &y.1)));

        // A save (its length changed, so its stamp did): that file is read again, alone.
        fs::write(content.join("a.md"), "three").unwrap();
        let third = load(root, &memo);
        assert_eq!(&*third[0].1, "three");
        assert!(Arc::ptr_eq(&second[1].1, &third[1].1));

        // A file the watcher names is read again whatever its stamp says (a save within one
        // tick of the file system's clock that keeps the length leaves the stamp alone).
        memo.forget(&[content.join("b.md")]);
        let fourth = load(root, &memo);
        assert!(Arc::ptr_eq(&third[0].1, &fourth[0].1));
        assert!(!Arc::ptr_eq(&third[1].1, &fourth[1].1));

        // A change outside `content/` reads nothing again; a path under it that is not a file
        // the build read (a new folder, an editor's temporary file) reads everything again.
        memo.forget(&[root.join("policypress.yaml")]);
        let fifth = load(root, &memo);
        assert!(fourth.iter().zip(&fifth).all(|(x, y)| Arc::ptr_eq(&x.1, &y.1)));
        memo.forget(&[content.join(".a.md.swp")]);
        let sixth = load(root, &memo);
        assert!(fifth.iter().zip(&sixth).all(|(x, y)| !Arc::ptr_eq(&x.1, &y.1)));
        assert_eq!(sixth.iter().map(|(_, t)| &**t).collect::<Vec<_>>(), ["three", "two"]);

        // A file deleted and another made: the build sees the folder as it is.
        fs::remove_file(content.join("a.md")).unwrap();
        fs::write(content.join("c.md"), "four").unwrap();
        let seventh = load(root, &memo);
        assert_eq!(
            seventh.iter().map(|(id, t)| (id.as_str(), &**t)).collect::<Vec<_>>(),
            [("b", "two"), ("c", "four")]
        );
    }
}
