//! The dependency graph of an app: every file, what each module imports (resolved), and the
//! reverse edges the impact analysis walks.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use super::cache::{
    CachedFacts, GraphCache, MapRef, PendingWrite, ResolutionRef, ResolvedImports, nanos, write_in_background,
};
use super::discover::{absolute, discover_files, glob_set, relative_path};
use super::imports::{AutoFacts, FileFacts, Import, ImportKind, Wanted, extract_wanted, is_source_path};
use super::messages::MessageUses;
use super::nuxt;
use super::resolve::ModuleResolver;
use super::symbols::{self, SymbolTable};
use crate::error::Result;

/// Options for [`DependencyGraph::build`].
#[derive(Debug, Clone, Default)]
pub struct GraphOptions {
    /// Extra glob patterns to ignore (`observer.watch.ignore`), relative to the project.
    pub ignore: Vec<String>,
    /// Where to keep the graph cache (`.perceo/cache`). Default: none, no cache.
    pub cache_dir: Option<PathBuf>,
    /// Keep each module's symbol table (for symbol precision). Default: false.
    pub symbols: bool,
}

impl GraphOptions {
    /// The options of a project whose `.perceo/` folder is `perceo_dir`: the cache in its
    /// `cache/`, and `ignore` (the project's `observer.watch.ignore`; bootstrapping uses none).
    pub fn for_project(perceo_dir: &std::path::Path, ignore: Vec<String>) -> GraphOptions {
        GraphOptions {
            ignore,
            cache_dir: Some(perceo_dir.join("cache")),
            symbols: false,
        }
    }
}

/// One resolved import edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// The other end (the imported file for forward edges, the importer for reverse ones).
    pub file: usize,
    /// How it is imported.
    pub kind: ImportKind,
    /// Type-only imports vanish at run time.
    pub type_only: bool,
    /// The import it comes from: its index in the importing file's imports
    /// ([`DependencyGraph::import_of`]); [`NO_IMPORT`] for auto-import edges.
    pub import: u32,
}

/// [`Edge::import`] of an edge no import statement makes (framework auto-imports).
pub const NO_IMPORT: u32 = u32::MAX;

/// An import that led nowhere.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unresolved {
    /// The importing file.
    pub file: String,
    /// The specifier as written.
    pub specifier: String,
}

/// How a graph was built: time per phase and what the cache saved.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct BuildStats {
    /// Milliseconds spent finding files.
    pub discover_ms: u64,
    /// Milliseconds spent reading and parsing (or validating cached parses).
    pub parse_ms: u64,
    /// Milliseconds spent resolving imports.
    pub resolve_ms: u64,
    /// Milliseconds spent finding routes in the file list.
    pub routes_ms: u64,
    /// Milliseconds the build spent on the graph cache write; the write itself runs on a
    /// thread of its own beside the rest of the analysis, so this is only its start.
    pub cache_write_ms: u64,
    /// Milliseconds spent assembling the graph's edges from the resolutions.
    pub assemble_ms: u64,
    /// Source files whose parse came from the cache.
    pub parses_cached: usize,
    /// Source files parsed now.
    pub parses_fresh: usize,
    /// Whether import resolutions came from the cache.
    pub resolution_cached: bool,
}

/// The dependency graph of a project.
#[derive(Debug, Default)]
pub struct DependencyGraph {
    pub(super) files: Vec<String>,
    pub(super) index: HashMap<String, usize>,
    pub(super) forward: Vec<Vec<Edge>>,
    pub(super) reverse: Vec<Vec<Edge>>,
    /// What each file offers and uses without imports (Nuxt), when collected.
    pub(super) auto: Vec<Option<AutoFacts>>,
    /// Each module's symbol table, when [`GraphOptions::symbols`] asks for them.
    symbols: Vec<Option<SymbolTable>>,
    /// The message keys each source file names, likewise.
    messages: Vec<Option<MessageUses>>,
    /// The API endpoint paths each source file calls.
    endpoints: Vec<Vec<String>>,
    /// The analytics events each source file fires.
    events: Vec<Vec<String>>,
    /// Whether symbol tables are kept (and so made again for changed files).
    wants_symbols: bool,
    /// The folders of the Nuxt apps (see [`super::nuxt::roots`]).
    pub(super) nuxt_roots: Vec<String>,
    externals: Vec<Vec<String>>,
    /// What each source file imports (kept for incremental updates).
    imports: Vec<Vec<Import>>,
    /// Imports that could not be resolved.
    pub unresolved: Vec<Unresolved>,
    /// Files that did not parse cleanly, with the first error.
    pub parse_errors: Vec<(String, String)>,
    /// Navigation targets per file (`<Link href>`, `router.push`, `redirect`, ...).
    pub navigations: Vec<(String, String)>,
    /// Config files (tsconfig, package.json) that could not be used, each with the problem;
    /// imports under them were resolved without them.
    pub config_problems: Vec<(String, String)>,
    /// How the graph was built.
    pub stats: BuildStats,
    /// The cache write this build started; dropping the graph waits for it, so that the
    /// cache is whole before the process ends.
    cache_write: Option<PendingWrite>,
}

/// What a build read and resolved, per file (parallel to `files`): the graph is assembled
/// from it and the cache written from it.
struct BuildParts {
    files: Vec<String>,
    /// Each source file's facts, and whether they came from the cache.
    parsed: Vec<Option<(CachedFacts, bool)>>,
    resolved: Vec<ResolvedImports>,
}

impl BuildParts {
    /// Writes the graph cache at `path` from these parts.
    fn save_cache(&self, path: &Path, file_set: u64, inputs: u64, config_problems: &[(String, String)]) -> Result<()> {
        let facts = self
            .files
            .iter()
            .zip(&self.parsed)
            .filter_map(|(f, p)| Some((f.as_str(), &p.as_ref()?.0)))
            .collect();
        let per_file = self
            .files
            .iter()
            .zip(&self.resolved)
            .filter(|(_, r)| !(r.edges.is_empty() && r.externals.is_empty() && r.unresolved.is_empty()))
            .map(|(f, r)| (f.as_str(), r))
            .collect();
        GraphCache::save(
            path,
            MapRef(facts),
            ResolutionRef {
                file_set,
                inputs,
                per_file: MapRef(per_file),
                config_problems,
            },
        )
    }
}

/// Name of the cache file inside the cache directory.
const CACHE_FILE: &str = "graph.bin";

fn elapsed_ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

/// Files whose content decides how specifiers resolve.
pub(crate) fn is_resolution_input(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "package.json"
        || name == "pnpm-workspace.yaml"
        || ((name.starts_with("tsconfig") || name.starts_with("jsconfig")) && name.ends_with(".json"))
}

impl DependencyGraph {
    /// Discovers, parses and resolves every module of the project at `project_dir`, reusing
    /// the cache in `options.cache_dir` for files whose content did not change.
    pub fn build(project_dir: &Path, options: &GraphOptions) -> Result<DependencyGraph> {
        // The resolver answers with canonical paths; the project directory must be one too.
        let project_dir = &std::fs::canonicalize(project_dir).map_err(|e| crate::error::Error::io(project_dir, e))?;
        let resolver = ModuleResolver::new(project_dir);
        Self::build_with(project_dir, options, &resolver)
    }

    /// Like [`DependencyGraph::build`] with a resolver the caller keeps (watch mode reuses it
    /// for [`DependencyGraph::apply_changes`]); `project_dir` must be canonical.
    pub fn build_with(
        project_dir: &Path,
        options: &GraphOptions,
        resolver: &ModuleResolver,
    ) -> Result<DependencyGraph> {
        let ignore = glob_set(&options.ignore, "observer.watch.ignore")?;
        let mut stats = BuildStats::default();

        let started = Instant::now();
        let mut files = discover_files(project_dir, project_dir, &ignore);
        for pkg in resolver.workspace_packages() {
            if !pkg.dir.starts_with(project_dir) {
                files.extend(discover_files(&pkg.dir, project_dir, &ignore));
            }
        }
        files.sort();
        files.dedup();
        stats.discover_ms = elapsed_ms(started);
        let nuxt_roots = nuxt::roots(project_dir, &files);

        let started = Instant::now();
        let cache_path = options.cache_dir.as_ref().map(|d| d.join(CACHE_FILE));
        let cache = cache_path.as_deref().map(GraphCache::load).unwrap_or_default();
        let parsed: Vec<Option<(CachedFacts, bool)>> = files
            .par_iter()
            .map(|rel| {
                if !is_source_path(rel) {
                    return None;
                }
                let path = absolute(project_dir, rel);
                let meta = std::fs::metadata(&path).ok()?;
                let mtime_ns = meta.modified().map(nanos).unwrap_or(0);
                // Cached facts do for a file of a Nuxt app only if they hold what it needs.
                let auto = nuxt::wants_facts(&nuxt_roots, rel);
                let wanted = Wanted {
                    auto,
                    symbols: options.symbols,
                };
                let usable = |hit: &&CachedFacts| {
                    let symbols =
                        hit.facts.messages.is_some() && (hit.facts.symbols.is_some() || !symbols::is_module_path(rel));
                    (!wanted.auto || hit.facts.auto.is_some()) && (!wanted.symbols || symbols)
                };
                if let Some(hit) = cache.unchanged(rel, meta.len(), mtime_ns).filter(usable) {
                    return Some((hit.clone(), true));
                }
                let text = std::fs::read_to_string(&path).ok()?;
                let hash = xxh3_64(text.as_bytes());
                if let Some(hit) = cache.same_content(rel, hash).filter(usable) {
                    return Some((
                        CachedFacts {
                            size: meta.len(),
                            mtime_ns,
                            ..hit.clone()
                        },
                        true,
                    ));
                }
                let facts = extract_wanted(rel, &text, wanted);
                Some((
                    CachedFacts {
                        size: meta.len(),
                        mtime_ns,
                        hash,
                        facts,
                    },
                    false,
                ))
            })
            .collect();
        stats.parses_cached = parsed.iter().flatten().filter(|(_, cached)| *cached).count();
        stats.parses_fresh = parsed.iter().flatten().filter(|(_, cached)| !*cached).count();
        stats.parse_ms = elapsed_ms(started);

        let started = Instant::now();
        let file_set = xxh3_64(files.join("\n").as_bytes());
        let mut inputs = Xxh3::new();
        for f in files.iter().filter(|f| is_resolution_input(f)) {
            inputs.update(f.as_bytes());
            inputs.update(&std::fs::read(absolute(project_dir, f)).unwrap_or_default());
        }
        for pkg in resolver.workspace_root_manifests() {
            inputs.update(&std::fs::read(pkg).unwrap_or_default());
        }
        let inputs = inputs.digest();
        let reusable = cache
            .resolution
            .as_ref()
            .filter(|r| r.file_set == file_set && r.inputs == inputs);
        let index: HashMap<String, usize> = files.iter().enumerate().map(|(i, f)| (f.clone(), i)).collect();
        let resolved: Vec<ResolvedImports> = files
            .par_iter()
            .zip(parsed.par_iter())
            .map_init(FolderMemo::default, |memo, (rel, entry)| {
                let Some((entry, cached)) = entry else {
                    return ResolvedImports::default();
                };
                if *cached && let Some(hit) = reusable.and_then(|r| r.per_file.get(rel)) {
                    return hit.clone();
                }
                resolve_file(
                    project_dir,
                    rel,
                    &entry.facts.imports,
                    &|t: &str| index.contains_key(t),
                    &files,
                    resolver,
                    memo,
                )
            })
            .collect();
        stats.resolution_cached = reusable.is_some() && stats.parses_fresh == 0;
        stats.resolve_ms = elapsed_ms(started);
        let mut config_problems: Vec<(String, String)> = resolver
            .config_problems()
            .into_iter()
            .map(|(file, problem)| {
                (
                    relative_path(project_dir, &file).unwrap_or_else(|| file.display().to_string()),
                    problem,
                )
            })
            .collect();
        if let Some(r) = reusable {
            config_problems.extend(r.config_problems.iter().cloned());
        }
        config_problems.sort();
        config_problems.dedup();

        // The cache is written on a thread of its own from the same parts the graph is
        // assembled from, while the analysis goes on (a later load waits for it).
        let started = Instant::now();
        let up_to_date = stats.resolution_cached && stats.parses_fresh == 0 && stats.parses_cached == cache.files.len();
        drop(cache);
        let mut parts = Arc::new(BuildParts {
            files: files.clone(),
            parsed,
            resolved,
        });
        let cache_write = cache_path.filter(|_| !up_to_date).map(|path| {
            let parts = Arc::clone(&parts);
            let config_problems = config_problems.clone();
            write_in_background(path.clone(), move || {
                // Only a cache: failing to write it must not fail the analysis.
                let _ = parts.save_cache(&path, file_set, inputs, &config_problems);
            })
        });
        stats.cache_write_ms = elapsed_ms(started);
        let started = Instant::now();
        // The graph takes the facts when no cache write shares them.
        let facts: Vec<Option<FileFacts>> = match Arc::get_mut(&mut parts) {
            Some(own) => std::mem::take(&mut own.parsed)
                .into_iter()
                .map(|p| p.map(|(c, _)| c.facts))
                .collect(),
            None => parts
                .parsed
                .iter()
                .map(|p| p.as_ref().map(|(c, _)| c.facts.clone()))
                .collect(),
        };
        let mut graph = Self::assemble(files, index, facts, &parts.resolved);
        graph.nuxt_roots = nuxt_roots;
        graph.wants_symbols = options.symbols;
        graph.link_auto_imports(project_dir);
        stats.assemble_ms = elapsed_ms(started);
        graph.stats = stats;
        graph.config_problems = config_problems;
        graph.cache_write = cache_write;
        Ok(graph)
    }

    fn assemble(
        files: Vec<String>,
        index: HashMap<String, usize>,
        facts: Vec<Option<FileFacts>>,
        resolved: &[ResolvedImports],
    ) -> DependencyGraph {
        let mut graph = DependencyGraph {
            forward: vec![Vec::new(); files.len()],
            reverse: vec![Vec::new(); files.len()],
            externals: vec![Vec::new(); files.len()],
            imports: vec![Vec::new(); files.len()],
            auto: vec![None; files.len()],
            symbols: vec![None; files.len()],
            messages: vec![None; files.len()],
            endpoints: vec![Vec::new(); files.len()],
            events: vec![Vec::new(); files.len()],
            ..Default::default()
        };
        for (i, r) in resolved.iter().enumerate() {
            let edges: Vec<Edge> = r
                .edges
                .iter()
                .filter_map(|(target, kind, type_only, import)| {
                    Some(Edge {
                        file: *index.get(target)?,
                        kind: *kind,
                        type_only: *type_only,
                        import: *import,
                    })
                })
                .collect();
            for e in &edges {
                graph.reverse[e.file].push(Edge { file: i, ..*e });
            }
            graph.forward[i] = edges;
            graph.externals[i] = r.externals.clone();
            graph.unresolved.extend(r.unresolved.iter().map(|specifier| Unresolved {
                file: files[i].clone(),
                specifier: specifier.clone(),
            }));
        }
        for (i, f) in facts.into_iter().enumerate() {
            let Some(mut f) = f else { continue };
            graph.imports[i] = std::mem::take(&mut f.imports);
            graph.auto[i] = f.auto.take();
            graph.symbols[i] = f.symbols.take();
            graph.messages[i] = f.messages.take();
            graph.endpoints[i] = std::mem::take(&mut f.endpoints);
            graph.events[i] = std::mem::take(&mut f.events);
            if let Some(err) = f.parse_errors.into_iter().next() {
                graph.parse_errors.push((files[i].clone(), err));
            }
            graph
                .navigations
                .extend(f.navigations.into_iter().map(|n| (files[i].clone(), n)));
        }
        graph.files = files;
        graph.index = index;
        graph
    }

    /// Applies changes to the files at `changed` (project-relative; created, modified or
    /// deleted) in place: changed sources are parsed again, their imports and those of
    /// files whose imports they may break or fix are resolved again. Returns how many files
    /// were parsed and resolved. Ids of deleted files are retired, never reused.
    pub fn apply_changes(
        &mut self,
        project_dir: &Path,
        resolver: &ModuleResolver,
        changed: &[String],
    ) -> (usize, usize) {
        let mut file_set_changed = false;
        let mut to_resolve: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
        let mut reparsed: HashMap<usize, FileFacts> = HashMap::new();
        for rel in changed {
            let path = absolute(project_dir, rel);
            let exists = path.is_file();
            match (self.index.get(rel).copied(), exists) {
                (known, true) => {
                    let id = known.unwrap_or_else(|| {
                        file_set_changed = true;
                        self.push_file(rel)
                    });
                    if is_source_path(rel) {
                        let text = std::fs::read_to_string(&path).unwrap_or_default();
                        let wanted = Wanted {
                            auto: nuxt::wants_facts(&self.nuxt_roots, rel),
                            symbols: self.wants_symbols,
                        };
                        reparsed.insert(id, extract_wanted(rel, &text, wanted));
                        to_resolve.insert(id);
                    }
                }
                (Some(id), false) => {
                    file_set_changed = true;
                    // Whoever imported it must be resolved again (its imports now break).
                    to_resolve.extend(self.reverse[id].iter().map(|e| e.file));
                    self.set_imports_of(id, Vec::new(), Vec::new());
                    self.imports[id].clear();
                    self.symbols[id] = None;
                    self.messages[id] = None;
                    self.endpoints[id].clear();
                    self.events[id].clear();
                    self.index.remove(rel);
                    self.forget_file_notes(rel);
                    to_resolve.remove(&id);
                }
                (None, false) => {}
            }
        }
        if file_set_changed {
            // A new file may satisfy imports that did not resolve before.
            resolver.clear_cache();
            to_resolve.extend(self.unresolved.iter().filter_map(|u| self.index.get(&u.file).copied()));
        }
        for (id, facts) in reparsed.iter_mut() {
            let rel = self.files[*id].clone();
            self.forget_file_notes(&rel);
            if let Some(err) = facts.parse_errors.first() {
                self.parse_errors.push((rel.clone(), err.clone()));
            }
            self.navigations
                .extend(facts.navigations.iter().map(|n| (rel.clone(), n.clone())));
            self.imports[*id] = std::mem::take(&mut facts.imports);
            self.auto[*id] = facts.auto.take();
            self.symbols[*id] = facts.symbols.take();
            self.messages[*id] = facts.messages.take();
            self.endpoints[*id] = std::mem::take(&mut facts.endpoints);
            self.events[*id] = std::mem::take(&mut facts.events);
        }
        for &id in &to_resolve {
            let rel = self.files[id].clone();
            let index = &self.index;
            let resolved = resolve_file(
                project_dir,
                &rel,
                &self.imports[id],
                &|t: &str| index.contains_key(t),
                &self.files,
                resolver,
                &mut FolderMemo::default(),
            );
            let edges: Vec<Edge> = resolved
                .edges
                .iter()
                .filter_map(|(target, kind, type_only, import)| {
                    Some(Edge {
                        file: *self.index.get(target)?,
                        kind: *kind,
                        type_only: *type_only,
                        import: *import,
                    })
                })
                .collect();
            self.unresolved.retain(|u| u.file != rel);
            self.unresolved
                .extend(resolved.unresolved.into_iter().map(|specifier| Unresolved {
                    file: rel.clone(),
                    specifier,
                }));
            self.set_imports_of(id, edges, resolved.externals);
        }
        if !self.nuxt_roots.is_empty() {
            self.link_auto_imports(project_dir);
        }
        (reparsed.len(), to_resolve.len())
    }

    fn push_file(&mut self, rel: &str) -> usize {
        let id = self.files.len();
        self.files.push(rel.to_string());
        self.index.insert(rel.to_string(), id);
        self.forward.push(Vec::new());
        self.reverse.push(Vec::new());
        self.externals.push(Vec::new());
        self.imports.push(Vec::new());
        self.auto.push(None);
        self.symbols.push(None);
        self.messages.push(None);
        self.endpoints.push(Vec::new());
        self.events.push(Vec::new());
        id
    }

    /// Replaces a file's forward edges, keeping the reverse edges in step.
    fn set_imports_of(&mut self, id: usize, edges: Vec<Edge>, externals: Vec<String>) {
        for old in std::mem::take(&mut self.forward[id]) {
            self.reverse[old.file].retain(|r| r.file != id);
        }
        for e in &edges {
            self.reverse[e.file].push(Edge { file: id, ..*e });
        }
        self.forward[id] = edges;
        self.externals[id] = externals;
    }

    fn forget_file_notes(&mut self, rel: &str) {
        self.parse_errors.retain(|(f, _)| f != rel);
        self.navigations.retain(|(f, _)| f != rel);
    }

    /// Files that currently exist (every file known at build time, plus files added by
    /// [`DependencyGraph::apply_changes`], minus those it saw deleted).
    pub fn live_files(&self) -> Vec<String> {
        let mut out: Vec<String> = self.index.keys().cloned().collect();
        out.sort();
        out
    }

    /// Every file the graph has known, project-relative; sorted as built (files added in
    /// watch mode come after).
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// The id of a project-relative file.
    pub fn id(&self, file: &str) -> Option<usize> {
        self.index.get(file).copied()
    }

    /// The path of a file id.
    pub fn path(&self, id: usize) -> &str {
        &self.files[id]
    }

    /// What a file imports.
    pub fn imports_of(&self, id: usize) -> &[Edge] {
        &self.forward[id]
    }

    /// Who imports a file.
    pub fn importers_of(&self, id: usize) -> &[Edge] {
        &self.reverse[id]
    }

    /// External packages a file imports.
    pub fn externals_of(&self, id: usize) -> &[String] {
        &self.externals[id]
    }

    /// The symbol table of a module, when the graph keeps them ([`GraphOptions::symbols`]).
    pub fn symbols_of(&self, id: usize) -> Option<&SymbolTable> {
        self.symbols.get(id)?.as_ref()
    }

    /// The message keys a source file names, when the graph keeps them.
    pub fn messages_of(&self, id: usize) -> Option<&MessageUses> {
        self.messages.get(id)?.as_ref()
    }

    /// Files whose message keys the graph keeps, with them.
    pub fn message_uses(&self) -> impl Iterator<Item = (usize, &MessageUses)> {
        self.messages
            .iter()
            .enumerate()
            .filter_map(|(i, m)| Some((i, m.as_ref()?)))
    }

    /// The files that call an endpoint `matches` accepts (see [`super::endpoints`]).
    pub fn endpoint_callers(&self, matches: impl Fn(&str) -> bool) -> Vec<usize> {
        (0..self.endpoints.len())
            .filter(|&i| self.endpoints[i].iter().any(|e| matches(e)))
            .collect()
    }

    /// The analytics events a source file fires (see [`super::events`]).
    pub fn events_of(&self, id: usize) -> &[String] {
        self.events.get(id).map_or(&[], Vec::as_slice)
    }

    /// The import an edge from `importer` comes from (`None` for auto-import edges).
    pub fn import_of(&self, importer: usize, edge: &Edge) -> Option<&Import> {
        self.imports.get(importer)?.get(edge.import as usize)
    }

    /// Number of resolved edges.
    pub fn edge_count(&self) -> usize {
        self.forward.iter().map(Vec::len).sum()
    }

    /// Number of parsed source modules.
    pub fn module_count(&self) -> usize {
        self.files.iter().filter(|f| is_source_path(f)).count()
    }

    /// The project directory's absolute form of a file.
    pub fn absolute(&self, project_dir: &Path, id: usize) -> PathBuf {
        absolute(project_dir, &self.files[id])
    }
}

mod linking;
#[cfg(test)]
mod tests;

#[cfg(test)]
use linking::template_matches;
use linking::{FolderMemo, resolve_file};
