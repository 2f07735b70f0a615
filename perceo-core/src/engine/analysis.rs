//! The analysis pipeline: change set → module graph → impact → LLM → store → publish.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use crate::analysis::AppModel;
use crate::api::observer::AnalyzeRequest;
use crate::bus::payloads::{ChangeDetected, FlowsAffected};
use crate::code::GraphOptions;
use crate::config::Precision;
use crate::error::Result;
use crate::flows::FlowSet;
use crate::git::{ChangeSet, ChangeStatus, changes_between, checked_out_commit, file_at, working_tree_changes};
use crate::graph::{AnalysisFlow, AnalysisRecord};

use crate::impact::symbols::SymbolSources;
use crate::impact::{DependencyRules, ImpactReport, ManifestChange, OnEmpty, analyze, is_manifest};
use crate::routes::Route;

use super::{AnalyzeOptions, ChangeSource, Perceo};

impl Perceo {
    /// Builds the dependency graph and routes of the project.
    pub fn model(&self) -> Result<AppModel> {
        let s = &self.config.settings;
        AppModel::build_project(&self.config.project_dir, &s.project, &self.graph_options())
    }

    /// Runs `work` on this thread while the dependency graph and routes are built on another
    /// (the analysis computes the change set meanwhile): both results.
    pub(super) fn beside_model<T>(&self, work: impl FnOnce() -> T) -> (T, Result<AppModel>) {
        let (dir, project, options) = (
            &self.config.project_dir,
            &self.config.settings.project,
            self.graph_options(),
        );
        std::thread::scope(|scope| {
            let model = scope.spawn(move || AppModel::build_project(dir, project, &options));
            let done = work();
            // A panic there is re-raised here, as if the graph had been built on this thread.
            let model = model.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (done, model)
        })
    }

    pub(super) fn graph_options(&self) -> GraphOptions {
        GraphOptions {
            symbols: self.config.settings.observer.analysis.precision == Precision::Symbol,
            ..GraphOptions::for_project(
                &self.config.perceo_dir(),
                self.config.settings.observer.watch.ignore.clone(),
            )
        }
    }

    /// The routes of the project.
    pub fn routes(&self) -> Result<Vec<Route>> {
        Ok(self.model()?.routes)
    }

    /// Which flows a change can break: the main job. Publishes `observer.change.detected`,
    /// `observer.flows.affected` and `observer.analysis.complete`. With `observer.apiBaseUrl`
    /// set (and not `local`), the change set computed here is analysed by the managed
    /// Observer API.
    pub fn analyze(&self, options: &AnalyzeOptions) -> Result<ImpactReport> {
        let started = Instant::now();
        let dir = &self.config.project_dir;
        let observer = self.observer_client()?;
        let timed_change_set = || {
            let started = Instant::now();
            (self.change_set(&options.source), started.elapsed().as_millis() as u64)
        };
        // In process, the graph is built while git works out the change set.
        let ((changes, git_ms), model) = match observer {
            Some(_) => (timed_change_set(), None),
            None => {
                let (changes, model) = self.beside_model(timed_change_set);
                (changes, Some(model))
            }
        };
        let changes = changes?;
        self.publish_change_detected(&changes)?;
        let flows_started = Instant::now();
        let flows = self.flows()?;
        let flows_ms = flows_started.elapsed().as_millis() as u64;
        let impact_started = Instant::now();
        let mut report = match (observer, model) {
            // Delegated: the managed Observer analyses the change set we send.
            (Some(client), _) => self.block_on(client.analyze(&AnalyzeRequest {
                base_sha: changes.base_sha.clone(),
                head_sha: changes.head_sha.clone(),
                files: changes.changes.clone(),
                merge_base: Some(changes.merge_base.clone()),
                on_empty: Some(options.on_empty),
            }))?,
            (None, model) => {
                let model = model.unwrap_or_else(|| self.model())?;
                let mut report = self.impact(&model, &changes, &options.source, &flows, options.on_empty);
                let working_tree = matches!(options.source, ChangeSource::WorkingTree);
                self.classify_with_llm(&mut report, &changes, &flows, working_tree);
                report
            }
        };
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
        self.finish_analysis(report, &flows, started)
    }

    /// What changed according to `source`.
    pub(super) fn change_set(&self, source: &ChangeSource) -> Result<ChangeSet> {
        let dir = &self.config.project_dir;
        match source {
            ChangeSource::Refs { base, head } => changes_between(dir, base, head),
            ChangeSource::WorkingTree => working_tree_changes(dir),
        }
    }

    /// Analyses like [`Perceo::analyze`], always in-process, but stores and publishes nothing
    /// (`perceo doctor`'s dry run).
    pub fn analyze_dry_run(&self, options: &AnalyzeOptions) -> Result<ImpactReport> {
        let started = Instant::now();
        let (changes, model) = self.beside_model(|| self.change_set(&options.source));
        let (changes, model) = (changes?, model?);
        let flows = self.flows()?;
        let mut report = self.impact(&model, &changes, &options.source, &flows, options.on_empty);
        report.timings.total_ms = started.elapsed().as_millis() as u64;
        Ok(report)
    }

    /// The local impact analysis of `changes` (from `source`) over the project's dependency
    /// graph and routes: the one place the changed manifests' old and new contents are read
    /// and handed to the impact stages. Every local path (the CLI's analysis, `perceo serve`,
    /// doctor's dry run) goes through it.
    pub(super) fn impact(
        &self,
        model: &AppModel,
        changes: &ChangeSet,
        source: &ChangeSource,
        flows: &FlowSet,
        on_empty: OnEmpty,
    ) -> ImpactReport {
        let (manifests, notes) = self.manifest_contents(changes, source);
        let settings = &self.config.settings.observer.analysis;
        let deps = DependencyRules::from_settings(&settings.dependencies);
        // The changed files' content at the merge base, read once for both uses.
        let symbol = settings.precision == Precision::Symbol;
        let events = flows.flows.iter().flat_map(|f| &f.steps).any(|s| s.event.is_some());
        let base = if symbol || events {
            self.base_texts(changes, symbol)
        } else {
            HashMap::new()
        };
        let removed_events = removed_events(model, &base);
        let sources = symbol.then(|| self.symbol_sources(base));
        let mut input = model.impact_input(changes, flows, on_empty, &manifests, &deps);
        input.symbols = sources.as_ref();
        input.removed_events = Some(&removed_events);
        let mut report = analyze(&input);
        report.warnings.extend(notes);
        report
    }

    pub(super) fn publish_change_detected(&self, changes: &ChangeSet) -> Result<()> {
        self.emit(&ChangeDetected::of(changes)).map(|_| ())
    }

    /// The end of every analysis: total time, the flow files' warnings, storing it in the
    /// graph, and `observer.flows.affected` / `observer.analysis.complete`.
    pub(super) fn finish_analysis(
        &self,
        mut report: ImpactReport,
        flows: &FlowSet,
        started: Instant,
    ) -> Result<ImpactReport> {
        report.timings.total_ms = started.elapsed().as_millis() as u64;
        for w in &flows.warnings {
            // A delegated report may already carry the same warning from the server.
            if !report.warnings.contains(w) {
                report.warnings.push(w.clone());
            }
        }
        let store_started = Instant::now();
        let stored = self.store_analysis(flows, &report);
        report.timings.store_ms = store_started.elapsed().as_millis() as u64;
        if let Err(e) = stored {
            // The embedded store is a convenience; a graph the user configured must work.
            if self.config.settings.flow_graph.endpoint.is_some() {
                return Err(e);
            }
            report
                .warnings
                .push(format!("the analysis was not stored in the embedded flow graph: {e}"));
        }
        self.emit(&FlowsAffected::of(&report))?;
        self.emit(&report)?;
        Ok(report)
    }

    /// Syncs the flows and records the analysis in the graph (for the dashboard and history).
    pub(super) fn store_analysis(&self, flows: &FlowSet, report: &ImpactReport) -> Result<()> {
        let graph = self.graph()?;
        let record = AnalysisRecord {
            change_id: report.change_id.clone(),
            base_sha: report.base_sha.clone(),
            head_sha: report.head_sha.clone(),
            created_at: report.created_at.clone(),
            flows: report
                .flows
                .iter()
                .map(|f| AnalysisFlow {
                    flow_id: f.id.clone(),
                    confidence: f.confidence,
                    risk_score: f.risk_score,
                })
                .collect(),
            report: serde_json::to_value(report).unwrap_or_default(),
        };
        self.block_on(async {
            self.sync_flow_files(graph.as_ref(), flows).await?;
            graph.record_analysis(&record).await
        })
    }

    /// The content at the merge base of each changed source file (and, with `catalogs`, each
    /// message catalog): `None` for an added file; a file unreadable at the base is left out.
    fn base_texts(&self, changes: &ChangeSet, catalogs: bool) -> HashMap<String, Option<String>> {
        let dir = &self.config.project_dir;
        changes
            .changes
            .iter()
            .filter(|c| {
                crate::code::imports::is_source_path(&c.path)
                    || catalogs && crate::code::messages::is_catalog_path(&c.path)
            })
            .filter_map(|c| {
                let before = match c.status {
                    ChangeStatus::Added => None,
                    _ => file_at(dir, &changes.merge_base, c.old_path.as_ref().unwrap_or(&c.path)).ok()?,
                };
                Some((c.path.clone(), before))
            })
            .collect()
    }

    /// What symbol precision reads: the changed files' content at the merge base (a changed
    /// module missing there is followed at file level), and the current files from the disk
    /// the graph was built from.
    fn symbol_sources(&self, base: HashMap<String, Option<String>>) -> SymbolSources<'static> {
        let dir = self.config.project_dir.clone();
        SymbolSources {
            old: base,
            read: Box::new(move |path| std::fs::read_to_string(crate::code::discover::absolute(&dir, path)).ok()),
        }
    }

    /// Before and after of each changed lockfile and `package.json` (after: the head, or the
    /// disk for working-tree changes). One whose content cannot be read (commits not in this
    /// checkout, a blob a partial clone cannot fetch) is left out, so it counts as global,
    /// with a note saying so.
    fn manifest_contents(&self, changes: &ChangeSet, source: &ChangeSource) -> (Vec<ManifestChange>, Vec<String>) {
        let dir = &self.config.project_dir;
        let mut manifests = Vec::new();
        let mut notes = Vec::new();
        for c in changes.changes.iter().filter(|c| is_manifest(&c.path)) {
            let new = match source {
                ChangeSource::Refs { .. } => file_at(dir, &changes.head_sha, &c.path),
                ChangeSource::WorkingTree => {
                    Ok(std::fs::read_to_string(crate::code::discover::absolute(dir, &c.path)).ok())
                }
            };
            let old = file_at(dir, &changes.merge_base, c.old_path.as_ref().unwrap_or(&c.path));
            match (old, new) {
                (Ok(old), Ok(new)) => manifests.push(ManifestChange {
                    path: c.path.clone(),
                    old,
                    new,
                }),
                (Err(e), _) | (_, Err(e)) => notes.push(format!(
                    "{}: its content at {} or {} could not be read ({e}), so this change counts as global",
                    c.path,
                    &changes.merge_base[..changes.merge_base.len().min(12)],
                    &changes.head_sha[..changes.head_sha.len().min(12)]
                )),
            }
        }
        (manifests, notes)
    }
}

/// The analytics events each changed file fired at the merge base (`base`) and fires no
/// more (the current ones come from the graph's parse).
fn removed_events(model: &AppModel, base: &HashMap<String, Option<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (path, before) in base {
        let Some(before) = before.as_deref().filter(|_| crate::code::imports::is_source_path(path)) else {
            continue;
        };
        let now: BTreeSet<&str> = model
            .graph
            .id(path)
            .map(|id| model.graph.events_of(id).iter().map(String::as_str).collect())
            .unwrap_or_default();
        let gone: BTreeSet<String> = crate::code::events::scan(before)
            .into_iter()
            .filter(|e| !now.contains(e.as_str()))
            .collect();
        if !gone.is_empty() {
            out.insert(path.clone(), gone);
        }
    }
    out
}
