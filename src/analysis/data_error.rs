//! Data error against modelling choices, for a scenario with `[[noise]]` entries: how much of the
//! focus unit's rank variance each accounts for, and every unit's rank interval with and
//! without the data error.
//!
//! # The split
//! The scenario's factors fall into two groups: the `[[noise]]` entries (data error and
//! imputation draws) and every other factor (the modelling choices). A Saltelli design over the
//! two groups (Sobol indices of groups of inputs: Sobol 1993; Jansen 1999; Saltelli et al.
//! 2010, §2) gives each group's first-order index S (the share of the focus rank's variance it
//! explains alone) and total index ST (alone and through interactions), with the bootstrap
//! intervals of [`crate::analysis::sensitivity`]. With two groups the variance decomposes
//! exactly as V = V_data + V_model + V_data×model, so 1 − S_data − S_model is the interactions'
//! share. The noise factors take the model's last coordinates (see
//! [`crate::scenario::factors`]), so each group is a contiguous block of the design's columns
//! and a design point is the model's point as it is. The design costs N·4 scorer runs.
//!
//! # With and without the data error
//! The comparison run is the same scenario with its `[[noise]]` entries removed and the same
//! options (seed, samples, stop rule): byte for byte the run of that scenario on its own. As
//! the noise coordinates come after every other factor's, sample i of both runs draws the same
//! modelling choices, so the two intervals differ by the data error alone.

use serde::Serialize;

use super::rank_stats::UncertaintyStats;
use super::sensitivity::{SensitivityError, focus_rank_target};
use super::sobol::{Estimate, Estimator, EstimatorSettings, PointKind, SaltelliDesign};
use super::uncertainty::{Setup, UncertaintyError, UncertaintyOptions, sample};
use crate::engine::Observer;
use crate::model::Index;
use crate::scenario::Scenario;
use crate::scenario::sections::noise_record::{NoiseEntryRecord, error_model};

/// Name of the group of `[[noise]]` factors.
pub const DATA_GROUP: &str = "data error";
/// Name of the group of every other factor.
pub const MODELLING_GROUP: &str = "modelling choices";

/// Base rows of the split's design when the caller does not choose (4 N scorer runs).
pub const DEFAULT_SPLIT_BASE_SAMPLES: usize = 1024;

/// How the split is estimated.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitOptions {
    /// Base rows N of the two-group Saltelli design.
    pub base_samples: usize,
    pub bootstrap_resamples: usize,
    /// Two-sided level of the intervals.
    pub confidence_level: f64,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions {
            base_samples: DEFAULT_SPLIT_BASE_SAMPLES,
            bootstrap_resamples: 1000,
            confidence_level: 0.90,
        }
    }
}

/// One group's indices for the focus rank.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupShare {
    pub group: String,
    /// The group's factors, in design order.
    pub factors: Vec<String>,
    /// S: the share of the variance the group explains alone.
    pub first: Estimate,
    /// ST: the share it is involved in, interactions included.
    pub total: Estimate,
}

/// How much of the focus unit's rank variance data error and modelling choices account for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataErrorSplit {
    /// `rank:<uCode>`.
    pub target: String,
    pub unit: String,
    pub unit_name: String,
    pub base_samples: usize,
    /// Scorer runs N (k + 2), k = the number of groups.
    pub runs: usize,
    pub bootstrap_resamples: usize,
    pub confidence_level: f64,
    /// Variance of the focus rank over the design's A and B runs.
    pub variance: f64,
    /// The rank never moved: every share is 0.
    pub constant: bool,
    pub data: GroupShare,
    /// Absent when every factor of the scenario is a `[[noise]]` entry.
    pub modelling: Option<GroupShare>,
    /// 1 − S_data − S_model: the share of the interactions between the groups.
    pub interactions: f64,
}

/// One unit's rank interval without and with the data error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalPair {
    pub code: String,
    pub name: String,
    pub nominal_rank: u32,
    pub without: RankInterval,
    pub with: RankInterval,
}

/// Median and 90% interval (5% and 95% quantiles) of a unit's rank.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RankInterval {
    pub median: f64,
    pub q05: f64,
    pub q95: f64,
}

/// Everything the data-error reporting needs.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    /// Each `[[noise]]` entry as run.
    pub error_model: Vec<NoiseEntryRecord>,
    /// The split of the focus rank's variance (when there is a focus).
    pub split: Option<DataErrorSplit>,
    /// The run of the scenario without its `[[noise]]` entries.
    pub without: UncertaintyStats,
    /// Why the split is missing, when it could not be estimated.
    pub notes: Vec<String>,
}

impl DataError {
    /// Every unit's rank interval without and with the data error, in the with-run's unit order.
    pub fn interval_pairs(&self, with: &UncertaintyStats) -> Vec<IntervalPair> {
        let interval = |s: &super::rank_stats::UnitRankStats| RankInterval {
            median: s.median_rank,
            q05: s.q05_rank,
            q95: s.q95_rank,
        };
        with.units
            .iter()
            .zip(&self.without.units)
            .map(|(w, wo)| IntervalPair {
                code: w.code.clone(),
                name: w.name.clone(),
                nominal_rank: w.nominal_rank,
                without: interval(wo),
                with: interval(w),
            })
            .collect()
    }
}

/// The data-error analysis of a finished run of `scenario` with `options` that took `samples`
/// samples (`None` when the scenario has no `[[noise]]` entry or the run was cancelled): the
/// error model, the run without the noise and, with a focus, the split of its rank variance.
/// The run without the noise repeats the sample count the run settled on, with its seed, so
/// the two columns compare the same samples (and a merge of shards, which knows the count,
/// gives the unsharded run's bytes).
#[allow(clippy::too_many_arguments)]
pub fn analyse(
    index: &Index,
    scenario: &Scenario,
    scenario_text: &str,
    options: &UncertaintyOptions,
    samples: u64,
    setup: &Setup,
    split: &SplitOptions,
    observer: &dyn Observer,
) -> Result<Option<DataError>, UncertaintyError> {
    if scenario.noise.is_empty() || observer.cancelled() {
        return Ok(None);
    }
    let options = &UncertaintyOptions {
        samples,
        converge: false,
        ..options.clone()
    };
    let mut noiseless = scenario.clone();
    noiseless.noise.clear();
    let without = sample(index, &noiseless, scenario_text, options, observer)?;
    let mut notes = Vec::new();
    let split = match setup.focus {
        None => None,
        Some(focus) => {
            match split_variance(setup, focus, split, options.seed, options.threads, observer) {
                Ok(split) => Some(split),
                Err(SensitivityError::Setup(error)) => return Err(error),
                // A design the options make impossible (e.g. N < 2): the rest of the run stands.
                Err(error) => {
                    notes.push(format!(
                        "data error against modelling choices: not estimated: {error}"
                    ));
                    None
                }
            }
        }
    };
    Ok(Some(DataError {
        error_model: error_model(scenario, &index.framework),
        split,
        without: without.stats,
        notes,
    }))
}

/// The two-group decomposition of the focus rank's variance (see the module docs).
pub fn split_variance(
    setup: &Setup,
    focus: usize,
    options: &SplitOptions,
    seed: u64,
    threads: usize,
    observer: &dyn Observer,
) -> Result<DataErrorSplit, SensitivityError> {
    let factors = &setup.model.factors;
    let (noise, modelling): (Vec<_>, Vec<_>) = factors.iter().partition(|f| f.is_data_error());
    debug_assert!(
        factors
            .iter()
            .skip_while(|f| !f.is_data_error())
            .all(|f| f.is_data_error()),
        "noise factors take the last coordinates"
    );
    let dims = |group: &[&crate::scenario::factors::Factor]| -> usize {
        group.iter().map(|f| f.dims).sum()
    };
    let mut group_dims = Vec::new();
    let mut names = Vec::new();
    if !modelling.is_empty() {
        group_dims.push(dims(&modelling));
        names.push(MODELLING_GROUP.to_string());
    }
    group_dims.push(dims(&noise));
    names.push(DATA_GROUP.to_string());
    let design = SaltelliDesign::new(options.base_samples, group_dims, PointKind::Sobol, seed)
        .map_err(|e| SensitivityError::Sobol(Box::new(e)))?;
    let settings = EstimatorSettings {
        estimator: Estimator::Centred,
        bootstrap_resamples: options.bootstrap_resamples,
        confidence_level: options.confidence_level,
        seed,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let target = pool
        .install(|| focus_rank_target(setup, focus, &design, &names, &settings, observer))?;
    let share = |group: &str, members: &[&crate::scenario::factors::Factor]| {
        let index = target
            .sobol
            .index(group)
            .expect("every group is estimated");
        GroupShare {
            group: group.to_string(),
            factors: members.iter().map(|f| f.name.clone()).collect(),
            first: index.first,
            total: index.total,
        }
    };
    let data = share(DATA_GROUP, &noise);
    let modelling = (!modelling.is_empty()).then(|| share(MODELLING_GROUP, &modelling));
    let explained = data.first.value + modelling.as_ref().map_or(0.0, |m| m.first.value);
    let unit = &setup.prepared.units[focus];
    Ok(DataErrorSplit {
        interactions: if target.sobol.constant {
            0.0
        } else {
            1.0 - explained
        },
        target: target.target.clone(),
        unit: unit.code.clone(),
        unit_name: unit.name.clone(),
        base_samples: design.n(),
        runs: design.run_count(),
        bootstrap_resamples: options.bootstrap_resamples,
        confidence_level: options.confidence_level,
        variance: target.sobol.variance,
        constant: target.sobol.constant,
        data,
        modelling,
    })
}
