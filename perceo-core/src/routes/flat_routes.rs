//! The hybrid convention of the `remix-flat-routes` package (v0.8), used through
//! `remixRoutesOptionAdapter(d => flatRoutes('routes', d, …))` in a React Router config.
//!
//! Like Remix v2 flat routes, with folders: a folder whose name ends in `+` flattens into the
//! route name (`_auth+/login.tsx` is `_auth.login`); in a `+` folder a file whose last segment
//! starts with `_` (`_layout.tsx`) is the folder's own route; in other folders the file name
//! is dropped (`users.$id/route.tsx` is `users.$id`) and only `route`, `index`, `layout`,
//! `page`, `_*` and `*.route` files are routes. `_index` / `index` make index routes, a
//! leading `_` a pathless segment, a trailing `_` leaves the parent's layout, `$id` is a
//! parameter, `$` a splat, `(x)` / `($x)` optional, `[…]` escapes. A route's parent is the
//! route named by its longest segment prefix; paths are in React Router notation.

use std::collections::HashMap;

use super::paths::{glob_set, under};
use super::react_router::Entry;

/// Extensions of route modules.
const EXTS: &[&str] = &["js", "jsx", "ts", "tsx", "md", "mdx"];

/// One route module found.
#[derive(Debug, Clone)]
struct Info {
    /// Project-relative file without extension (unique).
    id: String,
    /// Full URL path (`/documents/:id`), `None` for a pathless route at the top.
    path: Option<String>,
    /// Project-relative file.
    file: String,
    /// Route segments (an index route's last one blanked).
    segments: Vec<String>,
    /// Whether it is an index route.
    index: bool,
}

/// The route config `flatRoutes(dir, defineRoutes, options)` of `remix-flat-routes` builds
/// from the files under each of `dirs` (project-relative), files matching an `ignored` glob
/// (relative to their route folder) left out.
pub(super) fn entries(files: &[String], dirs: &[String], ignored: &[String]) -> Vec<Entry> {
    let ignored = glob_set(ignored);
    let mut infos: Vec<Info> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for dir in dirs {
        for (file, rel) in under(files, &format!("{}/", dir.trim_end_matches('/'))) {
            if ignored.is_match(rel) || !is_route_module(rel) {
                continue;
            }
            let Some((stem, _)) = rel.rsplit_once('.') else {
                continue;
            };
            let index = is_index(stem);
            let mut segments = route_segments(stem, index);
            let path = route_path(&mut segments, index);
            by_name.insert(segments.join("/"), infos.len());
            infos.push(Info {
                id: format!("{dir}/{stem}"),
                path,
                file: file.to_owned(),
                segments,
                index,
            });
        }
    }
    let parents: Vec<Option<usize>> = infos.iter().map(|info| parent_of(info, &by_name)).collect();
    children_of(&infos, &parents, None)
}

/// Whether a file (relative to its route folder) is a route module.
fn is_route_module(rel: &str) -> bool {
    let Some((stem, ext)) = rel.rsplit_once('.') else {
        return false;
    };
    if !EXTS.contains(&ext) || stem.is_empty() {
        return false;
    }
    let Some((dir, last)) = stem.rsplit_once('/') else {
        return true;
    };
    if stem.ends_with(".server") || last.is_empty() || last.contains([':', '?', '*']) {
        return false;
    }
    dir.ends_with('+')
        || ["index", "route", "layout", "page"].contains(&last)
        || (last.starts_with('_') && last.len() > 1)
        || last.strip_suffix(".route").is_some_and(|name| !name.is_empty())
}

/// Whether a route name (file without extension) is an index route: it ends with `index` or
/// `_index` (after the start, a `.` or a `+/`), possibly followed by one file name, or has an
/// `index` / `_index` folder.
fn is_index(name: &str) -> bool {
    let ends_with_index = |name: &str| {
        ["_index", "index"].iter().any(|index| {
            name.strip_suffix(index)
                .is_some_and(|before| before.is_empty() || before.ends_with('.') || before.ends_with("+/"))
        })
    };
    ends_with_index(name)
        || name.rsplit_once('/').is_some_and(|(dir, _)| ends_with_index(dir))
        || name.contains("/index/")
        || name.contains("/_index/")
}

/// The route segments of a name (file without extension), as `remix-flat-routes` splits it.
fn route_segments(name: &str, index: bool) -> Vec<String> {
    let mut name = name.replace("+/_.", "_+/");
    let has_plus = name.contains("+/");
    if has_plus {
        name = name.replace("+/", ".");
    }
    let has_folder = name.contains('/');
    // Without `+` folders, or with ordinary folders too, the file name is dropped.
    if (has_folder || !has_plus)
        && !name.ends_with(".route")
        && let Some(last) = name.rfind('/')
    {
        name.truncate(last);
    }
    let mut segments = Vec::new();
    let mut segment = String::new();
    let mut escaped = false;
    for character in name.chars() {
        match character {
            '/' | '\\' | '.' if !escaped => {
                if !segment.is_empty() {
                    segments.push(std::mem::take(&mut segment));
                }
                continue;
            }
            '[' => escaped = true,
            ']' => escaped = false,
            _ => {}
        }
        segment.push(character);
    }
    if !segment.is_empty() {
        segments.push(segment);
    }
    if segments.last().is_some_and(|last| last == "route") {
        segments.pop();
    }
    if !index && has_plus && segments.last().is_some_and(|last| last.starts_with('_')) {
        segments.pop();
    }
    segments
}

/// The full URL path of a route (React Router notation); blanks an index route's last segment
/// as `remix-flat-routes` does.
fn route_path(segments: &mut [String], index: bool) -> Option<String> {
    if index && let Some(last) = segments.last_mut() {
        last.clear();
    }
    let mut path = String::new();
    for segment in segments.iter() {
        if segment.starts_with('_') {
            continue;
        }
        let mut segment = segment.strip_suffix('_').unwrap_or(segment).to_owned();
        if segment.contains('[') && segment.contains(']') {
            segment = unescape(&segment);
        }
        path.push('/');
        if segment == "$" {
            path.push('*');
        } else if let Some(param) = segment.strip_prefix('$') {
            path.push(':');
            path.push_str(param);
        } else if let Some(param) = segment.strip_prefix("($") {
            path.push(':');
            path.push_str(param.strip_suffix(')').unwrap_or(param));
            path.push('?');
        } else if let Some(optional) = segment.strip_prefix('(') {
            path.push_str(optional.strip_suffix(')').unwrap_or(optional));
            path.push('?');
        } else {
            path.push_str(&segment);
        }
    }
    while path.ends_with('/') {
        path.pop();
    }
    (!path.is_empty()).then_some(path)
}

/// A segment with its outer `[` `]` escape brackets removed.
fn unescape(segment: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for character in segment.chars() {
        match character {
            '[' if depth == 0 => depth += 1,
            ']' if depth > 0 => depth -= 1,
            other => out.push(other),
        }
    }
    out
}

/// The route named by the longest proper segment prefix of `info`'s segments.
fn parent_of(info: &Info, by_name: &HashMap<String, usize>) -> Option<usize> {
    let segments = &info.segments[..info.segments.len().saturating_sub(1)];
    (1..=segments.len())
        .rev()
        .find_map(|len| by_name.get(&segments[..len].join("/")).copied())
}

/// The entries whose parent is `parent`, each path relative to the parent's as
/// `remix-flat-routes` cuts it.
fn children_of(infos: &[Info], parents: &[Option<usize>], parent: Option<usize>) -> Vec<Entry> {
    let parent_path = parent.and_then(|p| infos[p].path.as_deref()).unwrap_or("/");
    let mut entries: Vec<(String, Entry)> = infos
        .iter()
        .enumerate()
        .filter(|(position, _)| parents[*position] == parent && Some(*position) != parent)
        .map(|(position, info)| {
            let full = info.path.as_deref().unwrap_or_default();
            let relative = full.get(parent_path.len().min(full.len())..).unwrap_or_default();
            let relative = relative.strip_prefix('/').unwrap_or(relative);
            let children = if info.index {
                Vec::new()
            } else {
                children_of(infos, parents, Some(position))
            };
            let entry = Entry {
                path: (!relative.is_empty()).then(|| relative.to_owned()),
                index: info.index,
                file: info.file.clone(),
                children,
            };
            (info.id.clone(), entry)
        })
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.into_iter().map(|(_, entry)| entry).collect()
}
