//! Next.js: app router (`app/`) and pages router (`pages/`), either at the project root or
//! under `src/`.

use super::paths::{Wrappers, has_dir, is_group, pattern_of, segments, source_stem, split_dir, under};
use super::{Route, RouteKind};

/// Pages-router files that wrap every page (but not API routes).
const PAGES_SPECIALS: &[&str] = &["_app", "_document", "_error"];

/// Routes of both routers. As in Next.js, `src/app` and `src/pages` are only used when
/// neither `app/` nor `pages/` exists at the project root.
pub(super) fn discover(files: &[String]) -> Vec<Route> {
    let base = if has_dir(files, "app/") || has_dir(files, "pages/") {
        ""
    } else {
        "src/"
    };
    let mut routes = app_router(files, &format!("{base}app/"));
    routes.extend(pages_router(files, &format!("{base}pages/")));
    routes
}

/// The role of a file in the app router, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AppFile {
    /// `page.*`.
    Page,
    /// `route.*`.
    Handler,
    /// `layout.*`, `template.*`, `loading.*`, ...: wraps the pages beneath.
    Wrapper,
    /// `global-error.*`: wraps every page, only meaningful at the root.
    Global,
}

impl AppFile {
    /// Classifies a file by its name without extension.
    fn from_stem(stem: &str) -> Option<Self> {
        match stem {
            "page" => Some(Self::Page),
            "route" => Some(Self::Handler),
            "layout" | "template" | "loading" | "error" | "not-found" | "default" | "forbidden" | "unauthorized" => {
                Some(Self::Wrapper)
            }
            "global-error" | "global-not-found" => Some(Self::Global),
            _ => None,
        }
    }
}

/// Routes of the app router rooted at `root` (ending with `/`).
fn app_router(files: &[String], root: &str) -> Vec<Route> {
    let mut wrappers = Wrappers::default();
    let mut defined = Vec::new();
    for (file, rel) in under(files, root) {
        let (dir, name) = split_dir(rel);
        let Some(role) = source_stem(name).and_then(AppFile::from_stem) else {
            continue;
        };
        if segments(dir).any(|segment| segment.starts_with('_')) {
            continue; // private folder: opted out of routing
        }
        match role {
            AppFile::Page => defined.push((RouteKind::Page, dir, file)),
            AppFile::Handler => defined.push((RouteKind::Handler, dir, file)),
            AppFile::Wrapper => wrappers.add(dir, file),
            AppFile::Global if dir.is_empty() => wrappers.add(dir, file),
            AppFile::Global => {}
        }
    }
    defined
        .into_iter()
        .map(|(kind, dir, file)| Route {
            app: None,
            pattern: app_pattern(dir),
            kind,
            file: file.to_owned(),
            // Layouts and their siblings wrap pages; route handlers answer on their own.
            attached: if kind == RouteKind::Page {
                wrappers.around(dir)
            } else {
                Vec::new()
            },
        })
        .collect()
}

/// How far up the route tree an intercepting segment reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// `(.)` is `0`, `(..)` is `1`, `(..)(..)` is `2`.
    Up(usize),
    /// `(...)`: from the app root.
    Root,
}

/// Splits an intercepting segment (`(..)photo`) into its reach and the segment it intercepts.
fn interceptor(segment: &str) -> Option<(Reach, &str)> {
    let (reach, rest) = if let Some(rest) = segment.strip_prefix("(...)") {
        (Reach::Root, rest)
    } else if let Some(rest) = segment.strip_prefix("(.)") {
        (Reach::Up(0), rest)
    } else {
        let rest = segment.trim_start_matches("(..)");
        let levels = (segment.len() - rest.len()) / "(..)".len();
        if levels == 0 {
            return None;
        }
        (Reach::Up(levels), rest)
    };
    (!rest.is_empty()).then_some((reach, rest))
}

/// URL pattern of an app-router directory: groups and `@slot`s removed, an intercepting
/// segment replaced by the route it intercepts (levels count route segments, not folders).
fn app_pattern(dir: &str) -> String {
    let mut url: Vec<&str> = Vec::new();
    for segment in segments(dir) {
        if segment.starts_with('@') || is_group(segment) {
            continue;
        }
        match interceptor(segment) {
            Some((Reach::Up(levels), name)) => {
                url.truncate(url.len().saturating_sub(levels));
                url.push(name);
            }
            Some((Reach::Root, name)) => {
                url.clear();
                url.push(name);
            }
            None => url.push(segment),
        }
    }
    pattern_of(url)
}

/// Routes of the pages router rooted at `root` (ending with `/`).
fn pages_router(files: &[String], root: &str) -> Vec<Route> {
    let mut specials = Vec::new();
    let mut defined = Vec::new();
    for (file, rel) in under(files, root) {
        let (dir, name) = split_dir(rel);
        let Some(stem) = source_stem(name) else {
            continue;
        };
        if dir.is_empty() && PAGES_SPECIALS.contains(&stem) {
            specials.push(file.to_owned());
        } else {
            defined.push((dir, stem, file));
        }
    }
    specials.sort();
    defined
        .into_iter()
        .map(|(dir, stem, file)| {
            let is_api = dir == "api" || dir.starts_with("api/");
            let last = (stem != "index").then_some(stem);
            Route {
                app: None,
                pattern: pattern_of(segments(dir).chain(last)),
                kind: if is_api { RouteKind::Handler } else { RouteKind::Page },
                file: file.to_owned(),
                attached: if is_api { Vec::new() } else { specials.clone() },
            }
        })
        .collect()
}
