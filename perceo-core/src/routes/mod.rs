//! Framework route discovery: which files are pages, which files belong to every page
//! beneath them (layouts, templates, `_app`, ...), and matching of navigation targets.
//!
//! Input is the list of project-relative source paths (with `/` separators). Only
//! [`discover_routes_with`] reads files, through a reader it is given, and only a React Router
//! route config (`app/routes.ts`) and `react-router.config.*`.
//!
//! Conventions covered:
//!
//! - **Next.js app router** (`app/` or `src/app/`): `page.*` pages, `route.*` handlers, route
//!   groups, dynamic / catch-all / optional catch-all segments, parallel `@slot`s,
//!   intercepting `(.)`/`(..)`/`(...)` segments, private `_folders`, and the layout, template,
//!   loading, error, not-found and default files that wrap a page.
//! - **Next.js pages router** (`pages/` or `src/pages/`): every module is a page, `pages/api/**`
//!   are handlers, `_app`/`_document`/`_error` wrap every page.
//! - **React Router v7 route configs** (`app/routes.ts`, the app directory taken from a literal
//!   `appDirectory` of `react-router.config.*`): `route`, `index`, `layout`, `prefix`, arrays,
//!   spreads, `const` arrays of the file, `satisfies` / `as` / `await`; `flatRoutes()` of
//!   `@react-router/fs-routes` (literal `rootDirectory`, `ignoredRouteFiles`); and
//!   `remixRoutesOptionAdapter(d => flatRoutes('routes', d, …))` with `remix-flat-routes`
//!   (its hybrid `+` folders); `autoRoutes()` of `react-router-auto-routes` (literal
//!   `routesDir`, `ignoredRouteFiles`). Parent routes and layouts, and `app/root.*`, wrap their
//!   pages.
//! - **Remix v2 / React Router v7 flat routes** (`app/routes/`) when there is no route config
//!   (or it cannot be read), with `app/root.*` wrapping every page.
//! - **SvelteKit** (`src/routes/`): `+page.svelte`, `+server.*`, `+layout.*`, `+error.svelte`.
//! - **Nuxt** (`pages/` or Nuxt 4 `app/pages/`), `server/api/**` and `server/routes/**`.
//!
//! Patterns keep each framework's own notation (`/product/[id]`, `/product/$id`,
//! `/documents/:id`), since flow files copy route patterns as the framework writes them: routes
//! from a React Router route config use React Router's (`:id`, `:lang?`, `*`, `en?`), the
//! flat-routes fallback keeps the file names' (`$id`, `($lang)`, `$`). The matcher understands
//! all of them.
//!
//! Limitations: a route config is read, never run. Imported helpers, computed paths or file
//! names, function calls other than the ones above, remix-flat-routes options other than
//! `appDir` / `ignoredRouteFiles` (a custom `routeRegex`, `basePath`, `paramPrefixChar`, …),
//! Remix's `defineRoutes` callbacks, and a non-literal `appDirectory` are not evaluated: what
//! they add is left out (or `app` assumed) and a warning names the file, the line and the
//! construct ([`RouteDiscovery::warnings`], shown by `perceo routes` and in the analysis
//! report's warnings). A config with no readable default export falls back to flat routes, with
//! a warning. Route `id`s and `caseSensitive` are ignored; `.md` / `.mdx` route modules are not
//! in the source file list, so conventions that find files (flat routes) do not see them.
//! Other route packages (`remix-custom-routes`, `remix-routes-config`, …) are calls Perceo does
//! not know: warned about (flat routes assumed when the whole config is one). A Remix
//! resource route (no default export) is reported as a page. SvelteKit layout resets on pages
//! (`+page@.svelte`) are understood; on layouts (`+layout@.svelte`) they are not.

mod auto_routes;
mod flat_routes;
mod matcher;
mod next;
mod nuxt;
mod paths;
mod react_router;
mod remix;
mod sveltekit;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_react_router;

use crate::config::Framework;

/// What a route serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteKind {
    /// A page a user navigates to.
    Page,
    /// An API / route handler (`route.ts`, `pages/api/*`, Remix resource route, `+server.ts`).
    Handler,
}

/// One route of the application.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    /// The app of a multi-app project (`project.apps`) the route belongs to; `None` when the
    /// project is one app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// URL pattern as the framework writes it: `/product/[id]`, `/blog/[...slug]`,
    /// `/docs/[[...slug]]`; route groups `(shop)` removed; parallel `@slot` segments removed.
    pub pattern: String,
    /// Page or handler.
    pub kind: RouteKind,
    /// The file that defines the route (project-relative, `/` separators).
    pub file: String,
    /// Files that belong to this route because they wrap it: layouts, templates, loading,
    /// error and not-found files above it, `_app`/`_document`, Remix `root.tsx`, SvelteKit
    /// `+layout.*`, Nuxt `app.vue`/`layouts/*` (project-relative).
    pub attached: Vec<String>,
}

/// Finds the routes of a project from its source file list.
///
/// `files` are project-relative paths with `/` separators, in any order; files that are not
/// part of the framework's routing are ignored. Frameworks without file-based routing
/// (Angular, Vue, React, unknown) have no routes. The result is sorted by pattern, then file;
/// each route's `attached` files are listed outermost first.
///
/// No file is read: a React Router `app/routes.ts` is not evaluated (see
/// [`discover_routes_with`], which reads it).
pub fn discover_routes(framework: Framework, files: &[String]) -> Vec<Route> {
    discover_routes_with(framework, files, &|_| None).routes
}

/// The routes of a project and the problems met finding them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteDiscovery {
    /// The routes, as [`discover_routes`] orders them.
    pub routes: Vec<Route>,
    /// What could not be understood, each naming the file and line (`app/routes.ts:12: the
    /// call … is not understood; its routes are left out`); the routes around it are kept.
    pub warnings: Vec<String>,
    /// The route config files the routes were read from (`app/routes.ts`, project-relative):
    /// a change to one can move every page.
    pub configs: Vec<String>,
}

/// Like [`discover_routes`], reading the files a framework configures its routes in with
/// `read` (project-relative path to content; `None` when unreadable): for React Router /
/// Remix, `react-router.config.*` and the route config `app/routes.ts`, evaluated
/// statically. Without a route config the flat-routes convention of `app/routes/` applies.
pub fn discover_routes_with(
    framework: Framework,
    files: &[String],
    read: &dyn Fn(&str) -> Option<String>,
) -> RouteDiscovery {
    let mut warnings = Vec::new();
    let mut configs = Vec::new();
    let mut routes = match framework {
        Framework::Nextjs => next::discover(files),
        Framework::Remix | Framework::ReactRouter => match react_router::discover(files, read, &mut warnings) {
            Some((routes, config)) => {
                configs.push(config);
                routes
            }
            None => remix::discover(files),
        },
        Framework::Sveltekit => sveltekit::discover(files),
        Framework::Nuxt => nuxt::discover(files),
        Framework::Vue | Framework::Angular | Framework::React | Framework::Unknown => Vec::new(),
    };
    routes.sort_by(|a, b| (&a.pattern, &a.file).cmp(&(&b.pattern, &b.file)));
    RouteDiscovery {
        routes,
        warnings,
        configs,
    }
}

/// Whether a project-relative path may be a file [`discover_routes_with`] reads: a React
/// Router route config (`routes.*`) or `react-router.config.*`. Watchers rediscover routes
/// when one changes.
pub fn is_route_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    stem == "routes" || stem == "react-router.config"
}

/// Matches a navigation target (`/product/42`, `/product/${id}`, `/cart?x=1#top`) to the
/// pattern of the route it reaches, if any.
///
/// Only [`RouteKind::Page`] routes are considered. The query string, hash and a trailing slash
/// are ignored; only absolute paths match (`https://…`, `mailto:`, `#top` and relative paths
/// give `None`). A template-literal placeholder `${…}` stands for one unknown segment and only
/// matches a dynamic or catch-all segment. When several patterns match, static segments beat
/// dynamic ones, which beat catch-alls (compared segment by segment from the left); remaining
/// ties go to the pattern with fewer segments, then to the shorter file path (so a page beats
/// the intercepting route that shares its pattern), then to the earlier route.
pub fn match_route<'r>(routes: &'r [Route], href: &str) -> Option<&'r Route> {
    let target = matcher::href_segments(href)?;
    routes
        .iter()
        .filter(|route| route.kind == RouteKind::Page)
        .filter_map(|route| {
            let pattern = matcher::parse_pattern(&route.pattern);
            let ranks = matcher::rank(&pattern, &target)?;
            Some(((std::cmp::Reverse(ranks), pattern.len(), route.file.len()), route))
        })
        .min_by(|(a, _), (b, _)| a.cmp(b))
        .map(|(_, route)| route)
}

/// The pattern among `patterns` that `href` reaches best (same ranking as [`match_route`]:
/// static segments beat dynamic ones, which beat catch-alls; then fewer segments), if any.
/// Analytics uses it to map a production page path (`/product/42`) onto a flow's page.
pub fn best_pattern<'p>(patterns: impl IntoIterator<Item = &'p str>, href: &str) -> Option<&'p str> {
    let target = matcher::href_segments(href)?;
    patterns
        .into_iter()
        .filter_map(|p| {
            let pattern = matcher::parse_pattern(p);
            let ranks = matcher::rank(&pattern, &target)?;
            Some(((std::cmp::Reverse(ranks), pattern.len()), p))
        })
        .min_by(|(a, _), (b, _)| a.cmp(b))
        .map(|(_, p)| p)
}

/// Whether `href` reaches the URL `pattern` (see [`match_route`] for the rules), ignoring
/// which other routes could match it better.
pub fn pattern_matches(pattern: &str, href: &str) -> bool {
    matcher::href_segments(href)
        .is_some_and(|target| matcher::rank(&matcher::parse_pattern(pattern), &target).is_some())
}
