//! `ranksense bounds | stability | sweep | drop` through the binary: one plain sentence on the terminal, the contract CSV files with `--out`, user data with `--data DIR`, exit code 2 with a fix for bad input.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").expect("binary built")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn header(csv: &str) -> &str {
    csv.lines().next().unwrap_or("")
}

/// A small index folder: 4 indicators in 2 pillars, 6 units, focus U2.
fn small_index_dir(dir: &Path, missing: bool, imputation: &str) {
    fs::write(
        dir.join("meta.csv"),
        "Level,iCode,iName,Direction,Weight,Parent,Type\n\
         1,i0,Indicator 0,1,1,P0,Indicator\n1,i1,Indicator 1,1,2,P0,Indicator\n\
         1,i2,Indicator 2,1,1,P1,Indicator\n1,i3,Indicator 3,-1,1,P1,Indicator\n\
         2,P0,Pillar 0,1,1,Top,Aggregate\n2,P1,Pillar 1,1,1,Top,Aggregate\n\
         3,Top,Small index,1,1,,Aggregate\n",
    )
    .unwrap();
    let i2_of_u1 = if missing { "NA" } else { "40" };
    fs::write(
        dir.join("data.csv"),
        format!(
            "uCode,uName,i0,i1,i2,i3\nU0,Alpha,10,80,30,20\nU1,Beta,60,20,{i2_of_u1},70\nU2,Gamma,40,50,60,40\n\
             U3,Delta,90,10,20,90\nU4,Epsilon,30,70,80,10\nU5,Zeta,55,45,50,50\n"
        ),
    )
    .unwrap();
    fs::write(
        dir.join("index.toml"),
        format!(
            "name = \"Small test index\"\nfocus = \"U2\"\nlevel_names = [\"Indicator\", \"Pillar\", \"Index\"]\n\n[method]\nimputation = \"{imputation}\"\n"
        ),
    )
    .unwrap();
}

#[test]
fn bounds_prints_one_sentence_and_writes_bounds_csv() {
    let out = tempfile::tempdir().unwrap();
    ranksense()
        .args(["bounds", "--data", "asem", "--level", "2", "--spread", "0.5", "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "For any pillar weights within ±50% of nominal, Switzerland (CHE) ranks between 1st and 3rd (nominal 1st; exact; witnesses in",
        ));
    let csv = read(&out.path().join("bounds.csv"));
    assert!(
        header(&csv)
            .starts_with("uCode,nominal_rank,best_rank,worst_rank,exact,verified,best_w_Physical")
    );
    assert_eq!(
        csv.lines()
            .nth(1)
            .unwrap()
            .split(',')
            .take(6)
            .collect::<Vec<_>>(),
        ["CHE", "1", "1", "3", "true", "true"]
    );
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("summary.json"))).unwrap();
    assert_eq!(summary["command"], "bounds");
    assert_eq!(summary["bounds"][0]["units"][0]["worst_rank"], 3);
}

#[test]
fn bounds_for_every_unit_as_csv_and_json() {
    let assert = ranksense()
        .args(["bounds", "--data", "asem", "--all", "--format", "csv"])
        .assert()
        .success();
    let csv = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert_eq!(csv.lines().count(), 52, "header + 51 units");
    assert!(header(&csv).contains("worst_w_Sust"));
    let assert = ranksense()
        .args([
            "bounds", "--data", "asem", "--levels", "2,3", "--focus", "NLD", "--format", "json",
        ])
        .assert()
        .success();
    let summary: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let json = &summary["bounds"][0];
    assert_eq!(json["weight_set"]["Levels"], serde_json::json!([2, 3]));
    assert_eq!(json["units"][0]["code"], "NLD");
    assert_eq!(json["units"][0]["verified"], true);
}

#[test]
fn bounds_take_the_ranges_of_a_scenario_or_a_region_file() {
    ranksense()
        .args([
            "bounds",
            "--data",
            "asem",
            "--scenario",
            "asem-coinr",
            "--focus",
            "NLD",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "pillar and sub-index weights together in the ranges of scenario asem-coinr",
        ))
        .stdout(predicate::str::contains("held at the nominal method"));
    let dir = tempfile::tempdir().unwrap();
    let region = dir.path().join("region.csv");
    fs::write(&region, "code,lo,hi\nConn,0.5,2\nSust,1,1\n").unwrap();
    ranksense()
        .args(["bounds", "--data", "asem", "--focus", "NLD", "--region"])
        .arg(&region)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "For any sub-index weights in the ranges of",
        ));
    fs::write(&region, "code,lo,hi\nConn,2,1\n").unwrap();
    ranksense()
        .args(["bounds", "--data", "asem", "--region"])
        .arg(&region)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("0 ≤ lo ≤ hi"));
}

#[test]
fn bad_input_exits_with_code_2_and_a_fix() {
    ranksense()
        .args(["bounds", "--data", "asem", "--level", "4"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "fix: use a level from 1 (indicators) to 3 (Sub-index)",
        ));
    ranksense()
        .args(["bounds", "--data", "asem", "--focus", "ATLANTIS"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ATLANTIS"));
    ranksense()
        .args([
            "bounds",
            "--data",
            "asem",
            "--level",
            "2",
            "--aggregation",
            "harmonic",
            "--normalisation",
            "minmax(1,100)",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("neither linear nor log-linear"))
        // The library's fix speaks of the method; the command line adds its flag and command.
        .stderr(predicate::str::contains(
            "fix: aggregate every level with the arithmetic or geometric mean (a what-if), or \
             analyse this method by sampling (the uncertainty analysis) \
             (`--aggregation arithmetic|geometric`, or `ranksense uncertainty`)",
        ));
    ranksense()
        .args(["sweep", "--data", "asem", "--from", "0.7", "--to", "0.2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot sweep from 0.7 to 0.2; fix: sweep between normalised weights from and to \
             with 0 ≤ from < to ≤ 1 (`--from` and `--to`)",
        ));
    ranksense()
        .args(["sweep", "--data", "asem", "--simplex", "Index"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use one of: Political, Sust"));
    ranksense()
        .args(["sweep", "--data", "asem", "--weight", "Nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no node `Nope`"));
    ranksense()
        .args(["drop", "--data", "asem", "--level", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fix: use a level from 1"));
}

#[test]
fn user_data_work_and_missing_values_are_refused_with_the_imputation_fix() {
    let dir = tempfile::tempdir().unwrap();
    small_index_dir(dir.path(), false, "none");
    ranksense()
        .args(["bounds", "--level", "1", "--data"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "For any indicator weights within ±25% of nominal, Gamma (U2) ranks",
        ));
    ranksense()
        .args(["stability", "--data"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("Gamma (U2) keeps its"));
    let missing = tempfile::tempdir().unwrap();
    small_index_dir(missing.path(), true, "none");
    ranksense()
        .args(["bounds", "--level", "1", "--data"])
        .arg(missing.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("imputation = \"mean\""));
    let imputed = tempfile::tempdir().unwrap();
    small_index_dir(imputed.path(), true, "mean");
    ranksense()
        .args(["bounds", "--level", "1", "--data"])
        .arg(imputed.path())
        .assert()
        .success();
}

#[test]
fn stability_writes_the_contract_columns() {
    let out = tempfile::tempdir().unwrap();
    ranksense()
        .args(["stability", "--data", "asem", "--focus", "NLD", "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("Netherlands (NLD) keeps its 2nd place while any one weight stays within its interval; the most fragile is"))
        .stdout(predicate::str::contains("Smallest change of the pillar weights that moves NLD: up one place takes a change of"));
    let csv = read(&out.path().join("stability.csv"));
    assert!(header(&csv).starts_with(
        "weight,nominal,keep_rank_lo,keep_rank_hi,keep_topk_lo,keep_topk_hi,first_change"
    ));
    assert_eq!(
        csv.lines().count(),
        1 + 8 + 2,
        "8 pillars and 2 sub-indices"
    );
    assert!(csv.contains(" passes NLD at ") || csv.contains("NLD passes "));
    assert!(
        header(&read(&out.path().join("minimal_change.csv")))
            .starts_with("weights,direction,norm,distance")
    );
}

#[test]
fn sweep_writes_long_csv_and_a_trajectory_chart() {
    let out = tempfile::tempdir().unwrap();
    ranksense()
        .args([
            "sweep", "--data", "asem", "--weight", "Conn", "--from", "0.2", "--to", "0.8",
            "--steps", "13", "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "As the weight of Conn within Index goes from 0.2 to 0.8 (nominal 0.5",
        ));
    let csv = read(&out.path().join("sweep.csv"));
    assert_eq!(header(&csv), "weight_value,uCode,rank,score");
    assert_eq!(csv.lines().count(), 1 + 13 * 51);
    assert!(csv.lines().nth(1).unwrap().starts_with("0.2,AUT,"));
    let svg = read(&out.path().join("sweep.svg"));
    assert!(svg.starts_with("<svg") && svg.contains("series-focus"));
}

#[test]
fn simplex_writes_the_grid_and_a_ternary_map() {
    let out = tempfile::tempdir().unwrap();
    ranksense()
        .args(["sweep", "--data", "asem", "--simplex", "Sust", "--resolution", "12", "--focus", "NLD", "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("Over every weighting of Sust's three children (Environ, Social, SusEcFin; grid step 1/12), Netherlands (NLD) ranks between"));
    let csv = read(&out.path().join("simplex.csv"));
    assert_eq!(header(&csv), "w_Environ,w_Social,w_SusEcFin,rank");
    assert_eq!(csv.lines().count(), 1 + 13 * 14 / 2);
    let svg = read(&out.path().join("simplex.svg"));
    assert!(svg.starts_with("<svg") && svg.contains("class=\"nominal\""));
}

#[test]
fn drop_reproduces_coinr_and_writes_both_files() {
    let out = tempfile::tempdir().unwrap();
    ranksense()
        .args(["drop", "--data", "asem", "--level", "2,3", "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Dropping Connectivity (Conn) changes ranks most (5.25 places on average)",
        ));
    let csv = read(&out.path().join("drop.csv"));
    assert_eq!(header(&csv), "removed,mean_abs_rank_change,level");
    assert!(csv.contains("\nNominal,0,\n") && csv.contains("\nPhysical,1.5294117647058822,2\n"));
    let ranks = read(&out.path().join("drop_ranks.csv"));
    assert_eq!(header(&ranks), "removed,uCode,nominal_rank,rank,change");
    assert_eq!(ranks.lines().count(), 1 + 10 * 51);
    assert!(ranks.contains("\nSust,CHE,1,3,-2\n"));
}
