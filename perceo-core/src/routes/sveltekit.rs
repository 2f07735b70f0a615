//! SvelteKit (`src/routes/`): `+page.svelte` pages with their `+page.ts` / `+page.server.ts`
//! data modules (a folder with load functions and no component is a page too), `+server.*` handlers, and `+layout.*` / `+error.svelte` files wrapping every
//! page beneath them. Only `+`-prefixed files take part in routing. A layout reset
//! (`+page@.svelte`, `+page@(group).svelte`, `+page@[id].svelte`) keeps only the layouts of
//! the named ancestor segment and above (`@` alone: the root's).

use super::paths::{Wrappers, is_group, pattern_of, segments, source_stem, split_dir, stem, under};
use super::{Route, RouteKind};

/// Directory of the routes.
const ROUTES_DIR: &str = "src/routes/";

/// The role of a `+` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// `+page.svelte` (also `+page@layout.svelte`).
    Page,
    /// `+page.ts` / `+page.server.ts`: load functions and actions of the page beside it.
    PageData,
    /// `+server.ts`.
    Handler,
    /// `+layout.svelte`, `+layout.ts`, `+layout.server.ts`, `+error.svelte`.
    Wrapper,
}

/// Classifies a file of the routes tree by its name.
fn role(name: &str) -> Option<Role> {
    if let Some(stem) = stem(name, &["svelte"]) {
        let base = stem.split_once('@').map_or(stem, |(base, _)| base);
        return match base {
            "+page" => Some(Role::Page),
            "+layout" | "+error" => Some(Role::Wrapper),
            _ => None,
        };
    }
    match source_stem(name)? {
        "+page" | "+page.server" => Some(Role::PageData),
        "+layout" | "+layout.server" => Some(Role::Wrapper),
        "+server" => Some(Role::Handler),
        _ => None,
    }
}

/// The segment a page's layout reset names (`+page@(app).svelte` → `(app)`, `+page@.svelte`
/// → the root, `""`), if it has one.
fn reset_target(file: &str) -> Option<&str> {
    let name = split_dir(file).1;
    let stem = stem(name, &["svelte"])?;
    stem.split_once('@').map(|(_, target)| target)
}

/// The folder (relative to the routes root) of the nearest ancestor of `dir` whose last
/// segment is `target`; the root when `target` is empty or not an ancestor.
fn reset_dir(dir: &str, target: &str) -> String {
    if target.is_empty() {
        return String::new();
    }
    let parts: Vec<&str> = segments(dir).collect();
    parts
        .iter()
        .rposition(|segment| *segment == target)
        .map(|at| parts[..=at].join("/"))
        .unwrap_or_default()
}

/// Routes of a SvelteKit project.
pub(super) fn discover(files: &[String]) -> Vec<Route> {
    let mut wrappers = Wrappers::default();
    let mut page_data = Vec::new();
    let mut defined = Vec::new();
    for (file, rel) in under(files, ROUTES_DIR) {
        let (dir, name) = split_dir(rel);
        match role(name) {
            Some(Role::Page) => defined.push((RouteKind::Page, dir, file)),
            Some(Role::Handler) => defined.push((RouteKind::Handler, dir, file)),
            Some(Role::PageData) => page_data.push((dir, file)),
            Some(Role::Wrapper) => wrappers.add(dir, file),
            None => {}
        }
    }
    page_data.sort();
    // A page with load functions only (`+page.server.ts` that redirects, say) is still a page
    // of its folder, as SvelteKit lists it: its file is the universal load, else the server one.
    let with_component: Vec<&str> = defined
        .iter()
        .filter(|(kind, _, _)| *kind == RouteKind::Page)
        .map(|(_, dir, _)| *dir)
        .collect();
    let mut data_only: Vec<(RouteKind, &str, &str)> = Vec::new();
    for (dir, file) in &page_data {
        if with_component.contains(dir) || data_only.iter().any(|(_, d, _)| d == dir) {
            continue;
        }
        let universal = page_data
            .iter()
            .find(|(d, f)| d == dir && !f.contains("+page.server."))
            .map(|(_, f)| *f);
        data_only.push((RouteKind::Page, dir, universal.unwrap_or(file)));
    }
    defined
        .into_iter()
        .chain(data_only)
        .map(|(kind, dir, file)| {
            let attached = match kind {
                RouteKind::Page => {
                    let beside = page_data
                        .iter()
                        .filter(|(data_dir, data)| *data_dir == dir && *data != file);
                    let mut attached = match reset_target(file) {
                        Some(target) => wrappers.around_up_to(dir, &reset_dir(dir, target)),
                        None => wrappers.around(dir),
                    };
                    attached.extend(beside.map(|(_, data)| (*data).to_owned()));
                    attached
                }
                RouteKind::Handler => Vec::new(),
            };
            Route {
                app: None,
                pattern: pattern_of(segments(dir).filter(|segment| !is_group(segment))),
                kind,
                file: file.to_owned(),
                attached,
            }
        })
        .collect()
}
