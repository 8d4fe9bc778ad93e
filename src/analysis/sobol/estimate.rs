//! Sobol index estimators on Saltelli-design outputs: first order (Saltelli 2010), total (Jansen 1999), bootstrap percentile CIs, convergence table and dummy noise floor.

use serde::Serialize;

use super::SobolError;
use super::bootstrap::bootstrap_one;
use super::outputs::{Moments, RunOutputs, moments_over};
use super::settings::EstimatorSettings;

/// Name to give the dummy factor of [`SaltelliDesign::with_dummy_factor`](super::SaltelliDesign::with_dummy_factor)
/// so that [`noise_floor`] finds it.
pub const DUMMY_FACTOR: &str = "dummy";

/// A point estimate with its bootstrap percentile interval `[lo, hi]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Estimate {
    /// Half the width of the interval, `(hi − lo) / 2`: the `±` of SALib's `S1_conf` and
    /// `ST_conf` (there the normal approximation z·σ of the bootstrap; here the percentile
    /// interval's half-width, which equals it when the bootstrap distribution is symmetric).
    pub fn half_width(&self) -> f64 {
        (self.hi - self.lo) / 2.0
    }

    fn exact(value: f64) -> Self {
        Estimate {
            value,
            lo: value,
            hi: value,
        }
    }
}

/// First-order and total index of one factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SobolIndex {
    pub factor: String,
    /// S_i: share of the output variance due to the factor alone.
    pub first: Estimate,
    /// ST_i: share of the output variance involving the factor, interactions included.
    pub total: Estimate,
}

/// Sobol indices of one output (target).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SobolResult {
    /// Base rows N used.
    pub n: usize,
    /// Estimated output variance V over the 2N outputs of A and B (denominator 2N − 1).
    pub variance: f64,
    /// The A and B outputs are all equal, so V = 0: the target does not vary and every index is
    /// reported as 0 (never NaN).
    pub constant: bool,
    /// One entry per factor, in design order.
    pub indices: Vec<SobolIndex>,
}

impl SobolResult {
    /// The indices of the factor named `factor`.
    pub fn index(&self, factor: &str) -> Option<&SobolIndex> {
        self.indices.iter().find(|index| index.factor == factor)
    }
}

/// Point estimates on the first `rows` base rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvergenceStep {
    pub rows: usize,
    pub variance: f64,
    pub constant: bool,
    /// S_i per factor, in design order.
    pub first: Vec<f64>,
    /// ST_i per factor, in design order.
    pub total: Vec<f64>,
}

/// Indices recomputed on the first N/8, N/4, N/2 and N base rows (steps with fewer than two rows
/// are left out). Stable values across steps indicate N is large enough.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvergenceTable {
    pub factors: Vec<String>,
    pub steps: Vec<ConvergenceStep>,
}

/// The dummy factor's indices: what an input that the model ignores scores.
///
/// For a deterministic model both estimators give exactly 0 for the dummy (its AB run repeats
/// the A run), so a positive floor reveals randomness that the design does not control, e.g.
/// a model that draws its own random numbers per run. Its total index then estimates the share
/// of the output variance that is such noise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NoiseFloor {
    pub first: Estimate,
    pub total: Estimate,
}

impl NoiseFloor {
    /// The largest magnitude among the dummy's estimates and interval ends: factor indices
    /// below it cannot be told apart from an inert input.
    pub fn threshold(&self) -> f64 {
        [
            self.first.value,
            self.first.lo,
            self.first.hi,
            self.total.value,
            self.total.lo,
            self.total.hi,
        ]
        .iter()
        .fold(0.0_f64, |acc, v| acc.max(v.abs()))
    }
}

/// The dummy factor's indices, if `result` has a factor named [`DUMMY_FACTOR`].
pub fn noise_floor(result: &SobolResult) -> Option<NoiseFloor> {
    result.index(DUMMY_FACTOR).map(|index| NoiseFloor {
        first: index.first,
        total: index.total,
    })
}

/// First-order and total Sobol indices, with bootstrap percentile intervals, from the outputs of
/// a Saltelli design with `n` base rows and the factors `factor_names` (in design order).
///
/// `outputs` holds one value per run in design order: `y_A` (n), `y_B` (n), `y_AB1` … `y_ABk`.
/// With `V` the sample variance of the 2n values of `y_A` and `y_B` (denominator 2n − 1) and
/// `c` their mean with the [`Centred`](super::Estimator::Centred) estimator (0 with
/// [`Coinr`](super::Estimator::Coinr)):
///
/// - first order (Saltelli et al. 2010, Table 2 (b)):
///   `S_i = (1/n) Σ_j (y_B,j − c)(y_ABi,j − y_A,j) / V`;
/// - total (Jansen 1999; Saltelli et al. 2010, Table 2 (f)):
///   `ST_i = (1/2n) Σ_j (y_A,j − y_ABi,j)² / V`.
///
/// Intervals: each bootstrap replicate resamples the n base rows with replacement (the same rows
/// for every factor and for both indices, so joint uncertainty is kept), recomputes both indices
/// — with V and c re-estimated on the resampled A and B outputs by the
/// [`Centred`](super::Estimator::Centred) estimator; a replicate whose resampled A and B outputs
/// are all equal keeps the full-sample V — and the interval is the pair of type-7 quantiles at
/// (1 ± level)/2 over the replicates (Efron's percentile interval; see [`super::bootstrap`]).
///
/// A constant target (all A and B outputs equal) is reported with `constant = true` and zero
/// indices; non-finite outputs are an error naming the run.
pub fn estimate<S: AsRef<str>>(
    outputs: &[f64],
    n: usize,
    factor_names: &[S],
    settings: &EstimatorSettings,
) -> Result<SobolResult, SobolError> {
    settings.validate()?;
    let outputs = RunOutputs::new(outputs, n, factor_names)?;
    let k = outputs.factors;
    let mut first = vec![0.0; k];
    let mut total = vec![0.0; k];
    let moments = point_estimates(
        &outputs,
        n,
        settings.estimator.centres_outputs(),
        &mut first,
        &mut total,
    );

    let names = factor_names.iter().map(|name| name.as_ref().to_string());
    if moments.constant {
        return Ok(SobolResult {
            n,
            variance: 0.0,
            constant: true,
            indices: names
                .map(|factor| SobolIndex {
                    factor,
                    first: Estimate::exact(0.0),
                    total: Estimate::exact(0.0),
                })
                .collect(),
        });
    }

    let intervals = bootstrap_one(&outputs, moments, settings);
    let indices = names
        .enumerate()
        .map(|(i, factor)| {
            let (first_lo, first_hi, total_lo, total_hi) = match &intervals {
                Some(bounds) => (bounds[i].0, bounds[i].1, bounds[k + i].0, bounds[k + i].1),
                None => (first[i], first[i], total[i], total[i]),
            };
            SobolIndex {
                factor,
                first: Estimate {
                    value: first[i],
                    lo: first_lo,
                    hi: first_hi,
                },
                total: Estimate {
                    value: total[i],
                    lo: total_lo,
                    hi: total_hi,
                },
            }
        })
        .collect();
    Ok(SobolResult {
        n,
        variance: moments.variance,
        constant: false,
        indices,
    })
}

/// Point estimates of [`estimate`] on the first N/8, N/4, N/2 and N base rows (same formulas and
/// centring; no bootstrap). For Sobol points with N a power of two every prefix is itself a
/// balanced Sobol design.
pub fn convergence<S: AsRef<str>>(
    outputs: &[f64],
    n: usize,
    factor_names: &[S],
    settings: &EstimatorSettings,
) -> Result<ConvergenceTable, SobolError> {
    let outputs = RunOutputs::new(outputs, n, factor_names)?;
    let mut row_counts: Vec<usize> = [n / 8, n / 4, n / 2, n]
        .into_iter()
        .filter(|&rows| rows >= 2)
        .collect();
    row_counts.dedup();
    let steps = row_counts
        .into_iter()
        .map(|rows| {
            let mut first = vec![0.0; outputs.factors];
            let mut total = vec![0.0; outputs.factors];
            let moments = point_estimates(
                &outputs,
                rows,
                settings.estimator.centres_outputs(),
                &mut first,
                &mut total,
            );
            ConvergenceStep {
                rows,
                variance: moments.variance,
                constant: moments.constant,
                first,
                total,
            }
        })
        .collect();
    Ok(ConvergenceTable {
        factors: factor_names
            .iter()
            .map(|name| name.as_ref().to_string())
            .collect(),
        steps,
    })
}

/// Writes S_i and ST_i computed on base rows `0..rows` into `first` and `total` (zeros if the
/// A and B outputs are constant) and returns the moments used.
fn point_estimates(
    outputs: &RunOutputs<'_>,
    rows: usize,
    center: bool,
    first: &mut [f64],
    total: &mut [f64],
) -> Moments {
    let (y_a, y_b) = (&outputs.a()[..rows], &outputs.b()[..rows]);
    let moments = moments_over(|| y_a.iter().chain(y_b).copied(), 2 * rows);
    if moments.constant {
        first.fill(0.0);
        total.fill(0.0);
        return moments;
    }
    let offset = if center { moments.mean } else { 0.0 };
    for factor in 0..outputs.factors {
        let y_ab = &outputs.ab(factor)[..rows];
        let (mut first_sum, mut total_sum) = (0.0, 0.0);
        for j in 0..rows {
            let step = y_ab[j] - y_a[j];
            first_sum += (y_b[j] - offset) * step;
            total_sum += step * step;
        }
        first[factor] = first_sum / rows as f64 / moments.variance;
        total[factor] = total_sum / (2.0 * rows as f64 * moments.variance);
    }
    moments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::sobol::Estimator;

    #[test]
    fn hand_computed_indices() {
        // n = 2, one factor. yA = (1, 3), yB = (2, 6), yAB = (2, 5).
        // mean = 3, V = ((1-3)² + 0 + (2-3)² + (6-3)²)/3 = 14/3.
        // Uncentred S = ((2)(2-1) + (6)(5-3))/2 / V = 7 / (14/3) = 1.5.
        // Centred S = ((-1)(1) + (3)(2))/2 / V = 2.5 / (14/3) = 15/28.
        // ST = (1 + 4)/(2·2·V) = 5/4 · 3/14 = 15/56.
        let y = [1.0, 3.0, 2.0, 6.0, 2.0, 5.0];
        let mut settings = EstimatorSettings {
            bootstrap_resamples: 0,
            ..EstimatorSettings::coinr_compatible()
        };
        let r = estimate(&y, 2, &["x"], &settings).unwrap();
        assert!((r.variance - 14.0 / 3.0).abs() < 1e-15);
        assert!((r.indices[0].first.value - 1.5).abs() < 1e-15);
        assert!((r.indices[0].total.value - 15.0 / 56.0).abs() < 1e-15);
        assert_eq!(r.indices[0].first.lo, r.indices[0].first.value);
        settings.estimator = Estimator::Centred;
        let r = estimate(&y, 2, &["x"], &settings).unwrap();
        assert!((r.indices[0].first.value - 15.0 / 28.0).abs() < 1e-15);
    }

    #[test]
    fn bootstrap_is_deterministic_and_brackets_the_estimate() {
        // A factor that drives the output linearly, with a second inert one.
        let n = 64;
        let mut y = vec![0.0; 4 * n];
        for j in 0..n {
            let a = (j * 37 % n) as f64;
            let b = (j * 11 % n) as f64;
            y[j] = a;
            y[n + j] = b;
            y[2 * n + j] = b;
            y[3 * n + j] = a;
        }
        let settings = EstimatorSettings::default();
        let r1 = estimate(&y, n, &["x", "inert"], &settings).unwrap();
        let r2 = estimate(&y, n, &["x", "inert"], &settings).unwrap();
        assert_eq!(r1, r2);
        let x = &r1.indices[0];
        assert!(x.first.lo <= x.first.value && x.first.value <= x.first.hi);
        assert!(x.total.lo <= x.total.value && x.total.value <= x.total.hi);
        assert!(x.first.hi > x.first.lo);
        let inert = &r1.indices[1];
        assert_eq!(inert.total, Estimate::exact(0.0));
        assert_eq!(inert.first, Estimate::exact(0.0));
        let other_seed = EstimatorSettings {
            seed: 1,
            ..settings
        };
        let r3 = estimate(&y, n, &["x", "inert"], &other_seed).unwrap();
        assert_eq!(r3.indices[0].first.value, x.first.value);
        assert_ne!(r3.indices[0].first.lo, x.first.lo);
    }

    #[test]
    fn constant_targets_are_flagged_not_nan() {
        let y = [0.1; 2 * 5];
        let r = estimate(&y[..], 2, &["a", "b", "c"], &EstimatorSettings::default()).unwrap();
        assert!(r.constant);
        assert_eq!(r.variance, 0.0);
        assert!(
            r.indices
                .iter()
                .all(|i| i.first == Estimate::exact(0.0) && i.total == Estimate::exact(0.0))
        );
    }

    #[test]
    fn rejects_wrong_lengths_and_non_finite_outputs() {
        let settings = EstimatorSettings::default();
        let err = estimate(&[1.0; 7], 2, &["a"], &settings).unwrap_err();
        assert!(matches!(
            err,
            SobolError::OutputCount {
                expected: 6,
                found: 7,
                ..
            }
        ));
        let mut y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        y[4] = f64::NAN;
        let err = estimate(&y, 2, &["a"], &settings).unwrap_err();
        assert!(err.to_string().contains("run 4 (block AB_a"), "{err}");
        let bad_level = EstimatorSettings {
            confidence_level: 1.0,
            ..settings
        };
        assert!(estimate(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, &["a"], &bad_level).is_err());
    }

    #[test]
    fn convergence_steps_use_prefixes() {
        let n = 16;
        let y: Vec<f64> = (0..3 * n).map(|r| ((r * 7919) % 13) as f64).collect();
        let settings = EstimatorSettings::default();
        let table = convergence(&y, n, &["x"], &settings).unwrap();
        let rows: Vec<usize> = table.steps.iter().map(|s| s.rows).collect();
        assert_eq!(rows, [2, 4, 8, 16]);
        let full = estimate(&y, n, &["x"], &settings).unwrap();
        let last = table.steps.last().unwrap();
        assert_eq!(last.first[0], full.indices[0].first.value);
        assert_eq!(last.total[0], full.indices[0].total.value);
        assert_eq!(last.variance, full.variance);
    }
}
