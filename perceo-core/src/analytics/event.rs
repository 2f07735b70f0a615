//! The provider-neutral analytics event every connector produces.

use serde::{Deserialize, Serialize};

/// One event a real user caused, as GA4, Mixpanel or Amplitude recorded it, reduced to what
/// sessions and correlation need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsEvent {
    /// Event name as the provider calls it (`page_view`, `add_to_cart`, `$mp_web_page_view`).
    pub name: String,
    /// When it happened, milliseconds since the Unix epoch (UTC).
    pub time_ms: i64,
    /// Who: the user id when known, else the device/client id. Stable per person.
    pub user: String,
    /// The provider's session id, when it has one (GA4 `ga_session_id`, Amplitude
    /// `session_id`); otherwise sessions are cut after 30 minutes of inactivity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// Page path without query or fragment (`/product/42`), when the event carries a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// Device class, lower case: `desktop`, `mobile`, `tablet`, ... when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Whether this is the user's first session (GA4 `ga_session_number == 1`, ...), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_user: Option<bool>,
    /// Purchase value carried by the event (GA4 `value`/`purchase_revenue`, Mixpanel
    /// `revenue`/`price`, Amplitude `revenue`/`price`), when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue: Option<f64>,
    /// The provider's deduplication id (`$insert_id`, GA4 event id), when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insert_id: Option<String>,
}

/// Names providers give page views; such events are matched to steps by their page path.
pub const PAGE_VIEW_EVENTS: &[&str] = &[
    "page_view",
    "$mp_web_page_view",
    "Page View",
    "Page Viewed",
    "[Amplitude] Page Viewed",
    "$pageview",
];

/// Names providers give purchases; their `revenue` feeds the average order value.
pub const PURCHASE_EVENTS: &[&str] = &[
    "purchase",
    "Purchase",
    "Order Completed",
    "order_completed",
    "checkout_completed",
];

impl AnalyticsEvent {
    /// Whether the event is a page view (matched by its page rather than its name).
    pub fn is_page_view(&self) -> bool {
        PAGE_VIEW_EVENTS.contains(&self.name.as_str())
    }

    /// Whether the event is a purchase.
    pub fn is_purchase(&self) -> bool {
        PURCHASE_EVENTS.contains(&self.name.as_str())
    }
}

/// Strips scheme, host, query and fragment from a URL or path: `https://x.io/a/b?c#d` → `/a/b`.
pub fn page_path(url: &str) -> String {
    let rest = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            after.find('/').map_or("/", |j| &after[j..])
        }
        None => url,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let path = &rest[..end];
    if path.is_empty() {
        "/".into()
    } else if path.len() > 1 {
        path.trim_end_matches('/').to_string()
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_path_strips_host_query_and_trailing_slash() {
        assert_eq!(page_path("https://shop.example/product/42?ref=x#top"), "/product/42");
        assert_eq!(page_path("https://shop.example"), "/");
        assert_eq!(page_path("/cart/"), "/cart");
        assert_eq!(page_path("/"), "/");
    }
}
