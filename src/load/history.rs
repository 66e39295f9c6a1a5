//! Earlier approved versions of each policy, read from the git repository the project is in
//! (with gix, pure Rust), so the staff site can publish the text that was in force before.
//!
//! Reads only: the commits of the current branch, first parents only, newest first, and only
//! the files of policies that exist now. Bounded: at most [`MAX_COMMITS`] commits and
//! [`MAX_EARLIER`] earlier versions per policy. Interprets no more of an old file than its
//! `version:` and `status:`, to pick the last text of each approved version; parsing is the parse
//! stage's. Outside a git repository, or in one without commits, there is no history. Never
//! reads the clock or commit dates: the same commit always gives the same versions.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::diag::{Diagnostics, Location};
use crate::load::SourceFile;
use crate::load::yaml::{YamlSource, scalar_text};

/// How many commits back the history is read.
pub const MAX_COMMITS: usize = 20_000;
/// How many earlier versions of one policy are kept.
pub const MAX_EARLIER: usize = 20;

/// The last committed text of one earlier approved version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierText {
    /// Its `version:`.
    pub version: String,
    /// The whole file as committed.
    pub text: String,
}

/// Fills `earlier` of every source from the repository that holds `root`, if there is one.
/// A history that cannot be read is a warning; the build goes on without it.
pub fn read_earlier_versions(root: &Path, sources: &mut [SourceFile], diags: &mut Diagnostics) {
    let Ok(repo) = gix::discover(root) else { return };
    let Some(workdir) = repo.workdir() else { return };
    let (Ok(workdir), Ok(root)) = (workdir.canonicalize(), root.canonicalize()) else { return };
    let Ok(prefix) = root.strip_prefix(&workdir) else { return };
    let mut prefix = prefix.to_string_lossy().replace('\\', "/");
    if !prefix.is_empty() {
        prefix.push('/');
    }
    let Ok(head) = repo.head_commit() else { return };
    if let Err(message) = walk(&repo, head.id, &prefix, sources) {
        diags
            .warning(
                Location::file_start(".git"),
                format!("the git history could not be read completely ({message}), so some earlier versions may not be published"),
            )
            .hint("check the repository with `git fsck`");
    }
}

/// The `version:` and `status:` of a policy text, if its front matter says.
fn version_and_status(text: &str) -> Option<(String, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n"))?;
    let end = rest.lines().position(|l| l.trim_end() == "---")?;
    let yaml: String = rest.lines().take(end).collect::<Vec<_>>().join("\n");
    let src = YamlSource::new("", &yaml, 2);
    let map = src.parse_mapping("front matter", &mut Diagnostics::new())?;
    let field = |k: &str| map.get(k).and_then(scalar_text).map(|s| s.trim().to_string());
    Some((field("version")?, field("status")?))
}

fn walk(repo: &gix::Repository, head: gix::ObjectId, prefix: &str, sources: &mut [SourceFile]) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let shallow = repo.is_shallow().unwrap_or(false);
    let by_path: HashMap<String, usize> =
        sources.iter().enumerate().map(|(i, s)| (format!("{prefix}{}", s.display), i)).collect();
    let current: Vec<Option<String>> =
        sources.iter().map(|s| version_and_status(&s.text).map(|(version, _)| version)).collect();
    let mut last_blob: Vec<Option<gix::ObjectId>> = vec![None; sources.len()];
    let mut done = vec![false; sources.len()];
    let content_dir = format!("{prefix}content");
    let mut last_content: Option<gix::ObjectId> = None;
    let mut commit_id = head;
    for _ in 0..MAX_COMMITS {
        let commit = repo.find_commit(commit_id).map_err(|e| err(&e))?;
        let tree = commit.tree().map_err(|e| err(&e))?;
        let content = tree.lookup_entry_by_path(&content_dir).map_err(|e| err(&e))?;
        let content = content.filter(|e| e.mode().is_tree()).map(|e| e.object_id());
        if content != last_content {
            last_content = content;
            let blobs = match content {
                Some(id) => list_blobs(repo, id, &format!("{content_dir}/"))?,
                None => BTreeMap::new(),
            };
            for (path, &i) in &by_path {
                if done[i] {
                    continue;
                }
                let blob = blobs.get(path).copied();
                if blob == last_blob[i] {
                    continue;
                }
                last_blob[i] = blob;
                let Some(blob) = blob else { continue };
                let data = repo.find_blob(blob).map_err(|e| err(&e))?.data.clone();
                let Ok(text) = String::from_utf8(data) else { continue };
                let Some((version, status)) = version_and_status(&text) else { continue };
                let text = text.replace("\r\n", "\n").replace('\r', "\n");
                let source = &mut sources[i];
                let known = current[i].as_deref() == Some(version.as_str())
                    || source.earlier.iter().any(|e| e.version == version);
                if status == "approved" && !known {
                    source.earlier.push(EarlierText { version, text });
                    done[i] = source.earlier.len() >= MAX_EARLIER;
                }
            }
        }
        let Some(parent) = commit.parent_ids().next() else { return Ok(()) };
        let parent = parent.detach();
        if shallow && repo.find_commit(parent).is_err() {
            return Ok(());
        }
        commit_id = parent;
    }
    Ok(())
}

/// Every blob under the tree `id`, by repository path.
fn list_blobs(
    repo: &gix::Repository,
    id: gix::ObjectId,
    prefix: &str,
) -> Result<BTreeMap<String, gix::ObjectId>, String> {
    let tree = repo.find_tree(id).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    let mut subtrees = Vec::new();
    for entry in tree.iter() {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.inner.filename.to_string();
        let path = format!("{prefix}{name}");
        if entry.inner.mode.is_tree() {
            subtrees.push((entry.inner.oid.to_owned(), format!("{path}/")));
        } else if entry.inner.mode.is_blob() {
            out.insert(path, entry.inner.oid.to_owned());
        }
    }
    for (sub, path) in subtrees {
        out.extend(list_blobs(repo, sub, &path)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_status_come_from_the_front_matter() {
        let text = "---\ntitle: T\nversion: \"2.0\"\nstatus: approved\n---\nBody with version: 9\n";
        assert_eq!(version_and_status(text), Some(("2.0".to_string(), "approved".to_string())));
        assert_eq!(version_and_status("no front matter"), None);
    }
}
