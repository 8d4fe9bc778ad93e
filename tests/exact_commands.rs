//! The exactness claims of `bounds`, `stability`, `sweep` and `drop`, checked on real and small hand-built indexes against the ordinary scorer, brute-force enumeration, the Monte Carlo engine and COINr.
//!
//! - Witnesses: every witness weight vector, turned into a full weight vector of the framework
//!   (nominal elsewhere) and scored by `pipeline::score`, gives exactly the reported rank (ASEM,
//!   every unit, levels 2, 3 and both together, ±25% and ±50%, and the effective weights).
//! - Brute force: on small random indexes with one or two sibling pairs varying, the normalised
//!   weights form a segment or a rectangle and every pairwise score difference is affine in
//!   them. Ranks are constant on the open cells of the arrangement of the lines `d_b = 0`, and
//!   every open cell contains the centroid of three of its vertices (all arrangement vertices),
//!   so scoring at every vertex, pair midpoint and triple centroid enumerates all reachable
//!   ranks. The exact bounds must equal the extremes found.
//! - Monte Carlo: every rank the engine samples under the same uniform weight noise lies within
//!   the exact bounds; so does every rank of random weights in the box (property test).
//! - Stability: inside every keep-rank interval the ordinary scorer keeps the focus's rank, and
//!   just outside its ends the reported unit has passed; minimal moves are re-scored.
//! - Drop: COINr's `remove_elements` on ASEM levels 2 and 3.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use ranksense::analysis::uncertainty::UncertaintyOptions;
use ranksense::analysis::uncertainty_run::run_uncertainty;
use ranksense::analysis::weights::drop::{DropRequest, drop_elements};
use ranksense::analysis::weights::exact::{
    BoundsReport, BoundsRequest, ExactError, MethodOverride, RangeSource, StabilityRequest,
    WeightSet, bounds_for, shares_within_parent, stability_for,
};
use ranksense::analysis::weights::sweep::{
    SimplexRequest, SweepRequest, set_share, simplex_map, sweep_weight,
};
use ranksense::engine::Silent;
use ranksense::model::{Index, embedded, load_from_strings};
use ranksense::pipeline::prepare::nominal_variant;
use ranksense::pipeline::{Config, Prepared, Scratch, prepare, score};
use ranksense::report::exact::drop_csv;
use ranksense::scenario::Scenario;

fn asem() -> Index {
    embedded::load("asem").expect("embedded ASEM")
}

/// The index prepared under its nominal method, scored independently of the exact module.
struct Scorer {
    prepared: Prepared,
    config: Config,
    scratch: Scratch,
}

impl Scorer {
    fn new(index: &Index) -> Self {
        let prepared = prepare(index, &[nominal_variant(index)]).unwrap();
        let config = Config {
            variant: 0,
            aggregation: index.nominal.aggregation.clone(),
            weights: prepared.framework.nominal_weights(),
        };
        let scratch = Scratch::new(&prepared);
        Scorer {
            prepared,
            config,
            scratch,
        }
    }

    /// Index ranks under full framework weights.
    fn ranks(&mut self, weights: &[f64]) -> Vec<u32> {
        self.config.weights.copy_from_slice(weights);
        score(&self.prepared, &self.config, &mut self.scratch);
        self.scratch
            .rank(&self.prepared, self.prepared.framework.top)
            .to_vec()
    }

    fn unit(&self, code: &str) -> usize {
        self.prepared
            .units
            .iter()
            .position(|u| u.code == code)
            .unwrap()
    }
}

/// Framework weights from reported (normalised) witness weights: nominal elsewhere; for the
/// effective set, indicators get `e_i` and aggregates the sum below them.
fn framework_weights(index: &Index, report: &BoundsReport, witness: &[f64]) -> Vec<f64> {
    let framework = &index.framework;
    let mut weights = framework.nominal_weights();
    for (entry, &w) in report.weights.iter().zip(witness) {
        weights[framework.find(&entry.code).unwrap()] = w;
    }
    if report.weight_set == WeightSet::Effective {
        for node in framework.aggregates() {
            weights[node] = framework.nodes[node]
                .children
                .iter()
                .map(|&c| weights[c])
                .sum();
        }
    }
    weights
}

/// The image of a raw box in normalised weights is `v_s lo_t ≤ v_t hi_s` for siblings `s, t`.
fn assert_in_box(report: &BoundsReport, witness: &[f64]) {
    for (a, entry_a) in report.weights.iter().enumerate() {
        assert!(
            witness[a] >= entry_a.share_lower - 1e-9 && witness[a] <= entry_a.share_upper + 1e-9
        );
        for (b, entry_b) in report.weights.iter().enumerate() {
            if a != b && entry_a.parent == entry_b.parent && entry_a.level == entry_b.level {
                assert!(
                    witness[a] * entry_b.raw_lower
                        <= witness[b] * entry_a.raw_upper * (1.0 + 1e-9) + 1e-12,
                    "{} vs {}",
                    entry_a.code,
                    entry_b.code
                );
            }
        }
    }
}

fn all_bounds(index: &Index, set: WeightSet, spread: f64) -> BoundsReport {
    bounds_for(
        index,
        &BoundsRequest {
            method: MethodOverride::default(),
            weights: Some(set),
            range: RangeSource::Spread(spread),
            focus: None,
            all_units: true,
        },
    )
    .unwrap()
}

#[test]
fn witnesses_scored_by_the_ordinary_scorer_give_exactly_the_reported_ranks() {
    let index = asem();
    let mut scorer = Scorer::new(&index);
    let nominal = scorer.ranks(&index.framework.nominal_weights());
    let cases = [
        (WeightSet::Levels(vec![2]), 0.25),
        (WeightSet::Levels(vec![2]), 0.5),
        (WeightSet::Levels(vec![3]), 0.25),
        (WeightSet::Levels(vec![3]), 0.5),
        (WeightSet::Levels(vec![2, 3]), 0.25),
        (WeightSet::Levels(vec![2, 3]), 0.5),
        (WeightSet::Effective, 0.25),
    ];
    for (set, spread) in cases {
        let report = all_bounds(&index, set.clone(), spread);
        assert_eq!(report.units.len(), 51);
        for unit in &report.units {
            let u = scorer.unit(&unit.code);
            assert_eq!(unit.nominal_rank, nominal[u] as usize);
            assert!(unit.best_rank <= unit.nominal_rank && unit.nominal_rank <= unit.worst_rank);
            assert!(unit.exact && unit.verified, "{set:?} ±{spread}: {unit:?}");
            for (witness, rank) in [
                (&unit.best_weights, unit.best_rank),
                (&unit.worst_weights, unit.worst_rank),
            ] {
                if set != WeightSet::Effective {
                    assert_in_box(&report, witness);
                }
                let ranks = scorer.ranks(&framework_weights(&index, &report, witness));
                assert_eq!(ranks[u] as usize, rank, "{set:?} ±{spread} {}", unit.code);
            }
        }
        // A wider range can only widen every interval.
        if spread == 0.5 {
            let narrower = all_bounds(&index, set, 0.25);
            for (wide, narrow) in report.units.iter().zip(&narrower.units) {
                assert!(wide.best_rank <= narrow.best_rank && wide.worst_rank >= narrow.worst_rank);
            }
        }
    }
}

#[test]
fn geometric_aggregation_bounds_are_exact_on_the_log_scale() {
    let mut index = asem();
    index.nominal.normalisation = "minmax(1,100)".parse().unwrap();
    index.nominal.aggregation = vec!["geometric".parse().unwrap(); 3];
    let report = all_bounds(&index, WeightSet::Levels(vec![2]), 0.5);
    let mut scorer = Scorer::new(&index);
    let mut moved = 0;
    for unit in &report.units {
        assert!(unit.exact && unit.verified, "{unit:?}");
        let u = scorer.unit(&unit.code);
        for (witness, rank) in [
            (&unit.best_weights, unit.best_rank),
            (&unit.worst_weights, unit.worst_rank),
        ] {
            assert_eq!(
                scorer.ranks(&framework_weights(&index, &report, witness))[u] as usize,
                rank
            );
        }
        moved += usize::from(unit.best_rank != unit.worst_rank);
    }
    assert!(moved > 10, "±50% pillar weights move many units");
}

// ---------------------------------------------------------------------------------------------
// Brute force on small indexes
// ---------------------------------------------------------------------------------------------

/// A small index: indicators i0..i3 in pillars P0 = {i0, i1} and P1 = {i2, i3} under the top,
/// random data (optionally one missing value) and random nominal weights.
fn small_index_texts(seed: u64, n_units: usize, missing: bool) -> (String, String, String) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut weight = || format!("{:.3}", rng.random_range(0.5..2.0));
    let meta = format!(
        "Level,iCode,iName,Direction,Weight,Parent,Type\n\
         1,i0,Indicator 0,1,{},P0,Indicator\n1,i1,Indicator 1,1,{},P0,Indicator\n\
         1,i2,Indicator 2,-1,{},P1,Indicator\n1,i3,Indicator 3,1,{},P1,Indicator\n\
         2,P0,Pillar 0,1,{},Top,Aggregate\n2,P1,Pillar 1,1,{},Top,Aggregate\n\
         3,Top,Small index,1,1,,Aggregate\n",
        weight(),
        weight(),
        weight(),
        weight(),
        weight(),
        weight()
    );
    let mut data = String::from("uCode,uName,i0,i1,i2,i3\n");
    for u in 0..n_units {
        let values: Vec<String> = (0..4)
            .map(|j| {
                if missing && u == 1 && j == 2 {
                    "NA".to_string()
                } else {
                    format!("{:.4}", rng.random_range(0.0..100.0))
                }
            })
            .collect();
        data.push_str(&format!("U{u},Unit {u},{}\n", values.join(",")));
    }
    let toml =
        "name = \"Small\"\nfocus = \"U0\"\nlevel_names = [\"Indicator\", \"Pillar\", \"Index\"]\n"
            .to_string();
    (meta, data, toml)
}

fn small_index(seed: u64, n_units: usize) -> Index {
    let (meta, data, toml) = small_index_texts(seed, n_units, false);
    load_from_strings(
        ("meta.csv", &meta),
        ("data.csv", &data),
        Some(("index.toml", &toml)),
        "small",
    )
    .unwrap()
}

/// Best and worst rank of every unit by enumerating the arrangement (module documentation):
/// `pairs` are the sibling pairs that vary, each parameterised by its first child's share `t`.
fn brute_force(index: &Index, pairs: &[(usize, usize)], spread: f64) -> Vec<(usize, usize)> {
    let mut scorer = Scorer::new(index);
    let nominal = index.framework.nominal_weights();
    let ranges: Vec<(f64, f64)> = pairs
        .iter()
        .map(|&(a, b)| {
            let (lo, hi) = (1.0 - spread, 1.0 + spread);
            (
                nominal[a] * lo / (nominal[a] * lo + nominal[b] * hi),
                nominal[a] * hi / (nominal[a] * hi + nominal[b] * lo),
            )
        })
        .collect();
    let weights_at = |t: &[f64]| {
        let mut w = nominal.clone();
        for (&(a, b), &share) in pairs.iter().zip(t) {
            w[a] = share;
            w[b] = 1.0 - share;
        }
        w
    };
    let top = index.framework.top;
    let mut scores_at = |t: &[f64]| {
        scorer.config.weights.copy_from_slice(&weights_at(t));
        score(&scorer.prepared, &scorer.config, &mut scorer.scratch);
        scorer.scratch.aggregate_scores(top).to_vec()
    };
    let n = index.n_units();
    let dims = pairs.len();
    // Affine scores: value at the lower corner plus a slope per dimension.
    let corner: Vec<f64> = ranges.iter().map(|r| r.0).collect();
    let base = scores_at(&corner);
    let slopes: Vec<Vec<f64>> = (0..dims)
        .map(|d| {
            let mut t = corner.clone();
            t[d] = ranges[d].1;
            let moved = scores_at(&t);
            (0..n)
                .map(|u| (moved[u] - base[u]) / (ranges[d].1 - ranges[d].0))
                .collect()
        })
        .collect();
    let mut results = Vec::new();
    for focus in 0..n {
        // Lines d_b(t) = c_b + Σ g_bd (t_d − corner_d) = 0.
        let lines: Vec<(f64, Vec<f64>)> = (0..n)
            .filter(|&b| b != focus)
            .map(|b| {
                (
                    base[b] - base[focus],
                    (0..dims).map(|d| slopes[d][b] - slopes[d][focus]).collect(),
                )
            })
            .collect();
        let inside = |t: &[f64]| {
            t.iter()
                .zip(&ranges)
                .all(|(x, r)| *x >= r.0 - 1e-12 && *x <= r.1 + 1e-12)
        };
        let mut vertices: Vec<Vec<f64>> = Vec::new();
        if dims == 1 {
            vertices.push(vec![ranges[0].0]);
            vertices.push(vec![ranges[0].1]);
            for (c, g) in &lines {
                if g[0] != 0.0 {
                    vertices.push(vec![corner[0] - c / g[0]]);
                }
            }
        } else {
            for &x in &[ranges[0].0, ranges[0].1] {
                for &y in &[ranges[1].0, ranges[1].1] {
                    vertices.push(vec![x, y]);
                }
            }
            // Lines with the box edges.
            for (c, g) in &lines {
                for d in 0..2 {
                    let other = 1 - d;
                    if g[other] == 0.0 {
                        continue;
                    }
                    for &fixed in &[ranges[d].0, ranges[d].1] {
                        let mut t = vec![0.0; 2];
                        t[d] = fixed;
                        t[other] = corner[other] - (c + g[d] * (fixed - corner[d])) / g[other];
                        vertices.push(t);
                    }
                }
            }
            // Lines with each other.
            for i in 0..lines.len() {
                for j in i + 1..lines.len() {
                    let (c1, g1) = &lines[i];
                    let (c2, g2) = &lines[j];
                    let det = g1[0] * g2[1] - g1[1] * g2[0];
                    if det.abs() < 1e-14 {
                        continue;
                    }
                    let dx = (-c1 * g2[1] + c2 * g1[1]) / det;
                    let dy = (-c2 * g1[0] + c1 * g2[0]) / det;
                    vertices.push(vec![corner[0] + dx, corner[1] + dy]);
                }
            }
        }
        vertices.retain(|t| inside(t));
        let mut interior: Vec<Vec<f64>> = Vec::new();
        for i in 0..vertices.len() {
            for j in i + 1..vertices.len() {
                interior.push(
                    (0..dims)
                        .map(|d| 0.5 * (vertices[i][d] + vertices[j][d]))
                        .collect(),
                );
                if dims == 2 {
                    for k in j + 1..vertices.len() {
                        interior.push(
                            (0..dims)
                                .map(|d| (vertices[i][d] + vertices[j][d] + vertices[k][d]) / 3.0)
                                .collect(),
                        );
                    }
                }
            }
        }
        let score_of = |u: usize, t: &[f64]| {
            base[u]
                + (0..dims)
                    .map(|d| slopes[d][u] * (t[d] - corner[d]))
                    .sum::<f64>()
        };
        // Points on a line d_b = 0 are ties (b not above); rounding must not count them.
        const TIE: f64 = 1e-9;
        let rank_at = |t: &[f64]| {
            let own = score_of(focus, t);
            1 + (0..n)
                .filter(|&b| b != focus && score_of(b, t) > own + TIE)
                .count()
        };
        let best = vertices
            .iter()
            .chain(&interior)
            .map(|t| rank_at(t))
            .min()
            .unwrap();
        let worst = interior.iter().map(|t| rank_at(t)).max().unwrap();
        results.push((best, worst));
        // The affine model is the scorer: spot-check interior points clear of ties with the
        // scorer itself.
        let clear = |t: &&Vec<f64>| {
            (0..n)
                .filter(|&b| b != focus)
                .all(|b| (score_of(b, t) - score_of(focus, t)).abs() > 1e-6)
        };
        for t in interior
            .iter()
            .filter(clear)
            .step_by(interior.len().max(7) / 7)
        {
            let direct = scores_at(t);
            let own = direct[focus];
            let rank = 1 + direct.iter().filter(|&&s| s > own).count();
            assert_eq!(rank, rank_at(t), "affine model matches the scorer at {t:?}");
        }
    }
    results
}

#[test]
fn bounds_equal_brute_force_enumeration_on_small_indexes() {
    for seed in 0..8u64 {
        let index = small_index(seed, 9);
        let framework = &index.framework;
        let node = |code: &str| framework.find(code).unwrap();
        let cases = [
            (
                WeightSet::Levels(vec![2]),
                vec![(node("P0"), node("P1"))],
                0.5,
            ),
            (
                WeightSet::Levels(vec![1]),
                vec![(node("i0"), node("i1")), (node("i2"), node("i3"))],
                0.5,
            ),
            (
                WeightSet::Levels(vec![1]),
                vec![(node("i0"), node("i1")), (node("i2"), node("i3"))],
                0.9,
            ),
        ];
        for (set, pairs, spread) in cases {
            let report = all_bounds(&index, set.clone(), spread);
            let expected = brute_force(&index, &pairs, spread);
            for (u, unit) in report.units.iter().enumerate() {
                assert!(unit.exact && unit.verified, "seed {seed} {set:?}: {unit:?}");
                assert_eq!(
                    (unit.best_rank, unit.worst_rank),
                    expected[u],
                    "seed {seed}, {set:?} ±{spread}, unit {}",
                    unit.code
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Monte Carlo and random weights
// ---------------------------------------------------------------------------------------------

fn weights_scenario(levels: &[usize], spread: f64) -> (Scenario, String) {
    let mut text = String::from("samples = 3000\nseed = 11\n");
    for level in levels {
        text.push_str(&format!(
            "\n[[weights]]\nlevel = {level}\nmode = \"uniform\"\nspread = {spread}\n"
        ));
    }
    (
        Scenario::from_toml_str(&text, "weights-only.toml").unwrap(),
        text,
    )
}

#[test]
fn every_rank_the_monte_carlo_engine_samples_lies_within_the_exact_bounds() {
    let index = asem();
    for levels in [vec![2], vec![3], vec![2, 3]] {
        let spread = 0.25;
        let (scenario, text) = weights_scenario(&levels, spread);
        let options = UncertaintyOptions {
            samples: 3000,
            seed: 11,
            threads: 2,
            ..UncertaintyOptions::default()
        };
        let run = run_uncertainty(&index, &scenario, &text, &options, &Silent).unwrap();
        let exact = all_bounds(&index, WeightSet::Levels(levels.clone()), spread);
        // The same region, read from the scenario.
        let from_scenario = bounds_for(
            &index,
            &BoundsRequest {
                method: MethodOverride::default(),
                weights: None,
                range: RangeSource::Scenario {
                    scenario: Box::new(scenario.clone()),
                    label: "weights-only".into(),
                },
                focus: None,
                all_units: true,
            },
        )
        .unwrap();
        let mut touched = 0;
        for stats in &run.stats.units {
            let bounds = exact.unit(&stats.code).unwrap();
            let again = from_scenario.unit(&stats.code).unwrap();
            assert_eq!(
                (bounds.best_rank, bounds.worst_rank),
                (again.best_rank, again.worst_rank)
            );
            assert!(
                bounds.best_rank <= stats.best_rank as usize
                    && stats.worst_rank as usize <= bounds.worst_rank,
                "levels {levels:?}, {}: sampled {}..{} outside exact {}..{}",
                stats.code,
                stats.best_rank,
                stats.worst_rank,
                bounds.best_rank,
                bounds.worst_rank
            );
            touched += usize::from(stats.best_rank as usize == bounds.best_rank)
                + usize::from(stats.worst_rank as usize == bounds.worst_rank);
        }
        // With one weight varying, sampling is dense enough to reach the exact extremes: the
        // bounds are tight, not merely valid.
        if levels == [3] {
            assert!(touched >= 95, "only {touched} of 102 extremes sampled");
        }
    }
}

fn level2_bounds() -> &'static (Index, BoundsReport) {
    static CELL: OnceLock<(Index, BoundsReport)> = OnceLock::new();
    CELL.get_or_init(|| {
        let index = asem();
        let report = all_bounds(&index, WeightSet::Levels(vec![2]), 0.5);
        (index, report)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, rng_seed: RngSeed::Fixed(23), ..ProptestConfig::default() })]
    /// Any raw pillar weights within ±50% of nominal, scored by the ordinary scorer, rank every
    /// unit within its exact bounds.
    #[test]
    fn random_weights_in_the_box_rank_within_the_bounds(factors in prop::collection::vec(0.5f64..=1.5, 8)) {
        let (index, report) = level2_bounds();
        let mut scorer = Scorer::new(index);
        let mut weights = index.framework.nominal_weights();
        for (node, factor) in index.framework.level_nodes(2).into_iter().zip(&factors) {
            weights[node] *= factor;
        }
        let ranks = scorer.ranks(&weights);
        for unit in &report.units {
            let rank = ranks[scorer.unit(&unit.code)] as usize;
            prop_assert!(unit.best_rank <= rank && rank <= unit.worst_rank, "{}: {rank}", unit.code);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ranges from files, refusals
// ---------------------------------------------------------------------------------------------

#[test]
fn a_region_file_sets_the_levels_and_boxes() {
    let index = asem();
    let request = |text: &str| BoundsRequest {
        method: MethodOverride::default(),
        weights: None,
        range: RangeSource::File {
            text: text.into(),
            file: "region.csv".into(),
        },
        focus: Some("NLD".into()),
        all_units: false,
    };
    let one = bounds_for(
        &index,
        &request("code,lo,hi\nPhysical,0.5,1.5\nP2P,0.5,1.5\n"),
    )
    .unwrap();
    assert_eq!(one.weight_set, WeightSet::Levels(vec![2]));
    let fixed: Vec<_> = one
        .weights
        .iter()
        .filter(|w| w.raw_lower == w.raw_upper)
        .map(|w| w.code.as_str())
        .collect();
    assert_eq!(
        fixed,
        [
            "ConEcFin",
            "Political",
            "Instit",
            "Environ",
            "Social",
            "SusEcFin"
        ]
    );
    let two = bounds_for(
        &index,
        &request("code,lo,hi\nPhysical,0.5,1.5\nConn,0.8,1.2\n"),
    )
    .unwrap();
    assert_eq!(two.weight_set, WeightSet::Levels(vec![2, 3]));
    assert!(two.units[0].verified);
    let bad = bounds_for(&index, &request("code,lo,hi\nPhysical,0.5,1.5\nNope,1,2\n")).unwrap_err();
    assert!(
        bad.to_string().contains("region.csv:3, column `code`") && bad.to_string().contains("Nope"),
        "{bad}"
    );
}

#[test]
fn missing_values_are_refused_with_the_imputation_fix() {
    let (meta, data, toml) = small_index_texts(3, 6, true);
    let index = load_from_strings(
        ("meta.csv", &meta),
        ("data.csv", &data),
        Some(("index.toml", &toml)),
        "small",
    )
    .unwrap();
    let error = bounds_for(&index, &BoundsRequest::spread(vec![1], 0.25, None)).unwrap_err();
    assert!(matches!(error, ExactError::NotExact { .. }));
    let text = error.to_string();
    assert!(
        text.contains("U1") && text.contains("imputation = \"mean\""),
        "{text}"
    );
    // Pillar scores are complete (the scorer renormalises within P1): level 2 stays exact.
    let ok = bounds_for(&index, &BoundsRequest::spread(vec![2], 0.25, None)).unwrap();
    assert!(ok.units[0].verified);
    // With mean imputation the indicators are complete again.
    let imputed = toml.clone() + "\n[method]\nimputation = \"mean\"\n";
    let index = load_from_strings(
        ("meta.csv", &meta),
        ("data.csv", &data),
        Some(("index.toml", &imputed)),
        "small",
    )
    .unwrap();
    assert!(bounds_for(&index, &BoundsRequest::spread(vec![1], 0.25, None)).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Stability
// ---------------------------------------------------------------------------------------------

#[test]
fn stability_intervals_hold_under_the_ordinary_scorer() {
    let index = asem();
    let mut scorer = Scorer::new(&index);
    let nominal_weights = index.framework.nominal_weights();
    let nominal_ranks = scorer.ranks(&nominal_weights);
    // A unit in the middle of the table, so that both directions can move.
    let focus = nominal_ranks.iter().position(|&r| r == 12).unwrap();
    let focus_code = scorer.prepared.units[focus].code.clone();
    let codes: Vec<String> = scorer
        .prepared
        .units
        .iter()
        .map(|u| u.code.clone())
        .collect();
    let unit = |code: &str| codes.iter().position(|c| c == code).unwrap();
    let report = stability_for(
        &index,
        &StabilityRequest {
            method: MethodOverride::default(),
            weights: None,
            focus: Some(focus_code.clone()),
            top_k: Some(5),
        },
    )
    .unwrap();
    assert_eq!(report.sets.len(), 2, "levels 2 and 3");
    assert_eq!(report.nominal_rank, 12);
    let framework = &index.framework;
    let mut weights = nominal_weights.clone();
    let mut ranks_at = |node: usize, t: f64| {
        weights.copy_from_slice(&nominal_weights);
        set_share(framework, &nominal_weights, node, t, &mut weights);
        scorer.ranks(&weights)
    };
    for set in &report.sets {
        for weight in &set.weights {
            let interval = &weight.interval;
            let node = framework.find(&interval.weight).unwrap();
            let (lo, hi) = (interval.keep_rank_lo, interval.keep_rank_hi);
            for i in 1..10 {
                let t = lo + (hi - lo) * i as f64 / 10.0;
                assert_eq!(ranks_at(node, t)[focus], 12, "{} at {t}", interval.weight);
            }
            for crossing in [&interval.first_change_above, &interval.first_change_below]
                .into_iter()
                .flatten()
            {
                let beyond = if crossing.t > interval.nominal {
                    crossing.t + 1e-7
                } else {
                    crossing.t - 1e-7
                };
                let ranks = ranks_at(node, beyond);
                assert_ne!(
                    ranks[focus], 12,
                    "{} just beyond {}",
                    interval.weight, crossing.t
                );
                let passer = unit(&crossing.passer);
                let passed = unit(&crossing.passed);
                assert!(
                    ranks[passer] < ranks[passed],
                    "{} passes {}",
                    crossing.passer,
                    crossing.passed
                );
            }
            // Top-5 order inside its interval.
            let top = |ranks: &[u32]| {
                let mut leaders: Vec<(u32, usize)> = ranks
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| **r <= 5)
                    .map(|(u, r)| (*r, u))
                    .collect();
                leaders.sort_unstable();
                leaders
            };
            let reference = top(&nominal_ranks);
            let (lo, hi) = (interval.keep_topk_lo, interval.keep_topk_hi);
            for i in 1..10 {
                let t = lo + (hi - lo) * i as f64 / 10.0;
                assert_eq!(
                    top(&ranks_at(node, t)),
                    reference,
                    "{} top 5 at {t}",
                    interval.weight
                );
            }
        }
        for change in [
            &set.minimal.up_l1,
            &set.minimal.up_linf,
            &set.minimal.down_l1,
            &set.minimal.down_linf,
        ]
        .into_iter()
        .flatten()
        {
            assert_eq!(
                change.scorer_rank, change.change.new_rank,
                "{:?}",
                change.change
            );
            assert!(change.change.lower_bound <= change.change.distance + 1e-12);
        }
    }
    let pillars = &report.sets[0].minimal;
    assert!(pillars.up_l1.is_some() && pillars.down_l1.is_some() && pillars.up_linf.is_some());
    let fragile = report.most_fragile.as_ref().unwrap();
    let narrowest = report
        .sets
        .iter()
        .flat_map(|s| &s.weights)
        .map(|w| w.interval.keep_rank_hi - w.interval.keep_rank_lo)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(fragile.keep_rank_hi - fragile.keep_rank_lo, narrowest);
}

// ---------------------------------------------------------------------------------------------
// Sweep, simplex, drop
// ---------------------------------------------------------------------------------------------

#[test]
fn sweeps_agree_with_the_exact_stability_intervals() {
    let index = asem();
    let report = stability_for(
        &index,
        &StabilityRequest {
            method: MethodOverride::default(),
            weights: Some(WeightSet::Levels(vec![3])),
            focus: Some("NLD".into()),
            top_k: None,
        },
    )
    .unwrap();
    let conn = &report.sets[0].weights[0].interval;
    assert_eq!(conn.weight, "Conn");
    let sweep = sweep_weight(
        &index,
        &SweepRequest {
            method: MethodOverride::default(),
            weight: Some("Conn".into()),
            from: 0.0,
            to: 1.0,
            steps: 401,
            focus: Some("NLD".into()),
        },
    )
    .unwrap();
    let focus = sweep.focus.unwrap();
    for (t, ranks) in sweep.values.iter().zip(&sweep.ranks) {
        let inside = *t > conn.keep_rank_lo + 1e-9 && *t < conn.keep_rank_hi - 1e-9;
        if inside {
            assert_eq!(ranks[focus] as usize, report.nominal_rank, "t = {t}");
        }
    }
    // Outside the interval (by more than one sweep step) the rank differs at least somewhere.
    let outside: Vec<u32> = sweep
        .values
        .iter()
        .zip(&sweep.ranks)
        .filter(|(t, _)| **t < conn.keep_rank_lo - 0.003 || **t > conn.keep_rank_hi + 0.003)
        .map(|(_, r)| r[focus])
        .collect();
    assert!(outside.is_empty() || outside.iter().any(|&r| r as usize != report.nominal_rank));
}

#[test]
fn the_simplex_lattice_covers_the_triangle_and_contains_the_nominal_rank() {
    let index = asem();
    let result = simplex_map(
        &index,
        &SimplexRequest {
            method: MethodOverride::default(),
            parent: Some("Sust".into()),
            resolution: 30,
            focus: Some("NLD".into()),
        },
    )
    .unwrap();
    assert_eq!(result.points.len(), 31 * 32 / 2);
    assert_eq!(result.children, ["Environ", "Social", "SusEcFin"]);
    for point in &result.points {
        assert!((point.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
    // Equal nominal weights (1/3 each) are a lattice point for R = 30.
    let nominal = result
        .points
        .iter()
        .find(|p| p.weights.iter().all(|w| (w - 1.0 / 3.0).abs() < 1e-12))
        .unwrap();
    assert_eq!(nominal.rank, result.nominal_rank);
    assert!(result.best_rank <= result.nominal_rank && result.nominal_rank <= result.worst_rank);
    // Every grid rank lies within the exact bounds over the whole simplex of Sust's children.
    let region = format!(
        "code,lo,hi\n{}",
        result
            .children
            .iter()
            .map(|c| format!("{c},0,1\n"))
            .collect::<String>()
    );
    let exact = bounds_for(
        &index,
        &BoundsRequest {
            method: MethodOverride::default(),
            weights: None,
            range: RangeSource::File {
                text: region,
                file: "simplex.csv".into(),
            },
            focus: Some("NLD".into()),
            all_units: false,
        },
    )
    .unwrap();
    let bounds = exact.unit("NLD").unwrap();
    assert!(
        bounds.best_rank <= result.best_rank as usize
            && result.worst_rank as usize <= bounds.worst_rank
    );
    let shares = shares_within_parent(&index.framework, &index.framework.nominal_weights());
    assert_eq!(
        result.nominal[0],
        shares[index.framework.find("Environ").unwrap()]
    );
    let error = simplex_map(
        &index,
        &SimplexRequest {
            method: MethodOverride::default(),
            parent: Some("Conn".into()),
            resolution: 10,
            focus: None,
        },
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("use one of: Political, Sust"),
        "{error}"
    );
}

fn coinr_mean_abs_changes(file: &str) -> Vec<(String, f64)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/coinr-asem")
        .join(file);
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].parse().unwrap())
        })
        .collect()
}

#[test]
fn dropping_elements_matches_coinr_remove_elements() {
    let index = asem();
    for (level, file) in [
        (2, "coinr_remove_elements_L2.csv"),
        (3, "coinr_remove_elements_L3.csv"),
    ] {
        let result = drop_elements(
            &index,
            &DropRequest {
                method: MethodOverride::default(),
                levels: Some(vec![level]),
                focus: None,
            },
        )
        .unwrap();
        let expected = coinr_mean_abs_changes(file);
        let csv = drop_csv(&result);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let ours: Vec<(String, f64)> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_string(), r[1].parse().unwrap())
            })
            .collect();
        assert_eq!(ours.len(), expected.len(), "level {level}");
        for ((code, value), (coinr_code, coinr_value)) in ours.iter().zip(&expected) {
            assert_eq!(code, coinr_code);
            assert!(
                (value - coinr_value).abs() < 1e-12,
                "level {level} {code}: {value} vs {coinr_value}"
            );
        }
        // Mean absolute change is the mean of the per-unit changes.
        for row in &result.rows {
            let mean = (0..51)
                .map(|u| row.change(&result.nominal_ranks, u).unwrap().abs() as f64)
                .sum::<f64>()
                / 51.0;
            assert_eq!(row.mean_abs_rank_change, Some(mean));
        }
    }
}
