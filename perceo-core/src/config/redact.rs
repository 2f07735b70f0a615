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

/// Masks the password inside a URL's user info (`redis://:pw@host` → `redis://:***@host`).
pub fn redact_url(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else {
        return text.to_string();
    };
    let authority_start = scheme_end + 3;
    let rest = &text[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let Some(at) = authority.rfind('@') else {
        return text.to_string();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return text.to_string();
    };
    format!(
        "{}{}:{}{}",
        &text[..authority_start],
        &userinfo[..colon],
        MASK,
        &text[authority_start + at..]
    )
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
