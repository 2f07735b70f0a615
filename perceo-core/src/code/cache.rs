//! The graph cache in `.perceo/cache/graph.bin`: per-file parse results keyed by content
//! hash (with size and mtime as a fast path), and per-file resolutions reused while the set
//! of files and every resolution input (package.json, tsconfig, pnpm-workspace.yaml) are
//! unchanged. The cache is only an optimisation: a missing, stale or unreadable cache is
//! rebuilt, never an error.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::imports::{FileFacts, ImportKind};
use crate::fsutil::write_atomic_unsynced;

/// Bumped whenever the cached data's meaning changes.
const FORMAT: u32 = 2;

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
    /// `(target file, kind, type_only)`.
    pub edges: Vec<(String, ImportKind, bool)>,
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

impl GraphCache {
    /// Loads the cache at `path`; anything unusable gives an empty cache.
    pub fn load(path: &Path) -> GraphCache {
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
        files: HashMap<String, CachedFacts>,
        resolution: CachedResolution,
    ) -> crate::error::Result<()> {
        let cache = GraphCache {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            written_at_ns: nanos(SystemTime::now()),
            files,
            resolution: Some(resolution),
        };
        let bytes = postcard::to_stdvec(&cache).map_err(|e| crate::error::Error::Argument(e.to_string()))?;
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
        let mut files = HashMap::new();
        files.insert(
            "a.ts".to_string(),
            CachedFacts {
                size: 3,
                mtime_ns: 1,
                hash: 42,
                facts: FileFacts::default(),
            },
        );
        GraphCache::save(&path, files, CachedResolution::default()).unwrap();
        let cache = GraphCache::load(&path);
        assert_eq!(cache.same_content("a.ts", 42).map(|c| c.size), Some(3));
        assert!(cache.same_content("a.ts", 41).is_none());
        assert!(cache.unchanged("a.ts", 3, 1).is_some(), "old mtimes are trusted");
        std::fs::write(&path, b"garbage").unwrap();
        assert!(GraphCache::load(&path).files.is_empty());
    }
}
