//! Connectors to the analytics providers: each checks its credentials and fetches the events
//! of a time range in the provider's real export format, producing [`AnalyticsEvent`]s.
//!
//! - [`ga4`]: Google Analytics 4. Per-user events come from the BigQuery export's rows
//!   (newline-delimited JSON files at `analytics.ga4.exportPath`); the Data API
//!   (`runReport`, service-account OAuth) checks the credentials and gives daily aggregates.
//! - [`mixpanel`]: the Raw Event Export API (`/api/2.0/export`, gzip JSON lines, streamed).
//! - [`amplitude`]: the Export API (`/api/2/export`, a zip of gzipped JSON lines).
//!
//! Build one with [`connector`] from the `analytics` settings and the resolved credentials.
//! Every request goes through the shared HTTP layer of [`crate::http`] (retries with backoff,
//! `Retry-After`, errors with the server's message and no secret in them).

// Without the `analytics` feature only the shapes (`TimeRange`, `Connector`, ...) remain:
// the helpers the three connectors share go unused.
#![cfg_attr(not(feature = "analytics"), allow(dead_code))]

#[cfg(feature = "analytics")]
pub mod amplitude;
#[cfg(feature = "analytics")]
pub mod ga4;
#[cfg(feature = "analytics")]
pub mod mixpanel;
pub(crate) mod time;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use serde::Serialize;

use super::event::AnalyticsEvent;
use crate::config::{AnalyticsProvider, AnalyticsSettings};
use crate::error::{Error, Result};

#[cfg(feature = "analytics")]
pub use amplitude::AmplitudeConnector;
#[cfg(feature = "analytics")]
pub use ga4::Ga4Connector;
#[cfg(feature = "analytics")]
pub use mixpanel::MixpanelConnector;

/// A half-open time range `[start_ms, end_ms)` in Unix milliseconds (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeRange {
    /// First millisecond included.
    pub start_ms: i64,
    /// First millisecond no longer included.
    pub end_ms: i64,
}

impl TimeRange {
    /// Whether `time_ms` falls inside the range.
    pub fn contains(&self, time_ms: i64) -> bool {
        self.start_ms <= time_ms && time_ms < self.end_ms
    }

    /// Whether the range holds no millisecond at all.
    pub fn is_empty(&self) -> bool {
        self.end_ms <= self.start_ms
    }
}

/// What a fetch saw.
#[derive(Default, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FetchStats {
    /// Events handed to the callback (inside the range, after deduplication).
    pub events: u64,
    /// Lines or rows that could not be read as events (skipped).
    pub malformed: u64,
    /// HTTP requests made (not counting retries).
    pub requests: u64,
}

/// Aggregates a provider reports itself (GA4's Data API).
#[derive(Default, Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Aggregates {
    /// Active users per day (`YYYY-MM-DD`, in the property's reporting time zone).
    pub daily_active_users: BTreeMap<String, u64>,
    /// Transactions over the range.
    pub transactions: u64,
    /// Purchase revenue over the range, in the property's currency.
    pub purchase_revenue: f64,
}

/// One analytics provider: checks credentials, streams events, reports aggregates.
#[async_trait::async_trait]
pub trait Connector: Send + Sync {
    /// Which provider this is.
    fn provider(&self) -> AnalyticsProvider;

    /// Checks the credentials with the smallest real request: GA4 = RS256 JWT → token
    /// exchange → a one-row `runReport`; Mixpanel = a one-day export (limit 1); Amplitude =
    /// an export of one hour.
    async fn check(&self) -> Result<()>;

    /// Streams every event of `range` to `on_event`; malformed lines/rows are skipped and
    /// counted in `stats.malformed`, never fatal.
    async fn fetch(
        &self,
        range: TimeRange,
        on_event: &mut (dyn FnMut(AnalyticsEvent) + Send),
        stats: &mut FetchStats,
    ) -> Result<()>;

    /// Provider-side aggregates for the range (GA4 only; the others return `Ok(None)`).
    async fn aggregates(&self, _range: TimeRange) -> Result<Option<Aggregates>> {
        Ok(None)
    }
}

/// Builds the configured provider's connector.
///
/// `credentials` is the already-resolved secret text of `analytics.credentials`:
/// - GA4: the service-account JSON key (see [`Ga4Connector::new`]);
/// - Mixpanel: `username:secret` of a service account, or a bare legacy API secret (see
///   [`MixpanelConnector::new`]);
/// - Amplitude: `apiKey:secretKey` (see [`AmplitudeConnector::new`]).
///
/// `settings.endpoint`, when set, must already be resolved (no `${VAR}` left): it replaces
/// the provider's API host. `project_dir` anchors relative paths (`analytics.ga4.exportPath`).
/// Malformed credentials give an error naming `analytics.credentials` and what is wrong,
/// never the secret itself.
/// Without the `analytics` feature, every provider is [`Error::Unsupported`].
pub fn connector(settings: &AnalyticsSettings, credentials: &str, project_dir: &Path) -> Result<Box<dyn Connector>> {
    match settings.provider {
        #[cfg(feature = "analytics")]
        Some(AnalyticsProvider::Ga4) => Ok(Box::new(Ga4Connector::new(settings, credentials, project_dir)?)),
        #[cfg(feature = "analytics")]
        Some(AnalyticsProvider::Mixpanel) => Ok(Box::new(MixpanelConnector::new(settings, credentials)?)),
        #[cfg(feature = "analytics")]
        Some(AnalyticsProvider::Amplitude) => Ok(Box::new(AmplitudeConnector::new(settings, credentials)?)),
        #[cfg(not(feature = "analytics"))]
        Some(_) => {
            let _ = (credentials, project_dir);
            Err(Error::unsupported(
                "the analytics providers (`analytics.provider`)",
                "analytics",
            ))
        }
        None => Err(Error::Argument(
            "config key `analytics.provider` is not set: choose `ga4`, `mixpanel` or `amplitude`".into(),
        )),
    }
}

/// The error for malformed credentials: names the key and what is wrong, never the value.
pub(crate) fn credentials_error(provider: &str, problem: &str, expected: &str) -> Error {
    Error::Argument(format!(
        "config key `analytics.credentials`: {problem}; {provider} expects {expected}"
    ))
}

#[cfg(feature = "analytics")]
/// `analytics.endpoint` as a base URL without trailing slash, when set.
pub(crate) fn endpoint_override(settings: &AnalyticsSettings) -> Result<Option<String>> {
    let Some(setting) = &settings.endpoint else {
        return Ok(None);
    };
    let raw = setting.raw().trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.contains("${") {
        return Err(Error::Argument(
            "config key `analytics.endpoint` still contains `${...}`: resolve it before building a connector".into(),
        ));
    }
    if !(raw.starts_with("http://") || raw.starts_with("https://")) || reqwest::Url::parse(raw).is_err() {
        return Err(Error::Argument(format!(
            "config key `analytics.endpoint`: `{}` is not an http(s) URL",
            crate::config::redact_url(raw)
        )));
    }
    Ok(Some(raw.trim_end_matches('/').to_string()))
}

/// Splits a byte stream into lines (`\n`, an optional `\r` dropped), across chunk borders,
/// without holding more than one line. A line longer than [`LineSplitter::MAX_LINE`] is
/// dropped and counted in `oversized`.
#[derive(Debug, Default)]
pub(crate) struct LineSplitter {
    buf: Vec<u8>,
    skipping: bool,
    /// Lines dropped for being too long.
    pub oversized: u64,
}

impl LineSplitter {
    /// The longest line kept (events are a few KiB; this guards memory against garbage).
    pub const MAX_LINE: usize = 16 << 20;

    /// Feeds a chunk; calls `on_line` for every line it completes.
    pub fn push(&mut self, mut chunk: &[u8], on_line: &mut impl FnMut(&[u8])) {
        while let Some(pos) = chunk.iter().position(|&b| b == b'\n') {
            if self.skipping {
                self.skipping = false;
            } else if self.buf.is_empty() {
                on_line(trim_cr(&chunk[..pos]));
            } else {
                self.buf.extend_from_slice(&chunk[..pos]);
                on_line(trim_cr(&self.buf));
                self.buf.clear();
            }
            chunk = &chunk[pos + 1..];
        }
        if !self.skipping {
            self.buf.extend_from_slice(chunk);
            if self.buf.len() > Self::MAX_LINE {
                self.buf = Vec::new();
                self.skipping = true;
                self.oversized += 1;
            }
        }
    }

    /// Ends the stream: the last line, if it had no newline.
    pub fn finish(&mut self, on_line: &mut impl FnMut(&[u8])) {
        if !self.skipping && !self.buf.is_empty() {
            on_line(trim_cr(&self.buf));
        }
        self.buf.clear();
        self.skipping = false;
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(feature = "analytics")]
/// A read error while an export's body streams in.
pub(crate) fn stream_error(engine: &'static str, url: &reqwest::Url, e: reqwest::Error) -> Error {
    Error::ApiUnreachable {
        engine,
        url: crate::config::redact_url(url.as_str()),
        message: format!("the export broke off: {}", e.without_url()),
    }
}

#[cfg(feature = "analytics")]
/// Reads a response body to its end (a credentials check only needs it to arrive whole).
pub(crate) async fn drain(engine: &'static str, url: &reqwest::Url, mut response: reqwest::Response) -> Result<()> {
    while response
        .chunk()
        .await
        .map_err(|e| stream_error(engine, url, e))?
        .is_some()
    {}
    Ok(())
}

/// One JSONL line of an export: blank lines are skipped, lines that `parse` cannot turn into
/// an event are counted as malformed, events outside `range` are dropped, the rest go to
/// `on_event`.
pub(crate) fn take_line(
    line: &[u8],
    parse: impl Fn(&serde_json::Value) -> Option<AnalyticsEvent>,
    range: TimeRange,
    stats: &mut FetchStats,
    on_event: &mut (dyn FnMut(AnalyticsEvent) + Send),
) {
    if is_blank(line) {
        return;
    }
    match serde_json::from_slice::<serde_json::Value>(line)
        .ok()
        .and_then(|v| parse(&v))
    {
        Some(event) if range.contains(event.time_ms) => {
            stats.events += 1;
            on_event(event);
        }
        Some(_) => {}
        None => stats.malformed += 1,
    }
}

/// Reads `reader` line by line into `on_line`; returns how many lines were too long.
pub(crate) fn read_lines(mut reader: impl BufRead, on_line: &mut impl FnMut(&[u8])) -> std::io::Result<u64> {
    let mut splitter = LineSplitter::default();
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        let n = chunk.len();
        splitter.push(chunk, on_line);
        reader.consume(n);
    }
    splitter.finish(on_line);
    Ok(splitter.oversized)
}

/// Whether a line holds nothing but white space (skipped, not malformed).
pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// A JSON value as text: a non-empty string, or a number written out.
pub(crate) fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON number, or a string holding one.
pub(crate) fn json_f64(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

/// A JSON integer (or a string holding one; a fractional number is truncated).
pub(crate) fn json_i64(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        serde_json::Value::String(s) => {
            let s = s.trim();
            s.parse()
                .ok()
                .or_else(|| s.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f as i64))
        }
        _ => None,
    }
}

#[cfg(all(test, feature = "analytics"))]
mod tests {
    use super::*;
    use crate::config::{Region, Setting};

    fn collect(chunks: &[&[u8]]) -> (Vec<String>, u64) {
        let mut lines = Vec::new();
        let mut splitter = LineSplitter::default();
        let mut on_line = |l: &[u8]| lines.push(String::from_utf8_lossy(l).into_owned());
        for c in chunks {
            splitter.push(c, &mut on_line);
        }
        splitter.finish(&mut on_line);
        (lines, splitter.oversized)
    }

    #[test]
    fn lines_are_split_across_chunks() {
        let (lines, oversized) = collect(&[b"ab", b"c\r\nde", b"f\n\ng", b"h"]);
        assert_eq!(lines, ["abc", "def", "", "gh"]);
        assert_eq!(oversized, 0);
    }

    #[test]
    fn an_oversized_line_is_dropped_and_counted() {
        let big = vec![b'x'; LineSplitter::MAX_LINE + 10];
        let (lines, oversized) = collect(&[b"a\n", &big, b"yy\nb\n"]);
        assert_eq!(lines, ["a", "b"]);
        assert_eq!(oversized, 1);
    }

    #[test]
    fn json_helpers_accept_strings_and_numbers() {
        use serde_json::json;
        assert_eq!(json_i64(&json!("1700000000000000")), Some(1_700_000_000_000_000));
        assert_eq!(json_i64(&json!(12.7)), Some(12));
        assert_eq!(json_f64(&json!("12.5")), Some(12.5));
        assert_eq!(json_f64(&json!("abc")), None);
        assert_eq!(json_text(&json!(42)).as_deref(), Some("42"));
        assert_eq!(json_text(&json!("")), None);
    }

    #[test]
    fn region_hosts() {
        assert_eq!(mixpanel::default_base(Region::Us), "https://data.mixpanel.com");
        assert_eq!(mixpanel::default_base(Region::Eu), "https://data-eu.mixpanel.com");
        assert_eq!(mixpanel::default_base(Region::In), "https://data-in.mixpanel.com");
        assert_eq!(amplitude::default_base(Region::Us), Some("https://amplitude.com"));
        assert_eq!(
            amplitude::default_base(Region::Eu),
            Some("https://analytics.eu.amplitude.com")
        );
        assert_eq!(amplitude::default_base(Region::In), None);
        assert_eq!(ga4::DEFAULT_BASE, "https://analyticsdata.googleapis.com");
    }

    #[test]
    fn endpoint_override_is_validated() {
        let mut settings = AnalyticsSettings::default();
        assert_eq!(endpoint_override(&settings).unwrap(), None);
        settings.endpoint = Some(Setting("http://127.0.0.1:9/".into()));
        assert_eq!(
            endpoint_override(&settings).unwrap().as_deref(),
            Some("http://127.0.0.1:9")
        );
        settings.endpoint = Some(Setting("${PROXY}".into()));
        assert!(
            endpoint_override(&settings)
                .unwrap_err()
                .to_string()
                .contains("analytics.endpoint")
        );
        settings.endpoint = Some(Setting("ftp://x".into()));
        assert!(endpoint_override(&settings).is_err());
    }

    #[test]
    fn no_provider_is_a_clear_error() {
        let err = connector(&AnalyticsSettings::default(), "x", Path::new("."))
            .err()
            .unwrap();
        assert!(err.to_string().contains("analytics.provider"));
    }
}

/// Property tests of the provider payload readers (issue 18): any bytes a provider sends are
/// split, decoded or counted as malformed, never a panic; credentials that do not parse are
/// an error that never quotes them.
#[cfg(all(test, feature = "analytics"))]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            any::<f64>().prop_map(|f| serde_json::json!(f)),
            ".{0,12}".prop_map(Value::String),
            prop::sample::select(vec!["2026-12-05T08:00:00Z", "1733385600", "1733385600000", "-1", "NaN"])
                .prop_map(|s| Value::String(s.to_string())),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            let keys = prop::sample::select(vec![
                "event",
                "event_type",
                "properties",
                "time",
                "event_time",
                "client_event_time",
                "distinct_id",
                "user_id",
                "device_id",
                "session_id",
                "$insert_id",
                "$current_url",
                "$device",
                "$os",
                "page_url",
                "device_type",
                "platform",
                "x",
            ]);
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((keys, inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn event_lines_of_any_shape_decode_or_are_dropped(line in json_value()) {
            let _ = mixpanel::line_to_event(&line);
            let _ = amplitude::line_to_event(&line);
        }

        #[test]
        fn any_bytes_split_into_lines_inventing_none(chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..8)) {
            let mut total = 0usize;
            let mut splitter = LineSplitter::default();
            let mut on_line = |l: &[u8]| total += l.len();
            for c in &chunks {
                splitter.push(c, &mut on_line);
            }
            splitter.finish(&mut on_line);
            let bytes: usize = chunks.iter().flatten().filter(|b| **b != b'\n').count();
            prop_assert!(total <= bytes);
        }

        #[test]
        fn timestamps_of_any_text_parse_or_not(text in ".{0,40}") {
            let _ = time::parse_timestamp_ms(&text);
        }

        #[test]
        fn credentials_that_do_not_parse_are_never_quoted(secret in "[A-Za-z0-9]{12,24}", noise in ".{0,30}") {
            let credentials = format!("{{\"private_key\": \"{secret}\" {noise}");
            for provider in [AnalyticsProvider::Ga4, AnalyticsProvider::Mixpanel, AnalyticsProvider::Amplitude] {
                let settings = AnalyticsSettings { provider: Some(provider), ..AnalyticsSettings::default() };
                if let Err(e) = connector(&settings, &credentials, Path::new(".")) {
                    prop_assert!(!e.to_string().contains(&secret), "{e}");
                }
            }
        }
    }
}
