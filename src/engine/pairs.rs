//! Buffered "a ranks above b" counters for the pair rows: the heaviest per-sample work, kept as narrow as the index allows.

use crate::pipeline::vectors::dispatch;

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

/// Lane width the narrow pair rows are padded to and counted in ([`count_bytes`]): one AVX2
/// register of bytes (two SSE2 ones).
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
        record_with_vectors(self, pair_units, ranks);
    }

    /// [`PairBuffer::record`]'s body, compiled twice by [`record_with_vectors`].
    #[inline(always)]
    fn record_portable(&mut self, pair_units: &[usize], ranks: &[u32]) {
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
                // Rows of a fixed number of blocks: the row's loop unrolled whole and the keys
                // held in registers across rows (a loop over a run-time stride cost three
                // times the comparisons themselves).
                match *stride / NARROW_LANES {
                    0 => {}
                    1 => count_rows::<1>(keys, counts, reverse, pair_units),
                    2 => count_rows::<2>(keys, counts, reverse, pair_units),
                    3 => count_rows::<3>(keys, counts, reverse, pair_units),
                    4 => count_rows::<4>(keys, counts, reverse, pair_units),
                    5 => count_rows::<5>(keys, counts, reverse, pair_units),
                    6 => count_rows::<6>(keys, counts, reverse, pair_units),
                    7 => count_rows::<7>(keys, counts, reverse, pair_units),
                    _ => count_rows::<8>(keys, counts, reverse, pair_units),
                }
            }
            PairBuffer::Wide { counts, reverse } => {
                let n = ranks.len();
                for (row, &a) in pair_units.iter().enumerate() {
                    let own = ranks[a];
                    count_words(&mut counts[row * n..(row + 1) * n], ranks, own, Above);
                    if !reverse.is_empty() {
                        count_words(&mut reverse[row * n..(row + 1) * n], ranks, own, Below);
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

dispatch! {
    /// [`PairBuffer::record`] with vector instructions as wide as the CPU has (the same
    /// counts). A function of its own, not inlined into the rest of the recording, so that
    /// the compiler sees its rows as separate slices and vectorises them.
    fn record_with_vectors / record_avx2 = record_portable<'b, 'p, 'r>(
        buffer: &'b mut PairBuffer,
        pair_units: &'p [usize],
        ranks: &'r [u32],
    )
}

#[inline(always)]
fn record_portable(buffer: &mut PairBuffer, pair_units: &[usize], ranks: &[u32]) {
    buffer.record_portable(pair_units, ranks);
}

/// Which units a row counts: those its unit ranks above, or those ranked above it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Above,
    Below,
}
use Side::{Above, Below};

/// Adds 1 to `counts[b]` where the row's unit (key `own`) ranks above b (`Above`: own < key)
/// or b above it (`Below`), branch-free in fixed blocks of [`NARROW_LANES`] bytes: one AVX2
/// instruction each (two SSE2), where a loop over the row would be unrolled past a short row
/// by the compiler and run in its narrow remainder loop. The comparisons are first stored as
/// 0/1 in a block of their own, which the compiler turns into vector compares (written
/// straight into the sum, it compared byte by byte); the slices are parameters, so the
/// compiler knows they do not overlap.
#[inline(always)]
fn count_bytes<const B: usize>(
    count_blocks: &mut [[u8; NARROW_LANES]; B],
    key_blocks: &[[i8; NARROW_LANES]; B],
    own: i8,
    side: Side,
) {
    for (counts, keys) in count_blocks.iter_mut().zip(key_blocks) {
        let mut wins = [0u8; NARROW_LANES];
        for (win, &key) in wins.iter_mut().zip(keys) {
            *win = u8::from(if side == Above { own < key } else { key < own });
        }
        for (count, &win) in counts.iter_mut().zip(&wins) {
            // At most FLUSH_EVERY (255) samples between flushes: never wraps.
            *count = count.wrapping_add(win);
        }
    }
}

/// The narrow rows (`B` blocks of [`NARROW_LANES`] each, up to 8: 256 units) counted with
/// [`count_bytes`]: "above" rows, and "below" ones when `reverse` has rows.
#[inline(always)]
fn count_rows<const B: usize>(
    keys: &[i8],
    counts: &mut [u8],
    reverse: &mut [u8],
    pair_units: &[usize],
) {
    let stride = B * NARROW_LANES;
    let (key_blocks, _) = keys.as_chunks::<NARROW_LANES>();
    let key_blocks: &[[i8; NARROW_LANES]; B] =
        key_blocks[..B].try_into().expect("B blocks of keys");
    let rows = counts.chunks_exact_mut(stride).zip(pair_units);
    if reverse.is_empty() {
        for (row, &a) in rows {
            count_bytes(blocks_of(row), key_blocks, keys[a], Above);
        }
    } else {
        for ((row, &a), reverse) in rows.zip(reverse.chunks_exact_mut(stride)) {
            count_bytes(blocks_of(row), key_blocks, keys[a], Above);
            count_bytes(blocks_of(reverse), key_blocks, keys[a], Below);
        }
    }
}

/// A row of `B` whole blocks as a fixed-size array (its length is checked once here).
#[inline(always)]
fn blocks_of<const B: usize>(row: &mut [u8]) -> &mut [[u8; NARROW_LANES]; B] {
    let (blocks, _) = row.as_chunks_mut::<NARROW_LANES>();
    blocks.try_into().expect("a row of B blocks")
}

/// Lanes of [`count_words`]'s blocks: one AVX2 register of 32-bit counters.
const WIDE_LANES: usize = 8;

/// [`count_bytes`] for ranks and 32-bit counters (larger indices, rows not padded: the rest
/// after the whole blocks one by one).
#[inline(always)]
fn count_words(counts: &mut [u32], ranks: &[u32], own: u32, side: Side) {
    let wins = |rank: u32| u32::from(if side == Above { own < rank } else { rank < own });
    let ranks = &ranks[..counts.len()];
    let (count_blocks, count_rest) = counts.as_chunks_mut::<WIDE_LANES>();
    let (rank_blocks, rank_rest) = ranks.as_chunks::<WIDE_LANES>();
    for (counts, ranks) in count_blocks.iter_mut().zip(rank_blocks) {
        let mut block = [0u32; WIDE_LANES];
        for (win, &rank) in block.iter_mut().zip(ranks) {
            *win = wins(rank);
        }
        for (count, &win) in counts.iter_mut().zip(&block) {
            *count += win;
        }
    }
    for (count, &rank) in count_rest.iter_mut().zip(rank_rest) {
        *count += wins(rank);
    }
}
