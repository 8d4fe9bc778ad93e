//! Large indices (issue #15): outputs sized for the size (a compact summary.json and
//! rank_histogram.csv above 1,000 units, every unit still in the other CSV tables), the memory
//! estimate noted before a large run, and wide rank windows kept sparse, merged exactly for any
//! thread count and shard split.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").unwrap()
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A synthetic index of `units` units and 6 indicators in 2 domains.
fn synthetic(dir: &Path, units: usize) {
    ranksense()
        .args(["synth", "--indicators", "6", "--groups", "2", "--seed", "4"])
        .args(["--units", &units.to_string(), "--out"])
        .arg(dir)
        .assert()
        .success();
}

/// The derived scenario (rank normalisation among its choices, and leave-one-out) spreads a
/// middle unit's ranks over hundreds of ranks: with few samples its window stays sparse.
fn uncertainty(data: &Path, samples: u64, threads: usize) -> Command {
    let mut command = ranksense();
    command
        .args(["uncertainty", "--data"])
        .arg(data)
        .args(["--samples", &samples.to_string(), "--seed", "5"])
        .args(["--threads", &threads.to_string(), "--quiet"]);
    command
}

#[test]
fn a_large_index_gets_a_compact_summary_and_histogram_and_a_memory_note() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    synthetic(&data, 1_200);
    let out = root.path().join("report");
    let samples = 40;
    let output = uncertainty(&data, samples, 2)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("note: the counts of this run take up to")
            && stderr.contains("--bin-width")
            && stderr.contains("--pairs focus"),
        "{stderr}"
    );

    // rank_histogram.csv: the compact columns, the listed units' counts (as in summary.json)
    // each adding up to the samples.
    let summary: serde_json::Value = serde_json::from_slice(&read(&out, "summary.json")).unwrap();
    let listed_codes: std::collections::HashSet<&str> =
        summary["uncertainty"]["statistics"]["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["code"].as_str().unwrap())
            .collect();
    let histogram = String::from_utf8(read(&out, "rank_histogram.csv")).unwrap();
    let mut lines = histogram.lines();
    assert_eq!(lines.next(), Some("uCode,rank,count"));
    let mut totals: HashMap<&str, u64> = HashMap::new();
    let mut widest = 0usize;
    let mut rows: HashMap<&str, usize> = HashMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        *totals.entry(cells[0]).or_default() += cells[2].parse::<u64>().unwrap();
        *rows.entry(cells[0]).or_default() += 1;
    }
    assert_eq!(
        totals
            .keys()
            .copied()
            .collect::<std::collections::HashSet<_>>(),
        listed_codes
    );
    assert!(totals.values().all(|&t| t == samples));
    widest = widest.max(*rows.values().max().unwrap());
    // Some unit took a different rank in almost every sample: a wide, sparse window.
    assert!(widest > samples as usize / 2, "{widest}");

    // rank_stats.csv keeps every unit; summary.json lists a few and summarises the rest.
    let stats = String::from_utf8(read(&out, "rank_stats.csv")).unwrap();
    assert_eq!(stats.lines().count(), 1 + 1_200);
    let summary: serde_json::Value = serde_json::from_slice(&read(&out, "summary.json")).unwrap();
    let uncertainty = &summary["uncertainty"];
    let listed = uncertainty["statistics"]["units"].as_array().unwrap();
    let top_k = uncertainty["top_k"].as_u64().unwrap();
    let focus = uncertainty["focus"].as_str().unwrap();
    let focus_rank = listed
        .iter()
        .find(|u| u["code"] == focus)
        .expect("the focus is listed")["nominal_rank"]
        .as_u64()
        .unwrap();
    // The top k and the focus's 10 neighbours either side, nothing else.
    for unit in listed {
        let rank = unit["nominal_rank"].as_u64().unwrap();
        assert!(rank <= top_k || rank.abs_diff(focus_rank) <= 10, "{rank}");
    }
    assert_eq!(listed.len() as u64, top_k + 21);
    let overview = &uncertainty["all_units"];
    assert_eq!(overview["units"], 1_200);
    assert_eq!(overview["listed"], listed.len());
    let width = &overview["interval_width"];
    assert!(width["min"].as_f64().unwrap() <= width["median"].as_f64().unwrap());
    assert!(width["median"].as_f64().unwrap() <= width["max"].as_f64().unwrap());
    // Pair probabilities: the focus against the listed units only; pairwise.csv has them all.
    let pairs = uncertainty["statistics"]["pairs"].as_array().unwrap();
    assert_eq!(
        pairs.len() as u64,
        overview["pairs"].as_u64().unwrap().min(pairs.len() as u64)
    );
    assert!(pairs.len() < listed.len() * 2);
    let pairwise = String::from_utf8(read(&out, "pairwise.csv")).unwrap();
    assert_eq!(
        pairwise.lines().count() - 1,
        overview["pairs"].as_u64().unwrap() as usize
    );
    // Small: a few kilobytes per listed unit, not hundreds per unit of the index.
    assert!(read(&out, "summary.json").len() < 200_000);
}

#[test]
fn a_small_index_keeps_every_unit_in_summary_json_and_notes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("report");
    let output = uncertainty(Path::new("asem"), 200, 2)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        !String::from_utf8(output.stderr)
            .unwrap()
            .contains("counts of this run")
    );
    let summary: serde_json::Value = serde_json::from_slice(&read(&out, "summary.json")).unwrap();
    assert_eq!(
        summary["uncertainty"]["statistics"]["units"]
            .as_array()
            .unwrap()
            .len(),
        51
    );
    assert!(summary["uncertainty"].get("all_units").is_none());
    let histogram = String::from_utf8(read(&out, "rank_histogram.csv")).unwrap();
    assert!(histogram.starts_with("uCode,rank,count,probability,se\n"));
}

/// Sparse windows (few samples over wide windows) give the same bytes for any thread count
/// and any split into shards.
#[test]
fn sparse_windows_are_identical_for_any_threads_and_shards() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    synthetic(&data, 1_100);
    let samples = 30;
    let folder = |threads: usize| {
        let out = root.path().join(format!("threads-{threads}"));
        uncertainty(&data, samples, threads)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        out
    };
    let one = folder(1);
    let three = folder(3);
    let mut states = Vec::new();
    for k in 1..=4 {
        let state = root.path().join(format!("s{k}.json"));
        uncertainty(&data, samples, 1 + k % 2)
            .arg("--shard")
            .arg(format!("{k}/4"))
            .arg("--state")
            .arg(&state)
            .assert()
            .success();
        states.push(state);
    }
    let merged = root.path().join("merged");
    ranksense()
        .arg("merge")
        .args(&states)
        .arg("--data")
        .arg(&data)
        .args(["--quiet", "--out"])
        .arg(&merged)
        .assert()
        .success();
    for name in [
        "rank_stats.csv",
        "rank_histogram.csv",
        "rank_bands.csv",
        "pairwise.csv",
        "summary.json",
    ] {
        assert_eq!(read(&one, name), read(&three, name), "{name}");
        assert_eq!(read(&one, name), read(&merged, name), "{name}");
    }
}

/// Above 1,000 units a converged run waits only for the units the report lists (the top k and
/// the focus's neighbourhood), and a quantile spread over many ranks may be known to within
/// 2% of its unit's 90% interval instead of to the rank; every other unit's state is in
/// rank_stats.csv.
#[test]
fn a_large_converged_run_waits_for_the_listed_units_only() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    synthetic(&data, 1_200);
    let out = root.path().join("report");
    let output = ranksense()
        .args(["uncertainty", "--data"])
        .arg(&data)
        .args(["--seed", "5", "--threads", "2", "--quiet"])
        .args(["--max-samples", "20000", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let summary: serde_json::Value = serde_json::from_slice(&read(&out, "summary.json")).unwrap();
    let convergence = &summary["uncertainty"]["convergence"];
    let focus = summary["uncertainty"]["focus"]
        .as_str()
        .unwrap()
        .to_string();
    let scope = convergence["scope"].as_str().unwrap();
    assert_eq!(
        scope,
        format!("the top 10, {focus} and the units within 10 nominal ranks of it")
    );
    assert!(
        convergence["stop_rule"]
            .as_str()
            .unwrap()
            .contains(&format!("for {scope}, the median")),
        "{convergence}"
    );

    // Every unit's states, and which units are listed.
    let table = String::from_utf8(read(&out, "rank_stats.csv")).unwrap();
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (code, nominal, q05, q95) = (
        column("uCode"),
        column("nominal_rank"),
        column("q05_rank"),
        column("q95_rank"),
    );
    let states = [
        column("median_state"),
        column("q05_state"),
        column("q95_state"),
    ];
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let focus_rank: u32 = rows.iter().find(|r| r[code] == focus).unwrap()[nominal]
        .parse()
        .unwrap();
    let listed = |row: &Vec<&str>| {
        let rank: u32 = row[nominal].parse().unwrap();
        rank <= 10 || rank.abs_diff(focus_rank) <= 10
    };
    let listed_codes: Vec<&str> = rows.iter().filter(|r| listed(r)).map(|r| r[code]).collect();
    assert_eq!(listed_codes.len(), 31);

    // The rule's list names listed units only; the others' unsettled quantiles are counted.
    for item in convergence["unsettled"].as_array().unwrap() {
        assert!(
            listed_codes.contains(&item["code"].as_str().unwrap()),
            "{item}"
        );
    }
    let unlisted_unsettled_quantiles = rows
        .iter()
        .filter(|r| !listed(r))
        .flat_map(|r| states.iter().map(move |&s| r[s]))
        .filter(|&state| state == "unsettled")
        .count();
    let elsewhere = convergence["unsettled_elsewhere"].as_u64().unwrap() as usize;
    assert!(elsewhere >= unlisted_unsettled_quantiles, "{elsewhere}");

    // A quantile is resolved (not to the rank) only when its unit spreads over more than 50
    // ranks, where 2% of the 90% interval is a rank or more.
    let mut resolved = 0;
    for row in &rows {
        let spread: f64 = row[q95].parse::<f64>().unwrap() - row[q05].parse::<f64>().unwrap();
        for &s in &states {
            if row[s] == "resolved" {
                resolved += 1;
                assert!(spread >= 50.0, "{row:?}");
            }
        }
    }
    assert!(resolved > 0);
}
