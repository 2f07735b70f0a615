//! Clients of the managed engine APIs (Perceo Cloud or a self-hosted `perceo serve`): one
//! HTTP layer for every engine — `Authorization: Bearer <apiKey>`, connect and request
//! timeouts, bounded retries with exponential backoff and jitter on connection errors, 429,
//! 502, 503 and 504 (honouring `Retry-After`), gzip, a versioned user agent, and errors that
//! carry the status and the server's message but never the key.

pub mod observer;

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::redact_url;
use crate::error::{Error, Result};

/// How many times a request is tried in all.
const ATTEMPTS: u32 = 4;
/// The first retry waits about this long; each later one twice as long.
const BACKOFF: Duration = Duration::from_millis(200);
/// A `Retry-After` longer than this is not waited for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

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

/// One engine's API: a base URL and an optional key.
#[derive(Debug, Clone)]
pub struct ApiClient {
    base: String,
    key: Option<String>,
    http: reqwest::Client,
    engine: &'static str,
}

fn jitter(d: Duration) -> Duration {
    // Up to 25% more, from the clock's nanoseconds (no RNG dependency needed for this).
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |t| t.subsec_nanos());
    d + d.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

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

impl ApiClient {
    /// A client of `engine` (`observer`, ...) at `base` (no trailing slash needed).
    pub fn new(engine: &'static str, base: &str, key: Option<String>, timeouts: Timeouts) -> Result<ApiClient> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .user_agent(concat!("perceo/", env!("CARGO_PKG_VERSION")))
            .gzip(true)
            .build()
            .map_err(|e| Error::Argument(format!("cannot build an HTTP client: {e}")))?;
        Ok(ApiClient {
            base: base.trim_end_matches('/').to_string(),
            key,
            http,
            engine,
        })
    }

    /// `POST {base}{path}` with a JSON body, decoding a JSON answer.
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T> {
        let url = format!("{}{path}", self.base);
        let shown = redact_url(&url);
        let mut delay = BACKOFF;
        for attempt in 1..=ATTEMPTS {
            let mut request = self.http.post(&url).json(body);
            if let Some(key) = &self.key {
                request = request.bearer_auth(key);
            }
            let last = attempt == ATTEMPTS;
            match request.send().await {
                Err(e) if (e.is_connect() || e.is_timeout()) && !last => {}
                Err(e) => {
                    return Err(Error::ApiUnreachable {
                        engine: self.engine,
                        url: shown,
                        message: if e.is_timeout() {
                            "no answer in time".into()
                        } else {
                            e.without_url().to_string()
                        },
                    });
                }
                Ok(response) => {
                    let status = response.status();
                    if status.is_success() {
                        return response.json::<T>().await.map_err(|e| Error::Api {
                            engine: self.engine,
                            url: shown,
                            status: status.as_u16(),
                            message: format!("the answer does not decode: {}", e.without_url()),
                        });
                    }
                    let retryable = matches!(status.as_u16(), 429 | 502 | 503 | 504);
                    if retryable && !last {
                        if let Some(wait) = retry_after(&response) {
                            delay = wait;
                        }
                    } else {
                        let text = response.text().await.unwrap_or_default();
                        let message = serde_json::from_str::<serde_json::Value>(&text)
                            .ok()
                            .and_then(|v| {
                                v.pointer("/error/message")
                                    .or_else(|| v.get("message"))
                                    .and_then(|m| m.as_str())
                                    .map(String::from)
                            })
                            .unwrap_or_else(|| text.chars().take(300).collect());
                        let message = match (&self.key, status.as_u16()) {
                            (Some(key), _) => message.replace(key.as_str(), "***"),
                            (None, _) => message,
                        };
                        return Err(Error::Api {
                            engine: self.engine,
                            url: shown,
                            status: status.as_u16(),
                            message,
                        });
                    }
                }
            }
            tokio::time::sleep(jitter(delay)).await;
            delay *= 2;
        }
        Err(Error::ApiUnreachable {
            engine: self.engine,
            url: shown,
            message: format!("gave up after {ATTEMPTS} attempts"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_adds_at_most_a_quarter() {
        let d = Duration::from_millis(400);
        let j = jitter(d);
        assert!(j >= d && j <= d + d / 4);
    }
}
