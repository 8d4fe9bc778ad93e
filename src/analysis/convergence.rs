//! The stop rule of a converged run: when every headline statistic (each unit's median, 5% and 95% rank quantiles, P(nominal rank), P(top k), and so the rating) is settled, more samples would not change what is reported.
//!
//! A run without a fixed sample count starts with [`FIRST_BATCH`] samples and doubles until
//! [`assess`] finds everything settled or [`DEFAULT_MAX_SAMPLES`] (or the caller's cap) is
//! reached. Sample i always uses random stream i, so the result equals a fixed run of the final
//! size, bit for bit, for any thread count.
//!
//! **Quantiles.** The p-quantile of a unit's rank is the smallest rank m with
//! F(m) = P(rank ≤ m) ≥ p. For each rank m the count of samples at or below m is
//! Binomial(N, F(m)), so whether F(m) is below or above p is a binomial test of the counts at
//! the neighbouring ranks: the same test that gives the distribution-free order-statistic
//! interval of the quantile (Hahn & Meeker 1991, §5.2; Conover 1999, §3.2; see
//! [`super::mc_error::order_statistic_positions`]). With `s = √(p(1 − p)/N)`, `d = F̂(m) − p`
//! and `z` = [`DECISION_Z`], rank m is
//! - *below* when `d < −z·s`, *above* when `d > z·s` (the quantile's interval lies on one side
//!   of m);
//! - *on the boundary* when `|d| + z·s < δ`, `δ = 0.02·√(p(1 − p))` ([`BOUNDARY_TOLERANCE`]):
//!   F(m) is within δ of p (for the median, P(rank ≤ m) = 0.50 ± 0.01), where the quantile is m
//!   or m + 1 depending on digits no run can settle. Such a quantile is reported as a boundary
//!   ("7 or 8") instead of being sampled for ever. δ is 2% of the level's binomial standard
//!   deviation: small enough that a boundary is a genuine tie at the precision of any report
//!   (the median's P(rank ≤ m) within ±0.01), large enough to be decided after ~10⁵ samples;
//! - undecided otherwise.
//!
//! The quantile is settled when no rank is undecided; its value is the first rank not below,
//! and a boundary when that rank is on the boundary. Because `|d| < z·s` and
//! `|d| > δ − z·s` cannot both hold once `2z·s < δ`, every quantile is settled by
//! N > (2z/0.02)² ≈ 108,000 samples: the rule always stops.
//!
//! **Decisions at 99.9%.** A run makes about 3n quantile decisions and 2n probability checks
//! for n units; at 95% one of 37 units' statistics would be wrongly settled in most runs. A
//! Bonferroni bound over ~100 decisions at 99.9% keeps the chance of any wrong decision near
//! 10% (an exact Bonferroni level would shrink with n and make large indices sample for ever,
//! hence "Bonferroni-ish"). Intervals are *reported* at 95%.
//!
//! **Probabilities.** P(nominal rank) and P(top k) are settled when their 95% Wilson interval
//! ([`super::mc_error::wilson`]) is within ±[`PROBABILITY_HALF_WIDTH`] (half a percentage
//! point, the precision at which they are printed): at most ~38,400 samples.
//!
//! **The rating** depends only on the 5% and 95% quantiles, so it is settled when they are; a
//! quantile on a boundary whose two ranks would give different ratings makes the rating a
//! boundary too (see [`super::verdict`]).

use serde::Serialize;

pub use super::mc_error::QuantileState;
#[cfg(any(test, feature = "internals"))]
pub use super::mc_error::{BOUNDARY_TOLERANCE, DECISION_Z, settle_quantile};
use super::rank_stats::UncertaintyStats;

/// Samples of the first batch of a converged run.
pub const FIRST_BATCH: u64 = 10_000;
/// Default cap of a converged run (`--max-samples`).
pub const DEFAULT_MAX_SAMPLES: u64 = 1_000_000;
/// Largest 95% half-width of a settled probability.
pub const PROBABILITY_HALF_WIDTH: f64 = 0.005;

/// The stop rule in words (summary.json, reports).
pub const STOP_RULE: &str = "samples double from 10,000 until, for every unit, the median and the 5% and 95% rank quantiles are settled (their distribution-free order-statistic interval at 99.9% lies on one rank, or P(rank ≤ m) is within 0.02·√(p(1−p)) of the level, reported as a boundary between two ranks) and P(nominal rank) and P(top k) have 95% Wilson intervals within ±0.5 percentage point";

/// Which headline statistic is unsettled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    Median,
    Q05,
    Q95,
    PNominalRank,
    PTopK,
}

/// One statistic that more samples could still change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unsettled {
    pub code: String,
    pub statistic: Statistic,
    /// For a quantile: the ranks still possible; for a probability: its 95% interval.
    pub low: f64,
    pub high: f64,
}

/// Where a run stands against the stop rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub settled: bool,
    pub unsettled: Vec<Unsettled>,
    /// Quantiles reported as a boundary between two ranks.
    pub boundaries: usize,
    /// Largest 95% half-width of P(nominal rank) and P(top k) over all units.
    pub largest_probability_error: f64,
    /// Widest range of ranks an unsettled quantile may still take (0 when all are settled).
    pub largest_rank_error: f64,
}

/// Checks every unit's headline statistics against the stop rule.
pub fn assess(stats: &UncertaintyStats) -> Assessment {
    let mut unsettled = Vec::new();
    let mut boundaries = 0;
    let mut largest_probability_error = 0.0f64;
    let mut largest_rank_error = 0.0f64;
    for unit in &stats.units {
        for (statistic, state) in [
            (Statistic::Q05, unit.q05_accuracy.state),
            (Statistic::Median, unit.median_accuracy.state),
            (Statistic::Q95, unit.q95_accuracy.state),
        ] {
            match state {
                QuantileState::Settled { .. } => {}
                QuantileState::Boundary { .. } => boundaries += 1,
                QuantileState::Unsettled { low, high } => {
                    largest_rank_error = largest_rank_error.max(high - low);
                    unsettled.push(Unsettled {
                        code: unit.code.clone(),
                        statistic,
                        low,
                        high,
                    });
                }
            }
        }
        for (statistic, interval) in [
            (Statistic::PNominalRank, unit.ci_p_nominal_rank),
            (Statistic::PTopK, unit.ci_p_top_k),
        ] {
            let half = interval.half_width();
            largest_probability_error = largest_probability_error.max(half);
            if half.is_nan() || half > PROBABILITY_HALF_WIDTH {
                unsettled.push(Unsettled {
                    code: unit.code.clone(),
                    statistic,
                    low: interval.lo,
                    high: interval.hi,
                });
            }
        }
    }
    Assessment {
        settled: unsettled.is_empty(),
        unsettled,
        boundaries,
        largest_probability_error,
        largest_rank_error,
    }
}

/// How a run chose its number of samples, and where it ended (summary.json, reports).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Convergence {
    /// `true` for a converged run (no fixed sample count), `false` for `--samples N`.
    pub adaptive: bool,
    pub stop_rule: String,
    pub samples: u64,
    /// The cap of an adaptive run.
    pub max_samples: Option<u64>,
    pub settled: bool,
    pub boundaries: usize,
    pub largest_probability_error: f64,
    pub largest_rank_error: f64,
    /// Every statistic still unsettled (empty when `settled`).
    pub unsettled: Vec<Unsettled>,
}

impl Convergence {
    pub fn new(assessment: Assessment, samples: u64, max_samples: Option<u64>) -> Self {
        Convergence {
            adaptive: max_samples.is_some(),
            stop_rule: STOP_RULE.to_string(),
            samples,
            max_samples,
            settled: assessment.settled,
            boundaries: assessment.boundaries,
            largest_probability_error: assessment.largest_probability_error,
            largest_rank_error: assessment.largest_rank_error,
            unsettled: assessment.unsettled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank(b: usize) -> f64 {
        (b + 1) as f64
    }

    #[test]
    fn a_clear_median_settles_on_one_rank() {
        // 30% rank 1, 40% rank 2, 30% rank 3 over 10,000 samples: F(1) = 0.3, F(2) = 0.7.
        let state = settle_quantile(&[3000, 4000, 3000], 0.5, rank);
        assert_eq!(state, QuantileState::Settled { rank: 2.0 });
    }

    #[test]
    fn an_exact_tie_is_a_boundary_not_a_side() {
        // F(1) = 0.5 exactly: the median is 1 or 2.
        let state = settle_quantile(&[50_000, 50_000], 0.5, rank);
        match state {
            QuantileState::Boundary {
                low,
                high,
                p_at_or_below,
                half_width,
            } => {
                assert_eq!((low, high), (1.0, 2.0));
                assert_eq!(p_at_or_below, 0.5);
                assert!(half_width > 0.003 && half_width < 0.0032, "{half_width}");
            }
            other => panic!("{other:?}"),
        }
        // Too few samples to tell a tie from a side: unsettled.
        let state = settle_quantile(&[5000, 5000], 0.5, rank);
        assert_eq!(
            state,
            QuantileState::Unsettled {
                low: 1.0,
                high: 2.0
            }
        );
    }

    #[test]
    fn every_quantile_settles_by_the_guaranteed_size() {
        // F(1) at the worst distance from ½ (between the two regions), N = 110,000 > 108,241.
        let n = 110_000u64;
        for share in [0.49, 0.4925, 0.495, 0.4975, 0.5, 0.505, 0.51] {
            let below = (share * n as f64) as u64;
            let state = settle_quantile(&[below, n - below], 0.5, rank);
            assert!(state.is_settled(), "{share}: {state:?}");
        }
    }
}
