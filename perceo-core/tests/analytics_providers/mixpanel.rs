//! Mixpanel: the raw export (gzip JSON lines), legacy secrets, errors.

use std::path::Path;

use axum::body::{Body, Bytes};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use perceo_core::analytics::providers::{FetchStats, TimeRange, connector};
use perceo_core::config::{AnalyticsProvider, AnalyticsSettings, Region, Setting};
use serde_json::{Value, json};

use crate::support::*;

pub(crate) const MIXPANEL_USER: &str = "perceo-test.0a1b2c.mp-service-account";
pub(crate) const MIXPANEL_SECRET: &str = "mp-test-secret-0123456789";

pub(crate) fn mixpanel_settings(base: &str, project_id: Option<u64>) -> AnalyticsSettings {
    let mut settings = AnalyticsSettings {
        provider: Some(AnalyticsProvider::Mixpanel),
        endpoint: Some(Setting(base.to_string())),
        ..Default::default()
    };
    settings.mixpanel.project_id = project_id;
    settings.mixpanel.region = Region::Eu;
    settings
}

pub(crate) fn mp(event: &str, props: Value) -> String {
    json!({"event": event, "properties": props}).to_string()
}

#[tokio::test]
pub(crate) async fn mixpanel_export_streams_gzip_jsonl_dedupes_and_counts_malformed_lines() {
    let t = |h, m| utc_ms(2024, 1, 15, h, m, 0) / 1000;
    let mut lines = vec![
        mp(
            "$mp_web_page_view",
            json!({"time": t(10, 0), "distinct_id": "u1", "$insert_id": "a1", "$current_url": "https://shop.example/product/42?ref=mail", "$os": "Windows", "$browser": "Chrome", "mp_processing_time_ms": 1705312801234_i64}),
        ),
        // The same event exported twice: dropped.
        mp(
            "$mp_web_page_view",
            json!({"time": t(10, 0), "distinct_id": "u1", "$insert_id": "a1", "$current_url": "https://shop.example/product/42?ref=mail", "$os": "Windows"}),
        ),
        // Same $insert_id, another user: kept.
        mp(
            "$mp_web_page_view",
            json!({"time": t(10, 0), "distinct_id": "u2", "$insert_id": "a1", "$current_url": "https://shop.example/", "$os": "Android"}),
        ),
        "{\"event\": \"broken".to_string(),
        json!({"event": "no properties"}).to_string(),
        mp(
            "Order Completed",
            json!({"time": t(10, 5), "$device_id": "dev-9", "$insert_id": "b2", "$device": "iPhone", "$os": "iOS", "revenue": 59.97}),
        ),
        mp(
            "Add To Cart",
            json!({"time": t(10, 3), "distinct_id": "u1", "price": "19.99", "$os": "Mac OS X"}),
        ),
        // On the export's last day but after the range: filtered out, not malformed.
        mp(
            "late",
            json!({"time": utc_ms(2024, 1, 16, 13, 0, 0) / 1000, "distinct_id": "u1", "$insert_id": "c3"}),
        ),
        String::new(),
    ];
    // Padding, so the body is well over Mixpanel's 1,400-byte gzip threshold.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut noise = || {
        (0..40)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                char::from(b'a' + (seed >> 59) as u8 % 26)
            })
            .collect::<String>()
    };
    for i in 0..40 {
        lines.push(mp(
            "Scroll",
            json!({"time": t(11, i), "distinct_id": format!("filler-{i}"), "$insert_id": format!("f{i}"), "$os": "Linux", "padding": noise()}),
        ));
    }
    let body = gzip(lines.join("\n").as_bytes());
    assert!(body.len() > 1400);
    let (base, log) = serve(move |seen, _| {
        if seen.path != "/api/2.0/export" {
            return respond(404, &[], "not found");
        }
        // Small chunks, so lines and gzip blocks straddle chunk borders.
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            body.chunks(7).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        respond(
            200,
            &[
                ("content-type", "text/plain; charset=utf-8"),
                ("content-encoding", "gzip"),
            ],
            Body::from_stream(tokio_stream::iter(chunks)),
        )
    })
    .await;
    let mixpanel = connector(
        &mixpanel_settings(&base, Some(4242)),
        &format!("{MIXPANEL_USER}:{MIXPANEL_SECRET}"),
        Path::new("."),
    )
    .unwrap();
    assert_eq!(mixpanel.provider(), AnalyticsProvider::Mixpanel);
    let range = TimeRange {
        start_ms: utc_ms(2024, 1, 15, 0, 0, 0),
        end_ms: utc_ms(2024, 1, 16, 12, 0, 0),
    };
    let (result, events, stats) = fetch_all(mixpanel.as_ref(), range).await;
    result.unwrap();

    let requests = requests_to(&log, "/api/2.0/export");
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.query["from_date"], "2024-01-15");
    assert_eq!(request.query["to_date"], "2024-01-16");
    assert_eq!(request.query["project_id"], "4242");
    assert!(!request.query.contains_key("limit"));
    assert!(
        request.header("accept-encoding").contains("gzip"),
        "{:?}",
        request.headers
    );
    let basic = STANDARD.encode(format!("{MIXPANEL_USER}:{MIXPANEL_SECRET}"));
    assert_eq!(request.header("authorization"), format!("Basic {basic}"));

    assert_eq!(
        stats,
        FetchStats {
            events: 4 + 40,
            malformed: 2,
            requests: 1
        }
    );
    let view = &events[0];
    assert_eq!(view.name, "$mp_web_page_view");
    assert_eq!(view.time_ms, utc_ms(2024, 1, 15, 10, 0, 0));
    assert_eq!(view.user, "u1");
    assert_eq!(view.page.as_deref(), Some("/product/42"));
    assert_eq!(view.device.as_deref(), Some("desktop"));
    assert_eq!(view.insert_id.as_deref(), Some("a1"));
    assert_eq!(
        (events[1].user.as_str(), events[1].device.as_deref()),
        ("u2", Some("mobile"))
    );
    let order = &events[2];
    assert_eq!(order.user, "dev-9", "falls back to $device_id");
    assert_eq!(order.device.as_deref(), Some("mobile"));
    assert_eq!(order.revenue, Some(59.97));
    assert_eq!(events[3].revenue, Some(19.99), "price as a string");
    assert!(events.iter().all(|e| range.contains(e.time_ms)));
}

#[tokio::test]
pub(crate) async fn mixpanel_legacy_secret_checks_with_a_one_day_export_of_one_event() {
    let (base, log) = serve(|_, _| {
        respond(
            200,
            &[("content-type", "text/plain")],
            mp("x", json!({"time": 1705312800, "distinct_id": "u"})),
        )
    })
    .await;
    let mixpanel = connector(&mixpanel_settings(&base, None), "legacy-api-secret-123", Path::new(".")).unwrap();
    mixpanel.check().await.unwrap();
    let requests = requests_to(&log, "/api/2.0/export");
    assert_eq!(requests.len(), 1);
    let q = &requests[0].query;
    assert_eq!(q["limit"], "1");
    assert_eq!(q["from_date"], q["to_date"], "one day");
    assert!(!q.contains_key("project_id"));
    let basic = STANDARD.encode("legacy-api-secret-123:");
    assert_eq!(requests[0].header("authorization"), format!("Basic {basic}"));
}

#[tokio::test]
pub(crate) async fn mixpanel_401_is_a_clear_error_and_the_secret_is_masked_even_if_echoed() {
    let (base, _) = serve(|_, _| {
        json_response(
            401,
            &json!({"error": format!("Invalid credentials: {MIXPANEL_SECRET} is not a valid secret for project 4242"), "status": "error"}),
        )
    })
    .await;
    let mixpanel = connector(
        &mixpanel_settings(&base, Some(4242)),
        &format!("{MIXPANEL_USER}:{MIXPANEL_SECRET}"),
        Path::new("."),
    )
    .unwrap();
    let range = TimeRange {
        start_ms: utc_ms(2024, 1, 15, 0, 0, 0),
        end_ms: utc_ms(2024, 1, 16, 0, 0, 0),
    };
    let (result, _, stats) = fetch_all(mixpanel.as_ref(), range).await;
    let err = result.unwrap_err();
    let text = err.to_string();
    assert_eq!(err.code(), "api.auth");
    assert!(
        text.contains("mixpanel") && text.contains("401") && text.contains("Invalid credentials"),
        "{text}"
    );
    assert!(!text.contains(MIXPANEL_SECRET), "{text}");
    assert_eq!(stats.events, 0);
}

// ---------------------------------------------------------------------------------------
// Amplitude
// ---------------------------------------------------------------------------------------
