//! The Redis event bus against a real Redis (Debian's redis-server, started by
//! `tests/services/redis/redis.sh`, see scripts/test.sh): live delivery, replay after a
//! subscriber restart, a Redis restart mid-stream, bad URL, wrong password, Redis down.
//! The server tests are `#[ignore]`d with the reason, so a plain `cargo test` says it skipped
//! them; `cargo test -- --include-ignored` (what scripts/test.sh runs) runs them.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use perceo_core::bus::redis::RedisBus;
use perceo_core::bus::{Delivery, Event, EventBus, EventFilter, EventMetadata, EventType, Since, Subscription};

fn server() -> String {
    std::env::var("PERCEO_TEST_REDIS_URL").expect(
        "PERCEO_TEST_REDIS_URL is not set: start Redis with tests/services/redis/redis.sh (scripts/test.sh does)",
    )
}

/// A channel (and stream) of its own per test, so tests run in parallel.
fn channel(test: &str) -> String {
    format!("perceo-test:{test}:{}", uuid::Uuid::now_v7())
}

fn event(kind: EventType, n: i64) -> Event {
    Event::new(kind, "test", serde_json::json!({"n": n}), EventMetadata::default())
}

async fn take(sub: &mut Subscription, count: usize) -> Vec<Event> {
    let mut got = Vec::new();
    while got.len() < count {
        match tokio::time::timeout(Duration::from_secs(15), sub.next()).await {
            Ok(Some(Ok(Delivery::Event(e)))) => got.push(e),
            Ok(other) => panic!("unexpected delivery {other:?} after {} events", got.len()),
            Err(_) => panic!("timed out after {} of {count} events", got.len()),
        }
    }
    got
}

fn numbers(events: &[Event]) -> Vec<i64> {
    events.iter().map(|e| e.data["n"].as_i64().unwrap()).collect()
}

#[tokio::test]
#[ignore = "needs a real Redis (PERCEO_TEST_REDIS_URL): scripts/test.sh starts one and runs these with --include-ignored"]
async fn live_delivery_in_order_with_prefix_filter_and_duplicates_dropped() {
    let url = server();
    let bus = RedisBus::connect(&url, Some(&channel("live")), 10_000).await.unwrap();
    let mut all = bus.subscribe(EventFilter::default(), None).await.unwrap();
    let mut observer = bus.subscribe(EventFilter::prefix("observer."), None).await.unwrap();
    let mut published = Vec::new();
    for n in 0..20 {
        let kind = if n % 2 == 0 {
            EventType::ObserverFlowsAffected
        } else {
            EventType::CoordinatorTestFailed
        };
        let e = event(kind, n);
        bus.publish(&e).await.unwrap();
        published.push(e);
    }
    // The same event twice (a publisher retry) is delivered once.
    bus.publish(&published[19]).await.unwrap();
    bus.publish(&event(EventType::ObserverAnalysisComplete, 20))
        .await
        .unwrap();
    assert_eq!(numbers(&take(&mut all, 21).await), (0..=20).collect::<Vec<_>>());
    let obs = take(&mut observer, 11).await;
    assert!(obs.iter().all(|e| e.kind.as_str().starts_with("observer.")));
    assert_eq!(obs[0].id, published[0].id);
}

#[tokio::test]
#[ignore = "needs a real Redis (PERCEO_TEST_REDIS_URL): scripts/test.sh starts one and runs these with --include-ignored"]
async fn a_subscriber_that_restarts_loses_nothing_published_while_it_was_away() {
    let url = server();
    let bus = RedisBus::connect(&url, Some(&channel("restart-sub")), 10_000)
        .await
        .unwrap();
    let mut sub = bus.subscribe(EventFilter::default(), None).await.unwrap();
    for n in 0..5 {
        bus.publish(&event(EventType::GraphFlowUpdated, n)).await.unwrap();
    }
    let seen = take(&mut sub, 5).await;
    let last = seen.last().unwrap().id.clone();
    drop(sub);
    for n in 5..15 {
        bus.publish(&event(EventType::GraphFlowUpdated, n)).await.unwrap();
    }
    let mut again = bus
        .subscribe(EventFilter::default(), Some(Since::Id(last.clone())))
        .await
        .unwrap();
    bus.publish(&event(EventType::GraphFlowUpdated, 15)).await.unwrap();
    assert_eq!(numbers(&take(&mut again, 11).await), (5..=15).collect::<Vec<_>>());
    let replayed = bus.replay(Since::Id(last), &EventFilter::default(), 100).await.unwrap();
    assert_eq!(numbers(&replayed), (5..=15).collect::<Vec<_>>());
    let from_start = bus.replay(Since::Start, &EventFilter::default(), 100).await.unwrap();
    assert_eq!(from_start.len(), 16);
}

fn redis_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/services/redis/redis.sh")
}

fn script(args: &[&str]) -> String {
    let out = std::process::Command::new("bash")
        .arg(redis_script())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "redis.sh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
#[ignore = "needs a real Redis (PERCEO_TEST_REDIS_URL): scripts/test.sh starts one and runs these with --include-ignored (it starts Redis servers of its own with the same script)"]
async fn a_redis_restart_mid_stream_loses_nothing() {
    server();
    // A Redis of its own (with an append-only file) that this test may restart.
    let port = "16391";
    let url = script(&["start", "--port", port, "--aof"]);
    let bus = RedisBus::connect(&url, Some(&channel("restart-redis")), 10_000)
        .await
        .unwrap();
    let mut sub = bus.subscribe(EventFilter::default(), None).await.unwrap();
    for n in 0..10 {
        bus.publish(&event(EventType::AnalyticsDataSynced, n)).await.unwrap();
    }
    assert_eq!(numbers(&take(&mut sub, 10).await), (0..10).collect::<Vec<_>>());
    script(&["stop", "--port", port]);
    // While Redis is down, publishing fails loudly rather than dropping the event.
    let down = bus
        .publish(&event(EventType::AnalyticsDataSynced, -1))
        .await
        .unwrap_err();
    assert_eq!(down.code(), "bus.unreachable", "{down}");
    script(&["start", "--port", port, "--aof"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut n = 10;
    while n < 20 {
        match bus.publish(&event(EventType::AnalyticsDataSynced, n)).await {
            Ok(()) => n += 1,
            Err(e) if Instant::now() < deadline => {
                eprintln!("retrying publish: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("publish after restart: {e}"),
        }
    }
    assert_eq!(numbers(&take(&mut sub, 10).await), (10..20).collect::<Vec<_>>());
    script(&["stop", "--port", port]);
}

#[tokio::test]
#[ignore = "needs a real Redis (PERCEO_TEST_REDIS_URL): scripts/test.sh starts one and runs these with --include-ignored"]
async fn a_wrong_password_is_an_authentication_error_without_the_password() {
    let url = server();
    let wrong = url.replace("perceo-redis-pw", "not-the-password-42");
    let err = RedisBus::connect(&wrong, None, 100).await.unwrap_err();
    assert_eq!(err.code(), "bus.auth", "{err}");
    assert!(!err.to_string().contains("not-the-password-42"), "{err}");
}

#[tokio::test]
async fn redis_down_or_a_bad_url_are_clear_errors_within_seconds() {
    let started = Instant::now();
    let err = RedisBus::connect("redis://:secret-pw@127.0.0.1:1", None, 100)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(err.code(), "bus.unreachable");
    let msg = err.to_string();
    assert!(msg.contains("127.0.0.1:1") && !msg.contains("secret-pw"), "{msg}");
    let err = RedisBus::connect("http://not-redis", None, 100).await.unwrap_err();
    assert_eq!(err.code(), "argument", "{err}");
}

#[tokio::test]
#[ignore = "needs a real Redis (PERCEO_TEST_REDIS_URL): scripts/test.sh starts one and runs these with --include-ignored (it starts Redis servers of its own with the same script)"]
async fn rediss_with_a_private_ca_works_and_an_untrusted_certificate_is_refused() {
    server();
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f).to_string_lossy().into_owned();
    // A private CA and a server certificate it signed (webpki refuses a CA as end entity).
    std::fs::write(p("ext.cnf"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n").unwrap();
    let openssl = |args: &[&str]| {
        let ok = std::process::Command::new("openssl")
            .args(args)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(ok.success(), "openssl {args:?} failed");
    };
    let (ca_key, ca_pem, key, csr, cert) = (p("ca.key"), p("ca.pem"), p("key.pem"), p("server.csr"), p("cert.pem"));
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=perceo-test-ca",
        "-keyout",
        &ca_key,
        "-out",
        &ca_pem,
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        &key,
        "-out",
        &csr,
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca_pem,
        "-CAkey",
        &ca_key,
        "-CAcreateserial",
        "-days",
        "1",
        "-out",
        &cert,
        "-extfile",
        &p("ext.cnf"),
    ]);
    let port = "16402";
    let ok = std::process::Command::new("redis-server")
        .args([
            "--port",
            "0",
            "--tls-port",
            port,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--daemonize",
            "yes",
        ])
        .args([
            "--tls-cert-file",
            &cert,
            "--tls-key-file",
            &key,
            "--tls-ca-cert-file",
            &ca_pem,
        ])
        .args([
            "--tls-auth-clients",
            "no",
            "--pidfile",
            &p("redis.pid"),
            "--logfile",
            &p("redis.log"),
        ])
        .status()
        .unwrap();
    assert!(ok.success());
    struct Kill(String);
    impl Drop for Kill {
        fn drop(&mut self) {
            if let Ok(pid) = std::fs::read_to_string(&self.0) {
                let _ = std::process::Command::new("kill").arg(pid.trim()).status();
            }
        }
    }
    let _kill = Kill(p("redis.pid"));
    let url = format!("rediss://127.0.0.1:{port}");
    let ca = std::fs::read(&ca_pem).unwrap();
    let mut bus = Err(None);
    for _ in 0..50 {
        match RedisBus::connect_with_ca(&url, Some(&channel("tls")), 100, Some(ca.clone())).await {
            Ok(b) => {
                bus = Ok(b);
                break;
            }
            Err(e) => {
                bus = Err(Some(e));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    let bus = bus.unwrap_or_else(|e| panic!("TLS connection with the private CA: {e:?}"));
    let mut sub = bus.subscribe(EventFilter::default(), None).await.unwrap();
    bus.publish(&event(EventType::GraphFlowCreated, 7)).await.unwrap();
    assert_eq!(numbers(&take(&mut sub, 1).await), vec![7]);
    // Without the CA the server's certificate is not trusted.
    assert!(RedisBus::connect(&url, None, 100).await.is_err());
}
