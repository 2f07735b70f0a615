//! Choosing a kernel per flow, the lane profiles the SIMD kernels read, batches of flows
//! aligned in one call, and the thresholds that turn a kernel's match maxima into a depth.

use super::scalar::scalar_kernel;
use super::{NOISE, Scoring, Symbol, UNMATCHED};

/// The thresholds the SIMD kernels compare their match maxima with, for k = 1..=[`MAX_LANES`]:
/// lane k-1 of a kernel holds c = H'(i-1, k-1) + 1 at best over the events i equal to step
/// k (0 when none), and the prefix score is c - 1 + matched - gap·(k-1); so (with c below
/// i16::MAX, which [`fits_i16`] guarantees) step k is reached exactly when
/// `c >= ceil(min_similarity * matched * k) - matched + gap·(k-1) + 1`, and c >= 1.
pub(super) fn depth_thresholds(min_similarity: f64, scoring: &Scoring, out: &mut [i16; MAX_LANES]) {
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

/// [`align`] with a chosen kernel; a SIMD kernel's profile is built on the stack.
pub(super) fn align_with(
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
pub(super) fn prefix_from_lane(c: i16, k: usize, scoring: &Scoring) -> i32 {
    if c <= 0 {
        UNMATCHED
    } else {
        c as i32 - 1 + scoring.matched - scoring.gap * (k as i32 - 1)
    }
}

/// Most lanes a SIMD kernel uses (4 AVX2 vectors of 16 i16).
pub(super) const MAX_LANES: usize = 64;

/// Most flows one SIMD kernel call aligns at once (independent dependency chains that the
/// CPU overlaps).
pub(super) const BATCH: usize = 4;

/// Writes the lane profile of `flow` for a kernel of `lanes` lanes (`flow.len() <= lanes`)
/// into `profile[..2 * lanes]` (zeroed): each step's symbol in the first `lanes`, then the bonus
/// `matched - mismatch` added where a session event equals it (0 for [`NOISE`] steps and
/// padding, which therefore never match). Needs a scoring accepted by [`fits_i16`].
pub(super) fn fill_profile(flow: &[Symbol], scoring: &Scoring, lanes: usize, profile: &mut [i16]) {
    let b = (scoring.matched - scoring.mismatch) as i16;
    let (syms, bonus) = profile[..2 * lanes].split_at_mut(lanes);
    for (j, &s) in flow.iter().enumerate() {
        syms[j] = s as i16;
        bonus[j] = if s == NOISE { 0 } else { b };
    }
}

/// Which kernel aligns with a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kernel {
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
pub(super) const CLASSES: usize = 8;

impl Kernel {
    /// A distinct number below [`CLASSES`] per kernel.
    pub(super) fn class(self) -> usize {
        match self {
            Kernel::Scalar => 0,
            Kernel::Sse2(n) => 1 + n.trailing_zeros() as usize, // 1..=4
            Kernel::Avx2(n) => 5 + n.trailing_zeros() as usize, // 5..=7
        }
    }

    /// Lanes a SIMD kernel reads (the padded length of a flow's lane profile).
    pub(super) fn lanes(self) -> usize {
        match self {
            Kernel::Scalar => 0,
            Kernel::Sse2(n) => 8 * n as usize,
            Kernel::Avx2(n) => 16 * n as usize,
        }
    }
}

pub(super) fn detect_avx2() -> bool {
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
pub(super) fn fits_i16(m: usize, s: &Scoring) -> bool {
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
pub(super) fn choose_kernel(m: usize, scoring: &Scoring, avx2: bool) -> Kernel {
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
pub(super) struct Batch<'a> {
    pub(super) session: &'a [Symbol],
    /// From [`depth_thresholds`].
    pub(super) thresholds: &'a [i16; MAX_LANES],
    /// `mismatch + gap`: what a diagonal step adds to H' without the match bonus.
    pub(super) mismatch_gap: i16,
    pub(super) gap: i16,
    pub(super) len: usize,
    /// The caller's tag per flow (where the result goes).
    pub(super) tags: [usize; BATCH],
    /// Profiles from [`fill_profile`], each `2 * kernel.lanes()` long.
    pub(super) profiles: [&'a [i16]; BATCH],
    pub(super) steps: [usize; BATCH],
}

impl<'a> Batch<'a> {
    /// Needs a scoring accepted by [`fits_i16`].
    pub(super) fn new(session: &'a [Symbol], thresholds: &'a [i16; MAX_LANES], scoring: &Scoring) -> Batch<'a> {
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
    pub(super) fn push(&mut self, tag: usize, profile: &'a [i16], steps: usize) -> bool {
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
pub(super) fn run_batch(kernel: Kernel, batch: &Batch, maxima: &mut [[i16; MAX_LANES]; BATCH]) -> [(i32, u16); BATCH] {
    use super::x86::{avx2, sse2};
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
pub(super) fn run_batch(kernel: Kernel, _: &Batch, _: &mut [[i16; MAX_LANES]; BATCH]) -> [(i32, u16); BATCH] {
    unreachable!("no SIMD kernel {kernel:?} on this target")
}
