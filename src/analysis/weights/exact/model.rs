//! Which weights vary and the linear model of the index in them: one level's weights
//! ([`LevelModel`]) or the effective indicator weights of the whole tree ([`TreeModel`]), built
//! from the nominal scores and checked to reproduce the scorer.

use super::*;

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

/// Checks the levels of a set: each in `1..n_levels`, sorted and without duplicates.
pub(super) fn check_levels(
    framework: &Framework,
    levels: &[usize],
) -> Result<Vec<usize>, ExactError> {
    let top = framework.n_levels;
    if levels.is_empty() {
        return Err(
            input_error("no level given", "name a level, e.g. 2").with_remedy(Remedy::Level),
        );
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
    #[cfg(any(test, feature = "internals"))]
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
    pub(super) fn sibling_weights(&self) -> Vec<Vec<usize>> {
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
    pub(super) group_of: Vec<Option<usize>>,
    pub(super) groups: Vec<Vec<usize>>,
}

/// The score scale of the aggregations above `level`: linear when all are arithmetic, log when
/// all are geometric; anything else is refused.
pub(super) fn scale_above(
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
            "aggregate every level with the arithmetic or geometric mean (a what-if), or \
             analyse a higher level",
        )
        .with_remedy(Remedy::AggregationOrLevel));
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
            "aggregate every level with the arithmetic or geometric mean (a what-if), or \
             analyse this method by sampling (the uncertainty analysis)",
        )
        .with_remedy(Remedy::AggregationOrSampling)),
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
pub(super) fn complete_rows(
    nominal: &NominalScores,
    nodes: &[usize],
) -> Result<Vec<Vec<f64>>, ExactError> {
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
                        "give the relative half-width of the range, e.g. 0.25 for ±25%",
                    )
                    .with_remedy(Remedy::Spread));
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
                AnyModel::Level(m) => WeightRegion::read_csv(m, text, file)?,
                AnyModel::Tree(m) => WeightRegion::read_csv(m, text, file)?,
            },
        };
        match &self.model {
            AnyModel::Level(m) => region.validate(m)?,
            AnyModel::Tree(m) => region.validate(m)?,
        }
        Ok(region)
    }

    pub(super) fn fixed_region(&self) -> WeightRegion {
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
