//! Masking of secrets in configuration values before they are shown anywhere.

/// The masked form every secret is shown as.
pub const MASK: &str = "***";

/// Whether a key names a secret (`apiKey`, `password`, `credentials`, `webhook`, tokens).
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["apikey", "password", "credentials", "webhook", "token", "secret"]
        .iter()
        .any(|s| k.contains(s))
}

/// Whether a URL query parameter carries a secret (`pass`, `token`, `key`, `sig`, ...).
fn is_secret_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    is_secret_key(&n)
        || ["pass", "pwd", "key", "auth", "sig", "signature", "credential"]
            .iter()
            .any(|s| n.contains(s))
}

/// Masks the secrets a URL can hold: the password of its user info
/// (`redis://:pw@host` → `redis://:***@host`) and the values of query parameters that name
/// a secret (`?db=0&pass=pw` → `?db=0&pass=***`, `?token=…`, `?key=…`, `?sig=…`).
pub fn redact_url(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else {
        return text.to_string();
    };
    let authority_start = scheme_end + 3;
    let rest = &text[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let mut out = text[..authority_start].to_string();
    match authority
        .rfind('@')
        .and_then(|at| authority[..at].find(':').map(|colon| (at, colon)))
    {
        Some((at, colon)) => {
            out.push_str(&authority[..colon]);
            out.push(':');
            out.push_str(MASK);
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    let after = &rest[authority_len..];
    let (before_fragment, fragment) = after.split_at(after.find('#').unwrap_or(after.len()));
    match before_fragment.split_once('?') {
        Some((path, query)) => {
            out.push_str(path);
            out.push('?');
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((name, value)) if is_secret_param(name) && !value.is_empty() => format!("{name}={MASK}"),
                    _ => param.to_string(),
                })
                .collect();
            out.push_str(&params.join("&"));
        }
        None => out.push_str(before_fragment),
    }
    out.push_str(fragment);
    out
}

/// The value of `key` as it may be shown: masked when the key is a secret, URL passwords
/// masked otherwise.
pub fn redact_entry(key: &str, value: &serde_json::Value) -> serde_json::Value {
    let last = key.rsplit('.').next().unwrap_or(key);
    if is_secret_key(last) && !value.is_null() {
        serde_json::Value::String(MASK.into())
    } else {
        redact_value(value)
    }
}

/// Returns a copy of `value` with every secret key's value replaced by [`MASK`] and every
/// URL password masked.
pub fn redact_value(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret_key(k) && !v.is_null() {
                        Value::String(MASK.into())
                    } else {
                        redact_value(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_value).collect()),
        Value::String(s) => Value::String(redact_url(s)),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_url_passwords_only() {
        assert_eq!(
            redact_url("redis://:pw@localhost:6379/0"),
            "redis://:***@localhost:6379/0"
        );
        assert_eq!(redact_url("rediss://user:p@ss@h:1"), "rediss://user:***@h:1");
        assert_eq!(redact_url("bolt://localhost:7687"), "bolt://localhost:7687");
        assert_eq!(redact_url("https://user@host/x"), "https://user@host/x");
    }

    #[test]
    fn masks_secrets_in_url_query_strings() {
        assert_eq!(
            redact_url("redis+unix:///run/redis.sock?db=0&pass=s3cret"),
            "redis+unix:///run/redis.sock?db=0&pass=***"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:1/x?token=t0k&page=2#top"),
            "http://127.0.0.1:1/x?token=***&page=2#top"
        );
        assert_eq!(
            redact_url("https://u:pw@h/p?api_key=k&sig=abc"),
            "https://u:***@h/p?api_key=***&sig=***"
        );
        assert_eq!(redact_url("https://h/search?q=password"), "https://h/search?q=password");
    }

    #[test]
    fn masks_secret_keys_at_any_depth() {
        let v = serde_json::json!({"a": {"apiKey": "k", "password": "p", "x": "redis://u:p@h"},
            "notifications": {"slack": {"webhook": "https://hooks/x"}}, "n": null});
        let r = redact_value(&v).to_string();
        assert!(
            !r.contains("\"k\"") && !r.contains("\"p\"") && !r.contains("hooks") && !r.contains("u:p@"),
            "{r}"
        );
    }
}
