//! Scoring for the Monte Carlo engine on a large index, where only the top node's scores are
//! read: the aggregates below it are summed a tile of units at a time and never stored.
//!
//! At 33,000 × 39 a sample reads 10 MB of indicator columns, and [`score`] (through
//! `score_fused`) also wrote every aggregate's row, 2.1 MB more, each line read before it
//! is written: the pass is bound by memory, not arithmetic (`perf`: the loads' stalls).
//! Here each aggregate's sums for a tile of [`TILE`] units stay in a small buffer in L1
//! cache, each column is read in one sequential run per tile with the next tile's part
//! prefetched, and only the top's row is stored. Each unit's sum starts at 0 and adds
//! `share × child` over the children in their order, as `score_fused` and the kernels of
//! `aggregate` do: the same operations on the same values, so the same bits.

use std::mem::MaybeUninit;

use super::{
    Config, DataView, FUSED_AGGREGATES, FUSED_TERMS, Prepared, Saved, Scratch,
    Source, score,
};

/// From this many units on, [`score_top`] takes the tiled path; below it the aggregate rows
/// fit in cache and storing them costs nothing measurable.
pub const TOP_ONLY_MIN: usize = 4_096;

/// Units per tile: 16 aggregates' sums of 128 units are 16 kB, within L1 with the columns'
/// lines passing through; each column is read 1 kB (16 cache lines) at a time.
const TILE: usize = 128;

/// Scores `config` into `scratch` as [`score`] does, but afterwards only the top node's
/// scores are sure to be held ([`Scratch::aggregate_scores`] of another aggregate panics):
/// what the engine's workers read. The same bits as [`score`].
pub fn score_top(prepared: &Prepared, config: &Config, scratch: &mut Scratch) {
    let data = DataView::of(prepared, config.variant);
    if scratch.n_units >= TOP_ONLY_MIN && !data.has_missing && top_tiled(prepared, data, config, scratch)
    {
        return;
    }
    score(prepared, config, scratch);
}

/// One child of an aggregate in [`top_tiled`]: an indicator's column, or (when `column` is
/// null) the tile row of an aggregate summed before it; and its share w / W.
#[derive(Clone, Copy)]
struct Term {
    column: *const f64,
    row: usize,
    share: f64,
}

super::super::vectors::dispatch! {
    /// The tiled pass of [`score_top`]; false, having stored nothing [`score`] relies on,
    /// where `score_fused` would not apply (a non-arithmetic level, a zero weight, a total
    /// weight that is not positive, an aggregate missing at the first unit, too many
    /// aggregates), and [`score`] then scores everything.
    fn top_tiled / top_tiled_avx2 = top_tiled_portable<'p, 'd, 'c, 's>(
        prepared: &'p Prepared,
        data: DataView<'d>,
        config: &'c Config,
        scratch: &'s mut Scratch,
    ) -> bool
}

#[inline(always)]
fn top_tiled_portable(
    prepared: &Prepared,
    data: DataView,
    config: &Config,
    scratch: &mut Scratch,
) -> bool {
    let framework = &prepared.framework;
    let n = scratch.n_units;
    let m = scratch.n_indicators;
    let key = (std::ptr::from_ref(framework) as usize, Saved::NONE.count);
    if scratch.plan.key != Some(key) {
        scratch.plan.remake(framework, key, n);
    }
    let plan = &scratch.plan;
    if !plan.fits || n == 0 {
        return false;
    }
    let mut terms = [MaybeUninit::<Term>::uninit(); FUSED_TERMS];
    let applies = plan.shares(config, &mut scratch.node_shares, &mut terms, |source, share| {
        let (column, row) = match source {
            Source::Indicator(c) => (data.normalised.col(c).as_ptr(), 0),
            // Nothing is saved on this path; an aggregate row is a tile row.
            Source::Saved(_) => return None,
            Source::Scored(offset) => (std::ptr::null(), offset / n),
        };
        Some(Term { column, row, share })
    });
    if !applies {
        return false;
    }
    let from = plan.children.len();
    // SAFETY: the first `from` (all the plan's children) slots were written above.
    let terms = unsafe { std::slice::from_raw_parts(terms.as_ptr().cast::<Term>(), from) };
    let ends = &plan.aggregates;
    let top = framework.top - m;
    let mut tile = [0.0f64; FUSED_AGGREGATES * TILE];
    let mut start = 0;
    while start < n {
        let len = TILE.min(n - start);
        let mut from = 0;
        for &(end, a, _) in ends {
            let (done, rest) = tile.split_at_mut(a * TILE);
            let sums = &mut rest[..len];
            sums.fill(0.0);
            for term in &terms[from..end] {
                let child: &[f64] = if term.column.is_null() {
                    &done[term.row * TILE..term.row * TILE + len]
                } else {
                    prefetch_next_tile(term.column, start + TILE, n);
                    // SAFETY: every indicator column has n values and start + len ≤ n.
                    unsafe { std::slice::from_raw_parts(term.column.add(start), len) }
                };
                for (sum, &x) in sums.iter_mut().zip(child) {
                    *sum += term.share * x;
                }
            }
            from = end;
        }
        // An aggregate missing for every unit makes its parent renormalise: `score` handles
        // that, as `score_fused` leaves it to the general path (only non-finite data can get
        // here with one).
        if start == 0 && ends.iter().any(|&(_, a, _)| tile[a * TILE].is_nan()) {
            return false;
        }
        scratch.values[top * n + start..top * n + start + len]
            .copy_from_slice(&tile[top * TILE..top * TILE + len]);
        start += len;
    }
    scratch.variant = config.variant;
    // Only the top's row is held; reading another aggregate's is refused.
    scratch.first_held = top;
    scratch.is_log[top] = false;
    scratch.has_values[top] = true;
    scratch.empty[top] = false;
    // Every aggregate was summed here: the shares of all their children are held.
    scratch.shares_from = 0;
    true
}

/// Asks for the part of `column` the next tile reads (`next..next + TILE`, within its `n`
/// values) to be brought into cache while this tile is summed: a hint, no effect on results.
#[inline(always)]
fn prefetch_next_tile(column: *const f64, next: usize, n: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let end = (next + TILE).min(n);
        let mut i = next;
        while i < end {
            // SAFETY: i < n: the address is within the column (prefetching never faults anyway).
            unsafe { _mm_prefetch::<_MM_HINT_T0>(column.add(i).cast::<i8>()) };
            i += 8; // one 64-byte line
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (column, next, n);
}
