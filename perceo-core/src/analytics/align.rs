//! Smith-Waterman local alignment of sessions against flows.
//!
//! A session (the events of one user visit) and a flow (its steps) are both sequences of
//! [`Symbol`]s. [`align`] scores one pair with linear gaps (Smith & Waterman 1981) and also
//! reports, for every flow step, the best score of an alignment ending there, from which
//! [`depth`] derives how far into the flow a session walked. [`FlowSet`] prepares many flows
//! for correlating millions of sessions:
//!
//! - an inverted index symbol → flows (as 64-flow bitset words), so a session is only aligned
//!   with the flows it shares a symbol with (a pair sharing none scores 0 under any scoring
//!   with `mismatch <= 0` and `gap >= 0`);
//! - per flow, a profile of 16-bit lanes (the flow's symbols and the match bonus per step):
//!   one session event updates a whole row of H (all flow steps) at once in SIMD lanes, the
//!   in-row gap dependency being a log-step max-plus prefix scan. SSE2 (8 lanes) serves flows
//!   up to 8 steps; AVX2 (16 lanes, detected at run time) chains up to 4 vectors, so flows up
//!   to 64 steps stay in registers. Up to 4 flows of the same kernel go through one call, so
//!   their independent dependency chains overlap in the CPU. Column maxima, score and depth
//!   come out of the same pass. Flows longer than 64 steps, scorings whose scores could leave
//!   the i16 range, negative gaps and non-x86_64 targets take a scalar i32 kernel: same
//!   results, slower;
//! - [`FlowSet::correlate`] runs all sessions on rayon as a fold/reduce with reusable
//!   [`Scratch`] buffers, so the hot loop never allocates.
//!
//! [`scalar_baseline`] is the textbook full-matrix algorithm, kept as the reference the tests
//! and `examples/correlate_bench.rs` compare against.

use rayon::prelude::*;

/// A step symbol. [`NOISE`] (0) marks an event that is no flow's step; it never matches
/// anything, not even itself.
pub type Symbol = u16;

/// The symbol of an event that is no flow's step.
pub const NOISE: Symbol = 0;

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

/// How far a session walked into a flow, from the column maxima [`align`] filled: the largest
/// `k` in `1..=columns.len()` such that `columns[k-1] >= min_similarity * matched * k` (the
/// flow's first `k` steps are walked through at `min_similarity` of a perfect score); 0 when
/// there is none. Saturates at `u16::MAX`.
pub fn depth(columns: &[i32], min_similarity: f64, scoring: &Scoring) -> u16 {
    let per_step = min_similarity * scoring.matched as f64;
    for k in (1..=columns.len()).rev() {
        if columns[k - 1] as f64 >= per_step * k as f64 {
            return k.min(u16::MAX as usize) as u16;
        }
    }
    0
}

/// The thresholds [`depth`] compares `columns[k-1]` with, for k = 1..=[`MAX_LANES`], as i16:
/// for an integer column c (and c < i16::MAX, which [`fits_i16`] guarantees), `c >= t[k-1]`
/// exactly when `c as f64 >= min_similarity * matched * k`.
fn depth_thresholds(min_similarity: f64, scoring: &Scoring, out: &mut [i16; MAX_LANES]) {
    let per_step = min_similarity * scoring.matched as f64;
    for (k, t) in (1..=MAX_LANES).zip(out.iter_mut()) {
        let x = (per_step * k as f64).ceil();
        *t = if x.is_nan() || x > i16::MAX as f64 {
            i16::MAX
        } else if x < i16::MIN as f64 {
            i16::MIN
        } else {
            x as i16
        };
    }
}

/// The textbook scalar Smith-Waterman: a full `(n+1) x (m+1)` i32 matrix allocated per call,
/// no pruning, no tricks. The baseline the benchmark compares against and the tests check
/// against. Returns the best local score (0 for empty inputs).
pub fn scalar_baseline(session: &[Symbol], flow: &[Symbol], scoring: &Scoring) -> i32 {
    let (n, m) = (session.len(), flow.len());
    let width = m + 1;
    let mut h = vec![0i32; (n + 1) * width];
    let mut best = 0;
    for i in 1..=n {
        for j in 1..=m {
            let diag = h[(i - 1) * width + j - 1] + scoring.substitution(session[i - 1], flow[j - 1]);
            let up = h[(i - 1) * width + j] - scoring.gap;
            let left = h[i * width + j - 1] - scoring.gap;
            let v = 0.max(diag).max(up).max(left);
            h[i * width + j] = v;
            best = best.max(v);
        }
    }
    best
}

/// Fills `columns[j]` (`columns.len() == flow.len()`) with the best score of any local
/// alignment ending at flow step `j` (the max of H(i, j) over all session positions i, 0 if
/// none) and returns the best local score overall (Smith-Waterman, linear gaps, H floor 0).
///
/// Does not allocate for flows of up to 64 steps with i16-safe scoring (see the module docs);
/// longer flows allocate one row of `flow.len()` i32s. Use [`FlowSet`] for many pairs.
///
/// # Panics
/// If `columns.len() != flow.len()`.
pub fn align(session: &[Symbol], flow: &[Symbol], scoring: &Scoring, columns: &mut [i32]) -> i32 {
    assert_eq!(columns.len(), flow.len(), "columns must have one slot per flow step");
    let kernel = choose_kernel(flow.len(), scoring, detect_avx2());
    align_with(kernel, session, flow, scoring, columns, &mut Vec::new())
}

/// [`align`] with a chosen kernel; a SIMD kernel's profile is built on the stack.
fn align_with(
    kernel: Kernel,
    session: &[Symbol],
    flow: &[Symbol],
    scoring: &Scoring,
    columns: &mut [i32],
    row: &mut Vec<i32>,
) -> i32 {
    columns.fill(0);
    if session.is_empty() || flow.is_empty() {
        return 0;
    }
    if kernel == Kernel::Scalar {
        return scalar_kernel(session, flow, scoring, row, columns);
    }
    let mut profile = [0i16; 2 * MAX_LANES];
    fill_profile(flow, scoring, kernel.lanes(), &mut profile);
    let thresholds = [0i16; MAX_LANES];
    let mut batch = Batch::new(session, &thresholds, scoring);
    batch.push(usize::MAX, &profile[..2 * kernel.lanes()], flow.len());
    let mut maxima = [[0i16; MAX_LANES]; BATCH];
    let [(score, _), ..] = run_batch(kernel, &batch, &mut maxima);
    for (c, &v) in columns.iter_mut().zip(&maxima[0]) {
        *c = v as i32;
    }
    score
}

/// The scalar i32 kernel: one row of H, any flow length and any scoring. Returns the best
/// score; `columns` must be zeroed.
fn scalar_kernel(
    session: &[Symbol],
    flow: &[Symbol],
    scoring: &Scoring,
    row: &mut Vec<i32>,
    columns: &mut [i32],
) -> i32 {
    row.clear();
    row.resize(flow.len(), 0);
    let (matched, mismatch, gap) = (scoring.matched, scoring.mismatch, scoring.gap);
    for &a in session {
        let mut diag = 0i32; // H(i-1, j-1); H(i-1, 0) = 0
        let mut left = 0i32; // H(i, j-1); H(i, 0) = 0
        for ((h, col), &b) in row.iter_mut().zip(columns.iter_mut()).zip(flow) {
            let up = *h;
            let s = if a != NOISE && a == b { matched } else { mismatch };
            let v = diag
                .saturating_add(s)
                .max(up.saturating_sub(gap))
                .max(left.saturating_sub(gap))
                .max(0);
            diag = up;
            *h = v;
            left = v;
            *col = (*col).max(v);
        }
    }
    columns.iter().copied().max().unwrap_or(0)
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

/// Whether i16 lanes hold every value of H for a flow of `m` steps: H never exceeds
/// `m * max(matched, mismatch, 0)` (each diagonal step adds at most that, gaps only subtract),
/// one more substitution on top must still fit (so every column maximum stays below
/// `i16::MAX`), and the gap multiples the scan subtracts (up to 16 gaps) must be
/// representable. Negative gaps (rewards) are left to the scalar kernel.
fn fits_i16(m: usize, s: &Scoring) -> bool {
    let max = i16::MAX as i64;
    let (matched, mismatch, gap) = (s.matched as i64, s.mismatch as i64, s.gap as i64);
    let top = matched.max(mismatch).max(0);
    m <= MAX_LANES
        && gap >= 0
        && gap * 16 <= max
        && top * (m as i64 + 1) <= max
        && mismatch >= i16::MIN as i64
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
    mismatch: i16,
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
            mismatch: scoring.mismatch as i16,
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
/// `t`'s column maxima to `maxima[t][..steps]`.
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
    //! Row-at-a-time SIMD kernels: lane j of a vector holds H(i, j) for one session position
    //! i; a flow's steps are spread over `N` vectors of `LANES` i16 lanes.
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
        /// The constants [`scan`](Lanes::scan) needs for `gap` (`0 <= gap <= i16::MAX / 16`).
        unsafe fn gaps(gap: i16) -> [Self; 4];
        /// Max-plus prefix scan: lane j becomes `max over d >= 0 of self[j-d] - d*gap`, lanes
        /// before 0 counting as 0 (all lanes must be >= 0), given `gaps(gap)`.
        unsafe fn scan(self, gaps: &[Self; 4]) -> Self;
        /// The last lane in every lane.
        unsafe fn last(self) -> Self;
        /// The largest lane.
        unsafe fn hmax(self) -> i16;
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
        unsafe fn gaps(gap: i16) -> [Self; 4] {
            let g = |k: i16| Sse2(_mm_set1_epi16(k * gap));
            [g(1), g(2), g(4), g(8)]
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn scan(self, gaps: &[Self; 4]) -> Self {
            let t = self.0;
            let t = _mm_max_epi16(t, _mm_subs_epi16(_mm_slli_si128::<2>(t), gaps[0].0));
            let t = _mm_max_epi16(t, _mm_subs_epi16(_mm_slli_si128::<4>(t), gaps[1].0));
            Sse2(_mm_max_epi16(t, _mm_subs_epi16(_mm_slli_si128::<8>(t), gaps[2].0)))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn last(self) -> Self {
            let t = _mm_shufflehi_epi16::<0xFF>(self.0);
            Sse2(_mm_unpackhi_epi64(t, t))
        }
        #[inline]
        #[target_feature(enable = "sse2")]
        unsafe fn hmax(self) -> i16 {
            let t = _mm_max_epi16(self.0, _mm_srli_si128::<8>(self.0));
            let t = _mm_max_epi16(t, _mm_srli_si128::<4>(t));
            let t = _mm_max_epi16(t, _mm_srli_si128::<2>(t));
            _mm_extract_epi16::<0>(t) as i16
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
        unsafe fn gaps(gap: i16) -> [Self; 4] {
            let g = |k: i16| Avx2(_mm256_set1_epi16(k * gap));
            let mut ramp = [i16::MAX; 16];
            for (k, r) in ramp[8..].iter_mut().enumerate() {
                *r = (k as i16 + 1) * gap;
            }
            // SAFETY: 16 readable i16.
            let ramp = unsafe { _mm256_loadu_si256(ramp.as_ptr().cast()) };
            [g(1), g(2), g(4), Avx2(ramp)]
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn scan(self, gaps: &[Self; 4]) -> Self {
            // Each 128-bit half on its own (byte shifts stay within halves), then the low
            // half's last lane carried into the high half: lane 8+k gets it minus (k+1) gaps
            // (`gaps[3]` holds 8 gaps; the ramp's low half saturates the low lanes away).
            let t = self.0;
            let t = _mm256_max_epi16(t, _mm256_subs_epi16(_mm256_slli_si256::<2>(t), gaps[0].0));
            let t = _mm256_max_epi16(t, _mm256_subs_epi16(_mm256_slli_si256::<4>(t), gaps[1].0));
            let t = _mm256_max_epi16(t, _mm256_subs_epi16(_mm256_slli_si256::<8>(t), gaps[2].0));
            let lane7 = _mm256_permute4x64_epi64::<0x50>(_mm256_shufflehi_epi16::<0xFF>(t));
            Avx2(_mm256_max_epi16(t, _mm256_subs_epi16(lane7, gaps[3].0)))
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
        unsafe fn hmax(self) -> i16 {
            let t = _mm_max_epi16(_mm256_castsi256_si128(self.0), _mm256_extracti128_si256::<1>(self.0));
            let t = _mm_max_epi16(t, _mm_srli_si128::<8>(t));
            let t = _mm_max_epi16(t, _mm_srli_si128::<4>(t));
            let t = _mm_max_epi16(t, _mm_srli_si128::<2>(t));
            _mm_extract_epi16::<0>(t) as i16
        }
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn mask(self) -> u32 {
            _mm256_movemask_epi8(self.0) as u32
        }
    }

    /// The kernel over `N` vectors of `V` for the `G` flows of `batch` at once (independent
    /// dependency chains, so the CPU overlaps them): flows of up to `N * V::LANES` steps with
    /// profiles for `N * V::LANES` lanes. Writes each flow's column maxima to `maxima` and
    /// returns its score and depth.
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
            let mis = V::splat(batch.mismatch);
            let gap = batch.gap;
            let gapv = V::splat(gap);
            let gaps = V::gaps(gap);
            let mut ramp_lanes = [0i16; 16];
            let mut iota_lanes = [0i16; 16];
            for k in 0..16 {
                ramp_lanes[k] = (k as i16 + 1) * gap;
                iota_lanes[k] = k as i16;
            }
            // Lane k of a later vector gets the previous vector's last H minus (k+1) gaps.
            let ramp = V::load(&ramp_lanes);
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
            for &a in batch.session {
                let av = V::splat(a as i16);
                for g in 0..G {
                    let mut prev_old = zero; // H(i-1, ·) of the previous vector
                    let mut prev_new = zero; // H(i, ·) of the previous vector
                    for b in 0..N {
                        let up = h[g][b];
                        let diag = up.shift_in(prev_old);
                        let s = mis.adds(av.eq(fsym[g][b]).and(fbonus[g][b]));
                        let t = diag.adds(s).max(up.subs(gapv)).max(zero);
                        let mut new = t.scan(&gaps);
                        if b > 0 {
                            new = new.max(prev_new.last().subs(ramp));
                        }
                        colmax[g][b] = colmax[g][b].max(new);
                        prev_old = up;
                        prev_new = new;
                        h[g][b] = new;
                    }
                }
            }
            // Score = max over the flow's lanes; depth = 1 + the last lane whose maximum
            // reaches its threshold (maxima >= 0, so masked-off lanes read 0).
            let iota = V::load(&iota_lanes);
            let mut result = [(0, 0); BATCH];
            for g in 0..G {
                let mut best = zero;
                let mut depth = 0;
                for b in 0..N {
                    colmax[g][b].store(&mut maxima[g][b * lanes..]);
                    let valid = V::splat(batch.steps[g] as i16 - (b * lanes) as i16).gt(iota);
                    let c = colmax[g][b].and(valid);
                    best = best.max(c);
                    let threshold = V::load(&batch.thresholds[b * lanes..]);
                    let reached = c.max(threshold).eq(c).and(valid).mask();
                    if reached != 0 {
                        depth = b * lanes + (31 - reached.leading_zeros() as usize) / 2 + 1;
                    }
                }
                result[g] = (best.hmax() as i32, depth as u16);
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
    /// Best local alignment score.
    pub score: i32,
    /// How far the session walked into the flow (see [`depth`]).
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
    /// [`depth_thresholds`] for `thresholds_for` = (min_similarity bits, matched).
    thresholds: Option<Box<[i16; MAX_LANES]>>,
    thresholds_for: (u64, i32),
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

    /// Every flow sharing at least one (non-[`NOISE`]) symbol with `session`, with its local
    /// score and depth, into `out` (cleared first), in ascending flow order. depth = the
    /// largest k in 1..=n such that `columns[k-1] >= min_similarity * matched * k` (the flow's
    /// first k steps are walked through at `min_similarity` of a perfect score), 0 when there
    /// is none. Flows sharing no symbol are skipped (score 0, depth 0).
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

        let key = (min_similarity.to_bits(), self.scoring.matched);
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
                cols.fill(0);
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

    /// Independent reference: the full matrix, returning the best score and column maxima.
    fn naive(session: &[Symbol], flow: &[Symbol], s: &Scoring) -> (i32, Vec<i32>) {
        let (n, m) = (session.len(), flow.len());
        let mut h = vec![vec![0i32; m + 1]; n + 1];
        let mut cols = vec![0i32; m];
        for i in 1..=n {
            for j in 1..=m {
                let sub = if session[i - 1] == flow[j - 1] && session[i - 1] != NOISE {
                    s.matched
                } else {
                    s.mismatch
                };
                let v = *[0, h[i - 1][j - 1] + sub, h[i - 1][j] - s.gap, h[i][j - 1] - s.gap]
                    .iter()
                    .max()
                    .unwrap();
                h[i][j] = v;
                cols[j - 1] = cols[j - 1].max(v);
            }
        }
        (cols.iter().copied().max().unwrap_or(0), cols)
    }

    fn run(session: &[Symbol], flow: &[Symbol]) -> (i32, Vec<i32>) {
        let mut cols = vec![-7; flow.len()];
        let score = align(session, flow, &S, &mut cols);
        assert_eq!(
            score,
            scalar_baseline(session, flow, &S),
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

    #[test]
    fn identical_sequences_score_matched_per_step() {
        assert_eq!(run(&[1, 2, 3], &[1, 2, 3]), (6, vec![2, 4, 6]));
        let long: Vec<Symbol> = (1..=64).collect();
        let (score, cols) = run(&long, &long);
        assert_eq!(score, 128);
        assert_eq!(cols, (1..=64).map(|k| 2 * k).collect::<Vec<_>>());
    }

    #[test]
    fn flow_embedded_in_noise() {
        assert_eq!(run(&[0, 9, 1, 2, 3, 0, 8], &[1, 2, 3]).0, 6);
        assert_eq!(run(&[7, 7, 1, 2, 3, 4, 5, 7], &[1, 2, 3, 4, 5]).0, 10);
    }

    #[test]
    fn skipped_step_costs_a_gap() {
        // 1=1 (+2), flow step 2 skipped (-1), 3=3 (+2).
        assert_eq!(run(&[1, 3], &[1, 2, 3]), (3, vec![2, 1, 3]));
        // An extra session event between two steps.
        assert_eq!(run(&[1, 9, 2], &[1, 2]).0, 3);
    }

    #[test]
    fn mismatch_costs_one() {
        // 1=1 (+2), 9≠2 (-1), 3=3 (+2) beats two gaps (2-1-1+2 = 2).
        assert_eq!(run(&[1, 9, 3], &[1, 2, 3]).0, 3);
        assert_eq!(run(&[5], &[6]).0, 0);
    }

    #[test]
    fn noise_never_matches_itself() {
        assert_eq!(run(&[0, 0, 0], &[0, 0]), (0, vec![0, 0]));
        assert_eq!(run(&[0, 1], &[0, 1]), (2, vec![0, 2]));
        assert_eq!(scalar_baseline(&[0], &[0], &S), 0);
    }

    #[test]
    fn empty_inputs() {
        assert_eq!(run(&[], &[1, 2]), (0, vec![0, 0]));
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
    fn columns_and_depth_on_partial_walks() {
        let flow = [1, 2, 3, 4, 5];
        let (score, cols) = run(&[1, 2], &flow);
        assert_eq!((score, cols.clone()), (4, vec![2, 4, 3, 2, 1]));
        assert_eq!(depth(&cols, 0.8, &S), 2);
        let (score, cols) = run(&[3, 4, 5], &flow);
        assert_eq!((score, cols.clone()), (6, vec![0, 0, 2, 4, 6]));
        assert_eq!(depth(&cols, 0.8, &S), 0);
        let (_, cols) = run(&flow, &flow);
        assert_eq!(depth(&cols, 0.8, &S), 5);
        assert_eq!(depth(&cols, 1.0, &S), 5);
        // A mismatch at step 3 still walks the flow at 0.8, not at 1.0.
        let (score, cols) = run(&[1, 2, 9, 4, 5], &flow);
        assert_eq!((score, cols.clone()), (7, vec![2, 4, 3, 5, 7]));
        assert_eq!(depth(&cols, 0.7, &S), 5);
        assert_eq!(depth(&cols, 1.0, &S), 2);

        let set = FlowSet::new(vec![flow.to_vec(), vec![8, 9]], S);
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        set.matches(&[0, 1, 2, 0], 0.8, &mut scratch, &mut out);
        assert_eq!(
            out,
            vec![Match {
                flow: 0,
                score: 4,
                depth: 2
            }]
        );
        set.matches(&[3, 4, 5, 9], 0.8, &mut scratch, &mut out);
        assert_eq!(
            out,
            vec![
                Match {
                    flow: 0,
                    score: 6,
                    depth: 0
                },
                Match {
                    flow: 1,
                    score: 2,
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
        assert!(out.iter().all(|m| m.score == if m.flow % 3 == 2 { 4 } else { 2 }));
        let mut out = Vec::new();
        set.matches(&[1, 9, 0, 0], 0.5, &mut Scratch::default(), &mut out);
        assert_eq!(
            out.iter().map(|m| (m.flow, m.score)).collect::<Vec<_>>(),
            vec![(0, 2), (3, 2)]
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
            scalar_baseline(&[9, 9], &[1, 2, 3], &odd)
        );
        assert_eq!(cols, naive(&[9, 9], &[1, 2, 3], &odd).1);
    }

    #[test]
    fn randomized_against_naive_and_baseline() {
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
            let (want, want_cols) = naive(&session, &flow, &scoring);
            assert_eq!(
                scalar_baseline(&session, &flow, &scoring),
                want,
                "baseline, case {case}"
            );
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
                    let (score, cols) = naive(&session, flow, &scoring);
                    let shares = flow.iter().any(|&s| s != NOISE && session.contains(&s));
                    if shares {
                        expected.push(Match {
                            flow: f as u32,
                            score,
                            depth: depth(&cols, sim, &scoring),
                        });
                    } else {
                        assert_eq!(score, 0, "pruned flow {f} must score 0");
                    }
                }
                assert_eq!(out, expected, "session {session:?} {scoring:?} {sim}");
                assert!(out.iter().all(|m| m.score >= scoring.matched));
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
