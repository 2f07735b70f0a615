//! Instrumentation regressions: a change that removes the last firing of a flow step's
//! analytics event, among the files the flow's pages load, leaves that step's production
//! metrics blind. Found from the events the changed files fired before and fire now.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use crate::code::DependencyGraph;
use crate::flows::FlowSet;
use crate::routes::Route;

/// A flow step whose event nothing on the flow's pages fires any more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstrumentationLoss {
    /// The flow.
    pub flow: String,
    /// The step's name.
    pub step: String,
    /// The event the step is measured by.
    pub event: String,
    /// The changed files that fired it before the change.
    pub removed_from: Vec<String>,
}

impl InstrumentationLoss {
    /// One line for warnings and reports.
    pub fn describe(&self) -> String {
        format!(
            "instrumentation: step `{}` of flow `{}` is measured by the event `{}`, which the change removed from {} and nothing on the flow's pages fires any more: its production metrics go blind",
            self.step,
            self.flow,
            self.event,
            self.removed_from.join(", ")
        )
    }
}

/// The flow steps whose event the change removed (`removed`: changed file → the events it
/// fired before and fires no more) and that no file the flow's pages load fires now.
pub fn losses(
    graph: &DependencyGraph,
    routes: &[Route],
    flows: &FlowSet,
    removed: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<InstrumentationLoss> {
    let gone: BTreeSet<&str> = removed.values().flatten().map(String::as_str).collect();
    let mut out = Vec::new();
    for flow in &flows.flows {
        let steps: Vec<_> = flow
            .steps
            .iter()
            .filter(|s| s.event.as_deref().is_some_and(|e| gone.contains(e)))
            .collect();
        if steps.is_empty() {
            continue;
        }
        let fired = fired_on_pages(graph, routes, &flow.pages);
        for step in steps {
            let event = step.event.clone().unwrap_or_default();
            if fired.contains(&event) {
                continue;
            }
            out.push(InstrumentationLoss {
                flow: flow.id.clone(),
                step: step.name.clone(),
                event: event.clone(),
                removed_from: removed
                    .iter()
                    .filter(|(_, events)| events.contains(&event))
                    .map(|(file, _)| file.clone())
                    .collect(),
            });
        }
    }
    out
}

/// A flow step whose analytics event nothing on the flow's pages fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnmeasuredStep {
    /// The flow.
    pub flow: String,
    /// The step's name.
    pub step: String,
    /// The event it names.
    pub event: String,
}

/// The flow steps whose `event` no file the flow's pages load fires (`perceo analyze
/// coverage`), in flow order.
pub fn unmeasured_steps(graph: &DependencyGraph, routes: &[Route], flows: &FlowSet) -> Vec<UnmeasuredStep> {
    let mut out = Vec::new();
    for flow in &flows.flows {
        let steps: Vec<_> = flow.steps.iter().filter(|s| s.event.is_some()).collect();
        if steps.is_empty() {
            continue;
        }
        let fired = fired_on_pages(graph, routes, &flow.pages);
        for step in steps {
            let event = step.event.clone().unwrap_or_default();
            if !fired.contains(&event) {
                out.push(UnmeasuredStep {
                    flow: flow.id.clone(),
                    step: step.name.clone(),
                    event,
                });
            }
        }
    }
    out
}

/// Every event fired by the files the pages of `patterns` load (their route files, what
/// wraps them, and everything those import).
fn fired_on_pages(graph: &DependencyGraph, routes: &[Route], patterns: &[String]) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut queue: VecDeque<usize> = routes
        .iter()
        .filter(|r| patterns.contains(&r.pattern))
        .flat_map(|r| std::iter::once(&r.file).chain(&r.attached))
        .filter_map(|f| graph.id(f))
        .collect();
    let mut fired = HashSet::new();
    while let Some(file) = queue.pop_front() {
        if !seen.insert(file) {
            continue;
        }
        fired.extend(graph.events_of(file).iter().cloned());
        queue.extend(graph.imports_of(file).iter().map(|e| e.file));
    }
    fired
}
