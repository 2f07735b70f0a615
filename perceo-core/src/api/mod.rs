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
pub mod observer;
mod path;

use serde::Serialize;
use serde::de::DeserializeOwned;

#[cfg(feature = "remote")]
use crate::config::redact_url;
use crate::error::{Error, Result};
pub use crate::http::Timeouts;
#[cfg(feature = "remote")]
use crate::http::{RetryPolicy, http_client, join_url, send_with_policy};

/// One engine's API: a base URL and an optional key.
#[cfg(feature = "remote")]
#[derive(Debug, Clone)]
pub struct ApiClient {
    base: String,
    key: Option<String>,
    http: reqwest::Client,
    engine: &'static str,
    retry: RetryPolicy,
}

#[cfg(feature = "remote")]
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

    /// The base URL, as configured (without a trailing slash; may hold credentials, so
    /// redact it before showing it).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `GET {base}{path}` with `query` parameters (encoded), decoding a JSON answer. Same
    /// key, timeouts, retries and errors as [`ApiClient::post`].
    pub async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T> {
        let url = join_url(&self.base, path);
        let shown = redact_url(&url);
        let full = if query.is_empty() {
            reqwest::Url::parse(&url)
        } else {
            reqwest::Url::parse_with_params(&url, query)
        }
        .map_err(|e| {
            Error::Argument(format!(
                "{}.apiBaseUrl: `{shown}` is not a usable URL: {e}",
                self.engine
            ))
        })?;
        self.send_json(shown, || self.http.get(full.clone())).await
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

/// Without the `remote` feature no client can be made: [`ApiClient::new`] says so, and the
/// methods exist only so that the delegation code compiles.
#[cfg(not(feature = "remote"))]
#[derive(Debug, Clone)]
pub struct ApiClient {
    never: std::convert::Infallible,
}

#[cfg(not(feature = "remote"))]
impl ApiClient {
    /// Always [`Error::Unsupported`]: this build has no managed-API clients.
    pub fn new(_engine: &'static str, _base: &str, _key: Option<String>, _timeouts: Timeouts) -> Result<ApiClient> {
        Err(Error::unsupported(
            "the managed engine APIs (an `apiBaseUrl`)",
            "remote",
        ))
    }

    /// The base URL (never reached: no client exists).
    pub fn base_url(&self) -> &str {
        match self.never {}
    }

    /// `POST` (never reached: no client exists).
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(&self, _path: &str, _body: &B) -> Result<T> {
        match self.never {}
    }

    /// `GET` (never reached: no client exists).
    pub async fn get<T: DeserializeOwned>(&self, _path: &str, _query: &[(&str, String)]) -> Result<T> {
        match self.never {}
    }
}
