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
//! polytopes; the linearisation is documented in [`crate::analysis::linear`]).
//!
//! # Weight ranges
//!
//! A raw box per weight, renormalised within the parent as the scorer does: `nominal · (1 ±
//! spread)` (COINr's multiplicative uniform noise, Saisana et al. 2005), the `[[weights]]`
//! entries of a scenario (uniform: the same box; simplex or Dirichlet: the whole simplex, which
//! contains the Dirichlet's support; fixed: nominal), or a `code,lo,hi` file
//! ([`WeightRegion::read_csv`]).

use serde::Serialize;

use super::bounds::{RankBounds, rank_bounds, rank_bounds_all};
use super::linear::{
    LevelModel, LevelModelSpec, ScoreScale, TreeModel, TreeModelSpec, WeightAnalysisError,
    WeightModel, WeightRegion,
};
use super::stability::{
    MinimalChange, MinimalChanges, StabilityInterval, minimal_rank_changes, stability_intervals,
};
use crate::model::method::{Aggregation, Normalisation};
use crate::model::{Framework, Index};
use crate::pipeline::prepare::nominal_variant;
use crate::pipeline::{
    AggregationRangeError, Config, ConfigError, Evaluation, PrepareError, Prepared, Scratch,
    evaluate, prepare, score,
};
use crate::uncertainty::scenario::{Scenario, WeightMode};

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
    Input { problem: String, fix: String },
    /// The index's method makes scores non-linear in the weights, so exact results would
    /// describe another index.
    #[error("{problem}; fix: {fix}")]
    NotExact { problem: String, fix: String },
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

impl ExactError {
    /// True for failures of the solver rather than of the input.
    pub fn is_internal(&self) -> bool {
        matches!(self, ExactError::Model(WeightAnalysisError::Solver { .. }))
    }
}

pub(crate) fn input_error(problem: impl Into<String>, fix: impl Into<String>) -> ExactError {
    ExactError::Input {
        problem: problem.into(),
        fix: fix.into(),
    }
}

fn not_exact(problem: impl Into<String>, fix: impl Into<String>) -> ExactError {
    ExactError::NotExact {
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// What-if choices replacing the nominal method (as `ranksense score --normalisation/--aggregation`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MethodOverride {
    pub normalisation: Option<Normalisation>,
    /// Used at every aggregate level.
    pub aggregation: Option<Aggregation>,
}

/// The method actually used, for reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodDescription {
    pub normalisation: String,
    /// One per aggregate level, bottom-up.
    pub aggregation: Vec<String>,
}

impl MethodDescription {
    /// `minmax(0,100), arithmetic` or `..., arithmetic / geometric` when levels differ.
    pub fn label(&self) -> String {
        let aggregation = if self.aggregation.iter().all(|a| *a == self.aggregation[0]) {
            self.aggregation[0].clone()
        } else {
            self.aggregation.join(" / ")
        };
        format!("{}, {aggregation} aggregation", self.normalisation)
    }
}

/// The index prepared and scored once under its (possibly overridden) nominal method.
#[derive(Debug, Clone)]
pub struct NominalScores {
    pub prepared: Prepared,
    /// Variant 0, the method's aggregation, the framework's nominal weights.
    pub config: Config,
    pub evaluation: Evaluation,
    pub method: MethodDescription,
}

impl NominalScores {
    /// Prepares the nominal data variant (with the overrides) and scores it. Refuses a
    /// geometric/harmonic/generalised mean on data with non-positive values, and a power mean
    /// that would overflow.
    pub fn new(index: &Index, method: &MethodOverride) -> Result<Self, ExactError> {
        let mut variant = nominal_variant(index);
        if let Some(normalisation) = &method.normalisation {
            variant.normalisation = normalisation.clone();
        }
        let aggregation = match method.aggregation {
            Some(a) => vec![a; index.framework.n_aggregate_levels()],
            None => index.nominal.aggregation.clone(),
        };
        let prepared = prepare(index, std::slice::from_ref(&variant))?;
        let config = Config {
            variant: 0,
            aggregation,
            weights: prepared.framework.nominal_weights(),
        };
        let evaluation = evaluate(&prepared, &config)?;
        let method = MethodDescription {
            normalisation: variant.normalisation.to_string(),
            aggregation: config.aggregation.iter().map(|a| a.to_string()).collect(),
        };
        Ok(NominalScores {
            prepared,
            config,
            evaluation,
            method,
        })
    }

    pub fn framework(&self) -> &Framework {
        &self.prepared.framework
    }

    pub fn n_units(&self) -> usize {
        self.prepared.n_units()
    }

    /// Nominal rank of every kept unit (1 = best, ties share the best rank).
    pub fn nominal_ranks(&self) -> &[u32] {
        self.evaluation.top_ranks(&self.prepared)
    }

    /// The unit named by `requested` (code or name), else the index's default focus, else
    /// `None`. An unknown name is an input error.
    pub fn focus(
        &self,
        requested: Option<&str>,
        index: &Index,
    ) -> Result<Option<usize>, ExactError> {
        let Some(name) = requested.or(index.info.focus.as_deref()) else {
            return Ok(None);
        };
        match self.prepared.find_requested_unit(name) {
            Ok(Some(unit)) => Ok(Some(unit)),
            Err(screened) => Err(ExactError::ScreenedOut(screened)),
            Ok(None) => Err(input_error(
                format!("unit `{name}` is not among the ranked units"),
                "use a uCode or name from data.csv (see `ranksense score`)",
            )),
        }
    }

    /// Like [`NominalScores::focus`], but a focus unit is required.
    pub fn require_focus(
        &self,
        requested: Option<&str>,
        index: &Index,
    ) -> Result<usize, ExactError> {
        self.focus(requested, index)?.ok_or_else(|| {
            input_error(
                "no focus unit: the index names none",
                "pass `--focus UNIT` (a uCode or name from data.csv)",
            )
        })
    }
}

/// Re-scores weight vectors with the ordinary scorer ([`crate::pipeline::score()`]), reusing one
/// configuration and one scratch so that a loop of re-scorings allocates nothing.
pub struct Rescorer<'a> {
    nominal: &'a NominalScores,
    config: Config,
    scratch: Scratch,
}

impl<'a> Rescorer<'a> {
    pub fn new(nominal: &'a NominalScores) -> Self {
        Rescorer {
            nominal,
            config: nominal.config.clone(),
            scratch: Scratch::new(&nominal.prepared),
        }
    }

    /// The raw weight of every framework node, to be overwritten before [`Rescorer::top_ranks`].
    pub fn weights_mut(&mut self) -> &mut [f64] {
        &mut self.config.weights
    }

    /// Restores the nominal weights.
    pub fn reset(&mut self) {
        self.config
            .weights
            .copy_from_slice(&self.nominal.config.weights);
    }

    /// Scores the current weights; returns the index ranks of every unit.
    pub fn top_ranks(&mut self) -> &[u32] {
        let prepared = &self.nominal.prepared;
        score(prepared, &self.config, &mut self.scratch);
        self.scratch.rank(prepared, prepared.framework.top)
    }

    /// Index scores of the last [`Rescorer::top_ranks`] call.
    pub fn top_scores(&self) -> &[f64] {
        self.scratch
            .aggregate_scores(self.nominal.prepared.framework.top)
    }
}

/// Which weights vary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum WeightSet {
    /// The raw weights of the nodes of these levels (1 = indicators, up to the level below the
    /// top), each renormalised within its parent.
    Levels(Vec<usize>),
    /// The effective indicator weights `e_i` (product of the normalised weights on the path),
    /// renormalised to sum to one.
    Effective,
}

impl WeightSet {
    /// The default: the weights of the top node's children (e.g. the dimensions).
    pub fn default_for(framework: &Framework) -> Self {
        WeightSet::Levels(vec![framework.n_levels - 1])
    }

    /// `level 2 (Pillar) weights`, `level 2 and 3 weights`, `effective indicator weights`.
    pub fn label(&self, framework: &Framework) -> String {
        match self {
            WeightSet::Effective => "effective indicator weights".into(),
            WeightSet::Levels(levels) if levels.len() == 1 => {
                format!("{} weights", framework.level_name(levels[0]).to_lowercase())
            }
            WeightSet::Levels(levels) => {
                let names: Vec<String> = levels
                    .iter()
                    .map(|&l| framework.level_name(l).to_lowercase())
                    .collect();
                format!("{} weights together", join_and(&names))
            }
        }
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

/// Checks the levels of a set: each in `1..n_levels`, sorted and without duplicates.
fn check_levels(framework: &Framework, levels: &[usize]) -> Result<Vec<usize>, ExactError> {
    let top = framework.n_levels;
    if levels.is_empty() {
        return Err(input_error(
            "no level given",
            "name a level, e.g. `--level 2`",
        ));
    }
    for &level in levels {
        if level == 0 || level >= top {
            return Err(input_error(
                format!(
                    "level {level} has no weights to vary (the index has levels 1 to {top}, and \
                     the top level {top} has no siblings)"
                ),
                format!(
                    "use a level from 1 (indicators) to {} ({})",
                    top - 1,
                    framework.level_name(top - 1)
                ),
            ));
        }
    }
    let mut sorted = levels.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    Ok(sorted)
}

/// The linear model of one weight set: a [`LevelModel`] (one level, or the effective weights)
/// or a [`TreeModel`] (several levels).
#[derive(Debug, Clone)]
pub enum AnyModel {
    Level(LevelModel),
    Tree(TreeModel),
}

impl AnyModel {
    pub fn weight_codes(&self) -> &[String] {
        match self {
            AnyModel::Level(m) => m.weight_codes(),
            AnyModel::Tree(m) => m.weight_codes(),
        }
    }
    pub fn nominal_weights(&self) -> &[f64] {
        match self {
            AnyModel::Level(m) => m.nominal_weights(),
            AnyModel::Tree(m) => m.nominal_weights(),
        }
    }
    fn sibling_weights(&self) -> Vec<Vec<usize>> {
        let form = match self {
            AnyModel::Level(m) => m.linear_form(),
            AnyModel::Tree(m) => m.linear_form(),
        };
        form.sibling_groups()
            .iter()
            .map(|g| g.weights.clone())
            .collect()
    }
}

/// A weight set of an index as a linear model, with the way back to framework weights.
#[derive(Debug, Clone)]
pub struct ExactModel {
    pub set: WeightSet,
    pub model: AnyModel,
    /// Framework node of each model weight.
    pub nodes: Vec<usize>,
    /// Model weights of the set (the ones reported with witnesses), in model order.
    pub reported: Vec<usize>,
    pub scale: ScoreScale,
    /// Sibling group (model weight indices) of each model weight; `None` for the top node.
    group_of: Vec<Option<usize>>,
    groups: Vec<Vec<usize>>,
}

/// The score scale of the aggregations above `level`: linear when all are arithmetic, log when
/// all are geometric; anything else is refused.
fn scale_above(
    aggregation: &[Aggregation],
    n_levels: usize,
    level: usize,
) -> Result<ScoreScale, ExactError> {
    let above: Vec<(usize, Aggregation)> = (level + 1..=n_levels)
        .map(|l| (l, aggregation[l - 2]))
        .collect();
    let (first_level, first) = above[0];
    if let Some(&(other_level, other)) = above.iter().find(|(_, a)| *a != first) {
        return Err(not_exact(
            format!(
                "exact results for level-{level} weights need one aggregation from level {} up, \
                 but level {first_level} uses `{first}` and level {other_level} uses `{other}`",
                level + 1
            ),
            "pass `--aggregation arithmetic` or `--aggregation geometric` (a what-if), or \
             analyse a higher level with `--level`",
        ));
    }
    match first {
        Aggregation::Arithmetic => Ok(ScoreScale::Linear),
        Aggregation::Geometric => Ok(ScoreScale::Log),
        other => Err(not_exact(
            format!(
                "`{other}` aggregation (from level {} up) is neither linear nor log-linear in \
                 the weights, so exact rank bounds do not apply",
                level + 1
            ),
            "pass `--aggregation arithmetic` or `--aggregation geometric` (a what-if), or use \
             `ranksense uncertainty` for this method",
        )),
    }
}

/// Normalised weight of every node within its parent (`w_n / Σ_siblings w`), 0 when the
/// siblings' total is 0; the top node gets 1.
pub fn shares_within_parent(framework: &Framework, weights: &[f64]) -> Vec<f64> {
    framework
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| match node.parent {
            None => 1.0,
            Some(p) => {
                let total: f64 = framework.nodes[p]
                    .children
                    .iter()
                    .map(|&c| weights[c])
                    .sum();
                if total > 0.0 { weights[n] / total } else { 0.0 }
            }
        })
        .collect()
}

/// Effective weight of a node in the index: the product of the normalised weights on its path
/// to the top.
pub fn effective_weight(framework: &Framework, shares: &[f64], node: usize) -> f64 {
    let mut product = 1.0;
    let mut current = node;
    while let Some(parent) = framework.nodes[current].parent {
        product *= shares[current];
        current = parent;
    }
    product
}

/// Scores of `nodes` for every unit (rows = units), refusing missing values.
fn complete_rows(nominal: &NominalScores, nodes: &[usize]) -> Result<Vec<Vec<f64>>, ExactError> {
    let framework = nominal.framework();
    for &node in nodes {
        let column = &nominal.evaluation.scores[node];
        if let Some(u) = column.iter().position(|x| !x.is_finite()) {
            return Err(not_exact(
                format!(
                    "unit `{}` has no value for `{}` (missing data): with missing values the \
                     scorer renormalises weights per unit, so scores are not linear in the weights",
                    nominal.prepared.units[u].code, framework.nodes[node].code
                ),
                "impute the missing values: set `imputation = \"mean\"` (or `group_mean(COLUMN)`) \
                 under [method] in index.toml",
            ));
        }
    }
    Ok((0..nominal.n_units())
        .map(|u| {
            nodes
                .iter()
                .map(|&n| nominal.evaluation.scores[n][u])
                .collect()
        })
        .collect())
}

impl ExactModel {
    /// Builds the linear model of `set` from the nominal scores (module documentation).
    pub fn build(nominal: &NominalScores, set: &WeightSet) -> Result<Self, ExactError> {
        let framework = nominal.framework();
        let unit_codes: Vec<String> = nominal
            .prepared
            .units
            .iter()
            .map(|u| u.code.clone())
            .collect();
        let weights = &nominal.config.weights;
        let shares = shares_within_parent(framework, weights);
        let (model, nodes, reported, scale) = match set {
            WeightSet::Effective => {
                let scale = scale_above(&nominal.config.aggregation, framework.n_levels, 1)?;
                let nodes: Vec<usize> = (0..framework.n_indicators()).collect();
                let model = LevelModel::new(LevelModelSpec {
                    components: complete_rows(nominal, &nodes)?,
                    groups: vec![(0..nodes.len()).collect()],
                    group_multipliers: vec![1.0],
                    scale,
                    nominal_weights: nodes
                        .iter()
                        .map(|&n| effective_weight(framework, &shares, n))
                        .collect(),
                    component_codes: nodes
                        .iter()
                        .map(|&n| framework.nodes[n].code.clone())
                        .collect(),
                    unit_codes,
                })?;
                let reported = (0..nodes.len()).collect();
                (AnyModel::Level(model), nodes, reported, scale)
            }
            WeightSet::Levels(levels) => {
                let levels = check_levels(framework, levels)?;
                let lowest = levels[0];
                let scale = scale_above(&nominal.config.aggregation, framework.n_levels, lowest)?;
                let leaves = framework.level_nodes(lowest);
                let components = complete_rows(nominal, &leaves)?;
                if levels.len() == 1 {
                    let parents = framework.level_nodes(lowest + 1);
                    let groups: Vec<Vec<usize>> = parents
                        .iter()
                        .map(|&p| {
                            (0..leaves.len())
                                .filter(|&s| framework.nodes[leaves[s]].parent == Some(p))
                                .collect::<Vec<usize>>()
                        })
                        .filter(|g| !g.is_empty())
                        .collect();
                    let group_multipliers = groups
                        .iter()
                        .map(|g| {
                            let parent = framework.nodes[leaves[g[0]]]
                                .parent
                                .unwrap_or(framework.top);
                            effective_weight(framework, &shares, parent)
                        })
                        .collect();
                    let model = LevelModel::new(LevelModelSpec {
                        components,
                        groups,
                        group_multipliers,
                        scale,
                        nominal_weights: leaves.iter().map(|&n| weights[n]).collect(),
                        component_codes: leaves
                            .iter()
                            .map(|&n| framework.nodes[n].code.clone())
                            .collect(),
                        unit_codes,
                    })?;
                    let reported = (0..leaves.len()).collect();
                    (AnyModel::Level(model), leaves, reported, scale)
                } else {
                    let mut nodes = leaves.clone();
                    nodes.extend(
                        framework
                            .aggregates()
                            .filter(|&n| framework.nodes[n].level > lowest),
                    );
                    let local = |node: usize| nodes.iter().position(|&m| m == node);
                    let parents: Vec<Option<usize>> = nodes
                        .iter()
                        .map(|&n| framework.nodes[n].parent.and_then(local))
                        .collect();
                    let model = TreeModel::new(TreeModelSpec {
                        leaf_values: components,
                        parents,
                        nominal_weights: nodes.iter().map(|&n| weights[n]).collect(),
                        node_codes: nodes
                            .iter()
                            .map(|&n| framework.nodes[n].code.clone())
                            .collect(),
                        scale,
                        unit_codes,
                    })?;
                    let reported = (0..nodes.len())
                        .filter(|&k| levels.contains(&framework.nodes[nodes[k]].level))
                        .collect();
                    (AnyModel::Tree(model), nodes, reported, scale)
                }
            }
        };
        let groups = model.sibling_weights();
        let mut group_of = vec![None; nodes.len()];
        for (g, group) in groups.iter().enumerate() {
            for &k in group {
                group_of[k] = Some(g);
            }
        }
        Ok(ExactModel {
            set: set.clone(),
            model,
            nodes,
            reported,
            scale,
            group_of,
            groups,
        })
    }

    /// The level model (one level, or the effective weights); `None` for several levels.
    pub fn level_model(&self) -> Option<&LevelModel> {
        match &self.model {
            AnyModel::Level(m) => Some(m),
            AnyModel::Tree(_) => None,
        }
    }

    /// The model weight of a framework node, if the model has one.
    pub fn weight_of_node(&self, node: usize) -> Option<usize> {
        self.nodes.iter().position(|&n| n == node)
    }

    /// The weight region of `range` (module documentation).
    pub fn region(&self, range: &RangeSpec) -> Result<WeightRegion, ExactError> {
        let region = match range {
            RangeSpec::Spread(spread) => {
                if !(spread.is_finite() && (0.0..=1.0).contains(spread)) {
                    return Err(input_error(
                        format!("spread {spread} is not between 0 and 1"),
                        "give the relative half-width of the range, e.g. `--spread 0.25` for ±25%",
                    ));
                }
                let mut region = self.fixed_region();
                let nominal = self.model.nominal_weights();
                for &k in &self.reported {
                    region.set_relative(k, nominal[k], *spread);
                }
                region
            }
            RangeSpec::Nodes(ranges) => {
                let mut region = self.fixed_region();
                for range in ranges {
                    let k = self.weight_of_node(range.node).ok_or_else(|| {
                        input_error(
                            format!(
                                "the range names node index {} outside the analysed weights",
                                range.node
                            ),
                            "vary only the weights of the analysed levels",
                        )
                    })?;
                    region.set_bounds(k, range.lower, range.upper);
                }
                region
            }
            RangeSpec::File { text, file } => match &self.model {
                AnyModel::Level(m) => WeightRegion::read_csv(m, text.as_bytes(), file)?,
                AnyModel::Tree(m) => WeightRegion::read_csv(m, text.as_bytes(), file)?,
            },
        };
        match &self.model {
            AnyModel::Level(m) => region.validate(m)?,
            AnyModel::Tree(m) => region.validate(m)?,
        }
        Ok(region)
    }

    fn fixed_region(&self) -> WeightRegion {
        match &self.model {
            AnyModel::Level(m) => WeightRegion::fixed(m),
            AnyModel::Tree(m) => WeightRegion::fixed(m),
        }
    }

    /// Writes the framework weights that realise model raw weights `raw` into `out` (which
    /// holds the nominal weights for everything the model leaves fixed).
    pub fn write_framework_weights(&self, framework: &Framework, raw: &[f64], out: &mut [f64]) {
        match self.set {
            WeightSet::Levels(_) => {
                for (k, &node) in self.nodes.iter().enumerate() {
                    out[node] = raw[k];
                }
            }
            WeightSet::Effective => {
                for (k, &node) in self.nodes.iter().enumerate() {
                    out[node] = raw[k];
                }
                // Aggregates carry the sum of the effective weights below them, so each
                // normalised weight is S_n / S_parent and the products telescope to e_i / Σ e.
                for node in framework.aggregates() {
                    out[node] = framework.nodes[node].children.iter().map(|&c| out[c]).sum();
                }
            }
        }
    }

    /// Normalised weight (within its sibling group) of model weight `k` at raw weights `raw`.
    pub fn share(&self, raw: &[f64], k: usize) -> f64 {
        match self.group_of[k] {
            None => 1.0,
            Some(g) => {
                let total: f64 = self.groups[g].iter().map(|&j| raw[j]).sum();
                if total > 0.0 { raw[k] / total } else { 0.0 }
            }
        }
    }

    /// Range of the normalised weight of `k` over the region's box:
    /// `[lo_k/(lo_k + Σ_others hi), hi_k/(hi_k + Σ_others lo)]`.
    pub fn share_range(&self, region: &WeightRegion, k: usize) -> (f64, f64) {
        let Some(g) = self.group_of[k] else {
            return (1.0, 1.0);
        };
        let others_upper: f64 = self.groups[g]
            .iter()
            .filter(|&&j| j != k)
            .map(|&j| region.upper[j])
            .sum();
        let others_lower: f64 = self.groups[g]
            .iter()
            .filter(|&&j| j != k)
            .map(|&j| region.lower[j])
            .sum();
        let ratio = |own: f64, others: f64| {
            if own + others > 0.0 {
                own / (own + others)
            } else {
                0.0
            }
        };
        (
            ratio(region.lower[k], others_upper),
            ratio(region.upper[k], others_lower),
        )
    }
}

/// A raw interval for one framework node's weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NodeRange {
    pub node: usize,
    pub lower: f64,
    pub upper: f64,
}

/// A weight range on an [`ExactModel`].
#[derive(Debug, Clone, PartialEq)]
pub enum RangeSpec {
    /// Every weight of the set within `nominal · (1 ± spread)`.
    Spread(f64),
    /// Raw intervals per framework node; the rest stay nominal.
    Nodes(Vec<NodeRange>),
    /// A `code,lo,hi` CSV ([`WeightRegion::read_csv`]): its text and its name for messages.
    File { text: String, file: String },
}

/// Where the weight range of a bounds request comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum RangeSource {
    /// `nominal · (1 ± spread)` for every weight of the set.
    Spread(f64),
    /// The `[[weights]]` entries of a scenario; `label` names it in reports.
    Scenario {
        scenario: Box<Scenario>,
        label: String,
    },
    /// A `code,lo,hi` file: its text and name. Raw values, like meta.csv's `Weight` column
    /// (effective weights with [`WeightSet::Effective`]).
    File { text: String, file: String },
}

/// What a scenario's `[[weights]]` entries describe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioRanges {
    /// The levels whose weights vary, ascending.
    pub levels: Vec<usize>,
    /// Raw intervals of the varying weights.
    pub ranges: Vec<NodeRange>,
    /// What the exact analysis leaves out of the scenario.
    pub notes: Vec<String>,
}

/// The per-node ranges a scenario's `[[weights]]` entries describe (uniform: `nominal · (1 ±
/// spread)`; simplex and Dirichlet: `[0, Σ siblings]`, i.e. the whole simplex; fixed: none).
pub fn scenario_ranges(
    scenario: &Scenario,
    framework: &Framework,
) -> Result<ScenarioRanges, ExactError> {
    let weights = framework.nominal_weights();
    let mut ranges: Vec<NodeRange> = Vec::new();
    let mut notes = Vec::new();
    for spec in &scenario.weights {
        let parents = spec.parents(framework);
        if parents.is_empty() {
            return Err(input_error(
                format!(
                    "the scenario's [[weights]] entry for {} matches no node of the index",
                    spec.target
                ),
                "check the scenario against the index with `ranksense validate --scenario FILE`",
            ));
        }
        for parent in parents {
            let children = &framework.nodes[parent].children;
            let total: f64 = children.iter().map(|&c| weights[c]).sum();
            for &child in children {
                let (lower, upper) = match spec.mode {
                    WeightMode::Uniform { spread } => (
                        weights[child] * (1.0 - spread),
                        weights[child] * (1.0 + spread),
                    ),
                    WeightMode::Simplex | WeightMode::Dirichlet { .. } => (0.0, total),
                    WeightMode::Fixed => continue,
                };
                ranges.retain(|r| r.node != child);
                ranges.push(NodeRange {
                    node: child,
                    lower,
                    upper,
                });
            }
        }
        if matches!(spec.mode, WeightMode::Dirichlet { .. }) {
            notes.push(format!(
                "the Dirichlet weights of {} range over their support, the whole weight simplex",
                spec.target
            ));
        }
    }
    if ranges.is_empty() {
        return Err(input_error(
            format!("scenario {} varies no weights", scenario.source),
            "give a scenario with a non-fixed [[weights]] entry, or use `--spread`",
        ));
    }
    let mut levels: Vec<usize> = ranges
        .iter()
        .map(|r| framework.nodes[r.node].level)
        .collect();
    levels.sort_unstable();
    levels.dedup();
    let mut held = Vec::new();
    if scenario.normalisation.is_some() {
        held.push("normalisation");
    }
    if !scenario.aggregation.is_empty() {
        held.push("aggregation");
    }
    if scenario.imputation.is_some() {
        held.push("imputation");
    }
    if scenario.treatment.is_some() {
        held.push("treatment");
    }
    if scenario.exclusion.is_some() {
        held.push("indicator exclusion");
    }
    if !held.is_empty() {
        let held: Vec<String> = held.into_iter().map(String::from).collect();
        notes.push(format!(
            "the scenario's other factors ({}) are held at the nominal method",
            join_and(&held)
        ));
    }
    Ok(ScenarioRanges {
        levels,
        ranges,
        notes,
    })
}

/// The levels of the codes listed in a `code,lo,hi` file (unknown codes and the top node are
/// input errors with the file's line).
pub fn region_file_levels(
    text: &str,
    file: &str,
    framework: &Framework,
) -> Result<Vec<usize>, ExactError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            input_error(
                format!("{file}, line 1: {e}"),
                "write a CSV with header code,lo,hi",
            )
        })?
        .clone();
    let Some(code_column) = headers.iter().position(|h| h.eq_ignore_ascii_case("code")) else {
        return Err(input_error(
            format!("{file}, line 1: the header has no `code` column"),
            "write a CSV with header code,lo,hi",
        ));
    };
    let mut levels = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record
            .map_err(|e| input_error(format!("{file}, line {line}: {e}"), "fix the CSV row"))?;
        let code = record.get(code_column).unwrap_or("");
        let Some(node) = framework.find(code) else {
            return Err(input_error(
                format!("{file}, line {line}: unknown weight code `{code}`"),
                "use iCodes from meta.csv",
            ));
        };
        if framework.nodes[node].parent.is_none() {
            return Err(input_error(
                format!(
                    "{file}, line {line}: `{code}` is the index itself, whose weight has no siblings"
                ),
                "list weights below the top node",
            ));
        }
        levels.push(framework.nodes[node].level);
    }
    if levels.is_empty() {
        return Err(input_error(
            format!("{file} lists no weights"),
            "add one `code,lo,hi` row per weight that varies",
        ));
    }
    levels.sort_unstable();
    levels.dedup();
    Ok(levels)
}

/// One weight of a bounds analysis, as reports show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightEntry {
    pub code: String,
    pub name: String,
    pub level: usize,
    /// The parent within which the weight is normalised (the top node for effective weights).
    pub parent: String,
    /// Nominal normalised weight (share of the parent).
    pub nominal: f64,
    pub raw_nominal: f64,
    pub raw_lower: f64,
    pub raw_upper: f64,
    /// Range of the normalised weight over the box.
    pub share_lower: f64,
    pub share_upper: f64,
}

/// Exact best and worst rank of one unit, with witness weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitBounds {
    pub code: String,
    pub name: String,
    /// Rank under the nominal weights (ordinary scorer).
    pub nominal_rank: usize,
    pub best_rank: usize,
    pub worst_rank: usize,
    /// True when both ranks are proven optima (see [`RankBounds::exact`]); otherwise they are
    /// ranks achieved by the witnesses, and the exact interval contains `[best, worst]`.
    pub exact: bool,
    /// True when the ordinary scorer, given the witness weights, ranks the unit exactly
    /// `best_rank` and `worst_rank`.
    pub verified: bool,
    pub scorer_best_rank: usize,
    pub scorer_worst_rank: usize,
    /// Witness weights, normalised within their parents, one per [`BoundsReport::weights`] entry.
    pub best_weights: Vec<f64>,
    pub worst_weights: Vec<f64>,
}

/// Exact rank bounds of a bounds request: summary.json-ready.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoundsReport {
    /// `sub-dimension weights`, `pillar and sub-index weights together`, ...
    pub weight_set_label: String,
    pub weight_set: WeightSet,
    /// How the range was given: `within ±25% of nominal`, `scenario X`, `region file r.csv`.
    pub range_label: String,
    pub weights: Vec<WeightEntry>,
    pub method: MethodDescription,
    pub scale: ScoreScale,
    /// Plain statement of what is exact.
    pub exactness: String,
    pub notes: Vec<String>,
    /// Focus unit code, if any.
    pub focus: Option<String>,
    /// Every unit (with `all`) or just the focus unit.
    pub units: Vec<UnitBounds>,
}

impl BoundsReport {
    /// The bounds of unit `code`.
    pub fn unit(&self, code: &str) -> Option<&UnitBounds> {
        self.units.iter().find(|u| u.code == code)
    }
}

/// A request for exact rank bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundsRequest {
    pub method: MethodOverride,
    /// `None`: the levels a scenario or region file varies, else the top node's children.
    pub weights: Option<WeightSet>,
    pub range: RangeSource,
    /// Unit code or name; `None` = the index's focus.
    pub focus: Option<String>,
    /// Every unit instead of only the focus.
    pub all_units: bool,
}

impl BoundsRequest {
    /// The focus unit's bounds for the given levels' weights within `±spread`.
    pub fn spread(levels: Vec<usize>, spread: f64, focus: Option<String>) -> Self {
        BoundsRequest {
            method: MethodOverride::default(),
            weights: Some(WeightSet::Levels(levels)),
            range: RangeSource::Spread(spread),
            focus,
            all_units: false,
        }
    }
}

/// Exact best and worst ranks (Salo & Punkka 2011) of the focus unit, or every unit, over a
/// weight range, with witnesses verified by the ordinary scorer (module documentation).
pub fn bounds_for(index: &Index, request: &BoundsRequest) -> Result<BoundsReport, ExactError> {
    let nominal = NominalScores::new(index, &request.method)?;
    let framework = nominal.framework();
    let mut notes = Vec::new();
    let (set, spec, range_label) = match &request.range {
        RangeSource::Spread(spread) => (
            request
                .weights
                .clone()
                .unwrap_or_else(|| WeightSet::default_for(framework)),
            RangeSpec::Spread(*spread),
            format!("within ±{}% of nominal", fmt_percent_number(100.0 * spread)),
        ),
        RangeSource::Scenario { scenario, label } => {
            let described = scenario_ranges(scenario, framework)?;
            notes.extend(described.notes);
            (
                request
                    .weights
                    .clone()
                    .unwrap_or(WeightSet::Levels(described.levels)),
                RangeSpec::Nodes(described.ranges),
                format!("in the ranges of scenario {label}"),
            )
        }
        RangeSource::File { text, file } => {
            let set = match &request.weights {
                Some(set) => set.clone(),
                None => WeightSet::Levels(region_file_levels(text, file, framework)?),
            };
            (
                set,
                RangeSpec::File {
                    text: text.clone(),
                    file: file.clone(),
                },
                format!("in the ranges of {file}"),
            )
        }
    };
    let model = ExactModel::build(&nominal, &set)?;
    let region = model.region(&spec)?;
    let focus = nominal.focus(request.focus.as_deref(), index)?;
    let bounds: Vec<RankBounds> = if request.all_units {
        match &model.model {
            AnyModel::Level(m) => rank_bounds_all(m, &region)?,
            AnyModel::Tree(m) => rank_bounds_all(m, &region)?,
        }
    } else {
        let focus = nominal.require_focus(request.focus.as_deref(), index)?;
        vec![match &model.model {
            AnyModel::Level(m) => rank_bounds(m, &region, focus)?,
            AnyModel::Tree(m) => rank_bounds(m, &region, focus)?,
        }]
    };

    // Where the nominal weights lie in the range and already reach a bound, they are the
    // clearest witness of it.
    let nominal_raw = model.model.nominal_weights();
    let bounds: Vec<RankBounds> = if region.contains(nominal_raw, 0.0) {
        bounds
            .into_iter()
            .map(|mut b| {
                if b.nominal_rank == b.best_rank {
                    b.best_witness = nominal_raw.to_vec();
                }
                if b.nominal_rank == b.worst_rank {
                    b.worst_witness = nominal_raw.to_vec();
                }
                b
            })
            .collect()
    } else {
        bounds
    };
    let mut rescorer = Rescorer::new(&nominal);
    let nominal_ranks = nominal.nominal_ranks().to_vec();
    let units = bounds
        .iter()
        .map(|b| {
            let mut scorer_rank = |witness: &[f64]| {
                rescorer.reset();
                model.write_framework_weights(framework, witness, rescorer.weights_mut());
                rescorer.top_ranks()[b.unit_index] as usize
            };
            let scorer_best_rank = scorer_rank(&b.best_witness);
            let scorer_worst_rank = scorer_rank(&b.worst_witness);
            let unit = &nominal.prepared.units[b.unit_index];
            UnitBounds {
                code: unit.code.clone(),
                name: unit.name.clone(),
                nominal_rank: nominal_ranks[b.unit_index] as usize,
                best_rank: b.best_rank,
                worst_rank: b.worst_rank,
                exact: b.exact,
                verified: scorer_best_rank == b.best_rank && scorer_worst_rank == b.worst_rank,
                scorer_best_rank,
                scorer_worst_rank,
                best_weights: model
                    .reported
                    .iter()
                    .map(|&k| model.share(&b.best_witness, k))
                    .collect(),
                worst_weights: model
                    .reported
                    .iter()
                    .map(|&k| model.share(&b.worst_witness, k))
                    .collect(),
            }
        })
        .collect();

    let weights = model
        .reported
        .iter()
        .map(|&k| {
            let node = &framework.nodes[model.nodes[k]];
            let parent = match model.set {
                WeightSet::Effective => framework.top,
                WeightSet::Levels(_) => node.parent.unwrap_or(framework.top),
            };
            let (share_lower, share_upper) = model.share_range(&region, k);
            WeightEntry {
                code: node.code.clone(),
                name: node.name.clone(),
                level: node.level,
                parent: framework.nodes[parent].code.clone(),
                nominal: model.share(nominal_raw, k),
                raw_nominal: nominal_raw[k],
                raw_lower: region.lower[k],
                raw_upper: region.upper[k],
                share_lower,
                share_upper,
            }
        })
        .collect();

    Ok(BoundsReport {
        weight_set_label: set.label(framework),
        exactness: exactness_statement(&set, framework, &units_not_exact(&bounds)),
        weight_set: set,
        range_label,
        weights,
        method: nominal.method.clone(),
        scale: model.scale,
        notes,
        focus: focus.map(|f| nominal.prepared.units[f].code.clone()),
        units,
    })
}

fn units_not_exact(bounds: &[RankBounds]) -> Vec<String> {
    bounds
        .iter()
        .filter(|b| !b.exact)
        .map(|b| b.unit.clone())
        .collect()
}

/// `25`, `12.5`.
fn fmt_percent_number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What is exact, in plain words.
fn exactness_statement(set: &WeightSet, framework: &Framework, not_exact: &[String]) -> String {
    let mut text = match set {
        WeightSet::Levels(levels) if levels.len() > 1 => format!(
            "Exact, with the {} weights varying together: the index is linear (log-linear for geometric \
             means) in the effective weights of the lowest varying level, the effective weights \
             reachable from the per-weight ranges form a polytope, and the mixed-integer programs \
             range over that polytope exactly (no outer approximation); each bound is achieved \
             by its witness weights.",
            join_and(
                &levels
                    .iter()
                    .map(|&l| framework.level_name(l).to_lowercase())
                    .collect::<Vec<_>>()
            )
        ),
        _ => "Exact: the best and worst ranks over every weight vector in the range, from \
              mixed-integer programs over the weight polytope; each bound is achieved by its \
              witness weights."
            .to_string(),
    };
    text.push_str(" Normalisation, aggregation and data are held at the stated method.");
    if !not_exact.is_empty() {
        text.push_str(&format!(
            " For {} float ties kept the solver's optimum from being confirmed: the ranks shown \
             are achieved by the witnesses, so the exact best rank is at least as good and the \
             exact worst rank at least as bad.",
            join_and(not_exact)
        ));
    }
    text
}

// ---------------------------------------------------------------------------------------------
// Stability
// ---------------------------------------------------------------------------------------------

/// One weight's stability interval, with where the weight sits in the framework.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightStability {
    pub name: String,
    pub level: usize,
    pub parent: String,
    #[serde(flatten)]
    pub interval: StabilityInterval,
}

/// One entry of a minimal change: a weight's nominal and new normalised value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedWeight {
    pub code: String,
    pub nominal: f64,
    pub changed: f64,
}

/// A minimal rank-changing weight move, with its weights named and re-scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinimalMove {
    #[serde(flatten)]
    pub change: MinimalChange,
    /// The focus's rank given these weights by the ordinary scorer.
    pub scorer_rank: usize,
    pub weights: Vec<ChangedWeight>,
}

/// Smallest L1 and L∞ moves of one level's weights that move the focus up or down one place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinimalMoves {
    pub up_l1: Option<MinimalMove>,
    pub up_linf: Option<MinimalMove>,
    pub down_l1: Option<MinimalMove>,
    pub down_linf: Option<MinimalMove>,
}

/// Stability of one weight set (a level, or the effective indicator weights).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelStability {
    /// `pillar weights`, `effective indicator weights`.
    pub label: String,
    pub weight_set: WeightSet,
    pub weights: Vec<WeightStability>,
    pub minimal: MinimalMoves,
}

/// The weight whose keep-rank interval is narrowest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FragileWeight {
    pub code: String,
    pub name: String,
    pub nominal: f64,
    pub keep_rank_lo: f64,
    pub keep_rank_hi: f64,
    /// The nearer end's crossing: `(passer, passed, weight value)`.
    pub passer: Option<String>,
    pub passed: Option<String>,
    pub at: Option<f64>,
}

/// Exact stability of the focus unit's rank and the top-k order: summary.json-ready.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StabilityReport {
    pub focus: String,
    pub focus_name: String,
    pub nominal_rank: usize,
    pub top_k: usize,
    pub method: MethodDescription,
    pub sets: Vec<LevelStability>,
    /// Levels left out of a default request, with the reason.
    pub skipped: Vec<String>,
    pub most_fragile: Option<FragileWeight>,
}

/// A request for stability intervals and minimal rank-changing moves.
#[derive(Debug, Clone, PartialEq)]
pub struct StabilityRequest {
    pub method: MethodOverride,
    /// `Levels`: each level separately; `None`: every aggregate level below the top (level 1
    /// when the indicators sit directly under the top), skipping levels without an exact model.
    pub weights: Option<WeightSet>,
    pub focus: Option<String>,
    /// `None` = 10, capped at the number of units.
    pub top_k: Option<usize>,
}

/// Exact stability intervals of every weight of the requested levels (one weight moving, its
/// siblings rescaled proportionally), and the smallest L1 and L∞ weight moves that change the
/// focus's rank by one place, per level (see [`crate::analysis::stability`]).
pub fn stability_for(
    index: &Index,
    request: &StabilityRequest,
) -> Result<StabilityReport, ExactError> {
    let nominal = NominalScores::new(index, &request.method)?;
    let framework = nominal.framework();
    let focus = nominal.require_focus(request.focus.as_deref(), index)?;
    let top_k = request.top_k.unwrap_or(10).clamp(1, nominal.n_units());
    let explicit = request.weights.is_some();
    let sets: Vec<WeightSet> = match &request.weights {
        Some(WeightSet::Effective) => vec![WeightSet::Effective],
        Some(WeightSet::Levels(levels)) => check_levels(framework, levels)?
            .into_iter()
            .map(|l| WeightSet::Levels(vec![l]))
            .collect(),
        None => {
            let first = if framework.n_levels > 2 { 2 } else { 1 };
            (first..framework.n_levels)
                .map(|l| WeightSet::Levels(vec![l]))
                .collect()
        }
    };
    let mut skipped = Vec::new();
    let mut results = Vec::new();
    let mut rescorer = Rescorer::new(&nominal);
    for set in sets {
        let model = match ExactModel::build(&nominal, &set) {
            Ok(model) => model,
            Err(error @ ExactError::NotExact { .. }) if !explicit => {
                skipped.push(format!("{}: {error}", set.label(framework)));
                continue;
            }
            Err(error) => return Err(error),
        };
        let level_model = model
            .level_model()
            .expect("one level or the effective weights");
        let weights = stability_intervals(level_model, focus, top_k)?
            .into_iter()
            .map(|interval| {
                let node = &framework.nodes[model.nodes[interval.weight_index]];
                let parent = match set {
                    WeightSet::Effective => framework.top,
                    WeightSet::Levels(_) => node.parent.unwrap_or(framework.top),
                };
                WeightStability {
                    name: node.name.clone(),
                    level: node.level,
                    parent: framework.nodes[parent].code.clone(),
                    interval,
                }
            })
            .collect();
        let changes = minimal_rank_changes(level_model, focus)?;
        let minimal = named_moves(&model, framework, changes, focus, &mut rescorer);
        results.push(LevelStability {
            label: set.label(framework),
            weight_set: set,
            weights,
            minimal,
        });
    }
    if results.is_empty() {
        return Err(not_exact(
            format!("no level has an exact weight model: {}", skipped.join("; ")),
            "pass `--aggregation arithmetic` or `--aggregation geometric` (a what-if)",
        ));
    }
    let most_fragile = most_fragile(&results);
    let unit = &nominal.prepared.units[focus];
    Ok(StabilityReport {
        focus: unit.code.clone(),
        focus_name: unit.name.clone(),
        nominal_rank: nominal.nominal_ranks()[focus] as usize,
        top_k,
        method: nominal.method.clone(),
        sets: results,
        skipped,
        most_fragile,
    })
}

fn named_moves(
    model: &ExactModel,
    framework: &Framework,
    changes: MinimalChanges,
    focus: usize,
    rescorer: &mut Rescorer<'_>,
) -> MinimalMoves {
    let nominal_raw = model.model.nominal_weights();
    let mut name = |change: Option<MinimalChange>| {
        change.map(|change| {
            rescorer.reset();
            model.write_framework_weights(framework, &change.weights_raw, rescorer.weights_mut());
            let scorer_rank = rescorer.top_ranks()[focus] as usize;
            let weights = (0..model.nodes.len())
                .map(|k| ChangedWeight {
                    code: framework.nodes[model.nodes[k]].code.clone(),
                    nominal: model.share(nominal_raw, k),
                    changed: change.weights_normalised[k],
                })
                .collect();
            MinimalMove {
                change,
                scorer_rank,
                weights,
            }
        })
    };
    MinimalMoves {
        up_l1: name(changes.up_l1),
        up_linf: name(changes.up_linf),
        down_l1: name(changes.down_l1),
        down_linf: name(changes.down_linf),
    }
}

/// The movable weight with the narrowest keep-rank interval (first in report order on ties).
fn most_fragile(sets: &[LevelStability]) -> Option<FragileWeight> {
    let candidate = sets
        .iter()
        .flat_map(|s| &s.weights)
        .filter(|w| !w.interval.fixed)
        .min_by(|a, b| {
            let width = |w: &WeightStability| w.interval.keep_rank_hi - w.interval.keep_rank_lo;
            width(a).total_cmp(&width(b))
        })?;
    let interval = &candidate.interval;
    let below = interval
        .first_change_below
        .as_ref()
        .map(|c| (interval.nominal - c.t, c));
    let above = interval
        .first_change_above
        .as_ref()
        .map(|c| (c.t - interval.nominal, c));
    let nearer = match (below, above) {
        (Some(b), Some(a)) => Some(if b.0 <= a.0 { b.1 } else { a.1 }),
        (Some(b), None) => Some(b.1),
        (None, Some(a)) => Some(a.1),
        (None, None) => None,
    };
    Some(FragileWeight {
        code: interval.weight.clone(),
        name: candidate.name.clone(),
        nominal: interval.nominal,
        keep_rank_lo: interval.keep_rank_lo,
        keep_rank_hi: interval.keep_rank_hi,
        passer: nearer.map(|c| c.passer.clone()),
        passed: nearer.map(|c| c.passed.clone()),
        at: nearer.map(|c| c.t),
    })
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
            text.contains("level 3 uses `geometric`") && text.contains("--aggregation"),
            "{text}"
        );
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
