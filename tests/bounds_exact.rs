//! Exact rank bounds and stability intervals against independent brute force on small random cases.
//!
//! Why box vertices are NOT exhaustive: the rank of the focus counts the open half-spaces
//! `d_b(v) > 0` that contain `v`; that count is neither convex nor concave, so its minimum or
//! maximum over the weight polytope `P` can sit strictly inside `P` (two units crossing the focus
//! at different points leave a middle stretch where neither is above it:
//! `analysis::weights::bounds::tests::best_rank_inside_the_box_is_found_and_witnessed`). What IS
//! exhaustive is the arrangement of `P`'s facets with the hyperplanes `d_b = 0`:
//! - the best rank (ties allowed, closed conditions `d_b ≤ 0`) is attained at a vertex of some
//!   polytope `P ∩ {d_b ≤ 0 : b ∈ S}`, i.e. at an arrangement vertex, so the minimum count over
//!   all arrangement vertices is the best rank;
//! - the worst rank (open conditions `d_b > 0`) is attained in a relatively open cell
//!   `O_T = {v ∈ P : d_b > 0, b ∈ T}`; when it is non-empty the centroid of all arrangement
//!   vertices in its closure has positive weight on every vertex of the closure, so it lies in its
//!   relative interior, i.e. in `O_T`. Trying every subset `T` is exhaustive.
//!
//! In `v`-space the image of a box with `lo > 0` is, per group, `{Σ v = 1, v_s lo_t ≤ v_t hi_s}`
//! (pairwise ratio constraints), so the arrangement is enumerated by solving every square system
//! of the group equalities plus `k − G` of these hyperplanes.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use ranksense::analysis::weights::bounds::{
    RankBounds, Strategy, rank_bounds, rank_bounds_all, rank_bounds_by,
};
use ranksense::analysis::weights::linear::{
    LevelModel, LevelModelSpec, Relation, ScoreScale, TreeModel, TreeModelSpec, WeightConstraint,
    WeightModel, WeightRegion, rank_of,
};
use ranksense::analysis::weights::stability::{
    MoveDirection, minimal_rank_changes, stability_intervals, weights_at,
};

fn codes(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// `n_units` units, groups of the given sizes, values uniform in [1, 100), random multipliers
/// and nominal weights.
fn random_model(seed: u64, n_units: usize, sizes: &[usize], scale: ScoreScale) -> LevelModel {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let k: usize = sizes.iter().sum();
    let mut groups = Vec::new();
    let mut next = 0;
    for &size in sizes {
        groups.push((next..next + size).collect());
        next += size;
    }
    let mut multipliers: Vec<f64> = sizes.iter().map(|_| rng.random_range(0.5..2.0)).collect();
    let total: f64 = multipliers.iter().sum();
    multipliers.iter_mut().for_each(|m| *m /= total);
    LevelModel::new(LevelModelSpec {
        components: (0..n_units)
            .map(|_| (0..k).map(|_| rng.random_range(1.0..100.0)).collect())
            .collect(),
        groups,
        group_multipliers: multipliers,
        scale,
        nominal_weights: (0..k).map(|_| rng.random_range(0.5..2.0)).collect(),
        component_codes: codes("c", k),
        unit_codes: codes("u", n_units),
    })
    .unwrap()
}

fn focus_rank<M: WeightModel>(model: &M, weights: &[f64], focus: usize) -> usize {
    let mut scores = vec![0.0; model.n_units()];
    model.score(weights, &mut scores);
    rank_of(&scores, focus)
}

/// Solves `a x = b` (square, row-major) by Gaussian elimination with partial pivoting.
fn solve_square(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-11 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let factor = a[row][col] / a[col][col];
            let (done, rest) = a.split_at_mut(row);
            for (target, pivot_value) in rest[0][col..].iter_mut().zip(&done[col][col..]) {
                *target -= factor * pivot_value;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let tail: f64 = (row + 1..n).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    Some(x)
}

fn combinations(n: usize, r: usize, out: &mut Vec<Vec<usize>>) {
    fn go(start: usize, n: usize, r: usize, current: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if current.len() == r {
            out.push(current.clone());
            return;
        }
        for i in start..n {
            current.push(i);
            go(i + 1, n, r, current, out);
            current.pop();
        }
    }
    go(0, n, r, &mut Vec::new(), out);
}

/// Exact best and worst rank of `focus` over a box by arrangement enumeration (module docs).
fn oracle_bounds(model: &LevelModel, region: &WeightRegion, focus: usize) -> (usize, usize) {
    let k = model.n_components();
    let n_groups = model.groups().len();
    let form = model.linear_form();
    let differences: Vec<Vec<f64>> = (0..model.n_units())
        .filter(|&b| b != focus)
        .map(|b| {
            (0..k)
                .map(|s| form.row(b)[s] - form.row(focus)[s])
                .collect()
        })
        .collect();
    let gap = differences
        .iter()
        .flatten()
        .fold(0.0f64, |acc, d| acc.max(d.abs()));
    let tolerance = 1e-9 * gap;
    // Ratio hyperplanes v_s lo_t − v_t hi_s ≤ 0.
    let mut ratio_rows = Vec::new();
    for group in model.groups() {
        for &s in group {
            for &t in group {
                if s != t {
                    let mut row = vec![0.0; k];
                    row[s] = region.lower[t];
                    row[t] = -region.upper[s];
                    ratio_rows.push(row);
                }
            }
        }
    }
    let hyperplanes: Vec<&Vec<f64>> = ratio_rows.iter().chain(differences.iter()).collect();
    let mut choices = Vec::new();
    combinations(hyperplanes.len(), k - n_groups, &mut choices);
    let mut points = Vec::new();
    for choice in &choices {
        let mut a = Vec::with_capacity(k);
        let mut b = Vec::with_capacity(k);
        for group in model.groups() {
            let mut row = vec![0.0; k];
            group.iter().for_each(|&s| row[s] = 1.0);
            a.push(row);
            b.push(1.0);
        }
        for &h in choice {
            a.push(hyperplanes[h].clone());
            b.push(0.0);
        }
        let Some(v) = solve_square(a, b) else {
            continue;
        };
        let feasible = v.iter().all(|&x| x >= -1e-12)
            && ratio_rows
                .iter()
                .all(|row| row.iter().zip(&v).map(|(r, x)| r * x).sum::<f64>() <= 1e-10);
        if feasible {
            points.push(v);
        }
    }
    assert!(!points.is_empty());
    let value = |d: &Vec<f64>, v: &Vec<f64>| d.iter().zip(v).map(|(a, b)| a * b).sum::<f64>();
    let count = |v: &Vec<f64>| {
        differences
            .iter()
            .filter(|d| value(d, v) > tolerance)
            .count()
    };
    let best = points.iter().map(count).min().unwrap();
    let n_others = differences.len();
    let mut worst = 0;
    for subset in 0u32..(1 << n_others) {
        let members: Vec<usize> = (0..n_others).filter(|&b| subset >> b & 1 == 1).collect();
        let closure: Vec<&Vec<f64>> = points
            .iter()
            .filter(|v| {
                members
                    .iter()
                    .all(|&b| value(&differences[b], v) >= -tolerance)
            })
            .collect();
        if closure.is_empty() {
            continue;
        }
        let mut centroid = vec![0.0; k];
        for v in &closure {
            centroid.iter_mut().zip(v.iter()).for_each(|(c, x)| *c += x);
        }
        centroid.iter_mut().for_each(|c| *c /= closure.len() as f64);
        if members
            .iter()
            .all(|&b| value(&differences[b], &centroid) > tolerance)
        {
            worst = worst.max(count(&centroid));
        }
    }
    (1 + best, 1 + worst)
}

fn assert_witnesses<M: WeightModel>(model: &M, region: &WeightRegion, bounds: &RankBounds) {
    let focus = bounds.unit_index;
    assert!(region.contains(&bounds.best_witness, 1e-9), "{bounds:?}");
    assert!(region.contains(&bounds.worst_witness, 1e-9), "{bounds:?}");
    assert_eq!(
        focus_rank(model, &bounds.best_witness, focus),
        bounds.best_rank,
        "best witness of {}",
        bounds.unit
    );
    assert_eq!(
        focus_rank(model, &bounds.worst_witness, focus),
        bounds.worst_rank,
        "worst witness of {}",
        bounds.unit
    );
    assert!(bounds.best_rank <= bounds.worst_rank);
}

/// Every box vertex, a grid and random points stay within the bounds.
fn assert_contains_observed(
    model: &LevelModel,
    region: &WeightRegion,
    all: &[RankBounds],
    seed: u64,
) {
    let k = model.n_components();
    let check = |w: &[f64]| {
        let mut scores = vec![0.0; model.n_units()];
        model.score(w, &mut scores);
        for bounds in all {
            let rank = rank_of(&scores, bounds.unit_index);
            assert!(
                bounds.best_rank <= rank && rank <= bounds.worst_rank,
                "{} ranked {rank} at {w:?}, bounds [{}, {}]",
                bounds.unit,
                bounds.best_rank,
                bounds.worst_rank
            );
        }
    };
    for mask in 0u32..(1 << k) {
        let w: Vec<f64> = (0..k)
            .map(|s| {
                if mask >> s & 1 == 1 {
                    region.upper[s]
                } else {
                    region.lower[s]
                }
            })
            .collect();
        check(&w);
    }
    // Grid: 5 levels per weight.
    let levels = 5usize;
    for index in 0..levels.pow(k as u32) {
        let w: Vec<f64> = (0..k)
            .map(|s| {
                let level = index / levels.pow(s as u32) % levels;
                let f = level as f64 / (levels - 1) as f64;
                region.lower[s] + f * (region.upper[s] - region.lower[s])
            })
            .collect();
        check(&w);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..2000 {
        let w: Vec<f64> = (0..k)
            .map(|s| rng.random_range(region.lower[s]..=region.upper[s]))
            .collect();
        check(&w);
    }
}

#[test]
fn bounds_equal_arrangement_enumeration_on_random_cases() {
    let layouts: [&[usize]; 3] = [&[2, 2], &[2, 3], &[3, 3]];
    let mut cases = 0;
    let mut interior = 0;
    for seed in 0..12u64 {
        let sizes = layouts[seed as usize % 3];
        let n_units = 6 + (seed as usize % 3);
        let scale = if seed % 2 == 0 {
            ScoreScale::Linear
        } else {
            ScoreScale::Log
        };
        let model = random_model(seed, n_units, sizes, scale);
        for spread in [0.25, 0.5] {
            let region = WeightRegion::relative(&model, spread);
            let all = rank_bounds_all(&model, &region).unwrap();
            for bounds in &all {
                assert!(bounds.exact, "{bounds:?}");
                assert_witnesses(&model, &region, bounds);
                let (best, worst) = oracle_bounds(&model, &region, bounds.unit_index);
                assert_eq!(
                    (bounds.best_rank, bounds.worst_rank),
                    (best, worst),
                    "seed {seed}, spread {spread}, unit {}",
                    bounds.unit
                );
                // The spatial branch and bound, splitting until at most one unit crosses a
                // sub-box (so that it, not the MILP, does nearly all the work).
                let spatial = Strategy::Spatial { leaf_units: 1 };
                let by_boxes = rank_bounds_by(&model, &region, bounds.unit_index, spatial).unwrap();
                assert!(by_boxes.exact, "{by_boxes:?}");
                assert_witnesses(&model, &region, &by_boxes);
                assert_eq!(
                    (by_boxes.best_rank, by_boxes.worst_rank),
                    (best, worst),
                    "spatial search: seed {seed}, spread {spread}, unit {}",
                    bounds.unit
                );
                // Count the cases where some box vertex misses an extreme.
                let k = model.n_components();
                let vertex_ranks: Vec<usize> = (0u32..(1 << k))
                    .map(|mask| {
                        let w: Vec<f64> = (0..k)
                            .map(|s| {
                                if mask >> s & 1 == 1 {
                                    region.upper[s]
                                } else {
                                    region.lower[s]
                                }
                            })
                            .collect();
                        focus_rank(&model, &w, bounds.unit_index)
                    })
                    .collect();
                if vertex_ranks.iter().min() != Some(&best)
                    || vertex_ranks.iter().max() != Some(&worst)
                {
                    interior += 1;
                }
                cases += 1;
            }
            assert_contains_observed(&model, &region, &all, seed);
        }
    }
    assert!(cases > 100);
    // Not an assertion about correctness, but documents that vertex enumeration would be wrong.
    eprintln!("{interior} of {cases} unit bounds are not attained at any box vertex");
}

#[test]
fn single_focus_matches_all_units() {
    let model = random_model(99, 8, &[3, 2], ScoreScale::Linear);
    let region = WeightRegion::relative(&model, 0.4);
    let all = rank_bounds_all(&model, &region).unwrap();
    for focus in [0, 3, 7] {
        let one = rank_bounds(&model, &region, focus).unwrap();
        assert_eq!(one, all[focus]);
    }
}

#[test]
fn general_constraints_shrink_the_interval_and_stay_witnessed() {
    let model = random_model(7, 8, &[3, 3], ScoreScale::Linear);
    let free = WeightRegion::relative(&model, 0.5);
    let mut constrained = free.clone();
    // Within group 0: w0 ≥ w1 + w2 − 1 and w3 = w4 (weights of one parent tied together).
    constrained.add_constraint(WeightConstraint {
        terms: vec![(0, 1.0), (1, -1.0), (2, -1.0)],
        relation: Relation::GreaterEq,
        rhs: -1.0,
    });
    constrained.add_constraint(WeightConstraint {
        terms: vec![(3, 1.0), (4, -1.0)],
        relation: Relation::Equal,
        rhs: 0.0,
    });
    let loose = rank_bounds_all(&model, &free).unwrap();
    let tight = rank_bounds_all(&model, &constrained).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for (l, t) in loose.iter().zip(&tight) {
        assert!(l.best_rank <= t.best_rank && t.worst_rank <= l.worst_rank);
        assert_witnesses(&model, &constrained, t);
    }
    // Random points satisfying the constraints stay within the tight bounds.
    let mut checked = 0;
    while checked < 2000 {
        let mut w: Vec<f64> = (0..6)
            .map(|s| rng.random_range(constrained.lower[s]..=constrained.upper[s]))
            .collect();
        w[4] = w[3];
        if !constrained.contains(&w, 0.0) {
            continue;
        }
        checked += 1;
        for t in &tight {
            let rank = focus_rank(&model, &w, t.unit_index);
            assert!(t.best_rank <= rank && rank <= t.worst_rank);
        }
    }
}

/// A three-level tree (12 indicators, 4 pillars, top) with pillar and indicator weights varying.
fn random_tree(seed: u64, n_units: usize, scale: ScoreScale) -> TreeModel {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pillar_of = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3];
    let mut parents: Vec<Option<usize>> = pillar_of.iter().map(|&p| Some(12 + p)).collect();
    parents.extend([Some(16), Some(16), Some(16), Some(16), None]);
    TreeModel::new(TreeModelSpec {
        leaf_values: (0..n_units)
            .map(|_| (0..12).map(|_| rng.random_range(1.0..100.0)).collect())
            .collect(),
        parents,
        nominal_weights: (0..17).map(|_| rng.random_range(0.5..2.0)).collect(),
        node_codes: codes("n", 17),
        scale,
        unit_codes: codes("u", n_units),
    })
    .unwrap()
}

#[test]
fn tree_bounds_with_several_levels_are_sound_and_witnessed() {
    for (seed, scale) in [(11, ScoreScale::Linear), (12, ScoreScale::Log)] {
        let tree = random_tree(seed, 10, scale);
        let region = WeightRegion::relative(&tree, 0.25);
        let all = rank_bounds_all(&tree, &region).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for bounds in &all {
            assert!(bounds.exact);
            assert_witnesses(&tree, &region, bounds);
        }
        for _ in 0..3000 {
            let w: Vec<f64> = (0..17)
                .map(|n| rng.random_range(region.lower[n]..=region.upper[n]))
                .collect();
            for bounds in &all {
                let rank = focus_rank(&tree, &w, bounds.unit_index);
                assert!(bounds.best_rank <= rank && rank <= bounds.worst_rank);
            }
        }
    }
}

/// Two levels of a tree varying together (the four pillar weights and the three indicator weights
/// of the first pillar, seven in all): the spatial search, splitting down to sub-boxes crossed
/// by at most one unit, gives the MILP's bounds for every unit, witnessed.
#[test]
fn tree_bounds_by_spatial_search_equal_the_milp() {
    for (seed, scale) in [(31, ScoreScale::Linear), (32, ScoreScale::Log)] {
        let tree = random_tree(seed, 12, scale);
        let mut region = WeightRegion::fixed(&tree);
        for node in [0, 1, 2, 12, 13, 14, 15] {
            let nominal = tree.nominal_weights()[node];
            region.set_bounds(node, 0.6 * nominal, 1.4 * nominal);
        }
        for focus in 0..12 {
            let milp = rank_bounds_by(&tree, &region, focus, Strategy::Milp).unwrap();
            let spatial = Strategy::Spatial { leaf_units: 1 };
            let by_boxes = rank_bounds_by(&tree, &region, focus, spatial).unwrap();
            assert!(milp.exact && by_boxes.exact);
            assert_witnesses(&tree, &region, &by_boxes);
            assert_eq!(
                (by_boxes.best_rank, by_boxes.worst_rank),
                (milp.best_rank, milp.worst_rank),
                "seed {seed}, unit {focus}"
            );
        }
    }
}

#[test]
fn tree_with_one_level_varying_equals_the_level_model() {
    let tree = random_tree(21, 9, ScoreScale::Linear);
    // Only the indicator weights vary; the pillar weights are fixed.
    let mut region = WeightRegion::fixed(&tree);
    for leaf in 0..12 {
        region.set_relative(leaf, tree.nominal_weights()[leaf], 0.5);
    }
    let nominal = tree.nominal_weights();
    let pillar_total: f64 = nominal[12..16].iter().sum();
    let groups: Vec<Vec<usize>> =
        vec![vec![0, 1, 2], vec![3, 4], vec![5, 6, 7, 8], vec![9, 10, 11]];
    let mut scores = vec![0.0; 9];
    tree.linear_score(nominal, &mut scores);
    let level = LevelModel::new(LevelModelSpec {
        components: (0..9)
            .map(|u| {
                (0..12)
                    .map(|i| tree.linear_form().coefficient(u, i))
                    .collect()
            })
            .collect(),
        groups,
        group_multipliers: nominal[12..16].iter().map(|w| w / pillar_total).collect(),
        scale: ScoreScale::Linear,
        nominal_weights: nominal[..12].to_vec(),
        component_codes: codes("n", 12),
        unit_codes: codes("u", 9),
    })
    .unwrap();
    let level_region = WeightRegion {
        lower: region.lower[..12].to_vec(),
        upper: region.upper[..12].to_vec(),
        constraints: Vec::new(),
    };
    let from_tree = rank_bounds_all(&tree, &region).unwrap();
    let from_level = rank_bounds_all(&level, &level_region).unwrap();
    for (t, l) in from_tree.iter().zip(&from_level) {
        assert_eq!(
            (t.best_rank, t.worst_rank),
            (l.best_rank, l.worst_rank),
            "{}",
            t.unit
        );
    }
}

fn proptest_case() -> &'static (LevelModel, WeightRegion, Vec<RankBounds>) {
    static CASE: OnceLock<(LevelModel, WeightRegion, Vec<RankBounds>)> = OnceLock::new();
    CASE.get_or_init(|| {
        let model = random_model(2024, 8, &[3, 3], ScoreScale::Log);
        let region = WeightRegion::relative(&model, 0.5);
        let all = rank_bounds_all(&model, &region).unwrap();
        (model, region, all)
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_seed: RngSeed::Fixed(20240611),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]
    #[test]
    fn random_weights_in_the_box_never_leave_the_bounds(
        fractions in proptest::collection::vec(0.0f64..=1.0, 6)
    ) {
        let (model, region, all) = proptest_case();
        let w: Vec<f64> = fractions
            .iter()
            .enumerate()
            .map(|(s, f)| region.lower[s] + f * (region.upper[s] - region.lower[s]))
            .collect();
        for bounds in all {
            let rank = focus_rank(model, &w, bounds.unit_index);
            prop_assert!(bounds.best_rank <= rank && rank <= bounds.worst_rank);
        }
    }
}

fn top_k_signature(model: &LevelModel, weights: &[f64], k: usize) -> Vec<(usize, usize)> {
    let mut scores = vec![0.0; model.n_units()];
    model.score(weights, &mut scores);
    let mut signature: Vec<(usize, usize)> = (0..model.n_units())
        .map(|u| (rank_of(&scores, u), u))
        .filter(|&(r, _)| r <= k)
        .collect();
    signature.sort_unstable();
    signature
}

#[test]
fn stability_intervals_match_a_fine_sweep() {
    let mut interior_ends = 0;
    for seed in 0..6u64 {
        let scale = if seed % 2 == 0 {
            ScoreScale::Linear
        } else {
            ScoreScale::Log
        };
        let model = random_model(100 + seed, 8, &[3, 4, 2], scale);
        let top_k = 3;
        for focus in [0usize, 4, 7] {
            let nominal_rank = focus_rank(&model, model.nominal_weights(), focus);
            let nominal_top = top_k_signature(&model, model.nominal_weights(), top_k);
            for interval in stability_intervals(&model, focus, top_k).unwrap() {
                let j = interval.weight_index;
                assert!(!interval.fixed);
                assert!(
                    interval.keep_rank_lo <= interval.nominal
                        && interval.nominal <= interval.keep_rank_hi
                );
                // The raw equivalent moves w_j alone.
                if interval.keep_rank_lo > 0.0 {
                    let mut raw = model.nominal_weights().to_vec();
                    raw[j] = interval.keep_rank_lo_raw;
                    let mut v = vec![0.0; raw.len()];
                    model.normalised_weights(&raw, &mut v);
                    assert!((v[j] - interval.keep_rank_lo).abs() < 1e-12);
                }
                let steps = 4000;
                for i in 0..=steps {
                    let t = i as f64 / steps as f64;
                    let w = weights_at(&model, j, t);
                    let inside_rank =
                        t > interval.keep_rank_lo + 1e-9 && t < interval.keep_rank_hi - 1e-9;
                    if inside_rank {
                        assert_eq!(
                            focus_rank(&model, &w, focus),
                            nominal_rank,
                            "t = {t}, {interval:?}"
                        );
                    }
                    let inside_top =
                        t > interval.keep_topk_lo + 1e-9 && t < interval.keep_topk_hi - 1e-9;
                    if inside_top {
                        assert_eq!(top_k_signature(&model, &w, top_k), nominal_top, "t = {t}");
                    }
                }
                let delta = 1e-7;
                interior_ends += usize::from(interval.keep_rank_hi < 1.0)
                    + usize::from(interval.keep_rank_lo > 0.0)
                    + usize::from(interval.keep_topk_hi < 1.0)
                    + usize::from(interval.keep_topk_lo > 0.0);
                if interval.keep_rank_hi < 1.0 {
                    let w = weights_at(&model, j, interval.keep_rank_hi + delta);
                    assert_ne!(focus_rank(&model, &w, focus), nominal_rank);
                    let crossing = interval.first_change_above.as_ref().unwrap();
                    assert_eq!(crossing.t, interval.keep_rank_hi);
                    let code = &model.unit_codes()[focus];
                    assert!(&crossing.passer == code || &crossing.passed == code);
                } else {
                    assert!(interval.first_change_above.is_none());
                }
                if interval.keep_rank_lo > 0.0 {
                    let w = weights_at(&model, j, interval.keep_rank_lo - delta);
                    assert_ne!(focus_rank(&model, &w, focus), nominal_rank);
                    assert!(interval.first_change_below.is_some());
                } else {
                    assert!(interval.first_change_below.is_none());
                }
                if interval.keep_topk_hi < 1.0 {
                    let w = weights_at(&model, j, interval.keep_topk_hi + delta);
                    assert_ne!(top_k_signature(&model, &w, top_k), nominal_top);
                    assert!(interval.first_topk_change_above.is_some());
                }
                if interval.keep_topk_lo > 0.0 {
                    let w = weights_at(&model, j, interval.keep_topk_lo - delta);
                    assert_ne!(top_k_signature(&model, &w, top_k), nominal_top);
                    assert!(interval.first_topk_change_below.is_some());
                }
            }
        }
    }
    assert!(
        interior_ends > 200,
        "only {interior_ends} interval ends inside (0, 1)"
    );
}

/// Random perturbations of the normalised weights (each group kept on its simplex) that move the
/// focus are never closer than the reported lower bound.
#[test]
fn minimal_changes_move_one_place_and_cannot_be_beaten() {
    let mut moves_found = 0;
    for seed in 0..4u64 {
        let scale = if seed % 2 == 0 {
            ScoreScale::Linear
        } else {
            ScoreScale::Log
        };
        let model = random_model(300 + seed, 8, &[3, 3], scale);
        let k = model.n_components();
        let mut v0 = vec![0.0; k];
        model.normalised_weights(model.nominal_weights(), &mut v0);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for focus in 0..model.n_units() {
            let changes = minimal_rank_changes(&model, focus).unwrap();
            let nominal_rank = changes.nominal_rank;
            for change in [
                &changes.up_l1,
                &changes.up_linf,
                &changes.down_l1,
                &changes.down_linf,
            ]
            .into_iter()
            .flatten()
            {
                let rank = focus_rank(&model, &change.weights_raw, focus);
                assert_eq!(rank, change.new_rank);
                let expected = match change.direction {
                    MoveDirection::Up => nominal_rank - 1,
                    MoveDirection::Down => nominal_rank + 1,
                };
                assert_eq!(rank, expected, "{change:?}");
                assert!(change.lower_bound <= change.distance);
                assert!(change.distance - change.lower_bound < 1e-4, "{change:?}");
                for group in model.groups() {
                    let sum: f64 = group.iter().map(|&s| change.weights_normalised[s]).sum();
                    assert!((sum - 1.0).abs() < 1e-9);
                }
            }
            // Random search around v0 within twice the reported distance.
            for _ in 0..3000 {
                let radius = rng.random_range(0.0..0.6);
                let mut v = v0.clone();
                for group in model.groups() {
                    let step: Vec<f64> =
                        group.iter().map(|_| rng.random_range(-1.0..1.0)).collect();
                    let mean = step.iter().sum::<f64>() / step.len() as f64;
                    for (&s, d) in group.iter().zip(&step) {
                        v[s] += radius * (d - mean);
                    }
                }
                if v.iter().any(|&x| x < 0.0) {
                    continue;
                }
                let rank = focus_rank(&model, &v, focus);
                let l1: f64 = v.iter().zip(&v0).map(|(a, b)| (a - b).abs()).sum();
                let linf = v
                    .iter()
                    .zip(&v0)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                moves_found += usize::from(rank != nominal_rank);
                if rank < nominal_rank {
                    assert!(l1 >= changes.up_l1.as_ref().unwrap().lower_bound - 1e-12);
                    assert!(linf >= changes.up_linf.as_ref().unwrap().lower_bound - 1e-12);
                }
                if rank > nominal_rank {
                    assert!(l1 >= changes.down_l1.as_ref().unwrap().lower_bound - 1e-12);
                    assert!(linf >= changes.down_linf.as_ref().unwrap().lower_bound - 1e-12);
                }
            }
        }
    }
    assert!(
        moves_found > 1000,
        "the random search found only {moves_found} moves"
    );
}
