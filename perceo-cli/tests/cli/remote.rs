//! Managed engine APIs: `ci analyze` delegated to an observer API, and one that is down.

use predicates::prelude::*;

use crate::common::{json_stdout, perceo, shop_with_change};
use crate::support::api_server;

#[test]
fn with_an_observer_api_ci_analyze_sends_the_change_set_and_prints_the_servers_report() {
    let tmp = shop_with_change();
    // What the server answers: the local analysis (so both paths print the same flows).
    let local =
        json_stdout(perceo(tmp.path()).args(["ci", "analyze", "--base", "main", "--head", "feature", "--json", "-q"]));
    let (base, requests) = api_server(vec![
        (500, "", r#"{"error":{"message":"transient"}}"#.into()),
        (
            503,
            "retry-after: 1\r\n",
            r#"{"error":{"message":"warming up"}}"#.into(),
        ),
        (200, "", local.to_string()),
        (
            401,
            "",
            r#"{"error":{"message":"bad key sk-test-123 for this project"}}"#.into(),
        ),
    ]);
    perceo(tmp.path())
        .args(["config", "set", "observer.apiBaseUrl", &base])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "observer.apiKey", "${OBS_KEY}"])
        .assert()
        .success();
    let started = std::time::Instant::now();
    let remote = json_stdout(
        perceo(tmp.path())
            .args(["ci", "analyze", "--base", "main", "--head", "feature", "--json", "-q"])
            .env("OBS_KEY", "sk-test-123"),
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(900),
        "Retry-After was not honoured"
    );
    let ids = |r: &serde_json::Value| {
        r["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&remote), ids(&local));
    // A 500, then a 503 with Retry-After, then the answer: three tries of the same request.
    let _ = requests.recv().unwrap();
    let _ = requests.recv().unwrap();
    let (first, headers, body) = requests.recv().unwrap();
    assert!(first.starts_with("POST /observer/analyze"), "{first}");
    assert!(
        headers
            .to_ascii_lowercase()
            .contains("authorization: bearer sk-test-123"),
        "{headers}"
    );
    assert!(
        headers.to_ascii_lowercase().contains("user-agent: perceo/"),
        "{headers}"
    );
    let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(sent["files"][0]["path"], "src/lib/cart/store.ts");
    assert_eq!(sent["headSha"], local["headSha"]);
    // A wrong key: a clear error, exit 2, and the key never shown.
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "--head", "feature"])
        .env("OBS_KEY", "sk-test-123")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[api.auth]"))
        .stderr(predicate::str::contains("401"))
        .stderr(predicate::str::contains("sk-test-123").not());
    // --local runs in-process even with the API configured.
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "--head", "feature", "--local", "-q"])
        .assert()
        .success();
}

#[test]
fn an_observer_api_that_is_down_exits_3() {
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args(["config", "set", "observer.apiBaseUrl", "http://127.0.0.1:1"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "--head", "feature"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "error[api.unreachable]: could not reach the observer API",
        ));
}
