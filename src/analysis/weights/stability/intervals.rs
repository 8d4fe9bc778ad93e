//! One weight moving: the exact interval of a single normalised weight that keeps a unit's rank
//! and the top-k order.
//!
//! Weight `j` of group `g` moves to `v_j = t ∈ [0, 1]` and its siblings rescale proportionally,
//! `v_k = v_k0 (1 − t)/(1 − v_j0)`, so the group still sums to one. In raw terms this is moving
//! `w_j` alone with the siblings' raw sum `R` fixed: `w_j = t R / (1 − t)`. Every linear score
//! (log score on the log scale) is then affine in `t`:
//!
//! ```text
//! score_u(t) = α_u + β_u t,   β_u = M_g (C_uj − R_u),   α_u = base_u + M_g R_u,
//! R_u = Σ_{k∈g, k≠j} v_k0 C_uk / (1 − v_j0),   base_u = Σ_{g'≠g} M_g' Σ_{s∈g'} v_s0 C_us
//! ```
//!
//! so each pairwise difference changes sign at most once, at `t* = (α_b − α_a)/(β_a − β_b)`, and
//! the interval around `v_j0` on which a rank (or the top-k order) is unchanged is found exactly
//! by walking these crossings outward from `v_j0`. This is the one-at-a-time weight sensitivity
//! of rank-robustness analysis (Saisana, Saltelli & Tarantola 2005) computed in closed form rather
//! than sampled; the pairwise-difference view is that of rank intervals over weight polytopes
//! (Salo & Punkka 2011).

use serde::Serialize;

use crate::analysis::weights::linear::{LevelModel, WeightAnalysisError, WeightModel};

/// One unit passing another as a weight moves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossing {
    /// Normalised weight at which the order changes.
    pub t: f64,
    /// The same point as a raw weight (siblings' raw sum fixed); `inf` at `t = 1`.
    pub raw: f64,
    /// The unit that is above just beyond `t`.
    pub passer: String,
    /// The unit it passes.
    pub passed: String,
}

/// How far one normalised weight can move (siblings rescaling proportionally) before the
/// focus unit's rank, or the top-k order, changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StabilityInterval {
    /// Component code.
    pub weight: String,
    pub weight_index: usize,
    /// True when the weight cannot move (only member of its group, or siblings with zero
    /// nominal weight): every interval is then the single point `nominal`.
    pub fixed: bool,
    /// Nominal normalised weight `v_j0`.
    pub nominal: f64,
    pub nominal_raw: f64,
    /// The focus keeps its nominal rank for every `t` in `[keep_rank_lo, keep_rank_hi]` (except
    /// possibly at the end points themselves, where ties occur).
    pub keep_rank_lo: f64,
    pub keep_rank_hi: f64,
    pub keep_rank_lo_raw: f64,
    /// The raw (meta.csv-scale) equivalents of the ends; an upper end of normalised weight 1
    /// has no raw equivalent (any larger raw weight keeps it) and is left out of JSON.
    #[serde(skip_serializing_if = "is_unbounded")]
    pub keep_rank_hi_raw: f64,
    /// The units ranked `≤ top_k` and their ranks are unchanged for every `t` strictly inside.
    pub keep_topk_lo: f64,
    pub keep_topk_hi: f64,
    pub keep_topk_lo_raw: f64,
    #[serde(skip_serializing_if = "is_unbounded")]
    pub keep_topk_hi_raw: f64,
    /// The crossing that ends the focus's rank interval below `nominal` (`None` if it reaches 0).
    pub first_change_below: Option<Crossing>,
    /// The crossing that ends it above `nominal` (`None` if it reaches 1).
    pub first_change_above: Option<Crossing>,
    /// The crossing that ends the top-k interval below / above `nominal`.
    pub first_topk_change_below: Option<Crossing>,
    pub first_topk_change_above: Option<Crossing>,
}

/// Raw weights at which component `weight` has normalised weight `t` and its siblings have
/// rescaled proportionally (`v × nominal raw sum of the group`, so every value is finite).
#[cfg(any(test, feature = "internals"))]
pub fn weights_at(model: &LevelModel, weight: usize, t: f64) -> Vec<f64> {
    let nominal = model.nominal_weights();
    let mut v = vec![0.0; nominal.len()];
    model.normalised_weights(nominal, &mut v);
    let group = &model.groups()[model.group_of(weight)];
    let total: f64 = group.iter().map(|&s| nominal[s]).sum();
    let v0 = v[weight];
    let mut raw = nominal.to_vec();
    for &s in group {
        raw[s] = if s == weight {
            t * total
        } else if v0 < 1.0 {
            v[s] * (1.0 - t) / (1.0 - v0) * total
        } else {
            0.0
        };
    }
    raw
}

fn is_unbounded(raw: &f64) -> bool {
    raw.is_infinite()
}

/// The raw value of weight `j` that gives normalised weight `t` with the siblings' raw sum
/// `siblings` fixed: `t · siblings / (1 − t)` (`inf` at `t = 1`).
fn raw_equivalent(t: f64, siblings: f64) -> f64 {
    if t >= 1.0 {
        f64::INFINITY
    } else {
        t * siblings / (1.0 - t)
    }
}

/// A pairwise crossing point: units `a` and `b` swap order at `t`.
#[derive(Debug, Clone, Copy)]
struct Root {
    t: f64,
    a: usize,
    b: usize,
}

/// Affine scores `α_u + β_u t` of every unit as weight `j` moves.
struct AffineScores {
    alpha: Vec<f64>,
    beta: Vec<f64>,
}

impl AffineScores {
    fn new(model: &LevelModel, weight: usize, v0: &[f64]) -> Self {
        let n_units = model.n_units();
        let g = model.group_of(weight);
        let group = &model.groups()[g];
        let multiplier = model.group_multipliers()[g];
        let v_j0 = v0[weight];
        let mut alpha = vec![0.0; n_units];
        let mut beta = vec![0.0; n_units];
        for u in 0..n_units {
            let mut base = 0.0;
            for (h, other) in model.groups().iter().enumerate() {
                if h != g {
                    let sum: f64 = other.iter().map(|&s| v0[s] * model.transformed(u, s)).sum();
                    base += model.group_multipliers()[h] * sum;
                }
            }
            let rest: f64 = group
                .iter()
                .filter(|&&s| s != weight)
                .map(|&s| v0[s] * model.transformed(u, s))
                .sum::<f64>()
                / (1.0 - v_j0);
            alpha[u] = base + multiplier * rest;
            beta[u] = multiplier * (model.transformed(u, weight) - rest);
        }
        AffineScores { alpha, beta }
    }

    fn at(&self, u: usize, t: f64) -> f64 {
        self.alpha[u] + self.beta[u] * t
    }

    /// Rank of `unit` at `t` (ties share the best rank).
    fn rank(&self, unit: usize, t: f64) -> usize {
        let own = self.at(unit, t);
        1 + (0..self.alpha.len())
            .filter(|&u| self.at(u, t) > own)
            .count()
    }

    /// `(rank, unit)` of every unit ranked `≤ k` at `t`, sorted; written into `out`. A unit is
    /// ranked `≤ k` iff fewer than `k` units score strictly more, i.e. iff its score is at least
    /// the k-th largest: one selection (linear time) finds them, and only they are sorted, so a
    /// check costs `O(n + k log k)` instead of a rank count per unit (`O(n²)`, hours at 33,000
    /// units).
    fn top_k(
        &self,
        k: usize,
        t: f64,
        scratch: &mut Vec<(f64, usize)>,
        out: &mut Vec<(usize, usize)>,
    ) {
        scratch.clear();
        scratch.extend((0..self.alpha.len()).map(|u| (self.at(u, t), u)));
        let descending = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0);
        let k = k.clamp(1, scratch.len());
        let threshold = scratch.select_nth_unstable_by(k - 1, descending).1.0;
        scratch.retain(|&(score, _)| score >= threshold);
        scratch.sort_unstable_by(descending);
        out.clear();
        let mut rank = 1;
        for (position, &(score, unit)) in scratch.iter().enumerate() {
            if position > 0 && score < scratch[position - 1].0 {
                rank = position + 1;
            }
            out.push((rank, unit));
        }
        out.sort_unstable();
    }

    /// Where `a` and `b` swap order within `[0, 1]`, if they do.
    fn root(&self, a: usize, b: usize) -> Option<Root> {
        let slope = self.beta[a] - self.beta[b];
        if slope == 0.0 {
            return None;
        }
        let t = (self.alpha[b] - self.alpha[a]) / slope;
        (0.0..=1.0).contains(&t).then_some(Root { t, a, b })
    }
}

/// Walks the crossings outward from `t0` (upward or downward) while `same` holds on every
/// segment and at every crossing; returns the end of the interval and the root that ends it.
fn walk(
    t0: f64,
    roots: &[Root],
    upward: bool,
    mut same: impl FnMut(f64) -> bool,
) -> (f64, Option<f64>) {
    let boundary = if upward { 1.0 } else { 0.0 };
    let mut ahead: Vec<f64> = roots
        .iter()
        .map(|r| r.t)
        .filter(|&t| if upward { t > t0 } else { t < t0 })
        .collect();
    ahead.sort_by(|a, b| {
        if upward {
            a.total_cmp(b)
        } else {
            b.total_cmp(a)
        }
    });
    ahead.dedup();
    let mut previous = t0;
    for &t in &ahead {
        if !same(0.5 * (previous + t)) {
            return (previous, Some(previous));
        }
        if !same(t) {
            return (t, Some(t));
        }
        previous = t;
    }
    if previous != boundary && !same(0.5 * (previous + boundary)) {
        return (previous, Some(previous));
    }
    (boundary, None)
}

/// The pair among `roots` at `t` whose order differs between `inside` and `outside`: the unit
/// above at `outside` is the passer.
fn crossing_at(
    affine: &AffineScores,
    roots: &[Root],
    t: f64,
    inside: f64,
    outside: f64,
    codes: &[String],
    siblings: f64,
) -> Option<Crossing> {
    roots.iter().filter(|r| r.t == t).find_map(|r| {
        let before = affine.at(r.a, inside) - affine.at(r.b, inside);
        let after = affine.at(r.a, outside) - affine.at(r.b, outside);
        if (before > 0.0) == (after > 0.0) && (before < 0.0) == (after < 0.0) {
            return None;
        }
        let (passer, passed) = if after > 0.0 { (r.a, r.b) } else { (r.b, r.a) };
        Some(Crossing {
            t,
            raw: raw_equivalent(t, siblings),
            passer: codes[passer].clone(),
            passed: codes[passed].clone(),
        })
    })
}

/// A point just beyond `end` (away from `t0`): midway to the next crossing or the boundary.
fn beyond(end: f64, roots: &[Root], upward: bool) -> f64 {
    let boundary: f64 = if upward { 1.0 } else { 0.0 };
    let next = roots
        .iter()
        .map(|r| r.t)
        .filter(|&t| if upward { t > end } else { t < end })
        .fold(
            boundary,
            |acc, t| if upward { acc.min(t) } else { acc.max(t) },
        );
    0.5 * (end + next)
}

/// The stability interval around `t0` on both sides (downward first, then upward): each end
/// found by [`walk`], with the crossing that ends it, read just inside and just outside the end.
fn walk_both_ways(
    affine: &AffineScores,
    t0: f64,
    roots: &[Root],
    codes: &[String],
    siblings: f64,
    mut same: impl FnMut(f64) -> bool,
) -> [(f64, Option<Crossing>); 2] {
    [false, true].map(|upward| {
        let (end, change) = walk(t0, roots, upward, &mut same);
        let crossing = change.and_then(|t| {
            let inside = if t == t0 {
                t0
            } else {
                beyond(t, roots, !upward)
            };
            let outside = beyond(t, roots, upward);
            crossing_at(affine, roots, t, inside, outside, codes, siblings)
        });
        (end, crossing)
    })
}

/// Exact stability interval of every component weight for `focus` and the top `top_k`.
pub fn stability_intervals(
    model: &LevelModel,
    focus: usize,
    top_k: usize,
) -> Result<Vec<StabilityInterval>, WeightAnalysisError> {
    let n_units = model.n_units();
    if focus >= n_units {
        return Err(WeightAnalysisError::UnknownUnit {
            index: focus,
            n_units,
        });
    }
    let nominal = model.nominal_weights();
    let codes = model.unit_codes();
    let mut v0 = vec![0.0; nominal.len()];
    model.normalised_weights(nominal, &mut v0);
    let mut scratch = Vec::with_capacity(n_units);
    let mut signature = Vec::with_capacity(n_units);
    let mut reference = Vec::with_capacity(n_units);
    let mut intervals = Vec::with_capacity(nominal.len());
    for j in 0..nominal.len() {
        let group = &model.groups()[model.group_of(j)];
        let siblings: f64 = group.iter().filter(|&&s| s != j).map(|&s| nominal[s]).sum();
        let t0 = v0[j];
        let mut interval = StabilityInterval {
            weight: model.component_codes()[j].clone(),
            weight_index: j,
            fixed: true,
            nominal: t0,
            nominal_raw: nominal[j],
            keep_rank_lo: t0,
            keep_rank_hi: t0,
            keep_rank_lo_raw: nominal[j],
            keep_rank_hi_raw: nominal[j],
            keep_topk_lo: t0,
            keep_topk_hi: t0,
            keep_topk_lo_raw: nominal[j],
            keep_topk_hi_raw: nominal[j],
            first_change_below: None,
            first_change_above: None,
            first_topk_change_below: None,
            first_topk_change_above: None,
        };
        if group.len() < 2 || siblings <= 0.0 {
            intervals.push(interval);
            continue;
        }
        interval.fixed = false;
        let affine = AffineScores::new(model, j, &v0);

        // The focus's rank: crossings of the focus with every other unit.
        let focus_roots: Vec<Root> = (0..n_units)
            .filter(|&b| b != focus)
            .filter_map(|b| affine.root(focus, b))
            .collect();
        let nominal_rank = affine.rank(focus, t0);
        let [below, above] = walk_both_ways(&affine, t0, &focus_roots, codes, siblings, |t| {
            affine.rank(focus, t) == nominal_rank
        });
        (interval.keep_rank_lo, interval.first_change_below) = below;
        (interval.keep_rank_hi, interval.first_change_above) = above;
        interval.keep_rank_lo_raw = raw_equivalent(interval.keep_rank_lo, siblings);
        interval.keep_rank_hi_raw = raw_equivalent(interval.keep_rank_hi, siblings);

        // The top-k order: crossings of a nominal top-k unit with any other unit.
        affine.top_k(top_k, t0, &mut scratch, &mut reference);
        let leaders: Vec<usize> = reference.iter().map(|&(_, u)| u).collect();
        let topk_roots: Vec<Root> = leaders
            .iter()
            .flat_map(|&a| (0..n_units).filter(move |&b| b != a).map(move |b| (a, b)))
            .filter(|&(a, b)| a < b || !leaders.contains(&b))
            .filter_map(|(a, b)| affine.root(a, b))
            .collect();
        let [below, above] = walk_both_ways(&affine, t0, &topk_roots, codes, siblings, |t| {
            affine.top_k(top_k, t, &mut scratch, &mut signature);
            signature == reference
        });
        (interval.keep_topk_lo, interval.first_topk_change_below) = below;
        (interval.keep_topk_hi, interval.first_topk_change_above) = above;
        interval.keep_topk_lo_raw = raw_equivalent(interval.keep_topk_lo, siblings);
        interval.keep_topk_hi_raw = raw_equivalent(interval.keep_topk_hi, siblings);
        intervals.push(interval);
    }
    Ok(intervals)
}
