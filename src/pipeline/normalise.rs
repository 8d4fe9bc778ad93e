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
fn ascending_min_ranks(x: &[f64], out: &mut [f64], order: &mut Vec<usize>) {
    sort_present(x, order);
    for v in out.iter_mut() {
        *v = f64::NAN;
    }
    let mut rank = 0usize;
    for (position, &u) in order.iter().enumerate() {
        if position == 0 || x[u] != x[order[position - 1]] {
            rank = position + 1;
        }
        out[u] = rank as f64;
    }
}

/// Sorts the present cells of `x` by value, ties by position (the order a stable sort gives),
/// into `order`, without allocating once `order` has grown to the column's length.
///
/// The order is unique (values under total_cmp, then positions), so where it starts from does
/// not matter. When `order` still holds the present cells of `x` — the noisy path re-ranks the
/// same column perturbed in every sample and keeps each column's last order — the sort starts
/// from it with an insertion sort, which costs O(n + I) for I inversions (Knuth, TAOCP vol. 3,
/// §5.2.1): a few moves when small errors swap a few neighbours. Past a budget of moves it
/// finishes with the general sort instead.
fn sort_present(x: &[f64], order: &mut Vec<usize>) {
    let before = |a: usize, b: usize| x[a].total_cmp(&x[b]).then(a.cmp(&b));
    let present = x.iter().filter(|v| !v.is_nan()).count();
    // `order` holds distinct cells (every call leaves it so): as many as are present, all
    // present, means exactly the present cells.
    let reusable = order.len() == present && order.iter().all(|&u| u < x.len() && !x[u].is_nan());
    if reusable {
        let budget = 8 * present + 64;
        let mut moves = 0usize;
        let mut sorted = true;
        for i in 1..order.len() {
            let u = order[i];
            let mut j = i;
            while j > 0 && before(u, order[j - 1]).is_lt() {
                order[j] = order[j - 1];
                j -= 1;
            }
            order[j] = u;
            moves += i - j;
            if moves > budget {
                sorted = false;
                break;
            }
        }
        if sorted {
            return;
        }
    } else {
        order.clear();
        order.extend((0..x.len()).filter(|&u| !x[u].is_nan()));
    }
    order.sort_unstable_by(|&a, &b| before(a, b));
}

/// Normalises one column `x` (already multiplied by its direction) into `out`.
/// Formulas are documented on [`Normalisation`]; missing values stay missing.
pub fn normalise_column(
    x: &[f64],
    method: &Normalisation,
    context: &NormaliseContext,
    out: &mut [f64],
) -> Result<(), NormaliseError> {
    normalise_column_with(x, method, context, out, &mut Vec::new())
}

/// [`normalise_column`] with the caller's buffer for the rank order (reused across samples;
/// a buffer kept per column makes re-ranking a perturbed column cheap, see [`sort_present`]).
pub fn normalise_column_with(
    x: &[f64],
    method: &Normalisation,
    context: &NormaliseContext,
    out: &mut [f64],
    order: &mut Vec<usize>,
) -> Result<(), NormaliseError> {
    let name = || method.to_string();
    let (lo, hi) = min_max(x);
    let constant = || NormaliseError::Constant {
        method: name(),
        value: lo * context.direction,
    };
    let map = |out: &mut [f64], f: &dyn Fn(f64) -> f64| {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = f(v);
        }
    };
    match method {
        Normalisation::MinMax { low, high } => {
            if hi == lo {
                return Err(constant());
            }
            let unit = UnitMap::new(lo, hi);
            map(out, &|v| unit.apply(v) * (high - low) + low);
        }
        Normalisation::ZScore { mean: m, sd: s } => {
            let z = Standardiser::of(x).ok_or_else(constant)?;
            map(out, &|v| z.apply(v) * s + m);
        }
        Normalisation::Rank | Normalisation::Borda | Normalisation::Percentile => {
            ascending_min_ranks(x, out, order);
            let present = out.iter().filter(|v| !v.is_nan()).count() as f64;
            for v in out.iter_mut() {
                match method {
                    Normalisation::Borda => *v -= 1.0,
                    Normalisation::Percentile => *v = (*v - 1.0) / (present - 1.0),
                    _ => {}
                }
            }
        }
        Normalisation::Dist2Max => {
            if hi == lo {
                return Err(constant());
            }
            let unit = UnitMap::new(lo, hi);
            map(out, &|v| 1.0 - unit.from_b(v));
        }
        Normalisation::FracMax => {
            // On the directed values v = direction · r, both cases are monotone increasing in v:
            // higher-is-better r / max r = v / hi with hi > 0; lower-is-better min r / r = hi / v
            // with every r > 0, i.e. hi < 0.
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
                map(out, &|v| v / hi);
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
                map(out, &|v| hi / v);
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
            map(out, &|v| 1.0 - unit.from_b(v));
        }
        Normalisation::Dist2Targ { cap } => {
            let target = context.target.ok_or(NormaliseError::MissingParameter {
                method: name(),
                what: "a `Target` value for this indicator",
            })? * context.direction;
            // A target at or behind the worst value would divide by zero or reverse the order.
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
            map(out, &|v| {
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
            map(out, &|v| unit.apply(v).clamp(0.0, 1.0) * scale);
            for (o, &v) in out.iter_mut().zip(x) {
                if v.is_nan() {
                    *o = f64::NAN;
                }
            }
        }
        Normalisation::Scaled { low, high } => {
            let unit = UnitMap::new(*low, *high);
            map(out, &|v| unit.apply(v) * 100.0);
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
            ascending_min_ranks(x, &mut fresh, &mut Vec::new());
            for start in columns {
                let mut order = Vec::new();
                let mut out = [0.0; 8];
                ascending_min_ranks(start, &mut out, &mut order);
                ascending_min_ranks(x, &mut out, &mut order);
                assert_eq!(format!("{out:?}"), format!("{fresh:?}"), "{x:?} after {start:?}");
            }
        }
        // Past the insertion sort's budget (a long reversed column) the general sort finishes.
        let long: Vec<f64> = (0..500).map(f64::from).collect();
        let reversed: Vec<f64> = long.iter().rev().copied().collect();
        let (mut order, mut out) = (Vec::new(), vec![0.0; 500]);
        ascending_min_ranks(&long, &mut out, &mut order);
        ascending_min_ranks(&reversed, &mut out, &mut order);
        assert!(out.iter().zip(&reversed).all(|(r, v)| *r == v + 1.0));
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
