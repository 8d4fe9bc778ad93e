//! Ranks recorded into the rank windows a block of samples at a time: by a thread into its own windows, or by every thread of a run into one shared set, range by range.
//!
//! Each thread holding a full set of windows cost a run as many copies of the exact
//! histograms as it had threads (at 33,000 units and 120,000 samples, several gigabytes
//! each). A shared set holds them once: the windows are split into ranges of units, each
//! behind its own lock, and a thread adds a full block to one range at a time, taking a
//! lock once per [`RANGE_UNITS`] units and [`BLOCK`] samples (never per sample or unit).
//! Counts are integers and a window's trimmed form depends on its counts alone
//! ([`RankWindow::trim`]), so the result does not depend on which thread added what first.

use std::sync::{Arc, Mutex};

use super::histogram::RankWindow;

/// Samples whose ranks a [`RankBlock`] holds before adding them to the windows: a unit's
/// row is one 64-byte cache line.
pub const BLOCK: usize = 16;

/// Units per range of a [`SharedWindows`] set: a lock per 512 units and block (about 8,000
/// window additions) costs nothing measurable, and a 33,000-unit index has 65 ranges for
/// the threads to spread over.
const RANGE_UNITS: usize = 512;

/// One set of rank windows that every thread of a run records into, in ranges of
/// [`RANGE_UNITS`] units with a lock each.
#[derive(Debug)]
pub struct SharedWindows {
    ranges: Vec<Mutex<Vec<RankWindow>>>,
}

impl SharedWindows {
    /// The set holding `windows` (moved, not copied).
    pub fn new(windows: Vec<RankWindow>) -> Self {
        let mut rest = windows.into_iter();
        let mut ranges = Vec::new();
        loop {
            let range: Vec<RankWindow> = rest.by_ref().take(RANGE_UNITS).collect();
            if range.is_empty() {
                break;
            }
            ranges.push(Mutex::new(range));
        }
        SharedWindows { ranges }
    }

    /// The windows, unit by unit.
    pub fn into_windows(self) -> Vec<RankWindow> {
        self.ranges
            .into_iter()
            .flat_map(|range| range.into_inner().expect("not poisoned"))
            .collect()
    }
}

/// A [`RankBlock`]'s handle on a shared set: equal when it is the same set.
#[derive(Debug, Clone)]
struct Shared {
    windows: Arc<SharedWindows>,
    /// Ranges not yet added to during the current flush (kept to skip busy ones first).
    pending: Vec<bool>,
}

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.windows, &other.windows)
    }
}

/// The bins of up to [`BLOCK`] samples, stored unit by unit (`bins[u × BLOCK + s]`), added
/// to the units' windows a block at a time ([`RankBlock::flush_into`]). Adding each sample's
/// ranks to the windows directly touches every unit's window (33,000 scattered heap blocks
/// at England's IMD size) once per sample; a block touches each once per [`BLOCK`] samples,
/// reading its row in one cache line, and grows a window at most once per block.
#[derive(Debug, Clone, PartialEq)]
pub struct RankBlock {
    bins: Vec<u32>,
    filled: usize,
    /// The run's shared windows, if the block adds to them instead of the ones it is given.
    shared: Option<Shared>,
}

impl RankBlock {
    /// A block for `n_units` units (no memory when `n_units` is 0).
    pub fn new(n_units: usize) -> Self {
        RankBlock {
            bins: vec![0; n_units * BLOCK],
            filled: 0,
            shared: None,
        }
    }

    /// From now on, adds the blocks to `windows` (one window per unit of the block) instead
    /// of the windows [`RankBlock::push_ranks`] and [`RankBlock::flush_into`] are given.
    pub fn share(&mut self, windows: &Arc<SharedWindows>) {
        self.shared = Some(Shared {
            windows: Arc::clone(windows),
            pending: vec![false; windows.ranges.len()],
        });
    }

    /// Notes one sample's ranks (1-based, one bin per rank) and adds the block to `windows`
    /// once it is full.
    #[inline]
    pub fn push_ranks(&mut self, ranks: &[u32], windows: &mut [RankWindow], n_bins: u32) {
        let s = self.filled;
        for (row, &rank) in self.bins.chunks_exact_mut(BLOCK).zip(ranks) {
            row[s] = rank - 1;
        }
        self.filled += 1;
        if self.filled == BLOCK {
            self.flush_into(windows, n_bins);
        }
    }

    /// Adds the samples noted since the last flush to `windows` (or the shared set) and
    /// empties the block.
    pub fn flush_into(&mut self, windows: &mut [RankWindow], n_bins: u32) {
        if self.filled == 0 {
            return;
        }
        let filled = self.filled;
        let add = |windows: &mut [RankWindow], rows: &[u32]| {
            for (window, row) in windows.iter_mut().zip(rows.chunks_exact(BLOCK)) {
                window.add_block(&row[..filled], n_bins);
            }
        };
        match &mut self.shared {
            None => add(windows, &self.bins),
            Some(Shared { windows, pending }) => {
                let rows = self.bins.chunks(RANGE_UNITS * BLOCK);
                // Ranges another thread holds are left for later; then waited for.
                pending.fill(true);
                for ((range, rows), pending) in windows.ranges.iter().zip(rows).zip(&mut *pending)
                {
                    if let Ok(mut range) = range.try_lock() {
                        add(&mut range, rows);
                        *pending = false;
                    }
                }
                let rows = self.bins.chunks(RANGE_UNITS * BLOCK);
                for ((range, rows), &pending) in windows.ranges.iter().zip(rows).zip(&*pending) {
                    if pending {
                        add(&mut range.lock().expect("not poisoned"), rows);
                    }
                }
            }
        }
        self.filled = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranks of sample `s` for `n` units (a permutation-like spread).
    fn ranks(n: u32, s: u32) -> Vec<u32> {
        (0..n).map(|u| (u * 7 + s * s * 3) % n + 1).collect()
    }

    /// A block of ranks adds every unit's samples to its window, whatever the number of
    /// samples per flush: the windows equal those of adding each sample directly.
    #[test]
    fn a_block_of_ranks_adds_what_direct_adds_add() {
        let n = 40u32;
        for samples in [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5] {
            let mut block = RankBlock::new(n as usize);
            let mut blocked = vec![RankWindow::default(); n as usize];
            let mut direct = blocked.clone();
            for s in 0..samples as u32 {
                let ranks = ranks(n, s);
                block.push_ranks(&ranks, &mut blocked, n);
                for (window, &rank) in direct.iter_mut().zip(&ranks) {
                    window.add(rank - 1, n);
                }
            }
            block.flush_into(&mut blocked, n);
            for (a, b) in blocked.iter_mut().zip(&mut direct) {
                a.trim();
                b.trim();
            }
            assert_eq!(blocked, direct, "{samples} samples");
        }
    }

    /// Threads adding their blocks to one shared set (over several ranges, in any
    /// interleaving) give the windows of one block adding all the samples alone.
    #[test]
    fn threads_sharing_windows_add_what_one_adds() {
        let n = (2 * RANGE_UNITS + 37) as u32;
        let samples = 5 * BLOCK as u32 + 3;
        let mut alone = vec![RankWindow::default(); n as usize];
        let mut block = RankBlock::new(n as usize);
        for s in 0..samples {
            block.push_ranks(&ranks(n, s), &mut alone, n);
        }
        block.flush_into(&mut alone, n);
        for threads in [1, 2, 3] {
            let shared = Arc::new(SharedWindows::new(vec![RankWindow::default(); n as usize]));
            std::thread::scope(|scope| {
                for t in 0..threads {
                    let shared = &shared;
                    scope.spawn(move || {
                        let mut block = RankBlock::new(n as usize);
                        block.share(shared);
                        // The windows given are ignored once the block shares a set.
                        let mut unused = vec![RankWindow::default(); n as usize];
                        for s in (t..samples).step_by(threads as usize) {
                            block.push_ranks(&ranks(n, s), &mut unused, n);
                        }
                        block.flush_into(&mut unused, n);
                        assert!(unused.iter().all(RankWindow::is_empty));
                    });
                }
            });
            let mut windows = Arc::into_inner(shared).unwrap().into_windows();
            for (a, b) in windows.iter_mut().zip(&mut alone) {
                a.trim();
                b.trim();
            }
            assert_eq!(windows, alone, "{threads} threads");
        }
    }
}
