//! SvelteKit on `tests/fixtures/frameworks/sveltekit`: routes with groups, layouts and
//! `+layout.server.ts`, `$lib`, a `kit.alias` entry and a Vite `resolve.alias`, SvelteKit's
//! own modules (`$app/*`, `$env/*`, `./$types`), `hooks.server.ts`, and a tsconfig that
//! extends the `.svelte-kit/tsconfig.json` only `svelte-kit sync` writes (absent here, as on a
//! fresh CI checkout).

mod common;

use std::path::Path;

use assert_fs::TempDir;
use assert_fs::prelude::*;
use common::{flow_ids, git, json_stdout, perceo, repo_root};
use serde_json::Value;

/// The fixture initialised (`perceo init -y`) and committed on `main`, on branch `feature`.
fn app() -> TempDir {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(repo_root().join("tests/fixtures/frameworks/sveltekit"), &["**/*"])
        .unwrap();
    git(tmp.path(), &["init", "-q"]);
    perceo(tmp.path()).args(["init", "-y"]).assert().success();
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "base"]);
    git(tmp.path(), &["checkout", "-qb", "feature"]);
    tmp
}

/// Appends a line to `file`, commits, and returns the ids of the affected flows (sorted)
/// with the whole report.
fn change(root: &Path, file: &str, line: &str) -> (Vec<String>, Value) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}{line}\n")).unwrap();
    git(root, &["commit", "-qam", "change"]);
    let report = json_stdout(perceo(root).args(["ci", "analyze", "--base", "main", "--on-empty", "none", "--json"]));
    let ids = flow_ids(&report);
    git(root, &["reset", "-q", "--hard", "main"]);
    (ids, report)
}

#[test]
fn routes_keep_groups_out_of_patterns_and_attach_every_layout_above() {
    let tmp = app();
    let routes = json_stdout(perceo(tmp.path()).args(["routes", "--json"]));
    let find = |pattern: &str| {
        routes
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["pattern"] == pattern)
            .unwrap_or_else(|| panic!("no route {pattern}: {routes}"))
            .clone()
    };
    assert_eq!(find("/")["file"], "src/routes/+page.svelte");
    let dashboard = find("/dashboard");
    assert_eq!(dashboard["file"], "src/routes/(app)/dashboard/+page.svelte");
    assert_eq!(
        dashboard["attached"],
        serde_json::json!(["src/routes/+layout.svelte", "src/routes/(app)/+layout.server.ts"])
    );
    assert_eq!(find("/api/health")["kind"], "handler");
}

#[test]
fn framework_aliases_and_modules_resolve_without_generated_files() {
    let tmp = app();
    tmp.child(".svelte-kit").assert(predicates::path::missing());
    let (_, report) = change(tmp.path(), "src/lib/format.ts", "// touch");
    assert_eq!(report["totals"]["unresolvedImports"], 0, "{report}");
    assert!(
        !report["warnings"].to_string().contains(".svelte-kit"),
        "a generated tsconfig that is absent is expected: {}",
        report["warnings"]
    );
    let deps = json_stdout(perceo(tmp.path()).args([
        "graph",
        "deps",
        "--json",
        "--from",
        "src/routes/(app)/dashboard/+page.svelte",
    ]));
    assert!(deps.to_string().contains("src/utils/math.ts"), "{deps}");
}

#[test]
fn each_change_selects_the_pages_that_use_it() {
    let tmp = app();
    // `$lib` reaches the home page only.
    assert_eq!(change(tmp.path(), "src/lib/format.ts", "// 1").0, ["home"]);
    // Vite `resolve.alias` reaches the dashboard only.
    assert_eq!(change(tmp.path(), "src/utils/math.ts", "// 2").0, ["dashboard"]);
    // `kit.alias` through the root layout reaches every page.
    assert_eq!(
        change(tmp.path(), "src/components/Header.svelte", "<!-- 3 -->").0,
        ["dashboard", "home"]
    );
    // What `hooks.server.ts` imports runs for every request.
    let (ids, report) = change(tmp.path(), "src/lib/server/session.ts", "// 4");
    assert_eq!(ids, ["dashboard", "home"], "{report}");
}
