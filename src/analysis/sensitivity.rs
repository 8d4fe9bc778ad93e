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
//! [`crate::analysis::sobol::estimate`]. ranksense's own targets use the *centred* first-order
//! form ([`EstimatorSettings::center_outputs`]): `S_i = (1/N) Σ_j (y_B,j − ȳ)(y_ABi,j − y_A,j) / V`.
//! It estimates the same index (the centring term has expectation zero up to O(1/N); Janon et
//! al. 2014, *Asymptotic normality and efficiency of two Sobol index estimators*, ESAIM P&S 18),
//! but the uncentred form's variance grows with the output's squared mean, which for a rank near
//! 30 that moves by ±2 makes it an order of magnitude noisier. `ranksense sobol analyze` keeps the
//! uncentred, COINr/SALib-compatible form by default.
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

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

use super::sobol::{
    ConvergenceTable, DUMMY_FACTOR, Estimate, EstimatorSettings, NoiseFloor, PointKind,
    SaltelliDesign, SobolError, SobolResult, convergence, derived_seed, estimate, noise_floor,
};
use super::uncertainty::{PairSelection, Setup, UncertaintyError, UncertaintyOptions};
use crate::engine::{Observer, SampleModel};
use crate::model::Index;
use crate::pipeline::stats::quantile_type7_sorted;
use crate::pipeline::{Scratch, score};
use crate::uncertainty::factors::FactorSummary;
use crate::uncertainty::scenario::Scenario;

/// Stream-family tag of the bootstrap resamples. It must equal the tag of
/// [`crate::analysis::sobol::estimate`] so that both draw the same rows for the same seed (a unit
/// test compares the two).
const BOOTSTRAP_STREAM_TAG: u64 = 0x424f_4f54_5354_5250; // "BOOTSTRP"

/// Runs per work item of the model evaluation: large enough to amortise scheduling.
const RUN_CHUNK: usize = 512;

/// Bootstrap replicates per work item.
const REPLICATE_CHUNK: usize = 32;

/// Bootstrap replicates whose resampling counts are held at once: at most this many f64 counts.
const COUNT_BUDGET: usize = 1 << 22;

/// Memory allowed for the outputs of per-unit targets (run-major buffer plus its transposition)
/// before `rank`/`score` targets default to the focus unit only.
pub const UNIT_TARGET_BUDGET_BYTES: usize = 512 << 20;

/// A family of targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetFamily {
    /// R_S, the mean absolute rank shift over all units.
    Rs,
    /// One unit's rank.
    Rank,
    /// One unit's index score.
    Score,
    /// Whether the focus unit ranks in the top k.
    Topk,
}

impl TargetFamily {
    /// Every family, in output order.
    pub const ALL: [TargetFamily; 4] = [
        TargetFamily::Rs,
        TargetFamily::Rank,
        TargetFamily::Score,
        TargetFamily::Topk,
    ];
}

impl fmt::Display for TargetFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TargetFamily::Rs => "rs",
            TargetFamily::Rank => "rank",
            TargetFamily::Score => "score",
            TargetFamily::Topk => "topk",
        })
    }
}

impl FromStr for TargetFamily {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TargetFamily::ALL
            .into_iter()
            .find(|family| family.to_string() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("unknown target `{text}`; use rs, rank, score or topk"))
    }
}

/// Which units get `rank:` and `score:` targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitTargets {
    /// Every unit.
    All,
    /// Only the focus unit (for very large indices).
    Focus,
}

impl FromStr for UnitTargets {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "all" => Ok(UnitTargets::All),
            "focus" => Ok(UnitTargets::Focus),
            _ => Err(format!(
                "unknown unit targets `{text}`; use `all` or `focus`"
            )),
        }
    }
}

impl fmt::Display for UnitTargets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnitTargets::All => "all",
            UnitTargets::Focus => "focus",
        })
    }
}

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
         index names one; fix: pass `--focus CODE`"
    )]
    NeedsFocus { family: TargetFamily },
    #[error(
        "k = {k} for the topk target is outside 1..={units}; fix: pass `--top-k` between 1 and \
         the number of units"
    )]
    BadTopK { k: u32, units: usize },
    #[error(
        "the scenario already has a factor named `{DUMMY_FACTOR}`; fix: rename that factor \
         (`name = ...` in the scenario) to use --dummy"
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

/// The plain-language answer for the focus unit: which factor drives its target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FocusDriver {
    pub target: String,
    /// The factor with the largest total index (`None` if the target is constant).
    pub factor: Option<String>,
    pub first: Option<Estimate>,
    pub total: Option<Estimate>,
    /// ST − S is large ([`is_interaction`]): much of the factor's effect is through interactions.
    pub interaction: bool,
    pub sentence: String,
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

    pub fn runs(&self) -> usize {
        self.runs
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
        bootstrap_resamples: options.bootstrap_resamples,
        confidence_level: options.confidence_level,
        reestimate_variance: true,
        center_outputs: true,
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

/// Per-thread state of the model evaluation.
struct Evaluator {
    point: Vec<f64>,
    config: crate::pipeline::Config,
    scratch: Scratch,
    moved: Vec<bool>,
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
                config: model.nominal(),
                scratch: Scratch::new(prepared),
                moved: vec![false; model.n_factors()],
            },
            |worker, (chunk, rows)| {
                let first_run = chunk * RUN_CHUNK;
                for (offset, row) in rows.chunks_exact_mut(width).enumerate() {
                    design.point(first_run + offset, &mut worker.point);
                    // A dummy column, if any, is the last one: the model never sees it.
                    model.configure(
                        &worker.point[..model_dims],
                        &mut worker.config,
                        &mut worker.moved,
                    );
                    score(prepared, &worker.config, &mut worker.scratch);
                    worker.scratch.rank(prepared, top);
                    let ranks = &worker.scratch.ranks;
                    let scores = worker.scratch.aggregate_scores(top);
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
    if let Some(intervals) = bootstrap_intervals(&inputs, n, factors.len(), settings) {
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

/// One target's outputs and full-sample moments, as the bootstrap needs them.
pub struct BootstrapTarget<'a> {
    /// Outputs in design run order (`N (k + 2)` values).
    pub outputs: &'a [f64],
    /// Mean of the A and B outputs.
    pub mean: f64,
    /// Sample variance of the A and B outputs (denominator 2N − 1); must be positive.
    pub variance: f64,
}

/// Bootstrap percentile intervals of S_1..S_k then ST_1..ST_k for many targets at once:
/// the same intervals as [`estimate`] computes one target at a time (same resampled rows,
/// same formulas, sums in another fixed order), at a fraction of the cost.
///
/// Replicate r draws N base rows with replacement from ChaCha8 stream r (as [`estimate`] does);
/// its multiplicities `c_j` are shared by every target. Every resampled statistic is then a
/// weighted sum `Σ_j c_j z_j` of per-row terms, with `a = y_A − μ`, `b = y_B − μ`,
/// `d_i = y_ABi − y_A` (μ the full-sample mean, subtracted for numerical conditioning only):
///
/// - `Σ c (a + b)` and `Σ c (a² + b²)` give the resampled mean `μ* = μ + Σ c (a + b) / 2N` and
///   variance `V* = (Σ c (a² + b²) − (Σ c (a + b))² / 2N) / (2N − 1)`;
/// - `S_i* = (Σ c b d_i − (μ* − μ) Σ c d_i) / N / V*` (centred; uncentred: `+ μ Σ c d_i`);
/// - `ST_i* = Σ c d_i² / (2N V*)`.
///
/// All targets' sums of one replicate block are one small matrix product (multiplicities ×
/// per-row terms), computed with fixed lane-wise accumulators. As in [`estimate`], a replicate
/// whose resampled A and B outputs are all equal keeps the full-sample V and mean, and without
/// [`reestimate_variance`](EstimatorSettings::reestimate_variance) every replicate does.
/// Returns `None` when `bootstrap_resamples` is 0.
pub fn bootstrap_intervals(
    targets: &[BootstrapTarget<'_>],
    n: usize,
    factors: usize,
    settings: &EstimatorSettings,
) -> Option<Vec<Vec<(f64, f64)>>> {
    let resamples = settings.bootstrap_resamples;
    if resamples == 0 {
        return None;
    }
    let stats = 2 * factors;
    let key = derived_seed(settings.seed, BOOTSTRAP_STREAM_TAG);
    // replicates[t][r][s]: statistic s of replicate r of target t.
    let mut replicates = vec![0.0; targets.len() * resamples * stats];
    let kernel = Kernel::detect();
    let batch = (COUNT_BUDGET / n).clamp(1, resamples);
    let mut counts = vec![0.0; batch * n];
    for batch_start in (0..resamples).step_by(batch) {
        let batch_len = batch.min(resamples - batch_start);
        let counts = &mut counts[..batch_len * n];
        counts
            .par_chunks_mut(n)
            .enumerate()
            .for_each(|(offset, multiplicities)| {
                let mut rng = ChaCha8Rng::seed_from_u64(key);
                rng.set_stream((batch_start + offset) as u64);
                multiplicities.fill(0.0);
                for _ in 0..n {
                    multiplicities[rng.random_range(0..n)] += 1.0;
                }
            });
        let counts = &*counts;
        // Work items: (target, first replicate of the batch, its statistics). With many targets
        // an item takes a whole batch of one target, so each thread fills one target's terms
        // per item; with few, items split the replicates so that every thread has work.
        let per_item = if targets.len() >= 4 * rayon::current_num_threads() {
            batch_len
        } else {
            REPLICATE_CHUNK
        };
        let mut items: Vec<(usize, usize, &mut [f64])> = Vec::new();
        for (t, per_target) in replicates.chunks_mut(resamples * stats).enumerate() {
            let in_batch = &mut per_target[batch_start * stats..(batch_start + batch_len) * stats];
            for (c, chunk) in in_batch.chunks_mut(per_item * stats).enumerate() {
                items.push((t, c * per_item, chunk));
            }
        }
        items.into_par_iter().for_each_init(
            || {
                let terms = RowTerms::new(n, factors);
                let sums = (vec![0.0; terms.width], vec![0.0; terms.width]);
                (terms, None, sums)
            },
            |(terms, loaded, (sums0, sums1)), (t, first, out)| {
                if *loaded != Some(t) {
                    terms.load(&targets[t]);
                    *loaded = Some(t);
                }
                let terms = &*terms;
                let counts_of = |r: usize| &counts[(first + r) * n..(first + r + 1) * n];
                let mut outs = out.chunks_exact_mut(stats).enumerate();
                // Two replicates at a time share the loads of the per-row terms.
                while let Some((r, out0)) = outs.next() {
                    match outs.next() {
                        Some((_, out1)) => {
                            kernel.pair(terms, [counts_of(r), counts_of(r + 1)], sums0, sums1);
                            terms.finish(counts_of(r), sums0, settings, out0);
                            terms.finish(counts_of(r + 1), sums1, settings, out1);
                        }
                        None => {
                            weighted_sums_single(terms, counts_of(r), sums0);
                            terms.finish(counts_of(r), sums0, settings, out0);
                        }
                    }
                }
            },
        );
    }

    let alpha = (1.0 - settings.confidence_level) / 2.0;
    let intervals = replicates
        .par_chunks(resamples * stats)
        .map(|per_target| {
            let mut column = vec![0.0; resamples];
            (0..stats)
                .map(|s| {
                    for (value, replicate) in column.iter_mut().zip(per_target.chunks_exact(stats))
                    {
                        *value = replicate[s];
                    }
                    column.sort_unstable_by(f64::total_cmp);
                    (
                        quantile_type7_sorted(&column, alpha),
                        quantile_type7_sorted(&column, 1.0 - alpha),
                    )
                })
                .collect()
        })
        .collect();
    Some(intervals)
}

/// Lanes of the weighted-sum accumulators: sums run over `j ≡ lane (mod LANES)` and are combined
/// in a fixed order. The arithmetic is therefore the same whatever vector instructions the CPU
/// offers (see [`Kernel`]); only its speed differs.
const LANES: usize = 8;

/// Per-row terms of one target, term-major: term w of base row j is `values[w * n + j]`.
/// Terms 0 and 1 are `a + b` and `a² + b²`; factor i has `b d_i`, `d_i`, `d_i²` at 2 + 3i.
/// The number of terms is padded with zero rows to a multiple of 4.
struct RowTerms {
    n: usize,
    factors: usize,
    width: usize,
    values: Vec<f64>,
    /// `y_A,j` if `y_A,j = y_B,j`, else NaN: a resample is constant only if every drawn row is
    /// such a row with one common value.
    pure: Vec<f64>,
    mean: f64,
    variance: f64,
}

impl RowTerms {
    /// Buffers for targets with `n` base rows and `factors` factors.
    fn new(n: usize, factors: usize) -> Self {
        let width = (2 + 3 * factors).div_ceil(4) * 4;
        RowTerms {
            n,
            factors,
            width,
            values: vec![0.0; width * n],
            pure: vec![0.0; n],
            mean: 0.0,
            variance: 0.0,
        }
    }

    /// Fills the buffers with `target`'s terms (the padding rows stay zero).
    fn load(&mut self, target: &BootstrapTarget<'_>) {
        let (n, values) = (self.n, &mut self.values);
        let y = target.outputs;
        let (y_a, y_b) = (&y[..n], &y[n..2 * n]);
        let mu = target.mean;
        for j in 0..n {
            let (a, b) = (y_a[j] - mu, y_b[j] - mu);
            values[j] = a + b;
            values[n + j] = a * a + b * b;
        }
        for i in 0..self.factors {
            let y_ab = &y[(2 + i) * n..(3 + i) * n];
            let base = (2 + 3 * i) * n;
            for j in 0..n {
                let b = y_b[j] - mu;
                let d = y_ab[j] - y_a[j];
                values[base + j] = b * d;
                values[base + n + j] = d;
                values[base + 2 * n + j] = d * d;
            }
        }
        for ((pure, &a), &b) in self.pure.iter_mut().zip(y_a).zip(y_b) {
            *pure = if a == b { a } else { f64::NAN };
        }
        self.mean = mu;
        self.variance = target.variance;
    }

    fn term(&self, w: usize) -> &[f64] {
        &self.values[w * self.n..(w + 1) * self.n]
    }

    /// Whether the rows drawn with multiplicities `counts` all have equal A and B outputs.
    fn resample_is_constant(&self, counts: &[f64]) -> bool {
        let mut common = None;
        for (&count, &value) in counts.iter().zip(&self.pure) {
            if count == 0.0 {
                continue;
            }
            match common {
                _ if value.is_nan() => return false,
                None => common = Some(value),
                Some(c) if c != value => return false,
                Some(_) => {}
            }
        }
        true
    }

    /// Turns one replicate's weighted sums into S_i (`out[..k]`) and ST_i (`out[k..]`).
    fn finish(&self, counts: &[f64], sums: &[f64], settings: &EstimatorSettings, out: &mut [f64]) {
        let m = self.n as f64;
        let (mean_shift, variance) =
            if settings.reestimate_variance && !self.resample_is_constant(counts) {
                let shift = sums[0] / (2.0 * m);
                let variance = (sums[1] - sums[0] * shift) / (2.0 * m - 1.0);
                // Rounding can only make a tiny true variance non-positive; keep V then, as for a
                // constant resample.
                if variance > 0.0 {
                    (shift, variance)
                } else {
                    (0.0, self.variance)
                }
            } else {
                (0.0, self.variance)
            };
        // y_B − c = b − (c − μ): the centring offset relative to μ.
        let offset = if settings.center_outputs {
            mean_shift
        } else {
            -self.mean
        };
        let k = self.factors;
        for i in 0..k {
            let (product, step, square) = (sums[2 + 3 * i], sums[3 + 3 * i], sums[4 + 3 * i]);
            out[i] = (product - offset * step) / m / variance;
            out[k + i] = square / (2.0 * m * variance);
        }
    }
}

/// `sums[w] = Σ_j counts[j] · term_w[j]` for every term w.
fn weighted_sums_single(terms: &RowTerms, counts: &[f64], sums: &mut [f64]) {
    for (w, sum) in sums.iter_mut().enumerate() {
        let mut acc = [0.0; LANES];
        let term = terms.term(w);
        let mut chunks_c = counts.chunks_exact(LANES);
        let mut chunks_t = term.chunks_exact(LANES);
        for (c, t) in (&mut chunks_c).zip(&mut chunks_t) {
            for lane in 0..LANES {
                acc[lane] += c[lane] * t[lane];
            }
        }
        let mut tail = 0.0;
        for (c, t) in chunks_c.remainder().iter().zip(chunks_t.remainder()) {
            tail += c * t;
        }
        *sum = combine(acc) + tail;
    }
}

/// Which vector instructions run the weighted sums. Rust never contracts `a * b + c` into a
/// fused multiply-add, and every variant runs the same lane-wise code, so all give bit-identical
/// sums; wider vectors only make them faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kernel {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Kernel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    }

    /// [`weighted_sums_single`] for two replicates at once (see [`weighted_sums_pair`]).
    fn pair(self, terms: &RowTerms, counts: [&[f64]; 2], sums0: &mut [f64], sums1: &mut [f64]) {
        match self {
            Kernel::Portable => weighted_sums_pair(terms, counts, sums0, sums1),
            // SAFETY: `detect` chose these variants only after checking that the CPU supports
            // the instructions they are compiled for.
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => unsafe { weighted_sums_pair_avx2(terms, counts, sums0, sums1) },
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => unsafe { weighted_sums_pair_avx512(terms, counts, sums0, sums1) },
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn weighted_sums_pair_avx2(
    terms: &RowTerms,
    counts: [&[f64]; 2],
    sums0: &mut [f64],
    sums1: &mut [f64],
) {
    weighted_sums_pair(terms, counts, sums0, sums1);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn weighted_sums_pair_avx512(
    terms: &RowTerms,
    counts: [&[f64]; 2],
    sums0: &mut [f64],
    sums1: &mut [f64],
) {
    weighted_sums_pair(terms, counts, sums0, sums1);
}

/// [`weighted_sums_single`] for two replicates at once, four terms at a time: each chunk of
/// terms is loaded once for both replicates. Results are identical to two single calls. (The
/// eight accumulators are spelled out: compilers keep them in registers then, not arrays of
/// arrays.)
#[inline(always)]
fn weighted_sums_pair(terms: &RowTerms, counts: [&[f64]; 2], sums0: &mut [f64], sums1: &mut [f64]) {
    let n = terms.n;
    let full = n / LANES * LANES;
    let [counts0, counts1] = counts;
    let (c0, c1) = (&counts0[..full], &counts1[..full]);
    for w in (0..terms.width).step_by(4) {
        let (t0, t1) = (&terms.term(w)[..full], &terms.term(w + 1)[..full]);
        let (t2, t3) = (&terms.term(w + 2)[..full], &terms.term(w + 3)[..full]);
        let (mut a00, mut a01, mut a02, mut a03) =
            ([0.0; LANES], [0.0; LANES], [0.0; LANES], [0.0; LANES]);
        let (mut a10, mut a11, mut a12, mut a13) =
            ([0.0; LANES], [0.0; LANES], [0.0; LANES], [0.0; LANES]);
        for j in (0..full).step_by(LANES) {
            let x: &[f64; LANES] = c0[j..j + LANES].try_into().expect("lane chunk");
            let y: &[f64; LANES] = c1[j..j + LANES].try_into().expect("lane chunk");
            let u0: &[f64; LANES] = t0[j..j + LANES].try_into().expect("lane chunk");
            let u1: &[f64; LANES] = t1[j..j + LANES].try_into().expect("lane chunk");
            let u2: &[f64; LANES] = t2[j..j + LANES].try_into().expect("lane chunk");
            let u3: &[f64; LANES] = t3[j..j + LANES].try_into().expect("lane chunk");
            for l in 0..LANES {
                a00[l] += x[l] * u0[l];
                a01[l] += x[l] * u1[l];
                a02[l] += x[l] * u2[l];
                a03[l] += x[l] * u3[l];
                a10[l] += y[l] * u0[l];
                a11[l] += y[l] * u1[l];
                a12[l] += y[l] * u2[l];
                a13[l] += y[l] * u3[l];
            }
        }
        for (s, (first, second)) in [(a00, a10), (a01, a11), (a02, a12), (a03, a13)]
            .into_iter()
            .enumerate()
        {
            let term = terms.term(w + s);
            let (mut tail0, mut tail1) = (0.0, 0.0);
            for j in full..n {
                tail0 += counts0[j] * term[j];
                tail1 += counts1[j] * term[j];
            }
            sums0[w + s] = combine(first) + tail0;
            sums1[w + s] = combine(second) + tail1;
        }
    }
}

#[inline(always)]
fn combine(acc: [f64; LANES]) -> f64 {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// The sentence about what drives the focus unit's target.
fn focus_driver(
    target: &TargetResult,
    unit_name: &str,
    k: Option<u32>,
    runs: usize,
) -> FocusDriver {
    let what = match target.family {
        TargetFamily::Rank => format!("{unit_name}'s rank"),
        TargetFamily::Score => format!("{unit_name}'s score"),
        TargetFamily::Topk => format!(
            "Whether {unit_name} ranks in the top {}",
            k.map(|k| k.to_string()).unwrap_or_default()
        ),
        TargetFamily::Rs => "The mean absolute rank shift".to_string(),
    };
    if target.sobol.constant {
        return FocusDriver {
            target: target.target.clone(),
            factor: None,
            first: None,
            total: None,
            interaction: false,
            sentence: format!(
                "{what} is the same in all {runs} runs: none of the scenario's choices moves it."
            ),
        };
    }
    let ranked = target.by_total();
    let top = ranked[0];
    let level = |e: &Estimate| format!("[{:.2}, {:.2}]", e.lo, e.hi);
    let interaction = is_interaction(top.first.value, top.total.value);
    let mut sentence = format!(
        "{what} is driven mostly by {}: {:.0}% of its variance involves this choice (total \
         index ST = {:.2}, interval {})",
        top.factor,
        100.0 * top.total.value.clamp(0.0, 1.0),
        top.total.value,
        level(&top.total)
    );
    if interaction {
        let share = (top.total.value - top.first.value) / top.total.value;
        sentence.push_str(&format!(
            ", {:.0}% of that through interactions with other choices (alone it explains S = {:.2})",
            100.0 * share,
            top.first.value
        ));
    }
    if let Some(next) = ranked.get(1) {
        if next.total.hi >= top.total.lo && next.total.value > 0.0 {
            sentence.push_str(&format!(
                "; {} (ST = {:.2}) is not clearly behind at this N",
                next.factor, next.total.value
            ));
        } else {
            sentence.push_str(&format!(
                "; next comes {} (ST = {:.2})",
                next.factor, next.total.value
            ));
        }
    }
    sentence.push('.');
    if target.changed_share < RARE_CHANGE {
        sentence.push_str(&format!(
            " It changes in only {:.1}% of the runs, so these shares rest on few runs.",
            100.0 * target.changed_share
        ));
    }
    FocusDriver {
        target: target.target.clone(),
        factor: Some(top.factor.clone()),
        first: Some(top.first),
        total: Some(top.total),
        interaction,
        sentence,
    }
}

/// Below this share of runs with a changed value, the sentence warns that indices rest on few runs.
const RARE_CHANGE: f64 = 0.05;

/// ST − S is large: at least 0.1 and at least a third of ST.
pub fn is_interaction(first: f64, total: f64) -> bool {
    let gap = total - first;
    gap >= 0.1 && gap >= total / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::sobol::{SaltelliDesign, test_functions::ishigami};

    /// Ishigami outputs on a Saltelli design, plus an offset that makes a large mean.
    fn ishigami_outputs(n: usize, offset: f64) -> Vec<f64> {
        let design = SaltelliDesign::new(n, vec![1, 1, 1], PointKind::Random, 9).unwrap();
        let mut point = [0.0; 3];
        let pi = std::f64::consts::PI;
        (0..design.run_count())
            .map(|run| {
                design.point(run, &mut point);
                let x = point.map(|u| -pi + 2.0 * pi * u);
                offset + ishigami(x, 7.0, 0.1)
            })
            .collect()
    }

    fn fused(
        outputs: &[f64],
        n: usize,
        factors: usize,
        settings: &EstimatorSettings,
    ) -> Vec<(f64, f64)> {
        let reference = estimate(
            outputs,
            n,
            &vec!["x"; factors],
            &EstimatorSettings {
                bootstrap_resamples: 0,
                ..settings.clone()
            },
        )
        .unwrap();
        let target = BootstrapTarget {
            outputs,
            mean: ab_mean(outputs, n),
            variance: reference.variance,
        };
        bootstrap_intervals(&[target], n, factors, settings)
            .unwrap()
            .remove(0)
    }

    #[test]
    fn fused_bootstrap_reproduces_the_library_intervals() {
        // Odd N exercises the lane tail; 37 replicates an odd pair count.
        let n = 203;
        for offset in [0.0, 30.0] {
            for (center, reestimate) in [(true, true), (false, false), (true, false), (false, true)]
            {
                let outputs = ishigami_outputs(n, offset);
                let settings = EstimatorSettings {
                    bootstrap_resamples: 37,
                    confidence_level: 0.8,
                    reestimate_variance: reestimate,
                    center_outputs: center,
                    seed: 5,
                };
                let names = ["x1", "x2", "x3"];
                let library = estimate(&outputs, n, &names, &settings).unwrap();
                let ours = fused(&outputs, n, 3, &settings);
                for (i, index) in library.indices.iter().enumerate() {
                    for (got, want) in [
                        (ours[i].0, index.first.lo),
                        (ours[i].1, index.first.hi),
                        (ours[3 + i].0, index.total.lo),
                        (ours[3 + i].1, index.total.hi),
                    ] {
                        assert!(
                            (got - want).abs() < 1e-9,
                            "offset {offset}, center {center}, reestimate {reestimate}: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn nearly_constant_targets_fall_back_like_the_library() {
        // N = 4 rows, one of which differs: many resamples see only constant rows.
        let n = 4;
        // A: 1 1 1 2, B: 1 1 1 1, AB: 1 1 1 1.
        let outputs = [1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let settings = EstimatorSettings {
            bootstrap_resamples: 200,
            ..EstimatorSettings::default()
        };
        let library = estimate(&outputs, n, &["x"], &settings).unwrap();
        let ours = fused(&outputs, n, 1, &settings);
        let index = &library.indices[0];
        assert!((ours[0].0 - index.first.lo).abs() < 1e-12);
        assert!((ours[0].1 - index.first.hi).abs() < 1e-12);
        assert!((ours[1].0 - index.total.lo).abs() < 1e-12);
        assert!((ours[1].1 - index.total.hi).abs() < 1e-12);
    }

    #[test]
    fn pair_kernel_equals_single_kernel() {
        let n = 37;
        let outputs = ishigami_outputs(n, 3.0);
        let target = BootstrapTarget {
            outputs: &outputs,
            mean: ab_mean(&outputs, n),
            variance: 1.0,
        };
        let mut terms = RowTerms::new(n, 3);
        terms.load(&target);
        let c0: Vec<f64> = (0..n).map(|j| (j % 3) as f64).collect();
        let c1: Vec<f64> = (0..n).map(|j| ((j * 7) % 4) as f64).collect();
        let (mut p0, mut p1) = (vec![0.0; terms.width], vec![0.0; terms.width]);
        weighted_sums_pair(&terms, [&c0, &c1], &mut p0, &mut p1);
        let (mut q0, mut q1) = (vec![0.0; terms.width], vec![0.0; terms.width]);
        Kernel::detect().pair(&terms, [&c0, &c1], &mut q0, &mut q1);
        assert_eq!(
            (&p0, &p1),
            (&q0, &q1),
            "the vector kernel must give the same bits"
        );
        let (mut s0, mut s1) = (vec![0.0; terms.width], vec![0.0; terms.width]);
        weighted_sums_single(&terms, &c0, &mut s0);
        weighted_sums_single(&terms, &c1, &mut s1);
        assert_eq!(p0, s0);
        assert_eq!(p1, s1);
        // Term 1 is a² + b²: its weighted sum is positive.
        assert!(s0[1] > 0.0);
    }

    #[test]
    fn target_families_parse_and_print() {
        for family in TargetFamily::ALL {
            assert_eq!(family.to_string().parse::<TargetFamily>().unwrap(), family);
        }
        assert!(
            "ranks"
                .parse::<TargetFamily>()
                .unwrap_err()
                .contains("rs, rank")
        );
        assert_eq!("focus".parse::<UnitTargets>().unwrap(), UnitTargets::Focus);
    }

    #[test]
    fn interaction_needs_a_large_gap() {
        assert!(is_interaction(0.2, 0.6));
        assert!(!is_interaction(0.5, 0.6));
        assert!(!is_interaction(0.01, 0.09));
    }
}
