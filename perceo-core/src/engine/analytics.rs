//! The facade's Analytics methods: connect a provider, sync its events, correlate them with
//! the flows, find coverage gaps and estimate revenue impact. With `analytics.apiBaseUrl`
//! set (and not `--local`), sync, correlate, gaps and impact run on the managed Analytics API.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Perceo;
use crate::analytics::event::AnalyticsEvent;
use crate::analytics::gaps::{Gap, find_gaps};
use crate::analytics::metrics::{CorrelationReport, Prepared, correlate, prepare};
use crate::analytics::providers::{Connector, FetchStats, TimeRange, connector};
use crate::analytics::revenue::{OrderValueSource, RevenueImpact, order_value_from_events, revenue_impact};
use crate::analytics::sessions::{Session, sessionize};
use crate::analytics::store::{DAY_MS, EventStore, RETENTION_DAYS};
use crate::bus::payloads::{CorrelationComplete, MetricsUpdated};
use crate::config::{AnalyticsProvider, AnalyticsSettings, Region};
use crate::error::{Error, Result};

/// The config key holding the provider credentials.
const CREDENTIALS_KEY: &str = "analytics.credentials";

/// What to connect in [`Perceo::analytics_connect`].
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// The provider.
    pub provider: Option<AnalyticsProvider>,
    /// Where the credentials are: an environment variable name (`MIXPANEL_CREDENTIALS`) or a
    /// file path. Default: the `analytics.credentials` already configured.
    pub credentials: Option<String>,
    /// GA4 property id.
    pub property_id: Option<String>,
    /// GA4 BigQuery-export files (file, directory or glob).
    pub export_path: Option<String>,
    /// Mixpanel project id.
    pub project_id: Option<u64>,
    /// Data residency region.
    pub region: Option<Region>,
}

/// What [`Perceo::analytics_connect`] did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectReport {
    /// The provider.
    pub provider: AnalyticsProvider,
    /// The reference written to `analytics.credentials` (`${VAR}` or `file:PATH`; never the secret).
    pub credentials: String,
    /// The config file written.
    pub config_file: PathBuf,
    /// The keys written.
    pub keys: Vec<String>,
}

/// Options of [`Perceo::analytics_sync`] (also the body of `POST /analytics/sync`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncOptions {
    /// Fetch from this time (Unix ms) instead of the stored cursor.
    pub since_ms: Option<i64>,
    /// Correlate after syncing (default in the CLI).
    pub correlate: bool,
}

/// Progress of a sync, for a progress bar.
#[derive(Debug, Clone, Copy, Default)]
pub struct SyncProgress {
    /// Events received so far.
    pub events: u64,
    /// Sessions built (set once fetching is over).
    pub sessions: Option<u64>,
}

/// What [`Perceo::analytics_sync`] did.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// The provider.
    pub provider: AnalyticsProvider,
    /// Start of the range fetched (RFC 3339).
    pub from: String,
    /// End of the range fetched (RFC 3339).
    pub to: String,
    /// Events stored.
    pub events: u64,
    /// Malformed lines or rows skipped.
    pub malformed: u64,
    /// HTTP requests made.
    pub requests: u64,
    /// Where the events are kept.
    #[schema(value_type = String)]
    pub store: PathBuf,
    /// The correlation run after the sync, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation: Option<CorrelationReport>,
}

/// `analytics.data.synced`: the sync report.
impl crate::bus::payloads::Payload for SyncReport {
    const TYPE: crate::bus::EventType = crate::bus::EventType::AnalyticsDataSynced;
    const SOURCE: &'static str = "analytics";
}

fn provider_name(p: AnalyticsProvider) -> &'static str {
    match p {
        AnalyticsProvider::Ga4 => "ga4",
        AnalyticsProvider::Mixpanel => "mixpanel",
        AnalyticsProvider::Amplitude => "amplitude",
    }
}

fn cursor_key(p: AnalyticsProvider) -> String {
    format!("analytics.{}.syncedUntil", provider_name(p))
}

/// RFC 3339 of a Unix-ms time.
fn rfc3339(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}

/// `${NAME}` for an environment variable name, `file:PATH` for a file (project-relative when
/// inside the project).
fn credentials_reference(given: &str, env: &crate::config::Env, project_dir: &Path) -> Result<String> {
    let is_env_name = !given.is_empty()
        && given.chars().next().is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && given
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if is_env_name {
        return match env.get(given) {
            Some(_) => Ok(format!("${{{given}}}")),
            None => Err(Error::Argument(format!(
                "credentials `{given}`: the environment variable {given} is not set"
            ))),
        };
    }
    let path = Path::new(given);
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_err(|e| Error::io(".", e))?.join(path)
    };
    if !absolute.is_file() {
        return Err(Error::Argument(format!(
            "credentials `{given}`: neither a set environment variable (UPPER_CASE name) nor a readable file"
        )));
    }
    let shown = match absolute.strip_prefix(project_dir) {
        Ok(relative) => relative.to_path_buf(),
        Err(_) => absolute,
    };
    Ok(format!("file:{}", shown.display()))
}

/// The connector `settings` describe, with the credentials and endpoint resolved from `config`.
pub(super) fn analytics_connector(
    config: &crate::config::Config,
    settings: &AnalyticsSettings,
) -> Result<Box<dyn Connector>> {
    let reference = settings.credentials.as_ref().ok_or_else(|| {
        Error::Argument(format!(
            "{CREDENTIALS_KEY} is not set: set it in .perceo/config.json to `${{ENV_VAR}}` or `file:PATH` holding the credentials (`perceo analytics connect` does it)"
        ))
    })?;
    let secret = config.resolve(CREDENTIALS_KEY, reference)?;
    let mut settings = settings.clone();
    settings.endpoint = config
        .resolve_opt("analytics.endpoint", settings.endpoint.as_ref())?
        .map(crate::config::Setting);
    connector(&settings, &secret, &config.project_dir)
}

impl Perceo {
    fn analytics_settings(&self) -> &AnalyticsSettings {
        &self.config.settings.analytics
    }

    fn configured_provider(&self) -> Result<AnalyticsProvider> {
        self.analytics_settings().provider.ok_or_else(|| {
            Error::Argument(
                "analytics.provider is not set: set it in .perceo/config.json to ga4, mixpanel or amplitude, with analytics.credentials (`perceo analytics connect` does both)".into(),
            )
        })
    }

    fn connector_for(&self, settings: &AnalyticsSettings) -> Result<Box<dyn Connector>> {
        analytics_connector(&self.config, settings)
    }

    /// The event store of the configured provider.
    pub fn analytics_store(&self) -> Result<EventStore> {
        Ok(EventStore::new(
            &self.config.project_dir,
            provider_name(self.configured_provider()?),
        ))
    }

    /// Checks the credentials against the provider with the smallest real request, then writes
    /// the provider, its options and a `${ENV}` or `file:` reference to the credentials into
    /// the base config file (one atomic, validated write). The secret itself is never written.
    pub fn analytics_connect(&self, options: &ConnectOptions) -> Result<ConnectReport> {
        let mut settings = self.analytics_settings().clone();
        let provider = options
            .provider
            .or(settings.provider)
            .ok_or_else(|| Error::Argument("a provider is required: ga4, mixpanel or amplitude".into()))?;
        settings.provider = Some(provider);
        let mut keys: Vec<(String, serde_json::Value)> =
            vec![("analytics.provider".into(), serde_json::json!(provider_name(provider)))];
        let reference = match &options.credentials {
            Some(given) => credentials_reference(given, self.config.env(), &self.config.project_dir)?,
            None => settings
                .credentials
                .as_ref()
                .map(|s| s.raw().to_string())
                .ok_or_else(|| {
                    Error::Argument("credentials are required: an environment variable name or a file path".into())
                })?,
        };
        settings.credentials = Some(crate::config::Setting(reference.clone()));
        keys.push((CREDENTIALS_KEY.into(), serde_json::json!(reference)));
        if let Some(id) = &options.property_id {
            settings.ga4.property_id = Some(id.clone());
            keys.push(("analytics.ga4.propertyId".into(), serde_json::json!(id)));
        }
        if let Some(path) = &options.export_path {
            settings.ga4.export_path = Some(path.clone());
            keys.push(("analytics.ga4.exportPath".into(), serde_json::json!(path)));
        }
        if let Some(id) = options.project_id {
            settings.mixpanel.project_id = Some(id);
            keys.push(("analytics.mixpanel.projectId".into(), serde_json::json!(id)));
        }
        if let Some(region) = options.region {
            let key = match provider {
                AnalyticsProvider::Mixpanel => {
                    settings.mixpanel.region = region;
                    "analytics.mixpanel.region"
                }
                AnalyticsProvider::Amplitude => {
                    settings.amplitude.region = region;
                    "analytics.amplitude.region"
                }
                AnalyticsProvider::Ga4 => {
                    return Err(Error::Argument(
                        "a region applies to Mixpanel and Amplitude only".into(),
                    ));
                }
            };
            keys.push((key.into(), serde_json::to_value(region).unwrap_or_default()));
        }
        if provider == AnalyticsProvider::Ga4 && settings.ga4.property_id.is_none() {
            return Err(Error::Argument(
                "GA4 needs its property id, the number under Admin → Property details such as 123456789 (`--property-id` on the command line, `propertyId` from JavaScript)".into(),
            ));
        }
        let connector = self.connector_for(&settings)?;
        self.block_on(connector.check())?;
        let config_file = self.config.set_many(&keys)?;
        Ok(ConnectReport {
            provider,
            credentials: reference,
            config_file,
            keys: keys.into_iter().map(|(k, _)| k).collect(),
        })
    }

    /// Fetches the provider's events since the stored cursor less
    /// `analytics.syncLookbackMinutes` (first sync: the last `analytics.correlation.windowDays`),
    /// stores them under `.perceo/analytics/`, moves the
    /// cursor, publishes `analytics.data.synced` and, with `options.correlate`, correlates.
    pub fn analytics_sync(
        &self,
        options: &SyncOptions,
        on_progress: &mut (dyn FnMut(SyncProgress) + Send),
    ) -> Result<SyncReport> {
        if let Some(client) = self.analytics_client()? {
            return self.block_on(client.sync(options));
        }
        let provider = self.configured_provider()?;
        let connector = self.connector_for(self.analytics_settings())?;
        let graph = self.graph()?;
        let key = cursor_key(provider);
        let end_ms = crate::fsutil::now_ms();
        let window_ms = self.analytics_settings().correlation.window_days as i64 * DAY_MS;
        let start_ms = match options.since_ms {
            Some(since) => since,
            None => match self.block_on(graph.cursor(&key))? {
                Some(saved) => saved.parse::<i64>().map_or(end_ms - window_ms, |until| {
                    until - self.analytics_settings().sync_lookback_minutes as i64 * 60_000
                }),
                None => end_ms - window_ms,
            },
        };
        if start_ms >= end_ms {
            return Err(Error::Argument(format!(
                "nothing to sync: the start {} is not before now",
                rfc3339(start_ms)
            )));
        }
        let mut events: Vec<AnalyticsEvent> = Vec::new();
        let mut stats = FetchStats::default();
        {
            let mut sink = |event: AnalyticsEvent| {
                events.push(event);
                if events.len().is_multiple_of(1000) {
                    on_progress(SyncProgress {
                        events: events.len() as u64,
                        sessions: None,
                    });
                }
            };
            self.block_on(connector.fetch(TimeRange { start_ms, end_ms }, &mut sink, &mut stats))?;
        }
        let store = EventStore::new(&self.config.project_dir, provider_name(provider));
        store.write(start_ms, end_ms, &events)?;
        self.block_on(graph.set_cursor(&key, &end_ms.to_string()))?;
        store.prune(end_ms, RETENTION_DAYS)?;
        on_progress(SyncProgress {
            events: events.len() as u64,
            sessions: None,
        });
        let report = SyncReport {
            provider,
            from: rfc3339(start_ms),
            to: rfc3339(end_ms),
            events: events.len() as u64,
            malformed: stats.malformed,
            requests: stats.requests,
            store: store.dir().to_path_buf(),
            correlation: None,
        };
        self.emit(&report)?;
        drop(events);
        let correlation = if options.correlate {
            let c = self.analytics_correlate()?;
            on_progress(SyncProgress {
                events: report.events,
                sessions: Some(c.sessions),
            });
            Some(c)
        } else {
            None
        };
        Ok(SyncReport { correlation, ..report })
    }

    /// Syncs every `analytics.syncInterval` seconds until `stop` completes, handing each
    /// report (or error, which does not stop the schedule) to `on_sync`.
    pub fn analytics_sync_every(
        &self,
        options: &SyncOptions,
        on_sync: &mut dyn FnMut(Result<SyncReport>),
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<()> {
        let interval = std::time::Duration::from_secs(self.analytics_settings().sync_interval.max(1));
        let mut stop = std::pin::pin!(stop);
        if self.block_on(crate::fsutil::stop_requested(stop.as_mut())) {
            return Ok(());
        }
        loop {
            on_sync(self.analytics_sync(options, &mut |_| {}));
            let stopped = self.block_on(async {
                tokio::select! {
                    () = &mut stop => true,
                    () = tokio::time::sleep(interval) => false,
                }
            });
            if stopped {
                return Ok(());
            }
        }
    }

    /// The flows, and the sessions of the synced events of the last
    /// `analytics.correlation.windowDays`, encoded against them (per-day figures divide by
    /// the days the synced ranges cover within that window).
    fn window_sessions(&self) -> Result<(crate::flows::FlowSet, Vec<Session>, Prepared)> {
        let settings = self.analytics_settings();
        let store = self.analytics_store()?;
        let window_ms = settings.correlation.window_days as i64 * DAY_MS;
        let now = crate::fsutil::now_ms();
        let (events, _) = store.read_since(now - window_ms)?;
        let covered_days = store.covered_ms(now - window_ms, now)? as f64 / DAY_MS as f64;
        let sessions = sessionize(events, settings.correlation.session_timeout_minutes as i64 * 60_000);
        let set = self.flows()?;
        let prepared = prepare(&set.flows, &sessions, covered_days);
        Ok((set, sessions, prepared))
    }

    /// Correlates the synced events of the last `analytics.correlation.windowDays` with the
    /// flows, writes each flow's production metrics to the graph, and publishes
    /// `analytics.metrics.updated` (per flow) and `analytics.correlation.complete`.
    pub fn analytics_correlate(&self) -> Result<CorrelationReport> {
        if let Some(client) = self.analytics_client()? {
            return self.block_on(client.correlate());
        }
        let settings = self.analytics_settings();
        let (set, sessions, prepared) = self.window_sessions()?;
        let now = crate::fsutil::now_rfc3339();
        let report = correlate(
            &set.flows,
            &sessions,
            &prepared,
            settings.correlation.min_similarity,
            &now,
        );
        let metrics: Vec<(String, crate::graph::ProductionMetrics)> = report
            .flows
            .iter()
            .filter_map(|f| f.metrics.clone().map(|m| (f.flow.clone(), m)))
            .collect();
        let graph = self.graph()?;
        self.block_on(async {
            self.sync_flow_files(graph.as_ref(), &set).await?;
            graph.write_production_metrics(&metrics).await
        })?;
        for (flow, m) in &metrics {
            self.emit(&MetricsUpdated {
                flow_id: flow,
                production_metrics: m,
            })?;
        }
        self.emit(&CorrelationComplete::of(&report, metrics.len()))?;
        Ok(report)
    }

    /// Frequent journeys in the synced window that no flow covers (taken by at least
    /// `min_sessions` sessions), most weekly users first, at most `limit`; each is published
    /// as `analyzer.flow.discovered`.
    pub fn analytics_gaps(&self, min_sessions: u64, limit: usize) -> Result<Vec<Gap>> {
        if let Some(client) = self.analytics_client()? {
            return self.block_on(client.gaps(min_sessions, limit));
        }
        let (_, _, prepared) = self.window_sessions()?;
        let gaps = find_gaps(&prepared, min_sessions, limit);
        for gap in &gaps {
            self.emit(gap)?;
        }
        Ok(gaps)
    }

    /// Revenue at risk for one flow: (synthetic − production success) × daily attempts ×
    /// average order value. The order value comes from
    /// `analytics.revenueTracking.avgOrderValueSource` when it is a number, else from the
    /// purchase events synced in the window, else from the provider's totals (GA4).
    pub fn analytics_impact(&self, flow_id: &str) -> Result<RevenueImpact> {
        if let Some(client) = self.analytics_client()? {
            return self.block_on(client.impact(flow_id));
        }
        let graph = self.graph()?;
        let set = self.flows()?;
        self.block_on(self.sync_flow_files(graph.as_ref(), &set))?;
        let record = self
            .block_on(graph.get_flow(flow_id))?
            .ok_or_else(|| Error::Argument(format!("unknown flow `{flow_id}` (see `perceo flows list`)")))?;
        let synthetic = record.synthetic_metrics.as_ref().ok_or_else(|| {
            Error::Argument(format!(
                "flow `{flow_id}` has no test results yet; run `perceo ci test --flows {flow_id}` first"
            ))
        })?;
        let production = record.production_metrics.as_ref().ok_or_else(|| {
            Error::Argument(format!(
                "flow `{flow_id}` has no production metrics yet; run `perceo analytics sync` (or `analytics correlate`) first"
            ))
        })?;
        let (aov, source) = self.average_order_value()?;
        Ok(revenue_impact(
            flow_id,
            synthetic.success_rate,
            production.success_rate,
            production.daily_attempts,
            aov,
            source,
        ))
    }

    fn average_order_value(&self) -> Result<(f64, OrderValueSource)> {
        let settings = self.analytics_settings();
        if let Some(value) = settings
            .revenue_tracking
            .avg_order_value_source
            .as_ref()
            .and_then(|s| s.fixed())
        {
            return Ok((value, OrderValueSource::Config));
        }
        let window_ms = settings.correlation.window_days as i64 * DAY_MS;
        let start_ms = crate::fsutil::now_ms() - window_ms;
        if let Ok(store) = self.analytics_store() {
            let (events, _) = store.read_since(start_ms)?;
            if let Some((value, purchases)) = order_value_from_events(&events) {
                return Ok((value, OrderValueSource::PurchaseEvents { purchases }));
            }
        }
        if settings.provider == Some(AnalyticsProvider::Ga4) {
            let connector = self.connector_for(settings)?;
            let range = TimeRange {
                start_ms,
                end_ms: crate::fsutil::now_ms(),
            };
            if let Some(totals) = self.block_on(connector.aggregates(range))?
                && totals.transactions > 0
            {
                return Ok((
                    totals.purchase_revenue / totals.transactions as f64,
                    OrderValueSource::Provider {
                        transactions: totals.transactions,
                    },
                ));
            }
        }
        Err(Error::Argument(
            "no average order value: no purchase event with a value was synced in the window; set analytics.revenueTracking.avgOrderValueSource to a number (e.g. \"42.50\")".into(),
        ))
    }
}
