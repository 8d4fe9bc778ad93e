//! The stop rule of a converged run: when every headline statistic (each unit's median, 5% and 95% rank quantiles, P(nominal rank), P(top k), and so the rating) is settled, more samples would not change what is reported.
//!
//! A run without a fixed sample count starts with [`FIRST_BATCH`] samples and grows until
//! [`assess`] finds everything settled or [`DEFAULT_MAX_SAMPLES`] (or the caller's cap) is
//! reached: each batch goes to where the unsettled statistics are expected to settle, at most
//! doubling the samples ([`next_batch_end`]). Sample i always uses random stream i, so the result equals a fixed run of the final
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
//! and a boundary when that rank is on the boundary. It also counts as settled, *resolved*,
//! when its undecided ranks span at most [`super::mc_error::RELATIVE_RESOLUTION`] (2%) of the
//! unit's 90% rank interval: only a unit spread over more than 50 ranks can be resolved this
//! way, so on small indices every quantile still settles on one rank or a boundary, while a
//! mid-table unit of 33,000 spread over thousands of ranks is given to a few dozen ranks
//! instead of sampling past 100,000 samples for the last digit. Because `|d| < z·s` and
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
//!
//! **Large indices.** Above [`super::listed::COMPACT_OUTPUT_UNITS`] units the rule waits only
//! for the listed units (the top k, the focus and its neighbours: [`super::listed`]), the ones
//! the reports print; the other units' statistics are assessed all the same, counted in
//! [`Assessment::unsettled_elsewhere`], and each quantile's state is in rank_stats.csv.

use serde::Serialize;

pub use super::mc_error::QuantileState;
use super::mc_error::{BOUNDARY_TOLERANCE, RELATIVE_RESOLUTION};
#[cfg(any(test, feature = "internals"))]
pub use super::mc_error::{DECISION_Z, settle_quantile};
use super::listed::Listed;
use super::rank_stats::{UncertaintyStats, UnitRankStats};

/// Samples of the first batch of a converged run.
pub const FIRST_BATCH: u64 = 10_000;
/// Default cap of a converged run (`--max-samples`).
pub const DEFAULT_MAX_SAMPLES: u64 = 1_000_000;
/// Largest 95% half-width of a settled probability.
pub const PROBABILITY_HALF_WIDTH: f64 = 0.005;

/// The stop rule in words (summary.json, reports), for a run whose rule covers `scope` (see
/// [`super::listed`]) or, with `None`, every unit.
pub fn stop_rule(scope: Option<&str>) -> String {
    let units = scope.unwrap_or("every unit");
    format!(
        "samples grow from 10,000 (at most doubling, to where the unsettled statistics are \
         expected to settle) until, for {units}, the median and the 5% and 95% rank quantiles \
         are settled (their distribution-free order-statistic interval at 99.9% lies on one \
         rank or spans at most {} of the unit's 90% rank interval, or P(rank ≤ m) is within \
         {}·√(p(1−p)) of the level, reported as a boundary between two ranks) and P(nominal \
         rank) and P(top k) have 95% Wilson intervals within ±{} percentage point",
        resolution_percent(),
        BOUNDARY_TOLERANCE,
        PROBABILITY_HALF_WIDTH * 100.0
    )
}

/// [`super::mc_error::RELATIVE_RESOLUTION`] as the reports write it: "2%".
pub fn resolution_percent() -> String {
    format!("{}%", RELATIVE_RESOLUTION * 100.0)
}

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
    /// No statistic of a unit the rule covers is unsettled.
    pub settled: bool,
    /// The unsettled statistics of the units the rule covers.
    pub unsettled: Vec<Unsettled>,
    /// Unsettled statistics of the units the rule does not cover (0 when it covers every
    /// unit); their states are in rank_stats.csv.
    pub unsettled_elsewhere: usize,
    /// Which units the rule covers when not every unit (e.g. "the top 10, U22238 and the units
    /// within 10 nominal ranks of it").
    pub scope: Option<String>,
    /// Quantiles reported as a boundary between two ranks.
    pub boundaries: usize,
    /// Quantiles known to within [`super::mc_error::RELATIVE_RESOLUTION`] of their unit's 90%
    /// interval, not to the rank.
    pub resolved: usize,
    /// Largest 95% half-width of P(nominal rank) and P(top k) over all units.
    pub largest_probability_error: f64,
    /// Widest range of ranks an unsettled quantile may still take (0 when all are settled).
    pub largest_rank_error: f64,
    /// The sample count at which every statistic the rule covers is expected to be settled,
    /// if the estimates stay where they are (0 when settled): sizes the next batch
    /// ([`next_batch_end`]), never decides.
    #[serde(skip)]
    pub settles_after: f64,
}

/// Checks the headline statistics against the stop rule: of every unit, or above
/// [`super::listed::COMPACT_OUTPUT_UNITS`] units of the listed ones (`focus` is the focus
/// unit's position in `stats.units`).
pub fn assess(stats: &UncertaintyStats, focus: Option<usize>) -> Assessment {
    let listed = Listed::for_stats(stats, focus);
    let mut assessment = Assessment {
        settled: true,
        unsettled: Vec::new(),
        unsettled_elsewhere: 0,
        scope: listed.map(|l| l.describe(focus.map(|f| stats.units[f].code.as_str()))),
        boundaries: 0,
        resolved: 0,
        largest_probability_error: 0.0,
        largest_rank_error: 0.0,
        settles_after: 0.0,
    };
    let samples = stats.samples as f64;
    let mut elsewhere = Vec::new();
    for unit in &stats.units {
        if listed.is_some_and(|l| !l.contains(unit.nominal_rank)) {
            // Assessed the same way, but only counted: these units do not hold the run back.
            elsewhere.clear();
            unit_unsettled(unit, &mut elsewhere);
            assessment.unsettled_elsewhere += elsewhere.len();
            continue;
        }
        for accuracy in [
            &unit.q05_accuracy,
            &unit.median_accuracy,
            &unit.q95_accuracy,
        ] {
            assessment.settles_after = assessment.settles_after.max(accuracy.settles_after);
            match accuracy.state {
                QuantileState::Boundary { .. } => assessment.boundaries += 1,
                QuantileState::Resolved { .. } => assessment.resolved += 1,
                QuantileState::Unsettled { low, high } => {
                    assessment.largest_rank_error = assessment.largest_rank_error.max(high - low)
                }
                QuantileState::Settled { .. } => {}
            }
        }
        for interval in [unit.ci_p_nominal_rank, unit.ci_p_top_k] {
            let half = interval.half_width();
            assessment.largest_probability_error = assessment.largest_probability_error.max(half);
            if half > PROBABILITY_HALF_WIDTH {
                // The Wilson half-width shrinks as 1/√N.
                assessment.settles_after = assessment
                    .settles_after
                    .max(samples * (half / PROBABILITY_HALF_WIDTH).powi(2));
            }
        }
        unit_unsettled(unit, &mut assessment.unsettled);
    }
    assessment.settled = assessment.unsettled.is_empty();
    assessment
}

/// Where a converged run that has `done` samples and is not settled goes next: to the sample
/// count at which its unsettled statistics are expected to settle ([`Assessment::settles_after`])
/// with a 10% margin, rounded up to a multiple of [`FIRST_BATCH`], but at least 25% more and at
/// most twice as many samples (estimates from few samples are rough; a short step costs one
/// more assessment, an overshoot costs samples), and never past `cap`. The batches only choose
/// where the rule is checked: each check is the same rule on all the samples so far.
pub fn next_batch_end(assessment: &Assessment, done: u64, cap: u64) -> u64 {
    let predicted = (1.1 * assessment.settles_after / FIRST_BATCH as f64).ceil();
    let predicted = if predicted.is_finite() {
        (predicted.min(u64::MAX as f64 / FIRST_BATCH as f64 / 2.0) as u64) * FIRST_BATCH
    } else {
        u64::MAX
    };
    let least = done.saturating_add(done.div_ceil(4)).max(done + 1);
    predicted
        .clamp(least, done.saturating_mul(2).max(least))
        .min(cap)
}

/// Appends one unit's unsettled headline statistics: a quantile whose state is unsettled, a
/// probability whose 95% Wilson half-width exceeds [`PROBABILITY_HALF_WIDTH`].
fn unit_unsettled(unit: &UnitRankStats, out: &mut Vec<Unsettled>) {
    for (statistic, state) in [
        (Statistic::Q05, unit.q05_accuracy.state),
        (Statistic::Median, unit.median_accuracy.state),
        (Statistic::Q95, unit.q95_accuracy.state),
    ] {
        if let QuantileState::Unsettled { low, high } = state {
            out.push(Unsettled {
                code: unit.code.clone(),
                statistic,
                low,
                high,
            });
        }
    }
    for (statistic, interval) in [
        (Statistic::PNominalRank, unit.ci_p_nominal_rank),
        (Statistic::PTopK, unit.ci_p_top_k),
    ] {
        let half = interval.half_width();
        if half.is_nan() || half > PROBABILITY_HALF_WIDTH {
            out.push(Unsettled {
                code: unit.code.clone(),
                statistic,
                low: interval.lo,
                high: interval.hi,
            });
        }
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
    /// Quantiles known to within 2% of their unit's 90% interval, not to the rank.
    pub resolved: usize,
    pub largest_probability_error: f64,
    pub largest_rank_error: f64,
    /// Every statistic the rule covers that is still unsettled (empty when `settled`).
    pub unsettled: Vec<Unsettled>,
    /// Which units the rule covers, when not every unit (above 1,000 units).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Unsettled statistics of the units outside `scope` (their states are in rank_stats.csv).
    pub unsettled_elsewhere: usize,
}

impl Convergence {
    pub fn new(assessment: Assessment, samples: u64, max_samples: Option<u64>) -> Self {
        Convergence {
            adaptive: max_samples.is_some(),
            stop_rule: stop_rule(assessment.scope.as_deref()),
            samples,
            max_samples,
            settled: assessment.settled,
            boundaries: assessment.boundaries,
            resolved: assessment.resolved,
            largest_probability_error: assessment.largest_probability_error,
            largest_rank_error: assessment.largest_rank_error,
            unsettled: assessment.unsettled,
            scope: assessment.scope,
            unsettled_elsewhere: assessment.unsettled_elsewhere,
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
    fn the_stop_rule_text_states_the_constants() {
        assert_eq!(FIRST_BATCH, 10_000, "stop_rule() writes the first batch as 10,000");
        let rule = stop_rule(None);
        assert!(rule.contains("for every unit, the median"), "{rule}");
        assert!(rule.contains("at most 2% of the unit's 90% rank interval"), "{rule}");
        assert!(rule.contains("within 0.02·√(p(1−p))"), "{rule}");
        assert!(rule.contains("within ±0.5 percentage point"), "{rule}");
        let scoped = stop_rule(Some("the top 10"));
        assert!(scoped.contains("for the top 10, the median"), "{scoped}");
    }

    #[test]
    fn the_next_batch_goes_to_the_predicted_size_within_a_quarter_and_a_doubling() {
        let expecting = |settles_after: f64| Assessment {
            settled: false,
            unsettled: Vec::new(),
            unsettled_elsewhere: 0,
            scope: None,
            boundaries: 0,
            resolved: 0,
            largest_probability_error: 0.0,
            largest_rank_error: 0.0,
            settles_after,
        };
        // Far off: at most doubling.
        assert_eq!(next_batch_end(&expecting(1e9), 10_000, 1_000_000), 20_000);
        // Within reach: the prediction + 10%, rounded up to 10,000 (95,000 → 104,500 → 110,000).
        assert_eq!(next_batch_end(&expecting(95_000.0), 80_000, 1_000_000), 110_000);
        // Just short: at least 25% more.
        assert_eq!(next_batch_end(&expecting(81_000.0), 80_000, 1_000_000), 100_000);
        // Never past the cap, and an unknown size counts as far off.
        assert_eq!(next_batch_end(&expecting(95_000.0), 80_000, 90_000), 90_000);
        assert_eq!(next_batch_end(&expecting(f64::INFINITY), 40_000, 1_000_000), 80_000);
        assert_eq!(next_batch_end(&expecting(f64::NAN), 40_000, 1_000_000), 80_000);
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
