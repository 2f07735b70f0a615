//! The analytics events a source file fires, read from its text: `gtag('event', 'name')`,
//! `mixpanel.track`, `amplitude.track`/`logEvent`, `posthog.capture`, `analytics.track`
//! (Segment, RudderStack...), `plausible('name')`, `umami.track`, and bare `track`,
//! `trackEvent`, `logEvent`, `capture` calls — each with a literal event name.

use std::sync::LazyLock;

use regex::Regex;

static GTAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bgtag\(\s*['"]event['"]\s*,\s*['"]([^'"\n]+)['"]"#).expect("a valid regex"));
static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:\b(?:mixpanel|amplitude|posthog|analytics|rudderanalytics|umami|heap)\.(?:track|capture|logEvent)|(?:^|[^\w$.])(?:track|trackEvent|logEvent|capture|plausible))\(\s*(?:'([^'\n]+)'|"([^"\n]+)"|`([^`$\n]+)`)"#,
    )
    .expect("a valid regex")
});

/// The event names `text` fires, sorted, without duplicates.
pub fn scan(text: &str) -> Vec<String> {
    // Most files fire nothing: a plain substring search rules them out before the regexes.
    const HINTS: &[&str] = &["gtag", "track", "Track", "capture", "logEvent", "plausible"];
    if !HINTS.iter().any(|h| text.contains(h)) {
        return Vec::new();
    }
    super::endpoints::first_captures(&[&GTAG, &CALL], text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_tracking_calls_are_found() {
        let found = scan(
            "gtag('event', 'purchase', { value });\nmixpanel.track(\"add_to_cart\");\n\
             posthog.capture('signup_started'); analytics.track(`checkout_viewed`);\n\
             amplitude.logEvent('search'); track('login');\n\
             tracker.track('not_ours'); console.log('track'); mixpanel.track(name);\n",
        );
        assert_eq!(
            found,
            vec![
                "add_to_cart",
                "checkout_viewed",
                "login",
                "purchase",
                "search",
                "signup_started"
            ]
        );
    }
}
