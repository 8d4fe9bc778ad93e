//! Exact weight analyses on a loaded index: the linear weight models built from its nominal scores, weight ranges from a spread, scenario or file, and exact rank bounds and stability intervals whose witnesses are re-scored by the ordinary scorer.
//!
//! # From an index to a linear weight model
//!
//! The index is prepared and scored once under its nominal method (optionally with another
//! normalisation or aggregation, like `ranksense score`). Holding the data and every weight
//! below the perturbed level `L` fixed, the scores of the level-`L` nodes are constants `C`, and
//! the index is a function of the weights of level `L` and above only:
//!
//! - **One level** ([`WeightSet::Levels`] with one entry): a [`LevelModel`] with components `C`,
//!   one group per parent and group multiplier `M_g` = the product of the normalised weights on
//!   the path from the parent `g` to the top (`score = Σ_g M_g Σ_{s∈g} v_s C_s`).
//! - **Several levels together** (`Levels` with several entries): a [`TreeModel`] whose leaves
//!   are the nodes of the lowest level; the reachable effective weights form a polytope that the
//!   rank-bound programs use without approximation, so the bounds stay exact.
//! - **Effective indicator weights** ([`WeightSet::Effective`]): `score = Σ_i e_i x_i` with
//!   `e_i` the product of normalised weights on indicator `i`'s path; the `e_i` form one group
//!   (they sum to one). Any `e` is realised by the framework weights `w_i = e_i` and
//!   `w_n = Σ_{i below n} e_i` for aggregates, which is how witnesses are re-scored.
//!
//! This is exact only when every aggregation from level `L + 1` up is arithmetic (linear scale)
//! or every one is geometric (log scale, `ln score` linear), and when the level-`L` scores are
//! complete (with missing values the scorer renormalises per unit): otherwise the analysis
//! refuses with the reason and a fix (Salo & Punkka 2011 for rank intervals over weight
//! polytopes; the linearisation is documented in [`crate::analysis::weights::linear`]).
//!
//! # Weight ranges
//!
//! A raw box per weight, renormalised within the parent as the scorer does: `nominal · (1 ±
//! spread)` (COINr's multiplicative uniform noise, Saisana et al. 2005), the `[[weights]]`
//! entries of a scenario (uniform: the same box; simplex or Dirichlet: the whole simplex, which
//! contains the Dirichlet's support; fixed: nominal), or a `code,lo,hi` file
//! ([`WeightRegion::read_csv`]).

mod bounds_report;
mod model;
mod nominal;
mod ranges;
mod stability_report;

use serde::Serialize;

use super::bounds::{RankBounds, rank_bounds_all_observed, rank_bounds_within};
use super::linear::{
    LevelModel, LevelModelSpec, ScoreScale, TreeModel, TreeModelSpec, WeightAnalysisError,
    WeightModel, WeightRegion,
};
use super::stability::{
    MinimalChange, MinimalChanges, StabilityInterval, minimal_rank_changes, stability_intervals,
};
use crate::engine::Observer;
#[cfg(any(test, feature = "internals"))]
use crate::engine::Silent;
use crate::model::method::{Aggregation, Normalisation};
use crate::model::{Framework, Index};
use crate::pipeline::prepare::nominal_variant;
use crate::pipeline::{
    AggregationRangeError, Config, ConfigError, Evaluation, PrepareError, Prepared, Scratch,
    evaluate, prepare, score,
};
use crate::scenario::{Scenario, WeightMode};

pub use bounds_report::{
    BoundsReport, BoundsRequest, UnitBounds, bounds_for_budgeted, bounds_for_observed,
};
pub use model::{AnyModel, ExactModel, WeightSet, shares_within_parent};
pub use nominal::{MethodDescription, MethodOverride, NominalScores, Rescorer};
pub use ranges::{RangeSource, RangeSpec, region_file_levels, scenario_ranges};
pub use stability_report::{
    FragileWeight, LevelStability, MinimalMove, StabilityReport, StabilityRequest,
    WeightStability, stability_for,
};
// Parts of the results above, named for the crate's tests.
#[cfg(any(test, feature = "internals"))]
pub use bounds_report::{WeightEntry, bounds_for};
#[cfg(any(test, feature = "internals"))]
pub use model::effective_weight;
#[cfg(any(test, feature = "internals"))]
pub use ranges::{NodeRange, ScenarioRanges};
#[cfg(any(test, feature = "internals"))]
pub use stability_report::{ChangedWeight, MinimalMoves};

/// Why an exact weight analysis (or a sweep, simplex map or drop) could not run.
#[derive(Debug, thiserror::Error)]
pub enum ExactError {
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    #[error(transparent)]
    Aggregation(#[from] AggregationRangeError),
    #[error(transparent)]
    Config(ConfigError),
    /// The unit asked about was left out by screening.
    #[error(transparent)]
    ScreenedOut(#[from] crate::pipeline::screen::ScreenedOut),
    /// The request does not fit the index (unknown unit, level, weight, bad range ...).
    #[error("{problem}; fix: {fix}")]
    Input {
        problem: String,
        fix: String,
        remedy: Option<Remedy>,
    },
    /// The index's method makes scores non-linear in the weights, so exact results would
    /// describe another index.
    #[error("{problem}; fix: {fix}")]
    NotExact {
        problem: String,
        fix: String,
        remedy: Option<Remedy>,
    },
    #[error(transparent)]
    Model(#[from] WeightAnalysisError),
}

impl From<ConfigError> for ExactError {
    fn from(error: ConfigError) -> Self {
        match error {
            ConfigError::Range(range) => ExactError::Aggregation(range),
            other => ExactError::Config(other),
        }
    }
}

/// The request setting a refusal's fix asks to change. The fix itself speaks of the data and
/// the analysis; a front end adds its own name for the setting (the command line its flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Name a focus unit.
    Focus,
    /// Name the level (or levels) analysed.
    Level,
    /// Sweep between other normalised weights.
    SweepRange,
    /// Sweep one weight instead of mapping a simplex.
    OneWeight,
    /// Vary the weights by a relative spread around their nominal values.
    Spread,
    /// Aggregate with the arithmetic or geometric mean (a what-if), or analyse a higher level.
    AggregationOrLevel,
    /// Aggregate with the arithmetic or geometric mean (a what-if).
    Aggregation,
    /// Aggregate with the arithmetic or geometric mean (a what-if), or analyse the method by
    /// sampling (the uncertainty analysis).
    AggregationOrSampling,
    /// Check the scenario against the index.
    ValidateScenario,
}

impl ExactError {
    /// True for failures of the solver rather than of the input.
    pub fn is_internal(&self) -> bool {
        matches!(self, ExactError::Model(WeightAnalysisError::Solver { .. }))
    }

    /// The setting the fix asks to change, if it is one.
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            ExactError::Input { remedy, .. } | ExactError::NotExact { remedy, .. } => *remedy,
            _ => None,
        }
    }

    /// The same refusal, its fix being to change `setting`.
    pub(crate) fn with_remedy(mut self, setting: Remedy) -> Self {
        if let ExactError::Input { remedy, .. } | ExactError::NotExact { remedy, .. } = &mut self
        {
            *remedy = Some(setting);
        }
        self
    }
}

pub(crate) fn input_error(problem: impl Into<String>, fix: impl Into<String>) -> ExactError {
    ExactError::Input {
        problem: problem.into(),
        fix: fix.into(),
        remedy: None,
    }
}

fn not_exact(problem: impl Into<String>, fix: impl Into<String>) -> ExactError {
    ExactError::NotExact {
        problem: problem.into(),
        fix: fix.into(),
        remedy: None,
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::embedded;

    fn asem() -> Index {
        embedded::load("asem").expect("embedded asem")
    }

    #[test]
    fn level_model_reproduces_the_scorer_at_random_weights() {
        let index = asem();
        let nominal = NominalScores::new(&index, &MethodOverride::default()).unwrap();
        let framework = nominal.framework();
        for set in [
            WeightSet::Levels(vec![2]),
            WeightSet::Levels(vec![3]),
            WeightSet::Levels(vec![2, 3]),
            WeightSet::Levels(vec![1, 3]),
            WeightSet::Effective,
        ] {
            let model = ExactModel::build(&nominal, &set).unwrap();
            let mut rescorer = Rescorer::new(&nominal);
            let n = model.nodes.len();
            let mut model_scores = vec![0.0; nominal.n_units()];
            for trial in 0..5u32 {
                // Deterministic, well-spread weights in (0.2, 1.8) × nominal.
                let raw: Vec<f64> = model
                    .model
                    .nominal_weights()
                    .iter()
                    .enumerate()
                    .map(|(k, w)| {
                        w * (0.2 + 1.6 * (((k as u32 * 7 + trial * 13) % 17) as f64 / 16.0))
                    })
                    .collect();
                assert_eq!(raw.len(), n);
                match &model.model {
                    AnyModel::Level(m) => m.score(&raw, &mut model_scores),
                    AnyModel::Tree(m) => m.score(&raw, &mut model_scores),
                }
                rescorer.reset();
                model.write_framework_weights(framework, &raw, rescorer.weights_mut());
                rescorer.top_ranks();
                for (a, b) in model_scores.iter().zip(rescorer.top_scores()) {
                    assert!(
                        (a - b).abs() < 1e-9 * b.abs().max(1.0),
                        "{set:?}: {a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn mixed_aggregation_is_refused_with_a_fix() {
        let mut index = asem();
        index.nominal.aggregation = vec![
            Aggregation::Arithmetic,
            Aggregation::Geometric,
            Aggregation::Arithmetic,
        ];
        let nominal = NominalScores::new(&index, &MethodOverride::default());
        // minmax(0,100) has zeros: geometric is refused before any model is built.
        assert!(matches!(
            nominal,
            Err(ExactError::Aggregation(
                AggregationRangeError::NotPositive { .. }
            ))
        ));
        let method = MethodOverride {
            normalisation: Some("minmax(1,100)".parse().unwrap()),
            aggregation: None,
        };
        let nominal = NominalScores::new(&index, &method).unwrap();
        let error = ExactModel::build(&nominal, &WeightSet::Levels(vec![2])).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("level 3 uses `geometric`")
                && text.contains("fix: aggregate every level with the arithmetic or geometric mean")
                && !text.contains("--"),
            "{text}"
        );
        assert_eq!(error.remedy(), Some(Remedy::AggregationOrLevel));
        // Level 3 sits below only the arithmetic top: exact on its own.
        assert!(ExactModel::build(&nominal, &WeightSet::Levels(vec![3])).is_ok());
    }

    #[test]
    fn top_level_and_level_zero_are_refused() {
        let index = asem();
        let nominal = NominalScores::new(&index, &MethodOverride::default()).unwrap();
        for level in [0, 4, 9] {
            let error = ExactModel::build(&nominal, &WeightSet::Levels(vec![level])).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains("use a level from 1 (indicators) to 3"),
                "{error}"
            );
        }
    }
}
