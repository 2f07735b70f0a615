//! Resolving the imports of one file into the graph's edges: literal specifiers through the
//! resolver (with a per-folder memo), template literals against the known files.

use std::collections::HashMap;
use std::path::Path;

use super::super::cache::ResolvedImports;
use super::super::discover::{absolute, relative_path};
use super::super::imports::{Import, Specifier};
use super::super::resolve::{ModuleResolver, Resolution};

/// What literal specifiers resolved to from one folder (under one tsconfig). Files are
/// resolved in path order, so the files of a folder come one after another, and they import
/// the same modules (`../lib/utils`, `@/components/ui`) over and over: the memo answers
/// those without the resolver. It is local to one worker's run of files, so no lock is taken.
#[derive(Default)]
pub(super) struct FolderMemo {
    folder: String,
    tsconfig: Option<usize>,
    outcomes: HashMap<String, Outcome>,
}

/// Where one literal specifier led, as the graph records it.
#[derive(Clone)]
enum Outcome {
    /// A file of the graph (project-relative).
    File(String),
    /// An external package.
    External(String),
    /// Nowhere the graph knows.
    Unresolved,
}

impl FolderMemo {
    /// The memo for the file `rel` governed by `tsconfig` (see
    /// [`ModuleResolver::tsconfig_scope`]), emptied when the folder or the tsconfig changes.
    fn for_file(&mut self, rel: &str, tsconfig: Option<usize>) -> &mut HashMap<String, Outcome> {
        let folder = rel.rsplit_once('/').map_or("", |(d, _)| d);
        if self.folder != folder || self.tsconfig != tsconfig || tsconfig.is_none() {
            self.folder.clear();
            self.folder.push_str(folder);
            self.tsconfig = tsconfig;
            self.outcomes.clear();
        }
        &mut self.outcomes
    }
}

/// Resolves every import of one file to project-relative targets; `exists` says whether a
/// project-relative path is a known file, `files` lists candidates for template imports.
pub(super) fn resolve_file(
    project_dir: &Path,
    rel: &str,
    imports: &[Import],
    exists: &dyn Fn(&str) -> bool,
    files: &[String],
    resolver: &ModuleResolver,
    memo: &mut FolderMemo,
) -> ResolvedImports {
    let mut out = ResolvedImports::default();
    let from = absolute(project_dir, rel);
    let memo = memo.for_file(rel, resolver.tsconfig_scope(&from));
    for (index, import) in imports.iter().enumerate() {
        let index = index as u32;
        match &import.specifier {
            Specifier::Literal(spec) => {
                let outcome = match memo.get(spec.as_str()) {
                    Some(known) => known.clone(),
                    None => {
                        let outcome = match resolver.resolve(&from, spec) {
                            Resolution::File(path) => match relative_path(project_dir, &path) {
                                Some(target) if exists(&target) => Outcome::File(target),
                                _ => Outcome::Unresolved,
                            },
                            Resolution::External(name) => Outcome::External(name),
                            Resolution::Unresolved => Outcome::Unresolved,
                        };
                        memo.insert(spec.clone(), outcome.clone());
                        outcome
                    }
                };
                match outcome {
                    Outcome::File(target) => out.edges.push((target, import.kind, import.type_only, index)),
                    Outcome::External(name) => out.externals.push(name),
                    Outcome::Unresolved => out.unresolved.push(spec.clone()),
                }
            }
            Specifier::Template(parts) => {
                let matches: Vec<usize> = template_matches(rel, parts, files)
                    .into_iter()
                    .filter(|&i| exists(&files[i]))
                    .collect();
                if matches.is_empty() {
                    out.unresolved.push(parts.join("${…}"));
                }
                out.edges.extend(
                    matches
                        .into_iter()
                        .map(|i| (files[i].clone(), import.kind, import.type_only, index)),
                );
            }
        }
    }
    out.externals.sort();
    out.externals.dedup();
    out
}

/// Files a template-literal import can reach: `./locales/${x}.json` → `locales/*.json`
/// next to the importer. Only relative templates are expanded.
pub(super) fn template_matches(importer: &str, parts: &[String], files: &[String]) -> Vec<usize> {
    let Some(first) = parts.first() else { return Vec::new() };
    if !first.starts_with('.') {
        return Vec::new();
    }
    let dir = importer.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let escaped: Vec<String> = parts.iter().map(|p| globset::escape(p)).collect();
    let pattern = escaped.join("*");
    let joined = normalize(&format!("{dir}/{pattern}"));
    let Ok(glob) = globset::GlobBuilder::new(&joined).literal_separator(true).build() else {
        return Vec::new();
    };
    let matcher = glob.compile_matcher();
    files
        .iter()
        .enumerate()
        .filter(|(_, f)| matcher.is_match(f.as_str()))
        .map(|(i, _)| i)
        .collect()
}

/// Collapses `.` and `..` segments of a `/` path.
fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}
