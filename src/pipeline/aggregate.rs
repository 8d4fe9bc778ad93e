//! Aggregation kernels (COINr `a_*`): combine the children columns of one aggregate into its score column.
//!
//! Each kernel takes the children as `(column, weight)` pairs (an iterator, so callers pass
//! slices without allocating), writes one value per unit into `out`, and renormalises the
//! weights over each unit's non-missing children. A unit with no present child (or only
//! zero-weight ones) gets NaN, which the parent then treats as missing.

/// Weighted arithmetic mean: `Σ_c (w_c / W) x_c` with `W = Σ_c w_c` over present children
/// (OECD/JRC Handbook 2008 §6.1; COINr `a_amean`). `weight_sums` is scratch of `out.len()`.
#[inline(always)]
pub fn arithmetic<'a, I>(children: I, has_missing: bool, out: &mut [f64], weight_sums: &mut [f64])
where
    I: Iterator<Item = (&'a [f64], f64)> + Clone,
{
    if !has_missing {
        // Same weights for every unit: normalise once, as COINr does (`w / sum(w)`).
        let total: f64 = children.clone().map(|(_, w)| w).sum();
        if total <= 0.0 {
            out.fill(f64::NAN);
            return;
        }
        // Children in batches (their shares divided out together, so the divisions overlap),
        // each batch added block of units by block of units: a block's sums stay in registers
        // while the batch's children are added, one load per child and unit. Each unit's sum
        // still starts at 0 and adds the children in their order, so the result is
        // bit-identical to one pass over `out` per child.
        let mut batch: [(&[f64], f64); CHILD_BATCH] = [(&[], 0.0); CHILD_BATCH];
        let mut len = 0;
        let mut started = false;
        for (column, w) in children {
            if w == 0.0 {
                continue;
            }
            batch[len] = (column, w / total);
            len += 1;
            if len == CHILD_BATCH {
                add_weighted(&batch, started, out);
                (started, len) = (true, 0);
            }
        }
        if len > 0 || !started {
            add_weighted(&batch[..len], started, out);
        }
        return;
    }
    present_sums(children, out, weight_sums, |w, x| w * x);
    for (o, &s) in out.iter_mut().zip(weight_sums.iter()) {
        *o = if s > 0.0 { *o / s } else { f64::NAN };
    }
}

/// [`arithmetic`] without missing values, on children listed in a buffer it reuses: each
/// weight is replaced by its share `w / W` and zero weights are dropped, in place, so no
/// second buffer is initialised per call (the engine's hot path). The same operations in the
/// same order as [`arithmetic`]'s fast path, so the same bits.
#[inline(always)]
pub fn arithmetic_listed(children: &mut [(&[f64], f64)], out: &mut [f64]) {
    let total: f64 = children.iter().map(|&(_, w)| w).sum();
    if total <= 0.0 {
        out.fill(f64::NAN);
        return;
    }
    let mut len = 0;
    for i in 0..children.len() {
        let (column, w) = children[i];
        if w != 0.0 {
            children[len] = (column, w / total);
            len += 1;
        }
    }
    if len == 0 {
        add_weighted(&[], false, out);
    }
    for (k, batch) in children[..len].chunks(CHILD_BATCH).enumerate() {
        add_weighted(batch, k > 0, out);
    }
}

/// Children per batch of [`arithmetic`]'s fast path.
const CHILD_BATCH: usize = 8;

/// Units per block of [`add_weighted`]: four AVX2 registers of doubles (eight SSE2 ones).
const UNIT_BLOCK: usize = 16;

/// `out[u] = (started ? out[u] : 0) + w₁ x₁[u] + w₂ x₂[u] + …` over `batch`, added left to
/// right: block by block of units, then the tail in ever smaller blocks.
#[inline(always)]
fn add_weighted(batch: &[(&[f64], f64)], started: bool, out: &mut [f64]) {
    let mut start = 0;
    start = add_blocks::<UNIT_BLOCK>(batch, started, out, start);
    start = add_blocks::<4>(batch, started, out, start);
    start = add_blocks::<2>(batch, started, out, start);
    add_blocks::<1>(batch, started, out, start);
}

/// [`add_weighted`] for whole blocks of `B` units from `start`; returns where they end.
#[inline(always)]
fn add_blocks<const B: usize>(
    batch: &[(&[f64], f64)],
    started: bool,
    out: &mut [f64],
    start: usize,
) -> usize {
    let end = start + (out.len() - start) / B * B;
    for (block_index, block) in out[start..end].chunks_exact_mut(B).enumerate() {
        let from = start + block_index * B;
        let mut sums = [0.0; B];
        if started {
            sums.copy_from_slice(block);
        }
        for &(column, w) in batch {
            for (sum, &x) in sums.iter_mut().zip(&column[from..from + B]) {
                *sum += w * x;
            }
        }
        block.copy_from_slice(&sums);
    }
    end
}

/// The logarithm of the weighted geometric mean, from the children's logarithms:
/// `Σ_c w_c ln x_c / W` over present children. The scorer keeps geometric aggregates in this
/// form and exponentiates only when a score is needed.
#[inline(always)]
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
        // Branch-free, so that every store is a plain one (a conditional update compiles to
        // masked stores, slow on some CPUs, e.g. AMD Zen 3): a missing child adds a zero
        // (its contribution at x = 1, times 0). The sums start at +0 and an exact zero sum of
        // finite terms is +0 (round to nearest), so they are never −0 and adding ±0 leaves
        // their bits unchanged.
        for ((o, s), &x) in out.iter_mut().zip(weight_sums.iter_mut()).zip(column) {
            let present = f64::from(u8::from(!x.is_nan()));
            let x = if x.is_nan() { 1.0 } else { x };
            *o += contribution(w, x) * present;
            *s += w * present;
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

/// Copeland's rule on the weighted outranking matrix (Munda & Nardo 2009; COINr `a_copeland`).
///
/// For units a ≠ b, compare them on the children both have (a child missing for either unit
/// is left out of that pair, and the weights are renormalised over the rest):
/// `e_ab = Σ_{c: x_ac > x_bc} w_c + ½ Σ_{c: x_ac = x_bc} w_c` over `W_ab = Σ_c w_c`, and a beats b
/// when `e_ab > ½ W_ab`, i.e. when the weight of the children where a is ahead exceeds the weight
/// of those where b is ahead. A unit's score is its wins minus its losses; a pair with no child
/// in common is a tie. The rule treats a and b alike, so scores do not depend on the order of
/// the units.
///
/// The two weight sums are compared exactly (see [`WeightComparer`]): with equal weights, 3
/// children won against 3 lost is a tie however the shares round. O(units² × children).
pub fn copeland<'a, I>(children: I, out: &mut [f64])
where
    I: Iterator<Item = (&'a [f64], f64)> + Clone,
{
    out.fill(0.0);
    let comparer = WeightComparer::new(children.clone().map(|(_, w)| w));
    if !comparer.any_positive {
        out.fill(f64::NAN);
        return;
    }
    let n = out.len();
    for a in 0..n {
        for b in a + 1..n {
            let vote = comparer.sign(children.clone().map(|(column, w)| {
                let (xa, xb) = (column[a], column[b]);
                if xa.is_nan() || xb.is_nan() {
                    return (w, 0);
                }
                let ahead = if xa > xb {
                    1
                } else if xa < xb {
                    -1
                } else {
                    0
                };
                (w, ahead)
            }));
            out[a] += vote;
            out[b] -= vote;
        }
    }
    // A unit with no present child is missing (as in the means), not tied with everyone.
    for (u, o) in out.iter_mut().enumerate() {
        if !children
            .clone()
            .any(|(column, w)| w > 0.0 && !column[u].is_nan())
        {
            *o = f64::NAN;
        }
    }
}

/// Exact sign of `Σ_c ahead_c · w_c` (ahead_c ∈ {−1, 0, +1}) for one set of non-negative weights.
///
/// Each finite weight is `m · 2^e` with an integer mantissa m < 2^53. Scaled by `2^-e_min`
/// (e_min the lowest exponent among the positive weights), every weight is an integer, and when
/// the exponents span at most [`MAX_SPAN`] bits the signed sum of up to [`MAX_CHILDREN`] of them
/// fits an i128, so the comparison is exact integer arithmetic. Wider spans (weights more than
/// 2^60 apart) fall back to an exact floating-point expansion (Shewchuk 1997, "Adaptive
/// precision floating-point arithmetic and fast robust geometric predicates").
struct WeightComparer {
    /// Weights as integers on the common scale, when they fit.
    shift: Option<i32>,
    any_positive: bool,
}

/// Bits of exponent span that keep 53-bit mantissas plus the span below 2^120.
const MAX_SPAN: i32 = 66;
/// Children whose signed integer sum stays below 2^127 at that span.
const MAX_CHILDREN: usize = 128;

impl WeightComparer {
    fn new(weights: impl Iterator<Item = f64> + Clone) -> Self {
        let positive = weights.clone().filter(|&w| w > 0.0);
        let any_positive = positive.clone().next().is_some();
        let count = weights.clone().count();
        let exponents = positive.map(|w| decompose(w).1);
        let (low, high) =
            exponents.fold((i32::MAX, i32::MIN), |(lo, hi), e| (lo.min(e), hi.max(e)));
        let shift =
            (any_positive && count <= MAX_CHILDREN && high - low <= MAX_SPAN).then_some(low);
        WeightComparer {
            shift,
            any_positive,
        }
    }

    /// +1, −1 or 0: the sign of the weighted sum of `ahead`.
    fn sign(&self, terms: impl Iterator<Item = (f64, i8)>) -> f64 {
        match self.shift {
            Some(low) => {
                let mut total: i128 = 0;
                for (w, ahead) in terms {
                    if ahead == 0 || w <= 0.0 {
                        continue;
                    }
                    let (mantissa, exponent) = decompose(w);
                    let scaled = i128::from(mantissa) << (exponent - low);
                    total += if ahead > 0 { scaled } else { -scaled };
                }
                total.signum() as f64
            }
            None => exact_sign(
                terms
                    .filter(|&(w, ahead)| ahead != 0 && w > 0.0)
                    .map(|(w, ahead)| if ahead > 0 { w } else { -w }),
            ),
        }
    }
}

/// A positive finite double as `(m, e)` with `w = m · 2^e` exactly, m < 2^53.
fn decompose(w: f64) -> (u64, i32) {
    let bits = w.to_bits();
    let exponent_bits = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    if exponent_bits == 0 {
        (fraction, -1074) // subnormal
    } else {
        (fraction | (1u64 << 52), exponent_bits - 1075)
    }
}

/// Exact sign of a sum of doubles: the terms are accumulated into a non-overlapping expansion
/// (Shewchuk's GROW-EXPANSION with two-sum), whose most significant non-zero component carries
/// the sign of the exact sum. Allocates; used only for weights more than 2^66 apart or for
/// more than 128 children, where the integer sum could overflow an i128.
fn exact_sign(terms: impl Iterator<Item = f64>) -> f64 {
    let mut expansion: Vec<f64> = Vec::new();
    for term in terms {
        let mut carry = term;
        for component in expansion.iter_mut() {
            let sum = carry + *component;
            let virtual_b = sum - carry;
            let error = (carry - (sum - virtual_b)) + (*component - virtual_b);
            *component = error;
            carry = sum;
        }
        expansion.push(carry);
    }
    expansion
        .iter()
        .rev()
        .find(|c| **c != 0.0)
        .map_or(0.0, |c| c.signum())
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

    /// The blocked fast path adds exactly what one pass per child over the units adds, in the
    /// same order: bit-identical for every number of units (whole blocks and every tail) and
    /// of children (one batch, several, zero weights skipped), with signed zeros and values
    /// whose sums round differently in another order.
    #[test]
    fn blocked_arithmetic_equals_one_pass_per_child() {
        use rand::rngs::ChaCha8Rng;
        use rand::{RngExt, SeedableRng};
        let mut rng = ChaCha8Rng::seed_from_u64(15);
        for n in (1..=40).chain([63, 64, 65, 257]) {
            for n_children in [1, 2, 7, 8, 9, 17, 25] {
                let columns: Vec<Vec<f64>> = (0..n_children)
                    .map(|_| {
                        (0..n)
                            .map(|u| match u % 5 {
                                0 => -0.0,
                                1 => 1e16 * rng.random_range(-1.0..1.0),
                                _ => rng.random_range(-100.0..100.0),
                            })
                            .collect()
                    })
                    .collect();
                let weights: Vec<f64> = (0..n_children)
                    .map(|c| if c % 4 == 3 { 0.0 } else { rng.random_range(0.1..3.0) })
                    .collect();
                let children = columns.iter().map(Vec::as_slice).zip(weights.iter().copied());
                let mut out = vec![f64::NAN; n];
                arithmetic(children, false, &mut out, &mut vec![0.0; n]);
                let total: f64 = weights.iter().sum();
                let mut expected = vec![0.0; n];
                for (column, &w) in columns.iter().zip(&weights) {
                    if w == 0.0 {
                        continue;
                    }
                    let share = w / total;
                    for (e, &x) in expected.iter_mut().zip(column) {
                        *e += share * x;
                    }
                }
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&out), bits(&expected), "{n} units, {n_children} children");
                // The listed kernel (the engine's) gives the same bits.
                let mut listed: Vec<(&[f64], f64)> =
                    columns.iter().map(Vec::as_slice).zip(weights.iter().copied()).collect();
                let mut listed_out = vec![f64::NAN; n];
                arithmetic_listed(&mut listed, &mut listed_out);
                assert_eq!(bits(&listed_out), bits(&expected), "listed: {n} units, {n_children} children");
            }
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
        out = [0.0; 2];
        arithmetic_listed(&mut [(&a[..], 0.0)], &mut out);
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

    #[test]
    fn copeland_ties_exactly_when_the_weights_balance() {
        // Weights 1 + 2 against 3 balance exactly: a tie, whatever the normalised shares round to.
        let (c1, c2, c3) = ([1.0, 0.0], [1.0, 0.0], [0.0, 1.0]);
        let mut out = [0.0; 2];
        copeland(
            [(&c1[..], 1.0), (&c2[..], 2.0), (&c3[..], 3.0)].into_iter(),
            &mut out,
        );
        assert_eq!(out, [0.0, 0.0]);
        // Equal weights of 1/3: three children each way is a tie (the shares would sum to
        // 0.49999999999999994 or 0.5000000000000001 depending on the order of addition).
        let third = 1.0 / 3.0;
        let columns: Vec<[f64; 2]> = vec![
            [1.0, 0.0],
            [1.0, 0.0],
            [1.0, 0.0],
            [0.0, 1.0],
            [0.0, 1.0],
            [0.0, 1.0],
        ];
        copeland(columns.iter().map(|c| (&c[..], third)), &mut out);
        assert_eq!(out, [0.0, 0.0]);
    }

    #[test]
    fn copeland_with_missing_values_ignores_the_order_of_units() {
        // Unit 1 lacks child 0: pairs with unit 1 are decided on children 1 and 2 only.
        let c0 = [5.0, f64::NAN, 1.0, 3.0];
        let c1 = [1.0, 2.0, 3.0, 4.0];
        let c2 = [2.0, 4.0, 1.0, 3.0];
        let columns = [&c0, &c1, &c2];
        let score = |order: &[usize]| {
            let permuted: Vec<Vec<f64>> = columns
                .iter()
                .map(|c| order.iter().map(|&u| c[u]).collect())
                .collect();
            let mut out = vec![0.0; order.len()];
            copeland(permuted.iter().map(|c| (&c[..], 1.0)), &mut out);
            let mut by_unit = vec![0.0; order.len()];
            for (position, &u) in order.iter().enumerate() {
                by_unit[u] = out[position];
            }
            by_unit
        };
        let reference = score(&[0, 1, 2, 3]);
        // 0–1 on c1, c2: 1 ahead on both → 1 wins. 0–2: 0 ahead on c0, c2 → 0 wins.
        // 0–3: 3 ahead on c1, c2 → 3 wins. 1–2 and 1–3 (on c1, c2): one each → ties.
        // 2–3: 3 ahead on all three → 3 wins.
        assert_eq!(reference, vec![-1.0, 1.0, -2.0, 2.0]);
        for order in [[3, 2, 1, 0], [1, 0, 3, 2], [2, 3, 0, 1]] {
            assert_eq!(score(&order), reference, "order {order:?}");
        }
    }

    #[test]
    fn copeland_unit_without_data_is_missing() {
        let c0 = [1.0, f64::NAN, 2.0];
        let c1 = [2.0, f64::NAN, 1.0];
        let mut out = [0.0; 3];
        copeland([(&c0[..], 1.0), (&c1[..], 1.0)].into_iter(), &mut out);
        assert!(out[1].is_nan());
        assert_eq!((out[0], out[2]), (0.0, 0.0));
    }

    #[test]
    fn exact_weight_sums_across_a_wide_range_of_exponents() {
        // 1e30 + 1 − 1e30 is 1 exactly, though it rounds to 0 in floating point.
        assert_eq!(exact_sign([1e30, 1.0, -1e30].into_iter()), 1.0);
        assert_eq!(exact_sign([1e30, -1e30].into_iter()), 0.0);
        let wide = WeightComparer::new([1e30, 1.0, 1e-30].into_iter());
        assert!(wide.shift.is_none());
        assert_eq!(
            wide.sign([(1e30, 1), (1.0, -1), (1e-30, 1)].into_iter()),
            1.0
        );
        assert_eq!(wide.sign([(1.0, -1), (1e-30, 1)].into_iter()), -1.0);
        let narrow = WeightComparer::new([0.1, 0.2, 0.3].into_iter());
        assert!(narrow.shift.is_some());
        // 0.1 + 0.2 exceeds 0.3 as doubles: 0x3FD3333333333334 vs 0x3FD3333333333333.
        assert_eq!(
            narrow.sign([(0.1, 1), (0.2, 1), (0.3, -1)].into_iter()),
            1.0
        );
        assert_eq!(
            narrow.sign([(0.1, 1), (0.1, 1), (0.2, -1)].into_iter()),
            0.0
        );
    }

    /// The branch-free sums over present children have the bits of the conditional update
    /// they replace, with missing children, signed zeros, cancelling terms and infinite
    /// contributions (a zero child of the harmonic mean).
    #[test]
    fn present_sums_equal_the_conditional_update_bit_for_bit() {
        let columns: [Vec<f64>; 4] = [
            vec![f64::NAN, 0.0, -0.0, 1.5, 2.0, f64::NAN, 1e-300, 3.0],
            vec![-0.0, f64::NAN, -0.0, -1.5, 0.5, f64::NAN, -1e-300, 0.0],
            vec![f64::NAN, 2.0, 0.0, 0.0, f64::NAN, f64::NAN, 7.0, -3.0],
            vec![1.0, 1.0, f64::NAN, 4.0, 1e308, f64::NAN, 1e-310, 2.5],
        ];
        let weights = [0.5, 0.25, 0.0, 1.0];
        let contributions: [fn(f64, f64) -> f64; 3] =
            [|w, x| w * x, |w, x| w / x, |w, x| w * x.powf(3.0)];
        for contribution in contributions {
            let children = || columns.iter().map(Vec::as_slice).zip(weights);
            let (mut out, mut sums) = (vec![9.0; 8], vec![9.0; 8]);
            present_sums(children(), &mut out, &mut sums, contribution);
            let (mut expected, mut expected_sums) = (vec![0.0f64; 8], vec![0.0f64; 8]);
            for (column, w) in children().filter(|&(_, w)| w != 0.0) {
                for (u, &x) in column.iter().enumerate() {
                    if !x.is_nan() {
                        expected[u] += contribution(w, x);
                        expected_sums[u] += w;
                    }
                }
            }
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&out), bits(&expected));
            assert_eq!(bits(&sums), bits(&expected_sums));
        }
    }
}
