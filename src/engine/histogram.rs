//! Per-unit rank histograms over the window of ranks each unit was seen in: exact counts at a memory set by the rank spread, not by the number of units.
//!
//! A unit's ranks over a run span a narrow window compared with the number of units (a unit
//! ranked 2nd of 33,000 moves between 1st and 6th), so each unit keeps the counts of the ranks
//! between the best and the worst it has taken, not of all n ranks: memory per accumulator is
//! 8 bytes × Σ over units of (worst − best + 1), instead of 8 n² bytes.
//!
//! A window grows (by doubling, at whichever end a new rank falls outside it) while samples are
//! recorded, so the hot loop allocates only O(log width) times per unit and run; windows are
//! trimmed to [best, worst] at the end ([`RankWindow::trim`]), which makes the stored form
//! canonical: accumulators merged from any split of the samples are equal field for field and
//! serialise to the same bytes.

use serde::{Deserialize, Serialize};

/// How ranks are binned in the histogram: width 1 keeps every rank (exact quantiles, the
/// default); wider bins are an explicit opt-in, and quantiles then carry a stated bin error of
/// ±(width − 1)/2 ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankBins {
    pub width: u32,
    pub count: usize,
}

impl RankBins {
    pub fn new(n_units: usize, width: u32) -> Self {
        // Wider than the index is one bin anyway.
        let width = width.clamp(1, n_units.max(1) as u32);
        RankBins {
            width,
            count: n_units.div_ceil(width as usize),
        }
    }
    /// Bin of a rank (1-based rank → 0-based bin).
    #[inline]
    pub fn bin(self, rank: u32) -> usize {
        ((rank - 1) / self.width) as usize
    }
    /// Ranks covered by a bin, inclusive.
    pub fn range(self, bin: usize, n_units: usize) -> (u32, u32) {
        let lo = (bin as u64 * u64::from(self.width) + 1).min(n_units as u64);
        let hi = (lo + u64::from(self.width) - 1).min(n_units as u64);
        (lo as u32, hi as u32)
    }
}

/// One unit's rank counts over a window of consecutive bins: `counts[i]` is how often the
/// unit's rank fell in bin `first + i`; bins outside the window were never taken.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankWindow {
    /// First bin (0-based) of `counts`.
    pub first: u32,
    pub counts: Vec<u64>,
}

impl RankWindow {
    /// Counts one sample in `bin` (< `n_bins`), growing the window if the bin lies outside it.
    #[inline]
    pub fn add(&mut self, bin: u32, n_bins: u32) {
        // Below `first` the subtraction wraps to a huge index, which `get_mut` refuses too.
        match self.counts.get_mut(bin.wrapping_sub(self.first) as usize) {
            Some(count) => *count += 1,
            None => self.grow_and_add(bin, n_bins),
        }
    }

    /// The rare path of [`RankWindow::add`]: at least doubles the window towards `bin` (fewer
    /// only where the n bins end), so a unit whose ranks spread over w bins reallocates about
    /// log₂ w times per run.
    #[cold]
    #[inline(never)]
    fn grow_and_add(&mut self, bin: u32, n_bins: u32) {
        self.cover(bin, bin + 1, n_bins);
        self.counts[(bin - self.first) as usize] += 1;
    }

    /// Widens the window to include bins `from..to` (within `0..n_bins`), doubling it at least.
    fn cover(&mut self, from: u32, to: u32, n_bins: u32) {
        if self.counts.is_empty() {
            self.first = from;
            self.counts.resize((to - from) as usize, 0);
            return;
        }
        let (first, end) = (self.first, self.first + self.counts.len() as u32);
        if from >= first && to <= end {
            return;
        }
        let needed = to.max(end) - from.min(first);
        let len = needed.max(2 * (end - first)).min(n_bins.max(needed));
        // Grow towards the side the new bins are on; then clamp to the n bins.
        let new_first = if from < first {
            to.max(end).saturating_sub(len)
        } else {
            first
        };
        let new_end = (new_first + len).min(n_bins.max(to.max(end)));
        let shift = (first - new_first) as usize;
        let old = self.counts.len();
        self.counts.resize((new_end - new_first) as usize, 0);
        if shift > 0 {
            self.counts.copy_within(0..old, shift);
            self.counts[..shift].fill(0);
        }
        self.first = new_first;
    }

    /// Cuts the window to its first and last non-zero bin (empty when nothing was counted)
    /// and releases spare capacity: the canonical form merges and state files use.
    pub fn trim(&mut self) {
        let Some(lo) = self.counts.iter().position(|&c| c > 0) else {
            *self = RankWindow::default();
            return;
        };
        let hi = self
            .counts
            .iter()
            .rposition(|&c| c > 0)
            .expect("one is non-zero")
            + 1;
        if lo > 0 || hi < self.counts.len() {
            self.counts.copy_within(lo..hi, 0);
            self.counts.truncate(hi - lo);
            self.first += lo as u32;
        }
        self.counts.shrink_to_fit();
    }

    /// Adds another window's counts (exact; a sum that would wrap is refused, naming the
    /// field). The result is trimmed if both inputs were.
    pub fn merge(&mut self, other: &RankWindow) -> Result<(), String> {
        if other.counts.is_empty() {
            return Ok(());
        }
        if self.counts.is_empty() {
            self.clone_from(other);
            return Ok(());
        }
        let end = other.first + other.counts.len() as u32;
        let (first, mine) = (self.first, self.counts.len() as u32);
        if other.first < first || end > first + mine {
            // Exactly the union, so trimmed inputs give a trimmed sum.
            let union_first = other.first.min(first);
            let union_end = end.max(first + mine);
            let shift = (first - union_first) as usize;
            self.counts.resize((union_end - union_first) as usize, 0);
            if shift > 0 {
                self.counts.copy_within(0..mine as usize, shift);
                self.counts[..shift].fill(0);
            }
            self.first = union_first;
            self.counts.shrink_to_fit();
        }
        let offset = (other.first - self.first) as usize;
        for (sum, &c) in self.counts[offset..].iter_mut().zip(&other.counts) {
            *sum = sum
                .checked_add(c)
                .ok_or("adding the partial results overflows `rank_counts`")?;
        }
        Ok(())
    }

    /// Bins past the window's last one.
    pub fn end(&self) -> u32 {
        self.first + self.counts.len() as u32
    }

    /// (bin, count) of every bin in the window, in order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        let first = self.first as usize;
        self.counts
            .iter()
            .enumerate()
            .map(move |(i, &c)| (first + i, c))
    }

    /// Heap bytes the window holds (its capacity).
    #[cfg(any(test, feature = "internals"))]
    pub fn heap_bytes(&self) -> usize {
        self.counts.capacity() * std::mem::size_of::<u64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_all_ranks() {
        let bins = RankBins::new(10, 3);
        assert_eq!(bins.count, 4);
        assert_eq!(bins.bin(1), 0);
        assert_eq!(bins.bin(10), 3);
        assert_eq!(bins.range(3, 10), (10, 10));
    }

    /// Any order of additions gives, once trimmed, exactly the full histogram's non-zero span;
    /// growth stays within the n bins.
    #[test]
    fn windows_equal_full_histograms_in_any_order() {
        let n = 50u32;
        let sequences: [&[u32]; 5] = [
            &[10, 10, 11, 9, 30, 0, 49],
            &[49, 0],
            &[25],
            &[3, 2, 1, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
            &[40, 41, 39, 45, 20, 47, 48, 49, 0],
        ];
        for bins in sequences {
            let mut full = vec![0u64; n as usize];
            let mut window = RankWindow::default();
            for &b in bins {
                full[b as usize] += 1;
                window.add(b, n);
                assert!(window.end() <= n);
            }
            window.trim();
            let lo = full.iter().position(|&c| c > 0).unwrap();
            let hi = full.iter().rposition(|&c| c > 0).unwrap();
            assert_eq!(window.first as usize, lo);
            assert_eq!(window.counts, full[lo..=hi]);
            // Reversed order, merged in two halves: the same window.
            let (mut a, mut b) = (RankWindow::default(), RankWindow::default());
            for (i, &bin) in bins.iter().rev().enumerate() {
                if i % 2 == 0 { &mut a } else { &mut b }.add(bin, n);
            }
            a.trim();
            b.trim();
            b.merge(&a).unwrap();
            assert_eq!(b, window);
        }
    }

    #[test]
    fn merging_refuses_to_wrap() {
        let mut a = RankWindow {
            first: 2,
            counts: vec![u64::MAX],
        };
        let b = RankWindow {
            first: 2,
            counts: vec![1],
        };
        assert!(a.merge(&b).is_err());
    }
}
