//! Achieved ranks before any MILP: the focus's best and worst rank over sampled vertices of the
//! raw-weight box, improved by flipping one weight at a time.
//!
//! Every rank here is achieved: the weights lie in the region and are scored by
//! [`WeightModel::score`], so each is a valid end of the rank interval from inside (the best
//! rank found is no better than the exact best, the worst no worse than the exact worst). They
//! serve twice: as the MILP's first incumbent (a warm start that lets branch and bound prune
//! from its first node), and as the answer when a time budget runs out before the solver has
//! any solution of its own. Over a box renormalised within its parent every single difference
//! `d_b` is extreme at a vertex of the box (linear-fractional programming, Charnes & Cooper
//! 1962), so vertices are where many competitors fall on one side together: cheap, good
//! candidates, though not exhaustive (the rank counts can be extreme only inside the box; see
//! `tests/bounds_exact.rs`), which is why these ranks are incumbents and never proofs. The local
//! search over neighbouring vertices (one weight from one end of its interval to the other) is
//! the classic 1-flip heuristic.
//!
//! Deterministic: the vertices come from a ChaCha8 stream seeded by the focus unit's index, so
//! the result does not depend on the thread count or on which units are bounded together.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::super::linear::{WeightModel, WeightRegion, rank_of};

/// Random vertices tried before the local search.
const VERTICES: usize = 48;

/// Rounds of one-weight flips at most (each round tries every varying weight once).
const FLIP_ROUNDS: usize = 4;

/// A rank achieved by raw weights inside the region.
#[derive(Debug, Clone)]
pub(super) struct Achieved {
    pub rank: usize,
    pub witness: Vec<f64>,
}

/// The best and the worst rank the sampled weights achieve.
#[derive(Debug, Clone)]
pub(super) struct Incumbents {
    pub best: Achieved,
    pub worst: Achieved,
}

/// Keeps `weights` as the best or the worst witness when its `rank` beats the one held (the
/// first found wins a tie, so the result does not depend on later equal candidates).
fn offer(best: &mut Achieved, worst: &mut Achieved, rank: usize, weights: &[f64]) {
    if rank < best.rank {
        *best = Achieved {
            rank,
            witness: weights.to_vec(),
        };
    }
    if rank > worst.rank {
        *worst = Achieved {
            rank,
            witness: weights.to_vec(),
        };
    }
}

/// Best and worst achieved rank of `focus` over `feasible` (a point of the region), the nominal
/// weights when they lie in the region, the box vertices of a seeded stream that satisfy the
/// region's constraints, and 1-flip local searches from the best and the worst of them.
pub(super) fn incumbents<M: WeightModel>(
    model: &M,
    region: &WeightRegion,
    feasible: &[f64],
    focus: usize,
) -> Incumbents {
    let mut scores = vec![0.0; model.n_units()];
    let mut rank_at = |weights: &[f64]| {
        model.score(weights, &mut scores);
        rank_of(&scores, focus)
    };
    let start = Achieved {
        rank: rank_at(feasible),
        witness: feasible.to_vec(),
    };
    let mut best = start.clone();
    let mut worst = start;
    let nominal = model.nominal_weights();
    if region.contains(nominal, 0.0) {
        offer(&mut best, &mut worst, rank_at(nominal), nominal);
    }
    let varying: Vec<usize> = (0..region.lower.len())
        .filter(|&w| region.lower[w] < region.upper[w])
        .collect();
    if varying.is_empty() {
        return Incumbents { best, worst };
    }
    let mut rng = ChaCha8Rng::seed_from_u64(focus as u64);
    let mut vertex = feasible.to_vec();
    for _ in 0..VERTICES {
        for &w in &varying {
            vertex[w] = if rng.random_bool(0.5) {
                region.upper[w]
            } else {
                region.lower[w]
            };
        }
        if !region.contains(&vertex, 0.0) || !renormalisable(model, &vertex) {
            continue;
        }
        offer(&mut best, &mut worst, rank_at(&vertex), &vertex);
    }
    improve(&mut best, model, region, &varying, &mut rank_at, |a, b| a < b);
    improve(&mut worst, model, region, &varying, &mut rank_at, |a, b| a > b);
    Incumbents { best, worst }
}

/// Whether every sibling group of `weights` has a positive sum: a box corner where a parent's
/// weights are all at a lower bound of 0 renormalises to nothing (its scores are NaN, and a NaN
/// score would rank the focus first).
fn renormalisable<M: WeightModel>(model: &M, weights: &[f64]) -> bool {
    model
        .linear_form()
        .sibling_groups()
        .iter()
        .all(|g| g.weights.iter().map(|&w| weights[w]).sum::<f64>() > 0.0)
}

/// 1-flip local search: moves one varying weight to the other end of its interval (or, from
/// inside the interval, to either end) while that makes the rank strictly `better`.
fn improve<M: WeightModel>(
    current: &mut Achieved,
    model: &M,
    region: &WeightRegion,
    varying: &[usize],
    rank_at: &mut impl FnMut(&[f64]) -> usize,
    better: impl Fn(usize, usize) -> bool,
) {
    let mut trial = current.witness.clone();
    for _ in 0..FLIP_ROUNDS {
        let mut moved = false;
        for &w in varying {
            for end in [region.lower[w], region.upper[w]] {
                if end == current.witness[w] {
                    continue;
                }
                trial[w] = end;
                if region.contains(&trial, 0.0) && renormalisable(model, &trial) {
                    let rank = rank_at(&trial);
                    if better(rank, current.rank) {
                        current.rank = rank;
                        current.witness.copy_from_slice(&trial);
                        moved = true;
                        continue;
                    }
                }
                trial[w] = current.witness[w];
            }
        }
        if !moved {
            break;
        }
    }
}
