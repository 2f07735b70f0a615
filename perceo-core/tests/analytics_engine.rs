//! The Analytics facade on the example app: stored events → correlation → production metrics
//! in the graph, and the events it publishes on the bus.

use std::path::Path;

use perceo_core::analytics::event::AnalyticsEvent;
use perceo_core::analytics::store::EventStore;
use perceo_core::bus::{Delivery, EventFilter, EventType, Since};
use perceo_core::{Env, OpenOptions, Perceo};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn event(user: &str, minutes: i64, name: &str, page: Option<&str>) -> AnalyticsEvent {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    AnalyticsEvent {
        name: name.into(),
        time_ms: now - 3_600_000 + minutes * 60_000,
        user: user.into(),
        session: None,
        page: page.map(String::from),
        device: Some("desktop".into()),
        new_user: None,
        revenue: None,
        insert_id: None,
    }
}

#[test]
fn correlation_writes_metrics_to_the_graph_and_publishes_its_events() {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop");
    copy_dir(&root, tmp.path());
    let config = tmp.path().join(".perceo/config.json");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        perceo_core::config::set_key_in_text(&text, "analytics.provider", "mixpanel".into()).unwrap(),
    )
    .unwrap();
    let perceo = Perceo::open(
        tmp.path(),
        OpenOptions {
            env: Env::default(),
            local: true,
            ..Default::default()
        },
    )
    .unwrap();
    let store: EventStore = perceo.analytics_store().unwrap();
    let events = vec![
        event("a", 0, "view_item", Some("/product/1")),
        event("a", 1, "add_to_cart", Some("/product/1")),
        event("a", 2, "page_view", Some("/cart")),
        event("b", 0, "view_item", Some("/product/2")),
    ];
    store.write(0, i64::MAX, &events).unwrap();
    let report = perceo.analytics_correlate().unwrap();
    let flow = report.flows.iter().find(|f| f.flow == "add-to-cart").unwrap();
    assert_eq!((flow.sessions_entered, flow.sessions_completed), (2, 1));
    let stored = perceo.flow_record("add-to-cart").unwrap().unwrap();
    let metrics = stored.production_metrics.unwrap();
    assert_eq!(metrics.success_rate, 0.5);
    assert_eq!(
        metrics.funnel.iter().map(|s| s.sessions).collect::<Vec<_>>(),
        vec![2, 1, 1]
    );
    // The events the correlation published, replayed from the bus's log.
    let mut kinds = Vec::new();
    let deadline = async { tokio::time::sleep(std::time::Duration::from_secs(5)).await };
    perceo
        .follow(
            EventFilter::prefix("analytics."),
            Some(Since::Start),
            deadline,
            &mut |delivery| {
                if let Delivery::Event(e) = delivery {
                    if e.kind == EventType::AnalyticsMetricsUpdated {
                        kinds.push(format!("{}:{}", e.kind.as_str(), e.data["flowId"].as_str().unwrap()));
                    } else {
                        kinds.push(e.kind.as_str().to_string());
                    }
                }
                kinds.last().map(String::as_str) != Some("analytics.correlation.complete")
            },
        )
        .unwrap();
    assert_eq!(
        kinds.last().map(String::as_str),
        Some("analytics.correlation.complete"),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"analytics.metrics.updated:add-to-cart".to_string()),
        "{kinds:?}"
    );
    assert_eq!(kinds.last().unwrap(), "analytics.correlation.complete");
}

/// Every event type of the catalogue Perceo publishes: here the graph's flow events and a
/// discovered journey (the others are asserted where their engine is tested).
#[test]
fn flow_edits_and_discovered_journeys_are_published() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop"),
        tmp.path(),
    );
    let config = tmp.path().join(".perceo/config.json");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        perceo_core::config::set_key_in_text(&text, "analytics.provider", "mixpanel".into()).unwrap(),
    )
    .unwrap();
    let perceo = Perceo::open(
        tmp.path(),
        OpenOptions {
            local: true,
            ..Default::default()
        },
    )
    .unwrap();
    perceo.sync_graph().unwrap();
    let flow: perceo_core::flows::Flow = serde_json::from_value(serde_json::json!({
        "id": "wishlist", "name": "Wishlist", "pages": ["/"], "steps": [{"name": "Open", "page": "/"}]
    }))
    .unwrap();
    perceo.create_flow(&flow).unwrap();
    perceo.delete_flow("wishlist").unwrap();
    // Three users share a journey no flow covers.
    let mut events = Vec::new();
    for user in ["a", "b", "c"] {
        events.push(event(user, 0, "page_view", Some("/orders/1")));
        events.push(event(user, 1, "share_order", Some("/orders/1")));
    }
    let store = EventStore::new(tmp.path(), "mixpanel");
    store.write(0, i64::MAX, &events).unwrap();
    let gaps = perceo.analytics_gaps(2, 10).unwrap();
    assert!(!gaps.is_empty());
    let mut seen = Vec::new();
    let deadline = async { tokio::time::sleep(std::time::Duration::from_secs(5)).await };
    perceo
        .follow(EventFilter::prefix(""), Some(Since::Start), deadline, &mut |delivery| {
            if let Delivery::Event(e) = delivery {
                let id = e.data["flowId"].as_str().map(String::from);
                seen.push((e.kind.as_str().to_string(), e.source.clone(), id));
            }
            !seen.iter().any(|(k, _, _)| k == "analyzer.flow.discovered")
        })
        .unwrap();
    let has = |kind: &str, id: Option<&str>| seen.iter().any(|(k, _, i)| k == kind && i.as_deref() == id);
    assert!(has("graph.flow.created", Some("wishlist")), "{seen:?}");
    assert!(has("graph.flow.deleted", Some("wishlist")), "{seen:?}");
    assert!(
        has("graph.flow.created", Some("checkout")),
        "the first sync creates the example's flows: {seen:?}"
    );
    assert!(
        seen.iter()
            .any(|(k, s, _)| k == "analyzer.flow.discovered" && s == "analytics"),
        "{seen:?}"
    );
}
