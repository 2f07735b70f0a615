//! Operating `perceo serve`: its document, health and readiness, keys, limits, shutdown and bad input.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use assert_fs::TempDir;
use predicates::prelude::*;

use crate::common::{perceo, repo_root, shop_with_change};
use crate::support::*;

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
    let url = crate::common::test_redis_url();
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
