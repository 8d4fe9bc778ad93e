//! Weights that deliver the intended importance (Becker, Saisana, Paruolo & Vandecasteele
//! 2017, "Weights and importance in composite indicators: Closing the gap", *Ecological
//! Indicators* 80, 12–22): the weights under which each node's normalised importance for the
//! index, its measure over the sum over it and its siblings, equals a target share (by default
//! its nominal weight share).
//!
//! **Importance.** η² of the index on the node, the bias-corrected spline estimator of
//! [`super::importance`] (the same one the audit reports, clipped at 0), or, as Becker et al.
//! offer and COINr's `get_opt_weights` uses, Pearson's r of the node with the index (clipped
//! at 0). The index is rescored by the pipeline at every trial weight vector.
//!
//! **Search.** The weights stay non-negative and sum to one within each parent by
//! construction: each step multiplies every weight by (target / achieved)^(1/k) and
//! renormalises within the parent, with k the elasticity of the measure in its weight (for an
//! index linear in independent components η²ᵢ = wᵢ² Var xᵢ / Var y, so k = 2, and rᵢ ∝ wᵢ, so
//! k = 1; there one step solves the problem exactly). A step is accepted when it lowers the
//! sum of squared share errors (Becker et al.'s objective); otherwise it is halved, and the
//! search stops as *stalled* once the step is below 1/64: the target is then not reachable
//! from there (e.g. two collinear siblings always share their importance about equally). It
//! stops as *converged* only when every share is within the tolerance of its target, and
//! otherwise after the iteration limit; only the first is reported as success. Factors per step
//! are capped at ×4 and ÷4, so a node with no importance at all cannot send its weight to
//! infinity in one step.
//!
//! Unlike COINr's `get_opt_weights` (an unconstrained Nelder–Mead search that can return
//! negative weights and reports a stopped search as success), the result says how the search
//! ended, with the achieved fit.

use rayon::prelude::*;
use serde::Serialize;

use super::correlation::{Method, correlate};
use super::importance::HeldKnots;
#[cfg(doc)]
use super::importance::correlation_ratio;
use crate::model::Framework;
use crate::model::method::Aggregation;
use crate::pipeline::{Config, ConfigError, Prepared, Scratch, score};

/// The importance measure whose normalised values are matched to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// η², bias-corrected (the audit's estimator).
    Eta2,
    /// Pearson's r with the index.
    Correlation,
}

impl Measure {
    pub fn name(self) -> &'static str {
        match self {
            Measure::Eta2 => "eta2",
            Measure::Correlation => "correlation",
        }
    }

    /// How the measure scales with its weight for a linear index of independent components:
    /// η² ∝ w², r ∝ w.
    fn elasticity(self) -> f64 {
        match self {
            Measure::Eta2 => 2.0,
            Measure::Correlation => 1.0,
        }
    }
}

/// What the search aims at and when it stops.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub measure: Measure,
    /// Target share of every node within its parent, indexed like the framework's nodes
    /// (non-negative, renormalised within each parent; the top's entry is ignored); `None`:
    /// the nominal weight shares.
    pub target: Option<Vec<f64>>,
    /// Converged when every share is within this (absolute) of its target.
    pub tolerance: f64,
    pub max_iterations: usize,
}

/// Default tolerance: half a percentage point of share.
pub const DEFAULT_TOLERANCE: f64 = 0.005;
/// Default iteration limit.
pub const DEFAULT_MAX_ITERATIONS: usize = 100;

impl Default for Request {
    /// η² matched to the nominal weight shares, with the default tolerance and limit.
    fn default() -> Self {
        Request {
            measure: Measure::Eta2,
            target: None,
            tolerance: DEFAULT_TOLERANCE,
            max_iterations: DEFAULT_MAX_ITERATIONS,
        }
    }
}

/// How the search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every share within the tolerance of its target.
    Converged,
    /// No step, however short, lowered the error: the target is not reachable from here.
    Stalled,
    /// The iteration limit came first.
    IterationLimit,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Converged => "converged",
            Status::Stalled => "stalled",
            Status::IterationLimit => "iteration_limit",
        }
    }
}

/// The result of the search. Per-node vectors are indexed like the framework's nodes; the
/// top's entries are 1 (weights, targets) or `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimised {
    pub measure: Measure,
    pub tolerance: f64,
    pub max_iterations: usize,
    pub status: Status,
    /// Steps tried (accepted or not).
    pub iterations: usize,
    pub target: Vec<f64>,
    /// Nominal weights as shares within each parent.
    pub nominal: Vec<f64>,
    /// The weights found, as shares within each parent (non-negative, summing to one).
    pub weights: Vec<f64>,
    /// Normalised importance at the nominal weights and at the weights found (`None` where a
    /// sibling's importance cannot be estimated: those parents are left at their weights).
    pub nominal_shares: Vec<Option<f64>>,
    pub achieved: Vec<Option<f64>>,
    /// The measure itself (η² or r, clipped at 0) at the weights found.
    pub achieved_measure: Vec<Option<f64>>,
    /// Largest |share − target| at the nominal weights and at the weights found.
    pub nominal_fit: f64,
    pub fit: f64,
}

impl Optimised {
    pub fn converged(&self) -> bool {
        self.status == Status::Converged
    }
}

/// Each node's weight over the sum of its and its siblings' weights (the top: 1; 0 when the
/// siblings' weights sum to 0).
pub fn shares_within_parent(framework: &Framework, weights: &[f64]) -> Vec<f64> {
    (0..framework.n_nodes())
        .map(|node| match framework.nodes[node].parent {
            None => 1.0,
            Some(parent) => {
                let total: f64 = framework.nodes[parent]
                    .children
                    .iter()
                    .map(|&c| weights[c])
                    .sum();
                if total > 0.0 {
                    weights[node] / total
                } else {
                    0.0
                }
            }
        })
        .collect()
}

/// One trial point: weights, the measure per node and the shares.
struct Point {
    weights: Vec<f64>,
    measure: Vec<Option<f64>>,
    shares: Vec<Option<f64>>,
}

/// Rescores the index at trial weights and measures every node's importance.
struct Scorer<'a> {
    prepared: &'a Prepared,
    config: Config,
    scratch: Scratch,
    measure: Measure,
    /// Per node, η² with its knots held (see [`HeldKnots`]).
    held: Vec<HeldKnots>,
}

impl Scorer<'_> {
    /// The point at `weights`; with `fresh`, η² by [`correlation_ratio`] itself (GCV choosing
    /// the knots anew), otherwise with the knots held from the last fresh point.
    fn at(&mut self, weights: Vec<f64>, fresh: bool) -> Point {
        let framework = &self.prepared.framework;
        self.config.weights = weights;
        score(self.prepared, &self.config, &mut self.scratch);
        self.scratch.materialise_all();
        let (prepared, scratch, measure) = (self.prepared, &self.scratch, self.measure);
        let y = scratch.node_scores(prepared, framework.top);
        let measures: Vec<Option<f64>> = self
            .held
            .par_iter_mut()
            .enumerate()
            .map(|(node, held)| {
                if node == framework.top {
                    return None;
                }
                let x = scratch.node_scores(prepared, node);
                let m = match measure {
                    Measure::Eta2 if fresh => {
                        held.release();
                        held.eta2(x, y)?
                    }
                    Measure::Eta2 => held.eta2(x, y)?,
                    Measure::Correlation => correlate(Method::Pearson, x, y).r?,
                };
                Some(m.max(0.0))
            })
            .collect();
        let shares = (0..framework.n_nodes())
            .map(|node| {
                let parent = framework.nodes[node].parent?;
                let siblings = &framework.nodes[parent].children;
                let total: Option<f64> = siblings.iter().map(|&s| measures[s]).sum();
                match (measures[node], total) {
                    (Some(m), Some(t)) if t > 0.0 => Some(m / t),
                    _ => None,
                }
            })
            .collect();
        Point {
            weights: self.config.weights.clone(),
            measure: measures,
            shares,
        }
    }
}

impl Point {
    /// The nodes whose share is matched: children of a parent with at least two children,
    /// every sibling's share known.
    fn matched(&self, framework: &Framework, node: usize) -> bool {
        framework.nodes[node].parent.is_some_and(|parent| {
            let siblings = &framework.nodes[parent].children;
            siblings.len() > 1 && siblings.iter().all(|&s| self.shares[s].is_some())
        })
    }

    /// (largest |share − target|, sum of squared errors) over the matched nodes.
    fn fit(&self, framework: &Framework, target: &[f64]) -> (f64, f64) {
        let mut worst: f64 = 0.0;
        let mut squares = 0.0;
        for (node, &goal) in target.iter().enumerate() {
            if let (true, Some(share)) = (self.matched(framework, node), self.shares[node]) {
                let error = share - goal;
                worst = worst.max(error.abs());
                squares += error * error;
            }
        }
        (worst, squares)
    }

    /// The next weights: each matched weight times (target / share)^(step / k), the factor
    /// capped to [1/4, 4], renormalised within its parent.
    fn step(&self, framework: &Framework, target: &[f64], measure: Measure, step: f64) -> Vec<f64> {
        let mut next = self.weights.clone();
        for (node, weight) in next.iter_mut().enumerate() {
            if !self.matched(framework, node) {
                continue;
            }
            let share = self.shares[node].expect("matched nodes have a share");
            let ratio = if share > 0.0 {
                target[node] / share
            } else if target[node] > 0.0 {
                f64::INFINITY
            } else {
                1.0
            };
            *weight *= ratio.powf(step / measure.elasticity()).clamp(0.25, 4.0);
        }
        shares_within_parent(framework, &next)
    }
}

/// How often the knots may be chosen anew at a point the held-knot search converged to
/// before the search gives up on the estimator settling.
const MAX_KNOT_REFRESHES: usize = 3;

/// Searches for the weights whose normalised importance matches `request.target` (see the
/// module notes), starting from the target shares, on variant `variant` of `prepared`
/// aggregated by `aggregation`.
///
/// η² is refitted at every trial point with the knots GCV chose at the last *fresh* point
/// (rescoring is cheap, choosing the knots is not); the search is judged converged only on
/// fresh η², the estimator the audit reports: when the held-knot search converges, the knots
/// are chosen anew there and the search goes on if the fresh shares miss the tolerance (at
/// most [`MAX_KNOT_REFRESHES`] times, then it reports itself stalled).
pub fn optimise_weights(
    prepared: &Prepared,
    variant: usize,
    aggregation: &[Aggregation],
    request: &Request,
) -> Result<Optimised, ConfigError> {
    let framework = &prepared.framework;
    let nominal = shares_within_parent(framework, &framework.nominal_weights());
    let target = &match &request.target {
        Some(target) => shares_within_parent(framework, target),
        None => nominal.clone(),
    };
    let config = Config {
        variant,
        aggregation: aggregation.to_vec(),
        weights: nominal.clone(),
    };
    config.check(prepared)?;
    Config {
        weights: target.clone(),
        ..config.clone()
    }
    .check(prepared)?;
    let mut scorer = Scorer {
        prepared,
        config,
        scratch: Scratch::new(prepared),
        measure: request.measure,
        held: (0..framework.n_nodes())
            .map(|_| HeldKnots::default())
            .collect(),
    };
    let start = scorer.at(nominal.clone(), true);
    let (nominal_fit, _) = start.fit(framework, target);
    let nominal_shares = start.shares.clone();
    // Start from the target itself (the nominal weights when they are the target): a zero
    // target is a zero weight from the outset.
    let mut current = if target == &nominal {
        start
    } else {
        scorer.at(target.clone(), true)
    };
    let (mut worst, mut squares) = current.fit(framework, target);
    let mut step = 1.0;
    let mut iterations = 0;
    let mut refreshes = 0;
    let mut fresh = true;
    let status = loop {
        if worst <= request.tolerance {
            if fresh {
                break Status::Converged;
            }
            if refreshes == MAX_KNOT_REFRESHES {
                break Status::Stalled;
            }
            refreshes += 1;
            current = scorer.at(current.weights.clone(), true);
            (worst, squares) = current.fit(framework, target);
            fresh = true;
            step = 1.0;
            continue;
        }
        if iterations == request.max_iterations {
            break Status::IterationLimit;
        }
        iterations += 1;
        let candidate = scorer.at(
            current.step(framework, target, request.measure, step),
            false,
        );
        let (candidate_worst, candidate_squares) = candidate.fit(framework, target);
        if candidate_squares < squares {
            current = candidate;
            (worst, squares) = (candidate_worst, candidate_squares);
            fresh = false;
            step = (step * 2.0).min(1.0);
        } else {
            step /= 2.0;
            if step < 1.0 / 64.0 {
                break Status::Stalled;
            }
        }
    };
    // What is reported is the audit's own estimator at the weights found.
    if !fresh {
        current = scorer.at(current.weights.clone(), true);
        (worst, _) = current.fit(framework, target);
    }
    Ok(Optimised {
        measure: request.measure,
        tolerance: request.tolerance,
        max_iterations: request.max_iterations,
        status,
        iterations,
        target: target.clone(),
        nominal,
        weights: current.weights.clone(),
        nominal_shares,
        achieved: (0..framework.n_nodes())
            .map(|node| {
                current
                    .matched(framework, node)
                    .then_some(current.shares[node])
                    .flatten()
            })
            .collect(),
        achieved_measure: current.measure,
        nominal_fit,
        fit: worst,
    })
}

/// Why a target for the weight search is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetError {
    #[error("`{code}` is not a node of the framework; fix: {fix}")]
    UnknownNode { code: String, fix: String },
    #[error(
        "`{code}` is the index itself, which has no share to target; fix: give shares of the nodes below it"
    )]
    Top { code: String },
    #[error("the target share of `{code}` is {share}; fix: give a finite share of at least 0")]
    BadShare { code: String, share: f64 },
    #[error(
        "the target shares of the children of `{parent}` are all 0; fix: give at least one of them a positive share"
    )]
    EmptyParent { parent: String },
}

/// The target of the search from some nodes' given shares: each given node takes its share,
/// every other node keeps its nominal weight, and the shares are then renormalised within each
/// parent (so `LIV=2, BUS=1` with the other two siblings at nominal weight 1 targets 2/5, 1/5,
/// 1/5, 1/5). Indexed like the framework's nodes.
pub fn target_from(
    framework: &Framework,
    given: &[(String, f64)],
) -> Result<Vec<f64>, TargetError> {
    let mut target = framework.nominal_weights();
    let codes: Vec<&str> = framework.nodes.iter().map(|n| n.code.as_str()).collect();
    for (code, share) in given {
        let node = framework
            .find(code)
            .ok_or_else(|| TargetError::UnknownNode {
                code: code.clone(),
                fix: crate::model::input::suggest::one_of(code, &codes),
            })?;
        if node == framework.top {
            return Err(TargetError::Top { code: code.clone() });
        }
        if !share.is_finite() || *share < 0.0 {
            return Err(TargetError::BadShare {
                code: code.clone(),
                share: *share,
            });
        }
        target[node] = *share;
    }
    for parent in framework.aggregates() {
        let children = &framework.nodes[parent].children;
        if children.iter().all(|&c| target[c] <= 0.0) {
            return Err(TargetError::EmptyParent {
                parent: framework.nodes[parent].code.clone(),
            });
        }
    }
    Ok(shares_within_parent(framework, &target))
}
