//! Amplitude's Export API.
//!
//! `GET {host}/api/2/export?start=YYYYMMDDTHH&end=YYYYMMDDTHH` (both hours included, matched
//! against the events' upload time) with HTTP Basic `apiKey:secretKey` answers a zip archive
//! whose entries are gzip-compressed JSON lines; 404 means "no data for that range". The
//! archive is streamed to a temporary file (exports can be large), then read entry by entry
//! and line by line. A fetch asks for at most one day per request.

use std::fmt;
use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::time::Duration;

use serde_json::Value;

use super::time::{hour_index, hour_stamp, parse_timestamp_ms};
use super::{
    Connector, FetchStats, TimeRange, credentials_error, drain, endpoint_override, json_f64, json_i64, json_text,
    read_lines, stream_error, take_line,
};
use crate::analytics::event::{AnalyticsEvent, page_path};
use crate::config::{AnalyticsProvider, AnalyticsSettings, Region, redact_url};
use crate::error::{Error, Result};
use crate::http::{send_with_retries, streaming_http_client};

const ENGINE: &str = "amplitude";
const EXPECTED: &str = "`apiKey:secretKey` (the project's API key and secret key)";
/// Hours asked for per export request.
const HOURS_PER_REQUEST: i64 = 24;
/// Keys of `event_properties` that carry the page, in order of preference.
const PAGE_KEYS: &[&str] = &[
    "[Amplitude] Page Path",
    "page_path",
    "path",
    "url",
    "[Amplitude] Page URL",
];

/// The REST host of a data-residency region (Amplitude has no India region).
pub fn default_base(region: Region) -> Option<&'static str> {
    match region {
        Region::Us => Some("https://amplitude.com"),
        Region::Eu => Some("https://analytics.eu.amplitude.com"),
        Region::In => None,
    }
}

/// The Amplitude connector (see the module docs).
pub struct AmplitudeConnector {
    base: String,
    api_key: String,
    secret_key: String,
    http: reqwest::Client,
}

impl fmt::Debug for AmplitudeConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmplitudeConnector")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl AmplitudeConnector {
    /// An Amplitude connector.
    ///
    /// `credentials` is `apiKey:secretKey` (sent as HTTP Basic). `analytics.amplitude.region`
    /// picks the host (`us` → `amplitude.com`, `eu` → `analytics.eu.amplitude.com`) unless
    /// `analytics.endpoint` replaces it.
    pub fn new(settings: &AnalyticsSettings, credentials: &str) -> Result<AmplitudeConnector> {
        let text = credentials.trim();
        let Some((api_key, secret_key)) = text.split_once(':') else {
            return Err(credentials_error(
                "Amplitude",
                if text.is_empty() {
                    "it is empty"
                } else {
                    "it has no `:` between the API key and the secret key"
                },
                EXPECTED,
            ));
        };
        if api_key.is_empty() || secret_key.is_empty() || secret_key.contains(':') {
            return Err(credentials_error(
                "Amplitude",
                "it needs exactly one `:` with a non-empty key on each side",
                EXPECTED,
            ));
        }
        if text.chars().any(char::is_whitespace) {
            return Err(credentials_error("Amplitude", "it contains white space", EXPECTED));
        }
        let base = match endpoint_override(settings)? {
            Some(base) => base,
            None => default_base(settings.amplitude.region)
                .ok_or_else(|| {
                    Error::Argument(
                        "config key `analytics.amplitude.region`: Amplitude offers `us` and `eu` only".into(),
                    )
                })?
                .to_string(),
        };
        Ok(AmplitudeConnector {
            base,
            api_key: api_key.to_string(),
            secret_key: secret_key.to_string(),
            http: streaming_http_client(Duration::from_secs(10), Duration::from_secs(300))?,
        })
    }

    fn export_url(&self, first_hour: i64, last_hour: i64) -> Result<reqwest::Url> {
        let mut url = reqwest::Url::parse(&format!("{}/api/2/export", self.base))
            .map_err(|e| Error::Argument(format!("config key `analytics.endpoint`: {e}")))?;
        url.query_pairs_mut()
            .append_pair("start", &hour_stamp(first_hour))
            .append_pair("end", &hour_stamp(last_hour));
        Ok(url)
    }

    /// The export of the hours `first..=last`, or `None` when Amplitude has no data (404).
    async fn export(&self, first_hour: i64, last_hour: i64) -> Result<Option<(reqwest::Url, reqwest::Response)>> {
        let url = self.export_url(first_hour, last_hour)?;
        let shown = redact_url(url.as_str());
        let result = send_with_retries(ENGINE, &shown, &[&self.secret_key, &self.api_key], || {
            self.http
                .get(url.clone())
                .basic_auth(&self.api_key, Some(&self.secret_key))
        })
        .await;
        match result {
            Ok(response) => Ok(Some((url, response))),
            Err(Error::Api { status: 404, .. }) => Ok(None),
            Err(Error::Api {
                engine,
                url,
                status: 400,
                message,
            }) => Err(Error::Api {
                engine,
                url,
                status: 400,
                message: format!("{message} (Amplitude answers 400 when an export exceeds 4 GB: sync a shorter range)"),
            }),
            Err(e) => Err(e),
        }
    }
}

#[async_trait::async_trait]
impl Connector for AmplitudeConnector {
    fn provider(&self) -> AnalyticsProvider {
        AnalyticsProvider::Amplitude
    }

    async fn check(&self) -> Result<()> {
        // Data is exportable about two hours after it arrives: ask for an hour before that.
        let now_ms = crate::fsutil::now_ms();
        let hour = hour_index(now_ms) - 3;
        if let Some((url, response)) = self.export(hour, hour).await? {
            drain(ENGINE, &url, response).await?;
        }
        Ok(())
    }

    async fn fetch(
        &self,
        range: TimeRange,
        on_event: &mut (dyn FnMut(AnalyticsEvent) + Send),
        stats: &mut FetchStats,
    ) -> Result<()> {
        if range.is_empty() {
            return Ok(());
        }
        let (first, last) = (hour_index(range.start_ms), hour_index(range.end_ms - 1));
        let mut window = first;
        while window <= last {
            let window_end = (window + HOURS_PER_REQUEST - 1).min(last);
            stats.requests += 1;
            if let Some((url, mut response)) = self.export(window, window_end).await? {
                let mut file = tempfile::tempfile().map_err(|e| Error::io(std::env::temp_dir(), e))?;
                while let Some(chunk) = response.chunk().await.map_err(|e| stream_error(ENGINE, &url, e))? {
                    file.write_all(&chunk).map_err(|e| Error::io(std::env::temp_dir(), e))?;
                }
                file.rewind().map_err(|e| Error::io(std::env::temp_dir(), e))?;
                read_archive(file, &url, range, on_event, stats)?;
            }
            window = window_end + 1;
        }
        Ok(())
    }
}

/// Reads every entry of an export archive (gzipped or plain JSON lines).
fn read_archive(
    file: std::fs::File,
    url: &reqwest::Url,
    range: TimeRange,
    on_event: &mut (dyn FnMut(AnalyticsEvent) + Send),
    stats: &mut FetchStats,
) -> Result<()> {
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| Error::Api {
        engine: ENGINE,
        url: redact_url(url.as_str()),
        status: 200,
        message: format!("the export is not a readable zip archive: {e}"),
    })?;
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index(i) else {
            stats.malformed += 1;
            continue;
        };
        if entry.is_dir() {
            continue;
        }
        let mut on_line = |line: &[u8]| take_line(line, line_to_event, range, stats, on_event);
        let mut reader = BufReader::with_capacity(1 << 16, entry);
        let gzipped = matches!(reader.fill_buf(), Ok([0x1f, 0x8b, ..]));
        let source: Box<dyn Read> = if gzipped {
            Box::new(flate2::read::MultiGzDecoder::new(reader))
        } else {
            Box::new(reader)
        };
        match read_lines(BufReader::with_capacity(1 << 16, source), &mut on_line) {
            Ok(oversized) => stats.malformed += oversized,
            // A corrupt entry (bad gzip, truncated): what was read counts, the rest is one
            // malformed piece.
            Err(_) => stats.malformed += 1,
        }
    }
    Ok(())
}

/// A time field: a timestamp string in either form, or a number of milliseconds.
fn time_field(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => parse_timestamp_ms(s),
        Value::Number(_) => json_i64(v),
        _ => None,
    }
}

/// Device class from `device_type`, `device_family`, `os_name` and `platform`.
fn device_class(line: &Value) -> Option<String> {
    let text: String = ["device_type", "device_family", "os_name", "platform"]
        .iter()
        .filter_map(|k| line.get(*k).and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if text.trim().is_empty() {
        None
    } else if has(&["ipad", "tablet", "galaxy tab", "kindle"]) {
        Some("tablet".into())
    } else if has(&["iphone", "android", "ios", "mobile", "phone"]) {
        Some("mobile".into())
    } else if has(&["web", "windows", "mac", "linux", "chrome os", "desktop"]) {
        Some("desktop".into())
    } else {
        None
    }
}

/// One export line → an event; `None` when it lacks a type, a time or a user.
pub(crate) fn line_to_event(line: &Value) -> Option<AnalyticsEvent> {
    let name = line
        .get("event_type")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())?;
    let time_ms = ["event_time", "client_event_time", "server_received_time"]
        .iter()
        .find_map(|k| line.get(*k).and_then(time_field))?;
    let user = line
        .get("user_id")
        .and_then(json_text)
        .or_else(|| line.get("device_id").and_then(json_text))?;
    let props = line.get("event_properties").filter(|p| p.is_object());
    let prop = |k: &str| props.and_then(|p| p.get(k));
    let page = PAGE_KEYS
        .iter()
        .find_map(|k| prop(k).and_then(Value::as_str).filter(|s| !s.trim().is_empty()))
        .map(page_path);
    let revenue = ["revenue", "price"]
        .iter()
        .find_map(|k| prop(k).and_then(json_f64))
        .or_else(|| {
            ["revenue", "price"]
                .iter()
                .find_map(|k| line.get(*k).and_then(json_f64))
        });
    Some(AnalyticsEvent {
        name: name.to_string(),
        time_ms,
        user,
        session: line
            .get("session_id")
            .and_then(json_i64)
            .filter(|&s| s > 0)
            .map(|s| s.to_string()),
        page,
        device: device_class(line),
        new_user: None,
        revenue,
        insert_id: line
            .get("$insert_id")
            .and_then(json_text)
            .or_else(|| line.get("uuid").and_then(json_text)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lines_map_to_events() {
        let line = json!({
            "event_type": "[Amplitude] Page Viewed",
            "event_time": "2024-01-15 10:30:00.000000",
            "device_id": "d1", "user_id": null, "session_id": 1705314000000_i64,
            "platform": "Web", "device_type": "Apple iPhone",
            "event_properties": {"[Amplitude] Page URL": "https://x.io/a?b", "[Amplitude] Page Path": "/a"},
            "revenue": 3
        });
        let e = line_to_event(&line).unwrap();
        assert_eq!(e.time_ms, 1_705_314_600_000);
        assert_eq!(e.user, "d1");
        assert_eq!(e.session.as_deref(), Some("1705314000000"));
        assert_eq!(e.page.as_deref(), Some("/a"));
        assert_eq!(e.device.as_deref(), Some("mobile"));
        assert_eq!(e.revenue, Some(3.0));
        let no_session = json!({"event_type": "x", "event_time": "2024-01-15T10:30:00Z", "user_id": "u", "session_id": -1, "platform": "Web"});
        let e = line_to_event(&no_session).unwrap();
        assert_eq!((e.session, e.device.as_deref()), (None, Some("desktop")));
        assert!(line_to_event(&json!({"event_type": "x", "event_time": "yesterday", "user_id": "u"})).is_none());
    }

    #[test]
    fn credentials_forms() {
        let settings = AnalyticsSettings::default();
        assert!(AmplitudeConnector::new(&settings, "key:secret").is_ok());
        for bad in ["", "keyonly", ":s", "k:", "k:s:t", "k: s"] {
            let err = AmplitudeConnector::new(&settings, bad).unwrap_err().to_string();
            assert!(err.contains("analytics.credentials"), "{err}");
            if bad.len() > 3 {
                assert!(!err.contains(bad), "{err}");
            }
        }
        let mut india = AnalyticsSettings::default();
        india.amplitude.region = Region::In;
        assert!(AmplitudeConnector::new(&india, "k:s").is_err());
    }
}
