//! The command line as a user meets it: formats, exit codes, output files, shards in separate processes.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").unwrap()
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn score_csv_has_the_documented_columns_top_down() {
    let output = ranksense()
        .args(["score", "--data", "asem", "--format", "csv"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "uCode,uName,rank,score,Conn,Conn_rank,Sust,Sust_rank,Physical,Physical_rank,ConEcFin,ConEcFin_rank,Political,Political_rank,Instit,Instit_rank,P2P,P2P_rank,Environ,Environ_rank,Social,Social_rank,SusEcFin,SusEcFin_rank"
    );
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&first[..3], &["CHE", "Switzerland", "1"]);
    // COINr's nominal Index score for Switzerland.
    assert!((first[3].parse::<f64>().unwrap() - 68.3837242383417).abs() < 1e-9);
    assert_eq!(text.lines().count(), 52);
}

#[test]
fn score_json_and_markdown_and_level_flag() {
    let output = ranksense()
        .args(["score", "--data", "asem", "--format", "json"])
        .output()
        .unwrap();
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let units = &summary["ranking"];
    assert_eq!(units[0]["code"], "CHE");
    assert_eq!(units[0]["nodes"][0]["code"], "Conn");
    ranksense()
        .args([
            "score", "--data", "asem", "--format", "markdown", "--level", "2",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("| Physical |").and(predicate::str::contains("**CHE**")));
    ranksense()
        .args(["score", "--data", "asem", "--level", "7"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--level 7 is out of range"));
}

#[test]
fn what_if_normalisation_changes_the_ranking_and_bad_methods_exit_2() {
    let nominal = ranksense()
        .args(["score", "--data", "asem", "--format", "csv"])
        .output()
        .unwrap()
        .stdout;
    let ranked = ranksense()
        .args([
            "score",
            "--data",
            "asem",
            "--format",
            "csv",
            "--normalisation",
            "rank",
        ])
        .output()
        .unwrap()
        .stdout;
    assert_ne!(nominal, ranked);
    ranksense()
        .args(["score", "--data", "asem", "--aggregation", "geometric"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("minmax(1,100)"));
    ranksense()
        .args(["score", "--data", "asem", "--normalisation", "minmix"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown normalisation"));
    ranksense()
        .args([
            "score",
            "--data",
            "asem",
            "--aggregation",
            "geometric",
            "--normalisation",
            "minmax(1,100)",
        ])
        .assert()
        .success();
    // 100^200 is beyond the largest double: refused with the power that fits.
    ranksense()
        .args([
            "score",
            "--aggregation",
            "generalised(200)",
            "--normalisation",
            "minmax(1,100)",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("overflows").and(predicate::str::contains("at most 154")));
}

#[test]
fn bad_files_exit_2_and_name_every_problem() {
    let bad = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad/many");
    ranksense()
        .args(["validate", "--data", bad])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("problems found").and(predicate::str::contains("fix:")));
    ranksense()
        .args(["score", "--data", "/nonexistent/index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such folder").and(predicate::str::contains("fix:")));
    ranksense()
        .args(["validate", "--data", "asem"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "51 units, 49 indicators, 4 levels",
        ));
}

#[test]
fn uncertainty_writes_every_file_with_the_contract_columns() {
    let dir = tempfile::tempdir().unwrap();
    ranksense()
        .args([
            "uncertainty",
            "--data",
            "asem",
            "--samples",
            "2000",
            "--seed",
            "4",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("Verdict: Switzerland's 1st place"));
    let header = |name: &str| {
        String::from_utf8(read(dir.path(), name))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert!(header("rank_stats.csv").starts_with(
        "uCode,uName,nominal_rank,nominal_score,mean_rank,median_rank,q05_rank,q95_rank,best_rank,worst_rank,mean_abs_shift,p_nominal_rank,p_top_k"
    ));
    assert_eq!(
        header("rank_histogram.csv"),
        "uCode,rank,count,probability,se"
    );
    assert_eq!(header("pairwise.csv"), "uCode_a,uCode_b,p_a_above_b,se");
    assert!(header("central_weights.csv").starts_with("uCode,condition,samples,"));
    // Every number carries its Monte Carlo error (issue #13.2).
    assert!(header("rank_stats.csv").ends_with(
        "median_lo,median_hi,median_state,q05_lo,q05_hi,q05_state,q95_lo,q95_hi,q95_state,p_nominal_rank_lo,p_nominal_rank_hi,p_top_k_lo,p_top_k_hi"
    ));
    assert!(
        header("rank_bands.csv")
            .contains(",se_p_nominal_band,se_p_top_k,se_p_bottom_k,se_p_band_1,")
    );
    assert!(header("central_weights.csv").contains(",se_max_"));
    let summary: serde_json::Value =
        serde_json::from_slice(&read(dir.path(), "summary.json")).unwrap();
    assert_eq!(summary["uncertainty"]["samples"], 2000);
    assert_eq!(summary["uncertainty"]["seed"], 4);
    assert_eq!(summary["uncertainty"]["verdict"]["code"], "CHE");
    assert!(
        summary["scenario"]["text"]
            .as_str()
            .unwrap()
            .contains("[treatment]")
    );
    let report = String::from_utf8(read(dir.path(), "report.md")).unwrap();
    assert!(
        report.contains("## Verdict: Switzerland is") && report.contains("## Uncertainty table")
    );
    // Nothing half-written is left behind.
    assert!(
        fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp"))
    );
}

#[test]
fn shards_in_separate_processes_merge_into_the_single_run_byte_for_byte() {
    let whole = tempfile::tempdir().unwrap();
    ranksense()
        .args([
            "uncertainty",
            "--data",
            "asem",
            "--samples",
            "3001",
            "--seed",
            "8",
            "--threads",
            "1",
            "--out",
        ])
        .arg(whole.path())
        .assert()
        .success();
    let shards = tempfile::tempdir().unwrap();
    let mut states = Vec::new();
    for k in 1..=3 {
        let state = shards.path().join(format!("s{k}.json"));
        ranksense()
            .args([
                "uncertainty",
                "--data",
                "asem",
                "--samples",
                "3001",
                "--seed",
                "8",
                "--threads",
                "2",
                "--shard",
            ])
            .arg(format!("{k}/3"))
            .arg("--state")
            .arg(&state)
            .assert()
            .success();
        states.push(state);
    }
    let merged = tempfile::tempdir().unwrap();
    ranksense()
        .arg("merge")
        .args(&states)
        .args(["--data", "asem", "--out"])
        .arg(merged.path())
        .assert()
        .success();
    for name in [
        "rank_stats.csv",
        "rank_histogram.csv",
        "rank_bands.csv",
        "pairwise.csv",
        "central_weights.csv",
        "summary.json",
        "report.md",
    ] {
        assert_eq!(
            read(whole.path(), name),
            read(merged.path(), name),
            "{name}"
        );
    }
    // Merging shards of another run (different seed) is refused with exit code 2.
    let other = shards.path().join("other.json");
    ranksense()
        .args([
            "uncertainty",
            "--data",
            "asem",
            "--samples",
            "3001",
            "--seed",
            "9",
            "--shard",
            "3/3",
            "--state",
        ])
        .arg(&other)
        .assert()
        .success();
    ranksense()
        .arg("merge")
        .args(&states[..2])
        .arg(&other)
        .args(["--data", "asem"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("different run"));
}

#[test]
fn runs_file_records_every_run_and_its_factors() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs.csv");
    ranksense()
        .args([
            "uncertainty",
            "--data",
            "asem",
            "--samples",
            "500",
            "--runs-file",
        ])
        .arg(&runs)
        .assert()
        .success();
    let text = fs::read_to_string(&runs).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "run,Weights,Winmax,Normalisation,Aggregation,rank_CHE,mean_abs_rank_shift"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 500);
    assert!(rows[0].starts_with("1,"));
    assert!(
        rows.iter().any(|r| r.contains("zscore(10,2)"))
            && rows.iter().any(|r| r.contains("geometric"))
    );
}

#[test]
fn bad_scenarios_exit_2_with_line_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("bad.toml");
    fs::write(
        &scenario,
        "[[weights]]\nlevel = 2\nmode = \"uniform\"\nsprad = 0.2\n",
    )
    .unwrap();
    ranksense()
        .args(["uncertainty", "--data", "asem", "--scenario"])
        .arg(&scenario)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(":4").and(predicate::str::contains("spread")));
    ranksense()
        .args(["uncertainty", "--data", "asem", "--focus", "Atlantis"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Atlantis"));

    for args in [["--samples", "0"], ["--top-k", "0"], ["--top-k", "52"]] {
        ranksense()
            .args(["uncertainty", "--data", "asem"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("fix:"));
    }
}
