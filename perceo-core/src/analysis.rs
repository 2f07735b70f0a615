//! The local Observer pipeline: build the dependency graph and routes of a project, and
//! map navigation edges to routes. Shared by `ci analyze`, `init` bootstrap and `routes`.

use std::collections::BTreeSet;
use std::path::Path;

use crate::code::resolve::ModuleResolver;
use crate::code::{DependencyGraph, GraphOptions};
use crate::config::{AppSettings, Framework, ProjectSettings};
use crate::error::Result;
use crate::impact::search_pages_reaching;
use crate::project::detect_framework;
use crate::routes::{Route, RouteDiscovery, RouteKind, discover_routes_with, match_route};

/// The static model of an app: its dependency graph and routes.
#[derive(Debug)]
pub struct AppModel {
    /// The framework used for routes.
    pub framework: Framework,
    /// The dependency graph.
    pub graph: DependencyGraph,
    /// The routes (of every app, each route naming its app, when there are several).
    pub routes: Vec<Route>,
    /// What route discovery could not understand (a React Router `app/routes.ts` construct),
    /// each naming its file (project-relative); reported with the analysis' warnings.
    pub route_warnings: Vec<String>,
    /// The route config files routes were read from (a React Router `app/routes.ts`,
    /// project-relative); a change to one is global to its app.
    pub route_configs: Vec<String>,
    /// The apps of a multi-app project (`project.apps`, frameworks detected where not
    /// given); empty when the project is one app.
    pub apps: Vec<AppSettings>,
    /// The monorepo's root relative to the project (`""`: the project itself, `../..`: two
    /// folders up); `None` outside a monorepo.
    pub workspace_root: Option<String>,
    /// The workspace packages' folders relative to the project (`../../packages/ui`).
    pub workspace_packages: Vec<String>,
    /// The project's folder relative to the monorepo's root (`apps/web`, `""` at the root);
    /// `None` outside a monorepo.
    pub project_in_workspace: Option<String>,
}

impl AppModel {
    /// Builds the model of the project at `project_dir`; `framework` defaults to detection.
    pub fn build(project_dir: &Path, framework: Option<Framework>, options: &GraphOptions) -> Result<AppModel> {
        let project = ProjectSettings {
            framework,
            ..ProjectSettings::default()
        };
        Self::build_project(project_dir, &project, options)
    }

    /// Builds the model of the project at `project_dir` as its settings describe it: one
    /// app (`project.framework`, default detected), or the apps of `project.apps`.
    pub fn build_project(project_dir: &Path, project: &ProjectSettings, options: &GraphOptions) -> Result<AppModel> {
        let project_dir = &std::fs::canonicalize(project_dir).map_err(|e| crate::error::Error::io(project_dir, e))?;
        Self::build_with(project_dir, project, options, &ModuleResolver::new(project_dir))
    }

    /// Like [`AppModel::build_project`] with a resolver the caller keeps; `project_dir` must
    /// be canonical.
    pub fn build_with(
        project_dir: &Path,
        project: &ProjectSettings,
        options: &GraphOptions,
        resolver: &ModuleResolver,
    ) -> Result<AppModel> {
        let framework = project
            .framework
            .unwrap_or_else(|| detect_framework(project_dir).framework);
        let apps: Vec<AppSettings> = project
            .apps
            .iter()
            .map(|a| AppSettings {
                framework: Some(
                    a.framework
                        .unwrap_or_else(|| detect_framework(&project_dir.join(&a.path)).framework),
                ),
                ..a.clone()
            })
            .collect();
        let mut graph = DependencyGraph::build_with(project_dir, options, resolver)?;
        let started = std::time::Instant::now();
        let found = routes_of(framework, &apps, graph.files(), &project_reader(project_dir));
        graph.stats.routes_ms = started.elapsed().as_millis() as u64;
        let relative = |dir: &Path| {
            crate::code::discover::relative_path(project_dir, dir).map(|p| p.trim_end_matches('/').to_string())
        };
        Ok(AppModel {
            framework,
            graph,
            routes: found.routes,
            route_warnings: found.warnings,
            route_configs: found.configs,
            apps,
            workspace_root: resolver.workspace_root().and_then(relative),
            project_in_workspace: resolver
                .workspace_root()
                .and_then(|root| crate::code::discover::relative_path(root, project_dir)),
            workspace_packages: resolver
                .workspace_packages()
                .iter()
                .filter_map(|p| relative(&p.dir))
                .collect(),
        })
    }

    /// The analysis input for `changes` over this model: its graph, routes, apps and
    /// workspace layout, with the flows and options the caller gives.
    pub fn impact_input<'a>(
        &'a self,
        changes: &'a crate::git::ChangeSet,
        flows: &'a crate::flows::FlowSet,
        on_empty: crate::impact::OnEmpty,
        manifests: &'a [crate::impact::ManifestChange],
        dependencies: &'a crate::impact::DependencyRules,
    ) -> crate::impact::ImpactInput<'a> {
        crate::impact::ImpactInput {
            changes,
            graph: &self.graph,
            routes: &self.routes,
            route_warnings: &self.route_warnings,
            route_configs: &self.route_configs,
            flows,
            on_empty,
            manifests,
            workspace_root: self.workspace_root.as_deref(),
            workspace_packages: &self.workspace_packages,
            apps: &self.apps,
            project_in_workspace: self.project_in_workspace.as_deref(),
            dependencies,
            symbols: None,
            removed_events: None,
        }
    }

    /// The app a project-relative path belongs to, with the path relative to that app (for
    /// a project of one app: `None` and the path itself).
    pub fn app_of<'p>(&self, path: &'p str) -> (Option<&AppSettings>, &'p str) {
        AppSettings::app_of(&self.apps, path)
    }

    /// Navigation edges between route patterns: `(from, to)` for every `<Link href>`,
    /// `router.push`, `redirect()` ... in a page or in a module a page imports.
    pub fn navigation_edges(&self) -> Vec<(String, String)> {
        self.navigation_edges_of(&self.routes)
    }

    /// The routes and navigation edges of one app of a multi-app project (`None`: every
    /// route), for bootstrapping that app's flows.
    pub fn app_routes(&self, app: Option<&str>) -> (Vec<Route>, Vec<(String, String)>) {
        let routes: Vec<Route> = self
            .routes
            .iter()
            .filter(|r| app.is_none() || r.app.as_deref() == app)
            .cloned()
            .collect();
        let edges = self.navigation_edges_of(&routes);
        (routes, edges)
    }

    fn navigation_edges_of(&self, routes: &[Route]) -> Vec<(String, String)> {
        // A page file stands for its page; a layout for every page it wraps.
        let mut page_of_file: std::collections::HashMap<usize, Vec<&str>> = std::collections::HashMap::new();
        for r in routes.iter().filter(|r| r.kind == RouteKind::Page) {
            for file in std::iter::once(&r.file).chain(&r.attached) {
                if let Some(id) = self.graph.id(file) {
                    page_of_file.entry(id).or_default().push(r.pattern.as_str());
                }
            }
        }
        let mut edges = BTreeSet::new();
        for (file, target) in &self.graph.navigations {
            let Some(to) = match_route(routes, target) else {
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

/// Reads a project-relative file of the project at `project_dir` (for route configs).
pub fn project_reader(project_dir: &Path) -> impl Fn(&str) -> Option<String> + '_ {
    move |path: &str| std::fs::read_to_string(project_dir.join(path)).ok()
}

/// The routes of a project: those of its one app, or of each app of `project.apps`
/// (found in the app's folder, files kept project-relative, each route naming its app), and
/// the warnings and route configs of their discovery (paths project-relative). `read` reads a
/// project-relative file (a React Router `app/routes.ts`, see [`discover_routes_with`]).
pub fn routes_of(
    framework: Framework,
    apps: &[AppSettings],
    files: &[String],
    read: &dyn Fn(&str) -> Option<String>,
) -> RouteDiscovery {
    if apps.is_empty() {
        return discover_routes_with(framework, files, read);
    }
    let mut all = RouteDiscovery::default();
    for app in apps {
        let prefix = format!("{}/", app.path.trim_matches('/'));
        let inside: Vec<String> = files
            .iter()
            .filter_map(|f| f.strip_prefix(&prefix).map(String::from))
            .collect();
        let read_inside = |path: &str| read(&format!("{prefix}{path}"));
        let found = discover_routes_with(app.framework.unwrap_or(Framework::Unknown), &inside, &read_inside);
        all.warnings
            .extend(found.warnings.into_iter().map(|w| format!("{prefix}{w}")));
        all.configs
            .extend(found.configs.into_iter().map(|c| format!("{prefix}{c}")));
        for mut route in found.routes {
            route.file = format!("{prefix}{}", route.file);
            for a in &mut route.attached {
                *a = format!("{prefix}{a}");
            }
            route.app = Some(app.name.clone());
            all.routes.push(route);
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_app_reads_its_own_route_config_and_warnings_name_the_project_path() {
        let files: Vec<String> = [
            "apps/shop/app/routes.ts",
            "apps/shop/app/root.tsx",
            "apps/shop/app/home.tsx",
            "apps/shop/app/cart.tsx",
        ]
        .iter()
        .map(|f| (*f).to_owned())
        .collect();
        let read = |path: &str| {
            (path == "apps/shop/app/routes.ts").then(|| {
                r#"import { index, route } from "@react-router/dev/routes";
export default [index("home.tsx"), route("cart", "cart.tsx"), ...more()];"#
                    .to_owned()
            })
        };
        let apps = [AppSettings {
            name: "shop".into(),
            path: "apps/shop".into(),
            framework: Some(Framework::ReactRouter),
        }];
        let found = routes_of(Framework::Unknown, &apps, &files, &read);
        let (routes, warnings) = (&found.routes, &found.warnings);
        assert_eq!(found.configs, ["apps/shop/app/routes.ts"]);
        let found: Vec<(&str, &str, Option<&str>)> = routes
            .iter()
            .map(|r| (r.pattern.as_str(), r.file.as_str(), r.app.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                ("/", "apps/shop/app/home.tsx", Some("shop")),
                ("/cart", "apps/shop/app/cart.tsx", Some("shop"))
            ]
        );
        assert_eq!(routes[1].attached, ["apps/shop/app/root.tsx"]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("apps/shop/app/routes.ts:2: the call `more()`"),
            "{warnings:?}"
        );
    }
}
