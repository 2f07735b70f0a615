//! API keys: `Authorization: Bearer <key>`, compared in constant time.

use axum::http::{HeaderMap, StatusCode, header};
use subtle::ConstantTimeEq;

use super::ApiError;

/// The keys a server accepts, kept as SHA-256 digests: every comparison is between two
/// 32-byte values in constant time, so neither a key's content nor its length leaks
/// through timing, and the keys themselves are not kept in memory after start.
pub struct ApiKeys {
    digests: Vec<[u8; 32]>,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeys").field("keys", &self.digests.len()).finish()
    }
}

fn digest(key: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, key);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

impl ApiKeys {
    /// Accepts each of `keys`; none at all accepts every request (`--insecure-no-auth`).
    pub fn new(keys: &[String]) -> ApiKeys {
        ApiKeys {
            digests: keys.iter().map(|k| digest(k.as_bytes())).collect(),
        }
    }

    /// Whether no key is required.
    pub fn is_open(&self) -> bool {
        self.digests.is_empty()
    }

    /// Whether `key` is one of the keys. Every configured key is compared (no early exit).
    pub fn accepts(&self, key: &str) -> bool {
        let given = digest(key.as_bytes());
        let mut found = subtle::Choice::from(0u8);
        for d in &self.digests {
            found |= d.ct_eq(&given);
        }
        found.into()
    }

    /// Checks a request's `Authorization` header; the error is the 401 to answer.
    pub(crate) fn check(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        if self.is_open() {
            return Ok(());
        }
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth.missing",
                "this endpoint needs an API key: send `Authorization: Bearer <key>` (the client's apiKey setting)",
            ));
        };
        let key = value
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, rest) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .filter(|k| !k.is_empty());
        let Some(key) = key else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth.scheme",
                "the Authorization header must be `Bearer <key>`",
            ));
        };
        if self.accepts(key) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth.invalid",
                "the API key is not accepted by this server (check the client's apiKey against the server's PERCEO_SERVE_API_KEYS or serve.apiKeys)",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, value.parse().unwrap());
        h
    }

    #[test]
    fn only_configured_keys_pass_and_errors_never_echo_the_key() {
        let keys = ApiKeys::new(&["sk-one".into(), "sk-two-longer".into()]);
        assert!(keys.accepts("sk-one") && keys.accepts("sk-two-longer"));
        assert!(!keys.accepts("sk-on") && !keys.accepts("") && !keys.accepts("sk-one "));
        assert!(keys.check(&headers("Bearer sk-two-longer")).is_ok());
        assert!(keys.check(&headers("bearer  sk-one ")).is_ok());
        for (h, code) in [
            ("Bearer sk-wrong", "auth.invalid"),
            ("Basic c2stb25l", "auth.scheme"),
            ("Bearer", "auth.scheme"),
        ] {
            let e = keys.check(&headers(h)).unwrap_err();
            assert_eq!(e.status, StatusCode::UNAUTHORIZED);
            assert_eq!(e.code, code, "{h}");
            assert!(!e.message.contains("sk-"), "{}", e.message);
        }
        assert_eq!(keys.check(&HeaderMap::new()).unwrap_err().code, "auth.missing");
        assert!(ApiKeys::new(&[]).check(&HeaderMap::new()).is_ok());
        assert!(!format!("{keys:?}").contains("sk-"));
    }
}
