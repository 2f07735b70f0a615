//! Contract tests of the analytics connectors against local servers that answer exactly in
//! each provider's format: GA4 (OAuth JWT bearer grant + Data API `runReport`, BigQuery export
//! files), Mixpanel (Raw Event Export, gzip JSON lines) and Amplitude (Export API, a zip of
//! gzipped JSON lines).
//!
//! The GA4 key under `tests/fixtures/analytics/` is a throwaway TEST-ONLY key.

use std::collections::HashMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use flate2::Compression;
use flate2::write::GzEncoder;
use perceo_core::analytics::event::AnalyticsEvent;
use perceo_core::analytics::providers::{
    AmplitudeConnector, Connector, FetchStats, Ga4Connector, TimeRange, connector,
};
use perceo_core::config::{AnalyticsProvider, AnalyticsSettings, Region, Setting};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// A recording mock server
// ---------------------------------------------------------------------------------------

/// One request the mock server saw.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: HashMap<String, String>,
    headers: HashMap<String, String>,
    body: Vec<u8>,
    at: Instant,
}

impl Seen {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = || {
            std::str::from_utf8(bytes.get(i + 1..i + 3)?)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if hex().is_some() => {
                out.extend(hex());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn form(text: &str) -> HashMap<String, String> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Starts a server on 127.0.0.1:0 whose answers come from `answer(request, index of the
/// request among those with the same path)`. Returns its base URL and the request log.
async fn serve(answer: impl Fn(&Seen, usize) -> Response + Send + Sync + 'static) -> (String, Log) {
    let log: Log = Arc::default();
    let answer = Arc::new(answer);
    let router = axum::Router::new().fallback({
        let log = log.clone();
        move |request: Request| {
            let log = log.clone();
            let answer = answer.clone();
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, 64 << 20).await.unwrap_or_default().to_vec();
                let seen = Seen {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_string(),
                    query: form(parts.uri.query().unwrap_or("")),
                    headers: parts
                        .headers
                        .iter()
                        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                        .collect(),
                    body,
                    at: Instant::now(),
                };
                let nth = {
                    let mut log = log.lock().unwrap();
                    let nth = log.iter().filter(|s| s.path == seen.path).count();
                    log.push(seen.clone());
                    nth
                };
                answer(&seen, nth)
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (base, log)
}

fn respond(status: u16, headers: &[(&str, &str)], body: impl Into<Body>) -> Response {
    let mut builder = Response::builder().status(status);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(body.into()).unwrap()
}

fn json_response(status: u16, body: &Value) -> Response {
    respond(
        status,
        &[("content-type", "application/json; charset=UTF-8")],
        body.to_string(),
    )
}

fn requests_to(log: &Log, path: &str) -> Vec<Seen> {
    log.lock().unwrap().iter().filter(|s| s.path == path).cloned().collect()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/analytics")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Collects what a fetch delivers.
async fn fetch_all(
    connector: &dyn Connector,
    range: TimeRange,
) -> (perceo_core::Result<()>, Vec<AnalyticsEvent>, FetchStats) {
    let mut events = Vec::new();
    let mut stats = FetchStats::default();
    let result = connector.fetch(range, &mut |e| events.push(e), &mut stats).await;
    (result, events, stats)
}

/// Milliseconds of a UTC date and time.
fn utc_ms(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    // Days from civil (H. Hinnant), independent of the code under test.
    let (y, mo) = (i64::from(y) - i64::from(mo <= 2), i64::from(mo));
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + i64::from(d) - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    ((days * 24 + i64::from(h)) * 60 + i64::from(mi)) * 60_000 + i64::from(s) * 1000
}

// ---------------------------------------------------------------------------------------
// GA4
// ---------------------------------------------------------------------------------------

const GA4_PROPERTY: &str = "123456";
const GA4_REPORT_PATH: &str = "/v1beta/properties/123456:runReport";
const ACCESS_TOKEN: &str = "ya29.test-only-access-token";
const SCOPE: &str = "https://www.googleapis.com/auth/analytics.readonly";

fn fixture_key(file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join(file)).unwrap()).unwrap()
}

/// The TEST-ONLY service-account key with `token_uri` pointing at the mock server.
fn ga4_credentials(file: &str, base: &str) -> String {
    let mut key = fixture_key(file);
    key["token_uri"] = json!(format!("{base}/token"));
    key.to_string()
}

fn ga4_settings(base: &str) -> AnalyticsSettings {
    let mut settings = AnalyticsSettings {
        provider: Some(AnalyticsProvider::Ga4),
        endpoint: Some(Setting(base.to_string())),
        ..Default::default()
    };
    settings.ga4.property_id = Some(GA4_PROPERTY.into());
    settings
}

fn public_key_der() -> Vec<u8> {
    let pem = std::fs::read_to_string(fixtures().join("ga4-test-public-key.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

/// Checks a JWT bearer assertion as Google would: RS256 signature with the fixture's public
/// key, header, and the claims iss/scope/aud/iat/exp.
fn verify_assertion(assertion: &str, expected_aud: &str) -> Result<(), String> {
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err(format!("a JWT has 3 parts, this one {}", parts.len()));
    };
    let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|e| format!("not base64url: {e}"));
    let signature = decode(signature)?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, public_key_der())
        .verify(format!("{header}.{claims}").as_bytes(), &signature)
        .map_err(|_| "Invalid JWT Signature.".to_string())?;
    let header: Value = serde_json::from_slice(&decode(header)?).map_err(|e| e.to_string())?;
    let claims: Value = serde_json::from_slice(&decode(claims)?).map_err(|e| e.to_string())?;
    let key = fixture_key("ga4-test-service-account.json");
    if header["alg"] != "RS256" || header["typ"] != "JWT" {
        return Err(format!("bad header {header}"));
    }
    if header["kid"] != key["private_key_id"] {
        return Err(format!("kid {} is not the key id", header["kid"]));
    }
    if claims["iss"] != key["client_email"] {
        return Err(format!("iss {} is not the client email", claims["iss"]));
    }
    if claims["scope"] != SCOPE {
        return Err(format!("scope {}", claims["scope"]));
    }
    if claims["aud"] != expected_aud {
        return Err(format!("aud {} is not {expected_aud}", claims["aud"]));
    }
    let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) else {
        return Err("iat/exp are not integers".into());
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    if (iat - now).abs() > 60 {
        return Err(format!("iat {iat} is not now ({now})"));
    }
    if exp <= iat || exp - iat > 3600 {
        return Err(format!("exp - iat = {} is not within (0, 3600]", exp - iat));
    }
    Ok(())
}

/// Google's token endpoint: a form with the JWT bearer grant, verified.
fn token_endpoint(seen: &Seen, base: &str) -> Response {
    let invalid = |why: String| json_response(400, &json!({"error": "invalid_grant", "error_description": why}));
    if seen.method != "POST"
        || !seen
            .header("content-type")
            .starts_with("application/x-www-form-urlencoded")
    {
        return invalid(format!(
            "expected a form POST, got {} {}",
            seen.method,
            seen.header("content-type")
        ));
    }
    let fields = form(&String::from_utf8_lossy(&seen.body));
    if fields.get("grant_type").map(String::as_str) != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return json_response(
            400,
            &json!({"error": "unsupported_grant_type", "error_description": format!("Invalid grant_type: {:?}", fields.get("grant_type"))}),
        );
    }
    match verify_assertion(
        fields.get("assertion").map_or("", String::as_str),
        &format!("{base}/token"),
    ) {
        Ok(()) => json_response(
            200,
            &json!({"access_token": ACCESS_TOKEN, "expires_in": 3599, "token_type": "Bearer"}),
        ),
        Err(why) => invalid(why),
    }
}

fn google_error(code: u16, status: &str, message: &str) -> Response {
    json_response(
        code,
        &json!({"error": {"code": code, "message": message, "status": status}}),
    )
}

fn one_row_report() -> Value {
    json!({
        "dimensionHeaders": [],
        "metricHeaders": [{"name": "activeUsers", "type": "TYPE_INTEGER"}],
        "rows": [{"metricValues": [{"value": "42"}]}],
        "rowCount": 1,
        "metadata": {"currencyCode": "USD", "timeZone": "Etc/UTC"},
        "kind": "analyticsData#runReport"
    })
}

/// A GA4 mock: `/token` verifies the grant; `runReport` checks the bearer token, then asks
/// `report(request, nth)`.
async fn ga4_server(report: impl Fn(&Seen, usize) -> Response + Send + Sync + 'static) -> (String, Log) {
    let base_cell: Arc<Mutex<String>> = Arc::default();
    let cell = base_cell.clone();
    let (base, log) = serve(move |seen, nth| match seen.path.as_str() {
        "/token" => token_endpoint(seen, &cell.lock().unwrap()),
        GA4_REPORT_PATH => {
            if seen.method != "POST" {
                return google_error(405, "METHOD_NOT_ALLOWED", "use POST");
            }
            if seen.header("authorization") != format!("Bearer {ACCESS_TOKEN}") {
                return google_error(
                    401,
                    "UNAUTHENTICATED",
                    "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                );
            }
            report(seen, nth)
        }
        other => google_error(404, "NOT_FOUND", &format!("no route {other}")),
    })
    .await;
    *base_cell.lock().unwrap() = base.clone();
    (base, log)
}

#[tokio::test]
async fn ga4_check_signs_an_rs256_jwt_exchanges_it_and_runs_a_one_row_report() {
    for key_file in ["ga4-test-service-account.json", "ga4-test-service-account-pkcs1.json"] {
        let (base, log) = ga4_server(|_, _| json_response(200, &one_row_report())).await;
        let settings = ga4_settings(&base);
        let ga4 = connector(&settings, &ga4_credentials(key_file, &base), Path::new(".")).unwrap();
        assert_eq!(ga4.provider(), AnalyticsProvider::Ga4);
        ga4.check().await.unwrap_or_else(|e| panic!("{key_file}: {e}"));
        ga4.check().await.unwrap();

        assert_eq!(requests_to(&log, "/token").len(), 1, "{key_file}: the token is cached");
        let reports = requests_to(&log, GA4_REPORT_PATH);
        assert_eq!(reports.len(), 2);
        let body = reports[0].json();
        assert_eq!(body["limit"], "1", "limit is an int64, sent as a string");
        assert_eq!(body["metrics"], json!([{"name": "activeUsers"}]));
        assert!(body["dateRanges"][0]["startDate"].is_string());
        assert!(reports[0].header("user-agent").starts_with("perceo/"));
    }
}

#[tokio::test]
async fn ga4_aggregates_page_through_run_report_with_string_offsets() {
    // 25 days of rows, read 10 per page: offsets 0, 10, 20.
    let rows: Vec<Value> = (1..=25)
        .map(|d| {
            json!({
                "dimensionValues": [{"value": format!("202401{d:02}")}],
                "metricValues": [{"value": format!("{}", 100 + d)}, {"value": format!("{}", d % 3)}, {"value": format!("{}.25", d)}]
            })
        })
        .collect();
    let (base, log) = ga4_server(move |seen, _| {
        let body = seen.json();
        let (Some(offset), Some(limit)) = (
            body["offset"].as_str().and_then(|s| s.parse::<usize>().ok()),
            body["limit"].as_str().and_then(|s| s.parse::<usize>().ok()),
        ) else {
            return google_error(400, "INVALID_ARGUMENT", "offset and limit must be int64 strings");
        };
        let page: Vec<Value> = rows.iter().skip(offset).take(limit).cloned().collect();
        json_response(
            200,
            &json!({
                "dimensionHeaders": [{"name": "date"}],
                "metricHeaders": [
                    {"name": "activeUsers", "type": "TYPE_INTEGER"},
                    {"name": "transactions", "type": "TYPE_INTEGER"},
                    {"name": "purchaseRevenue", "type": "TYPE_CURRENCY"}
                ],
                "rows": page,
                "rowCount": 25,
                "metadata": {"currencyCode": "USD", "timeZone": "America/Los_Angeles"},
                "kind": "analyticsData#runReport"
            }),
        )
    })
    .await;
    let ga4 = Ga4Connector::new(
        &ga4_settings(&base),
        &ga4_credentials("ga4-test-service-account.json", &base),
        Path::new("."),
    )
    .unwrap()
    .with_page_size(10);
    let range = TimeRange {
        start_ms: utc_ms(2024, 1, 1, 0, 0, 0),
        end_ms: utc_ms(2024, 1, 26, 0, 0, 0),
    };
    let aggregates = ga4.aggregates(range).await.unwrap().expect("GA4 reports aggregates");

    let reports = requests_to(&log, GA4_REPORT_PATH);
    let offsets: Vec<Value> = reports.iter().map(|r| r.json()["offset"].clone()).collect();
    assert_eq!(offsets, [json!("0"), json!("10"), json!("20")]);
    for r in &reports {
        let body = r.json();
        assert_eq!(body["limit"], "10");
        assert_eq!(
            body["dateRanges"],
            json!([{"startDate": "2024-01-01", "endDate": "2024-01-25"}])
        );
        assert_eq!(body["dimensions"], json!([{"name": "date"}]));
        assert_eq!(
            body["metrics"],
            json!([{"name": "activeUsers"}, {"name": "transactions"}, {"name": "purchaseRevenue"}])
        );
    }
    assert_eq!(aggregates.daily_active_users.len(), 25);
    assert_eq!(aggregates.daily_active_users["2024-01-01"], 101);
    assert_eq!(aggregates.daily_active_users["2024-01-25"], 125);
    assert_eq!(aggregates.transactions, (1..=25u64).map(|d| d % 3).sum::<u64>());
    let revenue: f64 = (1..=25).map(|d| f64::from(d) + 0.25).sum();
    assert!((aggregates.purchase_revenue - revenue).abs() < 1e-9);
}

#[tokio::test]
async fn ga4_an_empty_report_without_rows_or_row_count_is_zero() {
    let (base, log) = ga4_server(|_, _| {
        json_response(200, &json!({"metricHeaders": [{"name": "activeUsers", "type": "TYPE_INTEGER"}], "metadata": {"currencyCode": "USD"}, "kind": "analyticsData#runReport"}))
    })
    .await;
    let ga4 = Ga4Connector::new(
        &ga4_settings(&base),
        &ga4_credentials("ga4-test-service-account.json", &base),
        Path::new("."),
    )
    .unwrap();
    let range = TimeRange {
        start_ms: utc_ms(2024, 1, 1, 0, 0, 0),
        end_ms: utc_ms(2024, 1, 2, 0, 0, 0),
    };
    let aggregates = ga4.aggregates(range).await.unwrap().unwrap();
    assert!(aggregates.daily_active_users.is_empty());
    assert_eq!((aggregates.transactions, aggregates.purchase_revenue), (0, 0.0));
    assert_eq!(requests_to(&log, GA4_REPORT_PATH).len(), 1);
}

#[tokio::test]
async fn ga4_a_429_is_retried_after_the_retry_after_it_names() {
    let (base, log) = ga4_server(|_, nth| match nth {
        0 => {
            let mut response = google_error(
                429,
                "RESOURCE_EXHAUSTED",
                "Exhausted property tokens per hour for this property.",
            );
            response.headers_mut().insert("retry-after", "1".parse().unwrap());
            response
        }
        _ => json_response(200, &one_row_report()),
    })
    .await;
    let ga4 = connector(
        &ga4_settings(&base),
        &ga4_credentials("ga4-test-service-account.json", &base),
        Path::new("."),
    )
    .unwrap();
    ga4.check().await.unwrap();
    let reports = requests_to(&log, GA4_REPORT_PATH);
    assert_eq!(reports.len(), 2, "one 429, then the retry");
    let waited = reports[1].at - reports[0].at;
    assert!(
        waited >= Duration::from_secs(1),
        "Retry-After: 1 was honoured ({waited:?})"
    );
    assert!(waited < Duration::from_secs(5), "and not much more ({waited:?})");
}

#[tokio::test]
async fn ga4_401_403_and_refused_grants_are_clear_errors_without_secrets() {
    let key = fixture_key("ga4-test-service-account.json");
    let pem = key["private_key"].as_str().unwrap().to_string();
    let key_fragment: String = pem.lines().nth(5).unwrap().to_string();
    let client_email = key["client_email"].as_str().unwrap().to_string();
    let assert_secret_free = |text: &str| {
        assert!(!text.contains(&key_fragment), "private key in: {text}");
        assert!(!text.contains(ACCESS_TOKEN), "access token in: {text}");
        assert!(!text.contains("eyJ"), "a JWT in: {text}");
    };

    // 403: the service account is not a user of the property.
    let (base, _) = ga4_server(|_, _| {
        google_error(
            403,
            "PERMISSION_DENIED",
            "User does not have sufficient permissions for this property.",
        )
    })
    .await;
    let ga4 = connector(
        &ga4_settings(&base),
        &ga4_credentials("ga4-test-service-account.json", &base),
        Path::new("."),
    )
    .unwrap();
    let err = ga4.check().await.unwrap_err();
    let text = err.to_string();
    assert_eq!(err.code(), "api.auth");
    assert!(text.contains("403"), "{text}");
    assert!(
        text.contains("User does not have sufficient permissions for this property."),
        "{text}"
    );
    assert!(text.contains(&client_email), "names the account to add: {text}");
    assert_secret_free(&text);

    // 401 from the Data API: the token is renewed once, then the error is reported.
    let (base, log) = ga4_server(|_, _| {
        google_error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials.",
        )
    })
    .await;
    let ga4 = connector(
        &ga4_settings(&base),
        &ga4_credentials("ga4-test-service-account.json", &base),
        Path::new("."),
    )
    .unwrap();
    let err = ga4.check().await.unwrap_err();
    let text = err.to_string();
    assert_eq!(err.code(), "api.auth");
    assert!(
        text.contains("401") && text.contains("Request had invalid authentication credentials."),
        "{text}"
    );
    assert_eq!(requests_to(&log, "/token").len(), 2, "one renewal of the token");
    assert_eq!(requests_to(&log, GA4_REPORT_PATH).len(), 2);
    assert_secret_free(&text);

    // The token endpoint refuses the grant (here: a JWT whose aud is not the token endpoint).
    let (base, _) = ga4_server(|_, _| json_response(200, &one_row_report())).await;
    let mut other_key = fixture_key("ga4-test-service-account.json");
    other_key["token_uri"] = json!(format!("{base}/token?elsewhere=1"));
    let ga4 = connector(&ga4_settings(&base), &other_key.to_string(), Path::new(".")).unwrap();
    let err = ga4.check().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("400") && text.contains("invalid_grant"), "{text}");
    assert!(text.contains("clock"), "hints at the usual causes: {text}");
    assert_secret_free(&text);
}

/// A project directory with the BigQuery export fixture under `exports/2024/01/` (gzipped
/// when `gz`), next to a file that is not an export.
fn ga4_export_project(gz: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let rows = std::fs::read(fixtures().join("ga4-export/events_20240115.json")).unwrap();
    let day = dir.path().join("exports/2024/01");
    std::fs::create_dir_all(&day).unwrap();
    if gz {
        std::fs::write(day.join("events_20240115.json.gz"), gzip(&rows)).unwrap();
    } else {
        std::fs::write(day.join("events_20240115.json"), &rows).unwrap();
    }
    std::fs::write(day.join("README.txt"), "not an export file").unwrap();
    dir
}

#[tokio::test]
async fn ga4_fetch_reads_bigquery_export_rows_from_a_file_a_directory_or_a_glob() {
    let day = TimeRange {
        start_ms: utc_ms(2024, 1, 15, 0, 0, 0),
        end_ms: utc_ms(2024, 1, 16, 0, 0, 0),
    };
    for (gz, export_path) in [
        (false, "exports"),
        (false, "exports/2024/01/events_20240115.json"),
        (true, "exports/**/events_*.json.gz"),
        (true, "exports"),
    ] {
        let project = ga4_export_project(gz);
        let mut settings = ga4_settings("http://127.0.0.1:9");
        settings.ga4.export_path = Some(export_path.into());
        // Export files alone need no credentials.
        let ga4 = connector(&settings, "", project.path()).unwrap();
        let (result, events, stats) = fetch_all(ga4.as_ref(), day).await;
        result.unwrap_or_else(|e| panic!("{export_path}: {e}"));
        assert_eq!(
            stats,
            FetchStats {
                events: 5,
                malformed: 2,
                requests: 0
            },
            "{export_path}"
        );
        let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["page_view", "page_view", "add_to_cart", "page_view", "purchase"]
        );

        let first = &events[0];
        assert_eq!(first.time_ms, utc_ms(2024, 1, 15, 10, 0, 0));
        assert_eq!(first.user, "111.222");
        assert_eq!(first.session.as_deref(), Some("1705312800"));
        assert_eq!(first.page.as_deref(), Some("/"));
        assert_eq!(first.device.as_deref(), Some("desktop"));
        assert_eq!(first.new_user, Some(true));
        assert_eq!(events[1].page.as_deref(), Some("/product/42"), "query stripped");
        assert_eq!(events[2].time_ms, utc_ms(2024, 1, 15, 10, 0, 9), "numeric µs timestamp");
        assert_eq!(events[2].revenue, Some(19.99));
        let purchase = &events[4];
        assert_eq!(purchase.user, "customer-7", "user_id wins over user_pseudo_id");
        assert_eq!(purchase.revenue, Some(59.97));
        assert_eq!(purchase.new_user, Some(false));
        assert_eq!(purchase.device.as_deref(), Some("mobile"));
        assert_eq!(purchase.page.as_deref(), Some("/checkout/done"));
    }

    // The next day holds only the row after midnight.
    let project = ga4_export_project(false);
    let mut settings = ga4_settings("http://127.0.0.1:9");
    settings.ga4.export_path = Some("exports".into());
    let ga4 = connector(&settings, "", project.path()).unwrap();
    let next = TimeRange {
        start_ms: day.end_ms,
        end_ms: day.end_ms + 86_400_000,
    };
    let (result, events, _) = fetch_all(ga4.as_ref(), next).await;
    result.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].new_user, Some(false));

    // A glob matching nothing is an error that names the key.
    settings.ga4.export_path = Some("exports/**/*.parquet".into());
    let ga4 = connector(&settings, "", project.path()).unwrap();
    let err = fetch_all(ga4.as_ref(), day).await.0.unwrap_err();
    assert!(err.to_string().contains("analytics.ga4.exportPath"), "{err}");
}

#[tokio::test]
async fn ga4_fetch_without_an_export_path_explains_why_one_is_needed() {
    let settings = ga4_settings("http://127.0.0.1:9");
    let ga4 = connector(
        &settings,
        &ga4_credentials("ga4-test-service-account.json", "http://127.0.0.1:9"),
        Path::new("."),
    )
    .unwrap();
    let range = TimeRange {
        start_ms: 0,
        end_ms: 86_400_000,
    };
    let err = fetch_all(ga4.as_ref(), range).await.0.unwrap_err().to_string();
    assert!(err.contains("analytics.ga4.exportPath"), "{err}");
    assert!(err.contains("BigQuery") && err.contains("aggregated"), "{err}");
}

#[test]
fn malformed_credentials_name_the_key_and_never_echo_the_secret() {
    const SECRET: &str = "SECRETVALUE-DO-NOT-PRINT";
    let ga4 = ga4_settings("http://127.0.0.1:9");
    let mut mixpanel = AnalyticsSettings {
        provider: Some(AnalyticsProvider::Mixpanel),
        ..Default::default()
    };
    mixpanel.mixpanel.project_id = Some(4242);
    let amplitude = AnalyticsSettings {
        provider: Some(AnalyticsProvider::Amplitude),
        ..Default::default()
    };
    let cases: Vec<(&AnalyticsSettings, String)> = vec![
        (&ga4, SECRET.to_string()),
        (
            &ga4,
            format!(r#"{{"type": "service_account", "client_email": "{SECRET}"#),
        ),
        (
            &ga4,
            format!(r#"{{"type": "authorized_user", "client_secret": "{SECRET}"}}"#),
        ),
        (
            &ga4,
            format!(r#"{{"type": "service_account", "private_key": "{SECRET}"}}"#),
        ),
        (
            &ga4,
            format!(
                r#"{{"type": "service_account", "client_email": "a@b.iam.gserviceaccount.com", "private_key": "-----BEGIN PRIVATE KEY-----\n{SECRET}\n-----END PRIVATE KEY-----\n"}}"#
            ),
        ),
        (
            &ga4,
            format!(r#"{{"type": "service_account", "client_email": "a@b", "private_key": ["{SECRET}"]}}"#),
        ),
        (&mixpanel, format!("{SECRET}:")),
        (&mixpanel, format!(":{SECRET}")),
        (&mixpanel, format!("user {SECRET}")),
        (&amplitude, SECRET.to_string()),
        (&amplitude, format!("{SECRET}:")),
        (&amplitude, format!("key:{SECRET}:more")),
        (&amplitude, String::new()),
    ];
    for (settings, credentials) in cases {
        let err = connector(settings, &credentials, Path::new("."))
            .err()
            .expect("rejected");
        let text = err.to_string();
        assert!(text.contains("analytics.credentials"), "{text}");
        assert!(!text.contains(SECRET), "secret echoed: {text}");
        assert_eq!(err.code(), "argument");
    }

    // Settings that go with the credentials are named too.
    let mut no_property = ga4_settings("http://127.0.0.1:9");
    no_property.ga4.property_id = None;
    let key = ga4_credentials("ga4-test-service-account.json", "http://127.0.0.1:9");
    let err = connector(&no_property, &key, Path::new(".")).err().unwrap().to_string();
    assert!(err.contains("analytics.ga4.propertyId"), "{err}");
    let mut no_project = mixpanel.clone();
    no_project.mixpanel.project_id = None;
    let err = connector(&no_project, &format!("svc-user:{SECRET}"), Path::new("."))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("analytics.mixpanel.projectId") && !err.contains(SECRET),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------
// Mixpanel
// ---------------------------------------------------------------------------------------

const MIXPANEL_USER: &str = "perceo-test.0a1b2c.mp-service-account";
const MIXPANEL_SECRET: &str = "mp-test-secret-0123456789";

fn mixpanel_settings(base: &str, project_id: Option<u64>) -> AnalyticsSettings {
    let mut settings = AnalyticsSettings {
        provider: Some(AnalyticsProvider::Mixpanel),
        endpoint: Some(Setting(base.to_string())),
        ..Default::default()
    };
    settings.mixpanel.project_id = project_id;
    settings.mixpanel.region = Region::Eu;
    settings
}

fn mp(event: &str, props: Value) -> String {
    json!({"event": event, "properties": props}).to_string()
}

#[tokio::test]
async fn mixpanel_export_streams_gzip_jsonl_dedupes_and_counts_malformed_lines() {
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
async fn mixpanel_legacy_secret_checks_with_a_one_day_export_of_one_event() {
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
async fn mixpanel_401_is_a_clear_error_and_the_secret_is_masked_even_if_echoed() {
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

const AMPLITUDE_KEY: &str = "amp-test-api-key-0123";
const AMPLITUDE_SECRET: &str = "amp-test-secret-4567";

fn amplitude_settings(base: &str) -> AnalyticsSettings {
    AnalyticsSettings {
        provider: Some(AnalyticsProvider::Amplitude),
        endpoint: Some(Setting(base.to_string())),
        ..Default::default()
    }
}

/// An export archive as Amplitude sends it: a zip whose entries are gzipped JSON lines.
fn amplitude_zip(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
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
async fn amplitude_export_reads_a_zip_of_gzipped_jsonl_in_both_time_forms() {
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
async fn amplitude_404_means_no_data_and_ranges_are_asked_for_a_day_at_a_time() {
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
async fn amplitude_401_is_a_clear_error_without_the_keys() {
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
async fn a_body_that_is_not_a_zip_is_an_error_not_a_panic() {
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
