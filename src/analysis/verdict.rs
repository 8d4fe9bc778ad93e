//! The verdict on one unit's rank as facts: the numbers a policy analyst quotes, their Monte Carlo accuracy, and a one-word rating with its rule.

use serde::Serialize;

use super::convergence::QuantileState;
use super::mc_error::Interval;
use super::rank_stats::UncertaintyStats;
use super::rating::RatingRule;

pub use super::rating::Rating;

/// A unit the focus changes places with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Swap {
    pub code: String,
    pub name: String,
    pub nominal_rank: u32,
    /// The two units share a nominal rank.
    pub nominally_tied: bool,
    /// Probability that the pair's order departs from the nominal order: reversed, or for a
    /// nominal tie, either unit strictly ahead of the other.
    pub p_reversed: f64,
}

/// The verdict on the focus unit: facts only; the sentences are written by
/// `report::verdict`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FocusVerdict {
    pub code: String,
    pub name: String,
    pub nominal_rank: u32,
    /// Type-7 point estimates of the median and the 5%/95% quantiles.
    pub median_rank: f64,
    pub q05_rank: f64,
    pub q95_rank: f64,
    /// What the stop rule settled each on: one rank, a boundary between two, or unsettled.
    pub median: QuantileState,
    pub q05: QuantileState,
    pub q95: QuantileState,
    pub best_rank: u32,
    pub worst_rank: u32,
    pub p_nominal_rank: f64,
    pub se_p_nominal_rank: f64,
    pub ci_p_nominal_rank: Interval,
    pub p_nominal_or_better: f64,
    pub top_k: u32,
    pub p_top_k: f64,
    pub se_p_top_k: f64,
    pub ci_p_top_k: Interval,
    pub samples: u64,
    /// Rating of the outer candidates of the 5% and 95% quantiles (the cautious reading).
    pub rating: Rating,
    /// The rating the inner candidates give, when a quantile on a boundary makes it differ.
    pub rating_alternative: Option<Rating>,
    pub rule: RatingRule,
    /// Ranks were counted in bins of this width (1 = every rank).
    pub rank_bin_width: u32,
    /// Up to three units whose order with the focus most often reverses.
    pub swaps: Vec<Swap>,
}

/// Builds the focus unit's verdict from the summarised statistics.
pub fn focus_verdict(stats: &UncertaintyStats, focus: usize, rule: &RatingRule) -> FocusVerdict {
    let unit = &stats.units[focus];
    let by_code: std::collections::HashMap<&str, usize> = stats
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.code.as_str(), i))
        .collect();
    let nominal_of = |code: &str| by_code.get(code).map(|&i| stats.units[i].nominal_rank);
    // Departures from the nominal order, per other unit. A unit nominally behind that ends
    // strictly ahead (or ahead that ends behind) reverses the pair; a unit nominally tied with
    // the focus changes places whenever either ends strictly ahead, so both ordered pairs add.
    let mut departures: std::collections::BTreeMap<&str, f64> = Default::default();
    for pair in &stats.pairs {
        let (other, focus_above) = if pair.a == unit.code {
            (pair.b.as_str(), true)
        } else if pair.b == unit.code {
            (pair.a.as_str(), false)
        } else {
            continue;
        };
        let Some(other_rank) = nominal_of(other) else {
            continue;
        };
        let departs = match other_rank.cmp(&unit.nominal_rank) {
            std::cmp::Ordering::Less => focus_above,
            std::cmp::Ordering::Greater => !focus_above,
            std::cmp::Ordering::Equal => true,
        };
        if departs && pair.p_a_above_b > 0.0 {
            *departures.entry(other).or_default() += pair.p_a_above_b;
        }
    }
    let mut swaps: Vec<Swap> = departures
        .into_iter()
        .filter_map(|(other, p_reversed)| {
            let other_unit = &stats.units[*by_code.get(other)?];
            Some(Swap {
                code: other_unit.code.clone(),
                name: other_unit.name.clone(),
                nominal_rank: other_unit.nominal_rank,
                nominally_tied: other_unit.nominal_rank == unit.nominal_rank,
                p_reversed,
            })
        })
        .collect();
    swaps.sort_by(|a, b| {
        b.p_reversed
            .total_cmp(&a.p_reversed)
            .then(a.nominal_rank.cmp(&b.nominal_rank))
    });
    swaps.truncate(3);
    let (q05_low, q05_high) = unit.q05_accuracy.state.candidates();
    let (q95_low, q95_high) = unit.q95_accuracy.state.candidates();
    let rating = rule.rate(unit.nominal_rank, q05_low, q95_high);
    let inner = rule.rate(unit.nominal_rank, q05_high, q95_low);
    FocusVerdict {
        code: unit.code.clone(),
        name: unit.name.clone(),
        nominal_rank: unit.nominal_rank,
        median_rank: unit.median_rank,
        q05_rank: unit.q05_rank,
        q95_rank: unit.q95_rank,
        median: unit.median_accuracy.state,
        q05: unit.q05_accuracy.state,
        q95: unit.q95_accuracy.state,
        best_rank: unit.best_rank,
        worst_rank: unit.worst_rank,
        p_nominal_rank: unit.p_nominal_rank,
        se_p_nominal_rank: unit.se_p_nominal_rank,
        ci_p_nominal_rank: unit.ci_p_nominal_rank,
        p_nominal_or_better: unit.p_nominal_or_better,
        top_k: stats.top_k,
        p_top_k: unit.p_top_k,
        se_p_top_k: unit.se_p_top_k,
        ci_p_top_k: unit.ci_p_top_k,
        samples: stats.samples,
        rating,
        rating_alternative: (inner != rating).then_some(inner),
        rule: *rule,
        rank_bin_width: stats.rank_bin_width,
        swaps,
    }
}
