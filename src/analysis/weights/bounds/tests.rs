//! Unit tests of the rank bounds (moved out of `mod.rs` to keep it under 800 lines).

use super::*;
use crate::analysis::weights::linear::{LevelModel, LevelModelSpec, ScoreScale};

fn codes(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// One group of two weights; the focus (unit 0) is passed by unit 1 when `t = v_0 > 0.65`
/// and by unit 2 when `t < 0.55`: the best rank is only reached strictly inside the box.
fn interior_case() -> LevelModel {
    LevelModel::new(LevelModelSpec {
        components: vec![
            vec![50.0, 50.0],
            vec![85.0, -15.0],
            vec![5.0, 105.0],
            vec![0.0, 0.0],
        ],
        groups: vec![vec![0, 1]],
        group_multipliers: vec![1.0],
        scale: ScoreScale::Linear,
        nominal_weights: vec![1.0, 1.0],
        component_codes: codes("c", 2),
        unit_codes: codes("u", 4),
    })
    .unwrap()
}

#[test]
fn fractional_min_matches_enumeration() {
    let c = [3.0, -1.0, 2.0];
    let lower = [0.5, 1.0, 0.2];
    let upper = [1.5, 2.0, 0.9];
    let mut best = f64::INFINITY;
    for mask in 0..8 {
        let w: Vec<f64> = (0..3)
            .map(|s| {
                if mask >> s & 1 == 1 {
                    upper[s]
                } else {
                    lower[s]
                }
            })
            .collect();
        let value = (0..3).map(|s| c[s] * w[s]).sum::<f64>() / w.iter().sum::<f64>();
        best = best.min(value);
    }
    assert!((fractional_min(&c, &lower, &upper) - best).abs() < 1e-12);
}

#[test]
fn best_rank_inside_the_box_is_found_and_witnessed() {
    let model = interior_case();
    let region = WeightRegion::relative(&model, 0.5);
    let bounds = rank_bounds(&model, &region, 0).unwrap();
    assert_eq!(bounds.nominal_rank, 2);
    assert_eq!(bounds.best_rank, 1);
    assert_eq!(bounds.worst_rank, 2);
    assert!(bounds.exact);
    let mut scores = [0.0; 4];
    model.score(&bounds.best_witness, &mut scores);
    assert_eq!(rank_of(&scores, 0), 1);
    let t = bounds.best_witness[0] / (bounds.best_witness[0] + bounds.best_witness[1]);
    assert!(t > 0.55 && t < 0.65, "t = {t}");
    // Every vertex of the box ranks the focus second.
    for w in [[0.5, 0.5], [0.5, 1.5], [1.5, 0.5], [1.5, 1.5]] {
        model.score(&w, &mut scores);
        assert_eq!(rank_of(&scores, 0), 2);
    }
}

#[test]
fn a_fixed_region_gives_the_nominal_rank() {
    let model = interior_case();
    let region = WeightRegion::fixed(&model);
    for bounds in rank_bounds_all(&model, &region).unwrap() {
        assert_eq!(bounds.best_rank, bounds.nominal_rank);
        assert_eq!(bounds.worst_rank, bounds.nominal_rank);
    }
}

#[test]
fn an_empty_region_is_an_error() {
    let model = interior_case();
    let mut region = WeightRegion::relative(&model, 0.1);
    region.add_constraint(crate::analysis::weights::linear::WeightConstraint {
        terms: vec![(0, 1.0), (1, -3.0)],
        relation: Relation::GreaterEq,
        rhs: 0.0,
    });
    assert!(matches!(
        rank_bounds(&model, &region, 0),
        Err(WeightAnalysisError::EmptyRegion)
    ));
}
