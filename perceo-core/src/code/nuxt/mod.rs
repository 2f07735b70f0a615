//! Nuxt's auto-imports as graph edges (kind [`ImportKind::AutoImport`]): components used by
//! tag name in `.vue` templates, composables and utils used by identifier, layouts and
//! route middleware named in `definePageMeta`. Computed from the file list and each file's
//! [`AutoFacts`], for every Nuxt app of the project (a folder with a `nuxt.config.*`, or
//! whose `package.json` depends on `nuxt`).
//!
//! [`ImportKind::AutoImport`]: super::imports::ImportKind::AutoImport

pub mod config;
mod link;
pub mod names;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::discover::absolute;
use super::imports::{AutoFacts, MODULE_EXTENSIONS};

/// Config file names of a Nuxt app.
const CONFIGS: &[&str] = &["nuxt.config.ts", "nuxt.config.js", "nuxt.config.mjs", "nuxt.config.mts"];
/// Extensions of component files.
const COMPONENT_EXTS: &[&str] = &["vue", "ts", "tsx", "js", "jsx", "mjs"];
/// Extensions of composable, util and middleware files.
const SCRIPT_EXTS: &[&str] = &["ts", "js", "mjs", "mts"];

/// The folders of the Nuxt apps among `files` (`""` for the project root, otherwise ending
/// with `/`), read from `project_dir` for `package.json` dependencies.
pub fn roots(project_dir: &Path, files: &[String]) -> Vec<String> {
    let mut roots = BTreeSet::new();
    for f in files {
        let (dir, name) = match f.rsplit_once('/') {
            Some((d, n)) => (format!("{d}/"), n),
            None => (String::new(), f.as_str()),
        };
        if dir.starts_with("../") || dir.contains("node_modules/") {
            continue;
        }
        if CONFIGS.contains(&name) {
            roots.insert(dir);
        } else if name == "package.json"
            && let Ok(text) = std::fs::read_to_string(absolute(project_dir, f))
            && text.contains("\"nuxt\"")
        {
            roots.insert(dir);
        }
    }
    roots.into_iter().collect()
}

/// Whether the file at `rel` may take part in a Nuxt app's auto-imports (so its
/// [`AutoFacts`] are worth collecting): a `.vue` file or a module inside one of `roots`.
pub fn wants_facts(roots: &[String], rel: &str) -> bool {
    rel.ends_with(".vue")
        || (!roots.is_empty()
            && roots.iter().any(|r| rel.starts_with(r.as_str()))
            && rel
                .rsplit_once('.')
                .is_some_and(|(_, e)| MODULE_EXTENSIONS.contains(&e)))
}

/// One auto-import: `from` uses `to` without importing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct AutoEdge {
    /// The using file (an index into the file list).
    pub from: usize,
    /// The file providing the component, composable, layout or middleware.
    pub to: usize,
}

/// The auto-import edges of every Nuxt app in `roots`. `files` is the graph's file list,
/// `live` says whether an index is still a file, `facts` holds each file's [`AutoFacts`].
pub fn edges(
    project_dir: &Path,
    roots: &[String],
    files: &[String],
    live: &dyn Fn(usize) -> bool,
    facts: &[Option<AutoFacts>],
) -> Vec<AutoEdge> {
    let mut out = BTreeSet::new();
    for root in roots {
        // Files of this app, not of a nested app.
        let app: Vec<usize> = (0..files.len())
            .filter(|&i| live(i) && files[i].starts_with(root.as_str()))
            .filter(|&i| {
                !roots
                    .iter()
                    .any(|r| r.len() > root.len() && r.starts_with(root.as_str()) && files[i].starts_with(r.as_str()))
            })
            .collect();
        App::new(project_dir, root, files, &app, facts).link(&mut out);
    }
    out.into_iter().collect()
}

/// One Nuxt app: its folders and what they provide.
struct App<'f> {
    files: &'f [String],
    facts: &'f [Option<AutoFacts>],
    app: &'f [usize],
    /// Component name → files.
    components: HashMap<String, Vec<usize>>,
    /// Auto-imported name → files exporting it (composables, utils, shared).
    exports: HashMap<String, Vec<usize>>,
    /// Names of `server/utils`, auto-imported in server code only.
    server_exports: HashMap<String, Vec<usize>>,
    /// Layout name → files.
    layouts: HashMap<String, Vec<usize>>,
    /// Middleware name → files.
    middleware: HashMap<String, Vec<usize>>,
    root: &'f str,
    src: String,
}

impl<'f> App<'f> {
    fn new(
        project_dir: &Path,
        root: &'f str,
        files: &'f [String],
        app: &'f [usize],
        facts: &'f [Option<AutoFacts>],
    ) -> App<'f> {
        let config = CONFIGS
            .iter()
            .map(|c| format!("{root}{c}"))
            .find(|c| app.iter().any(|&i| files[i] == *c))
            .map(|c| {
                config::parse(
                    &c,
                    &std::fs::read_to_string(absolute(project_dir, &c)).unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        let has = |prefix: &str| app.iter().any(|&i| files[i].starts_with(prefix));
        let src = match &config.src_dir {
            Some(dir) => format!("{root}{}/", dir.trim_start_matches("./").trim_end_matches('/')),
            None if has(&format!("{root}app/pages/"))
                || has(&format!("{root}app/components/"))
                || app.iter().any(|&i| files[i] == format!("{root}app/app.vue")) =>
            {
                format!("{root}app/")
            }
            None => root.to_string(),
        };
        let mut this = App {
            files,
            facts,
            app,
            components: HashMap::new(),
            exports: HashMap::new(),
            server_exports: HashMap::new(),
            layouts: HashMap::new(),
            middleware: HashMap::new(),
            root,
            src,
        };
        this.scan_components(config.component_dirs.as_deref());
        let mut dirs = vec![format!("{}composables/", this.src), format!("{}utils/", this.src)];
        dirs.extend(config.import_dirs.iter().map(|d| this.resolve(d)));
        dirs.push(format!("{root}shared/utils/"));
        dirs.push(format!("{root}shared/types/"));
        let mut exports = HashMap::new();
        for dir in &dirs {
            this.scan_exports(dir, &mut exports);
        }
        this.exports = exports;
        let mut server = HashMap::new();
        this.scan_exports(&format!("{root}server/utils/"), &mut server);
        this.server_exports = server;
        this.scan_layouts_and_middleware();
        this
    }

    /// A folder as Nuxt resolves it: `~/x`, `@/x` and relative paths from the source
    /// folder, `~~/x`, `@@/x` from the app's root; glob tails (`/**`, `/*`) dropped.
    fn resolve(&self, written: &str) -> String {
        let path = written
            .trim_end_matches("/**")
            .trim_end_matches("/*")
            .trim_end_matches('/');
        let (base, rest) = if let Some(r) = path.strip_prefix("~~/").or_else(|| path.strip_prefix("@@/")) {
            (self.root, r)
        } else if let Some(r) = path.strip_prefix("~/").or_else(|| path.strip_prefix("@/")) {
            (self.src.as_str(), r)
        } else {
            (self.src.as_str(), path.trim_start_matches("./"))
        };
        let joined = format!("{base}{rest}");
        let is_file = self.app.iter().any(|&i| self.files[i] == joined);
        if is_file { joined } else { format!("{joined}/") }
    }

    fn scan_components(&mut self, dirs: Option<&[config::ComponentDir]>) {
        let default = [config::ComponentDir {
            path: "~/components".to_string(),
            prefix: String::new(),
            path_prefix: true,
        }];
        let mut dirs: Vec<(String, &config::ComponentDir)> = dirs
            .unwrap_or(&default)
            .iter()
            .map(|d| (self.resolve(&d.path), d))
            .collect();
        // A file belongs to the most specific folder that lists it.
        dirs.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
        let mut taken = BTreeSet::new();
        for (path, dir) in &dirs {
            for &i in self.app {
                let Some(rel) = self.files[i].strip_prefix(path.as_str()) else {
                    continue;
                };
                let ext = rel.rsplit_once('.').map_or("", |(_, e)| e);
                let name = rel.rsplit('/').next().unwrap_or(rel);
                if !COMPONENT_EXTS.contains(&ext)
                    || name.contains(".d.")
                    || name.contains(".stories.")
                    || name.contains(".spec.")
                    || name.contains(".test.")
                    || !taken.insert(i)
                {
                    continue;
                }
                if let Some(component) = names::component_name(rel, &dir.prefix, dir.path_prefix) {
                    self.components.entry(component).or_default().push(i);
                }
            }
        }
    }

    /// Top-level exports of the modules directly in `dir` and of `dir/*/index.*` (or of the
    /// file `dir` itself).
    fn scan_exports(&self, dir: &str, out: &mut HashMap<String, Vec<usize>>) {
        for &i in self.app {
            let file = &self.files[i];
            let Some(rel) = file
                .strip_prefix(dir)
                .or_else(|| (file == dir.trim_end_matches('/')).then_some(""))
            else {
                continue;
            };
            let (sub, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            let name = if rel.is_empty() {
                file.rsplit('/').next().unwrap_or(file)
            } else {
                name
            };
            let Some((stem, ext)) = name.rsplit_once('.') else {
                continue;
            };
            if !SCRIPT_EXTS.contains(&ext)
                || stem.ends_with(".d")
                || sub.contains('/')
                || (!sub.is_empty() && stem != "index")
            {
                continue;
            }
            let Some(Some(facts)) = self.facts.get(i) else { continue };
            let default_name = names::camel(if stem == "index" && !sub.is_empty() { sub } else { stem });
            for export in &facts.exports {
                let name = if export == "default" {
                    default_name.clone()
                } else {
                    export.clone()
                };
                out.entry(name).or_default().push(i);
            }
        }
    }

    fn scan_layouts_and_middleware(&mut self) {
        let layouts = format!("{}layouts/", self.src);
        let middleware = format!("{}middleware/", self.src);
        for &i in self.app {
            let file = &self.files[i];
            if let Some(rel) = file.strip_prefix(layouts.as_str())
                && let Some((stem, ext)) = rel.rsplit_once('.')
                && COMPONENT_EXTS.contains(&ext)
            {
                let stem = stem.strip_suffix("/index").unwrap_or(stem);
                let name = stem.split('/').map(names::kebab).collect::<Vec<_>>().join("-");
                self.layouts.entry(name).or_default().push(i);
            }
            if let Some(rel) = file.strip_prefix(middleware.as_str())
                && let Some((stem, ext)) = rel.rsplit_once('.')
                && SCRIPT_EXTS.contains(&ext)
            {
                let stem = stem.strip_suffix("/index").unwrap_or(stem);
                if !stem.contains('/') {
                    self.middleware.entry(stem.to_string()).or_default().push(i);
                }
            }
        }
    }

    fn link(&self, out: &mut BTreeSet<AutoEdge>) {
        let server = format!("{}server/", self.root);
        let mut named_layouts: BTreeSet<usize> = BTreeSet::new();
        for &i in self.app {
            let Some(Some(facts)) = self.facts.get(i) else { continue };
            let mut add = |targets: Option<&Vec<usize>>| {
                for &to in targets.into_iter().flatten() {
                    if to != i {
                        out.insert(AutoEdge { from: i, to });
                    }
                }
            };
            for tag in &facts.tags {
                let name = names::tag_component(tag);
                let found = self
                    .components
                    .get(&name)
                    .or_else(|| name.strip_prefix("Lazy").and_then(|n| self.components.get(n)));
                add(found);
            }
            let exports = if self.files[i].starts_with(&server) {
                &self.server_exports
            } else {
                &self.exports
            };
            for name in &facts.free {
                add(exports.get(name));
            }
            for name in &facts.layouts {
                let found = self.layouts.get(&names::kebab(name));
                named_layouts.extend(found.into_iter().flatten());
                add(found);
            }
            for name in &facts.middleware {
                add(self.middleware.get(name));
            }
        }
        // Layouts no file names statically (a computed `definePageMeta` layout,
        // `setPageLayout(x)`) may wrap any page: `app.vue` (itself part of every page)
        // stands for them, or every page when there is none.
        let app_vue = self
            .app
            .iter()
            .copied()
            .find(|&i| self.files[i] == format!("{}app.vue", self.src));
        let pages = format!("{}pages/", self.src);
        let users: Vec<usize> = match app_vue {
            Some(a) => vec![a],
            None => self
                .app
                .iter()
                .copied()
                .filter(|&i| self.files[i].starts_with(&pages))
                .collect(),
        };
        for (name, layouts) in &self.layouts {
            for &layout in layouts {
                // The default layout is attached to every page by the routes already.
                if name != "default" && !named_layouts.contains(&layout) {
                    out.extend(users.iter().map(|&from| AutoEdge { from, to: layout }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::imports::extract_with;

    #[test]
    fn nuxt_4_app_links_tags_identifiers_layouts_and_middleware() {
        let sources: &[(&str, &str)] = &[
            ("nuxt.config.ts", "export default defineNuxtConfig({})"),
            (
                "app/pages/index.vue",
                "<script setup lang=\"ts\">\ndefinePageMeta({ layout: 'wide', middleware: 'auth' })\nconst d = slugify('x')\n</script>\n\
                 <template><LazyFooBar/><nav-menu/>{{ formatDate(d) }}</template>",
            ),
            ("app/pages/other.vue", "<template><p>{{ slugify }}</p></template>"),
            ("app/components/foo/Bar.client.vue", "<template><b/></template>"),
            ("app/components/nav/menu/index.vue", "<template><i/></template>"),
            (
                "app/composables/dates/index.ts",
                "export const formatDate = (d: Date) => d",
            ),
            ("app/composables/deep/nested/x.ts", "export const formatDate = 1"),
            ("shared/utils/slugify.ts", "export default (s: string) => s"),
            ("app/layouts/wide.vue", "<template><slot/></template>"),
            ("app/layouts/print.vue", "<template><slot/></template>"),
            (
                "app/app.vue",
                "<template><NuxtLayout><NuxtPage/></NuxtLayout></template>",
            ),
            (
                "app/middleware/auth.ts",
                "export default defineNuxtRouteMiddleware(() => {})",
            ),
        ];
        let files: Vec<String> = sources.iter().map(|(f, _)| f.to_string()).collect();
        let roots = vec![String::new()];
        let facts: Vec<Option<AutoFacts>> = sources
            .iter()
            .map(|(f, text)| extract_with(f, text, wants_facts(&roots, f)).auto)
            .collect();
        let dir = std::env::temp_dir().join("perceo-nuxt-edges-test-absent");
        let got: Vec<(&str, &str)> = edges(&dir, &roots, &files, &|_| true, &facts)
            .into_iter()
            .map(|e| (files[e.from].as_str(), files[e.to].as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("app/pages/index.vue", "app/components/foo/Bar.client.vue"),
                ("app/pages/index.vue", "app/components/nav/menu/index.vue"),
                ("app/pages/index.vue", "app/composables/dates/index.ts"),
                ("app/pages/index.vue", "shared/utils/slugify.ts"),
                ("app/pages/index.vue", "app/layouts/wide.vue"),
                ("app/pages/index.vue", "app/middleware/auth.ts"),
                ("app/pages/other.vue", "shared/utils/slugify.ts"),
                ("app/app.vue", "app/layouts/print.vue"),
            ]
        );
    }

    #[test]
    fn literal_config_dirs_are_used() {
        let tmp = tempfile::tempdir().unwrap();
        let config = "export default defineNuxtConfig({ components: [{ path: '~/ui', pathPrefix: false, prefix: 'Ui' }, \
                      '~/components'], imports: { dirs: ['./stores'] } })";
        std::fs::write(tmp.path().join("nuxt.config.ts"), config).unwrap();
        let sources: &[(&str, &str)] = &[
            ("nuxt.config.ts", config),
            (
                "pages/index.vue",
                "<template><UiButton/><Card/><ui-deep-thing/>{{ useCounter() }}</template>",
            ),
            ("ui/forms/Button.vue", "<template><button/></template>"),
            ("ui/DeepThing.vue", "<template><i/></template>"),
            ("components/Card.vue", "<template><div/></template>"),
            ("stores/counter.ts", "export function useCounter() { return 1 }"),
        ];
        let files: Vec<String> = sources.iter().map(|(f, _)| f.to_string()).collect();
        let roots = vec![String::new()];
        let facts: Vec<Option<AutoFacts>> = sources
            .iter()
            .map(|(f, text)| extract_with(f, text, wants_facts(&roots, f)).auto)
            .collect();
        let got: Vec<&str> = edges(tmp.path(), &roots, &files, &|_| true, &facts)
            .into_iter()
            .map(|e| files[e.to].as_str())
            .collect();
        assert_eq!(
            got,
            [
                "ui/forms/Button.vue",
                "ui/DeepThing.vue",
                "components/Card.vue",
                "stores/counter.ts"
            ]
        );
    }
}
