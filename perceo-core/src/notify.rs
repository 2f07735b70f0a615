//! Notifications: Slack incoming webhooks (the URL is a secret and never shown). Email is
//! refused by config validation until it is implemented.

use crate::error::{Error, Result};

/// Without the `slack` feature there is no HTTP client to post with.
#[cfg(not(feature = "slack"))]
pub async fn post_slack(_webhook: &str, _text: &str) -> Result<()> {
    Err(Error::unsupported("Slack notifications", "slack"))
}

/// Posts `text` to a Slack incoming webhook. Errors never contain the URL.
#[cfg(feature = "slack")]
pub async fn post_slack(webhook: &str, text: &str) -> Result<()> {
    let five_seconds = std::time::Duration::from_secs(5);
    let client = crate::http::http_client(crate::http::Timeouts {
        connect: five_seconds,
        request: five_seconds,
    })?;
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
