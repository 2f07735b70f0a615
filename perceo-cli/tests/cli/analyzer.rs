//! The analyzer (`perceo analyze …`), Slack notifications and the LLM classification.

use predicates::prelude::*;

use crate::common::{json_stdout, perceo, shop_with_change};
use crate::support::{api_server, webhook_server, with_fake_runner};

#[test]
fn the_analyzer_turns_test_history_into_insights_coverage_suggestions_and_predictions() {
    let tmp = shop_with_change();
    with_fake_runner(&tmp);
    for _ in 0..3 {
        perceo(tmp.path())
            .args(["ci", "test", "--base", "main", "--head", "feature", "-q"])
            .env("FAIL", "checkout")
            .assert()
            .code(1);
    }
    let insights = json_stdout(perceo(tmp.path()).args(["analyze", "insights", "--json"]));
    let failing = insights
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "failing:checkout")
        .expect("failing insight");
    assert_eq!(failing["severity"], "critical");
    let coverage = json_stdout(perceo(tmp.path()).args(["analyze", "coverage", "--json"]));
    assert!(
        coverage["uncovered"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"] == "read-blog"),
        "{coverage}"
    );
    perceo(tmp.path())
        .args(["analyze", "suggest"])
        .assert()
        .success()
        .stdout(predicate::str::contains("e2e/read-blog.spec.ts"));
    perceo(tmp.path())
        .args(["config", "set", "analyzer.predictions.confidenceThreshold", "0.5"])
        .assert()
        .success();
    let predictions =
        json_stdout(perceo(tmp.path()).args(["analyze", "predict", "--base", "main", "--head", "feature", "--json"]));
    let checkout = predictions
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["flowId"] == "checkout")
        .expect("checkout prediction");
    assert!(checkout["probability"].as_f64().unwrap() > 0.5, "{checkout}");
    assert!(checkout["reason"].as_str().unwrap().starts_with("heuristic"));
    let report = json_stdout(perceo(tmp.path()).args([
        "ci",
        "analyze",
        "--base",
        "main",
        "--head",
        "feature",
        "--with-insights",
        "--json",
    ]));
    assert!(
        report["predictions"].as_array().is_some_and(|p| !p.is_empty()),
        "{report}"
    );
}

#[test]
fn failed_runs_are_posted_to_slack_and_email_is_refused_clearly() {
    let tmp = shop_with_change();
    with_fake_runner(&tmp);
    let (url, bodies) = webhook_server();
    perceo(tmp.path())
        .args(["config", "set", "notifications.slack.enabled", "true"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "notifications.slack.webhook", "${SLACK_URL}"])
        .assert()
        .success();
    let out = perceo(tmp.path())
        .args(["ci", "test", "--base", "main", "--head", "feature"])
        .env("FAIL", "checkout")
        .env("SLACK_URL", &url)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let body = bodies
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("a Slack message");
    let message: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(message["text"].as_str().unwrap().contains("checkout"), "{body}");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!printed.contains("SECRETTOKEN"), "{printed}");
    // An unreachable webhook is a warning, not a failed job, and does not show the URL.
    perceo(tmp.path())
        .args(["ci", "test", "--base", "main", "--head", "feature"])
        .env("FAIL", "")
        .env("SLACK_URL", "http://127.0.0.1:1/services/T/B/OTHERSECRET")
        .assert()
        .success();
    perceo(tmp.path())
        .args(["ci", "test", "--base", "main", "--head", "feature"])
        .env("FAIL", "checkout")
        .env("SLACK_URL", "http://127.0.0.1:1/services/T/B/OTHERSECRET")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Slack notification not sent"))
        .stderr(predicate::str::contains("OTHERSECRET").not());
    perceo(tmp.path())
        .args(["config", "set", "notifications.email.enabled", "true"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("email notifications are not supported yet"));
}

#[test]
fn with_an_llm_configured_unsure_flows_are_classified_and_bad_answers_keep_the_static_result() {
    let tmp = shop_with_change();
    let verdict = |content: &str| {
        serde_json::json!({"id": "c1", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}).to_string()
    };
    let (base, requests) = api_server(vec![
        (
            200,
            "",
            verdict(r#"{"affects": false, "confidence": 0.8, "reason": "only adds an unused constant"}"#),
        ),
        (200, "", verdict("I think it probably does.")),
    ]);
    for (key, value) in [
        ("observer.analysis.useLLM", "true"),
        ("observer.analysis.llmThreshold", "1.0"),
        ("observer.analysis.llm.baseUrl", base.as_str()),
        ("observer.analysis.llm.model", "test-model"),
        ("observer.analysis.llm.apiKey", "${LLM_KEY}"),
    ] {
        perceo(tmp.path())
            .args(["config", "set", key, value])
            .assert()
            .success();
    }
    let out = perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "--head", "feature", "--json"])
        .env("LLM_KEY", "llm-secret-4242")
        .assert()
        .success()
        .get_output()
        .clone();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("llm-secret-4242"), "{text}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The request: chat-completions shape, the key, the flow's steps and the diff hunk.
    let (first, headers, body) = requests.recv().unwrap();
    assert!(first.starts_with("POST /chat/completions"), "{first}");
    assert!(
        headers.contains("authorization: Bearer llm-secret-4242")
            || headers.contains("Authorization: Bearer llm-secret-4242"),
        "{headers}"
    );
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["messages"][0]["role"], "system");
    let question = body["messages"][1]["content"].as_str().unwrap();
    assert!(
        question.contains("Steps:") && question.contains("+export const MAX = 3;"),
        "{question}"
    );
    let _ = requests.recv().unwrap();
    // One flow moved by the answer and says so; the other kept its static result with a warning.
    let flows = report["flows"].as_array().unwrap();
    let classified: Vec<&serde_json::Value> = flows.iter().filter(|f| f["reasons"][0]["kind"] == "llm").collect();
    assert_eq!(classified.len(), 1, "{report:#}");
    let f = classified[0];
    assert!((f["confidence"].as_f64().unwrap() - 0.95 * 0.6).abs() < 1e-9, "{f:#}");
    assert!(f["reasons"][0]["detail"].as_str().unwrap().contains(
        "LLM (test-model) says the change does not affect this flow (80% sure): only adds an unused constant"
    ));
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("LLM classification of") && warnings.contains("kept the static result"),
        "{warnings}"
    );
    assert_eq!(flows.iter().filter(|f| f["confidence"] == 0.95).count(), 1);

    // An endpoint that is down is a warning, never a failed analysis.
    perceo(tmp.path())
        .args(["config", "set", "observer.analysis.llm.baseUrl", "http://127.0.0.1:1"])
        .assert()
        .success();
    let report = json_stdout(
        perceo(tmp.path())
            .args(["ci", "analyze", "--base", "main", "--head", "feature", "--json"])
            .env("LLM_KEY", "llm-secret-4242"),
    );
    assert!(report["warnings"].to_string().contains("kept the static result"));
    assert_eq!(report["flows"].as_array().unwrap().len(), 2);
}
