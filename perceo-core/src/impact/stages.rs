//! The stages of [`super::analyze`], in order: [`targets`] (what a change can reach: each
//! page's entry files, app-wide entries, the flows' spec files), [`direct_matches`] (each
//! change sorted, and flows it names directly), [`graph_reach`] (the reverse-import search
//! from each changed file), [`global_rules`] (global and test-side inputs to every flow of
//! their scope) and [`unexplained`] (what reaches nothing: harmless, listed with the reason,
//! or the fail-safe).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::classify::{Findings, Seed, classify_change, direct_reason, unmatched_reason};
use super::{
    FileNote, GLOBAL_CONFIDENCE, ImpactInput, OnEmpty, Reason, ReasonKind, TEST_HELPER_CONFIDENCE, paths, round3,
    search,
};
use super::{messages, symbols};
use crate::routes::RouteKind;

/// A file that stands for a page: (file id, confidence factor, the page file it wraps, the
/// app of the route).
type Entry<'a> = (usize, f64, Option<&'a str>, Option<&'a str>);

/// What the search from a changed file looks for.
pub(super) struct Targets<'a> {
    /// Entry files of each page pattern: the route file, and files attached to it (layouts...).
    pattern_entries: HashMap<&'a str, Vec<Entry<'a>>>,
    /// Each page with the files that stand for it, to count the pages a change reaches.
    pages: Vec<Vec<usize>>,
    /// App-wide entries (middleware, instrumentation, Nuxt plugins) and why they are.
    app_wide: Vec<(usize, &'static str)>,
    /// The flows whose spec file each file is.
    spec_flows: HashMap<usize, Vec<&'a str>>,
}

/// Stage 1: the targets; warns once about flow page patterns no route has.
pub(super) fn targets<'a>(input: &ImpactInput<'a>, warnings: &mut Vec<String>) -> Targets<'a> {
    // Entry files of each page pattern: the route file, and files attached to it (layouts...).
    let mut pattern_entries: HashMap<&str, Vec<Entry<'_>>> = HashMap::new();
    // Each page with the files that stand for it (its file and what wraps it), to count the
    // pages a change reaches.
    let mut pages: Vec<Vec<usize>> = Vec::new();
    for route in input.routes {
        let Some(id) = input.graph.id(&route.file) else {
            continue;
        };
        if route.kind == RouteKind::Page {
            pages.push(
                std::iter::once(id)
                    .chain(route.attached.iter().filter_map(|a| input.graph.id(a)))
                    .collect(),
            );
        }
        let entries = pattern_entries.entry(route.pattern.as_str()).or_default();
        let app = route.app.as_deref();
        entries.push((id, 1.0, None, app));
        for attached in &route.attached {
            if let Some(a) = input.graph.id(attached) {
                entries.push((a, search::LAYOUT_FACTOR, Some(route.file.as_str()), app));
            }
        }
    }
    // Flow pages no route has: nothing in the code reaches them, so say so once.
    if !input.routes.is_empty() {
        let known: std::collections::HashSet<&str> = input.routes.iter().map(|r| r.pattern.as_str()).collect();
        let lost: Vec<String> = input
            .flows
            .flows
            .iter()
            .flat_map(|f| {
                f.pages
                    .iter()
                    .filter(|p| !known.contains(p.as_str()))
                    .map(move |p| format!("{} ({p})", f.id))
            })
            .collect();
        if !lost.is_empty() {
            warnings.push(format!(
                "{} flow page pattern(s) match no route, so no code change reaches them: {}{} — `perceo routes` lists the patterns",
                lost.len(),
                lost.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
                if lost.len() > 5 { ", ..." } else { "" }
            ));
        }
    }
    // App-wide entries (middleware, instrumentation...): what reaches them is global.
    let app_wide: Vec<(usize, &str)> = (0..input.graph.files().len())
        .filter_map(|i| {
            let (app, in_app) = crate::config::AppSettings::app_of(input.apps, input.graph.path(i));
            if app.is_none() && !input.apps.is_empty() {
                return None; // outside every app of a multi-app project
            }
            let path = input.graph.path(i);
            let app_root = path.strip_suffix(in_app).unwrap_or("");
            let is_nuxt = || {
                ["ts", "js", "mjs", "mts"]
                    .iter()
                    .any(|ext| input.graph.id(&format!("{app_root}nuxt.config.{ext}")).is_some())
            };
            let nuxt_plugin = || paths::nuxt_plugin(in_app).filter(|_| is_nuxt());
            Some((i, paths::app_wide_entry(in_app).or_else(nuxt_plugin)?))
        })
        .collect();
    // Spec files of the flows: what reaches them changes those flows' tests.
    let mut spec_flows: HashMap<usize, Vec<&str>> = HashMap::new();
    for flow in &input.flows.flows {
        for spec in flow.tests.iter().flat_map(|t| &t.specs) {
            if let Some(id) = input.graph.id(spec) {
                spec_flows.entry(id).or_default().push(flow.id.as_str());
            }
        }
    }
    Targets {
        pattern_entries,
        pages,
        app_wide,
        spec_flows,
    }
}

/// Stage 2: every change sorted (`classify`) and matched to the flows that name it; also
/// the changed lines per file, for risk.
pub(super) fn direct_matches(input: &ImpactInput<'_>) -> (Findings, HashMap<String, usize>) {
    let mut found = Findings::default();
    let mut changed_lines: HashMap<String, usize> = HashMap::new();
    for change in &input.changes.changes {
        let path = change.path.as_str();
        changed_lines.insert(path.to_string(), change.additions + change.deletions);
        for flow in &input.flows.flows {
            if let Some(reason) = direct_reason(flow, path) {
                found.per_flow.entry(flow.id.clone()).or_default().push(reason);
            }
        }
        classify_change(input, change, &mut found);
    }
    (found, changed_lines)
}

/// Stage 3: the reverse-import search from each seed to the flows' pages, app-wide entries
/// and spec files. Returns the code changes found harmless only by the search (path, why).
pub(super) fn graph_reach(
    input: &ImpactInput<'_>,
    targets: &Targets<'_>,
    found: &mut Findings,
) -> BTreeMap<String, String> {
    let graph = input.graph;
    let Targets {
        pattern_entries,
        pages,
        app_wide,
        spec_flows,
    } = targets;
    // Search from each seed.
    let mut seen_seed: BTreeSet<(&str, usize)> = BTreeSet::new();
    // Code changes found harmless only once the search has run: (path, why).
    let mut late_harmless: BTreeMap<String, String> = BTreeMap::new();
    let seeds = messages::expand_seeds(input, &found.seeds, &mut late_harmless);
    let mut api = ApiCache::default();
    for Seed {
        changed,
        file: seed,
        via: stand_in,
    } in &seeds
    {
        if !seen_seed.insert((changed.as_str(), *seed)) {
            continue;
        }
        // At symbol precision, a changed module is followed through the importers of its
        // changed exports only (or at file level, with the reason why).
        let symbol = match (input.symbols, stand_in) {
            (Some(sources), None) => Some(symbols::reach(graph, *seed, graph.path(*seed), sources)),
            _ => None,
        };
        let reach = match &symbol {
            Some(Ok(r)) => {
                search::reverse_reach_within(graph, *seed, |importer, imported| r.follows(importer, imported))
            }
            _ => search::reverse_reach(graph, *seed),
        };
        let pages_reached = pages
            .iter()
            .filter(|files| files.iter().any(|f| reach.contains_key(f)))
            .count()
            .max(1);
        let fan_in = search::fan_in_factor(pages_reached);
        let mut any = false;
        for flow in &input.flows.flows {
            let mut best: Option<Reason> = None;
            for pattern in &flow.pages {
                for &(entry, factor, via, app) in pattern_entries.get(pattern.as_str()).into_iter().flatten() {
                    if flow.app.is_some() && app.is_some() && flow.app.as_deref() != app {
                        continue;
                    }
                    let Some(hit) = reach.get(&entry) else { continue };
                    let confidence = hit.confidence * factor * fan_in;
                    if best.as_ref().is_none_or(|b| confidence > b.confidence) {
                        let mut chain = search::chain(graph, &reach, entry);
                        if let Some(page) = via {
                            chain.push(page.to_string());
                        }
                        let kind = match (stand_in, via) {
                            (Some((_, kind)), _) => *kind,
                            (None, Some(_)) => ReasonKind::Layout,
                            (None, None) => ReasonKind::ImportChain,
                        };
                        let hops = chain.len() - 1;
                        let detail = match (stand_in, hops, via) {
                            (Some((what, ReasonKind::Message)), _, _) => {
                                chain.insert(0, changed.clone());
                                format!("{what}; it reaches the page of {pattern} in {hops} hop(s)")
                            }
                            (Some((what, _)), _, _) => {
                                chain.insert(0, changed.clone());
                                format!(
                                    "{what}; {} imports it and reaches the page of {pattern} in {hops} hop(s)",
                                    graph.path(*seed)
                                )
                            }
                            (None, 0, None) => format!("the page file of {pattern} changed"),
                            (None, _, Some(_)) => format!("wraps the pages of {pattern} ({hops} hop(s))"),
                            (None, _, None) => format!("reaches the page of {pattern} in {hops} import hop(s)"),
                        };
                        let auto = search::auto_import_hops(graph, &chain);
                        let detail = if auto.is_empty() {
                            detail
                        } else {
                            format!("{detail}; auto-import: {}", auto.join(", "))
                        };
                        let detail = if pages_reached > 1 {
                            format!("{detail}; the changed file reaches {pages_reached} pages")
                        } else {
                            detail
                        };
                        let detail = match &symbol {
                            Some(Ok(r)) => format!("{detail}; symbols: {}", symbols::chain_names(graph, &chain, r)),
                            Some(Err(why)) => format!("{detail}; followed at file level: {why}"),
                            None => detail,
                        };
                        best = Some(Reason {
                            kind,
                            changed_file: changed.clone(),
                            chain,
                            confidence: round3(confidence),
                            detail,
                        });
                    }
                }
            }
            if let Some(reason) = best {
                any = true;
                found.per_flow.entry(flow.id.clone()).or_default().push(reason);
            }
        }
        // Through the API handlers it reaches, the pages that call them.
        any |= api_reach(input, targets, changed, stand_in.is_some(), &reach, found, &mut api);
        // Through an app-wide entry, the change is global (with the chain that says so).
        if let Some(&(entry, why)) = app_wide.iter().find(|(id, _)| reach.contains_key(id)) {
            any = true;
            let mut chain = search::chain(graph, &reach, entry);
            if stand_in.is_some() {
                chain.insert(0, changed.clone());
            }
            let what = stand_in.as_ref().map(|(w, _)| format!("{w}; ")).unwrap_or_default();
            let scope = crate::config::AppSettings::app_of(input.apps, graph.path(entry))
                .0
                .map(|a| a.name.clone());
            found.global.push((
                changed.clone(),
                chain,
                format!("{what}reaches {}: {why}", graph.path(entry)),
                scope,
            ));
        }
        // Through a flow's spec file, the change alters that flow's tests.
        for (&spec, flows) in spec_flows {
            if spec == *seed && stand_in.is_none() {
                continue; // the spec itself changed: a direct reason already says so
            }
            let Some(hit) = reach.get(&spec) else { continue };
            any = true;
            let mut chain = search::chain(graph, &reach, spec);
            if stand_in.is_some() {
                chain.insert(0, changed.clone());
            }
            for flow in flows {
                found.per_flow.entry((*flow).to_string()).or_default().push(Reason {
                    kind: ReasonKind::Test,
                    changed_file: changed.clone(),
                    chain: chain.clone(),
                    confidence: round3(TEST_HELPER_CONFIDENCE * hit.confidence.max(0.5)),
                    detail: format!("the flow's test spec {} uses it", graph.path(spec)),
                });
            }
        }
        // At symbol precision, a change whose names reach no page at all is explained.
        if !any
            && let Some(Ok(r)) = &symbol
            && !pages.iter().any(|files| files.iter().any(|f| reach.contains_key(f)))
        {
            let names = r
                .names
                .get(seed)
                .map(|n| n.iter().cloned().collect::<Vec<_>>().join("`, `"));
            late_harmless.insert(
                changed.clone(),
                match names {
                    Some(n) if !n.is_empty() => format!("its changed exports (`{n}`) are used by no page"),
                    _ => "it changed no export and no top-level effect".into(),
                },
            );
            continue;
        }
        if !any
            && stand_in.is_none()
            && reach.len() > 1
            && reach
                .keys()
                .all(|&id| id == *seed || paths::is_test_path(graph.path(id)) || paths::is_story_path(graph.path(id)))
        {
            late_harmless.insert(
                changed.clone(),
                "used only by test files that no flow links to (add them to a flow's tests.specs)".into(),
            );
        }
    }
    late_harmless
}

/// Confidence kept by the hop from a page's code to the API handler it calls.
const API_FACTOR: f64 = 0.85;

/// What the API search works out once per analysis: each handler's callers, and each
/// caller's reverse search.
#[derive(Default)]
struct ApiCache {
    callers: HashMap<usize, Vec<usize>>,
    reach: HashMap<usize, HashMap<usize, search::Hit>>,
}

/// Stage 3, through the network: the route handlers `reach` (the search from `changed`)
/// holds, then the files that call their endpoint (literal paths matched against the
/// handler's pattern), then the flows whose pages reach those files (reason kind `api`,
/// chain ending at the caller's page). Whether any flow was found.
fn api_reach(
    input: &ImpactInput<'_>,
    targets: &Targets<'_>,
    changed: &str,
    stand_in: bool,
    reach: &HashMap<usize, search::Hit>,
    found: &mut Findings,
    cache: &mut ApiCache,
) -> bool {
    let graph = input.graph;
    let mut any = false;
    for route in input.routes.iter().filter(|r| r.kind == RouteKind::Handler) {
        let Some((handler, handler_hit)) = graph.id(&route.file).and_then(|id| Some((id, reach.get(&id)?))) else {
            continue;
        };
        let mut to_handler = search::chain(graph, reach, handler);
        if stand_in {
            to_handler.insert(0, changed.to_string());
        }
        let callers = cache
            .callers
            .entry(handler)
            .or_insert_with(|| {
                graph.endpoint_callers(|endpoint| crate::routes::pattern_matches(&route.pattern, endpoint))
            })
            .clone();
        for caller in callers.into_iter().filter(|&c| c != handler) {
            let caller_reach = cache
                .reach
                .entry(caller)
                .or_insert_with(|| search::reverse_reach(graph, caller));
            for flow in &input.flows.flows {
                let mut best: Option<Reason> = None;
                for pattern in &flow.pages {
                    for &(entry, factor, via, app) in
                        targets.pattern_entries.get(pattern.as_str()).into_iter().flatten()
                    {
                        if flow.app.is_some() && app.is_some() && flow.app.as_deref() != app {
                            continue;
                        }
                        let Some(hit) = caller_reach.get(&entry) else { continue };
                        let confidence = handler_hit.confidence * API_FACTOR * hit.confidence * factor;
                        if best.as_ref().is_none_or(|b| confidence > b.confidence) {
                            let mut chain = to_handler.clone();
                            chain.extend(search::chain(graph, caller_reach, entry));
                            if let Some(page) = via {
                                chain.push(page.to_string());
                            }
                            best = Some(Reason {
                                kind: ReasonKind::Api,
                                changed_file: changed.to_string(),
                                chain,
                                confidence: round3(confidence),
                                detail: format!(
                                    "reaches the API handler {} ({}), which {} calls; it reaches the page of {pattern}",
                                    route.pattern,
                                    route.file,
                                    graph.path(caller)
                                ),
                            });
                        }
                    }
                }
                if let Some(reason) = best {
                    any = true;
                    found.per_flow.entry(flow.id.clone()).or_default().push(reason);
                }
            }
        }
    }
    any
}

/// Stage 4: global inputs affect every flow of their scope; test-side global inputs every
/// flow with tests (or are harmless when no flow has tests).
pub(super) fn global_rules(
    input: &ImpactInput<'_>,
    found: &mut Findings,
    late_harmless: &mut BTreeMap<String, String>,
) {
    // Global inputs affect every flow; test-side global inputs every flow with tests.
    for (path, chain, why, scope) in &found.global {
        for flow in input.flows.flows.iter().filter(|f| in_scope(f, scope.as_deref())) {
            found.per_flow.entry(flow.id.clone()).or_default().push(Reason {
                kind: ReasonKind::Global,
                changed_file: path.clone(),
                chain: chain.clone(),
                confidence: GLOBAL_CONFIDENCE,
                detail: why.clone(),
            });
        }
    }
    for (path, why, scope) in &found.all_tests {
        let with_tests: Vec<_> = input
            .flows
            .flows
            .iter()
            .filter(|f| f.has_tests() && in_scope(f, scope.as_deref()))
            .collect();
        if with_tests.is_empty() {
            late_harmless.insert(path.clone(), format!("{why}, but no flow has tests"));
        }
        for flow in with_tests {
            found.per_flow.entry(flow.id.clone()).or_default().push(Reason {
                kind: ReasonKind::Test,
                changed_file: path.clone(),
                chain: vec![path.clone()],
                confidence: GLOBAL_CONFIDENCE,
                detail: why.clone(),
            });
        }
    }
}

/// Stage 5: changed code that reaches no flow is explained as harmless or listed with the
/// reason; when code changed and nothing is selected, the fail-safe applies.
pub(super) fn unexplained(
    input: &ImpactInput<'_>,
    found: &mut Findings,
    late_harmless: &BTreeMap<String, String>,
    warnings: &mut Vec<String>,
) -> (Vec<FileNote>, Option<OnEmpty>) {
    // Changed code that reaches no flow: explained as harmless, or listed with the reason.
    let explained: BTreeSet<String> = found
        .per_flow
        .values()
        .flatten()
        .map(|r| r.changed_file.clone())
        .collect();
    let mut unmatched: Vec<FileNote> = Vec::new();
    let mut code_changes = std::mem::take(&mut found.code_changes);
    code_changes.sort();
    code_changes.dedup();
    for path in code_changes.iter().filter(|c| !explained.contains(c.as_str())) {
        if let Some(why) = late_harmless.get(path) {
            found.no_impact(path, why.clone());
            continue;
        }
        if paths::is_test_path(path) {
            found.no_impact(
                path,
                "test code that no flow's tests use (link its spec with a flow's tests.specs)",
            );
            continue;
        }
        unmatched.push(FileNote {
            path: path.clone(),
            reason: unmatched_reason(input, path),
        });
    }
    // A file with an effect is reported by that effect, not as harmless.
    found
        .no_impact
        .retain(|n| !explained.contains(&n.path) && !unmatched.iter().any(|u| u.path == n.path));
    found.no_impact.sort_by(|a, b| a.path.cmp(&b.path));
    found.no_impact.dedup_by(|a, b| a.path == b.path);

    let mut on_empty_applied = None;
    if !unmatched.is_empty() {
        let shown: Vec<String> = unmatched
            .iter()
            .take(5)
            .map(|u| format!("{} ({})", u.path, u.reason))
            .collect();
        warnings.push(format!(
            "{} changed file(s) reach no flow: {}{} — see unmatchedChanges",
            unmatched.len(),
            shown.join("; "),
            if unmatched.len() > 5 { "; ..." } else { "" }
        ));
    }
    if found.per_flow.is_empty() && !unmatched.is_empty() && !input.flows.flows.is_empty() {
        warnings.push(format!(
            "code changed ({} file(s)) but no flow is affected and Perceo cannot explain why. {}",
            unmatched.len(),
            input.on_empty.explain()
        ));
        on_empty_applied = Some(input.on_empty);
        for flow in input.on_empty.select(&input.flows.flows) {
            found.per_flow.entry(flow.id.clone()).or_default().push(Reason {
                kind: ReasonKind::FailSafe,
                changed_file: String::new(),
                chain: Vec::new(),
                confidence: GLOBAL_CONFIDENCE,
                detail: format!("selected by --on-empty {}", input.on_empty.as_str()),
            });
        }
    }
    if input.flows.flows.is_empty() {
        warnings.push(
            "no flows are defined: run `perceo init` to bootstrap them from your routes, or add .perceo/flows/*.json"
                .into(),
        );
    }
    (unmatched, on_empty_applied)
}

/// Whether a flow belongs to `scope` (an app's name; `None`: every app).
fn in_scope(flow: &crate::flows::Flow, scope: Option<&str>) -> bool {
    scope.is_none() || flow.app.as_deref() == scope
}
