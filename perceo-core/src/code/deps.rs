//! The module graph as data (`perceo graph deps`), so users can audit Perceo against other
//! tools: nodes, and edges with their kind; optionally only what a file imports
//! (transitively) or only what imports a file.

use std::collections::{BTreeSet, VecDeque};

use serde::Serialize;

use super::graph::{DependencyGraph, Unresolved};
use super::imports::ImportKind;

/// How one module depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DepKind {
    /// `import … from`, or `import '…'` for its side effects.
    Static,
    /// `import()`, `next/dynamic`, `React.lazy`.
    Dynamic,
    /// `import type …` (gone at run time).
    TypeOnly,
    /// `require()`.
    Require,
    /// `export … from`.
    ReExport,
    /// A stylesheet import.
    Css,
    /// A JSON import.
    Json,
    /// No import: the framework links it (Nuxt components, composables, layouts, middleware).
    AutoImport,
}

impl DepKind {
    /// The kind as printed and serialised (`type-only`, `re-export`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            DepKind::Static => "static",
            DepKind::Dynamic => "dynamic",
            DepKind::TypeOnly => "type-only",
            DepKind::Require => "require",
            DepKind::ReExport => "re-export",
            DepKind::Css => "css",
            DepKind::Json => "json",
            DepKind::AutoImport => "auto-import",
        }
    }
}

/// One edge of the module graph.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DepEdge {
    /// The importing file (project-relative).
    pub from: String,
    /// The imported file (project-relative).
    pub to: String,
    /// How.
    pub kind: DepKind,
}

/// The module graph, or the part of it `--from` / `--to` selects.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModuleGraphExport {
    /// Every file of the selection (project-relative, `../` outside the project), sorted.
    pub nodes: Vec<String>,
    /// Every resolved edge between them, sorted.
    pub edges: Vec<DepEdge>,
    /// Imports of the selected files that did not resolve.
    pub unresolved: Vec<Unresolved>,
}

fn kind_of(target: &str, kind: ImportKind, type_only: bool) -> DepKind {
    let ext = target.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if type_only {
        DepKind::TypeOnly
    } else if matches!(ext, "css" | "scss" | "sass" | "less" | "pcss" | "styl") {
        DepKind::Css
    } else if ext == "json" {
        DepKind::Json
    } else {
        match kind {
            ImportKind::Static | ImportKind::SideEffect => DepKind::Static,
            ImportKind::Dynamic => DepKind::Dynamic,
            ImportKind::Require => DepKind::Require,
            ImportKind::ReExport => DepKind::ReExport,
            ImportKind::AutoImport => DepKind::AutoImport,
        }
    }
}

/// Files reachable from `start` by following edges forward (`forward`) or backward.
fn closure(graph: &DependencyGraph, start: usize, forward: bool) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        let next = if forward {
            graph.imports_of(n)
        } else {
            graph.importers_of(n)
        };
        for e in next {
            if seen.insert(e.file) {
                queue.push_back(e.file);
            }
        }
    }
    seen
}

/// The graph, limited to what `from` imports (transitively) and to what imports `to`
/// (transitively) when given (file ids; both: the files on paths from `from` to `to`).
pub fn export(graph: &DependencyGraph, from: Option<usize>, to: Option<usize>) -> ModuleGraphExport {
    let live: BTreeSet<usize> = graph.live_files().iter().filter_map(|f| graph.id(f)).collect();
    let mut selected = live;
    if let Some(f) = from {
        selected = selected.intersection(&closure(graph, f, true)).copied().collect();
    }
    if let Some(t) = to {
        selected = selected.intersection(&closure(graph, t, false)).copied().collect();
    }
    let mut edges: Vec<DepEdge> = selected
        .iter()
        .flat_map(|&i| {
            graph
                .imports_of(i)
                .iter()
                .filter(|e| selected.contains(&e.file))
                .map(move |e| DepEdge {
                    from: graph.path(i).to_string(),
                    to: graph.path(e.file).to_string(),
                    kind: kind_of(graph.path(e.file), e.kind, e.type_only),
                })
        })
        .collect();
    edges.sort();
    edges.dedup();
    let mut nodes: Vec<String> = selected.iter().map(|&i| graph.path(i).to_string()).collect();
    nodes.sort();
    let names: BTreeSet<&str> = nodes.iter().map(String::as_str).collect();
    let unresolved = graph
        .unresolved
        .iter()
        .filter(|u| names.contains(u.file.as_str()))
        .cloned()
        .collect();
    ModuleGraphExport {
        nodes,
        edges,
        unresolved,
    }
}

/// The export in Graphviz DOT.
pub fn to_dot(export: &ModuleGraphExport) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::from("digraph perceo {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n");
    for n in &export.nodes {
        out.push_str(&format!("  {};\n", quote(n)));
    }
    for e in &export.edges {
        let style = match e.kind {
            DepKind::Dynamic => " [style=dashed, label=\"dynamic\"]",
            DepKind::TypeOnly => " [style=dotted, label=\"type-only\"]",
            DepKind::Require => " [label=\"require\"]",
            DepKind::ReExport => " [label=\"re-export\"]",
            DepKind::Css => " [color=blue, label=\"css\"]",
            DepKind::Json => " [color=gray, label=\"json\"]",
            DepKind::AutoImport => " [style=dashed, color=darkgreen, label=\"auto-import\"]",
            DepKind::Static => "",
        };
        out.push_str(&format!("  {} -> {}{style};\n", quote(&e.from), quote(&e.to)));
    }
    out.push_str("}\n");
    out
}
