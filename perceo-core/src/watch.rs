//! Watch mode: keeps the app model in memory, applies each batch of file changes to it
//! incrementally and says which flows the batch affects.
//!
//! The file-system watching itself (notify with a debouncer) and the analysis of each batch
//! (the facade's impact stage, as for `ci analyze`) live in the facade
//! ([`crate::Perceo::watch`]); this module keeps the model and turns a batch of changed
//! paths into a [`ChangeSet`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use globset::GlobSet;

use crate::analysis::{AppModel, routes_of};
use crate::code::discover::{glob_set, relative_path};
use crate::code::graph::is_resolution_input;
use crate::code::imports::is_source_path;
use crate::code::resolve::ModuleResolver;
use crate::code::{DependencyGraph, GraphOptions};
use crate::config::{PERCEO_DIR, ProjectSettings};
use crate::error::Result;
use crate::flows::{FlowSet, load_flows};
use crate::git::{ChangeSet, ChangeStatus, FileChange};
use crate::impact::{ImpactReport, global_input_reason};

/// Directories whose changes never matter.
const SKIPPED: &[&str] = &[
    "node_modules",
    ".git",
    ".next",
    ".nuxt",
    ".svelte-kit",
    "dist",
    "build",
    "coverage",
];
/// Batches larger than this rebuild the graph (through the cache) instead of patching it.
const REBUILD_ABOVE: usize = 2000;

/// One analysed batch of changes.
#[derive(Debug)]
pub struct WatchBatch {
    /// The changed files (project-relative).
    pub changed: Vec<String>,
    /// The analysis of the batch.
    pub report: ImpactReport,
    /// Time from receiving the batch to the report.
    pub processing: Duration,
    /// Source files parsed again.
    pub reparsed: usize,
    /// Files whose imports were resolved again.
    pub reresolved: usize,
    /// Whether the whole graph was rebuilt (a resolution input changed, or a huge batch).
    pub rebuilt: bool,
}

/// A batch applied to the model: what changed, as a change set of the working tree.
#[derive(Debug)]
pub struct WatchUpdate {
    /// The changed files (project-relative).
    pub changed: Vec<String>,
    /// The changes that can matter to a flow (plain files nothing imports are left out).
    pub change_set: ChangeSet,
    /// Source files parsed again.
    pub reparsed: usize,
    /// Files whose imports were resolved again.
    pub reresolved: usize,
    /// Whether the whole graph was rebuilt.
    pub rebuilt: bool,
}

/// The in-memory state of watch mode.
pub struct Watcher {
    project_dir: PathBuf,
    project: ProjectSettings,
    options: GraphOptions,
    ignore: GlobSet,
    resolver: ModuleResolver,
    model: AppModel,
    flows: FlowSet,
}

impl Watcher {
    /// Builds the model of the project (using the graph cache).
    pub fn new(project_dir: &Path, project: &ProjectSettings, options: GraphOptions) -> Result<Watcher> {
        let project_dir = std::fs::canonicalize(project_dir).map_err(|e| crate::error::Error::io(project_dir, e))?;
        let ignore = glob_set(&options.ignore, "observer.watch.ignore")?;
        let resolver = ModuleResolver::new(&project_dir);
        let model = AppModel::build_with(&project_dir, project, &options, &resolver)?;
        let flows = load_flows(&project_dir)?;
        Ok(Watcher {
            project_dir,
            project: project.clone(),
            options,
            ignore,
            resolver,
            model,
            flows,
        })
    }

    /// The project directory (canonical).
    pub fn project_dir(&self) -> &Path {
        &self.project_dir
    }

    /// What to watch: the project root itself (not recursively, for root files such as
    /// package.json), each top-level directory recursively except node_modules, build output
    /// and VCS folders (inotify watches are a limited resource), and workspace packages that
    /// live outside the project. `paths` (from `observer.watch.paths`) narrows it down.
    pub fn watch_roots(&self, paths: &[String]) -> Vec<(PathBuf, bool)> {
        let mut roots = Vec::new();
        if !paths.is_empty() {
            roots.extend(paths.iter().map(|p| (self.project_dir.join(p), true)));
            roots.push((self.project_dir.join(PERCEO_DIR), true));
            return roots;
        }
        roots.push((self.project_dir.clone(), false));
        if let Ok(entries) = std::fs::read_dir(&self.project_dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if entry.file_type().is_ok_and(|t| t.is_dir()) && !SKIPPED.contains(&name.as_str()) {
                    roots.push((entry.path(), true));
                }
            }
        }
        for pkg in self.resolver.workspace_packages() {
            if !pkg.dir.starts_with(&self.project_dir) {
                roots.push((pkg.dir.clone(), true));
            }
        }
        roots
    }

    /// The model as it stands.
    pub fn model(&self) -> &AppModel {
        &self.model
    }

    /// The project-relative paths of `paths` that can matter: inside the project, not in
    /// node_modules, build output or `.git`, not ignored; editor temp files (`~`, `.swp`)
    /// are dropped unless the graph knows them.
    pub fn relevant(&self, paths: &[PathBuf]) -> Vec<String> {
        let graph = &self.model.graph;
        let mut out: Vec<String> = paths
            .iter()
            .filter(|p| !p.is_dir())
            .filter_map(|p| relative_path(&self.project_dir, p))
            .filter(|rel| !rel.is_empty())
            // A removed directory stands for the known files under it.
            .flat_map(|rel| {
                if graph.id(&rel).is_none() && !self.project_dir.join(&rel).exists() {
                    let prefix = format!("{rel}/");
                    let under: Vec<String> = graph
                        .live_files()
                        .into_iter()
                        .filter(|f| f.starts_with(&prefix))
                        .collect();
                    if !under.is_empty() {
                        return under;
                    }
                }
                vec![rel]
            })
            .filter(|rel| !rel.starts_with("../") || self.model.graph.id(rel).is_some())
            .filter(|rel| !rel.split('/').any(|part| SKIPPED.contains(&part)))
            .filter(|rel| !self.ignore.is_match(rel))
            .filter(|rel| {
                let name = rel.rsplit('/').next().unwrap_or(rel);
                let temp =
                    name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".tmp") || name.starts_with(".#");
                let perceo = rel.starts_with(&format!("{PERCEO_DIR}/"));
                let cache = rel.starts_with(&format!("{PERCEO_DIR}/cache")) || rel.contains("graph.db");
                (!temp || self.model.graph.id(rel).is_some())
                    && !cache
                    && (!perceo || rel.contains("/flows/") || rel.contains("/personas/"))
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The flows, read again when a file under `.perceo/` changes.
    pub fn flows(&self) -> &FlowSet {
        &self.flows
    }

    /// Applies a batch of changed paths (project-relative) to the model: what the batch
    /// changed, for the analysis. The merge base of the change set is `WORKTREE`; the caller
    /// may set the commit the working tree is on.
    pub fn apply(&mut self, changed: &[String]) -> Result<WatchUpdate> {
        let before: Vec<bool> = changed.iter().map(|c| self.model.graph.id(c).is_some()).collect();
        let rebuild = changed.len() > REBUILD_ABOVE || changed.iter().any(|c| is_resolution_input(c));
        let (mut reparsed, mut reresolved) = (0, 0);
        if rebuild {
            self.resolver = ModuleResolver::new(&self.project_dir);
            self.model = AppModel::build_with(&self.project_dir, &self.project, &self.options, &self.resolver)?;
        } else {
            (reparsed, reresolved) = self
                .model
                .graph
                .apply_changes(&self.project_dir, &self.resolver, changed);
            let added_or_removed = changed
                .iter()
                .zip(&before)
                .any(|(c, known)| *known != self.model.graph.id(c).is_some());
            if added_or_removed || changed.iter().any(|c| crate::routes::is_route_config(c)) {
                let read = crate::analysis::project_reader(&self.project_dir);
                let found = routes_of(
                    self.model.framework,
                    &self.model.apps,
                    &self.model.graph.live_files(),
                    &read,
                );
                self.model.routes = found.routes;
                self.model.route_warnings = found.warnings;
                self.model.route_configs = found.configs;
            }
        }
        if changed.iter().any(|c| c.starts_with(&format!("{PERCEO_DIR}/"))) {
            self.flows = load_flows(&self.project_dir)?;
        }
        let changes: Vec<FileChange> = changed
            .iter()
            .zip(&before)
            .filter_map(|(path, known)| {
                let exists = self.project_dir.join(path).exists();
                let status = match (known, exists) {
                    (_, false) => ChangeStatus::Deleted,
                    (true, true) => ChangeStatus::Modified,
                    (false, true) => ChangeStatus::Added,
                };
                // Plain non-source files the app does not import cannot affect a flow.
                let matters = is_source_path(path)
                    || self.model.graph.id(path).is_some()
                    || *known
                    || global_input_reason(path, self.model.workspace_root.as_deref()).is_some()
                    || path.starts_with(&format!("{PERCEO_DIR}/"))
                    || self
                        .flows
                        .flows
                        .iter()
                        .any(|f| f.tests.as_ref().is_some_and(|t| t.specs.contains(path)));
                matters.then(|| FileChange {
                    path: path.clone(),
                    status,
                    old_path: None,
                    additions: 0,
                    deletions: 0,
                })
            })
            .collect();
        let change_set = ChangeSet {
            base_sha: "WORKTREE".into(),
            head_sha: "WORKTREE".into(),
            merge_base: "WORKTREE".into(),
            changes,
            warnings: Vec::new(),
        };
        Ok(WatchUpdate {
            changed: changed.to_vec(),
            change_set,
            reparsed,
            reresolved,
            rebuilt: rebuild,
        })
    }

    /// Rebuilds the dependency graph from scratch (through the cache).
    pub fn rebuild(&mut self) -> Result<()> {
        self.model.graph = DependencyGraph::build_with(&self.project_dir, &self.options, &self.resolver)?;
        Ok(())
    }
}
