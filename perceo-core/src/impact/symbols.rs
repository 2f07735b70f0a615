//! Symbol precision (`observer.analysis.precision: "symbol"`): from a changed module, follow
//! only the importers that import a changed export — through named and default imports,
//! `export { x } from`, `export *` (name by name) and `ns.name` members — and continue
//! through the importers' own exports that use it. Where that is not sound the search falls
//! back to the file level for that module and its importers: a changed top-level statement
//! with side effects, CommonJS, a module that does not parse, a component file, a dynamic
//! import or `require`, a bare side-effect import of a module that changed as a whole.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::code::DependencyGraph;
use crate::code::imports::{ImportKind, Specifier};
use crate::code::symbols::{
    ExportChange, ExportOf, Imported, changed_exports, dependent_items, dirty_exports, effects_depend_on, table,
};

/// Reads a project file's current content (project-relative path).
pub type ReadSource<'a> = Box<dyn Fn(&str) -> Option<String> + Sync + 'a>;

/// What symbol and message precision need besides the graph (whose symbol tables are the
/// current modules): the changed files' old text, and a way to read a current file (a
/// catalog).
pub struct SymbolSources<'a> {
    /// The content of each changed file at the base (`None`: it did not exist), by
    /// project-relative path. A changed module missing here is followed at file level.
    pub old: HashMap<String, Option<String>>,
    /// The current content of a project file (project-relative path).
    pub read: ReadSource<'a>,
}

/// How a file is touched by the change.
#[derive(Debug, Clone, Default)]
struct Touch {
    /// It changed as a whole, effects included: every importer is reached.
    effects: bool,
    /// Every export may have changed (but not its effects).
    all: bool,
    /// These exports changed.
    names: BTreeSet<String>,
    /// The names of the file the change came in through (for the explanation).
    through: BTreeSet<String>,
}

/// Where a change to one module goes at symbol precision.
#[derive(Debug, Default)]
pub struct SymbolReach {
    /// Import edges the change travels, as `(importer, imported)` file ids.
    pub edges: HashSet<(usize, usize)>,
    /// The names the change reaches each file through (`Card`, or the changed exports of
    /// the changed module itself), by file id.
    pub names: HashMap<usize, BTreeSet<String>>,
}

impl SymbolReach {
    /// Whether the change travels from `imported` to `importer`.
    pub fn follows(&self, importer: usize, imported: usize) -> bool {
        self.edges.contains(&(importer, imported))
    }
}

/// Where a change to the module `seed` (project-relative `path`) goes, or why only the
/// file level can say (`Err`).
pub fn reach(
    graph: &DependencyGraph,
    seed: usize,
    path: &str,
    sources: &SymbolSources<'_>,
) -> Result<SymbolReach, String> {
    if !crate::code::symbols::is_module_path(path) {
        return Err("it is not a JS/TS module".into());
    }
    let Some(old) = sources.old.get(path) else {
        return Err("its earlier content could not be read".into());
    };
    // The current tables are the graph's own (kept at symbol precision).
    let Some(new) = graph.symbols_of(seed) else {
        return Err("the dependency graph keeps no symbol table for it".into());
    };
    let old = match old {
        Some(text) => match table(path, text) {
            Some(t) => Some(t),
            None => return Err("it is not a JS/TS module".into()),
        },
        None => None,
    };
    let names = match changed_exports(old.as_ref(), new) {
        ExportChange::File(why) => return Err(why),
        ExportChange::Names(names) => names,
    };
    let mut touched: HashMap<usize, Touch> = HashMap::new();
    touched.insert(
        seed,
        Touch {
            through: names.clone(),
            names,
            ..Touch::default()
        },
    );
    let mut out = SymbolReach::default();
    let mut queue = VecDeque::from([seed]);
    while let Some(file) = queue.pop_front() {
        let touch = touched[&file].clone();
        for edge in graph.importers_of(file) {
            let importer = edge.file;
            let Some(contribution) = contribution(graph, importer, edge, &touch) else {
                continue;
            };
            out.edges.insert((importer, file));
            let entry = touched.entry(importer).or_default();
            let before = (entry.effects, entry.all, entry.names.len(), entry.through.len());
            entry.effects |= contribution.effects;
            entry.all |= contribution.all;
            entry.names.extend(contribution.names);
            entry.through.extend(contribution.through);
            if before != (entry.effects, entry.all, entry.names.len(), entry.through.len()) {
                queue.push_back(importer);
            }
        }
    }
    out.names = touched.into_iter().map(|(file, t)| (file, t.through)).collect();
    Ok(out)
}

/// What the change of `imported` (as `touch` says) does to `importer` through `edge`, or
/// `None` when it does not reach it.
fn contribution(
    graph: &DependencyGraph,
    importer: usize,
    edge: &crate::code::graph::Edge,
    touch: &Touch,
) -> Option<Touch> {
    if touch.effects {
        return Some(Touch {
            effects: true,
            ..Touch::default()
        });
    }
    let whole = Touch {
        all: true,
        through: ["*".to_string()].into(),
        ..Touch::default()
    };
    let import = graph.import_of(importer, edge)?;
    let specifier = match (&import.specifier, import.kind) {
        (_, ImportKind::Dynamic | ImportKind::Require | ImportKind::AutoImport) => return Some(whole),
        (Specifier::Template(_), _) => return Some(whole),
        (Specifier::Literal(s), _) => s.as_str(),
    };
    let Some(table) = graph.symbols_of(importer).filter(|t| t.opaque.is_none()) else {
        // A component file, or one that cannot be followed by name: all of it.
        return Some(whole);
    };
    let changed = |name: &str| touch.all || touch.names.contains(name);
    // Bindings that import a changed name reach the file even if unused; the members of a
    // namespace (`ns.Card`) only where a statement uses them (or the namespace as a whole).
    let mut seeds = BTreeSet::new();
    let mut members = BTreeSet::new();
    for binding in table.bindings.iter().filter(|b| b.specifier == specifier) {
        match &binding.imported {
            Imported::Name(name) if changed(name) => {
                seeds.insert(binding.local.clone());
            }
            Imported::Name(_) => {}
            Imported::Namespace if touch.all => {
                seeds.insert(binding.local.clone());
            }
            Imported::Namespace => {
                members.extend(touch.names.iter().map(|n| format!("{}.{n}", binding.local)));
            }
        }
    }
    if !members.is_empty() {
        let used: BTreeSet<String> = members
            .into_iter()
            .filter(|m| !dependent_items(table, &[m.clone()].into()).is_empty())
            .collect();
        seeds.extend(used);
    }
    let mut names = dirty_exports(table, &seeds);
    let mut all = false;
    for (exported, of) in &table.exports {
        if let ExportOf::ReExport { specifier: s, imported } = of
            && s == specifier
            && match imported {
                Imported::Name(name) => changed(name),
                Imported::Namespace => touch.all || !touch.names.is_empty(),
            }
        {
            names.insert(exported.clone());
        }
    }
    if table.stars.iter().any(|s| s == specifier) {
        if touch.all {
            all = true;
        } else {
            // `export *` passes every name on but `default`, and not the names the module
            // declares itself.
            names.extend(
                touch
                    .names
                    .iter()
                    .filter(|n| n.as_str() != crate::code::symbols::DEFAULT && !table.exports.contains_key(*n))
                    .cloned(),
            );
        }
    }
    let effects = effects_depend_on(table, &seeds);
    if seeds.is_empty() && names.is_empty() && !all {
        return None;
    }
    let through: BTreeSet<String> = seeds.iter().cloned().chain(names.iter().cloned()).collect();
    Some(Touch {
        effects,
        all,
        names,
        through,
    })
}

/// The names a change travels through along `chain` (changed file first), for the reason:
/// `components/ui/Card.tsx (Card) → components/ui/index.ts (Card) → app/shop/page.tsx (Card)`.
pub fn chain_names(graph: &DependencyGraph, chain: &[String], reach: &SymbolReach) -> String {
    chain
        .iter()
        .map(|path| {
            let names = graph
                .id(path)
                .and_then(|id| reach.names.get(&id))
                .map(|n| n.iter().cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            if names.is_empty() {
                path.clone()
            } else {
                format!("{path} ({names})")
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}
