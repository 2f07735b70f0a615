//! `perceo flows link-tests` on `tests/fixtures/e2e-suites`: a Next.js app (`apps/web`, the
//! Perceo project) with its own Playwright and Cypress suites, and a Playwright suite in
//! another workspace package whose tests reach the app through a helper and template URLs.

mod common;

use std::path::Path;

use assert_fs::TempDir;
use assert_fs::prelude::*;
use common::{git, json_stdout, perceo, repo_root};
use serde_json::Value;

/// The fixture with `perceo init -y` run in `apps/web`, committed.
fn suites() -> TempDir {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(repo_root().join("tests/fixtures/e2e-suites"), &["**/*"])
        .unwrap();
    git(tmp.path(), &["init", "-q"]);
    perceo(&tmp.path().join("apps/web"))
        .args(["init", "-y"])
        .assert()
        .success();
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "base"]);
    tmp
}

fn web(tmp: &TempDir) -> std::path::PathBuf {
    tmp.path().join("apps/web")
}

/// The id of the flow whose pages include `pattern`.
fn flow_of(dir: &Path, pattern: &str) -> String {
    let set = json_stdout(perceo(dir).args(["flows", "list", "--json"]));
    set["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["pages"].as_array().unwrap().iter().any(|p| p == pattern))
        .unwrap_or_else(|| panic!("no flow for {pattern}: {set}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The lines of a file, sorted (a runner's log of invocations, which run concurrently).
fn sorted_lines(path: &Path) -> Vec<String> {
    let mut lines: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

fn test_by_title<'a>(report: &'a Value, title: &str) -> &'a Value {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == title)
        .unwrap_or_else(|| panic!("no test {title}: {report}"))
}

#[test]
fn a_dry_run_finds_every_suite_and_links_each_test_or_says_why_not() {
    let tmp = suites();
    let dir = web(&tmp);
    let before = std::fs::read_to_string(dir.join(format!(".perceo/flows/{}.json", flow_of(&dir, "/cart")))).unwrap();
    let report = json_stdout(perceo(&dir).args(["flows", "link-tests", "--dry-run", "--json"]));
    let configs: Vec<&str> = report["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["config"].as_str().unwrap())
        .collect();
    assert_eq!(
        configs,
        [
            "../../packages/app-tests/playwright.config.ts",
            "cypress.config.ts",
            "playwright.config.ts"
        ]
    );
    let cart = flow_of(&dir, "/cart");
    let edit = flow_of(&dir, "/t/[teamUrl]/documents/[id]/edit");
    let stats = flow_of(&dir, "/admin/stats");
    let home = flow_of(&dir, "/");
    // Playwright in the app: goto('/') then toHaveURL('/cart').
    let mut both = vec![home.clone(), cart.clone()];
    both.sort();
    assert_eq!(
        test_by_title(&report, "adds to cart from home")["flows"],
        serde_json::json!(both)
    );
    // Cypress: cy.visit and cy.url().should.
    assert_eq!(
        test_by_title(&report, "cart › opens the cart")["flows"],
        serde_json::json!([cart])
    );
    // Another package: a helper given a template URL.
    let documents = test_by_title(&report, "documents › edits a document");
    assert_eq!(documents["flows"], serde_json::json!([edit]));
    assert_eq!(documents["file"], "../../packages/app-tests/e2e/documents.spec.ts");
    assert_eq!(documents["line"], 5);
    assert_eq!(
        test_by_title(&report, "admin sees stats")["flows"],
        serde_json::json!([stats])
    );
    // An API test reaches the handler, which no flow has as a page.
    let health = test_by_title(&report, "health answers");
    assert_eq!(health["routes"], serde_json::json!(["/api/health"]));
    assert!(health["unlinked"].as_str().unwrap().contains("no flow"), "{health}");
    let old = test_by_title(&report, "an old page");
    assert!(old["unlinked"].as_str().unwrap().contains("/nowhere"), "{old}");
    assert_eq!(report["written"], Value::Null);
    // A dry run changes nothing.
    assert_eq!(
        std::fs::read_to_string(dir.join(format!(".perceo/flows/{cart}.json"))).unwrap(),
        before
    );
}

#[test]
fn links_are_written_refreshed_and_never_clobber_what_a_person_wrote() {
    let tmp = suites();
    let dir = web(&tmp);
    let cart = flow_of(&dir, "/cart");
    perceo(&dir)
        .args(["flows", "edit", &cart, "--spec", "e2e/manual.spec.ts"])
        .assert()
        .success();
    perceo(&dir)
        .args(["flows", "link-tests"])
        .assert()
        .success()
        .stdout(predicates::str::contains("packages/app-tests/e2e/documents.spec.ts:5"))
        .stdout(predicates::str::contains("Updated"));
    let flow: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!(".perceo/flows/{cart}.json"))).unwrap())
            .unwrap();
    assert_eq!(flow["tests"]["specs"], serde_json::json!(["e2e/manual.spec.ts"]));
    let linked: Vec<(&str, &str)> = flow["tests"]["linked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["spec"].as_str().unwrap(), t["config"].as_str().unwrap()))
        .collect();
    assert_eq!(
        linked,
        [
            ("cypress/e2e/cart.cy.ts", "cypress.config.ts"),
            ("e2e/cart.spec.ts", "playwright.config.ts")
        ]
    );
    // The stats flow had no test: now it has one.
    let stats = flow_of(&dir, "/admin/stats");
    let list = json_stdout(perceo(&dir).args(["flows", "list", "--json"]));
    let stats_flow = list["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == stats)
        .unwrap();
    assert_eq!(stats_flow["tests"]["linked"][0]["title"], "admin sees stats");

    // Again: nothing to change.
    perceo(&dir)
        .args(["flows", "link-tests"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Updated 0 flow file(s)"));
    // A test removed from its suite loses its link; the person's spec stays.
    std::fs::remove_file(dir.join("cypress/e2e/cart.cy.ts")).unwrap();
    perceo(&dir).args(["flows", "link-tests"]).assert().success();
    let flow: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!(".perceo/flows/{cart}.json"))).unwrap())
            .unwrap();
    assert_eq!(flow["tests"]["specs"], serde_json::json!(["e2e/manual.spec.ts"]));
    assert_eq!(flow["tests"]["linked"].as_array().unwrap().len(), 1, "{flow}");
    tmp.child("apps/web/.perceo/flows").assert(predicates::path::is_dir());
}

#[test]
fn ci_test_runs_linked_tests_from_their_suites_folder_by_line() {
    let tmp = suites();
    let dir = web(&tmp);
    perceo(&dir).args(["flows", "link-tests"]).assert().success();
    // A runner that records where it ran and what it was given.
    perceo(&dir)
        .args([
            "config",
            "set",
            "coordinator.command",
            "echo \"$(basename \"$PWD\")\" {specs} >> \"$PERCEO_RAN\"",
        ])
        .assert()
        .success();
    let ran = tmp.path().join("ran.txt");
    let edit = flow_of(&dir, "/t/[teamUrl]/documents/[id]/edit");
    let cart = flow_of(&dir, "/cart");
    let flows = serde_json::json!({ "flows": [{ "id": edit }, { "id": cart }] }).to_string();
    std::fs::write(tmp.path().join("selected.json"), flows).unwrap();
    perceo(&dir)
        .env("PERCEO_RAN", &ran)
        .args(["ci", "test", "--flows-from"])
        .arg(tmp.path().join("selected.json"))
        .assert()
        .success()
        .stdout(predicates::str::contains("2 passed, 0 failed"));
    assert_eq!(
        sorted_lines(&ran),
        [
            "app-tests e2e/documents.spec.ts:5",
            "web cypress/e2e/cart.cy.ts",
            "web e2e/cart.spec.ts:3"
        ],
        "the documents test runs from packages/app-tests, by line"
    );
}

#[test]
fn a_test_linked_to_several_flows_runs_once_and_its_result_goes_to_each() {
    let tmp = suites();
    let dir = web(&tmp);
    perceo(&dir).args(["flows", "link-tests"]).assert().success();
    // A runner that records each invocation and writes the JUnit report a real runner would:
    // the cart spec's test fails, the others pass.
    let runner = tmp.path().join("runner.sh");
    std::fs::write(
        &runner,
        r#"junit="$1"; shift
echo "$(basename "$PWD")" "$@" >> "$PERCEO_RAN"
case "$*" in
  *cart.spec.ts*) printf '<testsuites><testsuite name="cart.spec.ts"><testcase name="adds to cart from home" classname="cart.spec.ts"><failure message="expected /cart"/></testcase></testsuite></testsuites>' > "$junit" ;;
  *cart.cy.ts*) printf '<testsuites><testsuite name="cart"><testcase name="cart opens the cart" classname="opens the cart"/></testsuite></testsuites>' > "$junit" ;;
  *) printf '<testsuites><testsuite name="documents.spec.ts"><testcase name="documents › edits a document" classname="documents.spec.ts"/></testsuite></testsuites>' > "$junit" ;;
esac
exit 0
"#,
    )
    .unwrap();
    let template = format!("sh '{}' {{junit}} {{specs}}", runner.display());
    perceo(&dir)
        .args(["config", "set", "coordinator.command", &template])
        .assert()
        .success();
    let ran = tmp.path().join("ran.txt");
    let (home, cart, edit) = (
        flow_of(&dir, "/"),
        flow_of(&dir, "/cart"),
        flow_of(&dir, "/t/[teamUrl]/documents/[id]/edit"),
    );
    let flows = serde_json::json!({ "flows": [{ "id": home }, { "id": cart }, { "id": edit }] });
    std::fs::write(tmp.path().join("selected.json"), flows.to_string()).unwrap();
    let out = perceo(&dir)
        .env("PERCEO_RAN", &ran)
        .args(["ci", "test", "--json", "--flows-from"])
        .arg(tmp.path().join("selected.json"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        sorted_lines(&ran),
        [
            "app-tests e2e/documents.spec.ts:5",
            "web cypress/e2e/cart.cy.ts",
            "web e2e/cart.spec.ts:3"
        ],
        "the cart spec's test covers `/` and `/cart` and runs once"
    );
    let result = |id: &str| {
        report["flows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["flowId"] == id)
            .unwrap_or_else(|| panic!("no result for {id}: {report}"))
            .clone()
    };
    let names = |r: &Value| -> Vec<String> {
        r["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (home, cart, edit) = (result(&home), result(&cart), result(&edit));
    assert_eq!(home["status"], "failed", "{home}");
    assert_eq!(names(&home), ["adds to cart from home"]);
    assert_eq!(cart["status"], "failed", "{cart}");
    assert_eq!(
        names(&cart),
        ["cart opens the cart", "adds to cart from home"],
        "in suite order"
    );
    assert_eq!(
        edit["status"], "passed",
        "another flow's failure is not this one's: {edit}"
    );
    assert_eq!(names(&edit), ["documents › edits a document"]);
    assert_eq!(
        (report["passed"].as_u64(), report["failed"].as_u64()),
        (Some(1), Some(2))
    );
}

#[test]
fn init_links_the_existing_tests_and_says_so() {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(repo_root().join("tests/fixtures/e2e-suites"), &["**/*"])
        .unwrap();
    git(tmp.path(), &["init", "-q"]);
    let dir = web(&tmp);
    perceo(&dir)
        .args(["init", "-y"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "Linked your existing tests: 6 test(s) found, 4 flow(s) now have tests",
        ));
    let list = json_stdout(perceo(&dir).args(["flows", "list", "--json"]));
    let untested: Vec<&str> = list["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["tests"]["linked"].as_array().is_none_or(|l| l.is_empty()))
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        untested.is_empty(),
        "every page of the fixture has a test: {untested:?}"
    );
}
