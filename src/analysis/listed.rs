//! Which units a large index's run is about: above [`COMPACT_OUTPUT_UNITS`] units, the top k,
//! the focus and the units within [`LISTED_NEIGHBOURS`] nominal ranks of it.
//!
//! One home for the selection, because three things follow it: summary.json lists only these
//! units' statistics (the other CSV tables keep every unit), rank_histogram.csv holds only
//! their rank counts (every unit's would be one row per unit and rank taken: gigabytes at
//! 33,000 units), and a converged run's stop rule waits only for these units' headline numbers. At 33,000 units the stop rule over every unit meant
//! about 100,000 quantiles and probabilities, and a mid-table unit's quantiles need up to
//! ~108,000 samples each (see [`super::convergence`]): the run went to 160,000 samples for
//! numbers no report prints. Every other unit's quantiles keep their state (settled, a
//! boundary, or the ranks still possible) in rank_stats.csv, so nothing is passed off as
//! settled.

use super::rank_stats::UncertaintyStats;

/// Units above which a run's outputs and stop rule are about the listed units only.
pub const COMPACT_OUTPUT_UNITS: usize = 1_000;

/// Nominal ranks either side of the focus whose units are listed.
pub const LISTED_NEIGHBOURS: u32 = 10;

/// The listed units of a large index, by nominal rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    pub top_k: u32,
    /// The focus unit's nominal rank, if there is a focus.
    pub focus_rank: Option<u32>,
}

impl Listed {
    /// The selection for an index of `units` units; `None` at or below
    /// [`COMPACT_OUTPUT_UNITS`], where every unit is listed.
    pub fn for_index(units: usize, top_k: u32, focus_rank: Option<u32>) -> Option<Listed> {
        (units > COMPACT_OUTPUT_UNITS).then_some(Listed { top_k, focus_rank })
    }

    /// The selection for a run's statistics, `focus` being the focus unit's position in
    /// `stats.units`.
    pub fn for_stats(stats: &UncertaintyStats, focus: Option<usize>) -> Option<Listed> {
        let focus_rank = focus.map(|f| stats.units[f].nominal_rank);
        Listed::for_index(stats.units.len(), stats.top_k, focus_rank)
    }

    /// Whether the unit of this nominal rank is listed.
    pub fn contains(&self, nominal_rank: u32) -> bool {
        nominal_rank <= self.top_k
            || self
                .focus_rank
                .is_some_and(|focus| nominal_rank.abs_diff(focus) <= LISTED_NEIGHBOURS)
    }

    /// The selection in words: "the top 10, U22238 and the units within 10 nominal ranks of it".
    pub fn describe(&self, focus_code: Option<&str>) -> String {
        match focus_code {
            Some(focus) => format!(
                "the top {}, {focus} and the units within {LISTED_NEIGHBOURS} nominal ranks of it",
                self.top_k
            ),
            None => format!("the top {}", self.top_k),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_indices_list_every_unit() {
        assert_eq!(Listed::for_index(COMPACT_OUTPUT_UNITS, 10, Some(500)), None);
        assert!(Listed::for_index(COMPACT_OUTPUT_UNITS + 1, 10, Some(500)).is_some());
    }

    #[test]
    fn the_top_k_and_the_focus_neighbourhood_are_listed() {
        let listed = Listed::for_index(33_000, 10, Some(16_501)).unwrap();
        let ranks: Vec<u32> = (1..=33_000).filter(|&r| listed.contains(r)).collect();
        let expected: Vec<u32> = (1..=10).chain(16_491..=16_511).collect();
        assert_eq!(ranks, expected);
        let no_focus = Listed::for_index(33_000, 10, None).unwrap();
        assert_eq!((1..=33_000).filter(|&r| no_focus.contains(r)).count(), 10);
        assert_eq!(no_focus.describe(None), "the top 10");
    }
}
