//! The cache of expensive results, keyed by content: history facts per commit id, parse
//! results per blob id, narratives per hash of what the narrator was given.
//!
//! A cache is an optimisation and never a reason to fail: an unreadable or corrupt cache is
//! moved aside with a warning and a fresh one is used; a value that does not decode is a miss.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// What a cache holds, each in its own key space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Space {
    Commits,
    Parse,
    Narratives,
    /// The colours of a file's source view, by its text.
    Colours,
    /// Each part's section of `llms-full.txt`, by what its page is made from.
    Sections,
    Meta,
}

impl Space {
    const ALL: [Space; 6] = [
        Space::Commits,
        Space::Parse,
        Space::Narratives,
        Space::Colours,
        Space::Sections,
        Space::Meta,
    ];

    fn name(self) -> &'static str {
        match self {
            Space::Commits => "commits",
            Space::Parse => "parse",
            Space::Narratives => "narratives",
            Space::Colours => "colours",
            Space::Sections => "sections",
            Space::Meta => "meta",
        }
    }
}

pub trait Cache: Send + Sync {
    /// A value as stored: sled's own buffer, not a copy (a rebuild reads tens of megabytes).
    fn get(&self, space: Space, key: &str) -> Result<Option<sled::IVec>, String>;
    fn put(&self, space: Space, key: &str, value: &[u8]) -> Result<(), String>;
    /// Many puts at once (sled applies them as one batch: a quarter cheaper for the 21,000
    /// commits of a cold history crawl).
    fn put_many(&self, space: Space, items: &[(String, Vec<u8>)]) -> Result<(), String> {
        items.iter().try_for_each(|(k, v)| self.put(space, k, v))
    }
    /// Drops everything.
    fn clear(&self) -> Result<(), String>;
    /// Makes what was put durable.
    fn flush(&self) -> Result<(), String>;
}

/// Bumped whenever the layout or meaning of a cached value changes.
const SCHEMA: u32 = 7;

pub fn version_record() -> String {
    format!(
        "repowiki {} cache schema {SCHEMA}",
        env!("CARGO_PKG_VERSION")
    )
}

/// The production cache: sled, one tree per space.
pub struct SledCache {
    db: sled::Db,
}

/// Whether files can be created in `dir` (made if missing).
fn writable(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

impl SledCache {
    /// Opens the cache at `dir`. A cache that cannot be opened is moved aside and replaced by a
    /// fresh one; a cache of another version is cleared. Either way a line says so.
    pub fn open(dir: &Path, notes: &mut Vec<String>) -> Result<SledCache, String> {
        match open_sled(dir) {
            Ok(db) => {
                let cache = SledCache { db };
                cache.check_version(notes);
                Ok(cache)
            }
            Err(why) => {
                // A folder that cannot be written (a read-only mount, no permission) is not
                // corrupt: it is left as it is.
                if let Err(e) = writable(dir) {
                    return Err(format!(
                        "the cache at {} cannot be written ({e})",
                        dir.display()
                    ));
                }
                let aside = aside_path(dir);
                std::fs::rename(dir, &aside).map_err(|e| {
                    format!(
                        "the cache at {} is unreadable ({why}) and cannot be moved aside: {e}",
                        dir.display()
                    )
                })?;
                notes.push(format!(
                    "warning: the cache at {} was unreadable ({why}); moved it to {} and rebuilt",
                    dir.display(),
                    aside.display()
                ));
                let db = open_sled(dir)
                    .map_err(|e| format!("cannot create a cache at {}: {e}", dir.display()))?;
                let cache = SledCache { db };
                cache.check_version(&mut Vec::new());
                Ok(cache)
            }
        }
    }

    fn check_version(&self, notes: &mut Vec<String>) {
        let want = version_record();
        let have = self.get(Space::Meta, "version").ok().flatten();
        if have.as_deref() == Some(want.as_bytes()) {
            return;
        }
        if have.is_some() {
            notes
                .push("info: the cache was written by another version of repowiki: cleared".into());
        }
        let _ = self.clear();
        let _ = self.put(Space::Meta, "version", want.as_bytes());
    }

    fn tree(&self, space: Space) -> Result<sled::Tree, String> {
        self.db.open_tree(space.name()).map_err(|e| e.to_string())
    }
}

/// Bytes of the cache sled keeps in memory.
const CACHE_MEMORY: u64 = 32 << 20;

/// sled reports some corruption by panicking: that is caught and treated as an error.
fn open_sled(dir: &Path) -> Result<sled::Db, String> {
    let dir = dir.to_path_buf();
    // Silence the panic message while opening: the failure is reported as one line instead.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(move || {
        sled::Config::new()
            .path(&dir)
            // What was written is on disk: sled need not keep it in memory too (its default, a
            // gigabyte, kept every history segment of a cold crawl).
            .cache_capacity(CACHE_MEMORY)
            .open()
    });
    std::panic::set_hook(hook);
    match result {
        Ok(Ok(db)) => {
            // Touch every space once, so that damage shows now rather than mid-build.
            for space in Space::ALL {
                db.open_tree(space.name()).map_err(|e| e.to_string())?;
            }
            Ok(db)
        }
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("it made the storage engine panic".into()),
    }
}

fn aside_path(dir: &Path) -> PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cache".into());
    dir.with_file_name(format!("{name}.corrupt-{stamp}"))
}

impl Cache for SledCache {
    fn get(&self, space: Space, key: &str) -> Result<Option<sled::IVec>, String> {
        self.tree(space)?
            .get(key.as_bytes())
            .map_err(|e| e.to_string())
    }

    fn put(&self, space: Space, key: &str, value: &[u8]) -> Result<(), String> {
        self.tree(space)?
            .insert(key.as_bytes(), value)
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    fn put_many(&self, space: Space, items: &[(String, Vec<u8>)]) -> Result<(), String> {
        let mut batch = sled::Batch::default();
        for (key, value) in items {
            batch.insert(key.as_bytes(), value.as_slice());
        }
        self.tree(space)?
            .apply_batch(batch)
            .map_err(|e| e.to_string())
    }

    fn clear(&self) -> Result<(), String> {
        for space in Space::ALL {
            self.tree(space)?.clear().map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), String> {
        self.db.flush().map(|_| ()).map_err(|e| e.to_string())
    }
}

/// An in-memory cache, for tests and for `--no-cache` runs.
#[derive(Default)]
pub struct MemoryCache {
    entries: Mutex<BTreeMap<(Space, String), Vec<u8>>>,
}

impl Cache for MemoryCache {
    fn get(&self, space: Space, key: &str) -> Result<Option<sled::IVec>, String> {
        let entries = self.entries.lock().map_err(|e| e.to_string())?;
        Ok(entries
            .get(&(space, key.to_string()))
            .map(|v| sled::IVec::from(v.as_slice())))
    }

    fn put(&self, space: Space, key: &str, value: &[u8]) -> Result<(), String> {
        let mut entries = self.entries.lock().map_err(|e| e.to_string())?;
        entries.insert((space, key.to_string()), value.to_vec());
        Ok(())
    }

    fn clear(&self) -> Result<(), String> {
        self.entries.lock().map_err(|e| e.to_string())?.clear();
        Ok(())
    }

    fn flush(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Typed access for the pipeline: JSON values, and failures turned into warnings (once per
/// kind) instead of errors, because the build can always recompute.
pub struct CacheUse<'a> {
    cache: &'a dyn Cache,
    warnings: Mutex<Vec<String>>,
}

impl<'a> CacheUse<'a> {
    pub fn new(cache: &'a dyn Cache) -> Self {
        CacheUse {
            cache,
            warnings: Mutex::new(Vec::new()),
        }
    }

    pub fn get<T: DeserializeOwned>(&self, space: Space, key: &str) -> Option<T> {
        match self.cache.get(space, key) {
            Ok(Some(bytes)) => match decode(&bytes) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.warn(format!(
                        "warning: a cached {} entry did not decode ({e}); recomputed",
                        space.name()
                    ));
                    None
                }
            },
            Ok(None) => None,
            Err(e) => {
                self.warn(format!(
                    "warning: the cache could not be read ({e}); recomputing"
                ));
                None
            }
        }
    }

    pub fn put<T: Serialize>(&self, space: Space, key: &str, value: &T) {
        self.kept(self.cache.put(space, key, &Self::encode(value)));
    }

    /// A value as the cache stores it (so that workers can encode in parallel): postcard, a
    /// compact binary form that decodes several times faster than JSON (a rebuild decodes
    /// every commit of the history and every file's parse).
    pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
        postcard::to_allocvec(value).expect("cached values serialise")
    }

    /// Puts values that `encode` made, as (key, bytes).
    pub fn put_encoded(&self, space: Space, items: &[(String, Vec<u8>)]) {
        self.kept(self.cache.put_many(space, items));
    }

    /// A failed write is a warning: the build goes on, and recomputes next time.
    fn kept(&self, written: Result<(), String>) {
        if let Err(e) = written {
            self.warn(format!(
                "warning: the cache could not be written ({e}); results were not kept"
            ));
        }
    }

    /// Puts and flushes at once: for results that cost a model call, which a kill must not lose.
    pub fn put_durable<T: Serialize>(&self, space: Space, key: &str, value: &T) {
        self.put(space, key, value);
        self.flush();
    }

    pub fn flush(&self) {
        if let Err(e) = self.cache.flush() {
            self.warn(format!("warning: the cache could not be flushed ({e})"));
        }
    }

    fn warn(&self, message: String) {
        let mut w = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        let kind = message.split('(').next().unwrap_or("").to_string();
        if !w.iter().any(|m| m.starts_with(&kind)) {
            w.push(message);
        }
    }

    pub fn warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// A cached value, which must be read to its last byte: a value of another shape is an error,
/// not a different value.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(format!("{} bytes left over", rest.len())),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sled_round_trip_and_version_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        let mut notes = Vec::new();
        {
            let cache = SledCache::open(&path, &mut notes).unwrap();
            cache.put(Space::Parse, "k", b"v").unwrap();
            cache.flush().unwrap();
        }
        let cache = SledCache::open(&path, &mut notes).unwrap();
        assert_eq!(
            cache.get(Space::Parse, "k").unwrap().as_deref(),
            Some(&b"v"[..])
        );
        assert!(notes.is_empty(), "{notes:?}");
        // Another version's cache is cleared, with one line.
        cache
            .put(Space::Meta, "version", b"repowiki 0.0.0 cache schema 0")
            .unwrap();
        cache.flush().unwrap();
        drop(cache);
        let cache = SledCache::open(&path, &mut notes).unwrap();
        assert_eq!(cache.get(Space::Parse, "k").unwrap(), None);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("another version"));
    }

    #[test]
    fn a_corrupt_cache_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        {
            let cache = SledCache::open(&path, &mut Vec::new()).unwrap();
            cache.put(Space::Parse, "k", b"v").unwrap();
            cache.flush().unwrap();
        }
        for entry in std::fs::read_dir(&path).unwrap() {
            let p = entry.unwrap().path();
            if p.is_file() {
                std::fs::write(&p, b"\xff\xfe garbage that is not a sled file").unwrap();
            }
        }
        let mut notes = Vec::new();
        let cache = SledCache::open(&path, &mut notes).unwrap();
        assert_eq!(cache.get(Space::Parse, "k").unwrap(), None);
        assert!(notes.iter().any(|n| n.contains("moved it to")), "{notes:?}");
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("corrupt"))
            .collect();
        assert_eq!(aside.len(), 1, "the damaged cache is kept, not deleted");
    }

    #[test]
    fn undecodable_values_are_misses_with_one_warning() {
        let memory = MemoryCache::default();
        memory.put(Space::Parse, "a", b"not json").unwrap();
        memory.put(Space::Parse, "b", b"not json either").unwrap();
        let cache = CacheUse::new(&memory);
        assert_eq!(cache.get::<u32>(Space::Parse, "a"), None);
        assert_eq!(cache.get::<u32>(Space::Parse, "b"), None);
        cache.put(Space::Parse, "c", &7u32);
        assert_eq!(cache.get::<u32>(Space::Parse, "c"), Some(7));
        assert_eq!(cache.warnings().len(), 1);
    }
}
