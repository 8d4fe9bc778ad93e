//! Per-unit rank histograms over the window of ranks each unit was seen in: exact counts at a memory set by the rank spread and the samples, not by the number of units.
//!
//! A unit's ranks over a run span a narrow window compared with the number of units (a unit
//! ranked 2nd of 33,000 moves between 1st and 6th), so each unit keeps the counts of the ranks
//! between the best and the worst it has taken, not of all n ranks. Where the window is wide
//! and the samples few (a middle unit of a large index under rank normalisation spans thousands
//! of ranks, but a unit can take at most as many distinct ranks as there were samples), the
//! counts would be mostly zeros: the window then keeps the bin of each sample instead (4 bytes
//! per sample), and switches to counts (4 bytes per bin) once it has seen as many samples as
//! it spans bins (and back, should its ranks spread over more than twice its samples). Counts
//! are 32-bit while the window holds at most `u32::MAX` samples (no count can exceed the
//! samples) and 64-bit past that, where the window is promoted exactly (and trimmed sparse
//! below two samples per bin). A unit's trimmed histogram thus costs min(4 c, 4 w) bytes, c its
//! samples and w the width of its window (below 2^32 samples); while recording, a sparse
//! window's vector holds up to twice what it uses and a dense window up to 1.5 times the width
//! it has seen ([`RankWindow::heap_bytes`]).
//!
//! Dense windows grow (by half their width at least, at whichever end a new rank falls outside) while samples
//! are recorded, so the hot loop allocates only O(log width) times per unit and run; windows
//! are trimmed to [best, worst] at the end ([`RankWindow::trim`]), and the form (bins, 32- or
//! 64-bit counts) is then chosen from the counts alone, which makes the stored form canonical:
//! accumulators merged from any split of the samples are equal field for field and serialise
//! to the same bytes. Every form serialises as the counts over the window (`first`, `counts`),
//! so state files do not depend on the form either.

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

/// Most samples a window keeps in 32-bit counts: no count exceeds the window's samples.
const NARROW_MAX: u64 = u32::MAX as u64;

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
    /// Samples counted (saturating, for a forged state's counts only: ranksense's stay below
    /// [`super::accumulate::MAX_SAMPLES`]).
    samples: u64,
    form: Form,
}

/// How a window holds its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Form {
    /// The bin of every sample counted (in recording order until [`RankWindow::trim`] sorts
    /// them).
    Sparse(Vec<u32>),
    /// `counts[i]` samples fell in bin `first + i`: while the window holds at most
    /// [`NARROW_MAX`] samples.
    Narrow(Vec<u32>),
    /// The same past [`NARROW_MAX`] samples.
    Wide(Vec<u64>),
}

impl Default for Form {
    fn default() -> Self {
        Form::Sparse(Vec::new())
    }
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

/// A dense window's count type (`u32` or `u64`), for the code both widths share.
trait Count: Copy + Default + Into<u64> {
    fn plus_one(&mut self);
}
impl Count for u32 {
    #[inline]
    fn plus_one(&mut self) {
        *self += 1;
    }
}
impl Count for u64 {
    #[inline]
    fn plus_one(&mut self) {
        *self += 1;
    }
}

/// Counts one sample per entry of `bins` in `counts`, whose entry i is bin `first + i`
/// (every bin within it).
#[inline]
fn count_block<T: Count>(counts: &mut [T], first: u32, bins: &[u32]) {
    for &bin in bins {
        counts[(bin - first) as usize].plus_one();
    }
}

/// Widens `counts` (the window `first..`) to `len` entries starting `shift` bins earlier.
fn widen_counts<T: Count>(counts: &mut Vec<T>, shift: usize, len: usize) {
    let old = counts.len();
    // Exactly: `resize` alone would double the capacity, whatever the growth asked for.
    counts.reserve_exact(len - old);
    counts.resize(len, T::default());
    if shift > 0 {
        counts.copy_within(0..old, shift);
        counts[..shift].fill(T::default());
    }
}

/// (bin, count) of every non-zero count of a dense window starting at bin `first`, in order.
fn nonzero<T: Count>(counts: &[T], first: u32) -> impl Iterator<Item = (u32, u64)> + '_ {
    counts
        .iter()
        .enumerate()
        .map(|(i, &c)| (i, c.into()))
        .filter(|&(_, c)| c > 0)
        .map(move |(i, c)| (first + i as u32, c))
}

/// `counts[start..start + len]`, in place.
fn cut<T: Count>(mut counts: Vec<T>, start: usize, len: usize) -> Vec<T> {
    if start > 0 || len < counts.len() {
        counts.copy_within(start..start + len, 0);
        counts.truncate(len);
    }
    counts
}

/// Whether `samples` samples' bins (4 bytes each) take less room than the counts of `width`
/// bins (4 bytes each up to [`NARROW_MAX`] samples, else 8).
fn sparse_is_smaller(samples: u64, width: usize) -> bool {
    let per_bin = if samples > NARROW_MAX { 2 } else { 1 };
    samples < per_bin * width as u64
}

/// (bin, samples) of each run of equal bins of sorted `bins`.
fn runs(bins: &[u32]) -> impl Iterator<Item = (u32, u64)> + '_ {
    let mut rest = bins;
    std::iter::from_fn(move || {
        let &bin = rest.first()?;
        let run = rest.iter().take_while(|&&b| b == bin).count();
        rest = &rest[run..];
        Some((bin, run as u64))
    })
}

impl RankWindow {
    /// The window `first..first + counts.len()` with these counts. A window whose end bins are
    /// non-zero (as ranksense writes them) is put in its canonical form; any other is kept as
    /// given, so that a check of the counts can still see and refuse it.
    pub fn from_counts(first: u32, counts: Vec<u64>) -> Self {
        let end = first.saturating_add(counts.len() as u32);
        let samples = counts.iter().fold(0u64, |s, &c| s.saturating_add(c));
        let mut window = RankWindow {
            first,
            end,
            samples,
            form: Form::Wide(counts),
        };
        if window.is_trimmed() {
            window.trim();
        }
        window
    }

    /// Counts one sample in `bin` (< `n_bins`), growing the window if the bin lies outside it.
    #[inline]
    pub fn add(&mut self, bin: u32, n_bins: u32) {
        if self.samples < NARROW_MAX
            && let Form::Narrow(counts) = &mut self.form
            // Below `first` the subtraction wraps to a huge index, which `get_mut` refuses too.
            && let Some(count) = counts.get_mut(bin.wrapping_sub(self.first) as usize)
        {
            *count += 1;
            self.samples += 1;
        } else {
            self.add_outside(bin, n_bins);
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
        self.samples = self.samples.saturating_add(bins.len() as u64);
        if self.samples > NARROW_MAX
            && let Form::Narrow(counts) = &mut self.form
        {
            // Past 2^32 − 1 samples a count may not fit 32 bits: promoted, exactly.
            let wide = counts.iter().map(|&c| u64::from(c)).collect();
            self.form = Form::Wide(wide);
        }
        if !matches!(self.form, Form::Sparse(_)) && (lo < self.first || hi >= self.end) {
            let span = (hi + 1).max(self.end) - lo.min(self.first);
            if 2 * self.samples < u64::from(span) {
                // Ranks spread far wider than the samples: each sample's bin takes less room
                // than the counts would (a window whose first samples shared a bin).
                self.sparsify();
            } else {
                self.cover(lo, hi + 1, n_bins);
            }
        }
        let first = self.first;
        match &mut self.form {
            Form::Narrow(counts) => count_block(counts, first, bins),
            Form::Wide(counts) => count_block(counts, first, bins),
            Form::Sparse(sampled) => {
                if sampled.is_empty() {
                    (self.first, self.end) = (lo, hi + 1);
                } else {
                    self.first = self.first.min(lo);
                    self.end = self.end.max(hi + 1);
                }
                sampled.extend_from_slice(bins);
                if !sparse_is_smaller(self.samples, self.width()) {
                    self.densify(self.first, self.end);
                }
            }
        }
    }

    /// [`RankWindow::add`] for a sparse window, a bin outside a dense one or a window about to
    /// pass [`NARROW_MAX`] samples: a block of one ([`RankWindow::add_block`]). A sparse
    /// window notes the bin and becomes dense at one sample per bin; a dense one grows by
    /// half at least towards `bin` (less only where the n bins end), so a unit whose
    /// ranks spread over w bins reallocates about log₁.₅ w times per run.
    #[inline(never)]
    fn add_outside(&mut self, bin: u32, n_bins: u32) {
        self.add_block(std::slice::from_ref(&bin), n_bins);
    }

    /// Bins the window spans.
    fn width(&self) -> usize {
        (self.end - self.first) as usize
    }

    /// Turns a dense window sparse: the bin of each sample counted, over the bins it counted.
    fn sparsify(&mut self) {
        // Room for the block being added too (`samples` counts it already).
        let mut sampled = Vec::with_capacity(self.samples as usize);
        let (mut lo, mut end) = (0, 0);
        for (bin, c) in self.counts_by_bin() {
            if sampled.is_empty() {
                lo = bin;
            }
            end = bin + 1;
            sampled.extend(std::iter::repeat_n(bin, c as usize));
        }
        (self.first, self.end, self.form) = (lo, end, Form::Sparse(sampled));
    }

    /// Turns the window dense over `from..to` (which holds every bin it counted), in counts
    /// as wide as its samples need.
    fn densify(&mut self, from: u32, to: u32) {
        let len = (to - from) as usize;
        let form = if self.samples > NARROW_MAX {
            let mut counts = vec![0u64; len];
            for (bin, c) in self.counts_by_bin() {
                counts[(bin - from) as usize] += c;
            }
            Form::Wide(counts)
        } else {
            let mut counts = vec![0u32; len];
            for (bin, c) in self.counts_by_bin() {
                // At most `samples` ≤ NARROW_MAX.
                counts[(bin - from) as usize] += c as u32;
            }
            Form::Narrow(counts)
        };
        (self.first, self.end, self.form) = (from, to, form);
    }

    /// (bin, count) of every counted bin, in order for a dense window, bin by bin for an
    /// unsorted sparse one.
    fn counts_by_bin(&self) -> Box<dyn Iterator<Item = (u32, u64)> + '_> {
        match &self.form {
            Form::Sparse(bins) => Box::new(bins.iter().map(|&b| (b, 1))),
            Form::Narrow(counts) => Box::new(nonzero(counts, self.first)),
            Form::Wide(counts) => Box::new(nonzero(counts, self.first)),
        }
    }

    /// Widens a dense window to include bins `from..to` (within `0..n_bins`), by half its
    /// width at least: O(log w) reallocations per unit and run, and at most a third of a
    /// window's capacity unused (doubling left up to half).
    fn cover(&mut self, from: u32, to: u32, n_bins: u32) {
        let (first, end) = (self.first, self.end);
        if from >= first && to <= end {
            return;
        }
        let needed = to.max(end) - from.min(first);
        let len = needed
            .max((end - first) + (end - first) / 2)
            .min(n_bins.max(needed));
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
        let len = (to - from) as usize;
        match &mut self.form {
            Form::Narrow(counts) => widen_counts(counts, shift, len),
            Form::Wide(counts) => widen_counts(counts, shift, len),
            Form::Sparse(_) => unreachable!("only dense windows widen"),
        }
        (self.first, self.end) = (from, to);
    }

    /// Whether the window is empty or its end bins are non-zero (a sparse window always is).
    pub fn is_trimmed(&self) -> bool {
        fn ends<T: Count>(counts: &[T]) -> bool {
            let zero = |c: Option<&T>| c.is_some_and(|&c| c.into() == 0);
            !zero(counts.first()) && !zero(counts.last())
        }
        match &self.form {
            Form::Sparse(_) => true,
            Form::Narrow(counts) => ends(counts),
            Form::Wide(counts) => ends(counts),
        }
    }

    /// Samples counted (saturating: a forged state's counts may add up past `u64::MAX`).
    #[cfg(any(test, feature = "internals"))]
    pub fn total(&self) -> u64 {
        self.samples
    }

    /// Cuts the window to its first and last non-zero bin (empty when nothing was counted),
    /// chooses its form from the counts alone (sparse while its samples' bins take less room
    /// than its counts, 32-bit counts up to [`NARROW_MAX`] samples) and releases spare
    /// capacity: the canonical form merges and state files use.
    pub fn trim(&mut self) {
        let span = match &mut self.form {
            Form::Sparse(bins) => {
                if !bins.is_sorted() {
                    // Recording order differs between splits of the samples; sorted, it does not.
                    bins.sort_unstable();
                }
                bins.first().zip(bins.last()).map(|(&lo, &hi)| (lo, hi + 1))
            }
            _ => {
                let mut seen = self.counts_by_bin();
                seen.next()
                    .map(|(lo, _)| (lo, seen.last().map_or(lo, |(bin, _)| bin) + 1))
            }
        };
        let Some((lo, hi)) = span else {
            *self = RankWindow::default();
            return;
        };
        let samples = self.samples;
        let (start, len) = ((lo - self.first) as usize, (hi - lo) as usize);
        let wide = samples > NARROW_MAX;
        let sparse = sparse_is_smaller(samples, len);
        self.form = match std::mem::take(&mut self.form) {
            Form::Sparse(bins) if sparse => Form::Sparse(bins),
            Form::Narrow(counts) if !sparse && !wide => Form::Narrow(cut(counts, start, len)),
            Form::Wide(counts) if !sparse && wide => Form::Wide(cut(counts, start, len)),
            other => {
                // The form changes: rebuilt from the counts (`first` still the old one).
                self.form = other;
                if sparse {
                    let mut bins = Vec::with_capacity(samples as usize);
                    for (bin, c) in self.counts_by_bin() {
                        bins.extend(std::iter::repeat_n(bin, c as usize));
                    }
                    Form::Sparse(bins)
                } else {
                    self.densify(lo, hi);
                    std::mem::take(&mut self.form)
                }
            }
        };
        (self.first, self.end) = (lo, hi);
        match &mut self.form {
            Form::Sparse(bins) => bins.shrink_to_fit(),
            Form::Narrow(counts) => counts.shrink_to_fit(),
            Form::Wide(counts) => counts.shrink_to_fit(),
        }
    }

    /// Adds another window's counts (exact; a sum that would wrap is refused, naming the
    /// field). The result is in the canonical form ([`RankWindow::trim`]).
    pub fn merge(&mut self, other: &RankWindow) -> Result<(), String> {
        const WRAPS: &str = "adding the partial results overflows `rank_counts`";
        if other.is_empty() {
            return Ok(());
        }
        if self.is_empty() {
            self.clone_from(other);
            self.trim();
            return Ok(());
        }
        let (from, to) = (self.first.min(other.first), self.end.max(other.end));
        let samples = self.samples.checked_add(other.samples).ok_or(WRAPS)?;
        let both_sparse = matches!(
            (&self.form, &other.form),
            (Form::Sparse(_), Form::Sparse(_))
        );
        self.samples = samples;
        let stays_sparse = sparse_is_smaller(samples, (to - from) as usize);
        if both_sparse && stays_sparse {
            // Both sparse and staying so: the bins of both (sorted again by `trim`, which
            // takes two sorted runs in about linear time).
            if let (Form::Sparse(bins), Form::Sparse(more)) = (&mut self.form, &other.form) {
                bins.extend_from_slice(more);
            }
            (self.first, self.end) = (from, to);
        } else {
            let narrow = matches!(self.form, Form::Narrow(_));
            if matches!(self.form, Form::Sparse(_)) || (narrow && samples > NARROW_MAX) {
                // Counted again in counts as wide as the sum needs.
                self.densify(from, to);
            } else {
                self.widen(from, to);
            }
            match &mut self.form {
                Form::Narrow(counts) => {
                    for (bin, c) in other.counts_by_bin() {
                        // Both add up to at most NARROW_MAX samples.
                        counts[(bin - from) as usize] += c as u32;
                    }
                }
                Form::Wide(counts) => {
                    for (bin, c) in other.counts_by_bin() {
                        let sum = &mut counts[(bin - from) as usize];
                        *sum = sum.checked_add(c).ok_or(WRAPS)?;
                    }
                }
                Form::Sparse(_) => unreachable!("made dense above"),
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
        match &self.form {
            Form::Sparse(bins) => bins.is_empty(),
            Form::Narrow(counts) => counts.is_empty(),
            Form::Wide(counts) => counts.is_empty(),
        }
    }

    /// The window's bins (sparse), 32-bit or 64-bit counts: one non-empty at most.
    fn parts(&self) -> (&[u32], &[u32], &[u64]) {
        match &self.form {
            Form::Sparse(bins) => (bins, &[], &[]),
            Form::Narrow(counts) => (&[], counts, &[]),
            Form::Wide(counts) => (&[], &[], counts),
        }
    }

    /// (bin, count) of every bin with a non-zero count, in order. The window must be trimmed
    /// ([`RankWindow::trim`]) if it is sparse.
    pub fn iter(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        let (bins, narrow, wide) = self.parts();
        debug_assert!(bins.is_sorted(), "a sparse window is read once trimmed");
        nonzero(narrow, self.first)
            .chain(nonzero(wide, self.first))
            .chain(runs(bins))
            .map(|(bin, c)| (bin as usize, c))
    }

    /// The count of every bin of the window, zeros included, in order (trimmed if sparse).
    pub fn dense_counts(&self) -> impl Iterator<Item = u64> + '_ {
        let (bins, narrow, wide) = self.parts();
        debug_assert!(bins.is_sorted(), "a sparse window is read once trimmed");
        // A dense window's counts are all there is; a sparse one's are counted run by run.
        let sparse_width = if bins.is_empty() { 0 } else { self.width() };
        let mut rest = bins;
        let gaps = (self.first..self.end).take(sparse_width).map(move |bin| {
            let run = rest.iter().take_while(|&&b| b == bin).count();
            rest = &rest[run..];
            run as u64
        });
        narrow
            .iter()
            .map(|&c| u64::from(c))
            .chain(wide.iter().copied())
            .chain(gaps)
    }

    /// The counts over the window as one slice (borrowed when the window holds 64-bit counts).
    pub fn counts(&self) -> Cow<'_, [u64]> {
        match &self.form {
            Form::Wide(counts) => Cow::Borrowed(counts),
            _ => Cow::Owned(self.dense_counts().collect()),
        }
    }

    /// Heap bytes the window holds (its capacity).
    #[cfg(any(test, feature = "internals"))]
    pub fn heap_bytes(&self) -> usize {
        match &self.form {
            Form::Sparse(bins) => bins.capacity() * 4,
            Form::Narrow(counts) => counts.capacity() * 4,
            Form::Wide(counts) => counts.capacity() * 8,
        }
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
    /// in the form the counts alone decide (sparse below one sample per bin); growth stays
    /// within the n bins; split in two and merged, the same window.
    #[test]
    fn windows_equal_full_histograms_in_any_order() {
        let n = 50u32;
        let sequences: [&[u32]; 8] = [
            &[10, 10, 11, 9, 30, 0, 49],
            &[49, 0],
            &[25],
            &[3, 2, 1, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
            &[40, 41, 39, 45, 20, 47, 48, 49, 0],
            // Dense: 12 samples over 3 bins, 6 over 3, and 3 over 3 (exactly one per bin).
            &[7, 8, 9, 7, 8, 9, 7, 8, 9, 9, 9, 9],
            &[20, 22, 21, 20, 22, 21],
            &[30, 32, 31],
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
            // 4 bytes per sample or per bin of 32-bit counts, whichever is less.
            let bytes = 4 * bins.len().min(counts.len());
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

    /// A window spread over many bins by few samples keeps 4 bytes per sample, not 4 per bin;
    /// it turns dense once it has seen as many samples as bins.
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
        assert_eq!(window.heap_bytes(), 4 * window.end() as usize - 4 * window.first() as usize);
        assert_eq!(window.total(), 21_000);
    }

    /// Past 2^32 − 1 samples a window's counts turn 64-bit, exactly, whichever way the
    /// samples come (one by one, in a block, merged), and the trimmed form depends on the
    /// counts alone; the serialised counts are the same whatever the form.
    #[test]
    fn counts_past_u32_are_promoted_exactly() {
        let n = 10;
        let almost = u64::from(u32::MAX) - 1;
        let mut window = RankWindow::from_counts(2, vec![almost, 1]);
        assert_eq!(window.heap_bytes(), 8, "32-bit counts up to u32::MAX samples");
        window.add(2, n);
        assert_eq!((window.total(), window.heap_bytes()), (u64::from(u32::MAX) + 1, 16));
        assert_eq!(*window.counts(), [almost + 1, 1]);
        let expected = RankWindow::from_counts(2, vec![almost + 1, 1]);
        window.trim();
        assert_eq!(window, expected);
        // A block across the limit, growing the window too.
        let mut blocked = RankWindow::from_counts(2, vec![almost, 0, 1]);
        blocked.add_block(&[2, 3, 5, 2], n);
        blocked.trim();
        assert_eq!(*blocked.counts(), [almost + 2, 1, 1, 1]);
        assert_eq!(blocked.total(), almost + 5);
        // Merged: two 32-bit windows whose sum is not.
        let mut a = RankWindow::from_counts(2, vec![almost, 1]);
        a.merge(&RankWindow::from_counts(1, vec![1, 1])).unwrap();
        assert_eq!(a, RankWindow::from_counts(1, vec![1, almost + 1, 1]));
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, format!("{{\"first\":1,\"counts\":[1,{},1]}}", almost + 1));
        assert_eq!(serde_json::from_str::<RankWindow>(&json).unwrap(), a);
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
