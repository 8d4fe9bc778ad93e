//! Weight stability of one level: exact intervals of a single normalised weight that keep a unit's rank and the top-k order, and the smallest change of the level's weights that moves a unit one place.
//!
//! # One weight moving (exact intervals)
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
//!
//! # Smallest change that moves a unit
//!
//! Over the normalised weights `v` (each group on its simplex, no box) let
//! `d_b(v) = Σ_s (A_bs − A_fs) v_s / G` (`G` the largest coefficient difference to the focus).
//! The focus moves up at least one place iff at most `r0 − 2` units stay above it, and down iff
//! at least `r0` units are above it. The smallest L1 or L∞ change is therefore the MILP
//!
//! ```text
//! Up:   min ‖v − v0‖  s.t.  d_b(v) ≤ −ε + M_b y_b,  Σ y_b ≤ r0 − 2
//! Down: min ‖v − v0‖  s.t.  d_c(v) ≥  ε − M_c (1 − y_c),  Σ y_c ≥ r0
//! ```
//!
//! (`‖·‖₁` and `‖·‖∞` linearised with auxiliary variables). The binaries stay few: first one LP
//! per unit that could be passed (or could pass) — the nearest weights at which it does by `ε`
//! while every other unit keeps its side — gives an achievable change of size `U`; only units
//! whose side can change within `‖v − v0‖ ≤ U` (Hölder bounds on `d_b` over the ball) get a
//! binary, and the MILP is restricted to that ball. The returned weights solve the MILP with
//! margin `ε` = [`MARGIN`]` · G` and are re-scored to verify the move; the same MILP with margin 0
//! (closure of the rank-changing set) gives `lower_bound`, a distance no weights that move the
//! focus can beat. This is a distance-to-rank-reversal measure in the spirit of the rank
//! robustness analysis of Saisana et al. (2005), over the weight polytope of Salo & Punkka (2011).

use good_lp::{
    Constraint, Expression, ProblemVariables, Solution, SolverModel, Variable, microlp, variable,
    variables,
};
use serde::Serialize;

use super::bounds::MARGIN;

/// A difference whose range clears the margin by this much needs no binary.
const DECIDED: f64 = 1e-9;
use super::linear::{LevelModel, WeightAnalysisError, WeightModel, rank_of};

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

    /// `(rank, unit)` of every unit ranked `≤ k` at `t`, sorted; written into `out`.
    fn top_k(&self, k: usize, t: f64, ranks: &mut [usize], out: &mut Vec<(usize, usize)>) {
        for (u, rank) in ranks.iter_mut().enumerate() {
            *rank = self.rank(u, t);
        }
        out.clear();
        out.extend(
            ranks
                .iter()
                .enumerate()
                .filter(|&(_, &r)| r <= k)
                .map(|(u, &r)| (r, u)),
        );
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
    let mut ranks = vec![0; n_units];
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
        for upward in [false, true] {
            let (end, change) = walk(t0, &focus_roots, upward, |t| {
                affine.rank(focus, t) == nominal_rank
            });
            let crossing = change.and_then(|t| {
                let inside = if t == t0 {
                    t0
                } else {
                    beyond(t, &focus_roots, !upward)
                };
                let outside = beyond(t, &focus_roots, upward);
                crossing_at(&affine, &focus_roots, t, inside, outside, codes, siblings)
            });
            if upward {
                interval.keep_rank_hi = end;
                interval.keep_rank_hi_raw = raw_equivalent(end, siblings);
                interval.first_change_above = crossing;
            } else {
                interval.keep_rank_lo = end;
                interval.keep_rank_lo_raw = raw_equivalent(end, siblings);
                interval.first_change_below = crossing;
            }
        }

        // The top-k order: crossings of a nominal top-k unit with any other unit.
        affine.top_k(top_k, t0, &mut ranks, &mut reference);
        let leaders: Vec<usize> = reference.iter().map(|&(_, u)| u).collect();
        let topk_roots: Vec<Root> = leaders
            .iter()
            .flat_map(|&a| (0..n_units).filter(move |&b| b != a).map(move |b| (a, b)))
            .filter(|&(a, b)| a < b || !leaders.contains(&b))
            .filter_map(|(a, b)| affine.root(a, b))
            .collect();
        for upward in [false, true] {
            let (end, change) = walk(t0, &topk_roots, upward, |t| {
                affine.top_k(top_k, t, &mut ranks, &mut signature);
                signature == reference
            });
            let crossing = change.and_then(|t| {
                let inside = if t == t0 {
                    t0
                } else {
                    beyond(t, &topk_roots, !upward)
                };
                let outside = beyond(t, &topk_roots, upward);
                crossing_at(&affine, &topk_roots, t, inside, outside, codes, siblings)
            });
            if upward {
                interval.keep_topk_hi = end;
                interval.keep_topk_hi_raw = raw_equivalent(end, siblings);
                interval.first_topk_change_above = crossing;
            } else {
                interval.keep_topk_lo = end;
                interval.keep_topk_lo_raw = raw_equivalent(end, siblings);
                interval.first_topk_change_below = crossing;
            }
        }
        intervals.push(interval);
    }
    Ok(intervals)
}

/// The norm in which a weight change is measured, on the normalised weights of the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChangeNorm {
    /// `Σ_s |v_s − v_s0|`.
    L1,
    /// `max_s |v_s − v_s0|`.
    LInf,
}

/// Up = a better (smaller) rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MoveDirection {
    Up,
    Down,
}

/// The smallest change of the level's normalised weights that moves the focus one place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinimalChange {
    pub norm: ChangeNorm,
    pub direction: MoveDirection,
    /// `‖v − v0‖` of the returned weights.
    pub distance: f64,
    /// No weights closer than this to the nominal ones move the focus in this direction.
    pub lower_bound: f64,
    /// Strict margin `ε` (linear-score units; log-score units on the log scale) by which the
    /// focus ends up above the unit it passes (Up) or below the unit passing it (Down).
    pub margin: f64,
    /// The unit the focus passes (Up) or that passes the focus (Down).
    pub counterpart: String,
    /// The focus's rank at the returned weights (verified with [`WeightModel::score`]).
    pub new_rank: usize,
    /// Normalised weights, each group summing to one.
    pub weights_normalised: Vec<f64>,
    /// The same as raw weights: `v × (nominal raw sum of the group)`.
    pub weights_raw: Vec<f64>,
}

/// Smallest L1 and L∞ changes moving the focus up and down one place (`None` when impossible,
/// e.g. already first, or no unit can be passed on the simplex).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinimalChanges {
    pub unit: String,
    pub nominal_rank: usize,
    pub up_l1: Option<MinimalChange>,
    pub up_linf: Option<MinimalChange>,
    pub down_l1: Option<MinimalChange>,
    pub down_linf: Option<MinimalChange>,
}

/// `sign · d_unit(v) ≥ bound` on the normalised differences.
type DifferenceRow = (usize, f64, f64);

/// The LP/MILP data shared by all searches for one focus.
struct ChangeProblem<'a> {
    model: &'a LevelModel,
    focus: usize,
    nominal_rank: usize,
    /// Largest coefficient difference to the focus (the normalisation `G`).
    gap: f64,
    v0: Vec<f64>,
    /// Normalised differences `(A_b − A_f)/G`, row-major units × components.
    differences: Vec<f64>,
    /// `d_b(v0)`, normalised.
    nominal_differences: Vec<f64>,
    /// Whether each unit is above the focus at the nominal weights.
    above: Vec<bool>,
    group_totals: Vec<f64>,
}

fn change_solver_error(e: good_lp::ResolutionError) -> WeightAnalysisError {
    WeightAnalysisError::Solver {
        what: "a minimal weight change".to_string(),
        message: e.to_string(),
    }
}

impl ChangeProblem<'_> {
    fn row(&self, b: usize) -> &[f64] {
        let n = self.v0.len();
        &self.differences[b * n..(b + 1) * n]
    }

    /// Variables `v` (each group on its simplex), the norm's auxiliaries, and `‖v − v0‖`.
    fn distance_model(
        &self,
        vars: &mut ProblemVariables,
        norm: ChangeNorm,
    ) -> (Vec<Variable>, Expression, Vec<Constraint>) {
        let n = self.v0.len();
        let v: Vec<Variable> = (0..n)
            .map(|_| vars.add(variable().min(0.0).max(1.0)))
            .collect();
        let mut constraints = Vec::new();
        for group in self.model.groups() {
            let mut sum = Expression::with_capacity(group.len());
            for &s in group {
                sum.add_mul(1.0, v[s]);
            }
            constraints.push(sum.eq(1.0));
        }
        let mut objective = Expression::with_capacity(2 * n);
        match norm {
            ChangeNorm::L1 => {
                for (&weight, &nominal) in v.iter().zip(&self.v0) {
                    let plus = vars.add(variable().min(0.0));
                    let minus = vars.add(variable().min(0.0));
                    let mut balance = Expression::with_capacity(3);
                    balance.add_mul(1.0, weight);
                    balance.add_mul(-1.0, plus);
                    balance.add_mul(1.0, minus);
                    constraints.push(balance.eq(nominal));
                    objective.add_mul(1.0, plus);
                    objective.add_mul(1.0, minus);
                }
            }
            ChangeNorm::LInf => {
                let radius = vars.add(variable().min(0.0));
                for (&weight, &nominal) in v.iter().zip(&self.v0) {
                    let mut upper = Expression::with_capacity(2);
                    upper.add_mul(1.0, weight);
                    upper.add_mul(-1.0, radius);
                    constraints.push(upper.leq(nominal));
                    let mut lower = Expression::with_capacity(2);
                    lower.add_mul(1.0, weight);
                    lower.add_mul(1.0, radius);
                    constraints.push(lower.geq(nominal));
                }
                objective.add_mul(1.0, radius);
            }
        }
        (v, objective, constraints)
    }

    fn difference(&self, unit: usize, v: &[Variable], sign: f64) -> Expression {
        let mut d = Expression::with_capacity(v.len());
        for (s, &c) in self.row(unit).iter().enumerate() {
            if c != 0.0 {
                d.add_mul(sign * c, v[s]);
            }
        }
        d
    }

    fn distance(&self, v: &[f64], norm: ChangeNorm) -> f64 {
        let deltas = v.iter().zip(&self.v0).map(|(a, b)| (a - b).abs());
        match norm {
            ChangeNorm::L1 => deltas.sum(),
            ChangeNorm::LInf => deltas.fold(0.0, f64::max),
        }
    }

    /// `min ‖v − v0‖` subject to difference rows; `None` if infeasible.
    fn solve_rows(
        &self,
        rows: &[DifferenceRow],
        norm: ChangeNorm,
    ) -> Result<Option<Vec<f64>>, WeightAnalysisError> {
        let mut vars = variables!();
        let (v, objective, mut constraints) = self.distance_model(&mut vars, norm);
        for &(unit, sign, bound) in rows {
            constraints.push(self.difference(unit, &v, sign).geq(bound));
        }
        match vars
            .minimise(objective)
            .using(microlp)
            .with_all(constraints)
            .solve()
        {
            Ok(solution) => Ok(Some(
                v.iter().map(|&x| solution.value(x).max(0.0)).collect(),
            )),
            Err(good_lp::ResolutionError::Infeasible) => Ok(None),
            Err(e) => Err(change_solver_error(e)),
        }
    }

    /// Range of `d_b` over the simplices, intersected with its range over the ball
    /// `‖v − v0‖ ≤ radius` (Hölder with `Σ_{s∈g} Δ_s = 0`: `|Σ_s D_s Δ_s| ≤ ½ range_g ‖Δ_g‖₁`
    /// for L1, `≤ R Σ_{s∈g} |D_s − median_g|` for L∞).
    fn range(&self, unit: usize, norm: ChangeNorm, radius: Option<f64>) -> (f64, f64) {
        let row = self.row(unit);
        let mut low = 0.0;
        let mut high = 0.0;
        let mut spread = 0.0f64;
        let mut absolute_deviation = 0.0;
        for group in self.model.groups() {
            let mut values: Vec<f64> = group.iter().map(|&s| row[s]).collect();
            values.sort_by(f64::total_cmp);
            let (min, max) = (values[0], values[values.len() - 1]);
            low += min;
            high += max;
            spread = spread.max(0.5 * (max - min));
            let median = values[values.len() / 2];
            absolute_deviation += values.iter().map(|x| (x - median).abs()).sum::<f64>();
        }
        if let Some(radius) = radius {
            let reach = match norm {
                ChangeNorm::L1 => spread * radius,
                ChangeNorm::LInf => absolute_deviation * radius,
            };
            let centre = self.nominal_differences[unit];
            low = low.max(centre - reach);
            high = high.min(centre + reach);
        }
        (low, high)
    }

    /// `min ‖v − v0‖` over the rank-changing set, exactly (MILP with one binary per unit whose
    /// side can change within `radius`): Up: `#{b : d_b > −margin} ≤ r0 − 2`, Down:
    /// `#{c : d_c ≥ margin} ≥ r0`. Returns the distance and the weights.
    fn solve_count(
        &self,
        direction: MoveDirection,
        norm: ChangeNorm,
        margin: f64,
        radius: Option<f64>,
    ) -> Result<Option<(f64, Vec<f64>)>, WeightAnalysisError> {
        let mut forced = 0usize;
        let mut binary = Vec::new();
        for b in (0..self.model.n_units()).filter(|&b| b != self.focus) {
            let (low, high) = self.range(b, norm, radius);
            match direction {
                MoveDirection::Up => {
                    if low > DECIDED - margin {
                        forced += 1;
                    } else if high > -margin {
                        binary.push((b, high + margin + DECIDED));
                    }
                }
                MoveDirection::Down => {
                    if low >= margin {
                        forced += 1;
                    } else if high >= margin {
                        binary.push((b, margin - low + DECIDED));
                    }
                }
            }
        }
        let target = match direction {
            // At most r0 − 2 units above.
            MoveDirection::Up => (self.nominal_rank as f64 - 2.0) - forced as f64,
            // At least r0 units above.
            MoveDirection::Down => self.nominal_rank as f64 - forced as f64,
        };
        if (direction == MoveDirection::Up && target < 0.0)
            || (direction == MoveDirection::Down && target > binary.len() as f64)
        {
            return Ok(None);
        }
        let mut vars = variables!();
        let (v, objective, mut constraints) = self.distance_model(&mut vars, norm);
        if let Some(radius) = radius {
            constraints.push(objective.clone().leq(radius * (1.0 + 1e-9) + 1e-12));
        }
        let mut count = Expression::with_capacity(binary.len());
        for &(b, big_m) in &binary {
            let y = vars.add(variable().binary());
            count.add_mul(1.0, y);
            let mut d = self.difference(b, &v, 1.0);
            d.add_mul(-big_m, y);
            constraints.push(match direction {
                MoveDirection::Up => d.leq(-margin),
                MoveDirection::Down => d.geq(margin - big_m),
            });
        }
        constraints.push(match direction {
            MoveDirection::Up => count.leq(target),
            MoveDirection::Down => count.geq(target),
        });
        match vars
            .minimise(objective)
            .using(microlp)
            .with_all(constraints)
            .solve()
        {
            Ok(solution) => {
                let weights: Vec<f64> = v.iter().map(|&x| solution.value(x).max(0.0)).collect();
                Ok(Some((self.distance(&weights, norm), weights)))
            }
            Err(good_lp::ResolutionError::Infeasible) => Ok(None),
            Err(e) => Err(change_solver_error(e)),
        }
    }

    /// Re-scores normalised weights; returns the focus's rank, the raw weights and the unit
    /// that changed side relative to the focus (first in unit order).
    fn verify(&self, v: &[f64], direction: MoveDirection) -> (usize, Vec<f64>, Option<usize>) {
        let raw: Vec<f64> = v
            .iter()
            .enumerate()
            .map(|(s, &x)| x * self.group_totals[self.model.group_of(s)])
            .collect();
        let mut scores = vec![0.0; self.model.n_units()];
        self.model.score(&raw, &mut scores);
        let rank = rank_of(&scores, self.focus);
        let own = scores[self.focus];
        let counterpart = (0..scores.len()).filter(|&b| b != self.focus).find(|&b| {
            let now_above = scores[b] > own;
            match direction {
                MoveDirection::Up => self.above[b] && !now_above,
                MoveDirection::Down => !self.above[b] && now_above,
            }
        });
        (rank, raw, counterpart)
    }

    fn moved(&self, rank: usize, direction: MoveDirection) -> bool {
        match direction {
            MoveDirection::Up => rank < self.nominal_rank,
            MoveDirection::Down => rank > self.nominal_rank,
        }
    }

    fn change(
        &self,
        direction: MoveDirection,
        norm: ChangeNorm,
        v: Vec<f64>,
    ) -> Option<MinimalChange> {
        let (new_rank, weights_raw, counterpart) = self.verify(&v, direction);
        if !self.moved(new_rank, direction) {
            return None;
        }
        Some(MinimalChange {
            norm,
            direction,
            distance: self.distance(&v, norm),
            lower_bound: 0.0,
            margin: MARGIN * self.gap,
            counterpart: counterpart
                .map_or_else(String::new, |b| self.model.unit_codes()[b].clone()),
            new_rank,
            weights_normalised: v,
            weights_raw,
        })
    }

    /// A quick achievable change: per unit that could be passed (Up) or could pass (Down),
    /// the nearest weights where it does by `ε` while every other unit keeps its side.
    fn keep_sides_change(
        &self,
        direction: MoveDirection,
        norm: ChangeNorm,
    ) -> Result<Option<MinimalChange>, WeightAnalysisError> {
        let n_units = self.model.n_units();
        let mut best: Option<MinimalChange> = None;
        for candidate in (0..n_units).filter(|&b| b != self.focus) {
            let eligible = match direction {
                MoveDirection::Up => self.above[candidate],
                MoveDirection::Down => !self.above[candidate],
            };
            if !eligible {
                continue;
            }
            let mut rows = Vec::with_capacity(n_units);
            for b in (0..n_units).filter(|&b| b != self.focus) {
                let nominal = self.nominal_differences[b];
                if b == candidate {
                    rows.push(match direction {
                        MoveDirection::Up => (b, -1.0, MARGIN),
                        MoveDirection::Down => (b, 1.0, MARGIN),
                    });
                } else if direction == MoveDirection::Up && !self.above[b] {
                    // Stays not above: d_b ≤ −min(ε, −d_b(v0)) (≤ 0 for ties).
                    rows.push((b, -1.0, MARGIN.min(-nominal).max(0.0)));
                } else if direction == MoveDirection::Down && self.above[b] {
                    // Stays above: d_b ≥ min(ε, d_b(v0)/2) > 0.
                    rows.push((b, 1.0, MARGIN.min(0.5 * nominal)));
                }
            }
            let Some(v) = self.solve_rows(&rows, norm)? else {
                continue;
            };
            if best
                .as_ref()
                .is_some_and(|b| b.distance <= self.distance(&v, norm))
            {
                continue;
            }
            if let Some(change) = self.change(direction, norm, v) {
                best = Some(change);
            }
        }
        Ok(best)
    }

    /// The exact smallest change: a quick keep-sides change bounds the search radius, then the
    /// counting MILP gives the optimum with margin `ε` (the returned weights) and with margin 0
    /// (the lower bound).
    fn best_change(
        &self,
        direction: MoveDirection,
        norm: ChangeNorm,
    ) -> Result<Option<MinimalChange>, WeightAnalysisError> {
        let quick = self.keep_sides_change(direction, norm)?;
        let radius = quick.as_ref().map(|c| c.distance);
        let Some((lower_bound, _)) = self.solve_count(direction, norm, 0.0, radius)? else {
            return Ok(quick);
        };
        let exact = self
            .solve_count(direction, norm, MARGIN, radius)?
            .and_then(|(_, v)| self.change(direction, norm, v));
        let best = match (exact, quick) {
            (Some(e), Some(q)) => Some(if e.distance <= q.distance { e } else { q }),
            (e, q) => e.or(q),
        };
        Ok(best.map(|mut change| {
            change.lower_bound = lower_bound.min(change.distance);
            change
        }))
    }
}

/// Smallest L1 and L∞ changes of the level's normalised weights that move `focus` up and down
/// one place (module documentation for the LPs and the margin).
pub fn minimal_rank_changes(
    model: &LevelModel,
    focus: usize,
) -> Result<MinimalChanges, WeightAnalysisError> {
    let n_units = model.n_units();
    if focus >= n_units {
        return Err(WeightAnalysisError::UnknownUnit {
            index: focus,
            n_units,
        });
    }
    let nominal = model.nominal_weights();
    let n = nominal.len();
    let mut v0 = vec![0.0; n];
    model.normalised_weights(nominal, &mut v0);
    let mut scores = vec![0.0; n_units];
    model.score(nominal, &mut scores);
    let nominal_rank = rank_of(&scores, focus);
    let form = model.linear_form();
    let focus_row = form.row(focus);
    let gap = (0..n_units)
        .flat_map(|b| {
            form.row(b)
                .iter()
                .zip(focus_row)
                .map(|(a, f)| (a - f).abs())
        })
        .fold(0.0, f64::max);
    let unit = model.unit_codes()[focus].clone();
    if gap == 0.0 {
        return Ok(MinimalChanges {
            unit,
            nominal_rank,
            up_l1: None,
            up_linf: None,
            down_l1: None,
            down_linf: None,
        });
    }
    let mut differences = vec![0.0; n_units * n];
    let mut nominal_differences = vec![0.0; n_units];
    for b in 0..n_units {
        for s in 0..n {
            differences[b * n + s] = (form.row(b)[s] - focus_row[s]) / gap;
        }
        nominal_differences[b] = differences[b * n..(b + 1) * n]
            .iter()
            .zip(&v0)
            .map(|(c, v)| c * v)
            .sum();
    }
    let problem = ChangeProblem {
        model,
        focus,
        nominal_rank,
        gap,
        group_totals: model
            .groups()
            .iter()
            .map(|g| g.iter().map(|&s| nominal[s]).sum())
            .collect(),
        above: scores.iter().map(|&s| s > scores[focus]).collect(),
        v0,
        differences,
        nominal_differences,
    };
    Ok(MinimalChanges {
        unit,
        nominal_rank,
        up_l1: problem.best_change(MoveDirection::Up, ChangeNorm::L1)?,
        up_linf: problem.best_change(MoveDirection::Up, ChangeNorm::LInf)?,
        down_l1: problem.best_change(MoveDirection::Down, ChangeNorm::L1)?,
        down_linf: problem.best_change(MoveDirection::Down, ChangeNorm::LInf)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::linear::{LevelModelSpec, ScoreScale};

    fn codes(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    /// One group of two components: `score_u(t) = C_u1 + (C_u0 − C_u1) t` with `t = v_0`.
    fn two_weight_model() -> LevelModel {
        LevelModel::new(LevelModelSpec {
            components: vec![vec![60.0, 40.0], vec![30.0, 70.0], vec![0.0, 10.0]],
            groups: vec![vec![0, 1]],
            group_multipliers: vec![1.0],
            scale: ScoreScale::Linear,
            nominal_weights: vec![1.0, 1.0],
            component_codes: codes("c", 2),
            unit_codes: codes("u", 3),
        })
        .unwrap()
    }

    #[test]
    fn interval_ends_where_the_scores_cross() {
        // u0: 40 + 20t, u1: 70 − 40t; they cross at t = 0.5 (the nominal point is a tie).
        // At t0 = 0.5 both share rank 1; below it u1 leads, above it u0 does.
        let model = two_weight_model();
        let intervals = stability_intervals(&model, 0, 1).unwrap();
        let first = &intervals[0];
        assert!(!first.fixed);
        assert_eq!(first.keep_rank_hi, 1.0);
        assert_eq!(first.keep_rank_lo, 0.5);
        let below = first.first_change_below.as_ref().unwrap();
        assert_eq!((below.passer.as_str(), below.passed.as_str()), ("u1", "u0"));
        assert!(
            first.first_change_above.is_none(),
            "u0 stays first above 0.5"
        );
    }

    #[test]
    fn interval_is_exact_for_an_off_nominal_crossing() {
        let mut spec = LevelModelSpec {
            components: vec![vec![60.0, 40.0], vec![30.0, 70.0], vec![0.0, 10.0]],
            groups: vec![vec![0, 1]],
            group_multipliers: vec![1.0],
            scale: ScoreScale::Linear,
            nominal_weights: vec![3.0, 1.0],
            component_codes: codes("c", 2),
            unit_codes: codes("u", 3),
        };
        let model = LevelModel::new(spec.clone()).unwrap();
        let interval = &stability_intervals(&model, 0, 2).unwrap()[0];
        // t0 = 0.75: u0 = 55 > u1 = 40. Crossing at t = 0.5; above, u0 stays first up to 1.
        assert!((interval.keep_rank_lo - 0.5).abs() < 1e-12);
        assert_eq!(interval.keep_rank_hi, 1.0);
        assert!(
            (interval.keep_rank_lo_raw - 1.0).abs() < 1e-12,
            "w0 = 0.5·1/0.5"
        );
        assert!(interval.keep_rank_hi_raw.is_infinite());
        // An unbounded raw end is left out of JSON rather than written as a non-number.
        let json = serde_json::to_string(interval).unwrap();
        assert!(
            !json.contains("keep_rank_hi_raw") && !json.contains("inf"),
            "{json}"
        );
        // u2 never enters the top 2: 10 − 10t < 40 + 20t.
        assert!((interval.keep_topk_lo - 0.5).abs() < 1e-12);
        spec.groups = vec![vec![0], vec![1]];
        spec.group_multipliers = vec![0.5, 0.5];
        let fixed = LevelModel::new(spec).unwrap();
        assert!(
            stability_intervals(&fixed, 0, 1)
                .unwrap()
                .iter()
                .all(|i| i.fixed)
        );
    }

    #[test]
    fn minimal_change_moves_exactly_one_place() {
        let mut spec = LevelModelSpec {
            components: vec![vec![60.0, 40.0], vec![30.0, 70.0], vec![0.0, 10.0]],
            groups: vec![vec![0, 1]],
            group_multipliers: vec![1.0],
            scale: ScoreScale::Linear,
            nominal_weights: vec![1.0, 3.0],
            component_codes: codes("c", 2),
            unit_codes: codes("u", 3),
        };
        spec.nominal_weights = vec![1.0, 3.0];
        let model = LevelModel::new(spec).unwrap();
        // t0 = 0.25: u0 = 45, u1 = 60 → u0 second; passes u1 at t = 0.5.
        let changes = minimal_rank_changes(&model, 0).unwrap();
        assert_eq!(changes.nominal_rank, 2);
        let up = changes.up_linf.unwrap();
        assert_eq!(up.new_rank, 1);
        assert_eq!(up.counterpart, "u1");
        assert!((up.distance - 0.25).abs() < 1e-4, "{}", up.distance);
        assert!(up.lower_bound <= up.distance && up.lower_bound > 0.25 - 1e-9);
        let up_l1 = changes.up_l1.unwrap();
        assert!(
            (up_l1.distance - 0.5).abs() < 1e-4,
            "both weights move by 0.25"
        );
        // u2 can never pass u0 on the simplex: no way down.
        assert!(changes.down_l1.is_none() && changes.down_linf.is_none());
    }
}
