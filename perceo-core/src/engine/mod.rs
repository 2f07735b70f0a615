//! The facade: [`Perceo`], the one object the CLI, the C ABI and the Node package wrap.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::bus::{Event, EventBus, EventFilter, EventMetadata, EventType, MemoryBus, Since, Subscription};
use crate::config::{Config, EventBusKind, LoadOptions};
use crate::error::{Error, Result};
use crate::graph::{FlowGraph, GraphLocation, graph_location, open_graph};
use std::collections::BTreeMap;

use crate::graph::TestRun;
use crate::init::{InitOptions, InitReport};

mod analysis;
mod analytics;
mod analyzer;
mod doctor;
mod explain;
mod flows;
mod llm;
mod options;
mod remote;
mod test_links;
mod testing;
mod watch;
pub use crate::analytics::gaps::GapOptions;
pub use analytics::{ConnectOptions, ConnectReport, SyncOptions, SyncProgress, SyncReport};
pub use options::{
    AnalyzeOptions, ChangeSource, DEFAULT_CHECK_TIMEOUT, FlowsFrom, OpenOptions, TestOptions, TestSelection,
};

/// Recent test runs per flow id, newest first.
type History = BTreeMap<String, Vec<TestRun>>;

/// The graph cursor under which the latest test run is kept for `ci report`.
const LAST_RUN_KEY: &str = "coordinator.lastRun";

/// An opened Perceo project: its configuration and the engines behind it.
///
/// `Send + Sync`, so a binding can hold it in an `Arc`.
pub struct Perceo {
    config: Config,
    bus: Mutex<Option<Arc<dyn EventBus>>>,
    warnings: Mutex<Vec<String>>,
    runtime: &'static tokio::runtime::Runtime,
    graph: Mutex<Option<Arc<dyn FlowGraph>>>,
    local: bool,
}

impl std::fmt::Debug for Perceo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Perceo")
            .field("project_dir", &self.config.project_dir)
            .finish_non_exhaustive()
    }
}

/// Connects the Redis bus `config` describes (`eventBus.redisUrl`, `channel`,
/// `streamMaxLen`, `tlsCaFile`).
#[cfg(feature = "redis")]
pub(crate) async fn connect_bus(config: &Config) -> Result<Arc<dyn EventBus>> {
    let settings = &config.settings.event_bus;
    let url = config
        .resolve_opt("eventBus.redisUrl", settings.redis_url.as_ref())?
        .ok_or_else(|| Error::Argument("eventBus.type is `redis` but eventBus.redisUrl is not set".into()))?;
    let ca = match config.resolve_opt("eventBus.tlsCaFile", settings.tls_ca_file.as_ref())? {
        Some(file) => {
            let path = config.project_dir.join(file);
            Some(std::fs::read(&path).map_err(|e| Error::io(&path, e))?)
        }
        None => None,
    };
    Ok(Arc::new(
        crate::bus::redis::RedisBus::connect_with_ca(
            &url,
            settings.channel.as_deref(),
            settings.stream_max_len.unwrap_or(100_000),
            ca,
        )
        .await?,
    ))
}

/// Without the `redis` feature there is no Redis bus to connect.
#[cfg(not(feature = "redis"))]
pub(crate) async fn connect_bus(_config: &Config) -> Result<Arc<dyn EventBus>> {
    Err(Error::unsupported("a Redis event bus", "redis"))
}

impl Perceo {
    /// Opens the project at (or above) `project_dir`, loading and validating its config.
    pub fn open(project_dir: &Path, options: OpenOptions) -> Result<Perceo> {
        let local = options.local;
        let env = match &options.config_path {
            Some(path) => options.env.with("PERCEO_CONFIG_PATH", &path.to_string_lossy()),
            None => options.env,
        };
        let config = Config::load(project_dir, &LoadOptions { env })?;
        // The in-memory bus exists from the start, so subscribers never miss early events.
        let bus: Option<Arc<dyn EventBus>> = match config.settings.event_bus.kind {
            EventBusKind::InMemory => Some(Arc::new(MemoryBus::default())),
            EventBusKind::Redis => None,
        };
        let runtime = crate::runtime::shared()?;
        Ok(Perceo {
            config,
            bus: Mutex::new(bus),
            warnings: Mutex::new(Vec::new()),
            runtime,
            graph: Mutex::new(None),
            local,
        })
    }

    /// Creates `.perceo/` in `project_dir` and bootstraps flows from its routes (see
    /// [`crate::init`]). When the configuration as it will be once written (the new file, or
    /// `PERCEO_CONFIG_PATH`, plus the local overlay; read with `options.env`) sets
    /// `observer.apiBaseUrl` and `options.local` is false, the managed Observer API's
    /// `POST /observer/bootstrap` proposes the flows instead, and they are written to
    /// `.perceo/flows/` all the same.
    /// The project's own Playwright and Cypress tests are then linked to the new flows
    /// ([`Perceo::discover_test_links`]); when that fails, `init` stands and says why.
    pub fn init(project_dir: &Path, options: &InitOptions) -> Result<InitReport> {
        let mut report = crate::init::init_project_with(project_dir, options, &|pending, request| {
            remote::remote_bootstrap(project_dir, options, pending, request)
        })?;
        let open = OpenOptions {
            env: options.env.clone(),
            local: true,
            ..Default::default()
        };
        let linked = Perceo::open(&report.project_dir, open).and_then(|perceo| {
            let links = perceo.discover_test_links()?;
            perceo.write_test_links(&links)?;
            Ok(links)
        });
        match linked {
            Ok(links) => {
                report.tests_found = links.tests.len();
                report.flows_with_tests = links.flows_covered();
            }
            Err(e) => report
                .warnings
                .push(format!("the project's existing tests were not linked to flows: {e}")),
        }
        Ok(report)
    }

    /// The loaded configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The warnings of the calls so far that did not fail them (a Slack notification that
    /// could not be sent, ...), oldest first; taking them empties the list. The CLI prints
    /// them on stderr; the library itself never prints.
    pub fn take_warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }

    /// Records a warning for [`Perceo::take_warnings`].
    pub(crate) fn warn(&self, message: String) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(message);
        }
    }

    /// The configured event bus (Redis connects on first use).
    pub fn bus(&self) -> Result<Arc<dyn EventBus>> {
        let mut slot = self
            .bus
            .lock()
            .map_err(|_| Error::Internal("the bus handle is poisoned".into()))?;
        if let Some(b) = slot.as_ref() {
            return Ok(b.clone());
        }
        let bus = self.runtime.block_on(connect_bus(&self.config))?;
        *slot = Some(bus.clone());
        Ok(bus)
    }

    /// Publishes an event on the configured bus (`source` names the publisher).
    pub fn publish(&self, kind: EventType, source: &str, data: serde_json::Value) -> Result<Event> {
        self.publish_event(Event::new(kind, source, data, self.metadata()))
    }

    /// Publishes one of Perceo's own events (its typed payload, see [`crate::bus::payloads`]).
    pub(crate) fn emit<P: crate::bus::payloads::Payload>(&self, payload: &P) -> Result<Event> {
        self.publish_event(payload.to_event(self.metadata()))
    }

    fn publish_event(&self, event: Event) -> Result<Event> {
        let bus = self.bus()?;
        self.block_on(bus.publish(&event))?;
        Ok(event)
    }

    /// Subscribes to events matching `filter`, replaying stored ones after `since` first.
    pub fn subscribe(&self, filter: EventFilter, since: Option<Since>) -> Result<Subscription> {
        let bus = self.bus()?;
        self.block_on(bus.subscribe(filter, since))
    }

    /// Follows the events matching `filter` (stored ones after `since` first) until `stop`
    /// completes, the bus ends, or `on_delivery` returns false; each event, or a count of
    /// missed ones, goes to `on_delivery`. A bus error ends it with that error.
    pub fn follow(
        &self,
        filter: EventFilter,
        since: Option<Since>,
        stop: impl std::future::Future<Output = ()>,
        on_delivery: &mut dyn FnMut(crate::bus::Delivery) -> bool,
    ) -> Result<()> {
        let mut sub = self.subscribe(filter, since)?;
        self.block_on(async {
            let mut stop = std::pin::pin!(stop);
            loop {
                tokio::select! {
                    () = &mut stop => return Ok(()),
                    next = sub.next() => match next {
                        Some(Ok(delivery)) => {
                            if !on_delivery(delivery) {
                                return Ok(());
                            }
                        }
                        Some(Err(e)) => return Err(e),
                        None => return Ok(()),
                    },
                }
            }
        })
    }

    fn metadata(&self) -> EventMetadata {
        EventMetadata {
            user_id: None,
            project_id: Some(self.config.project_name()),
            environment: None,
        }
    }

    /// Stored events after `since` matching `filter`, oldest first.
    pub fn replay(&self, since: Since, filter: &EventFilter, limit: usize) -> Result<Vec<Event>> {
        let bus = self.bus()?;
        self.block_on(bus.replay(since, filter, limit))
    }

    /// Where the configured flow graph is (embedded file or Neo4j URI).
    pub fn graph_location(&self) -> Result<GraphLocation> {
        graph_location(&self.config)
    }

    /// The configured flow graph, opened (and migrated) on first use.
    pub fn graph(&self) -> Result<Arc<dyn FlowGraph>> {
        let mut slot = self
            .graph
            .lock()
            .map_err(|_| Error::Internal("the graph handle is poisoned".into()))?;
        if let Some(g) = slot.as_ref() {
            return Ok(g.clone());
        }
        let location = self.graph_location()?;
        let graph: Arc<dyn FlowGraph> = Arc::from(self.runtime.block_on(open_graph(&location))?);
        *slot = Some(graph.clone());
        Ok(graph)
    }

    /// Runs an async operation to completion on the facade's runtime (the facade's methods
    /// are synchronous for every binding).
    pub(crate) fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facade_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Perceo>();
    }
}
