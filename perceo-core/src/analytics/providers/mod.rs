//! Connectors to the analytics providers: each checks its credentials and fetches the events
//! of a time range in the provider's real export format, producing [`AnalyticsEvent`]s.
//!
//! (Being built: GA4, Mixpanel, Amplitude.)


