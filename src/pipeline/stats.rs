//! Small descriptive statistics over vectors with missing values (NaN), matching R's definitions.
//!
//! Every statistic here is computed so that no intermediate overflows or underflows for any
//! finite data: sums of squares of values near 1e154 and beyond overflow, and squares of
//! values below 1e-162 vanish, so the data (or deviations) are first scaled by a power of two
//! (exact: only the exponent changes) into a safe window. Inside that window, where ordinary
//! data lives, the scale is 1 and the arithmetic is exactly the textbook one, bit for bit.

/// A power of two 2^k used to bring numbers into a safe range; k stays 0 for data already in
/// range. Multiplying by a power of two only changes the exponent, so results are exact (up to
/// values so small, relative to the largest, that they fall below the last bit of any sum).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pow2Scale {
    k: i32,
}

/// 2^k for k in the normal range [-1022, 1023].
fn pow2(k: i32) -> f64 {
    debug_assert!((-1022..=1023).contains(&k));
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// ⌊log₂|x|⌋ for finite non-zero x, subnormals included.
fn binary_exponent(x: f64) -> i32 {
    let bits = x.abs().to_bits();
    let biased = (bits >> 52) as i32;
    if biased == 0 {
        // Subnormal: value = mantissa · 2^-1074.
        let mantissa = bits & ((1u64 << 52) - 1);
        63 - mantissa.leading_zeros() as i32 - 1074
    } else {
        biased - 1023
    }
}

impl Pow2Scale {
    /// No scaling.
    pub const ONE: Pow2Scale = Pow2Scale { k: 0 };

    /// The scale that brings `largest` (the largest magnitude to be handled) into [1, 2) when
    /// it lies outside [2^-window, 2^window]; otherwise 1. Zero, missing or infinite → 1.
    pub fn for_largest(largest: f64, window: i32) -> Pow2Scale {
        if largest == 0.0 || !largest.is_finite() {
            return Pow2Scale::ONE;
        }
        let e = binary_exponent(largest);
        if (-window..=window).contains(&e) {
            Pow2Scale::ONE
        } else {
            Pow2Scale { k: -e }
        }
    }

    /// The scale for arithmetic on values between `lo` and `hi` (differences, sums of a
    /// few terms): 1 unless their magnitude is beyond 2^±500.
    pub fn for_range(lo: f64, hi: f64) -> Pow2Scale {
        Pow2Scale::for_largest(lo.abs().max(hi.abs()), SUM_WINDOW)
    }

    /// ln(x · 2^-k) from a scaled x: the logarithm in original units, finite even where
    /// x · 2^-k would overflow. For k = 0 exactly `x.ln()`.
    pub fn ln_undo(self, x: f64) -> f64 {
        x.ln() - f64::from(self.k) * std::f64::consts::LN_2
    }

    /// x · 2^k (in two steps when 2^k itself is not a normal double, e.g. to lift subnormals).
    #[inline]
    pub fn apply(self, x: f64) -> f64 {
        if (-1022..=1023).contains(&self.k) {
            x * pow2(self.k)
        } else {
            let half = self.k / 2;
            x * pow2(half) * pow2(self.k - half)
        }
    }

    /// x · 2^-k: back to the original units (may overflow to ±∞ or round to a subnormal when
    /// the true value is not representable, which callers must expect).
    #[inline]
    pub fn undo(self, x: f64) -> f64 {
        Pow2Scale { k: -self.k }.apply(x)
    }
}

/// Window (in binary orders of magnitude) where sums of values are safe from overflow for any
/// realistic count (2^500 · n) and tiny values still carry their bits.
const SUM_WINDOW: i32 = 500;
/// Window where sums of fourth powers are safe: (2^100)^4 · n stays far below 2^1024 and
/// (2^-100)^4 far above the subnormals.
const POWER_WINDOW: i32 = 100;

/// Largest magnitude of the non-missing values (0 if none).
///
/// In four independent lanes, so the compares do not wait on each other: a maximum does not
/// depend on the order it is taken in (the magnitudes have no signed zeros, and a missing
/// value compares false and is skipped), so this is the sequential maximum bit for bit.
pub fn max_abs(x: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 4];
    let chunks = x.chunks_exact(4);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            let a = v.abs();
            *lane = if a > *lane { a } else { *lane };
        }
    }
    for &v in rest {
        let a = v.abs();
        lanes[0] = if a > lanes[0] { a } else { lanes[0] };
    }
    lanes.into_iter().fold(0.0, |m, a| if a > m { a } else { m })
}

/// Values that are not missing.
pub fn present(x: &[f64]) -> impl Iterator<Item = f64> + '_ {
    x.iter().copied().filter(|v| !v.is_nan())
}

/// Whether any value is missing, in blocks of 32 scanned without a branch per value (they
/// vectorise): a long column without a gap is one quick pass, one with a gap stops at its block.
pub fn any_missing(x: &[f64]) -> bool {
    x.chunks(32)
        .any(|block| block.iter().fold(false, |missing, v| missing | v.is_nan()))
}

/// Number of non-missing values.
pub fn count_present(x: &[f64]) -> usize {
    present(x).count()
}

/// The scale bringing the values into the sum window, their mean in scaled units and their
/// count.
fn scaled_mean(x: &[f64]) -> (Pow2Scale, f64, usize) {
    scaled_mean_of_magnitude(x, max_abs(x))
}

/// [`scaled_mean`] given the values' [`max_abs`].
#[inline]
fn scaled_mean_of_magnitude(x: &[f64], magnitude: f64) -> (Pow2Scale, f64, usize) {
    let scale = Pow2Scale::for_largest(magnitude, SUM_WINDOW);
    let (sum, n) = present(x).fold((0.0, 0usize), |(s, n), v| (s + scale.apply(v), n + 1));
    (scale, sum / n as f64, n)
}

/// Arithmetic mean of the non-missing values (NaN if none). Exact for any finite data: a
/// column of ±1e308 does not overflow its sum.
pub fn mean(x: &[f64]) -> f64 {
    let (scale, m, n) = scaled_mean(x);
    if n == 0 { f64::NAN } else { scale.undo(m) }
}

/// Central sums of a column, in units where the largest deviation from the mean lies in the
/// power window: Σd², Σd³, Σd⁴ (d = scaled x − scaled x̄).
struct CentralSums {
    n: usize,
    /// Original units → the units of the mean (`value_scale`) → the units of d (`total`).
    value_scale: Pow2Scale,
    deviation_scale: Pow2Scale,
    /// The mean in `value_scale` units.
    mean: f64,
    s2: f64,
    s3: f64,
    s4: f64,
}

impl CentralSums {
    fn of(x: &[f64]) -> CentralSums {
        Self::with_powers(x, true, None)
    }

    /// Σd² only (Σd³ and Σd⁴ left 0): what a standard deviation needs. Σd² is accumulated in
    /// the same order either way, so it is the same bit for bit. `range`: the values'
    /// [`min_max`], when known, spares two passes (see [`Standardiser::of_in_range`]).
    fn of_squares(x: &[f64], range: Option<(f64, f64)>) -> CentralSums {
        Self::with_powers(x, false, range)
    }

    #[inline]
    fn with_powers(x: &[f64], higher: bool, range: Option<(f64, f64)>) -> CentralSums {
        let (value_scale, mean, n) = match range {
            Some((lo, hi)) => scaled_mean_of_magnitude(x, lo.abs().max(hi.abs())),
            None => scaled_mean(x),
        };
        let distance = |v: f64| (value_scale.apply(v) - mean).abs();
        let largest = match range {
            Some((lo, hi)) => 0.0f64.max(distance(lo)).max(distance(hi)),
            None => present(x).fold(0.0, |b: f64, v| b.max(distance(v))),
        };
        let deviation_scale = Pow2Scale::for_largest(largest, POWER_WINDOW);
        let deviation = |v: f64| deviation_scale.apply(value_scale.apply(v) - mean);
        let (s2, s3, s4) = if higher {
            present(x).fold((0.0, 0.0, 0.0), |(s2, s3, s4), v| {
                let d = deviation(v);
                (s2 + d * d, s3 + d * d * d, s4 + d * d * d * d)
            })
        } else {
            let s2 = present(x).fold(0.0, |s2, v| {
                let d = deviation(v);
                s2 + d * d
            });
            (s2, 0.0, 0.0)
        };
        CentralSums {
            n,
            value_scale,
            deviation_scale,
            mean,
            s2,
            s3,
            s4,
        }
    }

    /// The sample standard deviation in the units of d.
    fn sd(&self) -> f64 {
        (self.s2 / (self.n - 1) as f64).sqrt()
    }
}

/// Sample standard deviation with the n − 1 denominator (R `sd`), NaN if fewer than 2 values.
/// Computed without overflow; the result itself is +∞ only when the true value exceeds the
/// largest double (a column spanning nearly ±1.8e308): use [`Standardiser`] to divide by it.
pub fn sample_sd(x: &[f64]) -> f64 {
    let sums = CentralSums::of_squares(x, None);
    if sums.n < 2 {
        return f64::NAN;
    }
    sums.value_scale.undo(sums.deviation_scale.undo(sums.sd()))
}

/// The z-score map v ↦ (v − x̄)/s of a column, computed in scaled units so that neither the
/// deviation nor the standard deviation overflows or underflows, whatever the magnitude of
/// the data (1e-320 or 1e308). For ordinary data it is bit for bit `(v - mean) / sd`.
#[derive(Debug, Clone, Copy)]
pub struct Standardiser {
    value_scale: Pow2Scale,
    deviation_scale: Pow2Scale,
    mean: f64,
    sd: f64,
}

impl Standardiser {
    /// The column's standardiser; `None` with fewer than 2 values or no spread.
    pub fn of(x: &[f64]) -> Option<Standardiser> {
        Self::of_sums(CentralSums::of_squares(x, None))
    }

    /// [`Standardiser::of`] given the column's [`min_max`] `(lo, hi)`, which spares two of its
    /// passes, bit for bit: the largest magnitude is max(|lo|, |hi|), and the largest
    /// deviation from the mean is at lo or hi (scaling by 2^k, subtracting and rounding are
    /// monotone, so |scaled v − mean| is largest at an extreme).
    pub fn of_in_range(x: &[f64], range: (f64, f64)) -> Option<Standardiser> {
        Self::of_sums(CentralSums::of_squares(x, Some(range)))
    }

    fn of_sums(sums: CentralSums) -> Option<Standardiser> {
        if sums.n < 2 {
            return None;
        }
        let sd = sums.sd();
        (sd > 0.0).then_some(Standardiser {
            value_scale: sums.value_scale,
            deviation_scale: sums.deviation_scale,
            mean: sums.mean,
            sd,
        })
    }

    /// (v − x̄)/s; NaN stays NaN.
    #[inline]
    pub fn apply(&self, v: f64) -> f64 {
        self.deviation_scale
            .apply(self.value_scale.apply(v) - self.mean)
            / self.sd
    }
}

/// The map v ↦ (v − a)/(b − a) (and its mirror (b − v)/(b − a)), computed after scaling so
/// that b − a cannot overflow: with a = −1e308 and b = 1e308 the width is 2e308, beyond the
/// largest double, and the plain formula gives 0 or NaN for every unit. For a and b in the
/// ordinary range it is bit for bit the plain formula.
#[derive(Debug, Clone, Copy)]
pub struct UnitMap {
    scale: Pow2Scale,
    a: f64,
    b: f64,
    width: f64,
}

impl UnitMap {
    /// The map sending a to 0 and b to 1 (a ≠ b, both finite).
    pub fn new(a: f64, b: f64) -> UnitMap {
        let scale = Pow2Scale::for_range(a, b);
        let (a, b) = (scale.apply(a), scale.apply(b));
        UnitMap {
            scale,
            a,
            b,
            width: b - a,
        }
    }

    /// (v − a)/(b − a).
    #[inline]
    pub fn apply(&self, v: f64) -> f64 {
        (self.scale.apply(v) - self.a) / self.width
    }

    /// (b − v)/(b − a), the distance from b as a share of the width.
    #[inline]
    pub fn from_b(&self, v: f64) -> f64 {
        (self.b - self.scale.apply(v)) / self.width
    }
}

/// Minimum and maximum of the non-missing values (NaN, NaN if none).
pub fn min_max(x: &[f64]) -> (f64, f64) {
    present(x).fold((f64::NAN, f64::NAN), |(lo, hi), v| {
        (
            if lo.is_nan() || v < lo { v } else { lo },
            if hi.is_nan() || v > hi { v } else { hi },
        )
    })
}

/// Sample quantile of type 7 (R's default, Hyndman & Fan 1996): with the sorted values
/// x_(1..n), h = (n − 1)p + 1, Q(p) = x_(⌊h⌋) + (h − ⌊h⌋)(x_(⌊h⌋+1) − x_(⌊h⌋)).
#[cfg(any(test, feature = "internals"))]
pub fn quantile_type7(x: &[f64], p: f64) -> f64 {
    let mut sorted: Vec<f64> = present(x).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    quantile_type7_sorted(&sorted, p)
}

/// [`quantile_type7`] on already sorted, non-missing values.
pub fn quantile_type7_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    if lo + 1 >= n {
        sorted[n - 1]
    } else {
        sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
    }
}

/// Median (R `median`: the mean of the two middle values for even n).
#[cfg(any(test, feature = "internals"))]
pub fn median(x: &[f64]) -> f64 {
    quantile_type7(x, 0.5)
}

/// Bias-adjusted sample skewness G1 (Joanes & Gill 1998; e1071 `type = 2`, Excel SKEW):
/// g1 = √n Σd³ / (Σd²)^{3/2}, G1 = g1 √(n(n−1)) / (n − 2), with d = x − x̄. NaN if n < 3.
/// Scale-free, so computed on scaled deviations: finite for any finite data.
pub fn skewness_g1(x: &[f64]) -> f64 {
    let n = count_present(x);
    if n < 3 {
        return f64::NAN;
    }
    let CentralSums { s2, s3, .. } = CentralSums::of(x);
    let nf = n as f64;
    let g1 = nf.sqrt() * s3 / s2.powf(1.5);
    g1 * (nf * (nf - 1.0)).sqrt() / (nf - 2.0)
}

/// Bias-adjusted sample excess kurtosis G2 (Joanes & Gill 1998; e1071 `type = 2`, Excel KURT):
/// r = n Σd⁴ / (Σd²)², G2 = ((n + 1)(r − 3) + 6)(n − 1) / ((n − 2)(n − 3)). NaN if n < 4.
/// Scale-free, so computed on scaled deviations: finite for any finite data.
pub fn kurtosis_g2(x: &[f64]) -> f64 {
    let n = count_present(x);
    if n < 4 {
        return f64::NAN;
    }
    let CentralSums { s2, s4, .. } = CentralSums::of(x);
    let nf = n as f64;
    let r = nf * s4 / (s2 * s2);
    ((nf + 1.0) * (r - 3.0) + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn r_reference_values() {
        let x = [1.0, 2.0, 3.0, 4.0, 10.0, f64::NAN];
        assert_relative_eq!(mean(&x), 4.0);
        // R: sd(c(1,2,3,4,10)) = 3.535534
        assert_relative_eq!(sample_sd(&x), 3.5355339059327378, epsilon = 1e-12);
        // R: quantile(c(1,2,3,4,10), 0.05, type = 7) = 1.2; 0.95 → 8.8
        assert_relative_eq!(quantile_type7(&x, 0.05), 1.2, epsilon = 1e-12);
        assert_relative_eq!(quantile_type7(&x, 0.95), 8.8, epsilon = 1e-12);
        assert_relative_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        // Excel SKEW(1,2,3,4,10) = 1.697056 (= e1071 type 2)
        assert_relative_eq!(skewness_g1(&x), 1.697056274847714, epsilon = 1e-12);
        // Excel KURT(1,2,3,4,10) = 3.152 (= e1071 type 2)
        assert_relative_eq!(kurtosis_g2(&x), 3.152, epsilon = 1e-12);
        assert_eq!(min_max(&x), (1.0, 10.0));
    }

    /// The textbook formulas, as the code had them before scaling: the bit-for-bit reference
    /// for ordinary data.
    fn plain_sd(x: &[f64]) -> f64 {
        let v: Vec<f64> = present(x).collect();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let ss: f64 = v.iter().map(|x| (x - m) * (x - m)).sum();
        (ss / (v.len() - 1) as f64).sqrt()
    }

    #[test]
    fn ordinary_data_keep_their_exact_bits() {
        let x = [0.3, 17.25, -4.0, 1e-3, 250.5, f64::NAN, 3.0];
        let m = present(&x).sum::<f64>() / 6.0;
        assert_eq!(mean(&x).to_bits(), m.to_bits());
        assert_eq!(sample_sd(&x).to_bits(), plain_sd(&x).to_bits());
        let z = Standardiser::of(&x).unwrap();
        for &v in &x[..5] {
            assert_eq!(z.apply(v).to_bits(), ((v - m) / plain_sd(&x)).to_bits());
        }
        let map = UnitMap::new(-4.0, 250.5);
        for &v in &x[..5] {
            assert_eq!(map.apply(v).to_bits(), ((v + 4.0) / 254.5).to_bits());
            assert_eq!(map.from_b(v).to_bits(), ((250.5 - v) / 254.5).to_bits());
        }
    }

    #[test]
    fn statistics_are_scale_free_at_every_magnitude() {
        // Scaling a column by 2^k changes no standardised value, skewness or kurtosis, from
        // subnormal data to data near the largest double.
        let base = [1.0, 2.0, 3.0, 4.0, 10.0, f64::NAN];
        let (skew, kurt) = (skewness_g1(&base), kurtosis_g2(&base));
        let z_base: Vec<f64> = {
            let z = Standardiser::of(&base).unwrap();
            base[..5].iter().map(|&v| z.apply(v)).collect()
        };
        for factor in [-1070, -600, 513, 1019].map(|k| Pow2Scale { k }.apply(1.0)) {
            let x: Vec<f64> = base.iter().map(|v| v * factor).collect();
            assert_eq!(mean(&x) / factor, 4.0, "factor {factor:e}");
            // (The sd itself is only as precise as its subnormal grid at 2^-1070.)
            let grid = if factor < f64::MIN_POSITIVE {
                1.0 / 16.0
            } else {
                1e-12
            };
            assert_relative_eq!(sample_sd(&x) / factor, 3.5355339059327378, epsilon = grid);
            assert_relative_eq!(skewness_g1(&x), skew, epsilon = 1e-12);
            assert_relative_eq!(kurtosis_g2(&x), kurt, epsilon = 1e-12);
            let z = Standardiser::of(&x).unwrap();
            for (v, expected) in x[..5].iter().zip(&z_base) {
                assert_relative_eq!(z.apply(*v), *expected, epsilon = 1e-12);
            }
        }
    }

    #[test]
    fn extreme_columns_give_finite_correct_statistics() {
        // ±1e308: the sum, the squares and the width all overflow in the plain formulas.
        let x = [1e308, -1e308, 0.0, 5e307, -3e307];
        assert_relative_eq!(mean(&x), 0.4e307, max_relative = 1e-12);
        assert!(plain_sd(&x).is_infinite() || plain_sd(&x).is_nan());
        let sd = sample_sd(&x);
        assert!(sd.is_finite());
        // Same column in units of 1e307: R sd(c(10, -10, 0, 5, -3)) = 7.635444.
        assert_relative_eq!(sd / 1e307, 58.3f64.sqrt(), max_relative = 1e-12);
        let z = Standardiser::of(&x).unwrap();
        assert_relative_eq!(z.apply(1e308), 9.6 / 58.3f64.sqrt(), max_relative = 1e-12);
        // The width 2e308 overflows; the map does not.
        let map = UnitMap::new(-1e308, 1e308);
        assert_eq!(map.apply(1e308), 1.0);
        assert_eq!(map.apply(-1e308), 0.0);
        assert_eq!(map.apply(0.0), 0.5);
        assert_eq!(map.from_b(5e307), 0.25);
        // A span beyond the largest double still gives the deviations from the mean.
        let wide = [f64::MAX, -f64::MAX, -f64::MAX];
        assert!(
            sample_sd(&wide).is_infinite(),
            "the true sd exceeds f64::MAX"
        );
        let z = Standardiser::of(&wide).unwrap();
        // Mean −M/3, deviations 4M/3, −2M/3, −2M/3, sd = 2M/√3: z(M) = 2/√3.
        assert_relative_eq!(z.apply(f64::MAX), 2.0 / 3f64.sqrt(), max_relative = 1e-12);
        // Subnormal data: the squares underflow to 0 in the plain formulas ("constant column").
        let tiny = [5e-324, 1e-323, 1.5e-323, 2e-323];
        assert_eq!(plain_sd(&tiny), 0.0);
        let z = Standardiser::of(&tiny).expect("not constant");
        // Same as the column 1, 2, 3, 4: z = (x − 2.5)/1.2909944.
        assert_relative_eq!(
            z.apply(5e-324),
            -1.5 / 1.2909944487358056,
            max_relative = 1e-12
        );
        assert_relative_eq!(skewness_g1(&tiny), 0.0);
        assert_relative_eq!(kurtosis_g2(&tiny), -1.2, max_relative = 1e-12);
    }

    #[test]
    fn too_few_values_give_nan() {
        assert!(skewness_g1(&[1.0, 2.0]).is_nan());
        assert!(kurtosis_g2(&[1.0, 2.0, 3.0]).is_nan());
        assert!(mean(&[f64::NAN]).is_nan());
    }

    #[test]
    fn the_lane_maximum_is_the_sequential_one() {
        let x = [3.0, -7.0, f64::NAN, 0.5, -0.0, 6.5, f64::NAN, -7.0, 1e300, -2.0, 4.0];
        for n in 0..=x.len() {
            let sequential = present(&x[..n]).fold(0.0, |m: f64, v| m.max(v.abs()));
            assert_eq!(max_abs(&x[..n]).to_bits(), sequential.to_bits(), "{n}");
        }
        assert_eq!(max_abs(&[f64::NEG_INFINITY, 1.0]), f64::INFINITY);
    }

    /// Given the range, the standardiser skips two passes; it must be the same map bit for
    /// bit, at every magnitude (scaled sums) and with gaps, ties and one-sided columns.
    #[test]
    fn a_standardiser_from_the_range_is_the_same_map() {
        let base = [3.0, -1.5, f64::NAN, 0.25, 7.0, 7.0, -0.0, 1e-3, 2.5];
        for k in [-1060, -600, -90, 0, 90, 600, 1000] {
            let factor = 2f64.powi(k / 2) * 2f64.powi(k - k / 2);
            for shift in [0.0, 1.0, -40.0] {
                let x: Vec<f64> = base.iter().map(|v| (v + shift) * factor).collect();
                let full = Standardiser::of(&x).unwrap();
                let ranged = Standardiser::of_in_range(&x, min_max(&x)).unwrap();
                for &v in &x {
                    assert_eq!(full.apply(v).to_bits(), ranged.apply(v).to_bits(), "2^{k}, {v}");
                }
            }
        }
        assert!(Standardiser::of_in_range(&[2.0, 2.0, f64::NAN], (2.0, 2.0)).is_none());
        assert!(Standardiser::of_in_range(&[f64::NAN], (f64::NAN, f64::NAN)).is_none());
    }
}
