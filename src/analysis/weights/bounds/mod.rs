//! Exact best and worst rank of a unit over a weight region (Salo & Punkka 2011), by mixed-integer programming, with witness weights that are re-scored and verified.
//!
//! # Formulation
//!
//! On a [`WeightModel`] every linear score is `Σ_j A_uj x_j` with `x` ranging over the polytope
//! `P` (image of the raw-weight region, see [`crate::analysis::weights::linear`]). For focus unit `f` and
//! every other unit `b` the difference `d_b(x) = Σ_j (A_bj − A_fj) x_j` is linear; `b` is ranked
//! above `f` iff `d_b(x) > 0` (ties share the best rank). Following Salo & Punkka (2011, rank
//! intervals over incomplete weight information), the best and worst ranks are
//!
//! ```text
//! best  = 1 + min_{x∈P} #{b : d_b(x) > 0}     worst = 1 + max_{x∈P} #{b : d_b(x) > 0}
//! ```
//!
//! solved as small MILPs with one binary `y_b` per *undecided* unit:
//!
//! ```text
//! best:  min Σ y_b   s.t. x ∈ P,  d_b(x) ≤ M_b y_b                  (y_b = 0 ⇒ b not above f)
//! worst: max Σ y_b   s.t. x ∈ P,  d_b(x) ≥ ε − M_b (1 − y_b)        (y_b = 1 ⇒ b above f by ≥ ε)
//! ```
//!
//! Differences are divided by `G = max_{b,j} |A_bj − A_fj|` so that `|d_b| ≤ 1`-ish whatever the
//! score scale; `ε` = [`MARGIN`] in these units. `M_b` is the tightest valid constant: `max_P d_b`
//! (best) and `ε − min_P d_b` (worst). Units whose `d_b` keeps one sign over all of `P` get no
//! binary: `min_P d_b` and `max_P d_b` come from per-group linear-fractional optimisation over the
//! box (exact for a [`crate::analysis::weights::linear::LevelModel`] with a plain box: the optimum of
//! `Σ c_s w_s / Σ w_s` over a box puts every weight at a bound, sorted by `c_s`), otherwise from an
//! outer interval bound refined by two LPs. This pre-filter is what keeps the MILPs small.
//!
//! When at most [`spatial::MAX_WEIGHTS`] weights vary in a plain box, many undecided units are
//! not given to one MILP but to a spatial branch and bound over sub-boxes of the raw weights
//! ([`spatial`]), which finishes small sub-boxes with this MILP restricted to them: the same
//! optimum, found in seconds where the MILP over thousands of binaries did not finish in its
//! budget ([`Strategy`] selects the method; tests compare them).
//!
//! # Witnesses
//!
//! After the MILP the set of units above/below is fixed and one LP moves `x` to the point of that
//! cell that maximises the smallest margin, so the witness is as far from every tie as the cell
//! allows. It is mapped back to raw weights (`w = scale · S / τ` per sibling group, clamped into
//! the box), re-scored with [`WeightModel::score`] and ranked with ties sharing the best rank. The
//! reported rank is always the rank the witness achieves. [`RankBounds::exact`] says whether it
//! also equals the MILP optimum, i.e. whether the bound is proven extreme. It is false only when
//! float ties defeat the witness (the best rank is then re-solved with a strict margin `ε` and the
//! better of the achieved ranks reported) or when a unit can pass the focus only by less than
//! `ε · G` (the worst rank then reports the witness's rank, which counts it).
//!
//! Rank robustness framing: Saisana, Saltelli & Tarantola (2005) treat ranks under weight
//! uncertainty as outputs with intervals; here the interval is exact rather than sampled.

mod incumbent;
mod polytope;
mod spatial;

use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, variable,
    variables,
};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use super::differences::{DECIDED, FocusDifferences, focus_differences};
use super::solve::{SolveExact, columns, solve_budgeted, solver};
use crate::engine::Observer;
#[cfg(any(test, feature = "internals"))]
use crate::engine::Silent;

use super::linear::{
    LinearForm, Relation, WeightAnalysisError, WeightModel, WeightRegion, rank_of,
};
use incumbent::{Achieved, Incumbents, incumbents};
use polytope::*;
use spatial::{Counting, LeafAnswer};

pub use super::differences::MARGIN;

/// Best and worst rank of one unit over a weight region, with raw weights achieving each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankBounds {
    /// Unit code.
    pub unit: String,
    pub unit_index: usize,
    /// Rank at the nominal weights (which need not lie in the region).
    pub nominal_rank: usize,
    pub best_rank: usize,
    pub worst_rank: usize,
    /// Raw weights (indexed like [`WeightModel::nominal_weights`]) inside the region at which
    /// [`WeightModel::score`] ranks the unit exactly `best_rank`.
    pub best_witness: Vec<f64>,
    /// Raw weights inside the region at which the unit is ranked exactly `worst_rank`.
    pub worst_witness: Vec<f64>,
    /// True when both ranks are the proven optima of the MILPs (see the module documentation);
    /// the ranks are always achieved by the witnesses.
    pub exact: bool,
    /// No weights in the region rank the unit better than this: the MILP's proven optimum, or
    /// its proven bound when the time budget ran out first (then below `best_rank`: the exact
    /// best rank lies in `[best_rank_limit, best_rank]`).
    pub best_rank_limit: usize,
    /// No weights rank the unit worse than this (by at least the margin): the worst-rank MILP's
    /// optimum or, when the budget ran out, its bound (the exact worst rank lies in
    /// `[worst_rank, worst_rank_limit]`).
    pub worst_rank_limit: usize,
    /// True when a MILP stopped at its time budget before proving its optimum.
    pub budget_reached: bool,
    /// `ε · G` in linear-score units (log-score units on the log scale): smaller leads over the
    /// focus are not counted by the worst-rank MILP.
    pub margin: f64,
}

/// How the rank programs are solved. Every strategy gives the proven optimum; they differ in
/// speed (issue #15), and tests compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(not(any(test, feature = "internals")), allow(dead_code))]
pub enum Strategy {
    /// The spatial branch and bound ([`spatial`]) for more than [`spatial::LEAF_UNITS`]
    /// undecided units in a plain box of at most [`spatial::MAX_WEIGHTS`] varying weights, one
    /// MILP otherwise.
    #[default]
    Auto,
    /// One MILP over every undecided unit (the formulation above).
    Milp,
    /// The spatial search wherever the box allows it, finishing sub-boxes crossed by at most
    /// `leaf_units` undecided units with a MILP over them.
    Spatial { leaf_units: usize },
}

/// [`rank_bounds`] solved by the given `strategy`.
#[cfg(any(test, feature = "internals"))]
pub fn rank_bounds_by<M: WeightModel>(
    model: &M,
    region: &WeightRegion,
    focus: usize,
    strategy: Strategy,
) -> Result<RankBounds, WeightAnalysisError> {
    rank_bounds_by_within(model, region, focus, strategy, None)
}

/// [`rank_bounds_by`] within a `budget` per MILP ([`rank_bounds_within`]), for tests.
#[cfg(any(test, feature = "internals"))]
pub fn rank_bounds_by_within<M: WeightModel>(
    model: &M,
    region: &WeightRegion,
    focus: usize,
    strategy: Strategy,
    budget: Option<f64>,
) -> Result<RankBounds, WeightAnalysisError> {
    let polytope = Polytope::new(model, region)?;
    bounds_for(model, &polytope, focus, budget, strategy)
}

/// Exact best and worst rank of `focus` over `region` (no time limit).
#[cfg(any(test, feature = "internals"))]
pub fn rank_bounds<M: WeightModel>(
    model: &M,
    region: &WeightRegion,
    focus: usize,
) -> Result<RankBounds, WeightAnalysisError> {
    rank_bounds_within(model, region, focus, None)
}

/// [`rank_bounds`] with at most `budget` seconds for each of its two MILPs: when one runs out
/// first, its rank is the best the solver found (still achieved by its witness) and
/// [`RankBounds::best_rank_limit`] / [`RankBounds::worst_rank_limit`] carry the solver's proven
/// bound, so the exact rank is known to lie between the two ([`RankBounds::budget_reached`]).
pub fn rank_bounds_within<M: WeightModel>(
    model: &M,
    region: &WeightRegion,
    focus: usize,
    budget: Option<f64>,
) -> Result<RankBounds, WeightAnalysisError> {
    let n_units = model.n_units();
    if focus >= n_units {
        return Err(WeightAnalysisError::UnknownUnit {
            index: focus,
            n_units,
        });
    }
    let polytope = Polytope::new(model, region)?;
    bounds_for(model, &polytope, focus, budget, Strategy::Auto)
}

/// Exact best and worst rank of every unit over `region`, in unit order (computed in parallel;
/// each unit's result is independent of the thread count).
#[cfg(any(test, feature = "internals"))]
pub fn rank_bounds_all<M: WeightModel>(
    model: &M,
    region: &WeightRegion,
) -> Result<Vec<RankBounds>, WeightAnalysisError> {
    rank_bounds_all_observed(model, region, None, &Silent)
}

/// What [`rank_bounds_all_observed`] counts in its progress phase.
pub const UNITS_BOUNDED_PHASE: &str = "units bounded";

/// [`rank_bounds_all`] with a per-MILP `budget` (see [`rank_bounds_within`]), reporting
/// progress: one [`UNITS_BOUNDED_PHASE`] phase of `n_units` items, and after each unit
/// finishes, how many have finished (units finish in any order, so only the count is reported;
/// the results are the same and in unit order).
pub fn rank_bounds_all_observed<M: WeightModel>(
    model: &M,
    region: &WeightRegion,
    budget: Option<f64>,
    observer: &dyn Observer,
) -> Result<Vec<RankBounds>, WeightAnalysisError> {
    let polytope = Polytope::new(model, region)?;
    observer.phase(UNITS_BOUNDED_PHASE, model.n_units() as u64);
    let finished = AtomicU64::new(0);
    (0..model.n_units())
        .into_par_iter()
        .map(|focus| {
            let bounds = bounds_for(model, &polytope, focus, budget, Strategy::Auto);
            observer.advanced(finished.fetch_add(1, Ordering::Relaxed) + 1);
            bounds
        })
        .collect()
}

fn solver_error(what: &str, error: ResolutionError) -> WeightAnalysisError {
    WeightAnalysisError::Solver {
        what: what.to_string(),
        message: error.to_string(),
    }
}

/// Range of one unit's normalised difference to the focus.
#[derive(Debug, Clone, Copy)]
struct DifferenceRange {
    min: f64,
    max: f64,
}

/// Per-focus data: normalised difference rows and their ranges.
struct FocusProblem<'p, 'a, M: WeightModel> {
    model: &'a M,
    polytope: &'p Polytope<'a>,
    focus: usize,
    /// Row-major `(units × variables)`, `(A_b − A_f)/G`; the focus's own row is zero.
    differences: Vec<f64>,
    ranges: Vec<DifferenceRange>,
    scores: Vec<f64>,
    /// The normalisation `G` of the difference rows.
    gap: f64,
    /// Achieved best and worst ranks over sampled box vertices, computed when a MILP first
    /// needs them (see [`incumbent`]).
    incumbents: OnceLock<Incumbents>,
    strategy: Strategy,
}

/// Which units count, which may count (binary) and which never count.
#[derive(Debug, Default)]
struct Classes {
    forced: Vec<usize>,
    binary: Vec<usize>,
    never: Vec<usize>,
}

/// One MILP + centring solve: the MILP's rank, its proven limit and the verified witness.
struct Attempt {
    milp_rank: usize,
    /// The solver's proven bound on the rank (equal to `milp_rank` when proven).
    limit: usize,
    proven: bool,
    witness: Vec<f64>,
    achieved_rank: usize,
}

impl Attempt {
    /// An attempt whose rank is a sampled incumbent's (achieved, not proven), with the
    /// program's proven `limit`.
    fn sampled(achieved: &Achieved, limit: usize) -> Self {
        Attempt {
            milp_rank: achieved.rank,
            limit,
            proven: false,
            witness: achieved.witness.clone(),
            achieved_rank: achieved.rank,
        }
    }
}

/// One rank program handed to a MILP: the polytope (the region or a sub-box of it), the units
/// given a binary, the direction and the margin.
#[derive(Clone, Copy)]
struct Program<'p, 'a> {
    polytope: &'p Polytope<'a>,
    binary: &'p [usize],
    minimise: bool,
    margin: f64,
}

/// The units a MILP selected, with its proof status.
struct Selection {
    /// `None` when the time budget ran out before the solver had any solution.
    units: Option<Vec<usize>>,
    /// Proven bound on the number of selected units (the objective's dual bound).
    bound: usize,
    proven: bool,
}

fn bounds_for<M: WeightModel>(
    model: &M,
    polytope: &Polytope<'_>,
    focus: usize,
    budget: Option<f64>,
    strategy: Strategy,
) -> Result<RankBounds, WeightAnalysisError> {
    let form = polytope.form;
    let n_units = form.n_units();
    let n_variables = form.n_variables();
    let mut scores = vec![0.0; n_units];
    model.score(model.nominal_weights(), &mut scores);
    let nominal_rank = rank_of(&scores, focus);
    let unit = model.unit_codes()[focus].clone();
    let Some(FocusDifferences {
        gap,
        rows: differences,
    }) = focus_differences(form, focus)
    else {
        // Every unit has the focus's coefficients: identical scores at every weight.
        let witness = polytope.feasible_raw.clone();
        model.score(&witness, &mut scores);
        let rank = rank_of(&scores, focus);
        return Ok(RankBounds {
            unit,
            unit_index: focus,
            nominal_rank,
            best_rank: rank,
            worst_rank: rank,
            best_witness: witness.clone(),
            worst_witness: witness,
            exact: true,
            best_rank_limit: rank,
            worst_rank_limit: rank,
            budget_reached: false,
            margin: 0.0,
        });
    };
    let mut ranges = vec![DifferenceRange { min: 0.0, max: 0.0 }; n_units];
    let mut scratch = BoxScratch::new(polytope);
    for b in (0..n_units).filter(|&b| b != focus) {
        let row = &differences[b * n_variables..(b + 1) * n_variables];
        let (mut min, mut max) = polytope.quick_range(row, &mut scratch);
        // Decided for every attempt below without a binary; otherwise refine to the exact range.
        let decided = min >= MARGIN * 10.0 || max <= -MARGIN;
        if !polytope.box_exact && !decided {
            (min, max) = polytope.lp_range(row)?;
        }
        ranges[b] = DifferenceRange { min, max };
    }
    let problem = FocusProblem {
        model,
        polytope,
        focus,
        differences,
        ranges,
        scores,
        gap,
        incumbents: OnceLock::new(),
        strategy,
    };
    // The two programs are independent: on two cores they run side by side.
    let (best, worst) = rayon::join(|| problem.best(budget), || problem.worst(budget));
    let ((best_rank, best_witness, best_exact, best_rank_limit), best_proven) = best?;
    let ((worst_rank, worst_witness, worst_exact, worst_rank_limit), worst_proven) = worst?;
    Ok(RankBounds {
        unit,
        unit_index: focus,
        nominal_rank,
        best_rank,
        worst_rank,
        best_witness,
        worst_witness,
        exact: best_exact && worst_exact,
        best_rank_limit,
        worst_rank_limit,
        budget_reached: !(best_proven && worst_proven),
        margin: MARGIN * gap,
    })
}

/// A bound's rank, witness, exactness and proven limit.
type Bound = (usize, Vec<f64>, bool, usize);

impl<M: WeightModel> FocusProblem<'_, '_, M> {
    fn row(&self, b: usize) -> &[f64] {
        let n = self.polytope.form.n_variables();
        &self.differences[b * n..(b + 1) * n]
    }

    fn others(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.polytope.form.n_units()).filter(move |&b| b != self.focus)
    }

    /// The best rank, its witness, whether it is the proven optimum, and its proven limit;
    /// with whether every MILP finished within the budget.
    fn best(&self, budget: Option<f64>) -> Result<(Bound, bool), WeightAnalysisError> {
        let first = self.best_attempt(0.0, budget)?;
        if first.achieved_rank == first.milp_rank || !first.proven {
            // Proven and achieved; or the budget ran out, and the attempt already holds the
            // best achieved rank with the solver's proven limit.
            let exact = first.proven;
            let limit = first.limit.min(first.achieved_rank);
            return Ok(((first.achieved_rank, first.witness, exact, limit), first.proven));
        }
        // Float ties defeated the witness: demand a strict margin so that the units kept below
        // the focus stay below when re-scored, and keep the better achieved rank.
        let strict = self.best_attempt(MARGIN, budget)?;
        let proven = first.proven && strict.proven;
        let limit = first.limit.min(strict.achieved_rank);
        let bound = if strict.achieved_rank <= first.achieved_rank {
            let exact = proven && strict.achieved_rank == first.milp_rank;
            (strict.achieved_rank, strict.witness, exact, limit)
        } else {
            (first.achieved_rank, first.witness, false, limit)
        };
        Ok((bound, proven))
    }

    /// The worst rank, like [`FocusProblem::best`].
    fn worst(&self, budget: Option<f64>) -> Result<(Bound, bool), WeightAnalysisError> {
        let first = self.worst_attempt(MARGIN, budget)?;
        let limit = first.limit.max(first.achieved_rank);
        if first.achieved_rank == first.milp_rank || !first.proven {
            return Ok((
                (first.achieved_rank, first.witness, first.proven, limit),
                first.proven,
            ));
        }
        if first.achieved_rank > first.milp_rank {
            // A unit passes the focus by less than ε at the witness: achieved, so reported.
            return Ok((
                (first.achieved_rank, first.witness, false, limit),
                first.proven,
            ));
        }
        let wider = self.worst_attempt(MARGIN * 100.0, budget)?;
        let proven = first.proven && wider.proven;
        let bound = if wider.achieved_rank >= first.achieved_rank {
            (wider.achieved_rank, wider.witness, false, limit)
        } else {
            (first.achieved_rank, first.witness, false, limit)
        };
        Ok((bound, proven))
    }

    /// Best-rank classes when a unit kept below must satisfy `d_b ≤ −margin`.
    fn best_classes(&self, margin: f64) -> Classes {
        let mut classes = Classes::default();
        for b in self.others() {
            let range = self.ranges[b];
            if range.min > DECIDED - margin {
                classes.forced.push(b);
            } else if range.max <= -margin {
                classes.never.push(b);
            } else {
                classes.binary.push(b);
            }
        }
        classes
    }

    /// Worst-rank classes when a counted unit must satisfy `d_b ≥ margin`.
    fn worst_classes(&self, margin: f64) -> Classes {
        let mut classes = Classes::default();
        for b in self.others() {
            let range = self.ranges[b];
            if range.min >= margin {
                classes.forced.push(b);
            } else if range.max < margin {
                classes.never.push(b);
            } else {
                classes.binary.push(b);
            }
        }
        classes
    }

    /// `min Σ y_b` s.t. `d_b − M_b y_b ≤ −margin`, `M_b = max d_b + margin + DECIDED`; then centre.
    fn best_attempt(
        &self,
        margin: f64,
        budget: Option<f64>,
    ) -> Result<Attempt, WeightAnalysisError> {
        let classes = self.best_classes(margin);
        let selected = self.solve_milp(
            &classes.binary,
            true,
            |b| self.ranges[b].max + margin + DECIDED,
            margin,
            budget,
        )?;
        let limit = 1 + classes.forced.len() + selected.bound;
        let Some(units) = selected.units else {
            return Ok(Attempt::sampled(&self.incumbents().best, limit));
        };
        let below: Vec<usize> = classes
            .never
            .iter()
            .chain(classes.binary.iter().filter(|b| !units.contains(b)))
            .copied()
            .collect();
        let milp_rank = 1 + classes.forced.len() + units.len();
        let attempt = self.finish(milp_rank, limit, selected.proven, &below, &[])?;
        let sampled = &self.incumbents().best;
        Ok(if !selected.proven && sampled.rank < attempt.achieved_rank {
            Attempt::sampled(sampled, limit)
        } else {
            attempt
        })
    }

    /// `max Σ y_b` s.t. `d_b − M_b y_b ≥ margin − M_b`, `M_b = margin − min d_b + DECIDED`; then centre.
    fn worst_attempt(
        &self,
        margin: f64,
        budget: Option<f64>,
    ) -> Result<Attempt, WeightAnalysisError> {
        let classes = self.worst_classes(margin);
        let selected = self.solve_milp(
            &classes.binary,
            false,
            |b| margin - self.ranges[b].min + DECIDED,
            margin,
            budget,
        )?;
        let limit = 1 + classes.forced.len() + selected.bound;
        let Some(units) = selected.units else {
            return Ok(Attempt::sampled(&self.incumbents().worst, limit));
        };
        let above: Vec<usize> = classes.forced.iter().chain(&units).copied().collect();
        let milp_rank = 1 + above.len();
        let attempt = self.finish(milp_rank, limit, selected.proven, &[], &above)?;
        let sampled = &self.incumbents().worst;
        Ok(if !selected.proven && sampled.rank > attempt.achieved_rank {
            Attempt::sampled(sampled, limit)
        } else {
            attempt
        })
    }

    /// The sampled incumbents, computed once per focus by whichever program asks first (only
    /// budgeted programs do: they start from them and fall back on them).
    fn incumbents(&self) -> &Incumbents {
        self.incumbents.get_or_init(|| {
            incumbents(
                self.model,
                self.polytope.region,
                &self.polytope.feasible_raw,
                self.focus,
            )
        })
    }

    /// The MILP's starting point: the binaries at the sampled witness of the best (`minimise`)
    /// or worst rank, `y_b = 1` where that witness counts unit `b` (`d_b > −margin` for the
    /// best rank, `d_b ≥ margin` for the worst), in the differences the programs are written in.
    fn hint(
        &self,
        binary: &[usize],
        y: &[Variable],
        minimise: bool,
        margin: f64,
    ) -> Vec<(Variable, f64)> {
        let incumbents = self.incumbents();
        let witness = if minimise {
            &incumbents.best.witness
        } else {
            &incumbents.worst.witness
        };
        let mut linear = vec![0.0; self.polytope.form.n_units()];
        self.model.linear_score(witness, &mut linear);
        let own = linear[self.focus];
        binary
            .iter()
            .zip(y)
            .map(|(&b, &yb)| {
                let d = (linear[b] - own) / self.gap;
                let counted = if minimise { d > -margin } else { d >= margin };
                (yb, if counted { 1.0 } else { 0.0 })
            })
            .collect()
    }

    /// Solves the best (`minimise`) or worst program over the binary units within `budget`
    /// seconds; returns those counted and the proven bound on their number. Many units in a
    /// plain box of few weights go to the spatial branch and bound ([`spatial`]), the rest to
    /// one MILP.
    fn solve_milp(
        &self,
        binary: &[usize],
        minimise: bool,
        big_m: impl Fn(usize) -> f64,
        margin: f64,
        budget: Option<f64>,
    ) -> Result<Selection, WeightAnalysisError> {
        let leaf_units = match self.strategy {
            Strategy::Auto => Some(spatial::LEAF_UNITS),
            Strategy::Milp => None,
            Strategy::Spatial { leaf_units } => Some(leaf_units),
        };
        if let Some(leaf_units) = leaf_units
            && binary.len() > leaf_units
            && Counting::applies(self.polytope)
        {
            let counting = Counting {
                polytope: self.polytope,
                rows: &self.differences,
                units: binary,
                minimise,
                margin,
                leaf_units,
            };
            let incumbents = self.incumbents();
            let starts = [
                &self.polytope.feasible_raw[..],
                &incumbents.best.witness,
                &incumbents.worst.witness,
            ];
            return counting.solve(&starts, budget, |query| {
                let region = WeightRegion {
                    lower: query.lower.to_vec(),
                    upper: query.upper.to_vec(),
                    constraints: Vec::new(),
                };
                let polytope = Polytope::new(self.model, &region)?;
                let cutoff = Some(query.target);
                let program = Program {
                    polytope: &polytope,
                    binary: query.crossing,
                    minimise,
                    margin,
                };
                Ok(match self.milp(program, &big_m, query.budget, cutoff)? {
                    None => LeafAnswer {
                        units: None,
                        proven: true,
                    },
                    Some(selection) => LeafAnswer {
                        units: selection.units,
                        proven: selection.proven,
                    },
                })
            });
        }
        let program = Program {
            polytope: self.polytope,
            binary,
            minimise,
            margin,
        };
        self.milp(program, &big_m, budget, None)?
            .ok_or_else(|| solver_error("a rank-bound MILP", ResolutionError::Infeasible))
    }

    /// The MILP of the module documentation over `program`'s polytope (the region, or a sub-box
    /// of it) within `budget` seconds; with a `cutoff`, only counts of at most (best rank) or
    /// at least (worst rank) that many are sought, and `None` says there are none.
    fn milp(
        &self,
        program: Program<'_, '_>,
        big_m: &impl Fn(usize) -> f64,
        budget: Option<f64>,
        cutoff: Option<usize>,
    ) -> Result<Option<Selection>, WeightAnalysisError> {
        let Program {
            polytope,
            binary,
            minimise,
            margin,
        } = program;
        if binary.is_empty() {
            let feasible = cutoff.is_none_or(|c| minimise || c == 0);
            return Ok(feasible.then(|| Selection {
                units: Some(Vec::new()),
                bound: 0,
                proven: true,
            }));
        }
        let mut vars = variables!();
        let pv = polytope.add_variables(&mut vars);
        let y: Vec<Variable> = binary
            .iter()
            .map(|_| vars.add(variable().binary()))
            .collect();
        let mut count = Expression::with_capacity(y.len());
        for &v in &y {
            count.add_mul(1.0, v);
        }
        let mut constraints = polytope.constraints(&pv);
        for (&b, &yb) in binary.iter().zip(&y) {
            let m = big_m(b);
            let mut d = linear_expression(self.row(b), &pv.x, 1.0);
            d.add_mul(-m, yb);
            constraints.push(if minimise {
                d.leq(-margin)
            } else {
                d.geq(margin - m)
            });
        }
        if let Some(cutoff) = cutoff {
            let limit = cutoff as f64;
            constraints.push(if minimise {
                count.clone().leq(limit)
            } else {
                count.clone().geq(limit)
            });
        }
        let y_columns = columns(&vars, &y);
        // A budgeted program over the whole region starts from the sampled incumbent; an
        // unbounded one needs none.
        let hint = match (budget, cutoff) {
            (Some(_), None) => self.hint(binary, &y, minimise, margin),
            _ => Vec::new(),
        };
        let problem = if minimise {
            vars.minimise(count)
        } else {
            vars.maximise(count)
        };
        let Some(outcome) =
            solve_budgeted(problem.using(solver).with_all(constraints), budget, hint)
                .map_err(|e| solver_error("a rank-bound MILP", e))?
        else {
            return Ok(None);
        };
        let units: Option<Vec<usize>> = outcome.values.map(|values| {
            binary
                .iter()
                .zip(&y_columns)
                .filter(|&(_, &column)| values[column] > 0.5)
                .map(|(&b, _)| b)
                .collect()
        });
        // The count is an integer: a dual bound within 1e-6 of one is that integer. Without a
        // bound from the solver the trivial one (no unit / every binary unit) stands; a bound
        // never passes the incumbent's count.
        let found = units.as_ref().map(Vec::len);
        let bound = match (minimise, outcome.bound.is_finite()) {
            (true, true) => ((outcome.bound - 1e-6).ceil().max(0.0) as usize)
                .min(found.unwrap_or(binary.len())),
            (true, false) => 0,
            (false, true) => ((outcome.bound + 1e-6).floor().max(0.0) as usize)
                .clamp(found.unwrap_or(0), binary.len()),
            (false, false) => binary.len(),
        };
        Ok(Some(Selection {
            proven: outcome.proven,
            units,
            bound,
        }))
    }

    /// Centres inside the cell (`d_b ≤ −z` for `below`, `d_b ≥ z` for `above`, max `z ≤ 1`),
    /// maps to raw weights, re-scores and ranks.
    fn finish(
        &self,
        milp_rank: usize,
        limit: usize,
        proven: bool,
        below: &[usize],
        above: &[usize],
    ) -> Result<Attempt, WeightAnalysisError> {
        let mut vars = variables!();
        let pv = self.polytope.add_variables(&mut vars);
        let z = vars.add(variable().max(1.0));
        let mut constraints = self.polytope.constraints(&pv);
        for &b in below {
            let mut d = linear_expression(self.row(b), &pv.x, 1.0);
            d.add_mul(1.0, z);
            constraints.push(d.leq(0.0));
        }
        for &b in above {
            let mut d = linear_expression(self.row(b), &pv.x, 1.0);
            d.add_mul(-1.0, z);
            constraints.push(d.geq(0.0));
        }
        let solution = vars
            .maximise(z)
            .using(solver)
            .with_all(constraints)
            .solve_exact()
            .map_err(|e| solver_error("a witness inside the optimal cell", e))?;
        let (x, tau) = pv.values(&solution);
        let witness = self.polytope.witness(&x, &tau);
        let mut scores = self.scores.clone();
        self.model.score(&witness, &mut scores);
        Ok(Attempt {
            milp_rank,
            limit,
            proven,
            achieved_rank: rank_of(&scores, self.focus),
            witness,
        })
    }
}

#[cfg(test)]
mod tests;
