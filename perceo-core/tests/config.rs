//! Configuration resolution: every rule of DESIGN.md "Configuration" and each bad-input case.

use std::path::Path;

use perceo_core::config::{EventBusKind, Framework};
use perceo_core::{Config, Env, LoadOptions};

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn load(dir: &Path, env: &[(&str, &str)]) -> perceo_core::Result<Config> {
    Config::load(
        dir,
        &LoadOptions {
            env: Env::from_pairs(env.iter().copied()),
        },
    )
}

const BASE: &str = r#"{
  // the seed's style: comments and trailing commas
  "version": "1.0",
  "project": { "name": "shop", "framework": "nextjs", },
  "observer": { "watch": { "paths": ["app", "src"], "debounceMs": 300 }, "ci": { "parallelism": 2 } },
  "eventBus": { "type": "in-memory" },
}"#;

const LOCAL: &str = r#"{
  "observer": { "watch": { "paths": ["lib"] } },
  "eventBus": { "type": "redis", "redisUrl": "redis://localhost:6379" },
}"#;

#[test]
fn base_config_loads_jsonc_with_comments_and_trailing_commas() {
    let d = project(&[(".perceo/config.json", BASE)]);
    let c = load(d.path(), &[]).unwrap();
    assert_eq!(c.settings.project.name.as_deref(), Some("shop"));
    assert_eq!(c.settings.project.framework, Some(Framework::Nextjs));
    assert_eq!(c.settings.observer.ci.parallelism, 2);
    assert_eq!(c.settings.observer.watch.debounce_ms, 300);
    // defaults fill what the file leaves out
    assert!(c.settings.analyzer.insights.enabled);
    assert_eq!(c.sources.len(), 1);
    assert!(c.warnings.is_empty());
}

#[test]
fn design_md_flow_graph_and_bus_snippets_load() {
    let text = r#"{
      "flowGraph": { "endpoint": "bolt://localhost:7687", "database": "neo4j", "username": "neo4j", "password": "${NEO4J_PASSWORD}" },
      "eventBus": { "type": "redis", "redisUrl": "rediss://default:${REDIS_PASSWORD}@cache:6380" },
      "notifications": { "slack": { "enabled": true, "webhook": "${SLACK_WEBHOOK}" }, "email": { "enabled": false, "recipients": ["a@b.c"] } },
      "analytics": { "provider": "ga4", "credentials": "file:secrets/ga4.json", "correlation": { "algorithm": "smith-waterman", "minSimilarity": 0.6 }, "revenueTracking": { "enabled": true } },
      "analyzer": { "insights": { "enabled": true, "updateInterval": 600, "minSeverity": "high" }, "predictions": { "enabled": true, "model": "heuristic", "confidenceThreshold": 0.8 }, "coverage": { "minCoverageScore": 0.5, "alertOnGaps": false } },
      "observer": { "apiBaseUrl": "https://api.perceo.dev", "apiKey": "${PERCEO_API_KEY}", "analysis": { "useLLM": true, "llmThreshold": 0.5 }, "ci": { "strategy": "affected-flows" } },
      "coordinator": { "apiBaseUrl": "https://api.perceo.dev" },
    }"#;
    let d = project(&[(".perceo/config.json", text)]);
    let c = load(d.path(), &[]).unwrap();
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert_eq!(c.settings.event_bus.kind, EventBusKind::Redis);
    assert!(c.settings.observer.analysis.use_llm);
}

#[test]
fn perceo_config_path_replaces_the_base_relative_or_absolute() {
    let d = project(&[
        (".perceo/config.json", r#"{"project":{"name":"base"}}"#),
        ("ci/perceo.json", r#"{"project":{"name":"ci"}}"#),
    ]);
    let c = load(d.path(), &[("PERCEO_CONFIG_PATH", "ci/perceo.json")]).unwrap();
    assert_eq!(c.settings.project.name.as_deref(), Some("ci"));
    let abs = d.path().join("ci/perceo.json");
    let c = load(d.path(), &[("PERCEO_CONFIG_PATH", abs.to_str().unwrap())]).unwrap();
    assert_eq!(c.settings.project.name.as_deref(), Some("ci"));
    assert!(c.env_sources().iter().any(|e| e.name == "PERCEO_CONFIG_PATH"));
    let err = load(d.path(), &[("PERCEO_CONFIG_PATH", "nope.json")]).unwrap_err();
    assert_eq!(err.code(), "config.path_missing");
    assert!(err.to_string().contains("nope.json"));
}

#[test]
fn local_overlay_merges_objects_and_replaces_arrays_when_selected() {
    let d = project(&[(".perceo/config.json", BASE), (".perceo/config.local.json", LOCAL)]);
    for env in [
        [("PERCEO_ENV", "local")],
        [("PERCEO_ENV", "LOCAL")],
        [("NODE_ENV", "development")],
    ] {
        let c = load(d.path(), &env).unwrap();
        assert_eq!(c.settings.observer.watch.paths, vec!["lib"], "arrays replace ({env:?})");
        assert_eq!(c.settings.observer.watch.debounce_ms, 300, "sibling keys survive");
        assert_eq!(c.settings.event_bus.kind, EventBusKind::Redis);
        assert_eq!(c.settings.project.name.as_deref(), Some("shop"));
        assert_eq!(c.sources.len(), 2);
    }
}

#[test]
fn local_overlay_is_ignored_unless_selected() {
    let d = project(&[(".perceo/config.json", BASE), (".perceo/config.local.json", LOCAL)]);
    for env in [
        vec![],
        vec![("PERCEO_ENV", "production")],
        vec![("NODE_ENV", "production")],
    ] {
        let c = load(d.path(), &env).unwrap();
        assert_eq!(c.settings.observer.watch.paths, vec!["app", "src"]);
        assert_eq!(c.sources.len(), 1);
    }
}

#[test]
fn selected_overlay_that_does_not_exist_is_fine() {
    let d = project(&[(".perceo/config.json", BASE)]);
    let c = load(d.path(), &[("PERCEO_ENV", "local")]).unwrap();
    assert_eq!(c.sources.len(), 1);
}

#[test]
fn env_variables_are_resolved_lazily_and_missing_ones_name_key_and_variable() {
    let text = r#"{"flowGraph": {"endpoint": "bolt://${NEO4J_HOST}:7687", "password": "${NEO4J_PASSWORD}"}}"#;
    let d = project(&[(".perceo/config.json", text)]);
    // Loading succeeds although the variables are unset: nothing has used them yet.
    let c = load(d.path(), &[("NEO4J_HOST", "graph")]).unwrap();
    let endpoint = c.settings.flow_graph.endpoint.as_ref().unwrap();
    assert_eq!(c.resolve("flowGraph.endpoint", endpoint).unwrap(), "bolt://graph:7687");
    let password = c.settings.flow_graph.password.as_ref().unwrap();
    let err = c.resolve("flowGraph.password", password).unwrap_err();
    assert_eq!(err.code(), "config.env_missing");
    let msg = err.to_string();
    assert!(
        msg.contains("flowGraph.password") && msg.contains("NEO4J_PASSWORD"),
        "{msg}"
    );
    let unset = c.env_sources().iter().find(|e| e.name == "NEO4J_PASSWORD").unwrap();
    assert!(!unset.set);
    assert_eq!(unset.used_for, "flowGraph.password");
}

#[test]
fn file_secrets_load_relative_to_the_project() {
    let d = project(&[
        (
            ".perceo/config.json",
            r#"{"analytics": {"provider": "ga4", "credentials": "file:secrets/ga4.json"}}"#,
        ),
        ("secrets/ga4.json", "{\"type\":\"service_account\"}\n"),
    ]);
    let c = load(d.path(), &[]).unwrap();
    let creds = c.settings.analytics.credentials.as_ref().unwrap();
    assert_eq!(
        c.resolve("analytics.credentials", creds).unwrap(),
        "{\"type\":\"service_account\"}"
    );
}

#[test]
fn unknown_keys_are_warnings_naming_the_key_path_and_file() {
    let d = project(&[(
        ".perceo/config.json",
        "{\n  \"observer\": {\n    \"wath\": {}\n  },\n  \"colour\": 1\n}",
    )]);
    let c = load(d.path(), &[]).unwrap();
    assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("`observer.wath`") && w.contains("config.json:3:"))
    );
    assert!(c.warnings.iter().any(|w| w.contains("`colour`")));
}

#[test]
fn wrong_types_name_file_line_column_and_key() {
    let d = project(&[(
        ".perceo/config.json",
        "{\n  \"observer\": {\n    \"ci\": { \"parallelism\": \"four\" }\n  }\n}",
    )]);
    let err = load(d.path(), &[]).unwrap_err();
    assert_eq!(err.code(), "config.invalid");
    let msg = err.to_string();
    assert!(
        msg.contains("config.json:3:28") && msg.contains("observer.ci.parallelism"),
        "{msg}"
    );
}

#[test]
fn wrong_type_in_the_overlay_points_at_the_overlay() {
    let d = project(&[
        (".perceo/config.json", BASE),
        (".perceo/config.local.json", "{\n\"eventBus\": {\"type\": \"kafka\"}}"),
    ]);
    let err = load(d.path(), &[("PERCEO_ENV", "local")]).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("config.local.json:2:") && msg.contains("eventBus.type"),
        "{msg}"
    );
}

#[test]
fn invalid_json_names_file_line_and_column() {
    let d = project(&[(".perceo/config.json", "{\n  \"project\": {\n    \"name\": shop\n  }\n}")]);
    let err = load(d.path(), &[]).unwrap_err();
    assert_eq!(err.code(), "config.parse");
    let msg = err.to_string();
    assert!(msg.contains("config.json:3:"), "{msg}");
}

#[test]
fn values_out_of_range_are_errors() {
    let d = project(&[(
        ".perceo/config.json",
        r#"{"analytics": {"correlation": {"minSimilarity": 1.5}}}"#,
    )]);
    let err = load(d.path(), &[]).unwrap_err();
    assert!(err.to_string().contains("analytics.correlation.minSimilarity"), "{err}");
    let d = project(&[(".perceo/config.json", r#"{"flowGraph": {"endpoint": "postgres://x"}}"#)]);
    assert!(
        load(d.path(), &[])
            .unwrap_err()
            .to_string()
            .contains("flowGraph.endpoint")
    );
}

#[test]
fn missing_config_suggests_init() {
    let d = project(&[]);
    let err = load(d.path(), &[]).unwrap_err();
    assert_eq!(err.code(), "config.not_found");
    assert!(err.to_string().contains("perceo init"));
}

#[test]
fn config_is_found_from_a_subdirectory() {
    let d = project(&[(".perceo/config.json", BASE), ("src/components/x.ts", "")]);
    let c = load(&d.path().join("src/components"), &[]).unwrap();
    assert_eq!(c.project_dir, std::fs::canonicalize(d.path()).unwrap());
}

#[test]
fn redacted_view_never_holds_secrets() {
    let text = r#"{
      "observer": {"apiKey": "sk-live-123"},
      "analytics": {"credentials": "file:secrets/ga4.json", "apiKey": "${AK}"},
      "flowGraph": {"endpoint": "bolt://neo:pw-in-url@db:7687", "password": "hunter2"},
      "eventBus": {"type": "redis", "redisUrl": "redis://:${REDIS_PW}@localhost:6379"},
      "notifications": {"slack": {"webhook": "https://hooks.slack.com/services/T/B/X"}}
    }"#;
    let d = project(&[(".perceo/config.json", text)]);
    let c = load(d.path(), &[("AK", "ak-secret"), ("REDIS_PW", "redispw")]).unwrap();
    let shown = c.redacted().to_string();
    for secret in [
        "sk-live-123",
        "ga4.json",
        "ak-secret",
        "pw-in-url",
        "hunter2",
        "redispw",
        "hooks.slack.com",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(shown.contains("redis://:***@localhost:6379"), "{shown}");
    assert_eq!(c.get("observer.apiKey").unwrap(), "***");
    assert_eq!(c.get("observer.ci.parallelism").unwrap(), 4);
    assert_eq!(c.get("nope.key").unwrap_err().code(), "config.key");
}

#[test]
fn set_keeps_comments_validates_and_writes_atomically() {
    let d = project(&[(".perceo/config.json", BASE)]);
    let c = load(d.path(), &[]).unwrap();
    c.set("observer.ci.parallelism", serde_json::json!(8), false).unwrap();
    let text = std::fs::read_to_string(d.path().join(".perceo/config.json")).unwrap();
    assert!(text.contains("// the seed's style"), "{text}");
    assert_eq!(load(d.path(), &[]).unwrap().settings.observer.ci.parallelism, 8);
    // A wrong type is refused and the file is left as it was.
    let err = c
        .set("observer.ci.parallelism", serde_json::json!("eight"), false)
        .unwrap_err();
    assert_eq!(err.code(), "config.invalid");
    assert_eq!(
        std::fs::read_to_string(d.path().join(".perceo/config.json")).unwrap(),
        text
    );
}

#[test]
fn json_schema_covers_every_section() {
    let schema = perceo_core::config::json_schema().to_string();
    for key in [
        "observer",
        "analyzer",
        "analytics",
        "coordinator",
        "flowGraph",
        "eventBus",
        "notifications",
        "debounceMs",
        "useLLM",
    ] {
        assert!(schema.contains(key), "{key}");
    }
}
