//! The write stage: puts a build's files on disk, replacing the output folder in one swap.
//!
//! The second of the two stages that touch the disk. Writes into a fresh sibling folder first, so
//! a failed write leaves the last good output exactly as it was.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::diag::IoFailure;
use crate::model::Artifact;

/// The file every build leaves in its output folder, so a later build knows the folder is its own
/// to replace.
pub const OUTPUT_MARKER: &str = ".policypress-output";

/// Refuses an output folder that holds, or sits inside, the project's own files, or an existing
/// folder that no build made: replacing it would delete what is there.
pub fn check_output_folder(root: &Path, out_dir: &Path) -> Result<(), IoFailure> {
    let refuse = |why: &str| {
        Err(IoFailure {
            path: out_dir.to_path_buf(),
            message: format!("refusing to write to `{}`: {why}", out_dir.display()),
        })
    };
    let root = root.canonicalize().map_err(|e| IoFailure::new(root, "cannot read", e))?;
    let out = absolute_lexical(out_dir);
    if root.starts_with(&out) {
        return refuse("it contains the project itself; choose a folder such as `output`");
    }
    for own in ["content", "themes"] {
        if out.starts_with(root.join(own)) {
            return refuse(&format!("it is inside the project's `{own}/` folder; choose a folder such as `output`"));
        }
    }
    if let Ok(entries) = fs::read_dir(&out) {
        let mut names = entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned());
        // Outputs written before the marker existed have the library's pages.
        let ours = out.join(OUTPUT_MARKER).is_file()
            || (out.join("index.html").is_file() && out.join("staff/index.html").is_file());
        if !ours && names.any(|n| !n.starts_with('.')) {
            return refuse(
                "it already holds files that policypress did not write, and a build replaces the whole folder; choose an empty or new folder",
            );
        }
    }
    Ok(())
}

/// `path` made absolute against the current folder, with `.` and `..` resolved without touching
/// the disk (the folder may not exist yet), and symbolic links of its existing part followed.
fn absolute_lexical(path: &Path) -> PathBuf {
    let joined =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    // Follow links in the part that exists, so `out` compares with the canonical root.
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name().map(|n| n.to_os_string()), existing.parent().map(Path::to_path_buf)) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    resolved
}

/// Writes `artifacts` as the new content of `out_dir`. The previous folder is replaced only once
/// every file has been written; top-level dotfiles of it (such as `.gitkeep`) are kept.
pub fn write_output(out_dir: &Path, artifacts: &[Artifact]) -> Result<(), IoFailure> {
    let name = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".to_string());
    let parent = out_dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| IoFailure::new(parent, "cannot create the folder", e))?;
    let staging = parent.join(format!("{name}.tmp-{}", std::process::id()));
    let retired = parent.join(format!("{name}.old-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);

    if let Err(failure) = write_all(&staging, out_dir, artifacts) {
        let _ = fs::remove_dir_all(&staging);
        return Err(failure);
    }
    if out_dir.exists() {
        fs::rename(out_dir, &retired).map_err(|e| IoFailure::new(out_dir, "cannot replace the output folder", e))?;
    }
    if let Err(e) = fs::rename(&staging, out_dir) {
        // Put the old output back so the reader still has the last good build.
        let _ = fs::rename(&retired, out_dir);
        let _ = fs::remove_dir_all(&staging);
        return Err(IoFailure::new(out_dir, "cannot move the new output into place at", e));
    }
    let _ = fs::remove_dir_all(&retired);
    Ok(())
}

fn write_all(staging: &Path, out_dir: &Path, artifacts: &[Artifact]) -> Result<(), IoFailure> {
    fs::create_dir_all(staging).map_err(|e| IoFailure::new(staging, "cannot create the folder", e))?;
    if let Ok(entries) = fs::read_dir(out_dir) {
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            if file_name.to_string_lossy().starts_with('.') && entry.path().is_file() {
                let target = staging.join(&file_name);
                fs::copy(entry.path(), &target).map_err(|e| IoFailure::new(&target, "cannot write", e))?;
            }
        }
    }
    fs::write(
        staging.join(OUTPUT_MARKER),
        b"Written by policypress build: this folder is replaced whole by each build.\n",
    )
    .map_err(|e| IoFailure::new(staging, "cannot write", e))?;
    for artifact in artifacts {
        let path = safe_join(staging, &artifact.path).ok_or_else(|| IoFailure {
            path: PathBuf::from(&artifact.path),
            message: format!("refusing to write `{}` outside the output folder", artifact.path),
        })?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| IoFailure::new(dir, "cannot create the folder", e))?;
        }
        fs::write(&path, &artifact.bytes).map_err(|e| IoFailure::new(&path, "cannot write", e))?;
    }
    Ok(())
}

/// Joins a relative `/`-separated path to `base`, refusing anything that could leave it.
fn safe_join(base: &Path, relative: &str) -> Option<PathBuf> {
    let rel = Path::new(relative);
    let plain = !relative.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| base.join(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_join_refuses_paths_that_leave_the_folder() {
        let base = Path::new("/tmp/out");
        assert!(safe_join(base, "staff/a.html").is_some());
        for bad in ["../x", "/etc/passwd", "a/../../x", ""] {
            assert!(safe_join(base, bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn write_replaces_output_and_keeps_gitkeep() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join(".gitkeep"), "").unwrap();
        fs::write(out.join("stale.html"), "old").unwrap();
        write_output(&out, &[Artifact::new("staff/a.html", b"new".to_vec())]).unwrap();
        assert!(out.join(".gitkeep").exists());
        assert!(!out.join("stale.html").exists());
        assert_eq!(fs::read_to_string(out.join("staff/a.html")).unwrap(), "new");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }
}

#[cfg(test)]
mod folder_tests {
    use super::*;

    #[test]
    fn output_folder_may_not_hold_or_sit_inside_the_project() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        fs::create_dir_all(root.join("content")).unwrap();
        fs::write(root.join("content/a.md"), "x").unwrap();
        assert!(check_output_folder(&root, &root).is_err(), "the project root");
        assert!(check_output_folder(&root, dir.path()).is_err(), "a folder holding the project");
        assert!(check_output_folder(&root, &root.join("content")).is_err());
        assert!(check_output_folder(&root, &root.join("content/site")).is_err());
        assert!(check_output_folder(&root, &root.join("themes/default/out")).is_err());
        assert!(check_output_folder(&root, &root.join("output")).is_ok(), "a new folder");
        assert!(check_output_folder(&root, &root.join("output/../output")).is_ok());
    }

    #[test]
    fn an_existing_folder_is_replaced_only_if_a_build_made_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        fs::create_dir_all(root.join("content")).unwrap();
        let out = dir.path().join("documents");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join(".gitkeep"), "").unwrap();
        assert!(check_output_folder(&root, &out).is_ok(), "only dotfiles: empty enough");
        fs::write(out.join("thesis.docx"), "precious").unwrap();
        assert!(check_output_folder(&root, &out).is_err(), "someone's files");
        write_output(&dir.path().join("site"), &[Artifact::new("index.html", b"x".to_vec())]).unwrap();
        assert!(check_output_folder(&root, &dir.path().join("site")).is_ok(), "an earlier build's output");
    }
}
