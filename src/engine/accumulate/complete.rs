//! Completing an accumulator: every unit's window put in its canonical form and its rank
//! statistics read from it, units in parallel (the final step of every run).
//!
//! Each unit's result depends on its own window alone, so the units are split over the
//! calling thread pool (the run's, via `install`) and the result does not depend on the split.
//! On a large index this step is a run's serial tail (at 33,000 units, sorting each sparse
//! window's bins and walking them): run on one thread it left the other cores idle.

use rayon::prelude::*;

use super::{Accumulator, RankWindow};

/// Units per parallel work item: enough to amortise scheduling, small enough to spread a
/// 33,000-unit index over the threads evenly.
const UNITS_PER_TASK: usize = 512;

/// One unit's rank statistics, read from its window.
#[derive(Debug, Clone, Copy)]
struct UnitStats {
    best: u32,
    worst: u32,
    sum: u64,
    squares: u128,
    shift: u64,
    at_nominal: u64,
    first: u64,
    kept: u64,
    top: u64,
    bottom: u64,
}

impl Accumulator {
    /// Fills the rank statistics that [`Accumulator::record`] leaves to the histogram when
    /// every rank has its own bin (best/worst rank, Σ rank, Σ rank², Σ |rank − nominal|, the
    /// hit counts and the bands). Idempotent; the engine calls it on every accumulator it
    /// returns, so merged accumulators stay consistent.
    pub fn complete(&mut self, nominal_ranks: &[u32], top_k: u32) {
        // Trimmed windows are the canonical form: equal counts, equal fields and bytes.
        self.rank_counts
            .par_iter_mut()
            .with_min_len(UNITS_PER_TASK)
            .for_each(RankWindow::trim);
        if self.bins.width != 1 {
            return;
        }
        let n = self.n_units;
        let n_bands = self.n_bands;
        let units = n.min(nominal_ranks.len());
        if n_bands == 0 || units == 0 {
            // No bands to fill (a layout never has none); the statistics one unit at a time.
            for (u, &nominal) in nominal_ranks.iter().enumerate().take(units) {
                let stats = unit_stats(&self.rank_counts[u], nominal, top_k, n, &mut []);
                self.set(u, &stats);
            }
            return;
        }
        let windows = &self.rank_counts;
        let stats: Vec<UnitStats> = self.band_counts[..units * n_bands]
            .par_chunks_mut(n_bands)
            .with_min_len(UNITS_PER_TASK)
            .enumerate()
            .map(|(u, bands)| unit_stats(&windows[u], nominal_ranks[u], top_k, n, bands))
            .collect();
        for (u, stats) in stats.iter().enumerate() {
            self.set(u, stats);
        }
    }

    /// Stores unit `u`'s statistics.
    fn set(&mut self, u: usize, stats: &UnitStats) {
        self.best_rank[u] = stats.best;
        self.worst_rank[u] = stats.worst;
        self.rank_sum[u] = stats.sum;
        self.rank_sq_sum[u] = stats.squares;
        self.abs_shift_sum[u] = stats.shift;
        self.nominal_rank_hits[u] = stats.at_nominal;
        self.first_hits[u] = stats.first;
        self.nominal_or_better_hits[u] = stats.kept;
        self.top_k_hits[u] = stats.top;
        self.bottom_k_hits[u] = stats.bottom;
    }
}

/// The statistics of a unit whose nominal rank is `nominal` from its (trimmed) window of
/// ranks among `n` units, and its samples per rank band into `bands` (overwritten; the bands
/// split the n ranks evenly).
fn unit_stats(
    window: &RankWindow,
    nominal: u32,
    top_k: u32,
    n: usize,
    bands: &mut [u64],
) -> UnitStats {
    let n_bands = bands.len();
    let band_of = |rank: usize| (rank - 1) * n_bands / n;
    let (mut best, mut worst) = (u32::MAX, 0);
    let (mut sum, mut squares, mut shift) = (0u64, 0u128, 0u64);
    let (mut kept, mut top, mut bottom, mut at_nominal) = (0u64, 0u64, 0u64, 0u64);
    bands.fill(0);
    for (bin, c) in window.iter() {
        let rank = bin as u32 + 1;
        best = best.min(rank);
        worst = worst.max(rank);
        sum += u64::from(rank) * c;
        squares += u128::from(rank) * u128::from(rank) * u128::from(c);
        shift += u64::from(rank.abs_diff(nominal)) * c;
        if rank <= nominal {
            kept += c;
        }
        if rank == nominal {
            at_nominal = c;
        }
        if rank <= top_k {
            top += c;
        }
        if rank as usize + top_k as usize > n {
            bottom += c;
        }
        if n_bands > 0 {
            bands[band_of(rank as usize)] += c;
        }
    }
    UnitStats {
        best,
        worst,
        sum,
        squares,
        shift,
        at_nominal,
        first: match window.iter().next() {
            Some((0, count)) => count,
            _ => 0,
        },
        kept,
        top,
        bottom,
    }
}
