//! Extreme inputs: data from subnormal to ±1e308, huge weights, odd scenario files and option
//! values. Every command either gives finite, correct results or refuses with a located
//! message and exit code 2; `validate --scenario` refuses exactly what a run refuses.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").unwrap()
}

/// Four indicators under two pillars under one index, five units.
const META: &str = "\
Level,iCode,iName,Direction,Weight,Parent,Type
1,A,Alpha,1,1,P1,Indicator
1,B,Beta,1,1,P1,Indicator
1,C,Gamma,1,1,P2,Indicator
1,D,Delta,1,1,P2,Indicator
2,P1,Pillar one,1,1,Top,Aggregate
2,P2,Pillar two,1,1,Top,Aggregate
3,Top,Index,1,1,,Aggregate
";

/// The ordinary values of A: the reference every rescaled copy is compared with.
const A: [f64; 5] = [1.0, 3.0, 2.0, 4.0, 5.0];
const B: [f64; 5] = [2.0, 3.0, 1.0, 5.0, 2.0];
const C: [f64; 5] = [3.0, 4.0, 7.0, 6.0, 2.0];
const D: [f64; 5] = [4.0, 5.0, 6.0, 1.0, 2.0];

/// Writes an index folder with columns A–D (Rust's shortest round-trip spelling of each value).
fn write_index(dir: &Path, columns: [[f64; 5]; 4]) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join("meta.csv"), META).unwrap();
    let mut data = String::from("uCode,uName,A,B,C,D\n");
    for u in 0..5 {
        data.push_str(&format!("U{},Unit {},", u + 1, u + 1));
        let cells: Vec<String> = columns.iter().map(|c| format!("{:e}", c[u])).collect();
        data.push_str(&cells.join(","));
        data.push('\n');
    }
    fs::write(dir.join("data.csv"), data).unwrap();
    dir.to_path_buf()
}

fn scaled(column: [f64; 5], factor: f64) -> [f64; 5] {
    column.map(|v| v * factor)
}

/// `score --format csv` as (uCode, scores) sorted by uCode: the index score and every pillar
/// score (the rank columns follow from them; a tie in one spelling of the data may be split
/// by rounding in another).
fn score_rows(data: &Path, normalisation: &str) -> Vec<(String, Vec<f64>)> {
    let output = ranksense()
        .args([
            "score",
            "--format",
            "csv",
            "--normalisation",
            normalisation,
            "--data",
        ])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{normalisation} on {}: {}",
        data.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert_all_finite(&text, "score");
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let mut rows: Vec<(String, Vec<f64>)> = text
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let scores = (3..cells.len())
                .filter(|&i| !header[i].ends_with("_rank"))
                .map(|i| cells[i].parse().unwrap())
                .collect();
            (cells[0].to_string(), scores)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

/// Every cell of a CSV text that reads as a number is finite (`NaN` and `inf` read as
/// numbers, so they are caught too).
fn assert_all_finite(csv: &str, what: &str) {
    for (i, line) in csv.lines().enumerate() {
        for cell in line.split(',') {
            if let Ok(x) = cell.trim().parse::<f64>() {
                assert!(x.is_finite(), "{what}, line {}: `{cell}` in {line}", i + 1);
            }
        }
    }
}

fn assert_same_scores(reference: &[(String, Vec<f64>)], other: &[(String, Vec<f64>)], what: &str) {
    assert_eq!(reference.len(), other.len());
    for (r, o) in reference.iter().zip(other) {
        assert_eq!(r.0, o.0);
        for (x, y) in r.1.iter().zip(&o.1) {
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                "{what}: {} {x} vs {y}",
                r.0
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Point 11: magnitudes

#[test]
fn normalised_scores_do_not_depend_on_the_magnitude_of_a_column() {
    // Scaling a column by a positive factor changes nothing in min-max, z-score, dist2max or
    // rank normalisation. Before scaled statistics, z-scores of data at 1e154 and above were
    // flat (the sum of squares overflowed) and subnormal data counted as constant.
    let tmp = tempfile::tempdir().unwrap();
    let reference = write_index(&tmp.path().join("ref"), [A, B, C, D]);
    for (name, factor) in [("1e154", 1e154), ("1e200", 1e200), ("6e307", 6e307 / 5.0)] {
        let dir = write_index(&tmp.path().join(name), [scaled(A, factor), B, C, D]);
        for normalisation in ["minmax(0,100)", "zscore(10,2)", "dist2max", "rank"] {
            assert_same_scores(
                &score_rows(&reference, normalisation),
                &score_rows(&dir, normalisation),
                &format!("{normalisation}, A × {name}"),
            );
        }
    }
}

#[test]
fn columns_spanning_1e308_or_subnormal_normalise_correctly() {
    // max − min = 2e308 overflows: the plain (v − lo)/(hi − lo) gave 0 for every unit and NaN
    // (missing) for the largest. The same column in units of 1e307 is the reference.
    let tmp = tempfile::tempdir().unwrap();
    let base = [10.0, -10.0, 0.0, 5.0, -3.0];
    let reference = write_index(&tmp.path().join("ref"), [base, B, C, D]);
    let extreme = write_index(
        &tmp.path().join("extreme"),
        [[1e308, -1e308, 0.0, 5e307, -3e307], B, C, D],
    );
    for normalisation in ["minmax(0,100)", "zscore(10,2)", "dist2max", "rank"] {
        assert_same_scores(
            &score_rows(&reference, normalisation),
            &score_rows(&extreme, normalisation),
            normalisation,
        );
    }
    // Subnormal columns: the mean rounds to the subnormal grid, so (v − mean)/sd is off by
    // up to 40% unless computed in scaled units.
    let unscaled = write_index(&tmp.path().join("unscaled"), [A, B, C, D]);
    for (name, factor) in [("5e-324", 5e-324), ("1e-310", 2f64.powi(-1030))] {
        let dir = write_index(&tmp.path().join(name), [scaled(A, factor), B, C, D]);
        for normalisation in ["minmax(0,100)", "zscore(10,2)", "dist2max", "rank"] {
            assert_same_scores(
                &score_rows(&unscaled, normalisation),
                &score_rows(&dir, normalisation),
                &format!("{normalisation}, A × {name}"),
            );
        }
    }
    every_command_is_finite(&extreme, tmp.path());
}

const SCENARIO: &str = "\
[[weights]]
level = 1
mode = \"uniform\"
spread = 0.5

[normalisation]
alternatives = [\"minmax(1,100)\", \"zscore(10,2)\", \"rank\"]
";

/// Runs every command on `data` and checks every number printed or written is finite.
fn every_command_is_finite(data: &Path, tmp: &Path) {
    let scenario = tmp.join("scenario.toml");
    fs::write(&scenario, SCENARIO).unwrap();
    let run = |args: &[&str]| -> String {
        let output = ranksense()
            .args(args)
            .arg("--data")
            .arg(data)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let scenario_arg = scenario.to_str().unwrap();
    for normalisation in ["minmax(0,100)", "zscore(10,2)", "dist2max", "rank"] {
        let csv = run(&["score", "--format", "csv", "--normalisation", normalisation]);
        assert_all_finite(&csv, normalisation);
    }
    let out = tmp.join("uncertainty");
    let csv = run(&[
        "uncertainty",
        "--scenario",
        scenario_arg,
        "--samples",
        "300",
        "--focus",
        "U1",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_all_finite(&csv, "uncertainty");
    let robust = tmp.join("robust");
    run(&[
        "robust",
        "--scenario",
        scenario_arg,
        "--samples",
        "300",
        "--base-samples",
        "64",
        "--bootstrap",
        "20",
        "--focus",
        "U1",
        "--out",
        robust.to_str().unwrap(),
    ]);
    let csv = run(&[
        "sensitivity",
        "--scenario",
        scenario_arg,
        "--base-samples",
        "64",
        "--bootstrap",
        "20",
        "--focus",
        "U1",
        "--format",
        "csv",
    ]);
    assert_all_finite(&csv, "sensitivity");
    for args in [
        &["bounds", "--focus", "U1", "--format", "csv"][..],
        &["stability", "--focus", "U1", "--format", "csv"],
        &["drop", "--format", "csv"],
    ] {
        assert_all_finite(&run(args), args[0]);
    }
    let sweep = tmp.join("sweep");
    run(&["sweep", "--weight", "P1", "--out", sweep.to_str().unwrap()]);
    for dir in [&out, &robust, &sweep] {
        let mut files = 0;
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                assert_all_finite(
                    &fs::read_to_string(&path).unwrap(),
                    &path.display().to_string(),
                );
                files += 1;
            }
        }
        assert!(files > 0, "no CSV written to {}", dir.display());
    }
}

#[test]
fn every_command_is_finite_on_huge_and_subnormal_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let data = write_index(
        &tmp.path().join("index"),
        [scaled(A, 1e200), scaled(B, 5e-324), C, scaled(D, 1e300)],
    );
    every_command_is_finite(&data, tmp.path());
}

#[test]
fn weights_beyond_the_limit_are_refused_with_the_limit_named() {
    // Three weights of 1e308 summed to infinity, so every unit scored 0 and ranked first.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("index");
    write_index(&dir, [A, B, C, D]);
    let meta = META
        .replace("1,A,Alpha,1,1,", "1,A,Alpha,1,1e308,")
        .replace("1,B,Beta,1,1,", "1,B,Beta,1,1e308,")
        .replace("1,C,Gamma,1,1,", "1,C,Gamma,1,1e308,");
    fs::write(dir.join("meta.csv"), &meta).unwrap();
    for command in ["validate", "score"] {
        ranksense()
            .arg(command)
            .arg("--data")
            .arg(&dir)
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("meta.csv:2, column `Weight`")
                    .and(predicate::str::contains("meta.csv:4, column `Weight`"))
                    .and(predicate::str::contains("1e308"))
                    .and(predicate::str::contains("largest accepted, 1e12"))
                    .and(predicate::str::contains("fix: weights are relative")),
            );
    }
    // At the limit the weights are accepted and act as equal weights.
    fs::write(dir.join("meta.csv"), meta.replace("1e308", "1e12")).unwrap();
    let at_limit = score_rows(&dir, "minmax(0,100)");
    fs::write(
        dir.join("meta.csv"),
        meta.replace("1e308", "1")
            .replace("1,D,Delta,1,1,", "1,D,Delta,1,1e-12,"),
    )
    .unwrap();
    assert_same_scores(
        &score_rows(&dir, "minmax(0,100)"),
        &at_limit,
        "weights 1e12",
    );
}

// ---------------------------------------------------------------------------------------------
// Point 10: validate --scenario reaches every decision a run reaches

/// Exit code and standard error of a command.
fn outcome(args: &[&str], data: &Path, scenario: &Path) -> (i32, String) {
    let output = ranksense()
        .args(args)
        .arg("--data")
        .arg(data)
        .arg("--scenario")
        .arg(scenario)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn validate_refuses_exactly_what_a_run_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let ordinary = write_index(&tmp.path().join("ordinary"), [A, B, C, D]);
    let subnormal = write_index(&tmp.path().join("subnormal"), [scaled(A, 5e-324), B, C, D]);
    let cases: [(&str, &str, &Path, Option<&str>); 6] = [
        // Power mean whose power overflows on minmax(1,100): refused by the run's range check.
        (
            "power.toml",
            "[normalisation]\nalternatives = [\"minmax(1,100)\"]\n[[aggregation]]\nalternatives = [\"arithmetic\", \"generalised(1e6)\"]\n",
            &ordinary,
            Some("use a power of at most 154"),
        ),
        (
            "empty.toml",
            "",
            &ordinary,
            Some("empty.toml: the scenario file is empty"),
        ),
        (
            "named.toml",
            "name = \"nothing\"\nsamples = 100\n",
            &ordinary,
            Some("named.toml:1: the scenario names no uncertain choice"),
        ),
        (
            "zscore.toml",
            "[normalisation]\nalternatives = [\"zscore(10,2)\", \"rank\"]\n",
            &subnormal,
            None,
        ),
        (
            "weights.toml",
            "[[weights]]\nlevel = 2\nmode = \"uniform\"\nspread = 0.2\n",
            &ordinary,
            None,
        ),
        (
            "focus.toml",
            "focus = \"U9\"\n[[weights]]\nlevel = 2\nmode = \"uniform\"\nspread = 0.2\n",
            &ordinary,
            Some("U9"),
        ),
    ];
    for (file, text, data, refusal) in cases {
        let scenario = tmp.path().join(file);
        fs::write(&scenario, text).unwrap();
        let (validate_code, validate_err) = outcome(&["validate"], data, &scenario);
        let (run_code, run_err) = outcome(&["uncertainty", "--samples", "50"], data, &scenario);
        assert_eq!(
            validate_code, run_code,
            "{file}: {validate_err} / {run_err}"
        );
        match refusal {
            Some(words) => {
                assert_eq!(validate_code, 2, "{file}");
                assert_eq!(validate_err, run_err, "{file}: same message");
                assert!(validate_err.contains(words), "{file}: {validate_err}");
                assert!(validate_err.contains("fix:"), "{file}: {validate_err}");
            }
            None => assert_eq!(validate_code, 0, "{file}: {validate_err}"),
        }
    }
    // `robust` names the file too, and the empty scenario never yields a verdict.
    let empty = tmp.path().join("empty.toml");
    let (code, err) = outcome(
        &["robust", "--samples", "50", "--focus", "U1"],
        &ordinary,
        &empty,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("empty.toml") && err.contains("[[weights]]"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Point 12: messages for scenario files and options

#[test]
fn a_scenario_that_is_not_utf8_names_the_line_and_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("latin1.toml");
    // "café" in Latin-1 on line 2: é is the single byte 0xE9.
    fs::write(
        &scenario,
        b"[normalisation]\n# caf\xe9\nalternatives = [\"rank\"]\n",
    )
    .unwrap();
    for command in ["validate", "uncertainty"] {
        ranksense()
            .args([command, "--data", "asem", "--scenario"])
            .arg(&scenario)
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("latin1.toml:2:")
                    .and(predicate::str::contains("byte 6 of this line (0xE9"))
                    .and(predicate::str::contains("byte 22 of the file"))
                    .and(predicate::str::contains("fix: save the file as UTF-8")),
            );
    }
}

#[test]
fn options_out_of_range_name_the_option_and_the_range() {
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["uncertainty", "--samples", "-1"],
            "'--samples <SAMPLES>'",
            "from 1 to 1099511627776",
        ),
        (
            &["uncertainty", "--samples", "1e20"],
            "not a whole number",
            "from 1 to 1099511627776",
        ),
        (
            &["uncertainty", "--samples", "0"],
            "'--samples <SAMPLES>'",
            "from 1 to 1099511627776",
        ),
        // u64::MAX used to run without bound; the counters hold 2^40 samples.
        (
            &["uncertainty", "--samples", "18446744073709551615"],
            "is above 1099511627776",
            "fix: use a whole number from 1 to 1099511627776",
        ),
        (
            &["uncertainty", "--samples", "1099511627777"],
            "'--samples <SAMPLES>'",
            "above",
        ),
        (
            &["uncertainty", "--max-samples", "0"],
            "'--max-samples",
            "from 1 to",
        ),
        (
            &["robust", "--base-samples", "0"],
            "'--base-samples",
            "from 2 to 1073741824",
        ),
        (
            &["sensitivity", "--base-samples", "1"],
            "'--base-samples",
            "from 2 to 1073741824",
        ),
        // 0 used to mean 1 silently.
        (
            &["uncertainty", "--bin-width", "0"],
            "'--bin-width",
            "from 1 to 4294967295",
        ),
        (
            &["score", "--data", "/nonexistent/ranksense-index"],
            "no such folder",
            "fix: point --data to a folder holding meta.csv and data.csv",
        ),
        (
            &["score", "--data", "/nonexistent/ranksense-index"],
            "omit --data",
            "asem",
        ),
    ];
    for (args, first, second) in cases {
        ranksense().args(*args).assert().code(2).stderr(
            predicate::str::contains(*first)
                .and(predicate::str::contains(*second))
                .and(predicate::str::contains("fix:")),
        );
    }
    // A scenario asking for more samples than the counters hold is a located error.
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("many.toml");
    fs::write(
        &scenario,
        "samples = 1099511627777\n[[weights]]\nlevel = 2\nmode = \"uniform\"\nspread = 0.2\n",
    )
    .unwrap();
    ranksense()
        .args(["validate", "--data", "asem", "--scenario"])
        .arg(&scenario)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("many.toml:1, column `samples`")
                .and(predicate::str::contains("1099511627776 (2^40)")),
        );
}
