//! The `robust` job: uncertainty, Sobol sensitivity, exact bounds, stability, the weight-simplex map and the statistical coherence audit from one seed, and the verdict that combines them.

use serde::Serialize;

use super::coherence::{Coherence, Settings as CoherenceSettings, audit};
use super::sensitivity::{
    FocusDriver, SensitivityError, SensitivityOptions, SensitivityRun, TargetFamily, UnitTargets,
    run_sensitivity,
};
use super::data_error::{DataErrorSplit, SplitOptions};
use super::uncertainty_run::{UncertaintyRun, run_uncertainty_with_split};
use super::uncertainty::{
    UncertaintyError, UncertaintyOptions,
};
use super::verdict::{FocusVerdict, Rating, Swap};
use super::weights::exact::{
    BoundsReport, BoundsRequest, ExactError, FragileWeight, MethodOverride, RangeSource,
    StabilityReport, StabilityRequest, WeightSet, bounds_for_budgeted, stability_for,
};
use super::weights::sweep::{
    SimplexRequest, SimplexResult, SweepRequest, SweepResult, simplex_map, sweep_weight,
};
use crate::engine::{Observer, Silent};
use crate::model::Index;
use crate::pipeline::prepare::nominal_variant;
use crate::pipeline::{Config, evaluate, prepare};
use crate::scenario::{Scenario, WeightMode, WeightTarget};

/// Options of the whole job.
#[derive(Debug, Clone, PartialEq)]
pub struct RobustOptions {
    pub uncertainty: UncertaintyOptions,
    /// Base rows of the Saltelli design.
    pub base_samples: usize,
    pub bootstrap_resamples: usize,
    /// Lattice resolution of the weight-simplex map.
    pub simplex_resolution: usize,
    /// Bootstrap resamples for the coherence audit's η² intervals (the `coherence`
    /// command's default; its seed is the run's).
    pub coherence_resamples: usize,
    /// Seconds each exact rank-bound MILP may take (`None`: no limit). One that runs out
    /// reports the ranks it found with the solver's proven limits, the report says so, and the
    /// job goes on. Honoured by both solvers (microlp, the default, and HiGHS).
    pub exact_budget: Option<f64>,
}

impl Default for RobustOptions {
    fn default() -> Self {
        RobustOptions {
            uncertainty: UncertaintyOptions::default(),
            base_samples: 2048,
            bootstrap_resamples: 1000,
            simplex_resolution: 60,
            coherence_resamples: CoherenceSettings::default().resamples,
            exact_budget: Some(EXACT_BUDGET_SECONDS),
        }
    }
}

/// Default time budget of each exact rank-bound MILP in `robust`. Small indices finish far
/// within it (IECI, ASEM: milliseconds); from about 1,000 units a focus in the middle of the
/// table can have hundreds of ambiguous competitors and the MILP may need longer (62 s for a
/// 1,000 × 40 synthetic index's domain weights, measured): the job then reports the ranks found
/// with the solver's proven limits and goes on.
pub const EXACT_BUDGET_SECONDS: f64 = 10.0;

/// What `robust`'s exact phases report to the observer (counted in weight sets).
pub const EXACT_BOUNDS_PHASE: &str = "exact rank-bound sets";
/// The stability phase (not counted: one step per level).
pub const STABILITY_PHASE: &str = "stability intervals";
/// The weight-simplex map, sweep and coherence audit (not counted).
pub const MAPS_PHASE: &str = "weight maps and coherence audit";

/// Why the job could not run.
#[derive(Debug, thiserror::Error)]
pub enum RobustError {
    #[error(transparent)]
    Uncertainty(#[from] UncertaintyError),
    #[error(transparent)]
    Sensitivity(#[from] SensitivityError),
    #[error(
        "{scenario}, field `focus`: the robust report is about one unit, but no focus unit is set here, in index.toml or for this run\n  fix: set `focus = \"CODE\"` (a uCode of data.csv) in the scenario or index.toml, or name a focus unit for the run"
    )]
    NoFocus { scenario: String },
}

/// Exact rank bounds of the focus over one of the scenario's weight ranges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertainRange {
    /// What varies, e.g. "sub-dimension and dimension weights within the scenario's ranges".
    pub weights: String,
    pub best_rank: usize,
    pub worst_rank: usize,
    pub exact: bool,
}

/// The verdict of `robust`: the uncertainty verdict plus the certain range, the driving
/// factor and the most fragile weight. Every number its sentences quote is a field here.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobustVerdict {
    pub focus: FocusVerdict,
    pub rating: Rating,
    /// Exact bounds over the scenario's weight ranges (every other choice nominal).
    pub certain: Option<CertainRange>,
    pub driver: Option<FocusDriver>,
    pub most_fragile: Option<FragileWeight>,
    pub swaps: Vec<Swap>,
    pub reconstruction: bool,
    /// The published index the data reconstruct (when `reconstruction`).
    pub reconstruction_of: String,
    /// With `[[noise]]` entries: data error against modelling choices in the focus rank's variance.
    pub data_error: Option<DataErrorSplit>,
}

/// Everything the job computed.
pub struct RobustRun {
    pub uncertainty: UncertaintyRun,
    pub sensitivity: SensitivityRun,
    pub bounds: Vec<BoundsReport>,
    pub stability: Option<StabilityReport>,
    pub simplex: Option<SimplexResult>,
    pub sweep: Option<SweepResult>,
    /// The statistical coherence audit of the nominal index (as the `coherence` command runs it).
    pub coherence: Option<Coherence>,
    /// Parts that could not be computed for this index, and why (reported, not fatal).
    pub notes: Vec<String>,
    pub verdict: RobustVerdict,
}

/// The ±spread of a scenario's uniform entries at `level`, if they all agree.
fn uniform_spread(scenario: &Scenario, index: &Index, level: usize) -> Option<f64> {
    let mut spread = None;
    for spec in &scenario.weights {
        let at = match &spec.target {
            WeightTarget::Level(l) => *l,
            WeightTarget::Parent(code) => {
                let parent = index.framework.find(code)?;
                index.framework.nodes[*index.framework.nodes[parent].children.first()?].level
            }
        };
        if at != level {
            continue;
        }
        match (spec.mode, spread) {
            (WeightMode::Uniform { spread: s }, None) => spread = Some(s),
            (WeightMode::Uniform { spread: s }, Some(t)) if s == t => {}
            _ => return None,
        }
    }
    spread
}

/// The distinct levels the scenario varies weights at (in `[[weights]]` order), for bounds.
fn scenario_weight_levels(scenario: &Scenario, index: &Index) -> Vec<usize> {
    let mut levels = Vec::new();
    for spec in &scenario.weights {
        if !spec.mode.varies() {
            continue;
        }
        let level = match &spec.target {
            WeightTarget::Level(level) => Some(*level),
            WeightTarget::Parent(code) => index
                .framework
                .find(code)
                .and_then(|p| index.framework.nodes[p].children.first())
                .map(|&c| index.framework.nodes[c].level),
        };
        if let Some(level) = level
            && !levels.contains(&level)
        {
            levels.push(level);
        }
    }
    levels
}

fn describe_levels(index: &Index, levels: &[usize]) -> String {
    let names: Vec<String> = levels
        .iter()
        .map(|&l| index.framework.level_name(l).to_lowercase())
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => format!("{one} weights"),
        [init @ .., last] => format!("{} and {last} weights", init.join(", ")),
    }
}

/// Runs the whole job from one seed (see the module documentation).
pub fn run_robust(
    index: &Index,
    scenario: &Scenario,
    scenario_text: &str,
    options: &RobustOptions,
    observer: &dyn Observer,
) -> Result<RobustRun, RobustError> {
    let split = SplitOptions {
        base_samples: options.base_samples,
        bootstrap_resamples: options.bootstrap_resamples,
        ..SplitOptions::default()
    };
    let uncertainty = run_uncertainty_with_split(
        index,
        scenario,
        scenario_text,
        &options.uncertainty,
        &split,
        observer,
    )?;
    let no_focus = || RobustError::NoFocus {
        scenario: scenario.source.clone(),
    };
    let focus = uncertainty.setup.focus.ok_or_else(no_focus)?;
    let focus_code = uncertainty.setup.prepared.units[focus].code.clone();
    let focus_verdict = uncertainty.verdict.clone().ok_or_else(no_focus)?;

    // Sobol: the focus rank, rank ≤ nominal (k = nominal rank) and R_S.
    let sensitivity_options = SensitivityOptions {
        base_samples: options.base_samples,
        seed: options.uncertainty.seed,
        threads: options.uncertainty.threads,
        focus: Some(focus_code.clone()),
        top_k: Some(focus_verdict.nominal_rank),
        families: vec![TargetFamily::Rs, TargetFamily::Rank, TargetFamily::Topk],
        unit_targets: Some(UnitTargets::Focus),
        bootstrap_resamples: options.bootstrap_resamples,
        ..SensitivityOptions::default()
    };
    let sensitivity = run_sensitivity(
        index,
        scenario,
        scenario_text,
        &sensitivity_options,
        observer,
    )?;

    let mut notes = Vec::new();
    let note = |notes: &mut Vec<String>, what: &str, error: ExactError| {
        notes.push(format!("{what}: {error}"))
    };

    // Exact bounds at each level the scenario perturbs, then all of them together.
    let levels = scenario_weight_levels(scenario, index);
    let mut bounds = Vec::new();
    let mut sets: Vec<Vec<usize>> = levels.iter().map(|&l| vec![l]).collect();
    if levels.len() > 1 {
        sets.push(levels.clone());
    }
    observer.phase(EXACT_BOUNDS_PHASE, sets.len() as u64);
    for (done, set) in sets.iter().enumerate() {
        if done > 0 {
            observer.advanced(done as u64);
        }
        // A single level of several: its own ±spread (the scenario's range for it); all
        // levels together: the scenario's ranges as given.
        let range = match (set.as_slice(), levels.len()) {
            ([level], n) if n > 1 => match uniform_spread(scenario, index, *level) {
                Some(spread) => RangeSource::Spread(spread),
                None => continue,
            },
            _ => RangeSource::Scenario {
                scenario: Box::new(scenario.clone()),
                label: scenario.source.clone(),
            },
        };
        let request = BoundsRequest {
            method: MethodOverride::default(),
            weights: Some(WeightSet::Levels(set.clone())),
            range,
            focus: Some(focus_code.clone()),
            all_units: false,
        };
        match bounds_for_budgeted(index, &request, options.exact_budget, &Silent) {
            Ok(report) => {
                if report.units.iter().any(|u| u.budget_reached) {
                    notes.push(format!(
                        "exact bounds for {}: the solver's time budget ({} s per program) ran \
                         out before the optimum was proven; the ranks shown are achieved and \
                         the proven limits are stated with them",
                        describe_levels(index, set),
                        options.exact_budget.unwrap_or(0.0)
                    ));
                }
                bounds.push(report)
            }
            Err(error) => note(
                &mut notes,
                &format!("exact bounds for {}", describe_levels(index, set)),
                error,
            ),
        }
    }
    if levels.is_empty() {
        notes.push(
            "exact bounds: the scenario varies no weights, so there is no weight range to bound"
                .into(),
        );
    }

    observer.advanced(sets.len() as u64);
    observer.phase(STABILITY_PHASE, 0);
    let stability = match stability_for(
        index,
        &StabilityRequest {
            method: MethodOverride::default(),
            weights: None,
            focus: Some(focus_code.clone()),
            top_k: Some(uncertainty.setup.top_k as usize),
        },
    ) {
        Ok(report) => Some(report),
        Err(error) => {
            note(&mut notes, "stability intervals", error);
            None
        }
    };

    observer.phase(MAPS_PHASE, 0);
    let top = index.framework.top;
    let simplex = if index.framework.nodes[top].children.len() == 3 {
        match simplex_map(
            index,
            &SimplexRequest {
                method: MethodOverride::default(),
                parent: None,
                resolution: options.simplex_resolution,
                focus: Some(focus_code.clone()),
            },
        ) {
            Ok(result) => Some(result),
            Err(error) => {
                note(&mut notes, "weight-simplex map", error);
                None
            }
        }
    } else {
        None
    };

    // Sweep the weight the focus is most fragile to across its whole range.
    let fragile = stability.as_ref().and_then(|s| s.most_fragile.clone());
    let sweep = fragile.as_ref().and_then(|weight| {
        sweep_weight(
            index,
            &SweepRequest {
                method: MethodOverride::default(),
                weight: Some(weight.code.clone()),
                from: 0.0,
                to: 1.0,
                steps: 51,
                focus: Some(focus_code.clone()),
            },
        )
        .map_err(|error| notes.push(format!("weight sweep: {error}")))
        .ok()
    });

    let coherence = coherence_audit(index, options)
        .map_err(|error| notes.push(format!("statistical coherence: {error}")))
        .ok();

    let certain = bounds.last().and_then(|report| {
        report.unit(&focus_code).map(|unit| CertainRange {
            weights: format!("{} {}", report.weight_set_label, report.range_label),
            best_rank: unit.best_rank,
            worst_rank: unit.worst_rank,
            exact: unit.exact,
        })
    });
    let mut verdict = compose_verdict(
        index,
        focus_verdict,
        certain,
        sensitivity.driver.clone(),
        fragile,
    );
    if let Some(data_error) = &uncertainty.data_error {
        verdict.data_error = data_error.split.clone();
    }
    Ok(RobustRun {
        uncertainty,
        sensitivity,
        bounds,
        stability,
        simplex,
        sweep,
        coherence,
        notes,
        verdict,
    })
}

/// The coherence audit of the nominal index, exactly as the `coherence` command runs it (the
/// nominal variant prepared alone, nominal weights), with the run's seed.
fn coherence_audit(index: &Index, options: &RobustOptions) -> Result<Coherence, String> {
    let prepared = prepare(index, &[nominal_variant(index)]).map_err(|e| e.to_string())?;
    let weights = prepared.framework.nominal_weights();
    let config = Config {
        variant: 0,
        aggregation: index.nominal.aggregation.clone(),
        weights: weights.clone(),
    };
    let evaluation = evaluate(&prepared, &config).map_err(|e| e.to_string())?;
    let settings = CoherenceSettings {
        resamples: options.coherence_resamples,
        seed: options.uncertainty.seed,
        ..CoherenceSettings::default()
    };
    Ok(audit(index, &prepared, 0, &evaluation, &weights, &settings))
}

/// Joins the findings into one verdict (facts; `report::verdict` writes the sentences).
fn compose_verdict(
    index: &Index,
    focus: FocusVerdict,
    certain: Option<CertainRange>,
    driver: Option<FocusDriver>,
    most_fragile: Option<FragileWeight>,
) -> RobustVerdict {
    RobustVerdict {
        rating: focus.rating,
        swaps: focus.swaps.clone(),
        focus,
        certain,
        driver,
        most_fragile,
        reconstruction: index.info.reconstruction,
        reconstruction_of: index
            .info
            .name
            .trim_end_matches(" (reconstruction)")
            .to_string(),
        data_error: None,
    }
}
