//! Normalisation kernels, one per method (COINr `n_*`), on one indicator column with its direction applied.

use super::stats::{Standardiser, UnitMap, min_max};
use crate::model::method::{Normalisation, fmt_num};

/// Per-indicator parameters some methods need, from meta.csv and the unit list.
#[derive(Debug, Clone, Copy, Default)]
pub struct NormaliseContext {
    /// +1 or −1: the column has already been multiplied by it.
    pub direction: f64,
    /// `(Goalpost_lower, Goalpost_upper)` in the indicator's own units.
    pub goalposts: Option<(f64, f64)>,
    /// `Target` in the indicator's own units.
    pub target: Option<f64>,
    /// Row of the reference unit for `dist2ref`.
    pub reference_row: Option<usize>,
}

/// Why a column cannot be normalised by a method. The messages do not repeat the method's
/// name: [`crate::pipeline::PrepareError`] names the indicator and the method around them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NormaliseError {
    #[error("every unit has the same value ({}), so it would divide by zero", fmt_num(*value))]
    Constant { method: String, value: f64 },
    #[error("it needs {what} in meta.csv")]
    MissingParameter { method: String, what: &'static str },
    #[error("the reference unit has no value for this indicator")]
    MissingReference { method: String },
    #[error("{why}")]
    Undefined { method: String, why: String },
}

/// Ranks in ascending order of value, ties sharing the lowest rank, missing values kept
/// missing (R `rank(x, ties.method = "min", na.last = "keep")`).
///
/// A short column is ranked by the definition itself, rank(u) = 1 + #{v : x[v] < x[u]} (a
/// missing value compares false, and ties get the lowest rank): n² compares without a branch,
/// which vectorise and beat sorting below [`COUNTED_RANKS_UP_TO`] cells (an IECI column of 37
/// cities re-ranked in every sample); longer columns sort. Both give the same ranks
/// (`ranks_equal_the_counting_definition`).
fn ascending_min_ranks(x: &[f64], out: &mut [f64], order: &mut RankOrder) {
    if x.len() <= COUNTED_RANKS_UP_TO {
        counted_min_ranks(x, out);
        return;
    }
    sorted_min_ranks(x, out, order);
}

super::vectors::dispatch! {
    /// [`ascending_min_ranks`] by counting, with vector compares as wide as the CPU has
    /// ([`super::vectors`]: whole-number counts, the same either way).
    fn counted_min_ranks / counted_min_ranks_avx2 = counted_min_ranks_portable<'x, 'o>(
        x: &'x [f64],
        out: &'o mut [f64],
    )
}

/// Cells ranked together by [`counted_min_ranks_portable`]: eight counts in two AVX2 registers
/// (four SSE2 ones).
const RANK_LANES: usize = 8;

/// Ranks by counting, [`RANK_LANES`] cells at a time: one pass over the column compares each
/// value with the block's cells at once and adds to their counts, so the counts stay in vector
/// registers and nothing is summed across lanes. Whole blocks are read and written whole; the
/// last, partial block is padded with NaN, which counts nothing and is not written. (One
/// loop for both made every block's stores masked, which AMD's CPUs execute slowly.)
#[inline(always)]
fn counted_min_ranks_portable(x: &[f64], out: &mut [f64]) {
    let mut whole = out.chunks_exact_mut(RANK_LANES);
    for (start, out) in (0..x.len()).step_by(RANK_LANES).zip(&mut whole) {
        let mut block = [f64::NAN; RANK_LANES];
        block.copy_from_slice(&x[start..start + RANK_LANES]);
        let ranks = block_min_ranks(x, &block);
        out.copy_from_slice(&ranks);
    }
    let rest = whole.into_remainder();
    if !rest.is_empty() {
        let start = x.len() - rest.len();
        let mut block = [f64::NAN; RANK_LANES];
        block[..rest.len()].copy_from_slice(&x[start..]);
        let ranks = block_min_ranks(x, &block);
        rest.copy_from_slice(&ranks[..rest.len()]);
    }
}

/// The ranks of the block's cells among `x` (NaN for a missing cell).
#[inline(always)]
fn block_min_ranks(x: &[f64], block: &[f64; RANK_LANES]) -> [f64; RANK_LANES] {
    let mut below = [0u64; RANK_LANES];
    for &w in x {
        for (count, &v) in below.iter_mut().zip(block) {
            *count += u64::from(w < v);
        }
    }
    let mut ranks = [0.0; RANK_LANES];
    for ((rank, &v), &count) in ranks.iter_mut().zip(block).zip(&below) {
        *rank = if v.is_nan() {
            f64::NAN
        } else {
            (count + 1) as f64
        };
    }
    ranks
}

/// [`ascending_min_ranks`] from the sorted order of the present cells.
fn sorted_min_ranks(x: &[f64], out: &mut [f64], order: &mut RankOrder) {
    order.sort_present(x);
    for v in out.iter_mut() {
        *v = f64::NAN;
    }
    let mut rank = 0usize;
    let mut previous = f64::NAN;
    for (position, &entry) in order.entries.iter().enumerate() {
        let u = RankOrder::cell(entry);
        if position == 0 || x[u] != previous {
            rank = position + 1;
        }
        previous = x[u];
        out[u] = rank as f64;
    }
}

/// Columns up to this length are ranked by counting (see [`ascending_min_ranks`]).
const COUNTED_RANKS_UP_TO: usize = 64;

/// The present cells of a column sorted by value, ties by position (the order a stable sort
/// gives), kept between calls so that re-ranking a slightly changed column is cheap.
///
/// Each entry packs the cell's sort key above its position into one `u128`: the key is the
/// value's bits mapped so that unsigned order is `f64::total_cmp` order (the map of
/// `total_cmp` itself, with the sign bit flipped), so comparing entries compares (value,
/// position) without reading the column.
#[derive(Debug, Clone, Default)]
pub struct RankOrder {
    entries: Vec<u128>,
}

impl RankOrder {
    pub fn with_capacity(n: usize) -> Self {
        RankOrder {
            entries: Vec::with_capacity(n),
        }
    }

    #[inline]
    fn entry(value: f64, cell: usize) -> u128 {
        let bits = value.to_bits() as i64;
        let key = (bits ^ ((((bits >> 63) as u64) >> 1) as i64)) as u64 ^ (1 << 63);
        (u128::from(key) << 64) | cell as u128
    }

    #[inline]
    fn cell(entry: u128) -> usize {
        entry as u64 as usize
    }

    /// Sorts the present cells of `x` into the order, without allocating once it has grown to
    /// the column's length.
    ///
    /// The order is unique (values under total_cmp, then positions), so where it starts from
    /// does not matter. When the order still holds the present cells of `x` — the noisy path
    /// re-ranks the same column perturbed in every sample and keeps each column's last order —
    /// the keys are refreshed in place and an insertion sort finishes, which costs O(n + I)
    /// for I inversions (Knuth, TAOCP vol. 3, §5.2.1): a few moves when small errors swap a
    /// few neighbours. Past a budget of moves it finishes with the general sort instead.
    fn sort_present(&mut self, x: &[f64]) {
        let present = x.iter().filter(|v| !v.is_nan()).count();
        let entries = &mut self.entries;
        // The order holds distinct cells (every call leaves it so): as many as are present,
        // all present, means exactly the present cells.
        let reusable = entries.len() == present
            && entries.iter().all(|&e| {
                let u = Self::cell(e);
                u < x.len() && !x[u].is_nan()
            });
        if reusable {
            for e in entries.iter_mut() {
                let u = Self::cell(*e);
                *e = Self::entry(x[u], u);
            }
            let budget = 8 * present + 64;
            let mut moves = 0usize;
            for i in 1..entries.len() {
                let e = entries[i];
                let mut j = i;
                while j > 0 && e < entries[j - 1] {
                    entries[j] = entries[j - 1];
                    j -= 1;
                }
                entries[j] = e;
                moves += i - j;
                if moves > budget {
                    break;
                }
            }
            if moves <= budget {
                return;
            }
        } else {
            entries.clear();
            entries.extend(
                x.iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_nan())
                    .map(|(u, &v)| Self::entry(v, u)),
            );
        }
        entries.sort_unstable();
    }
}

/// out[u] = f(x[u]) for every cell: a generic closure, so each method's map is inlined into
/// its own loop.
#[inline]
fn map_into(out: &mut [f64], x: &[f64], f: impl Fn(f64) -> f64) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = f(v);
    }
}

/// Normalises one column `x` (already multiplied by its direction) into `out`.
/// Formulas are documented on [`Normalisation`]; missing values stay missing.
pub fn normalise_column(
    x: &[f64],
    method: &Normalisation,
    context: &NormaliseContext,
    out: &mut [f64],
) -> Result<(), NormaliseError> {
    normalise_column_with(x, method, context, out, &mut RankOrder::default())
}

/// [`normalise_column`] with the caller's buffer for the rank order (reused across samples;
/// a buffer kept per column makes re-ranking a perturbed column cheap, see [`RankOrder`]).
pub fn normalise_column_with(
    x: &[f64],
    method: &Normalisation,
    context: &NormaliseContext,
    out: &mut [f64],
    order: &mut RankOrder,
) -> Result<(), NormaliseError> {
    normalise_column_in_range(x, None, method, context, out, order)
}

/// [`normalise_column_with`] given `range`, the column's [`min_max`] when the caller has it
/// already (the noisy path computes it while it writes the column); `None` computes it here,
/// and only for the methods that read it.
pub fn normalise_column_in_range(
    x: &[f64],
    range: Option<(f64, f64)>,
    method: &Normalisation,
    context: &NormaliseContext,
    out: &mut [f64],
    order: &mut RankOrder,
) -> Result<(), NormaliseError> {
    let name = || method.to_string();
    let given = range;
    let range = || given.unwrap_or_else(|| min_max(x));
    let constant = || NormaliseError::Constant {
        method: name(),
        value: range().0 * context.direction,
    };
    match method {
        Normalisation::MinMax { low, high } => {
            let (lo, hi) = range();
            if hi == lo {
                return Err(constant());
            }
            let unit = UnitMap::new(lo, hi);
            map_into(out, x, |v| unit.apply(v) * (high - low) + low);
        }
        Normalisation::ZScore { mean: m, sd: s } => {
            let z = match given {
                Some(range) => Standardiser::of_in_range(x, range),
                None => Standardiser::of(x),
            }
            .ok_or_else(constant)?;
            map_into(out, x, |v| z.apply(v) * s + m);
        }
        Normalisation::Rank | Normalisation::Borda | Normalisation::Percentile => {
            ascending_min_ranks(x, out, order);
            match method {
                Normalisation::Borda => out.iter_mut().for_each(|v| *v -= 1.0),
                Normalisation::Percentile => {
                    let present = out.iter().filter(|v| !v.is_nan()).count() as f64;
                    out.iter_mut().for_each(|v| *v = (*v - 1.0) / (present - 1.0));
                }
                _ => {}
            }
        }
        Normalisation::Dist2Max => {
            let (lo, hi) = range();
            if hi == lo {
                return Err(constant());
            }
            let unit = UnitMap::new(lo, hi);
            map_into(out, x, |v| 1.0 - unit.from_b(v));
        }
        Normalisation::FracMax => {
            // On the directed values v = direction · r, both cases are monotone increasing in v:
            // higher-is-better r / max r = v / hi with hi > 0; lower-is-better min r / r = hi / v
            // with every r > 0, i.e. hi < 0.
            let hi = range().1;
            if context.direction > 0.0 {
                if hi.is_nan() || hi <= 0.0 {
                    return Err(NormaliseError::Undefined {
                        method: name(),
                        why: format!(
                            "the largest value is {}, not positive, so x / max would reverse or \
                             divide by zero",
                            fmt_num(hi)
                        ),
                    });
                }
                map_into(out, x, |v| v / hi);
            } else {
                if hi.is_nan() || hi >= 0.0 {
                    return Err(NormaliseError::Undefined {
                        method: name(),
                        why: format!(
                            "this lower-is-better indicator is scored min / x, which needs every \
                             value positive, but the smallest is {}",
                            fmt_num(-hi)
                        ),
                    });
                }
                map_into(out, x, |v| hi / v);
            }
        }
        Normalisation::Dist2Ref { .. } => {
            let row = context
                .reference_row
                .ok_or(NormaliseError::MissingParameter {
                    method: name(),
                    what: "a reference unit",
                })?;
            let reference = x[row];
            let lo = range().0;
            if reference.is_nan() {
                return Err(NormaliseError::MissingReference { method: name() });
            }
            if reference == lo {
                return Err(NormaliseError::Undefined {
                    method: name(),
                    why: "the reference unit has the lowest value, so the distance scale is zero"
                        .into(),
                });
            }
            let unit = UnitMap::new(lo, reference);
            map_into(out, x, |v| 1.0 - unit.from_b(v));
        }
        Normalisation::Dist2Targ { cap } => {
            let target = context.target.ok_or(NormaliseError::MissingParameter {
                method: name(),
                what: "a `Target` value for this indicator",
            })? * context.direction;
            // A target at or behind the worst value would divide by zero or reverse the order.
            let lo = range().0;
            if target.is_nan() || target <= lo {
                return Err(NormaliseError::Undefined {
                    method: name(),
                    why: format!(
                        "the target ({}) is not beyond the worst value ({}), so every unit has \
                         already reached it",
                        fmt_num(target * context.direction),
                        fmt_num(lo * context.direction)
                    ),
                });
            }
            let cap = *cap;
            let unit = UnitMap::new(lo, target);
            // Not `y.min(1.0)`: f64::min returns 1 for a missing (NaN) y.
            map_into(out, x, |v| {
                let y = unit.apply(v);
                if cap && y > 1.0 { 1.0 } else { y }
            });
        }
        Normalisation::Goalposts { scale } => {
            let (lower, upper) = context.goalposts.ok_or(NormaliseError::MissingParameter {
                method: name(),
                what: "`Goalpost_lower` and `Goalpost_upper` for this indicator",
            })?;
            // The data are direction-adjusted; flip the posts the same way (COINr `use_iMeta`).
            let (l, u) = if context.direction < 0.0 {
                (-upper, -lower)
            } else {
                (lower, upper)
            };
            let unit = UnitMap::new(l, u);
            map_into(out, x, |v| unit.apply(v).clamp(0.0, 1.0) * scale);
            for (o, &v) in out.iter_mut().zip(x) {
                if v.is_nan() {
                    *o = f64::NAN;
                }
            }
        }
        Normalisation::Scaled { low, high } => {
            let unit = UnitMap::new(*low, *high);
            map_into(out, x, |v| unit.apply(v) * 100.0);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(x: &[f64], method: &str) -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        let context = NormaliseContext {
            direction: 1.0,
            goalposts: Some((0.0, 10.0)),
            target: Some(8.0),
            reference_row: Some(1),
        };
        normalise_column(x, &method.parse().unwrap(), &context, &mut out).unwrap();
        out
    }

    #[test]
    fn kernels_match_their_formulas() {
        let x = [2.0, 4.0, 4.0, 10.0, f64::NAN];
        let minmax = run(&x, "minmax(0,100)");
        assert_eq!(&minmax[..4], &[0.0, 25.0, 25.0, 100.0]);
        assert!(minmax[4].is_nan());
        assert_eq!(&run(&x, "rank")[..4], &[1.0, 2.0, 2.0, 4.0]);
        assert_eq!(&run(&x, "borda")[..4], &[0.0, 1.0, 1.0, 3.0]);
        assert_eq!(
            &run(&x, "percentile")[..4],
            &[0.0, 1.0 / 3.0, 1.0 / 3.0, 1.0]
        );
        assert_eq!(&run(&x, "fracmax")[..4], &[0.2, 0.4, 0.4, 1.0]);
        assert_eq!(&run(&x, "dist2max")[..4], &[0.0, 0.25, 0.25, 1.0]);
        assert_eq!(&run(&x, "dist2ref(B)")[..4], &[0.0, 1.0, 1.0, 4.0]);
        assert_eq!(
            &run(&x, "dist2targ(cap)")[..4],
            &[0.0, 1.0 / 3.0, 1.0 / 3.0, 1.0]
        );
        assert_eq!(&run(&x, "goalposts(100)")[..4], &[20.0, 40.0, 40.0, 100.0]);
        assert_eq!(&run(&x, "scaled(0,10)")[..4], &[20.0, 40.0, 40.0, 100.0]);
        let z = run(&x, "zscore(10,2)");
        let sd = crate::pipeline::stats::sample_sd(&x);
        assert!((z[0] - ((2.0 - 5.0) / sd * 2.0 + 10.0)).abs() < 1e-12);
    }

    fn run_directed(raw: &[f64], direction: f64, method: &str) -> Result<Vec<f64>, NormaliseError> {
        let directed: Vec<f64> = raw.iter().map(|r| r * direction).collect();
        let mut out = vec![0.0; raw.len()];
        let context = NormaliseContext {
            direction,
            target: Some(3.0),
            ..Default::default()
        };
        normalise_column(&directed, &method.parse().unwrap(), &context, &mut out)?;
        Ok(out)
    }

    /// Ranks from a buffer holding another column's order (the noisy path's stale order, a
    /// reversed one, a different set of present cells) equal the ranks from a fresh sort.
    #[test]
    fn ranks_do_not_depend_on_the_order_they_start_from() {
        let columns: [&[f64]; 4] = [
            &[3.0, 1.0, 2.0, 2.0, f64::NAN, -0.0, 0.0, 7.5],
            &[7.5, 0.0, -0.0, f64::NAN, 2.0, 2.0, 1.0, 3.0],
            &[1.0, f64::NAN, f64::NAN, 1.0, 1.0, 4.0, 0.5, 9.0],
            &[9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0],
        ];
        for x in columns {
            let mut fresh = [0.0; 8];
            sorted_min_ranks(x, &mut fresh, &mut RankOrder::default());
            for start in columns {
                let mut order = RankOrder::default();
                let mut out = [0.0; 8];
                sorted_min_ranks(start, &mut out, &mut order);
                sorted_min_ranks(x, &mut out, &mut order);
                assert_eq!(format!("{out:?}"), format!("{fresh:?}"), "{x:?} after {start:?}");
            }
        }
        // Past the insertion sort's budget (a long reversed column) the general sort finishes.
        let long: Vec<f64> = (0..500).map(f64::from).collect();
        let reversed: Vec<f64> = long.iter().rev().copied().collect();
        let (mut order, mut out) = (RankOrder::default(), vec![0.0; 500]);
        sorted_min_ranks(&long, &mut out, &mut order);
        sorted_min_ranks(&reversed, &mut out, &mut order);
        assert!(out.iter().zip(&reversed).all(|(r, v)| *r == v + 1.0));
    }

    /// The packed sort keys order cells as (value under total_cmp, position): ranks equal the
    /// definition rank(u) = 1 + #{v present : x[v] < x[u]} (R's ties "min"), signed zeros,
    /// infinities and subnormals included.
    #[test]
    fn ranks_equal_the_counting_definition() {
        let x = [
            0.0,
            -0.0,
            f64::INFINITY,
            5e-324,
            -5e-324,
            f64::NAN,
            -1.0,
            f64::NEG_INFINITY,
            1.0,
            -1.0,
            0.0,
            f64::MAX,
            -f64::MAX,
            2.5,
        ];
        let mut out = [0.0; 14];
        ascending_min_ranks(&x, &mut out, &mut RankOrder::default());
        let mut sorted = [0.0; 14];
        sorted_min_ranks(&x, &mut sorted, &mut RankOrder::default());
        assert_eq!(format!("{out:?}"), format!("{sorted:?}"));
        for (u, &r) in out.iter().enumerate() {
            if x[u].is_nan() {
                assert!(r.is_nan());
            } else {
                let below = x.iter().filter(|&&v| v < x[u]).count();
                assert_eq!(r, (below + 1) as f64, "cell {u} ({})", x[u]);
            }
        }
    }

    /// The blocked count is the definition at every length it serves (blocks cut anywhere,
    /// gaps, ties, signed zeros), in both compiled copies.
    #[test]
    fn counted_ranks_equal_the_definition_at_every_length() {
        for n in 0..=COUNTED_RANKS_UP_TO {
            let x: Vec<f64> = (0..n)
                .map(|i| match (i * 7 + n) % 13 {
                    0 => f64::NAN,
                    1 => -0.0,
                    2 => 0.0,
                    k => ((i * 31 + k) % 17) as f64 - 8.5,
                })
                .collect();
            let (mut portable, mut dispatched) = (vec![0.0; n], vec![0.0; n]);
            counted_min_ranks_portable(&x, &mut portable);
            counted_min_ranks(&x, &mut dispatched);
            for (u, (&a, &b)) in portable.iter().zip(&dispatched).enumerate() {
                assert_eq!(a.to_bits(), b.to_bits(), "length {n}, cell {u}");
                if x[u].is_nan() {
                    assert!(a.is_nan());
                } else {
                    let below = x.iter().filter(|&&v| v < x[u]).count();
                    assert_eq!(a, (below + 1) as f64, "length {n}, cell {u}");
                }
            }
        }
    }

    /// Past the counting length the sort gives the same ranks as counting, on a long column
    /// with ties, signed zeros and gaps, from a fresh and from a stale order.
    #[test]
    fn sorted_and_counted_ranks_agree() {
        let n = 3 * COUNTED_RANKS_UP_TO;
        let x: Vec<f64> = (0..n)
            .map(|i| match i % 11 {
                0 => f64::NAN,
                1 => -0.0,
                2 => 0.0,
                _ => ((i * 37) % 23) as f64 - 11.0,
            })
            .collect();
        let mut order = RankOrder::default();
        let mut sorted = vec![0.0; n];
        let reversed: Vec<f64> = x.iter().rev().copied().collect();
        ascending_min_ranks(&reversed, &mut sorted, &mut order);
        ascending_min_ranks(&x, &mut sorted, &mut order);
        for (u, &r) in sorted.iter().enumerate() {
            if x[u].is_nan() {
                assert!(r.is_nan());
            } else {
                let below = x.iter().filter(|&&v| v < x[u]).count();
                assert_eq!(r, (below + 1) as f64, "cell {u}");
            }
        }
    }

    /// A range given by the caller (the noisy path's) normalises exactly as the range found
    /// here, for every method that reads it.
    #[test]
    fn a_given_range_normalises_as_the_found_one() {
        let x = [2.0, 4.0, f64::NAN, 10.0, -3.0, 4.0];
        let context = NormaliseContext {
            direction: 1.0,
            goalposts: Some((0.0, 10.0)),
            target: Some(12.0),
            reference_row: Some(1),
        };
        for method in [
            "minmax(1,100)",
            "zscore(10,2)",
            "dist2max",
            "dist2ref(B)",
            "dist2targ(cap)",
            "goalposts(100)",
            "rank",
        ] {
            let method: Normalisation = method.parse().unwrap();
            let (mut found, mut given) = (vec![0.0; 6], vec![0.0; 6]);
            let mut order = RankOrder::default();
            normalise_column_with(&x, &method, &context, &mut found, &mut order).unwrap();
            normalise_column_in_range(
                &x,
                Some(min_max(&x)),
                &method,
                &context,
                &mut given,
                &mut order,
            )
            .unwrap();
            assert_eq!(format!("{found:?}"), format!("{given:?}"), "{method}");
        }
    }

    #[test]
    fn capped_distance_to_target_keeps_missing_values_missing() {
        // (x − min) / (target − min), capped at 1; a missing cell must not become "target reached".
        let out = run(&[2.0, 5.0, f64::NAN, 11.0], "dist2targ(cap)");
        assert_eq!(out[0], 0.0);
        assert_eq!(out[1], 0.5);
        assert!(out[2].is_nan(), "missing became {}", out[2]);
        assert_eq!(out[3], 1.0);
        let uncapped = run(&[2.0, 5.0, f64::NAN, 11.0], "dist2targ(nocap)");
        assert!(uncapped[2].is_nan());
        assert_eq!(uncapped[3], 1.5);
    }

    #[test]
    fn distance_to_a_target_behind_the_worst_value_is_refused() {
        // Lower is better, target 3 above... every raw value is ≤ 3: all have reached it.
        let err = run_directed(&[1.0, 2.0, 3.0], -1.0, "dist2targ(cap)").unwrap_err();
        assert!(err.to_string().contains("already reached"), "{err}");
        // Higher is better, target 3 below the data 5..9.
        let err = run_directed(&[5.0, 7.0, 9.0], 1.0, "dist2targ(cap)").unwrap_err();
        assert!(err.to_string().contains("target (3)"), "{err}");
        // Lower is better with the worst at 9: (9 − x) / (9 − 3).
        let out = run_directed(&[5.0, 7.0, 9.0, 1.0], -1.0, "dist2targ(nocap)").unwrap();
        assert_eq!(out, [4.0 / 6.0, 2.0 / 6.0, 0.0, 8.0 / 6.0]);
    }

    #[test]
    fn fraction_of_the_best_value_respects_direction() {
        // Higher is better: r / max r.
        let out = run_directed(&[2.0, 4.0, 10.0], 1.0, "fracmax").unwrap();
        assert_eq!(out, [0.2, 0.4, 1.0]);
        // Lower is better: min r / r, the smallest (best) value scoring 1.
        let out = run_directed(&[2.0, 4.0, 10.0, f64::NAN], -1.0, "fracmax").unwrap();
        assert_eq!(&out[..3], &[1.0, 0.5, 0.2]);
        assert!(out[3].is_nan());
        // Undefined cases are refused, not reversed.
        let err = run_directed(&[-2.0, 4.0], -1.0, "fracmax").unwrap_err();
        assert!(err.to_string().contains("smallest is -2"), "{err}");
        let err = run_directed(&[-2.0, -4.0], 1.0, "fracmax").unwrap_err();
        assert!(err.to_string().contains("largest value is -2"), "{err}");
    }

    #[test]
    fn constant_columns_are_reported_not_divided_by_zero() {
        let mut out = [0.0; 3];
        let err = normalise_column(
            &[5.0, 5.0, 5.0],
            &Normalisation::MinMax {
                low: 0.0,
                high: 100.0,
            },
            &NormaliseContext {
                direction: 1.0,
                ..Default::default()
            },
            &mut out,
        )
        .unwrap_err();
        assert!(err.to_string().contains("same value (5)"), "{err}");
    }
}
