//! Message precision (with `observer.analysis.precision: "symbol"`): a changed message
//! catalog affects the files that name one of its changed keys, not every page that loads
//! the catalog. A catalog that cannot be compared (unreadable at the base, not JSON/YAML)
//! is followed at file level; one whose changed keys no code names is harmless.

use std::collections::{BTreeMap, BTreeSet};

use super::classify::Seed;
use super::symbols::SymbolSources;
use super::{ImpactInput, ReasonKind};
use crate::code::DependencyGraph;
use crate::code::messages::{catalog_entries, catalog_namespace, changed_keys, is_catalog_path};

/// The keys of the catalog `path` that changed, and the files that name one of them (file
/// ids), or why the catalog cannot be compared.
pub fn catalog_reach(
    graph: &DependencyGraph,
    path: &str,
    sources: &SymbolSources<'_>,
) -> Result<(BTreeSet<String>, Vec<usize>), String> {
    let old = sources.old.get(path).ok_or("its earlier content could not be read")?;
    let new = (sources.read)(path).ok_or("it was deleted")?;
    let parse = |text: &str| catalog_entries(path, text).ok_or("it does not parse as JSON or YAML");
    let old = match old {
        Some(text) => parse(text)?,
        None => BTreeMap::new(),
    };
    let keys = changed_keys(&old, &parse(&new)?);
    let namespace = catalog_namespace(path);
    let files = graph
        .message_uses()
        .filter(|(_, uses)| keys.iter().any(|k| uses.names(k, namespace)))
        .map(|(id, _)| id)
        .collect();
    Ok((keys, files))
}

/// The seeds the graph search starts from: at message precision, a changed catalog gives
/// way to the files that name its changed keys (reason kind `message`), or is harmless when
/// none does (noted in `harmless`); every other seed stays.
pub(super) fn expand_seeds(
    input: &ImpactInput<'_>,
    seeds: &[Seed],
    harmless: &mut BTreeMap<String, String>,
) -> Vec<Seed> {
    let Some(sources) = input.symbols else {
        return seeds.to_vec();
    };
    let mut out = Vec::new();
    for seed in seeds {
        if seed.via.is_some() || !is_catalog_path(&seed.changed) {
            out.push(seed.clone());
            continue;
        }
        match catalog_reach(input.graph, &seed.changed, sources) {
            Ok((keys, files)) => {
                let listed = list(&keys);
                if files.is_empty() {
                    harmless.insert(
                        seed.changed.clone(),
                        format!("no code names its changed message key(s) {listed}"),
                    );
                }
                for file in files {
                    let what = format!(
                        "message key(s) {listed} changed, and {} names one of them",
                        input.graph.path(file)
                    );
                    out.push(Seed {
                        changed: seed.changed.clone(),
                        file,
                        via: Some((what, ReasonKind::Message)),
                    });
                }
            }
            // Followed at file level, like any changed file.
            Err(_) => out.push(seed.clone()),
        }
    }
    out
}

/// `` `a`, `b` `` (at most five, then how many more).
fn list(keys: &BTreeSet<String>) -> String {
    let shown: Vec<String> = keys.iter().take(5).map(|k| format!("`{k}`")).collect();
    match keys.len() {
        0 => "(none)".into(),
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}
