//! The HTTP transport every outbound call of Perceo uses (managed engine APIs, analytics
//! providers, the LLM, doctor's probes): clients with connect and request timeouts, gzip and
//! a versioned user agent; bounded retries with exponential backoff and jitter on connection
//! errors, 429, 500, 502, 503 and 504 (honouring `Retry-After`); errors that carry the status
//! and the server's message but never a secret. A leaf: it knows no engine.

// Which parts a build uses depends on its features (the analytics connectors use the
// streaming client, the API clients the retry policy, ...): only the full build checks that
// every part is used.
#![cfg_attr(
    not(all(feature = "analytics", feature = "llm", feature = "remote", feature = "slack")),
    allow(dead_code)
)]

use std::time::Duration;

use crate::config::MASK;
#[cfg(feature = "http")]
use crate::error::{Error, Result};

/// How many times a request is tried in all.
const ATTEMPTS: u32 = 4;
/// The first retry waits about this long; each later one twice as long.
const BACKOFF: Duration = Duration::from_millis(200);
/// A `Retry-After` longer than this is not waited for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// At most this much of a non-JSON error body is quoted in an error.
const MAX_QUOTED: usize = 300;

/// Timeouts of an API client.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Connecting. Default: 5 s.
    pub connect: Duration,
    /// A whole request. Default: 60 s.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(60),
        }
    }
}

/// How often and how patiently a request is retried.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    /// Tries in all (at least 1).
    pub attempts: u32,
    /// The wait before the first retry; doubled for each later one (plus jitter).
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: ATTEMPTS,
            backoff: BACKOFF,
        }
    }
}

fn jitter(d: Duration) -> Duration {
    // Up to 25% more, from the clock's nanoseconds (no RNG dependency needed for this).
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |t| t.subsec_nanos());
    d + d.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

#[cfg(feature = "http")]
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let secs: u64 = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

#[cfg(feature = "http")]
fn client_builder(connect: Duration) -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(connect)
        .user_agent(concat!("perceo/", env!("CARGO_PKG_VERSION")))
        .gzip(true)
}

#[cfg(feature = "http")]
fn build_client(builder: reqwest::ClientBuilder) -> Result<reqwest::Client> {
    builder
        .build()
        .map_err(|e| Error::Internal(format!("cannot build an HTTP client: {e}")))
}

#[cfg(feature = "http")]
/// The shared HTTP client: versioned user agent, gzip, the connect timeout and a timeout on
/// each whole request.
pub(crate) fn http_client(timeouts: Timeouts) -> Result<reqwest::Client> {
    build_client(client_builder(timeouts.connect).timeout(timeouts.request))
}

#[cfg(feature = "http")]
/// Like [`http_client`] for long streamed downloads (exports): no limit on the whole request,
/// only on connecting and on each read (`read`, the longest silence tolerated).
pub(crate) fn streaming_http_client(connect: Duration, read: Duration) -> Result<reqwest::Client> {
    build_client(client_builder(connect).read_timeout(read))
}

/// The server's words from an error body: Google's `error.message`, a top-level `message`,
/// OAuth's `error_description` (with its `error` code), a bare `error` string, or the start
/// of the text.
fn server_message(text: &str) -> String {
    let from_json = serde_json::from_str::<serde_json::Value>(text).ok().and_then(|v| {
        let str_at = |p: &str| v.pointer(p).and_then(|m| m.as_str()).map(String::from);
        str_at("/error/message")
            .or_else(|| str_at("/message"))
            .or_else(|| {
                let description = str_at("/error_description")?;
                Some(match str_at("/error") {
                    Some(code) => format!("{code}: {description}"),
                    None => description,
                })
            })
            .or_else(|| str_at("/error"))
    });
    from_json.unwrap_or_else(|| text.trim().chars().take(MAX_QUOTED).collect())
}

/// `text` with every (non-empty) secret replaced by `***`.
pub(crate) fn mask_secrets(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret, MASK);
    }
    out
}

#[cfg(feature = "http")]
/// Sends the request `build` makes with the default [`RetryPolicy`]; see [`send_with_policy`].
pub(crate) async fn send_with_retries(
    engine: &'static str,
    shown_url: &str,
    secrets: &[&str],
    build: impl Fn() -> reqwest::RequestBuilder,
) -> Result<reqwest::Response> {
    send_with_policy(RetryPolicy::default(), engine, shown_url, secrets, build).await
}

#[cfg(feature = "http")]
/// Sends the request `build` makes (called once per attempt), retrying connection errors,
/// timeouts and 429/500/502/503/504 with exponential backoff and jitter, honouring a
/// `Retry-After` in seconds (at most 30 s). Returns the first successful response; any other
/// answer becomes [`Error::Api`] with the status and the server's message, and a request
/// that never got through [`Error::ApiUnreachable`]. `shown_url` (already redacted) names
/// the request in errors; every one of `secrets` is masked as `***` in them.
pub(crate) async fn send_with_policy(
    policy: RetryPolicy,
    engine: &'static str,
    shown_url: &str,
    secrets: &[&str],
    build: impl Fn() -> reqwest::RequestBuilder,
) -> Result<reqwest::Response> {
    let attempts = policy.attempts.max(1);
    let mut delay = policy.backoff;
    for attempt in 1..=attempts {
        let last = attempt == attempts;
        match build().send().await {
            Err(e) if (e.is_connect() || e.is_timeout()) && !last => {}
            Err(e) => {
                let message = if e.is_timeout() {
                    "no answer in time".into()
                } else {
                    e.without_url().to_string()
                };
                return Err(Error::ApiUnreachable {
                    engine,
                    url: shown_url.to_string(),
                    message: mask_secrets(&message, secrets),
                });
            }
            Ok(response) => {
                let status = response.status();
                if status.is_success() {
                    return Ok(response);
                }
                let retryable = matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504);
                if retryable && !last {
                    if let Some(wait) = retry_after(&response) {
                        delay = wait;
                    }
                } else {
                    let text = response.text().await.unwrap_or_default();
                    return Err(Error::Api {
                        engine,
                        url: shown_url.to_string(),
                        status: status.as_u16(),
                        message: mask_secrets(&server_message(&text), secrets),
                    });
                }
            }
        }
        tokio::time::sleep(jitter(delay)).await;
        delay *= 2;
    }
    Err(Error::ApiUnreachable {
        engine,
        url: shown_url.to_string(),
        message: format!("gave up after {attempts} attempts"),
    })
}

#[cfg(feature = "http")]
/// `base` with `path` (`/healthz`) appended to its path, its query string kept after the
/// joined path: `http://h/x?token=t` + `/healthz` → `http://h/x/healthz?token=t`.
pub(crate) fn join_url(base: &str, path: &str) -> String {
    match reqwest::Url::parse(base) {
        Ok(mut url) if !url.cannot_be_a_base() => {
            let joined = format!("{}{path}", url.path().trim_end_matches('/'));
            url.set_path(&joined);
            url.to_string()
        }
        _ => format!("{}{path}", base.trim_end_matches('/')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "http")]
    #[test]
    fn api_base_url_with_query_string_joins_paths_properly() {
        assert_eq!(
            join_url("http://127.0.0.1:1/x?token=t", "/healthz"),
            "http://127.0.0.1:1/x/healthz?token=t"
        );
        assert_eq!(
            join_url("https://api.example/v1/", "/observer/analyze"),
            "https://api.example/v1/observer/analyze"
        );
        assert_eq!(join_url("http://h:8080", "/healthz"), "http://h:8080/healthz");
    }

    #[test]
    fn jitter_adds_at_most_a_quarter() {
        let d = Duration::from_millis(400);
        let j = jitter(d);
        assert!(j >= d && j <= d + d / 4);
    }

    #[test]
    fn server_messages_come_from_the_usual_error_shapes() {
        assert_eq!(
            server_message(
                r#"{"error":{"code":403,"message":"User does not have sufficient permissions","status":"PERMISSION_DENIED"}}"#
            ),
            "User does not have sufficient permissions"
        );
        assert_eq!(server_message(r#"{"message":"bad key"}"#), "bad key");
        assert_eq!(
            server_message(r#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#),
            "invalid_grant: Invalid JWT Signature."
        );
        assert_eq!(server_message(r#"{"error":"Unauthorized"}"#), "Unauthorized");
        assert_eq!(server_message("  plain text\n"), "plain text");
        assert_eq!(server_message(&"x".repeat(1000)).len(), MAX_QUOTED);
    }

    #[test]
    fn secrets_are_masked_and_empty_ones_ignored() {
        assert_eq!(mask_secrets("key sk-1 and sk-1", &["sk-1", ""]), "key *** and ***");
    }
}
