//! Correlation: sessions aligned against every flow, aggregated into each flow's production
//! metrics — success rate, daily users and attempts, average duration, top exit step, device
//! and cohort breakdowns, and the per-step funnel.
//!
//! Every figure comes from one result per (session, flow), its depth ([`Match::depth`], see
//! [`crate::analytics::align`] for the semantics and examples): a session *enters* a flow
//! when it does the flow's first step; it *reaches* step k when steps 1..k align with it at
//! `minSimilarity` of a perfect score and step k itself happens; its depth is the last step
//! it reaches. So:
//!
//! - entered: depth ≥ 1; completed: depth = the last step (the last step must happen);
//!   success rate = completed / entered;
//! - the funnel counts at step k the sessions whose depth is at least k (how far they got; a
//!   tolerated skipped step counts as passed); the top exit step is the step most
//!   uncompleted sessions stopped at (their depth);
//! - devices and cohorts split the entered and completed sessions; the duration of a
//!   completion runs from the first time the session did step 1 to the last time it did the
//!   last step after that;
//! - per-day figures (daily users, daily attempts) divide by the days the synced data covers
//!   within the window (the union of the synced ranges), not by the days that happen to
//!   have sessions.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::analytics::align::{FlowSet, Match, Scoring, Sessions, Symbol, similarity};
use crate::analytics::alphabet::{Alphabet, Encoded};
use crate::analytics::sessions::Session;
use crate::analytics::store::DAY_MS;
use crate::flows::Flow;
use crate::graph::{FunnelStep, ProductionMetrics};

/// Sessions encoded once for correlation and gap finding.
#[derive(Debug)]
pub struct Prepared {
    /// The alphabet (flow steps first, then everything production named).
    pub alphabet: Alphabet,
    /// Each flow's steps as symbols (same order as the flows given).
    pub flow_symbols: Vec<Vec<Symbol>>,
    /// Each session's symbols and times.
    pub encoded: Vec<Encoded>,
    /// Each session's user, as an index into a user table.
    pub users: Vec<u32>,
    /// Each session's UTC day number.
    pub days: Vec<u32>,
    /// The days per-day figures divide by: the days the synced data covers, as given to
    /// [`prepare`] (fractional for part days).
    pub days_covered: f64,
}

/// Encodes `sessions` against `flows`. `covered_days` is how many days of data the sessions
/// come from (the synced ranges within the window, see
/// [`EventStore::covered_ms`](crate::analytics::store::EventStore::covered_ms)); when it is
/// not positive (events not synced by Perceo), the number of distinct UTC days with
/// sessions is used, at least 1.
pub fn prepare(flows: &[Flow], sessions: &[Session], covered_days: f64) -> Prepared {
    let (mut alphabet, flow_symbols) = Alphabet::from_flows(flows);
    let mut user_ids: HashMap<&str, u32> = HashMap::new();
    let mut users = Vec::with_capacity(sessions.len());
    let mut days = Vec::with_capacity(sessions.len());
    let mut distinct_days = HashSet::new();
    let encoded = sessions
        .iter()
        .map(|s| {
            let next = user_ids.len() as u32;
            users.push(*user_ids.entry(s.user.as_str()).or_insert(next));
            let day = s.start_ms().div_euclid(DAY_MS) as u32;
            days.push(day);
            distinct_days.insert(day);
            alphabet.encode(&s.events)
        })
        .collect();
    Prepared {
        alphabet,
        flow_symbols,
        encoded,
        users,
        days,
        days_covered: if covered_days > 0.0 {
            covered_days
        } else {
            distinct_days.len().max(1) as f64
        },
    }
}

/// One flow's correlation result.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowCorrelation {
    /// Flow id.
    pub flow: String,
    /// Flow name.
    pub name: String,
    /// Steps production can see (those with an `event` or a `page`).
    pub observable_steps: usize,
    /// Sessions that entered the flow (did its first step).
    pub sessions_entered: u64,
    /// Sessions that completed it (reached its last step, which they did).
    pub sessions_completed: u64,
    /// Entered sessions whose alignment of the whole flow (every step matched or skipped)
    /// scores at least `minSimilarity` of a perfect walk.
    pub sessions_matched: u64,
    /// Mean similarity (0..1) of the whole flow with the sessions that entered.
    pub avg_similarity: f64,
    /// The metrics written to the graph (`None` when no session entered or no step is
    /// observable: nothing is known, and nothing is written).
    pub metrics: Option<ProductionMetrics>,
}

/// What `perceo analytics correlate` reports.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrelationReport {
    /// Sessions looked at.
    pub sessions: u64,
    /// The days per-day figures divide by: the days the synced data covers within the
    /// window (fractional for part days).
    pub days: f64,
    /// The similarity threshold used.
    pub min_similarity: f64,
    /// Sessions that entered no flow.
    pub sessions_unmatched: u64,
    /// Per flow, in the order the flows were given.
    pub flows: Vec<FlowCorrelation>,
}

#[derive(Debug, Clone, Default)]
struct FlowAcc {
    entered: u64,
    completed: u64,
    matched: u64,
    similarity_sum: f64,
    reach: Vec<u64>,
    exits: Vec<u64>,
    duration_sum: f64,
    duration_count: u64,
    devices: HashMap<String, u64>,
    cohorts: [(u64, u64); 2],
    user_days: HashSet<(u32, u32)>,
}

#[derive(Debug, Clone)]
struct Acc {
    flows: Vec<FlowAcc>,
    unmatched: u64,
}

impl Acc {
    fn merge(mut self, other: Acc) -> Acc {
        self.unmatched += other.unmatched;
        for (a, b) in self.flows.iter_mut().zip(other.flows) {
            a.entered += b.entered;
            a.completed += b.completed;
            a.matched += b.matched;
            a.similarity_sum += b.similarity_sum;
            for (x, y) in a.reach.iter_mut().zip(&b.reach) {
                *x += y;
            }
            for (x, y) in a.exits.iter_mut().zip(&b.exits) {
                *x += y;
            }
            a.duration_sum += b.duration_sum;
            a.duration_count += b.duration_count;
            for (k, v) in b.devices {
                *a.devices.entry(k).or_default() += v;
            }
            for (x, y) in a.cohorts.iter_mut().zip(b.cohorts) {
                x.0 += y.0;
                x.1 += y.1;
            }
            a.user_days.extend(b.user_days);
        }
        self
    }
}

/// Time from the first occurrence of the flow's first step to the last occurrence of its last
/// step after it, in milliseconds.
fn walk_duration(encoded: &Encoded, flow: &[Symbol]) -> Option<i64> {
    let (first, last) = (*flow.first()?, *flow.last()?);
    let start = encoded.symbols.iter().position(|s| *s == first)?;
    let end = encoded
        .symbols
        .iter()
        .rposition(|s| *s == last)
        .filter(|e| *e >= start)?;
    Some(encoded.times[end] - encoded.times[start])
}

/// Aligns every session with every flow and aggregates per flow. `now` stamps the metrics.
pub fn correlate(
    flows: &[Flow],
    sessions: &[Session],
    prepared: &Prepared,
    min_similarity: f64,
    now: &str,
) -> CorrelationReport {
    let scoring = Scoring::default();
    let set = FlowSet::new(prepared.flow_symbols.clone(), scoring);
    let mut batch = Sessions::new();
    for e in &prepared.encoded {
        batch.push(&e.symbols);
    }
    let blank = Acc {
        flows: prepared
            .flow_symbols
            .iter()
            .map(|f| FlowAcc {
                reach: vec![0; f.len()],
                exits: vec![0; f.len()],
                ..Default::default()
            })
            .collect(),
        unmatched: 0,
    };
    let acc = set.correlate(
        &batch,
        min_similarity,
        || blank.clone(),
        |acc: &mut Acc, index: usize, matches: &[Match]| {
            let session = &sessions[index];
            let mut entered_any = false;
            for m in matches {
                let flow_symbols = set.flow(m.flow as usize);
                let n = flow_symbols.len();
                let depth = usize::from(m.depth);
                if depth == 0 || n == 0 {
                    continue;
                }
                entered_any = true;
                let f = &mut acc.flows[m.flow as usize];
                f.entered += 1;
                let sim = similarity(m.score, n, &scoring);
                f.similarity_sum += sim;
                if sim >= min_similarity {
                    f.matched += 1;
                }
                for r in &mut f.reach[..depth] {
                    *r += 1;
                }
                let cohort = usize::from(session.new_user != Some(true));
                f.cohorts[cohort].0 += 1;
                if depth == n {
                    f.completed += 1;
                    f.cohorts[cohort].1 += 1;
                    if let Some(d) = walk_duration(&prepared.encoded[index], flow_symbols) {
                        f.duration_sum += d as f64;
                        f.duration_count += 1;
                    }
                } else {
                    f.exits[depth - 1] += 1;
                }
                let device = session.device.clone().unwrap_or_else(|| "unknown".into());
                *f.devices.entry(device).or_default() += 1;
                f.user_days.insert((prepared.users[index], prepared.days[index]));
            }
            if !entered_any {
                acc.unmatched += 1;
            }
        },
        Acc::merge,
    );
    let days = prepared.days_covered;
    let flows_out = flows
        .iter()
        .zip(acc.flows)
        .zip(&prepared.flow_symbols)
        .map(|((flow, f), symbols)| {
            let observable: Vec<&crate::flows::Step> = flow
                .steps
                .iter()
                .filter(|s| crate::analytics::alphabet::step_key(s).is_some())
                .collect();
            let metrics = (f.entered > 0 && !symbols.is_empty()).then(|| {
                let share = |n: u64, of: u64| if of == 0 { 0.0 } else { n as f64 / of as f64 };
                let top_exit = f
                    .exits
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
                    .map(|(i, _)| observable[i].name.clone());
                let mut cohort_performance = BTreeMap::new();
                for (name, (entered, completed)) in ["new", "returning"].into_iter().zip(f.cohorts) {
                    if entered > 0 {
                        cohort_performance.insert(name.to_string(), share(completed, entered));
                    }
                }
                ProductionMetrics {
                    success_rate: share(f.completed, f.entered),
                    daily_users: f.user_days.len() as f64 / days,
                    avg_duration: if f.duration_count == 0 {
                        0.0
                    } else {
                        f.duration_sum / f.duration_count as f64
                    },
                    top_exit_step: top_exit,
                    device_breakdown: f
                        .devices
                        .iter()
                        .map(|(k, v)| (k.clone(), share(*v, f.entered)))
                        .collect(),
                    cohort_performance,
                    last_updated: now.to_string(),
                    daily_attempts: f.entered as f64 / days,
                    funnel: observable
                        .iter()
                        .zip(&f.reach)
                        .map(|(step, n)| FunnelStep {
                            step: step.name.clone(),
                            sessions: *n,
                        })
                        .collect(),
                }
            });
            FlowCorrelation {
                flow: flow.id.clone(),
                name: flow.name.clone(),
                observable_steps: symbols.len(),
                sessions_entered: f.entered,
                sessions_completed: f.completed,
                sessions_matched: f.matched,
                avg_similarity: if f.entered == 0 {
                    0.0
                } else {
                    f.similarity_sum / f.entered as f64
                },
                metrics,
            }
        })
        .collect();
    CorrelationReport {
        sessions: sessions.len() as u64,
        days: prepared.days_covered,
        min_similarity,
        sessions_unmatched: acc.unmatched,
        flows: flows_out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::event::AnalyticsEvent;
    use crate::analytics::sessions::sessionize;

    const T0: i64 = 1_764_115_200_000 + 3_600_000;
    const MIN: i64 = 60_000;

    fn checkout() -> Flow {
        serde_json::from_value(serde_json::json!({
            "id": "checkout", "name": "Checkout", "pages": ["/cart"],
            "steps": [
                {"name": "Open", "page": "/product/[id]", "event": "view_item"},
                {"name": "Add to cart", "event": "add_to_cart"},
                {"name": "See cart", "page": "/cart"},
                {"name": "Think"},
                {"name": "Pay", "event": "purchase"}
            ]
        }))
        .unwrap()
    }

    /// `(name or "page_view /path", minutes after T0)`.
    fn events(user: &str, device: &str, steps: &[(&str, i64)]) -> Vec<AnalyticsEvent> {
        steps
            .iter()
            .map(|(what, minute)| {
                let (name, page) = match what.strip_prefix("page_view ") {
                    Some(path) => ("page_view", Some(path.to_string())),
                    None => (*what, None),
                };
                AnalyticsEvent {
                    name: name.into(),
                    time_ms: T0 + minute * MIN,
                    user: user.into(),
                    session: None,
                    page,
                    device: Some(device.into()),
                    new_user: None,
                    revenue: None,
                    insert_id: None,
                }
            })
            .collect()
    }

    #[test]
    fn hand_made_sessions_give_known_metrics() {
        let mut all = Vec::new();
        // a: the whole flow in 6 minutes.
        all.extend(events(
            "a",
            "mobile",
            &[
                ("view_item", 0),
                ("add_to_cart", 1),
                ("page_view /cart", 2),
                ("purchase", 6),
            ],
        ));
        // b: leaves after adding; comes back two hours later and only looks.
        all.extend(events("b", "desktop", &[("view_item", 0), ("add_to_cart", 3)]));
        all.extend(events("b", "desktop", &[("view_item", 120)]));
        // c: the whole flow with a detour (tolerated at 0.7), 10 minutes.
        all.extend(events(
            "c",
            "mobile",
            &[
                ("view_item", 0),
                ("page_view /about", 1),
                ("add_to_cart", 2),
                ("page_view /cart", 3),
                ("purchase", 10),
            ],
        ));
        // d: only the end of the flow: never entered it.
        all.extend(events("d", "mobile", &[("page_view /cart", 0), ("purchase", 1)]));
        // e: leaves after adding.
        all.extend(events("e", "tablet", &[("view_item", 0), ("add_to_cart", 1)]));
        let sessions = sessionize(all, 30 * MIN);
        assert_eq!(sessions.len(), 6);
        let flows = vec![checkout()];
        let prepared = prepare(&flows, &sessions, 0.0);
        let report = correlate(&flows, &sessions, &prepared, 0.7, "now");
        assert_eq!((report.sessions, report.sessions_unmatched, report.days), (6, 1, 1.0));
        let f = &report.flows[0];
        assert_eq!(
            (f.observable_steps, f.sessions_entered, f.sessions_completed),
            (4, 5, 2)
        );
        let m = f.metrics.as_ref().unwrap();
        assert!((m.success_rate - 0.4).abs() < 1e-9);
        assert_eq!(m.daily_users, 4.0);
        assert_eq!(m.daily_attempts, 5.0);
        assert_eq!(m.avg_duration, 8.0 * MIN as f64);
        assert_eq!(m.top_exit_step.as_deref(), Some("Add to cart"));
        let funnel: Vec<(&str, u64)> = m.funnel.iter().map(|s| (s.step.as_str(), s.sessions)).collect();
        assert_eq!(
            funnel,
            vec![("Open", 5), ("Add to cart", 4), ("See cart", 2), ("Pay", 2)]
        );
        assert_eq!(m.cohort_performance.get("new"), Some(&0.5));
        assert_eq!(m.cohort_performance.get("returning"), Some(&0.0));
        assert_eq!(m.device_breakdown.get("mobile"), Some(&0.4));
        assert_eq!(m.device_breakdown.get("desktop"), Some(&0.4));
        assert_eq!(m.device_breakdown.get("tablet"), Some(&0.2));
        assert_eq!(f.sessions_matched, 2, "only the completed walks align at 0.7 overall");
    }

    #[test]
    fn a_stricter_threshold_drops_the_detour_and_nothing_is_written_without_traffic() {
        let all = events(
            "c",
            "mobile",
            &[
                ("view_item", 0),
                ("page_view /about", 1),
                ("add_to_cart", 2),
                ("page_view /cart", 3),
                ("purchase", 10),
            ],
        );
        let sessions = sessionize(all, 30 * MIN);
        let idle: Flow = serde_json::from_value(serde_json::json!({
            "id": "idle", "name": "Idle", "steps": [{"name": "Wave", "event": "wave"}]
        }))
        .unwrap();
        let flows = vec![checkout(), idle];
        let prepared = prepare(&flows, &sessions, 0.0);
        let report = correlate(&flows, &sessions, &prepared, 0.95, "now");
        let m = report.flows[0].metrics.as_ref().unwrap();
        assert_eq!(m.success_rate, 0.0);
        assert_eq!(
            m.funnel.iter().map(|s| s.sessions).collect::<Vec<_>>(),
            vec![1, 0, 0, 0]
        );
        assert!(report.flows[1].metrics.is_none());
    }
}
