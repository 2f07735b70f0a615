//! Source discovery: the project's files, respecting `.gitignore` and `observer.watch.ignore`,
//! never entering `node_modules`, following symlinks without looping.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

use crate::error::{Error, Result};

/// Directories never walked, whatever `.gitignore` says.
const SKIPPED_DIRS: &[&str] = &["node_modules", ".git", ".perceo", ".next", ".nuxt", ".svelte-kit"];

/// Compiles glob patterns (`observer.watch.ignore`, flow `files`).
pub fn glob_set(patterns: &[String], what: &str) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| Error::Argument(format!("{what}: invalid glob `{p}`: {e}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| Error::Argument(format!("{what}: invalid globs: {e}")))
}

/// Lists the files under `root` as `/`-separated paths relative to `base` (which may be
/// `root` itself, or an ancestor), sorted. `ignore` globs are matched against those paths.
pub fn discover_files(root: &Path, base: &Path, ignore: &GlobSet) -> Vec<String> {
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .follow_links(true)
        .require_git(false)
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            !(entry.file_type().is_some_and(|t| t.is_dir()) && SKIPPED_DIRS.contains(&name.as_ref()))
        })
        .build();
    // Unreadable entries and symlink loops are skipped, not fatal.
    let mut files: Vec<String> = walker
        .filter_map(|entry| entry.ok())
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| relative_path(base, e.path()))
        .filter(|rel| !ignore.is_match(rel))
        .collect();
    files.sort();
    files.dedup();
    files
}

/// `path` relative to `base` with `/` separators (`../` segments when outside `base`).
pub fn relative_path(base: &Path, path: &Path) -> Option<String> {
    if let Ok(rel) = path.strip_prefix(base) {
        return Some(to_slash(rel));
    }
    let mut up = String::new();
    for ancestor in base.ancestors().skip(1) {
        up.push_str("../");
        if let Ok(rel) = path.strip_prefix(ancestor) {
            return Some(format!("{up}{}", to_slash(rel)));
        }
    }
    None
}

fn to_slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Joins a project-relative `/` path onto `base`.
pub fn absolute(base: &Path, rel: &str) -> PathBuf {
    let mut p = base.to_path_buf();
    for part in rel.split('/') {
        match part {
            ".." => {
                p.pop();
            }
            "." | "" => {}
            other => p.push(other),
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_node_modules_and_gitignored_files_and_survives_symlink_loops() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in ["src/a.ts", "node_modules/x/index.js", "dist/out.js", "src/gen/skip.ts"] {
            std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
            std::fs::write(root.join(f), "").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "dist/\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("src"), root.join("src/loop")).unwrap();
        let ignore = glob_set(&["src/gen/**".into()], "observer.watch.ignore").unwrap();
        let files = discover_files(root, root, &ignore);
        assert!(files.contains(&"src/a.ts".to_string()), "{files:?}");
        assert!(
            !files
                .iter()
                .any(|f| f.contains("node_modules") || f.starts_with("dist") || f.contains("gen/"))
        );
    }

    #[test]
    fn relative_paths_outside_the_base_climb() {
        assert_eq!(
            relative_path(Path::new("/r/apps/web"), Path::new("/r/packages/ui/a.ts")).unwrap(),
            "../../packages/ui/a.ts"
        );
        assert_eq!(
            absolute(Path::new("/r/apps/web"), "../../packages/ui/a.ts"),
            PathBuf::from("/r/packages/ui/a.ts")
        );
    }
}
