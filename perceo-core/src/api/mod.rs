//! Clients of the managed engine APIs (Perceo Cloud or a self-hosted `perceo serve`): one
//! HTTP layer for every engine — `Authorization: Bearer <apiKey>`, connect and request
//! timeouts, bounded retries with exponential backoff and jitter on connection errors, 429, 500,
//! 502, 503 and 504 (honouring `Retry-After`), gzip, a versioned user agent, and errors that
//! carry the status and the server's message but never the key.
//!
//! The transport itself is [`crate::http`], which the analytics connectors use too.

pub mod analytics;
pub mod analyzer;
pub mod coordinator;
mod get;
pub mod observer;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::redact_url;
use crate::error::{Error, Result};
pub use crate::http::Timeouts;
use crate::http::{RetryPolicy, http_client, join_url, send_with_policy};

/// One engine's API: a base URL and an optional key.
#[derive(Debug, Clone)]
pub struct ApiClient {
    base: String,
    key: Option<String>,
    http: reqwest::Client,
    engine: &'static str,
    retry: RetryPolicy,
}

impl ApiClient {
    /// A client of `engine` (`observer`, ...) at `base` (no trailing slash needed).
    pub fn new(engine: &'static str, base: &str, key: Option<String>, timeouts: Timeouts) -> Result<ApiClient> {
        Ok(ApiClient {
            base: base.trim_end_matches('/').to_string(),
            key,
            http: http_client(timeouts)?,
            engine,
            retry: RetryPolicy::default(),
        })
    }

    /// `POST {base}{path}` with a JSON body, decoding a JSON answer.
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T> {
        let url = join_url(&self.base, path);
        self.send_json(redact_url(&url), || self.http.post(&url).json(body))
            .await
    }

    /// Sends what `build` makes (once per attempt) with the key, retried per the client's
    /// policy, and decodes the JSON answer. `shown` is the redacted URL errors name.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        shown: String,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<T> {
        let secrets: Vec<&str> = self.key.iter().map(String::as_str).collect();
        let response = send_with_policy(self.retry, self.engine, &shown, &secrets, || {
            let request = build();
            match &self.key {
                Some(key) => request.bearer_auth(key),
                None => request,
            }
        })
        .await?;
        let status = response.status();
        response.json::<T>().await.map_err(|e| Error::Api {
            engine: self.engine,
            url: shown,
            status: status.as_u16(),
            message: format!("the answer does not decode: {}", e.without_url()),
        })
    }
}
