//! The flow graph and the event bus against real services (Neo4j, Redis), `events tail` and `watch`.

use std::path::Path;

use predicates::prelude::*;

use crate::common::{flow_ids, json_stdout, perceo, shop_with_change, test_neo4j_uri, test_redis_url};

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
#[ignore = "needs a real Neo4j (PERCEO_TEST_NEO4J_URI): scripts/test.sh starts one and runs these with --include-ignored"]
fn graph_sync_into_a_real_neo4j() {
    let uri = test_neo4j_uri();
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
#[ignore = "needs a real Redis (PERCEO_TEST_REDIS_URL): scripts/test.sh starts one and runs these with --include-ignored"]
fn events_flow_through_redis_from_ci_analyze_to_events_tail() {
    let url = test_redis_url();
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
    /// `perceo watch` on a copy of the shop with a short debounce.
    fn shop() -> (assert_fs::TempDir, Watching) {
        let tmp = shop_with_change();
        perceo(tmp.path())
            .args(["config", "set", "observer.watch.debounceMs", "150"])
            .assert()
            .success();
        let w = Watching::start(tmp.path());
        (tmp, w)
    }

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
        flow_ids(&batch["report"])
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn watch_reports_affected_flows_live_and_survives_bad_saves_bursts_and_deletes() {
    let (tmp, w) = Watching::shop();

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

#[test]
fn watch_analyses_a_dependency_bump_as_ci_analyze_does() {
    let (tmp, w) = Watching::shop();
    // A test-tool bump: the flows with tests are affected through them, not every flow.
    let manifest = tmp.path().join("package.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("\"@playwright/test\": \"1.45.3\"", "\"@playwright/test\": \"1.46.0\""),
    )
    .unwrap();
    let batch = w.batch_with("package.json");
    let out = perceo(tmp.path())
        .args(["ci", "analyze", "--working-tree", "--json"])
        .output()
        .unwrap();
    let analyzed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds = |report: &serde_json::Value| -> Vec<(String, String)> {
        let mut kinds: Vec<(String, String)> = report["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().into(),
                    f["reasons"][0]["kind"].as_str().unwrap().into(),
                )
            })
            .collect();
        kinds.sort();
        kinds
    };
    assert_eq!(kinds(&batch["report"]), kinds(&analyzed), "{batch}");
    assert!(kinds(&analyzed).iter().all(|(_, kind)| kind == "test"), "{analyzed}");
    assert!(kinds(&analyzed).len() < analyzed["totals"]["flows"].as_u64().unwrap() as usize);
}
