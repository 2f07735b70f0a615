//! Aligning sessions with flows: how far a session walked into a flow.
//!
//! A session (the events of one user visit) and a flow (its steps) are both sequences of
//! [`Symbol`]s. The semantics (the README's "How production sessions are matched to flows"
//! says the same for users):
//!
//! - An alignment of steps 1..k with a session is *semi-global on the flow side*: every one
//!   of steps 1..k is in it, matched with an event equal to it or skipped (a gap), in order;
//!   and *local on the session side*: it covers any stretch of consecutive events, an event
//!   inside the stretch that matches no step being an extra event (a gap) or standing in
//!   for a step (a mismatch). Linear scoring ([`Scoring`], default matched +2, mismatch -1,
//!   gap -1).
//! - A session *reaches* step k when some alignment of steps 1..k that ends with step k
//!   matched scores at least `min_similarity * matched * k` (that share of a perfect walk).
//!   [`align`] reports that best score per step (the prefix scores), [`depth`] the walk.
//! - It *enters* the flow when it reaches step 1, that is when it does the flow's first
//!   step. Its *depth* is the last step it reaches, 0 when it never enters (a session doing
//!   only later steps has not entered, whatever it scores). It *completes* the flow when
//!   its depth is the last step: the last step must happen.
//! - Repeated steps are steps: a flow `/item/[id] → /item/[id] → compare` needs two item
//!   events, and the session's events are never merged.
//! - The *score* of a pair is the best alignment of the whole flow (every step in it,
//!   matched or skipped) with any stretch of the session; [`similarity`] scales it to 0..1.
//!
//! So, with the defaults and `min_similarity` 0.7 (step k needs 1.4·k points): events before
//! step 1 and after the last step are free; one extra event between steps is tolerated in
//! flows of 2 steps or more (two from 4 steps); one skipped step, or another event in its
//! place, from 5 steps (a skipped step and an extra event from 7, two skipped steps from
//! 10). The first step must happen for the session to enter, the last for it to complete.
//!
//! [`FlowSet`] prepares many flows for correlating millions of sessions:
//!
//! - an inverted index symbol → flows (as 64-flow bitset words), so a session is only aligned
//!   with the flows it shares a symbol with (a session sharing none never reaches step 1);
//! - per flow, a profile of 16-bit lanes (the flow's symbols and the match bonus per step):
//!   one session event updates a whole row of the matrix (all flow steps) at once in SIMD
//!   lanes. The kernels work on H'(i, j) = H(i, j) + gap·j, which is never negative and makes
//!   the in-row gap free, so the in-row dependency is a log-step prefix maximum. SSE2 (8
//!   lanes) serves flows up to 8 steps; AVX2 (16 lanes, detected at run time) chains up to 4
//!   vectors, so flows up to 64 steps stay in registers. Up to 4 flows of the same kernel go
//!   through one call, so their independent dependency chains overlap in the CPU. Prefix
//!   scores, score and depth come out of the same pass. Flows longer than 64 steps, scorings
//!   whose scores could leave the i16 range, negative gaps and non-x86_64 targets take a
//!   scalar i32 kernel: same results, slower;
//! - [`FlowSet::correlate`] runs all sessions on rayon as a fold/reduce with reusable
//!   [`Scratch`] buffers, so the hot loop never allocates.
//!
//! Layout: `scalar` holds the textbook baselines and the scalar kernel, `kernel` the
//! choice of kernel, lane profiles and batches, `x86` the SIMD kernels, `flowset` the
//! many-flows index and the parallel fold.
//!
//! [`walk_baseline`] is the textbook full-matrix version of the same computation, kept as the
//! reference the tests and `examples/correlate_bench.rs` compare against. [`scalar_baseline`]
//! is plain local alignment (Smith & Waterman 1981), which gap finding uses to compare
//! journeys with each other.

mod flowset;
mod kernel;
mod scalar;
#[cfg(target_arch = "x86_64")]
mod x86;

pub use flowset::{FlowSet, Match, Scratch, Sessions};
pub use scalar::{scalar_baseline, walk_baseline};

use kernel::{align_with, choose_kernel, detect_avx2};

/// A step symbol. [`NOISE`] (0) marks an event that is no flow's step; it never matches
/// anything, not even itself.
pub type Symbol = u16;

/// The symbol of an event that is no flow's step.
pub const NOISE: Symbol = 0;

/// The prefix score of a step the session never does (see [`align`]).
pub const UNMATCHED: i32 = i32::MIN;

/// Linear-gap scoring. Defaults: matched 2, mismatch -1, gap 1 (a penalty, subtracted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scoring {
    /// Score of aligning a symbol with the same (non-[`NOISE`]) symbol.
    pub matched: i32,
    /// Score of aligning two different symbols (or [`NOISE`] with anything).
    pub mismatch: i32,
    /// Penalty subtracted for each skipped session event or flow step.
    pub gap: i32,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            matched: 2,
            mismatch: -1,
            gap: 1,
        }
    }
}

impl Scoring {
    #[inline(always)]
    pub(super) fn substitution(&self, a: Symbol, b: Symbol) -> i32 {
        if a != NOISE && a == b {
            self.matched
        } else {
            self.mismatch
        }
    }
}

/// `score` as a share of a perfect walk through a flow of `flow_len` steps:
/// `score / (matched * flow_len)`, clamped to 0..=1; 0 for an empty flow or `matched <= 0`.
pub fn similarity(score: i32, flow_len: usize, scoring: &Scoring) -> f64 {
    if flow_len == 0 || scoring.matched <= 0 {
        return 0.0;
    }
    (score as f64 / (scoring.matched as f64 * flow_len as f64)).clamp(0.0, 1.0)
}

/// Whether a prefix score reaches step `k`: not [`UNMATCHED`], and at least
/// `min_similarity * matched * k`.
pub(super) fn reaches(prefix: i32, k: usize, min_similarity: f64, scoring: &Scoring) -> bool {
    prefix != UNMATCHED && prefix as f64 >= min_similarity * scoring.matched as f64 * k as f64
}

/// How far a session walked into a flow, from the prefix scores [`align`] filled: 0 when it
/// does not reach step 1 (it never entered), else the largest `k` in `1..=prefix.len()` it
/// reaches (see the module docs). Saturates at `u16::MAX`.
pub fn depth(prefix: &[i32], min_similarity: f64, scoring: &Scoring) -> u16 {
    if prefix.is_empty() || !reaches(prefix[0], 1, min_similarity, scoring) {
        return 0;
    }
    let k = (1..=prefix.len())
        .rev()
        .find(|&k| reaches(prefix[k - 1], k, min_similarity, scoring))
        .unwrap_or(1);
    k.min(u16::MAX as usize) as u16
}

/// Aligns one session with one flow: fills `prefix[k-1]` (`prefix.len() == flow.len()`) with
/// the best score of an alignment of steps 1..k that ends with step k matched ([`UNMATCHED`]
/// when the session never does step k) and returns the score of the whole flow (see the
/// module docs; `-gap·m` when nothing matches, 0 for an empty flow).
///
/// Does not allocate for flows of up to 64 steps with i16-safe scoring (see the module docs);
/// longer flows allocate one row of `flow.len()` i32s. Use [`FlowSet`] for many pairs.
///
/// # Panics
/// If `prefix.len() != flow.len()`.
pub fn align(session: &[Symbol], flow: &[Symbol], scoring: &Scoring, prefix: &mut [i32]) -> i32 {
    assert_eq!(prefix.len(), flow.len(), "prefix must have one slot per flow step");
    let kernel = choose_kernel(flow.len(), scoring, detect_avx2());
    align_with(kernel, session, flow, scoring, prefix, &mut Vec::new())
}

#[cfg(test)]
mod tests;
