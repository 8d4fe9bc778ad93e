//! A user's own index in one command: without `--scenario`, `robust`, `uncertainty` and
//! `sensitivity` derive a first uncertainty analysis from the index, write it as
//! `scenario.toml`, and a rerun with that file gives the same results; `init` writes it (and an
//! index.toml) into the index folder; command-line options replace the scenario's values and
//! the report says where each came from.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").unwrap()
}

fn synth(dir: &Path, units: u32, indicators: u32, levels: u32) {
    ranksense()
        .args(["synth", "--units", &units.to_string()])
        .args(["--indicators", &indicators.to_string()])
        .args(["--levels", &levels.to_string(), "--out"])
        .arg(dir)
        .assert()
        .success();
}

/// A quick robust run (small designs) into `out`.
fn robust(data: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    ranksense()
        .args(["robust", "--data"])
        .arg(data)
        .args([
            "--samples",
            "200",
            "--base-samples",
            "32",
            "--bootstrap",
            "20",
        ])
        .args(["--threads", "2", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// Checks the report of a run without a scenario, reruns it with the written scenario.toml,
/// and checks that every result file is byte-identical.
fn derive_and_rerun(data: &Path, work: &Path, units: usize, extra: &[&str]) -> Value {
    let first = work.join("first");
    let second = work.join("second");
    robust(data, &first, extra).success();
    let summary = json(&first.join("summary.json"));
    // A complete report: every unit ranked, the verdict, the derived scenario recorded.
    let stats = fs::read_to_string(first.join("rank_stats.csv")).unwrap();
    assert_eq!(stats.lines().count(), units + 1);
    assert!(summary["verdict_text"]["sentence"].as_str().unwrap().len() > 20);
    let derived = &summary["derived_scenario"];
    assert_eq!(derived["file"], "scenario.toml");
    assert!(!derived["chosen"].as_array().unwrap().is_empty());
    let report = fs::read_to_string(first.join("report.md")).unwrap();
    assert!(report.contains("## Scenario derived from the index"));
    assert!(report.contains("- Settings: samples 200 (command line), seed 1 (default)"));
    for name in [
        "report.html",
        "sobol.csv",
        "bounds.csv",
        "rank_intervals.svg",
    ] {
        assert!(first.join(name).is_file(), "{name}");
    }
    // The written file is the scenario the run used (same hash), and a rerun with it
    // reproduces every result byte for byte.
    let scenario = first.join("scenario.toml");
    let text = fs::read_to_string(&scenario).unwrap();
    assert_eq!(summary["scenario"]["text"].as_str().unwrap(), text);
    let mut rerun: Vec<&str> = extra.to_vec();
    let path = scenario.to_str().unwrap().to_string();
    rerun.extend(["--scenario", &path]);
    robust(data, &second, &rerun).success();
    assert!(!second.join("scenario.toml").exists());
    let mut compared = 0;
    for entry in fs::read_dir(&first).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if ["summary.json", "report.md", "report.html", "scenario.toml"].contains(&name.as_str())
            || name.starts_with('.')
        {
            continue;
        }
        assert_eq!(
            fs::read(first.join(&name)).unwrap(),
            fs::read(second.join(&name)).unwrap(),
            "{name}"
        );
        compared += 1;
    }
    assert!(compared >= 15, "{compared} files compared");
    // summary.json differs only in where the scenario was read from (its label, which the
    // verdict quotes) and in the record of the derivation.
    let first_text = fs::read_to_string(first.join("summary.json")).unwrap();
    let second_text = fs::read_to_string(second.join("summary.json"))
        .unwrap()
        .replace(&path, "scenario.toml (derived from the index)");
    let mut a: Value = serde_json::from_str(&first_text).unwrap();
    let b: Value = serde_json::from_str(&second_text).unwrap();
    a.as_object_mut().unwrap().remove("derived_scenario");
    assert!(a == b, "summary.json differs beyond the scenario's label");
    summary
}

#[test]
fn synthetic_indices_of_several_sizes_run_without_a_scenario_and_rerun_identically() {
    for (units, indicators, levels) in [(10, 5, 3), (40, 9, 4), (300, 12, 3)] {
        let work = tempfile::tempdir().unwrap();
        let data = work.path().join("index");
        synth(&data, units, indicators, levels);
        let summary = derive_and_rerun(&data, work.path(), units as usize, &[]);
        let settings = &summary["settings"];
        assert_eq!(settings["samples"]["origin"], "command line");
        assert_eq!(settings["seed"]["origin"], "default");
        assert_eq!(settings["focus"]["origin"], "index.toml");
        // The default top k: a quarter of the units, from 1 to 10.
        assert_eq!(settings["top_k"]["value"], (units / 4).clamp(1, 10));
        // One weight factor per level below the top, the normalisation, the aggregation and
        // the indicator set.
        let factors: Vec<&str> = summary["scenario"]["factors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(factors.len(), levels as usize - 1 + 3, "{factors:?}");
        // synth's nominal minmax(0,100) gives zeros: the sample uses minmax(1,100) in its
        // place so that the geometric mean can run, and says so.
        let text = summary["scenario"]["text"].as_str().unwrap();
        assert!(text.contains("alternatives = [\"arithmetic\", \"geometric\"]"));
        assert!(text.contains("alternatives = [\"minmax(1,100)\", \"zscore(10,2)\", \"rank\"]"));
        let left_out = summary["derived_scenario"]["left_out"].as_array().unwrap();
        assert!(
            left_out
                .iter()
                .any(|l| l["choice"] == "`minmax(0,100)` normalisation in the sample"),
            "{left_out:?}"
        );
    }
}

/// A hand-written index: missing values, a group column, a lower-is-better indicator, a
/// pillar with a single indicator, and no index.toml.
fn hand_written(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("meta.csv"),
        "Level,iCode,iName,Direction,Weight,Parent,Type\n\
         1,Jobs,Employment rate,1,1,Econ,Indicator\n\
         1,Wage,Median wage,1,1,Econ,Indicator\n\
         1,Debt,Household debt,-1,1,Econ,Indicator\n\
         1,Air,Clean air days,1,2,Env,Indicator\n\
         1,Green,Green space,1,1,Env,Indicator\n\
         1,Crime,Crime rate,-1,1,Safe,Indicator\n\
         2,Econ,Economy,1,2,Wellbeing,Aggregate\n\
         2,Env,Environment,1,1,Wellbeing,Aggregate\n\
         2,Safe,Safety,1,1,Wellbeing,Aggregate\n\
         3,Wellbeing,Wellbeing index,1,1,,Aggregate\n\
         ,Region,Region,,,,Group\n",
    )
    .unwrap();
    let mut data = String::from("uCode,uName,Region,Jobs,Wage,Debt,Air,Green,Crime\n");
    let regions = ["North", "South", "East"];
    for u in 0..12 {
        let x = u as f64;
        let cell = |value: f64, missing: bool| {
            if missing {
                "NA".to_string()
            } else {
                format!("{value:.1}")
            }
        };
        data.push_str(&format!(
            "R{u:02},Town {u},{},{},{},{},{},{},{}\n",
            regions[u % 3],
            cell(55.0 + (x * 7.3) % 20.0, u == 3),
            cell(1800.0 + (x * 131.0) % 900.0, false),
            cell(20.0 + (x * 17.0) % 45.0, u == 7),
            cell(200.0 + (x * 41.0) % 150.0, false),
            cell(5.0 + (x * 3.7) % 30.0, u == 5),
            cell(2.0 + (x * 5.9) % 12.0, false),
        ));
    }
    fs::write(dir.join("data.csv"), data).unwrap();
}

#[test]
fn a_hand_written_index_with_gaps_groups_and_lower_is_better_runs_in_one_command() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("towns");
    hand_written(&data);
    // Without a focus, robust says how to give one (exit 2) rather than guessing.
    let output = robust(&data, &work.path().join("nofocus"), &[])
        .code(2)
        .get_output()
        .stderr
        .clone();
    let message = String::from_utf8_lossy(&output);
    assert!(message.contains("--focus"), "{message}");
    // Located like any input problem: the scenario's `focus` field.
    assert!(message.contains("field `focus`"), "{message}");
    let summary = derive_and_rerun(&data, work.path(), 12, &["--focus", "R04"]);
    assert_eq!(summary["settings"]["focus"]["origin"], "command line");
    assert_eq!(summary["settings"]["focus"]["value"], "R04");
    // Crime is Safety's only indicator: leave-one-indicator-out lists the others and says why.
    let text = summary["scenario"]["text"].as_str().unwrap();
    assert!(
        text.contains("indicators = [\"Jobs\", \"Wage\", \"Debt\", \"Air\", \"Green\"]"),
        "{text}"
    );
    let left_out = summary["derived_scenario"]["left_out"].as_array().unwrap();
    assert!(left_out.iter().any(|l| l["choice"]
        == "indicator `Crime` from leave-one-indicator-out"
        && l["reason"].as_str().unwrap().contains("`Safe`")));
    // The vocabulary uses this index's codes, not the IECI's.
    assert!(text.contains("# parent = \"Econ\""));
    assert!(text.contains("group_median(Region)"));
    assert!(!text.contains("BEJ") && !text.contains("ATT"));
}

#[test]
fn a_nominal_method_without_positive_stand_in_keeps_the_arithmetic_mean_and_says_why() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("towns");
    hand_written(&data);
    fs::write(
        data.join("index.toml"),
        "focus = \"R02\"\n[method]\nnormalisation = \"percentile\"\n",
    )
    .unwrap();
    let out = work.path().join("out");
    ranksense()
        .args(["uncertainty", "--samples", "100", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let summary = json(&out.join("summary.json"));
    let full = summary["scenario"]["text"].as_str().unwrap();
    // The active part, before the commented vocabulary.
    let text = full.split("# -----").next().unwrap();
    // percentile gives 0 to the lowest unit and no positive method gives its ranks, so the
    // geometric mean is left out and percentile stays among the alternatives.
    assert!(!text.contains("\"geometric\"]"), "{text}");
    assert!(text.contains("alternatives = [\"percentile\", \"minmax(1,100)\""));
    let left_out = summary["derived_scenario"]["left_out"].as_array().unwrap();
    let geometric = left_out
        .iter()
        .find(|l| l["choice"] == "geometric aggregation")
        .expect("geometric is left out");
    assert!(geometric["reason"].as_str().unwrap().contains("percentile"));
    assert_eq!(summary["settings"]["focus"]["origin"], "index.toml");
    assert!(out.join("scenario.toml").is_file());
}

#[test]
fn init_writes_the_scenario_and_an_index_toml_and_refuses_to_overwrite() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("towns");
    hand_written(&data);
    ranksense()
        .arg("init")
        .arg("--data")
        .arg(&data)
        .assert()
        .success();
    let scenario = fs::read_to_string(data.join("scenario.toml")).unwrap();
    let index_toml = fs::read_to_string(data.join("index.toml")).unwrap();
    // Every section of the format is there, with this index's codes.
    for header in [
        "[[weights]]",
        "[normalisation]",
        "[[aggregation]]",
        "[imputation]",
        "[treatment]",
        "[exclusion]",
    ] {
        assert!(scenario.contains(header), "{header}");
    }
    assert!(scenario.contains("# focus = \"R00\""));
    assert!(index_toml.contains("normalisation = \"minmax(0,100)\""));
    assert!(index_toml.contains("group_mean(Region)"));
    // A second init refuses (exit 2) and leaves the file as it was; --force replaces it.
    fs::write(data.join("scenario.toml"), "# mine\n").unwrap();
    let output = ranksense()
        .arg("init")
        .arg("--data")
        .arg(&data)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let message = String::from_utf8_lossy(&output);
    assert!(
        message.contains("already exists") && message.contains("--force"),
        "{message}"
    );
    assert_eq!(
        fs::read_to_string(data.join("scenario.toml")).unwrap(),
        "# mine\n"
    );
    fs::write(
        data.join("index.toml"),
        index_toml.replace("# focus", "focus"),
    )
    .unwrap();
    ranksense()
        .arg("init")
        .arg("--data")
        .arg(&data)
        .arg("--force")
        .assert()
        .success();
    // index.toml is the user's once it exists: never rewritten.
    let kept = fs::read_to_string(data.join("index.toml")).unwrap();
    assert!(kept.contains("\nfocus = \"R00\""));
    // The index with its new index.toml and the written scenario run.
    let out = work.path().join("out");
    robust(
        &data,
        &out,
        &["--scenario", data.join("scenario.toml").to_str().unwrap()],
    )
    .success();
    let summary = json(&out.join("summary.json"));
    assert_eq!(summary["settings"]["focus"]["origin"], "index.toml");
    assert_eq!(summary["nominal_method"]["normalisation"], "minmax(0,100)");
}

#[test]
fn command_line_options_replace_the_scenarios_values() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("index");
    synth(&data, 12, 5, 3);
    let scenario = work.path().join("other.toml");
    fs::write(
        &scenario,
        "samples = 60\nseed = 3\nfocus = \"BEJ\"\ntop_k = 50\n\n[[weights]]\nlevel = 2\nmode = \"uniform\"\nspread = 0.25\n",
    )
    .unwrap();
    let run = |out: &Path, extra: &[&str]| {
        let mut command = ranksense();
        command
            .args(["uncertainty", "--data"])
            .arg(&data)
            .arg("--scenario")
            .arg(&scenario)
            .arg("--out")
            .arg(out)
            .args(extra);
        command.assert()
    };
    // The scenario's own focus and top-k do not fit these data.
    let output = run(&work.path().join("a"), &[])
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&output).contains("BEJ"));
    // Given on the command line, they replace the scenario's.
    let out = work.path().join("b");
    run(&out, &["--focus", "U00003", "--top-k", "5", "--seed", "3"]).success();
    let summary = json(&out.join("summary.json"));
    let settings = &summary["settings"];
    assert_eq!(settings["focus"]["value"], "U00003");
    assert_eq!(settings["focus"]["origin"], "command line");
    assert_eq!(settings["top_k"]["value"], 5);
    assert_eq!(settings["top_k"]["origin"], "command line");
    assert_eq!(settings["samples"]["value"], 60);
    assert_eq!(settings["samples"]["origin"], "scenario");
    // A flag that repeats the scenario's value changed nothing: reported as the scenario's.
    assert_eq!(settings["seed"]["origin"], "scenario");
    assert_eq!(summary["uncertainty"]["samples"], 60);
    assert_eq!(summary["uncertainty"]["top_k"], 5);
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains(
        "- Settings: samples 60 (scenario), seed 3 (scenario), focus `U00003` (command line), top-k 5 (command line)"
    ));
}

#[test]
fn embedded_asem_keeps_its_shipped_scenario_and_its_folder_gets_a_derived_one() {
    let work = tempfile::tempdir().unwrap();
    let embedded = work.path().join("embedded");
    ranksense()
        .args(["uncertainty", "--data", "asem", "--samples", "50", "--out"])
        .arg(&embedded)
        .assert()
        .success();
    let summary = json(&embedded.join("summary.json"));
    assert_eq!(summary["scenario"]["file"], "scenarios/asem.toml");
    assert!(summary.get("derived_scenario").is_none());
    assert!(!embedded.join("scenario.toml").exists());
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let derived = work.path().join("folder");
    ranksense()
        .args([
            "sensitivity",
            "--base-samples",
            "16",
            "--bootstrap",
            "0",
            "--data",
        ])
        .arg(&folder)
        .arg("--out")
        .arg(&derived)
        .assert()
        .success();
    let summary = json(&derived.join("summary.json"));
    assert_eq!(summary["derived_scenario"]["file"], "scenario.toml");
    assert!(derived.join("scenario.toml").is_file());
    assert!(summary["settings"].get("samples").is_none());
}
