//! Per-unit rank histograms over the window of ranks each unit was seen in: exact counts at a memory set by the rank spread and the samples, not by the number of units.
//!
//! A unit's ranks over a run span a narrow window compared with the number of units (a unit
//! ranked 2nd of 33,000 moves between 1st and 6th), so each unit keeps the counts of the ranks
//! between the best and the worst it has taken, not of all n ranks. Where the window is wide
//! and the samples few (a middle unit of a large index under rank normalisation spans thousands
//! of ranks, but a unit can take at most as many distinct ranks as there were samples), the
//! counts would be mostly zeros: the window then keeps the bin of each sample instead (4 bytes
//! per sample), and switches to counts (8 bytes per bin) once it has seen twice as many samples
//! as it spans bins. A unit's histogram thus costs min(4 c, 8 w) bytes, c its samples and w
//! the width of its window, and never more than 8 × min(c, 2 w) while recording, where vectors
//! hold up to twice what they use ([`RankWindow::heap_bytes`]).
//!
//! Dense windows grow (by doubling, at whichever end a new rank falls outside) while samples
//! are recorded, so the hot loop allocates only O(log width) times per unit and run; windows
//! are trimmed to [best, worst] at the end ([`RankWindow::trim`]), and the form (bins or counts)
//! is then chosen from the counts alone, which makes the stored form canonical: accumulators
//! merged from any split of the samples are equal field for field and serialise to the same
//! bytes. Both forms serialise as the counts over the window (`first`, `counts`), so state files
//! do not depend on the form either.

use std::borrow::Cow;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

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

/// One unit's rank counts over a window of consecutive bins `first..end`: how often the unit's
/// rank fell in each; bins outside the window were never taken. Kept as counts (dense) or as
/// the bin of every sample (sparse), whichever is smaller (see the module's documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "DenseWindow")]
pub struct RankWindow {
    /// First bin (0-based) of the window.
    first: u32,
    /// Bins past the window's last one.
    end: u32,
    /// Dense form: `counts[i]` samples fell in bin `first + i`; empty in the sparse form.
    counts: Vec<u64>,
    /// Sparse form: the bin of every sample counted (in recording order until
    /// [`RankWindow::trim`] sorts them); empty in the dense form.
    bins: Vec<u32>,
}

/// The serialised form of a window, whatever its form in memory: its first bin and its counts.
#[derive(Deserialize)]
struct DenseWindow {
    first: u32,
    counts: Vec<u64>,
}

impl From<DenseWindow> for RankWindow {
    fn from(window: DenseWindow) -> Self {
        RankWindow::from_counts(window.first, window.counts)
    }
}

impl Serialize for RankWindow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The counts over the window, zeros included, streamed without building them.
        struct Counts<'a>(&'a RankWindow);
        impl Serialize for Counts<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.dense_counts())
            }
        }
        let mut window = serializer.serialize_struct("RankWindow", 2)?;
        window.serialize_field("first", &self.first)?;
        window.serialize_field("counts", &Counts(self))?;
        window.end()
    }
}

impl RankWindow {
    /// The window `first..first + counts.len()` with these counts. A window whose end bins are
    /// non-zero (as ranksense writes them) is put in its canonical form; any other is kept as
    /// given, so that a check of the counts can still see and refuse it.
    pub fn from_counts(first: u32, counts: Vec<u64>) -> Self {
        let end = first.saturating_add(counts.len() as u32);
        let mut window = RankWindow {
            first,
            end,
            counts,
            bins: Vec::new(),
        };
        if window.is_trimmed() {
            window.trim();
        }
        window
    }

    /// Counts one sample in `bin` (< `n_bins`), growing the window if the bin lies outside it.
    #[inline]
    pub fn add(&mut self, bin: u32, n_bins: u32) {
        // Below `first` the subtraction wraps to a huge index, which `get_mut` refuses too.
        match self.counts.get_mut(bin.wrapping_sub(self.first) as usize) {
            Some(count) => *count += 1,
            None => self.add_outside(bin, n_bins),
        }
    }

    /// Counts one sample in each of `bins` (all < `n_bins`): [`RankWindow::add`] for a block
    /// of samples at once, growing the window at most once (to cover the block's lowest and
    /// highest bin) instead of once per sample outside it. The trimmed window is the same as
    /// after adding the bins one by one: only the counts decide it.
    #[inline]
    pub fn add_block(&mut self, bins: &[u32], n_bins: u32) {
        let Some((lo, hi)) = bins
            .iter()
            .fold(None, |seen: Option<(u32, u32)>, &b| match seen {
                None => Some((b, b)),
                Some((lo, hi)) => Some((lo.min(b), hi.max(b))),
            })
        else {
            return;
        };
        if !self.counts.is_empty() {
            self.cover(lo, hi + 1, n_bins);
            let (first, counts) = (self.first, &mut self.counts);
            for &bin in bins {
                counts[(bin - first) as usize] += 1;
            }
            return;
        }
        if self.bins.is_empty() {
            (self.first, self.end) = (lo, hi + 1);
        } else {
            self.first = self.first.min(lo);
            self.end = self.end.max(hi + 1);
        }
        self.bins.extend_from_slice(bins);
        if self.bins.len() >= 2 * self.width() {
            self.densify(self.first, self.end);
        }
    }

    /// [`RankWindow::add`] for a sparse window, or a bin outside a dense one: a block of one
    /// ([`RankWindow::add_block`]). A sparse window notes the bin and becomes dense once it
    /// holds twice as many samples as it spans bins (then 8 bytes per bin cost no more than 4
    /// per sample); a dense one at least doubles towards `bin` (fewer only where the n bins
    /// end), so a unit whose ranks spread over w bins reallocates about log₂ w times per run.
    #[inline(never)]
    fn add_outside(&mut self, bin: u32, n_bins: u32) {
        self.add_block(std::slice::from_ref(&bin), n_bins);
    }

    /// Bins the window spans.
    fn width(&self) -> usize {
        (self.end - self.first) as usize
    }

    /// Turns the window dense over `from..to` (which holds every bin it counted).
    fn densify(&mut self, from: u32, to: u32) {
        let mut counts = vec![0u64; (to - from) as usize];
        for (bin, c) in self.counts_by_bin() {
            counts[(bin - from) as usize] += c;
        }
        (self.first, self.end, self.counts, self.bins) = (from, to, counts, Vec::new());
    }

    /// (bin, count) of every counted bin, in order for a dense window, bin by bin for an
    /// unsorted sparse one.
    fn counts_by_bin(&self) -> Box<dyn Iterator<Item = (u32, u64)> + '_> {
        if self.counts.is_empty() {
            Box::new(self.bins.iter().map(|&b| (b, 1)))
        } else {
            let first = self.first;
            Box::new(
                self.counts
                    .iter()
                    .enumerate()
                    .filter(|&(_, &c)| c > 0)
                    .map(move |(i, &c)| (first + i as u32, c)),
            )
        }
    }

    /// Widens a dense window to include bins `from..to` (within `0..n_bins`), doubling it at
    /// least.
    fn cover(&mut self, from: u32, to: u32, n_bins: u32) {
        let (first, end) = (self.first, self.end);
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
        self.widen(new_first, new_end);
    }

    /// Widens a dense window to exactly `from..to` (which contains it).
    fn widen(&mut self, from: u32, to: u32) {
        let shift = (self.first - from) as usize;
        let old = self.counts.len();
        self.counts.resize((to - from) as usize, 0);
        if shift > 0 {
            self.counts.copy_within(0..old, shift);
            self.counts[..shift].fill(0);
        }
        (self.first, self.end) = (from, to);
    }

    /// Whether the window is empty or its end bins are non-zero (a sparse window always is).
    pub fn is_trimmed(&self) -> bool {
        self.counts.first() != Some(&0) && self.counts.last() != Some(&0)
    }

    /// Samples counted (saturating: a forged state's counts may add up past `u64::MAX`).
    pub fn total(&self) -> u64 {
        if self.counts.is_empty() {
            self.bins.len() as u64
        } else {
            self.counts.iter().fold(0u64, |s, &c| s.saturating_add(c))
        }
    }

    /// Cuts the window to its first and last non-zero bin (empty when nothing was counted),
    /// chooses its form from the counts alone (sparse while it holds fewer samples than twice
    /// its width) and releases spare capacity: the canonical form merges and state files use.
    pub fn trim(&mut self) {
        if self.counts.is_empty() {
            if self.bins.is_empty() {
                *self = RankWindow::default();
                return;
            }
            if !self.bins.is_sorted() {
                // Recording order differs between splits of the samples; sorted, it does not.
                self.bins.sort_unstable();
            }
            self.first = self.bins[0];
            self.end = self.bins[self.bins.len() - 1] + 1;
            if self.bins.len() >= 2 * self.width() {
                self.densify(self.first, self.end);
            }
        } else {
            let Some(lo) = self.counts.iter().position(|&c| c > 0) else {
                *self = RankWindow::default();
                return;
            };
            let hi = self.counts.iter().rposition(|&c| c > 0).expect("one is non-zero") + 1;
            if lo > 0 || hi < self.counts.len() {
                self.counts.copy_within(lo..hi, 0);
                self.counts.truncate(hi - lo);
                self.first += lo as u32;
                self.end = self.first + (hi - lo) as u32;
            }
            if self.total() < 2 * self.width() as u64 {
                let mut bins = Vec::with_capacity(self.total() as usize);
                for (bin, c) in self.counts_by_bin() {
                    bins.extend(std::iter::repeat_n(bin, c as usize));
                }
                (self.counts, self.bins) = (Vec::new(), bins);
            }
        }
        self.counts.shrink_to_fit();
        self.bins.shrink_to_fit();
    }

    /// Adds another window's counts (exact; a sum that would wrap is refused, naming the
    /// field). The result is in the canonical form ([`RankWindow::trim`]).
    pub fn merge(&mut self, other: &RankWindow) -> Result<(), String> {
        if other.is_empty() {
            return Ok(());
        }
        if self.is_empty() {
            self.clone_from(other);
            self.trim();
            return Ok(());
        }
        let (from, to) = (self.first.min(other.first), self.end.max(other.end));
        let samples = self.total().saturating_add(other.total());
        if self.counts.is_empty()
            && other.counts.is_empty()
            && samples < 2 * u64::from(to - from)
        {
            // Both sparse and staying so: the bins of both (sorted again by `trim`, which
            // takes two sorted runs in about linear time).
            self.bins.extend_from_slice(&other.bins);
            (self.first, self.end) = (from, to);
        } else {
            if self.counts.is_empty() {
                self.densify(from, to);
            } else {
                self.widen(from, to);
            }
            for (bin, c) in other.counts_by_bin() {
                let sum = &mut self.counts[(bin - from) as usize];
                *sum = sum
                    .checked_add(c)
                    .ok_or("adding the partial results overflows `rank_counts`")?;
            }
        }
        self.trim();
        Ok(())
    }

    /// First bin of the window.
    pub fn first(&self) -> u32 {
        self.first
    }

    /// Bins past the window's last one.
    pub fn end(&self) -> u32 {
        self.end
    }

    /// Whether no sample was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.bins.is_empty()
    }

    /// (bin, count) of every bin with a non-zero count, in order. The window must be trimmed
    /// ([`RankWindow::trim`]) if it is sparse.
    pub fn iter(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        debug_assert!(self.bins.is_sorted(), "a sparse window is read once trimmed");
        let first = self.first as usize;
        let dense = self
            .counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(move |(i, &c)| (first + i, c));
        let mut rest = &self.bins[..];
        let sparse = std::iter::from_fn(move || {
            let &bin = rest.first()?;
            let run = rest.iter().take_while(|&&b| b == bin).count();
            rest = &rest[run..];
            Some((bin as usize, run as u64))
        });
        dense.chain(sparse)
    }

    /// The count of every bin of the window, zeros included, in order (trimmed if sparse).
    pub fn dense_counts(&self) -> impl Iterator<Item = u64> + '_ {
        debug_assert!(self.bins.is_sorted(), "a sparse window is read once trimmed");
        // A dense window's counts are all there is; a sparse one's are counted run by run.
        let sparse_width = if self.counts.is_empty() { self.width() } else { 0 };
        let mut rest = &self.bins[..];
        let gaps = (self.first..self.end).take(sparse_width).map(move |bin| {
            let run = rest.iter().take_while(|&&b| b == bin).count();
            rest = &rest[run..];
            run as u64
        });
        self.counts.iter().copied().chain(gaps)
    }

    /// The counts over the window as one slice (borrowed when the window is dense).
    pub fn counts(&self) -> Cow<'_, [u64]> {
        if self.bins.is_empty() {
            Cow::Borrowed(&self.counts)
        } else {
            Cow::Owned(self.dense_counts().collect())
        }
    }

    /// Heap bytes the window holds (its capacity).
    #[cfg(any(test, feature = "internals"))]
    pub fn heap_bytes(&self) -> usize {
        self.counts.capacity() * std::mem::size_of::<u64>()
            + self.bins.capacity() * std::mem::size_of::<u32>()
    }
}

/// Samples whose ranks a [`RankBlock`] holds before adding them to the windows: a unit's
/// row is one 64-byte cache line.
pub const BLOCK: usize = 16;

/// The bins of up to [`BLOCK`] samples, stored unit by unit (`bins[u × BLOCK + s]`), added
/// to the units' windows a block at a time ([`RankBlock::flush_into`]). Adding each sample's
/// ranks to the windows directly touches every unit's window (33,000 scattered heap blocks
/// at England's IMD size) once per sample; a block touches each once per [`BLOCK`] samples,
/// reading its row in one cache line, and grows a window at most once per block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankBlock {
    bins: Vec<u32>,
    filled: usize,
}

impl RankBlock {
    /// A block for `n_units` units (no memory when `n_units` is 0).
    pub fn new(n_units: usize) -> Self {
        RankBlock {
            bins: vec![0; n_units * BLOCK],
            filled: 0,
        }
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

    /// Adds the samples noted since the last flush to `windows` and empties the block.
    pub fn flush_into(&mut self, windows: &mut [RankWindow], n_bins: u32) {
        if self.filled == 0 {
            return;
        }
        for (window, row) in windows.iter_mut().zip(self.bins.chunks_exact(BLOCK)) {
            window.add_block(&row[..self.filled], n_bins);
        }
        self.filled = 0;
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

    /// The full histogram's non-zero span, as (first bin, counts).
    fn span(full: &[u64]) -> (usize, &[u64]) {
        let lo = full.iter().position(|&c| c > 0).unwrap();
        let hi = full.iter().rposition(|&c| c > 0).unwrap();
        (lo, &full[lo..=hi])
    }

    /// Any order of additions gives, once trimmed, exactly the full histogram's non-zero span,
    /// in the form the counts alone decide (sparse below two samples per bin); growth stays
    /// within the n bins; split in two and merged, the same window.
    #[test]
    fn windows_equal_full_histograms_in_any_order() {
        let n = 50u32;
        let sequences: [&[u32]; 7] = [
            &[10, 10, 11, 9, 30, 0, 49],
            &[49, 0],
            &[25],
            &[3, 2, 1, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
            &[40, 41, 39, 45, 20, 47, 48, 49, 0],
            // Dense: 12 samples over 3 bins, and 6 over 3 (exactly two per bin).
            &[7, 8, 9, 7, 8, 9, 7, 8, 9, 9, 9, 9],
            &[20, 22, 21, 20, 22, 21],
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
            let (lo, counts) = span(&full);
            assert_eq!(window.first() as usize, lo);
            assert_eq!(*window.counts(), *counts);
            assert_eq!(window.dense_counts().collect::<Vec<_>>(), counts);
            let nonzero: Vec<(usize, u64)> = (lo..lo + counts.len())
                .map(|b| (b, full[b]))
                .filter(|&(_, c)| c > 0)
                .collect();
            assert_eq!(window.iter().collect::<Vec<_>>(), nonzero);
            let sparse = (bins.len() as u64) < 2 * counts.len() as u64;
            let bytes = if sparse { 4 * bins.len() } else { 8 * counts.len() };
            assert_eq!(window.heap_bytes(), bytes, "{bins:?}");
            // Reversed order, merged in two halves: the same window.
            let (mut a, mut b) = (RankWindow::default(), RankWindow::default());
            for (i, &bin) in bins.iter().rev().enumerate() {
                if i % 2 == 0 { &mut a } else { &mut b }.add(bin, n);
            }
            a.trim();
            b.trim();
            b.merge(&a).unwrap();
            assert_eq!(b, window);
            // Merged untrimmed (as the engine merges its threads' windows): the same too.
            let (mut a, mut b) = (RankWindow::default(), RankWindow::default());
            for (i, &bin) in bins.iter().enumerate() {
                if i < bins.len() / 3 { &mut a } else { &mut b }.add(bin, n);
            }
            a.merge(&b).unwrap();
            assert_eq!(a, window);
            // Added in blocks (as the engine adds them), of every size from 1 to all the
            // samples: the same window once trimmed, whether the form changed mid-block or not.
            for size in 1..=bins.len() {
                let mut blocked = RankWindow::default();
                for block in bins.chunks(size) {
                    blocked.add_block(block, n);
                    assert!(blocked.end() <= n);
                }
                blocked.trim();
                assert_eq!(blocked, window, "blocks of {size}: {bins:?}");
            }
            // Through the serialised form (the counts): the same window and bytes.
            let json = serde_json::to_string(&window).unwrap();
            let first = lo.to_string();
            let listed: Vec<String> = counts.iter().map(u64::to_string).collect();
            assert_eq!(
                json,
                format!("{{\"first\":{first},\"counts\":[{}]}}", listed.join(","))
            );
            let read: RankWindow = serde_json::from_str(&json).unwrap();
            assert_eq!(read, window);
        }
    }

    /// A window spread over many bins by few samples keeps 4 bytes per sample, not 8 per bin;
    /// it turns dense once it has seen twice as many samples as bins.
    #[test]
    fn wide_windows_of_few_samples_stay_sparse() {
        let n = 100_000;
        let mut window = RankWindow::default();
        for i in 0..1_000u32 {
            window.add(i * 97 % 5_000, n);
        }
        assert!(window.heap_bytes() <= 8 * 1_000, "{}", window.heap_bytes());
        window.trim();
        assert_eq!(window.heap_bytes(), 4 * 1_000);
        assert_eq!(window.total(), 1_000);
        for i in 0..20_000u32 {
            window.add(i % 5_000, n);
        }
        window.trim();
        assert_eq!(window.heap_bytes(), 8 * window.end() as usize - 8 * window.first() as usize);
        assert_eq!(window.total(), 21_000);
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
                let ranks: Vec<u32> = (0..n).map(|u| (u * 7 + s * s * 3) % n + 1).collect();
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

    #[test]
    fn merging_refuses_to_wrap() {
        let mut a = RankWindow::from_counts(2, vec![u64::MAX]);
        let b = RankWindow::from_counts(2, vec![1]);
        assert!(a.merge(&b).is_err());
    }

    /// Counts read with an empty end bin (no ranksense state has one) are kept as read, so
    /// the state's check can refuse them.
    #[test]
    fn untrimmed_counts_are_kept_as_read() {
        let window = RankWindow::from_counts(3, vec![0, 2, 0]);
        assert!(!window.is_trimmed());
        assert_eq!(*window.counts(), [0, 2, 0]);
        assert!(RankWindow::from_counts(3, vec![1, 0, 2]).is_trimmed());
    }
}
