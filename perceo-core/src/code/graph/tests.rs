//! Unit tests of `graph`.

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

#[test]
fn symbol_tables_come_from_the_parse_the_cache_and_the_incremental_update() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::write(root.join("a.ts"), "export const a = 1;\n").unwrap();
    std::fs::write(root.join("b.ts"), "import { a } from './a';\nexport const b = a;\n").unwrap();
    std::fs::write(root.join("c.vue"), "<script setup>const c = 1</script>\n").unwrap();
    let options = GraphOptions {
        cache_dir: Some(root.join(".cache")),
        symbols: true,
        ..GraphOptions::default()
    };
    let exports = |g: &DependencyGraph, f: &str| -> Vec<String> {
        g.symbols_of(g.id(f).unwrap())
            .map(|t| t.exports.keys().cloned().collect())
            .unwrap_or_default()
    };
    let graph = DependencyGraph::build(&root, &options).unwrap();
    assert_eq!(exports(&graph, "b.ts"), vec!["b"]);
    assert!(
        graph.symbols_of(graph.id("c.vue").unwrap()).is_none(),
        "components have none"
    );
    // Each edge knows its import, so the binding it brings can be found.
    let edge = graph.imports_of(graph.id("b.ts").unwrap())[0];
    assert_eq!(
        graph.import_of(graph.id("b.ts").unwrap(), &edge).map(|i| i.line),
        Some(1)
    );
    drop(graph);

    // From the cache: the tables are kept.
    let mut graph = DependencyGraph::build(&root, &options).unwrap();
    assert_eq!(graph.stats.parses_fresh, 0);
    assert_eq!(exports(&graph, "a.ts"), vec!["a"]);

    // Watch mode's update makes the changed file's table again.
    std::fs::write(root.join("a.ts"), "export const a = 1;\nexport const z = 2;\n").unwrap();
    graph.apply_changes(&root, &ModuleResolver::new(&root), &["a.ts".to_string()]);
    assert_eq!(exports(&graph, "a.ts"), vec!["a", "z"]);

    // A graph that does not ask for them has none; one that does after it re-parses.
    let plain = DependencyGraph::build(&root, &GraphOptions::default()).unwrap();
    assert!(plain.symbols_of(plain.id("a.ts").unwrap()).is_none());
}
