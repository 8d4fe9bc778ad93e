//! The weights that deliver the intended importance (issue #16.5, Becker et al. 2017) presented:
//! `weights.csv`, its table and sentence for the reports, summary.json's `optimised_weights`
//! section, and the index files carrying those weights (`coherence --write-weights`).

use serde::Serialize;

use super::format::{fmt_decimals, num};
use super::output::Files;
use super::table::Table;
use crate::analysis::coherence::{Measure, Optimised, Status};
use crate::model::Framework;
use crate::model::input::csv::CsvTable;

/// The name of the table in a report folder.
pub const WEIGHTS_FILE: &str = "weights.csv";

fn parent_code(framework: &Framework, node: usize) -> String {
    framework.nodes[node]
        .parent
        .map_or(String::new(), |p| framework.nodes[p].code.clone())
}

/// `weights.csv`: one row per node below the index: `code, level, parent, nominal_weight,
/// target_share, optimised_weight, nominal_importance, achieved_importance` (weights as shares
/// within the parent; importances normalised within the parent, `NA` where a parent's
/// children cannot all be estimated).
///
/// `digits`: decimals shown (`None`: every digit, for the CSV).
pub fn weights_table(optimised: &Optimised, framework: &Framework, digits: Option<usize>) -> Table {
    let cell = |x: Option<f64>| match digits {
        Some(d) => fmt_decimals(x, d),
        None => x.filter(|v| v.is_finite()).map_or("NA".into(), num),
    };
    let mut table = Table::new(
        &[
            "code",
            "level",
            "parent",
            "nominal_weight",
            "target_share",
            "optimised_weight",
            "nominal_importance",
            "achieved_importance",
        ],
        &["code", "parent"],
    );
    for node in 0..framework.n_nodes() {
        if node == framework.top {
            continue;
        }
        table.push(vec![
            framework.nodes[node].code.clone(),
            framework.nodes[node].level.to_string(),
            parent_code(framework, node),
            cell(Some(optimised.nominal[node])),
            cell(Some(optimised.target[node])),
            cell(Some(optimised.weights[node])),
            cell(optimised.nominal_shares[node]),
            cell(optimised.achieved[node]),
        ]);
    }
    table
}

fn measure_text(measure: Measure) -> &'static str {
    match measure {
        Measure::Eta2 => "normalised η² (the estimator above)",
        Measure::Correlation => "normalised Pearson correlations with the index",
    }
}

/// How the search ended, in one paragraph: converged (with the steps and the largest gap left)
/// or not, in which case the weights are said to be the closest found, not a solution.
pub fn weights_sentence(optimised: &Optimised) -> String {
    let o = optimised;
    let head = format!(
        "Weights that deliver the intended importance (Becker, Saisana, Paruolo & Vandecasteele 2017): the non-negative weights, summing to one within each parent, whose {} match the target shares; the largest gap was {} at the nominal weights.",
        measure_text(o.measure),
        fmt_decimals(Some(o.nominal_fit), 3)
    );
    let tail = match o.status {
        Status::Converged => format!(
            "Converged in {} steps: every share is within {} of its target (largest gap {}).",
            o.iterations,
            num(o.tolerance),
            fmt_decimals(Some(o.fit), 4)
        ),
        Status::Stalled => format!(
            "Not converged: the search stalled after {} steps with a largest gap of {} (tolerance {}); the target cannot be reached from there, and the weights shown are the closest found, not a solution.",
            o.iterations,
            fmt_decimals(Some(o.fit), 3),
            num(o.tolerance)
        ),
        Status::IterationLimit => format!(
            "Not converged: the limit of {} steps came first, with a largest gap of {} (tolerance {}); the weights shown are the closest found, not a solution.",
            o.max_iterations,
            fmt_decimals(Some(o.fit), 3),
            num(o.tolerance)
        ),
    };
    format!("{head} {tail}")
}

/// summary.json's `optimised_weights` section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimisedSummary {
    pub measure: Measure,
    pub status: Status,
    pub converged: bool,
    pub iterations: usize,
    pub max_iterations: usize,
    pub tolerance: f64,
    /// Largest |importance share − target share| at the weights found and at the nominal ones.
    pub fit: f64,
    pub nominal_fit: f64,
    pub nodes: Vec<OptimisedRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimisedRow {
    pub node: String,
    pub parent: String,
    pub nominal_weight: f64,
    pub target_share: f64,
    pub optimised_weight: f64,
    pub nominal_importance: Option<f64>,
    pub achieved_importance: Option<f64>,
}

impl OptimisedSummary {
    pub fn of(optimised: &Optimised, framework: &Framework) -> Self {
        let finite = |x: Option<f64>| x.filter(|v| v.is_finite());
        OptimisedSummary {
            measure: optimised.measure,
            status: optimised.status,
            converged: optimised.converged(),
            iterations: optimised.iterations,
            max_iterations: optimised.max_iterations,
            tolerance: optimised.tolerance,
            fit: optimised.fit,
            nominal_fit: optimised.nominal_fit,
            nodes: (0..framework.n_nodes())
                .filter(|&node| node != framework.top)
                .map(|node| OptimisedRow {
                    node: framework.nodes[node].code.clone(),
                    parent: parent_code(framework, node),
                    nominal_weight: optimised.nominal[node],
                    target_share: optimised.target[node],
                    optimised_weight: optimised.weights[node],
                    nominal_importance: finite(optimised.nominal_shares[node]),
                    achieved_importance: finite(optimised.achieved[node]),
                })
                .collect(),
        }
    }
}

/// `meta_text` (an index's meta.csv, already loaded once) with the `Weight` of every node below
/// the index replaced by `weights` (shares within the parent, every digit: loading the file
/// back gives these weights exactly). Every other cell and row is kept; the file is written
/// comma-separated. `None` if the text has no `iCode` or `Weight` column.
pub fn reweighted_meta_csv(
    meta_text: &str,
    framework: &Framework,
    weights: &[f64],
) -> Option<String> {
    let mut diagnostics = Vec::new();
    let table = CsvTable::parse("meta.csv", meta_text, "meta.csv", &mut diagnostics)?;
    let code_column = table.column_ignoring_case("iCode")?;
    let weight_column = table.column_ignoring_case("Weight")?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&table.header).ok()?;
    for row in &table.rows {
        let mut cells = row.cells.clone();
        if let Some(node) = framework.find(&cells[code_column])
            && node != framework.top
        {
            cells[weight_column] = num(weights[node]);
        }
        writer.write_record(&cells).ok()?;
    }
    String::from_utf8(writer.into_inner().ok()?).ok()
}

/// Where `--write-weights` puts the weights: a path ending in `.csv` is one meta.csv file; any
/// other path is an index folder (meta.csv with the weights, data.csv and index.toml as
/// loaded), which `--data` reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightsTarget {
    MetaFile,
    IndexFolder,
}

impl WeightsTarget {
    pub fn of(path: &std::path::Path) -> Self {
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if is_csv {
            WeightsTarget::MetaFile
        } else {
            WeightsTarget::IndexFolder
        }
    }
}

/// The index folder carrying the optimised weights: meta.csv rewritten by
/// [`reweighted_meta_csv`], data.csv and index.toml unchanged.
pub fn reweighted_index_files(
    meta_text: &str,
    data_text: &str,
    index_toml: Option<&str>,
    framework: &Framework,
    optimised: &Optimised,
) -> Option<Files> {
    let mut files = Files::default();
    files.add(
        "meta.csv",
        reweighted_meta_csv(meta_text, framework, &optimised.weights)?,
    );
    files.add("data.csv", data_text);
    if let Some(toml) = index_toml {
        files.add("index.toml", toml);
    }
    Some(files)
}
