//! Contract tests of the analytics connectors against local servers that answer exactly in
//! each provider's format: GA4 (OAuth JWT bearer grant + Data API `runReport`, BigQuery export
//! files), Mixpanel (Raw Event Export, gzip JSON lines) and Amplitude (Export API, a zip of
//! gzipped JSON lines).
//!
//! The GA4 key under `tests/fixtures/analytics/` is a throwaway TEST-ONLY key.

mod support;

mod amplitude;
mod ga4;
mod mixpanel;
