//! `stability`: how far each weight can move (siblings rescaled) before the focus unit's rank or the top-k order changes, and the smallest weight change that moves the focus one place.

use std::path::{Path, PathBuf};

use super::{Error, Index};
use crate::analysis::weights::exact::{
    FragileWeight, LevelStability, MethodOverride, StabilityReport, StabilityRequest, WeightSet,
    stability_for,
};
use crate::model::method::{Aggregation, Normalisation};
use crate::report::exact::{stability_csv, stability_files, stability_sentence, stability_summary};
use crate::report::summary::Summary;

/// Options of [`stability`]; the default is the command line's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StabilityOptions {
    /// What-if: this normalisation instead of the nominal one.
    pub normalisation: Option<Normalisation>,
    /// What-if: this aggregation at every level.
    pub aggregation: Option<Aggregation>,
    /// Which weights, each level separately; `None` = every level between the indicators and
    /// the index.
    pub weights: Option<WeightSet>,
    /// The unit the answer is about (uCode or name); `None` = the index's focus.
    pub focus: Option<String>,
    /// k of "the top-k order is unchanged"; `None` = 10, capped at the number of units.
    pub top_k: Option<usize>,
}

/// The result of [`stability`]: each weight's stability interval and the minimal moves.
pub struct StabilityResult {
    report: StabilityReport,
    summary: Summary,
    files: crate::report::output::Files,
}

/// Computes exact weight-stability intervals: the same numbers as `ranksense stability`.
pub fn stability(index: &Index, options: StabilityOptions) -> Result<StabilityResult, Error> {
    let request = StabilityRequest {
        method: MethodOverride {
            normalisation: options.normalisation,
            aggregation: options.aggregation,
        },
        weights: options.weights,
        focus: options.focus,
        top_k: options.top_k,
    };
    let report = stability_for(index.model(), &request)?;
    let summary = stability_summary(index.model(), &report);
    let files = stability_files(index.model(), &report);
    Ok(StabilityResult {
        report,
        summary,
        files,
    })
}

impl StabilityResult {
    /// The answer in one sentence.
    pub fn sentence(&self) -> String {
        stability_sentence(&self.report)
    }

    /// The CSV tables of the report folder, as (file name, text) pairs.
    pub fn tables(&self) -> Vec<(String, String)> {
        super::csv_tables(&self.files)
    }

    /// Per analysed level: every weight's interval and the minimal rank-changing moves.
    pub fn levels(&self) -> &[LevelStability] {
        &self.report.sets
    }

    /// The weight whose smallest change moves the focus unit, if any does.
    pub fn most_fragile(&self) -> Option<&FragileWeight> {
        self.report.most_fragile.as_ref()
    }

    /// The focus unit's nominal rank.
    pub fn nominal_rank(&self) -> usize {
        self.report.nominal_rank
    }

    /// The whole report.
    pub fn report(&self) -> &StabilityReport {
        &self.report
    }

    /// stability.csv (`stability --format csv`).
    pub fn csv(&self) -> String {
        stability_csv(&self.report)
    }

    /// The summary.json envelope (`stability --format json`).
    pub fn summary_json(&self) -> String {
        self.summary.to_json()
    }

    /// Writes the files `stability --out DIR` writes, all or nothing.
    pub fn write_report(&self, folder: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        Ok(self.files.write_to(folder.as_ref())?)
    }
}
