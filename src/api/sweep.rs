//! `sweep`: every unit's rank as one weight moves across a range (its siblings rescaled), or the focus unit's rank over every weighting of three sibling weights (a simplex map).

use std::path::{Path, PathBuf};

use super::{Error, Index};
use crate::analysis::weights::exact::MethodOverride;
use crate::analysis::weights::sweep::{
    self as analysis, SimplexRequest, SweepRequest, simplex_map, sweep_weight,
};
use crate::model::method::{Aggregation, Normalisation};
use crate::report::exact::{
    simplex_csv, simplex_files, simplex_sentence, simplex_summary, sweep_csv, sweep_files,
    sweep_sentence, sweep_summary,
};
use crate::report::output::Files;
use crate::report::summary::Summary;

pub use crate::analysis::weights::sweep::{SimplexPoint, SimplexResult as SimplexMap};

/// Options of [`sweep`]; the default is the command line's (the index's first child swept
/// from 0 to 1 in 51 points).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepOptions {
    /// What-if: this normalisation instead of the nominal one.
    pub normalisation: Option<Normalisation>,
    /// What-if: this aggregation at every level.
    pub aggregation: Option<Aggregation>,
    /// The node whose normalised weight within its parent is swept; `None` = the index's
    /// first child.
    pub weight: Option<String>,
    /// First normalised weight of the sweep, in [0, 1].
    pub from: f64,
    /// Last normalised weight of the sweep, above `from` and at most 1.
    pub to: f64,
    /// Number of points, both ends included (at least 2).
    pub steps: usize,
    /// The unit the sentence is about (uCode or name); `None` = the index's focus.
    pub focus: Option<String>,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            normalisation: None,
            aggregation: None,
            weight: None,
            from: 0.0,
            to: 1.0,
            steps: 51,
            focus: None,
        }
    }
}

/// The result of [`sweep`]: every unit's rank and score at every point.
pub struct SweepResult {
    result: analysis::SweepResult,
    summary: Summary,
    files: Files,
}

/// Sweeps one weight: the same numbers as `ranksense sweep --weight`.
pub fn sweep(index: &Index, options: SweepOptions) -> Result<SweepResult, Error> {
    let request = SweepRequest {
        method: MethodOverride {
            normalisation: options.normalisation,
            aggregation: options.aggregation,
        },
        weight: options.weight,
        from: options.from,
        to: options.to,
        steps: options.steps,
        focus: options.focus,
    };
    let result = sweep_weight(index.model(), &request)?;
    Ok(SweepResult {
        summary: sweep_summary(index.model(), &result),
        files: sweep_files(index.model(), &result),
        result,
    })
}

impl SweepResult {
    /// The answer in one sentence.
    pub fn sentence(&self) -> String {
        sweep_sentence(&self.result)
    }

    /// The CSV tables of the report folder, as (file name, text) pairs.
    pub fn tables(&self) -> Vec<(String, String)> {
        super::csv_tables(&self.files)
    }

    /// The whole result: the swept weight, its values, every unit's rank and score per point.
    pub fn result(&self) -> &analysis::SweepResult {
        &self.result
    }

    /// sweep.csv (`sweep --format csv`).
    pub fn csv(&self) -> String {
        sweep_csv(&self.result)
    }

    /// The summary.json envelope (`sweep --format json`).
    pub fn summary_json(&self) -> String {
        self.summary.to_json()
    }

    /// Writes the files `sweep --out DIR` writes (sweep.csv, sweep.svg, summary.json), all or
    /// nothing.
    pub fn write_report(&self, folder: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        Ok(self.files.write_to(folder.as_ref())?)
    }
}

/// Options of [`simplex`]; the default is the command line's resolution (steps of 1/60).
#[derive(Debug, Clone, PartialEq)]
pub struct SimplexOptions {
    /// What-if: this normalisation instead of the nominal one.
    pub normalisation: Option<Normalisation>,
    /// What-if: this aggregation at every level.
    pub aggregation: Option<Aggregation>,
    /// The node whose three children's weights are mapped; `None` = the index.
    pub parent: Option<String>,
    /// Grid resolution: weights in steps of 1/resolution.
    pub resolution: usize,
    /// The unit whose rank is mapped (uCode or name); `None` = the index's focus.
    pub focus: Option<String>,
}

impl Default for SimplexOptions {
    fn default() -> Self {
        SimplexOptions {
            normalisation: None,
            aggregation: None,
            parent: None,
            resolution: 60,
            focus: None,
        }
    }
}

/// The result of [`simplex`]: the focus unit's rank at every point of the weight triangle.
pub struct SimplexResult {
    result: SimplexMap,
    summary: Summary,
    files: Files,
}

/// Maps the focus unit's rank over every weighting of three sibling weights: the same numbers
/// as `ranksense sweep --simplex`.
pub fn simplex(index: &Index, options: SimplexOptions) -> Result<SimplexResult, Error> {
    let request = SimplexRequest {
        method: MethodOverride {
            normalisation: options.normalisation,
            aggregation: options.aggregation,
        },
        parent: options.parent,
        resolution: options.resolution,
        focus: options.focus,
    };
    let result = simplex_map(index.model(), &request)?;
    Ok(SimplexResult {
        summary: simplex_summary(index.model(), &result),
        files: simplex_files(index.model(), &result),
        result,
    })
}

impl SimplexResult {
    /// The answer in one sentence.
    pub fn sentence(&self) -> String {
        simplex_sentence(&self.result)
    }

    /// The CSV tables of the report folder, as (file name, text) pairs.
    pub fn tables(&self) -> Vec<(String, String)> {
        super::csv_tables(&self.files)
    }

    /// The whole map: the children, the lattice points with the focus unit's rank, the best
    /// and worst weighting.
    pub fn result(&self) -> &SimplexMap {
        &self.result
    }

    /// simplex.csv (`sweep --simplex --format csv`).
    pub fn csv(&self) -> String {
        simplex_csv(&self.result)
    }

    /// The summary.json envelope (`sweep --simplex --format json`).
    pub fn summary_json(&self) -> String {
        self.summary.to_json()
    }

    /// Writes the files `sweep --simplex --out DIR` writes, all or nothing.
    pub fn write_report(&self, folder: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        Ok(self.files.write_to(folder.as_ref())?)
    }
}
