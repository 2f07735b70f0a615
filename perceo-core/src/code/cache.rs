//! The graph cache in `.perceo/cache/graph.bin`: per-file parse results keyed by content
//! hash (with size and mtime as a fast path), and per-file resolutions reused while the set
//! of files and every resolution input (package.json, tsconfig, pnpm-workspace.yaml) are
//! unchanged. The cache is only an optimisation: a missing, stale or unreadable cache is
//! rebuilt, never an error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::imports::{FileFacts, ImportKind};
use crate::fsutil::write_atomic_unsynced;

/// Bumped whenever the cached data's meaning changes (and whenever resolution rules change:
/// cached resolutions would otherwise outlive them).
const FORMAT: u32 = 9;

/// An mtime this close to the cache's own write time is not trusted (it could hide an edit
/// made in the same clock tick); such files are hashed again, as git does for racy entries.
const RACY_WINDOW: Duration = Duration::from_secs(2);

/// Parse results of one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedFacts {
    /// File size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: u64,
    /// xxh3 of the content.
    pub hash: u64,
    /// What the file imports.
    pub facts: FileFacts,
}

/// The resolved imports of one file, by path.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ResolvedImports {
    /// `(target file, kind, type_only, index of the import in the file's imports)`.
    pub edges: Vec<(String, ImportKind, bool, u32)>,
    /// External packages.
    pub externals: Vec<String>,
    /// Specifiers that did not resolve.
    pub unresolved: Vec<String>,
}

/// Resolutions valid for one file set and one set of resolution inputs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CachedResolution {
    /// Hash of the sorted file list.
    pub file_set: u64,
    /// Hash of every resolution input's path and content.
    pub inputs: u64,
    /// Per importing file.
    pub per_file: HashMap<String, ResolvedImports>,
    /// Config files that could not be used while resolving, with the problem.
    pub config_problems: Vec<(String, String)>,
}

/// The whole cache.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct GraphCache {
    format: u32,
    version: String,
    written_at_ns: u64,
    /// Per file.
    pub files: HashMap<String, CachedFacts>,
    /// Resolutions, when still valid.
    pub resolution: Option<CachedResolution>,
}

/// Nanoseconds since the epoch of a time (0 before it).
pub fn nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// What [`GraphCache::save`] writes: the same layout as [`GraphCache`], from borrowed parts,
/// so that writing the cache copies nothing.
#[derive(Serialize)]
struct GraphCacheRef<'a> {
    format: u32,
    version: &'a str,
    written_at_ns: u64,
    files: MapRef<'a, CachedFacts>,
    resolution: Option<ResolutionRef<'a>>,
}

/// The borrowed form of [`CachedResolution`], for [`GraphCache::save`].
#[derive(Serialize)]
pub struct ResolutionRef<'a> {
    /// Hash of the sorted file list.
    pub file_set: u64,
    /// Hash of every resolution input's path and content.
    pub inputs: u64,
    /// Per importing file.
    pub per_file: MapRef<'a, ResolvedImports>,
    /// Config files that could not be used while resolving, with the problem.
    pub config_problems: &'a [(String, String)],
}

/// Borrowed `(key, value)` pairs serialised as a map (what a `HashMap` reads back).
pub struct MapRef<'a, T>(pub Vec<(&'a str, &'a T)>);

impl<T: Serialize> Serialize for MapRef<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Cache writes still running on their own threads, by cache file.
static WRITES: Mutex<Vec<(PathBuf, JoinHandle<()>)>> = Mutex::new(Vec::new());

/// A cache write started by [`write_in_background`]; dropping it waits for the write.
#[derive(Debug)]
pub struct PendingWrite(PathBuf);

impl Drop for PendingWrite {
    fn drop(&mut self) {
        wait_for_writes(Some(&self.0));
    }
}

/// Runs `write` (which writes the cache file at `path`) on a thread of its own, so that the
/// analysis goes on meanwhile. [`GraphCache::load`] of the same path, [`wait_for_writes`]
/// and dropping the returned [`PendingWrite`] wait for it.
pub fn write_in_background(path: PathBuf, write: impl FnOnce() + Send + 'static) -> PendingWrite {
    let handle = std::thread::spawn(write);
    match WRITES.lock() {
        Ok(mut writes) => writes.push((path.clone(), handle)),
        Err(_) => {
            let _ = handle.join();
        }
    }
    PendingWrite(path)
}

/// Waits for the background writes of the cache file at `path` (every cache file: `None`).
pub fn wait_for_writes(path: Option<&Path>) {
    let pending: Vec<JoinHandle<()>> = match WRITES.lock() {
        Ok(mut writes) => {
            let (mine, others) = std::mem::take(&mut *writes)
                .into_iter()
                .partition(|(p, _)| path.is_none_or(|path| p == path));
            *writes = others;
            mine.into_iter().map(|(_, h)| h).collect()
        }
        Err(_) => Vec::new(),
    };
    for handle in pending {
        let _ = handle.join();
    }
}

impl GraphCache {
    /// Loads the cache at `path` (after any write of it still running); anything unusable
    /// gives an empty cache.
    pub fn load(path: &Path) -> GraphCache {
        wait_for_writes(Some(path));
        let Ok(bytes) = std::fs::read(path) else {
            return GraphCache::default();
        };
        match postcard::from_bytes::<GraphCache>(&bytes) {
            Ok(c) if c.format == FORMAT && c.version == env!("CARGO_PKG_VERSION") => c,
            _ => GraphCache::default(),
        }
    }

    /// The cached facts of `file` if its size and mtime say it is unchanged.
    pub fn unchanged(&self, file: &str, size: u64, mtime_ns: u64) -> Option<&CachedFacts> {
        let entry = self.files.get(file)?;
        let racy = mtime_ns.saturating_add(RACY_WINDOW.as_nanos() as u64) >= self.written_at_ns;
        (entry.size == size && entry.mtime_ns == mtime_ns && !racy).then_some(entry)
    }

    /// The cached facts of `file` if its content hash matches.
    pub fn same_content(&self, file: &str, hash: u64) -> Option<&CachedFacts> {
        self.files.get(file).filter(|e| e.hash == hash)
    }

    /// Writes the cache atomically (errors are ignored by callers: it is only a cache).
    pub fn save(
        path: &Path,
        files: MapRef<'_, CachedFacts>,
        resolution: ResolutionRef<'_>,
    ) -> crate::error::Result<()> {
        let cache = GraphCacheRef {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION"),
            written_at_ns: nanos(SystemTime::now()),
            files,
            resolution: Some(resolution),
        };
        let bytes = postcard::to_stdvec(&cache).map_err(|e| crate::error::Error::encode("the graph cache", e))?;
        write_atomic_unsynced(path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph.bin");
        let facts = CachedFacts {
            size: 3,
            mtime_ns: 1,
            hash: 42,
            facts: FileFacts::default(),
        };
        let resolved = ResolvedImports {
            edges: vec![("b.ts".to_string(), ImportKind::Static, false, 0)],
            ..ResolvedImports::default()
        };
        let problems = vec![("tsconfig.json".to_string(), "bad".to_string())];
        let resolution = ResolutionRef {
            file_set: 7,
            inputs: 8,
            per_file: MapRef(vec![("a.ts", &resolved)]),
            config_problems: &problems,
        };
        GraphCache::save(&path, MapRef(vec![("a.ts", &facts)]), resolution).unwrap();
        let cache = GraphCache::load(&path);
        let read = cache.resolution.as_ref().unwrap();
        assert_eq!((read.file_set, read.inputs), (7, 8));
        assert_eq!(read.per_file["a.ts"].edges, resolved.edges);
        assert_eq!(read.config_problems, problems);
        assert_eq!(cache.same_content("a.ts", 42).map(|c| c.size), Some(3));
        assert!(cache.same_content("a.ts", 41).is_none());
        assert!(cache.unchanged("a.ts", 3, 1).is_some(), "old mtimes are trusted");
        std::fs::write(&path, b"garbage").unwrap();
        assert!(GraphCache::load(&path).files.is_empty());
    }
}
