//! A build without an optional Cargo feature refuses the configuration that needs it with
//! `unsupported`, naming the feature, instead of failing to compile or to link. These tests
//! run in the minimal build (`cargo test -p perceo-core --no-default-features`, run by
//! `scripts/test.sh`); the full build compiles none of them.

#![allow(dead_code, unused_imports)]

use perceo_core::bus::EventType;
use perceo_core::{Env, Error, OpenOptions, Perceo};

/// Opens a project whose configuration adds `section` (JSON members) to a minimal one, with
/// `vars` set, and asserts that `call` fails with `unsupported`, naming `feature`.
fn assert_unsupported<T: std::fmt::Debug>(
    section: &str,
    vars: &[(&str, &str)],
    feature: &str,
    call: impl FnOnce(&Perceo) -> Result<T, Error>,
) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".perceo/flows")).unwrap();
    let config = format!(r#"{{"version":"1.0","project":{{"name":"p"}},{section}}}"#);
    std::fs::write(dir.path().join(".perceo/config.json"), config).unwrap();
    let env = Env::from_pairs(vars.iter().copied());
    let perceo = Perceo::open(
        dir.path(),
        OpenOptions {
            env,
            ..Default::default()
        },
    )
    .unwrap();
    let e = call(&perceo).expect_err("the build has no such feature");
    assert_eq!(e.code(), "unsupported", "{e}");
    assert!(e.to_string().contains(&format!("`{feature}` feature")), "{e}");
}

#[cfg(not(feature = "neo4j"))]
#[test]
fn a_neo4j_graph_needs_the_neo4j_feature() {
    assert_unsupported(r#""flowGraph":{"endpoint":"bolt://127.0.0.1:1"}"#, &[], "neo4j", |p| {
        p.graph_status()
    });
}

#[cfg(not(feature = "redis"))]
#[test]
fn a_redis_bus_needs_the_redis_feature() {
    let section = r#""eventBus":{"type":"redis","redisUrl":"redis://127.0.0.1:1"}"#;
    assert_unsupported(section, &[], "redis", |p| {
        p.publish(
            EventType::parse("observer.analysis.completed"),
            "test",
            serde_json::json!({}),
        )
    });
}

#[cfg(not(feature = "remote"))]
#[test]
fn a_managed_api_needs_the_remote_feature() {
    assert_unsupported(
        r#""analyzer":{"apiBaseUrl":"http://127.0.0.1:1"}"#,
        &[],
        "remote",
        |p| p.insights(),
    );
}

#[cfg(not(feature = "analytics"))]
#[test]
fn an_analytics_provider_needs_the_analytics_feature() {
    let section = r#""analytics":{"provider":"mixpanel","credentials":"${MP}"}"#;
    assert_unsupported(section, &[("MP", "user:secret")], "analytics", |p| {
        p.analytics_sync(&Default::default(), &mut |_| {})
    });
}
