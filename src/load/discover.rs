//! Finds the project a command works on when `--root` is not given: the nearest folder, from
//! the current one upwards, that holds `policypress.yaml`, or the folder whose `content/` the
//! command was started in (or from, when it is the current folder).
//!
//! Only looks at names on the disk; reads no file. Never takes a folder above the current one
//! just because it has a `content/` folder somewhere below it: many other tools use that name,
//! and the build writes `<root>/output`.

use std::path::{Path, PathBuf};

use crate::load::config::CONFIG_FILE;

/// The project folder for a command started in `start` (an absolute path): `start` itself, or
/// an ancestor that holds `policypress.yaml`, or the folder whose `content/` holds `start`.
/// `None` when there is none.
pub fn find_project(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| is_project_for(dir, start)).map(Path::to_path_buf)
}

fn is_project_for(dir: &Path, start: &Path) -> bool {
    if dir.join(CONFIG_FILE).is_file() {
        return true;
    }
    let content = dir.join("content");
    content.is_dir() && (dir == start || start.starts_with(&content))
}

/// True when `dir` itself is a project folder (it has `policypress.yaml` or `content/`).
pub fn holds_project(dir: &Path) -> bool {
    dir.join(CONFIG_FILE).exists() || dir.join("content").exists()
}

/// How to write `root` relative to `start` when `start` is inside it: `../` once per level.
pub fn prefix_to(root: &Path, start: &Path) -> Option<String> {
    let depth = start.strip_prefix(root).ok()?.components().count();
    Some("../".repeat(depth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_is_found_from_any_folder_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("library");
        std::fs::create_dir_all(root.join("content/hr")).unwrap();
        std::fs::create_dir_all(root.join("themes/mine")).unwrap();
        std::fs::write(root.join(CONFIG_FILE), "").unwrap();
        assert_eq!(find_project(&root), Some(root.clone()));
        assert_eq!(find_project(&root.join("content/hr")), Some(root.clone()));
        assert_eq!(find_project(&root.join("themes/mine")), Some(root.clone()));
        assert_eq!(prefix_to(&root, &root.join("content/hr")).as_deref(), Some("../../"));
    }

    #[test]
    fn a_content_folder_alone_marks_a_project_only_from_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().canonicalize().unwrap().join("site");
        std::fs::create_dir_all(site.join("content/posts")).unwrap();
        std::fs::create_dir_all(site.join("static/css")).unwrap();
        assert_eq!(find_project(&site), Some(site.clone()));
        assert_eq!(find_project(&site.join("content/posts")), Some(site.clone()));
        // A folder beside `content/` is not inside the project: the build would write
        // `site/output` for a folder that may well be another tool's.
        assert_eq!(find_project(&site.join("static/css")).filter(|p| p.starts_with(&site)), None);
    }
}
