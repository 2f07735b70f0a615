//! The project's test sources: files named `*.spec.*` or `*.test.*`, outside what git ignores.

use std::path::Path;

/// The text of every test spec file under `project_dir` (`*.spec.*`, `*.test.*`; ignored
/// files and `node_modules` skipped; unreadable or non-UTF-8 files left out).
pub fn spec_sources(project_dir: &Path) -> Vec<String> {
    ignore::WalkBuilder::new(project_dir)
        .build()
        .filter_map(|entry| entry.ok())
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name.contains(".spec.") || name.contains(".test.")
        })
        .filter(|e| !e.path().components().any(|c| c.as_os_str() == "node_modules"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect()
}
