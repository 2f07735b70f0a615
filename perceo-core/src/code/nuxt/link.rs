//! Puts the auto-import edges of [`super::edges`] into a [`DependencyGraph`], replacing
//! those it had.

use std::path::Path;

use crate::code::graph::{DependencyGraph, Edge};
use crate::code::imports::ImportKind;

impl DependencyGraph {
    /// Drops every auto-import edge and links the Nuxt auto-imports again from the files'
    /// facts (nothing to do outside Nuxt apps). A use that an import already links keeps
    /// the import's edge only.
    pub(crate) fn link_auto_imports(&mut self, project_dir: &Path) {
        let had_auto = self.forward.iter().flatten().any(|e| e.kind == ImportKind::AutoImport);
        if self.nuxt_roots.is_empty() && !had_auto {
            return;
        }
        if had_auto {
            for list in self.forward.iter_mut().chain(self.reverse.iter_mut()) {
                list.retain(|e| e.kind != ImportKind::AutoImport);
            }
        }
        let index = &self.index;
        let files = &self.files;
        let live = |i: usize| index.get(&files[i]) == Some(&i);
        for edge in super::edges(project_dir, &self.nuxt_roots, files, &live, &self.auto) {
            if self.forward[edge.from].iter().any(|e| e.file == edge.to) {
                continue;
            }
            let auto = Edge {
                file: edge.to,
                kind: ImportKind::AutoImport,
                type_only: false,
                import: crate::code::graph::NO_IMPORT,
            };
            self.forward[edge.from].push(auto);
            self.reverse[edge.to].push(Edge {
                file: edge.from,
                ..auto
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::code::graph::{DependencyGraph, GraphOptions};
    use crate::code::imports::ImportKind;
    use crate::code::resolve::ModuleResolver;

    fn auto_targets(graph: &DependencyGraph, file: &str) -> Vec<String> {
        let Some(id) = graph.id(file) else { return Vec::new() };
        graph
            .imports_of(id)
            .iter()
            .filter(|e| e.kind == ImportKind::AutoImport)
            .map(|e| graph.path(e.file).to_string())
            .collect()
    }

    #[test]
    fn watch_mode_changes_relink_auto_imports() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = std::fs::canonicalize(tmp.path()).unwrap();
        let write = |rel: &str, text: &str| {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("nuxt.config.ts", "export default defineNuxtConfig({})\n");
        write("pages/index.vue", "<template><p>home</p></template>\n");
        write("components/Foo.vue", "<template><b>foo</b></template>\n");
        let resolver = ModuleResolver::new(&dir);
        let mut graph = DependencyGraph::build_with(&dir, &GraphOptions::default(), &resolver).unwrap();
        assert!(auto_targets(&graph, "pages/index.vue").is_empty());

        write("pages/index.vue", "<template><Foo /></template>\n");
        graph.apply_changes(&dir, &resolver, &["pages/index.vue".to_string()]);
        assert_eq!(auto_targets(&graph, "pages/index.vue"), ["components/Foo.vue"]);

        std::fs::remove_file(dir.join("components/Foo.vue")).unwrap();
        graph.apply_changes(&dir, &resolver, &["components/Foo.vue".to_string()]);
        assert!(auto_targets(&graph, "pages/index.vue").is_empty());
    }
}
