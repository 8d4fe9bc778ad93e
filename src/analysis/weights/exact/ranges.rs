//! The weight ranges an exact analysis ranges over: ±spread around the nominal weights, a
//! scenario's `[[weights]]` entries, or a `code,lo,hi` region file.

use super::*;
use crate::analysis::weights::linear::{
    WeightAnalysisError, read_region_rows, unknown_region_code,
};
use crate::model::Diagnostic;

/// A raw interval for one framework node's weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NodeRange {
    pub node: usize,
    pub lower: f64,
    pub upper: f64,
}

/// A weight range on an [`ExactModel`].
#[derive(Debug, Clone, PartialEq)]
pub enum RangeSpec {
    /// Every weight of the set within `nominal · (1 ± spread)`.
    Spread(f64),
    /// Raw intervals per framework node; the rest stay nominal.
    Nodes(Vec<NodeRange>),
    /// A `code,lo,hi` CSV ([`WeightRegion::read_csv`]): its text and its name for messages.
    File { text: String, file: String },
}

/// Where the weight range of a bounds request comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum RangeSource {
    /// `nominal · (1 ± spread)` for every weight of the set.
    Spread(f64),
    /// The `[[weights]]` entries of a scenario; `label` names it in reports.
    Scenario {
        scenario: Box<Scenario>,
        label: String,
    },
    /// A `code,lo,hi` file: its text and name. Raw values, like meta.csv's `Weight` column
    /// (effective weights with [`WeightSet::Effective`]).
    File { text: String, file: String },
}

/// What a scenario's `[[weights]]` entries describe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioRanges {
    /// The levels whose weights vary, ascending.
    pub levels: Vec<usize>,
    /// Raw intervals of the varying weights.
    pub ranges: Vec<NodeRange>,
    /// What the exact analysis leaves out of the scenario.
    pub notes: Vec<String>,
}

/// The per-node ranges a scenario's `[[weights]]` entries describe (uniform: `nominal · (1 ±
/// spread)`; simplex and Dirichlet: `[0, Σ siblings]`, i.e. the whole simplex; fixed: none).
pub fn scenario_ranges(
    scenario: &Scenario,
    framework: &Framework,
) -> Result<ScenarioRanges, ExactError> {
    let weights = framework.nominal_weights();
    let mut ranges: Vec<NodeRange> = Vec::new();
    let mut notes = Vec::new();
    for spec in &scenario.weights {
        let parents = spec.parents(framework);
        if parents.is_empty() {
            return Err(input_error(
                format!(
                    "the scenario's [[weights]] entry for {} matches no node of the index",
                    spec.target
                ),
                "check the scenario against this index",
            )
            .with_remedy(Remedy::ValidateScenario));
        }
        for parent in parents {
            let children = &framework.nodes[parent].children;
            let total: f64 = children.iter().map(|&c| weights[c]).sum();
            for &child in children {
                let (lower, upper) = match spec.mode {
                    WeightMode::Uniform { spread } => (
                        weights[child] * (1.0 - spread),
                        weights[child] * (1.0 + spread),
                    ),
                    WeightMode::Simplex | WeightMode::Dirichlet { .. } => (0.0, total),
                    WeightMode::Fixed => continue,
                };
                ranges.retain(|r| r.node != child);
                ranges.push(NodeRange {
                    node: child,
                    lower,
                    upper,
                });
            }
        }
        if matches!(spec.mode, WeightMode::Dirichlet { .. }) {
            notes.push(format!(
                "the Dirichlet weights of {} range over their support, the whole weight simplex",
                spec.target
            ));
        }
    }
    if ranges.is_empty() {
        return Err(input_error(
            format!("scenario {} varies no weights", scenario.source),
            "give a scenario with a non-fixed [[weights]] entry, or vary the weights by a \
             relative spread instead",
        )
        .with_remedy(Remedy::Spread));
    }
    let mut levels: Vec<usize> = ranges
        .iter()
        .map(|r| framework.nodes[r.node].level)
        .collect();
    levels.sort_unstable();
    levels.dedup();
    let mut held = Vec::new();
    if scenario.normalisation.is_some() {
        held.push("normalisation");
    }
    if !scenario.aggregation.is_empty() {
        held.push("aggregation");
    }
    if scenario.imputation.is_some() {
        held.push("imputation");
    }
    if scenario.treatment.is_some() {
        held.push("treatment");
    }
    if scenario.exclusion.is_some() {
        held.push("indicator exclusion");
    }
    if !held.is_empty() {
        let held: Vec<String> = held.into_iter().map(String::from).collect();
        notes.push(format!(
            "the scenario's other factors ({}) are held at the nominal method",
            join_and(&held)
        ));
    }
    Ok(ScenarioRanges {
        levels,
        ranges,
        notes,
    })
}

/// The levels of the codes listed in a `code,lo,hi` file (read by the one region-file reader;
/// unknown codes and the top node are input errors with the file's line).
pub fn region_file_levels(
    text: &str,
    file: &str,
    framework: &Framework,
) -> Result<Vec<usize>, ExactError> {
    let mut levels = Vec::new();
    for row in read_region_rows(text, file)? {
        let Some(node) = framework.find(&row.code) else {
            let weighted = framework.nodes.iter().filter(|n| n.parent.is_some());
            return Err(unknown_region_code(&row, weighted.map(|n| n.code.as_str())).into());
        };
        if framework.nodes[node].parent.is_none() {
            return Err(WeightAnalysisError::RegionFile(Box::new(Diagnostic::new(
                row.code_at,
                format!(
                    "`{}` is the index itself, whose weight has no siblings",
                    row.code
                ),
                "list weights below the top node",
            )))
            .into());
        }
        levels.push(framework.nodes[node].level);
    }
    levels.sort_unstable();
    levels.dedup();
    Ok(levels)
}
