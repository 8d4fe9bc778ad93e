//! Progress on every long phase (issue #14.8): a Sobol analysis announces its model runs as runs
//! (not samples) with their exact count and ticks up to it, then announces the estimation and
//! bootstrap phase, so a progress display is never silent.

use std::sync::Mutex;

use ranksense::analysis::sensitivity::{
    ESTIMATE_PHASE, RUNS_PHASE, SensitivityOptions, UnitTargets, run_sensitivity,
};
use ranksense::engine::Observer;
use ranksense::uncertainty::scenario::Scenario;

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
    let (file, text) = ranksense::uncertainty::embedded::find("asem-coinr").unwrap();
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
