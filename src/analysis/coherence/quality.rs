//! Data quality: availability per indicator and unit, skewness and kurtosis with the outlier
//! rule, what treatment did, and constant or near-constant columns.

use crate::model::Index;
use crate::pipeline::prepare::nominal_base;
use crate::pipeline::stats::{count_present, kurtosis_g2, skewness_g1};
use crate::pipeline::treat::TreatmentOutcome;
use crate::pipeline::{Prepared, prepare::PreparedVariant};

/// The outlier rule: an indicator is an outlier column when |skewness| > 2 **and** kurtosis >
/// 3.5 (COINr 1.1.14 `get_stats` flag `Flag.SkewKurt = "OUT"` with `t_skew = 2, t_kurt = 3.5`,
/// and `Treat`'s default; skewness G1 and excess kurtosis G2 of Joanes & Gill 1998, as
/// [`skewness_g1`], [`kurtosis_g2`]).
pub const SKEW_LIMIT: f64 = 2.0;
pub const KURTOSIS_LIMIT: f64 = 3.5;

/// A column is near-constant when its most frequent value holds more than this share of the
/// units (COINr 1.1.14 `get_stats` column `Frc.Same`, flagged above 0.5 by its indicator
/// analysis).
pub const NEAR_CONSTANT_SHARE: f64 = 0.5;

/// Whether (skew, kurtosis) breaks the outlier rule; `None` when undefined.
pub fn is_outlier_column(skew: f64, kurtosis: f64) -> Option<bool> {
    (skew.is_finite() && kurtosis.is_finite())
        .then(|| skew.abs() > SKEW_LIMIT && kurtosis > KURTOSIS_LIMIT)
}

/// Quality facts of one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorQuality {
    pub indicator: usize,
    /// Share of the ranked units with a value before imputation.
    pub availability: f64,
    /// G1 and G2 before treatment (the denominated data of the ranked units).
    pub skew_before: f64,
    pub kurtosis_before: f64,
    /// G1 and G2 of the prepared (imputed, treated, normalised) column.
    pub skew_after: f64,
    pub kurtosis_after: f64,
    /// What the treatment did (`None` without treatment).
    pub treatment: Option<TreatmentOutcome>,
    /// Share of the ranked units holding the most frequent prepared value.
    pub same_share: f64,
}

impl IndicatorQuality {
    pub fn outlier_before(&self) -> Option<bool> {
        is_outlier_column(self.skew_before, self.kurtosis_before)
    }
    pub fn outlier_after(&self) -> Option<bool> {
        is_outlier_column(self.skew_after, self.kurtosis_after)
    }
    /// Every prepared value equal (no information for the index).
    pub fn constant(&self) -> bool {
        self.same_share >= 1.0
    }
    pub fn near_constant(&self) -> bool {
        self.same_share > NEAR_CONSTANT_SHARE
    }
}

/// Availability of one unit (every unit of the data, ranked or screened out).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitAvailability {
    /// Row in the index's data.
    pub row: usize,
    pub availability: f64,
    /// Whether screening kept it.
    pub ranked: bool,
}

/// The data-quality part of the audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    pub indicators: Vec<IndicatorQuality>,
    pub units: Vec<UnitAvailability>,
    /// The screening threshold on unit availability (`screen` in index.toml), if any.
    pub screen_threshold: Option<f64>,
}

/// Share of the most frequent present value (0 when none present).
fn most_frequent_share(x: &[f64]) -> f64 {
    let mut present: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    if present.is_empty() {
        return 0.0;
    }
    present.sort_by(f64::total_cmp);
    let (mut best, mut run) = (1usize, 1usize);
    for w in present.windows(2) {
        run = if w[1] == w[0] { run + 1 } else { 1 };
        best = best.max(run);
    }
    best as f64 / present.len() as f64
}

/// The data-quality facts of the nominal variant `variant` of `prepared`.
pub fn quality(index: &Index, prepared: &Prepared, variant: &PreparedVariant) -> Quality {
    let base = nominal_base(index);
    let kept = base.select_rows(&prepared.unit_rows);
    let n = prepared.n_units() as f64;
    let indicators = (0..prepared.framework.n_indicators())
        .map(|j| {
            let before = kept.col(j);
            let after = variant.normalised.col(j);
            IndicatorQuality {
                indicator: j,
                availability: count_present(before) as f64 / n,
                skew_before: skewness_g1(before),
                kurtosis_before: kurtosis_g2(before),
                skew_after: skewness_g1(after),
                kurtosis_after: kurtosis_g2(after),
                treatment: variant.treatment.get(j).cloned(),
                same_share: most_frequent_share(after),
            }
        })
        .collect();
    let n_cols = base.n_cols() as f64;
    let units = (0..base.n_rows())
        .map(|row| UnitAvailability {
            row,
            availability: (0..base.n_cols())
                .filter(|&j| !base.get(row, j).is_nan())
                .count() as f64
                / n_cols,
            ranked: prepared.unit_rows.binary_search(&row).is_ok(),
        })
        .collect();
    Quality {
        indicators,
        units,
        screen_threshold: prepared.screening.threshold,
    }
}
