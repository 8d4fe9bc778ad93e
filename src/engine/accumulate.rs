//! Accumulators of Monte Carlo results: exact integer counts and fixed-point sums, so merging is associative and bit-reproducible.
//!
//! Every field is an integer: rank counts are `u64`, and sums of real numbers (scores, weights)
//! are kept in fixed point in `i128` ([`FixedPoint`]). Integer addition is associative and
//! commutative, so an accumulator merged from any split of the samples — across threads,
//! chunks or shard files — is bit-identical to the one-pass result.

use serde::{Deserialize, Serialize};

pub use super::fixed_point::FixedPoint;
pub use super::histogram::{RankBins, RankWindow};
use super::rank_block::{RankBlock, SharedWindows};
use super::pairs::PairBuffer;
use crate::pipeline::vectors::dispatch;
use masked::add_masked_rows;

/// Most samples one run may take. Rank sums are `u64` (Σ rank ≤ samples × units) and counts
/// are turned into probabilities as doubles (exact up to 2^53): 2^40 samples keep both exact
/// for indices of up to 2^24 (16.7 million) units.
pub const MAX_SAMPLES: u64 = 1 << 40;

/// Everything the engine records about a set of samples. Sizes are fixed by the layout, never
/// by the number of samples, except the rank histograms, which span each unit's observed rank
/// window ([`RankWindow`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accumulator {
    pub n_units: usize,
    pub samples: u64,
    pub bins: RankBins,
    /// Per unit: how often its rank fell in each bin of the window it was seen in.
    pub rank_counts: Vec<RankWindow>,
    pub best_rank: Vec<u32>,
    pub worst_rank: Vec<u32>,
    /// Σ ranks and Σ ranks² per unit (exact integers).
    pub rank_sum: Vec<u64>,
    pub rank_sq_sum: Vec<u128>,
    /// Σ |rank − nominal rank| per unit.
    pub abs_shift_sum: Vec<u64>,
    /// Samples with rank = nominal, ≤ nominal (as good or better), ≤ k.
    pub nominal_rank_hits: Vec<u64>,
    /// Samples where the unit ranked first.
    pub first_hits: Vec<u64>,
    pub nominal_or_better_hits: Vec<u64>,
    pub top_k_hits: Vec<u64>,
    /// Samples with rank > n − k (the bottom k).
    pub bottom_k_hits: Vec<u64>,
    /// `n_units × n_bands`: samples in each rank band (deciles by default).
    pub n_bands: usize,
    pub band_counts: Vec<u64>,
    /// Fixed-point Σ score and Σ score² per unit.
    pub score_scale: FixedPoint,
    pub score_sq_scale: FixedPoint,
    pub score_sum: Vec<i128>,
    pub score_sq_sum: Vec<i128>,
    /// Units whose "ranks above" counts are kept (`pair_units.len() × n_units`): entry (a, b)
    /// counts samples where a ranked strictly better than b.
    pub pair_units: Vec<usize>,
    pub pair_counts: Vec<u64>,
    /// When only some units have rows, the reverse counts (b ranked strictly better than a)
    /// for those rows, so both directions are known; empty when every unit has a row.
    pub pair_reverse_counts: Vec<u64>,
    /// Nodes whose within-parent normalised weights are averaged (SMAA central weights).
    pub weight_nodes: Vec<usize>,
    pub weight_scale: FixedPoint,
    /// `pair_units.len() × weight_nodes.len()`: Σ weights over samples where the unit ranked
    /// first (kept for the same units as the pairwise rows, so memory stays bounded).
    pub first_weight_sum: Vec<i128>,
    /// Same layout: Σ weights over samples where it kept its nominal rank or better.
    pub kept_weight_sum: Vec<i128>,
    /// Per factor: samples in which the factor differed from its nominal value.
    pub factor_moved: Vec<u64>,
}

/// Per-worker buffers for [`Accumulator::record`]: lookup tables (rank → bin, rank → band;
/// an integer division per unit and sample would cost more than everything else recorded)
/// and narrow sums, flushed into the wide totals by [`Accumulator::flush`] every
/// [`FLUSH_EVERY`] samples, before any of them can overflow: pair counters
/// ([`PairBuffer`]), 64-bit fixed-point score sums (each term below 2^51) and 32-bit weight
/// sums (each term at most 2^23, see [`WEIGHT_BITS`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordTables {
    bin_of_rank: Vec<u32>,
    band_of_rank: Vec<u32>,
    /// With one bin per rank: the ranks of the samples not yet added to the windows.
    ranks: RankBlock,
    pairs: PairBuffer,
    pending: u32,
    /// Up to [`DENSE_HISTOGRAM_MAX`] units with one bin per rank: `n × n` rank counts (unit
    /// by unit), a fixed slot per unit and rank, added into the rank windows by
    /// [`Accumulator::flush`] only (each window's own add reads its header and bounds first;
    /// here it is one increment in a block of a few kilobytes). Empty otherwise.
    histogram: Vec<u32>,
    /// Samples in `histogram` since it was last added into the windows.
    histogram_pending: u32,
    /// Whether pair row i is unit i for every unit (the default `--pairs all`): the "kept its
    /// rank" masks are then one comparison of two rank vectors.
    identity_rows: bool,
    /// `2^bits` of the score, squared-score and weight scales (computed once: `powi` is a
    /// library call).
    factors: [f64; 3],
    /// This sample's weights in fixed point, encoded once and added for every unit.
    encoded_weights: Vec<i32>,
    /// This sample's "kept its nominal rank or better" mask per pair row (−1 or 0), padded
    /// with zeros to `row_stride`.
    kept: Vec<i32>,
    /// Pair rows padded to whole vector registers.
    row_stride: usize,
    score_sum: Vec<i64>,
    score_sq_sum: Vec<i64>,
    /// Weight sums transposed, `weight_nodes.len() × row_stride` (the totals are
    /// `rows × weight_nodes.len()`): for each weight, one masked add over all rows at once,
    /// instead of a branch per row.
    first_weight_sum: Vec<i32>,
    kept_weight_sum: Vec<i32>,
}

impl RecordTables {
    /// Adds the ranks to `windows`, shared by every thread of the run ([`shared_windows`]),
    /// instead of the recording accumulator's own windows.
    pub(crate) fn record_into(&mut self, windows: &std::sync::Arc<SharedWindows>) {
        self.ranks.share(windows);
    }
}

/// Samples after which [`Accumulator::record`] flushes its narrow buffers by itself: 8-bit
/// pair counters hold 255 samples.
pub const FLUSH_EVERY: u32 = u8::MAX as u32;

/// Whether [`Accumulator::record`] adds a layout's ranks to the windows through a
/// [`RankBlock`] (one bin per rank, more units than [`DENSE_HISTOGRAM_MAX`]): the threads of
/// a run can then share one set of windows ([`shared_windows`]).
pub(crate) fn records_in_blocks(layout: &Layout) -> bool {
    layout.bin_width <= 1 && layout.n_units > DENSE_HISTOGRAM_MAX
}

/// For a layout recorded in blocks ([`records_in_blocks`]): one set of rank windows for all
/// the threads of a run, holding `base`'s windows if given (moved out; `base` keeps empty
/// ones), so that a run holds its exact histograms once instead of once per thread. Give it
/// to every thread's tables ([`RecordTables::record_into`]) and put it back into the run's
/// total with [`Accumulator::take_shared_windows`].
pub(crate) fn shared_windows(
    layout: &Layout,
    base: Option<&mut Accumulator>,
) -> Option<std::sync::Arc<SharedWindows>> {
    if !records_in_blocks(layout) {
        return None;
    }
    let empty = || vec![RankWindow::default(); layout.n_units];
    let windows = match base {
        Some(base) => std::mem::replace(&mut base.rank_counts, empty()),
        None => empty(),
    };
    Some(std::sync::Arc::new(SharedWindows::new(windows)))
}

/// Most units whose rank counts are buffered densely per worker ([`RecordTables`]'s
/// `histogram`: 4 n² bytes, 260 kB at most, and the windows stay empty until the flush, so
/// the memory estimate's bound on them covers it).
const DENSE_HISTOGRAM_MAX: usize = u8::MAX as usize;

/// Fixed-point bits of the central-weight sums. Normalised weights lie in [0, 1], so a term is
/// at most 2^23 and [`FLUSH_EVERY`] of them fit a 32-bit lane (four to a vector register, added
/// branch-free for every unit); the resolution, 2^-23 ≈ 1.2·10^-7, is far below the Monte
/// Carlo error of any central weight.
pub const WEIGHT_BITS: i32 = 23;

/// Lanes the transposed weight sums are padded to and added in (one AVX2 register of 32-bit
/// sums, two SSE2 ones), so no addition falls to a scalar tail loop.
pub(super) const WEIGHT_LANES: usize = 8;

dispatch! {
    /// [`Accumulator::record`] with vector instructions as wide as the CPU has (the same
    /// counts).
    #[allow(clippy::too_many_arguments)]
    fn record_with_vectors / record_avx2 = record_portable<'a, 'l, 'r, 's, 'n, 'w, 'm>(
        accumulator: &'a mut Accumulator,
        lookup: &'l mut RecordTables,
        ranks: &'r [u32],
        scores: &'s [f64],
        nominal_ranks: &'n [u32],
        top_k: u32,
        weights: &'w [f64],
        moved: &'m [bool],
    )
}

/// [`Accumulator::record`]'s body, inlined into both compilations of [`record_with_vectors`].
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn record_portable(
    accumulator: &mut Accumulator,
    lookup: &mut RecordTables,
    ranks: &[u32],
    scores: &[f64],
    nominal_ranks: &[u32],
    top_k: u32,
    weights: &[f64],
    moved: &[bool],
) {
    accumulator.record_portable(lookup, ranks, scores, nominal_ranks, top_k, weights, moved);
}

/// Addition that reports overflow instead of wrapping, for [`Accumulator::merge`].
trait CheckedSum: Copy {
    fn checked_sum(self, other: Self) -> Option<Self>;
}

macro_rules! checked_sum {
    ($($ty:ty),*) => {$(
        impl CheckedSum for $ty {
            fn checked_sum(self, other: Self) -> Option<Self> {
                self.checked_add(other)
            }
        }
    )*};
}
checked_sum!(u64, u128, i128);

/// What an accumulator needs to know to be laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub n_units: usize,
    pub bin_width: u32,
    pub n_bands: usize,
    pub score_bound: f64,
    pub pair_units: Vec<usize>,
    pub weight_nodes: Vec<usize>,
    pub n_factors: usize,
}

impl Accumulator {
    pub fn new(layout: &Layout) -> Self {
        let n = layout.n_units;
        let bins = RankBins::new(n, layout.bin_width);
        let k = layout.weight_nodes.len();
        Accumulator {
            n_units: n,
            samples: 0,
            bins,
            rank_counts: vec![RankWindow::default(); n],
            best_rank: vec![u32::MAX; n],
            worst_rank: vec![0; n],
            rank_sum: vec![0; n],
            rank_sq_sum: vec![0; n],
            abs_shift_sum: vec![0; n],
            nominal_rank_hits: vec![0; n],
            first_hits: vec![0; n],
            nominal_or_better_hits: vec![0; n],
            top_k_hits: vec![0; n],
            bottom_k_hits: vec![0; n],
            n_bands: layout.n_bands,
            band_counts: vec![0; n * layout.n_bands],
            score_scale: FixedPoint::for_bound(layout.score_bound),
            score_sq_scale: FixedPoint::for_bound(layout.score_bound * layout.score_bound),
            score_sum: vec![0; n],
            score_sq_sum: vec![0; n],
            pair_units: layout.pair_units.clone(),
            pair_counts: vec![0; layout.pair_units.len() * n],
            pair_reverse_counts: if layout.pair_units.len() == n {
                Vec::new()
            } else {
                vec![0; layout.pair_units.len() * n]
            },
            weight_nodes: layout.weight_nodes.clone(),
            weight_scale: FixedPoint { bits: WEIGHT_BITS },
            first_weight_sum: vec![0; layout.pair_units.len() * k],
            kept_weight_sum: vec![0; layout.pair_units.len() * k],
            factor_moved: vec![0; layout.n_factors],
        }
    }

    /// The lookup tables [`Accumulator::record`] needs for this layout.
    pub fn tables(&self) -> RecordTables {
        let n = self.n_units;
        // At least one vector even with no pair rows (a focus-only layout without a focus):
        // the padding lanes' masks stay 0 and are never flushed.
        let row_stride = self
            .pair_units
            .len()
            .next_multiple_of(WEIGHT_LANES)
            .max(WEIGHT_LANES);
        let k = self.weight_nodes.len();
        RecordTables {
            bin_of_rank: (1..=n as u32).map(|r| self.bins.bin(r) as u32).collect(),
            band_of_rank: (0..n).map(|r| (r * self.n_bands / n) as u32).collect(),
            // Binned ranks are counted per sample (`record_binned_ranks`), small indices in
            // `histogram`.
            ranks: RankBlock::new(if self.bins.width == 1 && n > DENSE_HISTOGRAM_MAX { n } else { 0 }),
            pairs: PairBuffer::new(
                n,
                self.pair_units.len(),
                !self.pair_reverse_counts.is_empty(),
            ),
            pending: 0,
            histogram: if self.bins.width == 1 && n <= DENSE_HISTOGRAM_MAX {
                vec![0; n * n]
            } else {
                Vec::new()
            },
            histogram_pending: 0,
            identity_rows: self.pair_units.iter().copied().eq(0..n),
            factors: [
                self.score_scale.factor(),
                self.score_sq_scale.factor(),
                self.weight_scale.factor(),
            ],
            encoded_weights: vec![0; k],
            kept: vec![0; row_stride],
            row_stride,
            score_sum: vec![0; n],
            score_sq_sum: vec![0; n],
            first_weight_sum: vec![0; k * row_stride],
            kept_weight_sum: vec![0; k * row_stride],
        }
    }

    /// Puts the windows every thread recorded into ([`shared_windows`]) into this
    /// accumulator, whose own windows must be empty (they were not recorded into). Call once
    /// every thread's tables are dropped.
    pub(crate) fn take_shared_windows(&mut self, shared: std::sync::Arc<SharedWindows>) {
        debug_assert!(self.rank_counts.iter().all(RankWindow::is_empty));
        self.rank_counts = std::sync::Arc::into_inner(shared)
            .expect("every thread is done with the shared windows")
            .into_windows();
    }

    /// Adds the buffered counts and sums into the totals and clears the buffers. Call before
    /// reading or merging an accumulator that [`Accumulator::record`] wrote to.
    pub fn flush(&mut self, buffers: &mut RecordTables) {
        buffers
            .ranks
            .flush_into(&mut self.rank_counts, self.bins.count as u32);
        self.flush_narrow(buffers);
        self.flush_histogram(buffers);
    }

    /// Adds the dense rank counts into the rank windows (each unit's window takes the span of
    /// ranks it was seen at, as adding them one by one would: the windows' canonical form
    /// depends on their counts only) and clears them. Allocates one window per unit seen, so
    /// the engine calls it once per worker, not per chunk.
    fn flush_histogram(&mut self, buffers: &mut RecordTables) {
        let n = self.n_units;
        if buffers.histogram.is_empty() || n == 0 {
            return;
        }
        for (window, row) in self
            .rank_counts
            .iter_mut()
            .zip(buffers.histogram.chunks_exact_mut(n))
        {
            let Some(lo) = row.iter().position(|&c| c > 0) else {
                continue;
            };
            let hi = row.iter().rposition(|&c| c > 0).expect("one is non-zero") + 1;
            let counts = row[lo..hi].iter().map(|&c| u64::from(c)).collect();
            window
                .merge(&RankWindow::from_counts(lo as u32, counts))
                .expect("rank counts stay far below 2^64 (MAX_SAMPLES)");
            row.fill(0);
        }
        buffers.histogram_pending = 0;
    }

    /// Adds the narrow buffers (pair counters, score and weight sums) into the totals and
    /// clears them: every [`FLUSH_EVERY`] samples, before they can overflow.
    fn flush_narrow(&mut self, buffers: &mut RecordTables) {
        buffers.pairs.flush_into(
            self.n_units,
            &mut self.pair_counts,
            &mut self.pair_reverse_counts,
        );
        fn widen(totals: &mut [i128], buffered: &mut [i64]) {
            for (total, b) in totals.iter_mut().zip(buffered.iter_mut()) {
                *total += i128::from(*b);
                *b = 0;
            }
        }
        widen(&mut self.score_sum, &mut buffers.score_sum);
        widen(&mut self.score_sq_sum, &mut buffers.score_sq_sum);
        let k = self.weight_nodes.len();
        if k > 0 {
            for (totals, buffered) in [
                (&mut self.first_weight_sum, &mut buffers.first_weight_sum),
                (&mut self.kept_weight_sum, &mut buffers.kept_weight_sum),
            ] {
                for (j, column) in buffered.chunks_exact(buffers.row_stride).enumerate() {
                    for (row, &b) in column.iter().take(self.pair_units.len()).enumerate() {
                        totals[row * k + j] += i128::from(b);
                    }
                }
                buffered.fill(0);
            }
        }
        buffers.pending = 0;
    }

    /// Records one sample.
    ///
    /// `lookup`: from [`Accumulator::tables`]; `ranks`/`scores`: the top node's ranks and scores; `nominal_ranks`; `top_k`;
    /// `weights`: the within-parent normalised weights of `weight_nodes`; `moved`: which
    /// factors differ from nominal. Allocation-free.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn record(
        &mut self,
        lookup: &mut RecordTables,
        ranks: &[u32],
        scores: &[f64],
        nominal_ranks: &[u32],
        top_k: u32,
        weights: &[f64],
        moved: &[bool],
    ) {
        record_with_vectors(
            self,
            lookup,
            ranks,
            scores,
            nominal_ranks,
            top_k,
            weights,
            moved,
        );
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn record_portable(
        &mut self,
        lookup: &mut RecordTables,
        ranks: &[u32],
        scores: &[f64],
        nominal_ranks: &[u32],
        top_k: u32,
        weights: &[f64],
        moved: &[bool],
    ) {
        let n = self.n_units;
        self.samples += 1;
        let k = self.weight_nodes.len();
        let [score_factor, square_factor, weight_factor] = lookup.factors;
        for (encoded, &w) in lookup.encoded_weights.iter_mut().zip(weights) {
            // Rounded, not truncated: at 23 bits a truncation bias (−6·10^-8) would show.
            // Weights are in [0, 1], so the encoding is at most 2^23 and fits.
            *encoded = FixedPoint::encode_scaled(w, weight_factor) as i32;
        }
        if self.bins.width == 1 && !lookup.histogram.is_empty() {
            // With one bin per rank, every rank statistic is a function of the histogram and
            // is derived once by `complete`: only the histogram is counted, densely here.
            // Unit u's row starts at u·n; a running offset, not a row iterator, whose
            // bookkeeping cost as much as the increments.
            let histogram = &mut lookup.histogram[..n * n];
            let mut row = 0;
            for &rank in &ranks[..n] {
                histogram[row + rank as usize - 1] += 1;
                row += n;
            }
            lookup.histogram_pending += 1;
            if lookup.histogram_pending == u32::MAX {
                self.flush_histogram(lookup);
            }
        } else if self.bins.width == 1 {
            // Larger indices: a block of samples' ranks at a time.
            lookup
                .ranks
                .push_ranks(ranks, &mut self.rank_counts, n as u32);
        } else {
            self.record_binned_ranks(lookup, ranks, nominal_ranks, top_k);
        }
        // A loop of its own, so the compiler can vectorise the encoding.
        for ((&score, sum), square) in scores
            .iter()
            .zip(&mut lookup.score_sum)
            .zip(&mut lookup.score_sq_sum)
        {
            *sum += FixedPoint::encode_scaled(score, score_factor);
            *square += FixedPoint::encode_scaled(score * score, square_factor);
        }
        if k > 0 && lookup.identity_rows {
            // Row u is unit u: the masks are one vector comparison, and the units ranked
            // first are found in one pass.
            let stride = lookup.row_stride;
            for ((kept, &rank), &nominal) in lookup.kept.iter_mut().zip(ranks).zip(nominal_ranks) {
                *kept = -i32::from(rank <= nominal);
            }
            // Blocks of eight ranks tested at once (one vector comparison each), then the
            // units of the one or few blocks holding a first place: a unit-by-unit filter ran
            // a branch per unit.
            let (blocks, rest) = ranks.as_chunks::<8>();
            let mut add_first = |row: usize| {
                for (j, &w) in lookup.encoded_weights.iter().enumerate() {
                    lookup.first_weight_sum[j * stride + row] += w;
                }
            };
            for (b, block) in blocks.iter().enumerate() {
                if block.iter().fold(0u32, |any, &rank| any | u32::from(rank == 1)) != 0 {
                    for (i, _) in block.iter().enumerate().filter(|&(_, &rank)| rank == 1) {
                        add_first(b * 8 + i);
                    }
                }
            }
            for (i, _) in rest.iter().enumerate().filter(|&(_, &rank)| rank == 1) {
                add_first(blocks.len() * 8 + i);
            }
        } else if k > 0 {
            let stride = lookup.row_stride;
            for ((row, &a), kept) in self.pair_units.iter().enumerate().zip(&mut lookup.kept) {
                let rank_a = ranks[a];
                *kept = -i32::from(rank_a <= nominal_ranks[a]);
                // Few units rank first: a rarely taken branch.
                if rank_a == 1 {
                    for (j, &w) in lookup.encoded_weights.iter().enumerate() {
                        lookup.first_weight_sum[j * stride + row] += w;
                    }
                }
            }
        }
        if k > 0 {
            // About half the units keep their rank, unpredictably: masked adds, no branches.
            add_masked_rows(
                &mut lookup.kept_weight_sum,
                &lookup.encoded_weights,
                &lookup.kept,
            );
        }
        lookup.pairs.record(&self.pair_units, ranks);
        lookup.pending += 1;
        if lookup.pending == FLUSH_EVERY {
            self.flush_narrow(lookup);
        }
        for (count, &m) in self.factor_moved.iter_mut().zip(moved) {
            *count += u64::from(m);
        }
    }

    /// [`Accumulator::record`]'s rank statistics when ranks are binned: every statistic
    /// counted directly, since the histogram no longer determines them.
    fn record_binned_ranks(
        &mut self,
        lookup: &RecordTables,
        ranks: &[u32],
        nominal_ranks: &[u32],
        top_k: u32,
    ) {
        let n = self.n_units;
        let (bins, n_bands) = (self.bins, self.n_bands);
        for u in 0..n {
            let rank = ranks[u];
            let nominal = nominal_ranks[u];
            self.rank_counts[u].add(lookup.bin_of_rank[rank as usize - 1], bins.count as u32);
            self.best_rank[u] = self.best_rank[u].min(rank);
            self.worst_rank[u] = self.worst_rank[u].max(rank);
            self.rank_sum[u] += u64::from(rank);
            self.rank_sq_sum[u] += u128::from(rank) * u128::from(rank);
            self.abs_shift_sum[u] += u64::from(rank.abs_diff(nominal));
            self.nominal_rank_hits[u] += u64::from(rank == nominal);
            self.first_hits[u] += u64::from(rank == 1);
            let kept = rank <= nominal;
            self.nominal_or_better_hits[u] += u64::from(kept);
            self.top_k_hits[u] += u64::from(rank <= top_k);
            self.bottom_k_hits[u] += u64::from(rank as usize + top_k as usize > n);
            let band = lookup.band_of_rank[rank as usize - 1] as usize;
            self.band_counts[u * n_bands + band] += 1;
        }
    }

    /// Adds another accumulator with the same layout (exact: integer sums). Every addition is
    /// checked: a sum that would overflow is refused, never wrapped (`self` is then partly
    /// added to and must be discarded; copying it first would double the memory of a merge).
    pub fn merge(&mut self, other: &Accumulator) -> Result<(), String> {
        if self.n_units != other.n_units
            || self.bins != other.bins
            || self.n_bands != other.n_bands
            || self.pair_units != other.pair_units
            || self.weight_nodes != other.weight_nodes
            || self.score_scale != other.score_scale
            || self.score_sq_scale != other.score_sq_scale
            || self.weight_scale != other.weight_scale
            || self.factor_moved.len() != other.factor_moved.len()
        {
            return Err("the two partial results were laid out differently (units, bins, pairs or weights differ)".into());
        }
        fn add<T: CheckedSum>(field: &str, a: &mut [T], b: &[T]) -> Result<(), String> {
            for (x, &y) in a.iter_mut().zip(b) {
                *x = x
                    .checked_sum(y)
                    .ok_or_else(|| format!("adding the partial results overflows `{field}`"))?;
            }
            Ok(())
        }
        let sum = self;
        add(
            "samples",
            std::slice::from_mut(&mut sum.samples),
            &[other.samples],
        )?;
        for (window, other) in sum.rank_counts.iter_mut().zip(&other.rank_counts) {
            window.merge(other)?;
        }
        for (a, &b) in sum.best_rank.iter_mut().zip(&other.best_rank) {
            *a = (*a).min(b);
        }
        for (a, &b) in sum.worst_rank.iter_mut().zip(&other.worst_rank) {
            *a = (*a).max(b);
        }
        add("rank_sum", &mut sum.rank_sum, &other.rank_sum)?;
        add("rank_sq_sum", &mut sum.rank_sq_sum, &other.rank_sq_sum)?;
        add(
            "abs_shift_sum",
            &mut sum.abs_shift_sum,
            &other.abs_shift_sum,
        )?;
        add(
            "nominal_rank_hits",
            &mut sum.nominal_rank_hits,
            &other.nominal_rank_hits,
        )?;
        add("first_hits", &mut sum.first_hits, &other.first_hits)?;
        add(
            "nominal_or_better_hits",
            &mut sum.nominal_or_better_hits,
            &other.nominal_or_better_hits,
        )?;
        add("top_k_hits", &mut sum.top_k_hits, &other.top_k_hits)?;
        add(
            "bottom_k_hits",
            &mut sum.bottom_k_hits,
            &other.bottom_k_hits,
        )?;
        add("band_counts", &mut sum.band_counts, &other.band_counts)?;
        add("score_sum", &mut sum.score_sum, &other.score_sum)?;
        add("score_sq_sum", &mut sum.score_sq_sum, &other.score_sq_sum)?;
        add("pair_counts", &mut sum.pair_counts, &other.pair_counts)?;
        add(
            "pair_reverse_counts",
            &mut sum.pair_reverse_counts,
            &other.pair_reverse_counts,
        )?;
        add(
            "first_weight_sum",
            &mut sum.first_weight_sum,
            &other.first_weight_sum,
        )?;
        add(
            "kept_weight_sum",
            &mut sum.kept_weight_sum,
            &other.kept_weight_sum,
        )?;
        add("factor_moved", &mut sum.factor_moved, &other.factor_moved)
    }

    /// Rank counts of one unit over the window of bins it was seen in.
    pub fn rank_counts_of(&self, unit: usize) -> &RankWindow {
        &self.rank_counts[unit]
    }

    /// Heap bytes of everything but the rank histograms: fixed by the layout (per-unit sums
    /// and counts, the pair rows and the central-weight sums), whatever the samples.
    #[cfg(any(test, feature = "internals"))]
    pub fn fixed_bytes(&self) -> usize {
        fn bytes<T>(v: &[T]) -> usize {
            std::mem::size_of_val(v)
        }
        bytes(&self.rank_counts)
            + bytes(&self.best_rank)
            + bytes(&self.worst_rank)
            + bytes(&self.rank_sum)
            + bytes(&self.rank_sq_sum)
            + bytes(&self.abs_shift_sum)
            + 5 * bytes(&self.first_hits)
            + bytes(&self.band_counts)
            + bytes(&self.score_sum)
            + bytes(&self.score_sq_sum)
            + bytes(&self.pair_counts)
            + bytes(&self.pair_reverse_counts)
            + bytes(&self.first_weight_sum)
            + bytes(&self.kept_weight_sum)
    }

    /// Heap bytes of the rank histograms: per unit, 4 bytes per sample or 8 per bin of its
    /// window, whichever is less ([`RankWindow`]; the accumulator's only part that grows with
    /// the samples, up to the spread of the ranks).
    #[cfg(any(test, feature = "internals"))]
    pub fn histogram_bytes(&self) -> usize {
        self.rank_counts.iter().map(RankWindow::heap_bytes).sum()
    }

    /// How often a ranked strictly above b, if a's or b's row is kept.
    pub fn above_count(&self, a: usize, b: usize) -> Option<u64> {
        if let Some(row) = self.pair_units.iter().position(|&p| p == a) {
            return Some(self.pair_counts[row * self.n_units + b]);
        }
        let row = self.pair_units.iter().position(|&p| p == b)?;
        if self.pair_reverse_counts.is_empty() {
            None
        } else {
            Some(self.pair_reverse_counts[row * self.n_units + a])
        }
    }
}

mod complete;
mod masked;

#[cfg(test)]
mod tests;
