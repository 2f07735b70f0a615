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
//! [`walk_baseline`] is the textbook full-matrix version of the same computation, kept as the
//! reference the tests and `examples/correlate_bench.rs` compare against. [`scalar_baseline`]
//! is plain local alignment (Smith & Waterman 1981), which gap finding uses to compare
//! journeys with each other.

use rayon::prelude::*;

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
    fn substitution(&self, a: Symbol, b: Symbol) -> i32 {
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
fn reaches(prefix: i32, k: usize, min_similarity: f64, scoring: &Scoring) -> bool {
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

/// The thresholds the SIMD kernels compare their match maxima with, for k = 1..=[`MAX_LANES`]:
/// lane k-1 of a kernel holds c = H'(i-1, k-1) + 1 at best over the events i equal to step
/// k (0 when none), and the prefix score is c - 1 + matched - gap·(k-1); so (with c below
/// i16::MAX, which [`fits_i16`] guarantees) step k is reached exactly when
/// `c >= ceil(min_similarity * matched * k) - matched + gap·(k-1) + 1`, and c >= 1.
fn depth_thresholds(min_similarity: f64, scoring: &Scoring, out: &mut [i16; MAX_LANES]) {
    let per_step = min_similarity * scoring.matched as f64;
    for (k, t) in (1..=MAX_LANES).zip(out.iter_mut()) {
        let x = (per_step * k as f64).ceil() - scoring.matched as f64 + (scoring.gap as f64) * (k - 1) as f64 + 1.0;
        *t = if x.is_nan() || x > i16::MAX as f64 {
            i16::MAX
        } else {
            x.max(1.0) as i16
        };
    }
}

/// Plain local alignment (Smith-Waterman, linear gaps, a full `(n+1) x (m+1)` i32 matrix per
/// call): the best score of any stretch of `a` aligned with any stretch of `b`. Gap finding
/// compares journeys with it; flows are matched with [`align`]. Returns 0 for empty inputs.
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

/// The textbook version of [`align`]: the full `(n+1) x (m+1)` i32 matrix H of alignments
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

/// [`align`] with a chosen kernel; a SIMD kernel's profile is built on the stack.
fn align_with(
    kernel: Kernel,
    session: &[Symbol],
    flow: &[Symbol],
    scoring: &Scoring,
    prefix: &mut [i32],
    row: &mut Vec<i32>,
) -> i32 {
    if kernel == Kernel::Scalar || flow.is_empty() {
        return scalar_kernel(session, flow, scoring, row, prefix);
    }
    let mut profile = [0i16; 2 * MAX_LANES];
    fill_profile(flow, scoring, kernel.lanes(), &mut profile);
    let thresholds = [1i16; MAX_LANES];
    let mut batch = Batch::new(session, &thresholds, scoring);
    batch.push(usize::MAX, &profile[..2 * kernel.lanes()], flow.len());
    let mut maxima = [[0i16; MAX_LANES]; BATCH];
    let [(score, _), ..] = run_batch(kernel, &batch, &mut maxima);
    for (k, (p, &c)) in prefix.iter_mut().zip(&maxima[0]).enumerate() {
        *p = prefix_from_lane(c, k + 1, scoring);
    }
    score
}

/// The prefix score of step `k` from a kernel's match maximum `c` (see [`depth_thresholds`]).
fn prefix_from_lane(c: i16, k: usize, scoring: &Scoring) -> i32 {
    if c <= 0 {
        UNMATCHED
    } else {
        c as i32 - 1 + scoring.matched - scoring.gap * (k as i32 - 1)
    }
}

/// The scalar i32 kernel: one row of H, any flow length and any scoring. Fills `prefix` and
/// returns the score, as [`walk_baseline`] does.
fn scalar_kernel(
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

/// Most lanes a SIMD kernel uses (4 AVX2 vectors of 16 i16).
const MAX_LANES: usize = 64;

/// Most flows one SIMD kernel call aligns at once (independent dependency chains that the
/// CPU overlaps).
const BATCH: usize = 4;

/// Writes the lane profile of `flow` for a kernel of `lanes` lanes (`flow.len() <= lanes`)
/// into `profile[..2 * lanes]` (zeroed): each step's symbol in the first `lanes`, then the bonus
/// `matched - mismatch` added where a session event equals it (0 for [`NOISE`] steps and
/// padding, which therefore never match). Needs a scoring accepted by [`fits_i16`].
fn fill_profile(flow: &[Symbol], scoring: &Scoring, lanes: usize, profile: &mut [i16]) {
    let b = (scoring.matched - scoring.mismatch) as i16;
    let (syms, bonus) = profile[..2 * lanes].split_at_mut(lanes);
    for (j, &s) in flow.iter().enumerate() {
        syms[j] = s as i16;
        bonus[j] = if s == NOISE { 0 } else { b };
    }
}

/// Which kernel aligns with a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kernel {
    /// i32, any length and scoring.
    Scalar,
    /// SSE2, this many vectors of 8 i16 lanes (1, 2, 4 or 8).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Sse2(u8),
    /// AVX2, this many vectors of 16 i16 lanes (1, 2 or 4).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Avx2(u8),
}

/// Number of kernel classes ([`Kernel::class`]).
const CLASSES: usize = 8;

impl Kernel {
    /// A distinct number below [`CLASSES`] per kernel.
    fn class(self) -> usize {
        match self {
            Kernel::Scalar => 0,
            Kernel::Sse2(n) => 1 + n.trailing_zeros() as usize, // 1..=4
            Kernel::Avx2(n) => 5 + n.trailing_zeros() as usize, // 5..=7
        }
    }

    /// Lanes a SIMD kernel reads (the padded length of a flow's lane profile).
    fn lanes(self) -> usize {
        match self {
            Kernel::Scalar => 0,
            Kernel::Sse2(n) => 8 * n as usize,
            Kernel::Avx2(n) => 16 * n as usize,
        }
    }
}

fn detect_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether i16 lanes hold every value the kernels compute for a flow of `m` steps: H' =
/// H + gap·j is never negative and never exceeds `m * max(matched + gap, mismatch + gap, 0)`
/// (each diagonal step adds at most that, the in-row gap is free, the other one subtracts);
/// one more step on top must still fit (so every match maximum stays below `i16::MAX`), and
/// `mismatch + gap` and the bonus `matched - mismatch` must be representable. Negative gaps
/// (rewards) are left to the scalar kernel.
fn fits_i16(m: usize, s: &Scoring) -> bool {
    let max = i16::MAX as i64;
    let (matched, mismatch, gap) = (s.matched as i64, s.mismatch as i64, s.gap as i64);
    let top = (matched + gap).max(mismatch + gap).max(0);
    m <= MAX_LANES
        && gap >= 0
        && gap <= max
        && top * (m as i64 + 1) < max
        && mismatch + gap >= i16::MIN as i64
        && mismatch + gap <= max
        && (matched - mismatch).abs() <= max
}

/// The fastest kernel for a flow of `m` steps under `scoring`.
fn choose_kernel(m: usize, scoring: &Scoring, avx2: bool) -> Kernel {
    if !cfg!(target_arch = "x86_64") || m == 0 || !fits_i16(m, scoring) {
        return Kernel::Scalar;
    }
    match (m, avx2) {
        (..=8, _) => Kernel::Sse2(1),
        (..=16, true) => Kernel::Avx2(1),
        (..=32, true) => Kernel::Avx2(2),
        (_, true) => Kernel::Avx2(4),
        (..=16, false) => Kernel::Sse2(2),
        (..=32, false) => Kernel::Sse2(4),
        (_, false) => Kernel::Sse2(8),
    }
}

/// Up to [`BATCH`] flows of one SIMD kernel class, to align with one session in one call.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct Batch<'a> {
    session: &'a [Symbol],
    /// From [`depth_thresholds`].
    thresholds: &'a [i16; MAX_LANES],
    /// `mismatch + gap`: what a diagonal step adds to H' without the match bonus.
    mismatch_gap: i16,
    gap: i16,
    len: usize,
    /// The caller's tag per flow (where the result goes).
    tags: [usize; BATCH],
    /// Profiles from [`fill_profile`], each `2 * kernel.lanes()` long.
    profiles: [&'a [i16]; BATCH],
    steps: [usize; BATCH],
}

impl<'a> Batch<'a> {
    /// Needs a scoring accepted by [`fits_i16`].
    fn new(session: &'a [Symbol], thresholds: &'a [i16; MAX_LANES], scoring: &Scoring) -> Batch<'a> {
        Batch {
            session,
            thresholds,
            mismatch_gap: (scoring.mismatch + scoring.gap) as i16,
            gap: scoring.gap as i16,
            len: 0,
            tags: [0; BATCH],
            profiles: [&[]; BATCH],
            steps: [0; BATCH],
        }
    }

    /// Adds a flow of `steps` steps; returns whether the batch is now full.
    fn push(&mut self, tag: usize, profile: &'a [i16], steps: usize) -> bool {
        self.tags[self.len] = tag;
        self.profiles[self.len] = profile;
        self.steps[self.len] = steps;
        self.len += 1;
        self.len == BATCH
    }
}

/// Runs the SIMD kernel `kernel` over the flows of `batch` (all of that kernel's class):
/// returns `(score, depth)` per flow (depth under the batch's thresholds) and writes flow
/// `t`'s match maxima (see [`depth_thresholds`]) to `maxima[t][..steps]`.
#[cfg(target_arch = "x86_64")]
fn run_batch(kernel: Kernel, batch: &Batch, maxima: &mut [[i16; MAX_LANES]; BATCH]) -> [(i32, u16); BATCH] {
    use x86::{avx2, sse2};
    macro_rules! go {
        ($run:ident, $n:literal) => {
            match batch.len {
                1 => $run::<$n, 1>(batch, maxima),
                2 => $run::<$n, 2>(batch, maxima),
                3 => $run::<$n, 3>(batch, maxima),
                4 => $run::<$n, 4>(batch, maxima),
                n => unreachable!("batch of {n}"),
            }
        };
    }
    match kernel {
        Kernel::Sse2(1) => go!(sse2, 1),
        Kernel::Sse2(2) => go!(sse2, 2),
        Kernel::Sse2(4) => go!(sse2, 4),
        Kernel::Sse2(8) => go!(sse2, 8),
        // SAFETY: an Avx2 kernel is only chosen when `detect_avx2()` said yes.
        Kernel::Avx2(n) => unsafe {
            match n {
                1 => go!(avx2, 1),
                2 => go!(avx2, 2),
                4 => go!(avx2, 4),
                _ => unreachable!("no kernel {kernel:?}"),
            }
        },
        Kernel::Sse2(_) | Kernel::Scalar => unreachable!("no SIMD kernel {kernel:?}"),
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn run_batch(kernel: Kernel, _: &Batch, _: &mut [[i16; MAX_LANES]; BATCH]) -> [(i32, u16); BATCH] {
    unreachable!("no SIMD kernel {kernel:?} on this target")
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! Row-at-a-time SIMD kernels: lane j of a vector holds H'(i, j + 1) = H(i, j + 1) +
    //! gap·(j + 1) for one session position i (see the module docs); a flow's steps are
    //! spread over `N` vectors of `LANES` i16 lanes.
    use super::{BATCH, Batch, MAX_LANES};
    use core::arch::x86_64::*;

    /// The i16-lane operations the kernel needs. Every method requires the target feature
    /// of the implementing type.
    pub(super) trait Lanes: Copy {
        const LANES: usize;
        unsafe fn splat(x: i16) -> Self;
        /// Loads `LANES` values; panics unless `src.len() >= LANES`.
        unsafe fn load(src: &[i16]) -> Self;
        /// Stores `LANES` values; panics unless `dst.len() >= LANES`.
        unsafe fn store(self, dst: &mut [i16]);
        unsafe fn adds(self, o: Self) -> Self;
        unsafe fn subs(self, o: Self) -> Self;
        unsafe fn max(self, o: Self) -> Self;
        unsafe fn and(self, o: Self) -> Self;
        unsafe fn eq(self, o: Self) -> Self;
        unsafe fn gt(self, o: Self) -> Self;
        /// Lanes moved up by one; lane 0 takes `prev`'s last lane.
        unsafe fn shift_in(self, prev: Self) -> Self;
        /// Prefix maximum: lane j becomes the largest of lanes 0..=j (all lanes must be >= 0).
        unsafe fn prefix_max(self) -> Self;
        /// The last lane in every lane.
        unsafe fn last(self) -> Self;
        /// The byte mask of the lanes (2 bits per lane).
        unsafe fn mask(self) -> u32;
    }

    #[derive(Clone, Copy)]
    pub(super) struct Sse2(__m128i);

    impl Lanes for Sse2 {
        const LANES: usize = 8;
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn splat(x: i16) -> Self {
            Sse2(_mm_set1_epi16(x))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn load(src: &[i16]) -> Self {
            assert!(src.len() >= 8);
            // SAFETY: 8 readable i16 (checked above); unaligned load.
            Sse2(unsafe { _mm_loadu_si128(src.as_ptr().cast()) })
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn store(self, dst: &mut [i16]) {
            assert!(dst.len() >= 8);
            // SAFETY: 8 writable i16 (checked above); unaligned store.
            unsafe { _mm_storeu_si128(dst.as_mut_ptr().cast(), self.0) }
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn adds(self, o: Self) -> Self {
            Sse2(_mm_adds_epi16(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn subs(self, o: Self) -> Self {
            Sse2(_mm_subs_epi16(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn max(self, o: Self) -> Self {
            Sse2(_mm_max_epi16(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn and(self, o: Self) -> Self {
            Sse2(_mm_and_si128(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn eq(self, o: Self) -> Self {
            Sse2(_mm_cmpeq_epi16(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn gt(self, o: Self) -> Self {
            Sse2(_mm_cmpgt_epi16(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn shift_in(self, prev: Self) -> Self {
            Sse2(_mm_or_si128(_mm_slli_si128::<2>(self.0), _mm_srli_si128::<14>(prev.0)))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn prefix_max(self) -> Self {
            // Shifting in zeros is harmless: every lane is >= 0.
            let t = self.0;
            let t = _mm_max_epi16(t, _mm_slli_si128::<2>(t));
            let t = _mm_max_epi16(t, _mm_slli_si128::<4>(t));
            Sse2(_mm_max_epi16(t, _mm_slli_si128::<8>(t)))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn last(self) -> Self {
            let t = _mm_shufflehi_epi16::<0xFF>(self.0);
            Sse2(_mm_unpackhi_epi64(t, t))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn mask(self) -> u32 {
            _mm_movemask_epi8(self.0) as u32
        }
    }

    #[derive(Clone, Copy)]
    pub(super) struct Avx2(__m256i);

    impl Lanes for Avx2 {
        const LANES: usize = 16;
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn splat(x: i16) -> Self {
            Avx2(_mm256_set1_epi16(x))
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn load(src: &[i16]) -> Self {
            assert!(src.len() >= 16);
            // SAFETY: 16 readable i16 (checked above); unaligned load.
            Avx2(unsafe { _mm256_loadu_si256(src.as_ptr().cast()) })
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn store(self, dst: &mut [i16]) {
            assert!(dst.len() >= 16);
            // SAFETY: 16 writable i16 (checked above); unaligned store.
            unsafe { _mm256_storeu_si256(dst.as_mut_ptr().cast(), self.0) }
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn adds(self, o: Self) -> Self {
            Avx2(_mm256_adds_epi16(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn subs(self, o: Self) -> Self {
            Avx2(_mm256_subs_epi16(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn max(self, o: Self) -> Self {
            Avx2(_mm256_max_epi16(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn and(self, o: Self) -> Self {
            Avx2(_mm256_and_si256(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn eq(self, o: Self) -> Self {
            Avx2(_mm256_cmpeq_epi16(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn gt(self, o: Self) -> Self {
            Avx2(_mm256_cmpgt_epi16(self.0, o.0))
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn shift_in(self, prev: Self) -> Self {
            // [prev.hi, self.lo], then per 128-bit half: (self : that) >> 14 bytes.
            let carry = _mm256_permute2x128_si256::<0x03>(self.0, prev.0);
            Avx2(_mm256_alignr_epi8::<14>(self.0, carry))
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn prefix_max(self) -> Self {
            // Each 128-bit half on its own (byte shifts stay within halves; shifting in zeros
            // is harmless, every lane being >= 0), then the low half's last lane carried into
            // the high half. The carry vector's low half is lanes 0..3 twice, which the
            // prefix maximum already covers.
            let t = self.0;
            let t = _mm256_max_epi16(t, _mm256_slli_si256::<2>(t));
            let t = _mm256_max_epi16(t, _mm256_slli_si256::<4>(t));
            let t = _mm256_max_epi16(t, _mm256_slli_si256::<8>(t));
            let lane7 = _mm256_permute4x64_epi64::<0x50>(_mm256_shufflehi_epi16::<0xFF>(t));
            Avx2(_mm256_max_epi16(t, lane7))
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn last(self) -> Self {
            let t = _mm256_permute4x64_epi64::<0xFF>(self.0);
            let t = _mm256_shufflehi_epi16::<0xFF>(t);
            Avx2(_mm256_unpackhi_epi64(t, t))
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn mask(self) -> u32 {
            _mm256_movemask_epi8(self.0) as u32
        }
    }

    /// The kernel over `N` vectors of `V` for the `G` flows of `batch` at once (independent
    /// dependency chains, so the CPU overlaps them): flows of up to `N * V::LANES` steps with
    /// profiles for `N * V::LANES` lanes. Writes each flow's match maxima to `maxima` and
    /// returns its score and depth.
    ///
    /// Per session event i and step j (lane j-1): H'(i, j) = max(H'(i-1, j-1) + s + gap,
    /// H'(i-1, j) - gap, H'(i, j-1), 0), the last two being the prefix maximum along the row
    /// (the 0 is the boundary H'(i, 0)); the match maximum of step j keeps H'(i-1, j-1) + 1
    /// over the events equal to it.
    ///
    /// # Safety
    /// `V`'s target feature must be available.
    #[inline(always)]
    unsafe fn kernel<V: Lanes, const N: usize, const G: usize>(
        batch: &Batch,
        maxima: &mut [[i16; MAX_LANES]; BATCH],
    ) -> [(i32, u16); BATCH] {
        let lanes = V::LANES;
        assert!(G == batch.len && G <= BATCH && N * lanes <= MAX_LANES);
        assert!((0..G).all(|g| batch.profiles[g].len() >= 2 * N * lanes && batch.steps[g] <= N * lanes));
        // SAFETY: the caller guarantees V's target feature; every load and store is bounds
        // checked by `Lanes::load`/`store`.
        unsafe {
            let zero = V::splat(0);
            let one = V::splat(1);
            let all = V::splat(-1);
            let mis = V::splat(batch.mismatch_gap);
            let gapv = V::splat(batch.gap);
            let mut iota_lanes = [0i16; 16];
            for (k, lane) in iota_lanes.iter_mut().enumerate() {
                *lane = k as i16;
            }
            let mut fsym = [[zero; N]; G];
            let mut fbonus = [[zero; N]; G];
            for g in 0..G {
                for b in 0..N {
                    fsym[g][b] = V::load(&batch.profiles[g][b * lanes..]);
                    fbonus[g][b] = V::load(&batch.profiles[g][(N + b) * lanes..]);
                }
            }
            let mut h = [[zero; N]; G];
            let mut colmax = [[zero; N]; G];
            let mut colmatch = [[zero; N]; G];
            for &a in batch.session {
                let av = V::splat(a as i16);
                // NOISE equals the padding lanes; it matches nothing.
                let can_match = if a == super::NOISE { zero } else { all };
                for g in 0..G {
                    let mut prev_old = zero; // H'(i-1, ·) of the previous vector
                    let mut prev_new = zero; // H'(i, ·) of the previous vector
                    for b in 0..N {
                        let up = h[g][b];
                        let diag = up.shift_in(prev_old);
                        let equal = av.eq(fsym[g][b]);
                        let s = mis.adds(equal.and(fbonus[g][b]));
                        let t = diag.adds(s).max(up.subs(gapv)).max(zero);
                        let mut new = t.prefix_max();
                        if b > 0 {
                            new = new.max(prev_new.last());
                        }
                        colmatch[g][b] = colmatch[g][b].max(diag.adds(one).and(equal).and(can_match));
                        colmax[g][b] = colmax[g][b].max(new);
                        prev_old = up;
                        prev_new = new;
                        h[g][b] = new;
                    }
                }
            }
            // Score = the last step's H' maximum less gap·m; depth = 1 + the last lane whose
            // match maximum reaches its threshold, when lane 0 reaches its own (masked-off
            // lanes read 0, below every threshold).
            let iota = V::load(&iota_lanes);
            let mut result = [(0, 0); BATCH];
            let mut last_row = [0i16; MAX_LANES];
            for g in 0..G {
                let steps = batch.steps[g];
                let mut depth = 0;
                let mut entered = false;
                for b in 0..N {
                    colmatch[g][b].store(&mut maxima[g][b * lanes..]);
                    colmax[g][b].store(&mut last_row[b * lanes..]);
                    let valid = V::splat(steps as i16 - (b * lanes) as i16).gt(iota);
                    let c = colmatch[g][b].and(valid);
                    let threshold = V::load(&batch.thresholds[b * lanes..]);
                    let reached = c.max(threshold).eq(c).and(valid).mask();
                    if b == 0 {
                        entered = reached & 1 != 0;
                    }
                    if reached != 0 {
                        depth = b * lanes + (31 - reached.leading_zeros() as usize) / 2 + 1;
                    }
                }
                let score = if steps == 0 {
                    0
                } else {
                    last_row[steps - 1] as i32 - batch.gap as i32 * steps as i32
                };
                result[g] = (score, if entered { depth as u16 } else { 0 });
            }
            result
        }
    }

    /// The SSE2 kernel over `N` vectors of 8 lanes, `G` flows at once.
    #[inline(never)]
    pub(super) fn sse2<const N: usize, const G: usize>(
        batch: &Batch,
        maxima: &mut [[i16; MAX_LANES]; BATCH],
    ) -> [(i32, u16); BATCH] {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { kernel::<Sse2, N, G>(batch, maxima) }
    }

    /// The AVX2 kernel over `N` vectors of 16 lanes, `G` flows at once.
    #[inline(never)]
    #[target_feature(enable = "avx2")]
    pub(super) fn avx2<const N: usize, const G: usize>(
        batch: &Batch,
        maxima: &mut [[i16; MAX_LANES]; BATCH],
    ) -> [(i32, u16); BATCH] {
        // SAFETY: this function is only entered with AVX2 enabled.
        unsafe { kernel::<Avx2, N, G>(batch, maxima) }
    }
}

/// Many sessions stored flat (all symbols in one vector plus end offsets), so 1,000,000
/// sessions cost little more than their symbols.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    symbols: Vec<Symbol>,
    ends: Vec<usize>,
}

impl Sessions {
    /// No sessions.
    pub fn new() -> Sessions {
        Sessions::default()
    }

    /// No sessions, with room for `sessions` sessions of `symbols` symbols in total.
    pub fn with_capacity(sessions: usize, symbols: usize) -> Sessions {
        Sessions {
            symbols: Vec::with_capacity(symbols),
            ends: Vec::with_capacity(sessions),
        }
    }

    /// Appends one session.
    pub fn push(&mut self, session: &[Symbol]) {
        self.symbols.extend_from_slice(session);
        self.ends.push(self.symbols.len());
    }

    /// Number of sessions.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no sessions.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Session `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn get(&self, i: usize) -> &[Symbol] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.symbols[start..self.ends[i]]
    }

    /// Symbols over all sessions.
    pub fn total_symbols(&self) -> usize {
        self.symbols.len()
    }

    /// The sessions in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[Symbol]> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl<S: AsRef<[Symbol]>> FromIterator<S> for Sessions {
    fn from_iter<T: IntoIterator<Item = S>>(iter: T) -> Self {
        let mut sessions = Sessions::new();
        for s in iter {
            sessions.push(s.as_ref());
        }
        sessions
    }
}

/// One flow a session aligns with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// Index of the flow in its [`FlowSet`].
    pub flow: u32,
    /// Score of the best alignment of the whole flow with the session (see [`align`]).
    pub score: i32,
    /// How far the session walked into the flow: the last step it reaches, 0 when it never
    /// entered (see [`depth`]).
    pub depth: u16,
}

/// Reusable buffers for [`FlowSet::matches`], so the hot loop never allocates (after the
/// first call sizes them). One per thread; any [`FlowSet`] can use it.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    /// Candidate flows as a bitset (64 flows per word), all zero between calls.
    seen: Vec<u64>,
    /// Indices of the non-zero words of `seen`.
    touched: Vec<u32>,
    columns: Vec<i32>,
    row: Vec<i32>,
    /// [`depth_thresholds`] for `thresholds_for` = (min_similarity bits, matched, gap).
    thresholds: Option<Box<[i16; MAX_LANES]>>,
    thresholds_for: (u64, i32, i32),
}

/// Flows prepared for correlation: their symbols, per-flow lane profiles (symbol and match
/// bonus per step, padded to whole SIMD vectors), and an inverted index symbol → flows, so a
/// session is only aligned with flows it shares a (non-[`NOISE`]) symbol with.
#[derive(Debug, Clone)]
pub struct FlowSet {
    scoring: Scoring,
    /// All steps, flow after flow; flow `f` is `steps[starts[f]..starts[f + 1]]`.
    steps: Vec<Symbol>,
    starts: Vec<usize>,
    kernels: Vec<Kernel>,
    /// Lane profiles (see [`fill_profile`]); flow `f`'s at `profiles[profile_starts[f]..]`.
    profiles: Vec<i16>,
    profile_starts: Vec<usize>,
    /// Inverted index: symbol `s` is in the flows of the bitset words
    /// `index[index_starts[s]..index_starts[s + 1]]` (word number, bits).
    index_starts: Vec<u32>,
    index: Vec<(u32, u64)>,
    longest: usize,
}

impl FlowSet {
    /// Prepares `flows` (any lengths; steps may be [`NOISE`], which never match). Flows of up
    /// to 64 steps use SIMD kernels, longer ones a scalar kernel.
    ///
    /// # Panics
    /// With more than `u32::MAX` flows.
    pub fn new(flows: Vec<Vec<Symbol>>, scoring: Scoring) -> FlowSet {
        assert!(flows.len() <= u32::MAX as usize, "too many flows");
        let avx2 = detect_avx2();
        let mut set = FlowSet {
            scoring,
            steps: Vec::with_capacity(flows.iter().map(Vec::len).sum()),
            starts: Vec::with_capacity(flows.len() + 1),
            kernels: Vec::with_capacity(flows.len()),
            profiles: Vec::new(),
            profile_starts: Vec::with_capacity(flows.len()),
            index_starts: Vec::new(),
            index: Vec::new(),
            longest: flows.iter().map(Vec::len).max().unwrap_or(0),
        };
        set.starts.push(0);
        // (symbol, word, bit) for every distinct (symbol, flow).
        let mut pairs: Vec<(Symbol, u32, u64)> = Vec::new();
        for (f, flow) in flows.iter().enumerate() {
            set.steps.extend_from_slice(flow);
            set.starts.push(set.steps.len());
            let kernel = choose_kernel(flow.len(), &scoring, avx2);
            set.kernels.push(kernel);
            let start = set.profiles.len();
            set.profile_starts.push(start);
            if kernel != Kernel::Scalar {
                set.profiles.resize(start + 2 * kernel.lanes(), 0);
                fill_profile(flow, &scoring, kernel.lanes(), &mut set.profiles[start..]);
            }
            pairs.extend(
                flow.iter()
                    .filter(|&&s| s != NOISE)
                    .map(|&s| (s, (f / 64) as u32, 1u64 << (f % 64))),
            );
        }
        pairs.sort_unstable();
        pairs.dedup();
        let top = pairs.last().map_or(0, |&(s, _, _)| s as usize);
        set.index_starts = vec![0; top + 2];
        for &(s, word, bit) in &pairs {
            match set.index.last_mut() {
                Some(last) if set.index_starts[s as usize + 1] > 0 && last.0 == word => last.1 |= bit,
                _ => {
                    set.index.push((word, bit));
                    set.index_starts[s as usize + 1] += 1;
                }
            }
        }
        for s in 1..set.index_starts.len() {
            set.index_starts[s] += set.index_starts[s - 1];
        }
        set
    }

    /// Number of flows.
    pub fn len(&self) -> usize {
        self.kernels.len()
    }

    /// Whether there are no flows.
    pub fn is_empty(&self) -> bool {
        self.kernels.is_empty()
    }

    /// The steps of flow `i`.
    pub fn flow(&self, i: usize) -> &[Symbol] {
        &self.steps[self.starts[i]..self.starts[i + 1]]
    }

    /// The scoring the flows were prepared with.
    pub fn scoring(&self) -> &Scoring {
        &self.scoring
    }

    /// Total steps over all flows: `sessions.total_symbols() * total_steps()` is the number
    /// of cells an unpruned all-pairs run computes.
    pub fn total_steps(&self) -> usize {
        self.steps.len()
    }

    /// The bitset words of the flows holding symbol `s` (none for [`NOISE`]).
    fn postings(&self, s: Symbol) -> &[(u32, u64)] {
        let s = s as usize;
        if s == NOISE as usize || s + 1 >= self.index_starts.len() {
            return &[];
        }
        &self.index[self.index_starts[s] as usize..self.index_starts[s + 1] as usize]
    }

    /// Every flow sharing at least one (non-[`NOISE`]) symbol with `session`, with its score
    /// and depth (see [`Match`] and the module docs), into `out` (cleared first), in ascending
    /// flow order. Flows sharing no symbol are left out: such a session never enters them.
    pub fn matches(&self, session: &[Symbol], min_similarity: f64, scratch: &mut Scratch, out: &mut Vec<Match>) {
        out.clear();
        let Scratch {
            seen,
            touched,
            columns,
            row,
            thresholds,
            thresholds_for,
        } = scratch;
        let words = self.len().div_ceil(64);
        if seen.len() < words {
            seen.resize(words, 0);
        }
        touched.clear();
        for &a in session {
            for &(word, bits) in self.postings(a) {
                let w = &mut seen[word as usize];
                if *w == 0 {
                    touched.push(word);
                }
                *w |= bits;
            }
        }
        if touched.is_empty() {
            return;
        }
        touched.sort_unstable();
        for &word in touched.iter() {
            let mut bits = std::mem::take(&mut seen[word as usize]);
            while bits != 0 {
                out.push(Match {
                    flow: word * 64 + bits.trailing_zeros(),
                    score: 0,
                    depth: 0,
                });
                bits &= bits - 1;
            }
        }

        let key = (min_similarity.to_bits(), self.scoring.matched, self.scoring.gap);
        if thresholds.is_none() || *thresholds_for != key {
            let t = thresholds.get_or_insert_with(|| Box::new([0; MAX_LANES]));
            depth_thresholds(min_similarity, &self.scoring, t);
            *thresholds_for = key;
        }
        let thresholds = thresholds.as_deref().expect("set above");
        if columns.len() < self.longest {
            columns.resize(self.longest, 0);
        }
        // One pending batch per kernel class, run whenever full and at the end.
        let mut batches: [Batch; CLASSES] = std::array::from_fn(|_| Batch::new(session, thresholds, &self.scoring));
        let mut kernels = [Kernel::Scalar; CLASSES];
        let mut maxima = [[0i16; MAX_LANES]; BATCH];
        for k in 0..out.len() {
            let f = out[k].flow as usize;
            let kernel = self.kernels[f];
            let flow = self.flow(f);
            if kernel == Kernel::Scalar {
                let cols = &mut columns[..flow.len()];
                out[k].score = scalar_kernel(session, flow, &self.scoring, row, cols);
                out[k].depth = depth(cols, min_similarity, &self.scoring);
                continue;
            }
            let class = kernel.class();
            kernels[class] = kernel;
            let start = self.profile_starts[f];
            let profile = &self.profiles[start..start + 2 * kernel.lanes()];
            if batches[class].push(k, profile, flow.len()) {
                finish(kernel, &mut batches[class], &mut maxima, out);
            }
        }
        for (batch, &kernel) in batches.iter_mut().zip(&kernels) {
            if batch.len > 0 {
                finish(kernel, batch, &mut maxima, out);
            }
        }

        /// Runs a batch, records its results in `out` and empties it.
        fn finish(kernel: Kernel, batch: &mut Batch, maxima: &mut [[i16; MAX_LANES]; BATCH], out: &mut [Match]) {
            let results = run_batch(kernel, batch, maxima);
            for (&k, &(score, depth)) in batch.tags[..batch.len].iter().zip(&results) {
                out[k].score = score;
                out[k].depth = depth;
            }
            batch.len = 0;
        }
    }

    /// All sessions in parallel with rayon, as a fold/reduce so callers can aggregate 100M
    /// (session, flow) results without materialising them: `init()` makes an accumulator per
    /// worker job, `fold(&mut acc, session_index, &matches)` sees each session's
    /// [`matches`](FlowSet::matches) once, `reduce(a, b)` merges accumulators. Sessions are
    /// handed out in runs of at least 1024, each job reusing one [`Scratch`].
    pub fn correlate<A, I, F, R>(&self, sessions: &Sessions, min_similarity: f64, init: I, fold: F, reduce: R) -> A
    where
        A: Send,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, usize, &[Match]) + Sync + Send,
        R: Fn(A, A) -> A + Sync + Send,
    {
        (0..sessions.len())
            .into_par_iter()
            .with_min_len(1024)
            .fold(
                || (init(), Scratch::default(), Vec::new()),
                |(mut acc, mut scratch, mut out), i| {
                    self.matches(sessions.get(i), min_similarity, &mut scratch, &mut out);
                    fold(&mut acc, i, &out);
                    (acc, scratch, out)
                },
            )
            .map(|(acc, _, _)| acc)
            .reduce(&init, &reduce)
    }
}

#[cfg(test)]
mod tests {
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
}
