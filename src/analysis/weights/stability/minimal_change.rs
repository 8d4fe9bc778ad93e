//! The smallest change of a level's weights that moves a unit one place.
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
    Constraint, Expression, ProblemVariables, Solution, SolverModel, Variable, variable, variables,
};
use serde::Serialize;

use crate::analysis::weights::differences::{DECIDED, FocusDifferences, MARGIN, focus_differences};
use crate::analysis::weights::linear::{LevelModel, WeightAnalysisError, WeightModel, rank_of};
use crate::analysis::weights::solve::{SolveExact, solver};

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

    /// `min ‖v − v0‖` subject to difference rows (and `‖v − v0‖ ≤ radius`); `None` if
    /// infeasible.
    fn solve_rows(
        &self,
        rows: &[DifferenceRow],
        norm: ChangeNorm,
        radius: Option<f64>,
    ) -> Result<Option<Vec<f64>>, WeightAnalysisError> {
        let mut vars = variables!();
        let (v, objective, mut constraints) = self.distance_model(&mut vars, norm);
        if let Some(radius) = radius {
            constraints.push(objective.clone().leq(radius * (1.0 + 1e-9) + 1e-12));
        }
        for &(unit, sign, bound) in rows {
            constraints.push(self.difference(unit, &v, sign).geq(bound));
        }
        match vars
            .minimise(objective)
            .using(solver)
            .with_all(constraints)
            .solve_exact()
        {
            Ok(solution) => Ok(Some(
                v.iter().map(|&x| solution.value(x).max(0.0)).collect(),
            )),
            Err(good_lp::ResolutionError::Infeasible) => Ok(None),
            Err(e) => Err(change_solver_error(e)),
        }
    }

    /// How far `d_b` can move per unit of `‖v − v0‖` (the Hölder constants of
    /// [`ChangeProblem::range`]).
    fn reach(&self, unit: usize, norm: ChangeNorm) -> f64 {
        let row = self.row(unit);
        let mut spread = 0.0f64;
        let mut absolute_deviation = 0.0;
        let mut values = Vec::new();
        for group in self.model.groups() {
            values.clear();
            values.extend(group.iter().map(|&s| row[s]));
            values.sort_by(f64::total_cmp);
            let (min, max) = (values[0], values[values.len() - 1]);
            spread = spread.max(0.5 * (max - min));
            let median = values[values.len() / 2];
            absolute_deviation += values.iter().map(|x| (x - median).abs()).sum::<f64>();
        }
        match norm {
            ChangeNorm::L1 => spread,
            ChangeNorm::LInf => absolute_deviation,
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
            .using(solver)
            .with_all(constraints)
            .solve_exact()
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
    /// the nearest weights where it does by `ε` while every other unit keeps its side; the
    /// nearest of these.
    ///
    /// Candidates are tried in order of a lower bound on their distance (Hölder, as in
    /// [`ChangeProblem::range`]: `d_b` moves by at most `reach_b · ‖v − v0‖`, so it cannot
    /// change sign closer than `|d_b(v0)| / reach_b`), and the search stops once that bound
    /// passes the nearest change found; each later LP is confined to the ball of that radius,
    /// where only units whose side can change there need a row. The minimum is the same as
    /// trying every candidate with every row, in far fewer and smaller LPs (issue #15: at
    /// 33,000 units the plain loop was 16,000 LPs of 33,000 rows).
    fn keep_sides_change(
        &self,
        direction: MoveDirection,
        norm: ChangeNorm,
    ) -> Result<Option<MinimalChange>, WeightAnalysisError> {
        let n_units = self.model.n_units();
        let mut candidates: Vec<(f64, usize)> = (0..n_units)
            .filter(|&b| b != self.focus)
            .filter(|&b| match direction {
                MoveDirection::Up => self.above[b],
                MoveDirection::Down => !self.above[b],
            })
            .map(|b| {
                let reach = self.reach(b, norm);
                let needed = self.nominal_differences[b].abs();
                let distance = if reach > 0.0 {
                    needed / reach
                } else {
                    f64::INFINITY
                };
                (distance, b)
            })
            .collect();
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut best: Option<MinimalChange> = None;
        for &(lower_bound, candidate) in &candidates {
            let radius = best.as_ref().map(|b| b.distance);
            if lower_bound.is_infinite() || radius.is_some_and(|r| lower_bound > r) {
                break;
            }
            let mut rows = Vec::new();
            for b in (0..n_units).filter(|&b| b != self.focus) {
                let nominal = self.nominal_differences[b];
                let row = if b == candidate {
                    match direction {
                        MoveDirection::Up => (b, -1.0, MARGIN),
                        MoveDirection::Down => (b, 1.0, MARGIN),
                    }
                } else if direction == MoveDirection::Up && !self.above[b] {
                    // Stays not above: d_b ≤ −min(ε, −d_b(v0)) (≤ 0 for ties).
                    (b, -1.0, MARGIN.min(-nominal).max(0.0))
                } else if direction == MoveDirection::Down && self.above[b] {
                    // Stays above: d_b ≥ min(ε, d_b(v0)/2) > 0.
                    (b, 1.0, MARGIN.min(0.5 * nominal))
                } else {
                    continue;
                };
                // Within the ball the row may hold whatever the weights: then it is left out.
                if b != candidate
                    && let Some(radius) = radius
                {
                    let (low, high) = self.range(b, norm, Some(radius));
                    let implied = if row.1 > 0.0 {
                        low >= row.2
                    } else {
                        -high >= row.2
                    };
                    if implied {
                        continue;
                    }
                }
                rows.push(row);
            }
            let Some(v) = self.solve_rows(&rows, norm, radius)? else {
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
    let unit = model.unit_codes()[focus].clone();
    let Some(FocusDifferences {
        gap,
        rows: differences,
    }) = focus_differences(model.linear_form(), focus)
    else {
        return Ok(MinimalChanges {
            unit,
            nominal_rank,
            up_l1: None,
            up_linf: None,
            down_l1: None,
            down_linf: None,
        });
    };
    let nominal_differences: Vec<f64> = differences
        .chunks_exact(n)
        .map(|row| row.iter().zip(&v0).map(|(c, v)| c * v).sum())
        .collect();
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
