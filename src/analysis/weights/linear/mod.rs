//! Scores that are linear in one level's weights (or in a whole tree's effective weights), and the weight regions they range over.
//!
//! # When a score is linear in weights
//!
//! Scoring aggregates bottom-up, each aggregate a weighted mean of its children with the raw
//! weights renormalised within the parent. Fix the prepared data, the aggregation method of every
//! level and all weights except those of one level (the *components*, grouped by parent). If every
//! aggregation from that level up is arithmetic, the index score of unit `u` is
//!
//! ```text
//! score_u(w) = Σ_g M_g · (Σ_{s∈g} w_s C_us) / (Σ_{s∈g} w_s)
//! ```
//!
//! where `C` are the (fixed) values of the components, `g` runs over the parent groups and
//! `M_g > 0` is the effective weight of parent `g` in the index (the product of the normalised
//! weights on its path to the top). With geometric aggregation from that level up, the same holds
//! for `ln score_u` with `ln C` ([`ScoreScale::Log`]). The denominators are common to all units, so
//! in the normalised weights `v_s = w_s / Σ_{s'∈g} w_s'` every score is *linear*:
//! `score_u = Σ_s M_{g(s)} C_us v_s`. A box `lo_s ≤ w_s ≤ hi_s` on the raw weights maps onto the
//! polytope `{v : Σ_{s∈g} v_s = 1, ∃ τ_g > 0 : lo_s τ_g ≤ v_s ≤ hi_s τ_g}` (Charnes–Cooper
//! substitution `τ_g = 1/Σ_{s∈g} w_s`, `v_s = w_s τ_g`), which is linear in `(v, τ)`; any linear
//! constraint `Σ a_s w_s ≤ b` among siblings becomes `Σ a_s v_s ≤ b τ_g`. This is the setting of
//! rank intervals over weight polytopes (Salo & Punkka 2011).
//!
//! The same argument runs over a whole tree ([`TreeModel`]): with arithmetic aggregation at every
//! level (or geometric at every level, on the log scale) the index is `Σ_i e_i x_ui` where
//! `e_i` is the product of the normalised weights on indicator `i`'s path. Writing `S_n` for the sum
//! of `e_i` over the indicators below node `n`, the normalised weight of `n` is `S_n / S_parent(n)`,
//! so per-node raw-weight boxes become `lo_n τ_p ≤ S_n ≤ hi_n τ_p` (one free `τ_p > 0` per parent
//! `p`) together with `Σ_i e_i = 1`: again a polytope, now in `(e, τ)`, and it is exactly the set
//! of reachable effective weights — several levels can vary at once without any outer
//! approximation.
//!
//! The model is exact only under these assumptions: no missing values among the components (the
//! scorer renormalises over non-missing children per unit, which makes the denominators
//! unit-specific), a single aggregation family from the varying level up, and data prepared
//! independently of the weights. Under any other configuration it describes a different index.

mod level;
mod region;
mod tree;

use crate::model::Diagnostic;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use level::{LevelModel, LevelModelSpec};
pub use region::{Relation, WeightRegion};
#[cfg(any(test, feature = "internals"))]
pub use region::WeightConstraint;
pub(crate) use region::{read_region_rows, unknown_region_code};
pub use tree::{TreeModel, TreeModelSpec};

/// The scale on which scores are linear in the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoreScale {
    /// Arithmetic aggregation from the varying level up: scores are linear in the weights.
    Linear,
    /// Geometric aggregation from the varying level up: `ln score` is linear in the weights,
    /// with the logarithms of the (strictly positive) component values.
    Log,
}

/// Why a weight analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum WeightAnalysisError {
    /// The model's inputs are inconsistent.
    #[error("invalid weight model: {problem}\n  fix: {fix}")]
    InvalidModel { problem: String, fix: String },
    /// The weight region does not fit the model.
    #[error("invalid weight region: {problem}\n  fix: {fix}")]
    InvalidRegion { problem: String, fix: String },
    /// A weight region file could not be read: where, what, and the fix.
    #[error("{0}")]
    RegionFile(Box<Diagnostic>),
    /// A unit index is out of range.
    #[error("unit index {index} is out of range: the model has {n_units} units")]
    UnknownUnit { index: usize, n_units: usize },
    /// No weight vector satisfies all bounds and constraints of the region.
    #[error(
        "the weight region is empty: no weights satisfy all its bounds and constraints\n  fix: widen the bounds or relax the constraints"
    )]
    EmptyRegion,
    /// The LP/MILP solver failed.
    #[error("the LP/MILP solver failed while computing {what}: {message}")]
    Solver { what: String, message: String },
}

fn invalid_model(problem: impl Into<String>, fix: impl Into<String>) -> WeightAnalysisError {
    WeightAnalysisError::InvalidModel {
        problem: problem.into(),
        fix: fix.into(),
    }
}

fn invalid_region(problem: impl Into<String>, fix: impl Into<String>) -> WeightAnalysisError {
    WeightAnalysisError::InvalidRegion {
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// Rank of `unit` among `scores`: descending, ties share the best rank
/// (`1 + #{b : score_b > score_unit}`, R's `rank(-x, ties.method = "min")`).
pub fn rank_of(scores: &[f64], unit: usize) -> usize {
    let own = scores[unit];
    1 + scores.iter().filter(|&&s| s > own).count()
}

/// One parent's children among the weights that vary: the raw weights that are renormalised
/// together, and which linearisation variables make up each child's share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiblingGroup {
    /// Raw weight index (into [`WeightModel::nominal_weights`]) of each child.
    pub weights: Vec<usize>,
    /// For each child, the linearisation variables whose sum is the child's share `S`
    /// (a single component for a [`LevelModel`]; all indicators below it for a [`TreeModel`]).
    pub members: Vec<Vec<usize>>,
}

/// The linearisation of a [`WeightModel`]: `linear score_u = Σ_j coefficient(u, j) x_j`, where the
/// variables `x` range over the image of the raw-weight region (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinearForm {
    n_units: usize,
    n_variables: usize,
    /// Row-major `n_units × n_variables`.
    coefficients: Vec<f64>,
    /// Disjoint variable sets, each summing to one; together they cover every variable.
    unit_sums: Vec<Vec<usize>>,
    sibling_groups: Vec<SiblingGroup>,
    /// For each variable, the `(sibling group, member)` pairs on its path: `x_j` is the product of
    /// those members' normalised weights.
    paths: Vec<Vec<(usize, usize)>>,
}

impl LinearForm {
    pub fn n_units(&self) -> usize {
        self.n_units
    }
    pub fn n_variables(&self) -> usize {
        self.n_variables
    }
    /// Coefficient of variable `j` in unit `u`'s linear score.
    #[cfg(any(test, feature = "internals"))]
    pub fn coefficient(&self, unit: usize, variable: usize) -> f64 {
        self.coefficients[unit * self.n_variables + variable]
    }
    /// Unit `u`'s coefficients, one per variable.
    pub fn row(&self, unit: usize) -> &[f64] {
        &self.coefficients[unit * self.n_variables..(unit + 1) * self.n_variables]
    }
    /// Disjoint variable sets that each sum to one.
    pub fn unit_sums(&self) -> &[Vec<usize>] {
        &self.unit_sums
    }
    pub fn sibling_groups(&self) -> &[SiblingGroup] {
        &self.sibling_groups
    }
    /// `(sibling group, member)` pairs whose normalised weights multiply to variable `j`.
    pub fn path(&self, variable: usize) -> &[(usize, usize)] {
        &self.paths[variable]
    }
    /// Linear scores (the log scores on [`ScoreScale::Log`]) at variable values `x`.
    #[cfg(any(test, feature = "internals"))]
    pub fn linear_scores(&self, x: &[f64], out: &mut [f64]) {
        for (u, value) in out.iter_mut().enumerate() {
            *value = self.row(u).iter().zip(x).map(|(c, v)| c * v).sum();
        }
    }
    /// The variables at raw weights `w`: the product of normalised weights along each path.
    #[cfg(any(test, feature = "internals"))]
    pub fn variables_at(&self, weights_raw: &[f64], out: &mut [f64]) {
        for (j, value) in out.iter_mut().enumerate() {
            *value = self.paths[j]
                .iter()
                .map(|&(g, m)| {
                    let group = &self.sibling_groups[g];
                    let total: f64 = group.weights.iter().map(|&w| weights_raw[w]).sum();
                    weights_raw[group.weights[m]] / total
                })
                .product();
        }
    }
}

/// A model whose (log) scores are linear in the normalised weights: [`LevelModel`] or
/// [`TreeModel`]. Exact rank bounds ([`crate::analysis::weights::bounds`]) work on any of them.
pub trait WeightModel: Sync {
    fn n_units(&self) -> usize;
    fn unit_codes(&self) -> &[String];
    /// One code per raw weight.
    fn weight_codes(&self) -> &[String];
    /// Raw nominal weights, one per weight code.
    fn nominal_weights(&self) -> &[f64];
    fn scale(&self) -> ScoreScale;
    /// Linear scores (`ln score` on the log scale) at raw weights, renormalised within each
    /// parent like the scorer does, one per unit.
    fn linear_score(&self, weights_raw: &[f64], out: &mut [f64]);
    /// Index scores at raw weights: the linear scores, exponentiated on the log scale (the
    /// geometric mean `Π_s C_us^{w_s}` is linear in the weights only in logarithms).
    fn score(&self, weights_raw: &[f64], out: &mut [f64]) {
        self.linear_score(weights_raw, out);
        if self.scale() == ScoreScale::Log {
            for value in out.iter_mut() {
                *value = value.exp();
            }
        }
    }
    fn linear_form(&self) -> &LinearForm;
    /// Finds a unit by code.
    #[cfg(any(test, feature = "internals"))]
    fn unit_index(&self, code: &str) -> Option<usize> {
        self.unit_codes().iter().position(|c| c == code)
    }
}

fn check_codes(codes: &[String], what: &str) -> Result<(), WeightAnalysisError> {
    let mut seen = HashMap::new();
    for (i, code) in codes.iter().enumerate() {
        if let Some(first) = seen.insert(code.as_str(), i) {
            return Err(invalid_model(
                format!("{what} code `{code}` appears twice (positions {first} and {i})"),
                format!("give every {what} a unique code"),
            ));
        }
    }
    Ok(())
}

/// Checks a units × columns table and returns it row-major, transformed to the score scale.
fn transform_rows(
    rows: &[Vec<f64>],
    n_columns: usize,
    scale: ScoreScale,
    codes: &[String],
    unit_codes: &[String],
) -> Result<Vec<f64>, WeightAnalysisError> {
    let mut transformed = Vec::with_capacity(rows.len() * n_columns);
    for (u, row) in rows.iter().enumerate() {
        if row.len() != n_columns {
            return Err(invalid_model(
                format!(
                    "unit `{}` has {} values but there are {n_columns} columns",
                    unit_codes[u],
                    row.len()
                ),
                "give every unit one value per column",
            ));
        }
        for (j, &value) in row.iter().enumerate() {
            if !value.is_finite() {
                return Err(invalid_model(
                    format!(
                        "unit `{}`, `{}` is {value}: the linear model needs complete data",
                        unit_codes[u], codes[j]
                    ),
                    "impute missing values before building the model (with missing values the \
                     scorer renormalises per unit and scores are no longer linear in the weights)",
                ));
            }
            match scale {
                ScoreScale::Linear => transformed.push(value),
                ScoreScale::Log => {
                    if value <= 0.0 {
                        return Err(invalid_model(
                            format!(
                                "unit `{}`, `{}` is {value}: geometric aggregation needs strictly \
                                 positive values",
                                unit_codes[u], codes[j]
                            ),
                            "use a normalisation with a positive minimum (e.g. minmax(1,100)) or \
                             arithmetic aggregation",
                        ));
                    }
                    transformed.push(value.ln());
                }
            }
        }
    }
    Ok(transformed)
}

fn check_weights(weights: &[f64], codes: &[String]) -> Result<(), WeightAnalysisError> {
    for (w, code) in weights.iter().zip(codes) {
        if !w.is_finite() || *w < 0.0 {
            return Err(invalid_model(
                format!("nominal weight of `{code}` is {w}"),
                "weights must be finite and non-negative",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    fn small_level(scale: ScoreScale) -> LevelModel {
        LevelModel::new(LevelModelSpec {
            components: vec![
                vec![10.0, 20.0, 30.0],
                vec![30.0, 10.0, 20.0],
                vec![20.0, 30.0, 10.0],
            ],
            groups: vec![vec![0, 1], vec![2]],
            group_multipliers: vec![0.75, 0.25],
            scale,
            nominal_weights: vec![1.0, 3.0, 2.0],
            component_codes: codes("c", 3),
            unit_codes: codes("u", 3),
        })
        .unwrap()
    }

    #[test]
    fn level_score_renormalises_within_groups() {
        let model = small_level(ScoreScale::Linear);
        let mut out = [0.0; 3];
        model.score(&[1.0, 3.0, 2.0], &mut out);
        // unit 0: 0.75·(10·1 + 20·3)/4 + 0.25·30
        assert!((out[0] - (0.75 * 70.0 / 4.0 + 7.5)).abs() < 1e-12);
        // Scaling a group's raw weights changes nothing.
        let mut scaled = [0.0; 3];
        model.score(&[2.0, 6.0, 0.5], &mut scaled);
        for (a, b) in out.iter().zip(&scaled) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn log_scale_is_a_weighted_geometric_mean() {
        let model = small_level(ScoreScale::Log);
        let mut out = [0.0; 3];
        model.score(&[1.0, 3.0, 2.0], &mut out);
        let expected = (10f64.powf(0.25) * 20f64.powf(0.75)).powf(0.75) * 30f64.powf(0.25);
        assert!((out[0] - expected).abs() < 1e-9 * expected);
    }

    #[test]
    fn linear_form_reproduces_scores() {
        let model = small_level(ScoreScale::Linear);
        let weights = [1.5, 0.5, 4.0];
        let mut direct = [0.0; 3];
        model.score(&weights, &mut direct);
        let form = model.linear_form();
        let mut x = [0.0; 3];
        form.variables_at(&weights, &mut x);
        let mut via_form = [0.0; 3];
        form.linear_scores(&x, &mut via_form);
        for (a, b) in direct.iter().zip(&via_form) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    fn small_tree() -> TreeModel {
        // leaves 0..4; pillars 4 = {0,1}, 5 = {2,3}; top 6.
        TreeModel::new(TreeModelSpec {
            leaf_values: vec![
                vec![1.0, 2.0, 3.0, 4.0],
                vec![4.0, 3.0, 2.0, 1.0],
                vec![2.0, 2.0, 2.0, 2.5],
            ],
            parents: vec![Some(4), Some(4), Some(5), Some(5), Some(6), Some(6), None],
            nominal_weights: vec![1.0, 1.0, 1.0, 3.0, 2.0, 1.0, 1.0],
            node_codes: codes("n", 7),
            scale: ScoreScale::Linear,
            unit_codes: codes("u", 3),
        })
        .unwrap()
    }

    #[test]
    fn tree_score_matches_bottom_up_aggregation() {
        let tree = small_tree();
        let w = tree.nominal_weights().to_vec();
        let mut out = [0.0; 3];
        tree.score(&w, &mut out);
        for (u, row) in [
            [1.0, 2.0, 3.0, 4.0],
            [4.0, 3.0, 2.0, 1.0],
            [2.0, 2.0, 2.0, 2.5],
        ]
        .iter()
        .enumerate()
        {
            let p4 = (row[0] + row[1]) / 2.0;
            let p5 = (row[2] + 3.0 * row[3]) / 4.0;
            let top = (2.0 * p4 + p5) / 3.0;
            assert!((out[u] - top).abs() < 1e-12);
        }
        let form = tree.linear_form();
        assert_eq!(form.sibling_groups().len(), 3);
        let mut x = [0.0; 4];
        form.variables_at(&w, &mut x);
        assert!((x.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((x[3] - (1.0 / 3.0) * 0.75).abs() < 1e-12);
    }

    #[test]
    fn invalid_inputs_are_rejected_with_a_fix() {
        let mut spec = LevelModelSpec {
            components: vec![vec![1.0, 0.0]],
            groups: vec![vec![0, 1]],
            group_multipliers: vec![1.0],
            scale: ScoreScale::Log,
            nominal_weights: vec![1.0, 1.0],
            component_codes: codes("c", 2),
            unit_codes: codes("u", 1),
        };
        let err = LevelModel::new(spec.clone()).unwrap_err().to_string();
        assert!(err.contains("strictly positive"), "{err}");
        spec.scale = ScoreScale::Linear;
        spec.groups = vec![vec![0]];
        let err = LevelModel::new(spec.clone()).unwrap_err().to_string();
        assert!(err.contains("in no group"), "{err}");
        spec.groups = vec![vec![0, 1]];
        spec.components = vec![vec![1.0, f64::NAN]];
        assert!(LevelModel::new(spec).is_err());

        let mut tree = TreeModelSpec {
            leaf_values: vec![vec![1.0, 2.0]],
            parents: vec![Some(2), Some(3), Some(3), Some(2)],
            nominal_weights: vec![1.0; 4],
            node_codes: codes("n", 4),
            scale: ScoreScale::Linear,
            unit_codes: codes("u", 1),
        };
        assert!(TreeModel::new(tree.clone()).is_err(), "cycle without top");
        tree.parents = vec![Some(2), Some(2), None, None];
        assert!(TreeModel::new(tree).is_err(), "two tops");
    }

    #[test]
    fn region_csv_reads_bounds_and_fixes_the_rest() {
        let model = small_level(ScoreScale::Linear);
        let text = "code,lo,hi\nc1, 2, 4\nc0,0.5,1.5\n";
        let region = WeightRegion::read_csv(&model, text, "region.csv").unwrap();
        assert_eq!(region.lower, vec![0.5, 2.0, 2.0]);
        assert_eq!(region.upper, vec![1.5, 4.0, 2.0]);
        let bad = "code,lo,hi\nc9,1,2\n";
        let err = WeightRegion::read_csv(&model, bad, "region.csv")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("region.csv:2, column `code`") && err.contains("did you mean `c0`?"),
            "{err}"
        );
        let inverted = "code,lo,hi\nc0,2,1\n";
        assert!(WeightRegion::read_csv(&model, inverted, "r.csv").is_err());
    }

    #[test]
    fn constraints_across_parents_are_rejected() {
        let model = small_level(ScoreScale::Linear);
        let mut region = WeightRegion::relative(&model, 0.5);
        region.add_constraint(WeightConstraint {
            terms: vec![(0, 1.0), (2, -1.0)],
            relation: Relation::LessEq,
            rhs: 0.0,
        });
        assert!(region.validate(&model).is_err());
    }

    #[test]
    fn ranks_share_the_best_rank_on_ties() {
        let scores = [3.0, 5.0, 3.0, 1.0];
        assert_eq!(rank_of(&scores, 1), 1);
        assert_eq!(rank_of(&scores, 0), 2);
        assert_eq!(rank_of(&scores, 2), 2);
        assert_eq!(rank_of(&scores, 3), 4);
    }
}
