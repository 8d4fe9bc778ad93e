//! Progress on every long phase (issue #14.8): a Sobol analysis announces its model runs as runs
//! (not samples) with their exact count and ticks up to it, then announces the estimation and
//! bootstrap phase; exact bounds of every unit count units and a merge counts shards, so a
//! progress display is never silent.

use std::sync::Mutex;

use ranksense::analysis::sensitivity::{
    ESTIMATE_PHASE, RUNS_PHASE, SensitivityOptions, UnitTargets, run_sensitivity,
};
use ranksense::analysis::uncertainty::{Setup, UncertaintyOptions};
use ranksense::analysis::weights::bounds::UNITS_BOUNDED_PHASE;
use ranksense::analysis::weights::exact::{
    BoundsRequest, MethodOverride, RangeSource, bounds_for, bounds_for_observed,
};
use ranksense::engine::shard::{
    PartialState, SHARDS_MERGED_PHASE, Shard, merge_states, merge_states_observed,
};
use ranksense::engine::{Observer, Silent};
use ranksense::scenario::Scenario;

/// Records every phase and every tick.
#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<(String, u64)>>,
}

impl Observer for Recorder {
    fn phase(&self, what: &str, total: u64) {
        self.events
            .lock()
            .unwrap()
            .push((format!("phase {what}"), total));
    }
    fn advanced(&self, done: u64) {
        self.events.lock().unwrap().push(("tick".into(), done));
    }
}

#[test]
fn a_sobol_run_counts_runs_then_announces_its_bootstrap() {
    let index = ranksense::model::embedded::load("asem").unwrap();
    let (file, text) = ranksense::scenario::embedded::find("asem-coinr").unwrap();
    let scenario = Scenario::from_toml_str(text, file).unwrap();
    let options = SensitivityOptions {
        base_samples: 64,
        bootstrap_resamples: 50,
        unit_targets: Some(UnitTargets::Focus),
        threads: 2,
        ..SensitivityOptions::default()
    };
    let recorder = Recorder::default();
    let run = run_sensitivity(&index, &scenario, text, &options, &recorder).unwrap();
    let runs = run.design.run_count() as u64;
    let events = recorder.events.into_inner().unwrap();
    let phases: Vec<&(String, u64)> = events.iter().filter(|e| e.0 != "tick").collect();
    assert_eq!(
        phases,
        [
            &(format!("phase {RUNS_PHASE}"), runs),
            &(format!("phase {ESTIMATE_PHASE}"), 0)
        ]
    );
    assert!(RUNS_PHASE.contains("runs") && !RUNS_PHASE.contains("sample"));
    // The ticks of the runs phase rise to exactly the number of runs, and none come after it.
    let start = events
        .iter()
        .position(|e| e.0.starts_with("phase"))
        .unwrap();
    let end = events
        .iter()
        .rposition(|e| e.0.starts_with("phase"))
        .unwrap();
    let ticks: Vec<u64> = events[start + 1..end].iter().map(|e| e.1).collect();
    assert!(!ticks.is_empty());
    assert_eq!(ticks.iter().max(), Some(&runs));
    assert!(events[end + 1..].is_empty());
}

/// The phases recorded, and the ticks in the order they came.
fn phases_and_ticks(recorder: Recorder) -> (Vec<(String, u64)>, Vec<u64>) {
    let events = recorder.events.into_inner().unwrap();
    let ticks = events
        .iter()
        .filter(|e| e.0 == "tick")
        .map(|e| e.1)
        .collect();
    let phases = events.into_iter().filter(|e| e.0 != "tick").collect();
    (phases, ticks)
}

fn bounds_request(all_units: bool) -> BoundsRequest {
    BoundsRequest {
        method: MethodOverride::default(),
        weights: None,
        range: RangeSource::Spread(0.25),
        focus: Some("NLD".into()),
        all_units,
    }
}

#[test]
fn bounds_of_every_unit_count_units_and_give_the_silent_result() {
    let index = ranksense::model::embedded::load("asem").unwrap();
    let recorder = Recorder::default();
    let observed = bounds_for_observed(&index, &bounds_request(true), &recorder).unwrap();
    assert_eq!(observed, bounds_for(&index, &bounds_request(true)).unwrap());
    let units = observed.units.len() as u64;
    assert!(units > 10);
    let (phases, mut ticks) = phases_and_ticks(recorder);
    assert_eq!(phases, [(format!("phase {UNITS_BOUNDED_PHASE}"), units)]);
    // Units finish in any order on many threads, but every count from 1 to n is reported once.
    ticks.sort_unstable();
    assert_eq!(ticks, (1..=units).collect::<Vec<_>>());

    // One focus is a single quick pair of MILPs: nothing to report.
    let recorder = Recorder::default();
    bounds_for_observed(&index, &bounds_request(false), &recorder).unwrap();
    assert!(recorder.events.into_inner().unwrap().is_empty());
}

#[test]
fn a_merge_of_three_shards_counts_shards_in_order() {
    let index = ranksense::model::embedded::load("asem").unwrap();
    let (file, text) = ranksense::scenario::embedded::find("asem-coinr").unwrap();
    let scenario = Scenario::from_toml_str(text, file).unwrap();
    let options = UncertaintyOptions {
        samples: 301,
        seed: 7,
        ..UncertaintyOptions::default()
    };
    let setup = Setup::new(&index, &scenario, text, &options).unwrap();
    let count = 3;
    let states: Vec<(String, PartialState)> = (1..=count)
        .map(|k| {
            let shard = Shard { index: k, count };
            let accumulator = setup.run(shard.samples(options.samples), options.seed, 2, &Silent);
            let state = PartialState::of_shard(setup.fingerprint.clone(), shard, accumulator);
            (format!("shard{k}"), state)
        })
        .collect();
    let recorder = Recorder::default();
    let observed = merge_states_observed(&states, &recorder).unwrap();
    assert_eq!(observed, merge_states(&states).unwrap());
    let (phases, ticks) = phases_and_ticks(recorder);
    assert_eq!(phases, [(format!("phase {SHARDS_MERGED_PHASE}"), 3)]);
    assert_eq!(ticks, [1, 2, 3]);
}

/// Runs the binary with standard error to a pipe (a batch log) and progress lines every
/// `interval` seconds; returns its standard error.
fn batch_log(args: &[&str], interval: Option<&str>) -> String {
    let mut command = assert_cmd::Command::cargo_bin("ranksense").unwrap();
    command.args(args);
    match interval {
        Some(seconds) => command.env("RANKSENSE_PROGRESS_INTERVAL", seconds),
        None => command.env_remove("RANKSENSE_PROGRESS_INTERVAL"),
    };
    let output = command.output().unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stderr).unwrap()
}

/// The progress lines of a batch log.
fn progress_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect()
}

/// The `done` count of a counted line (`progress: samples 1,024/200,000 (0%), …`).
fn done_of(line: &str) -> u64 {
    let counts = line.split_whitespace().nth(2).unwrap();
    counts
        .split('/')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap()
}

const MONTE_CARLO: [&str; 8] = [
    "uncertainty",
    "--data",
    "asem",
    "--samples",
    "200000",
    "--seed",
    "8",
    "--format=csv",
];

#[test]
fn a_batch_log_gets_periodic_lines_then_one_at_the_phase_end_and_never_a_carriage_return() {
    let stderr = batch_log(&MONTE_CARLO, Some("0.01"));
    assert!(!stderr.contains('\r'), "{stderr}");
    let lines = progress_lines(&stderr);
    assert!(lines.len() >= 2, "{stderr}");
    let (last, periodic) = lines.split_last().unwrap();
    assert!(
        last.starts_with("progress: samples 200,000/200,000 (100%), ") && last.ends_with(", done"),
        "{last}"
    );
    let mut before = 0;
    for line in periodic {
        // Phase, done/total (share), rate, elapsed, and the time to go while there is some.
        assert!(line.starts_with("progress: samples "), "{line}");
        assert!(line.contains("/200,000 (") && line.contains(" samples/s, elapsed "));
        let done = done_of(line);
        assert!(done >= before && done <= 200_000, "{line}");
        assert_eq!(
            line.contains(", ETA "),
            done > 0 && done < 200_000,
            "{line}"
        );
        before = done;
    }
}

#[test]
fn quiet_and_short_runs_print_no_progress_lines() {
    let quiet: Vec<&str> = MONTE_CARLO.iter().copied().chain(["--quiet"]).collect();
    assert!(progress_lines(&batch_log(&quiet, Some("0.01"))).is_empty());
    // With the default interval (30 s), a run done before it prints nothing at all.
    assert!(progress_lines(&batch_log(&MONTE_CARLO, None)).is_empty());
}

#[test]
fn each_phase_of_a_robust_run_ends_with_one_line_in_a_batch_log() {
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("report");
    let args = [
        "robust",
        "--data",
        "asem",
        "--samples",
        "50000",
        "--base-samples",
        "256",
        "--bootstrap",
        "100",
        "--out",
        folder.to_str().unwrap(),
    ];
    let stderr = batch_log(&args, Some("0.01"));
    let lines = progress_lines(&stderr);
    // Phases follow one another: the lines of one phase are together and the last says `done`.
    let phase = |line: &str| {
        let rest = line.strip_prefix("progress: ").unwrap();
        // A counted phase's name ends at its count, an uncounted one's at ", elapsed".
        let end = rest
            .find(|c: char| c.is_ascii_digit() || c == ',')
            .unwrap_or(rest.len());
        rest[..end].trim().to_string()
    };
    let mut phases: Vec<(String, Vec<&str>)> = Vec::new();
    for line in &lines {
        match phases.last_mut() {
            Some((name, group)) if *name == phase(line) => group.push(line),
            _ => phases.push((phase(line), vec![line])),
        }
    }
    let names: Vec<&str> = phases.iter().map(|(name, _)| name.as_str()).collect();
    assert!(names.len() >= 2 && names[0] == "samples", "{stderr}");
    for (name, group) in &phases {
        let done = group.iter().filter(|l| l.ends_with(", done")).count();
        assert_eq!(done, 1, "phase {name}: {group:?}");
        assert!(group.last().unwrap().ends_with(", done"), "{group:?}");
    }
}

#[test]
fn a_converged_run_says_in_a_batch_log_why_it_samples_on() {
    let args = [
        "uncertainty",
        "--data",
        "asem",
        "--seed",
        "8",
        "--format=csv",
    ];
    let stderr = batch_log(&args, Some("0.001"));
    let rules: Vec<&str> = progress_lines(&stderr)
        .into_iter()
        .filter(|l| l.starts_with("progress: stop rule: "))
        .collect();
    assert!(!rules.is_empty(), "{stderr}");
    // One line per doubling: 10,000 → 20,000 → …, each naming what is still unsettled.
    for (i, line) in rules.iter().enumerate() {
        let done = 10_000u64 << i;
        let target = format!("sampling on to {}", done * 2);
        assert!(
            line.contains(" statistics unsettled after ")
                && line
                    .replace(',', "")
                    .contains(&format!("after {done} samples"))
                && line.replace(',', "").ends_with(&target),
            "{line}"
        );
    }
}
