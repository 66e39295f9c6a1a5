//! The in-memory output file: a path under `output/` and its bytes, as the audiences make
//! them and the write stage (or `serve`) takes them.
//!
//! Data only.

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
