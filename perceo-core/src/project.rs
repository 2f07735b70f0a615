//! Framework detection from package.json and framework config files.

use std::path::Path;

use crate::config::Framework;

/// What [`detect_framework`] found, and why.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FrameworkDetection {
    /// The framework.
    pub framework: Framework,
    /// For Next.js: `app`, `pages` or `app+pages` (which routers have route files).
    pub router: Option<String>,
    /// The evidence, e.g. `package.json depends on next`, `next.config.mjs`.
    pub evidence: Vec<String>,
}

fn read_dependencies(dir: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    ["dependencies", "devDependencies", "peerDependencies"]
        .iter()
        .filter_map(|section| json.get(section)?.as_object())
        .flat_map(|deps| deps.keys().cloned())
        .collect()
}

fn first_existing(dir: &Path, names: &[&str]) -> Option<String> {
    names.iter().find(|n| dir.join(n).exists()).map(|n| n.to_string())
}

fn config_names(stem: &str) -> Vec<String> {
    ["js", "mjs", "cjs", "ts", "mts"]
        .iter()
        .map(|ext| format!("{stem}.{ext}"))
        .collect()
}

/// Detects the web framework of the project in `dir` (package.json dependencies first,
/// framework config files second).
pub fn detect_framework(dir: &Path) -> FrameworkDetection {
    let deps = read_dependencies(dir);
    let has = |name: &str| deps.iter().any(|d| d == name);
    let has_prefix = |prefix: &str| deps.iter().any(|d| d.starts_with(prefix));
    let config = |stem: &str| {
        let names = config_names(stem);
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        first_existing(dir, &refs)
    };
    let mut evidence = Vec::new();
    let mut found = |fw: Framework, dep: Option<&str>, file: Option<String>| {
        if let Some(d) = dep {
            evidence.push(format!("package.json depends on {d}"));
        }
        if let Some(f) = file {
            evidence.push(f);
        }
        fw
    };
    let framework = if has("next") || config("next.config").is_some() {
        found(Framework::Nextjs, has("next").then_some("next"), config("next.config"))
    } else if has_prefix("@remix-run/") {
        found(Framework::Remix, Some("@remix-run/*"), config("remix.config"))
    } else if has("@react-router/dev") || config("react-router.config").is_some() {
        found(
            Framework::ReactRouter,
            has("@react-router/dev").then_some("@react-router/dev"),
            config("react-router.config"),
        )
    } else if has("nuxt") || config("nuxt.config").is_some() {
        found(Framework::Nuxt, has("nuxt").then_some("nuxt"), config("nuxt.config"))
    } else if has("@sveltejs/kit") || config("svelte.config").is_some() {
        found(
            Framework::Sveltekit,
            has("@sveltejs/kit").then_some("@sveltejs/kit"),
            config("svelte.config"),
        )
    } else if has("@angular/core") || dir.join("angular.json").exists() {
        found(
            Framework::Angular,
            has("@angular/core").then_some("@angular/core"),
            first_existing(dir, &["angular.json"]),
        )
    } else if has("vue") {
        found(Framework::Vue, Some("vue"), None)
    } else if has("react") {
        found(Framework::React, Some("react"), None)
    } else {
        Framework::Unknown
    };
    let router = (framework == Framework::Nextjs).then(|| next_router(dir)).flatten();
    FrameworkDetection {
        framework,
        router,
        evidence,
    }
}

fn next_router(dir: &Path) -> Option<String> {
    let app = dir.join("app").is_dir() || dir.join("src/app").is_dir();
    let pages = dir.join("pages").is_dir() || dir.join("src/pages").is_dir();
    match (app, pages) {
        (true, true) => Some("app+pages".into()),
        (true, false) => Some("app".into()),
        (false, true) => Some("pages".into()),
        (false, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testutil::project;

    #[test]
    fn detects_next_app_router_from_dependency() {
        let d = project(&[
            ("package.json", r#"{"dependencies":{"next":"15","react":"19"}}"#),
            ("app/page.tsx", ""),
        ]);
        let got = detect_framework(d.path());
        assert_eq!(got.framework, Framework::Nextjs);
        assert_eq!(got.router.as_deref(), Some("app"));
    }

    #[test]
    fn detects_frameworks_from_config_files_alone() {
        let d = project(&[("svelte.config.js", "")]);
        assert_eq!(detect_framework(d.path()).framework, Framework::Sveltekit);
        let d = project(&[("angular.json", "{}")]);
        assert_eq!(detect_framework(d.path()).framework, Framework::Angular);
    }

    #[test]
    fn remix_wins_over_plain_react_and_nothing_is_unknown() {
        let d = project(&[(
            "package.json",
            r#"{"dependencies":{"react":"18","@remix-run/react":"2"}}"#,
        )]);
        assert_eq!(detect_framework(d.path()).framework, Framework::Remix);
        let d = project(&[]);
        assert_eq!(detect_framework(d.path()).framework, Framework::Unknown);
    }
}
