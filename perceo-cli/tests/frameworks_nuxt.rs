//! Nuxt auto-imports on `tests/fixtures/frameworks/nuxt`: a component used by tag only, a
//! component used in kebab-case, a composable used by identifier only, a util used in a
//! template only, a layout and a route middleware named in `definePageMeta`, and a global
//! middleware. Each test commits one change on a branch and checks which flows (one per
//! page: home `/`, admin `/admin`, account `/account`, cart `/cart`) the real `perceo ci
//! analyze --json` reports.

mod common;

use std::path::Path;

use assert_fs::TempDir;
use assert_fs::prelude::*;
use common::{flow_ids, git, json_stdout, perceo, repo_root};
use serde_json::Value;

/// The fixture with a Perceo config and one flow per page (written here: the `init` tests
/// use the same fixture without a config) in a fresh git repository, one commit on `main`,
/// on branch `feature`.
fn nuxt_app() -> TempDir {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(repo_root().join("tests/fixtures/frameworks/nuxt"), &["**/*"])
        .unwrap();
    tmp.child(".perceo/config.json")
        .write_str(r#"{ "project": { "name": "nuxt-fixture", "framework": "nuxt" } }"#)
        .unwrap();
    tmp.child(".perceo/.gitignore").write_str("cache/\n*.db*\n").unwrap();
    for (id, page) in [
        ("home", "/"),
        ("admin", "/admin"),
        ("account", "/account"),
        ("cart", "/cart"),
    ] {
        tmp.child(format!(".perceo/flows/{id}.json"))
            .write_str(&format!(
                r#"{{ "id": "{id}", "name": "{id}", "priority": "medium", "pages": ["{page}"] }}"#
            ))
            .unwrap();
    }
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "base"]);
    git(tmp.path(), &["checkout", "-qb", "feature"]);
    tmp
}

/// Appends a line to `file`, commits, and returns the report and the affected flow ids.
fn change(root: &Path, file: &str, line: &str) -> (Value, Vec<String>) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}{line}\n")).unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "change"]);
    let report = json_stdout(perceo(root).args(["ci", "analyze", "--base", "main", "--json"]));
    let ids = flow_ids(&report);
    (report, ids)
}

fn detail<'a>(report: &'a Value, flow: &str) -> &'a str {
    report["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == flow)
        .and_then(|f| f["reasons"][0]["detail"].as_str())
        .unwrap_or("")
}

#[test]
fn a_component_used_by_tag_affects_only_its_page() {
    let app = nuxt_app();
    let (report, ids) = change(app.path(), "components/status/StatusCard.vue", "<!-- tweak -->");
    assert_eq!(ids, ["home"]);
    assert!(
        detail(&report, "home").contains("auto-import: pages/index.vue -> components/status/StatusCard.vue"),
        "{report:#}"
    );
}

#[test]
fn a_kebab_case_tag_finds_its_component() {
    let app = nuxt_app();
    let (_, ids) = change(app.path(), "components/base/BaseButton.vue", "<!-- tweak -->");
    assert_eq!(ids, ["account"]);
}

#[test]
fn a_composable_used_by_identifier_affects_only_its_page() {
    let app = nuxt_app();
    let (_, ids) = change(app.path(), "composables/useCart.ts", "export const cartKey = 'cart';");
    assert_eq!(ids, ["cart"]);
}

#[test]
fn a_util_used_in_a_template_affects_only_its_page() {
    let app = nuxt_app();
    let (_, ids) = change(app.path(), "utils/format.ts", "export const currency = 'USD';");
    assert_eq!(ids, ["admin"]);
}

#[test]
fn a_layout_named_in_define_page_meta_affects_only_that_page() {
    let app = nuxt_app();
    let (_, ids) = change(app.path(), "layouts/admin.vue", "<!-- tweak -->");
    assert_eq!(ids, ["admin"]);
}

#[test]
fn the_default_layout_affects_every_page() {
    let app = nuxt_app();
    let (_, ids) = change(app.path(), "layouts/default.vue", "<!-- tweak -->");
    assert_eq!(ids, ["account", "admin", "cart", "home"]);
}

#[test]
fn a_named_route_middleware_affects_only_its_page() {
    let app = nuxt_app();
    let (_, ids) = change(app.path(), "middleware/auth.ts", "// tweak");
    assert_eq!(ids, ["account"]);
}

#[test]
fn a_global_middleware_affects_every_page() {
    let app = nuxt_app();
    let (report, ids) = change(app.path(), "middleware/analytics.global.ts", "// tweak");
    assert_eq!(ids, ["account", "admin", "cart", "home"]);
    assert!(report.to_string().contains("global route middleware"), "{report:#}");
}

#[test]
fn a_plugin_and_what_it_imports_affect_every_page() {
    let app = nuxt_app();
    let (report, ids) = change(app.path(), "utils/track.ts", "// tweak");
    assert_eq!(ids, ["account", "admin", "cart", "home"]);
    assert!(
        report.to_string().contains("Nuxt plugins run when the app starts"),
        "{report:#}"
    );
}

#[test]
fn a_component_imported_from_hash_components_affects_its_page() {
    let app = nuxt_app();
    let (report, ids) = change(app.path(), "components/nav/NavHome.vue", "<!-- tweak -->");
    assert_eq!(ids, ["account"], "{report:#}");
}

#[test]
fn the_shared_alias_resolves_to_the_shared_folder() {
    let app = nuxt_app();
    let (report, ids) = change(app.path(), "shared/cart-line.ts", "// tweak");
    assert_eq!(ids, ["cart"], "{report:#}");
    assert_eq!(report["totals"]["unresolvedImports"], 0, "{report:#}");
}

#[test]
fn graph_deps_lists_auto_import_edges() {
    let app = nuxt_app();
    let out = perceo(app.path()).args(["graph", "deps", "-q"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for edge in [
        "pages/index.vue -> components/status/StatusCard.vue (auto-import)",
        "pages/account.vue -> components/base/BaseButton.vue (auto-import)",
        "pages/cart.vue -> composables/useCart.ts (auto-import)",
        "pages/admin.vue -> utils/format.ts (auto-import)",
        "pages/admin.vue -> layouts/admin.vue (auto-import)",
        "pages/account.vue -> middleware/auth.ts (auto-import)",
    ] {
        assert!(text.contains(edge), "missing `{edge}` in:\n{text}");
    }
}
