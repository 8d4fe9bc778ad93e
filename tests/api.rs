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
    // Beijing's exact rank distribution: its rows of rank_histogram.csv, adding up to the
    // samples, from its best rank to its worst.
    let bins = result.rank_histogram("BEJ").unwrap();
    assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), 3000);
    assert_eq!(bins.first().unwrap().from as f64, beijing.best_rank as f64);
    assert_eq!(bins.last().unwrap().to as f64, beijing.worst_rank as f64);
    let (_, histogram) = result
        .tables()
        .into_iter()
        .find(|(name, _)| name == "rank_histogram.csv")
        .unwrap();
    let rows: Vec<String> = histogram
        .lines()
        .filter(|l| l.starts_with("BEJ,"))
        .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
        .collect();
    let expected: Vec<String> = bins
        .iter()
        .map(|b| format!("BEJ,{},{}", b.from, b.count))
        .collect();
    assert_eq!(rows, expected);
    assert!(result.rank_histogram("Atlantis").is_none());
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

#[test]
fn sweep_drop_and_coherence_equal_the_commands() {
    let index = ieci();
    let sweep = ranksense::sweep(&index, ranksense::SweepOptions::default()).unwrap();
    assert_eq!(sweep.summary_json(), cli(&["sweep", "--format", "json"]));
    assert_eq!(sweep.csv(), cli(&["sweep", "--format", "csv"]));
    let simplex = ranksense::simplex(
        &index,
        ranksense::SimplexOptions {
            resolution: 12,
            ..ranksense::SimplexOptions::default()
        },
    )
    .unwrap();
    let parent = index.model().framework.nodes[index.model().framework.top]
        .code
        .clone();
    assert_eq!(
        simplex.csv(),
        cli(&[
            "sweep",
            "--simplex",
            &parent,
            "--resolution",
            "12",
            "--format",
            "csv"
        ])
    );
    let asem = asem();
    let options = ranksense::DropOptions {
        levels: Some(vec![1]),
        focus: Some("DEU".into()),
        ..ranksense::DropOptions::default()
    };
    let dropped = ranksense::drop(&asem, options).unwrap();
    let args = [
        "drop", "--data", "asem", "--level", "1", "--focus", "DEU", "--format",
    ];
    assert_eq!(
        dropped.summary_json(),
        cli(&[&args[..], &["json"]].concat())
    );
    assert_eq!(dropped.csv(), cli(&[&args[..], &["csv"]].concat()));
    let options = ranksense::CoherenceOptions {
        bootstrap: 50,
        seed: 4,
    };
    let coherence = ranksense::coherence(&asem, options).unwrap();
    let args = [
        "coherence",
        "--data",
        "asem",
        "--bootstrap",
        "50",
        "--seed",
        "4",
        "--format",
    ];
    assert_eq!(
        coherence.summary_json(),
        cli(&[&args[..], &["json"]].concat())
    );
    assert_eq!(coherence.csv(), cli(&[&args[..], &["csv"]].concat()));
}

/// Ishigami's function (Ishigami & Homma 1990) with a = 7, b = 0.1.
fn ishigami(x: &[f64]) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

#[test]
fn sobol_on_arrays_equals_the_commands_in_salib_order() {
    let dir = tempfile::tempdir().unwrap();
    let pi = std::f64::consts::PI;
    let factors = dir.path().join("factors.toml");
    let mut toml = String::new();
    for name in ["x1", "x2", "x3"] {
        toml.push_str(&format!(
            "[[factor]]\nname = \"{name}\"\nkind = \"uniform\"\nlow = {}\nhigh = {}\n\n",
            -pi, pi
        ));
    }
    std::fs::write(&factors, toml).unwrap();
    let bounds = [(-pi, pi); 3];
    let options = ranksense::SobolSampleOptions {
        n: 64,
        seed: 9,
        second_order: false,
        ..ranksense::SobolSampleOptions::default()
    };
    let design = ranksense::sobol_sample(&bounds, &options).unwrap();
    assert_eq!((design.rows, design.factors), (64 * 5, 3));
    // The command's blocks A, B, AB_1..AB_3, reordered as SALib's rows, are the same numbers.
    let blocks = cli(&[
        "sobol",
        "sample",
        "--factors",
        factors.to_str().unwrap(),
        "--n",
        "64",
        "--seed",
        "9",
    ]);
    let rows: Vec<Vec<f64>> = blocks
        .lines()
        .skip(1)
        .map(|line| {
            line.split(',')
                .skip(2)
                .map(|v| v.parse().unwrap())
                .collect()
        })
        .collect();
    for j in 0..64 {
        let salib = &design.values[j * 15..(j + 1) * 15];
        assert_eq!(&salib[0..3], &rows[j][..], "A row {j}");
        for i in 0..3 {
            assert_eq!(&salib[3 + 3 * i..6 + 3 * i], &rows[(2 + i) * 64 + j][..]);
        }
        assert_eq!(&salib[12..15], &rows[64 + j][..], "B row {j}");
    }
    // Second-order rows: BA_i is B with factor i from A (SALib's calc_second_order=True).
    let second = ranksense::sobol_sample(
        &bounds,
        &ranksense::SobolSampleOptions {
            second_order: true,
            ..options.clone()
        },
    )
    .unwrap();
    assert_eq!(second.rows, 64 * 8);
    let row = |r: usize| &second.values[r * 3..(r + 1) * 3];
    assert_eq!(row(4), [row(0)[0], row(7)[1], row(7)[2]]);
    // Analyze: the outputs of the second-order design, as `sobol analyze --layout salib`.
    let outputs: Vec<f64> = second.values.chunks(3).map(ishigami).collect();
    let text = |values: &[f64], width: usize| -> String {
        values
            .chunks(width)
            .map(|row| {
                let cells: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
                cells.join(" ") + "\n"
            })
            .collect()
    };
    let design_file = dir.path().join("design.txt");
    let outputs_file = dir.path().join("y.txt");
    std::fs::write(&design_file, text(&second.values, 3)).unwrap();
    std::fs::write(&outputs_file, text(&outputs, 1)).unwrap();
    let names: Vec<String> = ["x1", "x2", "x3"].map(String::from).to_vec();
    let analyze_options = ranksense::SobolAnalyzeOptions {
        second_order: true,
        settings: ranksense::EstimatorSettings {
            bootstrap_resamples: 200,
            seed: 3,
            ..ranksense::EstimatorSettings::default()
        },
    };
    let analysis = ranksense::sobol_analyze(&names, &outputs, &analyze_options).unwrap();
    let expected = cli(&[
        "sobol",
        "analyze",
        "--design",
        design_file.to_str().unwrap(),
        "--layout",
        "salib",
        "--outputs",
        outputs_file.to_str().unwrap(),
        "--bootstrap",
        "200",
        "--seed",
        "3",
        "--format",
        "csv",
    ]);
    assert_eq!(analysis.csv(), expected);
    // Ishigami's x2 has the largest first-order index (analytic S2 = 0.442).
    let result = analysis.result();
    assert!(result.indices[1].first.value > result.indices[0].first.value);
    // Outputs that do not fit the design are refused, located, with the fix.
    let short = ranksense::sobol_analyze(&names, &outputs[1..], &analyze_options)
        .err()
        .unwrap();
    assert!(short.is_input());
    assert_eq!(short.diagnostics()[0].location.file, "Y");
    let empty = ranksense::sobol_sample(&[(1.0, 1.0)], &options)
        .err()
        .unwrap();
    assert_eq!(
        empty.diagnostics()[0].location.column.as_deref(),
        Some("bounds[0]")
    );
}

/// Cancels the run once the engine has reported `after` samples done.
struct CancelAfter {
    after: u64,
    seen: std::sync::atomic::AtomicU64,
}

impl ranksense::Observer for CancelAfter {
    fn advanced(&self, done: u64) {
        self.seen
            .fetch_max(done, std::sync::atomic::Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.seen.load(std::sync::atomic::Ordering::Relaxed) >= self.after
    }
}

#[test]
fn a_cancelled_run_stops_early_and_returns_no_result() {
    let index = ieci();
    let scenario = Scenario::default_for(&index).unwrap();
    let options = UncertaintyOptions {
        samples: Some(100_000_000),
        threads: 2,
        ..UncertaintyOptions::default()
    };
    let observer = CancelAfter {
        after: 5_000,
        seen: Default::default(),
    };
    let error = ranksense::uncertainty_observed(&index, &scenario, options, &observer)
        .err()
        .unwrap();
    assert!(error.is_cancelled() && !error.is_input(), "{error}");
    // It stopped within a few chunks of the request, not after 10^8 samples.
    let seen = observer.seen.load(std::sync::atomic::Ordering::Relaxed);
    assert!(seen < 100_000, "{seen} samples run");
    // A converged run stops too (its batches would otherwise wait for samples never run).
    let converged = UncertaintyOptions {
        max_samples: 1 << 40,
        threads: 2,
        ..UncertaintyOptions::default()
    };
    let observer = CancelAfter {
        after: 5_000,
        seen: Default::default(),
    };
    let error = ranksense::uncertainty_observed(&index, &scenario, converged, &observer)
        .err()
        .unwrap();
    assert!(error.is_cancelled(), "{error}");
}

#[test]
fn score_weights_are_raw_weights_renormalised_within_the_parent() {
    let index = asem();
    let framework = &index.model().framework;
    let nominal = ranksense::score(&index, ScoreOptions::default()).unwrap();
    // Scaling every sibling's weight by the same factor changes nothing (renormalisation).
    let siblings: Vec<(String, f64)> = framework.nodes[framework.top]
        .children
        .iter()
        .map(|&c| {
            (
                framework.nodes[c].code.clone(),
                3.0 * framework.nodes[c].weight,
            )
        })
        .collect();
    let scaled = ScoreOptions {
        weights: siblings.clone(),
        ..ScoreOptions::default()
    };
    assert_eq!(
        ranksense::score(&index, scaled).unwrap().csv(false),
        nominal.csv(false)
    );
    // Setting one sub-index's weight to zero ranks by the other alone.
    let only_second = ScoreOptions {
        weights: vec![(siblings[0].0.clone(), 0.0)],
        ..ScoreOptions::default()
    };
    let second = ranksense::score(&index, only_second).unwrap();
    let code = &siblings[1].0;
    let mut by_second: Vec<&ranksense::UnitResult> = nominal.units().iter().collect();
    let aggregate =
        |u: &ranksense::UnitResult| u.nodes.iter().find(|a| &a.code == code).unwrap().score;
    by_second.sort_by(|a, b| aggregate(b).total_cmp(&aggregate(a)));
    assert_eq!(second.units()[0].code, by_second[0].code);
    // An unknown code is located in the weights, with the nearest code suggested.
    let typo = ScoreOptions {
        weights: vec![("Connectivty".into(), 1.0)],
        ..ScoreOptions::default()
    };
    let error = ranksense::score(&index, typo).err().unwrap();
    assert!(error.is_input());
    let diagnostic = &error.diagnostics()[0];
    assert_eq!(diagnostic.location.column.as_deref(), Some("Connectivty"));
    assert!(diagnostic.fix.contains("Conn"), "{}", diagnostic.fix);
}
