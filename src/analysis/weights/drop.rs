//! Dropping elements (COINr `remove_elements`): each node of a level gets zero weight in turn, the index is re-scored, and every unit's rank change and the mean absolute rank change are reported.
//!
//! Semantics follow COINr's `remove_elements` (Becker et al. 2022): the element is not deleted
//! but its weight is set to zero, so its parent renormalises over the remaining children (a
//! parent left without weighted children is missing and its own parent renormalises in turn).
//! Ranks are descending with ties sharing the best rank; the change of unit `u` is
//! `nominal_rank_u − rank_u` (positive = the unit moves up), and the mean absolute rank change
//! `mean_u |nominal_rank_u − rank_u|` is missing when any unit's index score is missing, as in
//! COINr (no `na.rm`). This is the leave-one-out robustness check of the OECD/JRC Handbook
//! (2008, step 7).

use serde::Serialize;

use super::exact::{
    ExactError, MethodDescription, MethodOverride, NominalScores, Remedy, Rescorer, input_error,
};
use crate::model::Index;

/// A request to drop every element of some levels in turn.
#[derive(Debug, Clone, PartialEq)]
pub struct DropRequest {
    pub method: MethodOverride,
    /// Levels whose nodes are dropped one at a time (1 = indicators); `None` = the top node's
    /// children's level.
    pub levels: Option<Vec<usize>>,
    pub focus: Option<String>,
}

/// One dropped element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DropRow {
    pub removed: String,
    pub name: String,
    pub level: usize,
    /// Rank of every unit without the element; `None` where the index score is missing.
    pub ranks: Vec<Option<u32>>,
    /// `mean_u |nominal_rank_u − rank_u|`; `None` if any rank is missing.
    pub mean_abs_rank_change: Option<f64>,
}

impl DropRow {
    /// `nominal − rank` of unit `u` (positive = moves up).
    pub fn change(&self, nominal_ranks: &[u32], unit: usize) -> Option<i64> {
        self.ranks[unit].map(|r| i64::from(nominal_ranks[unit]) - i64::from(r))
    }
}

/// Every unit's rank with each element dropped in turn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DropResult {
    pub levels: Vec<usize>,
    pub unit_codes: Vec<String>,
    pub unit_names: Vec<String>,
    pub nominal_ranks: Vec<u32>,
    pub rows: Vec<DropRow>,
    pub focus: Option<usize>,
    pub method: MethodDescription,
}

impl DropResult {
    /// The element whose removal changes ranks most (largest mean absolute change).
    pub fn most_influential(&self) -> Option<&DropRow> {
        self.rows
            .iter()
            .filter(|r| r.mean_abs_rank_change.is_some())
            .max_by(|a, b| {
                a.mean_abs_rank_change
                    .unwrap_or(0.0)
                    .total_cmp(&b.mean_abs_rank_change.unwrap_or(0.0))
            })
    }
}

/// Drops each node of the requested levels in turn (module documentation).
pub fn drop_elements(index: &Index, request: &DropRequest) -> Result<DropResult, ExactError> {
    let nominal = NominalScores::new(index, &request.method)?;
    let framework = nominal.framework();
    let top = framework.n_levels;
    let mut levels = request.levels.clone().unwrap_or_else(|| vec![top - 1]);
    levels.sort_unstable();
    levels.dedup();
    if let Some(&level) = levels.iter().find(|&&l| l == 0 || l >= top) {
        return Err(input_error(
            format!("level {level} has no elements to drop (the index has levels 1 to {top})"),
            format!(
                "use a level from 1 (indicators) to {} ({})",
                top - 1,
                framework.level_name(top - 1)
            ),
        ));
    }
    if levels.is_empty() {
        return Err(
            input_error("no level given", "name a level, e.g. 2").with_remedy(Remedy::Level),
        );
    }
    let focus = nominal.focus(request.focus.as_deref(), index)?;
    let nominal_ranks = nominal.nominal_ranks().to_vec();
    let mut rescorer = Rescorer::new(&nominal);
    let mut rows = Vec::new();
    for &level in &levels {
        for node in framework.level_nodes(level) {
            rescorer.reset();
            rescorer.weights_mut()[node] = 0.0;
            let ranks_all = rescorer.top_ranks().to_vec();
            let ranks: Vec<Option<u32>> = ranks_all
                .iter()
                .zip(rescorer.top_scores())
                .map(|(&r, s)| (!s.is_nan()).then_some(r))
                .collect();
            let mean_abs_rank_change = ranks
                .iter()
                .zip(&nominal_ranks)
                .map(|(r, &n)| r.map(|r| (f64::from(n) - f64::from(r)).abs()))
                .sum::<Option<f64>>()
                .map(|total| total / ranks.len() as f64);
            let element = &framework.nodes[node];
            rows.push(DropRow {
                removed: element.code.clone(),
                name: element.name.clone(),
                level,
                ranks,
                mean_abs_rank_change,
            });
        }
    }
    Ok(DropResult {
        levels,
        unit_codes: nominal.prepared.unit_codes(),
        unit_names: nominal.prepared.unit_names(),
        nominal_ranks,
        rows,
        focus,
        method: nominal.method.clone(),
    })
}
