//! Sobol sensitivity of ranksense's own model: COINr's factor ordering and intervals on ASEM, thread-count independence, constant and top-k targets, the dummy factor, and the CLI's files.

use assert_cmd::Command;
use ranksense::analysis::sensitivity::{
    SensitivityOptions, SensitivityRun, TargetFamily, UnitTargets, run_sensitivity,
};
use ranksense::analysis::sobol::{Estimate, PointKind};
use ranksense::engine::Silent;
use ranksense::model::Index;
use ranksense::report::sensitivity::{targets_sobol_csv, targets_sobol_table};
use ranksense::scenario::Scenario;

fn asem() -> Index {
    ranksense::model::embedded::load("asem").expect("embedded ASEM")
}

fn asem_coinr() -> (Scenario, &'static str) {
    let (file, text) = ranksense::scenario::embedded::find("asem-coinr").expect("shipped");
    (Scenario::from_toml_str(text, file).expect("parses"), text)
}

fn run(
    index: &Index,
    scenario: &Scenario,
    text: &str,
    options: &SensitivityOptions,
) -> SensitivityRun {
    run_sensitivity(index, scenario, text, options, &Silent).expect("sensitivity runs")
}

/// COINr's `Variable, Si, STi, Si_q5, Si_q95, STi_q5, STi_q95` rows.
fn coinr_sobol(file: &str) -> Vec<(String, [f64; 6])> {
    let path = format!("tests/fixtures/coinr-asem/{file}");
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let values = std::array::from_fn(|i| record[1 + i].parse().unwrap());
            (record[0].to_string(), values)
        })
        .collect()
}

/// Widest COINr interval we treat as informative: it rules out at least half of [0, 1]. COINr's
/// N = 100 first-order intervals are mostly wider (its uncentred estimator at N = 100); its
/// total-index intervals are all narrower.
const INFORMATIVE_WIDTH: f64 = 0.5;

#[test]
fn rs_total_indices_order_the_factors_as_coinr_does() {
    let index = asem();
    let (scenario, text) = asem_coinr();
    // N = 1024: the 90% bootstrap intervals of the four total indices are then disjoint (checked
    // below), so the ordering is resolved by the data rather than by the seed; at N = 256 the
    // Normalisation and Weights intervals still overlap.
    let options = SensitivityOptions {
        base_samples: 1024,
        families: vec![TargetFamily::Rs],
        ..SensitivityOptions::default()
    };
    let result = run(&index, &scenario, text, &options);
    let rs = result.target("rs").expect("rs target");
    assert!(!rs.sobol.constant);
    let total = |factor: &str| rs.sobol.index(factor).expect(factor).total;
    let order = ["Aggregation", "Normalisation", "Weights", "Winmax"];
    for pair in order.windows(2) {
        let (higher, lower) = (total(pair[0]), total(pair[1]));
        assert!(
            higher.lo > lower.hi,
            "{} ST {higher:?} must lie above {} ST {lower:?}",
            pair[0],
            pair[1]
        );
    }

    let mut checked = 0;
    for file in [
        "coinr_SA_N100_sobol.csv",
        "coinr_vignette_stored_SA_N100_sobol.csv",
    ] {
        for (factor, values) in coinr_sobol(file) {
            let ours = rs.sobol.index(&factor).expect("same factor names as COINr");
            for (what, value, lo, hi) in [
                ("S", ours.first.value, values[2], values[3]),
                ("ST", ours.total.value, values[4], values[5]),
            ] {
                if hi - lo < INFORMATIVE_WIDTH {
                    assert!(
                        (lo..=hi).contains(&value),
                        "{file}: {factor} {what} = {value} outside COINr's [{lo}, {hi}]"
                    );
                    checked += 1;
                }
            }
        }
    }
    // Both files' four total indices and their Winmax first-order indices.
    assert_eq!(checked, 10);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let index = asem();
    let (scenario, text) = asem_coinr();
    for points in [PointKind::Sobol, PointKind::Random] {
        let options = |threads| SensitivityOptions {
            base_samples: 128,
            bootstrap_resamples: 101,
            threads,
            points,
            ..SensitivityOptions::default()
        };
        let one = run(&index, &scenario, text, &options(1));
        let three = run(&index, &scenario, text, &options(3));
        let csv = targets_sobol_csv(&one.targets);
        assert_eq!(csv, targets_sobol_csv(&three.targets), "{points:?}");
        assert_eq!(one.targets, three.targets);
        assert_eq!(one.outputs, three.outputs);
        // rs, 51 ranks, 51 scores and CHE's top-k place, four factors each.
        assert_eq!(one.targets.len(), 1 + 51 + 51 + 1);
        assert_eq!(csv.lines().count(), 1 + 104 * 4);
    }
    // Four targets: one thread bootstraps each target's replicates in one work item, three
    // threads split them into chunks of replicates; same bytes.
    let options = |threads| SensitivityOptions {
        base_samples: 128,
        bootstrap_resamples: 101,
        threads,
        unit_targets: Some(UnitTargets::Focus),
        ..SensitivityOptions::default()
    };
    let one = run(&index, &scenario, text, &options(1));
    let three = run(&index, &scenario, text, &options(3));
    assert_eq!(one.targets.len(), 4);
    assert_eq!(
        targets_sobol_csv(&one.targets),
        targets_sobol_csv(&three.targets)
    );
}

#[test]
fn a_rank_that_never_changes_is_reported_as_constant() {
    let index = asem();
    // Only the Winsorisation limit varies (1 to 5 points): Switzerland stays first.
    let text = "[treatment]\nwinmax = [1, 5]\nnominal = 5\nskew_limit = 2.0\n\
                kurtosis_limit = 3.5\nname = \"Winmax\"\n";
    let scenario = Scenario::from_toml_str(text, "narrow.toml").unwrap();
    let options = SensitivityOptions {
        base_samples: 64,
        bootstrap_resamples: 50,
        focus: Some("CHE".into()),
        families: vec![TargetFamily::Rs, TargetFamily::Rank, TargetFamily::Topk],
        ..SensitivityOptions::default()
    };
    let result = run(&index, &scenario, text, &options);
    let che = result.target("rank:CHE").unwrap();
    assert_eq!(che.nominal, 1.0);
    assert!(che.sobol.constant);
    assert_eq!(che.sobol.variance, 0.0);
    assert_eq!(che.changed_share, 0.0);
    let zero = Estimate {
        value: 0.0,
        lo: 0.0,
        hi: 0.0,
    };
    for index in &che.sobol.indices {
        assert_eq!((index.first, index.total), (zero, zero));
    }
    assert!(che.convergence.steps.iter().all(|step| step.constant));
    let csv = targets_sobol_csv(&result.targets);
    assert!(csv.contains("\nrank:CHE,Winmax,0,0,0,0,0,0\n"), "{csv}");
    assert!(!csv.contains("NaN") && !csv.contains("NA"), "{csv}");
    let table = targets_sobol_table(&result.headline_targets(), 0.9).to_terminal();
    assert!(table.contains("constant: the same in every run"), "{table}");
    let driver = result.driver.as_ref().unwrap();
    assert_eq!(driver.target, "rank:CHE");
    assert_eq!(driver.factor, None);
    assert!(
        driver.sentence.contains("is the same in all 192 runs"),
        "{}",
        driver.sentence
    );
    // Other units do move with the Winsorisation limit, so R_S is not constant.
    assert!(!result.target("rs").unwrap().sobol.constant);
}

#[test]
fn topk_variance_is_p_times_one_minus_p() {
    let index = asem();
    let (scenario, text) = asem_coinr();
    let n = 256;
    // A unit from the middle of the ranking, whose top-k place changes often.
    let options = SensitivityOptions {
        base_samples: n,
        bootstrap_resamples: 0,
        focus: Some("PRT".into()),
        unit_targets: Some(UnitTargets::Focus),
        ..SensitivityOptions::default()
    };
    let result = run(&index, &scenario, text, &options);
    let names: Vec<&str> = result.targets.iter().map(|t| t.target.as_str()).collect();
    let k = result.top_k.unwrap();
    // k is part of the target's name, so "top-k" never reads as an unstated k.
    let topk_name = format!("top{k}:PRT");
    assert_eq!(names, ["rs", "rank:PRT", "score:PRT", topk_name.as_str()]);
    let rank = result.target("rank:PRT").unwrap();
    assert_eq!(f64::from(k), rank.nominal, "k defaults to the nominal rank");
    let topk = result.target(&topk_name).unwrap();
    // p from the rank target's own outputs over the A and B runs.
    let ranks = &result.outputs.target(1)[..2 * n];
    let p = ranks.iter().filter(|&&r| r <= f64::from(k)).count() as f64 / (2 * n) as f64;
    assert!(
        p > 0.1 && p < 0.9,
        "p = {p}: pick a unit whose top-k place moves"
    );
    assert_eq!(topk.mean, p);
    let expected = p * (1.0 - p) * (2 * n) as f64 / (2 * n - 1) as f64;
    assert!(
        (topk.sobol.variance - expected).abs() < 1e-12,
        "variance {} vs p(1 − p) 2N/(2N − 1) = {expected}",
        topk.sobol.variance
    );
}

#[test]
fn the_dummy_factor_is_exactly_zero_for_a_deterministic_model() {
    let index = asem();
    let (scenario, text) = asem_coinr();
    let options = SensitivityOptions {
        base_samples: 64,
        bootstrap_resamples: 100,
        families: vec![TargetFamily::Rs, TargetFamily::Rank],
        dummy: true,
        ..SensitivityOptions::default()
    };
    let result = run(&index, &scenario, text, &options);
    assert_eq!(result.factors.last().map(String::as_str), Some("dummy"));
    assert_eq!(result.design.run_count(), 64 * 7);
    for target in result.targets.iter().filter(|t| !t.sobol.constant) {
        let floor = target.noise_floor.expect("dummy present");
        assert_eq!(floor.threshold(), 0.0, "{}", target.target);
        // The dummy is never named as a driver.
        assert_ne!(target.by_total()[0].factor, "dummy");
    }
}

#[test]
fn convergence_steps_end_at_the_point_estimates() {
    let index = asem();
    let (scenario, text) = asem_coinr();
    let options = SensitivityOptions {
        base_samples: 256,
        bootstrap_resamples: 0,
        families: vec![TargetFamily::Rs],
        ..SensitivityOptions::default()
    };
    let result = run(&index, &scenario, text, &options);
    let rs = result.target("rs").unwrap();
    let rows: Vec<usize> = rs.convergence.steps.iter().map(|s| s.rows).collect();
    assert_eq!(rows, [32, 64, 128, 256]);
    let last = rs.convergence.steps.last().unwrap();
    for (i, index) in rs.sobol.indices.iter().enumerate() {
        assert_eq!(last.first[i], index.first.value);
        assert_eq!(last.total[i], index.total.value);
        // Without resamples the interval collapses to the estimate.
        assert_eq!(
            (index.first.lo, index.first.hi),
            (index.first.value, index.first.value)
        );
    }
}

#[test]
fn cli_writes_sobol_csv_summary_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = Command::cargo_bin("ranksense")
        .unwrap()
        .args([
            "sensitivity",
            "--data",
            "asem",
            "--base-samples",
            "64",
            "--bootstrap",
            "50",
        ])
        .args([
            "--target",
            "rs,rank",
            "--focus",
            "PRT",
            "--threads",
            "2",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("Portugal's rank is"), "{stdout}");
    assert!(stdout.contains("Convergence of rank:PRT"), "{stdout}");

    // The CLI's sobol.csv is the library's for the same options (seed: the scenario's).
    let (scenario, text) = asem_coinr();
    let options = SensitivityOptions {
        base_samples: 64,
        bootstrap_resamples: 50,
        seed: 12345,
        families: vec![TargetFamily::Rs, TargetFamily::Rank],
        ..SensitivityOptions::default()
    };
    let result = run(&asem(), &scenario, text, &options);
    let csv = std::fs::read_to_string(out.join("sobol.csv")).unwrap();
    assert_eq!(csv, targets_sobol_csv(&result.targets));

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let section = &summary["sensitivity"];
    assert_eq!(section["base_samples"], 64);
    assert_eq!(section["runs"], 64 * 6);
    assert_eq!(section["estimator"]["estimator"], "centred");
    assert_eq!(section["targets"].as_array().unwrap().len(), 52);
    assert_eq!(section["headline"], serde_json::json!(["rs", "rank:PRT"]));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    for heading in [
        "## Sobol indices",
        "## Convergence",
        "### rank:PRT",
        "## Checks",
    ] {
        assert!(report.contains(heading), "{heading} missing:\n{report}");
    }

    // --samples belongs to `uncertainty`: bad input, exit code 2.
    let output = Command::cargo_bin("ranksense")
        .unwrap()
        .args(["sensitivity", "--data", "asem", "--samples", "100"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--base-samples"));
}
