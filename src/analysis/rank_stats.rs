//! Rank statistics from a Monte Carlo accumulator: per-unit rank distribution summaries, pairwise probabilities, central weights.

use rayon::prelude::*;
use serde::Serialize;

use super::mc_error::{
    Interval, QuantileState, RELATIVE_RESOLUTION, Z95, binomial_se,
    mean_in_unit_interval_se_bound, quantile_interval, resolve, samples_to_decide, settle_quantile,
    wilson,
};
use crate::engine::Accumulator;
use crate::pipeline::Prepared;

/// Summary of one unit's rank distribution over the samples (Saisana, Saltelli & Tarantola
/// 2005: uncertainty analysis of composite indicator ranks).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRankStats {
    pub code: String,
    pub name: String,
    pub nominal_rank: u32,
    pub nominal_score: f64,
    pub mean_rank: f64,
    /// Median and 5%/95% quantiles, R type 7 over the sampled ranks (exact from the counts
    /// when bins have width 1).
    pub median_rank: f64,
    pub q05_rank: f64,
    pub q95_rank: f64,
    pub best_rank: u32,
    pub worst_rank: u32,
    pub sd_rank: f64,
    /// Mean |rank − nominal rank|.
    pub mean_abs_shift: f64,
    pub p_nominal_rank: f64,
    pub p_nominal_or_better: f64,
    pub p_top_k: f64,
    /// Monte Carlo standard errors `√(p(1 − p)/N)` of the probabilities (binomial).
    pub se_p_nominal_rank: f64,
    pub se_p_top_k: f64,
    /// 95% Wilson intervals of the same probabilities ([`super::mc_error::wilson`]).
    pub ci_p_nominal_rank: Interval,
    pub ci_p_top_k: Interval,
    /// Monte Carlo accuracy of the median and the 5%/95% quantiles: their 95% distribution-free
    /// intervals and what the stop rule settled them on ([`super::convergence`]).
    pub median_accuracy: QuantileAccuracy,
    pub q05_accuracy: QuantileAccuracy,
    pub q95_accuracy: QuantileAccuracy,
    pub mean_score: f64,
    pub sd_score: f64,
    /// Probability of each rank band (deciles by default), best band first.
    pub band_probabilities: Vec<f64>,
    /// The band (0-based) of the nominal rank, and the probability of staying in it
    /// (rank-band stability: "stays in its nominal decile").
    pub nominal_band: usize,
    pub p_nominal_band: f64,
    /// P(rank in the bottom k), i.e. rank > n − k.
    pub p_bottom_k: f64,
}

/// How precisely a rank quantile is known from the samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantileAccuracy {
    /// 95% distribution-free (order-statistic) interval of the quantile.
    pub interval: Interval,
    /// One rank, a boundary between two, known to within the resolution, or not settled yet.
    pub state: QuantileState,
    /// For an unsettled quantile, the sample count at which it is expected to settle (0 when
    /// settled): what a converged run sizes its next batch by ([`super::convergence`]).
    #[serde(skip)]
    pub settles_after: f64,
}

impl QuantileAccuracy {
    /// `spread`: the unit's 90% rank interval width, for [`resolve`].
    fn of(counts: &[u64], p: f64, value_of: impl Fn(usize) -> f64, spread: f64) -> Self {
        let state = resolve(settle_quantile(counts, p, &value_of), spread);
        let settles_after = match state {
            QuantileState::Unsettled { low, high } => {
                // Whichever comes first: the ranks decided, or (span ∝ 1/√N) the span of the
                // undecided ranks within the resolution.
                let samples = counts.iter().sum::<u64>() as f64;
                let within = RELATIVE_RESOLUTION * spread;
                let resolved = if within > 0.0 && high >= low {
                    samples * ((high - low) / within).powi(2)
                } else {
                    f64::INFINITY
                };
                samples_to_decide(counts, p).min(resolved)
            }
            _ => 0.0,
        };
        QuantileAccuracy {
            interval: quantile_interval(counts, p, &value_of),
            state,
            settles_after,
        }
    }
}

/// P(a ranks strictly above b).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairProbability {
    pub a: String,
    pub b: String,
    pub p_a_above_b: f64,
    /// Binomial standard error of `p_a_above_b`.
    pub se: f64,
}

/// Mean within-parent weights over the samples where a unit ranked first, and where it kept
/// its nominal rank or better: SMAA central weight vectors (Lahdelma & Salminen 2001).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CentralWeights {
    pub code: String,
    pub condition: &'static str,
    pub samples: u64,
    /// One mean per tracked weight (NaN when `samples` is 0).
    pub mean_weights: Vec<f64>,
    /// An upper bound on each mean's standard error (per-sample weights are not kept; see
    /// [`super::mc_error::mean_in_unit_interval_se_bound`]).
    pub se_bound: Vec<f64>,
}

/// Everything the uncertainty analysis reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncertaintyStats {
    pub samples: u64,
    pub top_k: u32,
    /// Width of the rank bins; quantiles are exact for width 1, else within ±(width − 1)/2.
    pub rank_bin_width: u32,
    pub units: Vec<UnitRankStats>,
    /// R_S: mean over units of the mean |rank − nominal| (COINr's scalar target).
    pub mean_abs_rank_shift: f64,
    pub pairs: Vec<PairProbability>,
    pub weight_codes: Vec<String>,
    pub central_weights: Vec<CentralWeights>,
}

/// Quantile of type 7 (Hyndman & Fan 1996; R's default) of the sample whose sorted values are
/// described by `counts` (entry b = how many samples fell in bin b, bin b representing the
/// value `value_of(b)`): Q(p) = x_(⌊h⌋) + (h − ⌊h⌋)(x_(⌊h⌋+1) − x_(⌊h⌋)), h = (N − 1)p,
/// 0-based order statistics.
pub fn quantile_from_counts(counts: &[u64], p: f64, value_of: impl Fn(usize) -> f64) -> f64 {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return f64::NAN;
    }
    let h = (total - 1) as f64 * p;
    let lo = h.floor() as u64;
    let frac = h - lo as f64;
    let order_statistic = |position: u64| {
        let mut seen = 0;
        for (bin, &c) in counts.iter().enumerate() {
            seen += c;
            if position < seen {
                return value_of(bin);
            }
        }
        value_of(counts.len() - 1)
    };
    let x_lo = order_statistic(lo);
    if frac == 0.0 || lo + 1 >= total {
        return x_lo;
    }
    x_lo + frac * (order_statistic(lo + 1) - x_lo)
}

fn clamp_rank(value: f64, accumulator: &Accumulator, unit: usize) -> f64 {
    if value.is_nan() {
        return value;
    }
    value.clamp(
        f64::from(accumulator.best_rank[unit]),
        f64::from(accumulator.worst_rank[unit]),
    )
}

fn probability(hits: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    (hits as f64 / n as f64, binomial_se(hits, n))
}

/// Summarises an accumulator. `nominal_ranks`/`nominal_scores` are the top node's nominal
/// results; `weight_codes` name the accumulator's weight nodes.
pub fn summarise(
    prepared: &Prepared,
    accumulator: &Accumulator,
    nominal_ranks: &[u32],
    nominal_scores: &[f64],
    top_k: u32,
) -> UncertaintyStats {
    let n = accumulator.samples;
    let nf = n as f64;
    let bins = accumulator.bins;
    let n_units = accumulator.n_units;
    let bin_value = |b: usize| {
        let (lo, hi) = bins.range(b, n_units);
        (f64::from(lo) + f64::from(hi)) / 2.0
    };
    // Units are summarised independently (each from its own counts), in parallel: the
    // quantiles and their accuracy walk each unit's counts a dozen times. `collect` keeps the
    // units' order, so the result does not depend on the threads.
    let units: Vec<UnitRankStats> = (0..n_units)
        .into_par_iter()
        .map(|u| {
            // The unit's observed bins and their counts, in rank order: entry i is bin
            // `seen[i]`. Every statistic below walks the counts in order and an empty bin
            // changes none of them (see `statistics_skip_empty_bins`), so empty bins are left
            // out: a mid-table unit of 300,000 spans tens of thousands of ranks but holds a
            // few thousand distinct ones after as many samples, and walking its whole window
            // a dozen times made this step quadratic in the units.
            let (seen, counts): (Vec<usize>, Vec<u64>) =
                accumulator.rank_counts_of(u).iter().unzip();
            let (seen, counts) = (&seen[..], &counts[..]);
            let bin_value = move |i: usize| bin_value(seen[i]);
            // Bin values within the unit's observed range (binned midpoints can fall outside it).
            let clamped = move |b: usize| clamp_rank(bin_value(b), accumulator, u);
            let mean_rank = accumulator.rank_sum[u] as f64 / nf;
            let mean_sq = accumulator.rank_sq_sum[u] as f64 / nf;
            let mean_score = accumulator.score_scale.decode(accumulator.score_sum[u]) / nf;
            let mean_sq_score = accumulator
                .score_sq_scale
                .decode(accumulator.score_sq_sum[u])
                / nf;
            let (p_nominal_rank, se_p_nominal_rank) =
                probability(accumulator.nominal_rank_hits[u], n);
            let (p_top_k, se_p_top_k) = probability(accumulator.top_k_hits[u], n);
            let (p_nominal_or_better, _) = probability(accumulator.nominal_or_better_hits[u], n);
            let bands =
                &accumulator.band_counts[u * accumulator.n_bands..(u + 1) * accumulator.n_bands];
            let nominal_band = (nominal_ranks[u] as usize - 1) * accumulator.n_bands / n_units;
            let q05_rank = clamp_rank(
                quantile_from_counts(counts, 0.05, bin_value),
                accumulator,
                u,
            );
            let q95_rank = clamp_rank(
                quantile_from_counts(counts, 0.95, bin_value),
                accumulator,
                u,
            );
            let accuracy = |p: f64| QuantileAccuracy::of(counts, p, clamped, q95_rank - q05_rank);
            UnitRankStats {
                code: prepared.units[u].code.clone(),
                name: prepared.units[u].name.clone(),
                nominal_rank: nominal_ranks[u],
                nominal_score: nominal_scores[u],
                mean_rank,
                // Binned midpoints can fall outside the observed range: clamp to it.
                median_rank: clamp_rank(
                    quantile_from_counts(counts, 0.5, bin_value),
                    accumulator,
                    u,
                ),
                q05_rank,
                q95_rank,
                best_rank: accumulator.best_rank[u],
                worst_rank: accumulator.worst_rank[u],
                sd_rank: (mean_sq - mean_rank * mean_rank).max(0.0).sqrt(),
                mean_abs_shift: accumulator.abs_shift_sum[u] as f64 / nf,
                p_nominal_rank,
                p_nominal_or_better,
                p_top_k,
                se_p_nominal_rank,
                se_p_top_k,
                ci_p_nominal_rank: wilson(accumulator.nominal_rank_hits[u], n, Z95),
                ci_p_top_k: wilson(accumulator.top_k_hits[u], n, Z95),
                median_accuracy: accuracy(0.5),
                q05_accuracy: accuracy(0.05),
                q95_accuracy: accuracy(0.95),
                mean_score,
                // E[x²] − E[x]² loses digits to cancellation: below two samples there is no spread.
                sd_score: if n < 2 {
                    0.0
                } else {
                    (mean_sq_score - mean_score * mean_score).max(0.0).sqrt()
                },
                band_probabilities: bands.iter().map(|&c| c as f64 / nf).collect(),
                nominal_band,
                p_nominal_band: bands[nominal_band] as f64 / nf,
                p_bottom_k: accumulator.bottom_k_hits[u] as f64 / nf,
            }
        })
        .collect();
    let mean_abs_rank_shift = units.iter().map(|u| u.mean_abs_shift).sum::<f64>() / n_units as f64;
    // Every ordered pair whose count is known: all pairs, or each kept row in both directions.
    let mut pairs = Vec::new();
    let every_row = accumulator.pair_units.len() == n_units;
    let mut push = |a: usize, b: usize| {
        if let Some(count) = accumulator.above_count(a, b) {
            pairs.push(PairProbability {
                a: prepared.units[a].code.clone(),
                b: prepared.units[b].code.clone(),
                p_a_above_b: count as f64 / nf,
                se: binomial_se(count, n),
            });
        }
    };
    for &row in &accumulator.pair_units {
        for other in (0..n_units).filter(|&o| o != row) {
            push(row, other);
            if !every_row {
                push(other, row);
            }
        }
    }
    let k = accumulator.weight_nodes.len();
    let weight_codes = accumulator
        .weight_nodes
        .iter()
        .map(|&node| prepared.framework.nodes[node].code.clone())
        .collect();
    let mut central_weights = Vec::new();
    if k > 0 {
        for (row, &u) in accumulator.pair_units.iter().enumerate() {
            let conditions = [
                (
                    "ranked_first",
                    accumulator.first_hits[u],
                    &accumulator.first_weight_sum,
                ),
                (
                    "nominal_rank_or_better",
                    accumulator.nominal_or_better_hits[u],
                    &accumulator.kept_weight_sum,
                ),
            ];
            for (condition, samples, sums) in conditions {
                let mean_weights: Vec<f64> = sums[row * k..(row + 1) * k]
                    .iter()
                    .map(|&s| accumulator.weight_scale.decode(s) / samples as f64)
                    .collect();
                central_weights.push(CentralWeights {
                    code: prepared.units[u].code.clone(),
                    condition,
                    samples,
                    se_bound: mean_weights
                        .iter()
                        .map(|&w| mean_in_unit_interval_se_bound(w, samples))
                        .collect(),
                    mean_weights,
                });
            }
        }
    }
    UncertaintyStats {
        samples: n,
        top_k,
        rank_bin_width: bins.width,
        units,
        mean_abs_rank_shift,
        pairs,
        weight_codes,
        central_weights,
    }
}

/// Each unit's rank distribution over the samples, read from the accumulated rank histogram:
/// what `rank_histogram.csv` and the rank charts show. A view, not a copy, because the
/// histogram of a large index is tens of megabytes; the probabilities are computed here so
/// that reports only render.
#[derive(Debug, Clone, Copy)]
pub struct RankDistribution<'a> {
    accumulator: &'a Accumulator,
}

/// The ranks a unit took in some samples: one rank, or a bin of ranks when ranks are binned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankBin {
    /// First and last rank of the bin, inclusive.
    pub from: u32,
    pub to: u32,
    /// Samples in which the unit's rank fell in the bin.
    pub count: u64,
    /// `count` over the number of samples (0 when there are none).
    pub probability: f64,
}

impl<'a> RankDistribution<'a> {
    pub fn new(accumulator: &'a Accumulator) -> Self {
        RankDistribution { accumulator }
    }

    /// Number of units, which is also the number of ranks.
    pub fn n_units(&self) -> usize {
        self.accumulator.n_units
    }

    /// Number of samples.
    pub fn samples(&self) -> u64 {
        self.accumulator.samples
    }

    /// Whether ranks were counted in bins wider than one rank.
    pub fn binned(&self) -> bool {
        self.accumulator.bins.width > 1
    }

    /// The bins of `unit`'s distribution in rank order, from its best rank's bin to its
    /// worst's (empty bins between them included); every other bin's count is 0.
    pub fn bins_of(&self, unit: usize) -> impl Iterator<Item = RankBin> + 'a {
        let accumulator = self.accumulator;
        let samples = accumulator.samples.max(1) as f64;
        accumulator
            .rank_counts_of(unit)
            .iter()
            .map(move |(bin, count)| {
                let (from, to) = accumulator.bins.range(bin, accumulator.n_units);
                RankBin {
                    from,
                    to,
                    count,
                    probability: count as f64 / samples,
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles_from_counts_equal_r() {
        // Ranks 1,1,2,2,2,3,5 → R: quantile(x, c(.05,.5,.95), type = 7) = 1, 2, 4.4
        let counts = [2, 3, 1, 0, 1];
        let value = |b: usize| (b + 1) as f64;
        assert_eq!(quantile_from_counts(&counts, 0.5, value), 2.0);
        assert_eq!(quantile_from_counts(&counts, 0.05, value), 1.0);
        assert!((quantile_from_counts(&counts, 0.95, value) - 4.4).abs() < 1e-12);
    }

    proptest::proptest! {
        /// `summarise` reads only a unit's non-empty bins: every statistic it takes from the
        /// counts is the same over the whole window, empty bins included (windows are trimmed,
        /// so their end bins are counted).
        #[test]
        fn statistics_skip_empty_bins(
            inner in proptest::collection::vec(
                proptest::prop_oneof![3 => proptest::strategy::Just(0u64), 2 => 1u64..400],
                0..60,
            ),
            first in 1u64..300,
            last in 1u64..300,
            offset in 0usize..50,
        ) {
            let mut dense = vec![first];
            dense.extend(&inner);
            dense.push(last);
            let value = |b: usize| (offset + b + 1) as f64;
            let seen: Vec<usize> = (0..dense.len()).filter(|&b| dense[b] > 0).collect();
            let counts: Vec<u64> = seen.iter().map(|&b| dense[b]).collect();
            let sparse_value = |i: usize| value(seen[i]);
            for p in [0.05, 0.5, 0.95] {
                proptest::prop_assert_eq!(
                    quantile_from_counts(&dense, p, value).to_bits(),
                    quantile_from_counts(&counts, p, sparse_value).to_bits()
                );
                let spread = 7.0;
                let (a, b) = (
                    QuantileAccuracy::of(&dense, p, value, spread),
                    QuantileAccuracy::of(&counts, p, sparse_value, spread),
                );
                proptest::prop_assert_eq!(format!("{a:?}"), format!("{b:?}"));
            }
        }
    }

    #[test]
    fn rank_distribution_reads_bins_and_probabilities() {
        let layout = crate::engine::Layout {
            n_units: 5,
            bin_width: 2,
            n_bands: 1,
            score_bound: 1.0,
            pair_units: vec![],
            weight_nodes: vec![],
            n_factors: 0,
        };
        let mut accumulator = Accumulator::new(&layout);
        accumulator.samples = 8;
        // Unit 1 ranked 1–2 in 2 samples, 3–4 in 6, never 5th.
        accumulator.rank_counts[1] = crate::engine::histogram::RankWindow::from_counts(0, vec![2, 6]);
        let distribution = RankDistribution::new(&accumulator);
        assert!(distribution.binned());
        assert_eq!(distribution.n_units(), 5);
        let bins: Vec<RankBin> = distribution.bins_of(1).collect();
        let expected = [(1, 2, 2, 0.25), (3, 4, 6, 0.75)];
        assert_eq!(bins.len(), expected.len());
        for (bin, &(from, to, count, probability)) in bins.iter().zip(&expected) {
            assert_eq!((bin.from, bin.to, bin.count), (from, to, count));
            assert_eq!(bin.probability, probability);
        }
        // No samples: probabilities are zero, never NaN.
        accumulator.samples = 0;
        accumulator.rank_counts[0] = crate::engine::histogram::RankWindow::from_counts(0, vec![0]);
        let distribution = RankDistribution::new(&accumulator);
        assert!(distribution.bins_of(0).all(|b| b.probability == 0.0));
    }
}
