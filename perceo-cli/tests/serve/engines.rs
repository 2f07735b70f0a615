//! The engines through the server: `ci analyze`, `init`, the analyzer and `ci test` with an `apiBaseUrl`, against local runs.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use assert_fs::TempDir;
use assert_fs::prelude::*;
use predicates::prelude::*;

use crate::common::{json_stdout, perceo, repo_root, shop_with_change};
use crate::support::*;

#[test]
fn ci_analyze_through_the_served_observer_equals_a_local_run() {
    let repo = shop_with_change();
    let (_checkout, server) = start_for(repo.path());
    let args = ["ci", "analyze", "--base", "main", "--head", "feature", "--json", "-q"];
    let local = json_stdout(perceo(repo.path()).args(args));
    set(repo.path(), "observer.apiBaseUrl", &server.url);
    set(repo.path(), "observer.apiKey", "${OBS_KEY}");
    let remote = json_stdout(perceo(repo.path()).args(args).env("OBS_KEY", KEY));
    let flows = |r: &serde_json::Value| {
        r["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["id"].clone(),
                    f["confidence"].clone(),
                    f["riskScore"].clone(),
                    f["reasons"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(!flows(&local).is_empty());
    assert_eq!(flows(&remote), flows(&local));
    assert_eq!(remote["headSha"], local["headSha"]);
    assert_eq!(remote["mergeBase"], local["mergeBase"]);
    assert_eq!(remote["changes"], local["changes"]);
    // The server's checkout is at the head: nothing to warn about.
    assert!(
        !remote["warnings"]
            .to_string()
            .contains("server built the dependency graph"),
        "{remote}"
    );
    // The human output is the same either way (timings aside).
    let human = |cmd: &mut Command| {
        let out = cmd.assert().success().get_output().stdout.clone();
        String::from_utf8_lossy(&out)
            .lines()
            .filter(|l| !l.contains(" ms"))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let plain = ["ci", "analyze", "--base", "main", "--head", "feature"];
    assert_eq!(
        human(perceo(repo.path()).args(plain).env("OBS_KEY", KEY)),
        human(perceo(repo.path()).args(plain).arg("--local"))
    );
    let log = server.log_with(r#""method":"POST","path":"/observer/analyze","status":200"#);
    assert!(
        log.contains(r#""method":"POST","path":"/observer/analyze","status":200"#),
        "{log}"
    );
    assert!(!log.contains(KEY));
}

#[test]
fn concurrent_analyses_on_one_server_all_succeed() {
    let repo = shop_with_change();
    let (_checkout, server) = start_for(repo.path());
    let local =
        json_stdout(perceo(repo.path()).args(["ci", "analyze", "--base", "main", "--head", "feature", "--json"]));
    let body = serde_json::json!({
        "baseSha": local["baseSha"], "headSha": local["headSha"], "mergeBase": local["mergeBase"],
        "files": local["changes"],
    })
    .to_string();
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (url, body) = (server.url.clone(), body.clone());
            std::thread::spawn(move || http(&url, "POST", "/observer/analyze", Some(KEY), Some(&body)))
        })
        .collect();
    for t in threads {
        let (status, _, body) = t.join().unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(json(&body)["flows"][0]["id"], local["flows"][0]["id"]);
    }
}

#[test]
fn init_bootstraps_flows_through_the_served_observer() {
    let repo = shop_with_change();
    let (_checkout, server) = start_for(repo.path());
    let fresh = || {
        let tmp = TempDir::new().unwrap();
        tmp.copy_from(repo_root().join("examples/shop"), &["**/*"]).unwrap();
        std::fs::remove_dir_all(tmp.path().join(".perceo")).ok();
        tmp
    };
    let local = fresh();
    perceo(local.path()).arg("init").assert().success();
    // The API comes from the local overlay (PERCEO_ENV=local), as a developer would set it.
    let remote = fresh();
    remote
        .child(".perceo/config.local.json")
        .write_str(&format!(
            r#"{{ "observer": {{ "apiBaseUrl": "{}", "apiKey": "${{OBS_KEY}}" }} }}"#,
            server.url
        ))
        .unwrap();
    perceo(remote.path())
        .arg("init")
        .env("PERCEO_ENV", "local")
        .env("OBS_KEY", KEY)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Initialized 8 flow(s) and 1 persona(s) (proposed by the observer API at http://127.0.0.1:",
        ));
    assert!(remote.path().join(".perceo/config.json").is_file());
    assert!(!remote.path().join(".perceo/.config.json.pending").exists());
    let list = |dir: &Path| json_stdout(perceo(dir).args(["flows", "list", "--json"]));
    assert_eq!(list(remote.path()), list(local.path()));
    assert!(
        server
            .log_with(r#""path":"/observer/bootstrap","status":200"#)
            .contains(r#""path":"/observer/bootstrap","status":200"#)
    );
    // A wrong key: init fails clearly and leaves no config behind, so it can be run again.
    let denied = fresh();
    denied
        .child(".perceo/config.local.json")
        .write_str(&format!(
            r#"{{ "observer": {{ "apiBaseUrl": "{}", "apiKey": "wrong-key" }} }}"#,
            server.url
        ))
        .unwrap();
    perceo(denied.path())
        .arg("init")
        .env("PERCEO_ENV", "local")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[api.auth]"))
        .stderr(predicate::str::contains("wrong-key").not());
    assert!(!denied.path().join(".perceo/config.json").exists());
    assert!(!denied.path().join(".perceo/.config.json.pending").exists());
    // --local bootstraps in-process even with the API configured.
    perceo(denied.path())
        .args(["init", "--local"])
        .env("PERCEO_ENV", "local")
        .assert()
        .success()
        .stdout(predicate::str::contains("observer API").not());
}

#[test]
fn analyzer_insights_coverage_and_suggestions_through_the_server_equal_local() {
    let repo = shop_with_change();
    let checkout = server_checkout(repo.path());
    // Low-severity insights too (the shop has a flow without tests), on both sides.
    for dir in [repo.path(), checkout.path()] {
        set(dir, "analyzer.insights.minSeverity", "low");
    }
    let server = Server::start(checkout.path(), &[("PERCEO_SERVE_API_KEYS", KEY)], &[]);
    set(repo.path(), "analyzer.apiBaseUrl", &server.url);
    set(repo.path(), "analyzer.apiKey", KEY);
    for what in ["coverage", "suggest"] {
        let remote = json_stdout(perceo(repo.path()).args(["analyze", what, "--json"]));
        let local = json_stdout(perceo(repo.path()).args(["analyze", what, "--json", "--local"]));
        assert_eq!(remote, local, "analyze {what}");
    }
    let gist = |v: serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["kind"].clone(),
                    i["severity"].clone(),
                    i["flowId"].clone(),
                    i["title"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let remote = json_stdout(perceo(repo.path()).args(["analyze", "insights", "--json"]));
    let local = json_stdout(perceo(repo.path()).args(["analyze", "insights", "--json", "--local"]));
    assert!(!gist(local.clone()).is_empty());
    assert_eq!(gist(remote), gist(local));
    let log = server.log_with(r#""path":"/analyzer/insights","status":200"#);
    for path in ["/analyzer/coverage", "/analyzer/suggestions", "/analyzer/insights"] {
        assert!(
            log.contains(&format!(r#""path":"{path}","status":200"#)),
            "{path}: {log}"
        );
    }
}

#[test]
fn test_runs_are_recorded_by_the_served_coordinator() {
    let repo = shop_with_change();
    let (_checkout, server) = start_for(repo.path());
    repo.child("run-tests.sh").write_str(PASSING_RUNNER).unwrap();
    set(repo.path(), "coordinator.command", "sh run-tests.sh {flow} {junit}");
    set(repo.path(), "coordinator.apiBaseUrl", &server.url);
    set(repo.path(), "coordinator.apiKey", KEY);
    let report = json_stdout(perceo(repo.path()).args(["ci", "test", "--flows-from", "all", "--json", "-q"]));
    let (status, _, body) = http(&server.url, "GET", "/coordinator/runs/latest", Some(KEY), None);
    assert_eq!(status, 200, "{body}");
    let latest = json(&body);
    assert_eq!(latest["run"]["runId"], report["runId"], "{latest}");
    assert_eq!(latest["run"]["passed"], report["passed"]);
    let (status, _, body) = http(
        &server.url,
        "GET",
        "/coordinator/flows/checkout/history?limit=5",
        Some(KEY),
        None,
    );
    assert_eq!(status, 200, "{body}");
    let history = json(&body);
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history[0]["status"], "passed");
    // A flow the server's checkout does not define (added by the change under test) is
    // kept in the run, skipped in the history.
    let mut newer = report.clone();
    newer["runId"] = "run-with-a-new-flow".into();
    newer["flows"][0]["flowId"] = "new-flow".into();
    let (status, _, body) = http(
        &server.url,
        "POST",
        "/coordinator/runs",
        Some(KEY),
        Some(&newer.to_string()),
    );
    assert_eq!(status, 201, "{body}");
    let recorded = json(&body);
    assert_eq!(recorded["skipped"], serde_json::json!(["new-flow"]), "{recorded}");
    // Another machine (a report job) reads the latest run from the Coordinator API.
    let reporter = shop_with_change();
    set(reporter.path(), "coordinator.apiBaseUrl", &server.url);
    set(reporter.path(), "coordinator.apiKey", KEY);
    let shown = json_stdout(perceo(reporter.path()).args(["ci", "report", "--format", "json"]));
    assert_eq!(shown["testRun"]["runId"], "run-with-a-new-flow", "{shown}");
    let (status, _, body) = http(
        &server.url,
        "POST",
        "/coordinator/runs",
        Some(KEY),
        Some(r#"{"runId":" ","flows":[],"passed":0,"failed":0,"uncovered":0,"startedAt":"x","durationMs":0}"#),
    );
    assert_eq!(status, 400, "{body}");
}

#[test]
fn the_analyzer_client_honours_429_retry_after_then_succeeds() {
    let repo = shop_with_change();
    let coverage = json_stdout(perceo(repo.path()).args(["analyze", "coverage", "--json"]));
    let base = fake_api(vec![
        (
            Duration::ZERO,
            429,
            "retry-after: 1\r\n",
            r#"{"error":{"code":"rate","message":"slow down"}}"#.into(),
        ),
        (Duration::ZERO, 200, "", coverage.to_string()),
    ]);
    set(repo.path(), "analyzer.apiBaseUrl", &base);
    let started = Instant::now();
    let remote = json_stdout(perceo(repo.path()).args(["analyze", "coverage", "--json"]));
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After was not honoured"
    );
    assert_eq!(remote, coverage);
}

#[test]
fn a_slow_server_times_out_with_exit_3() {
    let repo = shop_with_change();
    let slow = (Duration::from_secs(30), 200, "", "[]".to_string());
    let base = fake_api(vec![slow.clone(), slow.clone(), slow.clone(), slow.clone(), slow]);
    set(repo.path(), "analyzer.apiBaseUrl", &base);
    let started = Instant::now();
    perceo(repo.path())
        .args(["analyze", "suggest"])
        .env("PERCEO_API_TIMEOUT_SECS", "0.5")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("error[api.unreachable]"))
        .stderr(predicate::str::contains("no answer in time"));
    // Four attempts of 0.5 s plus backoff, far from the server's 30 s.
    assert!(started.elapsed() < Duration::from_secs(15), "{:?}", started.elapsed());
    perceo(repo.path())
        .args(["analyze", "suggest"])
        .env("PERCEO_API_TIMEOUT_SECS", "soon")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("PERCEO_API_TIMEOUT_SECS"));
}
