//! Unit tests of the kernels against the full matrix, of the depth, and of `FlowSet`.

use super::kernel::{Kernel, align_with, choose_kernel, detect_avx2, fits_i16};
use super::*;

const S: Scoring = Scoring {
    matched: 2,
    mismatch: -1,
    gap: 1,
};

/// Small xorshift64* generator for the randomized checks.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

fn run(session: &[Symbol], flow: &[Symbol]) -> (i32, Vec<i32>) {
    let mut cols = vec![-7; flow.len()];
    let score = align(session, flow, &S, &mut cols);
    assert_eq!(
        (score, cols.clone()),
        walk_baseline(session, flow, &S),
        "baseline differs for {session:?} / {flow:?}"
    );
    (score, cols)
}

/// Every kernel this machine can run, for a flow of `m` steps.
fn kernels_for(m: usize, s: &Scoring) -> Vec<Kernel> {
    let mut ks = vec![Kernel::Scalar];
    if cfg!(target_arch = "x86_64") && m > 0 && fits_i16(m, s) {
        ks.extend(
            [1u8, 2, 4, 8]
                .iter()
                .filter(|&&n| m <= 8 * n as usize)
                .map(|&n| Kernel::Sse2(n)),
        );
        if detect_avx2() {
            ks.extend(
                [1u8, 2, 4]
                    .iter()
                    .filter(|&&n| m <= 16 * n as usize)
                    .map(|&n| Kernel::Avx2(n)),
            );
        }
    }
    ks
}

const U: i32 = UNMATCHED;

#[test]
fn identical_sequences_score_matched_per_step() {
    assert_eq!(run(&[1, 2, 3], &[1, 2, 3]), (6, vec![2, 4, 6]));
    let long: Vec<Symbol> = (1..=64).collect();
    let (score, cols) = run(&long, &long);
    assert_eq!(score, 128);
    assert_eq!(cols, (1..=64).map(|k| 2 * k).collect::<Vec<_>>());
}

#[test]
fn events_around_the_walk_are_free() {
    assert_eq!(run(&[0, 9, 1, 2, 3, 0, 8], &[1, 2, 3]), (6, vec![2, 4, 6]));
    assert_eq!(run(&[7, 7, 1, 2, 3, 4, 5, 7], &[1, 2, 3, 4, 5]).0, 10);
}

#[test]
fn skipped_steps_extra_events_and_mismatches_cost_one() {
    // 1=1 (+2), step 2 skipped (-1), 3=3 (+2); step 2 itself is never reached.
    assert_eq!(run(&[1, 3], &[1, 2, 3]), (3, vec![2, U, 3]));
    // An extra event between two steps.
    assert_eq!(run(&[1, 9, 2], &[1, 2]), (3, vec![2, 3]));
    // 9 stands for step 2 (-1), which beats skipping it and the event (-2).
    assert_eq!(run(&[1, 9, 3], &[1, 2, 3]), (3, vec![2, U, 3]));
    // Nothing matches: the best is one mismatch (or one skipped step).
    assert_eq!(run(&[5], &[6]), (-1, vec![U]));
}

#[test]
fn walks_start_at_step_one() {
    // Only the end of the flow: step 3 is reached through two skipped steps (-2 + 2).
    assert_eq!(run(&[3, 4, 5], &[1, 2, 3, 4, 5]), (4, vec![U, U, 0, 2, 4]));
    assert_eq!(depth(&[U, U, 0, 2, 4], 0.0, &S), 0, "never entered");
}

#[test]
fn repeated_steps_are_steps() {
    // /item/[id] → /item/[id] → compare, done as /item/1, /item/2, compare.
    assert_eq!(run(&[4, 4, 5], &[4, 4, 5]), (6, vec![2, 4, 6]));
    // One item only: one item step is skipped, so step 2 is reached at 1 point (< 2.8).
    assert_eq!(run(&[4, 5], &[4, 4, 5]), (3, vec![2, 1, 3]));
    assert_eq!(depth(&[2, 1, 3], 0.7, &S), 1);
}

#[test]
fn noise_never_matches_itself() {
    assert_eq!(run(&[0, 0, 0], &[0, 0]), (-2, vec![U, U]));
    assert_eq!(run(&[0, 1], &[0, 1]), (1, vec![U, 1]));
    assert_eq!(scalar_baseline(&[0], &[0], &S), 0);
}

#[test]
fn empty_inputs() {
    assert_eq!(run(&[], &[1, 2]), (-2, vec![U, U]));
    assert_eq!(run(&[1, 2], &[]), (0, vec![]));
    assert_eq!(run(&[], &[]), (0, vec![]));
    let set = FlowSet::new(vec![vec![], vec![1]], S);
    let mut out = vec![Match {
        flow: 9,
        score: 9,
        depth: 9,
    }];
    set.matches(&[], 0.5, &mut Scratch::default(), &mut out);
    assert!(out.is_empty());
    set.matches(&[1], 0.5, &mut Scratch::default(), &mut out);
    assert_eq!(
        out,
        vec![Match {
            flow: 1,
            score: 2,
            depth: 1
        }]
    );
}

#[test]
fn prefix_scores_and_depth_on_partial_walks() {
    let flow = [1, 2, 3, 4, 5];
    let (score, cols) = run(&[1, 2], &flow);
    assert_eq!((score, cols.clone()), (1, vec![2, 4, U, U, U]));
    assert_eq!(depth(&cols, 0.8, &S), 2);
    let (_, cols) = run(&flow, &flow);
    assert_eq!(depth(&cols, 0.8, &S), 5);
    assert_eq!(depth(&cols, 1.0, &S), 5);
    // Another event in place of step 3 still completes at 0.7, not at 1.0.
    let (score, cols) = run(&[1, 2, 9, 4, 5], &flow);
    assert_eq!((score, cols.clone()), (7, vec![2, 4, U, 5, 7]));
    assert_eq!(depth(&cols, 0.7, &S), 5);
    assert_eq!(depth(&cols, 1.0, &S), 2);
    // Four of five steps without the last one: not completed (it was, before).
    let (_, cols) = run(&[1, 2, 3, 4], &flow);
    assert_eq!(depth(&cols, 0.7, &S), 4);
    // A 4-step flow with a middle step skipped: 5 of 8 < 5.6.
    let (_, cols) = run(&[1, 2, 4], &[1, 2, 3, 4]);
    assert_eq!(depth(&cols, 0.7, &S), 2);

    let set = FlowSet::new(vec![flow.to_vec(), vec![8, 9]], S);
    let (mut scratch, mut out) = (Scratch::default(), Vec::new());
    set.matches(&[0, 1, 2, 0], 0.8, &mut scratch, &mut out);
    assert_eq!(
        out,
        vec![Match {
            flow: 0,
            score: 1,
            depth: 2
        }]
    );
    set.matches(&[3, 4, 5, 9], 0.8, &mut scratch, &mut out);
    assert_eq!(
        out,
        vec![
            Match {
                flow: 0,
                score: 4,
                depth: 0
            },
            Match {
                flow: 1,
                score: 1,
                depth: 0
            }
        ]
    );
    set.matches(&[1, 2, 3, 4, 5], 0.8, &mut scratch, &mut out);
    assert_eq!(
        out,
        vec![Match {
            flow: 0,
            score: 10,
            depth: 5
        }]
    );
}

#[test]
fn similarity_is_normalised() {
    assert_eq!(similarity(10, 5, &S), 1.0);
    assert_eq!(similarity(5, 5, &S), 0.5);
    assert_eq!(similarity(99, 5, &S), 1.0);
    assert_eq!(similarity(-3, 5, &S), 0.0);
    assert_eq!(similarity(4, 0, &S), 0.0);
}

#[test]
fn sessions_store_flat() {
    let mut s = Sessions::new();
    assert!(s.is_empty());
    s.push(&[1, 2]);
    s.push(&[]);
    s.push(&[3]);
    assert_eq!((s.len(), s.total_symbols()), (3, 3));
    assert_eq!(s.get(0), &[1, 2]);
    assert_eq!(s.get(1), &[] as &[Symbol]);
    assert_eq!(s.get(2), &[3]);
    let collected: Sessions = s.iter().collect();
    assert_eq!(collected.iter().collect::<Vec<_>>(), s.iter().collect::<Vec<_>>());
}

#[test]
fn pruning_skips_flows_without_shared_symbols() {
    let set = FlowSet::new(vec![vec![1, 2], vec![3, 4], vec![5, 0], vec![1, 1, 6]], S);
    let flows_with = |s: Symbol| -> Vec<u32> {
        set.postings(s)
            .iter()
            .flat_map(|&(w, bits)| (0..64).filter(move |b| bits >> b & 1 == 1).map(move |b| w * 64 + b))
            .collect()
    };
    assert_eq!(flows_with(1), vec![0, 3]);
    assert_eq!(flows_with(6), vec![3]);
    assert_eq!(flows_with(0), Vec::<u32>::new());
    assert_eq!(flows_with(999), Vec::<u32>::new());
    // Flows beyond the first bitset word.
    let many: Vec<Vec<Symbol>> = (0..200).map(|f| vec![1 + (f % 3) as Symbol, 7]).collect();
    let wide = FlowSet::new(many, S);
    let mut out = Vec::new();
    wide.matches(&[2], 0.5, &mut Scratch::default(), &mut out);
    assert_eq!(
        out.iter().map(|m| m.flow).collect::<Vec<_>>(),
        (0..200).filter(|f| f % 3 == 1).collect::<Vec<_>>()
    );
    wide.matches(&[3, 7], 0.5, &mut Scratch::default(), &mut out);
    assert_eq!(out.len(), 200);
    assert!(out.iter().all(|m| m.score == if m.flow % 3 == 2 { 4 } else { 1 }));
    let mut out = Vec::new();
    set.matches(&[1, 9, 0, 0], 0.5, &mut Scratch::default(), &mut out);
    assert_eq!(
        out.iter().map(|m| (m.flow, m.score)).collect::<Vec<_>>(),
        vec![(0, 1), (3, 0)]
    );
}

#[test]
fn wide_scores_and_negative_gaps_take_the_scalar_kernel() {
    let big = Scoring {
        matched: 1000,
        mismatch: -1,
        gap: 1,
    };
    let flow: Vec<Symbol> = (1..=40).collect();
    assert_eq!(choose_kernel(40, &big, true), Kernel::Scalar);
    let mut cols = vec![0; 40];
    assert_eq!(align(&flow, &flow, &big, &mut cols), 40_000);
    assert_eq!(cols[39], 40_000);
    let odd = Scoring {
        matched: 1,
        mismatch: -1,
        gap: -1,
    };
    assert_eq!(choose_kernel(3, &odd, true), Kernel::Scalar);
    let mut cols = vec![0; 3];
    assert_eq!(
        align(&[9, 9], &[1, 2, 3], &odd, &mut cols),
        walk_baseline(&[9, 9], &[1, 2, 3], &odd).0
    );
    assert_eq!(cols, walk_baseline(&[9, 9], &[1, 2, 3], &odd).1);
}

#[test]
fn randomized_kernels_equal_the_full_matrix() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut row = Vec::new();
    for case in 0..3000 {
        let scoring = if case % 4 == 0 {
            Scoring {
                matched: rng.range(-1, 6) as i32,
                mismatch: rng.range(-4, 2) as i32,
                gap: rng.range(-1, 4) as i32,
            }
        } else {
            S
        };
        let alphabet = [3, 8, 40, 65535][rng.below(4) as usize];
        let n = rng.below(if case % 10 == 0 { 301 } else { 41 }) as usize;
        let m = rng.below(if case % 5 == 0 { 81 } else { 17 }) as usize;
        let sym = |rng: &mut Rng| {
            if rng.below(5) == 0 {
                NOISE
            } else {
                rng.range(1, alphabet) as Symbol
            }
        };
        let mut flow: Vec<Symbol> = (0..m).map(|_| sym(&mut rng)).collect();
        let mut session: Vec<Symbol> = (0..n).map(|_| sym(&mut rng)).collect();
        // Plant pieces of the flow in the session so that there are real alignments.
        if m > 0 && n > 0 && rng.below(2) == 0 {
            let (a, b) = (rng.below(m as u64) as usize, rng.below(m as u64) as usize);
            let piece = &flow[a.min(b)..=a.max(b)];
            let at = rng.below(n as u64) as usize;
            for (k, &s) in piece.iter().enumerate() {
                if at + k < n && rng.below(6) != 0 {
                    session[at + k] = s;
                }
            }
        }
        if case % 7 == 0 && m > 0 {
            flow[0] = NOISE;
        }
        let (want, want_cols) = walk_baseline(&session, &flow, &scoring);
        let mut cols = vec![-1; m];
        assert_eq!(align(&session, &flow, &scoring, &mut cols), want, "align, case {case}");
        assert_eq!(cols, want_cols, "columns, case {case}");
        for kernel in kernels_for(m, &scoring) {
            let mut cols = vec![-1; m];
            let got = align_with(kernel, &session, &flow, &scoring, &mut cols, &mut row);
            assert_eq!(
                (got, &cols),
                (want, &want_cols),
                "{kernel:?}, case {case}: {session:?} / {flow:?} {scoring:?}"
            );
        }
    }
}

#[test]
fn randomized_flow_set_equals_brute_force() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    for round in 0..40 {
        let alphabet = [12, 60, 300][round % 3];
        // Default scoring mostly; sometimes another one (with `matched` large enough now
        // and then to push long flows off the i16 kernels).
        let scoring = match round % 4 {
            0 => Scoring {
                matched: [1, 3, 5, 400][rng.below(4) as usize],
                mismatch: rng.range(-3, 0) as i32,
                gap: rng.range(0, 3) as i32,
            },
            _ => S,
        };
        let flows: Vec<Vec<Symbol>> = (0..rng.range(1, 90))
            .map(|_| {
                let len = if rng.below(10) == 0 {
                    rng.range(0, 80)
                } else {
                    rng.range(1, 14)
                };
                (0..len)
                    .map(|_| {
                        if rng.below(8) == 0 {
                            NOISE
                        } else {
                            rng.range(1, alphabet) as Symbol
                        }
                    })
                    .collect()
            })
            .collect();
        let set = FlowSet::new(flows.clone(), scoring);
        assert_eq!(set.len(), flows.len());
        for _ in 0..60 {
            let cap = if rng.below(10) == 0 { 301 } else { 41 };
            let n = rng.below(cap) as usize;
            let mut session: Vec<Symbol> = (0..n)
                .map(|_| {
                    if rng.below(4) == 0 {
                        NOISE
                    } else {
                        rng.range(1, alphabet) as Symbol
                    }
                })
                .collect();
            if n > 0 && rng.below(2) == 0 {
                let f = &flows[rng.below(flows.len() as u64) as usize];
                for (k, &s) in f.iter().enumerate().take(n) {
                    session[k] = s;
                }
            }
            let sim = [0.0, 0.5, 0.8, 1.0, 0.37, 1.3, -0.2, f64::NAN][rng.below(8) as usize];
            set.matches(&session, sim, &mut scratch, &mut out);
            let mut expected = Vec::new();
            for (f, flow) in flows.iter().enumerate() {
                assert_eq!(set.flow(f), flow.as_slice());
                let (score, cols) = walk_baseline(&session, flow, &scoring);
                let shares = flow.iter().any(|&s| s != NOISE && session.contains(&s));
                if shares {
                    expected.push(Match {
                        flow: f as u32,
                        score,
                        depth: depth(&cols, sim, &scoring),
                    });
                } else {
                    assert_eq!(depth(&cols, sim, &scoring), 0, "pruned flow {f} is never entered");
                }
            }
            assert_eq!(out, expected, "session {session:?} {scoring:?} {sim}");
        }
    }
}

#[test]
fn correlate_folds_every_session_once() {
    let mut rng = Rng(42);
    let flows: Vec<Vec<Symbol>> = (0..20)
        .map(|_| (0..rng.range(3, 12)).map(|_| rng.range(1, 50) as Symbol).collect())
        .collect();
    let set = FlowSet::new(flows, S);
    let sessions: Sessions = (0..5000)
        .map(|_| {
            (0..rng.range(2, 40))
                .map(|_| rng.range(0, 60) as Symbol)
                .collect::<Vec<_>>()
        })
        .collect();
    let (count, sum, matches) = set.correlate(
        &sessions,
        0.5,
        || (0usize, 0usize, 0i64),
        |acc, i, ms| {
            acc.0 += 1;
            acc.1 += i;
            acc.2 += ms.iter().map(|m| m.score as i64 * (m.flow as i64 + 1)).sum::<i64>();
        },
        |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2),
    );
    assert_eq!(count, 5000);
    assert_eq!(sum, 5000 * 4999 / 2);
    let (mut scratch, mut out, mut want) = (Scratch::default(), Vec::new(), 0i64);
    for s in sessions.iter() {
        set.matches(s, 0.5, &mut scratch, &mut out);
        want += out.iter().map(|m| m.score as i64 * (m.flow as i64 + 1)).sum::<i64>();
    }
    assert_eq!(matches, want);
}
