//! The monorepo's workspace packages (npm/yarn `workspaces`, `pnpm-workspace.yaml`): where
//! they are and what their `exports` map, for resolving imports of one package from another.

use std::path::{Path, PathBuf};

use super::discover::glob_set;

/// A package of the monorepo's workspaces.
#[derive(Debug, Clone)]
pub struct WorkspacePackage {
    /// `name` in its package.json.
    pub name: String,
    /// Its directory (absolute).
    pub dir: PathBuf,
    /// Its package.json `exports` as `(subpath, target)` pairs (`./components/*` →
    /// `./src/lib/components/*`), conditions reduced to the source-most target.
    pub exports: Vec<(String, String)>,
}

/// The workspace packages of the monorepo containing `project_dir`: npm/yarn `workspaces`
/// in package.json or `packages:` in pnpm-workspace.yaml of the nearest ancestor declaring them.
pub fn find_workspace_packages(project_dir: &Path) -> Vec<WorkspacePackage> {
    find_workspace_root(project_dir)
        .map(|(root, patterns)| expand_workspaces(&root, &patterns))
        .unwrap_or_default()
}

/// The nearest directory (the project or an ancestor) declaring workspaces, with its patterns.
pub(super) fn find_workspace_root(project_dir: &Path) -> Option<(PathBuf, Vec<String>)> {
    project_dir.ancestors().find_map(|dir| {
        let patterns = workspace_patterns(dir);
        (!patterns.is_empty()).then(|| (dir.to_path_buf(), patterns))
    })
}

pub(super) fn workspace_patterns(dir: &Path) -> Vec<String> {
    let mut patterns = Vec::new();
    if let Ok(text) = std::fs::read_to_string(dir.join("package.json"))
        && let Ok(json) = serde_json::from_str::<serde_json::Value>(&text)
    {
        let ws = json.get("workspaces");
        let list = ws
            .and_then(|w| w.as_array())
            .or_else(|| ws.and_then(|w| w.get("packages")?.as_array()));
        patterns.extend(list.into_iter().flatten().filter_map(|v| v.as_str().map(String::from)));
    }
    if let Ok(text) = std::fs::read_to_string(dir.join("pnpm-workspace.yaml")) {
        patterns.extend(pnpm_packages(&text));
    }
    patterns
}

/// The `packages:` list of a pnpm-workspace.yaml (negated `!` patterns are left out).
pub(super) fn pnpm_packages(text: &str) -> Vec<String> {
    let Ok(yaml) = serde_yaml_ng::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    yaml.get("packages")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .filter(|p| !p.starts_with('!'))
        .map(String::from)
        .collect()
}

pub(super) fn expand_workspaces(root: &Path, patterns: &[String]) -> Vec<WorkspacePackage> {
    let mut manifests: Vec<PathBuf> = Vec::new();
    for pattern in patterns {
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        let Ok(set) = glob_set(&[format!("{pattern}/package.json")], "workspaces") else {
            continue;
        };
        // Walk only below the pattern's literal prefix, only as deep as the pattern reaches.
        let segments: Vec<&str> = pattern.split('/').collect();
        let literal = segments
            .iter()
            .take_while(|s| !s.contains(['*', '?', '[', '{']))
            .count();
        let start = root.join(segments[..literal].join("/"));
        let depth = if pattern.contains("**") {
            None
        } else {
            Some(segments.len() - literal + 1)
        };
        let walker = ignore::WalkBuilder::new(&start)
            .max_depth(depth)
            .filter_entry(|e| e.file_name() != "node_modules")
            .build();
        manifests.extend(
            walker
                .filter_map(Result::ok)
                .filter(|e| e.file_name() == "package.json")
                .filter(|e| e.path().strip_prefix(root).is_ok_and(|rel| set.is_match(rel)))
                .map(|e| e.path().to_path_buf()),
        );
    }
    manifests.sort();
    manifests.dedup();
    let mut packages: Vec<WorkspacePackage> = manifests
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            let json: serde_json::Value = serde_json::from_str(&text).ok()?;
            Some(WorkspacePackage {
                name: json.get("name")?.as_str()?.to_string(),
                dir: path.parent()?.to_path_buf(),
                exports: export_targets(json.get("exports")),
            })
        })
        .collect();
    // Longest names first, so `@a/b-c` is not taken for `@a/b`.
    packages.sort_by(|a, b| b.name.len().cmp(&a.name.len()).then(a.name.cmp(&b.name)));
    packages
}

/// `exports` of a package.json as `(subpath, target)` pairs; a conditions object gives its
/// most source-like target (`source`, `svelte`, `import`, `module`, `default`, `require`).
pub(super) fn export_targets(exports: Option<&serde_json::Value>) -> Vec<(String, String)> {
    fn target(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Object(conditions) => ["source", "svelte", "import", "module", "default", "require"]
                .iter()
                .find_map(|c| conditions.get(*c).and_then(target)),
            _ => None,
        }
    }
    match exports {
        Some(serde_json::Value::Object(map)) if map.keys().all(|k| k.starts_with('.')) => map
            .iter()
            .filter_map(|(subpath, value)| Some((subpath.clone(), target(value)?)))
            .collect(),
        Some(other) => target(other).map(|t| vec![(".".to_string(), t)]).unwrap_or_default(),
        None => Vec::new(),
    }
}

/// The targets `exports` gives the subpath `./x/y` (a `*` pattern matches any rest).
pub(super) fn exported_candidates(exports: &[(String, String)], subpath: &str) -> Vec<String> {
    exports
        .iter()
        .filter_map(|(key, target)| match key.split_once('*') {
            None => (key == subpath).then(|| target.clone()),
            Some((before, after)) => {
                let middle = subpath.strip_prefix(before)?.strip_suffix(after)?;
                Some(target.replacen('*', middle, 1))
            }
        })
        .collect()
}
