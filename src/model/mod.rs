//! The index in memory: units, the framework tree, raw indicator data, groups, denominators and the nominal method.
//!
//! `load` reads COINr-style `meta.csv`/`data.csv` plus `index.toml` into an [`Index`];
//! `validate` holds the rules every index must satisfy, each failure reported with file, line,
//! column and fix. Everything downstream works on the validated [`Index`] only.

pub mod embedded;
pub mod error;
pub(crate) mod input;
pub mod load;
pub mod method;
pub mod template;
pub mod toml;
pub mod validate;

pub use error::{Diagnostic, LoadError, Location};
pub use load::{load_dir, load_files, load_from_strings};

use serde::Serialize;

use method::Method;

/// A column-major matrix: `n_rows` units × `n_cols` columns, column `j` contiguous.
///
/// Column-major because every pipeline stage works on one indicator over all units.
/// Missing values are `NaN`.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    n_rows: usize,
    n_cols: usize,
    data: Vec<f64>,
}

impl Columns {
    /// A matrix filled with `value`.
    pub fn filled(n_rows: usize, n_cols: usize, value: f64) -> Self {
        Columns {
            n_rows,
            n_cols,
            data: vec![value; n_rows * n_cols],
        }
    }

    /// Builds from columns; every column must have `n_rows` entries.
    pub fn from_columns(n_rows: usize, columns: Vec<Vec<f64>>) -> Self {
        let n_cols = columns.len();
        let mut data = Vec::with_capacity(n_rows * n_cols);
        for column in columns {
            assert_eq!(column.len(), n_rows, "column length must equal n_rows");
            data.extend(column);
        }
        Columns {
            n_rows,
            n_cols,
            data,
        }
    }

    pub fn n_rows(&self) -> usize {
        self.n_rows
    }
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }
    pub fn col(&self, j: usize) -> &[f64] {
        &self.data[j * self.n_rows..(j + 1) * self.n_rows]
    }
    pub fn col_mut(&mut self, j: usize) -> &mut [f64] {
        &mut self.data[j * self.n_rows..(j + 1) * self.n_rows]
    }
    pub fn get(&self, row: usize, col: usize) -> f64 {
        self.data[col * self.n_rows + row]
    }
    pub fn set(&mut self, row: usize, col: usize, value: f64) {
        self.data[col * self.n_rows + row] = value;
    }
    /// All values, column after column.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
    /// All values, column after column, for overwriting in place.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }
    /// Keeps only the given rows, in the given order.
    pub fn select_rows(&self, rows: &[usize]) -> Columns {
        let columns = (0..self.n_cols)
            .map(|j| rows.iter().map(|&r| self.get(r, j)).collect())
            .collect();
        Columns::from_columns(rows.len(), columns)
    }
}

/// One unit (city, country, ...) being ranked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
}

/// One node of the framework tree: an indicator (level 1) or an aggregate (level ≥ 2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub code: String,
    pub name: String,
    /// 1 for indicators; the top node has the highest level.
    pub level: usize,
    /// Nominal weight relative to its siblings (renormalised within the parent when scoring).
    pub weight: f64,
    /// Index of the parent node; `None` only for the top node.
    pub parent: Option<usize>,
    /// Indices of the children (empty for indicators), in meta.csv order.
    pub children: Vec<usize>,
}

/// Per-indicator metadata that the pipeline needs beyond the tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorInfo {
    /// +1 if higher is better, −1 if lower is better.
    pub direction: f64,
    /// Index into [`Index::denominators`], if this indicator is divided by one.
    pub denominator: Option<usize>,
    /// `Goalpost_lower`, `Goalpost_upper` from meta.csv.
    pub goalposts: Option<(f64, f64)>,
    /// `Target` from meta.csv.
    pub target: Option<f64>,
    /// Measurement unit label (`Unit` column), for reports.
    pub unit_label: Option<String>,
}

/// The framework tree. Nodes are stored bottom-up: indicators `0..n_indicators` in meta.csv
/// order, then aggregates by ascending level (meta.csv order within a level), so a single
/// forward pass over the aggregates scores the whole tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Framework {
    pub nodes: Vec<Node>,
    pub indicators: Vec<IndicatorInfo>,
    /// Index of the single top node (the index itself).
    pub top: usize,
    /// Level of the top node; levels run 1..=n_levels.
    pub n_levels: usize,
    /// Optional names of the levels, bottom-up (e.g. Indicator, Pillar, Sub-index, Index).
    pub level_names: Vec<String>,
}

impl Framework {
    pub fn n_indicators(&self) -> usize {
        self.indicators.len()
    }
    pub fn n_nodes(&self) -> usize {
        self.nodes.len()
    }
    /// Number of aggregate levels (levels 2..=n_levels), i.e. aggregation steps.
    pub fn n_aggregate_levels(&self) -> usize {
        self.n_levels - 1
    }
    /// Aggregate node indices (level ≥ 2), bottom-up.
    pub fn aggregates(&self) -> std::ops::Range<usize> {
        self.n_indicators()..self.nodes.len()
    }
    /// Node indices of one level, in storage order.
    pub fn level_nodes(&self, level: usize) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].level == level)
            .collect()
    }
    /// Aggregate nodes top-down (top first, then level by level), the column order of reports.
    pub fn aggregates_top_down(&self) -> Vec<usize> {
        (2..=self.n_levels)
            .rev()
            .flat_map(|level| self.level_nodes(level))
            .collect()
    }
    /// Finds a node by code.
    pub fn find(&self, code: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.code == code)
    }
    /// The display name of a level (falls back to "Level N").
    pub fn level_name(&self, level: usize) -> String {
        self.level_names
            .get(level.wrapping_sub(1))
            .cloned()
            .unwrap_or_else(|| format!("Level {level}"))
    }
    /// Nominal weights of all nodes, indexed like `nodes`.
    pub fn nominal_weights(&self) -> Vec<f64> {
        self.nodes.iter().map(|n| n.weight).collect()
    }
    /// The indicators below a node (the node itself if it is an indicator).
    pub fn indicators_under(&self, node: usize) -> Vec<usize> {
        if node < self.n_indicators() {
            return vec![node];
        }
        self.nodes[node]
            .children
            .iter()
            .flat_map(|&c| self.indicators_under(c))
            .collect()
    }
}

/// A grouping column of data.csv (e.g. `EurAsia_group`): used for group imputation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupColumn {
    pub code: String,
    /// One entry per unit; `None` when the cell is empty.
    pub values: Vec<Option<String>>,
}

/// A denominator column of data.csv (e.g. `GDP`): indicators may be divided by it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DenominatorColumn {
    pub code: String,
    /// One entry per unit; `NaN` when missing.
    pub values: Vec<f64>,
}

/// Descriptive information about an index, from `index.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct IndexInfo {
    pub name: String,
    pub description: String,
    /// Where the data come from and how far they can be trusted.
    pub provenance: String,
    /// True when the values are a reconstruction rather than the publisher's data; every
    /// report then says so.
    pub reconstruction: bool,
    /// Default focus unit (uCode).
    pub focus: Option<String>,
    /// Where the index was read from, for reports (`embedded:ieci2022`, a directory, ...).
    pub source: String,
    /// SHA-256 of meta.csv, data.csv and index.toml, for replayable reports.
    pub input_hash: String,
}

/// A loaded, validated composite indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub info: IndexInfo,
    pub units: Vec<Unit>,
    pub framework: Framework,
    /// Raw indicator values: units × indicators, NaN for missing.
    pub raw: Columns,
    pub groups: Vec<GroupColumn>,
    pub denominators: Vec<DenominatorColumn>,
    pub nominal: Method,
    /// Where the nominal method was written, for messages about it.
    pub method_locations: MethodLocations,
    /// Problems that do not stop the index from loading (e.g. a data.csv column that meta.csv
    /// does not declare and that is therefore ignored), located like load errors. Every
    /// command shows them; reports record them.
    pub warnings: Vec<Diagnostic>,
}

/// Where `index.toml` sets the nominal normalisation and aggregation (file, line, key).
#[derive(Debug, Clone, PartialEq)]
pub struct MethodLocations {
    pub normalisation: error::Location,
    pub aggregation: error::Location,
}

impl Default for MethodLocations {
    /// The keys of an `index.toml` without a known line (an index built in code).
    fn default() -> Self {
        MethodLocations {
            normalisation: error::Location::file("index.toml").column("method.normalisation"),
            aggregation: error::Location::file("index.toml").column("method.aggregation"),
        }
    }
}

impl Index {
    pub fn n_units(&self) -> usize {
        self.units.len()
    }
    /// Finds a unit by code (exact) or, failing that, by name (case-insensitive).
    pub fn find_unit(&self, code_or_name: &str) -> Option<usize> {
        self.units
            .iter()
            .position(|u| u.code == code_or_name)
            .or_else(|| {
                self.units
                    .iter()
                    .position(|u| u.name.eq_ignore_ascii_case(code_or_name))
            })
            .or_else(|| {
                self.units
                    .iter()
                    .position(|u| u.code.eq_ignore_ascii_case(code_or_name))
            })
    }
    pub fn group(&self, code: &str) -> Option<&GroupColumn> {
        self.groups.iter().find(|g| g.code == code)
    }
}
