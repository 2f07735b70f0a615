//! Property tests of the parsers of outside input (issue 18): configuration and flow files,
//! route patterns, lockfiles, JUnit reports and the bodies `perceo serve` takes. Each never
//! panics on any input, its errors say where, and written values read back the same. Case
//! counts are small so that the suite stays fast; a failure prints the shrunk input.

use std::path::Path;

use perceo_core::config::{Config, Env, LoadOptions};
use perceo_core::flows::{Flow, load_flows, write_flow_files};
use perceo_core::{Error, jsonc};
use proptest::prelude::*;

fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that looks like JSONC often enough to reach deep into the parsers: fragments of it
/// glued together, mixed with arbitrary characters.
fn jsonish() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("// c\n".to_string()),
        Just("/* c */".to_string()),
        Just("\"project\"".to_string()),
        Just("\"observer\"".to_string()),
        Just("\"ci\"".to_string()),
        Just("\"parallelism\"".to_string()),
        Just("\"id\"".to_string()),
        Just("\"pages\"".to_string()),
        Just("\"${VAR}\"".to_string()),
        Just("\"\\u0000\"".to_string()),
        "-?[0-9]{1,12}(\\.[0-9]{1,3})?".prop_map(|s| s),
        "\"[a-zA-Z0-9/_.\\-]{0,12}\"".prop_map(|s| s),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(fragment, 0..40).prop_map(|parts| parts.concat())
}

/// Whether an error of reading a file says which file and where in it.
fn locates(e: &Error, file: &Path) -> bool {
    match e {
        Error::Parse { path, line, column, .. } | Error::Invalid { path, line, column, .. } => {
            path.ends_with(file.file_name().unwrap()) && *line >= 1 && *column >= 1
        }
        Error::Flow { path, .. } | Error::NotAFile { path } => path.ends_with(file.file_name().unwrap()),
        other => other
            .to_string()
            .contains(&*file.file_name().unwrap().to_string_lossy()),
    }
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn jsonc_never_panics_and_errors_have_a_position(text in jsonish()) {
        if let Err(e) = jsonc::parse_value(Path::new("x.json"), &text) {
            let located = matches!(e, Error::Parse { line, column, .. } if line >= 1 && column >= 1);
            prop_assert!(located, "{e}");
        }
    }

    #[test]
    fn route_patterns_match_their_own_urls(
        segments in prop::collection::vec(
            prop_oneof![
                "[a-z][a-z0-9-]{0,8}".prop_map(|s| (s.clone(), s)),
                "[a-z]{1,6}".prop_map(|p| (format!("[{p}]"), "v4lue".to_string())),
            ],
            0..6,
        ),
        noise in ".{0,40}",
    ) {
        let pattern = format!("/{}", segments.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>().join("/"));
        let url = format!("/{}", segments.iter().map(|(_, u)| u.as_str()).collect::<Vec<_>>().join("/"));
        prop_assert!(perceo_core::routes::pattern_matches(&pattern, &url), "{pattern} vs {url}");
        // Never a panic on anything.
        let _ = perceo_core::routes::pattern_matches(&noise, &url);
        let _ = perceo_core::routes::pattern_matches(&pattern, &noise);
        let _ = perceo_core::routes::best_pattern([pattern.as_str(), noise.as_str()], &noise);
    }

    #[test]
    fn junit_never_panics_and_errors_have_a_byte_offset(
        parts in prop::collection::vec(
            prop_oneof![
                Just("<testsuite>".to_string()),
                Just("</testsuite>".to_string()),
                Just("<testcase name=\"a\" classname=\"b\" time=\"1.5\">".to_string()),
                Just("<testcase name=\"x\"/>".to_string()),
                Just("</testcase>".to_string()),
                Just("<failure message=\"boom\"/>".to_string()),
                Just("<skipped/>".to_string()),
                Just("<![CDATA[".to_string()),
                Just("&amp;&bogus;".to_string()),
                ".{0,8}".prop_map(|s| s),
            ],
            0..20,
        ),
    ) {
        let xml = parts.concat();
        if let Err(e) = perceo_core::coordinator::junit::parse(&xml) {
            prop_assert!(e.contains("at byte"), "{e}");
        }
    }

    #[test]
    fn lockfile_readers_never_panic(
        old in prop_oneof![jsonish(), ".{0,300}"],
        new in prop_oneof![jsonish(), ".{0,300}"],
        name in prop::sample::select(vec![
            "pnpm-lock.yaml", "package-lock.json", "yarn.lock", "bun.lock", "npm-shrinkwrap.json",
        ]),
    ) {
        let _ = perceo_core::impact::lockfile::changed_direct_dependencies(name, &old, &new, &|_| false);
        let rules = perceo_core::impact::DependencyRules::default();
        let _ = perceo_core::impact::manifest::diff_package_json(Some(&old), Some(&new), &rules);
    }
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn config_files_never_panic_and_errors_name_the_file_and_place(text in jsonish()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".perceo")).unwrap();
        let file = dir.path().join(".perceo/config.json");
        std::fs::write(&file, &text).unwrap();
        let options = LoadOptions { env: Env::from_pairs([("VAR", "v")]) };
        if let Err(e) = Config::load(dir.path(), &options) {
            prop_assert!(locates(&e, &file), "{e}");
        }
    }

    #[test]
    fn config_set_then_get_round_trips(parallelism in 1u64..=64, name in "[ -~]{1,40}") {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".perceo")).unwrap();
        std::fs::write(dir.path().join(".perceo/config.json"), "{\n  // kept\n  \"project\": { \"name\": \"x\" }\n}\n").unwrap();
        let options = LoadOptions::default();
        let config = Config::load(dir.path(), &options).unwrap();
        config.set("observer.ci.parallelism", serde_json::json!(parallelism), true).unwrap();
        let config = Config::load(dir.path(), &options).unwrap();
        config.set("project.name", serde_json::json!(name.clone()), true).unwrap();
        let config = Config::load(dir.path(), &options).unwrap();
        prop_assert_eq!(config.get("observer.ci.parallelism").unwrap(), serde_json::json!(parallelism));
        prop_assert_eq!(config.get("project.name").unwrap(), serde_json::json!(name));
        let text = std::fs::read_to_string(dir.path().join(".perceo/config.json")).unwrap();
        prop_assert!(text.contains("// kept"));
    }

    #[test]
    fn flow_files_never_panic_and_errors_name_the_file(text in jsonish()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".perceo/flows")).unwrap();
        let file = dir.path().join(".perceo/flows/f.json");
        std::fs::write(&file, &text).unwrap();
        if let Err(e) = load_flows(dir.path()) {
            prop_assert!(locates(&e, &file), "{e}");
        }
    }

    #[test]
    fn flows_written_read_back_the_same(
        id in "[a-z0-9][a-z0-9_-]{0,30}",
        name in "[^\\p{Cc}]{1,40}",
        description in "[^\\p{Cc}]{0,80}",
        pages in prop::collection::vec("/[a-z0-9\\[\\]/-]{0,20}", 0..4),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let flow: Flow = serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "description": description, "pages": pages,
        })).unwrap();
        write_flow_files(dir.path(), std::slice::from_ref(&flow), &[]).unwrap();
        let set = load_flows(dir.path()).unwrap();
        prop_assert_eq!(set.flows.len(), 1);
        prop_assert_eq!(&set.flows[0], &flow);
    }
}

/// A copy of `examples/shop` in a git repository, opened once for every case.
fn shop() -> &'static perceo_core::Perceo {
    static SHOP: std::sync::OnceLock<(tempfile::TempDir, perceo_core::Perceo)> = std::sync::OnceLock::new();
    &SHOP
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop/.");
            let copied = std::process::Command::new("cp")
                .arg("-r")
                .arg(&source)
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(copied.success());
            for args in [
                &["init", "-q"][..],
                &["add", "-A"],
                &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"],
            ] {
                let ok = std::process::Command::new("git")
                    .current_dir(dir.path())
                    .args(args)
                    .status()
                    .unwrap();
                assert!(ok.success());
            }
            let perceo = perceo_core::Perceo::open(dir.path(), perceo_core::OpenOptions::default()).unwrap();
            (dir, perceo)
        })
        .1
}

proptest! {
    #![proptest_config(cases(64))]

    /// What `POST /observer/analyze` and `POST /coordinator/runs` hand to the engines once
    /// their JSON has the right shape: any values give a report or an error, never a panic,
    /// and a ref or time that is not one is refused.
    #[test]
    fn serve_request_bodies_never_panic_the_engines(
        base in prop_oneof![Just("HEAD".to_string()), ".{0,20}"],
        head in prop_oneof![Just("HEAD".to_string()), "[ -~]{0,20}"],
        paths in prop::collection::vec(prop_oneof![".{0,30}", "(\\.\\./){0,3}[a-z/]{1,20}\\.tsx?"], 0..5),
        status in prop::sample::select(vec!["added", "modified", "deleted", "renamed"]),
        started_at in prop_oneof![Just("2026-12-05T08:00:00Z".to_string()), ".{0,30}"],
        flow_ids in prop::collection::vec(".{0,12}", 0..4),
    ) {
        let perceo = shop();
        let request: perceo_core::api::observer::AnalyzeRequest = serde_json::from_value(serde_json::json!({
            "baseSha": base, "headSha": head,
            "files": paths.iter().map(|p| serde_json::json!({"path": p, "status": status, "additions": 1, "deletions": 0})).collect::<Vec<_>>(),
        })).unwrap();
        let analyzed = perceo.analyze_change_set(&request);
        let ref_like = |r: &str| !r.is_empty() && !r.starts_with('-') && r.chars().all(|c| c.is_ascii_alphanumeric() || "/._-~^@{}+".contains(c));
        if !ref_like(&base) || !ref_like(&head) {
            prop_assert!(matches!(analyzed, Err(Error::Argument(_))), "{analyzed:?}");
        }
        let report: perceo_core::coordinator::TestRunReport = serde_json::from_value(serde_json::json!({
            "runId": "r", "startedAt": started_at, "durationMs": 1, "passed": 0, "failed": 0, "uncovered": 0,
            "flows": flow_ids.iter().map(|id| serde_json::json!({"flowId": id, "name": id, "status": "passed", "durationMs": 1, "cases": [], "failures": []})).collect::<Vec<_>>(),
        })).unwrap();
        let recorded = perceo.record_run(&report);
        if humantime::parse_rfc3339_weak(&started_at).is_err() {
            prop_assert!(matches!(recorded, Err(Error::Argument(_))), "{recorded:?}");
        }
    }
}
