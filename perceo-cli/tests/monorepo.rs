//! Monorepo-native impact on `tests/fixtures/monorepo` (a Next.js app and a SvelteKit app in
//! `apps/`, shared packages with export maps in `packages/`, a root pnpm lockfile, Playwright
//! specs with a helper, a SvelteKit tsconfig whose `extends` target is generated and absent).
//! Each test commits one change on a branch and runs the real `perceo` in `apps/web`.

mod common;

use std::path::Path;

use assert_fs::TempDir;
use assert_fs::prelude::*;
use common::{flow_ids, git, json_stdout, perceo, repo_root};
use serde_json::Value;

/// The fixture monorepo in a fresh git repository, one commit on `main`, on branch `feature`.
fn monorepo() -> TempDir {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(repo_root().join("tests/fixtures/monorepo"), &["**/*", "**/.perceo/**"])
        .unwrap();
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "base"]);
    git(tmp.path(), &["checkout", "-qb", "feature"]);
    tmp
}

fn edit(root: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, f(text)).unwrap();
}

fn append(root: &Path, file: &str, line: &str) {
    edit(root, file, |t| format!("{t}{line}\n"));
}

fn commit(root: &Path) {
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "change"]);
}

/// `ci analyze --base main --json` in apps/web.
fn analyze(root: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["ci", "analyze", "--base", "main", "--json"];
    args.extend_from_slice(extra);
    json_stdout(perceo(&root.join("apps/web")).args(&args))
}

fn flow<'a>(report: &'a Value, id: &str) -> Option<&'a Value> {
    report["flows"].as_array().unwrap().iter().find(|f| f["id"] == id)
}

fn kinds(report: &Value, id: &str) -> Vec<String> {
    flow(report, id).map_or_else(Vec::new, |f| {
        f["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["kind"].as_str().unwrap().to_string())
            .collect()
    })
}

fn note<'a>(report: &'a Value, list: &str, path: &str) -> Option<&'a str> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["path"] == path)
        .and_then(|n| n["reason"].as_str())
}

#[test]
fn a_change_in_a_shared_package_reaches_the_app_flows_with_its_chain() {
    let tmp = monorepo();
    append(tmp.path(), "packages/ui/src/button.tsx", "export const size = 2;");
    commit(tmp.path());
    let report = analyze(tmp.path(), &[]);
    assert_eq!(
        report["changes"][0]["path"], "../../packages/ui/src/button.tsx",
        "{report}"
    );
    assert_eq!(flow_ids(&report), ["billing", "home", "settings"]);
    let home = flow(&report, "home").unwrap();
    assert_eq!(
        home["reasons"][0]["chain"],
        serde_json::json!([
            "../../packages/ui/src/button.tsx",
            "../../packages/ui/src/index.ts",
            "app/page.tsx"
        ])
    );
    assert!(report["unmatchedChanges"].as_array().unwrap().is_empty());
    // A subpath export reaches only the page that imports it.
    let tmp = monorepo();
    append(tmp.path(), "packages/ui/src/card.tsx", "export const x = 1;");
    commit(tmp.path());
    assert_eq!(flow_ids(&analyze(tmp.path(), &[])), ["billing"]);
}

#[test]
fn files_that_reach_nothing_are_listed_with_the_reason_never_dropped() {
    let tmp = monorepo();
    append(tmp.path(), "tools/release.mjs", "// next release");
    append(tmp.path(), "packages/utils/src/unused.ts", "export const two = 2;");
    append(tmp.path(), "README.md", "More docs.");
    commit(tmp.path());
    let out = perceo(&tmp.path().join("apps/web"))
        .args(["ci", "analyze", "--base", "main", "--json", "--on-empty", "none"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(
        note(&report, "unmatchedReasons", "../../tools/release.mjs")
            .unwrap()
            .contains("outside the app")
    );
    assert!(
        note(&report, "unmatchedReasons", "../../packages/utils/src/unused.ts")
            .unwrap()
            .contains("no module imports it")
    );
    assert_eq!(note(&report, "noImpact", "../../README.md"), Some("documentation"));
    assert!(stderr.contains("2 changed file(s) reach no flow"), "{stderr}");
    assert!(stderr.contains("../../tools/release.mjs"), "{stderr}");
    assert_eq!(report["onEmptyApplied"], "none");
}

#[test]
fn dependency_bumps_reach_importers_frameworks_are_global_and_lint_tools_are_harmless() {
    // The root lockfile moves zod: only the page whose modules import zod.
    let tmp = monorepo();
    edit(tmp.path(), "pnpm-lock.yaml", |t| t.replace("3.23.0", "3.24.0"));
    commit(tmp.path());
    let report = analyze(tmp.path(), &[]);
    assert_eq!(flow_ids(&report), ["settings"], "{report}");
    assert_eq!(kinds(&report, "settings"), ["dependency"]);
    let chain = &flow(&report, "settings").unwrap()["reasons"][0]["chain"];
    assert_eq!(chain[0], "../../pnpm-lock.yaml");
    assert_eq!(chain[1], "src/lib/schema.ts");

    // A bundler that only one workspace package declares changes that package, not the app.
    let tmp = monorepo();
    edit(tmp.path(), "pnpm-lock.yaml", |t| {
        t.replace("vite@5.0.0", "vite@5.1.0").replace(
            "specifier: 5.0.0\n        version: 5.0.0",
            "specifier: 5.1.0\n        version: 5.1.0",
        )
    });
    commit(tmp.path());
    let report = analyze(tmp.path(), &[]);
    assert_eq!(flow_ids(&report), ["settings"], "{report}");
    assert_eq!(kinds(&report, "settings"), ["dependency"]);

    // The app's package.json: zod directly, next (the framework) globally.
    let tmp = monorepo();
    edit(tmp.path(), "apps/web/package.json", |t| {
        t.replace("\"zod\": \"3.23.0\"", "\"zod\": \"3.24.0\"")
    });
    commit(tmp.path());
    assert_eq!(flow_ids(&analyze(tmp.path(), &[])), ["settings"]);
    let tmp = monorepo();
    edit(tmp.path(), "apps/web/package.json", |t| {
        t.replace("\"next\": \"15.0.0\"", "\"next\": \"15.1.0\"")
    });
    commit(tmp.path());
    let report = analyze(tmp.path(), &[]);
    assert_eq!(flow_ids(&report), ["billing", "home", "settings"]);
    assert_eq!(kinds(&report, "billing"), ["global"]);

    // eslint, a lint script and the package's version: explained, no fail-safe.
    let tmp = monorepo();
    edit(tmp.path(), "apps/web/package.json", |t| {
        t.replace("\"eslint\": \"9.0.0\"", "\"eslint\": \"9.1.0\"")
            .replace("\"lint\": \"eslint .\"", "\"lint\": \"eslint --fix .\"")
    });
    edit(tmp.path(), "packages/ui/package.json", |t| t.replace("0.0.0", "0.0.1"));
    commit(tmp.path());
    let report = analyze(tmp.path(), &[]);
    assert!(flow_ids(&report).is_empty(), "{report}");
    assert!(report.get("onEmptyApplied").is_none(), "{report}");
    assert!(
        note(&report, "noImpact", "package.json")
            .unwrap()
            .contains("eslint 9.0.0 → 9.1.0")
    );
    assert!(note(&report, "noImpact", "../../packages/ui/package.json").is_some());

    // Workspace-level inputs at the root are global.
    let tmp = monorepo();
    append(tmp.path(), "turbo.json", "");
    edit(tmp.path(), "tsconfig.base.json", |t| t.replace("true", "false"));
    commit(tmp.path());
    let report = analyze(tmp.path(), &[]);
    assert_eq!(flow_ids(&report), ["billing", "home", "settings"]);
    assert!(kinds(&report, "home").iter().all(|k| k == "global"));
}

#[test]
fn test_side_changes_select_the_flows_whose_tests_use_them() {
    let tmp = monorepo();
    append(tmp.path(), "apps/web/e2e/helpers/login.ts", "export const retries = 2;");
    commit(tmp.path());
    let report = analyze(tmp.path(), &[]);
    assert_eq!(flow_ids(&report), ["home", "settings"], "{report}");
    assert_eq!(kinds(&report, "home"), ["test"]);
    assert_eq!(
        flow(&report, "home").unwrap()["reasons"][0]["chain"],
        serde_json::json!(["e2e/helpers/login.ts", "e2e/home.spec.ts"])
    );

    let tmp = monorepo();
    append(tmp.path(), "apps/web/playwright.config.ts", "// retries");
    commit(tmp.path());
    assert_eq!(flow_ids(&analyze(tmp.path(), &[])), ["home", "settings"]);

    // A spec no flow links: explained, so the fail-safe does not select everything.
    let tmp = monorepo();
    append(tmp.path(), "apps/web/e2e/orphan.spec.ts", "// more");
    commit(tmp.path());
    let report = analyze(tmp.path(), &[]);
    assert!(flow_ids(&report).is_empty(), "{report}");
    assert!(report.get("onEmptyApplied").is_none());
    assert!(note(&report, "noImpact", "e2e/orphan.spec.ts").is_some());
}

#[test]
fn what_middleware_imports_is_global_with_its_chain() {
    let tmp = monorepo();
    append(tmp.path(), "apps/web/src/lib/token.ts", "export const ttl = 60;");
    commit(tmp.path());
    let report = analyze(tmp.path(), &[]);
    assert_eq!(flow_ids(&report), ["billing", "home", "settings"]);
    let reason = &flow(&report, "billing").unwrap()["reasons"][0];
    assert_eq!(reason["kind"], "global");
    assert_eq!(
        reason["chain"],
        serde_json::json!(["src/lib/token.ts", "src/lib/auth.ts", "middleware.ts"])
    );
}

#[test]
fn a_broken_tsconfig_extends_degrades_with_a_warning_not_a_lost_graph() {
    let tmp = monorepo();
    // The app's tsconfig extends a package that is not installed.
    edit(tmp.path(), "apps/web/tsconfig.json", |t| {
        t.replace("../../tsconfig.base.json", "@acme/tsconfig-missing/next.json")
    });
    git(tmp.path(), &["commit", "-qam", "broken extends"]);
    append(tmp.path(), "apps/web/src/lib/schema.ts", "export const v = 2;");
    commit(tmp.path());
    let out = perceo(&tmp.path().join("apps/web"))
        .args(["ci", "analyze", "--base", "HEAD~1", "--json"])
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    // `@/lib/schema` still resolves through the tsconfig's own paths.
    assert_eq!(flow_ids(&report), ["settings"], "{report}");
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("tsconfig.json") && warnings.contains("@acme/tsconfig-missing"),
        "{warnings}"
    );
    // The SvelteKit app's generated tsconfig is absent: its relative imports resolve.
    let deps = json_stdout(perceo(&tmp.path().join("apps/web")).args([
        "graph",
        "deps",
        "--json",
        "--to",
        "../docs/src/routes/guide/Nav.svelte",
    ]));
    assert_eq!(
        deps["edges"][0]["from"], "../docs/src/routes/guide/+page.svelte",
        "{deps}"
    );
}

#[test]
fn sparse_checkouts_do_not_count_missing_files_as_deleted() {
    let tmp = monorepo();
    git(
        tmp.path(),
        &[
            "sparse-checkout",
            "set",
            "--no-cone",
            "/apps/web/",
            "/*.json",
            "/*.yaml",
        ],
    );
    assert!(!tmp.path().join("packages/ui/src/button.tsx").exists());
    append(tmp.path(), "apps/web/src/lib/schema.ts", "export const v = 3;");
    let out = perceo(&tmp.path().join("apps/web"))
        .args(["ci", "analyze", "--working-tree", "--json"])
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let changes = report["changes"].as_array().unwrap();
    assert!(changes.iter().all(|c| c["status"] != "deleted"), "{report}");
    assert_eq!(changes.len(), 1, "{report}");
    assert!(report["warnings"].to_string().contains("sparse checkout"));
}

#[test]
fn why_and_graph_deps_explain_the_graph() {
    let tmp = monorepo();
    let root = tmp.path();
    let why = json_stdout(perceo(root).args([
        "--project-dir",
        "apps/web",
        "why",
        "packages/ui/src/button.tsx",
        "packages/utils/src/unused.ts",
        "--json",
    ]));
    let button = &why["files"][0];
    assert_eq!(button["file"], "../../packages/ui/src/button.tsx");
    assert_eq!(button["repoPath"], "packages/ui/src/button.tsx");
    let mut pages: Vec<&str> = button["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["repoFile"].as_str().unwrap())
        .collect();
    pages.sort_unstable();
    assert_eq!(
        pages,
        [
            "apps/web/app/billing/page.tsx",
            "apps/web/app/page.tsx",
            "apps/web/app/settings/page.tsx"
        ]
    );
    assert_eq!(button["flows"].as_array().unwrap().len(), 3);
    assert!(
        why["files"][1]["why"]
            .as_str()
            .unwrap()
            .contains("no module imports it")
    );
    perceo(root)
        .args(["--project-dir", "apps/web", "why", "packages/ui/src/card.tsx"])
        .assert()
        .success()
        .stdout(predicates::str::contains("flow billing"));

    let deps = json_stdout(perceo(&root.join("apps/web")).args(["graph", "deps", "--json", "--from", "app/page.tsx"]));
    let edges = deps["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["from"] == "../../packages/ui/src/index.ts"
        && e["to"] == "../../packages/ui/src/button.tsx"
        && e["kind"] == "re-export"));
    assert!(
        !deps["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "app/billing/page.tsx")
    );
    perceo(&root.join("apps/web"))
        .args(["graph", "deps", "--dot"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("digraph perceo {"));
    perceo(&root.join("apps/web"))
        .args(["graph", "deps", "--from", "no/such/file.ts"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not in the dependency graph"));
}

/// The fixture with Perceo initialised at the workspace root (committed on `main`), on `feature`.
fn monorepo_root_project() -> TempDir {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(repo_root().join("tests/fixtures/monorepo"), &["**/*"])
        .unwrap();
    std::fs::remove_dir_all(tmp.path().join("apps/web/.perceo")).unwrap();
    git(tmp.path(), &["init", "-q"]);
    perceo(tmp.path())
        .args(["init", "-y"])
        .assert()
        .success()
        .stdout(predicates::str::contains("monorepo root with 2 app(s)"))
        .stdout(predicates::str::contains("Initialized 5 flow(s)"));
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "base"]);
    git(tmp.path(), &["checkout", "-qb", "feature"]);
    tmp
}

/// (app, id) of each flow of a flow list or a report, in order.
fn apps_and_ids(value: &Value) -> Vec<(String, String)> {
    value["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["app"].as_str().unwrap().to_string(),
                f["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn init_at_the_workspace_root_bootstraps_every_app_with_ids_that_cannot_collide() {
    let tmp = monorepo_root_project();
    let config = std::fs::read_to_string(tmp.path().join(".perceo/config.json")).unwrap();
    assert!(
        config.contains(r#"{ "name": "web", "path": "apps/web", "framework": "nextjs" }"#),
        "{config}"
    );
    assert!(config.contains(r#"{ "name": "docs", "path": "apps/docs", "framework": "sveltekit" }"#));
    let set = json_stdout(perceo(tmp.path()).args(["flows", "list", "--json"]));
    let flows = apps_and_ids(&set);
    // Both apps have a `/` page: two flows, one per app.
    assert!(flows.contains(&("web".into(), "web_home".into())), "{flows:?}");
    assert!(flows.contains(&("docs".into(), "docs_home".into())), "{flows:?}");
    let routes = json_stdout(perceo(tmp.path()).args(["routes", "--json"]));
    assert!(
        routes
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["app"] == "docs" && r["pattern"] == "/guide")
    );
}

#[test]
fn the_root_project_reports_every_app_grouped_and_scopes_app_globals() {
    let tmp = monorepo_root_project();
    append(tmp.path(), "packages/utils/src/date.ts", "export const tz = 'UTC';");
    append(tmp.path(), "apps/web/next.config.mjs", "// images");
    commit(tmp.path());
    let report = json_stdout(perceo(tmp.path()).args(["ci", "analyze", "--base", "main", "--json"]));
    let got = apps_and_ids(&report);
    // The shared package reaches one page in each app; the web app's config only web's flows.
    assert_eq!(got.iter().filter(|(app, _)| app == "docs").count(), 1, "{got:?}");
    assert!(got.contains(&("docs".into(), "docs_home".into())));
    assert!(got.iter().all(|(app, id)| app != "docs" || id != "docs_guide"));
    assert_eq!(got.iter().filter(|(app, _)| app == "web").count(), 3, "{got:?}");
    // Grouped: every docs flow before every web flow.
    let first_web = got.iter().position(|(a, _)| a == "web").unwrap();
    assert!(got[first_web..].iter().all(|(a, _)| a == "web"));
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main"])
        .assert()
        .success()
        .stdout(predicates::str::contains("app docs: 1 flow(s)"))
        .stdout(predicates::str::contains("app web: 3 flow(s)"));
}

#[test]
fn sveltekit_aliases_resolve_in_a_monorepo_app_without_its_generated_tsconfig() {
    let tmp = monorepo_root_project();
    // `$lib` (SvelteKit's own) and `$components` (kit.alias in svelte.config.js), while the
    // app's tsconfig extends `.svelte-kit/tsconfig.json`, which only `svelte-kit sync` writes.
    append(
        tmp.path(),
        "apps/docs/src/lib/title.ts",
        "export const subtitle = 'Guide';",
    );
    append(tmp.path(), "apps/docs/src/components/Callout.svelte", "<!-- tone -->");
    commit(tmp.path());
    let report = json_stdout(perceo(tmp.path()).args(["ci", "analyze", "--base", "main", "--json"]));
    let got = apps_and_ids(&report);
    assert_eq!(
        got,
        [
            ("docs".to_string(), "docs_guide".to_string()),
            ("docs".into(), "docs_home".into())
        ],
        "{report}"
    );
    let warnings = report["warnings"].to_string();
    assert!(
        !warnings.contains(".svelte-kit"),
        "an expected generated file is no problem: {warnings}"
    );
    // `$app/*` and `$env/*` are SvelteKit's modules, not unresolved imports.
    let deps = json_stdout(perceo(tmp.path()).args([
        "graph",
        "deps",
        "--json",
        "--from",
        "apps/docs/src/routes/guide/+page.svelte",
    ]));
    let text = deps.to_string();
    assert!(text.contains("apps/docs/src/components/Callout.svelte"), "{text}");
    assert_eq!(report["totals"]["unresolvedImports"], 0, "{report}");
}

#[test]
fn ci_test_at_the_root_runs_each_apps_tests_in_its_folder() {
    let tmp = monorepo_root_project();
    perceo(tmp.path())
        .args(["flows", "edit", "web_home", "--spec", "apps/web/e2e/home.spec.ts"])
        .assert()
        .success();
    perceo(tmp.path())
        .args([
            "config",
            "set",
            "coordinator.command",
            "pwd >> ran.txt; echo {specs} >> ran.txt",
        ])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["ci", "test", "--flows-from", "all"])
        .assert()
        .success()
        // web_home by its spec; web_settings by the test `init` linked (it opens /settings).
        .stdout(predicates::str::contains("2 passed, 0 failed, 3 without tests"));
    let ran = std::fs::read_to_string(tmp.path().join("apps/web/ran.txt")).expect("the test ran in apps/web");
    let specs: Vec<&str> = ran
        .lines()
        .filter(|l| !l.starts_with('/'))
        .flat_map(str::split_whitespace)
        .collect();
    assert!(specs.contains(&"e2e/home.spec.ts"), "{ran}");
    assert!(specs.iter().any(|s| s.starts_with("e2e/settings.spec.ts:")), "{ran}");
    assert!(!ran.contains("apps/web/e2e"), "{ran}");
}

#[test]
fn a_partial_clone_fetches_the_blobs_it_lacks_instead_of_guessing() {
    let origin = monorepo();
    edit(origin.path(), "pnpm-lock.yaml", |t| t.replace("3.23.0", "3.24.0"));
    commit(origin.path());
    git(origin.path(), &["config", "uploadpack.allowFilter", "true"]);
    let clone = TempDir::new().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(
        clone.path(),
        &["clone", "-q", "--filter=blob:none", "--no-checkout", &url, "repo"],
    );
    let repo = clone.path().join("repo");
    git(&repo, &["checkout", "-q", "feature"]);
    git(&repo, &["branch", "-q", "main", "origin/main"]);
    // The merge base's lockfile is not in the clone until something asks for it.
    let report = json_stdout(perceo(&repo.join("apps/web")).args(["ci", "analyze", "--base", "main", "--json"]));
    assert_eq!(flow_ids(&report), ["settings"], "{report}");
    assert_eq!(kinds(&report, "settings"), ["dependency"]);
}
