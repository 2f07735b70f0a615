//! `perceo ci analyze` and `ci test`, `flows create/edit/delete`, coverage scores, GitHub annotations.

use assert_fs::TempDir;
use assert_fs::prelude::*;
use predicates::prelude::*;

use crate::common::{git, json_stdout, perceo, repo_root, shop_with_change};
use crate::support::with_fake_runner;

#[test]
fn ci_analyze_json_keeps_the_seed_shape_and_explains_each_flow() {
    let tmp = shop_with_change();
    let report =
        json_stdout(perceo(tmp.path()).args(["ci", "analyze", "--base", "main", "--head", "feature", "--json"]));
    for key in [
        "changeId",
        "baseSha",
        "headSha",
        "flows",
        "changes",
        "createdAt",
        "totals",
        "warnings",
    ] {
        assert!(report.get(key).is_some(), "missing {key}: {report}");
    }
    assert_eq!(report["changes"][0]["path"], "src/lib/cart/store.ts");
    assert_eq!(report["changes"][0]["status"], "modified");
    let flows = report["flows"].as_array().unwrap();
    let ids: Vec<&str> = flows.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"checkout") && ids.contains(&"add-to-cart"), "{ids:?}");
    for f in flows {
        for key in [
            "name",
            "confidence",
            "riskScore",
            "priority",
            "reasons",
            "matchedFiles",
            "riskFactors",
        ] {
            assert!(f.get(key).is_some(), "flow missing {key}");
        }
        assert!(!f["reasons"][0]["chain"].as_array().unwrap().is_empty());
    }
}

#[test]
fn ci_analyze_human_output_and_fail_on_gate() {
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main"])
        .assert()
        .success()
        .stdout(predicate::str::contains("checkout"))
        .stdout(predicate::str::contains("flow(s) affected"));
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "--fail-on", "low", "-q"])
        .assert()
        .code(1);
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "--fail-on", "critical", "-q"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "no-such-ref"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[git]"))
        .stderr(predicate::str::contains("no-such-ref"));
    perceo(tmp.path()).args(["ci", "analyze"]).assert().code(2);
}

#[test]
fn flows_create_edit_delete_keep_files_valid_and_sync_the_graph() {
    let tmp = shop_with_change();
    let status = json_stdout(perceo(tmp.path()).args(["graph", "status", "--json"]));
    assert_eq!(status["backend"], "sqlite");
    assert_eq!(status["flows"], 0);
    let created = json_stdout(perceo(tmp.path()).args([
        "flows",
        "create",
        "wishlist",
        "--name",
        "Save to wishlist",
        "--priority",
        "high",
        "--page",
        "/product/[id]",
        "--spec",
        "e2e/wish.spec.ts",
        "--json",
    ]));
    assert!(
        created["graph"]["created"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "wishlist")
    );
    tmp.child(".perceo/flows/wishlist.json")
        .assert(predicate::str::contains("\"priority\": \"high\""));
    // Refused edits leave the file as it was.
    perceo(tmp.path())
        .args(["flows", "create", "wishlist", "--name", "again"])
        .assert()
        .code(2);
    perceo(tmp.path())
        .args(["flows", "create", "Bad Id", "--name", "x"])
        .assert()
        .code(2);
    perceo(tmp.path())
        .args(["flows", "edit", "wishlist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to change"));
    // Edits keep comments of hand-written files.
    perceo(tmp.path())
        .args([
            "flows",
            "edit",
            "add-to-cart",
            "--priority",
            "critical",
            "--grep",
            "@cart-v2",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 updated (add-to-cart)"));
    tmp.child(".perceo/flows/add-to-cart.json")
        .assert(predicate::str::contains("// critical | high | medium | low"));
    tmp.child(".perceo/flows/add-to-cart.json")
        .assert(predicate::str::contains("@cart-v2"));
    perceo(tmp.path())
        .args(["flows", "delete", "wishlist"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 deleted (wishlist)"));
    tmp.child(".perceo/flows/wishlist.json")
        .assert(predicate::path::missing());
    let status = json_stdout(perceo(tmp.path()).args(["graph", "status", "--json"]));
    assert_eq!(status["flows"], 6);
}

#[test]
fn ci_analyze_stores_the_analysis_in_the_graph() {
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "-q"])
        .assert()
        .success();
    let status = json_stdout(perceo(tmp.path()).args(["graph", "status", "--json"]));
    assert_eq!(status["analyses"], 1);
    assert_eq!(status["flows"], 6);
    perceo(tmp.path())
        .args(["graph", "sync"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 created, 0 updated, 0 deleted, 6 unchanged"));
}

#[test]
fn ci_test_runs_the_affected_flows_records_them_and_fails_on_a_failure() {
    let tmp = shop_with_change();
    with_fake_runner(&tmp);
    let out = perceo(tmp.path())
        .args(["ci", "test", "--base", "main", "--head", "feature", "--json"])
        .env("FAIL", "checkout")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let status = |id: &str| {
        report["flows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["flowId"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("checkout"), "failed");
    assert_eq!(status("add-to-cart"), "passed");
    assert_eq!(report["failed"], 1);
    let failed = report["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flowId"] == "checkout")
        .unwrap();
    assert!(
        failed["failures"][0]
            .as_str()
            .unwrap()
            .contains("expected badge 1, got 0")
    );
    // The runs are in the graph, with synthetic metrics.
    let graph = json_stdout(perceo(tmp.path()).args(["graph", "status", "--json"]));
    assert_eq!(graph["testRuns"], 2);
    // A green run exits 0.
    perceo(tmp.path())
        .args(["ci", "test", "--base", "main", "--head", "feature", "-q"])
        .env("FAIL", "")
        .assert()
        .success();
    // The report reads both.
    perceo(tmp.path())
        .args(["ci", "report", "--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains("flows at risk"))
        .stdout(predicate::str::contains("2 passed, 0 failed"));
    let junit = perceo(tmp.path())
        .args(["ci", "report", "--format", "junit"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&junit).contains("<testcase name=\"checkout\""));
    perceo(tmp.path())
        .args(["ci", "report", "--format", "markdown"])
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .success()
        .stdout(predicate::str::contains("::error file=src/lib/cart/store.ts"));
    let html = tmp.path().join("report.html");
    perceo(tmp.path())
        .args(["ci", "report", "--format", "html", "--output", html.to_str().unwrap()])
        .assert()
        .success();
    assert!(std::fs::read_to_string(html).unwrap().starts_with("<!doctype html>"));
}

#[test]
fn flows_without_tests_are_uncovered_and_shards_split_deterministically() {
    let tmp = shop_with_change();
    with_fake_runner(&tmp);
    let ids = |shard: &str| -> Vec<String> {
        let out = perceo(tmp.path())
            .args(["ci", "test", "--flows-from", "all", "--shard", shard, "--json"])
            .env("FAIL", "")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        v["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["flowId"].as_str().unwrap().to_string())
            .collect()
    };
    let (a, b) = (ids("1/2"), ids("2/2"));
    let mut all: Vec<String> = a.iter().chain(&b).cloned().collect();
    all.sort();
    assert_eq!(
        all,
        vec![
            "add-to-cart",
            "browse-products",
            "checkout",
            "login",
            "read-blog",
            "search"
        ]
    );
    assert_eq!(ids("1/2"), a, "the same split every time");
    perceo(tmp.path())
        .args(["ci", "test", "--flows-from", "all"])
        .env("FAIL", "")
        .assert()
        .success()
        .stdout(predicate::str::contains("UNCOVERED read-blog"))
        .stderr(predicate::str::contains("have no tests"));
    perceo(tmp.path())
        .args(["ci", "test", "--shard", "3/2"])
        .assert()
        .code(2);
}

#[test]
fn a_runner_that_cannot_run_fails_the_flow_with_the_reason() {
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args([
            "config",
            "set",
            "coordinator.command",
            "definitely-not-a-command-xyz {flow}",
        ])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["ci", "test", "--base", "main", "--head", "feature"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("wrote no JUnit report"));
}

#[test]
fn github_annotations_name_files_from_the_repository_root_for_a_project_in_a_subfolder() {
    let repo = TempDir::new().unwrap();
    let app = repo.path().join("apps/shop");
    std::fs::create_dir_all(&app).unwrap();
    repo.child("apps/shop")
        .copy_from(repo_root().join("examples/shop"), &["**/*", "**/.perceo/**"])
        .unwrap();
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "base"]);
    git(repo.path(), &["checkout", "-qb", "feature"]);
    let store = app.join("src/lib/cart/store.ts");
    std::fs::write(
        &store,
        std::fs::read_to_string(&store).unwrap() + "\nexport const MAX = 3;\n",
    )
    .unwrap();
    git(repo.path(), &["commit", "-qam", "change"]);
    perceo(&app)
        .args(["ci", "analyze", "--base", "main", "--head", "feature", "-q"])
        .assert()
        .success();
    perceo(&app)
        .args(["ci", "report", "--format", "markdown"])
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .success()
        .stdout(predicate::str::contains("::error file=apps/shop/src/lib/cart/store.ts"));
}

#[test]
fn each_flow_gets_a_coverage_score_from_what_its_specs_exercise() {
    let tmp = shop_with_change();
    perceo(tmp.path()).args(["graph", "sync", "-q"]).assert().success();
    let score = |id: &str| {
        json_stdout(perceo(tmp.path()).args(["flows", "show", id, "--json"]))["coverageScore"]
            .as_f64()
            .unwrap()
    };
    // cart.spec.ts visits /product/…, clicks "Add to cart" and lands on /cart: every step.
    assert_eq!(score("add-to-cart"), 1.0);
    // It also opens the home page, but never names select_item.
    assert_eq!(score("browse-products"), 0.5);
    assert_eq!(score("read-blog"), 0.0);
    let coverage = json_stdout(perceo(tmp.path()).args(["analyze", "coverage", "--json"]));
    assert_eq!(
        coverage["belowThreshold"],
        serde_json::json!(["browse-products", "checkout", "read-blog"]),
        "{coverage:#}"
    );
}
