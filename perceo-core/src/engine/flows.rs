//! Flow files and the flow graph: syncing, reading and editing flows, coverage scores.

use std::path::PathBuf;

use crate::bus::payloads::{FlowCreated, FlowDeleted, FlowUpdated};
use crate::error::Result;
use crate::flows::{Flow, FlowSet, create_flow_file, delete_flow_file, edit_flow_file, load_flows};
use crate::graph::{FlowGraph, GraphStatus, SyncSummary};

use crate::analyzer;
use crate::graph::FlowRecord;

use super::Perceo;

impl Perceo {
    /// Pushes the flow files into the graph: creates, updates and deletes flows to match, and
    /// publishes `graph.flow.created`, `graph.flow.updated` and `graph.flow.deleted` for each
    /// (`flows create/edit/delete` and `graph sync` go through here).
    pub fn sync_graph(&self) -> Result<SyncSummary> {
        let flows = self.flows()?;
        let graph = self.graph()?;
        let summary = self.block_on(self.push_flows(graph.as_ref(), &flows))?;
        for id in &summary.created {
            self.emit(&FlowCreated { flow_id: id })?;
        }
        for id in &summary.updated {
            self.emit(&FlowUpdated { flow_id: id })?;
        }
        for id in &summary.deleted {
            self.emit(&FlowDeleted { flow_id: id })?;
        }
        Ok(summary)
    }

    /// Pushes the flow files into `graph` (see [`Perceo::sync_flow_files`]) with each flow's
    /// test coverage score: the share of its steps its test specs exercise
    /// ([`analyzer::step_coverage`]). Used where scores are read (the analyzer, `graph sync`,
    /// the dashboard), not on the analysis path, since it reads the test sources.
    pub(crate) async fn push_flows(&self, graph: &dyn FlowGraph, set: &FlowSet) -> Result<SyncSummary> {
        let summary = self.sync_flow_files(graph, set).await?;
        graph.write_coverage_scores(&self.coverage_scores(set)).await?;
        Ok(summary)
    }

    /// Syncs the flow files into `graph` ([`FlowGraph::sync_flows`]). Syncs of one project are
    /// serialised by a lock file (`.perceo/cache/flows.lock`) and the flow files are listed
    /// again inside it (`set` is the fallback when they no longer load): a sync deletes the
    /// rows of flows whose file is gone, so it must never act on a listing older than another
    /// process's new file (concurrent `flows create`).
    pub(crate) async fn sync_flow_files(&self, graph: &dyn FlowGraph, set: &FlowSet) -> Result<SyncSummary> {
        let lock_path = self
            .config
            .project_dir
            .join(crate::config::PERCEO_DIR)
            .join("cache")
            .join("flows.lock");
        let lock = crate::fsutil::lock_exclusive(&lock_path)?;
        let fresh = load_flows(&self.config.project_dir).unwrap_or_else(|_| set.clone());
        let summary = graph.sync_flows(&fresh.flows, &fresh.personas).await;
        drop(lock);
        summary
    }

    /// Each flow's coverage score from the text of its test specs and of the specs of its
    /// linked tests (for a flow tested by grep tag only: the spec files that contain the tag).
    pub(super) fn coverage_scores(&self, set: &FlowSet) -> Vec<(String, f64)> {
        let dir = &self.config.project_dir;
        let mut tagged: Option<Vec<String>> = None;
        set.flows
            .iter()
            .map(|flow| {
                let tests = flow.tests.clone().unwrap_or_default();
                let mut specs: Vec<&String> = tests.specs.iter().chain(tests.linked.iter().map(|t| &t.spec)).collect();
                specs.sort();
                specs.dedup();
                let mut text: String = specs
                    .iter()
                    .filter_map(|spec| std::fs::read_to_string(dir.join(spec)).ok())
                    .collect::<Vec<_>>()
                    .join("\n");
                if specs.is_empty()
                    && let Some(tag) = &tests.grep
                {
                    let specs = tagged.get_or_insert_with(|| crate::coordinator::spec_sources(dir));
                    text = specs
                        .iter()
                        .filter(|t| t.contains(tag.as_str()))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("\n");
                }
                (flow.id.clone(), analyzer::step_coverage(flow, &text))
            })
            .collect()
    }

    /// Backend, location, counts and schema version of the graph.
    pub fn graph_status(&self) -> Result<GraphStatus> {
        let graph = self.graph()?;
        self.block_on(graph.status())
    }

    /// Creates a flow file (validated), then syncs the graph.
    pub fn create_flow(&self, flow: &Flow) -> Result<(PathBuf, SyncSummary)> {
        let path = create_flow_file(&self.config.project_dir, flow)?;
        Ok((path, self.sync_graph()?))
    }

    /// Edits a flow file (dotted keys → values, comments kept, validated), then syncs the graph.
    pub fn edit_flow(&self, id: &str, changes: &[(String, serde_json::Value)]) -> Result<(PathBuf, SyncSummary)> {
        let path = edit_flow_file(&self.config.project_dir, id, changes)?;
        Ok((path, self.sync_graph()?))
    }

    /// Deletes a flow file, then syncs the graph.
    pub fn delete_flow(&self, id: &str) -> Result<(PathBuf, SyncSummary)> {
        let path = delete_flow_file(&self.config.project_dir, id)?;
        Ok((path, self.sync_graph()?))
    }

    /// A flow as the graph holds it (definition plus risk, metrics and history summaries),
    /// `None` when the graph has never seen it (run `perceo graph sync`).
    pub fn flow_record(&self, id: &str) -> Result<Option<FlowRecord>> {
        let graph = self.graph()?;
        self.block_on(graph.get_flow(id))
    }

    /// The flows and personas of the project.
    pub fn flows(&self) -> Result<FlowSet> {
        load_flows(&self.config.project_dir)
    }
}
