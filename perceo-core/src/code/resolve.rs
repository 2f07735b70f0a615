//! Module resolution with oxc_resolver: each file with its nearest tsconfig (`paths`,
//! `baseUrl`, `extends`), package.json `exports`/`main`/`module`, index files, extension
//! probing, and workspace packages mapped to their *source* even when unbuilt.

use std::path::{Path, PathBuf};

use std::collections::HashMap;
use std::io;

use oxc_resolver::{FileMetadata, FileSystem, ResolveError, ResolveOptions, ResolverGeneric, TsconfigDiscovery};

use super::discover::glob_set;

/// A package of the monorepo's workspaces.
#[derive(Debug, Clone)]
pub struct WorkspacePackage {
    /// `name` in its package.json.
    pub name: String,
    /// Its directory (absolute).
    pub dir: PathBuf,
}

/// Where a specifier led.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// A file on disk (absolute path).
    File(PathBuf),
    /// An npm package or Node builtin that is not part of the workspace (its name).
    External(String),
    /// Nothing was found.
    Unresolved,
}

/// Build-output directories that workspace packages point `main`/`exports` into.
const OUTPUT_DIRS: &[&str] = &["dist", "build", "lib", "out", "esm", "cjs"];

/// The real file system plus the `node_modules/<name>` links a package manager creates for
/// workspace packages, where they are missing (no install has run). With them, everything
/// that goes through node_modules — tsconfig `extends: "@acme/tsconfig/base.json"`,
/// package `exports` — works on a fresh checkout. Real files always win.
#[derive(Debug, Default)]
pub struct WorkspaceFs {
    /// `<workspace root>/node_modules`.
    node_modules: Option<PathBuf>,
    /// Package name → package directory.
    links: HashMap<String, PathBuf>,
}

/// What a missing path under the virtual node_modules stands for.
enum Virtual {
    /// `node_modules` itself or a scope folder.
    Dir,
    /// The link `node_modules/<name>` → the package directory.
    Link(PathBuf),
    /// A path inside a linked package, mapped to the real file.
    Inside(PathBuf),
}

fn is_not_found(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound
}

fn meta(m: std::fs::Metadata) -> FileMetadata {
    FileMetadata::new(m.is_file(), m.is_dir(), m.file_type().is_symlink())
}

impl WorkspaceFs {
    fn new_for(root: &Path, packages: &[WorkspacePackage]) -> Self {
        WorkspaceFs {
            node_modules: Some(root.join("node_modules")),
            links: packages.iter().map(|p| (p.name.clone(), p.dir.clone())).collect(),
        }
    }

    fn classify(&self, path: &Path) -> Option<Virtual> {
        let rel = path.strip_prefix(self.node_modules.as_ref()?).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.is_empty() {
            return Some(Virtual::Dir);
        }
        for (name, dir) in &self.links {
            let name_parts: Vec<&str> = name.split('/').collect();
            if parts.len() >= name_parts.len() && parts.iter().zip(&name_parts).all(|(a, b)| a == b) {
                let rest = &parts[name_parts.len()..];
                return Some(if rest.is_empty() {
                    Virtual::Link(dir.clone())
                } else {
                    Virtual::Inside(rest.iter().fold(dir.clone(), |p, c| p.join(c)))
                });
            }
        }
        let is_scope = parts.len() == 1 && parts[0].starts_with('@');
        (is_scope && self.links.keys().any(|n| n.starts_with(&format!("{}/", parts[0])))).then_some(Virtual::Dir)
    }

    fn mapped(&self, path: &Path, err: io::Error) -> io::Result<PathBuf> {
        match (is_not_found(&err), self.classify(path)) {
            (true, Some(Virtual::Link(p) | Virtual::Inside(p))) => Ok(p),
            _ => Err(err),
        }
    }
}

impl FileSystem for WorkspaceFs {
    fn new() -> Self {
        WorkspaceFs::default()
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path).or_else(|e| std::fs::read(self.mapped(path, e)?))
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path).or_else(|e| std::fs::read_to_string(self.mapped(path, e)?))
    }

    fn metadata(&self, path: &Path) -> io::Result<FileMetadata> {
        match std::fs::metadata(path) {
            Ok(m) => Ok(meta(m)),
            Err(e) if is_not_found(&e) => match self.classify(path) {
                Some(Virtual::Dir) => Ok(FileMetadata::new(false, true, false)),
                Some(Virtual::Link(p) | Virtual::Inside(p)) => std::fs::metadata(p).map(meta),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    fn symlink_metadata(&self, path: &Path) -> io::Result<FileMetadata> {
        match std::fs::symlink_metadata(path) {
            Ok(m) => Ok(meta(m)),
            Err(e) if is_not_found(&e) => match self.classify(path) {
                Some(Virtual::Dir) => Ok(FileMetadata::new(false, true, false)),
                Some(Virtual::Link(_)) => Ok(FileMetadata::new(false, false, true)),
                Some(Virtual::Inside(p)) => std::fs::symlink_metadata(p).map(meta),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    fn read_link(&self, path: &Path) -> Result<PathBuf, ResolveError> {
        match std::fs::read_link(path) {
            Ok(p) => Ok(p),
            Err(e) => match (is_not_found(&e), self.classify(path)) {
                (true, Some(Virtual::Link(dir))) => Ok(dir),
                _ => Err(ResolveError::from(e)),
            },
        }
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        match std::fs::canonicalize(path) {
            Ok(p) => Ok(p),
            Err(e) if is_not_found(&e) => match self.classify(path) {
                Some(Virtual::Dir) => Ok(path.to_path_buf()),
                Some(Virtual::Link(p) | Virtual::Inside(p)) => std::fs::canonicalize(p),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }
}

/// Resolves specifiers for a project (and its monorepo's workspace packages).
pub struct ModuleResolver {
    resolver: ResolverGeneric<WorkspaceFs>,
    packages: Vec<WorkspacePackage>,
    root_manifests: Vec<PathBuf>,
}

impl ModuleResolver {
    /// A resolver for the project at `project_dir`, aware of the workspace packages found
    /// from the nearest ancestor (or the project itself) declaring workspaces.
    pub fn new(project_dir: &Path) -> Self {
        let (packages, root_manifests, fs) = match find_workspace_root(project_dir) {
            Some((root, patterns)) => {
                let packages = expand_workspaces(&root, &patterns);
                let fs = WorkspaceFs::new_for(&root, &packages);
                let manifests = ["package.json", "pnpm-workspace.yaml"]
                    .iter()
                    .map(|f| root.join(f))
                    .collect();
                (packages, manifests, fs)
            }
            None => (Vec::new(), Vec::new(), WorkspaceFs::default()),
        };
        let mut alias = Vec::new();
        if ["js", "ts"]
            .iter()
            .any(|e| project_dir.join(format!("svelte.config.{e}")).exists())
        {
            alias.push((
                "$lib".to_string(),
                vec![oxc_resolver::AliasValue::Path(
                    project_dir.join("src/lib").to_string_lossy().into_owned(),
                )],
            ));
        }
        let ext = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let options = ResolveOptions {
            tsconfig: Some(TsconfigDiscovery::Auto),
            alias,
            condition_names: ext(&["source", "import", "module", "require", "node", "browser", "default"]),
            extensions: ext(&[
                ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".json", ".vue", ".svelte",
            ]),
            extension_alias: vec![
                (".js".into(), ext(&[".ts", ".tsx", ".js", ".jsx"])),
                (".jsx".into(), ext(&[".tsx", ".jsx"])),
                (".mjs".into(), ext(&[".mts", ".mjs"])),
                (".cjs".into(), ext(&[".cts", ".cjs"])),
            ],
            main_fields: ext(&["module", "main"]),
            builtin_modules: true,
            ..ResolveOptions::default()
        };
        ModuleResolver {
            resolver: ResolverGeneric::new_with_file_system(fs, options),
            packages,
            root_manifests,
        }
    }

    /// Forgets cached file-system lookups (after files were added or removed).
    pub fn clear_cache(&self) {
        self.resolver.clear_cache();
    }

    /// The workspace root's manifests (package.json, pnpm-workspace.yaml), which decide
    /// which packages exist.
    pub fn workspace_root_manifests(&self) -> &[PathBuf] {
        &self.root_manifests
    }

    /// The workspace packages found.
    pub fn workspace_packages(&self) -> &[WorkspacePackage] {
        &self.packages
    }

    /// Resolves `specifier` as imported by the file `from` (absolute path).
    pub fn resolve(&self, from: &Path, specifier: &str) -> Resolution {
        let spec = specifier.split(['?', '#']).next().unwrap_or(specifier);
        if let Some((pkg, subpath)) = self.workspace_package_of(spec) {
            return self.resolve_workspace(from, spec, pkg, subpath);
        }
        match self.resolver.resolve_file(from, spec) {
            Ok(r) => {
                let path = r.into_path_buf();
                if path.components().any(|c| c.as_os_str() == "node_modules") {
                    Resolution::External(package_name(spec).to_string())
                } else {
                    Resolution::File(path)
                }
            }
            Err(ResolveError::Builtin { .. }) => Resolution::External(spec.to_string()),
            Err(_) if is_bare(spec) => Resolution::External(package_name(spec).to_string()),
            Err(_) => Resolution::Unresolved,
        }
    }

    fn workspace_package_of<'s>(&self, spec: &'s str) -> Option<(&WorkspacePackage, &'s str)> {
        self.packages.iter().find_map(|p| {
            let rest = spec.strip_prefix(p.name.as_str())?;
            (rest.is_empty() || rest.starts_with('/')).then_some((p, rest))
        })
    }

    /// Workspace packages resolve to source: through node_modules when linked, else by
    /// their package.json from the package directory; outputs (`dist/…`) map back to `src/…`.
    fn resolve_workspace(&self, from: &Path, spec: &str, pkg: &WorkspacePackage, subpath: &str) -> Resolution {
        let found = self
            .resolver
            .resolve_file(from, spec)
            .ok()
            .map(|r| r.into_path_buf())
            .filter(|p| !p.components().any(|c| c.as_os_str() == "node_modules"));
        if let Some(path) = found.as_ref().and_then(|p| self.to_source(pkg, p)) {
            return Resolution::File(path);
        }
        let sub = subpath.trim_start_matches('/');
        let mut candidates = Vec::new();
        if sub.is_empty() {
            candidates.extend(["./src/index".to_string(), ".".to_string(), "./index".to_string()]);
        } else {
            candidates.extend([format!("./src/{sub}"), format!("./{sub}")]);
        }
        for c in candidates {
            if let Ok(r) = self.resolver.resolve(&pkg.dir, &c) {
                let path = r.into_path_buf();
                if let Some(src) = self.to_source(pkg, &path) {
                    return Resolution::File(src);
                }
            }
        }
        Resolution::Unresolved
    }

    /// A path inside `pkg`, mapped from a build output to its source file when needed.
    fn to_source(&self, pkg: &WorkspacePackage, path: &Path) -> Option<PathBuf> {
        let rel = path.strip_prefix(&pkg.dir).ok()?;
        let mut parts = rel.components();
        let first = parts.next()?.as_os_str().to_string_lossy().into_owned();
        if !OUTPUT_DIRS.contains(&first.as_str()) {
            return Some(path.to_path_buf());
        }
        let inner: PathBuf = parts.collect();
        let stem = inner.to_string_lossy();
        let stem = stem
            .trim_end_matches(".d.ts")
            .trim_end_matches(".js")
            .trim_end_matches(".mjs")
            .trim_end_matches(".cjs");
        let r = self.resolver.resolve(&pkg.dir, &format!("./src/{stem}")).ok()?;
        Some(r.into_path_buf())
    }
}

fn is_bare(spec: &str) -> bool {
    !(spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with("@/")
        || spec.starts_with('~')
        || spec.starts_with('$')
        || spec.starts_with('#'))
}

/// The package name of a bare specifier (`@scope/pkg/sub` → `@scope/pkg`).
pub fn package_name(spec: &str) -> &str {
    let mut idx = spec.len();
    let mut slashes = 0;
    let needed = if spec.starts_with('@') { 2 } else { 1 };
    for (i, c) in spec.char_indices() {
        if c == '/' {
            slashes += 1;
            if slashes == needed {
                idx = i;
                break;
            }
        }
    }
    &spec[..idx]
}

/// The workspace packages of the monorepo containing `project_dir`: npm/yarn `workspaces`
/// in package.json or `packages:` in pnpm-workspace.yaml of the nearest ancestor declaring them.
pub fn find_workspace_packages(project_dir: &Path) -> Vec<WorkspacePackage> {
    find_workspace_root(project_dir)
        .map(|(root, patterns)| expand_workspaces(&root, &patterns))
        .unwrap_or_default()
}

/// The nearest directory (the project or an ancestor) declaring workspaces, with its patterns.
fn find_workspace_root(project_dir: &Path) -> Option<(PathBuf, Vec<String>)> {
    project_dir.ancestors().find_map(|dir| {
        let patterns = workspace_patterns(dir);
        (!patterns.is_empty()).then(|| (dir.to_path_buf(), patterns))
    })
}

fn workspace_patterns(dir: &Path) -> Vec<String> {
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
fn pnpm_packages(text: &str) -> Vec<String> {
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

fn expand_workspaces(root: &Path, patterns: &[String]) -> Vec<WorkspacePackage> {
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
            })
        })
        .collect();
    // Longest names first, so `@a/b-c` is not taken for `@a/b`.
    packages.sort_by(|a, b| b.name.len().cmp(&a.name.len()).then(a.name.cmp(&b.name)));
    packages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_of_bare_specifiers() {
        assert_eq!(package_name("react"), "react");
        assert_eq!(package_name("next/link"), "next");
        assert_eq!(package_name("@shop/ui/Badge"), "@shop/ui");
    }

    #[test]
    fn pnpm_workspace_lists_are_read() {
        let text = "packages:\n  - 'apps/*'\n  - \"packages/*\"\n  - '!**/test/**'\ncatalog:\n  react: 19\n";
        assert_eq!(pnpm_packages(text), vec!["apps/*", "packages/*"]);
    }
}
