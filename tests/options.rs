//! Options do what `--help` says (issue #14, point 5): a command offers only the formats it
//! has, only the flags it honours, `--out` writes summary.json, and every `--format json`
//! prints the summary.json envelope.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").unwrap()
}

/// Small, fast settings of the sampling commands.
const ROBUST_FAST: [&str; 10] = [
    "--samples",
    "200",
    "--base-samples",
    "64",
    "--bootstrap",
    "20",
    "--threads",
    "1",
    "--seed",
    "7",
];

fn stdout_of(args: &[&str]) -> Vec<u8> {
    let output = ranksense().args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn json_file(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap()
}

fn help_of(command: &str) -> String {
    String::from_utf8(stdout_of(&[command, "--help"])).unwrap()
}

#[test]
fn robust_refuses_csv_and_lists_only_its_formats() {
    // robust has no single table to print as CSV (its CSVs are in the report folder).
    let dir = tempfile::tempdir().unwrap();
    let output = ranksense()
        .args(["robust", "--data", "asem", "--format", "csv", "--out"])
        .arg(dir.path().join("report"))
        .args(ROBUST_FAST)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("'csv'") && stderr.contains("table, markdown, json"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("report").exists(),
        "refused before running"
    );
    assert!(help_of("robust").contains("[possible values: table, markdown, json]"));
    // Commands that do print CSV keep it.
    for command in [
        "uncertainty",
        "sensitivity",
        "score",
        "bounds",
        "sweep",
        "drop",
    ] {
        assert!(
            help_of(command).contains("[possible values: table, csv, json, markdown]"),
            "{command}"
        );
    }
}

#[test]
fn sensitivity_does_not_offer_samples() {
    let help = help_of("sensitivity");
    assert!(!help.contains("--samples"), "{help}");
    assert!(help.contains("--base-samples"));
    // The Monte Carlo commands still have it.
    for command in ["uncertainty", "robust", "merge"] {
        assert!(
            help_of(command).contains("--samples <SAMPLES>"),
            "{command}"
        );
    }
    // Given anyway, it is refused as an unknown option (exit 2) pointing to --base-samples.
    let output = ranksense()
        .args(["sensitivity", "--data", "asem", "--samples", "100"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--base-samples"));
}

#[test]
fn robust_runs_file_is_the_uncertainty_runs_file() {
    // Same data, scenario, seed and samples: robust's Monte Carlo part is uncertainty's run,
    // so its runs file must be the same file, row for row.
    let dir = tempfile::tempdir().unwrap();
    let robust_runs = dir.path().join("robust-runs.csv");
    let uncertainty_runs = dir.path().join("uncertainty-runs.csv");
    ranksense()
        .args(["robust", "--data", "asem", "--out"])
        .arg(dir.path().join("report"))
        .args(ROBUST_FAST)
        .arg("--runs-file")
        .arg(&robust_runs)
        .assert()
        .success();
    ranksense()
        .args([
            "uncertainty",
            "--data",
            "asem",
            "--samples",
            "200",
            "--seed",
            "7",
            "--threads",
            "1",
            "--runs-file",
        ])
        .arg(&uncertainty_runs)
        .assert()
        .success();
    let robust = fs::read_to_string(&robust_runs).unwrap();
    assert_eq!(robust, fs::read_to_string(&uncertainty_runs).unwrap());
    let mut lines = robust.lines();
    assert_eq!(
        lines.next().unwrap(),
        "run,Weights,Winmax,Normalisation,Aggregation,rank_CHE,mean_abs_rank_shift"
    );
    assert_eq!(lines.count(), 200);
    // The report folder is complete beside it.
    assert!(dir.path().join("report/summary.json").exists());
}

#[test]
fn sweep_and_drop_out_write_summary_json() {
    let dir = tempfile::tempdir().unwrap();
    let nominal_hash = {
        let score: Value = serde_json::from_slice(&stdout_of(&[
            "bounds", "--data", "asem", "--format", "json",
        ]))
        .unwrap();
        score["data"]["input_hash"].as_str().unwrap().to_string()
    };
    assert_eq!(nominal_hash.len(), 64);
    let cases: [(&str, &[&str], &str); 3] = [
        (
            "sweep",
            &["sweep", "--weight", "Conn", "--steps", "11"],
            "sweep",
        ),
        (
            "simplex",
            &["sweep", "--simplex", "Sust", "--resolution", "10"],
            "simplex",
        ),
        ("drop", &["drop", "--level", "2"], "drop"),
    ];
    for (name, args, section) in cases {
        let out = dir.path().join(name);
        ranksense()
            .args(args)
            .args(["--data", "asem", "--out"])
            .arg(&out)
            .assert()
            .success();
        let summary = json_file(&out.join("summary.json"));
        assert_eq!(summary["command"], args[0], "{name}");
        assert_eq!(
            summary["data"]["input_hash"],
            nominal_hash.as_str(),
            "{name}"
        );
        assert_eq!(summary["data"]["units"], 51, "{name}");
        assert!(summary["nominal_method"].is_object(), "{name}");
        assert!(summary[section].is_object(), "{name}: no {section} section");
    }
    let sweep = json_file(&dir.path().join("sweep/summary.json"));
    assert_eq!(sweep["sweep"]["weight"], "Conn");
    assert_eq!(sweep["sweep"]["values"].as_array().unwrap().len(), 11);
    let drop = json_file(&dir.path().join("drop/summary.json"));
    // ASEM's level 2: eight pillars, each dropped once.
    assert_eq!(drop["drop"]["rows"].as_array().unwrap().len(), 8);
}

#[test]
fn every_json_on_stdout_has_the_summary_envelope() {
    let dir = tempfile::tempdir().unwrap();
    // (command line, writes --out): with --out, stdout is summary.json byte for byte.
    let robust: Vec<&str> = ["robust", "--data", "asem"]
        .into_iter()
        .chain(ROBUST_FAST)
        .collect();
    let cases: Vec<(Vec<&str>, bool)> = vec![
        (vec!["score", "--data", "asem"], false),
        (vec!["bounds", "--data", "asem"], true),
        (vec!["stability", "--data", "asem", "--level", "2"], true),
        (vec!["sweep", "--data", "asem", "--steps", "5"], true),
        (
            vec![
                "sweep",
                "--data",
                "asem",
                "--simplex",
                "Sust",
                "--resolution",
                "6",
            ],
            true,
        ),
        (vec!["drop", "--data", "asem"], true),
        (
            vec![
                "uncertainty",
                "--data",
                "asem",
                "--samples",
                "200",
                "--threads",
                "1",
            ],
            true,
        ),
        (
            vec![
                "sensitivity",
                "--data",
                "asem",
                "--base-samples",
                "64",
                "--bootstrap",
                "20",
                "--threads",
                "1",
            ],
            true,
        ),
        (robust, true),
    ];
    let mut hash = None;
    for (i, (args, writes)) in cases.into_iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        let mut command = ranksense();
        command.args(&args).args(["--format", "json"]);
        if writes {
            command.arg("--out").arg(&out);
        }
        let output = command.output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["command"], args[0], "{args:?}");
        assert_eq!(
            json["ranksense_version"],
            env!("CARGO_PKG_VERSION"),
            "{args:?}"
        );
        assert!(
            json["nominal_method"]["normalisation"].is_string(),
            "{args:?}"
        );
        assert!(json["data"]["provenance"].is_string(), "{args:?}");
        let input_hash = json["data"]["input_hash"].as_str().unwrap().to_string();
        assert_eq!(
            hash.get_or_insert(input_hash.clone()),
            &input_hash,
            "{args:?}"
        );
        if writes {
            assert_eq!(
                String::from_utf8(output.stdout).unwrap(),
                fs::read_to_string(out.join("summary.json")).unwrap(),
                "{args:?}: stdout differs from summary.json"
            );
        }
    }
}

#[test]
fn score_json_keeps_the_ranking_inside_the_envelope() {
    let json: Value =
        serde_json::from_slice(&stdout_of(&["score", "--data", "asem", "--format", "json"]))
            .unwrap();
    let ranking = json["ranking"].as_array().unwrap();
    assert_eq!(ranking.len(), 51);
    assert_eq!(ranking[0]["code"], "CHE");
    assert_eq!(ranking[0]["rank"], 1);
    // A what-if method is the method the envelope names.
    let json: Value = serde_json::from_slice(&stdout_of(&[
        "score",
        "--data",
        "asem",
        "--normalisation",
        "zscore(10,2)",
        "--format",
        "json",
    ]))
    .unwrap();
    let normalisation = json["nominal_method"]["normalisation"].as_str().unwrap();
    assert!(normalisation.starts_with("zscore"), "{normalisation}");
}
