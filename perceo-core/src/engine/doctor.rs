//! The facade's side of `perceo doctor`: it owns the engines, so it connects the bus, checks
//! the analytics credentials and runs the dry analysis for [`crate::doctor`].

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::{AnalyzeOptions, ChangeSource, OpenOptions, Perceo, analytics::analytics_connector, connect_bus};
use crate::bus::EventBus;
use crate::config::{Config, Env};
use crate::doctor::{DoctorHooks, DoctorReport, Stage};
use crate::error::{Error, Result};
use crate::impact::OnEmpty;

struct Hooks {
    env: Env,
}

#[async_trait::async_trait]
impl DoctorHooks for Hooks {
    async fn connect_bus(&self, config: &Config) -> Result<Arc<dyn EventBus>> {
        connect_bus(config).await
    }

    async fn check_analytics(&self, config: &Config) -> Result<()> {
        analytics_connector(config, &config.settings.analytics)?.check().await
    }

    async fn dry_run(&self, project_dir: &Path) -> Result<String> {
        // The facade's methods block on the runtime: run them on its blocking pool.
        let dir = project_dir.to_path_buf();
        let env = self.env.clone();
        let analysis = tokio::task::spawn_blocking(move || {
            Perceo::open(
                &dir,
                OpenOptions {
                    env,
                    local: true,
                    ..Default::default()
                },
            )
            .and_then(|p| {
                p.analyze_dry_run(&AnalyzeOptions {
                    source: ChangeSource::Refs {
                        base: "HEAD~1".into(),
                        head: "HEAD".into(),
                    },
                    on_empty: OnEmpty::All,
                })
            })
        });
        let r = analysis
            .await
            .map_err(|e| Error::Internal(format!("the dry-run analysis stopped unexpectedly: {e}")))??;
        Ok(format!(
            "{} changed file(s) → {} of {} flow(s) affected in {} ms",
            r.totals.changed_files, r.totals.affected_flows, r.totals.flows, r.timings.total_ms
        ))
    }
}

impl Perceo {
    /// Runs `perceo doctor`'s checklist for `stage` on the project at (or above) `project_dir`
    /// (works without a valid config: that is its first check), each check under `timeout`.
    pub fn doctor(project_dir: &Path, env: Env, stage: Stage, timeout: Duration) -> Result<DoctorReport> {
        let runtime = crate::runtime::shared()?;
        let hooks = Hooks { env: env.clone() };
        Ok(runtime.block_on(crate::doctor::run(project_dir, env, stage, timeout, &hooks)))
    }
}
