//! `perceo init`: framework detection, the config it writes, flows bootstrapped from routes, monorepo roots.

use assert_fs::TempDir;
use assert_fs::prelude::*;
use predicates::prelude::*;

use crate::common::{json_stdout, perceo, repo_root};
use crate::support::fixture;

#[test]
fn init_detects_three_frameworks_and_writes_a_loadable_config() {
    for (name, framework) in [
        ("next-app", "nextjs"),
        ("sveltekit", "sveltekit"),
        ("remix", "remix"),
        ("nuxt", "nuxt"),
    ] {
        let tmp = fixture(name);
        let report = json_stdout(perceo(tmp.path()).args(["init", "--yes", "--json"]));
        assert_eq!(report["detection"]["framework"], framework, "{name}");
        tmp.child(".perceo/config.json")
            .assert(predicate::str::contains("\"$schema\": \"./config.schema.json\""));
        tmp.child(".perceo/config.schema.json")
            .assert(predicate::path::exists());
        tmp.child(".perceo/.gitignore")
            .assert(predicate::str::contains("config.local.json"));
        let show = json_stdout(perceo(tmp.path()).args(["config", "show", "--json"]));
        assert_eq!(show["config"]["project"]["framework"], framework);
        assert_eq!(show["warnings"].as_array().unwrap().len(), 0);
    }
}

#[test]
fn init_prints_a_summary_with_next_steps_and_never_overwrites() {
    let tmp = fixture("next-app");
    perceo(tmp.path())
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("Initialized Perceo for"))
        .stdout(predicate::str::contains("flow(s) and"))
        .stdout(predicate::str::contains("perceo ci analyze"));
    let before = std::fs::read_to_string(tmp.path().join(".perceo/config.json")).unwrap();
    perceo(tmp.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[init.exists]"));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(".perceo/config.json")).unwrap(),
        before
    );
}

#[test]
fn init_in_an_unknown_project_warns_but_works() {
    let tmp = fixture("empty");
    perceo(tmp.path())
        .args(["init", "--dir", "."])
        .assert()
        .success()
        .stderr(predicate::str::contains("no web framework recognised"));
}

#[test]
fn init_bootstraps_flows_from_routes_and_flows_list_reads_them() {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(repo_root().join("examples/shop"), &["**/*"]).unwrap();
    std::fs::remove_dir_all(tmp.path().join(".perceo")).ok();
    perceo(tmp.path())
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("Initialized 8 flow(s) and 1 persona(s)"));
    tmp.child(".perceo/flows/checkout.json")
        .assert(predicate::str::contains("\"priority\": \"critical\""));
    tmp.child(".perceo/flows/product-id.json")
        .assert(predicate::str::contains("/product/[id]"));
    perceo(tmp.path())
        .args(["flows", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("blog-slug"));
    let flow = json_stdout(perceo(tmp.path()).args(["flows", "show", "home", "--json"]));
    assert!(
        flow["related"].as_array().unwrap().iter().any(|r| r == "product-id"),
        "{flow}"
    );
    // Without --json, for people: the definition in lines, not JSON.
    perceo(tmp.path())
        .args(["flows", "show", "home"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("home — "))
        .stdout(predicate::str::contains("  pages: /"))
        .stdout(predicate::str::contains("{").not());
    perceo(tmp.path())
        .args(["flows", "show", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
    let routes = json_stdout(perceo(tmp.path()).args(["routes", "--json"]));
    assert!(
        routes
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["pattern"] == "/api/cart" && r["kind"] == "handler")
    );
}

#[test]
fn init_at_a_monorepo_root_bootstraps_its_apps_and_an_app_can_still_be_its_own_project() {
    let tmp = TempDir::new().unwrap();
    tmp.child("package.json")
        .write_str(r#"{"name": "mono", "workspaces": ["apps/*", "packages/*"]}"#)
        .unwrap();
    tmp.child("apps/web/package.json")
        .write_str(r#"{"name": "web", "dependencies": {"next": "15"}}"#)
        .unwrap();
    tmp.child("apps/web/app/page.tsx")
        .write_str("export default function P() { return null }\n")
        .unwrap();
    tmp.child("packages/ui/package.json")
        .write_str(r#"{"name": "@m/ui", "dependencies": {"react": "19"}}"#)
        .unwrap();
    perceo(tmp.path())
        .args(["init"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "monorepo root with 1 app(s): web (apps/web, nextjs)",
        ))
        .stdout(predicate::str::contains("Initialized 1 flow(s)"))
        .stdout(predicate::str::contains("packages/ui").not());
    tmp.child(".perceo/flows/web_home.json")
        .assert(predicate::str::contains("\"app\": \"web\""));
    perceo(tmp.path())
        .args(["init", "--dir", "apps/web"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Initialized 1 flow(s) and 1 persona(s)"));
}
