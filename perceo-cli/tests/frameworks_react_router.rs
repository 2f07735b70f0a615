//! React Router v7 route configs on `tests/fixtures/frameworks/react-router` (an
//! `app/routes.ts` with `route`/`index`/`layout`/`prefix`, a constant and `flatRoutes()` of
//! `@react-router/fs-routes`) and `react-router-flat` (remix-flat-routes `+` folders through
//! `remixRoutesOptionAdapter`): `perceo routes --json`, and impact through layouts with
//! `perceo ci analyze --json` on a git repository built in a temporary folder.

mod common;

use std::path::Path;

use assert_fs::TempDir;
use assert_fs::prelude::*;
use common::{flow_ids, git, json_stdout, perceo, repo_root};
use serde_json::Value;

/// The fixture `name` in a temporary folder, with `perceo init --yes` run (flows bootstrapped
/// from its routes).
fn fixture(name: &str) -> TempDir {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(repo_root().join("tests/fixtures/frameworks").join(name), &["**/*"])
        .unwrap();
    perceo(tmp.path()).args(["init", "--yes", "--quiet"]).assert().success();
    tmp
}

/// `(pattern, file, attached)` of every route `perceo routes --json` lists.
fn routes(dir: &Path) -> Vec<(String, String, Vec<String>)> {
    let listed = json_stdout(perceo(dir).args(["routes", "--json"]));
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|route| {
            let text = |v: &Value| v.as_str().unwrap().to_owned();
            let attached = route["attached"].as_array().unwrap().iter().map(text).collect();
            (text(&route["pattern"]), text(&route["file"]), attached)
        })
        .collect()
}

/// The `(pattern, file)` pairs of `routes`.
fn pairs(routes: &[(String, String, Vec<String>)]) -> Vec<(&str, &str)> {
    routes
        .iter()
        .map(|(pattern, file, _)| (pattern.as_str(), file.as_str()))
        .collect()
}

/// The attached files of the route at `pattern`.
fn attached<'r>(routes: &'r [(String, String, Vec<String>)], pattern: &str) -> &'r [String] {
    &routes.iter().find(|(p, _, _)| p == pattern).unwrap().2
}

/// The fixture `name` initialised and committed on `main`, then `file` appended to with
/// `line` and committed on `feature`: the `ci analyze --base main --json` report.
fn analyze_change(name: &str, file: &str, line: &str) -> Value {
    let tmp = fixture(name);
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "base"]);
    git(tmp.path(), &["checkout", "-qb", "feature"]);
    let path = tmp.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}{line}\n")).unwrap();
    git(tmp.path(), &["commit", "-qam", "change"]);
    json_stdout(perceo(tmp.path()).args(["ci", "analyze", "--base", "main", "--json"]))
}

#[test]
fn routes_of_a_route_config_with_flat_routes() {
    let tmp = fixture("react-router");
    let found = routes(tmp.path());
    assert_eq!(
        pairs(&found),
        [
            ("/", "app/routes/home.tsx"),
            ("/account", "app/account/overview.tsx"),
            ("/account/orders/:orderId?", "app/account/orders.tsx"),
            ("/blog", "app/pages/blog._index.tsx"),
            ("/blog/:slug", "app/pages/blog.$slug.tsx"),
            ("/cart", "app/shop/cart.tsx"),
            ("/docs/*", "app/docs.tsx"),
            ("/products/:id", "app/shop/product.tsx"),
        ]
    );
    assert_eq!(
        attached(&found, "/products/:id"),
        ["app/root.tsx", "app/layouts/shop.tsx"]
    );
    assert_eq!(
        attached(&found, "/account"),
        ["app/root.tsx", "app/layouts/account.tsx"]
    );
    assert_eq!(attached(&found, "/blog/:slug"), ["app/root.tsx", "app/pages/blog.tsx"]);
    assert_eq!(attached(&found, "/docs/*"), ["app/root.tsx"]);
}

#[test]
fn routes_of_remix_flat_routes_plus_folders() {
    let tmp = fixture("react-router-flat");
    let found = routes(tmp.path());
    // What remix-flat-routes 0.8.5 builds from these files (checked with node).
    assert_eq!(
        pairs(&found),
        [
            ("/", "app/routes/_index.tsx"),
            ("/embed/sign/:token", "app/routes/embed+/sign.$token.tsx"),
            ("/robots.txt", "app/routes/robots[.]txt.ts"),
            ("/settings/profile", "app/routes/_app+/settings+/profile.tsx"),
            ("/signin", "app/routes/_auth+/signin.tsx"),
            ("/t/:teamUrl", "app/routes/_app+/t.$teamUrl+/_layout.tsx"),
            (
                "/t/:teamUrl/documents",
                "app/routes/_app+/t.$teamUrl+/documents._index.tsx"
            ),
            (
                "/t/:teamUrl/documents/:id",
                "app/routes/_app+/t.$teamUrl+/documents.$id.tsx"
            ),
        ]
    );
    assert_eq!(
        attached(&found, "/t/:teamUrl/documents/:id"),
        [
            "app/root.tsx",
            "app/routes/_app+/_layout.tsx",
            "app/routes/_app+/t.$teamUrl+/_layout.tsx"
        ]
    );
    assert_eq!(
        attached(&found, "/signin"),
        ["app/root.tsx", "app/routes/_auth+/_layout.tsx"]
    );
}

#[test]
fn a_layout_component_change_affects_the_pages_under_the_layout() {
    let report = analyze_change(
        "react-router",
        "app/components/shop-nav.tsx",
        "export const SHOP_NAV_VERSION = 2;",
    );
    assert_eq!(flow_ids(&report), ["cart", "products-id"], "{report:#}");
    // `./+types/cart` is what `react-router typegen` generates, not an unresolved import.
    assert_eq!(report["totals"]["unresolvedImports"], 0, "{report:#}");
}

#[test]
fn a_plus_folder_layout_component_change_affects_the_team_pages() {
    let report = analyze_change(
        "react-router-flat",
        "app/routes/_app+/t.$teamUrl+/components/team-header.tsx",
        "export const TEAM_HEADER_VERSION = 2;",
    );
    assert_eq!(
        flow_ids(&report),
        ["t-teamurl", "t-teamurl-documents", "t-teamurl-documents-id"],
        "{report:#}"
    );
}

#[test]
fn a_route_config_construct_perceo_cannot_read_is_a_warning() {
    let tmp = fixture("react-router");
    let config = tmp.child("app/routes.ts");
    let text = std::fs::read_to_string(config.path()).unwrap();
    config
        .write_str(&text.replace("  route('docs/*', 'docs.tsx'),", "  ...generatedRoutes(),"))
        .unwrap();
    let out = perceo(tmp.path())
        .args(["routes", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: app/routes.ts:18: the call `generatedRoutes()` is not understood"),
        "{stderr}"
    );
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The other routes are kept.
    assert_eq!(listed.as_array().unwrap().len(), 7);

    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "base"]);
    let report = json_stdout(perceo(tmp.path()).args(["ci", "analyze", "--base", "HEAD", "--json"]));
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .unwrap()
            .starts_with("routes: app/routes.ts:18: the call `generatedRoutes()`")),
        "{warnings:#?}"
    );
}

#[test]
fn a_route_config_change_affects_every_flow() {
    let report = analyze_change("react-router", "app/routes.ts", "// reordered");
    assert_eq!(
        flow_ids(&report),
        [
            "account",
            "account-orders-orderid",
            "blog",
            "blog-slug",
            "cart",
            "docs",
            "home",
            "products-id"
        ],
        "{report:#}"
    );
    let reasons = report["flows"][0]["reasons"].to_string();
    assert!(reasons.contains("the route config changed"), "{reasons}");
}
