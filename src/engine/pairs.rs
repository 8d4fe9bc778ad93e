//! Buffered "a ranks above b" counters for the pair rows: the heaviest per-sample work, kept as narrow as the index allows.

/// Buffered "a ranks above b" counts for the pair rows, between flushes.
///
/// The heaviest per-sample work (rows × units comparisons), so it is made as narrow as the
/// index allows: up to 255 units, ranks are compared as `i8` keys (rank − 128) into `u8`
/// counters, sixteen to a vector register, and rows are padded to whole vector steps so no
/// comparison falls to a tail loop; counters are flushed every 255 samples, before they can
/// wrap. Larger indices use `u32` ranks and counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PairBuffer {
    Narrow {
        /// This sample's rank keys, padded with `i8::MIN` (never above anyone).
        keys: Vec<i8>,
        /// `rows × stride`; entries at or past `n_units` in a row are padding.
        counts: Vec<u8>,
        /// Same layout: b ranked strictly better than a (empty when every unit has a row).
        reverse: Vec<u8>,
        stride: usize,
    },
    Wide {
        counts: Vec<u32>,
        reverse: Vec<u32>,
    },
}

/// Lane width the narrow pair rows are padded to: two SSE registers of bytes, the step of the
/// compiler's unrolled vector loop, so no row ends in a narrower epilogue loop.
const NARROW_LANES: usize = 32;

impl PairBuffer {
    pub(super) fn new(n_units: usize, rows: usize, reverse: bool) -> Self {
        if n_units <= usize::from(u8::MAX) {
            let stride = n_units.next_multiple_of(NARROW_LANES);
            PairBuffer::Narrow {
                keys: vec![i8::MIN; stride],
                counts: vec![0; rows * stride],
                reverse: if reverse {
                    vec![0; rows * stride]
                } else {
                    Vec::new()
                },
                stride,
            }
        } else {
            PairBuffer::Wide {
                counts: vec![0; rows * n_units],
                reverse: if reverse {
                    vec![0; rows * n_units]
                } else {
                    Vec::new()
                },
            }
        }
    }

    /// Counts, for each pair row `a`, the units b that `a` ranks strictly above (and, with
    /// reverse rows, those ranked strictly above `a`).
    #[inline]
    pub(super) fn record(&mut self, pair_units: &[usize], ranks: &[u32]) {
        match self {
            PairBuffer::Narrow {
                keys,
                counts,
                reverse,
                stride,
            } => {
                for (key, &rank) in keys.iter_mut().zip(ranks) {
                    // rank ∈ [1, 255] → [−127, 127]: signed byte order is rank order.
                    *key = (rank as i32 - 128) as i8;
                }
                let stride = *stride;
                for (row, &a) in pair_units.iter().enumerate() {
                    let own = keys[a];
                    count_row(&mut counts[row * stride..(row + 1) * stride], keys, |b| {
                        own < b
                    });
                    if !reverse.is_empty() {
                        count_row(&mut reverse[row * stride..(row + 1) * stride], keys, |b| {
                            b < own
                        });
                    }
                }
            }
            PairBuffer::Wide { counts, reverse } => {
                let n = ranks.len();
                for (row, &a) in pair_units.iter().enumerate() {
                    let own = ranks[a];
                    count_row(&mut counts[row * n..(row + 1) * n], ranks, |b| own < b);
                    if !reverse.is_empty() {
                        count_row(&mut reverse[row * n..(row + 1) * n], ranks, |b| b < own);
                    }
                }
            }
        }
    }

    /// Adds the buffered counts (`rows × n_units`, without padding) into `totals` and
    /// `reverse_totals`, and clears the buffers.
    pub(super) fn flush_into(
        &mut self,
        n_units: usize,
        totals: &mut [u64],
        reverse_totals: &mut [u64],
    ) {
        fn widen<C: Copy + Default + Into<u64>>(
            buffer: &mut [C],
            stride: usize,
            n_units: usize,
            totals: &mut [u64],
        ) {
            if n_units == 0 {
                return;
            }
            for (row, totals) in buffer
                .chunks_exact_mut(stride)
                .zip(totals.chunks_exact_mut(n_units))
            {
                for (total, count) in totals.iter_mut().zip(row.iter()) {
                    *total += (*count).into();
                }
                // Padding included: it may have counted too.
                row.fill(C::default());
            }
        }
        match self {
            PairBuffer::Narrow {
                counts,
                reverse,
                stride,
                ..
            } => {
                widen(counts, *stride, n_units, totals);
                widen(reverse, *stride, n_units, reverse_totals);
            }
            PairBuffer::Wide { counts, reverse } => {
                widen(counts, n_units, n_units, totals);
                widen(reverse, n_units, n_units, reverse_totals);
            }
        }
    }
}

/// Adds 1 to `counts[b]` where `wins(keys[b])`: branch-free, so the compiler vectorises it.
#[inline(always)]
fn count_row<K: Copy, C: Copy + std::ops::AddAssign + From<bool>>(
    counts: &mut [C],
    keys: &[K],
    wins: impl Fn(K) -> bool,
) {
    for (count, &key) in counts.iter_mut().zip(keys) {
        *count += C::from(wins(key));
    }
}
