//! How much memory a Monte Carlo run holds: an upper estimate from the layout, the samples and the threads, so that a large run can say so before it starts.
//!
//! Each thread holds one accumulator and its record buffers; at the end the threads'
//! accumulators are added into one (the first thread's becomes the total, each other one is
//! freed once added). With one bin per rank and more than 255 units (exact ranks of a large
//! index), the threads record into one shared set of rank windows
//! ([`super::rank_block::SharedWindows`]), which becomes the total's: the histograms are held
//! once per run, not once per thread plus the merged total. With n units, r pair rows, k
//! weight nodes, f factors, b rank bins and c samples recorded into a set of windows:
//!
//! - fixed part, per accumulator: n × (200 + 8 × bands) + 8 r n (twice when r < n, for the
//!   reverse counts) + 32 r k + 8 f bytes ([`super::Accumulator`]'s per-unit sums and counts);
//! - record buffers, per thread: 88 n + r n (1 byte per counter up to 255 units, else 4;
//!   twice with reverse counts) bytes, of which 64 n the block of ranks not yet added to the
//!   windows ([`super::rank_block::RankBlock`]);
//! - rank histograms: per unit at most min(12 c, 8 b + 128) bytes while recording and
//!   min(4 c, 4 b) once trimmed (8 b past 2^32 − 1 samples) ([`super::histogram`]: 4 bytes
//!   per sample while a window holds fewer samples than it spans bins, in a vector holding up
//!   to twice what it uses, a block adding up to 16 samples before the form is checked, hence
//!   the 128; else 4 per bin of 32-bit counts over up to 1.5 times the bins seen, which are at
//!   most twice the samples). The bound takes every unit's
//!   window as wide as the index: a unit's real window is usually far narrower, so this is the
//!   most a run can take, not what it usually takes.
//!
//! With shared windows the histograms hold all S samples of the run in one set (c = S); else
//! a thread records about c = S / threads of them, and the whole run holds the threads' parts
//! plus the merged histograms of all S samples.

use super::Layout;
use super::accumulate::records_in_blocks;
use super::histogram::RankBins;
use super::rank_block::BLOCK;

/// Bytes of one unit's per-unit fields besides its histogram and bands: the window's own
/// header (48), best/worst rank (8), Σ rank (8), Σ rank² (16), Σ |shift| (8), five hit counts
/// (40), Σ score and Σ score² (32), and headroom for the vectors' headers and the scores.
const UNIT_BYTES: u64 = 200;

/// Per-thread record buffers per unit: rank → bin and rank → band tables (8), the narrow
/// score sums (16) and the unit's row of the rank block (4 bytes × [`BLOCK`]).
const UNIT_BUFFER_BYTES: u64 = 24 + 4 * BLOCK as u64;

/// A sparse window may pass two samples per bin by a block less one before it turns dense,
/// in a vector of up to twice that: 8 bytes per sample of a block.
const BLOCK_SLACK_BYTES: u64 = 8 * BLOCK as u64;

/// An upper estimate of a run's memory for its counts (the index's own data and the scoring
/// buffers come on top; they do not grow with the samples).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Bytes one thread holds while it records (its rank histograms included unless they are
    /// shared).
    pub per_thread: u64,
    /// Bytes the whole run holds at its peak: every thread's part, the shared histograms and
    /// the merged total.
    pub total: u64,
    /// Of `total`, the bytes of the rank histograms (the part that exact ranks cost, which
    /// wider rank bins cut).
    pub histograms: u64,
    /// Of `total`, the bytes of the pair counts (which fewer pair rows cut).
    pub pairs: u64,
    pub units: usize,
    pub threads: usize,
    /// Whether the threads record into one shared set of rank histograms.
    pub shared_histograms: bool,
}

impl MemoryEstimate {
    /// The estimate for `samples` samples on `threads` threads (at least 1) with `layout`.
    pub fn new(layout: &Layout, samples: u64, threads: usize) -> Self {
        let threads = threads.max(1);
        let n = layout.n_units as u64;
        let rows = layout.pair_units.len() as u64;
        let directions = if rows < n { 2 } else { 1 };
        let bins = RankBins::new(layout.n_units, layout.bin_width).count as u64;
        let pairs = 8 * rows * n * directions;
        let fixed = n * (UNIT_BYTES + 8 * layout.n_bands as u64)
            + pairs
            + 32 * rows * layout.weight_nodes.len() as u64
            + 8 * layout.n_factors as u64;
        let counter_bytes = if n <= u64::from(u8::MAX) { 1 } else { 4 };
        let pair_buffers = counter_bytes * rows * n * directions;
        let buffers = UNIT_BUFFER_BYTES * n + pair_buffers;
        let t = threads as u64;
        // While recording, per window (see the module's documentation).
        let recording = |c: u64| n * (12 * c).min(8 * bins + BLOCK_SLACK_BYTES);
        if records_in_blocks(layout) {
            // One set of windows, recorded into by every thread and trimmed in place.
            let per_thread = fixed + buffers;
            let histograms = recording(samples);
            return MemoryEstimate {
                per_thread,
                total: t * per_thread + histograms,
                histograms,
                pairs: t * (pairs + pair_buffers),
                units: layout.n_units,
                threads,
                shared_histograms: true,
            };
        }
        let per_thread_recording = recording(samples.div_ceil(t));
        let bytes_per_bin = if samples > u64::from(u32::MAX) { 8 } else { 4 };
        let merged = n * (4 * samples).min(bytes_per_bin * bins);
        let per_thread = fixed + buffers + per_thread_recording;
        MemoryEstimate {
            per_thread,
            total: t * per_thread + fixed + merged,
            histograms: t * per_thread_recording + merged,
            pairs: (t + 1) * pairs + t * pair_buffers,
            units: layout.n_units,
            threads,
            shared_histograms: false,
        }
    }
}

/// Bytes as text: "740 MB", "3.2 GB" (decimal units, two significant digits at least).
pub fn fmt_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 || value >= 10.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Accumulator;
    use crate::engine::rank_block::RankBlock;

    fn layout(n_units: usize, pair_units: Vec<usize>) -> Layout {
        Layout {
            n_units,
            bin_width: 1,
            n_bands: 10,
            score_bound: 100.0,
            pair_units,
            weight_nodes: vec![3, 4],
            n_factors: 5,
        }
    }

    /// The estimate bounds what an accumulator really holds: its fixed part, and histograms
    /// filled with as many samples as the estimate assumes, spread over the whole index.
    #[test]
    fn the_estimate_bounds_an_accumulators_memory() {
        for (n, rows) in [(40, (0..40).collect::<Vec<_>>()), (3_000, vec![7])] {
            let layout = layout(n, rows);
            let samples = 64;
            let estimate = MemoryEstimate::new(&layout, samples, 1);
            let mut accumulator = Accumulator::new(&layout);
            // Recorded as the engine records them: through a block of ranks.
            let mut block = RankBlock::new(n);
            for s in 0..samples as u32 {
                let ranks: Vec<u32> = (0..n as u32).map(|u| (u * 7 + s * 13) % n as u32 + 1).collect();
                block.push_ranks(&ranks, &mut accumulator.rank_counts, n as u32);
            }
            block.flush_into(&mut accumulator.rank_counts, n as u32);
            let used = (accumulator.fixed_bytes()
                + accumulator.histogram_bytes()
                + 4 * BLOCK * n) as u64;
            // (With one thread, shared windows or not, the run holds this accumulator and the
            // total, which is the same one when the windows are shared.)
            assert!(used <= estimate.total, "{n}: {used} > {estimate:?}");
            // Within a factor of a few: an estimate, not a bound a thousand times too high.
            assert!(estimate.total < 8 * used, "{n}: {used} vs {estimate:?}");
            for window in &mut accumulator.rank_counts {
                window.trim();
            }
            let trimmed = accumulator.histogram_bytes() as u64;
            assert!(trimmed <= estimate.histograms);
        }
    }

    /// More threads hold more; wider bins and fewer pair rows hold less.
    #[test]
    fn threads_bins_and_pairs_move_the_estimate_the_right_way() {
        let all = layout(1_000, (0..1_000).collect());
        let one = layout(1_000, vec![0]);
        let samples = 100_000;
        let base = MemoryEstimate::new(&all, samples, 2);
        assert!(MemoryEstimate::new(&all, samples, 8).total > base.total);
        assert!(MemoryEstimate::new(&one, samples, 2).total < base.total);
        let binned = Layout {
            bin_width: 10,
            ..all.clone()
        };
        assert!(MemoryEstimate::new(&binned, samples, 2).histograms < base.histograms);
        assert_eq!(fmt_bytes(740_000_000), "740 MB");
        assert_eq!(fmt_bytes(3_240_000_000), "3.2 GB");
        assert_eq!(fmt_bytes(512), "512 bytes");
    }
}
