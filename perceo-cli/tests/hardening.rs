//! Regression tests for the defects of the bad-input and fault probe (issue 18), one per
//! defect, named after it. Setup as in the probe: a copy of `examples/shop` in a git repo with
//! one commit on top.

mod common;

use common::{perceo, shop_with_change};
use predicates::prelude::*;

/// Everything a command printed, stdout and stderr.
fn printed(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn secret_in_url_query_string_is_never_printed() {
    let tmp = shop_with_change();
    let dir = tmp.path();
    // How redis-rs takes a socket password, and an API token in a base URL's query.
    perceo(dir)
        .args([
            "config",
            "set",
            "eventBus.redisUrl",
            "redis+unix:///run/perceo-none.sock?db=0&pass=${UPW}",
        ])
        .assert()
        .success();
    perceo(dir)
        .args(["config", "set", "eventBus.type", "redis"])
        .assert()
        .success();
    perceo(dir)
        .args([
            "config",
            "set",
            "observer.apiBaseUrl",
            "http://127.0.0.1:1/x?token=${T}",
        ])
        .assert()
        .success();
    let run = |args: &[&str]| {
        printed(
            perceo(dir)
                .env("UPW", "sock-pw-4817")
                .env("T", "api-token-5523")
                .env("PERCEO_API_TIMEOUT_SECS", "1")
                .args(args),
        )
    };
    for args in [
        &["config", "show"][..],
        &["config", "show", "--json"],
        &["config", "get", "eventBus.redisUrl"],
        &["config", "get", "observer.apiBaseUrl"],
        &["doctor", "--env", "ci", "--timeout", "2s"],
        &["doctor", "--env", "ci", "--json", "--timeout", "2s"],
        &["ci", "analyze", "--base", "HEAD~1"],
        &["ci", "analyze", "--base", "HEAD~1", "--json"],
        &["ci", "analyze", "--base", "HEAD~1", "--local"],
        &["events", "publish", "analyzer.insight.generated", "{}"],
    ] {
        let text = run(args);
        assert!(
            !text.contains("sock-pw-4817") && !text.contains("api-token-5523"),
            "`perceo {}` printed a secret:\n{text}",
            args.join(" ")
        );
    }
    // The masked forms are still there to read, and the URLs are the ones meant.
    let shown = run(&["config", "get", "eventBus.redisUrl"]);
    assert!(shown.contains("pass=***"), "{shown}");
    let shown = run(&["doctor", "--env", "ci", "--timeout", "2s"]);
    assert!(shown.contains("http://127.0.0.1:1/x/healthz?token=***"), "{shown}");
    assert!(shown.contains("perceo-none.sock?db=0&pass=***"), "{shown}");
}

#[cfg(unix)]
#[test]
fn writes_keep_the_file_mode_and_new_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let tmp = shop_with_change();
    let dir = tmp.path();
    // What this process's umask gives a new file.
    let probe = dir.join("umask-probe");
    std::fs::File::create(&probe).unwrap();
    let new_file_mode = mode(&probe);
    let config = dir.join(".perceo/config.json");
    let flow = dir.join(".perceo/flows/checkout.json");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o664)).unwrap();
    std::fs::set_permissions(&flow, std::fs::Permissions::from_mode(0o640)).unwrap();
    perceo(dir)
        .args(["config", "set", "observer.ci.parallelism", "2"])
        .assert()
        .success();
    perceo(dir)
        .args(["flows", "edit", "checkout", "--priority", "high"])
        .assert()
        .success();
    perceo(dir)
        .args([
            "flows",
            "create",
            "wishlist",
            "--name",
            "Wishlist",
            "--page",
            "/product/[id]",
        ])
        .assert()
        .success();
    assert_eq!(mode(&config), 0o664, "config set keeps the mode");
    assert_eq!(mode(&flow), 0o640, "flows edit keeps the mode");
    assert_eq!(
        mode(&dir.join(".perceo/flows/wishlist.json")),
        new_file_mode,
        "a new flow file follows the umask"
    );
    let fresh = assert_fs::TempDir::new().unwrap();
    std::fs::write(
        fresh.path().join("package.json"),
        r#"{ "dependencies": { "next": "15.0.0" } }"#,
    )
    .unwrap();
    std::fs::create_dir_all(fresh.path().join("app")).unwrap();
    std::fs::write(
        fresh.path().join("app/page.tsx"),
        "export default function Page() { return null }\n",
    )
    .unwrap();
    perceo(fresh.path()).args(["init", "-y", "-q"]).assert().success();
    assert_eq!(
        mode(&fresh.path().join(".perceo/config.json")),
        new_file_mode,
        "init follows the umask"
    );
}

#[test]
fn config_json_that_is_a_directory_is_an_error_not_skipped() {
    let tmp = shop_with_change();
    let sub = tmp.path().join("apps/site");
    std::fs::create_dir_all(sub.join(".perceo/config.json")).unwrap();
    for args in [&["config", "show"][..], &["init", "-y"]] {
        perceo(&sub)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "apps/site/.perceo/config.json is a directory, not a file",
            ));
    }
}

#[test]
fn config_exit_codes_and_messages() {
    let tmp = shop_with_change();
    let dir = tmp.path();
    let config = dir.join(".perceo/config.json");
    let original = std::fs::read(&config).unwrap();
    // Not UTF-8: exit 2 with where.
    std::fs::write(&config, b"{\n  \"project\": { \"name\": \"\xff\xfe\" }\n}\n").unwrap();
    perceo(dir)
        .args(["config", "show"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "config.json:2:25: invalid JSON: the file is not valid UTF-8 (byte offset 26)",
        ));
    // `null` is not "empty".
    std::fs::write(&config, "// nothing yet\nnull\n").unwrap();
    perceo(dir)
        .args(["config", "show"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("holds `null`, not a JSON object"));
    // A byte order mark is accepted.
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(&original);
    std::fs::write(&config, &bom).unwrap();
    perceo(dir).args(["config", "get", "project.name"]).assert().success();
    std::fs::write(&config, &original).unwrap();
    // PERCEO_CONFIG_PATH naming a directory says so.
    perceo(dir)
        .env("PERCEO_CONFIG_PATH", ".perceo")
        .args(["config", "show"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("which is a directory, not a file"));
    // A flow file that is not UTF-8: exit 2 with where.
    std::fs::write(
        dir.join(".perceo/flows/bad.json"),
        b"{ \"id\": \"bad\", \"name\": \"\xff\" }",
    )
    .unwrap();
    perceo(dir)
        .args(["flows", "list"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "bad.json:1:25: invalid JSON: the file is not valid UTF-8",
        ));
}

#[test]
fn config_set_of_an_unknown_key_warns_and_strict_refuses() {
    let tmp = shop_with_change();
    let dir = tmp.path();
    // A known key is quiet, strict or not.
    perceo(dir)
        .args(["config", "set", "--strict", "observer.ci.parallelism", "3"])
        .assert()
        .success()
        .stderr(predicates::str::contains("warning").not());
    perceo(dir)
        .args(["config", "set", "observer.paralelism", "4"])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "unknown key `observer.paralelism` is ignored (check its spelling)",
        ));
    let before = std::fs::read_to_string(dir.join(".perceo/config.json")).unwrap();
    perceo(dir)
        .args(["config", "set", "--strict", "observer.typo", "1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("config key `observer.typo`: unknown key"));
    assert_eq!(
        std::fs::read_to_string(dir.join(".perceo/config.json")).unwrap(),
        before,
        "--strict writes nothing"
    );
}

#[test]
fn shallow_clone_deepens_for_an_older_base_or_says_how() {
    let origin = shop_with_change();
    for i in 0..5 {
        let store = origin.path().join("src/lib/cart/store.ts");
        let mut text = std::fs::read_to_string(&store).unwrap();
        text.push_str(&format!("\nexport const STEP_{i} = {i};\n"));
        std::fs::write(&store, text).unwrap();
        common::git(origin.path(), &["commit", "-qam", &format!("step {i}")]);
    }
    let clone = assert_fs::TempDir::new().unwrap();
    let url = format!("file://{}", origin.path().display());
    common::git(
        clone.path(),
        &["clone", "-q", "--depth", "1", "--branch", "feature", &url, "."],
    );
    perceo(clone.path())
        .args(["ci", "analyze", "--base", "HEAD~5", "--json", "-q"])
        .assert()
        .success()
        .stdout(predicates::str::contains("src/lib/cart/store.ts"));
    // Without a remote there is nothing to deepen from: say what to do.
    let lonely = assert_fs::TempDir::new().unwrap();
    common::git(
        lonely.path(),
        &["clone", "-q", "--depth", "1", "--branch", "feature", &url, "."],
    );
    common::git(lonely.path(), &["remote", "remove", "origin"]);
    perceo(lonely.path())
        .args(["ci", "analyze", "--base", "HEAD~5"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "this is a shallow clone without the history `HEAD~5` names",
        ))
        .stderr(predicates::str::contains("fetch-depth: 0"));
    // A ref that is an option is refused before git sees it.
    perceo(clone.path())
        .args(["ci", "analyze", "--base=--upload-pack=touch /tmp/perceo-x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`base` starts with `-`"));
}

#[test]
fn flow_files_are_checked_as_strictly_when_read_as_when_created() {
    let tmp = shop_with_change();
    let dir = tmp.path();
    let file = dir.join(".perceo/flows/odd.json");
    for (text, says) in [
        (
            r#"{ "id": "../../etc/passwd", "name": "x", "pages": ["/cart"] }"#,
            "`id` \"../../etc/passwd\" must use",
        ),
        (r#"{ "id": "", "name": "x", "pages": ["/cart"] }"#, ""),
        (
            "{ \"id\": \"odd\", \"name\": \"a\\u0000b\", \"pages\": [\"/cart\"] }",
            "`name` holds the control character U+0000",
        ),
        (
            r#"{ "id": "odd", "name": "x", "pages": ["cart"] }"#,
            "`pages[0]` \"cart\" must be a route pattern",
        ),
        (
            r#"{ "id": "odd", "name": "x", "pages": ["/cart"], "files": ["src/[lib"] }"#,
            "`files[0]` \"src/[lib\" is not a valid glob",
        ),
    ] {
        std::fs::write(&file, text).unwrap();
        let assert = perceo(dir).args(["flows", "list"]).assert();
        if says.is_empty() {
            // An empty id is the file name's, as documented.
            assert.success().stdout(predicates::str::contains("odd "));
        } else {
            assert
                .code(2)
                .stderr(predicates::str::contains("odd.json"))
                .stderr(predicates::str::contains(says));
        }
    }
    // A page pattern no route has: a warning, for every flow it concerns.
    std::fs::write(&file, r#"{ "id": "odd", "name": "Odd", "pages": ["/nowhere"] }"#).unwrap();
    perceo(dir)
        .args(["ci", "analyze", "--base", "HEAD~1"])
        .assert()
        .success()
        .stderr(predicates::str::contains("1 flow page pattern(s) match no route"))
        .stderr(predicates::str::contains("odd (/nowhere)"));
}

#[test]
fn concurrent_flows_create_loses_no_flow_from_the_graph() {
    let tmp = shop_with_change();
    let dir = tmp.path().to_path_buf();
    let before = common::json_stdout(perceo(&dir).args(["flows", "list", "--json"]))["flows"]
        .as_array()
        .unwrap()
        .len();
    let workers: Vec<_> = (0..20)
        .map(|i| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                perceo(&dir)
                    .args([
                        "flows",
                        "create",
                        &format!("parallel-{i}"),
                        "--name",
                        "P",
                        "--page",
                        "/cart",
                    ])
                    .assert()
                    .success();
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let status = common::json_stdout(perceo(&dir).args(["graph", "status", "--json"]));
    assert_eq!(status["flows"].as_u64(), Some(before as u64 + 20), "{status}");
}

#[cfg(unix)]
#[test]
fn backslash_in_a_file_name_is_kept_byte_exact() {
    let tmp = shop_with_change();
    let dir = tmp.path();
    // `checkout` lists `src/lib/cart/**` among its files.
    std::fs::write(dir.join("src/lib/cart/we\\ird.ts"), "export const odd = 1;\n").unwrap();
    common::git(dir, &["add", "-A"]);
    common::git(dir, &["commit", "-qm", "odd name"]);
    let report = common::json_stdout(perceo(dir).args(["ci", "analyze", "--base", "HEAD~1", "--json", "-q"]));
    let text = report.to_string();
    assert!(text.contains(r#"src/lib/cart/we\\ird.ts"#), "{text}");
    assert!(!text.contains("src/lib/cart/we/ird.ts"), "{text}");
    let checkout = report["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "checkout")
        .unwrap_or_else(|| panic!("checkout not affected: {text}"));
    assert!(checkout.to_string().contains(r#"we\\ird.ts"#), "{checkout}");
}

/// A server on a loopback port that answers anything with an HTTP 400, as a web server on
/// the wrong port would; its address.
fn http_impostor() -> std::net::SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    addr
}

#[test]
fn protocol_mismatch_on_the_neo4j_or_redis_port_says_so_with_exit_3() {
    let tmp = shop_with_change();
    let dir = tmp.path();
    let addr = http_impostor();
    perceo(dir)
        .args(["config", "set", "flowGraph.endpoint", &format!("bolt://{addr}")])
        .assert()
        .success();
    perceo(dir)
        .args(["graph", "status"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains(format!(
            "could not reach Neo4j at bolt://{addr}: the server there does not speak Bolt"
        )));
    perceo(dir)
        .args(["config", "set", "flowGraph.endpoint", "sqlite:.perceo/graph.db"])
        .assert()
        .success();
    perceo(dir)
        .args(["config", "set", "eventBus.type", "redis"])
        .assert()
        .success();
    perceo(dir)
        .args(["config", "set", "eventBus.redisUrl", &format!("redis://{addr}")])
        .assert()
        .success();
    perceo(dir)
        .args(["events", "publish", "analyzer.insight.generated", "--data", "{}"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains(format!(
            "could not reach the Redis event bus at redis://{addr}: the server there does not speak RESP"
        )));
}

#[test]
fn a_broken_tsconfig_or_package_json_warns_and_keeps_the_import_graph() {
    type Break = fn(&std::path::Path);
    let cases: [(&str, Break, &str); 4] = [
        (
            "missing extends target",
            |d| {
                edit(d, "tsconfig.json", |t| {
                    t.replace("./tsconfig.base.json", "./tsconfig.gone.json")
                })
            },
            "tsconfig.gone.json",
        ),
        (
            "extends cycle",
            |d| {
                edit(d, "tsconfig.base.json", |t| {
                    t.replacen('{', "{ \"extends\": \"./tsconfig.json\",", 1)
                })
            },
            "tsconfig",
        ),
        (
            "invalid tsconfig",
            |d| {
                edit(d, "tsconfig.base.json", |t| {
                    t.replacen('{', "{ \"compilerOptions\": ", 1)
                })
            },
            "tsconfig.base.json",
        ),
        (
            "invalid root package.json",
            |d| std::fs::write(d.join("package.json"), "{ \"name\": \"shop\", ").unwrap(),
            "package.json",
        ),
    ];
    for (what, break_it, named) in cases {
        let tmp = shop_with_change();
        let dir = tmp.path();
        break_it(dir);
        common::git(dir, &["commit", "-qam", what]);
        edit(dir, "src/components/PriceTag.tsx", |t| {
            format!("{t}\nexport const touched = 1;\n")
        });
        common::git(dir, &["commit", "-qam", "touch PriceTag"]);
        let out = perceo(dir)
            .args(["ci", "analyze", "--base", "HEAD~1", "--on-empty", "none", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let flows = report["flows"].as_array().unwrap();
        assert!(
            flows.len() >= 3,
            "{what}: PriceTag reaches the product, cart and checkout pages: {report}"
        );
        let warnings = report["warnings"].to_string();
        assert!(warnings.contains(named), "{what}: no warning names {named}: {warnings}");
    }
}

/// Rewrites a file of `dir` with `f`.
fn edit(dir: &std::path::Path, file: &str, f: impl Fn(&str) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, f(&text)).unwrap();
}
