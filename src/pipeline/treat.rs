//! Outlier treatment: COINr's default Winsorisation with a log fallback (`Treat`, `winsorise`, `log_CT`).

use serde::Serialize;

use super::stats::{Pow2Scale, kurtosis_g2, min_max, skewness_g1};
use crate::model::method::Treatment;

/// What the treatment did to one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TreatmentOutcome {
    /// Passed the skew/kurtosis check as it was.
    Passed,
    /// Passed after Winsorising this many points (high side, low side).
    Winsorised { high: usize, low: usize },
    /// Winsorisation up to `winmax` points did not pass: log-transformed instead.
    LogTransformed,
    /// Statistics undefined (constant column or too few values): left untreated, as COINr does.
    Untreated,
}

/// COINr's pass check (`check_SkewKurt`): `|G1| < skew_limit` **or** `G2 < kurtosis_limit`,
/// with R's three-valued logic: `None` when undecidable (a statistic is NaN and the other
/// test does not already pass).
fn passes(x: &[f64], treatment: &Treatment) -> Option<bool> {
    let skew = skewness_g1(x);
    let kurt = kurtosis_g2(x);
    let skew_ok = (!skew.is_nan()).then_some(skew.abs() < treatment.skew_limit);
    let kurt_ok = (!kurt.is_nan()).then_some(kurt < treatment.kurtosis_limit);
    match (skew_ok, kurt_ok) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Treats one indicator column in place and says what was done.
///
/// The procedure of COINr's `Treat` (Becker et al. 2022; OECD/JRC Handbook 2008 §3.3):
/// 1. if the column passes (`|G1| < 2` or `G2 < 3.5`), keep it;
/// 2. otherwise Winsorise: while it fails and fewer than `winmax` points are clipped, set every
///    point equal to the current extreme on the skewed side (high if G1 ≥ 0) to the next
///    value inside; the clipped count on a side is cumulative, and ties are clipped together;
/// 3. if it still fails, replace the *original* values by `ln(x − min + 0.01·(max − min))`
///    (`log_CT`), kept whether or not it then passes.
///
/// Missing values are ignored throughout and stay missing.
pub fn treat_column(x: &mut [f64], treatment: &Treatment) -> TreatmentOutcome {
    treat_column_with(x, treatment, &mut Vec::new())
}

/// [`treat_column`] with the caller's buffer for the original values (reused across samples).
pub fn treat_column_with(
    x: &mut [f64],
    treatment: &Treatment,
    original: &mut Vec<f64>,
) -> TreatmentOutcome {
    match passes(x, treatment) {
        None => return TreatmentOutcome::Untreated,
        Some(true) => return TreatmentOutcome::Passed,
        Some(false) => {}
    }
    original.clear();
    original.extend_from_slice(x);
    let original = &original[..];
    let (mut high, mut low) = (0usize, 0usize);
    let mut passing = false;
    while !passing && high + low < treatment.winmax {
        let (lo, hi) = min_max(x);
        let clip_high = skewness_g1(x) >= 0.0;
        let extreme = if clip_high { hi } else { lo };
        // The next value inside: the largest below the max (or smallest above the min).
        let inner = x
            .iter()
            .copied()
            .filter(|&v| !v.is_nan() && v != extreme)
            .fold(f64::NAN, |acc, v| {
                if acc.is_nan() || (clip_high && v > acc) || (!clip_high && v < acc) {
                    v
                } else {
                    acc
                }
            });
        if inner.is_nan() {
            break; // everything is tied at the extreme: nothing left to clip
        }
        let mut clipped = 0;
        for v in x.iter_mut().filter(|v| **v == extreme) {
            *v = inner;
            clipped += 1;
        }
        if clip_high {
            high = clipped;
        } else {
            low = clipped;
        }
        match passes(x, treatment) {
            Some(p) => passing = p,
            None => {
                x.copy_from_slice(original);
                return TreatmentOutcome::Untreated;
            }
        }
    }
    if passing {
        return TreatmentOutcome::Winsorised { high, low };
    }
    let (lo, hi) = min_max(original);
    // In scaled units, so that hi − lo cannot overflow for data near ±1e308 (the logarithm
    // is taken back to original units exactly: ln(y·2^-k) = ln y − k ln 2).
    let scale = Pow2Scale::for_range(lo, hi);
    let (lo, hi) = (scale.apply(lo), scale.apply(hi));
    let offset = 0.01 * (hi - lo);
    for (v, &o) in x.iter_mut().zip(original) {
        *v = scale.ln_undo(scale.apply(o) - lo + offset);
    }
    if passes(x, treatment).is_none() {
        x.copy_from_slice(original);
        return TreatmentOutcome::Untreated;
    }
    TreatmentOutcome::LogTransformed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(winmax: usize) -> Treatment {
        Treatment::with_winmax(winmax)
    }

    #[test]
    fn well_behaved_columns_pass_untouched() {
        let mut x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(treat_column(&mut x, &t(5)), TreatmentOutcome::Passed);
        assert_eq!(x, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn winsorisation_counts_cumulatively_as_coinr_does() {
        // 400 → 200 (one point clipped), then both 200s → 40: the count on the high side is
        // cumulative (2), as in COINr, and the column passes. Checked against a direct
        // transcription of COINr's loop.
        let mut x: Vec<f64> = (1..=30)
            .map(f64::from)
            .chain([40.0, 40.0, 200.0, 400.0])
            .collect();
        let outcome = treat_column(&mut x, &t(5));
        assert_eq!(outcome, TreatmentOutcome::Winsorised { high: 2, low: 0 });
        assert_eq!(&x[30..], &[40.0; 4]);
        // With winmax 1 the loop stops after the first step and falls back to the log.
        let mut x: Vec<f64> = (1..=30)
            .map(f64::from)
            .chain([40.0, 40.0, 200.0, 400.0])
            .collect();
        assert_eq!(
            treat_column(&mut x, &t(1)),
            TreatmentOutcome::LogTransformed
        );
    }

    #[test]
    fn falls_back_to_log_of_the_original_values() {
        let mut x: Vec<f64> = (1..=20).map(f64::from).collect();
        x.extend([1000.0, 2000.0, 5000.0]);
        let original = x.clone();
        let outcome = treat_column(&mut x, &t(1));
        assert_eq!(outcome, TreatmentOutcome::LogTransformed);
        let (lo, hi) = (1.0, 5000.0);
        for (v, o) in x.iter().zip(&original) {
            assert!((v - (o - lo + 0.01 * (hi - lo)).ln()).abs() < 1e-12);
        }
    }

    #[test]
    fn treatment_does_not_depend_on_the_magnitude_of_the_data() {
        // The skewed column above, at every magnitude a double holds: the same points are
        // Winsorised, and the log fallback is the same up to the constant ln(scale).
        let base: Vec<f64> = (1..=30)
            .map(f64::from)
            .chain([40.0, 40.0, 200.0, 400.0])
            .collect();
        let mut reference = base.clone();
        let outcome = treat_column(&mut reference, &t(5));
        let mut log_reference = base.clone();
        assert_eq!(
            treat_column(&mut log_reference, &t(1)),
            TreatmentOutcome::LogTransformed
        );
        for k in [-1060, -700, 520, 1014] {
            // 2^k in two steps: powi(-1060) may compute 1/2^1060 = 0.
            let factor = 2f64.powi(k / 2) * 2f64.powi(k - k / 2);
            let mut x: Vec<f64> = base.iter().map(|v| v * factor).collect();
            assert_eq!(treat_column(&mut x, &t(5)), outcome, "2^{k}");
            for (v, r) in x.iter().zip(&reference) {
                assert_eq!(*v, r * factor);
            }
            let mut x: Vec<f64> = base.iter().map(|v| v * factor).collect();
            assert_eq!(
                treat_column(&mut x, &t(1)),
                TreatmentOutcome::LogTransformed
            );
            let shift = f64::from(k) * std::f64::consts::LN_2;
            for (v, r) in x.iter().zip(&log_reference) {
                assert!(v.is_finite());
                assert!((v - r - shift).abs() < 1e-9, "2^{k}: {v} vs {r} + {shift}");
            }
        }
        // A column spanning ±1e308: max − min overflows, the log fallback must not.
        let mut x: Vec<f64> = (0..30).map(|i| 1.7e308 - f64::from(i) * 1e306).collect();
        x.push(-1.7e308);
        let outcome = treat_column(&mut x, &t(0));
        assert_eq!(outcome, TreatmentOutcome::LogTransformed);
        assert!(x.iter().all(|v| v.is_finite()), "{x:?}");
    }

    #[test]
    fn constant_columns_are_left_alone() {
        let mut x = [3.0; 6];
        assert_eq!(treat_column(&mut x, &t(5)), TreatmentOutcome::Untreated);
        assert_eq!(x, [3.0; 6]);
    }
}
