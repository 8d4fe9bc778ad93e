//! Monte Carlo error of the uncertainty statistics: standard errors and Wilson intervals of probabilities, distribution-free intervals of rank quantiles.
//!
//! Every number a Monte Carlo run reports is an estimate from N samples. The errors here say how
//! far the estimate may be from what infinitely many samples would give (the sampling error
//! only: the scenario's own uncertainty is what the statistics describe).

use serde::Serialize;

/// Two-sided 95% standard normal quantile, z₀.₉₇₅: the level of every interval reported.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Two-sided 99.9% standard normal quantile, z₀.₉₉₉₅: the level of the stop rule's decisions
/// (see [`crate::analysis::convergence`]).
pub const Z999: f64 = 3.290_526_731_491_926;

/// A closed interval `[lo, hi]` of a Monte Carlo estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

impl Interval {
    /// Half the width: the "±" of an estimate quoted with this interval.
    pub fn half_width(self) -> f64 {
        (self.hi - self.lo) / 2.0
    }
}

/// Binomial standard error `√(p̂(1 − p̂)/N)` of a proportion `p̂ = hits/N` (NaN without
/// samples).
pub fn binomial_se(hits: u64, n: u64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    proportion_se(hits as f64 / n as f64, n)
}

/// The same from the proportion `p` itself (NaN without samples or for a missing `p`).
pub fn proportion_se(p: f64, n: u64) -> f64 {
    if n == 0 || !p.is_finite() {
        return f64::NAN;
    }
    (p * (1.0 - p) / n as f64).sqrt()
}

/// Wilson score interval of a proportion at normal quantile `z` (Wilson 1927; recommended over
/// the Wald interval `p̂ ± z·se` by Brown, Cai & DasGupta 2001, Statistical Science 16:101–133,
/// because it keeps its coverage near 0 and 1 and is never empty for an event not yet seen):
/// centre `(p̂ + z²/2N)/(1 + z²/N)`, half-width `z/(1 + z²/N)·√(p̂(1 − p̂)/N + z²/4N²)`.
pub fn wilson(hits: u64, n: u64, z: f64) -> Interval {
    if n == 0 {
        return Interval { lo: 0.0, hi: 1.0 };
    }
    let nf = n as f64;
    let p = hits as f64 / nf;
    let z2 = z * z;
    let denominator = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    // Exactly 0 and 1 at the ends (where the formula gives them up to rounding).
    Interval {
        lo: if hits == 0 {
            0.0
        } else {
            (centre - half).max(0.0)
        },
        hi: if hits >= n {
            1.0
        } else {
            (centre + half).min(1.0)
        },
    }
}

/// 1-based positions `(l, u)` of the order statistics bounding a distribution-free confidence
/// interval `[x₍l₎, x₍u₎]` for the p-quantile of N samples: the number of samples at or below
/// the true quantile is Binomial(N, p), so `l = ⌊Np − z√(Np(1 − p))⌋` and
/// `u = ⌈Np + z√(Np(1 − p))⌉ + 1` (the normal approximation to the binomial of Hahn & Meeker
/// 1991, *Statistical Intervals*, §5.2, and Conover 1999, *Practical Nonparametric Statistics*,
/// §3.2, widened by one order statistic on each side as a continuity allowance: for N = 100 and
/// p = ½ it gives the exact binomial interval [x₍₄₀₎, x₍₆₁₎], coverage 96.5%), clamped to 1..=N.
/// No assumption about the rank distribution is made.
pub fn order_statistic_positions(n: u64, p: f64, z: f64) -> (u64, u64) {
    if n == 0 {
        return (0, 0);
    }
    let nf = n as f64;
    let spread = z * (nf * p * (1.0 - p)).sqrt();
    let l = (nf * p - spread).floor().max(1.0) as u64;
    let u = ((nf * p + spread).ceil() + 1.0).min(nf) as u64;
    (l.min(n), u.max(l).min(n))
}

/// The value of the `position`-th (1-based) smallest sample described by `counts` (entry b =
/// samples in bin b, representing `value_of(b)`).
pub fn order_statistic(counts: &[u64], position: u64, value_of: impl Fn(usize) -> f64) -> f64 {
    let mut seen = 0;
    for (bin, &c) in counts.iter().enumerate() {
        seen += c;
        if position <= seen {
            return value_of(bin);
        }
    }
    value_of(counts.len().saturating_sub(1))
}

/// The 95% distribution-free interval of the p-quantile of the sample described by `counts`
/// (see [`order_statistic_positions`]); NaN bounds without samples.
pub fn quantile_interval(counts: &[u64], p: f64, value_of: impl Fn(usize) -> f64) -> Interval {
    let n: u64 = counts.iter().sum();
    if n == 0 {
        return Interval {
            lo: f64::NAN,
            hi: f64::NAN,
        };
    }
    let (l, u) = order_statistic_positions(n, p, Z95);
    Interval {
        lo: order_statistic(counts, l, &value_of),
        hi: order_statistic(counts, u, &value_of),
    }
}

/// Upper bound on the standard error of a mean of values in [0, 1] over `n` samples: by the
/// Bhatia–Davis inequality (2000) a variable in [0, 1] with mean μ has variance at most
/// μ(1 − μ), so the mean's standard error is at most `√(μ(1 − μ)/n)`. Used for central
/// weights, whose per-sample values (within-parent weights) are not kept: the bound is exact
/// when every weight is 0 or 1 and conservative otherwise.
pub fn mean_in_unit_interval_se_bound(mean: f64, n: u64) -> f64 {
    if n == 0 || !mean.is_finite() {
        return f64::NAN;
    }
    let m = mean.clamp(0.0, 1.0);
    (m * (1.0 - m) / n as f64).sqrt()
}

/// Normal quantile of the stop rule's decisions (two-sided 99.9%).
pub const DECISION_Z: f64 = Z999;
/// Stop rule (`analysis::convergence`): δ / √(p(1 − p)): how close P(rank ≤ m) must be to the level p for a boundary.
pub const BOUNDARY_TOLERANCE: f64 = 0.02;

/// What a quantile of a unit's rank settled on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum QuantileState {
    /// One rank (bin value for binned ranks).
    Settled { rank: f64 },
    /// Between `low` and `high`: P(rank ≤ low) is within the boundary tolerance of the level;
    /// `p_at_or_below` is its estimate and `half_width` its 95% Wilson half-width.
    Boundary {
        low: f64,
        high: f64,
        p_at_or_below: f64,
        half_width: f64,
    },
    /// Known to within the ranks `low` to `high`, a span of at most [`RELATIVE_RESOLUTION`] of
    /// the unit's 90% rank interval: the 99.9% interval has not closed on one rank, but what
    /// is left is finer than the distribution it describes can be read (see [`resolve`]).
    Resolved { low: f64, high: f64 },
    /// Not settled: any rank from `low` to `high` is still possible.
    Unsettled { low: f64, high: f64 },
}

impl QuantileState {
    /// The ranks still possible (one for a settled quantile).
    pub fn candidates(&self) -> (f64, f64) {
        match *self {
            QuantileState::Settled { rank } => (rank, rank),
            QuantileState::Boundary { low, high, .. }
            | QuantileState::Resolved { low, high }
            | QuantileState::Unsettled { low, high } => (low, high),
        }
    }

    pub fn is_settled(&self) -> bool {
        !matches!(self, QuantileState::Unsettled { .. })
    }
}

/// Largest span of an unsettled quantile's possible ranks, as a share of the unit's 90% rank
/// interval (q95 − q05), that counts as known ([`QuantileState::Resolved`]).
///
/// Why: a quantile settles on one rank only when P(rank ≤ m) is decided for the ranks around
/// it, which takes up to ~108,000 samples whatever the spread. For a unit spread over
/// thousands of ranks (a mid-table unit of 33,000) each rank holds a few hundredths of a
/// percent of the samples, so settling to the rank costs the most samples exactly where the
/// rank matters least. By the normal approximation of the order-statistic interval (Hahn &
/// Meeker 1991, §5.2) its 99.9% width is about 2.5/√N of the 90% interval's width, so 2% is
/// reached near N ≈ 16,000. Any interval narrower than 50 ranks gives a resolution below one
/// rank, so small indices (IECI, ASEM) still settle every quantile on one rank or a boundary.
pub const RELATIVE_RESOLUTION: f64 = 0.02;

/// An unsettled quantile whose possible ranks span at most [`RELATIVE_RESOLUTION`] of the
/// unit's 90% interval width `spread` becomes [`QuantileState::Resolved`]; every other state
/// is returned as it is.
pub fn resolve(state: QuantileState, spread: f64) -> QuantileState {
    match state {
        QuantileState::Unsettled { low, high }
            if high - low <= RELATIVE_RESOLUTION * spread && high >= low =>
        {
            QuantileState::Resolved { low, high }
        }
        other => other,
    }
}

/// Where rank bin m stands against the level p (see the module documentation).
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Below,
    Boundary,
    Above,
    Undecided,
}

impl Side {
    /// The side of a rank whose estimated P(rank ≤ m) is `d` away from the level, with the
    /// decision margin `decide` (z·s) and the boundary tolerance `delta`.
    fn of(d: f64, decide: f64, delta: f64) -> Side {
        if d.abs() + decide < delta {
            Side::Boundary
        } else if d < -decide {
            Side::Below
        } else if d > decide {
            Side::Above
        } else {
            Side::Undecided
        }
    }
}

/// The sample count at which the undecided ranks of the p-quantile of `counts` are expected to
/// be decided, if P(rank ≤ m) stays where it is now: for each rank m whose `d = F̂(m) − p` is
/// undecided, the N with `z·√(p(1 − p)/N)` equal to the larger of `|d|` (a side) and `δ − |d|` (a
/// boundary), whichever is decided first. Because that larger distance is at least δ/2, no
/// answer exceeds (2z/0.02)² ≈ 108,000 (see [`crate::analysis::convergence`]). 0 when nothing is
/// undecided; used to size a converged run's next batch, never to decide.
pub fn samples_to_decide(counts: &[u64], p: f64) -> f64 {
    let n: u64 = counts.iter().sum();
    if n == 0 {
        return 0.0;
    }
    let nf = n as f64;
    let spread = p * (1.0 - p);
    let decide = DECISION_Z * (spread / nf).sqrt();
    let delta = BOUNDARY_TOLERANCE * spread.sqrt();
    let mut cumulative = 0u64;
    let mut needed: f64 = 0.0;
    for &count in counts {
        cumulative += count;
        let d = cumulative as f64 / nf - p;
        match Side::of(d, decide, delta) {
            Side::Below => continue,
            Side::Above => break,
            Side::Boundary => {}
            Side::Undecided => {
                let gap = d.abs().max(delta - d.abs());
                needed = needed.max(DECISION_Z * DECISION_Z * spread / (gap * gap));
            }
        }
    }
    needed
}

/// Settles the p-quantile of the sample whose bins hold `counts` (bin b represents
/// `value_of(b)`), by the stop rule of `analysis::convergence` (see its documentation).
pub fn settle_quantile(counts: &[u64], p: f64, value_of: impl Fn(usize) -> f64) -> QuantileState {
    let n: u64 = counts.iter().sum();
    if n == 0 || counts.is_empty() {
        return QuantileState::Unsettled {
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    let nf = n as f64;
    let decide = DECISION_Z * (p * (1.0 - p) / nf).sqrt();
    let delta = BOUNDARY_TOLERANCE * (p * (1.0 - p)).sqrt();
    let mut cumulative = 0u64;
    let mut low: Option<usize> = None;
    let mut high = counts.len() - 1;
    let mut boundary: Option<u64> = None;
    let mut undecided = false;
    for (bin, &count) in counts.iter().enumerate() {
        cumulative += count;
        let side = Side::of(cumulative as f64 / nf - p, decide, delta);
        if side == Side::Below {
            continue;
        }
        low.get_or_insert(bin);
        match side {
            Side::Boundary => {
                boundary.get_or_insert(cumulative);
            }
            Side::Undecided => undecided = true,
            Side::Above => {
                high = bin;
                break;
            }
            Side::Below => unreachable!("skipped"),
        }
        if bin == counts.len() - 1 {
            // F = 1 at the last bin: not above only because N is tiny.
            undecided = true;
        }
    }
    let low = low.unwrap_or(counts.len() - 1);
    let (low_value, high_value) = (value_of(low), value_of(high));
    if undecided {
        QuantileState::Unsettled {
            low: low_value,
            high: high_value,
        }
    } else if low == high {
        QuantileState::Settled { rank: low_value }
    } else {
        let at = boundary.expect("a rank between low and high is on the boundary");
        QuantileState::Boundary {
            low: low_value,
            high: high_value,
            p_at_or_below: at as f64 / nf,
            half_width: wilson(at, n, Z95).half_width(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_published_values() {
        // Brown, Cai & DasGupta (2001) / R `prop.test(…, correct = FALSE)`: 7 of 20 at 95%
        // → [0.1812, 0.5671].
        let ci = wilson(7, 20, Z95);
        assert!((ci.lo - 0.181_2).abs() < 1e-4, "{ci:?}");
        assert!((ci.hi - 0.567_1).abs() < 1e-4, "{ci:?}");
        // Never empty, never outside [0, 1].
        let zero = wilson(0, 100, Z95);
        assert_eq!(zero.lo, 0.0);
        assert!(zero.hi > 0.03 && zero.hi < 0.04, "{zero:?}");
        let all = wilson(100, 100, Z95);
        assert_eq!(all.hi, 1.0);
    }

    #[test]
    fn order_statistic_interval_of_the_median() {
        // N = 100, p = 0.5, z = 1.96: Np ± z√(Np(1−p)) = 50 ± 9.8 → positions 40 and 61, the
        // exact binomial interval: P(40 ≤ Binomial(100, ½) ≤ 60) = 0.9648 ≥ 0.95.
        assert_eq!(order_statistic_positions(100, 0.5, Z95), (40, 61));
        // Values 1..=100, one each: the interval is [40, 61].
        let counts = vec![1u64; 100];
        let ci = quantile_interval(&counts, 0.5, |b| (b + 1) as f64);
        assert_eq!((ci.lo, ci.hi), (40.0, 61.0));
        // A point mass has a zero-width interval.
        let ci = quantile_interval(&[0, 500, 0], 0.05, |b| (b + 1) as f64);
        assert_eq!((ci.lo, ci.hi), (2.0, 2.0));
    }

    #[test]
    fn only_a_span_within_the_resolution_is_resolved() {
        let unsettled = QuantileState::Unsettled {
            low: 15_352.0,
            high: 15_384.0,
        };
        // 32 ranks of a 5,700-rank interval (0.56%): resolved.
        assert_eq!(
            resolve(unsettled, 5_700.0),
            QuantileState::Resolved {
                low: 15_352.0,
                high: 15_384.0
            }
        );
        // The same span over a 1,000-rank interval (3.2%): still unsettled.
        assert_eq!(resolve(unsettled, 1_000.0), unsettled);
        // Below 50 ranks of spread no span of two ranks or more is resolved: small indices
        // settle on one rank or a boundary as before.
        let two = QuantileState::Unsettled {
            low: 7.0,
            high: 8.0,
        };
        assert_eq!(resolve(two, 49.0), two);
        let settled = QuantileState::Settled { rank: 7.0 };
        assert_eq!(resolve(settled, 1e6), settled);
    }

    #[test]
    fn samples_to_decide_is_where_the_decision_margin_meets_the_distance() {
        let (z, delta) = (DECISION_Z, BOUNDARY_TOLERANCE * 0.5);
        // F(1) = 0.506 after 10,000 samples: undecided (z·s = 0.0165); |d| = 0.006 > δ − |d|
        // = 0.004, so the side is decided first, at N = z²·¼/0.006².
        let needed = samples_to_decide(&[5_060, 4_940], 0.5);
        let expected = z * z * 0.25 / (0.006f64 * 0.006);
        assert!((needed - expected).abs() < 1e-6 * expected, "{needed} vs {expected}");
        // F(1) = 0.502: the boundary is decided first, at δ − |d| = 0.008.
        let needed = samples_to_decide(&[5_020, 4_980], 0.5);
        let expected = z * z * 0.25 / ((delta - 0.002) * (delta - 0.002));
        assert!((needed - expected).abs() < 1e-6 * expected, "{needed} vs {expected}");
        // Never beyond the guaranteed size, and 0 once decided.
        for below in 4_900..5_100 {
            assert!(samples_to_decide(&[below, 10_000 - below], 0.5) <= 108_300.0);
        }
        assert_eq!(samples_to_decide(&[3_000, 4_000, 3_000], 0.5), 0.0);
        // At the predicted size the quantile does settle (with F unchanged).
        let n = samples_to_decide(&[5_060, 4_940], 0.5).ceil() as u64 + 1;
        let below = (0.506 * n as f64).round() as u64;
        assert!(settle_quantile(&[below, n - below], 0.5, |b| b as f64).is_settled());
    }

    #[test]
    fn central_weight_bound_is_exact_for_zero_one_weights() {
        // Weights that are 1 in 30 of 100 samples and 0 otherwise: sd of the mean is
        // √(0.3·0.7/100) exactly (population variance).
        let bound = mean_in_unit_interval_se_bound(0.3, 100);
        assert!((bound - (0.21f64 / 100.0).sqrt()).abs() < 1e-15);
    }
}
