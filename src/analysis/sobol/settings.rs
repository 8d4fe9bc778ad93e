//! How Sobol indices and their bootstrap intervals are estimated: the estimator form (centred or COINr's uncentred) and the bootstrap's size, level and seed.

use serde::Serialize;

use super::SobolError;

/// The form of the first-order estimator and of its bootstrap.
///
/// Both forms use the Saltelli et al. (2010, Table 2 (b)) first-order and Jansen (1999) total
/// estimators with `V` the sample variance of the A and B outputs (denominator 2N − 1) and
/// Efron percentile intervals; they differ in the offset subtracted from `y_B` and in what a
/// bootstrap resample re-estimates. What the two reference tools compute:
///
/// - SALib 1.6 `sobol.analyze` standardises all N (k + 2) outputs once by their mean and
///   standard deviation, then computes `mean(y_B (y_ABi − y_A)) / np.var(y_A ∪ y_B)` (variance
///   with denominator 2N) and `½ mean((y_A − y_ABi)²) / np.var(…)`; each of its 100 resamples
///   re-estimates the variance but not the mean, and its interval is the normal approximation
///   `± z · sd` of the resampled indices (95% by default).
/// - COINr's `SA_estimate` uses the raw outputs, `stats::var(c(yA, yB))` (denominator 2N − 1)
///   kept fixed in every resample, and the 5% and 95% quantiles of the resampled indices (each
///   factor's S_i and ST_i resampled separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Estimator {
    /// `y_B` centred by the mean of the A and B outputs, and mean and variance both re-estimated
    /// in every bootstrap resample (the bootstrap of the whole ratio). The centring term has
    /// expectation zero up to O(1/N) (Janon et al. 2014, *Asymptotic normality and efficiency of
    /// two Sobol index estimators*, ESAIM P&S 18), so the index is the same; the uncentred
    /// form's variance grows with the squared output mean. With the variance re-estimated the
    /// percentile intervals cover at their nominal rate (`tests/sobol_coverage.rs`: Ishigami,
    /// 95% intervals), like SALib's, whose standardisation also centres the outputs.
    Centred,
    /// COINr's `SA_estimate`: uncentred `y_B` and the full-sample variance kept fixed in every
    /// resample. Point estimates equal COINr's to rounding; the intervals are too narrow when
    /// the output variance is itself uncertain (Ishigami ST_x2: 87.7% coverage of nominal 95%).
    Coinr,
}

impl Estimator {
    /// Whether `y_B` is centred by the mean of the A and B outputs.
    pub fn centres_outputs(self) -> bool {
        self == Estimator::Centred
    }

    /// Whether each bootstrap resample re-estimates the output mean and variance.
    pub fn reestimates_variance(self) -> bool {
        self == Estimator::Centred
    }
}

/// How indices and their intervals are estimated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimatorSettings {
    /// The estimator's form (see [`Estimator`]).
    pub estimator: Estimator,
    /// Bootstrap replicates for the percentile intervals; 0 gives no interval (`lo = hi = value`).
    pub bootstrap_resamples: usize,
    /// Two-sided level of the percentile interval, e.g. 0.90 → the 5% and 95% quantiles.
    pub confidence_level: f64,
    /// Seed of the bootstrap; replicate r uses ChaCha8 stream r of a key derived from it, so
    /// intervals do not depend on the number of threads.
    pub seed: u64,
}

impl Default for EstimatorSettings {
    /// The centred estimator, 1,000 resamples, 90% intervals, seed 0.
    fn default() -> Self {
        EstimatorSettings {
            estimator: Estimator::Centred,
            bootstrap_resamples: 1000,
            confidence_level: 0.90,
            seed: 0,
        }
    }
}

impl EstimatorSettings {
    /// COINr's `SA_estimate` semantics ([`Estimator::Coinr`]). Point estimates then equal
    /// COINr's to rounding; intervals match in distribution only (COINr resamples with R's RNG).
    #[cfg(any(test, feature = "internals"))]
    pub fn coinr_compatible() -> Self {
        EstimatorSettings {
            estimator: Estimator::Coinr,
            ..EstimatorSettings::default()
        }
    }

    pub(crate) fn validate(&self) -> Result<(), SobolError> {
        if !(self.confidence_level > 0.0 && self.confidence_level < 1.0) {
            return Err(SobolError::Settings {
                problem: format!("confidence level {}", self.confidence_level),
                fix: "use a level strictly between 0 and 1, e.g. 0.9 for 5%–95% intervals".into(),
            });
        }
        Ok(())
    }
}
