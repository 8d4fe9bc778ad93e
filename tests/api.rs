//! The library facade gives what the command line gives: the same summary.json for the same
//! seed (so the same numbers, bit for bit), whatever the thread count; shards merge into the
//! unsharded run; errors are located and speak of data, not of flags.

use assert_cmd::Command;
use ranksense::{
    BoundsOptions, MergeOptions, RobustOptions, Scenario, ScoreOptions, SensitivityOptions, Shard,
    StabilityOptions, UncertaintyOptions,
};

/// `ranksense ARGS` on standard output, which must succeed.
fn cli(args: &[&str]) -> String {
    let output = Command::cargo_bin("ranksense")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "ranksense {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn ieci() -> ranksense::Index {
    ranksense::embedded("ieci2022").unwrap()
}

fn asem() -> ranksense::Index {
    ranksense::embedded("asem").unwrap()
}

#[test]
fn score_equals_the_command_and_ranks_beijing_seventh() {
    let index = ieci();
    let result = ranksense::score(&index, ScoreOptions::default()).unwrap();
    assert_eq!(result.rank("Beijing"), Some(7));
    assert_eq!(result.summary_json(), cli(&["score", "--format", "json"]));
    assert_eq!(result.csv(false), cli(&["score", "--format", "csv"]));
    // A what-if method, typed: the same as the flags.
    let geometric = ScoreOptions {
        aggregation: Some("geometric".parse().unwrap()),
        ..ScoreOptions::default()
    };
    let options = ScoreOptions {
        normalisation: Some("minmax(1,100)".parse().unwrap()),
        ..geometric.clone()
    };
    let what_if = ranksense::score(&index, options).unwrap();
    assert_eq!(
        what_if.summary_json(),
        cli(&[
            "score",
            "--normalisation",
            "minmax(1,100)",
            "--aggregation",
            "geometric",
            "--format",
            "json"
        ])
    );
    // Geometric means of values down to 0 are refused with the problem and the fix, in the
    // data's terms (the command adds its flag's name; the library has no flags).
    let refused = ranksense::score(&index, geometric).err().unwrap();
    assert!(refused.is_input());
    let message = refused.to_string();
    assert!(
        message.contains("needs strictly positive values"),
        "{message}"
    );
    assert!(message.contains("minmax(1,100)"), "{message}");
    assert!(!message.contains("--"), "{message}");
}

#[test]
fn uncertainty_equals_the_command_on_the_same_seed_for_any_thread_count() {
    let index = ieci();
    let scenario = Scenario::default_for(&index).unwrap();
    let options = UncertaintyOptions {
        samples: Some(3000),
        seed: Some(5),
        threads: 1,
        ..UncertaintyOptions::default()
    };
    let result = ranksense::uncertainty(&index, &scenario, options).unwrap();
    let json = cli(&[
        "uncertainty",
        "--samples",
        "3000",
        "--seed",
        "5",
        "--threads",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(result.summary_json(), json);
    let beijing = result.unit("Beijing").unwrap();
    assert_eq!(beijing.nominal_rank, 7);
    // The median the command printed for Beijing is the facade's, to the bit.
    let summary: serde_json::Value = serde_json::from_str(&json).unwrap();
    let units = summary["uncertainty"]["statistics"]["units"]
        .as_array()
        .unwrap();
    let printed = units.iter().find(|u| u["name"] == "Beijing").unwrap();
    assert_eq!(printed["median_rank"].as_f64(), Some(beijing.median_rank));
    let csv = cli(&[
        "uncertainty",
        "--samples",
        "3000",
        "--seed",
        "5",
        "--format",
        "csv",
    ]);
    assert_eq!(result.rank_stats_csv(), csv);
}

#[test]
fn converged_uncertainty_is_the_default_and_equals_the_command() {
    let index = asem();
    let scenario = Scenario::default_for(&index).unwrap();
    let options = UncertaintyOptions {
        max_samples: 40_000,
        ..UncertaintyOptions::default()
    };
    let result = ranksense::uncertainty(&index, &scenario, options).unwrap();
    assert!(result.convergence().adaptive);
    assert_eq!(
        result.summary_json(),
        cli(&[
            "uncertainty",
            "--data",
            "asem",
            "--max-samples",
            "40000",
            "--format",
            "json"
        ])
    );
}

#[test]
fn shards_merge_into_the_unsharded_run_and_a_wrong_seed_is_refused_in_data_terms() {
    let index = asem();
    let scenario = Scenario::default_for(&index).unwrap();
    let options = UncertaintyOptions {
        samples: Some(3001),
        seed: Some(8),
        ..UncertaintyOptions::default()
    };
    let whole = ranksense::uncertainty(&index, &scenario, options.clone()).unwrap();
    let states: Vec<_> = (1..=3)
        .map(|k| {
            let shard = Shard { index: k, count: 3 };
            let state =
                ranksense::uncertainty_shard(&index, &scenario, options.clone(), shard).unwrap();
            // Through the file format, as separate processes would hand them over.
            ranksense::ShardState::from_bytes(&format!("s{k}.json"), &state.to_bytes()).unwrap()
        })
        .collect();
    let merged =
        ranksense::merge_shards(&index, &scenario, states.clone(), MergeOptions::default())
            .unwrap();
    assert_eq!(merged.summary_json(), whole.summary_json());
    let error = ranksense::merge_shards(
        &index,
        &scenario,
        states,
        MergeOptions {
            seed: Some(9),
            ..MergeOptions::default()
        },
    )
    .err()
    .unwrap();
    assert!(error.is_input());
    let message = error.to_string();
    assert!(message.contains("seed 8, not 9"), "{message}");
    assert!(!message.contains("--"), "{message}");
}

#[test]
fn bounds_and_stability_equal_the_commands() {
    let index = ieci();
    let bounds = ranksense::bounds(&index, BoundsOptions::default()).unwrap();
    assert_eq!(bounds.summary_json(), cli(&["bounds", "--format", "json"]));
    let focus = bounds.focus().unwrap();
    assert!(focus.best_rank <= focus.nominal_rank && focus.nominal_rank <= focus.worst_rank);
    let stability = ranksense::stability(&index, StabilityOptions::default()).unwrap();
    assert_eq!(
        stability.summary_json(),
        cli(&["stability", "--format", "json"])
    );
}

#[test]
fn sensitivity_and_robust_equal_the_commands() {
    let index = asem();
    let scenario = Scenario::default_for(&index).unwrap();
    let options = SensitivityOptions {
        base_samples: 64,
        bootstrap: 50,
        ..SensitivityOptions::default()
    };
    let sensitivity = ranksense::sensitivity(&index, &scenario, options).unwrap();
    assert_eq!(
        sensitivity.summary_json(),
        cli(&[
            "sensitivity",
            "--data",
            "asem",
            "--base-samples",
            "64",
            "--bootstrap",
            "50",
            "--format",
            "json"
        ])
    );
    let options = RobustOptions {
        uncertainty: UncertaintyOptions {
            samples: Some(2000),
            ..UncertaintyOptions::default()
        },
        base_samples: 64,
        bootstrap: 50,
    };
    let robust = ranksense::robust(&index, &scenario, options).unwrap();
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("report");
    let json = cli(&[
        "robust",
        "--data",
        "asem",
        "--samples",
        "2000",
        "--base-samples",
        "64",
        "--bootstrap",
        "50",
        "--format",
        "json",
        "--out",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(robust.summary_json(), json);
    let written = robust
        .write_report(out.path().join("facade"))
        .unwrap()
        .len();
    assert_eq!(written, robust.file_names().len());
}

#[test]
fn errors_are_located_and_speak_of_data() {
    let missing = ranksense::load("no/such/folder").err().unwrap();
    assert!(missing.is_input());
    assert_eq!(missing.diagnostics()[0].location.file, "no/such/folder");
    let unknown = ranksense::embedded("iecii").err().unwrap();
    assert!(unknown.to_string().contains("ieci2022"), "{unknown}");
    let typo = Scenario::from_toml(
        "[normalisation]\nalternatives = [\"minmx(0,100)\"]\n",
        "s.toml",
    )
    .err()
    .unwrap();
    let diagnostic = &typo.diagnostics()[0];
    assert_eq!(diagnostic.location.file, "s.toml");
    assert_eq!(diagnostic.location.line, Some(2));
    assert!(diagnostic.fix.contains("minmax"), "{diagnostic}");
    let index = ieci();
    let scenario = Scenario::default_for(&index).unwrap();
    let options = UncertaintyOptions {
        focus: Some("Atlantis".into()),
        samples: Some(10),
        ..UncertaintyOptions::default()
    };
    let error = ranksense::uncertainty(&index, &scenario, options)
        .err()
        .unwrap();
    assert!(error.to_string().contains("Atlantis"), "{error}");
}
