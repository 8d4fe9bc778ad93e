//! A whole uncertainty analysis: the Monte Carlo ([`super::uncertainty::sample`]), the focus
//! verdict, the factors and, with `[[noise]]` entries, the data-error analysis
//! ([`super::data_error`]). Above both so that neither imports the other.

use super::data_error::{DataError, SplitOptions, analyse};
use super::rank_stats::{RankDistribution, UncertaintyStats};
use super::uncertainty::{Sampled, Setup, UncertaintyError, UncertaintyOptions, sample};
use super::convergence::Convergence;
use super::verdict::FocusVerdict;
use crate::engine::{Accumulator, Observer};
use crate::model::Index;
use crate::scenario::Scenario;
use crate::scenario::factors::FactorSummary;

/// The result of [`run_uncertainty`].
pub struct UncertaintyRun {
    pub setup: Setup,
    pub accumulator: Accumulator,
    pub stats: UncertaintyStats,
    pub verdict: Option<FocusVerdict>,
    /// The stop rule's assessment of the final samples (for a fixed count too: whether it
    /// sufficed).
    pub convergence: Convergence,
    pub factors: Vec<FactorSummary>,
    /// With `[[noise]]` entries: the error model, the run without them and the split of the
    /// focus rank's variance ([`super::data_error`]), a merge of shards included.
    pub data_error: Option<DataError>,
}

impl UncertaintyRun {
    /// Each unit's rank distribution over the samples.
    pub fn rank_distribution(&self) -> RankDistribution<'_> {
        RankDistribution::new(&self.accumulator)
    }
}

/// Runs a whole (unsharded) uncertainty analysis: `options.samples` samples, or with
/// `converge` batches that grow from it (the next indices each time, so the result equals a
/// plain run of the final size) until the stop rule of [`super::convergence`] finds every
/// headline statistic settled or `max_samples` is reached.
pub fn run_uncertainty(
    index: &Index,
    scenario: &Scenario,
    scenario_text: &str,
    options: &UncertaintyOptions,
    observer: &dyn Observer,
) -> Result<UncertaintyRun, UncertaintyError> {
    run_uncertainty_with_split(
        index,
        scenario,
        scenario_text,
        options,
        &SplitOptions::default(),
        observer,
    )
}

/// [`run_uncertainty`] with the design of the data-error split chosen by the caller (`robust`
/// uses its Sobol settings).
pub fn run_uncertainty_with_split(
    index: &Index,
    scenario: &Scenario,
    scenario_text: &str,
    options: &UncertaintyOptions,
    split: &SplitOptions,
    observer: &dyn Observer,
) -> Result<UncertaintyRun, UncertaintyError> {
    let Sampled {
        setup,
        accumulator,
        stats,
        convergence,
    } = sample(index, scenario, scenario_text, options, observer)?;
    let verdict = setup.verdict(&stats);
    let factors = setup.model.factor_summaries();
    let data_error = analyse(
        index,
        scenario,
        scenario_text,
        options,
        accumulator.samples,
        &setup,
        split,
        observer,
    )?;
    Ok(UncertaintyRun {
        data_error,
        setup,
        accumulator,
        stats,
        verdict,
        convergence,
        factors,
    })
}

