//! What a changed path is, by its name and place alone: a global input, documentation, a
//! test file, a test runner's config, an app-wide entry. Paths are project-relative
//! (`../` for files outside the project); `workspace_root` is the monorepo root in the same
//! notation (`""` when it is the project itself, `../..` for a project in `apps/web`).

/// Why a changed path is global, if it is: package.json, lockfiles, tsconfig, framework
/// configs, middleware, env files — at the project's root, or at the workspace root of a
/// monorepo (root manifests, `pnpm-workspace.yaml`, `turbo.json`, shared `tsconfig*.json`).
pub fn global_input_reason(path: &str, workspace_root: Option<&str>) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let at_root = !path.contains('/');
    let at_workspace_root = workspace_root.is_some_and(|root| {
        !root.is_empty()
            && path
                .strip_prefix(root)
                .and_then(|r| r.strip_prefix('/'))
                .is_some_and(|r| !r.contains('/'))
    });
    let root_or_src = at_root || path.starts_with("src/") && path.matches('/').count() == 1;
    if at_workspace_root {
        return match name {
            "package.json" => Some("the workspace root's package.json (dependencies, scripts) affects every app"),
            "pnpm-workspace.yaml" => Some("workspace layout changed"),
            "turbo.json" | "nx.json" | "lerna.json" => Some("the monorepo's build pipeline config affects every app"),
            n if n.starts_with("tsconfig") && n.ends_with(".json") => {
                Some("the workspace's shared tsconfig: compiler options and path aliases affect every module")
            }
            n if n == ".npmrc" || n == ".yarnrc.yml" || n == ".nvmrc" || n == ".node-version" => {
                Some("package manager / Node version settings affect every app")
            }
            _ if super::lockfile::is_lockfile(name) => Some("lockfile: resolved dependency versions changed"),
            _ => None,
        };
    }
    if at_root && name == "package.json" {
        Some("package.json (dependencies, scripts) affects the whole app")
    } else if super::lockfile::is_lockfile(name) {
        Some("lockfile: resolved dependency versions changed")
    } else if at_root && name.starts_with("tsconfig") && name.ends_with(".json") {
        Some("tsconfig: compiler options and path aliases affect every module")
    } else if at_root
        && [
            "next.config.",
            "vite.config.",
            "remix.config.",
            "svelte.config.",
            "nuxt.config.",
            "react-router.config.",
            "babel.config.",
            "postcss.config.",
            "tailwind.config.",
        ]
        .iter()
        .any(|p| name.starts_with(p))
    {
        Some("framework/build config affects every page")
    } else if root_or_src && app_wide_entry(path).is_some() {
        app_wide_entry(path)
    } else if at_root && (name == ".env" || name.starts_with(".env.")) {
        Some("environment file affects the whole app")
    } else if at_root && name == "pnpm-workspace.yaml" {
        Some("workspace layout changed")
    } else {
        None
    }
}

/// Files the framework runs for every request or every page (middleware, instrumentation,
/// server and client hooks, entry modules), when they sit at the project root or in `src/`:
/// what they import is global too.
pub fn app_wide_entry(path: &str) -> Option<&'static str> {
    if is_nuxt_global_middleware(path) {
        return Some("Nuxt global route middleware runs before every page");
    }
    let in_root_or_src = !path.contains('/') || path.starts_with("src/") && path.matches('/').count() == 1;
    let in_app_dir = path.starts_with("app/") && path.matches('/').count() == 1;
    if !(in_root_or_src || in_app_dir) || path.starts_with("../") {
        return None;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let is_module = crate::code::imports::is_source_path(path);
    match stem {
        "middleware" if is_module && in_root_or_src => Some("middleware runs before every request"),
        "instrumentation" | "instrumentation-client" if is_module && in_root_or_src => {
            Some("instrumentation runs when the app starts, for every page")
        }
        "hooks" if is_module && (name.starts_with("hooks.server.") || name.starts_with("hooks.client.")) => {
            Some("SvelteKit hooks run for every request")
        }
        "entry"
            if is_module && in_app_dir && (name.starts_with("entry.server.") || name.starts_with("entry.client.")) =>
        {
            Some("the app's entry module renders every page")
        }
        _ => None,
    }
}

/// A Nuxt plugin (`plugins/*.ts`, or `plugins/<dir>/index.ts`, under the source folder
/// `app/` in Nuxt 4), which Nuxt runs when the app starts, for every page. Only meaningful in
/// a Nuxt app: the caller checks that.
pub fn nuxt_plugin(path: &str) -> Option<&'static str> {
    let rest = path
        .strip_prefix("plugins/")
        .or_else(|| path.strip_prefix("app/plugins/"))
        .or_else(|| path.strip_prefix("src/plugins/"))?;
    let top_level = !rest.contains('/');
    let dir_index = rest.matches('/').count() == 1 && rest.rsplit('/').next().is_some_and(|n| n.starts_with("index."));
    ((top_level || dir_index) && crate::code::imports::is_source_path(rest))
        .then_some("Nuxt plugins run when the app starts, for every page")
}

/// A Nuxt global route middleware: `middleware/*.global.ts` (or under the Nuxt 4 source
/// folder `app/`).
fn is_nuxt_global_middleware(path: &str) -> bool {
    let in_dir = path
        .strip_prefix("middleware/")
        .or_else(|| path.strip_prefix("app/middleware/"))
        .or_else(|| path.strip_prefix("src/middleware/"));
    in_dir.is_some_and(|name| {
        !name.contains('/')
            && crate::code::imports::is_source_path(name)
            && name.rsplit_once('.').is_some_and(|(stem, _)| stem.ends_with(".global"))
    })
}

/// Whether a path is documentation only (never affects a flow).
pub fn is_docs_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    // `changelog.schema.ts` is code, whatever its name says.
    let module = crate::code::imports::is_source_path(&lower);
    lower.starts_with("docs/")
        || name.ends_with(".md")
        || name.ends_with(".mdx") && !lower.contains("/app/") && !lower.starts_with("app/")
        || name.ends_with(".txt")
        || name.ends_with(".rst")
        || (name.starts_with("license") || name.starts_with("changelog")) && !module
        || name == ".gitignore"
        || lower.starts_with(".github/")
        || lower.contains("/.github/")
}

/// Whether a path is test code by convention: `*.spec.*`, `*.test.*`, `*.cy.*`, or inside an
/// `e2e`, `tests`, `test`, `__tests__`, `__mocks__`, `playwright` or `cypress` folder.
pub fn is_test_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.contains(".spec.")
        || name.contains(".test.")
        || name.contains(".cy.")
        || path.split('/').rev().skip(1).any(|dir| {
            matches!(
                dir,
                "e2e" | "tests" | "test" | "__tests__" | "__mocks__" | "playwright" | "cypress" | "e2e-tests"
            )
        })
}

/// Whether a path is a Storybook story or config (never served to users).
pub fn is_story_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.contains(".stories.") || path.split('/').any(|d| d == ".storybook")
}

/// Which test runner a path configures, if it is one's config file.
pub fn test_config(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.starts_with("playwright.config.") {
        Some("Playwright")
    } else if name.starts_with("cypress.config.") || name == "cypress.json" {
        Some("Cypress")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_root_files_are_global_only_at_the_root() {
        let ws = Some("../..");
        assert!(global_input_reason("../../pnpm-lock.yaml", ws).is_some());
        assert!(global_input_reason("../../package.json", ws).is_some());
        assert!(global_input_reason("../../turbo.json", ws).is_some());
        assert!(global_input_reason("../../tsconfig.base.json", ws).is_some());
        assert!(global_input_reason("../../packages/ui/src/index.ts", ws).is_none());
        assert!(global_input_reason("../../README.md", ws).is_none());
        assert!(global_input_reason("package.json", ws).is_some());
        assert!(global_input_reason("src/middleware.ts", None).is_some());
        assert!(global_input_reason("src/lib/middleware.ts", None).is_none());
    }

    #[test]
    fn tests_stories_and_entries_are_recognised() {
        assert!(is_test_path("e2e/helpers/login.ts"));
        assert!(is_test_path("../../packages/app-tests/e2e/fixtures/user.ts"));
        assert!(is_test_path("src/lib/cart.test.ts"));
        assert!(!is_test_path("src/lib/testimonials.ts"));
        assert!(is_story_path("src/components/Button.stories.tsx"));
        // Found on a real app: code named after a changelog is code.
        assert!(is_docs_path("CHANGELOG.md") && is_docs_path("LICENSE"));
        assert!(!is_docs_path("src/server/schema/changelog.schema.ts"));
        assert!(!is_docs_path("src/components/Changelogs.tsx"));
        assert_eq!(test_config("../../playwright.config.ts"), Some("Playwright"));
        assert!(app_wide_entry("instrumentation.ts").is_some());
        assert!(app_wide_entry("src/hooks.server.ts").is_some());
        assert!(app_wide_entry("app/entry.client.tsx").is_some());
        assert!(app_wide_entry("src/lib/middleware.ts").is_none());
        assert!(app_wide_entry("middleware/auth.global.ts").is_some());
        assert!(app_wide_entry("app/middleware/1.permalink.global.ts").is_some());
        assert!(app_wide_entry("app/middleware/auth.ts").is_none());
        assert!(app_wide_entry("../../packages/x/middleware.ts").is_none());
    }
}
