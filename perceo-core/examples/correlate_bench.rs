//! Analytics correlation benchmark (issue 7): generated sessions aligned against generated
//! flows with `FlowSet::correlate`, next to the textbook full-matrix `walk_baseline` on a
//! sample in the same run. Deterministic (fixed seed).
//!
//! ```text
//! cargo run --release -p perceo-core --example correlate_bench -- [--sessions N] [--flows F] [--sample S] [--json]
//! ```
//!
//! Generated data: an alphabet of 300 symbols (1..=300; 0 is NOISE), 12 of them "hub" pages
//! (home, search, login, cart...) shared by many flows; flows of 3-12 steps; sessions of 2-40
//! events, ~40% following one flow fully or partially with noise and repeats inserted, the rest
//! random browsing in one of 10 site areas plus hubs and NOISE.
//!
//! "Effective" cells count every session x flow pair (|session| x |flow|), pruned pairs
//! included; "computed" cells only the pairs actually aligned. Exits 1 if `FlowSet::matches`
//! disagrees with `walk_baseline` (score and depth) on the sample.

use std::process::ExitCode;
use std::time::Instant;

use perceo_core::analytics::align::{FlowSet, Match, NOISE, Scoring, Scratch, Sessions, Symbol, depth, walk_baseline};
use rayon::prelude::*;

const ALPHABET: u64 = 300;
const HUBS: u64 = 12;
const AREAS: u64 = 10;
const MIN_SIMILARITY: f64 = 0.8;

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in lo..=hi.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn hub(&mut self) -> Symbol {
        self.range(1, HUBS) as Symbol
    }
    /// A non-hub page.
    fn page(&mut self) -> Symbol {
        self.range(HUBS + 1, ALPHABET) as Symbol
    }
    /// A page of site area `area` (29 pages each).
    fn area_page(&mut self, area: u64) -> Symbol {
        let per = (ALPHABET - HUBS) / AREAS;
        (HUBS + 1 + area * per + self.range(0, per - 1)) as Symbol
    }
}

fn flows(rng: &mut Rng, n: usize) -> Vec<Vec<Symbol>> {
    (0..n)
        .map(|_| {
            let len = rng.range(3, 12) as usize;
            // Most flows live in one site area, start at a hub half of the time, and pass
            // through a hub now and then.
            let area = rng.range(0, AREAS - 1);
            (0..len)
                .map(|k| {
                    if (k == 0 && rng.chance(0.5)) || rng.chance(0.08) {
                        rng.hub()
                    } else if rng.chance(0.8) {
                        rng.area_page(area)
                    } else {
                        rng.page()
                    }
                })
                .collect()
        })
        .collect()
}

fn session(rng: &mut Rng, flows: &[Vec<Symbol>], out: &mut Vec<Symbol>) {
    out.clear();
    let len = rng.range(2, 40) as usize;
    if rng.chance(0.4) {
        // Follow a flow (popular flows more often), fully or partly, with noise and repeats.
        let top = rng.range(0, flows.len() as u64 - 1);
        let f = rng.range(0, top) as usize;
        let flow = &flows[f];
        let start = if rng.chance(0.7) {
            0
        } else {
            rng.range(0, flow.len() as u64 - 1) as usize
        };
        let end = if rng.chance(0.5) {
            flow.len()
        } else {
            rng.range(start as u64 + 1, flow.len() as u64) as usize
        };
        for _ in 0..rng.range(0, 3) {
            out.push(if rng.chance(0.5) { NOISE } else { rng.page() });
        }
        for &step in &flow[start..end] {
            if rng.chance(0.15) {
                out.push(if rng.chance(0.5) { NOISE } else { rng.page() });
            }
            out.push(step);
            if rng.chance(0.1) {
                out.push(step);
            }
        }
        for _ in 0..rng.range(0, 4) {
            out.push(if rng.chance(0.5) { NOISE } else { rng.page() });
        }
        out.truncate(40);
        while out.len() < 2 {
            out.push(NOISE);
        }
    } else {
        // Browse one site area, with hubs and events that are no step (NOISE).
        let area = rng.range(0, AREAS - 1);
        for _ in 0..len {
            out.push(if rng.chance(0.25) {
                NOISE
            } else if rng.chance(0.1) {
                rng.hub()
            } else {
                rng.area_page(area)
            });
        }
    }
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// What the benchmark's fold aggregates: per-flow reach plus the work done.
#[derive(Default)]
struct Totals {
    pairs: u64,
    cells: u64,
    /// Per flow: sessions aligned, sessions walking at least one step, sum of depths.
    aligned: Vec<u64>,
    walked: Vec<u64>,
    depth_sum: Vec<u64>,
}

impl Totals {
    fn new(flows: usize) -> Totals {
        Totals {
            aligned: vec![0; flows],
            walked: vec![0; flows],
            depth_sum: vec![0; flows],
            ..Totals::default()
        }
    }
    fn merge(mut self, other: Totals) -> Totals {
        self.pairs += other.pairs;
        self.cells += other.cells;
        for (a, b) in [
            (&mut self.aligned, &other.aligned),
            (&mut self.walked, &other.walked),
            (&mut self.depth_sum, &other.depth_sum),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self
    }
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .map(|i| {
            let v = args.get(i + 1).unwrap_or_else(|| panic!("{name} needs a value"));
            v.replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("{name}: not a number: {v}"))
        })
        .unwrap_or(default)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n_sessions = arg(&args, "--sessions", 1_000_000);
    let n_flows = arg(&args, "--flows", 100).max(1);
    let n_sample = arg(&args, "--sample", 20_000).min(n_sessions);
    let json = args.iter().any(|a| a == "--json");
    let threads = rayon::current_num_threads();

    let generated = Instant::now();
    let mut rng = Rng(42);
    let flow_steps = flows(&mut rng, n_flows);
    let mut sessions = Sessions::with_capacity(n_sessions, n_sessions * 22);
    let mut buf = Vec::with_capacity(64);
    for _ in 0..n_sessions {
        session(&mut rng, &flow_steps, &mut buf);
        sessions.push(&buf);
    }
    let scoring = Scoring::default();
    let set = FlowSet::new(flow_steps, scoring);
    let generation_s = generated.elapsed().as_secs_f64();

    // The run being measured.
    let started = Instant::now();
    let totals = set.correlate(
        &sessions,
        MIN_SIMILARITY,
        || Totals::new(n_flows),
        |t: &mut Totals, i: usize, matches: &[Match]| {
            let len = sessions.get(i).len() as u64;
            t.pairs += matches.len() as u64;
            for m in matches {
                let f = m.flow as usize;
                t.cells += len * set.flow(f).len() as u64;
                t.aligned[f] += 1;
                t.walked[f] += (m.depth > 0) as u64;
                t.depth_sum[f] += m.depth as u64;
            }
        },
        Totals::merge,
    );
    let wall = started.elapsed().as_secs_f64();
    let peak_kb = peak_rss_kb();

    let pairs_all = n_sessions as u64 * n_flows as u64;
    let effective = sessions.total_symbols() as u64 * set.total_steps() as u64;

    // Baseline: the textbook full-matrix algorithm on the first `n_sample` sessions x all
    // flows, no pruning; one thread, then all threads.
    let sample_cells: u64 = (0..n_sample).map(|i| sessions.get(i).len() as u64).sum::<u64>() * set.total_steps() as u64;
    let mut baseline = vec![(0i32, 0u16); n_sample * n_flows];
    let t = Instant::now();
    for i in 0..n_sample {
        let s = sessions.get(i);
        for f in 0..n_flows {
            let (score, prefix) = walk_baseline(s, set.flow(f), &scoring);
            baseline[i * n_flows + f] = (score, depth(&prefix, MIN_SIMILARITY, &scoring));
        }
    }
    let base1_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let checksum: i64 = (0..n_sample)
        .into_par_iter()
        .map(|i| {
            (0..n_flows)
                .map(|f| walk_baseline(sessions.get(i), set.flow(f), &scoring).0 as i64)
                .sum::<i64>()
        })
        .sum();
    let base_par_s = t.elapsed().as_secs_f64();
    assert_eq!(checksum, baseline.iter().map(|&(s, _)| s as i64).sum::<i64>());

    // Cross-check on the sample: every candidate's score and depth equal the baseline's, every
    // pruned flow has depth 0 in the baseline (the session never enters it).
    let (mut scratch, mut out, mut mismatches, mut checked) = (Scratch::default(), Vec::new(), 0u64, 0u64);
    for i in 0..n_sample {
        set.matches(sessions.get(i), MIN_SIMILARITY, &mut scratch, &mut out);
        let mut got: Vec<Option<(i32, u16)>> = vec![None; n_flows];
        for m in &out {
            got[m.flow as usize] = Some((m.score, m.depth));
        }
        for (f, &g) in got.iter().enumerate() {
            checked += 1;
            let want = baseline[i * n_flows + f];
            let same = match g {
                Some(g) => g == want,
                None => want.1 == 0,
            };
            if !same {
                mismatches += 1;
                if mismatches <= 5 {
                    eprintln!(
                        "MISMATCH session {i} flow {f}: matches {g:?}, baseline {want:?} ({:?} / {:?})",
                        sessions.get(i),
                        set.flow(f)
                    );
                }
            }
        }
    }

    let base1_cups = sample_cells as f64 / base1_s;
    let base_par_cups = sample_cells as f64 / base_par_s;
    let effective_cups = effective as f64 / wall;
    let walked: u64 = totals.walked.iter().sum();
    let figures = serde_json::json!({
        "threads": threads,
        "sessions": n_sessions,
        "flows": n_flows,
        "session_symbols": sessions.total_symbols(),
        "flow_steps": set.total_steps(),
        "pairs": pairs_all,
        "pairs_computed": totals.pairs,
        "effective_cells": effective,
        "computed_cells": totals.cells,
        "generation_s": generation_s,
        "correlate_s": wall,
        "sessions_per_s": n_sessions as f64 / wall,
        "effective_gcups": effective_cups / 1e9,
        "computed_gcups": totals.cells as f64 / wall / 1e9,
        "peak_rss_mb": peak_kb as f64 / 1024.0,
        "pairs_walked_at_min_similarity": walked,
        "baseline": {
            "sample_sessions": n_sample,
            "sample_pairs": n_sample as u64 * n_flows as u64,
            "sample_cells": sample_cells,
            "one_thread_s": base1_s,
            "one_thread_gcups": base1_cups / 1e9,
            "all_threads_s": base_par_s,
            "all_threads_gcups": base_par_cups / 1e9,
            "extrapolated_full_run_one_thread_s": effective as f64 / base1_cups,
            "extrapolated_full_run_all_threads_s": effective as f64 / base_par_cups,
            "speedup_vs_one_thread": effective_cups / base1_cups,
            "speedup_vs_all_threads": effective_cups / base_par_cups,
        },
        "cross_check": { "pairs": checked, "mismatches": mismatches },
        "targets": {
            "effective_gcups_at_least_1": effective_cups >= 1e9,
            "full_run_at_most_10_s": wall <= 10.0,
        },
    });
    if json {
        println!("{figures}");
    } else {
        let pct = |a: u64, b: u64| 100.0 * a as f64 / b.max(1) as f64;
        println!("threads                 {threads}");
        println!(
            "sessions                {n_sessions} ({} symbols, generated in {generation_s:.2} s)",
            sessions.total_symbols()
        );
        println!("flows                   {n_flows} ({} steps)", set.total_steps());
        println!(
            "pairs                   {pairs_all} ({} aligned = {:.1}%, the rest pruned)",
            totals.pairs,
            pct(totals.pairs, pairs_all)
        );
        println!("effective cells         {effective}");
        println!(
            "computed cells          {} ({:.1}%)",
            totals.cells,
            pct(totals.cells, effective)
        );
        println!("correlate wall          {wall:.3} s");
        println!("sessions/s              {:.0}", n_sessions as f64 / wall);
        println!("effective GCUPS         {:.2}", effective_cups / 1e9);
        println!("computed GCUPS          {:.2}", totals.cells as f64 / wall / 1e9);
        println!("peak memory (VmHWM)     {:.1} MB", peak_kb as f64 / 1024.0);
        println!("pairs walked (depth>0)  {walked} at min_similarity {MIN_SIMILARITY}");
        println!(
            "baseline sample         first {n_sample} sessions x {n_flows} flows, {sample_cells} cells, no pruning"
        );
        println!(
            "baseline 1 thread       {base1_s:.3} s, {:.3} GCUPS, full run extrapolated {:.1} s, speed-up {:.0}x",
            base1_cups / 1e9,
            effective as f64 / base1_cups,
            effective_cups / base1_cups
        );
        println!(
            "baseline all threads    {base_par_s:.3} s, {:.3} GCUPS, full run extrapolated {:.1} s, speed-up {:.0}x",
            base_par_cups / 1e9,
            effective as f64 / base_par_cups,
            effective_cups / base_par_cups
        );
        println!("cross-check             {checked} pairs, {mismatches} mismatches");
        println!(
            "targets                 >= 1 effective GCUPS: {}; full run <= 10 s: {}",
            if effective_cups >= 1e9 { "met" } else { "NOT met" },
            if wall <= 10.0 { "met" } else { "NOT met" }
        );
    }
    if mismatches > 0 {
        eprintln!("cross-check failed: {mismatches} of {checked} pairs differ from walk_baseline");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
