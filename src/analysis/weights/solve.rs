//! The one place the weight analyses hand a program to a solver, chosen by cargo feature:
//!
//! - default: microlp (pure Rust, so a fresh clone builds with cargo alone), exact but slow on
//!   large MILPs (its branch and bound did not finish the 1,000-unit bounds in 30 minutes,
//!   issue #15). It honours time budgets ([`solve_budgeted`]'s `seconds`): when one runs out
//!   its branch and bound stops with its incumbent and the smallest LP bound over its open
//!   nodes (its proven dual bound).
//! - feature `highs`: HiGHS (Huangfu & Hall 2018, "Parallelizing the dual revised simplex
//!   method"; its branch-and-cut MILP solver), built from source by cargo (needs cmake, libclang
//!   and a C++ compiler), configured so that its answers can be trusted as exact, and honouring
//!   time budgets with its proven dual bound.
//!
//! HiGHS's defaults are tuned for speed on large models: a relative MIP gap of 1e-4 (a count of
//! 30,000 units could stop 3 short of its optimum), feasibility tolerances of 1e-7/1e-6 (the size
//! of our strict margin). Here the gap is zero (an integer count is optimal once the bound is
//! within 1 of it), tolerances are 1e-9 (1,000 times below [`super::differences::MARGIN`]), and each
//! solve runs on one thread (callers parallelise over units with rayon, and a single-threaded
//! HiGHS run is deterministic). microlp's defaults are already exact (zero gap, 1e-7 tolerance).

use good_lp::{ProblemVariables, Variable};
use std::collections::HashMap;

#[cfg(feature = "highs")]
pub(super) use with_highs::{SolveExact, solve_budgeted, solver};
#[cfg(not(feature = "highs"))]
pub(super) use with_microlp::{SolveExact, solve_budgeted, solver};

/// What a budgeted MILP found: the best solution and the solver's proven bound on the optimum.
#[derive(Debug, Clone)]
pub(super) struct MilpOutcome {
    /// Value of every variable at the incumbent, by column (see [`columns`]); `None` when the
    /// budget ran out before the solver had any solution (the caller's own incumbent stands).
    pub values: Option<Vec<f64>>,
    /// No solution is better than this (the dual bound; the optimum when proven).
    pub bound: f64,
    /// True when the incumbent is a proven optimum (the budget was not reached).
    pub proven: bool,
}

/// The solver column of each of `wanted` (good_lp numbers variables in the order they were
/// added, and that order is the problem's column order in both solvers), to read
/// [`MilpOutcome::values`].
pub(super) fn columns(vars: &ProblemVariables, wanted: &[Variable]) -> Vec<usize> {
    let position: HashMap<Variable, usize> = vars
        .iter_variables_with_def()
        .enumerate()
        .map(|(column, (variable, _))| (variable, column))
        .collect();
    wanted.iter().map(|v| position[v]).collect()
}

/// microlp, the default: pure Rust, time budgets with its proven bound.
#[cfg(not(feature = "highs"))]
mod with_microlp {
    use super::MilpOutcome;
    use good_lp::solvers::microlp::{MicroLpProblem, MicroLpSolution};
    use good_lp::{
        ResolutionError, Solution, SolutionStatus, SolverModel, Variable, WithInitialSolution,
        WithTimeLimit,
    };

    /// The solver every weight program is handed to (`problem.using(solver)`).
    pub(in super::super) use good_lp::solvers::microlp::microlp as solver;

    /// `problem.using(solver)….solve_exact()`: [`SolverModel::solve`] (microlp's defaults are
    /// exact: zero MIP gap, no time limit); `Infeasible` stays an error the caller can match.
    pub(in super::super) trait SolveExact {
        fn solve_exact(self) -> Result<MicroLpSolution, ResolutionError>;
    }

    impl SolveExact for MicroLpProblem {
        fn solve_exact(self) -> Result<MicroLpSolution, ResolutionError> {
            self.solve()
        }
    }

    /// Solves a MILP within `seconds` (no limit when `None`), starting from `hint` (a feasible
    /// assignment of some variables, which microlp completes by LP and adopts as its first
    /// incumbent when it is feasible and integral; ignored otherwise): the proven optimum, or,
    /// when the budget runs out, its incumbent with its proven bound (the smallest LP bound
    /// over its open nodes). `Ok(None)`: infeasible.
    pub(in super::super) fn solve_budgeted(
        problem: MicroLpProblem,
        seconds: Option<f64>,
        hint: Vec<(Variable, f64)>,
    ) -> Result<Option<MilpOutcome>, ResolutionError> {
        let mut problem = problem;
        if let Some(seconds) = seconds {
            problem = problem.with_time_limit(seconds.max(0.0));
        }
        if !hint.is_empty() {
            problem = problem.with_initial_solution(hint);
        }
        let solved = match problem.solve() {
            Ok(solved) => solved,
            Err(ResolutionError::Infeasible) => return Ok(None),
            // good_lp's message when the budget ran out before microlp had any solution (an
            // interrupted outcome carries no values): no incumbent and no bound from the solver.
            Err(ResolutionError::Other(message))
                if seconds.is_some() && message.contains("Time limit") =>
            {
                return Ok(Some(MilpOutcome {
                    values: None,
                    bound: f64::NAN,
                    proven: false,
                }));
            }
            Err(e) => return Err(e),
        };
        let proven = match solved.status() {
            SolutionStatus::Optimal => true,
            SolutionStatus::TimeLimit => false,
            other => {
                return Err(ResolutionError::Str(format!(
                    "microlp stopped with status {other:?}"
                )));
            }
        };
        // microlp numbers its variables in good_lp's order, so its values are by column.
        let solution = solved.into_inner();
        let bound = if proven {
            solution.objective()
        } else {
            solution.stats().best_bound.unwrap_or(f64::NAN)
        };
        Ok(Some(MilpOutcome {
            values: Some(solution.iter().map(|(_, value)| value).collect()),
            bound,
            proven,
        }))
    }
}

/// HiGHS, with the `highs` feature: exact settings, time budgets with a proven dual bound.
#[cfg(feature = "highs")]
mod with_highs {
    use super::MilpOutcome;
    use good_lp::solvers::highs::{HighsProblem, HighsSolution};
    use good_lp::{ResolutionError, SolverModel, Variable};
    use highs::{HighsModelStatus, HighsSolutionStatus};

    /// The solver every weight program is handed to (`problem.using(solver)`).
    pub(in super::super) use good_lp::solvers::highs::highs as solver;

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
    pub(in super::super) trait SolveExact {
        fn solve_exact(self) -> Result<HighsSolution, ResolutionError>;
    }

    impl SolveExact for HighsProblem {
        fn solve_exact(self) -> Result<HighsSolution, ResolutionError> {
            exact(self).solve()
        }
    }

    /// Solves a MILP within `seconds` (no limit when `None`): the proven optimum, or, when the budget
    /// runs out, the best solution found with the solver's dual bound (no solution when it had
    /// none yet). `Ok(None)`: infeasible.
    pub(in super::super) fn solve_budgeted(
        problem: HighsProblem,
        seconds: Option<f64>,
        _hint: Vec<(Variable, f64)>,
    ) -> Result<Option<MilpOutcome>, ResolutionError> {
        // HiGHS takes a starting point only as every column's value (good_lp's `solve` sets it),
        // and finds good incumbents itself: the partial hint is not passed on.
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
            // The budget ran out before HiGHS had any solution: the caller's incumbent stands.
            return Ok(Some(MilpOutcome {
                values: None,
                bound: solved
                    .double_info_value(c"mip_dual_bound")
                    .unwrap_or(f64::NAN),
                proven: false,
            }));
        }
        let bound = if proven {
            solved.objective_value()
        } else {
            solved
                .double_info_value(c"mip_dual_bound")
                .unwrap_or(f64::NAN)
        };
        Ok(Some(MilpOutcome {
            values: Some(solved.get_solution().columns().to_vec()),
            bound,
            proven,
        }))
    }
}
