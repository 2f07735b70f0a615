//! The analyzer: insights, coverage, suggestions and failure predictions from the graph.

use crate::error::Result;
use std::collections::BTreeMap;

use crate::analyzer;
use crate::graph::{FlowRecord, Insight, Prediction};
use crate::impact::ImpactReport;

use super::{History, Perceo};

impl Perceo {
    /// What the analyzer works from: every flow in the graph (after syncing the flow files)
    /// and each flow's recent test runs, newest first.
    pub(super) fn analyzer_inputs(&self) -> Result<(Vec<FlowRecord>, History)> {
        let set = self.flows()?;
        let graph = self.graph()?;
        self.block_on(async {
            self.push_flows(graph.as_ref(), &set).await?;
            let flows = graph.list_flows().await?;
            let mut history = BTreeMap::new();
            for f in &flows {
                history.insert(f.flow.id.clone(), graph.test_history(&f.flow.id, 50).await?);
            }
            Ok((flows, history))
        })
    }

    /// Generates insights (discrepancy, coverage gaps, failing and flaky flows, drop-off),
    /// stores them, publishes `analyzer.insight.generated` for each, and returns those at or
    /// above `analyzer.insights.minSeverity`. Empty when insights are disabled. With
    /// `analyzer.apiBaseUrl` set (and not `local`), the managed Analyzer API does this.
    pub fn insights(&self) -> Result<Vec<Insight>> {
        let settings = &self.config.settings.analyzer;
        if !settings.insights.enabled {
            return Ok(Vec::new());
        }
        if let Some(client) = self.analyzer_client()? {
            // The server filters by its own minimum; this project's applies on top.
            let insights = self.block_on(client.insights())?;
            return Ok(analyzer::filter_insights(insights, settings.insights.min_severity));
        }
        let (flows, history) = self.analyzer_inputs()?;
        let now = crate::fsutil::now_rfc3339();
        let all = analyzer::generate_insights(&flows, &history, settings.coverage.min_coverage_score, &now);
        let shown = analyzer::filter_insights(all.clone(), settings.insights.min_severity);
        let graph = self.graph()?;
        self.block_on(graph.add_insights(&all))?;
        for insight in &shown {
            self.emit(insight)?;
        }
        if !shown.is_empty() {
            let lines: Vec<String> = shown
                .iter()
                .map(|i| format!("• [{}] {} — {}", i.severity.as_str(), i.title, i.message))
                .collect();
            self.notify(&format!(
                "Perceo insights for {}:\n{}",
                self.config.project_name(),
                lines.join("\n")
            ))?;
        }
        Ok(shown)
    }

    /// How well the flows are covered by tests (from the managed Analyzer API when
    /// `analyzer.apiBaseUrl` is set and not `local`).
    pub fn coverage(&self) -> Result<analyzer::CoverageReport> {
        if let Some(client) = self.analyzer_client()? {
            return self.block_on(client.coverage());
        }
        let (flows, _) = self.analyzer_inputs()?;
        let mut report = analyzer::coverage(&flows, self.config.settings.analyzer.coverage.min_coverage_score);
        let set = self.flows()?;
        if set.flows.iter().flat_map(|f| &f.steps).any(|s| s.event.is_some()) {
            let model = self.model()?;
            report.unmeasured = crate::impact::instrumentation::unmeasured_steps(&model.graph, &model.routes, &set);
        }
        Ok(report)
    }

    /// Concrete next actions: tests to write, flaky flows to fix, flows to add (from the
    /// managed Analyzer API when `analyzer.apiBaseUrl` is set and not `local`).
    pub fn suggestions(&self) -> Result<Vec<analyzer::Suggestion>> {
        if let Some(client) = self.analyzer_client()? {
            return self.block_on(client.suggestions());
        }
        let (flows, history) = self.analyzer_inputs()?;
        let now = crate::fsutil::now_rfc3339();
        let insights = analyzer::generate_insights(
            &flows,
            &history,
            self.config.settings.analyzer.coverage.min_coverage_score,
            &now,
        );
        Ok(analyzer::suggest(&flows, &insights))
    }

    /// Predicts, for each flow `report` affects, the probability that the change breaks it
    /// (heuristic from impact, test history and traffic; the basis is in each prediction's
    /// reason); keeps those at or above `analyzer.predictions.confidenceThreshold`, stores
    /// them and publishes `analyzer.prediction.made`. Empty when predictions are disabled.
    /// With `analyzer.apiBaseUrl` set (and not `local`), the managed Analyzer API does this.
    pub fn predict(&self, report: &ImpactReport) -> Result<Vec<Prediction>> {
        let settings = &self.config.settings.analyzer.predictions;
        if !settings.enabled {
            return Ok(Vec::new());
        }
        if let Some(client) = self.analyzer_client()? {
            return self.block_on(client.predict(report));
        }
        let (flows, history) = self.analyzer_inputs()?;
        let now = crate::fsutil::now_rfc3339();
        let predictions = analyzer::confident(
            analyzer::predict(report, &flows, &history, &now),
            settings.confidence_threshold,
        );
        let graph = self.graph()?;
        self.block_on(graph.add_predictions(&predictions))?;
        for p in &predictions {
            self.emit(p)?;
        }
        Ok(predictions)
    }
}
