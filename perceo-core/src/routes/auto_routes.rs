//! The convention of the `react-router-auto-routes` package (v0.8, used by epic-stack):
//! `autoRoutes({ routesDir, ignoredRouteFiles })` in a React Router config.
//!
//! Folders and `.` both separate segments; `index` / `_index` make index routes; a leading `_`
//! makes a pathless segment, a trailing `_` is dropped; `$id` is a parameter, a lone `$` a
//! splat, `(x)` optional, `[…]` escapes. Folders or files starting with `+` are colocated code,
//! not routes; `.server.*` files are not routes. Only `_layout` files nest other routes: a
//! route's parent is the `_layout` of the longest folder/name prefix of its segments.

use std::collections::HashMap;

use super::paths::{glob_set, under};
use super::react_router::Entry;

/// Extensions of route modules.
const EXTS: &[&str] = &["js", "jsx", "ts", "tsx", "md", "mdx"];

/// Segment names dropped from the end of a route's name (they name the folder's own route).
const SPECIAL: &[&str] = &["index", "_index", "route", "_route", "_layout"];

/// One route module found.
#[derive(Debug, Clone)]
struct Info {
    /// Route file relative to the route folder, without extension (unique).
    id: String,
    /// URL path without a leading `/` (`None`: pathless).
    path: Option<String>,
    /// Project-relative file.
    file: String,
    /// Name segments (raw, special trailing names removed): the key parents are found by.
    segments: Vec<String>,
    /// Whether it is an index route.
    index: bool,
    /// Whether it is a `_layout` file (the only routes that nest others).
    layout: bool,
}

/// The route config `autoRoutes(options)` builds from the files under `dir` (project-relative
/// route folder), files matching an `ignored` glob (relative to `dir`) left out.
pub(super) fn entries(files: &[String], dir: &str, ignored: &[String]) -> Vec<Entry> {
    let ignored = glob_set(ignored);
    let mut infos: Vec<Info> = under(files, &format!("{}/", dir.trim_end_matches('/')))
        .filter(|(_, rel)| !ignored.is_match(rel) && is_route_module(rel))
        .filter_map(|(file, rel)| info(file, rel))
        .collect();
    infos.sort_by(|a, b| {
        (a.segments.len(), a.index, std::cmp::Reverse(score(a)), &a.id).cmp(&(
            b.segments.len(),
            b.index,
            std::cmp::Reverse(score(b)),
            &b.id,
        ))
    });
    // Parents are assigned in that order: a layout is always seen before what it nests.
    let mut layouts: HashMap<Vec<String>, usize> = HashMap::new();
    let mut parents: Vec<Option<usize>> = Vec::with_capacity(infos.len());
    for (position, info) in infos.iter().enumerate() {
        let mut parent = None;
        if info.index {
            parent = layouts.get(&info.segments).copied();
        }
        if parent.is_none() {
            parent = (0..info.segments.len())
                .rev()
                .find_map(|len| layouts.get(&info.segments[..len]).copied());
        }
        if parent.is_none() && info.segments.is_empty() {
            parent = layouts.get(&info.segments).copied();
        }
        parents.push(parent);
        if !info.index && info.layout {
            let current = layouts.get(&info.segments).copied();
            let better = current.is_none_or(|current| {
                let (new, old) = (score(info), score(&infos[current]));
                new > old || (new == old && info.id < infos[current].id)
            });
            if better {
                layouts.insert(info.segments.clone(), position);
            }
        }
    }
    children_of(&infos, &parents, None)
}

/// Whether a file (relative to the route folder) is a route module.
fn is_route_module(rel: &str) -> bool {
    if rel.split('/').any(|segment| segment.starts_with('+')) {
        return false;
    }
    let Some((stem, ext)) = rel.rsplit_once('.') else {
        return false;
    };
    let last = stem.rsplit('/').next().unwrap_or(stem);
    EXTS.contains(&ext)
        && !stem.ends_with(".server")
        && !last.is_empty()
        && (!rel.contains('/') || !last.contains([':', '?', '*']))
}

/// The route a file (relative to the route folder) defines.
fn info(file: &str, rel: &str) -> Option<Info> {
    let (id, _) = rel.rsplit_once('.')?;
    let index = is_index(id);
    let (mut url, mut raw) = split(id);
    if id.contains('/') {
        while raw.last().is_some_and(|last| last == "route" || last == "_route") {
            url.pop();
            raw.pop();
        }
    }
    let length = if index { url.len().saturating_sub(1) } else { url.len() };
    let parts: Vec<&str> = url[..length]
        .iter()
        .zip(&raw[..length])
        // Pathless `_x` segments leave the URL.
        .filter(|(segment, raw)| !(raw.is_empty() || (segment.starts_with('_') && raw.starts_with('_'))))
        .map(|(segment, raw)| {
            if segment.ends_with('_') && raw.ends_with('_') {
                &segment[..segment.len() - 1]
            } else {
                segment.as_str()
            }
        })
        .collect();
    let mut segments = raw;
    while segments.last().is_some_and(|last| SPECIAL.contains(&last.as_str())) {
        segments.pop();
    }
    let name = id.rsplit('/').next().unwrap_or(id);
    Some(Info {
        id: id.to_owned(),
        path: (!parts.is_empty()).then(|| parts.join("/")),
        file: file.to_owned(),
        segments,
        index,
        layout: name == "_layout" || name.ends_with("._layout"),
    })
}

/// Whether a route id is an index route: an `index` / `_index` name (after the start, a `.`
/// or a `/`) followed by the end or a `/`.
fn is_index(id: &str) -> bool {
    ["index", "_index"].iter().any(|name| {
        id.match_indices(name).any(|(at, _)| {
            let before = &id[..at];
            let after = &id[at + name.len()..];
            (before.is_empty() || before.ends_with('.') || before.ends_with('/'))
                && (after.is_empty() || after.starts_with('/'))
        })
    })
}

/// Splits a route id into URL segments (`$id` as `:id`, a lone `$` as `*`, `(x)` as `x?`,
/// escapes resolved) and the raw segments they come from.
fn split(id: &str) -> (Vec<String>, Vec<String>) {
    #[derive(PartialEq, Clone, Copy)]
    enum State {
        Normal,
        Escape,
        Optional,
        OptionalEscape,
    }
    let separator = |c: Option<char>| matches!(c, Some('/' | '.' | '\\'));
    let (mut url, mut raw) = (Vec::new(), Vec::new());
    let (mut segment, mut raw_segment) = (String::new(), String::new());
    let mut state = State::Normal;
    let chars: Vec<char> = id.chars().collect();
    for (index, &c) in chars.iter().enumerate() {
        if matches!(state, State::Escape | State::OptionalEscape) {
            if c == ']' {
                state = if state == State::Escape {
                    State::Normal
                } else {
                    State::Optional
                };
            } else {
                segment.push(c);
            }
            raw_segment.push(c);
            continue;
        }
        if state == State::Normal {
            if separator(Some(c)) {
                if !segment.is_empty() {
                    url.push(std::mem::take(&mut segment));
                    raw.push(std::mem::take(&mut raw_segment));
                }
                raw_segment.clear();
                continue;
            }
            if c == '[' || c == '(' {
                state = if c == '[' { State::Escape } else { State::Optional };
                raw_segment.push(c);
                continue;
            }
        }
        if state == State::Optional {
            if c == ')' {
                segment.push('?');
                raw_segment.push(c);
                state = State::Normal;
                continue;
            }
            if c == '[' {
                state = State::OptionalEscape;
                raw_segment.push(c);
                continue;
            }
        }
        if segment.is_empty() && c == '$' {
            let last = index + 1 == chars.len() || separator(chars.get(index + 1).copied());
            segment.push(if last { '*' } else { ':' });
            raw_segment.push(c);
            continue;
        }
        segment.push(c);
        raw_segment.push(c);
    }
    if !segment.is_empty() {
        url.push(segment);
        raw.push(raw_segment);
    }
    (url, raw)
}

/// How strongly a route claims to be the parent of its folder: a `route/route.*` file, then
/// a `_layout`, then anything else.
fn score(info: &Info) -> u8 {
    if info.file.contains("/route/route.") {
        4
    } else if info.layout {
        3
    } else {
        2
    }
}

/// The entries whose parent is `parent`, each path relative to the parent's.
fn children_of(infos: &[Info], parents: &[Option<usize>], parent: Option<usize>) -> Vec<Entry> {
    let parent_path = parent.and_then(|p| infos[p].path.as_deref());
    infos
        .iter()
        .enumerate()
        .filter(|(position, _)| parents[*position] == parent && Some(*position) != parent)
        .map(|(position, info)| {
            let path = info.path.as_deref().and_then(|full| {
                let relative = match parent_path {
                    Some(parent) if full.starts_with(parent) => full[parent.len()..].trim_start_matches('/'),
                    _ => full.trim_start_matches('/'),
                };
                (!relative.is_empty()).then(|| relative.to_owned())
            });
            Entry {
                path,
                index: info.index,
                file: info.file.clone(),
                children: children_of(infos, parents, Some(position)),
            }
        })
        .collect()
}
