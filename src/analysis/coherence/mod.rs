//! The statistical coherence audit of a composite indicator (issue #16): data quality,
//! correlation structure, internal consistency (Cronbach's α, PCA) and importance against
//! weight, on the data as the pipeline prepares them and the scores it aggregates.
//!
//! Missing values: every correlation and covariance uses the units where both values are
//! present (pairwise-complete, R's `use = "pairwise.complete.obs"`, COINr's default); PCA uses
//! the units where every column of the group is present (COINr's `get_PCA`); η² uses the
//! complete pairs of the variable and the index.

pub mod correlation;
pub mod cronbach;
pub mod importance;
pub mod optimise;
pub mod pca;
pub mod quality;

use rayon::prelude::*;

use crate::model::Index;
use crate::pipeline::{Evaluation, Prepared};

pub use correlation::{Correlation, Flag, Method, Relation, Thresholds};
pub use importance::Ratio;
pub use optimise::{Measure, Optimised, Request, Status};
pub use pca::{Components, NoComponents};
pub use quality::Quality;

/// A weight share and an importance share further apart than this (absolute) are a finding
/// for the index's own components (the level below the index), and the charts mark them.
pub const SHARE_GAP: f64 = 0.10;

/// Settings of the audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub thresholds: Thresholds,
    /// Bootstrap resamples for the η² intervals (0: none).
    pub resamples: usize,
    /// Level of the η² intervals.
    pub level: f64,
    pub seed: u64,
    /// The weights that deliver the intended importance, searched for when given.
    pub optimise: Option<Request>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            thresholds: Thresholds::default(),
            resamples: 200,
            level: 0.95,
            seed: 1,
            optimise: Some(Request::default()),
        }
    }
}

/// Internal consistency of one aggregate's children.
#[derive(Debug, Clone, PartialEq)]
pub struct Consistency {
    pub aggregate: usize,
    /// Cronbach's α (`None`: fewer than two children or no variance).
    pub alpha: Option<f64>,
    pub components: Result<Components, NoComponents>,
}

/// Importance of one node for the index, set against its weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Importance {
    pub node: usize,
    /// `None` when it cannot be estimated (too few units, a constant column).
    pub ratio: Option<Ratio>,
    /// η² (clipped at 0) over the sum over the node and its siblings: its share of its
    /// parent's importance.
    pub share: Option<f64>,
    /// Its nominal weight over the sum of its and its siblings' weights.
    pub weight_share: f64,
}

/// The whole audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Coherence {
    pub quality: Quality,
    pub correlations: Vec<Correlation>,
    pub consistency: Vec<Consistency>,
    /// Every node but the index, in storage order.
    pub importance: Vec<Importance>,
    /// Pearson correlations of every indicator with every aggregate, for the heat map.
    pub heat_map: HeatMap,
    /// The weights that deliver the intended importance (when the settings ask for them), or
    /// why the index could not be rescored with trial weights.
    pub optimised: Option<Result<Optimised, crate::pipeline::ConfigError>>,
    pub settings: Settings,
}

/// Pearson correlations (pairwise-complete) of every indicator (rows) with every aggregate
/// (columns), both in the framework's order: depth-first from the index, so the indicators of
/// one group sit together; columns run from the lowest aggregate level to the index.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    pub rows: Vec<usize>,
    pub columns: Vec<usize>,
    /// Row-major, `rows.len() × columns.len()`.
    pub r: Vec<Option<f64>>,
}

/// Every node depth-first from the index (pre-order, children in meta.csv order).
pub fn framework_order(framework: &crate::model::Framework) -> Vec<usize> {
    let mut order = Vec::with_capacity(framework.n_nodes());
    let mut stack = vec![framework.top];
    while let Some(node) = stack.pop() {
        order.push(node);
        stack.extend(framework.nodes[node].children.iter().rev());
    }
    order
}

/// The heat map of `values` (see [`HeatMap`]).
pub fn heat_map(framework: &crate::model::Framework, values: &[Vec<f64>]) -> HeatMap {
    let order = framework_order(framework);
    let rows: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&n| n < framework.n_indicators())
        .collect();
    let columns: Vec<usize> = (2..=framework.n_levels)
        .flat_map(|level| {
            order
                .iter()
                .copied()
                .filter(move |&n| framework.nodes[n].level == level)
        })
        .collect();
    let r = rows
        .iter()
        .flat_map(|&x| columns.iter().map(move |&y| (x, y)))
        .map(|(x, y)| correlation::correlate(Method::Pearson, &values[x], &values[y]).r)
        .collect();
    HeatMap { rows, columns, r }
}

/// Every node's values per unit: indicators as prepared (normalised), aggregates as scored.
pub fn node_values(evaluation: &Evaluation) -> &[Vec<f64>] {
    &evaluation.scores
}

/// Runs the audit on `prepared` (variant `variant`) and its nominal `evaluation`.
pub fn audit(
    index: &Index,
    prepared: &Prepared,
    variant: usize,
    evaluation: &Evaluation,
    weights: &[f64],
    settings: &Settings,
) -> Coherence {
    let framework = &prepared.framework;
    let values = node_values(evaluation);
    let quality = quality::quality(index, prepared, &prepared.variants[variant]);
    let correlations = correlation::correlations(framework, values, &settings.thresholds);
    let consistency = framework
        .aggregates()
        .map(|aggregate| {
            let columns: Vec<&[f64]> = framework.nodes[aggregate]
                .children
                .iter()
                .map(|&c| values[c].as_slice())
                .collect();
            Consistency {
                aggregate,
                alpha: cronbach::cronbach_alpha(&columns),
                components: pca::principal_components(&columns),
            }
        })
        .collect();
    let importance = importances(framework, values, weights, settings);
    let optimised = settings.optimise.as_ref().map(|request| {
        optimise::optimise_weights(prepared, variant, &index.nominal.aggregation, request)
    });
    Coherence {
        quality,
        correlations,
        consistency,
        importance,
        heat_map: heat_map(framework, values),
        optimised,
        settings: settings.clone(),
    }
}

/// η² of the index on every node, and each node's share within its parent beside its weight
/// share.
pub fn importances(
    framework: &crate::model::Framework,
    values: &[Vec<f64>],
    weights: &[f64],
    settings: &Settings,
) -> Vec<Importance> {
    let y = &values[framework.top];
    // Nodes in parallel (each with its own seed, so the results do not depend on the threads).
    let ratios: Vec<Option<Ratio>> = (0..framework.n_nodes())
        .into_par_iter()
        .map(|node| {
            if node == framework.top {
                return None;
            }
            // Each node its own seed offset: intervals do not share resampling noise.
            let seed = settings.seed.wrapping_add(node as u64);
            importance::correlation_ratio(
                &values[node],
                y,
                settings.resamples,
                settings.level,
                seed,
            )
        })
        .collect();
    (0..framework.n_nodes())
        .filter(|&node| node != framework.top)
        .map(|node| {
            let parent = framework.nodes[node]
                .parent
                .expect("only the top has no parent");
            let siblings = &framework.nodes[parent].children;
            let weight_total: f64 = siblings.iter().map(|&s| weights[s]).sum();
            let eta = |s: usize| ratios[s].as_ref().map(|r| r.eta2.max(0.0));
            let total: Option<f64> = siblings.iter().map(|&s| eta(s)).sum();
            let share = match (eta(node), total) {
                (Some(e), Some(t)) if t > 0.0 => Some(e / t),
                _ => None,
            };
            Importance {
                node,
                ratio: ratios[node].clone(),
                share,
                weight_share: if weight_total > 0.0 {
                    weights[node] / weight_total
                } else {
                    0.0
                },
            }
        })
        .collect()
}
