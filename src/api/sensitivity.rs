//! `sensitivity`: Sobol first-order and total indices of which uncertain choice moves R_S, each unit's rank and score, and the focus unit's top-k place.

use std::path::{Path, PathBuf};

use super::{Error, Index, Scenario};
use crate::analysis::sensitivity::{
    self as analysis, FocusDriver, SensitivityRun, TargetFamily, TargetResult, UnitTargets,
};
use crate::analysis::sobol::PointKind;
use crate::engine::{Observer, Silent};
use crate::report::output::Files;
use crate::report::provenance::DEFAULT_SEED;
use crate::report::sensitivity::{sensitivity_markdown, sensitivity_summary, targets_sobol_csv};
use crate::report::summary::Summary;

/// Options of [`sensitivity`]; the default is the command line's.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityOptions {
    /// Base rows N of the Saltelli design: N (k + 2) model runs for k factors (default 2048;
    /// use a power of two with Sobol points).
    pub base_samples: usize,
    /// Seed of the design and the bootstrap; `None` = the scenario's, else 1.
    pub seed: Option<u64>,
    /// Worker threads (0 = all cores). Results do not depend on it.
    pub threads: usize,
    /// The focus unit (uCode or name); `None` = the scenario's, else the index's.
    pub focus: Option<String>,
    /// k of the `topk` target; `None` = the focus unit's nominal rank.
    pub top_k: Option<u32>,
    /// Scrambled Sobol points (default) or pseudo-random points.
    pub points: PointKind,
    /// The targets to estimate (default: all four families).
    pub targets: Vec<TargetFamily>,
    /// Which units get rank and score targets; `None` = all unless their outputs would take
    /// more than 512 MiB, then the focus unit only.
    pub unit_targets: Option<UnitTargets>,
    /// Bootstrap resamples of the percentile intervals (default 1000; 0 = none).
    pub bootstrap: usize,
    /// Add an inert dummy factor (its indices are exactly 0 for this deterministic model).
    pub dummy: bool,
}

impl Default for SensitivityOptions {
    fn default() -> Self {
        let defaults = analysis::SensitivityOptions::default();
        SensitivityOptions {
            base_samples: defaults.base_samples,
            seed: None,
            threads: defaults.threads,
            focus: None,
            top_k: None,
            points: defaults.points,
            targets: defaults.families,
            unit_targets: defaults.unit_targets,
            bootstrap: defaults.bootstrap_resamples,
            dummy: defaults.dummy,
        }
    }
}

/// The result of [`sensitivity`]: the indices of every target, the focus unit's driving
/// factor and the run's summary.json.
pub struct SensitivityResult {
    run: SensitivityRun,
    summary: Summary,
    scenario: Scenario,
}

/// Runs the Sobol sensitivity analysis of `index` under `scenario`: the same numbers as
/// `ranksense sensitivity` with the same seed.
pub fn sensitivity(
    index: &Index,
    scenario: &Scenario,
    options: SensitivityOptions,
) -> Result<SensitivityResult, Error> {
    sensitivity_observed(index, scenario, options, &Silent)
}

/// [`sensitivity`], reporting progress to `observer` and stopping early when it says
/// [`Observer::cancelled`] (the result is then an error with [`Error::is_cancelled`]).
pub fn sensitivity_observed(
    index: &Index,
    scenario: &Scenario,
    options: SensitivityOptions,
    observer: &dyn Observer,
) -> Result<SensitivityResult, Error> {
    let resolved = analysis::SensitivityOptions {
        base_samples: options.base_samples,
        seed: options
            .seed
            .or(scenario.model().seed)
            .unwrap_or(DEFAULT_SEED),
        threads: options.threads,
        focus: options.focus.clone(),
        top_k: options.top_k,
        points: options.points,
        families: if options.targets.is_empty() {
            TargetFamily::ALL.to_vec()
        } else {
            options.targets.clone()
        },
        unit_targets: options.unit_targets,
        bootstrap_resamples: options.bootstrap,
        dummy: options.dummy,
        ..analysis::SensitivityOptions::default()
    };
    let run_scenario = scenario.for_run(options.focus.is_some(), options.top_k.is_some());
    let run = analysis::run_sensitivity(
        index.model(),
        &run_scenario,
        scenario.text(),
        &resolved,
        observer,
    )?;
    if observer.cancelled() {
        return Err(Error::cancelled());
    }
    let summary = summary_of(index, scenario, &run);
    Ok(SensitivityResult {
        run,
        summary,
        scenario: scenario.clone(),
    })
}

/// The summary.json of a sensitivity run: results, scenario, settings and their origins.
fn summary_of(index: &Index, scenario: &Scenario, run: &SensitivityRun) -> Summary {
    sensitivity_summary(
        index.model(),
        scenario.label(),
        scenario.text(),
        scenario.model(),
        scenario.derived_record(),
        run,
    )
}

impl SensitivityResult {
    /// The CSV tables of the report folder (sobol.csv), as (file name, text) pairs.
    pub fn tables(&self) -> Vec<(String, String)> {
        vec![("sobol.csv".to_string(), self.sobol_csv())]
    }

    /// Every target's indices (first-order and total, with intervals), in output order:
    /// `rs`, `rank:*`, `score:*`, `topk`.
    pub fn targets(&self) -> &[TargetResult] {
        &self.run.targets
    }

    /// A target by name (e.g. `rs`, `rank:BJ`).
    pub fn target(&self, name: &str) -> Option<&TargetResult> {
        self.run.target(name)
    }

    /// The factor that moves the focus unit's rank most, with the sentence saying so.
    pub fn driver(&self) -> Option<&FocusDriver> {
        self.run.driver.as_ref()
    }

    /// The factors' names in design order.
    pub fn factors(&self) -> &[String] {
        &self.run.factors
    }

    /// Things a reader should know (restricted targets, a non-power-of-two N, …).
    pub fn notes(&self) -> &[String] {
        &self.run.notes
    }

    /// sobol.csv (`sensitivity --format csv`).
    pub fn sobol_csv(&self) -> String {
        targets_sobol_csv(&self.run.targets)
    }

    /// The summary.json envelope (`sensitivity --format json`).
    pub fn summary_json(&self) -> String {
        self.summary.to_json()
    }

    /// Writes the files `sensitivity --out DIR` writes (sobol.csv, summary.json, report.md,
    /// and a derived scenario's scenario.toml), all or nothing.
    pub fn write_report(&self, folder: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        let mut files = Files::default();
        files.add("sobol.csv", self.sobol_csv());
        files.add("summary.json", self.summary.to_json());
        files.add("report.md", sensitivity_markdown(&self.summary));
        self.scenario.add_file(&mut files);
        Ok(files.write_to(folder.as_ref())?)
    }
}
