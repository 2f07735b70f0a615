//! `perceo config`, usage errors, help, completions and the committed schema.

use assert_fs::TempDir;
use assert_fs::prelude::*;
use predicates::prelude::*;

use crate::common::{perceo, repo_root};
use crate::support::fixture;

#[test]
fn config_show_never_prints_a_secret() {
    let tmp = TempDir::new().unwrap();
    tmp.child(".perceo/config.json")
        .write_str(
            r#"{
  "observer": {"apiKey": "sk-live-SECRET1"},
  "flowGraph": {"endpoint": "bolt://neo4j:SECRET2@db:7687", "password": "${NEO_PW}"},
  "eventBus": {"type": "redis", "redisUrl": "redis://:SECRET3@localhost:6379"},
  "analytics": {"credentials": "file:secrets/ga.json"},
  "notifications": {"slack": {"webhook": "https://hooks.example/SECRET5"}}
}"#,
        )
        .unwrap();
    tmp.child("secrets/ga.json").write_str("SECRET6").unwrap();
    for args in [
        vec!["config", "show"],
        vec!["config", "show", "--json"],
        vec!["config", "get", "observer"],
        vec!["config", "get", "flowGraph.endpoint"],
    ] {
        let out = perceo(tmp.path())
            .args(&args)
            .env("NEO_PW", "SECRET4")
            .assert()
            .success()
            .get_output()
            .clone();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains("SECRET"), "{args:?} leaked a secret: {all}");
        assert!(all.contains("***"), "{args:?}: {all}");
    }
}

#[test]
fn config_show_lists_sources_files_and_variables() {
    let tmp = TempDir::new().unwrap();
    tmp.child(".perceo/config.json")
        .write_str(r#"{"flowGraph": {"password": "${NEO_PW}"}}"#)
        .unwrap();
    tmp.child(".perceo/config.local.json")
        .write_str(r#"{"project": {"name": "dev"}}"#)
        .unwrap();
    perceo(tmp.path())
        .args(["config", "show"])
        .env("PERCEO_ENV", "Local")
        .assert()
        .success()
        .stdout(predicate::str::contains("config.local.json (local)"))
        .stdout(predicate::str::contains("$PERCEO_ENV (set)"))
        .stdout(predicate::str::contains("$NEO_PW (NOT SET) → flowGraph.password"));
}

#[test]
fn config_set_and_get_round_trip_and_keep_comments() {
    let tmp = fixture("next-app");
    perceo(tmp.path()).args(["init", "-q"]).assert().success();
    perceo(tmp.path())
        .args(["config", "set", "observer.ci.parallelism", "8"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "flowGraph.endpoint", "bolt://localhost:7687"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "observer.apiKey", "sk-123"])
        .assert()
        .success()
        .stdout(predicate::str::contains("***"))
        .stdout(predicate::str::contains("sk-123").not());
    perceo(tmp.path())
        .args(["config", "get", "observer.ci.parallelism"])
        .assert()
        .success()
        .stdout("8\n");
    perceo(tmp.path())
        .args(["config", "get", "flowGraph.endpoint"])
        .assert()
        .success()
        .stdout("bolt://localhost:7687\n");
    tmp.child(".perceo/config.json")
        .assert(predicate::str::contains("// Everything runs locally"));
}

#[test]
fn config_set_refuses_a_wrong_type_and_leaves_the_file() {
    let tmp = fixture("next-app");
    perceo(tmp.path()).args(["init", "-q"]).assert().success();
    let before = std::fs::read_to_string(tmp.path().join(".perceo/config.json")).unwrap();
    perceo(tmp.path())
        .args(["config", "set", "observer.ci.parallelism", "lots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[config.invalid]"))
        .stderr(predicate::str::contains("observer.ci.parallelism"));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(".perceo/config.json")).unwrap(),
        before
    );
}

#[test]
fn bad_config_exits_2_with_file_line_and_key() {
    let tmp = TempDir::new().unwrap();
    tmp.child(".perceo/config.json")
        .write_str("{\n  \"eventBus\": {\"type\": 5}\n}")
        .unwrap();
    perceo(tmp.path())
        .args(["config", "show"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("config.json:2:"))
        .stderr(predicate::str::contains("eventBus.type"));
}

#[test]
fn missing_config_suggests_init_and_json_errors_are_json() {
    let tmp = TempDir::new().unwrap();
    let out = perceo(tmp.path())
        .args(["config", "show", "--json"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "config.not_found");
    assert!(String::from_utf8_lossy(&out.stderr).contains("perceo init"));
}

#[test]
fn usage_errors_exit_2_and_help_explains_every_command() {
    let tmp = TempDir::new().unwrap();
    perceo(tmp.path()).arg("frobnicate").assert().code(2);
    perceo(tmp.path())
        .args(["--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"));
    for cmd in [vec!["init"], vec!["config"], vec!["config", "set"], vec!["completions"]] {
        let mut args = cmd.clone();
        args.push("--help");
        perceo(tmp.path()).args(&args).assert().success();
    }
}

#[test]
fn completions_are_printed_for_bash() {
    let tmp = TempDir::new().unwrap();
    perceo(tmp.path())
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_perceo"));
}

#[test]
fn committed_schema_is_fresh() {
    let tmp = TempDir::new().unwrap();
    let out = perceo(tmp.path())
        .args(["config", "schema"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let committed = std::fs::read_to_string(repo_root().join("schema/config.schema.json")).unwrap();
    assert!(
        String::from_utf8_lossy(&out) == committed,
        "schema/config.schema.json is stale: run `perceo config schema > schema/config.schema.json`"
    );
}
