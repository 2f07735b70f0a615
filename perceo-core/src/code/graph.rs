//! The dependency graph of an app: every file, what each module imports (resolved), and the
//! reverse edges the impact analysis walks.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::discover::{absolute, discover_files, glob_set, relative_path};
use super::imports::{FileFacts, ImportKind, Specifier, extract, is_source_path};
use super::resolve::{ModuleResolver, Resolution};
use crate::error::Result;

/// Options for [`DependencyGraph::build`].
#[derive(Debug, Clone, Default)]
pub struct GraphOptions {
    /// Extra glob patterns to ignore (`observer.watch.ignore`), relative to the project.
    pub ignore: Vec<String>,
}

/// One resolved import edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// The other end (the imported file for forward edges, the importer for reverse ones).
    pub file: usize,
    /// How it is imported.
    pub kind: ImportKind,
    /// Type-only imports vanish at run time.
    pub type_only: bool,
}

/// An import that led nowhere.
#[derive(Debug, Clone, Serialize)]
pub struct Unresolved {
    /// The importing file.
    pub file: String,
    /// The specifier as written.
    pub specifier: String,
}

/// The dependency graph of a project.
#[derive(Debug, Default)]
pub struct DependencyGraph {
    files: Vec<String>,
    index: HashMap<String, usize>,
    forward: Vec<Vec<Edge>>,
    reverse: Vec<Vec<Edge>>,
    externals: Vec<Vec<String>>,
    /// Imports that could not be resolved.
    pub unresolved: Vec<Unresolved>,
    /// Files that did not parse cleanly, with the first error.
    pub parse_errors: Vec<(String, String)>,
    /// Navigation targets per file (`<Link href>`, `router.push`, `redirect`, ...).
    pub navigations: Vec<(String, String)>,
}

impl DependencyGraph {
    /// Discovers, parses and resolves every module of the project at `project_dir`.
    pub fn build(project_dir: &Path, options: &GraphOptions) -> Result<DependencyGraph> {
        // The resolver answers with canonical paths; the project directory must be one too.
        let project_dir = &std::fs::canonicalize(project_dir).map_err(|e| crate::error::Error::io(project_dir, e))?;
        let ignore = glob_set(&options.ignore, "observer.watch.ignore")?;
        let resolver = ModuleResolver::new(project_dir);
        let mut files = discover_files(project_dir, project_dir, &ignore);
        for pkg in resolver.workspace_packages() {
            if !pkg.dir.starts_with(project_dir) {
                files.extend(discover_files(&pkg.dir, project_dir, &ignore));
            }
        }
        files.sort();
        files.dedup();
        let facts: Vec<Option<FileFacts>> = files
            .par_iter()
            .map(|rel| {
                if !is_source_path(rel) {
                    return None;
                }
                let text = std::fs::read_to_string(absolute(project_dir, rel)).ok()?;
                Some(extract(rel, &text))
            })
            .collect();
        Ok(Self::assemble(project_dir, files, facts, &resolver))
    }

    fn assemble(
        project_dir: &Path,
        files: Vec<String>,
        facts: Vec<Option<FileFacts>>,
        resolver: &ModuleResolver,
    ) -> DependencyGraph {
        let index: HashMap<String, usize> = files.iter().enumerate().map(|(i, f)| (f.clone(), i)).collect();
        struct Resolved {
            edges: Vec<Edge>,
            externals: Vec<String>,
            unresolved: Vec<String>,
        }
        let resolved: Vec<Resolved> = files
            .par_iter()
            .zip(facts.par_iter())
            .map(|(rel, facts)| {
                let mut out = Resolved {
                    edges: Vec::new(),
                    externals: Vec::new(),
                    unresolved: Vec::new(),
                };
                let Some(facts) = facts else { return out };
                let from = absolute(project_dir, rel);
                for import in &facts.imports {
                    match &import.specifier {
                        Specifier::Literal(spec) => match resolver.resolve(&from, spec) {
                            Resolution::File(path) => {
                                match relative_path(project_dir, &path).and_then(|r| index.get(&r)) {
                                    Some(&i) => out.edges.push(Edge {
                                        file: i,
                                        kind: import.kind,
                                        type_only: import.type_only,
                                    }),
                                    None => out.unresolved.push(spec.clone()),
                                }
                            }
                            Resolution::External(name) => out.externals.push(name),
                            Resolution::Unresolved => out.unresolved.push(spec.clone()),
                        },
                        Specifier::Template(parts) => {
                            let matches = template_matches(rel, parts, &files);
                            if matches.is_empty() {
                                out.unresolved.push(parts.join("${…}"));
                            }
                            out.edges.extend(matches.into_iter().map(|i| Edge {
                                file: i,
                                kind: import.kind,
                                type_only: import.type_only,
                            }));
                        }
                    }
                }
                out.externals.sort();
                out.externals.dedup();
                out
            })
            .collect();

        let mut graph = DependencyGraph {
            forward: vec![Vec::new(); files.len()],
            reverse: vec![Vec::new(); files.len()],
            externals: vec![Vec::new(); files.len()],
            ..Default::default()
        };
        for (i, r) in resolved.into_iter().enumerate() {
            for e in &r.edges {
                graph.reverse[e.file].push(Edge { file: i, ..*e });
            }
            graph.forward[i] = r.edges;
            graph.externals[i] = r.externals;
            graph
                .unresolved
                .extend(r.unresolved.into_iter().map(|specifier| Unresolved {
                    file: files[i].clone(),
                    specifier,
                }));
        }
        for (i, f) in facts.into_iter().enumerate() {
            let Some(f) = f else { continue };
            if let Some(err) = f.parse_errors.into_iter().next() {
                graph.parse_errors.push((files[i].clone(), err));
            }
            graph
                .navigations
                .extend(f.navigations.into_iter().map(|n| (files[i].clone(), n)));
        }
        graph.files = files;
        graph.index = index;
        graph
    }

    /// Every file of the project (sources and assets), project-relative, sorted.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// The id of a project-relative file.
    pub fn id(&self, file: &str) -> Option<usize> {
        self.index.get(file).copied()
    }

    /// The path of a file id.
    pub fn path(&self, id: usize) -> &str {
        &self.files[id]
    }

    /// What a file imports.
    pub fn imports_of(&self, id: usize) -> &[Edge] {
        &self.forward[id]
    }

    /// Who imports a file.
    pub fn importers_of(&self, id: usize) -> &[Edge] {
        &self.reverse[id]
    }

    /// External packages a file imports.
    pub fn externals_of(&self, id: usize) -> &[String] {
        &self.externals[id]
    }

    /// Number of resolved edges.
    pub fn edge_count(&self) -> usize {
        self.forward.iter().map(Vec::len).sum()
    }

    /// Number of parsed source modules.
    pub fn module_count(&self) -> usize {
        self.files.iter().filter(|f| is_source_path(f)).count()
    }

    /// The project directory's absolute form of a file.
    pub fn absolute(&self, project_dir: &Path, id: usize) -> PathBuf {
        absolute(project_dir, &self.files[id])
    }
}

/// Files a template-literal import can reach: `./locales/${x}.json` → `locales/*.json`
/// next to the importer. Only relative templates are expanded.
fn template_matches(importer: &str, parts: &[String], files: &[String]) -> Vec<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_imports_expand_to_matching_files() {
        let files: Vec<String> = [
            "src/locales/en.json",
            "src/locales/fr.json",
            "src/locales/x/de.json",
            "src/lib/i18n.ts",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let got = template_matches("src/lib/i18n.ts", &["../locales/".into(), ".json".into()], &files);
        assert_eq!(got, vec![0, 1]);
    }
}
