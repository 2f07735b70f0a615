//! `perceo doctor`: the deployment checklist.

use assert_fs::TempDir;
use assert_fs::prelude::*;

use crate::common::{git, perceo, shop_with_change, test_redis_url};
use crate::support::api_server;

fn doctor_checks(report: &serde_json::Value) -> std::collections::BTreeMap<String, (String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                (
                    c["status"].as_str().unwrap().to_string(),
                    format!("{} {}", c["detail"].as_str().unwrap(), c["fix"].as_str().unwrap_or("")),
                ),
            )
        })
        .collect()
}

fn doctor_json(tmp: &TempDir, args: &[&str], code: i32) -> serde_json::Value {
    let out = perceo(tmp.path())
        .args(["doctor", "--json"])
        .args(args)
        .env("DOCTOR_SECRET", "s3cr3t-doctor-value")
        .assert()
        .code(code)
        .get_output()
        .clone();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("s3cr3t-doctor-value") && !text.contains("hunter2"),
        "{text}"
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn doctor_passes_a_fresh_project_and_names_each_failure_with_a_fix() {
    let tmp = shop_with_change();
    let report = doctor_json(&tmp, &["--env", "ci"], 0);
    let checks = doctor_checks(&report);
    assert_eq!(checks["config"].0, "pass");
    assert_eq!(checks["graph"].0, "pass");
    assert_eq!(checks["bus"].0, "skip");
    assert_eq!(checks["analyze"].0, "pass", "{:?}", checks["analyze"]);
    assert!(
        checks["analyze"].1.contains("1 changed file(s)"),
        "{:?}",
        checks["analyze"]
    );
    let human = perceo(tmp.path())
        .args(["doctor"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let human = String::from_utf8_lossy(&human);
    assert!(
        human.contains("✓ configuration found and valid") && human.contains("Ready."),
        "{human}"
    );

    // A missing variable, a tracked file: secret, an unreachable API and Neo4j: each a ✗ with a fix.
    perceo(tmp.path())
        .args(["config", "set", "analyzer.apiKey", "${DOCTOR_MISSING_VAR}"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "coordinator.apiBaseUrl", "http://127.0.0.1:1"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "analyzer.apiBaseUrl", "http://127.0.0.1:1"])
        .assert()
        .success();
    tmp.child("secrets/ga4.json").write_str("{}").unwrap();
    git(tmp.path(), &["add", "secrets/ga4.json"]);
    perceo(tmp.path())
        .args(["config", "set", "analytics.credentials", "file:secrets/ga4.json"])
        .assert()
        .success();
    let (api, _requests) = api_server(vec![(200, "", "{}".into())]);
    perceo(tmp.path())
        .args(["config", "set", "observer.apiBaseUrl", &api])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "observer.apiKey", "${DOCTOR_SECRET}"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "flowGraph.endpoint", "bolt://127.0.0.1:1"])
        .assert()
        .success();
    let report = doctor_json(&tmp, &["--env", "ci", "--timeout", "5s"], 1);
    assert_eq!(report["ok"], false);
    let checks = doctor_checks(&report);
    assert_eq!(checks["env"].0, "fail");
    assert!(
        checks["env"].1.contains("DOCTOR_MISSING_VAR (for analyzer.apiKey)"),
        "{:?}",
        checks["env"]
    );
    assert_eq!(checks["secrets.files"].0, "fail");
    assert!(
        checks["secrets.files"].1.contains("tracked by git") && checks["secrets.files"].1.contains("git rm --cached")
    );
    assert_eq!(checks["graph"].0, "fail");
    assert_eq!(checks["api.observer"].0, "pass", "{:?}", checks["api.observer"]);
    assert_eq!(
        checks["api.analyzer"].0, "fail",
        "the key's variable is missing: {:?}",
        checks["api.analyzer"]
    );
    assert!(
        checks["api.analyzer"].1.contains("DOCTOR_MISSING_VAR"),
        "{:?}",
        checks["api.analyzer"]
    );
    assert_eq!(
        checks["api.coordinator"].0, "fail",
        "nothing listens: {:?}",
        checks["api.coordinator"]
    );
    let human = perceo(tmp.path())
        .args(["doctor", "--env", "ci", "--timeout", "5s"])
        .env("DOCTOR_SECRET", "s3cr3t-doctor-value")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let human = String::from_utf8_lossy(&human);
    assert!(
        human.contains("✗ flow graph reachable") && human.contains("    fix: "),
        "{human}"
    );
    assert!(human.contains("required check(s) failed."), "{human}");
}

#[test]
fn doctor_production_wants_tls_and_no_secret_in_the_config_file() {
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args(["config", "set", "eventBus.type", "redis"])
        .assert()
        .success();
    perceo(tmp.path())
        .args([
            "config",
            "set",
            "eventBus.redisUrl",
            "redis://perceo:hunter2@127.0.0.1:1",
        ])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "observer.apiKey", "sk-written-in-the-file"])
        .assert()
        .success();
    let report = doctor_json(&tmp, &["--env", "production", "--timeout", "5s"], 1);
    let checks = doctor_checks(&report);
    assert_eq!(checks["tls.redis"].0, "fail");
    assert!(checks["tls.redis"].1.contains("rediss://"), "{:?}", checks["tls.redis"]);
    assert_eq!(checks["secrets.inline"].0, "fail");
    assert!(
        checks["secrets.inline"].1.contains("observer.apiKey")
            && checks["secrets.inline"].1.contains("eventBus.redisUrl")
    );
    assert_eq!(checks["bus"].0, "fail");
    assert_eq!(checks["tls.neo4j"].0, "skip");
}

#[test]
fn doctor_without_a_config_says_to_run_init() {
    let tmp = TempDir::new().unwrap();
    let report = doctor_json(&tmp, &[], 1);
    let checks = doctor_checks(&report);
    assert_eq!(checks["config"].0, "fail");
    assert!(checks["config"].1.contains("perceo init"));
}

#[test]
#[ignore = "needs a real Redis (PERCEO_TEST_REDIS_URL): scripts/test.sh starts one and runs these with --include-ignored"]
fn doctor_round_trips_a_probe_through_a_real_redis() {
    let url = test_redis_url();
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args(["config", "set", "eventBus.type", "redis"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "eventBus.redisUrl", "${TEST_REDIS_URL}"])
        .assert()
        .success();
    perceo(tmp.path())
        .args([
            "config",
            "set",
            "eventBus.channel",
            &format!("perceo-doctor-{}", std::process::id()),
        ])
        .assert()
        .success();
    let out = perceo(tmp.path())
        .args(["doctor", "--json"])
        .env("TEST_REDIS_URL", &url)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let checks = doctor_checks(&report);
    assert_eq!(checks["bus"].0, "pass", "{:?}", checks["bus"]);
    assert!(checks["bus"].1.contains("published and replayed"));
}
