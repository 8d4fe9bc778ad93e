//! Which units a per-unit chart (rank intervals, acceptability heat map) shows: all of them, or
//! for a large index a band around the focus, and the sentence that says so in the title.

use crate::analysis::rank_stats::UncertaintyStats;

/// Most units a per-unit chart shows before it shows a band around the focus instead.
pub const MAX_CHART_UNITS: usize = 60;

/// Units to chart: all of them, or for large indices the nominal top and a band around the
/// focus, so that names stay readable.
pub fn chart_units(stats: &UncertaintyStats, focus: Option<usize>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..stats.units.len()).collect();
    order.sort_by_key(|&u| (stats.units[u].nominal_rank, u));
    if order.len() <= MAX_CHART_UNITS {
        return order;
    }
    let position = focus
        .and_then(|f| order.iter().position(|&u| u == f))
        .unwrap_or(0);
    let half = MAX_CHART_UNITS / 2;
    let start = position
        .saturating_sub(half)
        .min(order.len() - MAX_CHART_UNITS);
    order[start..start + MAX_CHART_UNITS].to_vec()
}

/// For a chart of a large index, which units it shows: "60 of 300 units (nominal ranks 101–160,
/// around Beijing)"; `None` when it shows them all.
pub fn chart_scope(stats: &UncertaintyStats, focus: Option<usize>) -> Option<String> {
    let units = chart_units(stats, focus);
    if units.len() == stats.units.len() {
        return None;
    }
    let ranks: Vec<u32> = units.iter().map(|&u| stats.units[u].nominal_rank).collect();
    let (first, last) = (
        ranks.iter().copied().min().unwrap_or(1),
        ranks.iter().copied().max().unwrap_or(1),
    );
    let around = focus
        .filter(|f| units.contains(f))
        .map(|f| format!(", around {}", stats.units[f].name))
        .unwrap_or_default();
    Some(format!(
        "{} of {} units (nominal ranks {first}–{last}{around})",
        units.len(),
        stats.units.len()
    ))
}
