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

use std::collections::HashMap;
use std::io::Read;

use serde::{Deserialize, Serialize};

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
    /// A weight region file could not be read.
    #[error("{file}, line {line}: {problem}\n  fix: {fix}")]
    RegionFile {
        file: String,
        line: usize,
        problem: String,
        fix: String,
    },
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
    /// True when every variable is a single member of one group whose variables form one unit
    /// sum (the [`LevelModel`] shape); bounds then separate by group.
    flat: bool,
}

impl LinearForm {
    pub fn n_units(&self) -> usize {
        self.n_units
    }
    pub fn n_variables(&self) -> usize {
        self.n_variables
    }
    /// Coefficient of variable `j` in unit `u`'s linear score.
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
    pub(crate) fn is_flat(&self) -> bool {
        self.flat
    }
    /// Linear scores (the log scores on [`ScoreScale::Log`]) at variable values `x`.
    pub fn linear_scores(&self, x: &[f64], out: &mut [f64]) {
        for (u, value) in out.iter_mut().enumerate() {
            *value = self.row(u).iter().zip(x).map(|(c, v)| c * v).sum();
        }
    }
    /// The variables at raw weights `w`: the product of normalised weights along each path.
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
/// [`TreeModel`]. Exact rank bounds ([`crate::analysis::bounds`]) work on any of them.
pub trait WeightModel: Sync {
    fn n_units(&self) -> usize;
    fn unit_codes(&self) -> &[String];
    /// One code per raw weight.
    fn weight_codes(&self) -> &[String];
    /// Raw nominal weights, one per weight code.
    fn nominal_weights(&self) -> &[f64];
    fn scale(&self) -> ScoreScale;
    /// Index scores at raw weights (renormalised like the scorer does), one per unit.
    fn score(&self, weights_raw: &[f64], out: &mut [f64]);
    fn linear_form(&self) -> &LinearForm;
    /// Finds a unit by code.
    fn unit_index(&self, code: &str) -> Option<usize> {
        self.unit_codes().iter().position(|c| c == code)
    }
}

/// The inputs of a [`LevelModel`].
#[derive(Debug, Clone, PartialEq)]
pub struct LevelModelSpec {
    /// Component values, one row per unit (`units × components`), without missing values.
    pub components: Vec<Vec<f64>>,
    /// Components grouped by parent: a partition of `0..n_components`.
    pub groups: Vec<Vec<usize>>,
    /// Effective weight `M_g > 0` of each group's parent in the index.
    pub group_multipliers: Vec<f64>,
    pub scale: ScoreScale,
    /// Raw nominal weight of each component (renormalised within its group).
    pub nominal_weights: Vec<f64>,
    pub component_codes: Vec<String>,
    pub unit_codes: Vec<String>,
}

/// Index scores as a function of one level's weights, everything else fixed:
/// `score_u(w) = Σ_g M_g (Σ_{s∈g} w_s C_us)/(Σ_{s∈g} w_s)` on [`ScoreScale::Linear`],
/// `ln score_u(w)` of the same form with `ln C` on [`ScoreScale::Log`]. See the module
/// documentation for when this is the index exactly.
///
/// Components are stored row-major (`units × components`), after the scale transform
/// (`ln C` on the log scale), so a score is one pass over a contiguous row per unit.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelModel {
    n_units: usize,
    n_components: usize,
    /// Row-major units × components, `C` or `ln C`.
    transformed: Vec<f64>,
    groups: Vec<Vec<usize>>,
    group_of: Vec<usize>,
    group_multipliers: Vec<f64>,
    scale: ScoreScale,
    nominal_weights: Vec<f64>,
    component_codes: Vec<String>,
    unit_codes: Vec<String>,
    form: LinearForm,
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

impl LevelModel {
    /// Validates the inputs: complete finite data (strictly positive on the log scale), groups
    /// partitioning the components, positive multipliers, non-negative weights with a positive
    /// sum in every group, unique codes.
    pub fn new(spec: LevelModelSpec) -> Result<Self, WeightAnalysisError> {
        let LevelModelSpec {
            components,
            groups,
            group_multipliers,
            scale,
            nominal_weights,
            component_codes,
            unit_codes,
        } = spec;
        let n_units = components.len();
        let n_components = component_codes.len();
        if n_units == 0 || n_components == 0 {
            return Err(invalid_model(
                format!("{n_units} units and {n_components} components"),
                "the model needs at least one unit and one component",
            ));
        }
        if unit_codes.len() != n_units {
            return Err(invalid_model(
                format!("{} unit codes for {n_units} rows", unit_codes.len()),
                "give one code per row of components",
            ));
        }
        check_codes(&unit_codes, "unit")?;
        check_codes(&component_codes, "component")?;
        let transformed = transform_rows(
            &components,
            n_components,
            scale,
            &component_codes,
            &unit_codes,
        )?;
        let mut group_of = vec![usize::MAX; n_components];
        for (g, group) in groups.iter().enumerate() {
            if group.is_empty() {
                return Err(invalid_model(
                    format!("group {g} is empty"),
                    "drop empty groups",
                ));
            }
            for &s in group {
                if s >= n_components {
                    return Err(invalid_model(
                        format!("group {g} lists component {s}, but there are {n_components}"),
                        "groups must list component indices",
                    ));
                }
                if group_of[s] != usize::MAX {
                    return Err(invalid_model(
                        format!("component `{}` is in two groups", component_codes[s]),
                        "groups must partition the components",
                    ));
                }
                group_of[s] = g;
            }
        }
        if let Some(s) = group_of.iter().position(|&g| g == usize::MAX) {
            return Err(invalid_model(
                format!("component `{}` is in no group", component_codes[s]),
                "groups must partition the components",
            ));
        }
        if group_multipliers.len() != groups.len()
            || group_multipliers
                .iter()
                .any(|m| !m.is_finite() || *m <= 0.0)
        {
            return Err(invalid_model(
                format!(
                    "group multipliers {group_multipliers:?} for {} groups",
                    groups.len()
                ),
                "give one finite positive multiplier (the parent's effective weight) per group",
            ));
        }
        if nominal_weights.len() != n_components {
            return Err(invalid_model(
                format!(
                    "{} nominal weights for {n_components} components",
                    nominal_weights.len()
                ),
                "give one raw nominal weight per component",
            ));
        }
        check_weights(&nominal_weights, &component_codes)?;
        for (g, group) in groups.iter().enumerate() {
            if group.iter().map(|&s| nominal_weights[s]).sum::<f64>() <= 0.0 {
                return Err(invalid_model(
                    format!("the nominal weights of group {g} sum to zero"),
                    "every group needs a positive nominal weight",
                ));
            }
        }
        let mut coefficients = vec![0.0; n_units * n_components];
        for u in 0..n_units {
            for s in 0..n_components {
                coefficients[u * n_components + s] =
                    group_multipliers[group_of[s]] * transformed[u * n_components + s];
            }
        }
        let form = LinearForm {
            n_units,
            n_variables: n_components,
            coefficients,
            unit_sums: groups.clone(),
            sibling_groups: groups
                .iter()
                .map(|group| SiblingGroup {
                    weights: group.clone(),
                    members: group.iter().map(|&s| vec![s]).collect(),
                })
                .collect(),
            paths: (0..n_components)
                .map(|s| {
                    let g = group_of[s];
                    let m = groups[g].iter().position(|&t| t == s).unwrap_or(0);
                    vec![(g, m)]
                })
                .collect(),
            flat: true,
        };
        Ok(LevelModel {
            n_units,
            n_components,
            transformed,
            groups,
            group_of,
            group_multipliers,
            scale,
            nominal_weights,
            component_codes,
            unit_codes,
            form,
        })
    }

    pub fn n_components(&self) -> usize {
        self.n_components
    }
    pub fn component_codes(&self) -> &[String] {
        &self.component_codes
    }
    pub fn groups(&self) -> &[Vec<usize>] {
        &self.groups
    }
    /// Group of component `s`.
    pub fn group_of(&self, component: usize) -> usize {
        self.group_of[component]
    }
    pub fn group_multipliers(&self) -> &[f64] {
        &self.group_multipliers
    }
    /// Component value on the linear scale (`ln C` on the log scale), unit `u`, component `s`.
    pub fn transformed(&self, unit: usize, component: usize) -> f64 {
        self.transformed[unit * self.n_components + component]
    }

    /// Normalised weights `v_s = w_s / Σ_{s'∈g(s)} w_s'`.
    pub fn normalised_weights(&self, weights_raw: &[f64], out: &mut [f64]) {
        for group in &self.groups {
            let total: f64 = group.iter().map(|&s| weights_raw[s]).sum();
            for &s in group {
                out[s] = weights_raw[s] / total;
            }
        }
    }

    /// Linear scores (`ln score` on the log scale) at raw weights, renormalised within groups:
    /// `Σ_g M_g (Σ_{s∈g} w_s C_us)/(Σ_{s∈g} w_s)`.
    pub fn linear_score(&self, weights_raw: &[f64], out: &mut [f64]) {
        assert_eq!(
            weights_raw.len(),
            self.n_components,
            "one weight per component"
        );
        assert_eq!(out.len(), self.n_units, "one output per unit");
        out.fill(0.0);
        for (g, group) in self.groups.iter().enumerate() {
            let total: f64 = group.iter().map(|&s| weights_raw[s]).sum();
            let factor = self.group_multipliers[g] / total;
            for (u, value) in out.iter_mut().enumerate() {
                let row = &self.transformed[u * self.n_components..(u + 1) * self.n_components];
                let weighted: f64 = group.iter().map(|&s| weights_raw[s] * row[s]).sum();
                *value += factor * weighted;
            }
        }
    }
}

impl WeightModel for LevelModel {
    fn n_units(&self) -> usize {
        self.n_units
    }
    fn unit_codes(&self) -> &[String] {
        &self.unit_codes
    }
    fn weight_codes(&self) -> &[String] {
        &self.component_codes
    }
    fn nominal_weights(&self) -> &[f64] {
        &self.nominal_weights
    }
    fn scale(&self) -> ScoreScale {
        self.scale
    }
    /// Index scores: [`LevelModel::linear_score`], exponentiated on the log scale
    /// (the geometric mean `Π_s C_us^{M_g v_s}`).
    fn score(&self, weights_raw: &[f64], out: &mut [f64]) {
        self.linear_score(weights_raw, out);
        if self.scale == ScoreScale::Log {
            for value in out.iter_mut() {
                *value = value.exp();
            }
        }
    }
    fn linear_form(&self) -> &LinearForm {
        &self.form
    }
}

/// The inputs of a [`TreeModel`]. Node storage follows `model::Framework`: nodes
/// `0..n_leaves` are the leaves in column order, aggregates follow.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeModelSpec {
    /// Leaf (indicator) values, one row per unit (`units × leaves`), without missing values.
    pub leaf_values: Vec<Vec<f64>>,
    /// Parent of every node; `None` for the single top node.
    pub parents: Vec<Option<usize>>,
    /// Raw nominal weight of every node (the top node's is ignored).
    pub nominal_weights: Vec<f64>,
    pub node_codes: Vec<String>,
    pub scale: ScoreScale,
    pub unit_codes: Vec<String>,
}

/// Index scores as a function of the raw weights of every node of a framework tree, with the
/// same aggregation family at every level: `score_u = Σ_i e_i x_ui` (arithmetic) or
/// `ln score_u = Σ_i e_i ln x_ui` (geometric), `e_i = Π_{n on i's path} w_n / Σ_{siblings m of n} w_m`.
/// See the module documentation for the exact polytope of reachable `e`.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeModel {
    n_units: usize,
    n_leaves: usize,
    /// Row-major units × leaves, `x` or `ln x`.
    transformed: Vec<f64>,
    parents: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    /// For each leaf, the nodes from the leaf up to (excluding) the top.
    leaf_paths: Vec<Vec<usize>>,
    top: usize,
    nominal_weights: Vec<f64>,
    node_codes: Vec<String>,
    scale: ScoreScale,
    unit_codes: Vec<String>,
    form: LinearForm,
}

impl TreeModel {
    /// Validates the tree (one top node, leaves first and childless, every aggregate with
    /// children, no cycles), the data (complete, positive on the log scale) and the weights
    /// (non-negative, positive sum under every aggregate).
    pub fn new(spec: TreeModelSpec) -> Result<Self, WeightAnalysisError> {
        let TreeModelSpec {
            leaf_values,
            parents,
            nominal_weights,
            node_codes,
            scale,
            unit_codes,
        } = spec;
        let n_units = leaf_values.len();
        let n_nodes = parents.len();
        let n_leaves = leaf_values.first().map_or(0, Vec::len);
        if n_units == 0 || n_leaves == 0 {
            return Err(invalid_model(
                format!("{n_units} units and {n_leaves} leaves"),
                "the model needs at least one unit and one leaf",
            ));
        }
        if unit_codes.len() != n_units {
            return Err(invalid_model(
                format!("{} unit codes for {n_units} rows", unit_codes.len()),
                "give one code per row of leaf values",
            ));
        }
        if node_codes.len() != n_nodes || nominal_weights.len() != n_nodes || n_nodes <= n_leaves {
            return Err(invalid_model(
                format!(
                    "{n_nodes} parents, {} codes, {} weights for {n_leaves} leaves",
                    node_codes.len(),
                    nominal_weights.len()
                ),
                "give one parent, code and weight per node, leaves first, with at least a top node",
            ));
        }
        check_codes(&unit_codes, "unit")?;
        check_codes(&node_codes, "node")?;
        check_weights(&nominal_weights, &node_codes)?;
        let leaf_codes = &node_codes[..n_leaves];
        let transformed = transform_rows(&leaf_values, n_leaves, scale, leaf_codes, &unit_codes)?;
        let tops: Vec<usize> = (0..n_nodes).filter(|&n| parents[n].is_none()).collect();
        if tops.len() != 1 || tops[0] < n_leaves {
            return Err(invalid_model(
                format!("top nodes (without parent): {tops:?}"),
                "exactly one aggregate node must have no parent",
            ));
        }
        let top = tops[0];
        let mut children = vec![Vec::new(); n_nodes];
        for (n, parent) in parents.iter().enumerate() {
            if let Some(p) = *parent {
                if p >= n_nodes || p == n || p < n_leaves {
                    return Err(invalid_model(
                        format!("node `{}` has parent index {p}", node_codes[n]),
                        "parents must be aggregate nodes (index ≥ number of leaves) other than the node",
                    ));
                }
                children[p].push(n);
            }
        }
        if let Some(n) = (n_leaves..n_nodes).find(|&n| children[n].is_empty()) {
            return Err(invalid_model(
                format!("aggregate `{}` has no children", node_codes[n]),
                "every aggregate needs at least one child",
            ));
        }
        let mut leaf_paths = Vec::with_capacity(n_leaves);
        for (leaf, leaf_code) in leaf_codes.iter().enumerate() {
            let mut path = Vec::new();
            let mut node = leaf;
            while let Some(p) = parents[node] {
                path.push(node);
                node = p;
                if path.len() > n_nodes {
                    return Err(invalid_model(
                        format!("the parents above `{leaf_code}` form a cycle"),
                        "parents must form a tree",
                    ));
                }
            }
            leaf_paths.push(path);
        }
        // Reachability of every aggregate from some leaf follows from "every aggregate has
        // children" plus acyclicity of the leaves' paths, except for detached cycles of aggregates.
        let mut reached = vec![false; n_nodes];
        reached[top] = true;
        for path in &leaf_paths {
            for &n in path {
                reached[n] = true;
            }
        }
        if let Some(n) = reached.iter().position(|r| !r) {
            return Err(invalid_model(
                format!("node `{}` is not connected to the top node", node_codes[n]),
                "parents must form a single tree",
            ));
        }
        for (p, kids) in children.iter().enumerate() {
            if !kids.is_empty() && kids.iter().map(|&c| nominal_weights[c]).sum::<f64>() <= 0.0 {
                return Err(invalid_model(
                    format!("the children of `{}` have zero total weight", node_codes[p]),
                    "every aggregate needs a child with positive nominal weight",
                ));
            }
        }

        // Linearisation: variables are the leaves' effective weights e_i.
        let leaves_under = {
            let mut under = vec![Vec::new(); n_nodes];
            for (leaf, path) in leaf_paths.iter().enumerate() {
                for &n in path {
                    under[n].push(leaf);
                }
            }
            under
        };
        let mut sibling_groups = Vec::new();
        let mut group_of_parent = vec![usize::MAX; n_nodes];
        for (p, kids) in children.iter().enumerate() {
            if kids.is_empty() {
                continue;
            }
            group_of_parent[p] = sibling_groups.len();
            sibling_groups.push(SiblingGroup {
                weights: kids.clone(),
                members: kids.iter().map(|&c| leaves_under[c].clone()).collect(),
            });
        }
        let paths = leaf_paths
            .iter()
            .map(|path| {
                path.iter()
                    .map(|&n| {
                        let p = parents[n].unwrap_or(top);
                        let m = children[p].iter().position(|&c| c == n).unwrap_or(0);
                        (group_of_parent[p], m)
                    })
                    .collect()
            })
            .collect();
        let form = LinearForm {
            n_units,
            n_variables: n_leaves,
            coefficients: transformed.clone(),
            unit_sums: vec![(0..n_leaves).collect()],
            sibling_groups,
            paths,
            flat: false,
        };
        Ok(TreeModel {
            n_units,
            n_leaves,
            transformed,
            parents,
            children,
            leaf_paths,
            top,
            nominal_weights,
            node_codes,
            scale,
            unit_codes,
            form,
        })
    }

    pub fn n_leaves(&self) -> usize {
        self.n_leaves
    }
    pub fn node_codes(&self) -> &[String] {
        &self.node_codes
    }
    pub fn parents(&self) -> &[Option<usize>] {
        &self.parents
    }
    pub fn top(&self) -> usize {
        self.top
    }

    /// Effective weight of leaf `i`: the product of normalised weights along its path.
    pub fn effective_weight(&self, weights_raw: &[f64], leaf: usize) -> f64 {
        self.leaf_paths[leaf]
            .iter()
            .map(|&n| {
                let parent = self.parents[n].unwrap_or(self.top);
                let total: f64 = self.children[parent].iter().map(|&c| weights_raw[c]).sum();
                weights_raw[n] / total
            })
            .product()
    }

    /// Linear scores (`ln score` on the log scale): `Σ_i e_i(w) x_ui`.
    pub fn linear_score(&self, weights_raw: &[f64], out: &mut [f64]) {
        assert_eq!(weights_raw.len(), self.parents.len(), "one weight per node");
        assert_eq!(out.len(), self.n_units, "one output per unit");
        out.fill(0.0);
        for leaf in 0..self.n_leaves {
            let e = self.effective_weight(weights_raw, leaf);
            for (u, value) in out.iter_mut().enumerate() {
                *value += e * self.transformed[u * self.n_leaves + leaf];
            }
        }
    }
}

impl WeightModel for TreeModel {
    fn n_units(&self) -> usize {
        self.n_units
    }
    fn unit_codes(&self) -> &[String] {
        &self.unit_codes
    }
    fn weight_codes(&self) -> &[String] {
        &self.node_codes
    }
    fn nominal_weights(&self) -> &[f64] {
        &self.nominal_weights
    }
    fn scale(&self) -> ScoreScale {
        self.scale
    }
    /// Index scores: [`TreeModel::linear_score`], exponentiated on the log scale.
    fn score(&self, weights_raw: &[f64], out: &mut [f64]) {
        self.linear_score(weights_raw, out);
        if self.scale == ScoreScale::Log {
            for value in out.iter_mut() {
                *value = value.exp();
            }
        }
    }
    fn linear_form(&self) -> &LinearForm {
        &self.form
    }
}

/// How a linear weight constraint compares its left side with the right side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Relation {
    LessEq,
    GreaterEq,
    Equal,
}

/// A linear constraint `Σ coefficient · w_raw (relation) rhs` among the raw weights of one
/// sibling group (raw weights of different parents have no common scale, so constraints across
/// parents are rejected).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightConstraint {
    /// `(raw weight index, coefficient)` pairs.
    pub terms: Vec<(usize, f64)>,
    pub relation: Relation,
    pub rhs: f64,
}

/// The set of raw weight vectors an analysis ranges over: a box `lower ≤ w ≤ upper` (one interval
/// per raw weight; `lower == upper` fixes a weight) intersected with linear constraints within
/// sibling groups. Its image in normalised weights is a polytope (module documentation).
///
/// File format ([`WeightRegion::read_csv`]): a CSV with header `code,lo,hi`, one row per weight
/// that varies; weights not listed stay fixed at their nominal value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightRegion {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub constraints: Vec<WeightConstraint>,
}

impl WeightRegion {
    /// Every weight fixed at its nominal value.
    pub fn fixed<M: WeightModel + ?Sized>(model: &M) -> Self {
        WeightRegion {
            lower: model.nominal_weights().to_vec(),
            upper: model.nominal_weights().to_vec(),
            constraints: Vec::new(),
        }
    }

    /// Every weight within `nominal · (1 ± spread)`, `0 ≤ spread ≤ 1` (COINr's uniform noise
    /// range, Saisana et al. 2005).
    pub fn relative<M: WeightModel + ?Sized>(model: &M, spread: f64) -> Self {
        let mut region = Self::fixed(model);
        for w in 0..region.lower.len() {
            region.set_relative(w, model.nominal_weights()[w], spread);
        }
        region
    }

    /// Lets weight `w` vary within `nominal · (1 ± spread)`.
    pub fn set_relative(&mut self, weight: usize, nominal: f64, spread: f64) {
        self.lower[weight] = nominal * (1.0 - spread);
        self.upper[weight] = nominal * (1.0 + spread);
    }

    /// Lets weight `w` vary within `[lower, upper]`.
    pub fn set_bounds(&mut self, weight: usize, lower: f64, upper: f64) {
        self.lower[weight] = lower;
        self.upper[weight] = upper;
    }

    pub fn add_constraint(&mut self, constraint: WeightConstraint) {
        self.constraints.push(constraint);
    }

    /// Reads `code,lo,hi` rows (header required; extra columns ignored). Unlisted weights are
    /// fixed at nominal. `file` names the source in error messages.
    pub fn read_csv<M: WeightModel + ?Sized, R: Read>(
        model: &M,
        reader: R,
        file: &str,
    ) -> Result<Self, WeightAnalysisError> {
        let file_error =
            |line: usize, problem: String, fix: &str| WeightAnalysisError::RegionFile {
                file: file.to_string(),
                line,
                problem,
                fix: fix.to_string(),
            };
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let headers = csv
            .headers()
            .map_err(|e| file_error(1, e.to_string(), "write a CSV with header code,lo,hi"))?
            .clone();
        let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (Some(code_col), Some(lo_col), Some(hi_col)) =
            (column("code"), column("lo"), column("hi"))
        else {
            return Err(file_error(
                1,
                format!(
                    "header is `{}`",
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
                "the header must contain the columns code, lo and hi",
            ));
        };
        let mut region = Self::fixed(model);
        let mut seen = vec![false; region.lower.len()];
        for (i, record) in csv.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| file_error(line, e.to_string(), "fix the CSV row"))?;
            let code = record.get(code_col).unwrap_or("");
            let Some(w) = model.weight_codes().iter().position(|c| c == code) else {
                return Err(file_error(
                    line,
                    format!("unknown weight code `{code}`"),
                    "use the codes of the weights being analysed",
                ));
            };
            if std::mem::replace(&mut seen[w], true) {
                return Err(file_error(
                    line,
                    format!("weight `{code}` is listed twice"),
                    "list each weight once",
                ));
            }
            let parse = |col: usize, name: &str| {
                let text = record.get(col).unwrap_or("");
                text.parse::<f64>().map_err(|_| {
                    file_error(
                        line,
                        format!("{name} of `{code}` is `{text}`, not a number"),
                        "write lo and hi as numbers",
                    )
                })
            };
            region.set_bounds(w, parse(lo_col, "lo")?, parse(hi_col, "hi")?);
        }
        region.validate(model)?;
        Ok(region)
    }

    /// Whether raw weights lie in the region, up to `tolerance` (absolute, in raw-weight units).
    pub fn contains(&self, weights_raw: &[f64], tolerance: f64) -> bool {
        let in_box = weights_raw
            .iter()
            .zip(self.lower.iter().zip(&self.upper))
            .all(|(w, (lo, hi))| *w >= lo - tolerance && *w <= hi + tolerance);
        in_box
            && self.constraints.iter().all(|c| {
                let lhs: f64 = c.terms.iter().map(|&(w, a)| a * weights_raw[w]).sum();
                let scale = c.terms.iter().map(|&(_, a)| a.abs()).sum::<f64>().max(1.0);
                match c.relation {
                    Relation::LessEq => lhs <= c.rhs + tolerance * scale,
                    Relation::GreaterEq => lhs >= c.rhs - tolerance * scale,
                    Relation::Equal => (lhs - c.rhs).abs() <= tolerance * scale,
                }
            })
    }

    /// Checks the region against the model: one finite interval `0 ≤ lower ≤ upper` per weight,
    /// a positive upper sum in every sibling group, constraints within one sibling group.
    pub fn validate<M: WeightModel + ?Sized>(&self, model: &M) -> Result<(), WeightAnalysisError> {
        let codes = model.weight_codes();
        if self.lower.len() != codes.len() || self.upper.len() != codes.len() {
            return Err(invalid_region(
                format!(
                    "{} lower and {} upper bounds for {} weights",
                    self.lower.len(),
                    self.upper.len(),
                    codes.len()
                ),
                "give one interval per raw weight of the model",
            ));
        }
        for (w, code) in codes.iter().enumerate() {
            let (lo, hi) = (self.lower[w], self.upper[w]);
            if !lo.is_finite() || !hi.is_finite() || lo < 0.0 || lo > hi {
                return Err(invalid_region(
                    format!("weight `{code}` ranges over [{lo}, {hi}]"),
                    "use finite bounds with 0 ≤ lo ≤ hi",
                ));
            }
        }
        let form = model.linear_form();
        let mut group_of_weight = vec![usize::MAX; codes.len()];
        for (g, group) in form.sibling_groups().iter().enumerate() {
            for &w in &group.weights {
                group_of_weight[w] = g;
            }
            if group.weights.iter().map(|&w| self.upper[w]).sum::<f64>() <= 0.0 {
                return Err(invalid_region(
                    format!(
                        "all weights among {:?} have upper bound 0",
                        group.weights.iter().map(|&w| &codes[w]).collect::<Vec<_>>()
                    ),
                    "siblings need at least one positive weight",
                ));
            }
        }
        for (i, c) in self.constraints.iter().enumerate() {
            let groups: Vec<usize> = c
                .terms
                .iter()
                .map(|&(w, _)| group_of_weight.get(w).copied().unwrap_or(usize::MAX))
                .collect();
            if c.terms.is_empty()
                || groups.contains(&usize::MAX)
                || groups.iter().any(|&g| g != groups[0])
                || !c.rhs.is_finite()
                || c.terms.iter().any(|&(_, a)| !a.is_finite())
            {
                return Err(invalid_region(
                    format!("constraint {i} ({c:?}) does not lie within one sibling group"),
                    "constrain only raw weights that share a parent, with finite coefficients",
                ));
            }
        }
        Ok(())
    }
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
        let region = WeightRegion::read_csv(&model, text.as_bytes(), "region.csv").unwrap();
        assert_eq!(region.lower, vec![0.5, 2.0, 2.0]);
        assert_eq!(region.upper, vec![1.5, 4.0, 2.0]);
        let bad = "code,lo,hi\nc9,1,2\n";
        let err = WeightRegion::read_csv(&model, bad.as_bytes(), "region.csv")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("region.csv, line 2") && err.contains("c9"),
            "{err}"
        );
        let inverted = "code,lo,hi\nc0,2,1\n";
        assert!(WeightRegion::read_csv(&model, inverted.as_bytes(), "r.csv").is_err());
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
