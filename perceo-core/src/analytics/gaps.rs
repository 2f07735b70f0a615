//! Coverage gaps: journeys real users take through pages and events that no flow mentions,
//! clustered, ranked by weekly users, each with a suggested flow file.
//!
//! A gap journey is a maximal run of at least two consecutive distinct symbols of a session
//! that no flow covers (neither a step nor one of a flow's pages). Runs with the same symbols
//! form a cluster; smaller clusters whose journey aligns with a bigger one at 0.8 or more
//! (Smith-Waterman, normalised by the shorter journey) are merged into it.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::analytics::align::{Scoring, Symbol, scalar_baseline};
use crate::analytics::alphabet::Key;
use crate::analytics::metrics::Prepared;
use crate::flows::{Flow, Step};

/// The defaults of gap finding's arguments (`Perceo::analytics_gaps`, `GET /analytics/gaps`),
/// for every binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GapOptions {
    /// Journeys taken by fewer sessions are left out. Default: 3.
    pub min_sessions: u64,
    /// At most this many. Default: 10.
    pub limit: usize,
}

impl Default for GapOptions {
    fn default() -> Self {
        GapOptions {
            min_sessions: 3,
            limit: 10,
        }
    }
}

/// How similar two journeys must be to share a cluster.
const MERGE_SIMILARITY: f64 = 0.8;
/// At most this many distinct journeys are considered for merging (the most frequent).
const MERGE_CANDIDATES: usize = 500;

/// One uncovered journey.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Gap {
    /// The journey, e.g. `["page /orders/[id]", "event share_order"]`.
    pub journey: Vec<String>,
    /// Sessions that took it (or a journey merged into it).
    pub sessions: u64,
    /// Distinct users per week.
    pub weekly_users: f64,
    /// Mean time from the journey's first to its last event, milliseconds.
    pub avg_duration: f64,
    /// Other journeys merged into this one.
    pub variants: usize,
    /// A flow file covering it (save it under `.perceo/flows/` and refine it).
    pub suggested_flow: Flow,
}

#[derive(Debug, Default)]
struct Cluster {
    sessions: u64,
    users: HashSet<u32>,
    duration_sum: f64,
    variants: usize,
}

/// The uncovered journeys taken by at least `min_sessions` sessions, most weekly users first,
/// at most `limit`.
pub fn find_gaps(prepared: &Prepared, min_sessions: u64, limit: usize) -> Vec<Gap> {
    let alphabet = &prepared.alphabet;
    let mut clusters: HashMap<Vec<Symbol>, Cluster> = HashMap::new();
    for (index, encoded) in prepared.encoded.iter().enumerate() {
        let mut start = 0;
        let symbols = &encoded.symbols;
        while start < symbols.len() {
            if alphabet.is_covered(symbols[start]) || symbols[start] == crate::analytics::align::NOISE {
                start += 1;
                continue;
            }
            let mut end = start;
            while end < symbols.len()
                && !alphabet.is_covered(symbols[end])
                && symbols[end] != crate::analytics::align::NOISE
            {
                end += 1;
            }
            let run = &symbols[start..end];
            if run.iter().collect::<HashSet<_>>().len() >= 2 {
                let cluster = clusters.entry(run.to_vec()).or_default();
                cluster.sessions += 1;
                cluster.users.insert(prepared.users[index]);
                cluster.duration_sum += (encoded.times[end - 1] - encoded.times[start]) as f64;
            }
            start = end;
        }
    }
    let mut ranked: Vec<(Vec<Symbol>, Cluster)> = clusters.into_iter().collect();
    ranked.sort_by(|a, b| b.1.sessions.cmp(&a.1.sessions).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(MERGE_CANDIDATES);
    let scoring = Scoring::default();
    let mut merged: Vec<(Vec<Symbol>, Cluster)> = Vec::new();
    for (journey, cluster) in ranked {
        let home = merged.iter_mut().find(|(rep, _)| {
            let shorter = rep.len().min(journey.len());
            let score = scalar_baseline(&journey, rep, &scoring);
            f64::from(score) / f64::from(scoring.matched * shorter as i32) >= MERGE_SIMILARITY
        });
        match home {
            Some((_, into)) => {
                into.sessions += cluster.sessions;
                into.users.extend(cluster.users);
                into.duration_sum += cluster.duration_sum;
                into.variants += 1;
            }
            None => merged.push((journey, cluster)),
        }
    }
    let weeks = prepared.days_covered / 7.0;
    let mut gaps: Vec<Gap> = merged
        .into_iter()
        .filter(|(_, c)| c.sessions >= min_sessions)
        .map(|(journey, c)| {
            let keys: Vec<&Key> = journey.iter().filter_map(|s| alphabet.key(*s)).collect();
            Gap {
                journey: keys.iter().map(ToString::to_string).collect(),
                sessions: c.sessions,
                weekly_users: c.users.len() as f64 / weeks,
                avg_duration: c.duration_sum / c.sessions as f64,
                variants: c.variants,
                suggested_flow: suggest_flow(&keys),
            }
        })
        .collect();
    gaps.sort_by(|a, b| {
        b.weekly_users
            .total_cmp(&a.weekly_users)
            .then_with(|| a.journey.cmp(&b.journey))
    });
    gaps.truncate(limit);
    gaps
}

/// A flow file for a journey: one step per page or event.
fn suggest_flow(keys: &[&Key]) -> Flow {
    let label = |k: &Key| match k {
        Key::Event(name) => name.clone(),
        Key::Page(path) => path.clone(),
    };
    let joined = keys.iter().map(|k| label(k)).collect::<Vec<_>>().join("/");
    let slug = crate::flows::flow_id_for(&joined)
        .split('-')
        .take(8)
        .collect::<Vec<_>>()
        .join("-");
    let mut pages: Vec<String> = Vec::new();
    let steps = keys
        .iter()
        .map(|k| match k {
            Key::Page(path) => {
                if !pages.contains(path) {
                    pages.push(path.clone());
                }
                Step {
                    name: format!("Visit {path}"),
                    page: Some(path.clone()),
                    event: None,
                    actions: Vec::new(),
                    expected: None,
                }
            }
            Key::Event(name) => Step {
                name: name.replace(['_', '-'], " "),
                page: None,
                event: Some(name.clone()),
                actions: Vec::new(),
                expected: None,
            },
        })
        .collect();
    Flow {
        id: format!("journey-{slug}"),
        name: format!(
            "Journey: {}",
            keys.iter().map(|k| label(k)).collect::<Vec<_>>().join(" → ")
        ),
        description: Some("Suggested by `perceo analytics gaps` from production journeys no flow covers.".into()),
        priority: Default::default(),
        personas: Vec::new(),
        pages,
        files: Vec::new(),
        steps,
        tests: None,
        app: None,
        related: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::event::AnalyticsEvent;
    use crate::analytics::metrics::prepare;
    use crate::analytics::sessions::sessionize;

    const MIN: i64 = 60_000;

    fn session(user: &str, start_min: i64, what: &[&str]) -> Vec<AnalyticsEvent> {
        what.iter()
            .enumerate()
            .map(|(i, w)| {
                let (name, page) = match w.strip_prefix('/') {
                    Some(_) => ("page_view".to_string(), Some(w.to_string())),
                    None => (w.to_string(), None),
                };
                AnalyticsEvent {
                    name,
                    time_ms: 1_764_115_200_000 + (start_min + i as i64) * MIN,
                    user: user.into(),
                    session: None,
                    page,
                    device: None,
                    new_user: None,
                    revenue: None,
                    insert_id: None,
                }
            })
            .collect()
    }

    #[test]
    fn frequent_uncovered_journeys_cluster_and_get_a_flow() {
        let flow: Flow = serde_json::from_value(serde_json::json!({
            "id": "cart", "name": "Cart", "pages": ["/cart"],
            "steps": [{"name": "Add", "event": "add_to_cart"}, {"name": "Cart", "page": "/cart"}]
        }))
        .unwrap();
        let mut events = Vec::new();
        for (i, user) in ["u1", "u2", "u3"].iter().enumerate() {
            // The covered flow, then an uncovered journey: orders → receipt → share.
            events.extend(session(
                user,
                i as i64 * 100,
                &["add_to_cart", "/cart", "/orders/1", "/orders/1/receipt", "share_order"],
            ));
        }
        // A variant with an extra event merges into the same cluster.
        events.extend(session(
            "u4",
            400,
            &["/orders/9", "/orders/9/receipt", "print", "share_order"],
        ));
        // Rare journey: below the threshold.
        events.extend(session("u5", 600, &["/help", "/help/contact"]));
        // Single uncovered page: not a journey.
        events.extend(session("u6", 700, &["/about"]));
        let sessions = sessionize(events, 30 * MIN);
        let prepared = prepare(std::slice::from_ref(&flow), &sessions, 0.0);
        let gaps = find_gaps(&prepared, 2, 10);
        assert_eq!(gaps.len(), 1, "{gaps:#?}");
        let gap = &gaps[0];
        assert_eq!(
            gap.journey,
            vec!["page /orders/[id]", "page /orders/[id]/receipt", "event share_order"]
        );
        assert_eq!((gap.sessions, gap.variants), (4, 1));
        assert_eq!(gap.weekly_users, 4.0 * 7.0);
        assert_eq!(gap.avg_duration, (3.0 * 2.0 + 3.0) / 4.0 * MIN as f64);
        let suggested = &gap.suggested_flow;
        assert_eq!(suggested.id, "journey-orders-id-orders-id-receipt-share-order");
        assert_eq!(suggested.pages, vec!["/orders/[id]", "/orders/[id]/receipt"]);
        assert_eq!(suggested.steps[2].event.as_deref(), Some("share_order"));
        // The suggestion is a valid flow file.
        let text = serde_json::to_string(suggested).unwrap();
        assert_eq!(serde_json::from_str::<Flow>(&text).unwrap(), *suggested);
        assert!(find_gaps(&prepared, 5, 10).is_empty());
    }
}
