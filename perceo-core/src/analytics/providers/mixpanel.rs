//! Mixpanel's Raw Event Export API.
//!
//! `GET {host}/api/2.0/export?from_date=YYYY-MM-DD&to_date=YYYY-MM-DD[&project_id=N]` with
//! HTTP Basic auth answers JSON lines, gzip-compressed on the wire (`Accept-Encoding: gzip`,
//! decompressed by the HTTP client). The body is read chunk by chunk and split into lines, so
//! an export of any size never sits in memory. The export is not deduplicated: events are
//! deduplicated on (event, `distinct_id`, `time`, `$insert_id`) within one fetch.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::time::utc_date;
use super::{
    Connector, FetchStats, LineSplitter, TimeRange, credentials_error, drain, endpoint_override, is_blank, json_f64,
    json_text, stream_error,
};
use crate::analytics::event::{AnalyticsEvent, page_path};
use crate::config::{AnalyticsProvider, AnalyticsSettings, Region, redact_url};
use crate::error::{Error, Result};
use crate::http::{send_with_retries, streaming_http_client};

const ENGINE: &str = "mixpanel";
const EXPECTED: &str =
    "`username:secret` of a service account (with analytics.mixpanel.projectId) or a project's API secret";

/// The export host of a data-residency region.
pub fn default_base(region: Region) -> &'static str {
    match region {
        Region::Us => "https://data.mixpanel.com",
        Region::Eu => "https://data-eu.mixpanel.com",
        Region::In => "https://data-in.mixpanel.com",
    }
}

/// The Mixpanel connector (see the module docs).
pub struct MixpanelConnector {
    base: String,
    username: String,
    password: String,
    project_id: Option<u64>,
    http: reqwest::Client,
}

impl fmt::Debug for MixpanelConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MixpanelConnector")
            .field("base", &self.base)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

impl MixpanelConnector {
    /// A Mixpanel connector.
    ///
    /// `credentials` is either `username:secret` of a service account (then
    /// `analytics.mixpanel.projectId` is required and sent as `project_id`), or a bare legacy
    /// project API secret (sent as Basic `secret:`). `analytics.mixpanel.region` picks the
    /// host (`us` → `data.mixpanel.com`, `eu` → `data-eu`, `in` → `data-in`) unless
    /// `analytics.endpoint` replaces it.
    pub fn new(settings: &AnalyticsSettings, credentials: &str) -> Result<MixpanelConnector> {
        let text = credentials.trim();
        if text.is_empty() {
            return Err(credentials_error("Mixpanel", "it is empty", EXPECTED));
        }
        if text.chars().any(char::is_whitespace) {
            return Err(credentials_error("Mixpanel", "it contains white space", EXPECTED));
        }
        let project_id = settings.mixpanel.project_id;
        let (username, password) = match text.split_once(':') {
            Some((user, secret)) => {
                if user.is_empty() || secret.is_empty() {
                    return Err(credentials_error(
                        "Mixpanel",
                        "the part before or after `:` is empty",
                        EXPECTED,
                    ));
                }
                if project_id.is_none() {
                    return Err(Error::Argument(
                        "config key `analytics.mixpanel.projectId` is required with service-account credentials (`username:secret` in analytics.credentials): Mixpanel needs the project id with them".into(),
                    ));
                }
                (user.to_string(), secret.to_string())
            }
            None => (text.to_string(), String::new()),
        };
        let base = match endpoint_override(settings)? {
            Some(base) => base,
            None => default_base(settings.mixpanel.region).to_string(),
        };
        Ok(MixpanelConnector {
            base,
            username,
            password,
            project_id,
            http: streaming_http_client(Duration::from_secs(10), Duration::from_secs(300))?,
        })
    }

    fn export_url(&self, from: &str, to: &str, limit: Option<u64>) -> Result<reqwest::Url> {
        let mut url = reqwest::Url::parse(&format!("{}/api/2.0/export", self.base))
            .map_err(|e| Error::Argument(format!("config key `analytics.endpoint`: {e}")))?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("from_date", from).append_pair("to_date", to);
            if let Some(id) = self.project_id {
                query.append_pair("project_id", &id.to_string());
            }
            if let Some(limit) = limit {
                query.append_pair("limit", &limit.to_string());
            }
        }
        Ok(url)
    }

    async fn export(&self, url: &reqwest::Url) -> Result<reqwest::Response> {
        let shown = redact_url(url.as_str());
        send_with_retries(ENGINE, &shown, &self.secrets(), || {
            self.http
                .get(url.clone())
                .basic_auth(&self.username, Some(&self.password))
        })
        .await
    }

    fn secrets(&self) -> [&str; 2] {
        [self.password.as_str(), self.username.as_str()]
    }
}

#[async_trait::async_trait]
impl Connector for MixpanelConnector {
    fn provider(&self) -> AnalyticsProvider {
        AnalyticsProvider::Mixpanel
    }

    async fn check(&self) -> Result<()> {
        let now_ms = crate::fsutil::now_ms();
        let yesterday = utc_date(now_ms - 86_400_000);
        let url = self.export_url(&yesterday, &yesterday, Some(1))?;
        let response = self.export(&url).await?;
        drain(ENGINE, &url, response).await
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
        let url = self.export_url(&utc_date(range.start_ms), &utc_date(range.end_ms - 1), None)?;
        stats.requests += 1;
        let mut response = self.export(&url).await?;
        let mut seen: HashSet<u128> = HashSet::new();
        let mut splitter = LineSplitter::default();
        let mut on_line = |line: &[u8]| {
            if is_blank(line) {
                return;
            }
            let Some((event, key)) = serde_json::from_slice::<Value>(line)
                .ok()
                .and_then(|v| line_to_event(&v))
            else {
                stats.malformed += 1;
                return;
            };
            if !range.contains(event.time_ms) {
                return;
            }
            if let Some(key) = key
                && !seen.insert(key)
            {
                return;
            }
            stats.events += 1;
            on_event(event);
        };
        while let Some(chunk) = response.chunk().await.map_err(|e| stream_error(ENGINE, &url, e))? {
            splitter.push(&chunk, &mut on_line);
        }
        splitter.finish(&mut on_line);
        stats.malformed += splitter.oversized;
        Ok(())
    }
}

/// Device class from Mixpanel's default properties: `$device` is only set on mobile, and
/// `$os` iOS/Android means mobile; other known environments are desktop.
fn device_class(props: &Value) -> Option<String> {
    let text = |k: &str| props.get(k).and_then(Value::as_str).filter(|s| !s.trim().is_empty());
    let os = text("$os").map(str::to_ascii_lowercase);
    if text("$device").is_some() || matches!(os.as_deref(), Some("ios" | "android" | "ipados")) {
        Some("mobile".into())
    } else if os.is_some() || text("$browser").is_some() {
        Some("desktop".into())
    } else {
        None
    }
}

/// One export line → the event and its deduplication key (when it has a `$insert_id`);
/// `None` when it lacks a name, a time or a user.
pub(crate) fn line_to_event(line: &Value) -> Option<(AnalyticsEvent, Option<u128>)> {
    let name = line.get("event").and_then(Value::as_str).filter(|n| !n.is_empty())?;
    let props = line.get("properties")?;
    if !props.is_object() {
        return None;
    }
    let time = props.get("time").and_then(json_f64)?;
    // `time` is in seconds; a value this large can only be milliseconds.
    let time_ms = if time.abs() >= 1e11 { time } else { time * 1000.0 }.round() as i64;
    let distinct_id = props.get("distinct_id").and_then(json_text);
    let user = distinct_id
        .clone()
        .or_else(|| props.get("$user_id").and_then(json_text))
        .or_else(|| props.get("$device_id").and_then(json_text))?;
    let insert_id = props.get("$insert_id").and_then(json_text);
    let key = insert_id.as_ref().map(|id| {
        let raw_time = props.get("time").map(Value::to_string).unwrap_or_default();
        let material = format!("{name}\0{}\0{raw_time}\0{id}", distinct_id.as_deref().unwrap_or(""));
        xxhash_rust::xxh3::xxh3_128(material.as_bytes())
    });
    let event = AnalyticsEvent {
        name: name.to_string(),
        time_ms,
        user,
        session: None,
        page: props.get("$current_url").and_then(Value::as_str).map(page_path),
        device: device_class(props),
        new_user: None,
        revenue: props
            .get("revenue")
            .and_then(json_f64)
            .or_else(|| props.get("price").and_then(json_f64)),
        insert_id,
    };
    Some((event, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lines_map_to_events() {
        let line = json!({"event": "Purchase", "properties": {
            "time": 1705314600, "distinct_id": "u1", "$insert_id": "i1",
            "$current_url": "https://shop.example/cart?x=1", "$os": "iOS", "revenue": "12.5"}});
        let (e, key) = line_to_event(&line).unwrap();
        assert_eq!(e.time_ms, 1_705_314_600_000);
        assert_eq!(e.user, "u1");
        assert_eq!(e.page.as_deref(), Some("/cart"));
        assert_eq!(e.device.as_deref(), Some("mobile"));
        assert_eq!(e.revenue, Some(12.5));
        assert!(key.is_some());
        let bare = json!({"event": "x", "properties": {"time": 1705314600, "$device_id": "d"}});
        let (e, key) = line_to_event(&bare).unwrap();
        assert_eq!((e.user.as_str(), e.device, key), ("d", None, None));
        assert!(line_to_event(&json!({"event": "x", "properties": {"distinct_id": "u"}})).is_none());
        assert!(line_to_event(&json!({"event": "x", "properties": "nope"})).is_none());
    }

    #[test]
    fn credentials_forms() {
        let mut settings = AnalyticsSettings::default();
        let err = MixpanelConnector::new(&settings, "svc.user:s3cr3t-value").unwrap_err();
        assert!(err.to_string().contains("analytics.mixpanel.projectId"));
        assert!(!err.to_string().contains("s3cr3t-value"));
        settings.mixpanel.project_id = Some(7);
        assert!(MixpanelConnector::new(&settings, "svc.user:s3cr3t-value").is_ok());
        assert!(MixpanelConnector::new(&settings, "legacysecret").is_ok());
        for bad in ["", ":x", "x:", "a b"] {
            let err = MixpanelConnector::new(&settings, bad).unwrap_err().to_string();
            assert!(err.contains("analytics.credentials"), "{err}");
        }
    }
}
