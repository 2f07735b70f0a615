//! The Analytics engine: real user behaviour from GA4, Mixpanel or Amplitude, grouped into
//! sessions, aligned against each flow's steps (walks from step 1, see [`align`]), and turned into production
//! metrics per flow, coverage gaps and revenue impact.
//!
//! Pipeline: [`providers`] fetch [`event::AnalyticsEvent`]s → [`store`] keeps them per day in
//! `.perceo/analytics/` → [`sessions`] cut them into sessions → [`alphabet`] maps events onto
//! step symbols → [`align`] scores sessions against flows → [`metrics`], [`gaps`] and
//! [`revenue`] aggregate.

pub mod align;
pub mod alphabet;
pub mod event;
pub mod gaps;
pub mod metrics;
pub mod providers;
pub mod revenue;
pub mod sessions;
pub mod store;
