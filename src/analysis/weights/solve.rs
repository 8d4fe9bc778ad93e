//! The one place the weight analyses hand a program to a solver: HiGHS (Huangfu & Hall 2018,
//! "Parallelizing the dual revised simplex method"; its branch-and-cut MILP solver), through
//! good_lp, configured so that its answers can be trusted as exact.
//!
//! HiGHS's defaults are tuned for speed on large models: a relative MIP gap of 1e-4 (a count of
//! 30,000 units could stop 3 short of its optimum), feasibility tolerances of 1e-7/1e-6 (the size
//! of our strict margin). Here the gap is zero (an integer count is optimal once the bound is
//! within 1 of it), tolerances are 1e-9 (1,000 times below [`super::differences::MARGIN`]), and each
//! solve runs on one thread (callers parallelise over units with rayon, and a single-threaded
//! HiGHS run is deterministic). microlp, the pure-Rust solver used before, was exact but its
//! branch and bound did not finish the 1,000-unit bounds in 30 minutes (issue #15); it is gone.

use good_lp::solvers::highs::{HighsProblem, HighsSolution};
use good_lp::{ProblemVariables, ResolutionError, SolverModel, Variable};
use highs::{HighsModelStatus, HighsSolutionStatus};
use std::collections::HashMap;

/// The solver every weight program is handed to (`problem.using(solver)`).
pub(super) use good_lp::solvers::highs::highs as solver;

/// Tolerance on primal feasibility and integrality (relative to scaled rows of size ~1).
const TOLERANCE: f64 = 1e-9;

/// The exact settings of the module (float options), then the integer and string ones.
const FLOAT_OPTIONS: [(&str, f64); 5] = [
    ("primal_feasibility_tolerance", TOLERANCE),
    ("dual_feasibility_tolerance", TOLERANCE),
    ("mip_feasibility_tolerance", TOLERANCE),
    ("mip_rel_gap", 0.0),
    ("mip_abs_gap", 1e-6),
];

/// A problem ready for [`HighsProblem::solve`] with the exact settings of the module.
fn exact(mut problem: HighsProblem) -> HighsProblem {
    for (key, value) in FLOAT_OPTIONS {
        problem = problem.set_option(key, value);
    }
    problem
        .set_option("threads", 1)
        .set_option("parallel", "off")
}

/// `problem.using(solver)….solve_exact()`: [`SolverModel::solve`] with the exact settings of the
/// module; `Infeasible` stays an error the caller can match.
pub(super) trait SolveExact {
    fn solve_exact(self) -> Result<HighsSolution, ResolutionError>;
}

impl SolveExact for HighsProblem {
    fn solve_exact(self) -> Result<HighsSolution, ResolutionError> {
        exact(self).solve()
    }
}

/// What a budgeted MILP found: the best solution and the solver's proven bound on the optimum.
#[derive(Debug, Clone)]
pub(super) struct MilpOutcome {
    /// Value of every variable at the incumbent, by column (see [`columns`]).
    pub values: Vec<f64>,
    /// No solution is better than this (the dual bound; the optimum when proven).
    pub bound: f64,
    /// True when the incumbent is a proven optimum (the budget was not reached).
    pub proven: bool,
}

/// The solver column of each of `wanted` (good_lp numbers variables in the order they were
/// added, and that order is the problem's column order), to read [`MilpOutcome::values`].
pub(super) fn columns(vars: &ProblemVariables, wanted: &[Variable]) -> Vec<usize> {
    let position: HashMap<Variable, usize> = vars
        .iter_variables_with_def()
        .enumerate()
        .map(|(column, (variable, _))| (variable, column))
        .collect();
    wanted.iter().map(|v| position[v]).collect()
}

/// Solves a MILP within `seconds` (no limit when `None`): the proven optimum, or, when the budget
/// runs out, the best solution found with the solver's dual bound. `Ok(None)`: infeasible.
pub(super) fn solve_budgeted(
    problem: HighsProblem,
    seconds: Option<f64>,
) -> Result<Option<MilpOutcome>, ResolutionError> {
    // good_lp applies its option map only in its own `solve`; the model is set up here.
    let mut model = problem.try_into_inner()?;
    for (key, value) in FLOAT_OPTIONS {
        model.set_option(key, value);
    }
    model.set_option("threads", 1);
    model.set_option("parallel", "off");
    if let Some(seconds) = seconds {
        model.set_option("time_limit", seconds.max(0.0));
    }
    let solved = model
        .try_solve()
        .map_err(|e| ResolutionError::Str(format!("HiGHS failed: {e:?}")))?;
    let proven = match solved.status() {
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            return Ok(None);
        }
        HighsModelStatus::Optimal => true,
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedInterrupt => false,
        other => {
            return Err(ResolutionError::Str(format!(
                "HiGHS stopped with status {other:?}"
            )));
        }
    };
    if solved.primal_solution_status() != HighsSolutionStatus::Feasible {
        return Err(ResolutionError::Str(
            "HiGHS found no solution within the time budget".into(),
        ));
    }
    let bound = if proven {
        solved.objective_value()
    } else {
        solved
            .double_info_value(c"mip_dual_bound")
            .unwrap_or(f64::NAN)
    };
    Ok(Some(MilpOutcome {
        values: solved.get_solution().columns().to_vec(),
        bound,
        proven,
    }))
}
