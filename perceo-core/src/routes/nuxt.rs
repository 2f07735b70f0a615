//! Nuxt: `pages/` (Nuxt 3) or `app/pages/` (Nuxt 4 source directory), plus Nitro server
//! routes in `server/api/` and `server/routes/`.
//!
//! `index` (a file or a folder) maps to its parent path, `[id]`, `[[id]]`, `[...slug]` and groups `(x)` follow the
//! file names. A page `parent.vue` beside a folder `parent/` is the parent route of the pages
//! in that folder (it renders them through `<NuxtPage>`), so it is attached to them; when the
//! folder has an `index` page, that index is the page of the URL and `parent.vue` only wraps.
//! `app.vue`, `error.vue` and `layouts/default.vue` are attached to every page; the other
//! layouts wrap the pages that name them in `definePageMeta`, which the dependency graph
//! links (`code::nuxt`), or every page when no page names them.

use std::collections::BTreeMap;

use super::paths::{SOURCE_EXTS, has_dir, is_group, pattern_of, segments, split_dir, stem, under};
use super::{Route, RouteKind};

/// HTTP method suffixes of server route files (`users.get.ts`).
const METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "connect", "trace",
];

/// Routes of a Nuxt project.
pub(super) fn discover(files: &[String]) -> Vec<Route> {
    let src = if has_dir(files, "app/pages/") { "app/" } else { "" };
    let mut routes = pages(files, src);
    routes.extend(server_routes(files, "server/api/", "api"));
    routes.extend(server_routes(files, "server/routes/", ""));
    routes
}

/// The name without extension of a page, layout or app component (`.vue` or a module).
fn component_stem(name: &str) -> Option<&str> {
    stem(name, &["vue"]).or_else(|| stem(name, SOURCE_EXTS))
}

/// Files wrapping every page: `app.vue`, `error.vue` and the default layout, in that order.
fn globals(files: &[String], src: &str) -> Vec<String> {
    let mut globals: Vec<String> = ["app", "error"]
        .iter()
        .filter_map(|wanted| {
            under(files, src).find(|(_, rel)| !rel.contains('/') && component_stem(rel) == Some(*wanted))
        })
        .map(|(file, _)| file.to_owned())
        .collect();
    // Other layouts wrap the pages that name them: the graph links them (auto-imports).
    let mut layouts: Vec<String> = under(files, &format!("{src}layouts/"))
        .filter(|(_, rel)| !rel.contains('/') && component_stem(rel) == Some("default"))
        .map(|(file, _)| file.to_owned())
        .collect();
    layouts.sort();
    globals.extend(layouts);
    globals
}

/// Pages under `{src}pages/`.
fn pages(files: &[String], src: &str) -> Vec<Route> {
    let globals = globals(files, src);
    // Route path without extension (`product/[id]`) → file.
    let mut pages = BTreeMap::new();
    for (file, rel) in under(files, &format!("{src}pages/")) {
        let (dir, name) = split_dir(rel);
        if let Some(stem) = component_stem(name) {
            let key = if dir.is_empty() {
                stem.to_owned()
            } else {
                format!("{dir}/{stem}")
            };
            pages.insert(key, file);
        }
    }
    pages
        .iter()
        .filter(|(key, _)| !pages.contains_key(&format!("{key}/index")))
        .map(|(key, file)| {
            let (dir, stem) = split_dir(key);
            let last = (stem != "index").then_some(stem);
            let mut attached = globals.clone();
            attached.extend(parents(&pages, dir).into_iter().map(str::to_owned));
            Route {
                app: None,
                // A folder named `index` adds no segment, as its file would not
                // (`@[account]/index/followers.vue` is `/@[account]/followers`).
                pattern: pattern_of(
                    segments(dir)
                        .filter(|segment| *segment != "index")
                        .chain(last)
                        .filter(|segment| !is_group(segment)),
                ),
                kind: RouteKind::Page,
                file: (*file).to_owned(),
                attached,
            }
        })
        .collect()
}

/// The parent page components of the pages in `dir` (`a.vue`, `a/b.vue` for `a/b/`),
/// outermost first.
fn parents<'a>(pages: &BTreeMap<String, &'a str>, dir: &str) -> Vec<&'a str> {
    let mut parents = Vec::new();
    let mut prefix = String::new();
    for segment in segments(dir) {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(segment);
        parents.extend(pages.get(&prefix).copied());
    }
    parents
}

/// Nitro handlers under `root` (ending with `/`), served below the URL prefix `mount`.
fn server_routes(files: &[String], root: &str, mount: &str) -> Vec<Route> {
    under(files, root)
        .filter_map(|(file, rel)| {
            let (dir, name) = split_dir(rel);
            let stem = stem(name, SOURCE_EXTS)?;
            let stem = match stem.rsplit_once('.') {
                Some((base, method)) if METHODS.contains(&method) => base,
                _ => stem,
            };
            let last = (stem != "index").then_some(stem);
            let url = segments(mount).chain(segments(dir)).chain(last);
            Some(Route {
                app: None,
                pattern: pattern_of(url),
                kind: RouteKind::Handler,
                file: file.to_owned(),
                attached: Vec::new(),
            })
        })
        .collect()
}
