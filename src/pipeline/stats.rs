//! Small descriptive statistics over vectors with missing values (NaN), matching R's definitions.

/// Values that are not missing.
pub fn present(x: &[f64]) -> impl Iterator<Item = f64> + '_ {
    x.iter().copied().filter(|v| !v.is_nan())
}

/// Number of non-missing values.
pub fn count_present(x: &[f64]) -> usize {
    present(x).count()
}

/// Arithmetic mean of the non-missing values (NaN if none).
pub fn mean(x: &[f64]) -> f64 {
    let (sum, n) = present(x).fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// Sample standard deviation with the n − 1 denominator (R `sd`), NaN if fewer than 2 values.
pub fn sample_sd(x: &[f64]) -> f64 {
    let m = mean(x);
    let n = count_present(x);
    if n < 2 {
        return f64::NAN;
    }
    let ss: f64 = present(x).map(|v| (v - m) * (v - m)).sum();
    (ss / (n - 1) as f64).sqrt()
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
pub fn median(x: &[f64]) -> f64 {
    quantile_type7(x, 0.5)
}

/// Bias-adjusted sample skewness G1 (Joanes & Gill 1998; e1071 `type = 2`, Excel SKEW):
/// g1 = √n Σd³ / (Σd²)^{3/2}, G1 = g1 √(n(n−1)) / (n − 2), with d = x − x̄. NaN if n < 3.
pub fn skewness_g1(x: &[f64]) -> f64 {
    let n = count_present(x);
    if n < 3 {
        return f64::NAN;
    }
    let m = mean(x);
    let (s2, s3) = present(x).fold((0.0, 0.0), |(s2, s3), v| {
        let d = v - m;
        (s2 + d * d, s3 + d * d * d)
    });
    let nf = n as f64;
    let g1 = nf.sqrt() * s3 / s2.powf(1.5);
    g1 * (nf * (nf - 1.0)).sqrt() / (nf - 2.0)
}

/// Bias-adjusted sample excess kurtosis G2 (Joanes & Gill 1998; e1071 `type = 2`, Excel KURT):
/// r = n Σd⁴ / (Σd²)², G2 = ((n + 1)(r − 3) + 6)(n − 1) / ((n − 2)(n − 3)). NaN if n < 4.
pub fn kurtosis_g2(x: &[f64]) -> f64 {
    let n = count_present(x);
    if n < 4 {
        return f64::NAN;
    }
    let m = mean(x);
    let (s2, s4) = present(x).fold((0.0, 0.0), |(s2, s4), v| {
        let d = v - m;
        (s2 + d * d, s4 + d * d * d * d)
    });
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

    #[test]
    fn too_few_values_give_nan() {
        assert!(skewness_g1(&[1.0, 2.0]).is_nan());
        assert!(kurtosis_g2(&[1.0, 2.0, 3.0]).is_nan());
        assert!(mean(&[f64::NAN]).is_nan());
    }
}
