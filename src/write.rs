//! The write stage: puts a build's files on disk, only once the build has found no errors.
//!
//! The second of the two stages that touch the disk, and the only one that deletes. It deletes
//! only what a build wrote: an output folder is replaced only when it carries the build marker
//! (which lists every file the build wrote) or is truly empty; anything else is refused with the
//! reason. New files are written into a sibling staging folder first; nothing in the output
//! folder changes until the build is done without errors, so a failed build leaves the last good
//! output as it was. Then, when most files are new, the staging folder is exchanged with the old
//! one atomically where the system can (Linux `renameat2(RENAME_EXCHANGE)`), so there is no
//! moment without an output folder; when few are (a build after a small edit), the new files are
//! moved into the output folder one rename each and the files no longer made are deleted. A lock
//! file beside the folder stops two builds from interleaving; staging and retired folders left
//! by a killed build (they carry the marker) are removed by the next one.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::diag::IoFailure;
use crate::model::Artifact;
use crate::model::artifact::ArtifactSink;

/// The file every build leaves in its output folder, so a later build knows the folder is its own
/// to replace. It lists the files the build wrote, one per line after its first two lines.
pub const OUTPUT_MARKER: &str = ".policypress-output";

const MARKER_HEADER: &str = "Written by policypress build: this folder is replaced whole by each build.\n\
Files the build wrote (a later build refuses to replace the folder if it holds anything else):\n";

/// What the marker said before it listed the files (policypress 0.1 before this change).
const LEGACY_MARKER: &str = "Written by policypress build: this folder is replaced whole by each build.\n";

/// Why an output folder cannot be used, for the message `refusing to write to ...: <reason>`.
fn refuse(out_dir: &Path, why: impl std::fmt::Display) -> IoFailure {
    IoFailure { path: out_dir.to_path_buf(), message: format!("refusing to write to `{}`: {why}", out_dir.display()) }
}

/// Checks that a build may replace `out_dir`, and returns its real path (links followed, then
/// `..`, as the file system resolves them). Refused: a folder that holds or sits inside the
/// project's own files; anything that is not a folder; a folder that holds any file or folder no
/// build wrote. Allowed: a folder that does not exist yet, a truly empty folder (no entries at
/// all, hidden ones included), or one a build made (it carries the marker) holding only what that
/// build wrote and hidden files at its top, which are kept.
pub fn check_output_folder(root: &Path, out_dir: &Path) -> Result<PathBuf, IoFailure> {
    let out = check_output_place(root, out_dir)?;
    if fs::symlink_metadata(&out).is_err() {
        return Ok(out);
    }
    let foreign = foreign_entries(&out).map_err(|e| IoFailure::new(&out, "cannot read", e))?;
    if let Some(first) = foreign.first() {
        let mut names: Vec<String> = foreign.iter().take(3).map(|n| format!("`{n}`")).collect();
        if foreign.len() > 3 {
            names.push(format!("and {} more", foreign.len() - 3));
        }
        let why = if out.join(OUTPUT_MARKER).is_file() {
            format!(
                "it holds {} that no build wrote, and a build replaces the whole folder; move {} elsewhere first",
                names.join(", "),
                if foreign.len() == 1 { format!("`{first}`") } else { "them".to_string() }
            )
        } else {
            format!(
                "it already holds files or folders that policypress did not write ({}), and a build replaces the whole folder; choose an empty or new folder",
                names.join(", ")
            )
        };
        return Err(refuse(out_dir, why));
    }
    Ok(out)
}

/// The first part of [`check_output_folder`]: where the folder really is, and that it is a
/// folder (or nothing yet) outside the project's own files; what it holds is not looked at.
fn check_output_place(root: &Path, out_dir: &Path) -> Result<PathBuf, IoFailure> {
    let root = root.canonicalize().map_err(|e| IoFailure::new(root, "cannot read", e))?;
    let out = real_path(out_dir).map_err(|why| refuse(out_dir, why))?;
    if root.starts_with(&out) {
        return Err(refuse(out_dir, "it contains the project itself; choose a folder such as `output`"));
    }
    for own in ["content", "themes", crate::cache::CACHE_DIR] {
        if out.starts_with(root.join(own)) {
            return Err(refuse(
                out_dir,
                format!("it is inside the project's `{own}/` folder; choose a folder such as `output`"),
            ));
        }
    }
    let meta = match fs::symlink_metadata(&out) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(IoFailure::new(&out, "cannot read", e)),
    };
    if !meta.is_dir() {
        let what = if meta.is_file() { "it is a file" } else { "it is not a folder" };
        return Err(refuse(
            out_dir,
            format!("{what}, and a build writes a folder of pages there; choose a new folder such as `output`"),
        ));
    }
    Ok(out)
}

/// The real path of `path`: made absolute against the current folder, its existing part resolved
/// by the file system (symbolic links first, then `..`, exactly as opening it would), the rest
/// (which does not exist yet) resolved by its words. `Err` with a reason for a link that leads
/// nowhere.
fn real_path(path: &Path) -> Result<PathBuf, String> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_err(|e| format!("the current folder cannot be read: {e}"))?.join(path)
    };
    let parts: Vec<Component<'_>> = absolute.components().collect();
    // The longest leading part that exists, resolved by the system.
    let mut split = parts.len();
    let mut resolved = loop {
        let prefix: PathBuf = parts[..split].iter().collect();
        if let Ok(real) = prefix.canonicalize() {
            break real;
        }
        if fs::symlink_metadata(&prefix).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(format!("`{}` is a symbolic link that leads nowhere", prefix.display()));
        }
        if split == 0 {
            return Err("the folder cannot be found".to_string());
        }
        split -= 1;
    };
    for part in &parts[split..] {
        match part {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::CurDir => {}
            other => resolved.push(other),
        }
    }
    Ok(resolved)
}

/// Entries of an existing output folder that a build may not delete, as `/`-separated paths:
/// everything when it carries no marker; with a marker, whatever its list does not name, except
/// hidden files at the top (kept by every build) and folders that hold listed files. The marker of
/// earlier versions, which had no list, vouches for the whole folder.
fn foreign_entries(out: &Path) -> io::Result<Vec<String>> {
    let marker = out.join(OUTPUT_MARKER);
    let listed: Option<BTreeSet<String>> = match fs::symlink_metadata(&marker) {
        Ok(meta) if meta.is_file() => {
            let text = fs::read_to_string(&marker).unwrap_or_default();
            if text == LEGACY_MARKER {
                return Ok(Vec::new());
            }
            text.strip_prefix(MARKER_HEADER).map(|list| list.lines().map(str::to_string).collect())
        }
        _ => None,
    };
    let mut found = Vec::new();
    let Some(listed) = listed else {
        for entry in sorted_entries(out)? {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
        return Ok(found);
    };
    let folders: BTreeSet<&str> = listed.iter().flat_map(|p| p.match_indices('/').map(move |(i, _)| &p[..i])).collect();
    let mut stack = vec![String::new()];
    while let Some(dir) = stack.pop() {
        for entry in sorted_entries(&out.join(&dir))? {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if dir.is_empty() { name.clone() } else { format!("{dir}/{name}") };
            let kind = entry.file_type()?;
            if kind.is_dir() && folders.contains(rel.as_str()) {
                stack.push(rel);
            } else if kind.is_file() && (listed.contains(&rel) || dir.is_empty() && name.starts_with('.')) {
                continue;
            } else {
                found.push(rel);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn sorted_entries(dir: &Path) -> io::Result<Vec<fs::DirEntry>> {
    let mut entries = fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

/// Writes `artifacts` as the new content of `out_dir`, checked again with
/// [`check_output_folder`] under the lock. The previous folder is replaced only once every file
/// has been written; hidden files at its top (such as `.gitkeep`) are kept.
pub fn write_output(root: &Path, out_dir: &Path, artifacts: &[Artifact]) -> Result<(), IoFailure> {
    let staging = Staging::open(root, out_dir)?;
    for artifact in artifacts {
        staging.put(artifact.clone())?;
    }
    staging.commit()
}

/// A build's new output while it is being written: a sibling of the output folder, under the
/// lock, that files go into as they are made ([`ArtifactSink`]). A file the last build left
/// with exactly these bytes is not written again: it is noted as kept. [`Staging::commit`] then
/// either moves the few new files into the output folder in place (most of a build after a small
/// edit, where making and deleting thousands of links was most of its cost), or, when most
/// files are new, links the kept ones across and swaps the staging folder in. Dropped without
/// a commit (a build that found errors, or failed), the staging folder is removed and the last
/// good output stays as it was.
pub struct Staging {
    out: PathBuf,
    parent: PathBuf,
    name: String,
    dir: PathBuf,
    _lock: Lock,
    /// Every path written so far (the marker lists them; a second file at one path is a bug).
    written: Mutex<BTreeSet<String>>,
    /// Paths whose file in the output folder already holds the new bytes (so none is in staging).
    kept: Mutex<BTreeSet<String>>,
    /// Folders made so far, so each is made once.
    folders: Mutex<BTreeSet<PathBuf>>,
    committed: bool,
}

impl Staging {
    /// Checks `out_dir` (see [`check_output_folder`]), takes the lock beside it (held until the
    /// staging folder is committed or dropped), removes what killed builds left, and makes the
    /// staging folder.
    pub fn open(root: &Path, out_dir: &Path) -> Result<Staging, IoFailure> {
        let out = check_output_folder(root, out_dir)?;
        let (Some(name), Some(parent)) = (out.file_name(), out.parent()) else {
            return Err(refuse(out_dir, "it is the top of the file system; choose a folder such as `output`"));
        };
        let (name, parent) = (name.to_string_lossy().into_owned(), parent.to_path_buf());
        fs::create_dir_all(&parent).map_err(|e| IoFailure::new(&parent, "cannot create the folder", e))?;

        let (lock, waited) = lock(&parent, &name)?;
        // Checked again when another build held the lock: the folder may have changed while it
        // ran. (Not otherwise: a library's output has thousands of files to look at.)
        let out = if waited { check_output_folder(root, &out)? } else { out };
        remove_stale(&parent, &name);

        let dir = fresh_sibling(&parent, &format!("{name}.tmp-{}", std::process::id()));
        fs::create_dir(&dir).map_err(|e| IoFailure::new(&dir, "cannot create the folder", e))?;
        let staging = Staging {
            out,
            parent,
            name,
            dir,
            _lock: lock,
            written: Mutex::new(BTreeSet::new()),
            kept: Mutex::new(BTreeSet::new()),
            folders: Mutex::new(BTreeSet::new()),
            committed: false,
        };
        // The marker first, so a build killed while writing leaves a folder the next one may remove.
        write_marker(&staging.dir, &BTreeSet::new())?;
        Ok(staging)
    }

    /// Claims `relative` for this build: refuses a path that could leave the folder, or one
    /// already written.
    fn claim(&self, relative: &str) -> Result<(), IoFailure> {
        if safe_join(&self.dir, relative).is_none() {
            return Err(IoFailure {
                path: PathBuf::from(relative),
                message: format!("refusing to write `{relative}` outside the output folder"),
            });
        }
        if !self.written.lock().unwrap_or_else(|e| e.into_inner()).insert(relative.to_string()) {
            return Err(IoFailure {
                path: PathBuf::from(relative),
                message: format!("the build made two files at `{relative}`"),
            });
        }
        Ok(())
    }

    /// Where claimed `relative` goes in the staging folder, its folder made.
    fn staged_path(&self, relative: &str) -> Result<PathBuf, IoFailure> {
        let path = safe_join(&self.dir, relative).ok_or_else(|| IoFailure {
            path: PathBuf::from(relative),
            message: format!("refusing to write `{relative}` outside the output folder"),
        })?;
        if let Some(dir) = path.parent() {
            let mut folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
            if !folders.contains(dir) {
                fs::create_dir_all(dir).map_err(|e| IoFailure::new(dir, "cannot create the folder", e))?;
                folders.insert(dir.to_path_buf());
            }
        }
        Ok(path)
    }

    fn keep(&self, relative: &str) {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).insert(relative.to_string());
    }

    fn is_kept(&self, relative: &str) -> bool {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).contains(relative)
    }

    /// Puts the new output in place of the old: in place when few files are new (see
    /// [`Staging::patch_in_place`]), otherwise by swapping the staging folder in, with the kept
    /// files linked across and hidden files at the top of the old output carried over.
    pub fn commit(mut self) -> Result<(), IoFailure> {
        let written = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        let kept = std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()));
        self.committed = true;
        if let Some(plan) = self.patch_plan(&written, &kept) {
            let result = self.patch_in_place(&written, &kept, &plan);
            let _ = fs::remove_dir_all(&self.dir);
            return result;
        }
        let result = self.swap_in(&written, &kept);
        if result.is_err() {
            let _ = fs::remove_dir_all(&self.dir);
        }
        result
    }

    fn swap_in(&self, written: &BTreeSet<String>, kept: &BTreeSet<String>) -> Result<(), IoFailure> {
        for relative in kept {
            let (Some(old), Ok(target)) = (safe_join(&self.out, relative), self.staged_path(relative)) else {
                continue;
            };
            link_or_copy(&old, &target)?;
        }
        write_marker(&self.dir, written)?;
        // Hidden files at the top of the old output (`.gitkeep`, `.nojekyll`) are not the build's:
        // they are copied across, never lost. The old marker is not: the new one replaces it.
        if let Ok(entries) = fs::read_dir(&self.out) {
            for entry in entries.flatten() {
                let file_name = entry.file_name();
                let hidden = file_name.to_string_lossy().starts_with('.');
                let target = self.dir.join(&file_name);
                if hidden
                    && file_name != OUTPUT_MARKER
                    && entry.file_type().is_ok_and(|t| t.is_file())
                    && !target.exists()
                {
                    fs::copy(entry.path(), &target).map_err(|e| IoFailure::new(&target, "cannot write", e))?;
                }
            }
        }
        swap_into_place(&self.dir, &self.out, &self.parent, &self.name)
    }

    /// The files the last build wrote that this one did not, when the output can be updated in
    /// place: most files are kept, the old marker lists what the last build wrote, and each new
    /// file's place in the old output is free or a plain file (in folders, not files). `None`:
    /// swap the whole folder instead.
    fn patch_plan(&self, written: &BTreeSet<String>, kept: &BTreeSet<String>) -> Option<Vec<String>> {
        let new = written.len() - kept.len();
        if kept.is_empty() || new * 2 > written.len() {
            return None;
        }
        let text = fs::read_to_string(self.out.join(OUTPUT_MARKER)).ok()?;
        let listed: BTreeSet<&str> = text.strip_prefix(MARKER_HEADER)?.lines().collect();
        if !kept.iter().all(|k| listed.contains(k.as_str())) {
            return None;
        }
        for relative in written.difference(kept) {
            let mut at = self.out.clone();
            let parts: Vec<&str> = relative.split('/').collect();
            for (i, part) in parts.iter().enumerate() {
                at.push(part);
                match fs::symlink_metadata(&at) {
                    Err(_) => break,
                    Ok(meta) if i + 1 == parts.len() && meta.is_file() => {}
                    Ok(meta) if i + 1 < parts.len() && meta.is_dir() => {}
                    Ok(_) => return None,
                }
            }
        }
        Some(listed.into_iter().filter(|p| !written.contains(*p)).map(str::to_string).collect())
    }

    /// Updates the output folder in place: a marker vouching for the old files and the new first
    /// (so a build killed part-way leaves a folder the next one may still replace), then each new
    /// file moved in over the old one (one rename each, so a reader never sees half a file), the
    /// files no longer made deleted with the folders they leave empty, and the new marker.
    fn patch_in_place(
        &self,
        written: &BTreeSet<String>,
        kept: &BTreeSet<String>,
        gone: &[String],
    ) -> Result<(), IoFailure> {
        let mut both = written.clone();
        both.extend(gone.iter().cloned());
        replace_marker(&self.dir, &self.out, &both)?;
        for relative in written.difference(kept) {
            let (Some(from), Some(to)) = (safe_join(&self.dir, relative), safe_join(&self.out, relative)) else {
                continue;
            };
            if let Some(folder) = to.parent() {
                fs::create_dir_all(folder).map_err(|e| IoFailure::new(folder, "cannot create the folder", e))?;
            }
            fs::rename(&from, &to).map_err(|e| IoFailure::new(&to, "cannot move the new file into place at", e))?;
        }
        for relative in gone {
            let Some(path) = safe_join(&self.out, relative) else { continue };
            if fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
                let _ = fs::remove_file(&path);
            }
            // Folders it leaves empty go too (a folder with anything in it is never removed).
            let mut folder = path.parent();
            while let Some(dir) = folder.filter(|d| *d != self.out && d.starts_with(&self.out)) {
                if fs::remove_dir(dir).is_err() {
                    break;
                }
                folder = dir.parent();
            }
        }
        replace_marker(&self.dir, &self.out, written)
    }
}

/// Writes the marker listing `files` into `dir`.
fn write_marker(dir: &Path, files: &BTreeSet<String>) -> Result<(), IoFailure> {
    let mut marker = MARKER_HEADER.to_string();
    for path in files {
        marker.push_str(path);
        marker.push('\n');
    }
    let marker_path = dir.join(OUTPUT_MARKER);
    // A fresh file each time (never written through: the old one may be read-only or a link).
    let _ = fs::remove_file(&marker_path);
    fs::write(&marker_path, marker).map_err(|e| IoFailure::new(&marker_path, "cannot write", e))
}

/// Replaces the marker of the output folder `out` in one step: written in the staging folder
/// `dir` (a sibling, so on the same file system), then renamed over the old one.
fn replace_marker(dir: &Path, out: &Path, files: &BTreeSet<String>) -> Result<(), IoFailure> {
    write_marker(dir, files)?;
    let target = out.join(OUTPUT_MARKER);
    fs::rename(dir.join(OUTPUT_MARKER), &target).map_err(|e| IoFailure::new(&target, "cannot write", e))
}

/// Whether `a` and `b` are one file (the same file system object).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::symlink_metadata(a), fs::symlink_metadata(b)) {
            (Ok(a), Ok(b)) => a.is_file() && b.is_file() && a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl ArtifactSink for Staging {
    fn put(&self, artifact: Artifact) -> Result<(), IoFailure> {
        self.claim(&artifact.path)?;
        // A file the last build wrote with the same bytes is kept where it is: making a file
        // costs the file system far more than reading one.
        if self.same_as_before(&artifact.path, &artifact.bytes).is_some() {
            self.keep(&artifact.path);
            return Ok(());
        }
        let path = self.staged_path(&artifact.path)?;
        fs::write(&path, &artifact.bytes).map_err(|e| IoFailure::new(&path, "cannot write", e))
    }

    fn put_stored(&self, relative: &str, stored: &Path) -> Result<(), IoFailure> {
        self.claim(relative)?;
        // The old output's file is the cache's own copy (a link to it): nothing to do.
        if safe_join(&self.out, relative).is_some_and(|old| same_file(&old, stored)) {
            self.keep(relative);
            return Ok(());
        }
        let path = self.staged_path(relative)?;
        link_or_copy(stored, &path)
    }

    fn same_as_before(&self, relative: &str, bytes: &[u8]) -> Option<PathBuf> {
        let old = safe_join(&self.out, relative)?;
        let same = fs::symlink_metadata(&old).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
            && fs::read(&old).is_ok_and(|found| found == bytes);
        same.then_some(old)
    }

    fn put_copy(&self, relative: &str, of: &str) -> Result<(), IoFailure> {
        let bad = || IoFailure {
            path: PathBuf::from(of),
            message: format!("refusing to read `{of}` outside the output folder"),
        };
        // The file at `of` is in staging, or kept in the old output.
        let source = if self.is_kept(of) { safe_join(&self.out, of) } else { safe_join(&self.dir, of) };
        let source = source.ok_or_else(bad)?;
        self.claim(relative)?;
        if safe_join(&self.out, relative).is_some_and(|old| same_file(&old, &source)) {
            self.keep(relative);
            return Ok(());
        }
        let path = self.staged_path(relative)?;
        link_or_copy(&source, &path)
    }
}

/// A hard link to `source` at `target` (the build cache's copy of a file: no bytes are written
/// again), or a copy where links cannot be made (another file system).
fn link_or_copy(source: &Path, target: &Path) -> Result<(), IoFailure> {
    if fs::hard_link(source, target).is_ok() {
        return Ok(());
    }
    fs::copy(source, target).map(|_| ()).map_err(|e| IoFailure::new(target, "cannot write", e))
}

/// A build's files held in memory (the live preview, `check`, tests), by path.
#[derive(Default)]
pub struct MemoryOutput {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
    /// Only the paths are kept (for `check`, which writes nothing).
    discard: bool,
}

impl MemoryOutput {
    /// Keeps every file.
    pub fn new() -> MemoryOutput {
        MemoryOutput::default()
    }

    /// Keeps nothing but counts (for `check`).
    pub fn discarding() -> MemoryOutput {
        MemoryOutput { discard: true, ..MemoryOutput::default() }
    }

    /// The files, sorted by path.
    pub fn into_artifacts(self) -> Vec<Artifact> {
        let files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        files.into_iter().map(|(path, bytes)| Artifact { path, bytes }).collect()
    }

    fn insert(&self, path: &str, bytes: Vec<u8>) -> Result<(), IoFailure> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if files.insert(path.to_string(), if self.discard { Vec::new() } else { bytes }).is_some() {
            return Err(IoFailure {
                path: PathBuf::from(path),
                message: format!("the build made two files at `{path}`"),
            });
        }
        Ok(())
    }
}

impl ArtifactSink for MemoryOutput {
    fn put(&self, artifact: Artifact) -> Result<(), IoFailure> {
        self.insert(&artifact.path, artifact.bytes)
    }

    fn put_stored(&self, path: &str, stored: &Path) -> Result<(), IoFailure> {
        let bytes = if self.discard {
            Vec::new()
        } else {
            fs::read(stored).map_err(|e| IoFailure::new(stored, "cannot read", e))?
        };
        self.insert(path, bytes)
    }

    fn put_copy(&self, path: &str, of: &str) -> Result<(), IoFailure> {
        let bytes = self.files.lock().unwrap_or_else(|e| e.into_inner()).get(of).cloned().unwrap_or_default();
        self.insert(path, bytes)
    }
}

/// Holds the lock file beside the output folder while one build writes; released when dropped.
struct Lock(fs::File);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

fn lock(parent: &Path, name: &str) -> Result<(Lock, bool), IoFailure> {
    let path = parent.join(format!(".{name}.policypress-lock"));
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| IoFailure::new(&path, "cannot create the lock file", e))?;
    // `waited`: another build held it.
    let waited = match file.try_lock() {
        Ok(()) => false,
        Err(fs::TryLockError::WouldBlock) => {
            file.lock().map_err(|e| IoFailure::new(&path, "cannot lock", e))?;
            true
        }
        Err(fs::TryLockError::Error(e)) => return Err(IoFailure::new(&path, "cannot lock", e)),
    };
    Ok((Lock(file), waited))
}

/// Removes staging and retired folders of `name` that a killed build left behind. Only folders
/// that carry the marker are touched; the caller holds the lock, so none belongs to a running
/// build.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(name) else { continue };
        let ours = rest.starts_with(".tmp-") || rest.starts_with(".old-");
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if ours && is_dir && entry.path().join(OUTPUT_MARKER).is_file() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// A path `parent/<stem>` (or `<stem>-2`, ...) that does not exist.
fn fresh_sibling(parent: &Path, stem: &str) -> PathBuf {
    let mut candidate = parent.join(stem);
    let mut n = 2;
    while fs::symlink_metadata(&candidate).is_ok() {
        candidate = parent.join(format!("{stem}-{n}"));
        n += 1;
    }
    candidate
}

/// Puts the staging folder where the output folder is. With an atomic exchange the old output is
/// at the staging path afterwards and is removed; without one, the old folder is renamed aside
/// first (a short moment with no output folder) and put back if the second rename fails.
fn swap_into_place(staging: &Path, out: &Path, parent: &Path, name: &str) -> Result<(), IoFailure> {
    let moved = |e: io::Error| IoFailure::new(out, "cannot move the new output into place at", e);
    if fs::symlink_metadata(out).is_err() {
        return fs::rename(staging, out).map_err(|e| {
            let _ = fs::remove_dir_all(staging);
            moved(e)
        });
    }
    match exchange(staging, out) {
        Ok(true) => {
            let _ = fs::remove_dir_all(staging);
            return Ok(());
        }
        Ok(false) => {}
        Err(e) => {
            let _ = fs::remove_dir_all(staging);
            return Err(moved(e));
        }
    }
    let retired = fresh_sibling(parent, &format!("{name}.old-{}", std::process::id()));
    if let Err(e) = fs::rename(out, &retired) {
        let _ = fs::remove_dir_all(staging);
        return Err(IoFailure::new(out, "cannot replace the output folder", e));
    }
    if let Err(e) = fs::rename(staging, out) {
        // Put the old output back so the reader still has the last good build.
        let _ = fs::rename(&retired, out);
        let _ = fs::remove_dir_all(staging);
        return Err(moved(e));
    }
    let _ = fs::remove_dir_all(&retired);
    Ok(())
}

/// Swaps two folders in one step. `Ok(false)` when this system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if [rustix::io::Errno::INVAL, rustix::io::Errno::NOSYS, rustix::io::Errno::NOTSUP].contains(&e) => {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Joins a relative `/`-separated path to `base`, refusing anything that could leave it.
fn safe_join(base: &Path, relative: &str) -> Option<PathBuf> {
    let rel = Path::new(relative);
    let plain =
        !relative.is_empty() && !relative.contains('\\') && rel.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| base.join(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_join_refuses_paths_that_leave_the_folder() {
        let base = Path::new("/tmp/out");
        assert!(safe_join(base, "staff/a.html").is_some());
        for bad in ["../x", "/etc/passwd", "a/../../x", "", "a\\..\\..\\x"] {
            assert!(safe_join(base, bad).is_none(), "{bad}");
        }
    }

    fn project(dir: &Path) -> PathBuf {
        let root = dir.join("project");
        fs::create_dir_all(root.join("content")).unwrap();
        fs::write(root.join("content/a.md"), "x").unwrap();
        root
    }

    #[test]
    fn write_replaces_output_and_keeps_gitkeep() {
        let dir = tempfile::tempdir().unwrap();
        let root = project(dir.path());
        let out = dir.path().join("output");
        write_output(&root, &out, &[Artifact::new("stale.html", b"old".to_vec())]).unwrap();
        fs::write(out.join(".gitkeep"), "").unwrap();
        write_output(&root, &out, &[Artifact::new("staff/a.html", b"new".to_vec())]).unwrap();
        assert!(out.join(".gitkeep").exists());
        assert!(!out.join("stale.html").exists(), "what an earlier build wrote is replaced");
        assert_eq!(fs::read_to_string(out.join("staff/a.html")).unwrap(), "new");
        let mut leftovers: Vec<_> =
            fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name().into_string().unwrap()).collect();
        leftovers.sort();
        assert_eq!(leftovers, [".output.policypress-lock", "output", "project"], "no staging or old folder stays");
    }

    fn inode(path: &Path) -> u64 {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            fs::metadata(path).unwrap().ino()
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            0
        }
    }

    fn files_of(out: &Path) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![out.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                let rel = path.strip_prefix(out).unwrap().to_string_lossy().replace('\\', "/");
                if entry.file_type().unwrap().is_dir() {
                    found.push(format!("{rel}/"));
                    stack.push(path);
                } else {
                    found.push(rel);
                }
            }
        }
        found.sort();
        found
    }

    #[test]
    fn a_build_that_changes_few_files_updates_the_output_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let root = project(dir.path());
        let out = dir.path().join("output");
        let mut files: Vec<Artifact> =
            (0..8).map(|n| Artifact::new(&format!("staff/p{n}.html"), format!("page {n}").into_bytes())).collect();
        files.push(Artifact::new("old/gone/only.html", b"last build only".to_vec()));
        write_output(&root, &out, &files).unwrap();
        fs::write(out.join(".gitkeep"), "").unwrap();
        let unchanged = inode(&out.join("staff/p1.html"));
        let folder = inode(&out);

        // One page changed, one gone (with the folders it leaves empty), one new in a new folder.
        files.pop();
        files[0] = Artifact::new("staff/p0.html", b"page 0, edited".to_vec());
        files.push(Artifact::new("public/new/p9.html", b"new".to_vec()));
        write_output(&root, &out, &files).unwrap();

        assert_eq!(inode(&out.join("staff/p1.html")), unchanged, "an unchanged file is left where it was");
        // The same folder, updated: a server started inside it goes on serving the new files.
        assert_eq!(inode(&out), folder, "the output folder is not replaced");
        assert_eq!(fs::read_to_string(out.join("staff/p0.html")).unwrap(), "page 0, edited");
        assert_eq!(fs::read_to_string(out.join("public/new/p9.html")).unwrap(), "new");
        let mut expected: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        expected.extend([".gitkeep", OUTPUT_MARKER, "public/", "public/new/", "staff/"].map(String::from));
        expected.sort();
        assert_eq!(files_of(&out), expected, "exactly this build's files, the hidden file kept, no empty folder");
        let marker = fs::read_to_string(out.join(OUTPUT_MARKER)).unwrap();
        let mut listed: Vec<&str> = marker.strip_prefix(MARKER_HEADER).unwrap().lines().collect();
        listed.sort_unstable();
        let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        paths.sort_unstable();
        assert_eq!(listed, paths, "the marker lists what this build wrote");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 3, "no staging folder is left: {names:?}");
        assert!(check_output_folder(&root, &out).is_ok(), "the next build may replace it");
    }

    #[test]
    fn a_file_where_a_folder_was_swaps_the_whole_output() {
        let dir = tempfile::tempdir().unwrap();
        let root = project(dir.path());
        let out = dir.path().join("output");
        let mut files: Vec<Artifact> =
            (0..8).map(|n| Artifact::new(&format!("p{n}.html"), format!("page {n}").into_bytes())).collect();
        files.push(Artifact::new("x/inner.html", b"inner".to_vec()));
        write_output(&root, &out, &files).unwrap();
        files.pop();
        files.push(Artifact::new("x", b"now a file".to_vec()));
        let folder = inode(&out);
        write_output(&root, &out, &files).unwrap();
        assert_ne!(inode(&out), folder, "swapped whole, not patched");
        assert_eq!(fs::read_to_string(out.join("x")).unwrap(), "now a file");
        assert_eq!(fs::read_to_string(out.join("p3.html")).unwrap(), "page 3");
    }

    #[test]
    fn a_stored_file_already_in_the_output_is_kept_and_a_copy_of_it_too() {
        let dir = tempfile::tempdir().unwrap();
        let root = project(dir.path());
        let out = dir.path().join("output");
        let objects = dir.path().join("objects");
        fs::create_dir_all(&objects).unwrap();
        let build = |pages: &[(&str, &str)]| {
            let staging = Staging::open(&root, &out).unwrap();
            for (name, text) in pages {
                let object = objects.join(name);
                if !object.exists() {
                    fs::write(&object, text).unwrap();
                }
                staging.put_stored(&format!("staff/{name}"), &object).unwrap();
                staging.put_copy(&format!("public/{name}"), &format!("staff/{name}")).unwrap();
            }
            staging.commit().unwrap();
        };
        let pages: Vec<(String, String)> = (0..6).map(|n| (format!("p{n}.pdf"), format!("pdf {n}"))).collect();
        let mut pages: Vec<(&str, &str)> = pages.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        build(&pages);
        let before = inode(&out.join("public/p2.pdf"));
        assert_eq!(before, inode(&objects.join("p2.pdf")), "linked to the stored file, not copied");
        pages[0] = ("p0-new.pdf", "pdf 0, new");
        build(&pages);
        assert_eq!(inode(&out.join("public/p2.pdf")), before);
        assert_eq!(fs::read_to_string(out.join("public/p0-new.pdf")).unwrap(), "pdf 0, new");
        assert!(!out.join("staff/p0.pdf").exists() && !out.join("public/p0.pdf").exists());
        assert_eq!(fs::read_to_string(objects.join("p0.pdf")).unwrap(), "pdf 0", "the stored file is never moved");
    }

    #[test]
    fn output_folder_may_not_hold_or_sit_inside_the_project() {
        let dir = tempfile::tempdir().unwrap();
        let root = project(dir.path());
        assert!(check_output_folder(&root, &root).is_err(), "the project root");
        assert!(check_output_folder(&root, dir.path()).is_err(), "a folder holding the project");
        assert!(check_output_folder(&root, &root.join("content")).is_err());
        assert!(check_output_folder(&root, &root.join("content/site")).is_err());
        assert!(check_output_folder(&root, &root.join("themes/default/out")).is_err());
        assert!(check_output_folder(&root, &root.join("output")).is_ok(), "a new folder");
        assert!(check_output_folder(&root, &root.join("output/../output")).is_ok());
        assert!(check_output_folder(&root, &root.join("new/../output")).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_before_dot_dot_as_the_file_system_does() {
        let dir = tempfile::tempdir().unwrap();
        let root = project(dir.path());
        // `lnk/..` is the folder holding the link's target, not the folder holding `lnk`.
        fs::create_dir_all(root.join("content/deep")).unwrap();
        std::os::unix::fs::symlink(root.join("content/deep"), dir.path().join("lnk")).unwrap();
        let sneaky = dir.path().join("lnk/../../content");
        assert_eq!(real_path(&sneaky).unwrap(), root.join("content").canonicalize().unwrap());
        let err = check_output_folder(&root, &sneaky).unwrap_err();
        assert!(err.message.contains("inside the project's `content/` folder"), "{}", err.message);
        std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("dangling")).unwrap();
        let err = check_output_folder(&root, &dir.path().join("dangling/site")).unwrap_err();
        assert!(err.message.contains("leads nowhere"), "{}", err.message);
    }

    #[test]
    fn only_an_empty_folder_or_one_a_build_made_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let root = project(dir.path());
        let out = dir.path().join("documents");
        fs::create_dir_all(&out).unwrap();
        assert!(check_output_folder(&root, &out).is_ok(), "truly empty");
        fs::write(out.join(".gitkeep"), "").unwrap();
        let err = check_output_folder(&root, &out).unwrap_err();
        assert!(err.message.contains("`.gitkeep`"), "hidden files count: {}", err.message);
        fs::remove_file(out.join(".gitkeep")).unwrap();
        fs::write(out.join("thesis.docx"), "precious").unwrap();
        assert!(check_output_folder(&root, &out).is_err(), "someone's files");
        let file = dir.path().join("afile");
        fs::write(&file, "mine").unwrap();
        let err = write_output(&root, &file, &[Artifact::new("index.html", b"x".to_vec())]).unwrap_err();
        assert!(err.message.contains("it is a file"), "{}", err.message);
        assert_eq!(fs::read_to_string(&file).unwrap(), "mine", "the file is left where it was");

        let site = dir.path().join("site");
        write_output(&root, &site, &[Artifact::new("index.html", b"x".to_vec())]).unwrap();
        assert!(check_output_folder(&root, &site).is_ok(), "an earlier build's output");
        fs::write(site.join("notes.txt"), "mine").unwrap();
        let err = write_output(&root, &site, &[Artifact::new("index.html", b"y".to_vec())]).unwrap_err();
        assert!(err.message.contains("`notes.txt` that no build wrote"), "{}", err.message);
        assert_eq!(fs::read_to_string(site.join("notes.txt")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(site.join("index.html")).unwrap(), "x", "nothing was replaced");
    }

    #[test]
    fn stale_staging_and_old_folders_of_killed_builds_are_removed_but_no_others() {
        let dir = tempfile::tempdir().unwrap();
        let root = project(dir.path());
        let out = dir.path().join("output");
        for stale in ["output.tmp-99999", "output.old-12345"] {
            fs::create_dir_all(dir.path().join(stale).join("staff")).unwrap();
            fs::write(dir.path().join(stale).join(OUTPUT_MARKER), MARKER_HEADER).unwrap();
            fs::write(dir.path().join(stale).join("staff/a.html"), "big").unwrap();
        }
        fs::create_dir_all(dir.path().join("output.tmp-4")).unwrap();
        fs::write(dir.path().join("output.tmp-4/mine.txt"), "not a build's").unwrap();
        write_output(&root, &out, &[Artifact::new("index.html", b"x".to_vec())]).unwrap();
        assert!(!dir.path().join("output.tmp-99999").exists());
        assert!(!dir.path().join("output.old-12345").exists());
        assert!(dir.path().join("output.tmp-4/mine.txt").exists(), "unmarked folders are left alone");
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_marker_does_not_block_later_builds() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = project(dir.path());
        let out = dir.path().join("output");
        write_output(&root, &out, &[Artifact::new("index.html", b"1".to_vec())]).unwrap();
        fs::set_permissions(out.join(OUTPUT_MARKER), fs::Permissions::from_mode(0o444)).unwrap();
        write_output(&root, &out, &[Artifact::new("index.html", b"2".to_vec())]).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "2");
        let mode = fs::metadata(out.join(OUTPUT_MARKER)).unwrap().permissions().mode();
        assert_eq!(mode & 0o200, 0o200, "the new marker is a fresh, writable file");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_swap_is_one_exchange_so_there_is_always_an_output_folder() {
        // A build killed between two renames used to leave no output folder at all; the
        // exchange swaps the two folders in one step, so there is no such moment.
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("output"), dir.path().join("output.tmp-1"));
        fs::create_dir_all(&old).unwrap();
        fs::create_dir_all(&new).unwrap();
        fs::write(old.join("index.html"), "old").unwrap();
        fs::write(new.join("index.html"), "new").unwrap();
        assert!(exchange(&new, &old).unwrap(), "this file system exchanges folders");
        assert_eq!(fs::read_to_string(old.join("index.html")).unwrap(), "new");
        assert_eq!(fs::read_to_string(new.join("index.html")).unwrap(), "old");
    }

    #[test]
    fn two_builds_writing_at_once_never_interleave() {
        let dir = tempfile::tempdir().unwrap();
        let root = project(dir.path());
        let out = dir.path().join("output");
        let builds: Vec<_> = (0..2)
            .map(|who| {
                let (root, out) = (root.clone(), out.clone());
                std::thread::spawn(move || {
                    for n in 0..25 {
                        let text = format!("{who}-{n}");
                        let files = [
                            Artifact::new("a.html", text.clone().into_bytes()),
                            Artifact::new("b.html", text.into_bytes()),
                        ];
                        write_output(&root, &out, &files).expect("each build writes its whole output");
                    }
                })
            })
            .collect();
        for build in builds {
            build.join().unwrap();
        }
        assert_eq!(fs::read(out.join("a.html")).unwrap(), fs::read(out.join("b.html")).unwrap());
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 3, "no staging folder is left: {names:?}");
    }
}
