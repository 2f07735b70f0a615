//! GA4: the JWT bearer grant, `runReport` paging, errors, and BigQuery export files.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use perceo_core::analytics::providers::{Connector, FetchStats, Ga4Connector, TimeRange, connector};
use perceo_core::config::{AnalyticsProvider, AnalyticsSettings, Setting};
use serde_json::{Value, json};

use crate::support::*;

pub(crate) const GA4_PROPERTY: &str = "123456";
pub(crate) const GA4_REPORT_PATH: &str = "/v1beta/properties/123456:runReport";
pub(crate) const ACCESS_TOKEN: &str = "ya29.test-only-access-token";
pub(crate) const SCOPE: &str = "https://www.googleapis.com/auth/analytics.readonly";

pub(crate) fn fixture_key(file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join(file)).unwrap()).unwrap()
}

/// The TEST-ONLY service-account key with `token_uri` pointing at the mock server.
pub(crate) fn ga4_credentials(file: &str, base: &str) -> String {
    let mut key = fixture_key(file);
    key["token_uri"] = json!(format!("{base}/token"));
    key.to_string()
}

pub(crate) fn ga4_settings(base: &str) -> AnalyticsSettings {
    let mut settings = AnalyticsSettings {
        provider: Some(AnalyticsProvider::Ga4),
        endpoint: Some(Setting(base.to_string())),
        ..Default::default()
    };
    settings.ga4.property_id = Some(GA4_PROPERTY.into());
    settings
}

pub(crate) fn public_key_der() -> Vec<u8> {
    let pem = std::fs::read_to_string(fixtures().join("ga4-test-public-key.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

/// Checks a JWT bearer assertion as Google would: RS256 signature with the fixture's public
/// key, header, and the claims iss/scope/aud/iat/exp.
pub(crate) fn verify_assertion(assertion: &str, expected_aud: &str) -> Result<(), String> {
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
pub(crate) fn token_endpoint(seen: &Seen, base: &str) -> Response {
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

pub(crate) fn google_error(code: u16, status: &str, message: &str) -> Response {
    json_response(
        code,
        &json!({"error": {"code": code, "message": message, "status": status}}),
    )
}

pub(crate) fn one_row_report() -> Value {
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
pub(crate) async fn ga4_server(report: impl Fn(&Seen, usize) -> Response + Send + Sync + 'static) -> (String, Log) {
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
pub(crate) async fn ga4_check_signs_an_rs256_jwt_exchanges_it_and_runs_a_one_row_report() {
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
pub(crate) async fn ga4_aggregates_page_through_run_report_with_string_offsets() {
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
pub(crate) async fn ga4_an_empty_report_without_rows_or_row_count_is_zero() {
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
pub(crate) async fn ga4_a_429_is_retried_after_the_retry_after_it_names() {
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
pub(crate) async fn ga4_401_403_and_refused_grants_are_clear_errors_without_secrets() {
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
pub(crate) fn ga4_export_project(gz: bool) -> tempfile::TempDir {
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
pub(crate) async fn ga4_fetch_reads_bigquery_export_rows_from_a_file_a_directory_or_a_glob() {
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
pub(crate) async fn ga4_fetch_without_an_export_path_explains_why_one_is_needed() {
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
pub(crate) fn malformed_credentials_name_the_key_and_never_echo_the_secret() {
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
