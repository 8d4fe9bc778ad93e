//! Model-agnostic sample/analyze workflow: factors TOML → design CSV; design CSV + outputs CSV → Sobol indices (COINr design files accepted).
//!
//! One file per file format: the factors file and the design it samples ([`factors`]), designs
//! in blocks of N rows as ranksense and COINr write them ([`blocks`]), SALib's interleaved
//! designs ([`salib`]), and the model outputs matched to a design's runs ([`output_file`]); here
//! the reading plumbing they share.

mod blocks;
mod factors;
mod output_file;
mod salib;

use std::path::Path;

use serde::Serialize;

use super::SobolError;
use crate::model::input::csv::CsvTable;
use crate::model::{Diagnostic, Location};

pub use blocks::analyze_csv;
pub use factors::{FactorSet, sample_csv, uniform_at};
pub use salib::{analyze_salib_csv, salib_to_blocks};
// Used by the crate's tests and benches only (through the `internals` feature).
#[cfg(any(test, feature = "internals"))]
pub use blocks::{DesignLayout, analyze_csv_str, read_design_layout};
#[cfg(any(test, feature = "internals"))]
pub use factors::{Factor, FactorKind};
#[cfg(any(test, feature = "internals"))]
pub use salib::{SalibLayout, analyze_salib_csv_str, read_salib_design};

/// Name of the design column holding the block label.
const BLOCK_COLUMN: &str = "block";
/// Name of the design/outputs column holding the run number.
const RUN_COLUMN: &str = "run";

/// Row order of a design file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignOrder {
    /// Blocks of N rows: A, B, AB_1 … AB_k (ranksense's and COINr's files, with a `block` column).
    Blocks,
    /// Interleaved per base row j: A_j, AB_j1 … AB_jk, [BA_j1 … BA_jk,] B_j (SALib's
    /// `sobol.sample`; plain numbers, no `block` column).
    Salib,
}

/// Reads the design and outputs files (once, if they are the same file) and hands their texts
/// and names to `analyze`.
fn with_texts<T>(
    design: &Path,
    outputs: &Path,
    analyze: impl FnOnce(&str, &str, &str, &str) -> Result<T, SobolError>,
) -> Result<T, SobolError> {
    let design_text = read_text(design)?;
    let outputs_text = if outputs == design {
        design_text.clone()
    } else {
        read_text(outputs)?
    };
    analyze(
        &design_text,
        &design.display().to_string(),
        &outputs_text,
        &outputs.display().to_string(),
    )
}

/// A design or outputs CSV file, read by the shared table reader; its first problem (a ragged
/// row, a repeated column, …) is the error.
fn read_table(text: &str, file: &str) -> Result<CsvTable, SobolError> {
    let mut diagnostics = Vec::new();
    let table = CsvTable::parse(
        file,
        text,
        "a header line of column names and one row per design run",
        &mut diagnostics,
    );
    match (table, diagnostics.into_iter().next()) {
        (Some(table), None) => Ok(table),
        (_, Some(first)) => Err(SobolError::File(first)),
        (None, None) => unreachable!("the table reader reports why it read no table"),
    }
}

fn read_text(path: &Path) -> Result<String, SobolError> {
    std::fs::read_to_string(path).map_err(|cause| SobolError::Io {
        path: path.display().to_string(),
        cause,
    })
}

fn file_error(
    file: &str,
    line: Option<usize>,
    column: Option<&str>,
    problem: impl Into<String>,
    fix: impl Into<String>,
) -> SobolError {
    let mut location = Location::file(file);
    if let Some(line) = line {
        location = location.line(line);
    }
    if let Some(column) = column {
        location = location.column(column);
    }
    SobolError::File(Diagnostic::new(location, problem, fix))
}
