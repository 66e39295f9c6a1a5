//! The build cache: what each render unit made (its files and its findings), kept between builds
//! in `<project>/.policypress-cache/` under a key that hashes everything the unit was made from,
//! so a build after one edit renders only the units whose inputs changed.
//!
//! Keys come from [`KeyHasher`] (SipHash-1-3, 128 bits, fixed keys: the same inputs give the same
//! key on every run and machine) over the program's own identity ([`program_id`]: a hash of its
//! executable, so a cache made by another build of the program is never used) and whatever the
//! caller feeds in. Entries are checked before they are used (format, key, each file's length and
//! modification time) and anything that does not check out is a miss. The store reads and writes
//! only inside the cache folder, never follows a link, and deletes only entries it wrote; a
//! folder it did not make is left alone (and the build runs without a cache).
//!
//! Memos keep bytes a build step made (a library's parses, its leaflet scores) the same way;
//! [`memo_each`] keeps one per library, an encoded value per item inside it.
//!
//! Knows no audience: the render units are defined in `audience::units`.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use siphasher::sip128::{Hasher128, SipHasher13};

use crate::diag::{Diagnostic, Location, Severity};
use crate::model::Artifact;

/// The cache folder, at the top of the project (hidden, so it is never read as content, never
/// watched, and kept out of version control by the `.gitignore` that `init` writes).
pub const CACHE_DIR: &str = ".policypress-cache";

/// The file that says the folder is a policypress cache, and which program made its entries.
const MARKER: &str = "policypress-cache.txt";
const MARKER_TITLE: &str = "policypress build cache: rendered outputs kept between builds; safe to delete.";
/// Version of the entry format; entries of another format are never read.
const FORMAT: u32 = 1;
/// Where the entries are, one folder per key.
const UNITS: &str = "units";
/// A memo's bytes and what is known of them, in its entry folder.
const MEMO_BYTES: &str = "memo.bin";
const MEMO_ABOUT: &str = "memo.json";
/// The keys the last build used (kept with this build's when pruning).
const USED: &str = "used.txt";
/// Start of the name of an old `units` folder set aside to be removed.
const SET_ASIDE: &str = "units.old-";

/// A cache key: 128 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(pub [u8; 16]);

impl Key {
    /// The key as 32 lower-case hex digits (the entry's folder name).
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn from_hex(text: &str) -> Option<Key> {
        if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            return None;
        }
        let mut out = [0u8; 16];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Key(out))
    }
}

/// Builds a [`Key`] from anything that implements `Hash` (fed through `std::hash::Hash`, so a
/// new field in a hashed type changes the key without anyone remembering to add it).
#[derive(Clone)]
pub struct KeyHasher(SipHasher13);

impl KeyHasher {
    /// A hasher for keys of one kind (`domain`), so two kinds never share a key.
    pub fn new(domain: &str) -> KeyHasher {
        let mut hasher = KeyHasher(SipHasher13::new_with_keys(0x7070_7265_7373_2d63, 0x6163_6865_2d76_3031));
        hasher.write(domain.as_bytes());
        hasher.write_u8(0xff);
        hasher
    }

    /// The key of everything fed in.
    pub fn key(&self) -> Key {
        Key(self.0.finish128().as_bytes())
    }
}

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0.finish128().h1
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }
}

/// The identity of the running program: its version and its executable file's identity on
/// this machine (device, inode, size, modification and change times), so entries made by any
/// other build of policypress, even of the same version, are never used: installing or
/// building the program again makes a new file, and a file's change time cannot be set back.
/// `None` when the executable cannot be found (then there is no cache).
pub fn program_id() -> Option<Key> {
    static ID: OnceLock<Option<Key>> = OnceLock::new();
    *ID.get_or_init(|| {
        let exe = std::env::current_exe().ok()?;
        let meta = fs::metadata(&exe).ok()?;
        let mut hasher = KeyHasher::new(concat!("policypress ", env!("CARGO_PKG_VERSION")));
        meta.len().hash(&mut hasher);
        meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos().hash(&mut hasher);
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec()).hash(&mut hasher);
        }
        Some(hasher.key())
    })
}

/// One file of a stored unit: its path under the output folder and where its bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Path under the output folder.
    pub path: String,
    /// The bytes, in the cache folder.
    pub object: PathBuf,
}

/// A unit as the store gives it back: its files (on disk) and its findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUnit {
    /// The files, in the order they were made.
    pub files: Vec<StoredFile>,
    /// The warnings it reported.
    pub diagnostics: Vec<Diagnostic>,
}

/// Where render units are kept between builds.
pub trait UnitStore: Sync {
    /// The unit stored under `key`, if there is one that checks out.
    fn get(&self, key: Key) -> Option<StoredUnit>;
    /// Stores what a unit made; gives back where its files now are, or `None` when it was not
    /// stored (then the caller writes the bytes itself).
    fn put(&self, key: Key, files: &[Artifact], diagnostics: &[Diagnostic]) -> Option<StoredUnit>;
    /// As [`UnitStore::put`], taking each file's bytes from the file `reuse` names, when it
    /// names one (a file of the last output with exactly those bytes), instead of writing them.
    fn put_reusing(
        &self,
        key: Key,
        files: &[Artifact],
        diagnostics: &[Diagnostic],
        reuse: &dyn Fn(&str, &[u8]) -> Option<PathBuf>,
    ) -> Option<StoredUnit> {
        let _ = reuse;
        self.put(key, files, diagnostics)
    }
    /// The identity of the program the keys are made for ([`program_id`]); `None` when nothing
    /// is kept (keys then only tell units of one build apart).
    fn program(&self) -> Option<Key>;
    /// The unit under `key` is used by this build, given from a copy of what [`UnitStore::get`]
    /// gave before (the live preview keeps those in memory): it must be kept like one `get`
    /// gives.
    fn used(&self, key: Key) {
        let _ = key;
    }
    /// The memo stored under `key`: bytes a build step made from inputs that did not change
    /// (a policy's parse, a part of the search index), encoded by its caller; `None` when there
    /// is none that checks out. Never a file of the output.
    fn memo(&self, key: Key) -> Option<Vec<u8>> {
        let _ = key;
        None
    }
    /// Keeps `bytes` under `key` for the next build's [`UnitStore::memo`] (nothing when the
    /// store keeps nothing).
    fn put_memo(&self, key: Key, bytes: &[u8]) {
        let _ = (key, bytes);
    }
}

/// `make` of each of `items` (in parallel, in their order), taken from the memo under `memo_key`
/// (one for a whole library: one file to read, rather than an entry folder per item to open and
/// check) for every item whose key (`key_of`) is in it; the memo is written again, for the next
/// build, only when some item was made or one has gone. Each entry is encoded with postcard
/// apart, so an entry that does not decode (or a memo that does not) is made again: a miss,
/// never a crash. `memo_key` must hold the program ([`UnitStore::program`]) and everything the
/// items' keys leave out.
pub fn memo_each<I: Sync, T: Serialize + DeserializeOwned + Send>(
    store: &dyn UnitStore,
    memo_key: Key,
    items: &[I],
    key_of: impl Fn(&I) -> Key + Sync,
    make: impl Fn(&I) -> T + Sync,
) -> Vec<T> {
    let stored = store.memo(memo_key);
    // Borrowed from the memo's bytes: an entry is copied only by being decoded.
    let last: HashMap<Key, &[u8]> = stored
        .as_deref()
        .and_then(|bytes| postcard::from_bytes::<Vec<([u8; 16], &[u8])>>(bytes).ok())
        .map(|entries| entries.into_iter().map(|(key, value)| (Key(key), value)).collect())
        .unwrap_or_default();
    let made: Vec<(T, Key, Option<Vec<u8>>)> = items
        .par_iter()
        .map(|item| {
            let key = key_of(item);
            if let Some(bytes) = last.get(&key)
                && let Ok(value) = postcard::from_bytes::<T>(bytes)
            {
                return (value, key, None);
            }
            let value = make(item);
            // A value that cannot be encoded is simply not kept (made again next time).
            let encoded = postcard::to_allocvec(&value).unwrap_or_default();
            (value, key, Some(encoded))
        })
        .collect();
    let changed = made.iter().any(|(_, _, new)| new.is_some()) || last.len() != made.len();
    if changed {
        let entries: Vec<([u8; 16], EncodedEntry<'_>)> = made
            .iter()
            .filter_map(|(_, key, new)| {
                let bytes = match new {
                    Some(encoded) => encoded.as_slice(),
                    None => last.get(key).copied()?,
                };
                (!bytes.is_empty()).then_some((key.0, EncodedEntry(bytes)))
            })
            .collect();
        if let Ok(bytes) = postcard::to_allocvec(&entries) {
            store.put_memo(memo_key, &bytes);
        }
    }
    made.into_iter().map(|(value, _, _)| value).collect()
}

/// One entry's encoded value in a [`memo_each`] memo, written as one run of bytes (serde writes
/// a plain `&[u8]` byte by byte, as a sequence; postcard reads both the same, as a length then
/// the bytes, so the memo is read back borrowing them as `&[u8]`).
struct EncodedEntry<'a>(&'a [u8]);

impl Serialize for EncodedEntry<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// No cache (`--no-cache`, or a cache folder that cannot be used): every unit is rendered.
pub struct NoStore;

impl UnitStore for NoStore {
    fn get(&self, _key: Key) -> Option<StoredUnit> {
        None
    }

    fn put(&self, _key: Key, _files: &[Artifact], _diagnostics: &[Diagnostic]) -> Option<StoredUnit> {
        None
    }

    fn program(&self) -> Option<Key> {
        None
    }
}

/// The cache folder of one project, locked for this process while it is open.
pub struct DiskCache {
    units: PathBuf,
    dir: PathBuf,
    _lock: fs::File,
    /// Keys used by this build (read or written).
    used: Mutex<BTreeSet<Key>>,
    /// Keys the previous build used.
    previous: BTreeSet<Key>,
    /// Counts temporary folders, so parallel writers never share one.
    counter: AtomicUsize,
    /// Whether new entries are written (false for `check`, which makes no files).
    writable: bool,
}

impl DiskCache {
    /// Opens (or makes) the cache of the project at `root`. `Err` says why there is no cache this
    /// time: the folder is a link, holds files policypress did not write, is used by another
    /// policypress right now, or cannot be written.
    pub fn open(root: &Path, writable: bool) -> Result<DiskCache, String> {
        let program = program_id().ok_or("the program cannot read its own file to identify itself")?;
        let dir = root.join(CACHE_DIR);
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!("`{CACHE_DIR}` is a symbolic link, and the cache is kept only inside the project"));
            }
            Ok(meta) if !meta.is_dir() => return Err(format!("`{CACHE_DIR}` is not a folder")),
            Ok(_) => {}
            Err(_) => fs::create_dir(&dir).map_err(|e| format!("`{CACHE_DIR}` cannot be made: {e}"))?,
        }
        let marker_text = format!("{MARKER_TITLE}\nformat {FORMAT}\nprogram {}\n", program.hex());
        let marker = dir.join(MARKER);
        let ours = match fs::symlink_metadata(&marker) {
            Ok(meta) if meta.is_file() => fs::read_to_string(&marker).ok().filter(|t| t.starts_with(MARKER_TITLE)),
            Ok(_) => None,
            Err(_) if fs::read_dir(&dir).map(|mut d| d.next().is_none()).unwrap_or(false) => Some(String::new()),
            Err(_) => None,
        };
        let Some(found) = ours else {
            return Err(format!(
                "`{CACHE_DIR}` holds files that policypress did not write, so it is left alone; move it away to use a cache"
            ));
        };
        let lock_path = dir.join("lock");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| format!("`{CACHE_DIR}` cannot be written: {e}"))?;
        if lock.try_lock().is_err() {
            return Err("another policypress is using the cache now".to_string());
        }
        let units = dir.join(UNITS);
        if fs::symlink_metadata(&units).is_ok_and(|m| !m.is_dir()) {
            return Err(format!("`{CACHE_DIR}/{UNITS}` is not a folder"));
        }
        if found != marker_text && !writable {
            return Err("the cache was made by another build of policypress".to_string());
        }
        if found != marker_text {
            // Made by another build of the program (or none yet): its entries are of no use.
            // They are set aside at once and removed in the background: removing thousands of
            // files took 20 s on a busy disk, before a live preview could show its first page.
            if fs::symlink_metadata(&units).is_ok_and(|m| m.is_dir()) {
                let aside = dir.join(format!("{SET_ASIDE}{}", std::process::id()));
                if fs::rename(&units, &aside).is_err() {
                    remove_entries(&units, |_| true);
                }
            }
            fs::write(&marker, &marker_text).map_err(|e| format!("`{CACHE_DIR}` cannot be written: {e}"))?;
            let tag =
                "Signature: 8a477f597d28d172789f06886806bc55\n# policypress build cache: see policypress-cache.txt\n";
            let _ = fs::write(dir.join("CACHEDIR.TAG"), tag);
            let _ = fs::remove_file(dir.join(USED));
        }
        fs::create_dir_all(&units).map_err(|e| format!("`{CACHE_DIR}` cannot be written: {e}"))?;
        // Old entries set aside now, or by a build that stopped before it had removed them.
        if fs::read_dir(&dir).is_ok_and(|mut d| d.any(|e| e.is_ok_and(|e| set_aside_name(&e.file_name())))) {
            let dir = dir.clone();
            std::thread::spawn(move || remove_set_aside(&dir));
        }
        let previous =
            fs::read_to_string(dir.join(USED)).unwrap_or_default().lines().filter_map(Key::from_hex).collect();
        Ok(DiskCache {
            units,
            dir,
            _lock: lock,
            used: Mutex::new(BTreeSet::new()),
            previous,
            counter: AtomicUsize::new(0),
            writable,
        })
    }

    /// The cache a command uses: none when `wanted` is false (`--no-cache`), or when only
    /// reading (`check`) and there is no cache folder yet; `Err` says why the folder cannot be
    /// used this time.
    pub fn open_if(root: &Path, wanted: bool, writable: bool) -> Result<Option<DiskCache>, String> {
        if !wanted || (!writable && !root.join(CACHE_DIR).is_dir()) {
            return Ok(None);
        }
        DiskCache::open(root, writable).map(Some)
    }

    /// After a good build: remembers which entries it used and deletes those that neither this
    /// build nor the one before used, so the cache holds about two builds' worth (and, with the
    /// output's files linked to it, little more than one on disk).
    pub fn finish(&self) {
        if !self.writable {
            return;
        }
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let list: String = used.iter().map(|k| format!("{}\n", k.hex())).collect();
        let temporary = self.dir.join(format!("{USED}.tmp-{}", std::process::id()));
        if fs::write(&temporary, list).is_ok() {
            let _ = fs::rename(&temporary, self.dir.join(USED));
        }
        remove_entries(&self.units, |key| key.is_none_or(|k| !used.contains(&k) && !self.previous.contains(&k)));
    }

    fn entry_dir(&self, key: Key) -> PathBuf {
        self.units.join(key.hex())
    }

    fn mark_used(&self, key: Key) {
        self.used.lock().unwrap_or_else(|e| e.into_inner()).insert(key);
    }

    fn read_entry(&self, key: Key) -> Option<StoredUnit> {
        let dir = self.entry_dir(key);
        if !fs::symlink_metadata(&dir).ok()?.is_dir() {
            return None;
        }
        let entry = dir.join("entry.json");
        if !fs::symlink_metadata(&entry).ok()?.is_file() {
            return None;
        }
        let json: serde_json::Value = serde_json::from_slice(&fs::read(&entry).ok()?).ok()?;
        if json.get("format")?.as_u64()? != u64::from(FORMAT) || json.get("key")?.as_str()? != key.hex() {
            return None;
        }
        let mut files = Vec::new();
        for (n, file) in json.get("files")?.as_array()?.iter().enumerate() {
            let path = file.get("path")?.as_str()?;
            if !plain_relative(path) {
                return None;
            }
            let object = dir.join(format!("{n}.bin"));
            let meta = fs::symlink_metadata(&object).ok()?;
            if !meta.is_file()
                || meta.len() != file.get("len")?.as_u64()?
                || modified_nanos(&meta)? != file.get("modified")?.as_str()?
            {
                return None;
            }
            files.push(StoredFile { path: path.to_string(), object });
        }
        let mut diagnostics = Vec::new();
        for d in json.get("diagnostics")?.as_array()? {
            diagnostics.push(diagnostic_from_json(d)?);
        }
        Some(StoredUnit { files, diagnostics })
    }

    fn write_entry(
        &self,
        key: Key,
        files: &[Artifact],
        diagnostics: &[Diagnostic],
        reuse: &dyn Fn(&str, &[u8]) -> Option<PathBuf>,
    ) -> Option<StoredUnit> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let temporary = self.units.join(format!("{}.tmp-{}-{n}", key.hex(), std::process::id()));
        let written = (|| {
            fs::create_dir(&temporary).ok()?;
            let mut listed = Vec::new();
            for (i, file) in files.iter().enumerate() {
                if !plain_relative(&file.path) {
                    return None;
                }
                let object = temporary.join(format!("{i}.bin"));
                // Linked from a file that holds the same bytes (checked by `reuse`), or written.
                let linked = reuse(&file.path, &file.bytes).is_some_and(|same| fs::hard_link(same, &object).is_ok());
                if !linked {
                    fs::write(&object, &file.bytes).ok()?;
                }
                let meta = fs::symlink_metadata(&object).ok()?;
                listed.push(serde_json::json!({
                    "path": file.path,
                    "len": meta.len(),
                    "modified": modified_nanos(&meta)?,
                }));
            }
            let entry = serde_json::json!({
                "format": FORMAT,
                "key": key.hex(),
                "files": listed,
                "diagnostics": diagnostics.iter().map(diagnostic_to_json).collect::<Vec<_>>(),
            });
            fs::write(temporary.join("entry.json"), entry.to_string()).ok()?;
            Some(())
        })();
        let final_dir = self.entry_dir(key);
        if written.is_none() || fs::rename(&temporary, &final_dir).is_err() {
            let _ = fs::remove_dir_all(&temporary);
            return None;
        }
        self.read_entry(key)
    }
}

impl DiskCache {
    /// A memo is an entry folder like a unit's (so it is pruned like one) holding `memo.bin`
    /// and a `memo.json` that gives its format, key, length and modification time.
    fn read_memo(&self, key: Key) -> Option<Vec<u8>> {
        let dir = self.entry_dir(key);
        if !fs::symlink_metadata(&dir).ok()?.is_dir() {
            return None;
        }
        let about = dir.join(MEMO_ABOUT);
        if !fs::symlink_metadata(&about).ok()?.is_file() {
            return None;
        }
        let json: serde_json::Value = serde_json::from_slice(&fs::read(&about).ok()?).ok()?;
        if json.get("format")?.as_u64()? != u64::from(FORMAT) || json.get("key")?.as_str()? != key.hex() {
            return None;
        }
        let object = dir.join(MEMO_BYTES);
        let meta = fs::symlink_metadata(&object).ok()?;
        if !meta.is_file()
            || meta.len() != json.get("len")?.as_u64()?
            || modified_nanos(&meta)? != json.get("modified")?.as_str()?
        {
            return None;
        }
        let bytes = fs::read(&object).ok()?;
        (bytes.len() as u64 == meta.len()).then_some(bytes)
    }

    fn write_memo(&self, key: Key, bytes: &[u8]) -> Option<()> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let temporary = self.units.join(format!("{}.tmp-{}-{n}", key.hex(), std::process::id()));
        let written = (|| {
            fs::create_dir(&temporary).ok()?;
            let object = temporary.join(MEMO_BYTES);
            fs::write(&object, bytes).ok()?;
            let meta = fs::symlink_metadata(&object).ok()?;
            let about = serde_json::json!({
                "format": FORMAT,
                "key": key.hex(),
                "len": meta.len(),
                "modified": modified_nanos(&meta)?,
            });
            fs::write(temporary.join(MEMO_ABOUT), about.to_string()).ok()
        })();
        let final_dir = self.entry_dir(key);
        // An entry already there (a unit's, or a memo that did not check out) is replaced.
        if written.is_some() && fs::symlink_metadata(&final_dir).is_ok() {
            let _ = fs::remove_dir_all(&final_dir);
        }
        if written.is_none() || fs::rename(&temporary, &final_dir).is_err() {
            let _ = fs::remove_dir_all(&temporary);
            return None;
        }
        Some(())
    }
}

impl UnitStore for DiskCache {
    fn get(&self, key: Key) -> Option<StoredUnit> {
        let found = self.read_entry(key);
        if found.is_some() {
            self.mark_used(key);
        } else if self.writable {
            // Whatever is there does not check out: it is replaced when the unit is stored.
            let _ = fs::remove_dir_all(self.entry_dir(key));
        }
        found
    }

    fn program(&self) -> Option<Key> {
        program_id()
    }

    fn used(&self, key: Key) {
        self.mark_used(key);
    }

    fn memo(&self, key: Key) -> Option<Vec<u8>> {
        let found = self.read_memo(key);
        if found.is_some() {
            self.mark_used(key);
        }
        found
    }

    fn put_memo(&self, key: Key, bytes: &[u8]) {
        if self.writable && self.write_memo(key, bytes).is_some() {
            self.mark_used(key);
        }
    }

    fn put(&self, key: Key, files: &[Artifact], diagnostics: &[Diagnostic]) -> Option<StoredUnit> {
        self.put_reusing(key, files, diagnostics, &|_, _| None)
    }

    fn put_reusing(
        &self,
        key: Key,
        files: &[Artifact],
        diagnostics: &[Diagnostic],
        reuse: &dyn Fn(&str, &[u8]) -> Option<PathBuf>,
    ) -> Option<StoredUnit> {
        if !self.writable {
            return None;
        }
        let stored = self.write_entry(key, files, diagnostics, reuse)?;
        self.mark_used(key);
        Some(stored)
    }
}

/// Removes the entries (and temporary folders of killed builds) under `units` for which `drop`
/// says so (`drop` gets the entry's key, `None` for a temporary folder). Only folders named like
/// ours are touched.
fn remove_entries(units: &Path, drop: impl Fn(Option<Key>) -> bool) {
    let Ok(entries) = fs::read_dir(units) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let key = Key::from_hex(&name);
        let temporary = name.len() > 32 && Key::from_hex(&name[..32]).is_some() && name[32..].starts_with(".tmp-");
        if is_dir && (key.is_some() || temporary) && drop(key) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Removes the old `units` folders set aside in the cache folder `dir` (named by us: only those
/// are touched, and only their entries: a folder holding anything else is left).
fn remove_set_aside(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if set_aside_name(&entry.file_name()) && entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_entries(&entry.path(), |_| true);
            let _ = fs::remove_dir(entry.path());
        }
    }
}

fn set_aside_name(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.strip_prefix(SET_ASIDE).is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// A `/`-separated relative path that stays where it is put.
fn plain_relative(path: &str) -> bool {
    !path.is_empty() && !path.contains('\\') && Path::new(path).components().all(|c| matches!(c, Component::Normal(_)))
}

fn modified_nanos(meta: &fs::Metadata) -> Option<String> {
    Some(meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos().to_string())
}

fn diagnostic_to_json(d: &Diagnostic) -> serde_json::Value {
    serde_json::json!({
        "file": d.location.file,
        "line": d.location.line,
        "col": d.location.col,
        "len": d.location.len,
        "error": d.severity == Severity::Error,
        "message": d.message,
        "hint": d.hint,
    })
}

fn diagnostic_from_json(v: &serde_json::Value) -> Option<Diagnostic> {
    let number = |name: &str| v.get(name)?.as_u64().and_then(|n| usize::try_from(n).ok());
    Some(Diagnostic {
        location: Location {
            file: v.get("file")?.as_str()?.to_string(),
            line: number("line")?,
            col: number("col")?,
            len: number("len")?,
        },
        severity: if v.get("error")?.as_bool()? { Severity::Error } else { Severity::Warning },
        message: v.get("message")?.as_str()?.to_string(),
        hint: match v.get("hint")? {
            serde_json::Value::Null => None,
            hint => Some(hint.as_str()?.to_string()),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning() -> Diagnostic {
        Diagnostic {
            location: Location::new("content/a.md", 3, 1),
            severity: Severity::Warning,
            message: "too long".into(),
            hint: Some("cut it".into()),
        }
    }

    #[test]
    fn keys_are_stable_and_differ_by_domain() {
        let mut a = KeyHasher::new("staff-pdf");
        std::hash::Hash::hash("text", &mut a);
        let mut b = KeyHasher::new("staff-pdf");
        std::hash::Hash::hash("text", &mut b);
        let mut c = KeyHasher::new("patient-pdf");
        std::hash::Hash::hash("text", &mut c);
        assert_eq!(a.key(), b.key());
        assert_ne!(a.key(), c.key());
        assert_eq!(Key::from_hex(&a.key().hex()), Some(a.key()));
    }

    #[test]
    fn a_stored_unit_comes_back_and_a_tampered_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path(), true).unwrap();
        let key = Key([7; 16]);
        assert!(cache.get(key).is_none());
        let stored = cache.put(key, &[Artifact::new("staff/a.pdf", b"%PDF-1.7".to_vec())], &[warning()]).unwrap();
        assert_eq!(stored.diagnostics, vec![warning()]);
        assert_eq!(fs::read(&stored.files[0].object).unwrap(), b"%PDF-1.7");
        assert_eq!(cache.get(key), Some(stored.clone()));
        // A file cut short (or changed in place) is not trusted.
        fs::write(&stored.files[0].object, b"%PDF").unwrap();
        assert!(cache.get(key).is_none());
        // Nor is an entry that is not JSON.
        let other = Key([8; 16]);
        cache.put(other, &[Artifact::new("x.html", b"x".to_vec())], &[]).unwrap();
        fs::write(cache.entry_dir(other).join("entry.json"), "garbage").unwrap();
        assert!(cache.get(other).is_none());
    }

    #[test]
    fn a_memo_comes_back_until_it_is_changed_and_check_never_writes_one() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key([9; 16]);
        {
            let cache = DiskCache::open(dir.path(), true).unwrap();
            assert!(cache.memo(key).is_none());
            cache.put_memo(key, b"parsed");
            assert_eq!(cache.memo(key).as_deref(), Some(&b"parsed"[..]));
            cache.finish();
        }
        let reading = DiskCache::open(dir.path(), false).unwrap();
        assert_eq!(reading.memo(key).as_deref(), Some(&b"parsed"[..]), "kept for the next build");
        reading.put_memo(Key([10; 16]), b"x");
        assert!(!reading.entry_dir(Key([10; 16])).exists(), "a cache opened only to read writes nothing");
        drop(reading);
        let cache = DiskCache::open(dir.path(), true).unwrap();
        fs::write(cache.entry_dir(key).join(MEMO_BYTES), b"tampered").unwrap();
        assert!(cache.memo(key).is_none(), "changed bytes are not trusted");
        assert!(cache.get(key).is_none(), "a memo is never a unit");
    }

    #[test]
    fn entries_never_name_paths_outside_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path(), true).unwrap();
        assert!(cache.put(Key([1; 16]), &[Artifact::new("../escape.html", b"x".to_vec())], &[]).is_none());
        let key = Key([2; 16]);
        let stored = cache.put(key, &[Artifact::new("a.html", b"x".to_vec())], &[]).unwrap();
        let entry = cache.entry_dir(key).join("entry.json");
        let text = fs::read_to_string(&entry).unwrap().replace("\"a.html\"", "\"../../etc/passwd\"");
        fs::write(&entry, text).unwrap();
        assert!(cache.get(key).is_none(), "{stored:?}");
    }

    #[test]
    fn a_folder_policypress_did_not_make_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(CACHE_DIR)).unwrap();
        fs::write(dir.path().join(CACHE_DIR).join("thesis.docx"), "precious").unwrap();
        let why = DiskCache::open(dir.path(), true).err().unwrap();
        assert!(why.contains("did not write"), "{why}");
        assert_eq!(fs::read_to_string(dir.path().join(CACHE_DIR).join("thesis.docx")).unwrap(), "precious");
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_cache_folder_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let root = dir.path().join("project");
        fs::create_dir(&root).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join(CACHE_DIR)).unwrap();
        assert!(DiskCache::open(&root, true).err().unwrap().contains("symbolic link"));
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0, "nothing is written through the link");
    }

    #[test]
    fn a_cache_of_another_program_is_emptied_and_unused_entries_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        {
            let cache = DiskCache::open(dir.path(), true).unwrap();
            cache.put(Key([1; 16]), &[Artifact::new("a.html", b"1".to_vec())], &[]).unwrap();
            cache.finish();
        }
        let marker = dir.path().join(CACHE_DIR).join(MARKER);
        let text = fs::read_to_string(&marker).unwrap();
        fs::write(&marker, text.replace("program ", "program 0")).unwrap();
        let cache = DiskCache::open(dir.path(), true).unwrap();
        let left: Vec<_> = fs::read_dir(&cache.units).unwrap().collect();
        assert!(left.is_empty(), "the old entries were set aside before the build: {left:?}");
        assert!(cache.get(Key([1; 16])).is_none(), "made by another program");
        cache.put(Key([2; 16]), &[Artifact::new("b.html", b"2".to_vec())], &[]).unwrap();
        cache.finish();
        drop(cache);
        // Two builds later, an entry neither used is gone.
        let cache = DiskCache::open(dir.path(), true).unwrap();
        cache.put(Key([3; 16]), &[Artifact::new("c.html", b"3".to_vec())], &[]).unwrap();
        cache.finish();
        drop(cache);
        let cache = DiskCache::open(dir.path(), true).unwrap();
        cache.finish();
        assert!(cache.get(Key([2; 16])).is_none());
        assert!(cache.get(Key([3; 16])).is_some(), "used by the build before");
    }

    #[test]
    fn old_entries_are_set_aside_at_once_and_removed_without_touching_anything_else() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join(CACHE_DIR);
        fs::create_dir_all(cache_dir.join("units.old-12/0123456789abcdef0123456789abcdef")).unwrap();
        fs::write(cache_dir.join("units.old-12/0123456789abcdef0123456789abcdef/0.bin"), "x").unwrap();
        fs::create_dir_all(cache_dir.join("units.old-13/notes")).unwrap();
        fs::write(cache_dir.join("units.old-13/notes/mine.txt"), "mine").unwrap();
        fs::create_dir_all(cache_dir.join("units.old-x")).unwrap();
        remove_set_aside(&cache_dir);
        assert!(!cache_dir.join("units.old-12").exists());
        assert_eq!(fs::read_to_string(cache_dir.join("units.old-13/notes/mine.txt")).unwrap(), "mine");
        assert!(cache_dir.join("units.old-x").exists(), "not a name we give");
    }
}
