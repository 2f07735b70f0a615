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
            };
            self.forward[edge.from].push(auto);
            self.reverse[edge.to].push(Edge {
                file: edge.from,
                ..auto
            });
        }
    }
}
