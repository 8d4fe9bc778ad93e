//! Weight sweeps with the ordinary scorer: every unit's rank as one normalised weight moves across a range (siblings rescaled proportionally), and the focus unit's rank over a grid of a three-weight simplex.
//!
//! Both re-score the index with [`crate::pipeline::score()`] at every point, so they hold for any
//! normalisation, aggregation and missing-data pattern (unlike the exact models of
//! [`crate::analysis::weights::exact`], which need linear or log-linear aggregation).
//!
//! **Sweep.** The *normalised* weight `t` of node `j` within its parent moves from `from` to
//! `to`; its siblings keep their proportions, `v_k = v_k0 (1 − t)/(1 − v_j0)`, so the parent's
//! weights still sum to one (the one-at-a-time weight sensitivity of Saisana, Saltelli &
//! Tarantola 2005). Every other weight stays nominal.
//!
//! **Simplex.** For a parent with three children, the children's normalised weights run over the
//! regular lattice `(i/R, j/R, k/R)`, `i + j + k = R`, of the weight triangle (the weight space of
//! SMAA, Lahdelma & Salminen 2001), edges included.

use serde::Serialize;

use super::exact::{
    ExactError, MethodDescription, MethodOverride, NominalScores, Remedy, Rescorer, input_error,
    shares_within_parent,
};
use crate::model::{Framework, Index};

/// Largest simplex resolution accepted (the lattice has `(R + 1)(R + 2)/2` points).
pub const MAX_RESOLUTION: usize = 1000;

/// Largest number of sweep points accepted.
pub const MAX_STEPS: usize = 100_000;

/// A request for a one-weight sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRequest {
    pub method: MethodOverride,
    /// Node code; `None` = the top node's first child.
    pub weight: Option<String>,
    /// Normalised weight at the first point, in `[0, 1]`.
    pub from: f64,
    /// Normalised weight at the last point, in `(from, 1]`.
    pub to: f64,
    /// Number of points, both ends included (at least 2).
    pub steps: usize,
    pub focus: Option<String>,
}

/// Every unit's rank at every point of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepResult {
    pub weight: String,
    pub weight_name: String,
    pub parent: String,
    /// Nominal normalised weight of the swept node.
    pub nominal: f64,
    /// Normalised weight at each point.
    pub values: Vec<f64>,
    pub unit_codes: Vec<String>,
    pub unit_names: Vec<String>,
    pub nominal_ranks: Vec<u32>,
    /// `ranks[point][unit]`.
    pub ranks: Vec<Vec<u32>>,
    /// `scores[point][unit]`, the index scores.
    pub scores: Vec<Vec<f64>>,
    /// Focus unit index, if any.
    pub focus: Option<usize>,
    pub method: MethodDescription,
}

impl SweepResult {
    /// Best and worst rank of `unit` along the sweep.
    pub fn rank_range(&self, unit: usize) -> (u32, u32) {
        self.ranks
            .iter()
            .map(|r| r[unit])
            .fold((u32::MAX, 0), |(lo, hi), r| (lo.min(r), hi.max(r)))
    }

    /// How often `unit`'s rank changes between consecutive points.
    pub fn rank_changes(&self, unit: usize) -> usize {
        self.ranks
            .windows(2)
            .filter(|w| w[0][unit] != w[1][unit])
            .count()
    }
}

/// Checks that `node`'s normalised weight can move: it has a parent and a sibling with a
/// positive nominal weight (the siblings rescale to make room).
fn check_movable(framework: &Framework, weights: &[f64], node: usize) -> Result<usize, ExactError> {
    let Some(parent) = framework.nodes[node].parent else {
        return Err(input_error(
            format!(
                "`{}` is the index itself, whose weight has no siblings",
                framework.nodes[node].code
            ),
            "sweep the weight of a node below the top, e.g. one of the top node's children",
        ));
    };
    let siblings: f64 = framework.nodes[parent]
        .children
        .iter()
        .filter(|&&c| c != node)
        .map(|&c| weights[c])
        .sum();
    if siblings <= 0.0 {
        return Err(input_error(
            format!(
                "`{}` has no sibling with a positive weight under `{}`, so its normalised weight \
                 cannot move",
                framework.nodes[node].code, framework.nodes[parent].code
            ),
            "sweep a node whose parent has other weighted children",
        ));
    }
    Ok(parent)
}

/// Writes into `out` the weights with `node`'s normalised weight set to `share` and its siblings
/// rescaled proportionally (raw total of the parent kept): `w_j = share · T`,
/// `w_k = v_k0 (1 − share)/(1 − v_j0) · T` with `T` the nominal raw total of the parent's children.
/// `out` must hold the nominal weights elsewhere. Requires a sibling with positive weight.
pub fn set_share(framework: &Framework, nominal: &[f64], node: usize, share: f64, out: &mut [f64]) {
    let Some(parent) = framework.nodes[node].parent else {
        return;
    };
    let children = &framework.nodes[parent].children;
    let total: f64 = children.iter().map(|&c| nominal[c]).sum();
    let siblings = total - nominal[node];
    for &c in children {
        out[c] = if c == node {
            share * total
        } else {
            nominal[c] / siblings * (1.0 - share) * total
        };
    }
}

fn find_node(framework: &Framework, code: &str) -> Result<usize, ExactError> {
    framework.find(code).ok_or_else(|| {
        input_error(
            format!("no node `{code}` in the framework"),
            "use an iCode from meta.csv",
        )
    })
}

/// Every unit's rank as one normalised weight sweeps a range (module documentation).
pub fn sweep_weight(index: &Index, request: &SweepRequest) -> Result<SweepResult, ExactError> {
    let (from, to, steps) = (request.from, request.to, request.steps);
    if !(from.is_finite() && to.is_finite() && 0.0 <= from && from < to && to <= 1.0) {
        return Err(input_error(
            format!("cannot sweep from {from} to {to}"),
            "sweep between normalised weights from and to with 0 ≤ from < to ≤ 1",
        )
        .with_remedy(Remedy::SweepRange));
    }
    if !(2..=MAX_STEPS).contains(&steps) {
        return Err(input_error(
            format!("{steps} steps"),
            format!("use between 2 and {MAX_STEPS} points (both ends included)"),
        ));
    }
    let nominal = NominalScores::new(index, &request.method)?;
    let framework = nominal.framework();
    let node = match &request.weight {
        Some(code) => find_node(framework, code)?,
        None => framework.nodes[framework.top].children[0],
    };
    let parent = check_movable(framework, &nominal.config.weights, node)?;
    let focus = nominal.focus(request.focus.as_deref(), index)?;
    let nominal_weights = nominal.config.weights.clone();
    let shares = shares_within_parent(framework, &nominal_weights);
    let values: Vec<f64> = (0..steps)
        .map(|i| from + (to - from) * i as f64 / (steps - 1) as f64)
        .collect();
    let mut rescorer = Rescorer::new(&nominal);
    let mut ranks = Vec::with_capacity(steps);
    let mut scores = Vec::with_capacity(steps);
    for &t in &values {
        rescorer.reset();
        set_share(framework, &nominal_weights, node, t, rescorer.weights_mut());
        ranks.push(rescorer.top_ranks().to_vec());
        scores.push(rescorer.top_scores().to_vec());
    }
    Ok(SweepResult {
        weight: framework.nodes[node].code.clone(),
        weight_name: framework.nodes[node].name.clone(),
        parent: framework.nodes[parent].code.clone(),
        nominal: shares[node],
        values,
        unit_codes: nominal.prepared.unit_codes(),
        unit_names: nominal.prepared.unit_names(),
        nominal_ranks: nominal.nominal_ranks().to_vec(),
        ranks,
        scores,
        focus,
        method: nominal.method.clone(),
    })
}

/// A request for the focus unit's rank over a three-weight simplex.
#[derive(Debug, Clone, PartialEq)]
pub struct SimplexRequest {
    pub method: MethodOverride,
    /// Code of a node with exactly three children; `None` = the top node if it has three.
    pub parent: Option<String>,
    /// Lattice resolution `R` (points `(i/R, j/R, k/R)`).
    pub resolution: usize,
    pub focus: Option<String>,
}

/// One lattice point of the simplex.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SimplexPoint {
    /// Normalised weights of the three children, summing to one.
    pub weights: [f64; 3],
    pub rank: u32,
}

/// The focus unit's rank over the weight triangle of a three-child parent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimplexResult {
    pub parent: String,
    pub parent_name: String,
    pub children: [String; 3],
    pub children_names: [String; 3],
    /// Nominal normalised weights of the three children.
    pub nominal: [f64; 3],
    pub nominal_rank: u32,
    pub focus: String,
    pub focus_name: String,
    pub resolution: usize,
    pub points: Vec<SimplexPoint>,
    pub best_rank: u32,
    pub worst_rank: u32,
    /// The lattice point with the best (worst) rank nearest to the nominal weights (L1).
    pub best_weights: [f64; 3],
    pub worst_weights: [f64; 3],
    /// Share of lattice points at which the focus keeps its nominal rank.
    pub share_nominal_rank: f64,
    pub method: MethodDescription,
}

/// The focus unit's rank on the lattice of the weight triangle of `parent`'s three children,
/// every other weight nominal (module documentation).
pub fn simplex_map(index: &Index, request: &SimplexRequest) -> Result<SimplexResult, ExactError> {
    let resolution = request.resolution;
    if !(1..=MAX_RESOLUTION).contains(&resolution) {
        return Err(input_error(
            format!("resolution {resolution}"),
            format!("use a resolution between 1 and {MAX_RESOLUTION} (default 60)"),
        ));
    }
    let nominal = NominalScores::new(index, &request.method)?;
    let framework = nominal.framework();
    let with_three: Vec<String> = framework
        .aggregates()
        .filter(|&n| framework.nodes[n].children.len() == 3)
        .map(|n| framework.nodes[n].code.clone())
        .collect();
    let parent = match &request.parent {
        Some(code) => find_node(framework, code)?,
        None => framework.top,
    };
    let children = framework.nodes[parent].children.clone();
    let &[a, b, c] = children.as_slice() else {
        let problem = format!(
            "`{}` has {} children; the simplex map needs exactly three",
            framework.nodes[parent].code,
            children.len()
        );
        return Err(if with_three.is_empty() {
            input_error(
                problem,
                "this index has no node with three children; sweep one weight instead",
            )
            .with_remedy(Remedy::OneWeight)
        } else {
            input_error(problem, format!("use one of: {}", with_three.join(", ")))
        });
    };
    let children = [a, b, c];
    let focus = nominal.require_focus(request.focus.as_deref(), index)?;
    let shares = shares_within_parent(framework, &nominal.config.weights);
    let nominal_shares = children.map(|n| shares[n]);
    let mut rescorer = Rescorer::new(&nominal);
    let mut points = Vec::with_capacity((resolution + 1) * (resolution + 2) / 2);
    let r = resolution as f64;
    for i in 0..=resolution {
        for j in 0..=resolution - i {
            let k = resolution - i - j;
            let weights = [i as f64 / r, j as f64 / r, k as f64 / r];
            let out = rescorer.weights_mut();
            for (&node, &w) in children.iter().zip(&weights) {
                out[node] = w;
            }
            let rank = rescorer.top_ranks()[focus];
            points.push(SimplexPoint { weights, rank });
        }
    }
    let nominal_rank = nominal.nominal_ranks()[focus];
    let distance = |w: &[f64; 3]| {
        w.iter()
            .zip(&nominal_shares)
            .map(|(a, b)| (a - b).abs())
            .sum::<f64>()
    };
    let nearest = |rank: u32| {
        points
            .iter()
            .filter(|p| p.rank == rank)
            .min_by(|p, q| distance(&p.weights).total_cmp(&distance(&q.weights)))
            .map(|p| p.weights)
            .unwrap_or(nominal_shares)
    };
    let best_rank = points.iter().map(|p| p.rank).min().unwrap_or(nominal_rank);
    let worst_rank = points.iter().map(|p| p.rank).max().unwrap_or(nominal_rank);
    let kept = points.iter().filter(|p| p.rank == nominal_rank).count();
    let unit = &nominal.prepared.units[focus];
    Ok(SimplexResult {
        parent: framework.nodes[parent].code.clone(),
        parent_name: framework.nodes[parent].name.clone(),
        children: children.map(|n| framework.nodes[n].code.clone()),
        children_names: children.map(|n| framework.nodes[n].name.clone()),
        nominal: nominal_shares,
        nominal_rank,
        focus: unit.code.clone(),
        focus_name: unit.name.clone(),
        resolution,
        best_rank,
        worst_rank,
        best_weights: nearest(best_rank),
        worst_weights: nearest(worst_rank),
        share_nominal_rank: kept as f64 / points.len() as f64,
        points,
        method: nominal.method.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::embedded;

    #[test]
    fn set_share_keeps_sibling_proportions_and_the_total() {
        let index = embedded::load("asem").unwrap();
        let framework = &index.framework;
        let nominal = framework.nominal_weights();
        let node = framework.level_nodes(2)[0];
        let mut out = nominal.clone();
        set_share(framework, &nominal, node, 0.4, &mut out);
        let shares = shares_within_parent(framework, &out);
        let before = shares_within_parent(framework, &nominal);
        assert!((shares[node] - 0.4).abs() < 1e-12);
        let parent = framework.nodes[node].parent.unwrap();
        let siblings: Vec<usize> = framework.nodes[parent]
            .children
            .iter()
            .copied()
            .filter(|&c| c != node)
            .collect();
        for pair in siblings.windows(2) {
            let ratio_before = before[pair[0]] / before[pair[1]];
            let ratio_after = shares[pair[0]] / shares[pair[1]];
            assert!((ratio_before - ratio_after).abs() < 1e-12);
        }
    }

    #[test]
    fn sweep_through_the_nominal_share_gives_the_nominal_ranks() {
        let index = embedded::load("asem").unwrap();
        let request = SweepRequest {
            method: MethodOverride::default(),
            weight: Some("Conn".into()),
            from: 0.0,
            to: 1.0,
            steps: 5,
            focus: None,
        };
        let result = sweep_weight(&index, &request).unwrap();
        assert_eq!(result.nominal, 0.5);
        assert_eq!(result.values, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(result.ranks[2], result.nominal_ranks);
        let bad = SweepRequest {
            from: 0.6,
            to: 0.2,
            ..request
        };
        assert!(sweep_weight(&index, &bad).is_err());
    }
}
