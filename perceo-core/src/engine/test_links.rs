//! Linking the project's existing end-to-end tests to its flows (`perceo flows link-tests`).

use std::path::PathBuf;

use super::Perceo;
use crate::error::Result;
use crate::flows::edit_flow_file;
use crate::graph::SyncSummary;
use crate::suites::link::LinkReport;

impl Perceo {
    /// Finds the project's Playwright and Cypress suites (workspace packages included), what
    /// each test visits, and the flows each covers. Reads only; see
    /// [`Perceo::write_test_links`].
    pub fn discover_test_links(&self) -> Result<LinkReport> {
        let model = self.model()?;
        let flows = self.flows()?;
        Ok(crate::suites::discover(
            &self.config.project_dir,
            model.graph.files(),
            &model.routes,
            &flows.flows,
            &model.apps,
        ))
    }

    /// Records `report`'s links in the flow files (`tests.linked`, replaced as a whole; the
    /// `specs` and `grep` a person wrote stay as they are), then syncs the graph. Returns the
    /// files changed.
    pub fn write_test_links(&self, report: &LinkReport) -> Result<(Vec<PathBuf>, SyncSummary)> {
        let flows = self.flows()?;
        let mut changed = Vec::new();
        for (id, linked) in report.by_flow(&flows.flows) {
            let flow = flows.flows.iter().find(|f| f.id == id);
            let before = flow
                .and_then(|f| f.tests.as_ref())
                .map(|t| t.linked.clone())
                .unwrap_or_default();
            if before == linked {
                continue;
            }
            let value = linked
                .iter()
                .map(|t| serde_json::json!({ "spec": t.spec, "line": t.line, "title": t.title, "config": t.config }))
                .collect();
            changed.push(edit_flow_file(
                &self.config.project_dir,
                &id,
                &[("tests.linked".to_string(), serde_json::Value::Array(value))],
            )?);
        }
        Ok((changed, self.sync_graph()?))
    }
}
