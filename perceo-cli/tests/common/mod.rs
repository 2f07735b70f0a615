//! Helpers shared by the CLI test binaries: the real `perceo` binary in temporary projects.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assert_fs::TempDir;
use assert_fs::prelude::*;

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `perceo` run in `dir`, with no Perceo variable leaking in from the caller's environment.
pub fn perceo(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("perceo").unwrap();
    cmd.current_dir(dir)
        .env_remove("PERCEO_CONFIG_PATH")
        .env_remove("PERCEO_ENV")
        .env_remove("NODE_ENV")
        .env_remove("PERCEO_PROJECT_DIR")
        .env_remove("PERCEO_LOCAL")
        .env_remove("PERCEO_SERVE_API_KEYS")
        .env_remove("PERCEO_API_TIMEOUT_SECS");
    cmd
}

/// Runs `cmd`, expects success, and parses its stdout as JSON.
pub fn json_stdout(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&out)))
}

/// The ids of the flows a report selects, sorted.
pub fn flow_ids(report: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = report["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// Runs git in `dir` with a fixed identity and `main` as the default branch.
pub fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

/// The example shop in a git repo with one change on a branch `feature`.
pub fn shop_with_change() -> TempDir {
    let tmp = TempDir::new().unwrap();
    tmp.copy_from(
        repo_root().join("examples/shop"),
        &["**/*", "**/.perceo/**", "**/.env.example"],
    )
    .unwrap();
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "base"]);
    git(tmp.path(), &["checkout", "-qb", "feature"]);
    let store = tmp.path().join("src/lib/cart/store.ts");
    let mut text = std::fs::read_to_string(&store).unwrap();
    text.push_str("\nexport const MAX = 3;\n");
    std::fs::write(&store, text).unwrap();
    git(tmp.path(), &["commit", "-qam", "change"]);
    tmp
}

/// The shared Redis of the test services (tests that use it are `#[ignore]`d with the
/// reason; scripts/test.sh starts Redis and runs them with `--include-ignored`).
pub fn test_redis_url() -> String {
    std::env::var("PERCEO_TEST_REDIS_URL").expect(
        "PERCEO_TEST_REDIS_URL is not set: start Redis with tests/services/redis/redis.sh (scripts/test.sh does)",
    )
}

/// The Neo4j of the test services, as [`test_redis_url`].
pub fn test_neo4j_uri() -> String {
    std::env::var("PERCEO_TEST_NEO4J_URI").expect(
        "PERCEO_TEST_NEO4J_URI is not set: start Neo4j with tests/services/neo4j/neo4j.sh (scripts/test.sh does)",
    )
}
