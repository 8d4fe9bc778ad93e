//! Internal consistency: Cronbach's α of an aggregate's children.

/// Sample covariance (n − 1 denominator) of two columns on their complete pairs, with the
/// means of those pairs (R `cov(use = "pairwise.complete.obs")`); `None` below 2 pairs.
pub fn pairwise_covariance(x: &[f64], y: &[f64]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(&a, &b)| (a, b))
        .collect();
    let n = pairs.len();
    if n < 2 {
        return None;
    }
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n as f64;
    let s: f64 = pairs.iter().map(|&(a, b)| (a - mx) * (b - my)).sum();
    Some(s / (n - 1) as f64)
}

/// Cronbach's α of k columns (Cronbach 1951, "Coefficient alpha and the internal structure of
/// tests", Psychometrika 16(3)): α = k/(k − 1) · (1 − Σ σ²_i / σ²_total) with σ²_total = Σ_ij
/// σ_ij, written as COINr 1.1.14's `get_cronbach` computes it: α = k² c̄ / Σ_ij σ_ij, with c̄ the
/// mean off-diagonal covariance, on the pairwise-complete covariance matrix (its default
/// `use = "pairwise.complete.obs"`; a covariance undefined for lack of pairs is left out of
/// the sums, as COINr's `na.rm = TRUE` does).
///
/// `None` for fewer than two columns or a total variance of zero.
pub fn cronbach_alpha(columns: &[&[f64]]) -> Option<f64> {
    let k = columns.len();
    if k < 2 {
        return None;
    }
    let (mut total, mut diagonal) = (0.0, 0.0);
    for i in 0..k {
        for j in 0..k {
            if let Some(c) = pairwise_covariance(columns[i], columns[j]) {
                total += c;
                if i == j {
                    diagonal += c;
                }
            }
        }
    }
    if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let kf = k as f64;
    let mean_off_diagonal = (total - diagonal) / (kf * (kf - 1.0));
    let alpha = kf * kf * mean_off_diagonal / total;
    alpha.is_finite().then_some(alpha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_columns_have_alpha_one_and_independent_ones_zero() {
        let x = [1.0, 2.0, 4.0, 7.0];
        assert!((cronbach_alpha(&[&x, &x, &x]).unwrap() - 1.0).abs() < 1e-12);
        // Orthogonal centred columns: every covariance off the diagonal is 0.
        let a = [1.0, -1.0, 1.0, -1.0];
        let b = [1.0, 1.0, -1.0, -1.0];
        assert!(cronbach_alpha(&[&a, &b]).unwrap().abs() < 1e-12);
    }
}
