//! The main job: `ranksense robust` on the embedded IECI 2022 reconstruction writes a complete
//! report whose verdict numbers are the ones in summary.json, with well-formed charts.

mod common;

use std::fs;

use assert_cmd::Command;
use ranksense::analysis::robust::{RobustOptions, RobustRun, run_robust};
use ranksense::analysis::uncertainty::UncertaintyOptions;
use ranksense::engine::Silent;
use ranksense::model::{Index, embedded};
use ranksense::report::robust::{robust_files, robust_summary};
use ranksense::scenario::Scenario;
use ranksense::scenario::embedded as scenarios;
use serde_json::Value;

use common::xml::check_well_formed;

fn ieci_run(threads: usize) -> (Index, String, RobustRun) {
    let index = embedded::load("ieci2022").unwrap();
    let (file, text) = scenarios::find("ieci-full").unwrap();
    let scenario = Scenario::from_toml_str(text, file).unwrap();
    let options = RobustOptions {
        uncertainty: UncertaintyOptions {
            samples: 4_000,
            seed: 20230208,
            threads,
            top_k: Some(10),
            ..UncertaintyOptions::default()
        },
        base_samples: 256,
        bootstrap_resamples: 200,
        simplex_resolution: 24,
        ..RobustOptions::default()
    };
    let run = run_robust(&index, &scenario, text, &options, &Silent).unwrap();
    (index, text.to_string(), run)
}

fn summary_json(
    index: &Index,
    text: &str,
    run: &RobustRun,
) -> (Value, ranksense::report::output::Files) {
    let summary = robust_summary(index, "scenarios/ieci-full.toml", text, run, 20230208);
    let files = robust_files(index, &summary, run);
    let json: Value = serde_json::from_slice(files.get("summary.json").unwrap()).unwrap();
    (json, files)
}

#[test]
fn report_folder_is_complete_and_every_chart_is_well_formed() {
    let (index, text, run) = ieci_run(0);
    let (_, files) = summary_json(&index, &text, &run);
    let names: Vec<&str> = files.files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "report.md",
        "report.html",
        "summary.json",
        "rank_stats.csv",
        "rank_histogram.csv",
        "rank_bands.csv",
        "pairwise.csv",
        "central_weights.csv",
        "sobol.csv",
        "bounds.csv",
        "stability.csv",
        "minimal_change.csv",
        "simplex.csv",
        "sweep.csv",
        "rank_intervals.svg",
        "rank_acceptability.svg",
        "rank_histogram.svg",
        "sobol_rank_BEJ.svg",
        "sobol_rs.svg",
        "simplex.svg",
        "sweep.svg",
        "coherence.csv",
        "importance.csv",
        "pca.csv",
        "coherence-heatmap.svg",
        "importance-level1.svg",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let svgs: Vec<(&str, String)> = files
        .files
        .iter()
        .filter(|(n, _)| n.ends_with(".svg"))
        .map(|(n, b)| (n.as_str(), String::from_utf8(b.clone()).unwrap()))
        .collect();
    for (name, svg) in &svgs {
        assert_eq!(
            check_well_formed(svg).unwrap_or_else(|e| panic!("{name}: {e}")),
            "svg",
            "{name}"
        );
        assert!(
            svg.len() > 2_000 && svg.contains("<title>"),
            "{name} looks empty"
        );
    }
    // 37 median dots in the interval chart; Beijing highlighted.
    let intervals = &svgs
        .iter()
        .find(|(n, _)| *n == "rank_intervals.svg")
        .unwrap()
        .1;
    assert_eq!(intervals.matches("class=\"median").count(), 37);
    assert!(intervals.contains("Beijing"));

    let html = String::from_utf8(files.get("report.html").unwrap().to_vec()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        html.matches("<svg").count(),
        svgs.len(),
        "every chart is inline"
    );
    // Inline only: the explorer's data and its script, nothing loaded from elsewhere.
    assert_eq!(html.matches("<script").count(), 2);
    assert!(html.contains("<script type=\"application/json\" id=\"ex-data\">"));
    assert!(!html.contains("<link") && !html.contains(" src=") && !html.contains("fetch("));
    for section in [
        "Reconstructed data",
        "Weight explorer",
        "Data and method",
        "Uncertainty table",
        "Sensitivity (Sobol indices)",
        "Exact rank bounds",
        "Weight stability",
        "Statistical coherence",
        "Importance against weight",
        "Charts",
    ] {
        assert!(html.contains(section), "HTML lacks {section}");
    }
    let markdown = String::from_utf8(files.get("report.md").unwrap().to_vec()).unwrap();
    for section in [
        "## Verdict:",
        "## Uncertainty table",
        "## Sensitivity (Sobol indices)",
        "## Exact rank bounds",
        "## Weight stability",
        "![simplex.svg](simplex.svg)",
        "## Statistical coherence",
        "### Importance against weight",
        "](coherence-heatmap.svg)",
        "](importance-level1.svg)",
        "Reconstructed data",
    ] {
        assert!(markdown.contains(section), "Markdown lacks {section}");
    }
}

/// The report folder holds each analysis's own tables, byte for byte and in its order: the
/// folder's list is composed from the analyses' lists, never re-listed by hand.
#[test]
fn report_folder_holds_every_analysis_table_as_its_command_writes_it() {
    use ranksense::report::coherence::coherence_tables;
    use ranksense::report::exact::{bounds_tables, simplex_tables, stability_tables, sweep_tables};
    use ranksense::report::sensitivity::sensitivity_tables;
    use ranksense::report::uncertainty::uncertainty_tables;
    let (index, text, run) = ieci_run(0);
    let (_, files) = summary_json(&index, &text, &run);
    let names: Vec<&str> = files.files.iter().map(|(n, _)| n.as_str()).collect();
    let parts = [
        uncertainty_tables(&run.uncertainty),
        sensitivity_tables(&run.sensitivity),
        bounds_tables(run.bounds.last().unwrap()),
        stability_tables(run.stability.as_ref().unwrap()),
        simplex_tables(run.simplex.as_ref().unwrap()),
        sweep_tables(run.sweep.as_ref().unwrap()),
        coherence_tables(
            run.coherence.as_ref().unwrap(),
            &run.uncertainty.setup.prepared.framework,
        ),
    ];
    let mut last = 0;
    for part in &parts {
        assert!(!part.files.is_empty());
        for (name, bytes) in &part.files {
            let at = names.iter().position(|n| n == name);
            let at = at.unwrap_or_else(|| panic!("{name} missing from {names:?}"));
            assert!(at > last, "{name} out of order in {names:?}");
            last = at;
            assert_eq!(files.get(name), Some(bytes.as_slice()), "{name}");
        }
    }
}

#[test]
fn verdict_numbers_equal_those_in_summary_json() {
    let (index, text, run) = ieci_run(0);
    let (json, files) = summary_json(&index, &text, &run);
    let verdict = &json["verdict"];
    let stats = json["uncertainty"]["statistics"]["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "BEJ")
        .unwrap();
    assert_eq!(
        stats["nominal_rank"], 7,
        "the reconstruction puts Beijing 7th"
    );
    for field in [
        "median_rank",
        "q05_rank",
        "q95_rank",
        "p_nominal_rank",
        "p_top_k",
        "se_p_nominal_rank",
        "best_rank",
        "worst_rank",
    ] {
        assert_eq!(verdict["focus"][field], stats[field], "{field}");
    }
    // The rating follows its written rule from the interval.
    let (q05, q95) = (
        stats["q05_rank"].as_f64().unwrap(),
        stats["q95_rank"].as_f64().unwrap(),
    );
    let reach = (7.0 - q05).max(q95 - 7.0);
    let expected = if reach <= 1.0 {
        "robust"
    } else if reach <= 3.0 {
        "moderately_robust"
    } else {
        "fragile"
    };
    assert_eq!(verdict["rating"], expected);
    // The certain range is the exact bound over all varied levels together.
    let bounds = json["bounds"].as_array().unwrap().last().unwrap();
    let bej = bounds["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "BEJ")
        .unwrap();
    assert_eq!(verdict["certain"]["best_rank"], bej["best_rank"]);
    assert_eq!(verdict["certain"]["worst_rank"], bej["worst_rank"]);
    assert_eq!(bej["verified"], true);
    // The driver is the factor with the largest total index for Beijing's rank.
    let target = json["sensitivity"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == "rank:BEJ")
        .unwrap();
    let largest = target["sobol"]["indices"]
        .as_array()
        .unwrap()
        .iter()
        .max_by(|a, b| {
            a["total"]["value"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["total"]["value"].as_f64().unwrap())
        })
        .unwrap();
    assert_eq!(verdict["driver"]["factor"], largest["factor"]);
    // The most fragile weight is the narrowest stability interval.
    assert_eq!(verdict["most_fragile"], json["stability"]["most_fragile"]);
    // The printed points quote those numbers.
    let text = &json["verdict_text"];
    let points = text["points"].as_array().unwrap();
    let median = ranksense::report::format::fmt_rank(stats["median_rank"].as_f64().unwrap());
    let first = points[0].as_str().unwrap();
    assert!(
        first.starts_with("Median rank ") && first.contains(&median),
        "{first}"
    );
    assert!(
        points
            .iter()
            .any(|p| p.as_str().unwrap().contains("reconstruction"))
    );
    // The Markdown verdict is the JSON's.
    let markdown = String::from_utf8(files.get("report.md").unwrap().to_vec()).unwrap();
    assert!(markdown.contains(text["sentence"].as_str().unwrap()));
    // The Monte Carlo never leaves the exact range when only the bounded weights move is
    // checked in tests/exact_commands.rs; here the full scenario also varies methods, so the
    // sampled range may exceed the certain one but must contain the nominal rank.
    assert!(
        stats["best_rank"].as_u64().unwrap() <= 7 && stats["worst_rank"].as_u64().unwrap() >= 7
    );
}

#[test]
fn report_bytes_do_not_depend_on_thread_count() {
    let (index, text, one) = ieci_run(1);
    let (_, files_one) = summary_json(&index, &text, &one);
    let (_, _, two) = ieci_run(2);
    let (_, files_two) = summary_json(&index, &text, &two);
    assert_eq!(files_one, files_two);
}

#[test]
fn the_readme_command_prints_the_verdict_and_writes_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let output = Command::cargo_bin("ranksense")
        .unwrap()
        .args([
            "robust",
            "--samples",
            "3000",
            "--base-samples",
            "256",
            "--bootstrap",
            "100",
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
    assert!(
        stdout.contains("VERDICT: Beijing's 7th place is"),
        "{stdout}"
    );
    assert!(stdout.contains("reconstruction"));
    assert!(out.join("report.html").exists() && out.join("summary.json").exists());
    // Nothing half-written.
    assert!(
        fs::read_dir(&out).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp"))
    );
}

/// The README's example output is the default run's output (`cargo run --release -- robust`),
/// so it cannot go stale: each paragraph and bullet of the README's block, whitespace folded and
/// cut at its "..." elision, appears in what the command prints.
#[test]
fn the_readme_example_is_what_the_default_run_prints() {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme
        .find("## What `robust` says")
        .expect("the example section")..];
    let block = section
        .split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a text block");
    let dir = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("ranksense")
        .unwrap()
        .args(["robust", "--out"])
        .arg(dir.path().join("report"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let fold = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let printed = fold(&String::from_utf8(output.stdout).unwrap());
    let mut checked = 0;
    for paragraph in block.split("\n\n").flat_map(|p| p.split("  • ")) {
        let shown = fold(paragraph);
        let shown = shown
            .split("...")
            .next()
            .unwrap()
            .trim_end_matches([',', ' ']);
        if shown.is_empty() {
            continue;
        }
        assert!(
            printed.contains(shown),
            "README shows `{shown}`, the default run prints:\n{printed}"
        );
        checked += 1;
    }
    assert!(
        checked >= 8,
        "only {checked} pieces of the README example checked"
    );
}

/// The coherence section of the default `robust` report is the `coherence` command's audit:
/// the same seed gives the same coherence.csv, importance.csv and pca.csv byte for byte, and
/// summary.json carries the `coherence` key with its findings and every node's importance.
#[test]
fn coherence_section_equals_the_coherence_command() {
    let dir = tempfile::tempdir().unwrap();
    let (robust_out, coherence_out) = (dir.path().join("robust"), dir.path().join("coherence"));
    let run = |args: &[&str], out: &std::path::Path| {
        let output = Command::cargo_bin("ranksense")
            .unwrap()
            .args(args)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    run(
        &[
            "robust",
            "--samples",
            "1000",
            "--base-samples",
            "64",
            "--bootstrap",
            "50",
            "--seed",
            "77",
        ],
        &robust_out,
    );
    let csv = run(
        &["coherence", "--seed", "77", "--format", "csv"],
        &coherence_out,
    );
    assert_eq!(
        fs::read_to_string(robust_out.join("coherence.csv")).unwrap(),
        csv
    );
    for file in [
        "coherence.csv",
        "importance.csv",
        "pca.csv",
        "coherence-heatmap.svg",
        "importance-level1.svg",
    ] {
        assert_eq!(
            fs::read(robust_out.join(file)).unwrap(),
            fs::read(coherence_out.join(file)).unwrap(),
            "{file}"
        );
    }
    let robust: Value =
        serde_json::from_slice(&fs::read(robust_out.join("summary.json")).unwrap()).unwrap();
    let alone: Value =
        serde_json::from_slice(&fs::read(coherence_out.join("summary.json")).unwrap()).unwrap();
    assert!(
        robust["coherence"]["findings"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );
    assert_eq!(robust["coherence"], alone["coherence"]);
    let index = embedded::load("ieci2022").unwrap();
    assert_eq!(
        robust["coherence"]["importance"].as_array().unwrap().len(),
        index.framework.n_nodes() - 1
    );
    let markdown = fs::read_to_string(robust_out.join("report.md")).unwrap();
    let first = robust["coherence"]["findings"][0].as_str().unwrap();
    assert!(markdown.contains(&format!("- {first}")), "{first}");
}
