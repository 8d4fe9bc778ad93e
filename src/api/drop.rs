//! `drop`: every unit's rank with each element of some levels dropped in turn (its weight set to zero, COINr's `remove_elements`).

use std::path::{Path, PathBuf};

use super::{Error, Index};
use crate::analysis::weights::drop::{self as analysis, DropRequest, drop_elements};
use crate::analysis::weights::exact::MethodOverride;
use crate::model::method::{Aggregation, Normalisation};
use crate::report::exact::{drop_csv, drop_files, drop_ranks_csv, drop_sentence, drop_summary};
use crate::report::output::Files;
use crate::report::summary::Summary;

/// Options of [`drop`]; the default is the command line's (the level just below the index).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DropOptions {
    /// What-if: this normalisation instead of the nominal one.
    pub normalisation: Option<Normalisation>,
    /// What-if: this aggregation at every level.
    pub aggregation: Option<Aggregation>,
    /// Levels whose elements are dropped one at a time (1 = indicators); `None` = the level
    /// just below the index.
    pub levels: Option<Vec<usize>>,
    /// The unit the sentence is about (uCode or name); `None` = the index's focus.
    pub focus: Option<String>,
}

/// The result of [`drop`]: every unit's rank without each element.
pub struct DropResult {
    result: analysis::DropResult,
    summary: Summary,
    files: Files,
}

/// Drops each element in turn: the same numbers as `ranksense drop`.
pub fn drop(index: &Index, options: DropOptions) -> Result<DropResult, Error> {
    let request = DropRequest {
        method: MethodOverride {
            normalisation: options.normalisation,
            aggregation: options.aggregation,
        },
        levels: options.levels,
        focus: options.focus,
    };
    let result = drop_elements(index.model(), &request)?;
    Ok(DropResult {
        summary: drop_summary(index.model(), &result),
        files: drop_files(index.model(), &result),
        result,
    })
}

impl DropResult {
    /// The answer in one sentence.
    pub fn sentence(&self) -> String {
        drop_sentence(&self.result)
    }

    /// The CSV tables of the report folder, as (file name, text) pairs.
    pub fn tables(&self) -> Vec<(String, String)> {
        super::csv_tables(&self.files)
    }

    /// The whole result: one row per dropped element with every unit's rank.
    pub fn result(&self) -> &analysis::DropResult {
        &self.result
    }

    /// drop.csv (`drop --format csv`): per dropped element, the focus unit's rank and the
    /// mean absolute rank change.
    pub fn csv(&self) -> String {
        drop_csv(&self.result)
    }

    /// drop_ranks.csv: every unit's rank without each element.
    pub fn ranks_csv(&self) -> String {
        drop_ranks_csv(&self.result)
    }

    /// The summary.json envelope (`drop --format json`).
    pub fn summary_json(&self) -> String {
        self.summary.to_json()
    }

    /// Writes the files `drop --out DIR` writes, all or nothing.
    pub fn write_report(&self, folder: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        Ok(self.files.write_to(folder.as_ref())?)
    }
}
