//! Notifications: Slack incoming webhooks (the URL is a secret and never shown). Email is
//! refused by config validation until it is implemented.

use std::time::Duration;

use crate::error::{Error, Result};

/// Posts `text` to a Slack incoming webhook. Errors never contain the URL.
pub async fn post_slack(webhook: &str, text: &str) -> Result<()> {
    // reqwest's rustls uses the process-wide provider: ring, as for Redis TLS.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .user_agent(concat!("perceo/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build an HTTP client: {e}")))?;
    let response = client
        .post(webhook)
        .json(&serde_json::json!({ "text": text }))
        .send()
        .await
        .map_err(|e| Error::Bus(format!("the Slack webhook could not be reached ({})", e.without_url())))?;
    if !response.status().is_success() {
        return Err(Error::Bus(format!("the Slack webhook answered {}", response.status())));
    }
    Ok(())
}
