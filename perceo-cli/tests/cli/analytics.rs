//! `perceo analytics`: connect, sync, correlate, gaps and impact against local provider servers.

use assert_fs::prelude::*;
use predicates::prelude::*;

use crate::common::{json_stdout, perceo, repo_root, shop_with_change};
use crate::support::{api_server, with_fake_runner};

/// A Mixpanel raw export (JSONL) of the shop's real users over the last hours: four shoppers
/// add to cart and see it, two only look at a product, three go orders → receipt → share
/// (a journey no flow covers). Events carry `$insert_id` and the page URL, as Mixpanel's do.
fn shop_mixpanel_export() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // Per-day figures divide by the days the sync covered, so the time of day does not
    // matter (it did before issue 22).
    let base = now - 2 * 3600;
    let mut lines = Vec::new();
    let mut event = |user: &str, t: i64, name: &str, url: &str| {
        lines.push(
            serde_json::json!({"event": name, "properties": {
                "time": t, "distinct_id": user, "$insert_id": format!("{user}-{t}-{name}"),
                "$current_url": format!("https://shop.example{url}"), "$os": "Mac OS X",
                "mp_processing_time_ms": t * 1000 + 5
            }})
            .to_string(),
        );
    };
    for (i, user) in ["s1", "s2", "s3", "s4"].iter().enumerate() {
        let t = base + i as i64 * 600;
        event(user, t, "$mp_web_page_view", "/product/1");
        event(user, t + 5, "view_item", "/product/1");
        event(user, t + 20, "add_to_cart", "/product/1");
        event(user, t + 30, "$mp_web_page_view", "/cart");
    }
    for (i, user) in ["l1", "l2"].iter().enumerate() {
        let t = base + 100 + i as i64 * 600;
        event(user, t, "view_item", "/product/2");
    }
    for (i, user) in ["o1", "o2", "o3"].iter().enumerate() {
        let t = base + 200 + i as i64 * 600;
        event(user, t, "$mp_web_page_view", &format!("/orders/{}", 100 + i));
        event(
            user,
            t + 10,
            "$mp_web_page_view",
            &format!("/orders/{}/receipt", 100 + i),
        );
        event(user, t + 15, "share_order", &format!("/orders/{}/receipt", 100 + i));
    }
    lines.push("{this line is not json".into());
    lines.join("\n") + "\n"
}

#[test]
fn analytics_connect_sync_correlate_gaps_and_impact_on_the_shop() {
    let tmp = shop_with_change();
    let export = shop_mixpanel_export();
    let (base, requests) = api_server((0..12).map(|_| (200, "", export.clone())).collect());
    perceo(tmp.path())
        .args(["config", "set", "analytics.endpoint", &base])
        .assert()
        .success();
    // Connect: checked against the server, then only a reference is written.
    let secret = "svc-user.1:mp-secret-778899";
    let out = perceo(tmp.path())
        .args([
            "analytics",
            "connect",
            "--provider",
            "mixpanel",
            "--credentials",
            "MIXPANEL_CREDS",
            "--project-id",
            "42",
        ])
        .env("MIXPANEL_CREDS", secret)
        .assert()
        .success()
        .get_output()
        .clone();
    let (first, headers, _) = requests.recv().unwrap();
    assert!(
        first.contains("/api/2.0/export?") && first.contains("project_id=42"),
        "{first}"
    );
    assert!(
        headers.to_ascii_lowercase().contains("authorization: basic "),
        "{headers}"
    );
    let config = std::fs::read_to_string(tmp.path().join(".perceo/config.json")).unwrap();
    assert!(
        config.contains("${MIXPANEL_CREDS}") && config.contains("\"mixpanel\""),
        "{config}"
    );
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !config.contains("mp-secret") && !printed.contains("mp-secret"),
        "{printed}"
    );
    assert!(
        printed.contains("Connected Mixpanel: credentials accepted"),
        "{printed}"
    );
    // A variable that is not set is a clear usage error.
    perceo(tmp.path())
        .args([
            "analytics",
            "connect",
            "--provider",
            "mixpanel",
            "--credentials",
            "NOT_SET_ANYWHERE",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("NOT_SET_ANYWHERE is not set"));

    // Sync: events stored, the malformed line counted, flows correlated.
    let sync = json_stdout(
        perceo(tmp.path())
            .args(["analytics", "sync", "--json"])
            .env("MIXPANEL_CREDS", secret),
    );
    assert_eq!(sync["events"], 27, "{sync:#}");
    assert_eq!(sync["malformed"], 1);
    assert!(sync["correlation"]["sessions"].as_u64().unwrap() >= 9, "{sync:#}");

    // Correlate one flow: 6 sessions enter add-to-cart, 4 finish it.
    let report = json_stdout(perceo(tmp.path()).args(["analytics", "correlate", "--flow", "add-to-cart", "--json"]));
    let flow = &report["flows"][0];
    assert_eq!(report["flows"].as_array().unwrap().len(), 1);
    assert_eq!(
        (flow["sessionsEntered"].as_u64(), flow["sessionsCompleted"].as_u64()),
        (Some(6), Some(4))
    );
    let metrics = &flow["metrics"];
    assert!((metrics["successRate"].as_f64().unwrap() - 4.0 / 6.0).abs() < 1e-9);
    assert_eq!(metrics["topExitStep"], "Open product");
    let funnel: Vec<u64> = metrics["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sessions"].as_u64().unwrap())
        .collect();
    assert_eq!(funnel, vec![6, 4, 4]);
    // The graph holds them (what the dashboard and the analyzer read).
    let shown = json_stdout(perceo(tmp.path()).args(["flows", "show", "add-to-cart", "--json"]));
    assert_eq!(shown["productionMetrics"]["funnel"][2]["sessions"], 4, "{shown:#}");
    perceo(tmp.path())
        .args(["analytics", "correlate", "--flow", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown flow `nope`"));

    // Gaps: the orders → receipt → share journey, with a flow file to save.
    let gaps = json_stdout(perceo(tmp.path()).args(["analytics", "gaps", "--min-sessions", "2", "--json"]));
    let gap = &gaps["gaps"][0];
    assert_eq!(
        gap["journey"],
        serde_json::json!(["page /orders/[id]", "page /orders/[id]/receipt", "event share_order"])
    );
    assert_eq!(gap["sessions"], 3);
    perceo(tmp.path())
        .args(["analytics", "gaps", "--min-sessions", "2", "--save"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Saved"));
    let id = gap["suggestedFlow"]["id"].as_str().unwrap();
    assert!(tmp.path().join(format!(".perceo/flows/{id}.json")).is_file());

    // Impact: needs test results first, then the seed's formula.
    perceo(tmp.path())
        .args(["analytics", "impact", "--flow", "add-to-cart"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no test results yet"));
    with_fake_runner(&tmp);
    perceo(tmp.path())
        .args(["ci", "test", "--base", "main", "--head", "feature", "-q"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "analytics.revenueTracking.avgOrderValueSource", "50"])
        .assert()
        .success();
    let impact = json_stdout(perceo(tmp.path()).args(["analytics", "impact", "--flow", "add-to-cart", "--json"]));
    assert_eq!(impact["syntheticSuccess"], 1.0);
    // Six attempts over the seven days the first sync covered (the window), not over the
    // one day that has sessions.
    assert!(
        (impact["daily"].as_f64().unwrap() - (1.0 - 4.0 / 6.0) * 6.0 / 7.0 * 50.0).abs() < 1e-3,
        "{impact:#}"
    );
    assert!((impact["annual"].as_f64().unwrap() - impact["daily"].as_f64().unwrap() * 365.0).abs() < 1e-6);
}

#[test]
fn analytics_commands_explain_what_is_missing() {
    let tmp = shop_with_change();
    perceo(tmp.path()).args(["analytics", "sync"]).assert().code(2).stderr(
        predicate::str::contains("analytics.provider is not set").and(predicate::str::contains("analytics connect")),
    );
    perceo(tmp.path())
        .args(["config", "set", "analytics.provider", "amplitude"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["analytics", "sync"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("analytics.credentials is not set"));
    perceo(tmp.path())
        .args(["config", "set", "analytics.amplitude.region", "in"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Amplitude has no India region"));
}

#[test]
fn analytics_sync_watch_syncs_on_its_interval_until_ctrl_c() {
    use std::io::BufRead;
    let tmp = shop_with_change();
    let export = shop_mixpanel_export();
    let (base, _requests) = api_server((0..10).map(|_| (200, "", export.clone())).collect());
    for (key, value) in [
        ("analytics.endpoint", base.as_str()),
        ("analytics.provider", "mixpanel"),
        ("analytics.credentials", "${MIXPANEL_CREDS}"),
        ("analytics.mixpanel.projectId", "42"),
        ("analytics.syncInterval", "1"),
    ] {
        perceo(tmp.path())
            .args(["config", "set", key, value])
            .assert()
            .success();
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("perceo"))
        .current_dir(tmp.path())
        .args(["analytics", "sync", "--watch", "--json"])
        .env("MIXPANEL_CREDS", "u:s")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    // The first sync fetches the window; the next one, a second later, starts where it ended
    // less the 3-hour lookback, so it fetches the same events again: they count once.
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let second: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["events"], 27, "{first}");
    assert_eq!(second["events"], 27, "{second}");
    let millis = |v: &serde_json::Value| {
        humantime::parse_rfc3339(v.as_str().unwrap())
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
    };
    assert_eq!(
        millis(&first["to"]) - millis(&second["from"]),
        180 * 60_000,
        "lookback: {second}"
    );
    assert_eq!(first["correlation"]["sessions"], 9, "{first}");
    assert_eq!(second["correlation"]["sessions"], 9, "duplicates dropped: {second}");
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn analytics_connect_ga4_signs_in_with_the_service_account_and_writes_a_file_reference() {
    let tmp = shop_with_change();
    let (base, requests) = api_server(vec![
        (
            200,
            "",
            r#"{"access_token":"ya29.test-token","expires_in":3600,"token_type":"Bearer"}"#.into(),
        ),
        (
            200,
            "",
            r#"{"dimensionHeaders":[{"name":"date"}],"metricHeaders":[{"name":"activeUsers","type":"TYPE_INTEGER"}],"rows":[{"dimensionValues":[{"value":"20261125"}],"metricValues":[{"value":"42"}]}],"rowCount":1,"kind":"analyticsData#runReport"}"#.into(),
        ),
    ]);
    // The test-only key, with its token endpoint pointed at the local server.
    let mut key: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo_root().join("perceo-core/tests/fixtures/analytics/ga4-test-service-account.json"),
        )
        .unwrap(),
    )
    .unwrap();
    key["token_uri"] = format!("{base}/token").into();
    tmp.child("secrets/ga4.json").write_str(&key.to_string()).unwrap();
    perceo(tmp.path())
        .args(["config", "set", "analytics.endpoint", &base])
        .assert()
        .success();
    // Without a property id, GA4 cannot be checked: a usage error, nothing asked or written.
    perceo(tmp.path())
        .args([
            "analytics",
            "connect",
            "--provider",
            "ga4",
            "--credentials",
            "secrets/ga4.json",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--property-id"));
    let out = perceo(tmp.path())
        .args([
            "analytics",
            "connect",
            "--provider",
            "ga4",
            "--credentials",
            "secrets/ga4.json",
            "--property-id",
            "123456",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["credentials"], "file:secrets/ga4.json", "{report}");
    let (token, _, form) = requests.recv().unwrap();
    assert!(token.starts_with("POST /token"), "{token}");
    assert!(
        form.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"),
        "{form}"
    );
    let (report_call, headers, _) = requests.recv().unwrap();
    assert!(
        report_call.starts_with("POST /v1beta/properties/123456:runReport"),
        "{report_call}"
    );
    assert!(
        headers
            .to_ascii_lowercase()
            .contains("authorization: bearer ya29.test-token"),
        "{headers}"
    );
    let config = std::fs::read_to_string(tmp.path().join(".perceo/config.json")).unwrap();
    assert!(
        config.contains("\"file:secrets/ga4.json\"") && config.contains("\"123456\""),
        "{config}"
    );
    assert!(!config.contains("PRIVATE KEY"));
}
