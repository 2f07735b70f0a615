//! Row-at-a-time SIMD kernels: lane j of a vector holds H'(i, j + 1) = H(i, j + 1) +
//! gap·(j + 1) for one session position i (see the module docs); a flow's steps are
//! spread over `N` vectors of `LANES` i16 lanes.
use super::kernel::{BATCH, Batch, MAX_LANES};
use core::arch::x86_64::*;

/// The i16-lane operations the kernel needs. Every method requires the target feature
/// of the implementing type.
trait Lanes: Copy {
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
struct Sse2(__m128i);

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
struct Avx2(__m256i);

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
