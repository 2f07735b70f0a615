//! `GET` on the shared HTTP layer (the engines' read endpoints), and path-segment encoding.

use serde::de::DeserializeOwned;

use super::ApiClient;
use crate::config::redact_url;
use crate::error::{Error, Result};

/// `segment` percent-encoded for use as one URL path segment (everything but RFC 3986
/// unreserved characters is escaped, so `/`, `?` and `#` cannot change the path). A segment
/// that is only `.` or `..` would still be a dot segment: callers validate ids first.
pub(crate) fn path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl ApiClient {
    /// The base URL, as configured (without a trailing slash; may hold credentials, so
    /// redact it before showing it).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `GET {base}{path}` with `query` parameters (encoded), decoding a JSON answer. Same
    /// key, timeouts, retries and errors as [`ApiClient::post`].
    pub async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T> {
        let url = super::join_url(&self.base, path);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_cannot_escape_their_segment() {
        assert_eq!(path_segment("add-to-cart"), "add-to-cart");
        assert_eq!(path_segment("../x?y#z"), "..%2Fx%3Fy%23z");
        assert_eq!(path_segment("é"), "%C3%A9");
    }
}
