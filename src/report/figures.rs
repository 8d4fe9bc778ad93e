//! View models for the charts, built from typed results: which numbers each chart shows, not how it draws them.

use super::charts::{HeatmapChart, HistogramChart, RankIntervalChart, RankIntervalRow};
use crate::analysis::rank_stats::{RankDistribution, UncertaintyStats};

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

/// Rank intervals: every (charted) unit by nominal rank, median, 5–95% interval, nominal marker.
pub fn rank_interval_chart(
    stats: &UncertaintyStats,
    focus: Option<usize>,
    title: &str,
) -> RankIntervalChart {
    RankIntervalChart {
        title: title.to_string(),
        rows: chart_units(stats, focus)
            .into_iter()
            .map(|u| {
                let s = &stats.units[u];
                RankIntervalRow {
                    label: s.name.clone(),
                    nominal_rank: f64::from(s.nominal_rank),
                    median_rank: s.median_rank,
                    q05: s.q05_rank,
                    q95: s.q95_rank,
                    highlight: Some(u) == focus,
                }
            })
            .collect(),
        n_units: stats.units.len(),
    }
}

/// Rank acceptability: P(unit has rank r), units × ranks (Lahdelma & Salminen 2001's rank
/// acceptability indices). With binned ranks each bin's probability is spread evenly.
pub fn heatmap_chart(
    stats: &UncertaintyStats,
    distribution: &RankDistribution,
    focus: Option<usize>,
    title: &str,
) -> HeatmapChart {
    let units = chart_units(stats, focus);
    let n = distribution.n_units();
    let probabilities = units
        .iter()
        .map(|&u| {
            let mut row = vec![0.0; n];
            for bin in distribution.bins_of(u) {
                let width = f64::from(bin.to - bin.from + 1);
                for rank in bin.from..=bin.to {
                    row[rank as usize - 1] = bin.probability / width;
                }
            }
            row
        })
        .collect();
    HeatmapChart {
        title: title.to_string(),
        row_labels: units.iter().map(|&u| stats.units[u].name.clone()).collect(),
        n_ranks: n,
        probabilities,
        highlight_row: focus.and_then(|f| units.iter().position(|&u| u == f)),
        nominal_ranks: units
            .iter()
            .map(|&u| stats.units[u].nominal_rank as usize)
            .collect(),
    }
}

/// The focus unit's rank histogram.
pub fn histogram_chart(
    stats: &UncertaintyStats,
    distribution: &RankDistribution,
    focus: usize,
    title: &str,
) -> HistogramChart {
    let mut counts = vec![0u64; distribution.n_units()];
    for bin in distribution.bins_of(focus) {
        // Binned histograms put the bin's count on its first rank.
        counts[bin.from as usize - 1] += bin.count;
    }
    let unit = &stats.units[focus];
    HistogramChart {
        title: title.to_string(),
        unit_label: unit.name.clone(),
        counts,
        nominal_rank: unit.nominal_rank as usize,
        median_rank: unit.median_rank,
    }
}
