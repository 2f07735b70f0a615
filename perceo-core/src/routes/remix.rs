//! Remix v2 flat routes (`app/routes/`), also used by React Router v7 framework mode through
//! `@react-router/fs-routes`.
//!
//! A route name is split into segments at `.` (except inside `[...]` escapes):
//! `_index` is an index route, a leading `_` makes a pathless layout segment, a trailing `_`
//! opts out of nesting under the route of the same name, `$id` is a parameter, `$` a splat,
//! `(x)` an optional segment. `app/routes/x.y/route.tsx` (or `index.tsx`) counts as the route
//! `x.y`. A route's parent is the route whose name is its longest segment prefix; parent route
//! modules and `app/root.*` wrap their children.
//!
//! Every route module is reported as a page: whether one is a resource route (no default
//! export) is only known by reading it. `.server.*` / `.client.*` modules are not routes.

use std::collections::BTreeMap;

use super::paths::{glob_set, pattern_of, source_stem, split_dir, under};
use super::react_router::Entry;
use super::{Route, RouteKind};

/// Directory of the flat routes.
const ROUTES_DIR: &str = "app/routes/";

/// Routes of a Remix / React Router project.
pub(super) fn discover(files: &[String]) -> Vec<Route> {
    let modules = route_modules(files, ROUTES_DIR, &[]);
    let root = root_module(files);
    modules
        .iter()
        .filter(|(name, _)| is_page(&modules, name))
        .map(|(name, file)| {
            let mut attached: Vec<String> = root.iter().map(|root| (*root).to_owned()).collect();
            attached.extend(ancestors(&modules, name).into_iter().map(|file| file.to_owned()));
            Route {
                app: None,
                pattern: pattern_of(segments(name).into_iter().filter_map(url_segment)),
                kind: RouteKind::Page,
                file: (*file).to_owned(),
                attached,
            }
        })
        .collect()
}

/// `app/root.*`, which wraps every route.
fn root_module(files: &[String]) -> Option<&str> {
    files.iter().map(String::as_str).find(|file| {
        let (dir, name) = split_dir(file);
        dir == "app" && source_stem(name) == Some("root")
    })
}

/// Route modules by route name (`blog.$slug`): files directly in `app/routes/`, and the
/// `route.*` (else `index.*`) file of a folder there.
fn route_modules<'f>(files: &'f [String], routes_dir: &str, ignored: &[String]) -> BTreeMap<&'f str, &'f str> {
    let mut modules = BTreeMap::new();
    let mut folder_indexes = Vec::new();
    let ignored = glob_set(ignored);
    for (file, rel) in under(files, routes_dir) {
        if ignored.is_match(rel) {
            continue;
        }
        let (folder, name) = split_dir(rel);
        let Some(stem) = source_stem(name) else {
            continue;
        };
        if folder.is_empty() {
            if !stem.ends_with(".server") && !stem.ends_with(".client") {
                modules.insert(stem, file);
            }
        } else if !folder.contains('/') {
            match stem {
                "route" => {
                    modules.insert(folder, file);
                }
                "index" => folder_indexes.push((folder, file)),
                _ => {}
            }
        }
    }
    for (folder, file) in folder_indexes {
        modules.entry(folder).or_insert(file);
    }
    modules
}

/// Splits a route name at the dots that are not inside a `[...]` escape.
fn segments(name: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    let mut escaped = false;
    let mut start = 0;
    for (index, character) in name.char_indices() {
        match character {
            '[' => escaped = true,
            ']' => escaped = false,
            '.' if !escaped => {
                segments.push(&name[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    segments.push(&name[start..]);
    segments
}

/// The URL segment a name segment contributes: none for `_index` and pathless `_layout`
/// segments; otherwise the segment with escapes resolved and a trailing `_` removed.
fn url_segment(segment: &str) -> Option<String> {
    if segment.starts_with('_') {
        return None;
    }
    let mut url = String::new();
    let mut escaped = false;
    let mut trailing_underscore = false;
    for character in segment.chars() {
        trailing_underscore = false;
        match character {
            '[' if !escaped => escaped = true,
            ']' if escaped => escaped = false,
            '_' if !escaped => {
                trailing_underscore = true;
                url.push('_');
            }
            other => url.push(other),
        }
    }
    if trailing_underscore {
        url.pop();
    }
    Some(url)
}

/// Whether a route is a page of its own: pathless layouts (`_auth`) are not, nor is a route
/// whose index child (`blog._index`) renders at the same URL inside it.
fn is_page(modules: &BTreeMap<&str, &str>, name: &str) -> bool {
    let last = segments(name).pop().unwrap_or_default();
    let pathless = last.starts_with('_') && last != "_index";
    !pathless && !modules.contains_key(format!("{name}._index").as_str())
}

/// The route modules a route is nested in, outermost first: every route whose name is a
/// segment prefix of its name (each one's parent is the longest such prefix).
fn ancestors<'a>(modules: &BTreeMap<&str, &'a str>, name: &str) -> Vec<&'a str> {
    let segments = segments(name);
    (1..segments.len())
        .filter_map(|len| modules.get(segments[..len].join(".").as_str()).copied())
        .collect()
}

/// The route config `flatRoutes()` of `@react-router/fs-routes` builds from the flat routes in
/// `routes_dir` (project-relative, ending with `/`), files matching an `ignored` glob left
/// out. Paths are in React Router notation (`:id`, `*`, `:lang?`, `en?`).
pub(super) fn entries(files: &[String], routes_dir: &str, ignored: &[String]) -> Vec<Entry> {
    let modules = route_modules(files, routes_dir, ignored);
    let parent_len = |name: &str| {
        let segments = segments(name);
        (1..segments.len())
            .rev()
            .find(|len| modules.contains_key(segments[..*len].join(".").as_str()))
            .unwrap_or(0)
    };
    let mut by_parent: BTreeMap<Option<String>, Vec<(&str, &str)>> = BTreeMap::new();
    for (name, file) in &modules {
        let len = parent_len(name);
        let parent = (len > 0).then(|| segments(name)[..len].join("."));
        by_parent.entry(parent).or_default().push((name, file));
    }
    build_entries(&by_parent, None, &parent_len)
}

/// The entries whose parent route is `parent`, with their children.
fn build_entries(
    by_parent: &BTreeMap<Option<String>, Vec<(&str, &str)>>,
    parent: Option<&str>,
    parent_len: &dyn Fn(&str) -> usize,
) -> Vec<Entry> {
    let Some(children) = by_parent.get(&parent.map(str::to_owned)) else {
        return Vec::new();
    };
    children
        .iter()
        .map(|(name, file)| {
            let segments = segments(name);
            let own = &segments[parent_len(name)..];
            let path: Vec<String> = own
                .iter()
                .filter_map(|segment| url_segment(segment))
                .map(react_router_segment)
                .collect();
            Entry {
                path: (!path.is_empty()).then(|| path.join("/")),
                index: segments.last() == Some(&"_index"),
                file: (*file).to_owned(),
                children: build_entries(by_parent, Some(name), parent_len),
            }
        })
        .collect()
}

/// A flat-routes URL segment in React Router notation: `$` is `*`, `$id` is `:id`, `($lang)`
/// is `:lang?`, `(en)` is `en?`.
pub(super) fn react_router_segment(segment: String) -> String {
    if segment == "$" {
        return "*".to_owned();
    }
    if let Some(name) = segment.strip_prefix('$') {
        return format!(":{name}");
    }
    if let Some(inner) = segment.strip_prefix('(').and_then(|rest| rest.strip_suffix(')')) {
        return match inner.strip_prefix('$') {
            Some(name) => format!(":{name}?"),
            None => format!("{inner}?"),
        };
    }
    segment
}
