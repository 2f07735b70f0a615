//! Many flows at once: flat session storage, the inverted index symbol → flows, batches per
//! kernel class, and the parallel fold over millions of sessions.

use rayon::prelude::*;

use super::kernel::{
    BATCH, Batch, CLASSES, Kernel, MAX_LANES, choose_kernel, depth_thresholds, detect_avx2, fill_profile, run_batch,
};
use super::scalar::scalar_kernel;
use super::{NOISE, Scoring, Symbol, depth};

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
    /// Score of the best alignment of the whole flow with the session (see [`align`](super::align)).
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
    pub(super) fn postings(&self, s: Symbol) -> &[(u32, u64)] {
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
