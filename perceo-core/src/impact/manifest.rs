//! `package.json` changes, key by key, and what a dependency is to the app.
//!
//! A manifest change is not one thing: a bumped `zod` matters to the modules that import
//! `zod`, a bumped `next` to every page, a bumped `eslint` to none; a changed `build` script
//! changes what is served, a changed `lint` script does not. [`diff_package_json`] sorts every
//! changed key into one of the [`Effect`]s, and [`DependencyRules`] says what each package is
//! (the built-in table below, which `observer.analysis.dependencies` extends).
//!
//! The built-in table:
//!
//! | class | packages |
//! |---|---|
//! | global (changes every page) | frameworks and their plugins (`next`, `@next/*`, `react`, `react-dom`, `react-router`, `@react-router/*`, `@remix-run/*`, `nuxt`, `@nuxt/*`, `vue`, `svelte`, `@sveltejs/*`, `@angular/*`), bundlers and compilers (`vite`, `@vitejs/*`, `webpack`, `esbuild`, `@swc/*`, `@babel/*`, `babel-*`, `typescript`, `turbo`), CSS tooling (`tailwindcss`, `@tailwindcss/*`, `postcss`, `postcss-*`, `autoprefixer`, `sass`, `lightningcss`) |
//! | test (changes every flow's tests) | `@playwright/test`, `playwright`, `cypress` |
//! | no impact at run time | linters and formatters (`eslint`, `eslint-*`, `@eslint/*`, `@typescript-eslint/*`, `typescript-eslint`, `prettier`, `prettier-*`, `stylelint`, `stylelint-*`, `@biomejs/biome`, `oxlint`), git hooks and release tools (`husky`, `lint-staged`, `@commitlint/*`, `@changesets/*`), type packages (`@types/*`) |
//! | dependency (everything else) | the flows whose modules import the package (bare name or subpath) |

use std::collections::BTreeSet;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde_json::Value;

/// Packages that change every page when their version moves.
pub const GLOBAL_PACKAGES: &[&str] = &[
    "next",
    "@next/*",
    "react",
    "react-dom",
    "react-router",
    "react-router-dom",
    "@react-router/*",
    "@remix-run/*",
    "nuxt",
    "@nuxt/*",
    "vue",
    "svelte",
    "@sveltejs/*",
    "@angular/*",
    "vite",
    "@vitejs/*",
    "webpack",
    "esbuild",
    "@swc/*",
    "@babel/*",
    "babel-*",
    "typescript",
    "turbo",
    "tailwindcss",
    "@tailwindcss/*",
    "postcss",
    "postcss-*",
    "autoprefixer",
    "sass",
    "lightningcss",
];

/// Packages that only the tests use: a bump affects every flow with tests.
pub const TEST_PACKAGES: &[&str] = &["@playwright/test", "playwright", "cypress"];

/// Packages that never reach the running app.
pub const INERT_PACKAGES: &[&str] = &[
    "eslint",
    "eslint-*",
    "@eslint/*",
    "@typescript-eslint/*",
    "typescript-eslint",
    "prettier",
    "prettier-*",
    "stylelint",
    "stylelint-*",
    "@biomejs/biome",
    "oxlint",
    "husky",
    "lint-staged",
    "@commitlint/*",
    "@changesets/*",
    "@types/*",
];

/// Scripts whose change changes what is built or served (all others are tooling).
const SERVING_SCRIPTS: &[&str] = &[
    "build",
    "start",
    "dev",
    "serve",
    "preview",
    "export",
    "prepare",
    "install",
    "postinstall",
    "preinstall",
];

/// `package.json` keys that never affect the built app.
const INERT_KEYS: &[&str] = &[
    "name",
    "version",
    "description",
    "keywords",
    "author",
    "contributors",
    "license",
    "repository",
    "homepage",
    "bugs",
    "funding",
    "private",
    "publishConfig",
    "files",
    "prettier",
    "eslintConfig",
    "stylelint",
    "lint-staged",
    "husky",
    "commitlint",
    "engines",
    "packageManager",
    "volta",
];

/// The dependency sections of a manifest.
const DEPENDENCY_SECTIONS: &[&str] = &[
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

/// What a package is to the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageClass {
    /// Changes every page (framework, bundler, compiler, CSS tooling).
    Global,
    /// Used by the tests only (test runners).
    Test,
    /// Never reaches the running app (linters, formatters, hooks, types).
    Inert,
    /// A library: it matters to the modules that import it.
    Library,
}

/// How packages are classified: the built-in table plus `observer.analysis.dependencies`.
#[derive(Debug, Clone)]
pub struct DependencyRules {
    user_global: GlobSet,
    user_inert: GlobSet,
    global: GlobSet,
    test: GlobSet,
    inert: GlobSet,
}

fn globs<S: AsRef<str>>(patterns: &[S]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        // `*` must not match `/` so `@babel/*` stays inside its scope; invalid user globs
        // were rejected when the config was validated.
        if let Ok(g) = globset::GlobBuilder::new(p.as_ref()).literal_separator(true).build() {
            builder.add(g);
        } else if let Ok(g) = Glob::new(p.as_ref()) {
            builder.add(g);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

impl Default for DependencyRules {
    fn default() -> Self {
        Self::new(&[], &[])
    }
}

impl DependencyRules {
    /// The built-in table, with `global` and `no_impact` (package names or globs from
    /// `observer.analysis.dependencies`) taking precedence over it.
    pub fn new(global: &[String], no_impact: &[String]) -> Self {
        DependencyRules {
            user_global: globs(global),
            user_inert: globs(no_impact),
            global: globs(GLOBAL_PACKAGES),
            test: globs(TEST_PACKAGES),
            inert: globs(INERT_PACKAGES),
        }
    }

    /// The built-in table with `observer.analysis.dependencies` over it.
    pub fn from_settings(settings: &crate::config::DependencySettings) -> Self {
        Self::new(&settings.global, &settings.no_impact)
    }

    /// What `package` is.
    pub fn classify(&self, package: &str) -> PackageClass {
        if self.user_global.is_match(package) {
            PackageClass::Global
        } else if self.user_inert.is_match(package) {
            PackageClass::Inert
        } else if self.global.is_match(package) {
            PackageClass::Global
        } else if self.test.is_match(package) {
            PackageClass::Test
        } else if self.inert.is_match(package) {
            PackageClass::Inert
        } else {
            PackageClass::Library
        }
    }
}

/// One effect of a manifest change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The app as a whole changes (a framework bump, a build script, workspaces, an unknown key).
    Global(String),
    /// Every flow's tests change (a test runner bump, the test script).
    Tests(String),
    /// A library moved: the flows reaching modules that import `package` are affected.
    Dependency {
        /// The package name.
        package: String,
        /// What happened, e.g. `zod ^3.22.0 → ^3.23.0 (dependencies)`.
        what: String,
    },
    /// Changed, with no effect at run time (what and why).
    NoImpact(String),
}

fn object<'v>(v: Option<&'v Value>, key: &str) -> Option<&'v serde_json::Map<String, Value>> {
    v?.get(key)?.as_object()
}

/// The entries of the object at `key` whose value differs between the two sides:
/// (name, old value, new value), by name.
fn changed_entries<'v>(
    old: Option<&'v Value>,
    new: Option<&'v Value>,
    key: &str,
) -> Vec<(&'v String, Option<&'v Value>, Option<&'v Value>)> {
    let (oa, ob) = (object(old, key), object(new, key));
    let names: BTreeSet<&String> = oa.into_iter().chain(ob).flat_map(|m| m.keys()).collect();
    names
        .into_iter()
        .map(|name| (name, oa.and_then(|m| m.get(name)), ob.and_then(|m| m.get(name))))
        .filter(|(_, a, b)| a != b)
        .collect()
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "absent".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The effects of a `package.json` change, key by key. `None` when either side is not a
/// JSON object (the caller then treats the whole file as a global input, and says why).
pub fn diff_package_json(old: Option<&str>, new: Option<&str>, rules: &DependencyRules) -> Option<Vec<Effect>> {
    let parse = |text: Option<&str>| -> Option<Option<Value>> {
        match text {
            None => Some(None),
            Some(t) => serde_json::from_str::<Value>(t).ok().filter(Value::is_object).map(Some),
        }
    };
    let (old, new) = (parse(old)?, parse(new)?);
    let (old, new) = (old.as_ref(), new.as_ref());
    if old.is_none() || new.is_none() {
        return Some(vec![Effect::Global(
            if old.is_none() {
                "package.json was added"
            } else {
                "package.json was deleted"
            }
            .into(),
        )]);
    }
    let mut effects = Vec::new();
    let keys: BTreeSet<&String> = old
        .and_then(Value::as_object)
        .into_iter()
        .chain(new.and_then(Value::as_object))
        .flat_map(|m| m.keys())
        .collect();
    for key in keys {
        let (a, b) = (old.and_then(|o| o.get(key)), new.and_then(|n| n.get(key)));
        if a == b {
            continue;
        }
        let key = key.as_str();
        if DEPENDENCY_SECTIONS.contains(&key) {
            for (name, va, vb) in changed_entries(old, new, key) {
                let what = format!("{name} {} → {} ({key})", show(va), show(vb));
                effects.push(match rules.classify(name) {
                    PackageClass::Global => Effect::Global(format!("{what}: this package changes every page")),
                    PackageClass::Test => Effect::Tests(format!("{what}: the test runner changed")),
                    PackageClass::Inert => Effect::NoImpact(format!(
                        "{what}: lint, format, type or release tooling, not part of the app"
                    )),
                    PackageClass::Library => Effect::Dependency {
                        package: name.clone(),
                        what,
                    },
                });
            }
        } else if key == "scripts" {
            for (name, _, _) in changed_entries(old, new, key) {
                let base = name.trim_start_matches("pre").trim_start_matches("post");
                let serving = SERVING_SCRIPTS.contains(&name.as_str()) || SERVING_SCRIPTS.contains(&base);
                let testing = name.contains("e2e") || name.starts_with("test") || name.contains("playwright");
                effects.push(if serving {
                    Effect::Global(format!("script `{name}` changed: it builds or serves the app"))
                } else if testing {
                    Effect::Tests(format!("script `{name}` changed: it runs the tests"))
                } else {
                    Effect::NoImpact(format!("script `{name}` changed: it neither builds nor serves the app"))
                });
            }
        } else if INERT_KEYS.contains(&key) {
            effects.push(Effect::NoImpact(format!("`{key}` changed: not part of the built app")));
        } else {
            effects.push(Effect::Global(format!(
                "`{key}` changed: it can change how the app is built or resolved"
            )));
        }
    }
    Some(effects)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effects(old: &str, new: &str) -> Vec<Effect> {
        diff_package_json(Some(old), Some(new), &DependencyRules::default()).unwrap()
    }

    #[test]
    fn a_library_bump_is_a_dependency_and_a_framework_bump_is_global() {
        let got = effects(
            r#"{"dependencies":{"zod":"^3.22.0","next":"15.0.0"},"devDependencies":{"eslint":"9"}}"#,
            r#"{"dependencies":{"zod":"^3.23.0","next":"15.1.0"},"devDependencies":{"eslint":"9.1"}}"#,
        );
        assert!(got.contains(&Effect::Dependency {
            package: "zod".into(),
            what: "zod ^3.22.0 → ^3.23.0 (dependencies)".into()
        }));
        assert!(
            matches!(&got[..], [Effect::Global(n), Effect::Dependency { .. }, Effect::NoImpact(e)]
            if e.starts_with("eslint 9 → 9.1") && n.starts_with("next 15.0.0 → 15.1.0")),
            "{got:?}"
        );
    }

    #[test]
    fn scripts_and_metadata_are_sorted_by_what_they_touch() {
        let got = effects(
            r#"{"name":"a","version":"1.0.0","scripts":{"lint":"eslint .","build":"next build","test:e2e":"playwright test"}}"#,
            r#"{"name":"b","version":"1.0.1","scripts":{"lint":"eslint --fix .","build":"next build --debug","test:e2e":"playwright test -x"}}"#,
        );
        assert_eq!(
            got.iter().filter(|e| matches!(e, Effect::NoImpact(_))).count(),
            3,
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|e| matches!(e, Effect::Global(w) if w.contains("`build`")))
        );
        assert!(
            got.iter()
                .any(|e| matches!(e, Effect::Tests(w) if w.contains("`test:e2e`")))
        );
    }

    #[test]
    fn config_overrides_the_table_and_bad_json_is_none() {
        let rules = DependencyRules::new(
            &["@acme/design-tokens".into()],
            &["react-dom".into(), "@internal/*".into()],
        );
        assert_eq!(rules.classify("@acme/design-tokens"), PackageClass::Global);
        assert_eq!(rules.classify("react-dom"), PackageClass::Inert);
        assert_eq!(rules.classify("@internal/x"), PackageClass::Inert);
        assert_eq!(rules.classify("@babel/core"), PackageClass::Global);
        assert_eq!(rules.classify("@types/react"), PackageClass::Inert);
        assert_eq!(rules.classify("@playwright/test"), PackageClass::Test);
        assert_eq!(rules.classify("zod"), PackageClass::Library);
        assert!(diff_package_json(Some("{ \"name\": "), Some("{}"), &DependencyRules::default()).is_none());
        let unknown = effects(r#"{"exports":"./a.js"}"#, r#"{"exports":"./b.js"}"#);
        assert!(matches!(&unknown[..], [Effect::Global(_)]));
    }
}
