//! The scalar versions: the textbook full-matrix baselines (plain local alignment for gap
//! finding, [`walk_baseline`] for the flow walks) and the one-row i32 kernel that serves flows
//! the SIMD kernels cannot.

use super::{NOISE, Scoring, Symbol, UNMATCHED};

/// Plain local alignment (Smith-Waterman, linear gaps, a full `(n+1) x (m+1)` i32 matrix per
/// call): the best score of any stretch of `a` aligned with any stretch of `b`. Gap finding
/// compares journeys with it; flows are matched with [`align`](super::align). Returns 0 for empty inputs.
pub fn scalar_baseline(a: &[Symbol], b: &[Symbol], scoring: &Scoring) -> i32 {
    let (n, m) = (a.len(), b.len());
    let width = m + 1;
    let mut h = vec![0i32; (n + 1) * width];
    let mut best = 0;
    for i in 1..=n {
        for j in 1..=m {
            let diag = h[(i - 1) * width + j - 1] + scoring.substitution(a[i - 1], b[j - 1]);
            let up = h[(i - 1) * width + j] - scoring.gap;
            let left = h[i * width + j - 1] - scoring.gap;
            let v = 0.max(diag).max(up).max(left);
            h[i * width + j] = v;
            best = best.max(v);
        }
    }
    best
}

/// The textbook version of [`align`](super::align): the full `(n+1) x (m+1)` i32 matrix H of alignments
/// starting at step 1 anywhere in the session (H(i, 0) = 0, H(0, j) = -gap·j, no floor),
/// allocated per call. Returns the score (the best H(i, m) over every i) and the prefix
/// scores (per step k, the best H(i-1, k-1) + matched over the events i equal to step k,
/// [`UNMATCHED`] when there is none). The reference the tests and the benchmark check the
/// fast kernels against.
pub fn walk_baseline(session: &[Symbol], flow: &[Symbol], scoring: &Scoring) -> (i32, Vec<i32>) {
    let (n, m) = (session.len(), flow.len());
    let width = m + 1;
    let mut h = vec![0i32; (n + 1) * width];
    for j in 1..=m {
        h[j] = h[j - 1].saturating_sub(scoring.gap);
    }
    let mut prefix = vec![UNMATCHED; m];
    for i in 1..=n {
        for j in 1..=m {
            let (a, b) = (session[i - 1], flow[j - 1]);
            let diag = h[(i - 1) * width + j - 1];
            if a != NOISE && a == b {
                prefix[j - 1] = prefix[j - 1].max(diag.saturating_add(scoring.matched));
            }
            let v = diag
                .saturating_add(scoring.substitution(a, b))
                .max(h[(i - 1) * width + j].saturating_sub(scoring.gap))
                .max(h[i * width + j - 1].saturating_sub(scoring.gap));
            h[i * width + j] = v;
        }
    }
    let score = (0..=n).map(|i| h[i * width + m]).max().unwrap_or(0);
    (score, prefix)
}

/// The scalar i32 kernel: one row of H, any flow length and any scoring. Fills `prefix` and
/// returns the score, as [`walk_baseline`] does.
pub(super) fn scalar_kernel(
    session: &[Symbol],
    flow: &[Symbol],
    scoring: &Scoring,
    row: &mut Vec<i32>,
    prefix: &mut [i32],
) -> i32 {
    prefix.fill(UNMATCHED);
    let (matched, mismatch, gap) = (scoring.matched, scoring.mismatch, scoring.gap);
    // H(0, j) = -gap·j.
    row.clear();
    let mut edge = 0i32;
    for _ in flow {
        edge = edge.saturating_sub(gap);
        row.push(edge);
    }
    let mut score = edge;
    for &a in session {
        let mut diag = 0i32; // H(i-1, j-1); H(i-1, 0) = 0
        let mut left = 0i32; // H(i, j-1); H(i, 0) = 0
        for ((h, p), &b) in row.iter_mut().zip(prefix.iter_mut()).zip(flow) {
            let up = *h;
            let equal = a != NOISE && a == b;
            if equal {
                *p = (*p).max(diag.saturating_add(matched));
            }
            let v = diag
                .saturating_add(if equal { matched } else { mismatch })
                .max(up.saturating_sub(gap))
                .max(left.saturating_sub(gap));
            diag = up;
            *h = v;
            left = v;
        }
        if let Some(&last) = row.last() {
            score = score.max(last);
        }
    }
    if flow.is_empty() { 0 } else { score }
}
