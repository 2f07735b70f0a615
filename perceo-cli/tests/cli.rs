//! The real `perceo` binary in temporary projects. One test binary for all CLI tests.

mod common;
use common::{git, json_stdout, perceo, repo_root, shop_with_change};

use std::path::Path;

use assert_fs::TempDir;
use assert_fs::prelude::*;
use predicates::prelude::*;

fn fixture(name: &str) -> TempDir {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(repo_root().join("tests/fixtures/frameworks").join(name), &["**/*"])
        .unwrap();
    tmp
}

#[test]
fn init_detects_three_frameworks_and_writes_a_loadable_config() {
    for (name, framework) in [
        ("next-app", "nextjs"),
        ("sveltekit", "sveltekit"),
        ("remix", "remix"),
        ("nuxt", "nuxt"),
    ] {
        let tmp = fixture(name);
        let report = json_stdout(perceo(tmp.path()).args(["init", "--yes", "--json"]));
        assert_eq!(report["detection"]["framework"], framework, "{name}");
        tmp.child(".perceo/config.json")
            .assert(predicate::str::contains("\"$schema\": \"./config.schema.json\""));
        tmp.child(".perceo/config.schema.json")
            .assert(predicate::path::exists());
        tmp.child(".perceo/.gitignore")
            .assert(predicate::str::contains("config.local.json"));
        let show = json_stdout(perceo(tmp.path()).args(["config", "show", "--json"]));
        assert_eq!(show["config"]["project"]["framework"], framework);
        assert_eq!(show["warnings"].as_array().unwrap().len(), 0);
    }
}

#[test]
fn init_prints_a_summary_with_next_steps_and_never_overwrites() {
    let tmp = fixture("next-app");
    perceo(tmp.path())
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("Initialized Perceo for"))
        .stdout(predicate::str::contains("flow(s) and"))
        .stdout(predicate::str::contains("perceo ci analyze"));
    let before = std::fs::read_to_string(tmp.path().join(".perceo/config.json")).unwrap();
    perceo(tmp.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[init.exists]"));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(".perceo/config.json")).unwrap(),
        before
    );
}

#[test]
fn init_in_an_unknown_project_warns_but_works() {
    let tmp = fixture("empty");
    perceo(tmp.path())
        .args(["init", "--dir", "."])
        .assert()
        .success()
        .stderr(predicate::str::contains("no web framework recognised"));
}

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

#[test]
fn ci_analyze_json_keeps_the_seed_shape_and_explains_each_flow() {
    let tmp = shop_with_change();
    let report =
        json_stdout(perceo(tmp.path()).args(["ci", "analyze", "--base", "main", "--head", "feature", "--json"]));
    for key in [
        "changeId",
        "baseSha",
        "headSha",
        "flows",
        "changes",
        "createdAt",
        "totals",
        "warnings",
    ] {
        assert!(report.get(key).is_some(), "missing {key}: {report}");
    }
    assert_eq!(report["changes"][0]["path"], "src/lib/cart/store.ts");
    assert_eq!(report["changes"][0]["status"], "modified");
    let flows = report["flows"].as_array().unwrap();
    let ids: Vec<&str> = flows.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"checkout") && ids.contains(&"add-to-cart"), "{ids:?}");
    for f in flows {
        for key in [
            "name",
            "confidence",
            "riskScore",
            "priority",
            "reasons",
            "matchedFiles",
            "riskFactors",
        ] {
            assert!(f.get(key).is_some(), "flow missing {key}");
        }
        assert!(!f["reasons"][0]["chain"].as_array().unwrap().is_empty());
    }
}

#[test]
fn ci_analyze_human_output_and_fail_on_gate() {
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main"])
        .assert()
        .success()
        .stdout(predicate::str::contains("checkout"))
        .stdout(predicate::str::contains("flow(s) affected"));
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "--fail-on", "low", "-q"])
        .assert()
        .code(1);
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "--fail-on", "critical", "-q"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "no-such-ref"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[git]"))
        .stderr(predicate::str::contains("no-such-ref"));
    perceo(tmp.path()).args(["ci", "analyze"]).assert().code(2);
}

#[test]
fn init_bootstraps_flows_from_routes_and_flows_list_reads_them() {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(repo_root().join("examples/shop"), &["**/*"]).unwrap();
    std::fs::remove_dir_all(tmp.path().join(".perceo")).ok();
    perceo(tmp.path())
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("Initialized 8 flow(s) and 1 persona(s)"));
    tmp.child(".perceo/flows/checkout.json")
        .assert(predicate::str::contains("\"priority\": \"critical\""));
    tmp.child(".perceo/flows/product-id.json")
        .assert(predicate::str::contains("/product/[id]"));
    perceo(tmp.path())
        .args(["flows", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("blog-slug"));
    let flow = json_stdout(perceo(tmp.path()).args(["flows", "show", "home", "--json"]));
    assert!(
        flow["related"].as_array().unwrap().iter().any(|r| r == "product-id"),
        "{flow}"
    );
    // Without --json, for people: the definition in lines, not JSON.
    perceo(tmp.path())
        .args(["flows", "show", "home"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("home — "))
        .stdout(predicate::str::contains("  pages: /"))
        .stdout(predicate::str::contains("{").not());
    perceo(tmp.path())
        .args(["flows", "show", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
    let routes = json_stdout(perceo(tmp.path()).args(["routes", "--json"]));
    assert!(
        routes
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["pattern"] == "/api/cart" && r["kind"] == "handler")
    );
}

#[test]
fn init_at_a_monorepo_root_bootstraps_its_apps_and_an_app_can_still_be_its_own_project() {
    let tmp = TempDir::new().unwrap();
    tmp.child("package.json")
        .write_str(r#"{"name": "mono", "workspaces": ["apps/*", "packages/*"]}"#)
        .unwrap();
    tmp.child("apps/web/package.json")
        .write_str(r#"{"name": "web", "dependencies": {"next": "15"}}"#)
        .unwrap();
    tmp.child("apps/web/app/page.tsx")
        .write_str("export default function P() { return null }\n")
        .unwrap();
    tmp.child("packages/ui/package.json")
        .write_str(r#"{"name": "@m/ui", "dependencies": {"react": "19"}}"#)
        .unwrap();
    perceo(tmp.path())
        .args(["init"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "monorepo root with 1 app(s): web (apps/web, nextjs)",
        ))
        .stdout(predicate::str::contains("Initialized 1 flow(s)"))
        .stdout(predicate::str::contains("packages/ui").not());
    tmp.child(".perceo/flows/web_home.json")
        .assert(predicate::str::contains("\"app\": \"web\""));
    perceo(tmp.path())
        .args(["init", "--dir", "apps/web"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Initialized 1 flow(s) and 1 persona(s)"));
}

#[test]
fn flows_create_edit_delete_keep_files_valid_and_sync_the_graph() {
    let tmp = shop_with_change();
    let status = json_stdout(perceo(tmp.path()).args(["graph", "status", "--json"]));
    assert_eq!(status["backend"], "sqlite");
    assert_eq!(status["flows"], 0);
    let created = json_stdout(perceo(tmp.path()).args([
        "flows",
        "create",
        "wishlist",
        "--name",
        "Save to wishlist",
        "--priority",
        "high",
        "--page",
        "/product/[id]",
        "--spec",
        "e2e/wish.spec.ts",
        "--json",
    ]));
    assert!(
        created["graph"]["created"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "wishlist")
    );
    tmp.child(".perceo/flows/wishlist.json")
        .assert(predicate::str::contains("\"priority\": \"high\""));
    // Refused edits leave the file as it was.
    perceo(tmp.path())
        .args(["flows", "create", "wishlist", "--name", "again"])
        .assert()
        .code(2);
    perceo(tmp.path())
        .args(["flows", "create", "Bad Id", "--name", "x"])
        .assert()
        .code(2);
    perceo(tmp.path())
        .args(["flows", "edit", "wishlist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to change"));
    // Edits keep comments of hand-written files.
    perceo(tmp.path())
        .args([
            "flows",
            "edit",
            "add-to-cart",
            "--priority",
            "critical",
            "--grep",
            "@cart-v2",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 updated (add-to-cart)"));
    tmp.child(".perceo/flows/add-to-cart.json")
        .assert(predicate::str::contains("// critical | high | medium | low"));
    tmp.child(".perceo/flows/add-to-cart.json")
        .assert(predicate::str::contains("@cart-v2"));
    perceo(tmp.path())
        .args(["flows", "delete", "wishlist"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 deleted (wishlist)"));
    tmp.child(".perceo/flows/wishlist.json")
        .assert(predicate::path::missing());
    let status = json_stdout(perceo(tmp.path()).args(["graph", "status", "--json"]));
    assert_eq!(status["flows"], 6);
}

#[test]
fn ci_analyze_stores_the_analysis_in_the_graph() {
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "-q"])
        .assert()
        .success();
    let status = json_stdout(perceo(tmp.path()).args(["graph", "status", "--json"]));
    assert_eq!(status["analyses"], 1);
    assert_eq!(status["flows"], 6);
    perceo(tmp.path())
        .args(["graph", "sync"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 created, 0 updated, 0 deleted, 6 unchanged"));
}

#[test]
fn a_graph_file_from_a_newer_perceo_is_a_clear_error() {
    let tmp = shop_with_change();
    perceo(tmp.path()).args(["graph", "sync", "-q"]).assert().success();
    let conn = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=7'); c.commit()",
        ])
        .arg(tmp.path().join(".perceo/graph.db"))
        .status()
        .unwrap();
    assert!(conn.success());
    perceo(tmp.path())
        .args(["graph", "status"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[graph.schema]"))
        .stderr(predicate::str::contains("newer Perceo"));
}

#[test]
fn a_neo4j_graph_that_is_down_exits_3_within_seconds_without_secrets() {
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args(["config", "set", "flowGraph.endpoint", "bolt://127.0.0.1:1"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "flowGraph.password", "${NEO_PW}"])
        .assert()
        .success();
    let started = std::time::Instant::now();
    perceo(tmp.path())
        .args(["graph", "status"])
        .env("NEO_PW", "hush-hush-secret")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "error[graph.unreachable]: could not reach Neo4j at bolt://127.0.0.1:1",
        ))
        .stderr(predicate::str::contains("hush-hush-secret").not());
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
    // ci analyze with an unreachable configured graph fails the same way.
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "-q"])
        .env("NEO_PW", "x")
        .assert()
        .code(3);
}

#[test]
fn graph_sync_into_a_real_neo4j() {
    let Ok(uri) = std::env::var("PERCEO_TEST_NEO4J_URI") else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "PERCEO_TEST_NEO4J_URI must be set under CI"
        );
        eprintln!("skipping: no PERCEO_TEST_NEO4J_URI");
        return;
    };
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args(["config", "set", "flowGraph.endpoint", &uri])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "flowGraph.database", "perceo"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "flowGraph.password", "${PERCEO_NEO4J_PASSWORD}"])
        .assert()
        .success();
    let pw = std::env::var("PERCEO_TEST_NEO4J_PASSWORD").unwrap_or_else(|_| "perceo-test-pw".into());
    perceo(tmp.path())
        .args(["graph", "sync"])
        .env("PERCEO_NEO4J_PASSWORD", &pw)
        .assert()
        .success()
        .stdout(predicate::str::contains("Flow graph:"));
    let status = json_stdout(
        perceo(tmp.path())
            .args(["graph", "status", "--json"])
            .env("PERCEO_NEO4J_PASSWORD", &pw),
    );
    assert_eq!(status["backend"], "neo4j");
    assert!(status["flows"].as_u64().unwrap() >= 6, "{status}");
    perceo(tmp.path())
        .args(["graph", "status"])
        .env("PERCEO_NEO4J_PASSWORD", "not-the-password")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[graph.auth]"))
        .stderr(predicate::str::contains("not-the-password").not());
}

#[test]
fn events_flow_through_redis_from_ci_analyze_to_events_tail() {
    let Some(url) = common::test_redis_url() else {
        return;
    };
    let tmp = shop_with_change();
    let channel = format!("perceo-cli-test-{}", std::process::id());
    perceo(tmp.path())
        .args(["config", "set", "eventBus.type", "redis"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "eventBus.redisUrl", "${TEST_REDIS_URL}"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "eventBus.channel", &channel])
        .assert()
        .success();
    let first = json_stdout(
        perceo(tmp.path())
            .args([
                "events",
                "publish",
                "analyzer.insight.generated",
                "--data",
                r#"{"title":"hello"}"#,
                "--json",
            ])
            .env("TEST_REDIS_URL", &url),
    );
    perceo(tmp.path())
        .args(["ci", "analyze", "--base", "main", "-q"])
        .env("TEST_REDIS_URL", &url)
        .assert()
        .success();
    let out = perceo(tmp.path())
        .args([
            "events",
            "tail",
            "--type",
            "observer.",
            "--since",
            first["id"].as_str().unwrap(),
            "--no-follow",
            "--json",
        ])
        .env("TEST_REDIS_URL", &url)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let kinds: Vec<String> = String::from_utf8_lossy(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            "observer.change.detected",
            "observer.flows.affected",
            "observer.analysis.complete"
        ]
    );
    // The URL's password never shows.
    let show = perceo(tmp.path())
        .args(["config", "show"])
        .env("TEST_REDIS_URL", &url)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!String::from_utf8_lossy(&show).contains("perceo-redis-pw"));
}

#[test]
fn events_tail_needs_a_shared_bus_and_a_down_redis_exits_3() {
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args(["events", "tail"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs eventBus.type = \"redis\""));
    perceo(tmp.path())
        .args(["config", "set", "eventBus.type", "redis"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["config", "set", "eventBus.redisUrl", "redis://:pw-123456@127.0.0.1:1"])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["events", "publish", "graph.flow.created"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("error[bus.unreachable]"))
        .stderr(predicate::str::contains("pw-123456").not());
}

/// A running `perceo watch --json` whose output lines arrive on a channel.
struct Watching {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<serde_json::Value>,
}

impl Watching {
    fn start(dir: &Path) -> Watching {
        use std::io::BufRead;
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("perceo"))
            .current_dir(dir)
            .args(["watch", "--json"])
            .env_remove("PERCEO_CONFIG_PATH")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut ready = String::new();
        let mut reader = std::io::BufReader::new(stderr);
        while !ready.contains("Watching") {
            ready.clear();
            assert!(
                reader.read_line(&mut ready).unwrap() > 0,
                "watch exited before it was ready"
            );
        }
        std::thread::spawn(move || for _ in reader.lines() {});
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line) {
                    let _ = tx.send(v);
                }
            }
        });
        Watching { child, lines }
    }

    /// The next batch that mentions `file`, skipping others.
    fn batch_with(&self, file: &str) -> serde_json::Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let batch = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no batch with {file}"));
            if batch["changed"].as_array().unwrap().iter().any(|c| c == file) {
                return batch;
            }
        }
    }

    fn affected(batch: &serde_json::Value) -> Vec<String> {
        let mut ids: Vec<String> = batch["report"]["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn watch_reports_affected_flows_live_and_survives_bad_saves_bursts_and_deletes() {
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args(["config", "set", "observer.watch.debounceMs", "150"])
        .assert()
        .success();
    let w = Watching::start(tmp.path());

    // A plain save.
    std::fs::write(
        tmp.path().join("app/(shop)/checkout/page.tsx"),
        "export default function P() { return 1 }\n",
    )
    .unwrap();
    let b = w.batch_with("app/(shop)/checkout/page.tsx");
    assert_eq!(Watching::affected(&b), vec!["checkout"]);

    // An editor's atomic save: write a temp file, rename it over the original.
    let login = tmp.path().join("app/(account)/login/page.tsx");
    std::fs::write(
        tmp.path().join("app/(account)/login/.page.tsx.tmp~"),
        "export default function L() { return 2 }\n",
    )
    .unwrap();
    std::fs::rename(tmp.path().join("app/(account)/login/.page.tsx.tmp~"), &login).unwrap();
    let b = w.batch_with("app/(account)/login/page.tsx");
    assert_eq!(Watching::affected(&b), vec!["login"]);

    // A file that does not parse mid-edit is analysed as far as it parses.
    std::fs::write(tmp.path().join("src/lib/format.ts"), "export function money( {\n").unwrap();
    let b = w.batch_with("src/lib/format.ts");
    assert!(b["report"]["totals"]["parseErrors"].as_u64().unwrap() >= 1, "{b}");

    // A deleted module affects the pages that imported it.
    std::fs::remove_file(tmp.path().join("src/components/CartSummary.tsx")).unwrap();
    let b = w.batch_with("src/components/CartSummary.tsx");
    assert!(Watching::affected(&b).contains(&"add-to-cart".to_string()), "{b}");

    // A burst (a branch switch) is a handful of analyses, not one per file.
    for i in 0..400 {
        std::fs::write(
            tmp.path().join(format!("src/lib/burst{i}.ts")),
            format!("export const v = {i};\n"),
        )
        .unwrap();
    }
    let mut batches = 0;
    let mut seen = 0;
    while seen < 400 {
        let b = w
            .lines
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("burst batches");
        seen += b["changed"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c.as_str().unwrap().contains("burst"))
            .count();
        batches += 1;
    }
    // Coalesced: 400 saves become a handful of analyses (more on a loaded machine, where the
    // writes themselves outlast a debounce window), never one per save.
    assert!(batches <= 20, "{batches} analyses for one burst of 400 saves");
}

#[test]
fn watch_stops_cleanly_on_ctrl_c() {
    let tmp = shop_with_change();
    let mut w = Watching::start(tmp.path());
    let ok = std::process::Command::new("kill")
        .args(["-INT", &w.child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let status = w.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// A test runner script for `coordinator.command`: fails the flows named in FAIL, passes the
/// others, and writes real JUnit XML.
const FAKE_RUNNER: &str = r#"#!/bin/sh
flow="$1"; junit="$2"
case " $FAIL " in *" $flow "*)
  printf '<testsuites><testsuite name="s"><testcase name="%s works" classname="%s.spec.ts" time="0.5"><failure message="expected badge 1, got 0">stack</failure></testcase></testsuite></testsuites>' "$flow" "$flow" > "$junit"; exit 1;;
esac
printf '<testsuites><testsuite name="s"><testcase name="%s works" classname="%s.spec.ts" time="0.2"/></testsuite></testsuites>' "$flow" "$flow" > "$junit"
"#;

fn with_fake_runner(tmp: &TempDir) {
    tmp.child("run-tests.sh").write_str(FAKE_RUNNER).unwrap();
    perceo(tmp.path())
        .args(["config", "set", "coordinator.command", "sh run-tests.sh {flow} {junit}"])
        .assert()
        .success();
}

#[test]
fn ci_test_runs_the_affected_flows_records_them_and_fails_on_a_failure() {
    let tmp = shop_with_change();
    with_fake_runner(&tmp);
    let out = perceo(tmp.path())
        .args(["ci", "test", "--base", "main", "--head", "feature", "--json"])
        .env("FAIL", "checkout")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let status = |id: &str| {
        report["flows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["flowId"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("checkout"), "failed");
    assert_eq!(status("add-to-cart"), "passed");
    assert_eq!(report["failed"], 1);
    let failed = report["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flowId"] == "checkout")
        .unwrap();
    assert!(
        failed["failures"][0]
            .as_str()
            .unwrap()
            .contains("expected badge 1, got 0")
    );
    // The runs are in the graph, with synthetic metrics.
    let graph = json_stdout(perceo(tmp.path()).args(["graph", "status", "--json"]));
    assert_eq!(graph["testRuns"], 2);
    // A green run exits 0.
    perceo(tmp.path())
        .args(["ci", "test", "--base", "main", "--head", "feature", "-q"])
        .env("FAIL", "")
        .assert()
        .success();
    // The report reads both.
    perceo(tmp.path())
        .args(["ci", "report", "--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains("flows at risk"))
        .stdout(predicate::str::contains("2 passed, 0 failed"));
    let junit = perceo(tmp.path())
        .args(["ci", "report", "--format", "junit"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&junit).contains("<testcase name=\"checkout\""));
    perceo(tmp.path())
        .args(["ci", "report", "--format", "markdown"])
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .success()
        .stdout(predicate::str::contains("::error file=src/lib/cart/store.ts"));
    let html = tmp.path().join("report.html");
    perceo(tmp.path())
        .args(["ci", "report", "--format", "html", "--output", html.to_str().unwrap()])
        .assert()
        .success();
    assert!(std::fs::read_to_string(html).unwrap().starts_with("<!doctype html>"));
}

#[test]
fn flows_without_tests_are_uncovered_and_shards_split_deterministically() {
    let tmp = shop_with_change();
    with_fake_runner(&tmp);
    let ids = |shard: &str| -> Vec<String> {
        let out = perceo(tmp.path())
            .args(["ci", "test", "--flows-from", "all", "--shard", shard, "--json"])
            .env("FAIL", "")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        v["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["flowId"].as_str().unwrap().to_string())
            .collect()
    };
    let (a, b) = (ids("1/2"), ids("2/2"));
    let mut all: Vec<String> = a.iter().chain(&b).cloned().collect();
    all.sort();
    assert_eq!(
        all,
        vec![
            "add-to-cart",
            "browse-products",
            "checkout",
            "login",
            "read-blog",
            "search"
        ]
    );
    assert_eq!(ids("1/2"), a, "the same split every time");
    perceo(tmp.path())
        .args(["ci", "test", "--flows-from", "all"])
        .env("FAIL", "")
        .assert()
        .success()
        .stdout(predicate::str::contains("UNCOVERED read-blog"))
        .stderr(predicate::str::contains("have no tests"));
    perceo(tmp.path())
        .args(["ci", "test", "--shard", "3/2"])
        .assert()
        .code(2);
}

#[test]
fn a_runner_that_cannot_run_fails_the_flow_with_the_reason() {
    let tmp = shop_with_change();
    perceo(tmp.path())
        .args([
            "config",
            "set",
            "coordinator.command",
            "definitely-not-a-command-xyz {flow}",
        ])
        .assert()
        .success();
    perceo(tmp.path())
        .args(["ci", "test", "--base", "main", "--head", "feature"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("wrote no JUnit report"));
}

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

/// A one-shot local HTTP server standing in for Slack: returns its URL and the body of the
/// first request it gets.
fn webhook_server() -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/services/T000/B000/SECRETTOKEN",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let mut stream = stream;
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            let _ = tx.send(String::from_utf8_lossy(&body).into_owned());
        }
    });
    (url, rx)
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

/// A local HTTP server answering with `responses` in order (status, extra headers, body);
/// each request's first line, headers and body are sent back on the channel.
fn api_server(
    responses: Vec<(u16, &'static str, String)>,
) -> (String, std::sync::mpsc::Receiver<(String, String, String)>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut responses = responses.into_iter();
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut first, mut headers, mut line) = (String::new(), String::new(), String::new());
            let _ = reader.read_line(&mut first);
            let mut length = 0;
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                headers.push_str(&line);
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let Some((status, extra, answer)) = responses.next() else {
                break;
            };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = tx.send((first, headers, String::from_utf8_lossy(&body).into_owned()));
        }
    });
    (base, rx)
}

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
fn doctor_round_trips_a_probe_through_a_real_redis() {
    let Some(url) = common::test_redis_url() else {
        return;
    };
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
fn github_annotations_name_files_from_the_repository_root_for_a_project_in_a_subfolder() {
    let repo = TempDir::new().unwrap();
    let app = repo.path().join("apps/shop");
    std::fs::create_dir_all(&app).unwrap();
    repo.child("apps/shop")
        .copy_from(repo_root().join("examples/shop"), &["**/*", "**/.perceo/**"])
        .unwrap();
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "base"]);
    git(repo.path(), &["checkout", "-qb", "feature"]);
    let store = app.join("src/lib/cart/store.ts");
    std::fs::write(
        &store,
        std::fs::read_to_string(&store).unwrap() + "\nexport const MAX = 3;\n",
    )
    .unwrap();
    git(repo.path(), &["commit", "-qam", "change"]);
    perceo(&app)
        .args(["ci", "analyze", "--base", "main", "--head", "feature", "-q"])
        .assert()
        .success();
    perceo(&app)
        .args(["ci", "report", "--format", "markdown"])
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .success()
        .stdout(predicate::str::contains("::error file=apps/shop/src/lib/cart/store.ts"));
}

#[test]
fn each_flow_gets_a_coverage_score_from_what_its_specs_exercise() {
    let tmp = shop_with_change();
    perceo(tmp.path()).args(["graph", "sync", "-q"]).assert().success();
    let score = |id: &str| {
        json_stdout(perceo(tmp.path()).args(["flows", "show", id, "--json"]))["coverageScore"]
            .as_f64()
            .unwrap()
    };
    // cart.spec.ts visits /product/…, clicks "Add to cart" and lands on /cart: every step.
    assert_eq!(score("add-to-cart"), 1.0);
    // It also opens the home page, but never names select_item.
    assert_eq!(score("browse-products"), 0.5);
    assert_eq!(score("read-blog"), 0.0);
    let coverage = json_stdout(perceo(tmp.path()).args(["analyze", "coverage", "--json"]));
    assert_eq!(
        coverage["belowThreshold"],
        serde_json::json!(["browse-products", "checkout", "read-blog"]),
        "{coverage:#}"
    );
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
