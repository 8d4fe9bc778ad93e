//! `robust`: the whole audit from one seed — uncertainty, sensitivity, exact bounds, stability and the charts — with the verdict that combines them and the report folder.

use std::path::{Path, PathBuf};

use super::{Error, Index, Scenario, UncertaintyOptions};
use crate::analysis::rank_stats::UnitRankStats;
use crate::analysis::robust::{self as analysis, RobustRun, RobustVerdict};
use crate::analysis::uncertainty::default_top_k;
use crate::engine::{Observer, Silent};
use crate::report::output::Files;
use crate::report::provenance::Resolved;
use crate::report::robust::{robust_files, robust_summary};
use crate::report::summary::Summary;
use crate::report::verdict::robust_text;

/// Options of [`robust`]; the default is the command line's (a converged uncertainty run,
/// Sobol N = 2048 with 1000 bootstrap resamples).
#[derive(Debug, Clone, PartialEq)]
pub struct RobustOptions {
    /// The Monte Carlo part (samples, seed, threads, focus, top-k).
    pub uncertainty: UncertaintyOptions,
    /// Base rows of the Sobol design (N (k + 2) scorer runs).
    pub base_samples: usize,
    /// Bootstrap resamples of the Sobol intervals.
    pub bootstrap: usize,
}

impl Default for RobustOptions {
    fn default() -> Self {
        let defaults = analysis::RobustOptions::default();
        RobustOptions {
            uncertainty: UncertaintyOptions::default(),
            base_samples: defaults.base_samples,
            bootstrap: defaults.bootstrap_resamples,
        }
    }
}

/// The result of [`robust`]: every analysis, the combined verdict and the report's files.
pub struct RobustResult {
    run: RobustRun,
    summary: Summary,
    files: Files,
}

/// Runs the whole audit of the focus unit's rank (a focus is required: the options', the
/// scenario's or the index's): the same numbers and files as `ranksense robust` with the same
/// seed.
pub fn robust(
    index: &Index,
    scenario: &Scenario,
    options: RobustOptions,
) -> Result<RobustResult, Error> {
    robust_observed(index, scenario, options, &Silent)
}

/// [`robust`], reporting progress to `observer` and stopping early when it says
/// [`Observer::cancelled`] (the result is then an error with [`Error::is_cancelled`]).
pub fn robust_observed(
    index: &Index,
    scenario: &Scenario,
    options: RobustOptions,
    observer: &dyn Observer,
) -> Result<RobustResult, Error> {
    let uncertainty = options.uncertainty.resolve(scenario);
    let resolved = analysis::RobustOptions {
        uncertainty,
        base_samples: options.base_samples,
        bootstrap_resamples: options.bootstrap,
        ..analysis::RobustOptions::default()
    };
    let run_scenario = scenario.for_run(
        options.uncertainty.focus.is_some(),
        options.uncertainty.top_k.is_some(),
    );
    let run = analysis::run_robust(
        index.model(),
        &run_scenario,
        scenario.text(),
        &resolved,
        observer,
    )?;
    if observer.cancelled() {
        return Err(Error::cancelled());
    }
    let seed = resolved.uncertainty.seed;
    let mut summary = robust_summary(index.model(), scenario.label(), scenario.text(), &run, seed);
    let setup = &run.uncertainty.setup;
    scenario.describe(
        &mut summary,
        index,
        &Resolved {
            samples: (!resolved.uncertainty.converge).then_some(resolved.uncertainty.samples),
            seed,
            focus: setup.focus.map(|f| setup.prepared.units[f].code.as_str()),
            top_k: Some(setup.top_k),
            default_top_k: default_top_k(setup.prepared.n_units()),
        },
    );
    let mut files = robust_files(index.model(), &summary, &run);
    scenario.add_file(&mut files);
    Ok(RobustResult {
        run,
        summary,
        files,
    })
}

impl RobustResult {
    /// The CSV tables of the report folder, as (file name, text) pairs.
    pub fn tables(&self) -> Vec<(String, String)> {
        super::csv_tables(&self.files)
    }

    /// The combined verdict, with every number its sentences quote.
    pub fn verdict(&self) -> &RobustVerdict {
        &self.run.verdict
    }

    /// The verdict as the report states it: one sentence.
    pub fn verdict_sentence(&self) -> String {
        robust_text(&self.run.verdict, &self.run.uncertainty.convergence).sentence
    }

    /// Every unit's rank statistics from the Monte Carlo part, in data order.
    pub fn units(&self) -> &[UnitRankStats] {
        &self.run.uncertainty.stats.units
    }

    /// One unit's rank statistics, by uCode or name.
    pub fn unit(&self, code_or_name: &str) -> Option<&UnitRankStats> {
        self.units()
            .iter()
            .find(|u| u.code == code_or_name || u.name == code_or_name)
    }

    /// Parts that could not be computed for this index, and why.
    pub fn notes(&self) -> &[String] {
        &self.run.notes
    }

    /// The summary.json envelope (`robust --format json`).
    pub fn summary_json(&self) -> String {
        self.summary.to_json()
    }

    /// report.md (`robust --format markdown`).
    pub fn report_markdown(&self) -> String {
        String::from_utf8_lossy(self.files.get("report.md").unwrap_or_default()).into_owned()
    }

    /// The names of the report's files (report.md, report.html, CSVs, charts, summary.json).
    pub fn file_names(&self) -> Vec<String> {
        self.files
            .files
            .iter()
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Writes the report folder `robust --out DIR` writes, all or nothing; returns the paths.
    pub fn write_report(&self, folder: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        Ok(self.files.write_to(folder.as_ref())?)
    }
}
