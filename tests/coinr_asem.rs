//! Peer oracle: COINr 1.1.14's results on its ASEM example (tests/fixtures/coinr-asem, MIT,
//! see its README) must be reproduced — nominal scores to 1e-9 and ranks exactly, and the ranks
//! of each of the 100 uncertainty-analysis runs exactly.

use std::collections::HashMap;
use std::path::Path;

use ranksense::model::method::{Aggregation, Imputation, Method, Normalisation, Treatment};
use ranksense::model::{Index, load_dir};
use ranksense::pipeline::{Config, Scratch, VariantSpec, prepare, score};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/coinr-asem");

fn asem() -> Index {
    load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/asem"))).expect("data/asem loads")
}

fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(Path::new(FIXTURES).join(name)).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Scores every aggregate of `index` under its nominal method; returns (uCode → node code → score, ranks of top).
fn nominal_scores(index: &Index) -> (HashMap<(String, String), f64>, HashMap<String, u32>) {
    let spec = VariantSpec {
        imputation: index.nominal.imputation.clone(),
        treatment: index.nominal.treatment,
        normalisation: index.nominal.normalisation.clone(),
    };
    let prepared = prepare(index, &[spec]).unwrap();
    let config = Config {
        variant: 0,
        aggregation: index.nominal.aggregation.clone(),
        weights: prepared.framework.nominal_weights(),
    };
    let mut scratch = Scratch::new(&prepared);
    score(&prepared, &config, &mut scratch);
    scratch.materialise_all();
    let mut scores = HashMap::new();
    for node in prepared.framework.aggregates() {
        for (u, &s) in scratch.aggregate_scores(node).iter().enumerate() {
            scores.insert(
                (
                    prepared.units[u].code.clone(),
                    prepared.framework.nodes[node].code.clone(),
                ),
                s,
            );
        }
    }
    let top = prepared.framework.top;
    let ranks = scratch.rank(&prepared, top).to_vec();
    let ranks = prepared
        .units
        .iter()
        .zip(ranks)
        .map(|(u, r)| (u.code.clone(), r))
        .collect();
    (scores, ranks)
}

fn assert_matches_coinr_table(index: &Index, file: &str) {
    let (scores, ranks) = nominal_scores(index);
    let (header, rows) = read_csv(file);
    assert_eq!(rows.len(), 51);
    for row in &rows {
        let unit = &row[0];
        assert_eq!(
            ranks[unit],
            row[2].parse::<u32>().unwrap(),
            "rank of {unit}"
        );
        for (column, value) in header.iter().zip(row).skip(1) {
            if column == "Rank" {
                continue;
            }
            let code = if column == "Index" { "Index" } else { column };
            let expected: f64 = value.parse().unwrap();
            let ours = scores[&(unit.clone(), code.to_string())];
            assert!(
                (ours - expected).abs() < 1e-9,
                "{unit} {code}: ranksense {ours} vs COINr {expected}"
            );
        }
    }
}

#[test]
fn nominal_scores_and_ranks_equal_coinr_build_example_coin() {
    assert_matches_coinr_table(&asem(), "coinr_nominal_ranks.csv");
}

#[test]
fn minimal_pipeline_equals_coinr() {
    let mut index = asem();
    index.nominal = Method::simple(3);
    assert_matches_coinr_table(&index, "coinr_nominal_ranks_minimal_pipeline.csv");
}

/// The 100 runs of COINr's uncertainty analysis (`coinr_UA_N100_design.csv`): each run's
/// Winmax, normalisation, noisy weight set and aggregation, scored by ranksense, gives exactly
/// COINr's ranks for every unit and COINr's mean absolute rank change.
#[test]
fn every_coinr_uncertainty_run_is_reproduced_exactly() {
    let index = asem();
    let (design_header, design) = read_csv("coinr_UA_N100_design.csv");
    let column = |name: &str| design_header.iter().position(|h| h == name).unwrap();
    let (weights_header, weight_rows) = read_csv("coinr_noisy_weights_seed12345.csv");
    assert_eq!(weights_header, ["WeightSet", "iCode", "Level", "Weight"]);
    let mut weight_sets: HashMap<usize, HashMap<String, f64>> = HashMap::new();
    for row in &weight_rows {
        weight_sets
            .entry(row[0].parse().unwrap())
            .or_default()
            .insert(row[1].clone(), row[3].parse().unwrap());
    }

    let normalisation = |text: &str| -> Normalisation { text.parse().unwrap() };
    let mut specs = Vec::new();
    for row in &design {
        let spec = VariantSpec {
            imputation: Imputation::GroupMean("EurAsia_group".into()),
            treatment: Some(Treatment::with_winmax(
                row[column("Winmax")].parse().unwrap(),
            )),
            normalisation: normalisation(&row[column("Normalisation")]),
        };
        specs.push(spec);
    }
    let mut all_specs = specs.clone();
    let nominal_spec = VariantSpec {
        imputation: index.nominal.imputation.clone(),
        treatment: index.nominal.treatment,
        normalisation: index.nominal.normalisation.clone(),
    };
    all_specs.push(nominal_spec.clone());
    let prepared = prepare(&index, &all_specs).unwrap();
    let mut scratch = Scratch::new(&prepared);
    let top = prepared.framework.top;

    let nominal = Config {
        variant: prepared.find_variant(&nominal_spec).unwrap(),
        aggregation: vec![Aggregation::Arithmetic; 3],
        weights: prepared.framework.nominal_weights(),
    };
    score(&prepared, &nominal, &mut scratch);
    let nominal_ranks = scratch.rank(&prepared, top).to_vec();

    let (ranks_header, ranks_rows) = read_csv("coinr_UA_N100_ranks_per_run.csv");
    let unit_position: Vec<usize> = ranks_rows
        .iter()
        .map(|row| prepared.find_unit(&row[0]).unwrap())
        .collect();
    for (run, row) in design.iter().enumerate() {
        let set = &weight_sets[&row[column("WeightSet")].parse().unwrap()];
        let weights = prepared
            .framework
            .nodes
            .iter()
            .map(|n| set[&n.code])
            .collect();
        let aggregation: Aggregation = row[column("Aggregation")].parse().unwrap();
        let config = Config {
            variant: prepared.find_variant(&specs[run]).unwrap(),
            aggregation: vec![aggregation; 3],
            weights,
        };
        score(&prepared, &config, &mut scratch);
        let ranks = scratch.rank(&prepared, top).to_vec();
        let run_column = ranks_header
            .iter()
            .position(|h| *h == format!("r_{}", run + 1))
            .unwrap();
        for (row_index, rank_row) in ranks_rows.iter().enumerate() {
            let expected: u32 = rank_row[run_column].parse().unwrap();
            assert_eq!(
                ranks[unit_position[row_index]],
                expected,
                "run {} unit {}",
                run + 1,
                rank_row[0]
            );
        }
        let shift: f64 = ranks
            .iter()
            .zip(&nominal_ranks)
            .map(|(&r, &n)| (f64::from(r) - f64::from(n)).abs())
            .sum::<f64>()
            / ranks.len() as f64;
        let expected: f64 = row[column("MeanAbsRankChange")].parse().unwrap();
        assert!(
            (shift - expected).abs() < 1e-12,
            "run {}: {shift} vs {expected}",
            run + 1
        );
    }
}
