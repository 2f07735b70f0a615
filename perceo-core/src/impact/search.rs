//! The reverse-import search: the most confident path from a changed file to every file
//! that (transitively) imports it.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use crate::code::DependencyGraph;

/// Confidence kept by one runtime import hop.
pub const HOP_FACTOR: f64 = 0.85;
/// Confidence kept by one type-only import hop (types vanish at run time).
pub const TYPE_ONLY_FACTOR: f64 = 0.4;
/// Confidence kept when a layout/template wraps a page.
pub const LAYOUT_FACTOR: f64 = 0.9;

/// Best path to one file.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    /// Product of the hop factors along the best path.
    pub confidence: f64,
    /// The next file towards the changed file (`None` for the changed file itself).
    pub towards_change: Option<usize>,
}

#[derive(PartialEq)]
struct Item(f64, usize);
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then_with(|| other.1.cmp(&self.1))
    }
}

/// Every file that reaches `seed` through imports, with the most confident path (Dijkstra
/// on products; ties broken towards the lower file id, so results are deterministic).
pub fn reverse_reach(graph: &DependencyGraph, seed: usize) -> HashMap<usize, Hit> {
    reverse_reach_within(graph, seed, |_, _| true)
}

/// Like [`reverse_reach`], along the import edges `follows(importer, imported)` allows only.
pub fn reverse_reach_within(
    graph: &DependencyGraph,
    seed: usize,
    follows: impl Fn(usize, usize) -> bool,
) -> HashMap<usize, Hit> {
    let mut best: HashMap<usize, Hit> = HashMap::new();
    best.insert(
        seed,
        Hit {
            confidence: 1.0,
            towards_change: None,
        },
    );
    let mut heap = BinaryHeap::new();
    heap.push(Item(1.0, seed));
    while let Some(Item(conf, node)) = heap.pop() {
        if best.get(&node).is_some_and(|h| h.confidence > conf) {
            continue;
        }
        for edge in graph.importers_of(node).iter().filter(|e| follows(e.file, node)) {
            let factor = if edge.type_only { TYPE_ONLY_FACTOR } else { HOP_FACTOR };
            let next = conf * factor;
            if best.get(&edge.file).is_none_or(|h| next > h.confidence) {
                best.insert(
                    edge.file,
                    Hit {
                        confidence: next,
                        towards_change: Some(node),
                    },
                );
                heap.push(Item(next, edge.file));
            }
        }
    }
    best
}

/// The hops of a chain (changed file first) that are framework auto-imports, each as
/// `user -> provider` (a Nuxt page using a component by tag, a composable by name...).
pub fn auto_import_hops(graph: &DependencyGraph, chain: &[String]) -> Vec<String> {
    chain
        .windows(2)
        .filter(|pair| {
            let (Some(provider), Some(user)) = (graph.id(&pair[0]), graph.id(&pair[1])) else {
                return false;
            };
            graph
                .imports_of(user)
                .iter()
                .any(|e| e.file == provider && e.kind == crate::code::imports::ImportKind::AutoImport)
        })
        .map(|pair| format!("{} -> {}", pair[1], pair[0]))
        .collect()
}

/// The import chain from the changed file to `target` (changed file first).
pub fn chain(graph: &DependencyGraph, reach: &HashMap<usize, Hit>, target: usize) -> Vec<String> {
    let mut out = vec![graph.path(target).to_string()];
    let mut node = target;
    while let Some(next) = reach.get(&node).and_then(|h| h.towards_change) {
        out.push(graph.path(next).to_string());
        node = next;
    }
    out.reverse();
    out
}

/// Discount for a changed file that reaches `pages` pages: `1 / (1 + 0.35·ln pages)`.
pub fn fan_in_factor(pages: usize) -> f64 {
    1.0 / (1.0 + 0.35 * (pages.max(1) as f64).ln())
}

/// Files whose imports no longer resolve because `deleted` is gone: importers with an
/// unresolved specifier naming the deleted file's stem.
pub fn importers_of_deleted(graph: &DependencyGraph, deleted: &str) -> Vec<usize> {
    let name = deleted.rsplit('/').next().unwrap_or(deleted);
    let stem = name.split('.').next().unwrap_or(name);
    let dir_name = deleted.rsplit('/').nth(1).unwrap_or("");
    let mut out: Vec<usize> = graph
        .unresolved
        .iter()
        .filter(|u| {
            let last = u.specifier.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            let last_stem = last.split('.').next().unwrap_or(last);
            last_stem == stem || (stem == "index" && last == dir_name)
        })
        .filter_map(|u| graph.id(&u.file))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fan_in_discounts_widely_used_files() {
        assert_eq!(fan_in_factor(1), 1.0);
        assert!(fan_in_factor(2) > 0.75);
        assert!(fan_in_factor(300) < 0.4);
    }
}
