//! Time budgets on the exact rank bounds, in the default build as with HiGHS (issue #15): a
//! program that runs out before its solver has any solution reports the best and worst ranks
//! its sampled weights achieve, with proven limits, and the exact bounds lie between the two;
//! the report says so; and a budget that is not reached changes no bound.
//!
//! A budget of zero seconds is spent before the solver's first simplex step, so "the budget
//! ran out" does not depend on the machine's speed; the exact bounds come from the unbudgeted
//! programs (themselves checked against brute force in `tests/bounds_exact.rs`).

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use ranksense::analysis::weights::bounds::{
    RankBounds, rank_bounds, rank_bounds_all, rank_bounds_all_observed, rank_bounds_within,
};
use ranksense::analysis::weights::exact::{
    AnyModel, BoundsRequest, ExactModel, MethodOverride, NominalScores, RangeSpec, WeightSet,
    bounds_for, bounds_for_budgeted,
};
use ranksense::analysis::weights::linear::{
    LevelModel, LevelModelSpec, ScoreScale, WeightModel, WeightRegion, rank_of,
};
use ranksense::engine::Silent;
use ranksense::model::{Index, embedded};
use ranksense::synth::{SynthSpec, generate};

fn codes(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// `n_units` units × 11 components in groups of 4, 4 and 3, values uniform in [1, 100).
fn random_model(seed: u64, n_units: usize) -> LevelModel {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    LevelModel::new(LevelModelSpec {
        components: (0..n_units)
            .map(|_| (0..11).map(|_| rng.random_range(1.0..100.0)).collect())
            .collect(),
        groups: vec![(0..4).collect(), (4..8).collect(), (8..11).collect()],
        group_multipliers: vec![0.3, 0.3, 0.4],
        scale: ScoreScale::Linear,
        nominal_weights: (0..11).map(|_| rng.random_range(0.5..2.0)).collect(),
        component_codes: codes("c", 11),
        unit_codes: codes("u", n_units),
    })
    .unwrap()
}

/// The witnesses lie in the region and achieve the reported ranks.
fn assert_witnessed<M: WeightModel>(model: &M, region: &WeightRegion, bounds: &RankBounds) {
    let mut scores = vec![0.0; model.n_units()];
    for (witness, rank) in [
        (&bounds.best_witness, bounds.best_rank),
        (&bounds.worst_witness, bounds.worst_rank),
    ] {
        assert!(
            region.contains(witness, 1e-9),
            "{}: witness outside",
            bounds.unit
        );
        model.score(witness, &mut scores);
        assert_eq!(rank_of(&scores, bounds.unit_index), rank, "{}", bounds.unit);
    }
}

/// The budgeted bounds bracket the exact ones: `limit ≤ exact best ≤ best` and
/// `worst ≤ exact worst ≤ limit`; unbudgeted-equal when the budget was not reached.
fn assert_brackets(budgeted: &RankBounds, exact: &RankBounds) {
    assert!(exact.exact && !exact.budget_reached, "{exact:?}");
    if budgeted.budget_reached {
        assert!(!budgeted.exact, "{budgeted:?}");
        assert!(
            budgeted.best_rank_limit <= exact.best_rank && exact.best_rank <= budgeted.best_rank,
            "{}: best {} not in [{}, {}]",
            exact.unit,
            exact.best_rank,
            budgeted.best_rank_limit,
            budgeted.best_rank
        );
        assert!(
            budgeted.worst_rank <= exact.worst_rank
                && exact.worst_rank <= budgeted.worst_rank_limit,
            "{}: worst {} not in [{}, {}]",
            exact.unit,
            exact.worst_rank,
            budgeted.worst_rank,
            budgeted.worst_rank_limit
        );
    } else {
        assert_eq!(
            (
                budgeted.best_rank,
                budgeted.worst_rank,
                budgeted.best_rank_limit,
                budgeted.worst_rank_limit,
                budgeted.exact
            ),
            (
                exact.best_rank,
                exact.worst_rank,
                exact.best_rank_limit,
                exact.worst_rank_limit,
                exact.exact
            ),
            "{}",
            exact.unit
        );
    }
}

#[test]
fn a_spent_budget_gives_a_proven_interval_around_the_exact_bounds() {
    let model = random_model(15, 150);
    let region = WeightRegion::relative(&model, 0.25);
    let mut spent = 0;
    for focus in (0..150).step_by(15) {
        let exact = rank_bounds(&model, &region, focus).unwrap();
        let budgeted = rank_bounds_within(&model, &region, focus, Some(0.0)).unwrap();
        assert_witnessed(&model, &region, &budgeted);
        assert_brackets(&budgeted, &exact);
        if budgeted.budget_reached {
            spent += 1;
            // The nominal weights lie in the box and are among the sampled weights.
            assert!(budgeted.best_rank <= exact.nominal_rank);
            assert!(budgeted.worst_rank >= exact.nominal_rank);
        }
    }
    // Units in the middle of 400 have ambiguous competitors: their programs ran out.
    assert!(
        spent >= 10,
        "only {spent} programs ran out of a zero budget"
    );
}

fn synthetic(units: usize, indicators: usize) -> Index {
    generate(&SynthSpec::new(units, indicators, 1))
        .unwrap()
        .load()
        .unwrap()
}

#[test]
fn the_report_states_a_spent_budget_and_its_proven_limits() {
    let index = synthetic(300, 30);
    let request = BoundsRequest::spread(vec![2], 0.25, None);
    let exact = bounds_for(&index, &request).unwrap();
    let budgeted = bounds_for_budgeted(&index, &request, Some(0.0), &Silent).unwrap();
    let (exact, unit) = (&exact.units[0], &budgeted.units[0]);
    assert!(exact.exact && !exact.budget_reached);
    assert!(unit.budget_reached && !unit.exact, "{unit:?}");
    // The ordinary scorer ranks the unit as reported at both witnesses.
    assert!(unit.verified, "{unit:?}");
    let (best_limit, worst_limit) = (
        unit.best_rank_limit.unwrap(),
        unit.worst_rank_limit.unwrap(),
    );
    assert!(best_limit <= exact.best_rank && exact.best_rank <= unit.best_rank);
    assert!(unit.worst_rank <= exact.worst_rank && exact.worst_rank <= worst_limit);
    let statement = &budgeted.exactness;
    assert!(
        statement.contains("time budget ran out")
            && statement.contains(&format!("proven no better than {best_limit}"))
            && statement.contains(&format!("proven no worse than {worst_limit}")),
        "{statement}"
    );
    // The method is exact, its stopped result is not: the statement must not open as a claim.
    assert!(
        !statement.starts_with("Exact") && statement.contains("stopped by its time budget"),
        "{statement}"
    );
}

/// Every unit's bounds at level 2 within ±25%, unbudgeted and with a budget far beyond need.
fn every_unit(index: &Index) {
    let nominal = NominalScores::new(index, &MethodOverride::default()).unwrap();
    let model = ExactModel::build(&nominal, &WeightSet::Levels(vec![2])).unwrap();
    let region = model.region(&RangeSpec::Spread(0.25)).unwrap();
    let (exact, budgeted) = match &model.model {
        AnyModel::Level(m) => (
            rank_bounds_all(m, &region).unwrap(),
            rank_bounds_all_observed(m, &region, Some(600.0), &Silent).unwrap(),
        ),
        AnyModel::Tree(m) => (
            rank_bounds_all(m, &region).unwrap(),
            rank_bounds_all_observed(m, &region, Some(600.0), &Silent).unwrap(),
        ),
    };
    for (budgeted, exact) in budgeted.iter().zip(&exact) {
        assert_brackets(budgeted, exact);
    }
}

/// A budget that is not reached (the programs start from the sampled incumbents) gives the
/// same bounds and limits as the unbudgeted programs.
#[test]
fn an_unspent_budget_changes_no_bound() {
    for name in ["ieci2022", "asem"] {
        every_unit(&embedded::load(name).unwrap());
    }
    every_unit(&synthetic(300, 30));
}
