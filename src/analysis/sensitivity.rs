//! Sobol sensitivity analysis of a scenario: which uncertain choice moves R_S, each unit's rank and score, and the focus unit's top-k membership.
//!
//! [`run_sensitivity`] lays a Saltelli design over the scenario's factors (each factor is a group
//! of unit-cube coordinates: a whole weight vector, a categorical normalisation choice, ...),
//! evaluates its `N (k + 2)` runs in parallel with the same scorer as the Monte Carlo engine, and
//! estimates first-order and total indices with bootstrap intervals for every target from the
//! same runs:
//!
//! - `rs`: `R_S = (1/n) Σ_u |rank_u − nominal rank_u|`, COINr's scalar target (mean absolute
//!   rank shift over the n units);
//! - `rank:<uCode>`: a unit's rank; `score:<uCode>`: its index score (scores of different
//!   normalisations live on different scales, so the normalisation factor's index of a score
//!   target includes that change of scale);
//! - `top<k>:<uCode>` (e.g. `top7:BEJ`): the indicator `rank(focus) ≤ k` (k = the focus unit's
//!   nominal rank unless given; k is part of the name so the target reads the same everywhere). Its variance is `p (1 − p)` with p the share of runs in the top k (times
//!   `2N/(2N − 1)`, the estimator's sample-variance denominator).
//!
//! # Estimator
//! First order: Saltelli et al. (2010), Table 2 (b); total: Jansen (1999); both as implemented in
//! [`crate::analysis::sobol::estimate`], in the *centred* form ([`Estimator::Centred`], also
//! `ranksense sobol analyze`'s default): `S_i = (1/N) Σ_j (y_B,j − ȳ)(y_ABi,j − y_A,j) / V`, with
//! ȳ and V re-estimated in every bootstrap resample. It estimates the same index as the
//! uncentred form (the centring term has expectation zero up to O(1/N); Janon et al. 2014,
//! *Asymptotic normality and efficiency of two Sobol index estimators*, ESAIM P&S 18), but the
//! uncentred form's variance grows with the output's squared mean, which for a rank near 30 that
//! moves by ±2 makes it an order of magnitude noisier. The intervals of all targets come from
//! one fused pass ([`crate::analysis::sobol::bootstrap_targets`]) that draws the same resampled
//! rows as the single-target bootstrap.
//!
//! # Dummy factor
//! A dummy factor (a design column the model ignores, `--dummy`) estimates the noise floor of the
//! indices for *stochastic* models. ranksense's model is deterministic: the dummy's AB run
//! repeats the A run exactly, so both of its estimates are exactly 0 whatever N is, and the check
//! is satisfied by construction. Whether N was large enough shows instead in the convergence
//! table (indices at N/8, N/4, N/2 and N) and in the bootstrap interval widths.
//!
//! # Determinism
//! Run j's point is a pure function of (seed, j) ([`SaltelliDesign::point`]); outputs are written
//! by run index; bootstrap replicate r resamples the base rows from ChaCha8 stream r of a key
//! derived from the seed (the same rows as [`crate::analysis::sobol::estimate`]). Every sum has a
//! fixed order, so results are bit-identical for any number of threads.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::Serialize;

mod driver;
mod targets;

pub use driver::{FocusDriver, is_interaction};
pub use targets::{TargetFamily, UnitTargets};

use driver::focus_driver;
use super::sobol::{
    BootstrapTarget, ConvergenceTable, DUMMY_FACTOR, Estimator, EstimatorSettings,
    NoiseFloor, PointKind, SaltelliDesign, SobolError, SobolResult, bootstrap_targets, convergence,
    estimate, noise_floor,
};
use super::uncertainty::{PairSelection, Setup, UncertaintyError, UncertaintyOptions};
use crate::engine::SampleScorer;
use crate::engine::{Observer, SampleModel};
use crate::model::Index;
use crate::scenario::Scenario;
use crate::scenario::factors::FactorSummary;

/// Runs per work item of the model evaluation: large enough to amortise scheduling.
const RUN_CHUNK: usize = 512;

/// Memory allowed for the outputs of per-unit targets (run-major buffer plus its transposition)
/// before `rank`/`score` targets default to the focus unit only.
pub const UNIT_TARGET_BUDGET_BYTES: usize = 512 << 20;

/// Options of one sensitivity analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityOptions {
    /// Base rows N of the Saltelli design (`N (k + 2)` model runs). Use a power of two with
    /// Sobol points.
    pub base_samples: usize,
    /// Seed of the design's points and of the bootstrap.
    pub seed: u64,
    /// Worker threads (0 = all cores); results do not depend on it.
    pub threads: usize,
    /// Focus unit (code or name); `None` = the scenario's, then the index's.
    pub focus: Option<String>,
    /// k of the `topk` target; `None` = the focus unit's nominal rank.
    pub top_k: Option<u32>,
    pub points: PointKind,
    /// Target families to estimate, in any order (output order is fixed).
    pub families: Vec<TargetFamily>,
    /// `None` = every unit while the outputs fit [`UNIT_TARGET_BUDGET_BYTES`], else the focus.
    pub unit_targets: Option<UnitTargets>,
    /// Bootstrap resamples for the percentile intervals (0 = none).
    pub bootstrap_resamples: usize,
    /// Two-sided level of the intervals.
    pub confidence_level: f64,
    /// Append an inert dummy factor (see the module docs: exactly 0 for this model).
    pub dummy: bool,
}

impl Default for SensitivityOptions {
    fn default() -> Self {
        SensitivityOptions {
            base_samples: 2048,
            seed: 1,
            threads: 0,
            focus: None,
            top_k: None,
            points: PointKind::Sobol,
            families: TargetFamily::ALL.to_vec(),
            unit_targets: None,
            bootstrap_resamples: 1000,
            confidence_level: 0.90,
            dummy: false,
        }
    }
}

/// Why a sensitivity analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    #[error(transparent)]
    Setup(#[from] UncertaintyError),
    #[error(transparent)]
    Sobol(Box<SobolError>),
    #[error("target `{target}`: {source}")]
    Target {
        target: String,
        #[source]
        source: Box<SobolError>,
    },
    #[error("no target family selected; fix: choose at least one of rs, rank, score, topk")]
    NoFamilies,
    #[error(
        "the {family} target needs a focus unit, and neither the options, the scenario nor the \
         index names one; fix: set `focus = \"CODE\"` in the scenario or index.toml, or name a \
         focus unit for the run"
    )]
    NeedsFocus { family: TargetFamily },
    #[error(
        "k = {k} for the topk target is outside 1..={units}; fix: choose k between 1 and the \
         number of units"
    )]
    BadTopK { k: u32, units: usize },
    #[error(
        "the scenario already has a factor named `{DUMMY_FACTOR}`; fix: rename that factor \
         (`name = ...` in the scenario) to add the dummy factor"
    )]
    DummyNameTaken,
}

impl From<SobolError> for SensitivityError {
    fn from(error: SobolError) -> Self {
        SensitivityError::Sobol(Box::new(error))
    }
}

/// One estimated target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetResult {
    /// `rs`, `rank:<uCode>`, `score:<uCode>` or `top<k>:<uCode>`.
    pub target: String,
    pub family: TargetFamily,
    /// The unit's code and name (per-unit targets).
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    /// The target's value in the nominal configuration (R_S: 0).
    pub nominal: f64,
    /// Mean over the A and B runs (for `topk`: p, the share of runs in the top k).
    pub mean: f64,
    /// Share of the A and B runs in which the target differs from its nominal value.
    pub changed_share: f64,
    /// Indices, intervals, variance and the constant flag.
    pub sobol: SobolResult,
    /// Point estimates on the first N/8, N/4, N/2 and N base rows.
    pub convergence: ConvergenceTable,
    /// The dummy factor's indices, when one was added.
    pub noise_floor: Option<NoiseFloor>,
}

impl TargetResult {
    /// Indices sorted by total index, largest first (ties in design order); the dummy is left out.
    pub fn by_total(&self) -> Vec<&super::sobol::SobolIndex> {
        let mut indices: Vec<_> = self
            .sobol
            .indices
            .iter()
            .filter(|index| self.noise_floor.is_none() || index.factor != DUMMY_FACTOR)
            .collect();
        indices.sort_by(|a, b| b.total.value.total_cmp(&a.total.value));
        indices
    }
}

/// The outputs of every target for every run, target-major.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetOutputs {
    runs: usize,
    values: Vec<f64>,
}

impl TargetOutputs {
    /// Outputs of target `target` in run order (A, B, AB_1, …, AB_k).
    pub fn target(&self, target: usize) -> &[f64] {
        &self.values[target * self.runs..(target + 1) * self.runs]
    }
}

/// The result of [`run_sensitivity`].
pub struct SensitivityRun {
    pub setup: Setup,
    pub design: SaltelliDesign,
    /// Factor names in design order (the dummy last, when added).
    pub factors: Vec<String>,
    pub factor_summaries: Vec<FactorSummary>,
    /// Focus unit (index into the prepared units).
    pub focus: Option<usize>,
    /// k of the `topk` target.
    pub top_k: Option<u32>,
    pub unit_targets: UnitTargets,
    pub settings: EstimatorSettings,
    /// Targets in output order: rs, rank:*, score:*, topk.
    pub targets: Vec<TargetResult>,
    /// Every target's model outputs in run order; only the crate's tests read them back.
    #[cfg_attr(not(any(test, feature = "internals")), allow(dead_code))]
    pub outputs: TargetOutputs,
    pub driver: Option<FocusDriver>,
    /// Things a reader should know (restricted targets, non-power-of-two N, ...).
    pub notes: Vec<String>,
}

impl SensitivityRun {
    /// The targets a summary leads with: R_S and the focus unit's rank, score and top-k.
    pub fn headline_targets(&self) -> Vec<&TargetResult> {
        let focus_code = self
            .focus
            .map(|f| self.setup.prepared.units[f].code.as_str());
        self.targets
            .iter()
            .filter(|t| {
                t.family == TargetFamily::Rs
                    || (t.unit.is_some() && t.unit.as_deref() == focus_code)
            })
            .collect()
    }

    /// A target by name.
    pub fn target(&self, name: &str) -> Option<&TargetResult> {
        self.targets.iter().find(|t| t.target == name)
    }
}

/// What each run computes.
#[derive(Debug, Clone)]
struct TargetPlan {
    rs: bool,
    rank_units: Vec<usize>,
    score_units: Vec<usize>,
    topk: Option<(usize, u32)>,
}

impl TargetPlan {
    fn count(&self) -> usize {
        usize::from(self.rs)
            + self.rank_units.len()
            + self.score_units.len()
            + usize::from(self.topk.is_some())
    }
}

/// What the progress of the design's evaluation counts.
pub const RUNS_PHASE: &str = "Sobol model runs";
/// The estimation phase: point estimates, convergence and the bootstrap intervals (uncounted).
pub const ESTIMATE_PHASE: &str = "Sobol indices and bootstrap intervals";

/// Runs a whole Sobol sensitivity analysis of `scenario` on `index` (see the module docs).
pub fn run_sensitivity(
    index: &Index,
    scenario: &Scenario,
    scenario_text: &str,
    options: &SensitivityOptions,
    observer: &dyn Observer,
) -> Result<SensitivityRun, SensitivityError> {
    if options.families.is_empty() {
        return Err(SensitivityError::NoFamilies);
    }
    let setup_options = UncertaintyOptions {
        seed: options.seed,
        threads: options.threads,
        focus: options.focus.clone(),
        pairs: Some(PairSelection::Focus),
        ..UncertaintyOptions::default()
    };
    let setup = Setup::new(index, scenario, scenario_text, &setup_options)?;
    let model = &setup.model;
    let mut factors = model.factor_names();
    let mut design = SaltelliDesign::new(
        options.base_samples,
        model.factors.iter().map(|f| f.dims).collect(),
        options.points,
        options.seed,
    )?;
    if options.dummy {
        if factors.iter().any(|name| name == DUMMY_FACTOR) {
            return Err(SensitivityError::DummyNameTaken);
        }
        design = design.with_dummy_factor();
        factors.push(DUMMY_FACTOR.to_string());
    }
    let runs = design.run_count();
    let n_units = setup.prepared.n_units();
    let focus = setup.focus;
    let wants = |family| options.families.contains(&family);
    let mut notes = Vec::new();

    let unit_targets = options.unit_targets.unwrap_or_else(|| {
        let targets = 2 * n_units + 2;
        if targets.saturating_mul(runs).saturating_mul(16) <= UNIT_TARGET_BUDGET_BYTES {
            UnitTargets::All
        } else {
            notes.push(format!(
                "rank and score targets are restricted to the focus unit: {n_units} units × \
                 {runs} runs would need more than {} MiB (pass --unit-targets all to force them)",
                UNIT_TARGET_BUDGET_BYTES >> 20
            ));
            UnitTargets::Focus
        }
    });
    let per_unit: Vec<usize> = match unit_targets {
        UnitTargets::All => (0..n_units).collect(),
        UnitTargets::Focus => focus.into_iter().collect(),
    };
    for family in [TargetFamily::Rank, TargetFamily::Score] {
        if wants(family) && per_unit.is_empty() {
            return Err(SensitivityError::NeedsFocus { family });
        }
    }
    let nominal_ranks = setup.nominal.top_ranks(&setup.prepared).to_vec();
    let topk = match (wants(TargetFamily::Topk), focus) {
        (false, _) => None,
        (true, Some(unit)) => {
            let k = options.top_k.unwrap_or(nominal_ranks[unit]);
            if k == 0 || k as usize > n_units {
                return Err(SensitivityError::BadTopK { k, units: n_units });
            }
            Some((unit, k))
        }
        (true, None) if options.families.len() == 1 => {
            return Err(SensitivityError::NeedsFocus {
                family: TargetFamily::Topk,
            });
        }
        (true, None) => {
            notes.push("no focus unit, so the topk target is left out".to_string());
            None
        }
    };
    if options.points == PointKind::Sobol && !options.base_samples.is_power_of_two() {
        notes.push(format!(
            "N = {} is not a power of two: Sobol points are balanced only for powers of two, \
             so the estimates are noisier than they could be",
            options.base_samples
        ));
    }
    let plan = TargetPlan {
        rs: wants(TargetFamily::Rs),
        rank_units: if wants(TargetFamily::Rank) {
            per_unit.clone()
        } else {
            Vec::new()
        },
        score_units: if wants(TargetFamily::Score) {
            per_unit.clone()
        } else {
            Vec::new()
        },
        topk,
    };

    let settings = EstimatorSettings {
        estimator: Estimator::Centred,
        bootstrap_resamples: options.bootstrap_resamples,
        confidence_level: options.confidence_level,
        seed: options.seed,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .expect("thread pool");
    let (outputs, targets) = pool.install(|| {
        // Model runs, not samples: one design row is (k + 2) runs.
        observer.phase(RUNS_PHASE, runs as u64);
        let outputs = evaluate_design(&setup, &design, &plan, observer);
        observer.phase(ESTIMATE_PHASE, 0);
        let targets = estimate_targets(&setup, &plan, &outputs, &design, &factors, &settings)?;
        Ok::<_, SensitivityError>((outputs, targets))
    })?;

    let mut factor_summaries = model.factor_summaries();
    if options.dummy {
        factor_summaries.push(FactorSummary {
            name: DUMMY_FACTOR.to_string(),
            dims: 1,
            description: "inert design column the model ignores (noise-floor check)".to_string(),
        });
    }
    let driver = focus.and_then(|unit| {
        let code = &setup.prepared.units[unit].code;
        let name = &setup.prepared.units[unit].name;
        [TargetFamily::Rank, TargetFamily::Score, TargetFamily::Topk]
            .into_iter()
            .find_map(|family| {
                targets
                    .iter()
                    .find(|t| t.family == family && t.unit.as_deref() == Some(code.as_str()))
            })
            .map(|target| focus_driver(target, name, topk.map(|(_, k)| k), runs))
    });
    Ok(SensitivityRun {
        focus,
        top_k: topk.map(|(_, k)| k),
        setup,
        design,
        factors,
        factor_summaries,
        unit_targets,
        settings,
        targets,
        outputs,
        driver,
        notes,
    })
}

/// The focus unit's rank estimated on `design`, whose factors (named `factors`) are groups of the
/// model's coordinates in coordinate order: the evaluation and estimators of [`run_sensitivity`]
/// (Saltelli et al. 2010 first order, Jansen 1999 total, centred, with the same bootstrap) for
/// a caller that groups the scenario's factors its own way (e.g. data error against modelling
/// choices, [`crate::analysis::data_error`]).
pub(crate) fn focus_rank_target(
    setup: &Setup,
    focus: usize,
    design: &SaltelliDesign,
    factors: &[String],
    settings: &EstimatorSettings,
    observer: &dyn Observer,
) -> Result<TargetResult, SensitivityError> {
    let plan = TargetPlan {
        rs: false,
        rank_units: vec![focus],
        score_units: Vec::new(),
        topk: None,
    };
    observer.phase(RUNS_PHASE, design.run_count() as u64);
    let outputs = evaluate_design(setup, design, &plan, observer);
    observer.phase(ESTIMATE_PHASE, 0);
    let mut targets = estimate_targets(setup, &plan, &outputs, design, factors, settings)?;
    Ok(targets.remove(0))
}

/// Per-thread state of the model evaluation.
struct Evaluator {
    point: Vec<f64>,
    sample: SampleScorer,
}

/// Evaluates every run of the design and returns each target's outputs (target-major).
///
/// Runs are processed in fixed chunks; each writes its row of targets at its own run index, so
/// the result does not depend on the thread that ran it.
fn evaluate_design(
    setup: &Setup,
    design: &SaltelliDesign,
    plan: &TargetPlan,
    observer: &dyn Observer,
) -> TargetOutputs {
    let prepared = &setup.prepared;
    let model = &setup.model;
    let model_dims = model.dims();
    let top = prepared.framework.top;
    let nominal_ranks = setup.nominal.top_ranks(prepared);
    let n_units = prepared.n_units();
    let width = plan.count();
    let runs = design.run_count();
    let done = AtomicU64::new(0);

    let mut by_run = vec![0.0; runs * width];
    by_run
        .par_chunks_mut(RUN_CHUNK * width)
        .enumerate()
        .for_each_init(
            || Evaluator {
                point: vec![0.0; design.dimension()],
                sample: SampleScorer::new(prepared, model),
            },
            |worker, (chunk, rows)| {
                // A cancelled run's outputs are discarded by its caller: skip the work.
                if observer.cancelled() {
                    return;
                }
                let first_run = chunk * RUN_CHUNK;
                for (offset, row) in rows.chunks_exact_mut(width).enumerate() {
                    design.point(first_run + offset, &mut worker.point);
                    // A dummy column, if any, is the last one: the model never sees it.
                    let sample = &mut worker.sample;
                    sample.score(prepared, model, &worker.point[..model_dims], None);
                    sample.scratch.rank(prepared, top);
                    let ranks = &sample.scratch.ranks;
                    let scores = sample.scratch.aggregate_scores(top);
                    let mut slot = row.iter_mut();
                    if plan.rs {
                        let shift: u64 = ranks
                            .iter()
                            .zip(nominal_ranks)
                            .map(|(&rank, &nominal)| u64::from(rank.abs_diff(nominal)))
                            .sum();
                        *slot.next().expect("row sized by plan") = shift as f64 / n_units as f64;
                    }
                    for &unit in &plan.rank_units {
                        *slot.next().expect("row sized by plan") = f64::from(ranks[unit]);
                    }
                    for &unit in &plan.score_units {
                        *slot.next().expect("row sized by plan") = scores[unit];
                    }
                    if let Some((unit, k)) = plan.topk {
                        *slot.next().expect("row sized by plan") =
                            if ranks[unit] <= k { 1.0 } else { 0.0 };
                    }
                }
                let count = (rows.len() / width) as u64;
                let total = done.fetch_add(count, Ordering::Relaxed) + count;
                observer.advanced(total);
            },
        );

    let mut values = vec![0.0; runs * width];
    values
        .par_chunks_mut(runs)
        .enumerate()
        .for_each(|(target, column)| {
            for (run, value) in column.iter_mut().enumerate() {
                *value = by_run[run * width + target];
            }
        });
    TargetOutputs { runs, values }
}

/// Names, units and nominal values of the plan's targets, in output order.
fn describe_targets(
    setup: &Setup,
    plan: &TargetPlan,
) -> Vec<(String, TargetFamily, Option<usize>, f64)> {
    let prepared = &setup.prepared;
    let nominal_ranks = setup.nominal.top_ranks(prepared);
    let nominal_scores = setup.nominal.top_scores(prepared);
    let code = |unit: usize| &prepared.units[unit].code;
    let mut targets = Vec::with_capacity(plan.count());
    if plan.rs {
        targets.push(("rs".to_string(), TargetFamily::Rs, None, 0.0));
    }
    for &unit in &plan.rank_units {
        targets.push((
            format!("rank:{}", code(unit)),
            TargetFamily::Rank,
            Some(unit),
            f64::from(nominal_ranks[unit]),
        ));
    }
    for &unit in &plan.score_units {
        targets.push((
            format!("score:{}", code(unit)),
            TargetFamily::Score,
            Some(unit),
            nominal_scores[unit],
        ));
    }
    if let Some((unit, k)) = plan.topk {
        let inside = if nominal_ranks[unit] <= k { 1.0 } else { 0.0 };
        targets.push((
            format!("top{k}:{}", code(unit)),
            TargetFamily::Topk,
            Some(unit),
            inside,
        ));
    }
    targets
}

/// Point estimates and convergence per target (in parallel), then the bootstrap intervals of all
/// non-constant targets in one fused pass.
fn estimate_targets(
    setup: &Setup,
    plan: &TargetPlan,
    outputs: &TargetOutputs,
    design: &SaltelliDesign,
    factors: &[String],
    settings: &EstimatorSettings,
) -> Result<Vec<TargetResult>, SensitivityError> {
    let n = design.n();
    let points_only = EstimatorSettings {
        bootstrap_resamples: 0,
        ..settings.clone()
    };
    let described = describe_targets(setup, plan);
    let mut targets: Vec<TargetResult> = described
        .into_par_iter()
        .enumerate()
        .map(|(t, (target, family, unit, nominal))| {
            let y = outputs.target(t);
            let fail = |source| SensitivityError::Target {
                target: target.clone(),
                source: Box::new(source),
            };
            let sobol = estimate(y, n, factors, &points_only).map_err(fail)?;
            let convergence = convergence(y, n, factors, &points_only).map_err(fail)?;
            let noise = noise_floor(&sobol).filter(|_| design.dummy_factor().is_some());
            let units = &setup.prepared.units;
            let changed = y[..2 * n].iter().filter(|&&value| value != nominal).count();
            Ok(TargetResult {
                mean: ab_mean(y, n),
                changed_share: changed as f64 / (2 * n) as f64,
                unit: unit.map(|u| units[u].code.clone()),
                unit_name: unit.map(|u| units[u].name.clone()),
                target,
                family,
                nominal,
                sobol,
                convergence,
                noise_floor: noise,
            })
        })
        .collect::<Result<_, SensitivityError>>()?;

    let varying: Vec<usize> = (0..targets.len())
        .filter(|&t| !targets[t].sobol.constant)
        .collect();
    let inputs: Vec<BootstrapTarget<'_>> = varying
        .iter()
        .map(|&t| BootstrapTarget {
            outputs: outputs.target(t),
            mean: targets[t].mean,
            variance: targets[t].sobol.variance,
        })
        .collect();
    if let Some(intervals) = bootstrap_targets(&inputs, n, factors.len(), settings) {
        let k = factors.len();
        for (&t, bounds) in varying.iter().zip(intervals) {
            for (i, index) in targets[t].sobol.indices.iter_mut().enumerate() {
                (index.first.lo, index.first.hi) = bounds[i];
                (index.total.lo, index.total.hi) = bounds[k + i];
            }
            let target = &mut targets[t];
            if let Some(floor) = target.noise_floor.as_mut() {
                let dummy = &target.sobol.indices[k - 1];
                floor.first = dummy.first;
                floor.total = dummy.total;
            }
        }
    }
    Ok(targets)
}

/// Mean of the A and B outputs, summed in the order of the estimator's moments.
fn ab_mean(outputs: &[f64], n: usize) -> f64 {
    outputs[..2 * n].iter().sum::<f64>() / (2 * n) as f64
}
