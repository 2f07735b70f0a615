//! The recording mock server and helpers every provider test uses.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use flate2::Compression;
use flate2::write::GzEncoder;
use perceo_core::analytics::event::AnalyticsEvent;
use perceo_core::analytics::providers::{Connector, FetchStats, TimeRange};
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// A recording mock server
// ---------------------------------------------------------------------------------------

/// One request the mock server saw.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: HashMap<String, String>,
    pub(crate) headers: HashMap<String, String>,
    pub(crate) body: Vec<u8>,
    pub(crate) at: Instant,
}

impl Seen {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

pub(crate) type Log = Arc<Mutex<Vec<Seen>>>;

pub(crate) fn percent_decode(s: &str) -> String {
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

pub(crate) fn form(text: &str) -> HashMap<String, String> {
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
pub(crate) async fn serve(answer: impl Fn(&Seen, usize) -> Response + Send + Sync + 'static) -> (String, Log) {
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

pub(crate) fn respond(status: u16, headers: &[(&str, &str)], body: impl Into<Body>) -> Response {
    let mut builder = Response::builder().status(status);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(body.into()).unwrap()
}

pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    respond(
        status,
        &[("content-type", "application/json; charset=UTF-8")],
        body.to_string(),
    )
}

pub(crate) fn requests_to(log: &Log, path: &str) -> Vec<Seen> {
    log.lock().unwrap().iter().filter(|s| s.path == path).cloned().collect()
}

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/analytics")
}

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Collects what a fetch delivers.
pub(crate) async fn fetch_all(
    connector: &dyn Connector,
    range: TimeRange,
) -> (perceo_core::Result<()>, Vec<AnalyticsEvent>, FetchStats) {
    let mut events = Vec::new();
    let mut stats = FetchStats::default();
    let result = connector.fetch(range, &mut |e| events.push(e), &mut stats).await;
    (result, events, stats)
}

/// Milliseconds of a UTC date and time.
pub(crate) fn utc_ms(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
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
