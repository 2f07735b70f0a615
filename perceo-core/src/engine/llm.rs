//! The facade's side of LLM-assisted classification (see [`crate::impact::llm`]): which flows
//! to ask about, the diff each question carries, and applying the answers to a report.

use std::time::Duration;

use super::Perceo;
use crate::flows::FlowSet;
use crate::git::{ChangeSet, ChangeStatus, file_at, unified_diff};
use crate::impact::ImpactReport;
use crate::impact::llm::{LlmClient, apply, prompt};

impl Perceo {
    /// Asks the configured LLM about every affected flow whose confidence is below
    /// `observer.analysis.llmThreshold` (at most `llm.maxFlows`, least confident first) and
    /// applies the answers. Off unless `observer.analysis.useLLM` and `observer.analysis.llm`
    /// are set; every failure is a warning on the report, never an error.
    pub(super) fn classify_with_llm(
        &self,
        report: &mut ImpactReport,
        changes: &ChangeSet,
        flows: &FlowSet,
        working_tree: bool,
    ) {
        let analysis = &self.config.settings.observer.analysis;
        if !analysis.use_llm {
            return;
        }
        let Some(llm) = &analysis.llm else {
            report.warnings.push(
                "observer.analysis.useLLM is on but observer.analysis.llm (baseUrl, model) is not set: no LLM was asked".into(),
            );
            return;
        };
        let client = self
            .config
            .resolve_opt("observer.analysis.llm.baseUrl", llm.base_url.as_ref())
            .and_then(|base| {
                let base =
                    base.ok_or_else(|| crate::Error::Argument("observer.analysis.llm.baseUrl is not set".into()))?;
                let key = self
                    .config
                    .resolve_opt("observer.analysis.llm.apiKey", llm.api_key.as_ref())?;
                LlmClient::new(&base, &llm.model, key, Duration::from_secs(llm.timeout_secs.max(1)))
            });
        let client = match client {
            Ok(c) => c,
            Err(e) => {
                report.warnings.push(format!("no LLM was asked: {e}"));
                return;
            }
        };
        let mut asked: Vec<usize> = (0..report.flows.len())
            .filter(|&i| report.flows[i].confidence < analysis.llm_threshold)
            .collect();
        asked.sort_by(|&a, &b| report.flows[a].confidence.total_cmp(&report.flows[b].confidence));
        asked.truncate(llm.max_flows);
        for i in asked {
            let Some(flow) = flows.get(&report.flows[i].id) else {
                continue;
            };
            let diff = report.flows[i]
                .matched_files
                .iter()
                .map(|path| self.file_diff(changes, path, working_tree))
                .collect::<Vec<_>>()
                .join("\n");
            let messages = prompt(flow, &report.flows[i], &diff);
            match self.block_on(client.classify(&messages)) {
                Ok(verdict) => apply(&mut report.flows[i], &verdict, client.model()),
                Err(e) => report.warnings.push(format!(
                    "LLM classification of `{}` failed ({e}); kept the static result",
                    report.flows[i].id
                )),
            }
        }
        report
            .flows
            .sort_by(|a, b| b.risk_score.total_cmp(&a.risk_score).then(a.id.cmp(&b.id)));
    }

    /// The diff of one changed file between the merge base and the head (or the disk, for
    /// uncommitted work); a note instead when a side cannot be read.
    fn file_diff(&self, changes: &ChangeSet, path: &str, working_tree: bool) -> String {
        let dir = &self.config.project_dir;
        let change = changes.changes.iter().find(|c| c.path == path);
        let old_path = change.and_then(|c| c.old_path.as_deref()).unwrap_or(path);
        let deleted = change.is_some_and(|c| c.status == ChangeStatus::Deleted);
        let old = file_at(dir, &changes.merge_base, old_path).ok().flatten();
        let new = if deleted {
            None
        } else if working_tree {
            std::fs::read_to_string(dir.join(path)).ok()
        } else {
            file_at(dir, &changes.head_sha, path).ok().flatten()
        };
        unified_diff(old.as_deref(), new.as_deref(), path).unwrap_or_else(|e| format!("({path}: no diff: {e})"))
    }
}
