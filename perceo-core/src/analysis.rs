//! The local Observer pipeline: build the dependency graph and routes of a project, and
//! map navigation edges to routes. Shared by `ci analyze`, `init` bootstrap and `routes`.

use std::collections::BTreeSet;
use std::path::Path;

use crate::code::resolve::ModuleResolver;
use crate::code::{DependencyGraph, GraphOptions};
use crate::config::Framework;
use crate::error::Result;
use crate::impact::search_pages_reaching;
use crate::project::detect_framework;
use crate::routes::{Route, RouteKind, discover_routes, match_route};

/// The static model of an app: its dependency graph and routes.
#[derive(Debug)]
pub struct AppModel {
    /// The framework used for routes.
    pub framework: Framework,
    /// The dependency graph.
    pub graph: DependencyGraph,
    /// The routes.
    pub routes: Vec<Route>,
    /// The monorepo's root relative to the project (`""`: the project itself, `../..`: two
    /// folders up); `None` outside a monorepo.
    pub workspace_root: Option<String>,
    /// The workspace packages' folders relative to the project (`../../packages/ui`).
    pub workspace_packages: Vec<String>,
}

impl AppModel {
    /// Builds the model of the project at `project_dir`; `framework` defaults to detection.
    pub fn build(project_dir: &Path, framework: Option<Framework>, options: &GraphOptions) -> Result<AppModel> {
        let project_dir = &std::fs::canonicalize(project_dir).map_err(|e| crate::error::Error::io(project_dir, e))?;
        Self::build_with(project_dir, framework, options, &ModuleResolver::new(project_dir))
    }

    /// Like [`AppModel::build`] with a resolver the caller keeps; `project_dir` must be canonical.
    pub fn build_with(
        project_dir: &Path,
        framework: Option<Framework>,
        options: &GraphOptions,
        resolver: &ModuleResolver,
    ) -> Result<AppModel> {
        let framework = framework.unwrap_or_else(|| detect_framework(project_dir).framework);
        let mut graph = DependencyGraph::build_with(project_dir, options, resolver)?;
        let started = std::time::Instant::now();
        let routes = discover_routes(framework, graph.files());
        graph.stats.routes_ms = started.elapsed().as_millis() as u64;
        let relative = |dir: &Path| {
            crate::code::discover::relative_path(project_dir, dir).map(|p| p.trim_end_matches('/').to_string())
        };
        Ok(AppModel {
            framework,
            graph,
            routes,
            workspace_root: resolver.workspace_root().and_then(relative),
            workspace_packages: resolver
                .workspace_packages()
                .iter()
                .filter_map(|p| relative(&p.dir))
                .collect(),
        })
    }

    /// Navigation edges between route patterns: `(from, to)` for every `<Link href>`,
    /// `router.push`, `redirect()` ... in a page or in a module a page imports.
    pub fn navigation_edges(&self) -> Vec<(String, String)> {
        // A page file stands for its page; a layout for every page it wraps.
        let mut page_of_file: std::collections::HashMap<usize, Vec<&str>> = std::collections::HashMap::new();
        for r in self.routes.iter().filter(|r| r.kind == RouteKind::Page) {
            for file in std::iter::once(&r.file).chain(&r.attached) {
                if let Some(id) = self.graph.id(file) {
                    page_of_file.entry(id).or_default().push(r.pattern.as_str());
                }
            }
        }
        let mut edges = BTreeSet::new();
        for (file, target) in &self.graph.navigations {
            let Some(to) = match_route(&self.routes, target) else {
                continue;
            };
            let Some(id) = self.graph.id(file) else { continue };
            for page in search_pages_reaching(&self.graph, id, &page_of_file) {
                edges.insert((page.to_string(), to.pattern.clone()));
            }
        }
        edges.into_iter().collect()
    }
}
