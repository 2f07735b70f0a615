//! Funnel semantics (issue 22): the README's rules for matching sessions to flows, written
//! out the slow and obvious way, against the fast SIMD path; and the named cases of the
//! issue through the whole correlation (sessions → funnel, success rate, per-day figures).
//!
//! The rules: a session *enters* a flow when it does step 1; it *reaches* step k when some
//! alignment of steps 1..k with a stretch of its events (every step in the alignment, matched
//! or skipped; events of the stretch that match no step are extras or stand in for a step),
//! ending with step k matched, scores at least `minSimilarity × matched × k`; its depth is
//! the last step it reaches (0 unless it entered); it completes at depth = the last step.

use perceo_core::analytics::align::{FlowSet, NOISE, Scoring, Scratch, Symbol, UNMATCHED, align, depth};
use perceo_core::analytics::event::AnalyticsEvent;
use perceo_core::analytics::metrics::{correlate, prepare};
use perceo_core::analytics::sessions::sessionize;
use perceo_core::flows::Flow;
use proptest::prelude::*;

const S: Scoring = Scoring {
    matched: 2,
    mismatch: -1,
    gap: 1,
};

/// Needleman-Wunsch: the best global alignment of `flow` with `events` (both wholly in it),
/// textbook full matrix.
fn global(flow: &[Symbol], events: &[Symbol], s: &Scoring) -> i32 {
    let (m, n) = (flow.len(), events.len());
    let mut h = vec![vec![0i32; n + 1]; m + 1];
    for (j, cell) in h[0].iter_mut().enumerate() {
        *cell = -(j as i32) * s.gap;
    }
    for i in 1..=m {
        h[i][0] = -(i as i32) * s.gap;
        for j in 1..=n {
            let sub = if flow[i - 1] != NOISE && flow[i - 1] == events[j - 1] {
                s.matched
            } else {
                s.mismatch
            };
            h[i][j] = (h[i - 1][j - 1] + sub)
                .max(h[i - 1][j] - s.gap)
                .max(h[i][j - 1] - s.gap);
        }
    }
    h[m][n]
}

/// The prefix score of step k, by definition: over every event i equal to step k and every
/// stretch of events ending just before it, the global alignment of steps 1..k-1 with the
/// stretch, plus the match of step k with event i.
fn prefix_by_definition(session: &[Symbol], flow: &[Symbol], k: usize, s: &Scoring) -> i32 {
    let step = flow[k - 1];
    let mut best = UNMATCHED;
    for (i, &event) in session.iter().enumerate() {
        if event == NOISE || event != step {
            continue;
        }
        for start in 0..=i {
            best = best.max(global(&flow[..k - 1], &session[start..i], s) + s.matched);
        }
    }
    best
}

/// The score of the whole flow, by definition: its best global alignment with any stretch of
/// the session (the empty one included).
fn score_by_definition(session: &[Symbol], flow: &[Symbol], s: &Scoring) -> i32 {
    let n = session.len();
    let mut best = global(flow, &[], s);
    for a in 0..n {
        for b in a + 1..=n {
            best = best.max(global(flow, &session[a..b], s));
        }
    }
    best
}

/// The depth, by definition.
fn depth_by_definition(session: &[Symbol], flow: &[Symbol], min_similarity: f64, s: &Scoring) -> u16 {
    let reaches = |k: usize| {
        let p = prefix_by_definition(session, flow, k, s);
        p != UNMATCHED && p as f64 >= min_similarity * s.matched as f64 * k as f64
    };
    let entered = !flow.is_empty() && flow[0] != NOISE && session.contains(&flow[0]) && reaches(1);
    if !entered {
        return 0;
    }
    (1..=flow.len()).rev().find(|&k| reaches(k)).unwrap_or(1) as u16
}

fn symbols(max_len: usize, alphabet: Symbol) -> impl Strategy<Value = Vec<Symbol>> {
    prop::collection::vec(0..=alphabet, 0..=max_len)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// The fast path (SIMD kernels in batches, the scalar kernel for long flows) equals the
    /// definition on random flows and sessions.
    #[test]
    fn the_fast_path_follows_the_written_semantics(
        flows in prop::collection::vec(
            prop_oneof![4 => prop::collection::vec(1..=6u16, 1..=6), 1 => prop::collection::vec(0..=6u16, 1..=20)],
            1..=6,
        ),
        mut session in symbols(14, 7),
        planted in any::<prop::sample::Index>(),
        min_similarity in prop_oneof![Just(0.7), Just(0.5), Just(0.8), Just(1.0), 0.0..=1.0f64],
    ) {
        // Often plant one flow in the session, with an extra event, so deep walks are common.
        let f = &flows[planted.index(flows.len())];
        if planted.index(3) != 0 {
            let at = planted.index(session.len() + 1);
            let mut walk = f.clone();
            walk.insert(planted.index(walk.len() + 1), 7);
            session.splice(at..at, walk);
        }
        let set = FlowSet::new(flows.clone(), S);
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        set.matches(&session, min_similarity, &mut scratch, &mut out);
        for (i, flow) in flows.iter().enumerate() {
            let want_depth = depth_by_definition(&session, flow, min_similarity, &S);
            let got = out.iter().find(|m| m.flow as usize == i);
            prop_assert_eq!(got.map_or(0, |m| m.depth), want_depth, "depth of flow {:?} in {:?}", flow, session);
            if let Some(m) = got {
                prop_assert_eq!(m.score, score_by_definition(&session, flow, &S), "score of {:?} in {:?}", flow, session);
            }
            let mut prefix = vec![0; flow.len()];
            let score = align(&session, flow, &S, &mut prefix);
            let want: Vec<i32> = (1..=flow.len()).map(|k| prefix_by_definition(&session, flow, k, &S)).collect();
            prop_assert_eq!(&prefix, &want, "prefix scores of {:?} in {:?}", flow, session);
            prop_assert_eq!(score, score_by_definition(&session, flow, &S));
            prop_assert_eq!(depth(&prefix, min_similarity, &S), want_depth);
        }
    }
}

const T0: i64 = 1_764_115_200_000 + 3_600_000;
const MIN: i64 = 60_000;

/// A flow of page steps named after their pages.
fn flow(id: &str, pages: &[&str]) -> Flow {
    let steps: Vec<serde_json::Value> = pages
        .iter()
        .map(|p| serde_json::json!({"name": p, "page": p}))
        .collect();
    serde_json::from_value(serde_json::json!({"id": id, "name": id, "steps": steps})).unwrap()
}

/// One user's page views a minute apart, starting `day` days after T0.
fn visit(user: &str, day: i64, paths: &[&str]) -> Vec<AnalyticsEvent> {
    paths
        .iter()
        .enumerate()
        .map(|(i, path)| AnalyticsEvent {
            name: "page_view".into(),
            time_ms: T0 + day * 86_400_000 + i as i64 * MIN,
            user: user.into(),
            session: None,
            page: Some(path.to_string()),
            device: None,
            new_user: None,
            revenue: None,
            insert_id: None,
        })
        .collect()
}

/// (entered, completed, funnel) of the one flow, at `minSimilarity` 0.7.
fn run(flow: Flow, events: Vec<AnalyticsEvent>) -> (u64, u64, Vec<u64>) {
    let sessions = sessionize(events, 30 * MIN);
    let flows = vec![flow];
    let prepared = prepare(&flows, &sessions, 7.0);
    let report = correlate(&flows, &sessions, &prepared, 0.7, "now");
    let f = &report.flows[0];
    let funnel = f
        .metrics
        .as_ref()
        .map(|m| m.funnel.iter().map(|s| s.sessions).collect())
        .unwrap_or_default();
    (f.sessions_entered, f.sessions_completed, funnel)
}

#[test]
fn a_session_that_never_does_step_one_has_not_entered() {
    let abcd = flow("abcd", &["/a", "/b", "/c", "/d"]);
    assert_eq!(run(abcd.clone(), visit("u", 0, &["/b", "/c", "/d"])), (0, 0, vec![]));
    // Five steps: skipping step 1 would score 7 ≥ 7, but the session still never entered.
    let five = flow("five", &["/a", "/b", "/c", "/d", "/e"]);
    assert_eq!(run(five, visit("u", 0, &["/b", "/c", "/d", "/e"])), (0, 0, vec![]));
    assert_eq!(
        run(abcd, visit("u", 0, &["/a", "/b", "/c", "/d"])),
        (1, 1, vec![1, 1, 1, 1])
    );
}

#[test]
fn a_step_repeated_right_after_itself_is_matched_twice() {
    let compare = flow("compare", &["/item/[id]", "/item/[id]", "/compare"]);
    assert_eq!(
        run(compare.clone(), visit("u", 0, &["/item/1", "/item/2", "/compare"])),
        (1, 1, vec![1, 1, 1])
    );
    // One item only: entered, not completed.
    assert_eq!(
        run(compare, visit("u", 0, &["/item/1", "/compare"])),
        (1, 0, vec![1, 0, 0])
    );
}

#[test]
fn completion_needs_the_last_step() {
    let five = flow("five", &["/a", "/b", "/c", "/d", "/e"]);
    // Four of five steps score 8 ≥ 7 but the last never happens: depth 4.
    assert_eq!(
        run(five.clone(), visit("u", 0, &["/a", "/b", "/c", "/d"])),
        (1, 0, vec![1, 1, 1, 1, 0])
    );
    // One skipped middle step is tolerated from five steps on...
    assert_eq!(
        run(five, visit("u", 0, &["/a", "/b", "/d", "/e"])),
        (1, 1, vec![1, 1, 1, 1, 1])
    );
    // ...not in four (5 of 8 < 5.6): the walk stops at step 2.
    let four = flow("four", &["/a", "/b", "/c", "/d"]);
    assert_eq!(run(four, visit("u", 0, &["/a", "/b", "/d"])), (1, 0, vec![1, 1, 0, 0]));
}

#[test]
fn per_day_figures_divide_by_the_days_the_synced_data_covers() {
    let two = flow("two", &["/a", "/b"]);
    let mut events = visit("u1", 0, &["/a", "/b"]);
    events.extend(visit("u2", 3, &["/a"]));
    let sessions = sessionize(events, 30 * MIN);
    let flows = vec![two];
    // Seven days synced, sessions on two of them.
    let prepared = prepare(&flows, &sessions, 7.0);
    let report = correlate(&flows, &sessions, &prepared, 0.7, "now");
    assert_eq!(report.days, 7.0);
    let m = report.flows[0].metrics.as_ref().unwrap();
    assert_eq!(m.daily_attempts, 2.0 / 7.0);
    assert_eq!(m.daily_users, 2.0 / 7.0);
    assert_eq!(m.success_rate, 0.5);
}
