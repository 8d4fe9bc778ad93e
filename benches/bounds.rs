//! Exact rank bounds and stability on a 37-unit, 11-component (3 groups) level with ±25% weights.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use ranksense::analysis::weights::bounds::{rank_bounds, rank_bounds_all};
use ranksense::analysis::weights::linear::{
    LevelModel, LevelModelSpec, ScoreScale, TreeModel, TreeModelSpec, WeightRegion,
};
use ranksense::analysis::weights::stability::{minimal_rank_changes, stability_intervals};

/// 37 units × 11 components in groups of 4, 4 and 3, values in [1, 100), nominal weights 1.
fn index_like_model() -> LevelModel {
    let mut rng = ChaCha8Rng::seed_from_u64(37);
    let sizes = [4usize, 4, 3];
    let mut groups = Vec::new();
    let mut next = 0;
    for size in sizes {
        groups.push((next..next + size).collect());
        next += size;
    }
    LevelModel::new(LevelModelSpec {
        components: (0..37)
            .map(|_| (0..11).map(|_| rng.random_range(1.0..100.0)).collect())
            .collect(),
        groups,
        group_multipliers: vec![1.0 / 3.0; 3],
        scale: ScoreScale::Linear,
        nominal_weights: vec![1.0; 11],
        component_codes: (0..11).map(|s| format!("c{s}")).collect(),
        unit_codes: (0..37).map(|u| format!("u{u}")).collect(),
    })
    .expect("valid model")
}

/// The same data as a tree (11 indicators, 3 pillars, top) so that two levels can vary.
fn index_like_tree() -> TreeModel {
    let mut rng = ChaCha8Rng::seed_from_u64(37);
    let pillar_of = [0usize, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2];
    let mut parents: Vec<Option<usize>> = pillar_of.iter().map(|&p| Some(11 + p)).collect();
    parents.extend([Some(14), Some(14), Some(14), None]);
    TreeModel::new(TreeModelSpec {
        leaf_values: (0..37)
            .map(|_| (0..11).map(|_| rng.random_range(1.0..100.0)).collect())
            .collect(),
        parents,
        nominal_weights: vec![1.0; 15],
        node_codes: (0..15).map(|n| format!("n{n}")).collect(),
        scale: ScoreScale::Linear,
        unit_codes: (0..37).map(|u| format!("u{u}")).collect(),
    })
    .expect("valid tree")
}

fn bounds(c: &mut Criterion) {
    let model = index_like_model();
    let region = WeightRegion::relative(&model, 0.25);
    c.bench_function("rank_bounds one unit (37×11, ±25%)", |b| {
        b.iter(|| rank_bounds(black_box(&model), black_box(&region), 18).expect("bounds"))
    });
    c.bench_function("rank_bounds_all (37×11, ±25%)", |b| {
        b.iter(|| rank_bounds_all(black_box(&model), black_box(&region)).expect("bounds"))
    });
    let tree = index_like_tree();
    let tree_region = WeightRegion::relative(&tree, 0.25);
    c.bench_function(
        "rank_bounds_all tree, two levels varying (37×11, ±25%)",
        |b| b.iter(|| rank_bounds_all(black_box(&tree), black_box(&tree_region)).expect("bounds")),
    );
    c.bench_function("stability_intervals (37×11, top 10)", |b| {
        b.iter(|| stability_intervals(black_box(&model), 18, 10).expect("intervals"))
    });
    c.bench_function("minimal_rank_changes (37×11)", |b| {
        b.iter(|| minimal_rank_changes(black_box(&model), 18).expect("changes"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bounds
}
criterion_main!(benches);
