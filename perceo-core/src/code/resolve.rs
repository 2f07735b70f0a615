//! Module resolution with oxc_resolver: each file with its nearest tsconfig (`paths`,
//! `baseUrl`, `extends`), package.json `exports`/`main`/`module`, index files, extension
//! probing, and workspace packages mapped to their *source* even when unbuilt.
//!
//! Resolution degrades gracefully: when a tsconfig cannot be loaded (its `extends` is
//! missing — a generated `.svelte-kit/tsconfig.json`, an npm package not installed —,
//! cyclic or invalid), or a file is outside its tsconfig's `include`, the import is
//! resolved again without that tsconfig but with the nearest tsconfig's own `paths`, as
//! test runners do; each broken config is reported once as a warning naming the file.

use std::path::{Path, PathBuf};

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::sync::{Arc, Mutex};

use oxc_resolver::{FileMetadata, FileSystem, ResolveError, ResolveOptions, ResolverGeneric, TsconfigDiscovery};

use super::framework_aliases::{FrameworkAliases, is_generated_tsconfig};
use super::workspaces::{WorkspacePackage, expand_workspaces, exported_candidates, find_workspace_root};

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
    /// Manifests (package.json) that do not parse: read as absent, so that one broken file
    /// costs its own fields (`exports`, `main`, ...), not every resolution under it.
    broken: std::collections::HashSet<PathBuf>,
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
            broken: Default::default(),
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
        if self.broken.contains(path) {
            return Err(io::ErrorKind::NotFound.into());
        }
        std::fs::read(path).or_else(|e| std::fs::read(self.mapped(path, e)?))
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        if self.broken.contains(path) {
            return Err(io::ErrorKind::NotFound.into());
        }
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
    /// SvelteKit, Nuxt and Vite aliases per app folder.
    framework: FrameworkAliases,
    /// Per nearest tsconfig: a resolver without tsconfig discovery, with that tsconfig's own
    /// `paths` as aliases (the aliases' keys, to know when it can help).
    fallbacks: Mutex<HashMap<PathBuf, Arc<Fallback>>>,
    /// Config files that could not be used, with the problem (reported as warnings).
    problems: Mutex<BTreeMap<PathBuf, String>>,
    /// Where the search for a nearest tsconfig stops.
    stop_at: PathBuf,
    packages: Vec<WorkspacePackage>,
    root_manifests: Vec<PathBuf>,
    root: Option<PathBuf>,
}

impl ModuleResolver {
    /// A resolver for the project at `project_dir`, aware of the workspace packages found
    /// from the nearest ancestor (or the project itself) declaring workspaces.
    pub fn new(project_dir: &Path) -> Self {
        let workspace = find_workspace_root(project_dir);
        let (packages, root_manifests, mut fs) = match &workspace {
            Some((root, patterns)) => {
                let packages = expand_workspaces(root, patterns);
                let fs = WorkspaceFs::new_for(root, &packages);
                let manifests = ["package.json", "pnpm-workspace.yaml"]
                    .iter()
                    .map(|f| root.join(f))
                    .collect();
                (packages, manifests, fs)
            }
            None => (Vec::new(), Vec::new(), WorkspaceFs::default()),
        };
        let framework =
            FrameworkAliases::discover(std::iter::once(project_dir).chain(packages.iter().map(|p| p.dir.as_path())));
        let ext = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let options = ResolveOptions {
            tsconfig: Some(TsconfigDiscovery::Auto),
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
        // Manifests that decide resolution but do not parse: said once, never fatal.
        let mut problems = BTreeMap::new();
        let manifests = std::iter::once(project_dir.join("package.json"))
            .chain(workspace.iter().map(|(root, _)| root.join("package.json")))
            .chain(packages.iter().map(|p| p.dir.join("package.json")));
        for manifest in manifests {
            if let Ok(text) = std::fs::read_to_string(&manifest)
                && let Err(e) = serde_json::from_str::<serde_json::Value>(&text)
            {
                fs.broken.insert(manifest.clone());
                problems.insert(
                    manifest,
                    format!("invalid JSON ({e}): its `exports`, `main` and `workspaces` are ignored"),
                );
            }
        }
        ModuleResolver {
            resolver: ResolverGeneric::new_with_file_system(fs, options),
            framework,
            fallbacks: Mutex::default(),
            problems: Mutex::new(problems),
            stop_at: workspace
                .as_ref()
                .map(|(root, _)| root.clone())
                .unwrap_or_else(|| project_dir.to_path_buf()),
            packages,
            root_manifests,
            root: workspace.map(|(root, _)| root),
        }
    }

    /// Config files (tsconfig, package.json) that could not be used, each with the problem:
    /// imports under them were resolved without them. Sorted by file.
    pub fn config_problems(&self) -> Vec<(PathBuf, String)> {
        self.problems
            .lock()
            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    fn note_problem(&self, file: PathBuf, problem: String) {
        if let Ok(mut p) = self.problems.lock() {
            p.entry(file).or_insert(problem);
        }
    }

    /// The nearest tsconfig.json / jsconfig.json above `from`, within the workspace.
    fn nearest_tsconfig(&self, from: &Path) -> Option<PathBuf> {
        for dir in from.ancestors().skip(1) {
            for name in ["tsconfig.json", "jsconfig.json"] {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Some(candidate);
                }
            }
            if dir == self.stop_at {
                break;
            }
        }
        None
    }

    /// The fallback resolver for files under `tsconfig` (or for files with no tsconfig).
    fn fallback(&self, tsconfig: Option<&Path>) -> Option<Arc<Fallback>> {
        let key = tsconfig.map(Path::to_path_buf).unwrap_or_default();
        let mut cache = self.fallbacks.lock().ok()?;
        if let Some(f) = cache.get(&key) {
            return Some(f.clone());
        }
        let mut options = self.resolver.options().clone();
        options.tsconfig = None;
        let mut keys = Vec::new();
        if let Some(path) = tsconfig {
            for (key, target) in tsconfig_path_aliases(path) {
                keys.push(key.clone());
                options.alias.push((
                    key,
                    vec![oxc_resolver::AliasValue::Path(target.to_string_lossy().into_owned())],
                ));
            }
        }
        let fallback = Arc::new(Fallback {
            resolver: self.resolver.clone_with_options(options),
            alias_keys: keys,
        });
        cache.insert(key, fallback.clone());
        Some(fallback)
    }

    /// Resolves with the project's resolvers; on a broken tsconfig (or one whose `include`
    /// leaves the file out) tries again with the nearest tsconfig's own `paths`.
    fn resolve_with_fallback(&self, from: &Path, spec: &str) -> Result<oxc_resolver::Resolution, ResolveError> {
        let first = self.resolver.resolve_file(from, spec);
        let err = match first {
            Ok(r) => return Ok(r),
            Err(e) => e,
        };
        let config_error = match &err {
            ResolveError::TsconfigNotFound(p) => Some(format!("its `extends` target {} does not exist", p.display())),
            ResolveError::TsconfigCircularExtend(c) => Some(format!("its `extends` chain is circular ({c:?})")),
            ResolveError::TsconfigSelfReference(_) => Some("it extends itself".to_string()),
            ResolveError::TsconfigLoadFailed { source, .. } => Some(format!("it could not be loaded ({source})")),
            ResolveError::Json(j) => Some(format!(
                "invalid JSON in {} ({}:{})",
                j.path.display(),
                j.line,
                j.column
            )),
            _ => None,
        };
        let tsconfig = self.nearest_tsconfig(from);
        let Some(fallback) = self.fallback(tsconfig.as_deref()) else {
            return Err(err);
        };
        // A missing `extends` target that a framework generates (`svelte-kit sync`, `nuxi
        // prepare`) is expected on a fresh checkout: resolved without it, but not reported.
        let generated = matches!(&err, ResolveError::TsconfigNotFound(p) if is_generated_tsconfig(p));
        if let Some(problem) = config_error {
            if !generated {
                let file = match &err {
                    ResolveError::Json(j) => j.path.clone(),
                    _ => tsconfig.clone().unwrap_or_default(),
                };
                self.note_problem(file, problem);
            }
        } else if is_relative(spec) || !fallback.alias_keys.iter().any(|k| spec.starts_with(k.as_str())) {
            // Not a config problem, and the tsconfig's own paths cannot help.
            return Err(err);
        }
        fallback.resolver.resolve_file(from, spec)
    }

    /// Which tsconfig governs `file` (by identity; 0 for none), `None` when that cannot be
    /// told. Files of one folder under the same tsconfig resolve every specifier alike;
    /// a folder can hold files of two tsconfigs (`include`, `exclude`, references).
    pub fn tsconfig_scope(&self, file: &Path) -> Option<usize> {
        match self.resolver.find_tsconfig(file) {
            Ok(Some(tsconfig)) => Some(Arc::as_ptr(&tsconfig) as usize),
            Ok(None) => Some(0),
            Err(_) => None,
        }
    }

    /// The monorepo's root (the nearest folder declaring workspaces), if any.
    pub fn workspace_root(&self) -> Option<&Path> {
        self.root.as_deref()
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
        let spec = match specifier.split_once('?') {
            Some((path, _)) => path,
            None => specifier,
        };
        let spec = match spec.find('#') {
            // `#imports` and package `imports` keep their `#`; a fragment after a path does not.
            Some(at) if at > 0 => &spec[..at],
            _ => spec,
        };
        if let Some((pkg, subpath)) = self.workspace_package_of(spec) {
            return self.resolve_workspace(from, spec, pkg, subpath);
        }
        if self.framework.is_framework_module(from, spec, false) {
            return Resolution::External(spec.to_string());
        }
        if let Some(target) = self.framework.rewrite(from, spec) {
            return match self.resolve_with_fallback(from, &target.to_string_lossy()) {
                Ok(r) => Resolution::File(r.into_path_buf()),
                Err(_) => Resolution::Unresolved,
            };
        }
        match self.resolve_with_fallback(from, spec) {
            Ok(r) => {
                let path = r.into_path_buf();
                if path.components().any(|c| c.as_os_str() == "node_modules") {
                    Resolution::External(package_name(spec).to_string())
                } else {
                    Resolution::File(path)
                }
            }
            Err(ResolveError::Builtin { .. }) => Resolution::External(spec.to_string()),
            Err(_) if self.framework.is_framework_module(from, spec, true) => Resolution::External(spec.to_string()),
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
        // An `exports` target written with `.js` for a `.ts` source (as TypeScript allows) or
        // left without its extension: resolved from the package folder, with extension aliases.
        let exported = if sub.is_empty() {
            ".".to_string()
        } else {
            format!("./{sub}")
        };
        let mut candidates = exported_candidates(&pkg.exports, &exported);
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
        // A TypeScript or JSX source is a source wherever it sits (`lib/utils.ts` is no
        // build output); only emitted `.js`/`.d.ts` files under an output folder map back.
        let name = path.to_string_lossy();
        let is_source = [".ts", ".tsx", ".mts", ".cts", ".jsx"]
            .iter()
            .any(|e| name.ends_with(e))
            && !name.ends_with(".d.ts")
            && !name.ends_with(".d.mts")
            && !name.ends_with(".d.cts");
        if is_source || !OUTPUT_DIRS.contains(&first.as_str()) {
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

/// A resolver for files whose tsconfig cannot be used.
struct Fallback {
    resolver: ResolverGeneric<WorkspaceFs>,
    /// Alias prefixes taken from the tsconfig's `paths`.
    alias_keys: Vec<String>,
}

fn is_relative(spec: &str) -> bool {
    spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == ".."
}

/// A tsconfig's own `compilerOptions.paths` (its `extends` ignored) as resolver aliases:
/// `"@/*": ["./src/*"]` → (`@`, `<dir>/src`); exact keys map to their first target.
fn tsconfig_path_aliases(tsconfig: &Path) -> Vec<(String, PathBuf)> {
    let Ok(text) = std::fs::read_to_string(tsconfig) else {
        return Vec::new();
    };
    let Ok(json) = crate::jsonc::parse_value(tsconfig, &text) else {
        return Vec::new();
    };
    let dir = tsconfig.parent().unwrap_or(Path::new("."));
    let options = json.get("compilerOptions");
    let base = options
        .and_then(|o| o.get("baseUrl"))
        .and_then(|b| b.as_str())
        .map_or_else(|| dir.to_path_buf(), |b| dir.join(b));
    let Some(paths) = options.and_then(|o| o.get("paths")).and_then(|p| p.as_object()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, targets) in paths {
        let Some(target) = targets.as_array().and_then(|t| t.first()).and_then(|t| t.as_str()) else {
            continue;
        };
        match (key.strip_suffix("/*"), target.strip_suffix("/*")) {
            (Some(k), Some(t)) => out.push((k.to_string(), base.join(t))),
            (None, None) if !key.contains('*') => out.push((format!("{key}$"), base.join(target))),
            _ => {}
        }
    }
    // Longest keys first, so `@/ui` wins over `@`.
    out.sort_by_key(|(key, _)| std::cmp::Reverse(key.len()));
    out
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

#[cfg(test)]
mod tests {
    use super::super::workspaces::{export_targets, pnpm_packages};
    use super::*;

    #[test]
    fn exports_patterns_give_their_targets() {
        let json: serde_json::Value = serde_json::from_str(
            r#"{ "./utils": "./src/lib/utils.ts", "./components/*": "./src/lib/components/*",
                 ".": { "types": "./dist/index.d.ts", "svelte": "./src/index.js", "default": "./dist/index.js" } }"#,
        )
        .unwrap();
        let exports = export_targets(Some(&json));
        assert_eq!(
            exported_candidates(&exports, "./components/ui/button/index.js"),
            ["./src/lib/components/ui/button/index.js"]
        );
        assert_eq!(exported_candidates(&exports, "./utils"), ["./src/lib/utils.ts"]);
        assert_eq!(exported_candidates(&exports, "."), ["./src/index.js"]);
        assert!(exported_candidates(&exports, "./hooks/x").is_empty());
        let single = export_targets(Some(&serde_json::json!("./src/main.ts")));
        assert_eq!(exported_candidates(&single, "."), ["./src/main.ts"]);
    }

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
