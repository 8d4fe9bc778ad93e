//! The scalable exact bounds (closed-form ranges decide most units, binaries only for the
//! ambiguous ones, HiGHS) equal the plain MILP of Salo & Punkka (2011) with a binary for every
//! other unit and no pre-filter: on every unit of IECI and ASEM, every unit of a synthetic
//! 300-unit index, and sampled units of a synthetic 3,000-unit index (issue #15).
//!
//! The reference is written here from the definition, independently of the library's programs:
//! variables `x` (effective weights of the varying level), each unit sum `Σ x = 1`, per sibling
//! group the Charnes–Cooper box `lo_m τ ≤ S_m ≤ hi_m τ`; `d_b(x) = Σ_j (A_bj − A_fj) x_j`;
//! best rank `1 + min Σ y_b` with `d_b ≤ M_b y_b`, worst rank `1 + max Σ y_b` with
//! `d_b ≥ ε − (M_b + ε)(1 − y_b)`, `M_b = Σ_sets max_j |A_bj − A_fj|` (a valid bound since each
//! set's `x` sum to one) and `ε` the library's margin.
//!
//! Opt-in (`-- --ignored`): the IECI and ASEM cases ran past 60 s on a loaded machine and no run
//! has finished yet, so they are not part of the suite until one has. The reference MILPs run on
//! HiGHS, so the file builds only with the `highs` feature (`cargo test --release --features highs --test bounds_scale -- --ignored`).

#![cfg(feature = "highs")]

use good_lp::solvers::highs::highs;
use good_lp::{Expression, Solution, SolverModel, Variable, variable, variables};
use ranksense::analysis::weights::bounds::{MARGIN, RankBounds, rank_bounds};
use ranksense::analysis::weights::exact::{
    AnyModel, ExactModel, MethodOverride, NominalScores, RangeSpec, WeightSet,
};
use ranksense::analysis::weights::linear::{WeightModel, WeightRegion};
use ranksense::model::{Index, embedded, load_from_strings};
use ranksense::synth::{SynthSpec, generate};

/// Reference best and worst rank of `focus` (module documentation).
fn reference<M: WeightModel>(model: &M, region: &WeightRegion, focus: usize) -> (usize, usize) {
    let form = model.linear_form();
    let n = form.n_variables();
    let focus_row = form.row(focus).to_vec();
    let gap = (0..form.n_units())
        .flat_map(|b| {
            form.row(b)
                .iter()
                .zip(&focus_row)
                .map(|(a, f)| (a - f).abs())
                .collect::<Vec<_>>()
        })
        .fold(0.0, f64::max);
    if gap == 0.0 {
        return (1, 1);
    }
    let others: Vec<usize> = (0..form.n_units()).filter(|&b| b != focus).collect();
    let difference = |b: usize| -> Vec<f64> {
        form.row(b)
            .iter()
            .zip(&focus_row)
            .map(|(a, f)| (a - f) / gap)
            .collect()
    };
    let big_m = |row: &[f64]| -> f64 {
        form.unit_sums()
            .iter()
            .map(|set| set.iter().map(|&j| row[j].abs()).fold(0.0, f64::max))
            .sum::<f64>()
            + 1e-9
    };
    let solve = |minimise: bool| -> usize {
        let mut vars = variables!();
        let x: Vec<Variable> = (0..n)
            .map(|_| vars.add(variable().min(0.0).max(1.0)))
            .collect();
        let tau: Vec<Variable> = form
            .sibling_groups()
            .iter()
            .map(|_| vars.add(variable().min(0.0)))
            .collect();
        let y: Vec<Variable> = others
            .iter()
            .map(|_| vars.add(variable().binary()))
            .collect();
        let mut constraints = Vec::new();
        for set in form.unit_sums() {
            let mut sum = Expression::with_capacity(set.len());
            for &j in set {
                sum.add_mul(1.0, x[j]);
            }
            constraints.push(sum.eq(1.0));
        }
        for (g, group) in form.sibling_groups().iter().enumerate() {
            let scale = group
                .weights
                .iter()
                .map(|&w| region.upper[w])
                .fold(0.0, f64::max);
            for (m, &w) in group.weights.iter().enumerate() {
                let mut share = Expression::with_capacity(group.members[m].len() + 1);
                for &j in &group.members[m] {
                    share.add_mul(1.0, x[j]);
                }
                let mut low = share.clone();
                low.add_mul(-region.lower[w] / scale, tau[g]);
                constraints.push(low.geq(0.0));
                let mut high = share;
                high.add_mul(-region.upper[w] / scale, tau[g]);
                constraints.push(high.leq(0.0));
            }
        }
        let mut count = Expression::with_capacity(y.len());
        for (&b, &yb) in others.iter().zip(&y) {
            count.add_mul(1.0, yb);
            let row = difference(b);
            let m = big_m(&row);
            let mut d = Expression::with_capacity(n + 1);
            for (j, &c) in row.iter().enumerate() {
                d.add_mul(c, x[j]);
            }
            if minimise {
                d.add_mul(-m, yb);
                constraints.push(d.leq(0.0));
            } else {
                d.add_mul(-(m + MARGIN), yb);
                constraints.push(d.geq(-m));
            }
        }
        let problem = if minimise {
            vars.minimise(count.clone())
        } else {
            vars.maximise(count.clone())
        };
        let solution = problem
            .using(highs)
            .set_option("mip_rel_gap", 0.0)
            .set_option("mip_feasibility_tolerance", 1e-9)
            .set_option("primal_feasibility_tolerance", 1e-9)
            .set_option("threads", 1)
            .with_all(constraints)
            .solve()
            .expect("reference MILP");
        1 + solution.eval(&count).round() as usize
    };
    (solve(true), solve(false))
}

/// Every one-level weight set below the top.
fn sets(index: &Index) -> Vec<WeightSet> {
    let levels = index.framework.n_levels;
    (1..levels).map(|l| WeightSet::Levels(vec![l])).collect()
}

fn compare(model: &ExactModel, region: &WeightRegion, focus: usize) -> RankBounds {
    let (bounds, expected) = match &model.model {
        AnyModel::Level(m) => (
            rank_bounds(m, region, focus).unwrap(),
            reference(m, region, focus),
        ),
        AnyModel::Tree(m) => (
            rank_bounds(m, region, focus).unwrap(),
            reference(m, region, focus),
        ),
    };
    assert!(bounds.exact, "{}: not proven exact", bounds.unit);
    assert_eq!(
        (bounds.best_rank, bounds.worst_rank),
        expected,
        "unit {} ({focus})",
        bounds.unit
    );
    assert_eq!((bounds.best_rank_limit, bounds.worst_rank_limit), expected);
    bounds
}

fn check_index(index: &Index, units: impl Fn(usize) -> Vec<usize>, with_tree: bool) {
    let nominal = NominalScores::new(index, &MethodOverride::default()).unwrap();
    let mut all_sets = sets(index);
    if with_tree && all_sets.len() > 1 {
        all_sets.push(WeightSet::Levels(
            (1..index.framework.n_levels).collect::<Vec<_>>(),
        ));
    }
    for set in all_sets {
        // Sets without an exact model (e.g. missing indicator values) are refused, not bounded.
        let Ok(model) = ExactModel::build(&nominal, &set) else {
            continue;
        };
        let region = model.region(&RangeSpec::Spread(0.25)).unwrap();
        for focus in units(nominal.n_units()) {
            compare(&model, &region, focus);
        }
    }
}

fn synthetic(units: usize, indicators: usize) -> Index {
    let files = generate(&SynthSpec::new(units, indicators, 1)).unwrap();
    load_from_strings(
        ("meta.csv", &files.meta_csv),
        ("data.csv", &files.data_csv),
        Some(("index.toml", &files.index_toml)),
        "synthetic",
    )
    .unwrap()
}

#[test]
#[ignore = "slow and not yet verified (issue #15): run with --ignored"]
fn ieci_every_unit_equals_the_plain_milp() {
    let index = embedded::load("ieci2022").unwrap();
    check_index(&index, |n| (0..n).collect(), true);
}

#[test]
#[ignore = "slow and not yet verified (issue #15): run with --ignored"]
fn asem_every_unit_equals_the_plain_milp() {
    let index = embedded::load("asem").unwrap();
    check_index(&index, |n| (0..n).collect(), true);
}

#[test]
#[ignore = "slow and not yet verified (issue #15): run with --ignored"]
fn synthetic_300_every_unit_equals_the_plain_milp() {
    let index = synthetic(300, 30);
    check_index(&index, |n| (0..n).collect(), false);
}

#[test]
#[ignore = "slow and not yet verified (issue #15): run with --ignored"]
fn synthetic_3000_sampled_units_equal_the_plain_milp() {
    let index = synthetic(3_000, 40);
    // Every 250th unit, so the sample spans the whole ranking.
    check_index(&index, |n| (0..n).step_by(250).collect(), false);
}
