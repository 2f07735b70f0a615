//! `perceo serve` on loopback, and the real clients (`perceo ci analyze`, `init`, `analyze`,
//! `ci test` with an `apiBaseUrl`) against it.

mod common;
use common::{git, json_stdout, perceo, repo_root, shop_with_change};

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use assert_fs::TempDir;
use assert_fs::prelude::*;
use predicates::prelude::*;

const KEY: &str = "sk-serve-test-0123456789abcdef";

/// The server's own checkout: a clone of `repo` at `feature`.
fn server_checkout(repo: &Path) -> TempDir {
    let tmp = TempDir::new().unwrap();
    git(
        tmp.path(),
        &["clone", "-q", "--branch", "feature", &repo.display().to_string(), "."],
    );
    tmp
}

/// A running `perceo serve --port 0`; killed when dropped.
struct Server {
    child: Child,
    url: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Server {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_perceo"));
        cmd.current_dir(dir)
            .args(["serve", "--port", "0"])
            .args(args)
            .env_remove("PERCEO_CONFIG_PATH")
            .env_remove("PERCEO_ENV")
            .env_remove("PERCEO_PROJECT_DIR")
            .env_remove("PERCEO_SERVE_API_KEYS")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let url = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("perceo serve did not print its URL; log:\n{}", log.lock().unwrap());
            }
        };
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Server { child, url, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The log once it holds `needle` (the server writes a request's line after answering
    /// it, and a thread copies it here), or as it is after 5 s.
    fn log_with(&self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let log = self.log();
            if log.contains(needle) || std::time::Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then the exit code and the whole log.
    fn terminate(mut self) -> (Option<i32>, String) {
        let ok = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "perceo serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        };
        // Let the log thread drain.
        std::thread::sleep(Duration::from_millis(100));
        (status.code(), self.log())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on a fresh connection: status, headers (lower-cased) and body.
fn http(base: &str, method: &str, path: &str, key: Option<&str>, body: Option<&str>) -> (u16, String, String) {
    let host = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n");
    if let Some(key) = key {
        request.push_str(&format!("authorization: Bearer {key}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!(
            "content-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or(""));
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {head:?}"));
    (status, head.to_ascii_lowercase(), body.to_string())
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

fn set(dir: &Path, key: &str, value: &str) {
    perceo(dir).args(["config", "set", key, value]).assert().success();
}

fn start_for(repo: &Path) -> (TempDir, Server) {
    let checkout = server_checkout(repo);
    let server = Server::start(checkout.path(), &[("PERCEO_SERVE_API_KEYS", KEY)], &[]);
    (checkout, server)
}

#[test]
fn committed_openapi_document_is_fresh() {
    let tmp = TempDir::new().unwrap();
    let out = perceo(tmp.path())
        .args(["serve", "--print-openapi"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let committed = std::fs::read_to_string(repo_root().join("schema/openapi.json")).unwrap();
    assert!(
        String::from_utf8_lossy(&out) == committed,
        "schema/openapi.json is stale: run `perceo serve --print-openapi > schema/openapi.json`"
    );
}

#[test]
fn serve_answers_health_readiness_its_document_and_json_errors() {
    let repo = shop_with_change();
    let (_checkout, server) = start_for(repo.path());
    let (status, _, body) = http(&server.url, "GET", "/healthz", None, None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["status"], "ok");
    let (status, _, body) = http(&server.url, "GET", "/readyz", None, None);
    assert_eq!(status, 200, "{body}");
    let ready = json(&body);
    assert_eq!(ready["ready"], true, "{ready}");
    assert_eq!(ready["graph"]["detail"], "sqlite");
    assert_eq!(ready["bus"]["detail"], "in-memory");
    let (status, head, body) = http(&server.url, "GET", "/openapi.json", None, None);
    assert_eq!(status, 200);
    assert!(head.contains("content-type: application/json"), "{head}");
    let committed = std::fs::read_to_string(repo_root().join("schema/openapi.json")).unwrap();
    assert_eq!(body, committed);
    // Every documented engine path is routed (none answers 404).
    let doc = json(&body);
    for (path, item) in doc["paths"].as_object().unwrap() {
        let path = path.replace("{id}", "checkout");
        let method = if item.get("get").is_some() { "GET" } else { "POST" };
        let (status, _, body) = http(&server.url, method, &path, Some(KEY), Some("{}"));
        assert_ne!(status, 404, "{method} {path}: {body}");
        assert!(status < 500, "{method} {path}: {status} {body}");
    }
    let (status, _, body) = http(&server.url, "GET", "/nope", Some(KEY), None);
    assert_eq!(status, 404);
    assert_eq!(json(&body)["error"]["code"], "not_found");
    let (status, _, body) = http(
        &server.url,
        "POST",
        "/observer/analyze",
        Some(KEY),
        Some("{\"files\": 3}"),
    );
    assert_eq!(status, 400);
    assert_eq!(json(&body)["error"]["code"], "request.invalid", "{body}");
    let (status, _, body) = http(
        &server.url,
        "POST",
        "/observer/analyze",
        Some(KEY),
        Some(
            r#"{"baseSha":"a","headSha":"b","files":[{"path":"../../etc/passwd","status":"modified","additions":1,"deletions":0}]}"#,
        ),
    );
    assert_eq!(status, 400);
    assert!(
        json(&body)["error"]["message"].as_str().unwrap().contains("inside"),
        "{body}"
    );
    let (status, _, body) = http(&server.url, "GET", "/coordinator/flows/nope/history", Some(KEY), None);
    assert_eq!(status, 404, "{body}");
    // One structured line per request, never the key.
    let log = server.log_with(r#""status":404"#);
    assert!(log.contains(r#""path":"/healthz","status":200"#), "{log}");
    assert!(
        log.contains(r#""status":400"#) && log.contains(r#""error":"request.invalid""#),
        "{log}"
    );
    assert!(!log.contains(KEY), "{log}");
}

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

/// A test runner script for `coordinator.command` that passes every flow and writes JUnit.
const PASSING_RUNNER: &str = r#"#!/bin/sh
printf '<testsuites><testsuite name="s"><testcase name="%s works" classname="%s.spec.ts" time="0.2"/></testsuite></testsuites>' "$1" "$1" > "$2"
"#;

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
fn a_wrong_or_missing_key_is_a_clear_401_and_exit_2() {
    let repo = shop_with_change();
    let (_checkout, server) = start_for(repo.path());
    let (status, head, body) = http(&server.url, "GET", "/analyzer/coverage", None, None);
    assert_eq!(status, 401);
    assert!(head.contains("www-authenticate: bearer"), "{head}");
    assert_eq!(json(&body)["error"]["code"], "auth.missing");
    let (status, _, body) = http(&server.url, "GET", "/analyzer/coverage", Some("sk-wrong-key-000"), None);
    assert_eq!(status, 401);
    assert_eq!(json(&body)["error"]["code"], "auth.invalid");
    set(repo.path(), "observer.apiBaseUrl", &server.url);
    set(repo.path(), "observer.apiKey", "${OBS_KEY}");
    perceo(repo.path())
        .args(["ci", "analyze", "--base", "main", "--head", "feature"])
        .env("OBS_KEY", "sk-wrong-key-000")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[api.auth]"))
        .stderr(predicate::str::contains("answered 401"))
        .stderr(predicate::str::contains("the API key is not accepted"))
        .stderr(predicate::str::contains("sk-wrong-key-000").not());
    assert!(!server.log().contains("sk-wrong-key-000"));
}

#[test]
fn sigterm_stops_the_server_gracefully_and_a_stopped_server_is_exit_3() {
    let repo = shop_with_change();
    let (_checkout, server) = start_for(repo.path());
    let url = server.url.clone();
    let (code, log) = server.terminate();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains(r#""msg":"stopped""#), "{log}");
    set(repo.path(), "observer.apiBaseUrl", &url);
    set(repo.path(), "observer.apiKey", KEY);
    let started = Instant::now();
    perceo(repo.path())
        .args(["ci", "analyze", "--base", "main", "--head", "feature"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "error[api.unreachable]: could not reach the observer API at {url}/observer/analyze"
        )));
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn bodies_over_the_limit_get_a_413_json_error() {
    let repo = shop_with_change();
    let checkout = server_checkout(repo.path());
    set(checkout.path(), "serve.maxBodyBytes", "4096");
    let server = Server::start(checkout.path(), &[("PERCEO_SERVE_API_KEYS", KEY)], &[]);
    let big = format!(
        r#"{{"baseSha":"a","headSha":"b","files":[],"pad":"{}"}}"#,
        "x".repeat(6000)
    );
    let (status, _, body) = http(&server.url, "POST", "/observer/analyze", Some(KEY), Some(&big));
    assert_eq!(status, 413, "{body}");
    assert_eq!(json(&body)["error"]["code"], "request.too_large");
    assert!(server.log_with(r#""status":413"#).contains(r#""status":413"#));
}

#[test]
fn serve_refuses_to_start_without_a_key_or_exposed_by_accident() {
    let repo = shop_with_change();
    perceo(repo.path())
        .args(["serve", "--port", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no API key is configured"))
        .stderr(predicate::str::contains("PERCEO_SERVE_API_KEYS"));
    perceo(repo.path())
        .args(["serve", "--port", "0", "--host", "0.0.0.0"])
        .env("PERCEO_SERVE_API_KEYS", KEY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--allow-remote"));
    perceo(repo.path())
        .args([
            "serve",
            "--port",
            "0",
            "--host",
            "0.0.0.0",
            "--allow-remote",
            "--insecure-no-auth",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only allowed on a loopback address"));
    // Keys from the config (a `${VAR}` reference), and --insecure-no-auth on loopback.
    set(repo.path(), "serve.apiKeys", r#"["${MY_SERVE_KEY}"]"#);
    perceo(repo.path())
        .args(["config", "show"])
        .env("MY_SERVE_KEY", KEY)
        .assert()
        .success()
        .stdout(predicate::str::contains(KEY).not());
    let server = Server::start(repo.path(), &[("MY_SERVE_KEY", KEY)], &[]);
    assert_eq!(http(&server.url, "GET", "/analyzer/coverage", Some(KEY), None).0, 200);
    assert_eq!(http(&server.url, "GET", "/analyzer/coverage", None, None).0, 401);
    drop(server);
    let open = Server::start(repo.path(), &[("MY_SERVE_KEY", KEY)], &["--insecure-no-auth"]);
    // Keys are configured, so they are still required.
    assert_eq!(http(&open.url, "GET", "/analyzer/coverage", None, None).0, 401);
    drop(open);
    set(repo.path(), "serve.apiKeys", "[]");
    let open = Server::start(repo.path(), &[], &["--insecure-no-auth"]);
    assert_eq!(http(&open.url, "GET", "/analyzer/coverage", None, None).0, 200);
}

/// A local HTTP server answering with `responses` in order (delay before answering, status,
/// extra headers, body).
fn fake_api(responses: Vec<(Duration, u16, &'static str, String)>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut responses = responses.into_iter();
        for stream in listener.incoming().flatten() {
            let Some((delay, status, extra, answer)) = responses.next() else {
                break;
            };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let mut length = 0;
                while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    line.clear();
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                std::thread::sleep(delay);
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n{answer}",
                    answer.len()
                );
            });
        }
    });
    base
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

#[test]
fn readyz_is_503_with_the_reason_while_the_bus_is_down() {
    let repo = shop_with_change();
    set(repo.path(), "eventBus.type", "redis");
    set(repo.path(), "eventBus.redisUrl", "${BUS_URL}");
    let down = Server::start(
        repo.path(),
        &[
            ("PERCEO_SERVE_API_KEYS", KEY),
            ("BUS_URL", "redis://:bus-secret@127.0.0.1:1"),
        ],
        &[],
    );
    let (status, _, body) = http(&down.url, "GET", "/readyz", None, None);
    assert_eq!(status, 503, "{body}");
    let ready = json(&body);
    assert_eq!(ready["ready"], false);
    assert_eq!(ready["graph"]["ok"], true);
    assert!(
        ready["reason"]
            .as_str()
            .unwrap()
            .contains("event bus: error[bus.unreachable]"),
        "{ready}"
    );
    assert!(!body.contains("bus-secret"), "{body}");
    // An engine that publishes cannot work either: 503 with the bus's code.
    let change = r#"{"baseSha":"a","headSha":"b","files":[{"path":"src/lib/cart/store.ts","status":"modified","additions":1,"deletions":0}]}"#;
    let (status, _, body) = http(&down.url, "POST", "/observer/analyze", Some(KEY), Some(change));
    assert_eq!(status, 503, "{body}");
    assert_eq!(json(&body)["error"]["code"], "bus.unreachable");
}

#[test]
#[ignore = "needs a real Redis (PERCEO_TEST_REDIS_URL): scripts/test.sh starts one and runs these with --include-ignored"]
fn readyz_is_ready_on_a_real_redis() {
    let url = common::test_redis_url();
    let repo = shop_with_change();
    set(repo.path(), "eventBus.type", "redis");
    set(repo.path(), "eventBus.redisUrl", "${BUS_URL}");
    let up = Server::start(repo.path(), &[("PERCEO_SERVE_API_KEYS", KEY), ("BUS_URL", &url)], &[]);
    let (status, _, body) = http(&up.url, "GET", "/readyz", None, None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["bus"]["detail"], "redis");
}

#[test]
fn serve_stores_no_garbage_refs_or_timestamps() {
    let repo = shop_with_change();
    let (_checkout, server) = start_for(repo.path());
    for (field, body) in [
        (
            "baseSha",
            r#"{"baseSha":"--upload-pack=touch /tmp/x","headSha":"HEAD","files":[]}"#,
        ),
        ("headSha", r#"{"baseSha":"main","headSha":"$(id)","files":[]}"#),
        (
            "mergeBase",
            r#"{"baseSha":"main","headSha":"HEAD~1","mergeBase":"a b","files":[]}"#,
        ),
    ] {
        let (status, _, answer) = http(&server.url, "POST", "/observer/analyze", Some(KEY), Some(body));
        assert_eq!(status, 400, "{body}: {answer}");
        let message = json(&answer)["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(&format!("`{field}`")), "{message}");
    }
    let run =
        r#"{"runId":"r1","flows":[],"passed":0,"failed":0,"uncovered":0,"startedAt":"not a date","durationMs":1}"#;
    let (status, _, answer) = http(&server.url, "POST", "/coordinator/runs", Some(KEY), Some(run));
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("`startedAt`"), "{answer}");
    // Nothing of it was stored.
    let (status, _, answer) = http(&server.url, "GET", "/coordinator/runs/latest", Some(KEY), None);
    assert_eq!(status, 200);
    assert_eq!(json(&answer)["run"], serde_json::Value::Null, "{answer}");
    // A well-formed request still works.
    let fine = run.replace("not a date", "2026-12-05T08:00:00.000Z");
    let (status, _, answer) = http(&server.url, "POST", "/coordinator/runs", Some(KEY), Some(&fine));
    assert_eq!(status, 201, "{answer}");
}

#[test]
fn serve_edges_huge_content_length_long_path_and_corrupt_graph() {
    let repo = shop_with_change();
    let (checkout, server) = start_for(repo.path());
    // A declared length far over the limit with a small body: 413 at once, not a wait.
    let host = server.url.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let request = format!(
        "POST /observer/analyze HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {KEY}\r\ncontent-type: application/json\r\ncontent-length: 999999999999\r\n\r\n{{}}"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains(r#""code":"request.too_large""#), "{text}");
    // Long paths, under and over hyper's own 64 KiB limit: 414 with the JSON envelope.
    for length in [20_000, 100_000] {
        let path = format!("/coordinator/flows/{}/history", "a".repeat(length));
        let (status, _, body) = http(&server.url, "GET", &path, Some(KEY), None);
        assert_eq!(status, 414, "{length}");
        assert_eq!(json(&body)["error"]["code"], "request.uri_too_long", "{length}: {body}");
    }
    // A corrupt store: the graph is unavailable (503), as the README says.
    let db = checkout.path().join(".perceo/graph.db");
    std::fs::write(&db, vec![0x42u8; 64 * 1024]).unwrap();
    let (status, _, body) = http(&server.url, "GET", "/analyzer/coverage", Some(KEY), None);
    assert_eq!(status, 503, "{body}");
    assert!(body.contains(r#""code":"graph."#), "{body}");
}
