//! `bounds`: the exact best and worst rank of the focus unit (or every unit) over every weight vector in a range, with the weights that achieve them.

use std::path::{Path, PathBuf};

use super::{Error, Index, Scenario};
use crate::analysis::weights::exact::{
    BoundsReport, BoundsRequest, MethodOverride, RangeSource, UnitBounds, WeightSet,
    bounds_for_observed,
};
use crate::engine::{Observer, Silent};
use crate::model::method::{Aggregation, Normalisation};
use crate::report::exact::{
    bounds_all_sentence, bounds_csv, bounds_files, bounds_sentence, bounds_summary,
};
use crate::report::summary::Summary;

/// The weight range of [`bounds`].
#[derive(Debug, Clone, PartialEq)]
pub enum WeightRange {
    /// Every varying weight within nominal × (1 ± spread), renormalised within its parent.
    Spread(f64),
    /// The weight ranges of a scenario's `[[weights]]` entries (its levels; its other factors
    /// stay nominal).
    Scenario(Box<Scenario>),
    /// A weight box: the text of a CSV with header `code,lo,hi` (raw weights as in meta.csv's
    /// Weight column, renormalised within the parent; unlisted weights stay nominal); `file`
    /// names it in messages.
    Region {
        /// The file's name, for messages.
        file: String,
        /// The CSV text.
        text: String,
    },
}

impl WeightRange {
    /// A weight box read from a `code,lo,hi` CSV file.
    pub fn region_file(path: impl AsRef<Path>) -> Result<WeightRange, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::input(format!(
                "cannot read region file {}: {e}; fix: check the path",
                path.display()
            ))
        })?;
        Ok(WeightRange::Region {
            file: path.display().to_string(),
            text,
        })
    }
}

/// Options of [`bounds`]; the default is the command line's (the focus unit, the weights of
/// the level below the index, ±25%).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundsOptions {
    /// What-if: this normalisation instead of the nominal one.
    pub normalisation: Option<Normalisation>,
    /// What-if: this aggregation at every level.
    pub aggregation: Option<Aggregation>,
    /// Which weights vary; `None` = the level just below the index (or the scenario's levels).
    pub weights: Option<WeightSet>,
    /// The range they vary in.
    pub range: WeightRange,
    /// The unit whose bounds are computed (uCode or name); `None` = the index's focus.
    pub focus: Option<String>,
    /// Bounds for every unit, not only the focus.
    pub all_units: bool,
}

impl Default for BoundsOptions {
    fn default() -> Self {
        BoundsOptions {
            normalisation: None,
            aggregation: None,
            weights: None,
            range: WeightRange::Spread(0.25),
            focus: None,
            all_units: false,
        }
    }
}

/// The result of [`bounds`]: each unit's exact best and worst rank with witness weights.
pub struct BoundsResult {
    report: BoundsReport,
    summary: Summary,
    files: crate::report::output::Files,
}

/// Computes exact rank bounds over a weight range: the same numbers as `ranksense bounds`.
pub fn bounds(index: &Index, options: BoundsOptions) -> Result<BoundsResult, Error> {
    bounds_observed(index, options, &Silent)
}

/// [`bounds`], reporting progress to `observer` and stopping early when it says
/// [`Observer::cancelled`] (the result is then an error with [`Error::is_cancelled`]).
pub fn bounds_observed(
    index: &Index,
    options: BoundsOptions,
    observer: &dyn Observer,
) -> Result<BoundsResult, Error> {
    let range = match options.range {
        WeightRange::Spread(spread) => RangeSource::Spread(spread),
        WeightRange::Scenario(scenario) => {
            scenario.validate(index)?;
            RangeSource::Scenario {
                label: scenario.label().to_string(),
                scenario: Box::new(scenario.model().clone()),
            }
        }
        WeightRange::Region { file, text } => RangeSource::File { text, file },
    };
    let request = BoundsRequest {
        method: MethodOverride {
            normalisation: options.normalisation,
            aggregation: options.aggregation,
        },
        weights: options.weights,
        range,
        focus: options.focus,
        all_units: options.all_units,
    };
    let report = bounds_for_observed(index.model(), &request, observer)?;
    if observer.cancelled() {
        return Err(Error::cancelled());
    }
    let summary = bounds_summary(index.model(), &report);
    let files = bounds_files(index.model(), &report);
    Ok(BoundsResult {
        report,
        summary,
        files,
    })
}

impl BoundsResult {
    /// The answer in one sentence (the focus unit's bounds, or every unit's).
    pub fn sentence(&self) -> String {
        match self.focus() {
            Some(unit) => bounds_sentence(&self.report, unit, Some("bounds.csv")),
            None => bounds_all_sentence(&self.report),
        }
    }

    /// The CSV tables of the report folder, as (file name, text) pairs.
    pub fn tables(&self) -> Vec<(String, String)> {
        super::csv_tables(&self.files)
    }

    /// Every unit bounded (the focus only, unless `all_units`).
    pub fn units(&self) -> &[UnitBounds] {
        &self.report.units
    }

    /// One unit's bounds, by uCode.
    pub fn unit(&self, code: &str) -> Option<&UnitBounds> {
        self.report.unit(code)
    }

    /// The focus unit's bounds, if it was bounded.
    pub fn focus(&self) -> Option<&UnitBounds> {
        self.report
            .focus
            .as_deref()
            .and_then(|f| self.report.unit(f))
    }

    /// The whole report: the weights and their ranges, the method, when the bounds are exact.
    pub fn report(&self) -> &BoundsReport {
        &self.report
    }

    /// bounds.csv (`bounds --format csv`).
    pub fn csv(&self) -> String {
        bounds_csv(&self.report)
    }

    /// The summary.json envelope (`bounds --format json`).
    pub fn summary_json(&self) -> String {
        self.summary.to_json()
    }

    /// Writes the files `bounds --out DIR` writes, all or nothing.
    pub fn write_report(&self, folder: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        Ok(self.files.write_to(folder.as_ref())?)
    }
}
