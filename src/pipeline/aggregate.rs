//! Aggregation kernels (COINr `a_*`): combine the children columns of one aggregate into its score column.
//!
//! Each kernel takes the children as `(column, weight)` pairs (an iterator, so callers pass
//! slices without allocating), writes one value per unit into `out`, and renormalises the
//! weights over each unit's non-missing children. A unit with no present child (or only
//! zero-weight ones) gets NaN, which the parent then treats as missing.

/// Weighted arithmetic mean: `Σ_c (w_c / W) x_c` with `W = Σ_c w_c` over present children
/// (OECD/JRC Handbook 2008 §6.1; COINr `a_amean`). `weight_sums` is scratch of `out.len()`.
pub fn arithmetic<'a, I>(children: I, has_missing: bool, out: &mut [f64], weight_sums: &mut [f64])
where
    I: Iterator<Item = (&'a [f64], f64)> + Clone,
{
    out.fill(0.0);
    if !has_missing {
        // Same weights for every unit: normalise once, as COINr does (`w / sum(w)`).
        let total: f64 = children.clone().map(|(_, w)| w).sum();
        if total <= 0.0 {
            out.fill(f64::NAN);
            return;
        }
        // Two children per pass over `out`: the same additions in the same order as one pass
        // per child (bit-identical), with half the loads and stores of `out`.
        let mut pending: Option<(&[f64], f64)> = None;
        for (column, w) in children {
            if w == 0.0 {
                continue;
            }
            let w = w / total;
            match pending.take() {
                None => pending = Some((column, w)),
                Some((first, w_first)) => {
                    for ((o, &x_first), &x) in out.iter_mut().zip(first).zip(column) {
                        *o = (*o + w_first * x_first) + w * x;
                    }
                }
            }
        }
        if let Some((column, w)) = pending {
            for (o, &x) in out.iter_mut().zip(column) {
                *o += w * x;
            }
        }
        return;
    }
    present_sums(children, out, weight_sums, |w, x| w * x);
    for (o, &s) in out.iter_mut().zip(weight_sums.iter()) {
        *o = if s > 0.0 { *o / s } else { f64::NAN };
    }
}

/// The logarithm of the weighted geometric mean, from the children's logarithms:
/// `Σ_c w_c ln x_c / W` over present children. The scorer keeps geometric aggregates in this
/// form and exponentiates only when a score is needed.
pub fn geometric_log_mean<'a, I>(
    log_children: I,
    has_missing: bool,
    log_out: &mut [f64],
    weight_sums: &mut [f64],
) where
    I: Iterator<Item = (&'a [f64], f64)> + Clone,
{
    arithmetic(log_children, has_missing, log_out, weight_sums);
}

/// Σ_c contribution(w_c, x_c) into `out` and Σ_c w_c into `weight_sums`, over each unit's
/// present children: the common core of the means that renormalise per unit.
fn present_sums<'a, I>(
    children: I,
    out: &mut [f64],
    weight_sums: &mut [f64],
    contribution: impl Fn(f64, f64) -> f64,
) where
    I: Iterator<Item = (&'a [f64], f64)>,
{
    out.fill(0.0);
    weight_sums.fill(0.0);
    for (column, w) in children {
        if w == 0.0 {
            continue;
        }
        for ((o, s), &x) in out.iter_mut().zip(weight_sums.iter_mut()).zip(column) {
            if !x.is_nan() {
                *o += contribution(w, x);
                *s += w;
            }
        }
    }
}

/// Weighted harmonic mean: `W / Σ_c (w_c / x_c)` (COINr `a_hmean`). Children must be non-zero.
pub fn harmonic<'a, I>(children: I, out: &mut [f64], weight_sums: &mut [f64])
where
    I: Iterator<Item = (&'a [f64], f64)> + Clone,
{
    present_sums(children, out, weight_sums, |w, x| w / x);
    for (o, &s) in out.iter_mut().zip(weight_sums.iter()) {
        *o = if s > 0.0 { s / *o } else { f64::NAN };
    }
}

/// Weighted power mean of order p: `(Σ_c w_c x_c^p / W)^{1/p}` (Hardy, Littlewood & Pólya 1934;
/// COINr `a_genmean`, but renormalised over present children instead of giving NA).
pub fn generalised<'a, I>(children: I, p: f64, out: &mut [f64], weight_sums: &mut [f64])
where
    I: Iterator<Item = (&'a [f64], f64)> + Clone,
{
    present_sums(children, out, weight_sums, |w, x| w * x.powf(p));
    for (o, &s) in out.iter_mut().zip(weight_sums.iter()) {
        *o = if s > 0.0 {
            (*o / s).powf(1.0 / p)
        } else {
            f64::NAN
        };
    }
}

/// Copeland's rule on the weighted outranking matrix (Munda & Nardo 2009; COINr `a_copeland`):
/// for units a ≠ b, `e_ab = Σ_{c: x_ac > x_bc} w_c + ½ Σ_{c: x_ac = x_bc} w_c` with weights
/// normalised to sum 1 (children missing for a or b skipped), `e_ba = 1 − e_ab`; a unit's score
/// is `Σ_b sign(e_ab − ½)`. O(units² × children).
pub fn copeland<'a, I>(children: I, out: &mut [f64])
where
    I: Iterator<Item = (&'a [f64], f64)> + Clone,
{
    let total: f64 = children.clone().map(|(_, w)| w).sum();
    out.fill(0.0);
    if total <= 0.0 {
        out.fill(f64::NAN);
        return;
    }
    let n = out.len();
    for a in 0..n {
        for b in a + 1..n {
            let mut outranking = 0.0;
            for (column, w) in children.clone() {
                let (xa, xb) = (column[a], column[b]);
                if xa.is_nan() || xb.is_nan() {
                    continue;
                }
                if xa > xb {
                    outranking += w / total;
                } else if xa == xb {
                    outranking += 0.5 * w / total;
                }
            }
            let vote = if outranking > 0.5 {
                1.0
            } else if outranking < 0.5 {
                -1.0
            } else {
                0.0
            };
            out[a] += vote;
            out[b] -= vote;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The geometric mean as a score (the scorer keeps the log form and exponentiates lazily).
    /// Weighted geometric mean from the children's logarithms: `exp(Σ_c w_c ln x_c / W)`
    /// = `(Π x_c^{w_c})^{1/W}` (OECD/JRC Handbook 2008 §6.2; COINr `a_gmean`). Children must be
    /// positive; `log_out` receives the mean log (reused when the parent is geometric too).
    fn geometric<'a, I>(
        log_children: I,
        has_missing: bool,
        out: &mut [f64],
        log_out: &mut [f64],
        weight_sums: &mut [f64],
    ) where
        I: Iterator<Item = (&'a [f64], f64)> + Clone,
    {
        geometric_log_mean(log_children, has_missing, log_out, weight_sums);
        for (o, &l) in out.iter_mut().zip(log_out.iter()) {
            *o = l.exp();
        }
    }

    #[test]
    fn means_of_two_children() {
        let a = [1.0, 4.0, f64::NAN];
        let b = [4.0, 4.0, 2.0];
        let children = [(&a[..], 1.0), (&b[..], 3.0)];
        let (mut out, mut sums) = ([0.0; 3], [0.0; 3]);
        arithmetic(children.iter().copied(), true, &mut out, &mut sums);
        assert_eq!(out, [3.25, 4.0, 2.0]);
        harmonic(children.iter().copied(), &mut out, &mut sums);
        assert!((out[0] - 4.0 / (1.0 + 0.75)).abs() < 1e-12);
        assert_eq!(out[2], 2.0);
        let logs: Vec<Vec<f64>> = [a, b]
            .iter()
            .map(|c| c.iter().map(|x| x.ln()).collect())
            .collect();
        let log_children = [(&logs[0][..], 1.0), (&logs[1][..], 3.0)];
        let mut log_out = [0.0; 3];
        geometric(
            log_children.iter().copied(),
            true,
            &mut out,
            &mut log_out,
            &mut sums,
        );
        assert!((out[0] - 4f64.powf(0.75)).abs() < 1e-12);
        generalised(children.iter().copied(), 1.0, &mut out, &mut sums);
        assert!((out[0] - 3.25).abs() < 1e-12);
    }

    #[test]
    fn zero_total_weight_gives_missing() {
        let a = [1.0, 2.0];
        let (mut out, mut sums) = ([0.0; 2], [0.0; 2]);
        arithmetic([(&a[..], 0.0)].into_iter(), false, &mut out, &mut sums);
        assert!(out.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn copeland_counts_weighted_majorities() {
        // Three units, three equally weighted children: unit 0 beats 1 on 2 of 3, ties 2.
        let c1 = [3.0, 1.0, 2.0];
        let c2 = [3.0, 2.0, 1.0];
        let c3 = [1.0, 3.0, 3.0];
        let mut out = [0.0; 3];
        copeland(
            [(&c1[..], 1.0), (&c2[..], 1.0), (&c3[..], 1.0)].into_iter(),
            &mut out,
        );
        // 0 vs 1: 2/3 → +1; 0 vs 2: 2/3 → +1; 1 vs 2: 1/3 + ½·1/3 = 0.5 → 0
        assert_eq!(out, [2.0, -1.0, -1.0]);
    }
}
