//! Aliases and virtual modules that frameworks define without a file in git, per app folder:
//!
//! - **SvelteKit** (a `svelte.config.*`): `$lib` → `src/lib` (or `kit.files.lib`), every
//!   `kit.alias` entry; `$app/*`, `$env/*`, `$service-worker` and the generated `./$types`
//!   are framework modules.
//! - **Nuxt** (a `nuxt.config.*`): `~`/`@` → the source folder (`srcDir`, else `app/` as in
//!   Nuxt 4 when it holds the app, else the root), `~~`/`@@` → the root, `assets`/`public`,
//!   every `alias` entry; `#imports`, `#app`, `#components` and other `#` modules that do not
//!   resolve are framework modules.
//! - **Vite** (a `vite.config.*`, any framework): `resolve.alias` entries that name folders.
//!
//! Everything is read statically from the config files (see [`super::config_file`]), so the
//! generated `.svelte-kit/tsconfig.json` or `.nuxt/tsconfig.json` is not needed; when it
//! exists the answers are the same.

use std::path::{Path, PathBuf};

use super::config_file::{ConfigValue, read_config};

/// The kind of framework an app folder is, for its framework modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    SvelteKit,
    Nuxt,
    ReactRouter,
    Vite,
}

/// The aliases of one app folder.
#[derive(Debug, Clone)]
struct AppAliases {
    dir: PathBuf,
    kinds: Vec<Kind>,
    /// Alias → absolute folder or file, longest alias first.
    aliases: Vec<(String, PathBuf)>,
}

/// The framework aliases of every app folder of a project or workspace.
#[derive(Debug, Clone, Default)]
pub struct FrameworkAliases {
    /// Deepest folder first, so the app nearest an importer wins.
    apps: Vec<AppAliases>,
}

fn config_in(dir: &Path, stem: &str) -> Option<PathBuf> {
    ["ts", "js", "mjs", "mts", "cjs", "cts"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .find(|p| p.is_file())
}

/// A config path value as a folder: relative to `base` (`./src`, `src`), or to `src_dir` for
/// Nuxt's `~/x`, `@/x`. Absolute paths and package names are not folders of the app.
fn folder(value: &ConfigValue, base: &Path, src_dir: Option<&Path>) -> Option<PathBuf> {
    let raw = value.as_str()?.trim_end_matches("/*").trim_end_matches("/**");
    if let ConfigValue::Path(rel) = value {
        return Some(base.join(rel));
    }
    if let Some(src) = src_dir
        && let Some(rest) = raw.strip_prefix("~/").or_else(|| raw.strip_prefix("@/"))
    {
        return Some(src.join(rest));
    }
    if let Some(rest) = raw.strip_prefix("./") {
        return Some(base.join(rest));
    }
    if raw.starts_with("../") {
        return Some(base.join(raw));
    }
    None
}

/// `alias` entries as an object (`{ key: value }`) or a Vite array (`[{ find, replacement }]`).
fn entries(value: &ConfigValue) -> Vec<(String, &ConfigValue)> {
    match value {
        ConfigValue::Object(props) => props.iter().map(|(k, v)| (k.clone(), v)).collect(),
        ConfigValue::Array(items) => items
            .iter()
            .filter_map(|item| Some((item.get("find")?.as_str()?.to_string(), item.get("replacement")?)))
            .collect(),
        _ => Vec::new(),
    }
}

fn alias_key(key: &str) -> String {
    key.trim_end_matches("/*").trim_end_matches('/').to_string()
}

impl AppAliases {
    fn of(dir: &Path) -> Option<AppAliases> {
        let mut app = AppAliases {
            dir: dir.to_path_buf(),
            kinds: Vec::new(),
            aliases: Vec::new(),
        };
        if let Some(path) = config_in(dir, "svelte.config") {
            app.kinds.push(Kind::SvelteKit);
            let config = read_config(&path).unwrap_or(ConfigValue::Unknown);
            let lib = config
                .at("kit.files.lib")
                .and_then(|v| folder(v, dir, None).or_else(|| v.as_str().map(|s| dir.join(s))))
                .unwrap_or_else(|| dir.join("src/lib"));
            app.aliases.push(("$lib".into(), lib));
            for (key, value) in config.at("kit.alias").map(entries).unwrap_or_default() {
                let target = folder(value, dir, None).or_else(|| value.as_str().map(|s| dir.join(s)));
                app.aliases.extend(target.map(|t| (alias_key(&key), t)));
            }
        }
        if let Some(path) = config_in(dir, "nuxt.config") {
            app.kinds.push(Kind::Nuxt);
            let config = read_config(&path).unwrap_or(ConfigValue::Unknown);
            let src = config
                .get("srcDir")
                .and_then(|v| folder(v, dir, None).or_else(|| v.as_str().map(|s| dir.join(s))))
                .unwrap_or_else(|| nuxt_default_src(dir));
            for key in ["~", "@"] {
                app.aliases.push((key.into(), src.clone()));
            }
            for key in ["~~", "@@"] {
                app.aliases.push((key.into(), dir.to_path_buf()));
            }
            app.aliases.push(("assets".into(), src.join("assets")));
            app.aliases.push(("public".into(), src.join("public")));
            // Nuxt 4's code shared by the app and the server, and the server's own folder.
            app.aliases.push(("#shared".into(), dir.join("shared")));
            app.aliases.push(("#server".into(), dir.join("server")));
            for (key, value) in config.get("alias").map(entries).unwrap_or_default() {
                app.aliases
                    .extend(folder(value, dir, Some(&src)).map(|t| (alias_key(&key), t)));
            }
        }
        if config_in(dir, "react-router.config").is_some() {
            app.kinds.push(Kind::ReactRouter);
        }
        if let Some(path) = config_in(dir, "vite.config") {
            app.kinds.push(Kind::Vite);
            let config = read_config(&path).unwrap_or(ConfigValue::Unknown);
            for (key, value) in config.at("resolve.alias").map(entries).unwrap_or_default() {
                // Vite reads `/src` from the project root.
                let target = match value {
                    ConfigValue::Str(s) if s.starts_with('/') => Some(dir.join(s.trim_start_matches('/'))),
                    other => folder(other, dir, None),
                };
                app.aliases.extend(target.map(|t| (alias_key(&key), t)));
            }
        }
        if app.kinds.is_empty() {
            return None;
        }
        app.aliases.sort_by_key(|(key, _)| std::cmp::Reverse(key.len()));
        Some(app)
    }
}

/// Nuxt 4 keeps the app in `app/`; Nuxt 3 at the root.
fn nuxt_default_src(dir: &Path) -> PathBuf {
    let app = dir.join("app");
    let holds_app = ["pages", "components", "layouts", "app.vue"]
        .iter()
        .any(|entry| app.join(entry).exists());
    if holds_app { app } else { dir.to_path_buf() }
}

impl FrameworkAliases {
    /// Reads the framework configs in each of `dirs` (the project and its workspace packages).
    pub fn discover<'d>(dirs: impl IntoIterator<Item = &'d Path>) -> FrameworkAliases {
        let mut apps: Vec<AppAliases> = dirs.into_iter().filter_map(AppAliases::of).collect();
        apps.sort_by_key(|app| std::cmp::Reverse(app.dir.components().count()));
        apps.dedup_by(|a, b| a.dir == b.dir);
        FrameworkAliases { apps }
    }

    fn app_of(&self, from: &Path) -> Option<&AppAliases> {
        self.apps.iter().find(|app| from.starts_with(&app.dir))
    }

    /// The path `spec` (imported by the file `from`) stands for through its app's aliases.
    pub fn rewrite(&self, from: &Path, spec: &str) -> Option<PathBuf> {
        let app = self.app_of(from)?;
        app.aliases.iter().find_map(|(key, target)| {
            let rest = spec.strip_prefix(key.as_str())?;
            if rest.is_empty() {
                Some(target.clone())
            } else {
                rest.strip_prefix('/').map(|rest| target.join(rest))
            }
        })
    }

    /// Whether `spec` names a module the framework of `from`'s app provides at build time
    /// (`$app/navigation`, `$env/static/public`). With `unresolved`, also the modules that
    /// only count as the framework's when nothing else answers (Nuxt `#imports`).
    pub fn is_framework_module(&self, from: &Path, spec: &str, unresolved: bool) -> bool {
        let Some(app) = self.app_of(from) else {
            return false;
        };
        app.kinds.iter().any(|kind| match kind {
            Kind::SvelteKit => {
                spec.starts_with("$app/")
                    || spec.starts_with("$env/")
                    || spec == "$service-worker"
                    // Route types that `svelte-kit sync` generates beside each route.
                    || spec == "./$types"
                    || spec.ends_with("/$types")
            }
            Kind::Nuxt => unresolved && spec.starts_with('#'),
            // Route module types that `react-router typegen` writes to `.react-router/types`.
            Kind::ReactRouter => unresolved && (spec.starts_with("./+types/") || spec.contains("/+types/")),
            Kind::Vite => false,
        })
    }
}

/// Whether a missing tsconfig `extends` target is a file a framework generates (and so its
/// absence on a fresh checkout is expected, not a problem).
pub fn is_generated_tsconfig(path: &Path) -> bool {
    path.components()
        .any(|c| matches!(c.as_os_str().to_str(), Some(".svelte-kit" | ".nuxt" | ".react-router")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    #[test]
    fn each_app_folder_gets_its_frameworks_aliases() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        write(
            r,
            &[
                (
                    "apps/kit/svelte.config.js",
                    "export default { kit: { alias: { $ui: 'src/ui', '$db/*': './src/server/db/*' } } };",
                ),
                (
                    "apps/nuxt/nuxt.config.ts",
                    "export default defineNuxtConfig({ alias: { '#shared': './shared' } })",
                ),
                ("apps/nuxt/app/pages/index.vue", "<template/>"),
                (
                    "apps/spa/vite.config.ts",
                    "export default { resolve: { alias: [{ find: '@', replacement: '/src' }] } }",
                ),
            ],
        );
        let dirs: Vec<PathBuf> = ["apps/kit", "apps/nuxt", "apps/spa", "packages/none"]
            .iter()
            .map(|d| r.join(d))
            .collect();
        let aliases = FrameworkAliases::discover(dirs.iter().map(PathBuf::as_path));
        let kit = r.join("apps/kit/src/routes/+page.svelte");
        assert_eq!(aliases.rewrite(&kit, "$lib/x"), Some(r.join("apps/kit/src/lib/x")));
        assert_eq!(aliases.rewrite(&kit, "$lib"), Some(r.join("apps/kit/src/lib")));
        assert_eq!(
            aliases.rewrite(&kit, "$ui/Button.svelte"),
            Some(r.join("apps/kit/src/ui/Button.svelte"))
        );
        assert_eq!(
            aliases.rewrite(&kit, "$db/client"),
            Some(r.join("apps/kit/src/server/db/client"))
        );
        assert_eq!(aliases.rewrite(&kit, "$library"), None);
        assert!(aliases.is_framework_module(&kit, "$app/navigation", false));
        assert!(aliases.is_framework_module(&kit, "$env/static/public", false));
        assert!(aliases.is_framework_module(&kit, "./$types", false));
        assert!(!aliases.is_framework_module(&kit, "./types", false));

        let nuxt = r.join("apps/nuxt/app/pages/index.vue");
        assert_eq!(
            aliases.rewrite(&nuxt, "~/composables/x"),
            Some(r.join("apps/nuxt/app/composables/x"))
        );
        assert_eq!(
            aliases.rewrite(&nuxt, "@/utils/y"),
            Some(r.join("apps/nuxt/app/utils/y"))
        );
        assert_eq!(
            aliases.rewrite(&nuxt, "~~/server/z"),
            Some(r.join("apps/nuxt/server/z"))
        );
        assert_eq!(
            aliases.rewrite(&nuxt, "@@/shared/w"),
            Some(r.join("apps/nuxt/shared/w"))
        );
        assert_eq!(
            aliases.rewrite(&nuxt, "#shared/types"),
            Some(r.join("apps/nuxt/shared/types"))
        );
        assert_eq!(
            aliases.rewrite(&nuxt, "@scope/pkg"),
            None,
            "scoped packages are not `@/`"
        );
        assert!(aliases.is_framework_module(&nuxt, "#imports", true));
        assert!(!aliases.is_framework_module(&nuxt, "#imports", false));

        let spa = r.join("apps/spa/src/main.ts");
        assert_eq!(aliases.rewrite(&spa, "@/App.vue"), Some(r.join("apps/spa/src/App.vue")));
        assert_eq!(aliases.rewrite(&r.join("packages/none/a.ts"), "$lib/x"), None);
    }

    #[test]
    fn generated_tsconfigs_are_recognised() {
        assert!(is_generated_tsconfig(Path::new(
            "/r/apps/kit/.svelte-kit/tsconfig.json"
        )));
        assert!(is_generated_tsconfig(Path::new("/r/.nuxt/tsconfig.json")));
        assert!(!is_generated_tsconfig(Path::new("/r/tsconfig.base.json")));
    }
}
