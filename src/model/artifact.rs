//! The in-memory output file: a path under `output/` and its bytes, as the audiences make
//! them and the write stage (or `serve`) takes them.
//!
//! Data, and the [`ArtifactSink`] the files are handed to.

/// One file of the build: its path under `output/` (with `/` separators) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Path relative to the output folder.
    pub path: String,
    /// File content.
    pub bytes: Vec<u8>,
}

impl Artifact {
    /// A file at `path` with `bytes`.
    pub fn new(path: &str, bytes: Vec<u8>) -> Self {
        Artifact { path: path.to_string(), bytes }
    }
}

/// Where a build's files go as soon as each is made, so no build holds all its output in
/// memory: the write stage's staging folder, or memory for the live preview and tests.
pub trait ArtifactSink: Sync {
    /// Takes one file.
    fn put(&self, artifact: Artifact) -> Result<(), crate::diag::IoFailure>;
    /// Takes one file whose bytes are on disk already at `stored` (in the build cache): linked
    /// or copied, never moved.
    fn put_stored(&self, path: &str, stored: &std::path::Path) -> Result<(), crate::diag::IoFailure>;
    /// Takes a second copy, at `path`, of the file this sink took at `of`.
    fn put_copy(&self, path: &str, of: &str) -> Result<(), crate::diag::IoFailure>;
    /// A file on disk that holds exactly `bytes` and was the last build's at `path` (the build
    /// cache links it rather than writing the bytes again: creating files is most of a build
    /// after one edit); `None` when there is none.
    fn same_as_before(&self, _path: &str, _bytes: &[u8]) -> Option<std::path::PathBuf> {
        None
    }
}
