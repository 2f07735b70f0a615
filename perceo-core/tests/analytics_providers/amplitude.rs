//! Amplitude: the export API (a zip of gzipped JSON lines), 404 as no data, errors.

use std::io::{Cursor, Write};
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use perceo_core::analytics::providers::{AmplitudeConnector, Connector, FetchStats, TimeRange, connector};
use perceo_core::config::{AnalyticsProvider, AnalyticsSettings, Setting};
use serde_json::json;

use crate::support::*;

pub(crate) const AMPLITUDE_KEY: &str = "amp-test-api-key-0123";
pub(crate) const AMPLITUDE_SECRET: &str = "amp-test-secret-4567";

pub(crate) fn amplitude_settings(base: &str) -> AnalyticsSettings {
    AnalyticsSettings {
        provider: Some(AnalyticsProvider::Amplitude),
        endpoint: Some(Setting(base.to_string())),
        ..Default::default()
    }
}

/// An export archive as Amplitude sends it: a zip whose entries are gzipped JSON lines.
pub(crate) fn amplitude_zip(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (i, (name, content)) in entries.iter().enumerate() {
        let method = if i % 2 == 0 {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        zip.start_file(
            *name,
            zip::write::SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
pub(crate) async fn amplitude_export_reads_a_zip_of_gzipped_jsonl_in_both_time_forms() {
    let hour10 = [
        json!({"event_type": "[Amplitude] Page Viewed", "event_time": "2024-01-15 10:30:00.000000", "user_id": null, "device_id": "dev-1",
               "session_id": 1705314000000_i64, "platform": "Web", "os_name": "Chrome", "device_type": "Windows",
               "event_properties": {"[Amplitude] Page URL": "https://shop.example/product/42?x=1", "[Amplitude] Page Path": "/product/42"},
               "$insert_id": "ins-1", "server_upload_time": "2024-01-15 10:30:05.000000"})
        .to_string(),
        "not json at all".to_string(),
        json!({"event_type": "Add To Cart", "event_time": "2024-01-15T10:31:00.250Z", "user_id": "cust-1", "device_id": "dev-1",
               "session_id": 1705314000000_i64, "platform": "iOS", "device_type": "Apple iPhone 15",
               "event_properties": {"page_path": "/product/42", "price": 19.99}})
        .to_string(),
        // No user at all: malformed.
        json!({"event_type": "orphan", "event_time": "2024-01-15 10:32:00.000000"}).to_string(),
    ];
    let hour11 = [
        json!({"event_type": "Order Completed", "event_time": "2024-01-15 11:00:00.000000", "user_id": "cust-1",
               "session_id": -1, "platform": "Android", "device_family": "Samsung Galaxy Tab", "revenue": 59.97,
               "event_properties": {"url": "https://shop.example/checkout/done"}})
        .to_string(),
        // Uploaded in the window but happened before the range: filtered out.
        json!({"event_type": "early", "event_time": "2024-01-15 09:59:59.999000", "user_id": "cust-2"}).to_string(),
    ];
    let mut corrupt = gzip(b"{\"event_type\": \"x\"}\n");
    corrupt.truncate(12);
    let archive = amplitude_zip(&[
        (
            "187520/187520_2024-01-15_10#0.json.gz",
            gzip(hour10.join("\n").as_bytes()),
        ),
        (
            "187520/187520_2024-01-15_11#0.json.gz",
            gzip(hour11.join("\n").as_bytes()),
        ),
        ("187520/187520_2024-01-15_11#1.json.gz", corrupt),
    ]);
    let (base, log) = serve(move |seen, nth| {
        if seen.path != "/api/2/export" {
            return respond(404, &[], "not found");
        }
        if nth == 0 {
            // A transient failure first: retried.
            return respond(503, &[], "Service Unavailable");
        }
        respond(200, &[("content-type", "application/zip")], archive.clone())
    })
    .await;
    let amplitude = connector(
        &amplitude_settings(&base),
        &format!("{AMPLITUDE_KEY}:{AMPLITUDE_SECRET}"),
        Path::new("."),
    )
    .unwrap();
    assert_eq!(amplitude.provider(), AnalyticsProvider::Amplitude);
    let range = TimeRange {
        start_ms: utc_ms(2024, 1, 15, 10, 0, 0),
        end_ms: utc_ms(2024, 1, 15, 12, 0, 0),
    };
    let (result, events, stats) = fetch_all(amplitude.as_ref(), range).await;
    result.unwrap();

    let requests = requests_to(&log, "/api/2/export");
    assert_eq!(requests.len(), 2, "the 503 was retried");
    assert_eq!(requests[1].query["start"], "20240115T10");
    assert_eq!(requests[1].query["end"], "20240115T11");
    let basic = STANDARD.encode(format!("{AMPLITUDE_KEY}:{AMPLITUDE_SECRET}"));
    assert_eq!(requests[1].header("authorization"), format!("Basic {basic}"));

    assert_eq!(
        stats,
        FetchStats {
            events: 3,
            malformed: 3,
            requests: 1
        },
        "a bad line, a line without user, a corrupt entry"
    );
    let view = &events[0];
    assert_eq!(view.name, "[Amplitude] Page Viewed");
    assert_eq!(view.time_ms, utc_ms(2024, 1, 15, 10, 30, 0));
    assert_eq!(view.user, "dev-1", "device_id when there is no user_id");
    assert_eq!(view.session.as_deref(), Some("1705314000000"));
    assert_eq!(view.page.as_deref(), Some("/product/42"));
    assert_eq!(view.device.as_deref(), Some("desktop"));
    assert_eq!(view.insert_id.as_deref(), Some("ins-1"));
    let cart = &events[1];
    assert_eq!(
        cart.time_ms,
        utc_ms(2024, 1, 15, 10, 31, 0) + 250,
        "ISO form with T and Z"
    );
    assert_eq!(cart.user, "cust-1");
    assert_eq!(cart.device.as_deref(), Some("mobile"));
    assert_eq!(cart.revenue, Some(19.99));
    let order = &events[2];
    assert_eq!(order.session, None, "session_id -1 is no session");
    assert_eq!(order.device.as_deref(), Some("tablet"));
    assert_eq!(order.page.as_deref(), Some("/checkout/done"));
    assert_eq!(order.revenue, Some(59.97), "top-level revenue");
}

#[tokio::test]
pub(crate) async fn amplitude_404_means_no_data_and_ranges_are_asked_for_a_day_at_a_time() {
    let (base, log) =
        serve(|_, _| respond(404, &[("content-type", "text/plain")], "Raw data files were not found.")).await;
    let amplitude = AmplitudeConnector::new(
        &amplitude_settings(&base),
        &format!("{AMPLITUDE_KEY}:{AMPLITUDE_SECRET}"),
    )
    .unwrap();
    let range = TimeRange {
        start_ms: utc_ms(2024, 1, 15, 0, 0, 0),
        end_ms: utc_ms(2024, 1, 17, 0, 0, 0),
    };
    let (result, events, stats) = fetch_all(&amplitude, range).await;
    result.unwrap();
    assert!(events.is_empty());
    assert_eq!(
        stats,
        FetchStats {
            events: 0,
            malformed: 0,
            requests: 2
        }
    );
    let windows: Vec<(String, String)> = requests_to(&log, "/api/2/export")
        .iter()
        .map(|r| (r.query["start"].clone(), r.query["end"].clone()))
        .collect();
    assert_eq!(
        windows,
        [
            ("20240115T00".to_string(), "20240115T23".to_string()),
            ("20240116T00".to_string(), "20240116T23".to_string())
        ]
    );
    // The check asks for one hour; 404 (no data) still proves the credentials.
    amplitude.check().await.unwrap();
    let last = requests_to(&log, "/api/2/export").pop().unwrap();
    assert_eq!(last.query["start"], last.query["end"], "one hour");
}

#[tokio::test]
pub(crate) async fn amplitude_401_is_a_clear_error_without_the_keys() {
    let (base, _) =
        serve(|_, _| respond(401, &[("content-type", "text/plain")], "Invalid API key or secret key")).await;
    let amplitude = connector(
        &amplitude_settings(&base),
        &format!("{AMPLITUDE_KEY}:{AMPLITUDE_SECRET}"),
        Path::new("."),
    )
    .unwrap();
    let err = amplitude.check().await.unwrap_err();
    let text = err.to_string();
    assert_eq!(err.code(), "api.auth");
    assert!(
        text.contains("amplitude") && text.contains("401") && text.contains("Invalid API key"),
        "{text}"
    );
    assert!(
        !text.contains(AMPLITUDE_SECRET) && !text.contains(AMPLITUDE_KEY),
        "{text}"
    );
}

#[tokio::test]
pub(crate) async fn a_body_that_is_not_a_zip_is_an_error_not_a_panic() {
    let (base, _) = serve(|_, _| respond(200, &[("content-type", "application/zip")], "PK? not really")).await;
    let amplitude = connector(
        &amplitude_settings(&base),
        &format!("{AMPLITUDE_KEY}:{AMPLITUDE_SECRET}"),
        Path::new("."),
    )
    .unwrap();
    let range = TimeRange {
        start_ms: utc_ms(2024, 1, 15, 0, 0, 0),
        end_ms: utc_ms(2024, 1, 15, 1, 0, 0),
    };
    let err = fetch_all(amplitude.as_ref(), range).await.0.unwrap_err();
    assert!(err.to_string().contains("zip"), "{err}");
}
