//! The facade: [`Perceo`], the one object the CLI, the C ABI and the Node package wrap.

use std::path::Path;
use std::time::Instant;

use crate::analysis::AppModel;
use crate::bus::{Event, EventBus, EventMetadata, EventType, MemoryBus};
use crate::code::GraphOptions;
use crate::config::{Config, Env, EventBusKind, LoadOptions};
use crate::error::Result;
use crate::flows::{FlowSet, load_flows};
use crate::git::{ChangeSet, changes_between, checked_out_commit, file_at, working_tree_changes};
use crate::impact::lockfile::is_lockfile;
use crate::impact::{ImpactInput, ImpactReport, LockfileChange, OnEmpty, analyze};
use crate::init::{InitOptions, InitReport, init_project};
use crate::routes::Route;

/// Options for [`Perceo::open`].
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Environment for configuration (`PERCEO_*`, `NODE_ENV`, `${VAR}`). Default: empty;
    /// bindings pass [`Env::from_process`].
    pub env: Env,
}

/// What to compare in [`Perceo::analyze`].
#[derive(Debug, Clone)]
pub enum ChangeSource {
    /// `base...head`: from the merge base of the two refs to `head`.
    Refs {
        /// Base ref (branch, tag, SHA, `HEAD~n`).
        base: String,
        /// Head ref.
        head: String,
    },
    /// Uncommitted work (staged, unstaged, untracked) against HEAD.
    WorkingTree,
}

/// Options for [`Perceo::analyze`].
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// What changed.
    pub source: ChangeSource,
    /// What to select when code changed but no flow is affected. Default: all flows.
    pub on_empty: OnEmpty,
}

/// An opened Perceo project: its configuration and the engines behind it.
///
/// `Send + Sync`, so a binding can hold it in an `Arc`.
#[derive(Debug)]
pub struct Perceo {
    config: Config,
    bus: Box<dyn EventBus>,
    warnings: Vec<String>,
}

impl Perceo {
    /// Opens the project at (or above) `project_dir`, loading and validating its config.
    pub fn open(project_dir: &Path, options: OpenOptions) -> Result<Perceo> {
        let config = Config::load(project_dir, &LoadOptions { env: options.env })?;
        let mut warnings = Vec::new();
        if config.settings.event_bus.kind == EventBusKind::Redis {
            warnings.push(
                "eventBus.type is `redis`, but this build has only the in-memory bus: events stay in this process"
                    .into(),
            );
        }
        Ok(Perceo {
            config,
            bus: Box::new(MemoryBus::default()),
            warnings,
        })
    }

    /// Creates `.perceo/` in `project_dir` and bootstraps flows from its routes (see [`crate::init`]).
    pub fn init(project_dir: &Path, options: &InitOptions) -> Result<InitReport> {
        init_project(project_dir, options)
    }

    /// The loaded configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Warnings about the opened project beyond the config's own (e.g. unsupported backends).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The event bus engines publish on.
    pub fn bus(&self) -> &dyn EventBus {
        self.bus.as_ref()
    }

    /// The flows and personas of the project.
    pub fn flows(&self) -> Result<FlowSet> {
        load_flows(&self.config.project_dir)
    }

    /// Builds the dependency graph and routes of the project.
    pub fn model(&self) -> Result<AppModel> {
        let s = &self.config.settings;
        let options = GraphOptions {
            ignore: s.observer.watch.ignore.clone(),
            cache_dir: Some(self.config.perceo_dir().join("cache")),
        };
        AppModel::build(&self.config.project_dir, s.project.framework, &options)
    }

    /// The routes of the project.
    pub fn routes(&self) -> Result<Vec<Route>> {
        Ok(self.model()?.routes)
    }

    /// Which flows a change can break: the main job. Publishes `observer.change.detected`,
    /// `observer.flows.affected` and `observer.analysis.complete`.
    pub fn analyze(&self, options: &AnalyzeOptions) -> Result<ImpactReport> {
        let started = Instant::now();
        let dir = &self.config.project_dir;
        let changes = match &options.source {
            ChangeSource::Refs { base, head } => changes_between(dir, base, head)?,
            ChangeSource::WorkingTree => working_tree_changes(dir)?,
        };
        let git_ms = started.elapsed().as_millis() as u64;
        self.publish(
            EventType::ObserverChangeDetected,
            serde_json::json!({
                "baseSha": changes.base_sha, "headSha": changes.head_sha, "changes": changes.changes,
            }),
        );
        let flows_started = Instant::now();
        let flows = self.flows()?;
        let flows_ms = flows_started.elapsed().as_millis() as u64;
        let model = self.model()?;
        let impact_started = Instant::now();
        let lockfiles = self.lockfile_contents(&changes, &options.source)?;
        let mut report = analyze(&ImpactInput {
            changes: &changes,
            graph: &model.graph,
            routes: &model.routes,
            flows: &flows,
            on_empty: options.on_empty,
            lockfiles: &lockfiles,
        });
        if let ChangeSource::Refs { head, .. } = &options.source
            && checked_out_commit(dir).is_ok_and(|sha| sha != report.head_sha)
        {
            report.warnings.push(format!(
                "`{head}` is not the checked-out commit: the dependency graph was built from the work tree, so check out `{head}` for exact results"
            ));
        }
        report.timings.git_ms = git_ms;
        report.timings.flows_ms = flows_ms;
        report.timings.impact_ms = impact_started.elapsed().as_millis() as u64;
        report.timings.total_ms = started.elapsed().as_millis() as u64;
        report.warnings.extend(flows.warnings.iter().cloned());
        let data = serde_json::to_value(&report).unwrap_or_default();
        self.publish(EventType::ObserverFlowsAffected, serde_json::json!({
            "changeId": report.change_id,
            "flows": report.flows.iter().map(|f| serde_json::json!({"id": f.id, "name": f.name, "confidence": f.confidence, "riskScore": f.risk_score})).collect::<Vec<_>>(),
        }));
        self.publish(EventType::ObserverAnalysisComplete, data);
        Ok(report)
    }

    /// Before and after of each changed lockfile (after: the head, or the disk for working-tree changes).
    fn lockfile_contents(&self, changes: &ChangeSet, source: &ChangeSource) -> Result<Vec<LockfileChange>> {
        let dir = &self.config.project_dir;
        changes
            .changes
            .iter()
            .filter(|c| is_lockfile(&c.path))
            .map(|c| {
                let new = match source {
                    ChangeSource::Refs { .. } => file_at(dir, &changes.head_sha, &c.path)?,
                    ChangeSource::WorkingTree => std::fs::read_to_string(dir.join(&c.path)).ok(),
                };
                Ok(LockfileChange {
                    path: c.path.clone(),
                    old: file_at(dir, &changes.merge_base, c.old_path.as_ref().unwrap_or(&c.path))?,
                    new,
                })
            })
            .collect()
    }

    fn publish(&self, kind: EventType, data: serde_json::Value) {
        let metadata = EventMetadata {
            user_id: None,
            project_id: Some(self.config.project_name()),
            environment: None,
        };
        // The in-memory bus cannot fail; a failing remote bus must not fail the analysis.
        let _ = self.bus.publish(Event::new(kind, "observer", data, metadata));
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
